"""Readable terminal summary of a steady-state result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from rich.console import Console, Group
from rich.text import Text

from .compile import CompMode
from .console_tables import compact_table
from .quality.limits import QUALITY_QUANTITIES
from .results import COMP_MODE_SHORT, SteadyResult
from .solvers.equations import user_comp_target
from .stations.points import UnitPoints
from .units import BAR_PA, MMSCF_M3
from .violations import beyond


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


COMP_BOUND_SHORT = {
    CompMode.RATIO: "max ratio",
    CompMode.POWER: "max power",
    CompMode.FLOW: "max flow",
    CompMode.BYPASS: "bypass",
    CompMode.OFF: "closed",
    CompMode.MAP_FLOW: "units' capacity",
    CompMode.MAP_HEAD: "units' head",
}


def summary(result: SteadyResult) -> Group:
    """The summary as rich renderables: supplies, deliveries, compressors, the balance, bounds, violations.

    Every MMSCFD figure of the tables and the balance is the same basis (mass, shown as standard volume of
    the network gas), so the supply column adds up to demand plus compressor fuel; a source of another gas
    also shows its own-gas MMSCFD. Ids are never cut (:mod:`linepack.console_tables`).
    """
    cn = result.network
    amb = cn.ambient_pa
    gas = cn.gas
    basis = gas.basis
    to_mmscfd = basis.kg_s_to_mmscfd
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
    parts.append(
        Text(
            f"MMSCFD below: mass flow as standard volume of the network gas {basis.gas_name} (60 F, 14.696 psia), "
            "so columns add up; 'own gas' is a source's MMSCFD of its own gas; mode p-held: the source holds its "
            "pressure, flow: a fixed inflow"
        )
    )
    own = [b.gas_name != basis.gas_name for b in cn.source_basis]
    cols = [("node", "id"), ("mode", "id"), ("supply\nMMSCFD", "num")]
    if any(own):
        cols.append(("own gas\nMMSCFD", "num"))
    cols += [("max\nMMSCFD", "num"), ("p\nbarg", "num")]
    t = compact_table("Supplies", "source", cols)
    for k, sid in enumerate(cn.source_ids):
        cap = cn.source_capacity[k]
        row = [
            sid,
            cn.node_ids[cn.source_node[k]],
            "p-held" if cn.source_is_pressure[k] else "flow",
            f"{to_mmscfd(result.source_supply_kg_s[k]):.0f}",
        ]
        if any(own):
            row.append(f"{cn.source_basis[k].kg_s_to_mmscfd(result.source_supply_kg_s[k]):.0f}" if own[k] else "")
        row += [
            f"{to_mmscfd(cap):.0f}" if np.isfinite(cap) else "-",
            f"{_barg(amb, result.p_pa[cn.source_node[k]]):.1f}",
        ]
        t.add_row(*row)
    total = ["total", "", "", f"{to_mmscfd(result.throughput_kg_s()):.0f}"] + ([""] if any(own) else []) + ["", ""]
    t.add_section()
    t.add_row(*total, style="bold")
    parts.append(t)

    maop = node_maop_pa(result)
    violated = {(v.kind, v.component_id) for v in result.violation_records if v.quantity not in QUALITY_QUANTITIES}
    mixed = result.quality is not None and result.quality.mixing
    received = result.sink_mmscfd() if mixed else None  # standard volume of the gas each delivery receives
    cols = [("category", "text"), ("demand\nMMSCFD", "num")]
    if received is not None:
        cols.append(("own gas\nMMSCFD", "num"))
    cols += [
        ("p\nbarg", "num"),
        ("min\nbarg", "num"),
        ("MAOP\nbarg", "num"),
        ("margin\nbar", "num"),
        ("status", "text"),
    ]
    t = compact_table("Deliveries", "sink", cols)
    for k, kid in enumerate(cn.sink_ids):
        i = cn.sink_node[k]
        p = _barg(amb, result.p_pa[i])
        pmin = cn.sink_p_min_pa[k]
        pmin_b = _barg(amb, pmin) if np.isfinite(pmin) else None
        mx = _barg(amb, maop[i]) if np.isfinite(maop[i]) else None
        status, style = "ok", "green"
        if ("delivery", kid) in violated:
            status, style = "BELOW MIN", "bold red"
        elif beyond(result.p_pa[i], maop[i], upper=True):  # the MAOP of the node or of a pipe it touches
            status, style = "ABOVE MAOP", "bold red"
        t.add_row(
            kid,
            cn.sink_category[k],
            f"{to_mmscfd(cn.sink_demand[k]):.0f}",
            *([f"{received[k]:.0f}"] if received is not None else []),
            f"{p:.1f}",
            "-" if pmin_b is None else f"{pmin_b:.1f}",
            "-" if mx is None else f"{mx:.1f}",
            "-" if pmin_b is None else f"{p - pmin_b:+.1f}",
            Text(status, style=style),
        )
    t.add_section()
    own_total = [f"{float(np.sum(received)):.0f}"] if received is not None else []
    t.add_row(
        "total", "", f"{to_mmscfd(result.total_demand_kg_s()):.0f}", *own_total, "", "", "", "", "", style="bold"
    )
    parts.append(t)

    if len(cn.comp_edge):
        cols = [
            ("control", "text"),
            ("suction\nbarg", "num"),
            ("disch.\nbarg", "num"),
            ("ratio", "num"),
            ("flow\nMMSCFD", "num"),
            ("power\nMW", "num"),
            ("max\nMW", "num"),
            ("fuel\nMMSCFD", "num"),
        ]
        t = compact_table("Compressor stations", "station", cols)
        ratio = result.comp_ratio()
        suction = result.comp_suction_node()
        rev = result.comp_reverse()
        user_target = user_comp_target(cn)
        state_target = getattr(result.control, "comp_target", user_target)
        for k, e in enumerate(cn.comp_edge):
            cmode = CompMode(result.comp_mode[k])
            own = cmode == cn.comp_mode[k] and state_target[k] == user_target[k]
            label = COMP_MODE_SHORT[cmode] if own else f"at {COMP_BOUND_SHORT[cmode]}"
            if rev[k]:
                label += " (backwards)"
            pmax = cn.comp_power_max_w[k]
            discharge = cn.edge_from[e] if rev[k] else cn.edge_to[e]
            power = result.comp_power_w[k]
            t.add_row(
                cn.edge_ids[e],
                label,
                f"{_barg(amb, result.p_pa[suction[k]]):.1f}",
                f"{_barg(amb, result.p_pa[discharge]):.1f}",
                f"{ratio[k]:.3f}",
                f"{to_mmscfd(abs(result.q_kg_s[e])):.0f}",
                f"{power / 1e6:.1f}" if np.isfinite(power) else "-",
                f"{pmax / 1e6:.1f}" if np.isfinite(pmax) else "-",
                f"{to_mmscfd(result.comp_fuel_kg_s[k]):.2f}",
            )
        t.add_section()
        fuel_total = to_mmscfd(float(np.sum(result.comp_fuel_kg_s)))
        power_total = float(np.nansum(result.comp_power_w)) / 1e6
        t.add_row("total", "", "", "", "", "", f"{power_total:.1f}", "", f"{fuel_total:.2f}", style="bold")
        parts.append(t)

    units = result.unit_points()
    if units is not None:
        parts.append(unit_table(units, basis.kg_s_to_mmscfd))
    parts.extend(quality_parts(result))

    bal = result.balance()
    lp = float(np.sum(result.pipe_linepack_kg()))
    rho60 = basis.density_60f_kg_m3
    parts.append(
        Text(
            f"Throughput (supply) {bal['supply_mmscfd']:.1f} MMSCFD ({bal['supply_kg_s']:.1f} kg/s) = demand "
            f"{bal['demand_mmscfd']:.1f} + compressor fuel {bal['fuel_mmscfd']:.1f} MMSCFD (drawn at each "
            f"station's suction; balance closes to {bal['closure_kg_s']:.1e} kg/s); compressor power "
            f"{np.nansum(result.comp_power_w) / 1e6:.1f} MW; "
            f"linepack {lp / 1e6:.1f} kt ({lp / rho60 / MMSCF_M3:.0f} MMscf of the network gas)"
        )
    )
    if result.active_bounds:
        parts.append(Text("Active bounds:\n" + "\n".join(f"  - {b}" for b in result.active_bounds), style="yellow"))
    if result.violations:
        parts.append(Text("Violations:\n" + "\n".join(f"  - {v}" for v in result.violations), style="bold red"))
    else:
        limits = cn.quality is not None and cn.quality.has_limits
        what = "pressure, capacity or gas-quality" if limits else "pressure or capacity"
        parts.append(Text(f"No {what} violations.", style="green"))
    if result.warnings:
        parts.append(Text("Warnings:\n" + "\n".join(f"  - {w}" for w in result.warnings), style="yellow"))
    return Group(*parts)  # type: ignore[arg-type]


def _num(v: float, fmt: str) -> str:
    return "-" if not np.isfinite(v) else format(v, fmt)


def unit_table(units: UnitPoints, to_mmscfd: Callable[[float], float]) -> Any:
    """The operating point of every compressor unit as a (compact) table."""
    cols = [
        ("config.", "id"),
        ("state", "text"),
        ("speed\n/min", "num"),
        ("flow\nm3/s", "num"),
        ("head\nkJ/kg", "num"),
        ("eff.", "num"),
        ("MW /\navail.", "num"),
        ("fuel\nMMSCFD", "num"),
        ("surge\n%", "num"),
        ("choke\n%", "num"),
    ]
    t = compact_table("Compressor units", "unit", cols)
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
def quality_parts(result: SteadyResult) -> list[object]:
    """The delivered gas quality table (GCV, Wobbe, relative density, H2, energy, limits) at the network's quality
    reference conditions and its energy balance line; nothing when the network gas has no composition."""
    q = result.quality
    cn = result.network
    spec = cn.quality
    if q is None or spec is None:
        return []
    how = "mixed from the sources' gases" if q.mixing else f"one gas, {cn.gas.name}"
    cols = [
        ("GCV\nMJ/m3", "num"),
        ("GCV\nBtu/scf", "num"),
        ("Wobbe\nMJ/m3", "num"),
        ("rel.\ndensity", "num"),
        ("H2\nmol %", "num"),
        ("energy\nMW", "num"),
        ("energy\nMMBTU/d", "num"),
    ]
    limited_any = spec.sink_limited
    if np.any(limited_any):
        cols.append(("limits", "text"))
    t = compact_table(f"Delivered gas quality ({how}; reference {q.reference_name})", "delivery", cols)
    broken = {v.component_id for v in result.violation_records if v.quantity in QUALITY_QUANTITIES}
    for k, kid in enumerate(cn.sink_ids):
        row: list[object] = [
            kid,
            f"{q.sink.gcv_mj_m3[k]:.2f}",
            f"{q.sink.gcv_btu_scf[k]:.0f}",
            f"{q.sink.wobbe_mj_m3[k]:.2f}",
            f"{q.sink.relative_density[k]:.3f}",
            f"{q.sink.h2_mol_pct[k]:.2f}",
            f"{q.sink_energy_mw[k]:,.0f}",
            f"{q.sink_energy_mmbtu_d[k]:,.0f}",
        ]
        if np.any(limited_any):
            if kid in broken:
                row.append(Text("OUT OF LIMITS", style="bold red"))
            else:
                row.append(Text("ok", style="green") if limited_any[k] else "-")
        t.add_row(*row)
    t.add_section()
    total = ["total", "", "", "", "", "", f"{float(np.sum(q.sink_energy_mw)):,.0f}"]
    total.append(f"{float(np.sum(q.sink_energy_mmbtu_d)):,.0f}")
    t.add_row(*total, *([""] if np.any(limited_any) else []), style="bold")
    supplied, delivered, fuel = q.energy_balance_mw()
    line = Text(
        f"Energy (gross calorific value, {q.reference_name}): supplied {supplied:,.0f} MW = delivered "
        f"{delivered:,.0f} MW + compressor fuel {fuel:,.0f} MW"
    )
    return [t, line]


def print_summary(result: SteadyResult, console: Console | None = None) -> None:
    (console or Console()).print(summary(result))
