"""Friction laws: accuracy against fluids and the published formulas, derivatives, blend, efficiency."""

from __future__ import annotations

import math

import numpy as np
import pytest
from fluids.friction import Colebrook, Swamee_Jain_1976

from linepack.errors import InputError
from linepack.hydraulics import (
    RE_LAMINAR,
    RE_TURBULENT,
    FrictionLaw,
    colebrook,
    darcy_friction,
    darcy_friction_by_code,
    hofer,
    reynolds_number,
    swamee_jain,
)

ALL_LAWS = list(FrictionLaw)
BLENDED_LAWS = [
    law for law in FrictionLaw if law not in (FrictionLaw.NIKURADSE_PANDAPIPES, FrictionLaw.PRANDTL_COLEBROOK)
]


def _grid(re_lo: float, re_hi: float, n_re: int, ed_lo: float, ed_hi: float, n_ed: int):
    re = np.logspace(np.log10(re_lo), np.log10(re_hi), n_re)
    ed = np.logspace(np.log10(ed_lo), np.log10(ed_hi), n_ed)
    r, e = np.meshgrid(re, ed)
    return r.ravel(), e.ravel()


def test_colebrook_matches_fluids_to_1e10() -> None:
    """Colebrook-White vs fluids.friction.Colebrook (fluids 1.3.1, the library named in
    /work/shared/refcases/textbook_flow_equations/README.md) over Re 4e3..1e8, k/D 1e-6..1e-2 and
    smooth pipe. Measured largest relative difference: 2.4e-14."""
    re, ed = _grid(4e3, 1e8, 40, 1e-6, 1e-2, 17)
    re = np.concatenate([re, np.logspace(np.log10(4e3), 8, 10)])
    ed = np.concatenate([ed, np.zeros(10)])
    ref = np.array([Colebrook(float(a), float(b)) for a, b in zip(re, ed, strict=True)])
    lam, _ = darcy_friction(FrictionLaw.COLEBROOK, re, ed, 0.5)
    assert np.max(np.abs(lam / ref - 1.0)) < 1e-10
    lam_direct, _ = colebrook(re, ed)
    assert np.max(np.abs(lam_direct / ref - 1.0)) < 1e-10


def test_colebrook_residual_over_extended_range() -> None:
    """The Newton solution satisfies Colebrook-White to machine precision from Re 2e3 to 1e10."""
    re, ed = _grid(2e3, 1e10, 60, 1e-8, 0.05, 20)
    lam, _ = colebrook(re, ed)
    x = 1.0 / np.sqrt(lam)
    residual = x + 2.0 * np.log10(ed / 3.7 + 2.51 * x / re)
    assert np.max(np.abs(residual / x)) < 1e-13


def test_prandtl_colebrook_uses_3_71() -> None:
    """PRANDTL_COLEBROOK solves Colebrook-White with k/(3.71 D) (the STANET/pandapipes '_PC' form,
    /work/shared/refcases/pandapipes_stanet_gas/README.md)."""
    re, ed = _grid(4e3, 1e8, 12, 1e-6, 1e-2, 5)
    lam, _ = darcy_friction("prandtl_colebrook", re, ed, 0.5)
    x = 1.0 / np.sqrt(lam)
    assert np.max(np.abs(x + 2.0 * np.log10(ed / 3.71 + 2.51 * x / re))) < 1e-12
    lam37, _ = darcy_friction("colebrook", re, ed, 0.5)
    assert np.max(np.abs(lam / lam37 - 1.0)) < 2e-3


def test_swamee_jain_formula_and_accuracy() -> None:
    """Swamee and Jain (1976): the formula 0.25/log10(k/(3.7D) + 5.74/Re^0.9)^2; fluids'
    Swamee_Jain_1976 writes 5.74/Re^0.9 as (6.97/Re)^0.9 (6.97^0.9 = 5.7395), hence ~2e-6 apart.
    Against Colebrook over the published range Re 5e3..1e8, k/D 1e-6..1e-2: measured worst 2.8 %
    (Re = 5e3, k/D = 1e-2), 1.6 % for k/D <= 1e-3; asserted < 3 % and < 2 % respectively."""
    re, ed = _grid(5e3, 1e8, 30, 1e-6, 1e-2, 9)
    lam, _ = swamee_jain(re, ed)
    formula = 0.25 / np.log10(ed / 3.7 + 5.74 / re**0.9) ** 2
    assert np.allclose(lam, formula, rtol=1e-14, atol=0.0)
    ref = np.array([Swamee_Jain_1976(float(a), float(b)) for a, b in zip(re, ed, strict=True)])
    assert np.max(np.abs(lam / ref - 1.0)) < 5e-6
    cb, _ = colebrook(re, ed)
    err = np.abs(lam / cb - 1.0)
    assert np.max(err) < 0.03
    assert np.max(err[ed <= 1e-3]) < 0.02


def test_hofer_formula_and_accuracy() -> None:
    """Hofer (1973): the explicit formula lambda = (2 log10(4.518/Re log10(Re/7) + k/(3.71 D)))^-2,
    and within 2 % of Colebrook-White for Re 4e3..1e8, k/D 1e-6..1e-2 (measured worst 1.98 %)."""
    re, ed = _grid(4e3, 1e8, 30, 1e-6, 1e-2, 9)
    lam, _ = hofer(re, ed)
    formula = np.array(
        [(2.0 * math.log10(4.518 / a * math.log10(a / 7.0) + b / 3.71)) ** -2 for a, b in zip(re, ed, strict=True)]
    )
    assert np.allclose(lam, formula, rtol=1e-13, atol=0.0)
    cb, _ = colebrook(re, ed)
    assert np.max(np.abs(lam / cb - 1.0)) < 0.02


def test_rough_and_empirical_law_formulas() -> None:
    """Closed forms: pandapipes Nikuradse (64/Re + (2 log10(D/k) + 1.14)^-2), AGA fully turbulent
    (1/sqrt(lambda) = 2 log10(3.7 D/k), the Re -> infinity limit of Colebrook), Weymouth
    (lambda = 4/F^2 with F = 11.18 d_in^(1/6), i.e. the classic 0.032/d_in^(1/3)), IGT (F = 4.619 Re^0.1)."""
    re = np.array([5e3, 1e5, 1e7])
    rr = np.array([1e-5, 1e-4, 1e-3])
    d = np.array([0.1, 0.5, 1.4])
    lam, _ = darcy_friction("nikuradse_pandapipes", re, rr, d)
    assert np.allclose(lam, 64.0 / re + (2.0 * np.log10(1.0 / rr) + 1.14) ** -2, rtol=1e-14)
    lam, _ = darcy_friction("aga", re, rr, d)
    assert np.allclose(lam, (2.0 * np.log10(3.7 / rr)) ** -2, rtol=1e-14)
    cb_inf, _ = colebrook(np.full(3, 1e14), rr)
    assert np.allclose(lam, cb_inf, rtol=1e-6)
    lam, _ = darcy_friction("weymouth", re, rr, d)
    assert np.allclose(lam, 0.032 / np.cbrt(d / 0.0254), rtol=1e-4)
    lam, _ = darcy_friction("igt", re, rr, d)
    assert np.allclose(lam, 4.0 / (4.619 * re**0.1) ** 2, rtol=1e-14)


def test_laminar_branch_is_hagen_poiseuille() -> None:
    """Re <= 2000: lambda = 64/Re for every law except NIKURADSE, which is the pandapipes formula at all Re."""
    re = np.array([1e-8, 1e-3, 1.0, 500.0, 1999.0, 2000.0])
    for law in BLENDED_LAWS:
        lam, dlam = darcy_friction(law, re, 1e-4, 0.5, fixed=0.012)
        assert np.allclose(lam, 64.0 / re, rtol=1e-14), law
        assert np.allclose(dlam, -64.0 / re**2, rtol=1e-14), law
    lam, _ = darcy_friction("nikuradse_pandapipes", re, 1e-4, 0.5)
    assert np.allclose(lam, 64.0 / re + (2.0 * 4.0 + 1.14) ** -2, rtol=1e-14)


@pytest.mark.parametrize("law", ALL_LAWS, ids=lambda law: law.name)
@pytest.mark.parametrize("efficiency", [1.0, 0.92])
def test_derivative_matches_finite_difference(law: FrictionLaw, efficiency: float) -> None:
    """dlambda/dRe against central differences in the laminar, transition and turbulent ranges."""
    re = np.array([1e-6, 10.0, 1500.0, 1999.0, 2001.0, 2300.0, 3000.0, 3700.0, 3999.0, 4001.0,
                   1e4, 3e5, 1e7, 1e8])
    rr = np.array([1e-6, 1e-5, 1e-4, 1e-3, 1e-2] * 3)[: re.size]
    d = np.linspace(0.05, 1.4, re.size)
    mu = 1.2e-5
    h = 1e-6 * re
    lam, dlam = darcy_friction(law, re, rr, d, efficiency, mu_pa_s=mu, fixed=0.012)
    lp, _ = darcy_friction(law, re + h, rr, d, efficiency, mu_pa_s=mu, fixed=0.012)
    lm, _ = darcy_friction(law, re - h, rr, d, efficiency, mu_pa_s=mu, fixed=0.012)
    fd = (lp - lm) / (2.0 * h)
    scale = np.abs(dlam) + lam / re
    assert np.all(np.abs(fd - dlam) <= 1e-6 * scale), np.abs(fd - dlam) / scale


@pytest.mark.parametrize("law", BLENDED_LAWS, ids=lambda law: law.name)
@pytest.mark.parametrize("re0", [RE_LAMINAR, RE_TURBULENT])
def test_lambda_re2_is_c1_at_band_edges(law: FrictionLaw, re0: float) -> None:
    """g = lambda Re^2 (proportional to lambda m|m|) and dg/dRe are continuous at Re = 2000 and 4000:
    one-sided values at re0 -/+ delta differ by O(delta), and the one-sided difference quotients agree."""
    rr, d = 1e-4, 0.3
    for delta in (1e-3, 1e-5):
        re = np.array([re0 - delta, re0 + delta])
        lam, dlam = darcy_friction(law, re, rr, d, fixed=0.012)
        g = lam * re**2
        dg = 2.0 * lam * re + dlam * re**2
        assert abs(g[1] - g[0]) <= 1e-6 * g[0] + 2.0 * delta * abs(dg[0]) * 1.01
        assert abs(dg[1] - dg[0]) <= 1e-2 * delta * abs(dg[0]) + 1e-9 * abs(dg[0])


def test_lambda_m_abs_m_is_c1_through_zero_flow() -> None:
    """Near zero flow lambda Re^2 = 64 Re, so lambda m|m| is linear in m and C1 through m = 0;
    the derivative stays finite for Re > 0."""
    re = np.array([1e-8, 1e-4, 1.0])
    for law in BLENDED_LAWS:
        lam, dlam = darcy_friction(law, re, 1e-4, 0.5, fixed=0.012)
        g = lam * re**2
        dg = 2.0 * lam * re + dlam * re**2
        assert np.allclose(g, 64.0 * re, rtol=1e-12)
        assert np.allclose(dg, 64.0, rtol=1e-10)
        assert np.all(np.isfinite(dlam))


@pytest.mark.parametrize(
    "law",
    [FrictionLaw.COLEBROOK, FrictionLaw.PRANDTL_COLEBROOK, FrictionLaw.SWAMEE_JAIN, FrictionLaw.HOFER,
     FrictionLaw.IGT, FrictionLaw.PANHANDLE_A, FrictionLaw.NIKURADSE_PANDAPIPES],
    ids=lambda law: law.name,
)
def test_lambda_re2_monotone_through_transition(law: FrictionLaw) -> None:
    """d(lambda Re^2)/dRe > 0 from Re 1 to 1e8 for the laws documented as monotone (D 0.05-1.4 m,
    k/D 1e-6-1e-2): the pipe conductance never changes sign."""
    re = np.concatenate([np.logspace(0, 8, 400), np.linspace(1990.0, 4010.0, 800)])
    for d in (0.05, 0.5, 1.4):
        for rr in (1e-6, 1e-4, 1e-2):
            lam, dlam = darcy_friction(law, re, rr, d, fixed=0.012)
            assert np.all(2.0 * lam * re + dlam * re**2 > 0.0), (d, rr)


def test_efficiency() -> None:
    """lambda_eff = lambda / E^2 for the pipe-only and Colebrook-family laws; for Panhandle A/B and IGT
    the turbulent part is evaluated at Re/E (their published flow equations scale the flow by E)."""
    re = np.array([1e4, 1e6, 1e7])
    for law in (FrictionLaw.COLEBROOK, FrictionLaw.AGA, FrictionLaw.WEYMOUTH, FrictionLaw.HOFER,
                FrictionLaw.SWAMEE_JAIN, FrictionLaw.NIKURADSE_PANDAPIPES, FrictionLaw.PRANDTL_COLEBROOK):
        l1, d1 = darcy_friction(law, re, 1e-4, 0.5, fixed=0.012)
        le, de = darcy_friction(law, re, 1e-4, 0.5, 0.9, fixed=0.012)
        assert np.allclose(le, l1 / 0.81, rtol=1e-14) and np.allclose(de, d1 / 0.81, rtol=1e-14)
    for law in (FrictionLaw.PANHANDLE_A, FrictionLaw.PANHANDLE_B, FrictionLaw.IGT):
        l1, _ = darcy_friction(law, re / 0.9, 1e-4, 0.5, fixed=0.012)
        le, _ = darcy_friction(law, re, 1e-4, 0.5, 0.9, fixed=0.012)
        assert np.allclose(le, l1 / 0.81, rtol=1e-14)


def test_panhandle_depends_on_flow_per_diameter_only() -> None:
    """Panhandle A/B: lambda is a function of m/D (Re*mu), so the same mass flow gives the same lambda
    whatever viscosity formed Re, as in the published equations (no viscosity there)."""
    m, d = np.array([50.0, 300.0]), np.array([0.5, 1.2])
    for law in ("panhandle_a", "panhandle_b"):
        lam = [darcy_friction(law, reynolds_number(m, d, mu), 1e-5, d, mu_pa_s=mu)[0] for mu in (1e-5, 2e-5)]
        assert np.allclose(lam[0], lam[1], rtol=1e-13)


def test_by_code_and_parsing() -> None:
    """darcy_friction_by_code equals per-law calls; names parse case-insensitively; unknown laws raise."""
    codes = np.array([int(law) for law in FrictionLaw] * 2)
    re = np.logspace(2, 8, codes.size)
    lam, dlam = darcy_friction_by_code(codes, re, 1e-4, 0.4, 0.95, fixed=0.012)
    for i, c in enumerate(codes):
        li, di = darcy_friction(FrictionLaw(int(c)), re[i], 1e-4, 0.4, 0.95, fixed=0.012)
        assert lam[i] == pytest.approx(float(li), rel=1e-14)
        assert dlam[i] == pytest.approx(float(di), rel=1e-14)
    assert FrictionLaw.parse("Panhandle-A") is FrictionLaw.PANHANDLE_A
    assert FrictionLaw.parse(8) is FrictionLaw.AGA
    with pytest.raises(InputError, match="unknown law"):
        FrictionLaw.parse("darcy")
    with pytest.raises(InputError, match=r"nikuradse_rough .* or nikuradse_pandapipes"):
        FrictionLaw.parse("nikuradse")  # two textbook laws share that name: the file must say which
    lam2, _ = darcy_friction("colebrook", np.ones((3, 4)) * 1e5, 1e-4, np.full((1, 4), 0.5))
    assert lam2.shape == (3, 4)


def test_reynolds_number() -> None:
    """Re = 4|m|/(pi D mu)."""
    assert float(reynolds_number(-10.0, 0.5, 1e-5)) == pytest.approx(4.0 * 10.0 / (math.pi * 0.5 * 1e-5), rel=1e-15)


def test_prandtl_colebrook_follows_the_stanet_convention() -> None:
    """PRANDTL_COLEBROOK: Colebrook (k/3.71 D) wherever it exceeds 64/Re, Hagen-Poiseuille below, no blend,
    continuous through the crossing and regular (linear lambda m|m|) at zero flow."""
    re = np.array([1e-8, 1e-3, 1.0, 500.0, 1500.0, 2600.0, 4000.0, 1e5])
    lam, _ = darcy_friction(FrictionLaw.PRANDTL_COLEBROOK, re, 1e-4, 0.5)
    lam_c = colebrook(np.maximum(re, 500.0), 1e-4, 3.71)[0]
    assert np.all(np.isfinite(lam))
    assert np.allclose(lam, np.maximum(64.0 / re, lam_c), rtol=1e-14)
    assert np.allclose(lam[:3] * re[:3], 64.0, rtol=1e-14)
    grid = np.linspace(800.0, 2500.0, 20001)
    lam_g, _ = darcy_friction(FrictionLaw.PRANDTL_COLEBROOK, grid, 1e-4, 0.5)
    assert np.max(np.abs(np.diff(lam_g))) < 1e-5  # continuous across the crossing
