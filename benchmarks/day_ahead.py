"""Day-ahead optimisation speed (issue 15): the PSGP winter day and GasLib-40 over 24 h.

Run: python benchmarks/day_ahead.py [--segment-km 40] [--step-min 30] [--period-h 1] [--start steady|periodic]
     [--skip-psgp] [--skip-gaslib] [--fine-check]
Prints one row per case: segments, steps, NLP size, outcome, IPOPT solves and iterations, CPU time of the
whole run (grid, default day, NLP, replay) against the goal as a ratio, and the replay agreement.
--fine-check runs each optimised schedule on the simulator's 1 km / 60 s grid (optimize.day.finecheck) and prints the
error of the optimiser's grid: largest node pressure difference, delivery margins of both grids, linepack.
Goals: PSGP winter day with 1 h periods under 60 s; GasLib-40 over 24 h under 10 s (2-core machine).
CPU time (time.process_time); on a shared machine it is still noisy.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import linepack as lp
from linepack.optimize.day.finecheck import fine_check
from linepack.optimize.day.run import optimize_day
from linepack.optimize.day.spec import DaySpec, StartMode
from linepack.transient import winter_day_profile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "gaslib"))


def _gaslib40() -> Any:
    from gaslib_cases import INSTANCES, gaslib_dir, paths

    from linepack.io.gaslib import read_gaslib

    if gaslib_dir() is None:
        return None
    net, scn, _, cs = paths(INSTANCES["40"])
    return read_gaslib(net, scn, None, cs, fixed_loss="resistor").network


def _row(name: str, cn: Any, spec: DaySpec, goal_s: float, fine: bool = False) -> None:
    if cn is None:
        print(f"{name:28s} (data not found)")
        return
    t0 = time.process_time()
    res = optimize_day(cn, profile=winter_day_profile(spec.horizon_s / 3600.0), spec=spec)
    cpu = time.process_time() - t0
    lay = res.prob.grid.seg
    outcome = ("feasible" if res.feasible else "infeasible") + f" ({res.raw.status})"
    agree = f"{res.replay.worst:.1e}" if res.replay is not None else "-"
    print(
        f"{name:28s} {lay.n_segments:6d} {spec.n_steps:5d} {outcome:34s} {res.log.rounds:3d} "
        f"{res.log.ipopt_iterations:5d} {cpu:8.1f} {goal_s:6.0f} {cpu / goal_s:6.2f} {agree:>8s}"
    )
    if fine and res.feasible:
        fc = fine_check(res)
        print(
            f"{'':28s} on 1 km / 60 s: node pressures within {fc.max_dp_bar:.2f} bar ({fc.max_dp_at}; deliveries "
            f"{fc.max_dp_delivery_bar:.2f} bar); lowest delivery margin {fc.margin_fine_bar:.2f} bar (optimiser "
            f"{fc.margin_opt_bar:.2f}); above a node limit by {fc.over_limit_bar:.2f} bar; linepack within "
            f"{fc.linepack_diff_pct:.2f} %; {fc.cpu_s:.1f} s CPU"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--segment-km", type=float, default=40.0)
    ap.add_argument("--step-min", type=float, default=30.0)
    ap.add_argument("--period-h", type=float, default=1.0)
    ap.add_argument("--start", default="steady", choices=[m.value for m in StartMode])
    ap.add_argument("--skip-psgp", action="store_true")
    ap.add_argument("--skip-gaslib", action="store_true")
    ap.add_argument("--fine-check", action="store_true")
    a = ap.parse_args()
    spec = DaySpec(
        segment_length_m=a.segment_km * 1e3,
        step_s=a.step_min * 60.0,
        period_s=a.period_h * 3600.0,
        start=StartMode(a.start),
    )
    print(f"{'case':28s} {'segs':>6s} {'steps':>5s} {'outcome':34s} {'nlp':>3s} {'iters':>5s} {'CPU s':>8s} "
          f"{'goal':>6s} {'ratio':>6s} {'replay':>8s}")  # fmt: skip
    if not a.skip_gaslib:
        _row("GasLib-40, 24 h", _gaslib40(), spec, 10.0, a.fine_check)
    if not a.skip_psgp:
        _row("PSGP winter day", lp.load_default_network(), spec, 60.0, a.fine_check)


if __name__ == "__main__":
    main()
