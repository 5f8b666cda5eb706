"""Gas quality along a route: gross calorific value, Wobbe index and hydrogen share (needs ``linepack[plot]``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_write_bytes
from ..results import SteadyResult
from ..route import PSGP_CORRIDOR, route_edges


def quality_profile(result: SteadyResult, waypoints: list[str] | tuple[str, ...]) -> dict[str, np.ndarray]:
    """Quality of the gas along a route, as steps: each pipe carries one gas (its upstream node's), so the
    quality is constant along a pipe and changes at the nodes where gases mix. Returns arrays ``distance_km``
    (two points per pipe: its start and end), ``gcv_mj_m3``, ``wobbe_mj_m3``, ``h2_mol_pct`` and the node ids at
    the pipe ends (``node``, empty inside the route's pipes)."""
    q = result.quality
    if q is None:
        raise InputError("quality plot: the network gas has no composition (give settings.gas)")
    cn = result.network
    res_pos = {int(e): k for k, e in enumerate(cn.res_edge)}
    dist, x, gcv, wobbe, h2, nodes = 0.0, [], [], [], [], []
    for e, fwd in route_edges(cn, waypoints):
        a, b = (cn.edge_from[e], cn.edge_to[e]) if fwd else (cn.edge_to[e], cn.edge_from[e])
        length = cn.length_m[res_pos[e]] / 1e3 if e in res_pos and cn.res_is_pipe[res_pos[e]] else 0.0
        if e in res_pos:  # a pipe or resistor carries its own gas
            k = res_pos[e]
            vals = (q.edge.gcv_mj_m3[k], q.edge.wobbe_mj_m3[k], q.edge.h2_mol_pct[k])
        else:  # a compressor, valve or regulator carries its upstream node's gas
            up = cn.edge_from[e] if result.q_kg_s[e] >= 0 else cn.edge_to[e]
            vals = (q.node.gcv_mj_m3[up], q.node.wobbe_mj_m3[up], q.node.h2_mol_pct[up])
        for d, node in ((dist, cn.node_ids[a]), (dist + length, cn.node_ids[b])):
            x.append(d)
            gcv.append(vals[0])
            wobbe.append(vals[1])
            h2.append(vals[2])
            nodes.append(node)
        dist += length
    return {
        "distance_km": np.array(x),
        "gcv_mj_m3": np.array(gcv),
        "wobbe_mj_m3": np.array(wobbe),
        "h2_mol_pct": np.array(h2),
        "node": np.array(nodes, dtype=object),
    }


def plot_quality(
    result: SteadyResult,
    path: str | Path,
    waypoints: list[str] | tuple[str, ...] = PSGP_CORRIDOR,
    title: str | None = None,
) -> None:
    """Write a PNG of the gross calorific value and Wobbe index [MJ/m3] (and the hydrogen share when any) against
    distance [km] along the route, with the delivery limits on the route's nodes."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError("plotting needs matplotlib: pip install 'linepack[plot]'") from None
    import io

    cn = result.network
    prof = quality_profile(result, waypoints)
    q = result.quality
    assert q is not None and cn.quality is not None
    x = prof["distance_km"]
    fig, ax = plt.subplots(figsize=(11, 5.5), dpi=110)
    ax.plot(x, prof["gcv_mj_m3"], color="tab:blue", lw=2, label="gross calorific value")
    ax.plot(x, prof["wobbe_mj_m3"], color="tab:green", lw=2, label="Wobbe index")
    spec = cn.quality
    on_route = {n: i for i, n in enumerate(prof["node"])}
    for k, sid in enumerate(cn.sink_ids):
        node = cn.node_ids[cn.sink_node[k]]
        if node not in on_route:
            continue
        d = x[on_route[node]]
        for lim, color, marker in (
            (spec.sink_wobbe_min_mj_m3[k], "tab:green", "^"),
            (spec.sink_wobbe_max_mj_m3[k], "tab:green", "v"),
            (spec.sink_gcv_min_mj_m3[k], "tab:blue", "^"),
        ):
            if np.isfinite(lim):
                ax.plot([d], [lim], marker, color=color, ms=7)
        i = cn.sink_node[k]
        # the gas delivered is the node's mixture (what the route's pipe brings, mixed with any other inflow)
        ax.plot([d, d], [q.node.gcv_mj_m3[i], q.node.wobbe_mj_m3[i]], "o", color="black", ms=4)
        ax.annotate(sid, (d, q.node.gcv_mj_m3[i]), textcoords="offset points", xytext=(2, -12), fontsize=7,
                    rotation=-30)  # fmt: skip
    ax.set_xlabel("distance along route [km]")
    ax.set_ylabel(f"MJ/m3 ({q.reference_name})")
    if np.any(prof["h2_mol_pct"] > 0):
        ax2 = ax.twinx()
        ax2.plot(x, prof["h2_mol_pct"], color="tab:purple", lw=1.5, ls="--", label="hydrogen")
        ax2.set_ylabel("hydrogen [mol %]")
        ax2.legend(loc="lower right", fontsize=8)
    ax.set_title(
        title
        or f"Gas quality, {cn.name} / {cn.scenario}: {' - '.join(waypoints)} (dots: delivered; limits: triangles)",
        fontsize=10,
    )
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())
