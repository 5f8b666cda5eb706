"""Validation against GasTranSim.jl results (../shared/refcases/gastransim_transient, read its README).

The references are numerical solutions of an explicit staggered scheme (Gyrya & Zlotnik 2019), not exact
solutions; the README expects agreement of a second code at the 1e-3..1e-2 relative level. Fast checks run
by default; the fine-grid runs are marked slow (``python -m pytest -m slow tests/transient``).
"""

from __future__ import annotations

import json
from pathlib import Path

import gastransim_cases as gc
import numpy as np
import pytest

from linepack.transient import TransientOptions, TransientResult, solve_transient

JUMPS_1PIPE_FAST = (600.0, 1800.0)  # withdrawal steps; the reference samples them mid-jump


def _case_dir(shared: Path, name: str) -> Path:
    return shared / "refcases" / "gastransim_transient" / name


def _run(case: gc.Case, horizon: float, dt: float, dx: float, out_s: float = 3600.0) -> TransientResult:
    opts = TransientOptions(horizon_s=horizon, dt_s=dt, segment_length_m=dx, output_interval_s=out_s)
    res = solve_transient(case.network, profile=case.profile, fixed_friction=case.fixed_friction, options=opts)
    assert res.completed, res.message
    return res


def yamal_outlet_error(shared: Path, dt: float, dx: float) -> float:
    """Largest relative error of the outlet pressure after the first hour (2026 inputs, README)."""
    folder = _case_dir(shared, "yamal-europe")
    case = gc.load_case(folder / "inputs_2026_f4c7251_matches_outlet_series")
    ref = gc.read_csv(folder / "reference_outlet_pressure_bar_2026_inputs.csv")
    res = _run(case, 86400.0, dt, dx)
    p_out = res.node_p_pa[:, res.seg.base.node_index("n2")] / 1e5
    ours = np.interp(ref["time"] * 3600.0, res.times_s, p_out)
    late = ref["time"] >= 1.0
    return float(np.max(np.abs(ours[late] / ref["outlet_pressure"][late] - 1.0)))


def one_pipe_fast_errors(shared: Path, dt: float, dx: float) -> tuple[float, float]:
    """Largest relative pressure error and largest flow error (relative to the peak withdrawal 787.63 kg/s)
    over the 1 km / 60 s reference grid, except at the two jump instants."""
    folder = _case_dir(shared, "1-pipe-fast")
    case = gc.load_case(folder / "inputs")
    ref = gc.read_csv(folder / "reference_gastransim_ideal_profiles.csv")
    res = _run(case, 3600.0, dt, dx, out_s=60.0)
    ep, eq = 0.0, 0.0
    for s, ts in enumerate(res.snapshot_times_s):
        sel = np.isclose(ref["time_s"], ts)
        if not np.any(sel) or ts in JUMPS_1PIPE_FAST:
            continue
        x, p, q = res.pipe_profile("p1", s)
        xm = 0.5 * (x[1:] + x[:-1])
        xr = ref["x_m"][sel]
        ep = max(ep, float(np.max(np.abs(np.interp(xr, x, p) / ref["pressure_Pa"][sel] - 1.0))))
        eq = max(eq, float(np.max(np.abs(np.interp(xr, xm, q) - ref["mass_flow_kg_per_s"][sel])) / 787.63))
    return ep, eq


def eight_node_errors(shared: Path, dt: float, dx: float) -> tuple[float, float]:
    """Mean and largest relative nodal pressure error at t = 43200 s."""
    folder = _case_dir(shared, "8-node")
    grid = gc.gastransim_grid(folder / "inputs" / "ic_second_half.json")  # the reference run's own grid
    case = gc.load_case(folder / "inputs", params="params_full.json", ghost_dx=grid)
    ref = gc.read_csv(folder / "reference_state_t43200s_nodes.csv")
    res = _run(case, 43200.0, dt, dx)
    idx = [res.seg.base.node_index(f"n{int(i)}") for i in ref["node_id"]]
    err = np.abs(res.node_p_pa[-1, idx] / ref["pressure_Pa"] - 1.0)
    return float(np.mean(err)), float(np.max(err))


def test_yamal_outlet_pressure_agrees_and_converges(shared: Path) -> None:
    coarse = yamal_outlet_error(shared, 600.0, 4000.0)
    finer = yamal_outlet_error(shared, 300.0, 2000.0)
    assert coarse < 1e-2
    assert finer < 0.7 * coarse  # first order in time: the error falls with the step


def test_model30_steady_start_matches_gastransim_and_does_not_drift(shared: Path) -> None:
    folder = _case_dir(shared, "model-30")
    case = gc.load_case(folder / "inputs")
    res = _run(case, 86400.0, 1800.0, 5000.0)
    cn = res.seg.base
    ic = json.loads((folder / "inputs" / "ic.json").read_text())["initial_nodal_pressure"]
    p_ic = np.array([ic[nid[1:]] for nid in cn.node_ids])
    assert np.max(np.abs(res.node_p_pa[0] / p_ic - 1.0)) < 1e-4  # GasTranSim's steady initial state
    assert np.max(np.abs(res.node_p_pa / res.node_p_pa[0] - 1.0)) < 1e-8


def test_one_pipe_fast_coarse(shared: Path) -> None:
    ep, eq = one_pipe_fast_errors(shared, 10.0, 1000.0)
    assert ep < 4e-2 and eq < 0.15


@pytest.mark.slow
def test_one_pipe_fast_fine_grid_within_1e2(shared: Path) -> None:
    ep, eq = one_pipe_fast_errors(shared, 1.0, 250.0)
    assert ep < 1e-2
    assert eq < 0.07  # largest right behind the wave front 60 s after the jump (implicit Euler smooths it)


@pytest.mark.slow
def test_yamal_fine_grid(shared: Path) -> None:
    assert yamal_outlet_error(shared, 60.0, 1000.0) < 5e-4


@pytest.mark.slow
def test_eight_node_state_at_12h(shared: Path) -> None:
    # measured with GasTranSim's node storage: mean 3.4e-3, largest 7.1e-3 (without it 1.4e-2 / 3.2e-2,
    # unchanged by the grid); see docs/transient.md
    mean, largest = eight_node_errors(shared, 60.0, 2000.0)
    assert mean < 5e-3 and largest < 1e-2
