"""Pipe heat exchange: buried-pipe U, the analytic exponential temperature profile, and the RK4 (p, T) integration.

The analytic solution of dT/dx = -kappa (T - T_g) + a is checked against the integrator run with constant
properties (where it is exact), the integrator's 4th-order convergence and energy balance are measured with
real-gas (GERG-2008) properties, and every derivative of the analytic outlet temperature is checked by
finite differences.
"""

from __future__ import annotations

import numpy as np
import pytest

from linepack.errors import InputError
from linepack.gas.thermo import RealGasThermo
from linepack.hydraulics.constants import STANDARD_GRAVITY_M_S2
from linepack.thermal import (
    analytic_temperature,
    integrate_pipe,
    integrate_pipe_with_error,
    layer_resistance_k_m_w,
    overall_u_buried_w_m2k,
    relaxation_rate_per_m,
    soil_resistance_k_m_w,
    source_gradient_k_per_m,
    thermo_properties,
)

G = STANDARD_GRAVITY_M_S2


# ------------------------------------------------------------------ overall heat-transfer coefficient
def test_buried_u_is_the_series_sum_of_the_textbook_resistances() -> None:
    """U = 1 / (pi D_i (sum ln(r_j+1/r_j)/(2 pi k_j) + arccosh(2H/D_o)/(2 pi k_s))), written out by hand."""
    di, steel, coat, cover, ks = 1.372, 0.025, 0.003, 1.2, 1.5
    do = di + 2 * (steel + coat)
    r_total = (
        np.log((di + 2 * steel) / di) / (2 * np.pi * 45.0)
        + np.log(do / (di + 2 * steel)) / (2 * np.pi * 0.3)
        + np.arccosh(2 * (cover + do / 2) / do) / (2 * np.pi * ks)
    )
    u = overall_u_buried_w_m2k(di, [steel, coat], [45.0, 0.3], cover, ks)
    assert float(u) == pytest.approx(1.0 / (np.pi * di * r_total), rel=1e-13)
    # shallow cylinder limit: arccosh(2H/D) -> ln(4H/D) for H >> D (Bergman et al. Table 4.1)
    assert float(soil_resistance_k_m_w(0.1, 50.0, 1.0)) == pytest.approx(np.log(4 * 50 / 0.1) / (2 * np.pi), rel=1e-6)
    assert float(layer_resistance_k_m_w(1.0, 0.0, 1.0)) == 0.0


def test_buried_u_vectorised_and_monotone() -> None:
    """Over pipes: deeper cover, drier soil and thicker coating each lower U; a film adds a resistance."""
    di = np.array([0.5, 0.5, 0.5, 0.5])
    cover = np.array([1.0, 2.0, 1.0, 1.0])
    ks = np.array([1.5, 1.5, 0.5, 1.5])
    coat = np.array([0.003, 0.003, 0.003, 0.010])
    u = overall_u_buried_w_m2k(di, [np.full(4, 0.01), coat], [np.full(4, 45.0), np.full(4, 0.3)], cover, ks)
    assert u.shape == (4,)
    assert u[1] < u[0] and u[2] < u[0] and u[3] < u[0]
    assert 1.0 < u[0] < 5.0  # the design range of buried gas lines
    with_film = overall_u_buried_w_m2k(di, [np.full(4, 0.01)], [np.full(4, 45.0)], cover, ks, inner_film_w_m2k=500.0)
    bare = overall_u_buried_w_m2k(di, [np.full(4, 0.01)], [np.full(4, 45.0)], cover, ks)
    assert np.all(with_film < bare) and np.all(with_film > 0.98 * bare)


def test_buried_u_bad_input() -> None:
    with pytest.raises(InputError, match="cover depth and soil conductivity must be > 0"):
        overall_u_buried_w_m2k(0.5, [0.01], [45.0], -1.0, 1.5)
    with pytest.raises(InputError, match="one conductivity per layer"):
        overall_u_buried_w_m2k(0.5, [0.01, 0.003], [45.0], 1.0, 1.5)


# ------------------------------------------------------------------ analytic solution
def _constant_properties(rho: float, cp: float, mu: float):  # type: ignore[no-untyped-def]
    def properties(p: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return np.full_like(p, rho), np.full_like(p, cp), np.full_like(p, mu)

    return properties


def test_single_pipe_constant_properties_matches_analytic_exponential() -> None:
    """Constant rho, cp and mu_JT (so dp/dx is constant): the RK4 integration and the analytic exponential
    approach to ground temperature agree to 1e-9 K along three pipes (warm inflow, uphill, cold inflow)."""
    rho, cp, mu = 60.0, 2700.0, 4.4e-6
    length = np.array([80e3, 120e3, 50e3])
    d = np.array([1.372, 1.0, 0.6])
    m = np.array([500.0, 300.0, 60.0])
    lam = np.array([0.008, 0.009, 0.011])
    u = np.array([2.5, 1.3, 3.0])
    tg = np.array([298.15, 303.15, 283.15])
    t0 = np.array([328.15, 300.15, 275.15])
    dz = np.array([0.0, 300.0, -50.0])
    profile = integrate_pipe(_constant_properties(rho, cp, mu), 9.0e6, t0, m, length, d, lam, u, tg, dz, n_steps=64)
    area = np.pi * d * d / 4
    dpdx = -lam * m * m / (2 * rho * d * area * area) - rho * G * dz / length
    kappa = relaxation_rate_per_m(u, d, m, cp)
    a = source_gradient_k_per_m(mu, dpdx, dz / length, cp)
    x = profile.x_m
    exact = analytic_temperature(t0, tg, np.where(x > 0, x, 1e-30), kappa, a).outlet_k
    np.testing.assert_allclose(profile.t_k, exact, atol=1e-9)
    np.testing.assert_allclose(profile.outlet_p_pa, 9.0e6 + dpdx * length, rtol=1e-12)
    # the exponential approach: warm gas cools towards T_g + a/kappa, never below it without JT/elevation
    result = analytic_temperature(t0, tg, length, kappa, a)
    assert np.all(np.abs(result.outlet_k - (tg + a / kappa)) < np.abs(t0 - (tg + a / kappa)))
    # the length-averaged temperature: trapezoid/Simpson on the fine exact profile
    fine_x = np.linspace(0, 1, 4001)[:, None] * length
    fine = analytic_temperature(t0, tg, np.where(fine_x > 0, fine_x, 1e-30), kappa, a).outlet_k
    simpson = (fine[0] + fine[-1] + 4 * fine[1:-1:2].sum(0) + 2 * fine[2:-1:2].sum(0)) / (3 * 4000)
    np.testing.assert_allclose(result.mean_k, simpson, atol=1e-9)


def test_analytic_limits() -> None:
    """Insulated pipe (kappa = 0): linear in x; zero flow (kappa = inf): T_g; long pipe: T_g + a/kappa."""
    r = analytic_temperature(320.0, 290.0, 1e4, 0.0, -1e-4)
    assert float(r.outlet_k) == pytest.approx(319.0, abs=1e-12)
    assert float(r.mean_k) == pytest.approx(319.5, abs=1e-12)
    r = analytic_temperature(320.0, 290.0, 1e4, np.inf, -1e-4)
    assert float(r.outlet_k) == 290.0 and float(r.mean_k) == 290.0
    r = analytic_temperature(320.0, 290.0, 1e7, 1e-4, -1e-4)
    assert float(r.outlet_k) == pytest.approx(289.0, abs=1e-9)
    # the series branch of phi (kappa L < 1e-5) against the closed form at the same kappa
    kappa = 0.99e-9
    r = analytic_temperature(320.0, 290.0, 1e4, kappa, -1e-4)
    closed = 320.0 - 30.0 * -np.expm1(-kappa * 1e4) - 1e-4 * -np.expm1(-kappa * 1e4) / kappa
    assert float(r.outlet_k) == pytest.approx(closed, abs=1e-11)
    with pytest.raises(InputError):
        analytic_temperature(320.0, 290.0, -1.0, 1e-5)


@pytest.mark.parametrize("kappa", [3e-5, 1e-11])
def test_analytic_derivatives_by_finite_differences(kappa: float) -> None:
    """Every derivative of the analytic outlet temperature (the Jacobian block a solver needs)."""
    args = {"t_inlet_k": 325.0, "t_ground_k": 297.0, "length_m": 9e4, "kappa_per_m": kappa, "source_k_per_m": -1.3e-4}
    base = analytic_temperature(**args)
    checks = {
        "t_inlet_k": ("d_outlet_d_inlet", 1e-3),
        "t_ground_k": ("d_outlet_d_ground", 1e-3),
        "kappa_per_m": ("d_outlet_d_kappa", max(kappa * 1e-4, 1e-13)),
        "source_k_per_m": ("d_outlet_d_gradient", 1e-8),
    }
    for name, (field, step) in checks.items():
        plus = analytic_temperature(**{**args, name: args[name] + step}).outlet_k
        minus = analytic_temperature(**{**args, name: args[name] - step}).outlet_k
        fd = (plus - minus) / (2 * step)
        assert float(getattr(base, field)) == pytest.approx(float(fd), rel=1e-6, abs=1e-9), name


# ------------------------------------------------------------------ real-gas integration
def _psgp_like(thermo: RealGasThermo, n_steps: int):  # type: ignore[no-untyped-def]
    """Three PSGP-like pipes: 56 in at 1.6 bcfd from a compressor (55 C), a 42 in line uphill, a 24 in lateral."""
    return integrate_pipe_with_error(
        thermo_properties(thermo),
        n_steps=n_steps,
        p_inlet_pa=np.array([99e5, 80e5, 60e5]),
        t_inlet_k=np.array([328.15, 305.0, 290.0]),
        m_kg_s=np.array([380.0, 200.0, 40.0]),
        length_m=np.array([150e3, 120e3, 60e3]),
        diameter_m=np.array([1.372, 1.016, 0.575]),
        friction_factor=np.array([0.0080, 0.0085, 0.0095]),
        u_w_m2k=np.array([1.3, 2.5, 3.0]),
        t_ground_k=np.array([300.15, 298.15, 288.15]),
        elevation_change_m=np.array([100.0, 400.0, -30.0]),
    )


def test_real_gas_integration_converges_at_fourth_order(thermo: RealGasThermo) -> None:
    """RK4 error with GERG-2008 properties, against a 512-step reference: it falls about 16-fold per halving,
    and the Richardson estimate bounds it. Measured at 8 steps per pipe: < 1e-4 K and < 1 Pa."""
    ref, _, _ = _psgp_like(thermo, 256)
    errors = []
    for n in (4, 8, 16):
        profile, err_p, err_t = _psgp_like(thermo, n)
        true_t = np.abs(profile.outlet_t_k - ref.outlet_t_k)
        true_p = np.abs(profile.outlet_p_pa - ref.outlet_p_pa)
        errors.append(float(np.max(true_t)))
        assert np.all(true_t <= 2.0 * err_t + 1e-9) and np.all(true_p <= 2.0 * err_p + 1e-6)
        if n == 8:
            assert float(np.max(true_t)) < 1e-4 and float(np.max(true_p)) < 1.0
    order = np.log2(errors[0] / errors[1]), np.log2(errors[1] / errors[2])
    assert min(order) > 3.5, order


def test_real_gas_integration_conserves_energy(thermo: RealGasThermo) -> None:
    """Energy balance of each pipe: m (h_in - h_out) - m g dz = heat to the ground (the profile integral),
    to 1e-6 relative of the heat flow; and the gas cools below T_g + (source) only through JT."""
    profile, _, _ = _psgp_like(thermo, 64)
    m = np.array([380.0, 200.0, 40.0])
    dz = np.array([100.0, 400.0, -30.0])
    h_in = thermo.enthalpy_j_kg(profile.p_pa[0], profile.t_k[0])
    h_out = thermo.enthalpy_j_kg(profile.outlet_p_pa, profile.outlet_t_k)
    released = m * (h_in - h_out) - m * G * dz
    np.testing.assert_allclose(released, profile.heat_to_ground_w, rtol=1e-6)
    # the hot discharge of the 56 in line cools by several kelvin but stays above ground temperature
    assert 300.15 < float(profile.outlet_t_k[0]) < 328.15 - 5.0


def test_integration_agrees_with_segmentwise_analytic(thermo: RealGasThermo) -> None:
    """With properties frozen per short segment, the analytic formula chained over 400 segments reproduces
    the RK4 outlet temperature within 2e-3 K (the two schemes share nothing but the equation)."""
    profile, _, _ = _psgp_like(thermo, 64)
    p, t = profile.p_pa[0].copy(), profile.t_k[0].copy()
    m = np.array([380.0, 200.0, 40.0])
    length = np.array([150e3, 120e3, 60e3])
    d = np.array([1.372, 1.016, 0.575])
    lam = np.array([0.0080, 0.0085, 0.0095])
    u = np.array([1.3, 2.5, 3.0])
    tg = np.array([300.15, 298.15, 288.15])
    slope = np.array([100.0, 400.0, -30.0]) / length
    n = 400
    dx = length / n
    area = np.pi * d * d / 4
    for _ in range(n):
        s = thermo.state(p, t)
        dpdx = -lam * m * m / (2 * s.density_kg_m3 * d * area * area) - s.density_kg_m3 * G * slope
        a = source_gradient_k_per_m(s.joule_thomson_k_pa, dpdx, slope, s.cp_j_kg_k)
        t = analytic_temperature(t, tg, dx, relaxation_rate_per_m(u, d, m, s.cp_j_kg_k), a).outlet_k
        p = p + dpdx * dx
    np.testing.assert_allclose(t, profile.outlet_t_k, atol=2e-3)


def test_integration_bad_input(thermo: RealGasThermo) -> None:
    props = thermo_properties(thermo)
    with pytest.raises(InputError, match="m_kg_s > 0"):
        integrate_pipe(props, 7e6, 300.0, -1.0, 1e4, 0.5, 0.01, 2.0, 290.0)
    with pytest.raises(InputError, match="falls to zero"):
        integrate_pipe(props, 2e6, 300.0, 400.0, 1e5, 0.3, 0.01, 2.0, 290.0, n_steps=8)
