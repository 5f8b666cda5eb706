"""Per-step shortcuts of the transient (frozen Colebrook friction, upwind weights) are the general functions,
bit for bit."""

from __future__ import annotations

import numpy as np

from linepack.hydraulics import darcy_friction
from linepack.transient.equations import RE_FROZEN_MIN, colebrook_turbulent


def test_colebrook_turbulent_is_darcy_friction_bit_for_bit() -> None:
    rng = np.random.default_rng(18)
    n = 5000
    re = 10.0 ** rng.uniform(np.log10(RE_FROZEN_MIN), 10.0, n)
    re[:3] = (RE_FROZEN_MIN, 4.0e3, 1.0e10)  # the edges of the range (4,000: the blend's weight is exactly 1)
    rr = np.where(rng.random(n) < 0.1, 0.0, 10.0 ** rng.uniform(-7.0, -1.5, n))
    eff = np.where(rng.random(n) < 0.5, 1.0, rng.uniform(0.8, 1.0, n))
    d = rng.uniform(0.1, 1.5, n)
    mu = rng.uniform(1e-5, 1.3e-5, n)
    want, _ = darcy_friction("colebrook", re, rr, d, eff, mu_pa_s=mu)
    got = colebrook_turbulent(re, rr, eff)
    assert got.tobytes() == want.tobytes()
    # and on parts of the arrays (the update evaluates each law's group of segments)
    sel = np.flatnonzero(rng.random(n) < 0.3)
    assert colebrook_turbulent(re[sel], rr[sel], eff[sel]).tobytes() == want[sel].tobytes()


def test_upwind_theta_is_upwind_blend_bit_for_bit() -> None:
    from linepack.quality.mixing import upwind_blend
    from linepack.transient.gas import upwind_theta

    rng = np.random.default_rng(12)
    qs = 0.37
    q = np.concatenate([rng.normal(0.0, 1.0, 3000), [qs, -qs, 0.0, -0.0, np.nan, np.inf, -np.inf, 1e-300]])
    for s in (qs, 0.0):
        want = upwind_blend(q, s)
        assert upwind_theta(q, s).tobytes() == want.tobytes()


def test_blend_rows_compiled_is_numpy_bit_for_bit(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest

    pytest.importorskip("numba")
    from linepack.gas.mixture_z import CollapsedZ
    from linepack.transient.gas import blend_rows

    rng = np.random.default_rng(21)
    n, m = 400, 150

    def series() -> CollapsedZ:
        r = np.random.default_rng(5)
        return CollapsedZ(1e5, 1e7, r.normal(size=(n + m, 13)), r.normal(size=(n + m, 12)), r.normal(size=(n + m, 11)))

    rows = n + np.sort(rng.choice(m, 90, replace=False))
    a, b = rng.integers(0, n, 90), rng.integers(0, n, 90)
    th = rng.uniform(0.0, 1.0, 90)
    got = {}
    for how in ("numpy", "numba"):
        monkeypatch.setenv("LINEPACK_KERNEL", how)
        s = series()
        blend_rows(s, rows, a, b, th)
        got[how] = (s.coef_z.tobytes(), s.coef_dz.tobytes(), s.coef_d2z.tobytes())
    assert got["numpy"] == got["numba"]
