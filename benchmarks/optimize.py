"""Optimisation speed: optimal gas flow on PSGP and GasLib, and the PSGP expansion study.

Run: python benchmarks/optimize.py [--skip-expansion] [--skip-large]
Prints one row per case: size, outcome, objective, IPOPT iterations, fixed-point rounds, wall time and the
Newton cross-check (max relative difference of pressures and flows). Goals (issue 7): minimum-fuel OGF
on GasLib-582 under 10 s; the PSGP expansion study under 60 s. Timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import linepack as lp
from linepack.compile import compile_network
from linepack.errors import LinepackError
from linepack.optimize import capacity, min_fuel, newton_check, nomination, solve_problem

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "gaslib"))


def _gaslib(key: str) -> Any:
    from gaslib_cases import INSTANCES, gaslib_dir, paths

    from linepack.io.gaslib import read_gaslib

    if gaslib_dir() is None:
        return None
    net, scn, _, cs = paths(INSTANCES[key])
    return compile_network(read_gaslib(net, scn, None, cs, fixed_loss="resistor", zone_references=False).network)


def _row(name: str, cn: Any, make: Callable[[Any], Any]) -> None:
    if cn is None:
        print(f"{name:34s} (data not found)")
        return
    t0 = time.perf_counter()
    try:
        res = solve_problem(cn, make(cn))
    except LinepackError as exc:
        head = str(exc).splitlines()[0]
        print(f"{name:34s} {cn.n_nodes:6d} {'no solution':>12s} {'':>14s} {'':>6s} {'':>6s} "
              f"{time.perf_counter() - t0:8.2f}  {head[:70]}")  # fmt: skip
        return
    dt = time.perf_counter() - t0
    chk = newton_check(cn, res.p_pa, res.q_kg_s, res.supply_kg_s, res.delivered_kg_s)
    print(
        f"{name:34s} {cn.n_nodes:6d} {'optimal':>12s} {res.objective:10.4g} {res.objective_unit:>4s}"
        f"{res.iterations:6d} {res.outer_iterations:6d} {dt:8.2f}  "
        f"p {chk.max_rel_pressure:.1e} q {chk.max_rel_flow:.1e}"
    )


def _milp_rows(psgp: Any, expansion: bool) -> None:
    """The piecewise-linear MILP (HiGHS): PSGP capacity and fuel by breakpoints (MILP objective against the exact
    NLP's, and the Newton re-solve of the MILP's settings), and the PSGP expansion study as one MILP against
    the enumeration."""
    from linepack.optimize.formulations.milp import MilpOptions
    from linepack.optimize.solve_milp import milp_newton_check, solve_problem_milp

    cases = [
        ("PSGP capacity Kasur+Lahore", lambda cn: capacity(cn, ["KASUR.demand", "LAHORE.demand"])),
        ("PSGP min fuel", min_fuel),
    ]
    print(f"{'MILP case':34s} {'breakpts':>8s} {'MILP obj':>10s} {'NLP obj':>10s} {'obj diff':>9s} {'B&B nodes':>9s} "
          f"{'time s':>8s}  Newton re-solve of the MILP's settings")  # fmt: skip
    for name, make in cases:
        prob = make(psgp)
        exact = solve_problem(psgp, prob)
        for nb in (9, 17):  # 33 breakpoints on this network: over 5 min on the shared 2-core machine
            t0 = time.perf_counter()
            try:
                res = solve_problem_milp(psgp, prob, MilpOptions(breakpoints=nb))
            except LinepackError as exc:
                print(f"{name:34s} {nb:8d} {str(exc).splitlines()[0][:80]}")
                continue
            dt = time.perf_counter() - t0
            chk = milp_newton_check(res)
            diff = abs(res.objective / exact.objective - 1.0) if exact.objective else float("nan")
            print(
                f"{name:34s} {nb:8d} {res.objective:10.4g} {exact.objective:10.4g} {diff:9.2%} {res.iterations:9d} "
                f"{dt:8.2f}  p {chk.max_rel_pressure:.1e} q {chk.max_rel_flow:.1e}"
            )
    if not expansion:
        return
    from linepack.optimize.corridor import study_options, study_superstructure
    from linepack.optimize.economics import Economics
    from linepack.optimize.expansion import plan
    from linepack.optimize.expansion_milp import plan_milp

    econ = Economics.default()
    for flow in (1200.0, 1600.0):
        t0 = time.perf_counter()
        enum = plan(study_options(flow, econ=econ), econ, flow)
        t_enum = time.perf_counter() - t0
        for nb in (9, 17, 33):
            t0 = time.perf_counter()
            cn, switches = study_superstructure(flow, econ=econ)
            res = plan_milp(cn, switches, ["diameter"], study_options(flow, econ=econ), econ, flow, (), True,
                            MilpOptions(breakpoints=nb))  # fmt: skip
            dt = time.perf_counter() - t0
            note = next(n for n in res.notes if n.startswith("MILP: chose"))
            same = "same" if res.best.option.id == enum.best.option.id else f"DIFFERENT from {enum.best.option.id}"
            print(
                f"PSGP expansion {flow:.0f} MMSCFD, MILP {nb} breakpoints: {res.best.option.id} ({same} as the "
                f"enumeration), exact {res.best.annual_usd / 1e6:.1f} M USD/y; MILP + NLP check {dt:.1f} s against "
                f"enumeration {t_enum:.1f} s | {note.split('; ', 1)[1] if '; ' in note else note}"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--skip-expansion", action="store_true")
    ap.add_argument("--skip-large", action="store_true", help="skip GasLib-582 and -4197")
    ap.add_argument("--skip-nlp", action="store_true", help="only the MILP rows")
    args = ap.parse_args()
    print(f"{'case':34s} {'nodes':>6s} {'outcome':>12s} {'objective':>14s} {'iters':>6s} {'rounds':>6s} "
          f"{'time s':>8s}  Newton check")  # fmt: skip
    psgp = compile_network(lp.load_default_network())
    _milp_rows(psgp, not args.skip_expansion)
    if args.skip_nlp:
        return
    _row("PSGP psgp_base min fuel", psgp, min_fuel)
    _row("PSGP psgp_base capacity Kasur+Lahore", psgp, lambda cn: capacity(cn, ["KASUR.demand", "LAHORE.demand"]))
    _row("GasLib-40 min fuel", _gaslib("40"), min_fuel)
    _row("GasLib-135 min fuel", _gaslib("135"), min_fuel)
    _row("GasLib-135 nomination", _gaslib("135"), nomination)
    if not args.skip_large:
        _row("GasLib-582 cold_5 min fuel", _gaslib("582-cold"), min_fuel)
        _row("GasLib-582 cool_2866 min fuel", _gaslib("582-cool"), min_fuel)
    if not args.skip_expansion:
        from linepack.optimize.corridor import study_options
        from linepack.optimize.economics import Economics
        from linepack.optimize.expansion import plan

        for flow in (1200.0, 1600.0):
            t0 = time.perf_counter()
            res = plan(study_options(flow), Economics.default(), flow)
            dt = time.perf_counter() - t0
            b = res.best
            print(
                f"PSGP expansion study {flow:.0f} MMSCFD: {len(res.evaluated)} options solved, {len(res.skipped)} "
                f"bounded out, {dt:.1f} s; cheapest {b.option.id}, {b.annual_usd / 1e6:.1f} M USD/y, "
                f"tariff {b.tariff_usd_per_mmbtu:.3f} USD/MMBtu"
            )


if __name__ == "__main__":
    main()
