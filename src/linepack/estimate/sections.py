"""Balance sections: the parts of a network whose every inflow and outflow a flow meter measures.

Cut the network at every metered place (a pipe end with a flow meter, an element with a flow meter);
what stays connected is a section. Its mass balance ``sum(metered in) - sum(metered out) - fuel - d(linepack)/dt``
is zero unless gas leaves unmetered: a leak. A section is *balanceable* when every source and sink inside
has a flow meter; otherwise its balance would need an unmetered demand and it is left out of the
compensated mass balance (the model-based method still watches it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components

from ..compile import CompiledNetwork, EdgeKind
from .meters import BoundMeters, MeterKind

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclass(frozen=True)
class Section:
    """One balance section."""

    name: str
    pipes: tuple[int, ...]  # base pipe indices inside
    meters: tuple[int, ...]  # meter indices of the balance
    signs: tuple[float, ...]  # +1: into the section, -1: out of it
    compressors: tuple[int, ...]  # compressors drawing fuel inside (at their suction node)
    balanceable: bool
    why_not: str
    length_km: float


def balance_sections(cn: CompiledNetwork, bound: BoundMeters) -> list[Section]:
    """The sections of ``cn`` cut at the flow meters of ``bound`` (sections without a pipe are left out)."""
    n, m = cn.n_nodes, cn.n_edges
    n_pipes = int(np.count_nonzero(cn.edge_kind == EdgeKind.PIPE))
    # graph vertices: nodes, then one body per pipe
    metered_from = np.zeros(m, dtype=bool)
    metered_to = np.zeros(m, dtype=bool)
    metered_edge = np.zeros(m, dtype=bool)
    for i in np.flatnonzero(bound.kind == MeterKind.EDGE_FLOW):
        e = int(bound.index[i])
        if e < n_pipes:
            (metered_to if bound.at_end[i] else metered_from)[e] = True
        else:
            metered_edge[e] = True
    blocked = np.zeros(m, dtype=bool)
    blocked[cn.block_edge] = True
    a: list[int] = []
    b: list[int] = []
    for e in range(m):
        if blocked[e]:
            continue
        f, t = int(cn.edge_from[e]), int(cn.edge_to[e])
        if e < n_pipes:
            if not metered_from[e]:
                a.append(f)
                b.append(n + e)
            if not metered_to[e]:
                a.append(n + e)
                b.append(t)
        elif not metered_edge[e]:
            a.append(f)
            b.append(t)
    size = n + n_pipes
    graph = sp.coo_matrix((np.ones(len(a)), (a, b)), shape=(size, size))
    n_comp, label = connected_components(graph, directed=False)
    sections: list[Section] = []
    src_meter = {int(bound.index[i]): i for i in np.flatnonzero(bound.kind == MeterKind.SOURCE_FLOW)}
    snk_meter = {int(bound.index[i]): i for i in np.flatnonzero(bound.kind == MeterKind.SINK_FLOW)}
    for c in range(n_comp):
        pipes = tuple(int(j) for j in np.flatnonzero(label[n:] == c))
        if not pipes:
            continue
        nodes = set(np.flatnonzero(label[:n] == c).tolist())
        meters: list[int] = []
        signs: list[float] = []
        missing: list[str] = []
        for i in np.flatnonzero(bound.kind == MeterKind.EDGE_FLOW):
            e = int(bound.index[i])
            if e < n_pipes:
                body = label[n + e] == c
                end_node = label[cn.edge_to[e]] == c if bound.at_end[i] else label[cn.edge_from[e]] == c
                sign = -1.0 if bound.at_end[i] else 1.0  # into the body at its from-end, out at its to-end
                if body:
                    meters.append(int(i))
                    signs.append(sign)
                if end_node:
                    meters.append(int(i))
                    signs.append(-sign)
            else:
                if int(cn.edge_to[e]) in nodes:
                    meters.append(int(i))
                    signs.append(1.0)
                if int(cn.edge_from[e]) in nodes:
                    meters.append(int(i))
                    signs.append(-1.0)
        for k, node in enumerate(cn.source_node.tolist()):
            if node in nodes:
                if k in src_meter:
                    meters.append(int(src_meter[k]))
                    signs.append(1.0)
                elif cn.source_is_pressure[k] or cn.source_inflow[k] != 0:
                    missing.append(cn.source_ids[k])
        for k, node in enumerate(cn.sink_node.tolist()):
            if node in nodes:
                if k in snk_meter:
                    meters.append(int(snk_meter[k]))
                    signs.append(-1.0)
                elif cn.sink_demand[k] != 0:
                    missing.append(cn.sink_ids[k])
        comps = tuple(ci for ci, e in enumerate(cn.comp_edge.tolist()) if int(cn.edge_from[e]) in nodes)
        name = pipes_name(cn, pipes)
        why = f"unmetered {', '.join(missing)} inside" if missing else ""
        if not meters:
            why = why or "no flow meter on its boundary"
        sections.append(Section(name, pipes, tuple(meters), tuple(signs), comps, not why, why,
                                float(np.sum(cn.length_m[list(pipes)])) / 1e3))
    return sections


def pipes_name(cn: CompiledNetwork, pipes: tuple[int, ...]) -> str:
    ids = [cn.edge_ids[j] for j in pipes]
    return ids[0] if len(ids) == 1 else f"{ids[0]}..{ids[-1]} ({len(ids)} pipes)"
