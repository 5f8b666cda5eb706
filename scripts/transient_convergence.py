"""Convergence study of the transient solver against the GasTranSim.jl references (docs/transient.md).

    LINEPACK_SHARED=../shared python scripts/transient_convergence.py

Prints markdown tables: the error against each reference as the time step and the segment length shrink.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "transient"))

import gastransim_cases as gc  # noqa: E402
import numpy as np  # noqa: E402
from test_transient_gastransim import eight_node_errors, one_pipe_fast_errors, yamal_outlet_error  # noqa: E402

from linepack.transient import TransientOptions, solve_transient  # noqa: E402


def yamal_space_study(shared: Path, dt: float = 600.0) -> None:
    """Spatial error alone: the Yamal outlet pressure at a fixed step against a 125 m grid of the same step."""
    case = gc.load_case(shared / "refcases/gastransim_transient/yamal-europe/inputs_2026_f4c7251_matches_outlet_series")

    def outlet(dx: float) -> np.ndarray:
        opts = TransientOptions(horizon_s=86400.0, dt_s=dt, segment_length_m=dx)
        res = solve_transient(case.network, profile=case.profile, fixed_friction=case.fixed_friction, options=opts)
        return res.node_p_pa[:, res.seg.base.node_index("n2")]

    fine = outlet(125.0)
    print(f"\n| Yamal outlet pressure, dt = {dt:g} s: segment [m] | max rel. difference to 125 m segments |")
    print("|---|---|")
    for dx in (8000.0, 4000.0, 2000.0, 1000.0, 500.0):
        print(f"| {dx:g} | {np.max(np.abs(outlet(dx) / fine - 1.0)):.2e} |")


def main() -> None:
    shared = Path(os.environ.get("LINEPACK_SHARED", ROOT.parent / "shared"))
    if "--space" in sys.argv:
        yamal_space_study(shared)
        return
    print("| case | dt [s] | segment [m] | error | wall [s] |")
    print("|---|---|---|---|---|")
    for dt, dx in ((600, 4000), (300, 2000), (120, 1000), (60, 500), (60, 2000), (60, 4000)):
        t = time.perf_counter()
        e = yamal_outlet_error(shared, dt, dx)
        print(
            f"| Yamal-Europe outlet pressure, max rel. (t >= 1 h) | {dt} | {dx} | {e:.2e} "
            f"| {time.perf_counter() - t:.1f} |"
        )
    for dt, dx in ((10, 1000), (5, 500), (2, 250), (1, 250), (1, 125)):
        t = time.perf_counter()
        ep, eq = one_pipe_fast_errors(shared, dt, dx)
        print(
            f"| 1-pipe-fast pressure max rel. / flow max err / 787.63 kg/s | {dt} | {dx} | {ep:.2e} / {eq:.2e} "
            f"| {time.perf_counter() - t:.1f} |"
        )
    for dt, dx in ((60, 2000), (20, 1000)):
        t = time.perf_counter()
        mean, largest = eight_node_errors(shared, dt, dx)
        print(
            f"| 8-node nodal pressure at 12 h, mean / max rel. | {dt} | {dx} | {mean:.2e} / {largest:.2e} "
            f"| {time.perf_counter() - t:.1f} |"
        )
    yamal_space_study(shared)


if __name__ == "__main__":
    main()
