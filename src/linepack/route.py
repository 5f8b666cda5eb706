"""Routes through a network (for example the PSGP corridor) and the pressure profile along them."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from .compile import CompiledNetwork, EdgeKind
from .errors import InputError
from .results import SteadyResult
from .units import BAR_PA

PSGP_CORRIDOR: tuple[str, ...] = ("PQ_HUB", "HYDERABAD", "SAWAN", "SADIQABAD", "SAHIWAL", "KASUR")


@dataclass(frozen=True)
class ProfilePoint:
    distance_km: float
    p_barg: float
    node: str | None  # node id at route nodes, None inside a pipe
    element: str  # pipe or element the point belongs to


def route_edges(cn: CompiledNetwork, waypoints: list[str] | tuple[str, ...]) -> list[tuple[int, bool]]:
    """Edges along the route through ``waypoints`` (each leg the path preferring large, short pipes).

    Returns (edge index, traversed forward) pairs. Weights: pipe length / diameter; other elements 0.
    """
    if len(waypoints) < 2:
        raise InputError("a route needs at least two nodes (for example PQ_HUB,KASUR)")
    idx = [cn.node_index(w) for w in waypoints]
    w = np.full(cn.n_edges, 1e-6)
    w[cn.res_edge] = np.where(cn.res_is_pipe, cn.length_m / cn.diameter_m, 1e-6)
    blocked = np.zeros(cn.n_edges, dtype=bool)
    blocked[cn.block_edge] = True
    ef, et = cn.edge_from[~blocked], cn.edge_to[~blocked]
    we = w[~blocked]
    eids = np.flatnonzero(~blocked)
    graph = sp.coo_matrix(
        (np.concatenate([we, we]), (np.concatenate([ef, et]), np.concatenate([et, ef]))),
        shape=(cn.n_nodes, cn.n_nodes),
    ).tocsr()
    # cheapest edge between each ordered node pair
    best: dict[tuple[int, int], tuple[float, int, bool]] = {}
    for k, e in enumerate(eids):
        for a, b, fwd in ((ef[k], et[k], True), (et[k], ef[k], False)):
            known = best.get((int(a), int(b)))
            if known is None or we[k] < known[0]:
                best[(int(a), int(b))] = (float(we[k]), int(e), fwd)
    out: list[tuple[int, bool]] = []
    for a, b in pairwise(idx):
        dist, pred = dijkstra(graph, directed=True, indices=a, return_predecessors=True)
        if not np.isfinite(dist[b]):
            raise InputError(f"route: no path from {cn.node_ids[a]} to {cn.node_ids[b]} in scenario {cn.scenario}")
        leg: list[tuple[int, bool]] = []
        node = int(b)
        while node != a:
            prev = int(pred[node])
            _, edge, forward = best[(prev, node)]
            leg.append((edge, forward))
            node = prev
        out.extend(reversed(leg))
    return out


def pressure_profile(
    result: SteadyResult, waypoints: list[str] | tuple[str, ...] = PSGP_CORRIDOR, points_per_pipe: int = 12
) -> list[ProfilePoint]:
    """Pressure along the route: nodes, and inside pipes p(x)^2 interpolated linearly in x (the isothermal
    profile of a level pipe with constant Z)."""
    cn = result.network
    amb = cn.ambient_pa
    res_pos = {int(e): k for k, e in enumerate(cn.res_edge)}
    pts: list[ProfilePoint] = []
    dist = 0.0
    edges = route_edges(cn, waypoints)
    first_e, first_fwd = edges[0]
    start = cn.edge_from[first_e] if first_fwd else cn.edge_to[first_e]
    pts.append(ProfilePoint(0.0, (result.p_pa[start] - amb) / BAR_PA, cn.node_ids[start], cn.edge_ids[first_e]))
    for e, fwd in edges:
        a, b = (cn.edge_from[e], cn.edge_to[e]) if fwd else (cn.edge_to[e], cn.edge_from[e])
        pa, pb = result.p_pa[a], result.p_pa[b]
        length = cn.length_m[res_pos[e]] / 1e3 if cn.edge_kind[e] == EdgeKind.PIPE else 0.0
        if length > 0:
            x = np.linspace(0.0, 1.0, points_per_pipe + 1)[1:-1]
            p_in = np.sqrt(np.maximum(pa**2 + (pb**2 - pa**2) * x, 0.0))
            for xi, pi in zip(x, p_in, strict=True):
                pts.append(ProfilePoint(dist + xi * length, (pi - amb) / BAR_PA, None, cn.edge_ids[e]))
        dist += length
        pts.append(ProfilePoint(dist, (pb - amb) / BAR_PA, cn.node_ids[b], cn.edge_ids[e]))
    return pts
