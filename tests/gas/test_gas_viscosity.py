"""Viscosity models: constant, Lee-Gonzalez-Eakin vs CoolProp, factory."""

from __future__ import annotations

import numpy as np
import pytest
from CoolProp.CoolProp import PropsSI

from linepack.errors import InputError
from linepack.gas import (
    VISCOSITY_MODEL_NAMES,
    ConstantViscosity,
    GasComposition,
    Gerg2008,
    LeeGonzalezEakin,
    ViscosityModel,
    make_viscosity,
)


def test_constant_viscosity() -> None:
    model = ConstantViscosity(1.1e-5)
    mu = model.mu(np.array([1e6, 5e6]), 288.15, np.array([0.98, 0.9]))
    np.testing.assert_array_equal(mu, [1.1e-5, 1.1e-5])
    with pytest.raises(InputError, match=r"mu_pa_s = 0\.0 must be in"):
        ConstantViscosity(0.0)


def test_lge_formula_by_hand() -> None:
    """LGE for M = 18 g/mol at 540 R (300 K), rho = 0.05 g/cm3, evaluated step by step in field units."""
    m, t_r, rho = 18.0, 540.0, 0.05
    k = (9.4 + 0.02 * m) * t_r**1.5 / (209 + 19 * m + t_r)
    x = 3.5 + 986 / t_r + 0.01 * m
    mu_cp = 1e-4 * k * np.exp(x * rho ** (2.4 - 0.2 * x))
    z = 0.9
    t_k = t_r / 1.8
    p = rho * 1e3 * z * 8.314462618 * t_k / 0.018
    assert LeeGonzalezEakin(0.018).mu(p, t_k, z) == pytest.approx(mu_cp * 1e-3, rel=1e-12)


@pytest.mark.parametrize(
    ("p_pa", "t_k", "measured", "tolerance"),
    [(50e5, 288.0, 0.017, 0.03), (1e5, 288.0, 0.023, 0.03), (120e5, 288.0, 0.007, 0.03), (70e5, 300.0, 0.017, 0.03)],
)
def test_lge_methane_vs_coolprop(p_pa: float, t_k: float, measured: float, tolerance: float) -> None:
    """Pure methane: LGE vs CoolProp (methane reference viscosity model), Z from CoolProp.

    Measured deviations LGE/CoolProp - 1: +1.7 % at 50 bar / 288 K, +2.3 % at 1 bar / 288 K,
    +0.7 % at 120 bar / 288 K, +1.7 % at 70 bar / 300 K; asserted within 3 % (the correlation's
    quoted accuracy is 2-4 %).
    """
    methane = GasComposition.from_mole_fractions("methane", {"CH4": 1.0})
    z = PropsSI("Z", "T", t_k, "P", p_pa, "Methane")
    mu_ref = PropsSI("V", "T", t_k, "P", p_pa, "Methane")
    mu = float(LeeGonzalezEakin.from_composition(methane).mu(p_pa, t_k, z))
    assert mu / mu_ref - 1 == pytest.approx(measured, abs=0.002)
    assert abs(mu / mu_ref - 1) <= tolerance


def test_lge_vectorised_with_gerg_z(rlng: GasComposition) -> None:
    p = np.linspace(1e6, 1e7, 10).reshape(2, 5)
    z = Gerg2008(rlng).z(p, 288.15)
    mu = make_viscosity("lee_gonzalez_eakin", rlng).mu(p, 288.15, z)
    assert mu.shape == (2, 5)
    assert np.all(np.diff(mu.ravel()) > 0)  # viscosity rises with density
    assert mu.min() > 1.0e-5 and mu.max() < 1.6e-5


def test_viscosity_factory(rlng: GasComposition) -> None:
    assert VISCOSITY_MODEL_NAMES == ("constant", "lee_gonzalez_eakin")
    constant = make_viscosity("constant", mu_pa_s=1.2e-5)
    assert isinstance(constant, ConstantViscosity) and isinstance(constant, ViscosityModel)
    lge = make_viscosity("LGE", molar_mass_kg_per_mol=0.0175)
    assert isinstance(lge, LeeGonzalezEakin) and lge.molar_mass_kg_per_mol == 0.0175
    with pytest.raises(InputError, match="'sutherland' is unknown; valid names: constant, lee_gonzalez_eakin"):
        make_viscosity("sutherland")
    with pytest.raises(InputError, match="needs molar_mass_kg_per_mol or a gas composition"):
        make_viscosity("lee_gonzalez_eakin")
    with pytest.raises(InputError, match="mu_pa_s is missing"):
        make_viscosity("constant")
    with pytest.raises(InputError, match="unknown parameter"):
        make_viscosity("constant", mu=1e-5)
