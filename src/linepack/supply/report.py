"""Console summaries of supply runs, plans, Monte Carlo studies, delay sensitivity and LPG runs (rich)."""

from __future__ import annotations

import math
import textwrap
from typing import Any

import numpy as np
from rich.console import Console

from ..console_tables import CompactTable, compact_table
from .lpg import LpgResult
from .montecarlo import McResult
from .plan import MonthlyPlan
from .results import SupplyResult

# columns that hold names or times (kept whole, left-aligned); every other column holds numbers
_NAME_COLUMNS = frozenset({"terminal", "class", "at", "arrival", "berthed", "unload end", "first short", "status",
                           "who loses most (MMSCF)"})  # fmt: skip


def _table(title: str, columns: list[str]) -> CompactTable:
    """A table whose first column (the ids) and name/time columns are kept whole; numbers right-aligned.

    Headers of several words are stacked on lines of at most 10 characters so the numbers set the widths.
    """
    return compact_table(title, columns[0], [
        ("\n".join(textwrap.wrap(c, 10, break_long_words=False)), "text" if c.startswith("who") else
         "id" if c in _NAME_COLUMNS else "num") for c in columns[1:]])  # fmt: skip


def _f(x: Any, nd: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if isinstance(x, float):
        return f"{x:,.{nd}f}"
    return str(x)


def print_supply(res: SupplyResult, out: Console, cargoes: bool = False) -> None:
    """Run facts, terminals (inventory balance, days of cover), stores, deliveries short, events."""
    days = float(res.edges_s[-1]) / 86400.0
    step_h = float(np.median(res.dt_s)) / 3600.0
    out.print(
        f"[bold]{res.chain_name}[/] on [bold]{res.network_name}[/], scenario [bold]{res.scenario}[/]: "
        f"{days:g} days from {res.start:%Y-%m-%d %H:%M} in {res.n_steps} steps of {step_h:g} h, network "
        f"{res.network_mode} with one gas (settings.mixing off), dispatch {res.dispatch}"
    )
    out.print(
        f"CPU {res.cpu_s:.2f} s ({res.solves} network solves); inventory balance error "
        f"{float(np.max(res.balance_error(), initial=0.0)):.1e}, grid balance error {res.grid_balance_error():.1e}"
    )
    failed = [k for k, st in enumerate(res.status) if st == "failed"]
    if failed:
        out.print(f"[yellow]{len(failed)} steps without a network solution (first at "
                  f"{res.time_at(res.edges_s[failed[0]]):%Y-%m-%d %H:%M}); their demand is counted as unserved[/]")
    t = _table("LNG terminals, m3 of LNG: unloaded = sent out + boil-off lost + end - start",
               ["terminal", "cargoes", "unloaded", "sent out", "boil-off lost", "start", "end"])
    rows = res.terminal_table()
    for r in rows:
        t.add_row(r["terminal"], str(r["cargoes_unloaded"]), _f(r["unloaded_m3"]), _f(r["sent_out_m3"]),
                  _f(r["boil_off_lost_m3"]), _f(r["start_m3"]), _f(r["end_m3"]))
    out.print(t)
    t = _table("LNG terminals: send-out and days of cover (at the nominal send-out)",
               ["terminal", "mean MMSCFD", "min days of cover", "at", "steps at heel", "carrier wait h"])
    for r in rows:
        t.add_row(r["terminal"], _f(r["mean_send_out_mmscfd"]), _f(r["min_days_of_cover"], 2), r["min_cover_at"],
                  str(r["steps_at_heel"]), _f(r["carrier_wait_h"], 1))
    out.print(t)
    if res.stores:
        t = _table("Stores (MMSCF of working gas)", ["store", "start", "injected", "withdrawn", "end", "min fill"])
        for r in res.store_table():
            t.add_row(r["store"], _f(r["start_mmscf"]), _f(r["injected_mmscf"]), _f(r["withdrawn_mmscf"]),
                      _f(r["end_mmscf"]), f"{r['min_fill']:.0%}")
        out.print(t)
    lp = res.linepack_kg
    if np.any(np.isfinite(lp)):
        basis = "in each step's balance" if res.network_mode == "transient" else "steady states, not in the balance"
        out.print(f"linepack {np.nanmin(lp) / 1e3:,.0f} to {np.nanmax(lp) / 1e3:,.0f} t ({basis}); compressor fuel "
                  f"{res.gas_mmscf(float(np.sum(res.fuel_kg_s * res.dt_s))):,.0f} MMSCF")
    t = _table("Deliveries by priority (curtailed first at the top; MMSCF and GWh of the network gas)",
               ["class", "demand MMSCF", "unserved MMSCF", "unserved GWh", "share"])
    for r in res.category_table():
        t.add_row(r["category"], _f(r["demand_mmscf"]), _f(r["unserved_mmscf"], 1), _f(r["unserved_gwh"], 1),
                  f"{r['unserved_share']:.2%}")
    out.print(t)
    short = [r for r in res.delivery_table() if r["unserved_mmscf"] > 0 or r["steps_below_min_pressure"] > 0]
    if short:
        t = _table("Deliveries short of gas or pressure", ["delivery", "class", "unserved MMSCF", "share",
                                                           "steps short", "first short", "steps below p_min"])
        for r in sorted(short, key=lambda r: -r["unserved_mmscf"]):
            t.add_row(r["delivery"], r["category"], _f(r["unserved_mmscf"], 1), f"{r['unserved_share']:.1%}",
                      str(r["steps_short"]), r["first_short"], str(r["steps_below_min_pressure"]))
        out.print(t)
    else:
        out.print("[green]every delivery served in full[/]")
    if cargoes:
        t = _table("Cargoes", ["vessel", "terminal", "arrival", "delay h", "berthed", "unload end", "wait h",
                               "unloaded m3", "status"])
        for r in res.cargo_table():
            t.add_row(r["vessel"], r["terminal"], r["arrival"], _f(r["delay_h"], 1), r["berthed"], r["unload_end"],
                      _f(r["wait_h"], 1), _f(r["unloaded_m3"]), r["status"])
        out.print(t)
    for when, text in res.events()[:40]:
        out.print(f"  {when}  {text}")


def print_plan(plan: MonthlyPlan, out: Console) -> None:
    state = "[green]verified[/]" if plan.verified else "[yellow]NOT verified[/]"
    mismatch = plan.unserved_mismatch_days
    extra = f"; the replay is short where the plan is not on {', '.join(mismatch)}" if mismatch else ""
    out.print(
        f"plan of {plan.days} days from {plan.start:%Y-%m-%d}: HiGHS {plan.status}, {plan.rounds} round(s), "
        f"{plan.cuts} network cut(s); replay {state} (largest inventory gap {plan.max_inventory_gap:.2%} of a "
        f"tank{extra}); CPU {plan.solve_s:.1f} s"
    )
    out.print(f"unserved gas in the plan valued at {plan.unserved_usd / 1e6:,.2f} M USD; cost of gas sent out "
              f"{plan.gas_cost_usd / 1e6:,.2f} M USD")
    for n in plan.notes:
        out.print(f"  {n}")
    rep = plan.replay
    t = _table("Planned send-out (MMSCFD) and end-of-day inventory (m3), with the replay's inventory",
               ["day", *[f"{tid} MMSCFD" for tid in plan.terminal_ids], *[f"{tid} m3" for tid in plan.terminal_ids],
                "replay gap", "unserved MMSCF"])
    for d in range(plan.days):
        sends = [_f(float(rep.lng_mmscf(plan.send_out_kg_s[d, i] * 86400.0, i))) for i in range(len(plan.terminal_ids))]
        inv = [_f(float(rep.m3(plan.inventory_kg[d, i], i))) for i in range(len(plan.terminal_ids))]
        cap = np.array([rep.capacity_kg[d, i] for i in range(len(plan.terminal_ids))])
        gap = float(np.max(np.abs(rep.inventory_kg[d] - plan.inventory_kg[d]) / cap))
        uns = float(rep.gas_mmscf(plan.unserved_kg_s[d].sum() * 86400.0))
        t.add_row(plan.day(d), *sends, *inv, f"{gap:.2%}", _f(uns, 1))
    out.print(t)


def print_montecarlo(mc: McResult, out: Console, top: int = 12) -> None:
    out.print(f"Monte Carlo: {mc.draws} draws of {mc.days:g} days from {mc.start:%Y-%m-%d} (seed {mc.seed}), network "
              f"{mc.network_mode}; CPU {mc.cpu_s:.1f} s (all processes), wall {mc.wall_s:.1f} s")
    base = mc.results["base"]
    out.print(f"cargoes late per draw: mean {np.mean(base.late):.2f}; cancelled: mean {np.mean(base.cancelled):.2f}")
    for name, draws in mc.results.items():
        if np.any(draws.failed_steps):
            out.print(f"[yellow]{name}: {int(np.sum(draws.failed_steps))} steps in "
                      f"{int(np.count_nonzero(draws.failed_steps))} draws without a network solution; their demand "
                      "is counted as unserved[/]")
    for name in mc.results:
        t = _table(f"Shortfalls per delivery ({name})", ["delivery", "class", "P(short)", "mean MMSCF", "P95 MMSCF",
                                                         "mean if short", "mean GWh", "mean steps short"])
        for r in mc.city_table(name)[:top]:
            t.add_row(r["delivery"], r["category"], f"{r['p_shortfall']:.1%}", _f(r["mean_unserved_mmscf"], 1),
                      _f(r["p95_unserved_mmscf"], 1), _f(r["mean_if_short_mmscf"], 1), _f(r["mean_unserved_gwh"], 1),
                      _f(r["mean_short_steps"], 2))
        out.print(t)
    t = _table("Variants against the base (same draws)", ["variant", "P(any short)", "mean GWh", "P95 GWh",
                                                          "saved GWh/month", "saved M USD/month", "cost M USD/month"])
    for r in mc.variant_table():
        t.add_row(r["variant"], f"{r['p_any_shortfall']:.1%}", _f(r["mean_unserved_gwh"], 1),
                  _f(r["p95_unserved_gwh"], 1), _f(r["saved_gwh_per_month"], 1), _f(r["saved_musd_per_month"], 2),
                  _f(r["cost_musd_per_month"], 2))
    out.print(t)


def print_delays(rows: list[dict[str, Any]], delay_days: float, out: Console) -> None:
    t = _table(f"Each cargo late by {delay_days:g} days alone: unserved gas it causes",
               ["vessel", "terminal", "arrival", "unserved MMSCF", "GWh", "first short", "who loses most (MMSCF)"])
    for r in rows:
        t.add_row(r["vessel"], r["terminal"], r["arrival"], _f(r["unserved_mmscf"], 1), _f(r["unserved_gwh"], 1),
                  r["first_short"], r["hurt"])
    out.print(t)


def print_lpg(res: LpgResult, out: Console) -> None:
    s = res.summary()
    out.print(f"[bold]{res.spec.name or res.spec.id}[/]: {s['days']:g} days from {res.start:%Y-%m-%d}; balance error "
              f"{res.balance_error():.1e}")
    t = _table("LPG terminal, tonnes: discharged = dispatched + end - start",
               ["parcels", "discharged", "dispatched", "start", "end", "offtake asked", "unmet"])
    t.add_row(str(s["parcels_discharged"]), _f(s["discharged_t"]), _f(s["dispatched_t"]), _f(s["start_t"]),
              _f(s["end_t"]), _f(s["offtake_t"]), _f(s["unmet_t"]))
    out.print(t)
    t = _table("LPG terminal: cover and shortfalls", ["min days of cover", "at", "stock-out days",
                                                      "loading-short days", "parcel wait h"])
    t.add_row(_f(s["min_days_of_cover"], 1), s["min_cover_at"], _f(s["stock_out_days"], 1),
              _f(s["loading_short_days"], 1), _f(s["parcel_wait_h"], 1))
    out.print(t)
    for when, text in res.events():
        out.print(f"  {when}  {text}")
