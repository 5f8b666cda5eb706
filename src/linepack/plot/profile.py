"""Pressure-profile plot along a route (needs the optional extra ``linepack[plot]``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_write_bytes
from ..report import node_maop_pa
from ..results import SteadyResult
from ..route import PSGP_CORRIDOR, pressure_profile
from ..units import BAR_PA


def plot_profile(
    result: SteadyResult,
    path: str | Path,
    waypoints: list[str] | tuple[str, ...] = PSGP_CORRIDOR,
    title: str | None = None,
) -> None:
    """Write a PNG of pressure [barg] against distance [km] along the route, with MAOP and minimum lines; for a
    non-isothermal result also the gas temperature [C] at the route's nodes (right axis)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError("plotting needs matplotlib: pip install 'linepack[plot]'") from None
    import io

    cn = result.network
    pts = pressure_profile(result, waypoints)
    x = np.array([p.distance_km for p in pts])
    y = np.array([p.p_barg for p in pts])
    fig, ax = plt.subplots(figsize=(11, 5.5), dpi=110)
    ax.plot(x, y, color="tab:blue", lw=2, label="pressure")
    nodes = [p for p in pts if p.node is not None]
    ax.plot([p.distance_km for p in nodes], [p.p_barg for p in nodes], "o", color="tab:blue", ms=4)
    seen: set[str] = set()
    for p in nodes:
        if p.node is None or p.node in seen:
            continue
        seen.add(p.node)
        ax.annotate(
            p.node,
            (p.distance_km, p.p_barg),
            textcoords="offset points",
            xytext=(2, 6),
            fontsize=7,
            rotation=35,
        )
    maop = node_maop_pa(result)
    idx = [cn.node_index(p.node) for p in nodes if p.node is not None]
    m = (maop[idx] - cn.ambient_pa) / BAR_PA
    if np.any(np.isfinite(m)):
        ax.step([p.distance_km for p in nodes], m, where="post", color="tab:red", ls="--", lw=1, label="MAOP")
    sink_min = {
        cn.sink_node[k]: (cn.sink_p_min_pa[k] - cn.ambient_pa) / BAR_PA
        for k in range(len(cn.sink_ids))
        if np.isfinite(cn.sink_p_min_pa[k])
    }
    mins = [
        (p.distance_km, sink_min[cn.node_index(p.node)])
        for p in nodes
        if p.node is not None and cn.node_index(p.node) in sink_min
    ]
    if mins:
        ax.plot(*zip(*mins, strict=True), "v", color="tab:orange", label="minimum delivery pressure")
    th = result.thermal
    if th is not None:  # non-isothermal: the gas temperature at the route's nodes on a second axis
        ax2 = ax.twinx()
        t_nodes = [(p.distance_km, float(th.node_t_k[cn.node_index(p.node)]) - 273.15) for p in nodes if p.node]
        ax2.plot(*zip(*t_nodes, strict=True), "s:", color="tab:green", lw=1.0, ms=4, label="gas temperature (nodes)")
        ax2.set_ylabel("gas temperature at nodes [C]")
        ax2.legend(loc="center right", fontsize=8)
    ax.set_xlabel("distance along route [km]")
    ax.set_ylabel("pressure [barg]")
    ax.set_title(title or f"Pressure profile, {cn.name} / {cn.scenario}: {' - '.join(waypoints)}", fontsize=10, pad=28)
    ax.grid(alpha=0.3)
    ax.legend(loc="center left", fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())
