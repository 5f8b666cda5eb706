"""Readable reports of optimisation and expansion results (rich tables)."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console, Group
from rich.text import Text

from ..console_tables import compact_table
from .expansion import ExpansionResult
from .results import OptimizationResult
from .settings import CrossCheck


def _f(x: float, nd: int = 1) -> str:
    return "-" if not math.isfinite(x) else f"{x:,.{nd}f}"


def optimization_report(res: OptimizationResult, check: CrossCheck | None = None, top: int = 10) -> Group:
    """Decisions (stations, regulators, supplies, deliveries), costs and the binding constraints."""
    cn = res.network
    parts: list[Any] = [
        Text(
            f"{cn.name} | scenario {cn.scenario} | {res.kind}: {res.description}\n"
            f"{res.message} ({res.status}), objective {res.objective:,.4g} {res.objective_unit} | "
            + (
                f"{res.iterations} branch-and-bound nodes in {res.outer_iterations} MILP rounds"
                if res.formulation.startswith("milp") and "polished" not in res.formulation
                else f"{res.iterations} IPOPT iterations in {res.outer_iterations} coefficient rounds"
            )
            + f", {res.solve_time_s:.2f} s",
            style="bold",
        )
    ]
    if len(cn.comp_edge):
        t = compact_table("Compressor stations (decisions)", "station", [
            ("decision", "text"), ("suction\nbarg", "num"), ("discharge\nbarg", "num"), ("ratio", "num"),
            ("flow\nMMSCFD", "num"), ("power\nMW", "num"), ("max\nMW", "num"), ("fuel\nMMSCFD", "num")])  # fmt: skip
        for c in res.compressor_settings():
            t.add_row(
                c["id"], c["decision"], _f(c["suction_barg"]), _f(c["discharge_barg"]), _f(c["ratio"], 3),
                _f(c["flow_mmscfd"], 0), _f(c["power_mw"]), _f(c["power_max_mw"]), _f(c["fuel_mmscfd"], 2),
            )  # fmt: skip
        parts.append(t)
    if len(cn.reg_edge):
        t = compact_table("Control valves / regulators (decisions)", "regulator", [
            ("decision", "text"), ("inlet\nbarg", "num"), ("outlet\nbarg", "num"),
            ("flow\nMMSCFD", "num")])  # fmt: skip
        for r in res.regulator_settings():
            t.add_row(r["id"], r["decision"], _f(r["inlet_barg"]), _f(r["outlet_barg"]), _f(r["flow_mmscfd"], 0))
        parts.append(t)
    d = res.to_dict()
    t = compact_table("Supplies", "source", [("supply\nMMSCFD", "num"), ("capacity\nMMSCFD", "num"),
                                             ("p\nbarg", "num")])  # fmt: skip
    for s in d["sources"]:
        cap = s["capacity_mmscfd"]
        t.add_row(s["id"], _f(s["supply_mmscfd"], 0), "-" if cap is None else _f(cap, 0), _f(s["p_barg"]))
    parts.append(t)
    t = compact_table("Deliveries", "sink", [("category", "id"), ("delivered\nMMSCFD", "num"),
                                            ("shed\nMMSCFD", "num"), ("p\nbarg", "num")])  # fmt: skip
    for s in d["sinks"]:
        t.add_row(s["id"], s["category"], _f(s["delivered_mmscfd"], 0), _f(max(s["shed_mmscfd"], 0.0), 0),
                  _f(s["p_barg"]))  # fmt: skip
    parts.append(t)
    if res.costs:
        parts.append(Text("Costs: " + "; ".join(f"{k} {v:,.0f} USD/day" for k, v in res.costs.items())))
    if res.binding:
        basis = " at the assumed penalties" if res.kind == "shed" else ""
        t = compact_table(
            f"Binding constraints (largest {min(top, len(res.binding))} of {len(res.binding)}); value of loosening "
            f"in {res.objective_unit} per unit of the limit{basis}",
            "constraint", [("value", "num"), ("unit", "id")])  # fmt: skip
        per_mmscfd = cn.gas.basis.kg_s_to_mmscfd(1.0)
        flagged = 0
        for b in res.binding[:top]:
            f = 1.0 / per_mmscfd if b.unit == "kg/s" else 1.0
            unit = "MMSCFD" if b.unit == "kg/s" else b.unit
            mark = " *" if b.penalty_driven else ""
            flagged += bool(mark)
            value = b.marginal * f if abs(b.marginal) > 1e-9 * max(abs(b.multiplier), 1e-300) else 0.0
            t.add_row(b.label, f"{value:.4g}{mark}", unit)
        parts.append(t)
        if flagged:
            parts.append(Text(
                "* the solver's multiplier on this limit is a modelling weight (a source's penalty for falling short "
                "of its nomination, or a tie-break), not a price: the value shown is the change of the reported "
                "objective as the limit moves (KKT sensitivity)", style="dim"))  # fmt: skip
    if check is not None:
        parts.append(
            Text(
                (
                    "Steady-state solver with the MILP's settings (the difference is the piecewise-linear error): "
                    if res.formulation.startswith("milp (") and "polished" not in res.formulation
                    else "Verified by the steady-state solver with these settings: "
                )
                + f"max relative difference "
                f"{check.max_rel_pressure:.1e} in pressure ({check.worst_node}), {check.max_rel_flow:.1e} in flow "
                f"({check.worst_edge}), {check.max_rel_supply:.1e} in supply; {len(check.steady.violations)} limit "
                "violation(s)"
            )
        )
        if check.note:
            parts.append(Text(f"note: {check.note}", style="dim"))
    if res.bound_violations:
        parts.append(Text(f"Limits that cannot be met ({len(res.bound_violations)}):", style="bold red"))
        parts.extend(Text(f"  - {v}") for v in res.bound_violations[:top])
    for n in res.notes:
        if n.startswith("WARNING"):
            parts.append(Text(n, style="bold red"))
        else:
            parts.append(Text(f"note: {n}", style="dim"))
    return Group(*parts)


def expansion_report(res: ExpansionResult, top: int = 12) -> Group:
    e = res.economics
    head = Text(
        f"Expansion: {len(res.evaluated)} options evaluated, {len(res.skipped)} ruled out by the capital bound, "
        f"{res.solve_time_s:.1f} s | CRF {e.capital_recovery_factor:.4f} ({e.discount_rate:.0%}, "
        f"{e.lifetime_years} y) + O&M {e.om_fraction_per_year:.0%}/y, fuel {e.fuel_usd_per_mmbtu:g} USD/MMBtu",
        style="bold",
    )
    t = compact_table(f"Options by annual cost (best {min(top, len(res.evaluated))})", "option", [
        ("capital\nM USD", "num"), ("compression\nMW", "num"), ("fuel\nM USD/y", "num"),
        ("annual\nM USD/y", "num"), ("tariff\nUSD/MMBtu", "num"), ("status", "text")])  # fmt: skip
    for ev in res.evaluated[:top]:
        status = "feasible" if ev.feasible else ev.reason.split(":")[0]
        t.add_row(
            ev.option.id, _f(ev.capital_usd / 1e6), _f(ev.compression_mw), _f(ev.fuel_usd_per_year / 1e6),
            _f(ev.annual_usd / 1e6), _f(ev.tariff_usd_per_mmbtu, 3), status,
        )  # fmt: skip
    parts: list[Any] = [head, t]
    if any(ev.feasible for ev in res.evaluated):
        b = res.best
        parts.append(
            Text(
                f"Cheapest: {b.option.id}: capital {b.capital_usd / 1e9:.3f} bn USD, {b.compression_mw:.1f} MW of "
                f"compression, annual cost {b.annual_usd / 1e6:.1f} M USD (fuel {b.fuel_usd_per_year / 1e6:.1f} M), "
                f"levelised tariff {b.tariff_usd_per_mmbtu:.3f} USD/MMBtu",
                style="bold green",
            )
        )
    else:
        parts.append(Text("No option meets the demand.", style="bold red"))
    assumed = [n for n, tag, _ in e.tags if tag == "A"]
    if assumed:
        parts.append(Text(f"assumed cost parameters (tag A): {', '.join(assumed)}", style="dim"))
    for n in res.notes:
        parts.append(Text(f"note: {n}", style="dim"))
    return Group(*parts)


def print_report(obj: OptimizationResult | ExpansionResult, console: Console, check: CrossCheck | None = None) -> None:
    if isinstance(obj, ExpansionResult):
        console.print(expansion_report(obj))
    else:
        console.print(optimization_report(obj, check))
