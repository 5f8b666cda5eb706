"""Terminal summary and PNG plots of a transient run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rich.console import Console
from rich.text import Text

from ..console_tables import compact_table
from ..errors import InputError
from ..io.atomic import atomic_write_bytes
from ..units import BAR_PA
from .results import TransientResult, fmt_time


def _mmscf(res: TransientResult, kg: float) -> float:
    """Gas mass [kg] in million standard cubic feet (the network gas's standard density)."""
    return float(res.seg.base.gas.basis.kg_s_to_mmscfd(kg / 86400.0))


def print_transient_summary(res: TransientResult, out: Console) -> None:
    """Run facts, linepack (pack and draft), deliveries with survival times, compressors, sources."""
    cn, seg = res.seg.base, res.seg
    amb = cn.ambient_pa
    t_h = res.times_s / 3600.0
    steps = max(res.n_steps, 1)
    it = res.newton_iterations[1:]
    status = "[green]completed[/]" if res.completed else f"[yellow]{res.message}[/]"
    out.print(
        f"[bold]{cn.name}[/], scenario [bold]{cn.scenario}[/]: {t_h[-1]:.2f} h in {res.n_steps} steps of "
        f"{res.dt_s:g} s, {seg.n_segments} pipe segments ({seg.n_points} points); {status}"
    )
    out.print(
        f"wall time {res.wall_time_s:.2f} s ({1e3 * res.wall_time_s / steps:.2f} ms per step), Newton iterations "
        f"per step mean {np.mean(it) if len(it) else 0:.2f}, max {int(np.max(it)) if len(it) else 0}; "
        f"mass balance error {res.conservation_error():.1e}"
    )
    for e in res.events:
        out.print(f"event: {e.describe()}")
    for w in res.warnings:
        out.print(f"[yellow]warning:[/] {w}")
    if res.start_note:
        out.print(Text(res.start_note), highlight=False, soft_wrap=True)
    pdraft = res.pack_draft()
    lp = res.linepack_kg
    t = compact_table("Linepack", "", [("tonnes", "num"), ("MMSCF", "num"), ("time", "num")])
    rows = [
        ("start", lp[0], 0.0),
        ("end", lp[-1], res.times_s[-1]),
        ("minimum", pdraft["min_kg"], res.times_s[int(np.argmin(lp))]),
        ("maximum", pdraft["max_kg"], res.times_s[int(np.argmax(lp))]),
    ]
    for name, kg, when in rows:
        t.add_row(name, f"{kg / 1e3:,.0f}", f"{_mmscf(res, kg):,.0f}", fmt_time(when))
    t.add_row("largest pack", f"{pdraft['max_pack_kg'] / 1e3:,.0f}", f"{_mmscf(res, pdraft['max_pack_kg']):,.0f}", "")
    t.add_row(
        "largest draft", f"{pdraft['max_draft_kg'] / 1e3:,.0f}", f"{_mmscf(res, pdraft['max_draft_kg']):,.0f}", ""
    )
    out.print(t)

    d = compact_table(
        "Deliveries",
        "sink",
        [("category", "text"), ("lowest\nbarg", "num"), ("at", "num"), ("min\nbarg", "num"), ("survival", "num")],
    )
    for k, sid in enumerate(cn.sink_ids):
        pk = (res.node_p_pa[:, cn.sink_node[k]] - amb) / BAR_PA
        i = int(np.argmin(pk))
        pmin = cn.sink_p_min_pa[k]
        surv = res.survival_time_s[k]
        shown = fmt_time(surv)
        if np.isinf(surv) and not res.completed:
            shown = f"> {fmt_time(res.times_s[-1])}"  # the run stopped before the end
        d.add_row(
            sid,
            cn.sink_category[k],
            f"{pk[i]:.1f}",
            fmt_time(res.times_s[i]),
            "-" if np.isnan(pmin) else f"{(pmin - amb) / BAR_PA:.1f}",
            Text(shown, style="red") if np.isfinite(surv) else shown,
        )
    out.print(d)

    if len(cn.comp_edge):
        c = compact_table(
            "Compressors", "compressor", [("mean\nMW", "num"), ("max\nMW", "num"), ("fuel\ntonnes", "num")]
        )
        dt = np.diff(res.times_s)
        for k, e in enumerate(cn.comp_edge):
            pw = res.comp_power_w[:, k]
            fuel = float(np.sum(res.comp_fuel_kg_s[1:, k] * dt))
            c.add_row(cn.edge_ids[e], f"{np.mean(pw) / 1e6:.1f}", f"{np.max(pw) / 1e6:.1f}", f"{fuel / 1e3:,.1f}")
        out.print(c)

    s = compact_table(
        "Supply (MMSCFD of each source's own gas)",
        "source",
        [("min\nMMSCFD", "num"), ("max\nMMSCFD", "num"), ("end\nMMSCFD", "num")],
    )
    for k, sid in enumerate(cn.source_ids):
        b = cn.source_basis[k]
        q = res.source_supply_kg_s[:, k]
        s.add_row(
            sid,
            f"{b.kg_s_to_mmscfd(q.min()):.0f}",
            f"{b.kg_s_to_mmscfd(q.max()):.0f}",
            f"{b.kg_s_to_mmscfd(q[-1]):.0f}",
        )
    out.print(s)


def plot_transient(res: TransientResult, path: str | Path, nodes: list[str] | None = None) -> None:
    """PNG with two panels: pressure [barg] at ``nodes`` (default: every delivery node) and the system
    linepack [tonnes] against time [h]; minimum delivery pressures dashed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError("plotting needs matplotlib: pip install 'linepack[plot]'") from None
    import io

    cn = res.seg.base
    if nodes is None:
        idx = list(dict.fromkeys(int(i) for i in cn.sink_node))
    else:
        unknown = [n for n in nodes if n not in cn.node_ids]
        if unknown:
            raise InputError(f"plot nodes: no node {', '.join(unknown)} in scenario {cn.scenario}")
        idx = [cn.node_ids.index(n) for n in nodes]
    t_h = res.times_s / 3600.0
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(11, 8), dpi=110, sharex=True)
    for i in idx:
        (line,) = ax1.plot(t_h, (res.node_p_pa[:, i] - cn.ambient_pa) / BAR_PA, lw=1.6, label=cn.node_ids[i])
        mins = cn.sink_p_min_pa[cn.sink_node == i]
        mins = mins[np.isfinite(mins)]
        if len(mins):
            ax1.axhline((float(np.max(mins)) - cn.ambient_pa) / BAR_PA, color=line.get_color(), ls="--", lw=0.8)
    at: dict[float, list[str]] = {}
    for e in res.events:
        at.setdefault(e.time_s, []).append(f"{e.kind.value} {e.target}")
    for t_ev, texts in at.items():
        for ax in (ax1, ax2):
            ax.axvline(t_ev / 3600.0, color="grey", ls=":", lw=1)
        ax1.annotate(", ".join(texts), (t_ev / 3600.0, ax1.get_ylim()[1]), fontsize=8, va="top", rotation=90)
    ax1.set_ylabel("pressure [barg]")
    ax1.set_title(f"{cn.name}, scenario {cn.scenario}: pressures (dashed: minimum delivery pressure)")
    ax1.legend(fontsize=7, ncol=3, loc="best")
    ax1.grid(alpha=0.3)
    ax2.plot(t_h, res.linepack_kg / 1e3, color="tab:green", lw=2)
    ax2.set_ylabel("linepack [tonnes]")
    ax2.set_xlabel("time [h]")
    ax2.grid(alpha=0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())
