"""Day-ahead optimisation (issue 15): replay agreement, a single pipe with a known answer, an infeasible day."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import linepack as lp
from linepack.errors import InfeasibleError, InputError
from linepack.optimize.day.prices import PriceSeries, read_prices
from linepack.optimize.day.replay import REPLAY_TOL
from linepack.optimize.day.run import optimize_day
from linepack.optimize.day.spec import DaySpec, EndMode, StartMode
from linepack.transient import constant_profile, winter_day_profile

from .networks import dear_then_cheap, single_pipe

pytest.importorskip("casadi")


def quick(**kw: Any) -> DaySpec:
    """A day of 3 h control periods, 30 min steps and 20 km segments (the tests' grid)."""
    return DaySpec(period_s=3 * 3600.0, step_s=1800.0, segment_length_m=20_000.0, **kw)


def test_single_pipe_draws_when_dear_and_packs_when_cheap() -> None:
    """Constant demand, supply dear for 12 h then cheap: the optimiser draws the line down while gas is dear
    and packs it while cheap, within the pressure limits, and the day costs less than the default day
    (send-out held at 70 barg)."""
    spec = quick(start=StartMode.PERIODIC, weights={"cost": 1.0}, prices=dear_then_cheap())
    res = optimize_day(single_pipe(), profile=constant_profile(), spec=spec)
    assert res.feasible, res.raw.status
    lp_kg = res.raw.linepack_kg  # at the end of every step (24 steps of 30 min here)
    half = len(lp_kg) // 2
    assert lp_kg[half - 1] < lp_kg[0] - 50e3  # drawn by more than 50 t during the dear half
    assert lp_kg[-1] > lp_kg[half - 1] + 50e3  # packed again while cheap
    # periodic: the day ends where it starts, and the supply follows the price
    supply = res.raw.supply_kg_s[:, 0]
    demand = res.prob.demand[:, 0]
    assert supply[:half].mean() < demand[:half].mean() < supply[half:].mean()
    # within the limits at every point and step
    p = res.raw.point_p_pa[1:]
    assert np.all(p <= res.prob.p_hi[None, :] + 1.0)
    assert np.all(p[:, res.prob.deliv_node] >= res.prob.deliv_p_min[None, :] - 1.0)
    # never worse than the default schedule, on the objective's own basis
    assert res.optimised.energy_cost_usd <= res.default.energy_cost_usd
    assert res.optimised.energy_cost_usd < 0.97 * res.default.energy_cost_usd
    assert res.replay is not None and res.replay.agrees, res.replay.worst if res.replay else None


def test_small_line_replay_agrees_and_fuel_is_no_worse() -> None:
    """examples/small_line.yaml (compressor, regulator, terminal) on the winter day: the replay of the schedule
    in the transient simulator reproduces the optimiser's pressures and flows within 1e-4 at every period; the
    fuel is no worse than the default day's, and the end linepack is at least the start (steady start)."""
    net = lp.load_network("examples/small_line.yaml")
    spec = quick(start=StartMode.STEADY, end=EndMode.FREE)
    res = optimize_day(net, profile=winter_day_profile(), spec=spec)
    assert res.feasible
    assert res.replay is not None
    assert res.replay.completed
    assert np.all(res.replay.p_rel <= REPLAY_TOL) and np.all(res.replay.q_rel <= REPLAY_TOL)
    assert res.optimised.fuel_t <= res.default.fuel_t + 1e-9
    # the binding-limit report has one entry per period
    assert len(res.binding()) == spec.n_periods


def test_infeasible_day_names_the_limit_and_the_hour() -> None:
    """A delivery minimum of 69 barg 100 km from a 70 barg terminal at 40 kg/s: no schedule exists; the verdict
    names the delivery minimum and its hours (and the run ends within its CPU bound)."""
    spec = quick(start=StartMode.STEADY, end=EndMode.FREE, max_cpu_s=120.0)
    net = single_pipe(demand_kg_s=40.0, p_min_barg=69.0)
    res = optimize_day(net, profile=constant_profile(), spec=spec)
    assert not res.feasible
    assert res.replay is None
    text = " ".join(res.verdict)
    assert "L.demand" in text and "minimum pressure" in text
    assert "00:" in text  # from the first hour


def test_spec_errors_name_the_field() -> None:
    with pytest.raises(InputError, match="whole number of time steps"):
        DaySpec(period_s=3600.0, step_s=7 * 60.0).check()
    with pytest.raises(InputError, match="unknown term"):
        DaySpec(weights={"speed": 1.0}).check()
    with pytest.raises(InputError, match="periodic day ends where it starts"):
        DaySpec(start=StartMode.PERIODIC, end=EndMode.FREE).check()
    with pytest.raises(InputError, match="needs shedding allowed"):
        DaySpec(weights={"unserved": 1.0}).check()


def test_price_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "prices.csv"
    f.write_text("time_h,supply:*,fuel\n0,2,1\n12,10,1\n24,2,1\n")
    p = read_prices(f)
    t = np.array([0.0, 6 * 3600.0, 12 * 3600.0])
    assert np.allclose(p.supply_usd_per_mmbtu(("A", "B_LNG"), t)[:, 1], [2.0, 6.0, 10.0])
    bad = tmp_path / "bad.csv"
    bad.write_text("hour,supply:*\n0,2\n")
    with pytest.raises(InputError, match="first column must be time_h or time_s"):
        read_prices(bad)
    with pytest.raises(InputError, match="strictly increasing"):
        PriceSeries("x", np.array([0.0, 0.0]), {"fuel": np.array([1.0, 1.0])})


def test_a_day_starting_beyond_its_limits_is_reported_at_once() -> None:
    """A steady start whose pipe runs above its MAOP (the terminal holds 70 barg on a 65 barg pipe): no schedule
    can undo the start, and the error names the limit and by how much, before any NLP."""
    net = single_pipe(maop_barg=65.0)
    with pytest.raises(InfeasibleError, match=r"pipe P MAOP \(65.0 barg\) exceeded by [0-9.]+ bar"):
        optimize_day(net, profile=constant_profile(), spec=quick(start=StartMode.STEADY))


@pytest.mark.slow
def test_psgp_periodic_day_replays() -> None:
    """The PSGP winter day (periodic, least fuel, 1 h periods) on the default grid of docs/day-ahead.md (40 km
    segments, 30 min steps) is feasible, burns less fuel than the day at the default set-points and replays in
    the transient simulator within 1e-4 in every period (about a minute of CPU; with the old pin margin of 1e-6
    a 3 h day's last period replayed at 8.6e-2). It runs on one gas with CS1-CS3 as single machines, noted."""
    spec = DaySpec(period_s=3600.0, start=StartMode.PERIODIC)
    res = optimize_day(lp.load_default_network(), profile=winter_day_profile(), spec=spec)
    assert res.feasible, res.raw.status
    assert res.replay is not None and res.replay.agrees, (res.replay.p_rel, res.replay.q_rel)
    assert res.optimised.fuel_t < res.default.fuel_t
    assert any("one gas" in n for n in res.notes) and any("single machines" in n for n in res.notes)


def test_fine_check_on_the_optimisers_own_grid_is_the_replay() -> None:
    """The grid-error check run on the optimiser's own grid reproduces the optimiser (the replay, from the
    transferred start state); on the simulator's 1 km / 60 s grid it reports a finite difference."""
    from linepack.optimize.day.finecheck import fine_check

    spec = quick(start=StartMode.STEADY, end=EndMode.FREE)
    res = optimize_day(lp.load_network("examples/small_line.yaml"), profile=winter_day_profile(), spec=spec)
    same = fine_check(res, spec.segment_length_m, spec.step_s)
    assert same.completed and same.max_dp_bar < 1e-6 and same.linepack_diff_pct < 1e-6
    assert abs(same.margin_fine_bar - same.margin_opt_bar) < 1e-6


def test_optimal_start_is_the_steady_least_fuel_state() -> None:
    """--start optimal: the day starts at the steady least-fuel state of t = 0 (its set-points from the steady
    optimiser), keeps every limit, replays, and burns no more than the default set-points from that start."""
    spec = quick(start=StartMode.OPTIMAL, end=EndMode.FREE)
    res = optimize_day(lp.load_network("examples/small_line.yaml"), profile=winter_day_profile(), spec=spec)
    assert res.feasible and res.replay is not None and res.replay.agrees
    x0 = res.prob.grid.x0
    assert x0 is not None
    assert np.all(x0.point_p_pa[0] <= res.prob.p_hi + 1.0) and np.all(x0.point_p_pa[0] >= res.prob.p_lo - 1.0)
    assert res.optimised.fuel_t <= res.default.fuel_t + 1e-9
