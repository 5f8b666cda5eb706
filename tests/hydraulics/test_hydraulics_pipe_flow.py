"""Single-pipe solves of the general isothermal pipe law: inverses, limits, elevation, laminar flow."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest

from linepack.hydraulics import (
    GAS_CONSTANT_J_PER_MOL_K,
    STANDARD_GRAVITY_M_S2,
    FrictionLaw,
    effective_length_m,
    elevation_exponent,
    pipe_flow_rate,
    pipe_law_coefficients,
    pressure_drop_outlet,
    reynolds_number,
    standard_volume_flow,
)

M_GAS = 0.0185
MU = 1.15e-5


def _random_pipes(n: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "length_m": rng.uniform(1e3, 150e3, n),
        "diameter_m": rng.uniform(0.1, 1.4, n),
        "roughness_m": rng.uniform(5e-6, 5e-5, n),
        "t_k": rng.uniform(275.0, 310.0, n),
        "z": rng.uniform(0.8, 1.0, n),
        "dh_m": rng.uniform(-300.0, 300.0, n),
        "efficiency": rng.uniform(0.9, 1.0, n),
    }


def _call(fn, first, second, pipes, law, **kw):  # type: ignore[no-untyped-def]
    return fn(first, second, pipes["length_m"], pipes["diameter_m"], pipes["roughness_m"], pipes["t_k"],
              pipes["z"], M_GAS, MU, law, pipes["efficiency"], pipes["dh_m"], friction_factor=0.012, **kw)


@pytest.mark.parametrize("law", list(FrictionLaw), ids=lambda law: law.name)
def test_flow_and_outlet_pressure_are_inverse(law: FrictionLaw) -> None:
    """pressure_drop_outlet(p_in, pipe_flow_rate(p_in, p_out)) == p_out (p_out 1e-9..0.5 relative off
    the static-column value,
    both directions, elevation +-300 m, efficiency 0.9-1, Re from laminar to 1e8), and the converse
    pipe_flow_rate(p_in, pressure_drop_outlet(p_in, m)) == m where the friction term is not at
    round-off level next to the static head (|p_in^2 - e^s p_out^2| > 1e-5 p_in^2)."""
    n = 400
    pipes = _random_pipes(n)
    rng = np.random.default_rng(2)
    p_in = rng.uniform(3e6, 9e6, n)
    _, exp_s = pipe_law_coefficients(pipes["length_m"], pipes["diameter_m"], pipes["t_k"], pipes["z"], M_GAS,
                                     pipes["dh_m"])
    p_static = p_in / np.sqrt(exp_s)  # outlet pressure of the gas column at rest
    p_out = p_static * (1.0 + rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-9.0, -0.3, n))
    m = _call(pipe_flow_rate, p_in, p_out, pipes, law)
    re = reynolds_number(m, pipes["diameter_m"], MU)
    assert re.min() < 2000.0 and re.max() > 1e7
    assert np.allclose(_call(pressure_drop_outlet, p_in, m, pipes, law), p_out, rtol=1e-12, atol=0.0)

    m = rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-2.0, 3.0, n)
    p_out = _call(pressure_drop_outlet, p_in, m, pipes, law)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(p_out) & (np.abs(p_in**2 - exp_s * p_out**2) > 1e-5 * p_in**2)
    assert ok.sum() > 100
    m_back = _call(pipe_flow_rate, p_in[ok], p_out[ok], {k: v[ok] for k, v in pipes.items()}, law)
    assert np.allclose(m_back, m[ok], rtol=1e-9, atol=0.0)


def test_kinetic_term_round_trip_and_choking() -> None:
    """With the kinetic term both directions invert each other; beyond the choking flow the outlet
    pressure is NaN."""
    args = (50e3, 0.5, 2e-5, 288.0, 0.9, M_GAS, MU, "colebrook")
    m = np.array([-100.0, -20.0, 0.0, 20.0, 100.0])
    p_out = pressure_drop_outlet(7e6, m, *args, kinetic_energy=True)
    assert np.all(np.isfinite(p_out))
    assert np.allclose(pipe_flow_rate(7e6, p_out, *args, kinetic_energy=True), m, rtol=1e-10, atol=1e-12)
    assert np.all(np.isnan(pressure_drop_outlet(7e6, [2000.0, 1e5], *args, kinetic_energy=True)))
    assert np.all(np.isnan(pressure_drop_outlet(7e6, [2000.0, 1e5], *args)))


def test_zero_flow_and_static_gas_column() -> None:
    """Equal pressures on a level pipe give m = 0; with no flow the outlet pressure follows the
    isothermal barometric law p_out = p_in exp(-g dh M/(Z R T))."""
    args = (10e3, 0.6, 1e-5, 290.0, 0.92, M_GAS, MU)
    assert float(pipe_flow_rate(5e6, 5e6, *args)) == 0.0
    dh = np.array([-200.0, 0.0, 350.0])
    p_out = pressure_drop_outlet(5e6, 0.0, *args, "colebrook", 1.0, dh)
    expected = 5e6 * np.exp(-STANDARD_GRAVITY_M_S2 * dh * M_GAS / (0.92 * GAS_CONSTANT_J_PER_MOL_K * 290.0))
    assert np.allclose(p_out, expected, rtol=1e-14)
    m = pipe_flow_rate(5e6, expected, *args, "colebrook", 1.0, dh)
    assert np.all(np.abs(m) < 1e-9)


def test_laminar_pipe_matches_hagen_poiseuille() -> None:
    """Re < 2000: lambda m|m| K = 64/Re K m|m| = 16 pi D mu K m, so m = (p_in^2 - p_out^2)/(16 pi D mu K)."""
    length, d, t, z = 1000.0, 0.05, 288.0, 1.0
    k, _ = pipe_law_coefficients(length, d, t, z, M_GAS)
    p_in, p_out = 2.0e5, 2.0e5 - 1.0
    m = float(pipe_flow_rate(p_in, p_out, length, d, 1e-5, t, z, M_GAS, MU))
    expected = (p_in**2 - p_out**2) / (16.0 * np.pi * d * MU * float(k))
    assert float(reynolds_number(m, d, MU)) < 2000.0
    assert m == pytest.approx(expected, rel=1e-12)


def test_effective_length_and_elevation_exponent() -> None:
    """s = 2 g dh M/(Z R T); L_e = L (e^s - 1)/s, continuous through s = 0."""
    s = elevation_exponent(100.0, 300.0, 0.9, M_GAS)
    expected = 2 * STANDARD_GRAVITY_M_S2 * 100.0 * M_GAS / (0.9 * GAS_CONSTANT_J_PER_MOL_K * 300.0)
    assert float(s) == pytest.approx(expected, rel=1e-15)
    s_values = np.array([-1e-3, -1e-7, -1e-9, 0.0, 1e-9, 1e-7, 1e-3])
    le = effective_length_m(1000.0, s_values)
    exact = np.where(s_values == 0.0, 1000.0, 1000.0 * np.expm1(s_values) / np.where(s_values == 0, 1, s_values))
    assert np.allclose(le, exact, rtol=1e-15)


def test_standard_volume_flow() -> None:
    """Q_std = m / rho_std."""
    assert np.allclose(standard_volume_flow([0.0, 7.6], 0.76), [0.0, 10.0])


def test_large_array_solve() -> None:
    """200,000 pipes in one vectorised Colebrook flow solve (4-6 Newton steps; about 0.25 s measured,
    speed is for benchmarks, not asserted here): every flow is finite and positive."""
    n = 200_000
    pipes = _random_pipes(n, seed=5)
    p_in = np.full(n, 7e6)
    p_out = np.full(n, 6.5e6)
    m = _call(pipe_flow_rate, p_in, p_out, pipes, "colebrook")
    assert np.all(np.isfinite(m)) and np.all(m > 0)


MODULES = ["colebrook_white", "rough_laws", "empirical_laws", "friction", "pipe_law", "pipe_flow", "compressor"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    """The doctested examples in every hydraulics module run and give the stated values."""
    module = importlib.import_module(f"linepack.hydraulics.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted > 0
