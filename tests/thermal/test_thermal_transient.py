"""Temperatures of a transient run (linepack.thermal.transient_temperatures): the energy equation on the segment grid.

What is shown: a steady run stays at its steady temperatures (the steady state is the scheme's fixed point); a closed,
stagnant pipe relaxes to the ground with the analytic time constant of the gas and wall heat capacity; after a demand
step the full equation lags the quasi-steady update (whose error this measures) and both reach the same new steady
state; bad input is refused.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from linepack.errors import InputError
from linepack.thermal.transient_temperatures import (
    STEEL_RHO_C_J_M3K,
    STEEL_WALL_FRACTION,
    transient_temperatures,
)
from linepack.transient import TransientOptions, solve_transient
from linepack.transient.profiles import Profile

from .test_thermal_coupling import _pipe

KELVIN = 273.15


def _run(demand: list[float], times_h: list[float], horizon_h: float, dt_s: float, **pipe: Any) -> tuple[Any, Any]:
    net = _pipe(thermal="isothermal", **pipe)
    prof = Profile("p", np.array(times_h) * 3600.0, {"demand_kg_s:K": np.array(demand)})
    opts = TransientOptions(horizon_s=horizon_h * 3600.0, dt_s=dt_s, segment_length_m=10e3, output_interval_s=0)
    return net, solve_transient(net, profile=prof, options=opts)


@pytest.fixture(scope="module")
def step() -> Any:
    """100 -> 50 kg/s at 1 h, 72 h at 30 min steps."""
    net, r = _run([100.0, 100.0, 50.0, 50.0], [0.0, 1.0, 1.25, 72.0], 72.0, 1800.0)
    return r, transient_temperatures(net, r, "full"), transient_temperatures(net, r, "quasi_steady")


def test_steady_run_stays_at_its_steady_temperatures() -> None:
    net, r = _run([100.0, 100.0], [0.0, 12.0], 12.0, 1800.0)
    full = transient_temperatures(net, r, "full")
    assert np.max(np.abs(full.point_t_k - full.point_t_k[0])) < 1e-2  # 10 km segments: consistency error 2.4e-3 K
    qs = transient_temperatures(net, r, "quasi_steady")
    np.testing.assert_allclose(full.point_t_k[0], qs.point_t_k[0], atol=1e-12)


def test_stagnant_pipe_relaxes_with_the_analytic_time_constant() -> None:
    """No flow: rho cp A dT/dt + C_w dT/dt = -U pi D (T - T_g): T = T_g + (T_0 - T_g) exp(-t / tau)."""
    net, r = _run([0.0, 0.0], [0.0, 24.0], 24.0, 300.0)
    assert np.max(np.abs(r.segment_q_kg_s)) < 1e-6
    n_points = r.seg.cn.n_nodes
    t0 = np.full(n_points, 30.0 + KELVIN)
    full = transient_temperatures(net, r, "full", initial_point_t_k=t0)
    from linepack.thermal.network_temperatures import _thermo_for

    thermo = _thermo_for(r.seg.cn.gas.composition)
    d, u, tg = 0.7, 3.0, 20.0 + KELVIN
    times = full.times_s
    p = float(np.mean(r.point_p_pa[0]))
    # backward Euler with properties lagged at each step, against the exact solution with properties along it
    t_exact = [30.0 + KELVIN]
    for dt in np.diff(times):  # fine exact integration (RK4 of the ODE) for the reference
        t = t_exact[-1]
        sub = dt / 2.0
        for _ in range(2):

            def f(tt: float) -> float:
                s = thermo.state(np.array([p]), np.array([tt]))
                c = float(s.density_kg_m3[0] * s.cp_j_kg_k[0]) * d / 4.0 + STEEL_RHO_C_J_M3K * STEEL_WALL_FRACTION * d
                return -u * (tt - tg) / c

            k1 = f(t)
            k2 = f(t + 0.5 * sub * k1)
            k3 = f(t + 0.5 * sub * k2)
            k4 = f(t + sub * k3)
            t += sub / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        t_exact.append(t)
    seg_mean = full.segment_t_k.mean(axis=1)
    err = np.max(np.abs(seg_mean - np.array(t_exact)))
    assert err < 0.05  # backward Euler at 300 s against a time constant of hours: first order, small
    assert seg_mean[-1] - tg < 0.5 * (30.0 + KELVIN - tg)  # more than half relaxed in 24 h


def test_full_equation_lags_the_quasi_steady_update(step: Any) -> None:
    _r, full, qs = step
    k = full.sink_ids.index("K")
    np.testing.assert_allclose(full.sink_t_k[0], qs.sink_t_k[0], atol=1e-12)
    gap = np.abs(full.sink_t_k[:, k] - qs.sink_t_k[:, k])
    assert gap.max() > 1.0  # the quasi-steady update's error after the step (docs/thermal.md)
    assert gap[-1] < 0.05  # both reach the new steady state
    assert abs(full.heat_to_ground_w[-1] - qs.heat_to_ground_w[-1]) < 1e-2 * abs(qs.heat_to_ground_w[-1])
    assert "K_temperature_c" in full.to_csv_text().splitlines()[0]


def test_bad_input(step: Any) -> None:
    r, _full, _qs = step
    net = _pipe(thermal="isothermal")
    with pytest.raises(InputError, match="method must be one of"):
        transient_temperatures(net, r, "implicit")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="initial_point_t_k"):
        transient_temperatures(net, r, initial_point_t_k=np.zeros(3))
