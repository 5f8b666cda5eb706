"""PNG plots of a supply run: inventories with cargo arrivals, the send-out stack, unserved gas by class.

Needs the extra ``linepack[plot]`` (matplotlib, imported here only when a plot is asked for).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_write_bytes
from ..study.shedding import SHED_ORDER
from .results import SupplyResult


def _pyplot():  # type: ignore[no-untyped-def]
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError("plots need matplotlib: pip install 'linepack[plot]'") from None
    return plt


def plot_supply(res: SupplyResult, path: str | Path) -> Path:
    """Three panels over time: LNG in each terminal's tanks (m3, heel dashed, carrier arrivals marked and
    unloading shaded), the send-out stack (MMSCFD: terminals, stores, other supplies) and unserved gas by
    consumer class (MMSCFD)."""
    p = Path(path)
    if p.suffix.lower() != ".png":
        raise InputError(f"plot {p}: use a .png file name")
    plt = _pyplot()
    t_mid = np.array([res.time_at(0.5 * (a + b)) for a, b in zip(res.edges_s[:-1], res.edges_s[1:], strict=True)])
    t_end = np.array([res.time_at(b) for b in res.edges_s[1:]])
    days = res.dt_s / 86400.0
    fig, axes = plt.subplots(3, 1, figsize=(11, 10), sharex=True, gridspec_kw={"height_ratios": [3, 2, 1.3]})
    ax = axes[0]
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for j, t in enumerate(res.terminals):
        c = colours[j % len(colours)]
        inv = np.concatenate([[res.m3(res.inventory0_kg[j], j)], res.m3(res.inventory_kg[:, j], j)])
        ax.plot([res.start, *t_end], inv / 1e3, color=c, lw=2, label=t.id)
        ax.axhline(t.heel_m3 / 1e3, color=c, ls=":", lw=1)
        for g in res.logs:
            cg = res.cargoes[g.index]
            if cg.terminal != t.id:
                continue
            if not np.isnan(g.unload_start_s):
                end = g.unload_end_s if not np.isnan(g.unload_end_s) else float(res.edges_s[-1])
                ax.axvspan(res.time_at(g.unload_start_s), res.time_at(end), color=c, alpha=0.12, lw=0)
            if g.arrival_s <= res.edges_s[-1]:
                marker = "x" if g.status == "cancelled" else "v"
                ax.plot([res.time_at(g.arrival_s)], [t.tank_m3 / 1e3 * 1.04], marker=marker, color=c, ms=7)
    ax.set_ylabel("LNG in tanks [1000 m3]")
    ax.set_title(f"{res.chain_name}: tanks (heel dotted; v carrier arrival, x cancelled; shading: unloading)")
    ax.legend(loc="upper left", ncol=len(res.terminals))
    ax.grid(alpha=0.3)
    ax = axes[1]
    stack, labels = [], []
    for j, t in enumerate(res.terminals):
        stack.append(res.lng_mmscf(res.sent_kg[:, j], j) / days)
        labels.append(t.id)
    for j, s in enumerate(res.stores):
        stack.append(res.gas_mmscf(res.withdrawn_kg[:, j]) / days)
        labels.append(s.id)
    if len(res.field_ids):
        stack.append(res.gas_mmscf(res.field_kg_s.sum(axis=1) * res.dt_s) / days)
        labels.append("fields and other supplies")
    ax.stackplot(t_mid, np.array(stack), labels=labels, step="mid", alpha=0.85)
    ax.set_ylabel("supply [MMSCFD]")
    ax.set_title("send-out stack")
    ax.legend(loc="lower left", ncol=min(len(labels), 4), fontsize=8)
    ax.grid(alpha=0.3)
    ax = axes[2]
    uns = res.unserved_kg_s
    bottom = np.zeros(res.n_steps)
    cats = np.array(res.sink_categories)
    for cat in SHED_ORDER:
        sel = (cats == cat) & ~res.injection_sink
        if not np.any(sel):
            continue
        v = res.gas_mmscf(uns[:, sel].sum(axis=1) * 86400.0)
        if np.any(v > 0):
            ax.bar(t_mid, v, width=days * 0.9, bottom=bottom, label=cat)
            bottom += v
    ax.set_ylabel("unserved [MMSCFD]")
    ax.set_title("unserved gas by class (curtailed in this order)")
    if np.any(bottom > 0):
        ax.legend(loc="upper left", ncol=3, fontsize=8)
    else:
        ax.text(0.5, 0.5, "every delivery served", transform=ax.transAxes, ha="center", va="center")
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    atomic_write_bytes(p, buf.getvalue())
    return p
