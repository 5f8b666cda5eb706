"""Printed reports of estimates and leak detection (rich tables; pressures in barg, flows in kg/s and MMSCFD)."""

from __future__ import annotations

import math

import numpy as np
from rich.console import Console

from ..console_tables import compact_table
from ..units import BAR_PA
from .dynamic_results import DynamicEstimate
from .leakdetect import LeakReport
from .results import SteadyEstimate
from .validate import Issue


def _f(x: float, digits: int = 3) -> str:
    return "-" if not math.isfinite(x) else f"{x:.{digits}f}"


def print_issues(issues: tuple[Issue, ...], console: Console, limit: int = 20) -> None:
    """The data-quality findings of the SCADA check."""
    if not issues:
        console.print("data check: no gaps, stuck meters or implausible readings found")
        return
    t = compact_table(f"data check: {len(issues)} finding(s)", "tag", [("finding", "text"), ("detail", "text")])
    for i in issues[:limit]:
        t.add_row(i.tag, i.kind, i.detail)
    console.print(t)
    if len(issues) > limit:
        console.print(f"... and {len(issues) - limit} more (see the JSON output)")


def print_steady(est: SteadyEstimate, console: Console, confidence: float = 0.95) -> None:
    cn, b = est.network, est.bound
    z = est.z_of(confidence)
    label = f", {est.label}" if est.label else ""
    console.print(
        f"steady state estimate of {cn.name}, scenario {cn.scenario}{label}"
        + f": {'converged' if est.converged else 'NOT converged'} in {est.iterations} Gauss-Newton "
        f"iterations; {est.chi2.describe()}",
        soft_wrap=True,
    )
    t = compact_table(
        f"node pressures (+/- {confidence:.0%} interval)", "node", [("p\nbarg", "num"), ("+/-\nbar", "num")]
    )
    for i, nid in enumerate(cn.node_ids):
        t.add_row(nid, _f(float(est.p_barg[i])), _f(z * float(est.p_sigma_pa[i]) / BAR_PA))
    console.print(t)
    t = compact_table(
        "supplies and deliveries", "element", [("flow\nkg/s", "num"), ("+/-\nkg/s", "num"), ("\nMMSCFD", "num")]
    )
    basis = cn.gas.basis
    for k, sid in enumerate(cn.source_ids):
        v = float(est.supply_kg_s[k])
        t.add_row(sid, _f(v, 2), _f(z * float(est.supply_sigma_kg_s[k]), 2), _f(basis.kg_s_to_mmscfd(v), 1))
    for k, sid in enumerate(cn.sink_ids):
        v = float(est.demand_kg_s[k])
        t.add_row(sid, _f(v, 2), _f(z * float(est.demand_sigma_kg_s[k]), 2), _f(basis.kg_s_to_mmscfd(v), 1))
    console.print(t)
    t = compact_table(
        "meters: reading against estimate (in each tag's unit)",
        "tag",
        [("measured", "num"), ("estimated", "num"), ("+/-", "num"), ("norm.\nresidual", "num"), ("status", "text")],
    )
    for i, tag in enumerate(est.meters.tags):
        u = b.units[i]
        t.add_row(
            tag,
            _f(u.from_si(float(est.meters.measured[i]))),
            _f(u.from_si(float(est.meters.estimated[i]))),
            _f(z * float(est.meters.estimated_sigma[i]) / abs(u.factor)),
            _f(float(est.meters.normalised_residual[i]), 2),
            est.meters.status[i],
        )
    console.print(t)
    for s in est.suspects:
        console.print(
            f"[bold]suspect meter[/] {s.tag}: normalised residual {s.normalised_residual:.1f}, "
            f"estimated error {s.error_text}; removed from the estimate",
            highlight=False,
            soft_wrap=True,
        )
    crit = [t for t, st in zip(est.meters.tags, est.meters.status, strict=True) if st == "critical"]
    if crit:
        console.print(f"critical meters (no redundancy, their errors cannot be seen): {', '.join(crit)}")
    if est.pseudo:
        console.print(f"pseudo-measurements (assumed scenario values) for: {', '.join(est.pseudo)}")
    for w in est.warnings:
        console.print(f"[yellow]warning:[/] {w}", highlight=False)


def print_dynamic(res: DynamicEstimate, console: Console, confidence: float = 0.95) -> None:
    cn = res.network
    z = SteadyEstimate.z_of(confidence)
    console.print(
        f"dynamic estimate of {cn.name}, scenario {cn.scenario}: {res.n_times - 1} steps of {res.dt_s:g} s from "
        f"{res.time_labels[0]} to {res.time_labels[-1]} on {res.seg.n_segments} segments; CPU {res.cpu_s:.1f} s "
        f"({(res.n_times - 1) * res.dt_s / max(res.cpu_s, 1e-9):.0f}x real time); consistency (mean NIS per "
        f"reading, 1 when the stated uncertainty is right): {res.consistency():.2f}",
        soft_wrap=True,
    )
    t = compact_table(
        f"state at {res.time_labels[-1]} (+/- {confidence:.0%})", "node", [("p\nbarg", "num"), ("+/-\nbar", "num")]
    )
    for i, nid in enumerate(cn.node_ids):
        t.add_row(nid, _f(float(res.p_barg[-1, i])), _f(z * float(res.p_sigma_pa[-1, i]) / BAR_PA))
    console.print(t)
    metered = {int(i) for i in res.bound.index[res.bound.kind == 3]}
    t = compact_table(
        "deliveries: estimated demand (unmetered ones estimated from the network)",
        "sink",
        [("metered", "text"), ("mean\nkg/s", "num"), ("at end\nkg/s", "num"), ("+/-\nkg/s", "num")],
    )
    for k, sid in enumerate(cn.sink_ids):
        t.add_row(
            sid,
            "yes" if k in metered else "no",
            _f(float(np.mean(res.demand_kg_s[:, k])), 2),
            _f(float(res.demand_kg_s[-1, k]), 2),
            _f(z * float(res.demand_sigma_kg_s[-1, k]), 2),
        )
    console.print(t)
    console.print(
        f"linepack {res.linepack_kg[1] / 1e3:,.0f} t -> {res.linepack_kg[-1] / 1e3:,.0f} t "
        f"(+/- {z * res.linepack_sigma_kg[-1] / 1e3:.1f} t)"
    )
    for tag, _, why in res.suspect_meters():
        console.print(f"[bold]suspect meter[/] {tag}: {why}", highlight=False, soft_wrap=True)
    for w in res.warnings:
        console.print(f"[yellow]warning:[/] {w}", highlight=False)


def print_leaks(rep: LeakReport, console: Console) -> None:
    o = rep.options
    basis = rep.estimate.network.gas.basis
    console.print(
        f"leak detection: model-based windows of {o.window_minutes:g} min (threshold {rep.z_model:.2f} sigma), mass "
        f"balance windows of {o.balance_minutes:g} min (threshold {rep.z_balance:.2f} sigma), for "
        f"{o.false_alarms_per_year:g} false alarms a year; {rep.reference_windows} reference window(s) in the first "
        f"{o.reference_hours:g} h taken as leak-free",
        soft_wrap=True,
    )
    if rep.alarms:
        for a in rep.alarms:
            console.print(f"[bold red]ALARM[/] {a.describe()}", highlight=False, soft_wrap=True)
    else:
        console.print("no alarm")
    t = compact_table(
        f"detection limits (detected with probability {o.detection_probability:.0%} in one window)",
        "section",
        [
            ("km", "num"),
            ("method", "text"),
            ("min. leak\nkg/s", "num"),
            ("\nMMSCFD", "num"),
            ("% of\nflow", "num"),
            ("sigma\nkg/s", "num"),
        ],
    )
    for lim in rep.limits:
        pct = 100.0 * lim.mdl_kg_s / lim.throughput_kg_s if lim.throughput_kg_s > 0 else float("nan")
        t.add_row(
            lim.section,
            f"{lim.length_km:.0f}",
            lim.method,
            _f(lim.mdl_kg_s, 2),
            _f(basis.kg_s_to_mmscfd(lim.mdl_kg_s), 1),
            _f(pct, 2),
            _f(lim.sigma_kg_s, 3),
        )
    console.print(t)
    skipped = [s for s in rep.sections if not s.balanceable]
    for s in skipped:
        console.print(f"mass balance not possible on {s.name}: {s.why_not}")
    for n in rep.notes:
        console.print(f"note: {n}")
