"""Readable terminal summary of a steady-state result."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from .compile import CompMode
from .results import COMP_MODE_TEXT, SteadyResult
from .stations.points import UnitPoints
from .units import BAR_PA, MMSCF_M3


def _barg(cn_amb: float, p_pa: float) -> float:
    return (p_pa - cn_amb) / BAR_PA


def node_maop_pa(result: SteadyResult) -> np.ndarray:
    """MAOP at each node: its own p_max, else the lowest MAOP of the pipes that touch it."""
    cn = result.network
    maop = cn.p_max_pa.copy()
    pipe_maop = np.full(cn.n_nodes, np.inf)
    e = cn.res_edge
    for ends in (cn.edge_from[e], cn.edge_to[e]):
        np.minimum.at(pipe_maop, ends, np.where(np.isfinite(cn.maop_pa), cn.maop_pa, np.inf))
    return np.where(np.isfinite(maop), maop, np.where(np.isfinite(pipe_maop), pipe_maop, np.nan))


def summary(result: SteadyResult) -> Group:
    """The summary as rich renderables: supplies, deliveries, compressors, totals, bounds, violations."""
    cn = result.network
    amb = cn.ambient_pa
    gas = cn.gas
    basis = gas.basis
    parts: list[object] = []
    zname = getattr(gas.compressibility, "name", "")
    parts.append(
        Text(
            f"{cn.name or 'network'} | scenario {cn.scenario} | converged in {result.iterations} Newton "
            f"iterations ({result.outer_iterations} control rounds) | gas {gas.name}, Z {zname}, "
            f"T {gas.temperature_k - 273.15:.1f} C",
            style="bold",
        )
    )

    t = Table(title="Supplies", title_justify="left")
    for col in ("source", "node", "mode", "supply MMSCFD", "capacity MMSCFD", "p barg"):
        t.add_column(col, justify="right" if col[0] in "scp" and col not in ("source",) else "left")
    for k, sid in enumerate(cn.source_ids):
        b = cn.source_basis[k]
        cap = cn.source_capacity[k]
        mode = "pressure" if cn.source_is_pressure[k] else "flow"
        t.add_row(
            sid,
            cn.node_ids[cn.source_node[k]],
            mode,
            f"{b.kg_s_to_mmscfd(result.source_supply_kg_s[k]):.0f}",
            f"{b.kg_s_to_mmscfd(cap):.0f}" if np.isfinite(cap) else "-",
            f"{_barg(amb, result.p_pa[cn.source_node[k]]):.1f}",
        )
    parts.append(t)

    maop = node_maop_pa(result)
    t = Table(title="Deliveries", title_justify="left")
    for col in (
        "sink",
        "category",
        "demand MMSCFD",
        "p barg",
        "min barg",
        "MAOP barg",
        "margin bar",
        "status",
    ):
        t.add_column(col, justify="left" if col in ("sink", "category", "status") else "right")
    for k, kid in enumerate(cn.sink_ids):
        i = cn.sink_node[k]
        p = _barg(amb, result.p_pa[i])
        pmin = cn.sink_p_min_pa[k]
        pmin_b = _barg(amb, pmin) if np.isfinite(pmin) else None
        mx = _barg(amb, maop[i]) if np.isfinite(maop[i]) else None
        status, style = "ok", "green"
        if pmin_b is not None and p < pmin_b - 1e-9:
            status, style = "BELOW MIN", "bold red"
        elif mx is not None and p > mx + 1e-9:
            status, style = "ABOVE MAOP", "bold red"
        t.add_row(
            kid,
            cn.sink_category[k],
            f"{basis.kg_s_to_mmscfd(cn.sink_demand[k]):.0f}",
            f"{p:.1f}",
            "-" if pmin_b is None else f"{pmin_b:.1f}",
            "-" if mx is None else f"{mx:.1f}",
            "-" if pmin_b is None else f"{p - pmin_b:+.1f}",
            Text(status, style=style),
        )
    parts.append(t)

    if len(cn.comp_edge):
        t = Table(title="Compressor stations", title_justify="left")
        for col in (
            "station",
            "control",
            "suction barg",
            "discharge barg",
            "ratio",
            "flow MMSCFD",
            "power MW",
            "max MW",
            "fuel MMSCFD",
        ):
            t.add_column(col, justify="left" if col in ("station", "control") else "right")
        ratio = result.comp_ratio()
        for k, e in enumerate(cn.comp_edge):
            cmode = CompMode(result.comp_mode[k])
            label = COMP_MODE_TEXT[cmode] if cmode == cn.comp_mode[k] else f"at bound: {COMP_MODE_TEXT[cmode]}"
            pmax = cn.comp_power_max_w[k]
            t.add_row(
                cn.edge_ids[e],
                label,
                f"{_barg(amb, result.p_pa[cn.edge_from[e]]):.1f}",
                f"{_barg(amb, result.p_pa[cn.edge_to[e]]):.1f}",
                f"{ratio[k]:.3f}",
                f"{basis.kg_s_to_mmscfd(result.q_kg_s[e]):.0f}",
                f"{result.comp_power_w[k] / 1e6:.1f}",
                f"{pmax / 1e6:.1f}" if np.isfinite(pmax) else "-",
                f"{basis.kg_s_to_mmscfd(result.comp_fuel_kg_s[k]):.2f}",
            )
        parts.append(t)

    units = result.unit_points()
    if units is not None:
        parts.append(unit_table(units, basis.kg_s_to_mmscfd))

    lp = float(np.sum(result.pipe_linepack_kg()))
    fuel = float(np.sum(result.comp_fuel_kg_s))
    rho60 = basis.density_60f_kg_m3
    parts.append(
        Text(
            f"Throughput {basis.kg_s_to_mmscfd(result.throughput_kg_s()):.0f} MMSCFD "
            f"({result.throughput_kg_s():.1f} kg/s); "
            f"demand {basis.kg_s_to_mmscfd(result.total_demand_kg_s()):.0f} MMSCFD; compressor fuel "
            f"{basis.kg_s_to_mmscfd(fuel):.1f} MMSCFD; power {np.sum(result.comp_power_w) / 1e6:.1f} MW; "
            f"linepack {lp / 1e6:.1f} kt ({lp / rho60 / MMSCF_M3:.0f} MMscf)"
        )
    )
    if result.active_bounds:
        parts.append(Text("Active bounds:\n" + "\n".join(f"  - {b}" for b in result.active_bounds), style="yellow"))
    if result.violations:
        parts.append(Text("Violations:\n" + "\n".join(f"  - {v}" for v in result.violations), style="bold red"))
    else:
        parts.append(Text("No pressure or capacity violations.", style="green"))
    if result.warnings:
        parts.append(Text("Warnings:\n" + "\n".join(f"  - {w}" for w in result.warnings), style="yellow"))
    return Group(*parts)  # type: ignore[arg-type]


def _num(v: float, fmt: str) -> str:
    return "-" if not np.isfinite(v) else format(v, fmt)


def unit_table(units: UnitPoints, to_mmscfd: Callable[[float], float]) -> Table:
    """The operating point of every compressor unit as a table."""
    t = Table(title="Compressor units", title_justify="left")
    for col in ("unit", "config.", "state", "speed /min", "flow m3/s", "head kJ/kg", "eff.", "MW / avail.",
                "fuel MMSCFD", "surge %", "choke %"):  # fmt: skip
        t.add_column(col, justify="left" if col in ("unit", "config.", "state") else "right")
    for i, uid in enumerate(units.unit_ids):
        fuel = units.fuel_kg_s[i]
        running = np.isfinite(units.power_mw[i])
        t.add_row(
            uid,
            units.configuration[i] or "-",
            units.state[i],
            _num(units.speed_rpm[i], ".0f"),
            _num(units.flow_m3_s[i], ".2f"),
            _num(units.head_kj_per_kg[i], ".1f"),
            _num(units.efficiency[i], ".3f"),
            f"{units.power_mw[i]:.1f} / {units.power_avail_mw[i]:.1f}" if running else "-",
            _num(to_mmscfd(fuel) if np.isfinite(fuel) else np.nan, ".2f"),
            _num(100 * units.surge_margin[i], ".0f"),
            _num(100 * units.choke_margin[i], ".0f"),
        )
    return t


def print_summary(result: SteadyResult, console: Console | None = None) -> None:
    (console or Console()).print(summary(result))
