"""Transient solver speed: the PSGP winter day (the goal: 24 h, 60 s steps, segments <= 1 km, under 2 s on
one core) and how the time per step scales with the number of segments.

    python benchmarks/transient.py            # goal rows + scaling rows (a few minutes)
    python benchmarks/transient.py --quick    # scaling rows over 2 h only
    python benchmarks/transient.py --profile 4  # where a step's time goes: cProfile of 4 h of the goal row

The default PSGP network mixes its sources' gases (issue 12) and runs its stations through their units' maps
(issue 21); the "one gas" rows are the same network with ``mixing: off`` (no gas tracking).

Prints one table: network, residual kernel (numba-compiled or numpy), segment length, segments, unknowns,
steps, wall and CPU time, CPU time per step, Newton iterations per step. The start (steady solve, the
discretised steady state) is in the totals; ``ms/step`` (CPU) excludes it. The goal rows run the numpy and
the compiled kernels alternately (``--rounds``), so that a change of the machine's load hits both; the
kernel's one-off compilation is cached on disk by numba and done before the clock starts.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import linepack as lp
from linepack.transient import TransientOptions, solve_transient, winter_day_profile


@dataclass
class Row:
    name: str
    kernel: str
    seg_km: float
    segments: int
    unknowns: int
    steps: int
    wall_s: float
    cpu_s: float
    per_step_ms: float
    iters: float


def run(name: str, net: lp.Network, seg_km: float, hours: float, dt: float, kernel: str = "auto", **kw: bool) -> Row:
    os.environ["LINEPACK_KERNEL"] = kernel
    opts = TransientOptions(
        horizon_s=hours * 3600.0, dt_s=dt, segment_length_m=seg_km * 1e3, output_interval_s=3600.0, **kw
    )
    marks: list[float] = []

    def progress(t: float, total: float) -> None:
        if not marks:
            marks.append(time.process_time())

    c0, w0 = time.process_time(), time.perf_counter()
    res = solve_transient(net, profile=winter_day_profile(hours), options=opts, progress=progress)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    steps = res.n_steps
    loop = time.process_time() - marks[0] if marks else cpu
    per_step = loop / max(steps - 1, 1) * 1e3
    unknowns = res.seg.n_points + res.seg.cn.n_edges
    return Row(
        name,
        "numba" if kernel == "auto" else "numpy",
        seg_km,
        res.seg.n_segments,
        unknowns,
        steps,
        wall,
        cpu,
        per_step,
        float(np.mean(res.newton_iterations[1:])),
    )


def one_gas_network(net: lp.Network) -> lp.Network:
    """``net`` with its sources' gases not mixed (``mixing: off``: the network gas everywhere, no tracking)."""
    from linepack.model.network import Settings

    one = net.copy()
    one.settings = Settings(**{**one.settings.model_dump(), "mixing": "off"})
    return one


# the parts of a step (file, function; cumulative time over all callers, so parts overlap where one calls another)
PROFILE_PARTS = (
    ("residual evaluations (Newton)", "transient/equations.py", "residual"),
    ("  segment laws (residuals and Jacobians)", "transient/equations.py", "resistive"),
    ("compressor power, all callers (residuals, rules, recording)", "solvers/equations.py", "compressor_power"),
    ("Jacobians", "transient/equations.py", "_jacobian"),
    ("linear solves (KLU, chord steps reuse the factorisation)", "solvers/backends.py", "solve"),
    ("control rules after each step (ActiveSet.update)", "solvers/active_set.py", "update"),
    ("  configuration choice", "solvers/station_bounds.py", "chosen_configs"),
    ("control state and boundary of the step", "transient/step.py", "controls"),
    ("friction update (Colebrook per step)", "transient/equations.py", "freeze_friction"),
    ("gas tracking and property update", "transient/gas.py", "advance"),
    ("recording", "transient/record.py", "record"),
    ("the station model, all callers (evaluate)", "stations/station.py", "evaluate"),
    ("  its compiled part (eval_kernel)", "stations/eval_kernel.py", "_station_py"),
)


def profile(hours: float) -> None:
    """cProfile of the PSGP goal row (1 km, 60 s steps, kernels) over ``hours``: each part's share of the steps."""
    import cProfile
    import pstats

    psgp = lp.load_default_network()
    run("warm-up", psgp, 20.0, 0.1, 60.0)
    opts = TransientOptions(horizon_s=hours * 3600.0, dt_s=60.0, segment_length_m=1e3, output_interval_s=3600.0)
    pr = cProfile.Profile()
    pr.enable()
    solve_transient(psgp, profile=winter_day_profile(hours), options=opts)
    pr.disable()
    stats = pstats.Stats(pr).stats  # type: ignore[attr-defined]

    def cumulative(path: str, name: str) -> float:
        return sum(v[3] for k, v in stats.items() if k[0].replace("\\", "/").endswith(path) and k[2] == name)

    steps = cumulative("transient/solve.py", "solve_transient") - cumulative("transient/solve.py", "_setup")
    print(f"cProfile of PSGP psgp_base over {hours:g} h (1 km, 60 s, kernels): {steps:.2f} s in the steps under the "
          f"profiler (load average {os.getloadavg()[0]:.1f})")  # fmt: skip
    for label, path, name in PROFILE_PARTS:
        t = cumulative(path, name)
        print(f"{label:60s} {t:7.2f} s {100.0 * t / steps:5.1f} %")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="scaling rows over 2 h only, no 24-h goal row")
    ap.add_argument("--no-reuse", action="store_true", help="a fresh factorisation every step (no chord Newton)")
    ap.add_argument("--no-lag", action="store_true", help="friction factor implicit (not lagged one step)")
    ap.add_argument("--rounds", type=int, default=2, help="alternating numpy/compiled runs of the 24-h goal row")
    ap.add_argument("--profile", type=float, metavar="HOURS", help="only a cProfile of the goal row over HOURS")
    args = ap.parse_args()
    if args.profile:
        profile(args.profile)
        return
    kw = {"reuse_factorization": not args.no_reuse, "lag_friction": not args.no_lag}
    from tests.conftest import every_component_network

    psgp = lp.load_default_network()
    rows = []
    small = every_component_network()
    for seg_km in (10.0, 1.0):
        rows.append(run("every-component", small, seg_km, 2.0, 60.0, **kw))
    for seg_km in (20.0, 10.0, 5.0, 2.0, 1.0):
        rows.append(run("PSGP psgp_base", psgp, seg_km, 2.0, 60.0, **kw))
    if not args.quick:
        run("warm-up (kernel compilation, cached on disk)", psgp, 20.0, 0.1, 60.0)
        one_gas = one_gas_network(psgp)
        for r in range(args.rounds):
            for kernel in ("numpy", "auto") if r % 2 == 0 else ("auto", "numpy"):
                rows.append(run("PSGP psgp_base 24 h (goal)", psgp, 1.0, 24.0, 60.0, kernel, **kw))
            rows.append(run("PSGP 24 h, one gas", one_gas, 1.0, 24.0, 60.0, "auto", **kw))
    head = (
        f"{'network':28s} {'kernel':>6s} {'seg km':>6s} {'segments':>8s} {'unknowns':>8s} {'steps':>6s} "
        f"{'wall s':>8s} {'CPU s':>8s} {'ms/step':>8s} {'Newton/step':>11s}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r.name:28s} {r.kernel:>6s} {r.seg_km:6.1f} {r.segments:8d} {r.unknowns:8d} {r.steps:6d} {r.wall_s:8.2f} "
            f"{r.cpu_s:8.2f} {r.per_step_ms:8.2f} {r.iters:11.2f}"
        )
    mixed = [r.cpu_s for r in rows if r.name.endswith("(goal)") and r.kernel == "numba"]
    single = [r.cpu_s for r in rows if r.name.endswith("one gas")]
    if mixed and single:
        ratio = float(np.median(mixed) / np.median(single))
        print(f"gases mixed and tracked / one gas (numba, medians): {ratio:.2f} (issue 12's goal: at most 1.3)")
    print(f"options: {kw}; goal: PSGP 24 h, 60 s, 1 km in under 2 s CPU; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
