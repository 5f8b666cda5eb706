"""The compiled Chebyshev series of the mixtures' Z (gas.mixture_z: Clenshaw recurrence and the table's Z and
dZ/dp with its linear continuation) give the numpy path's values to the last bit."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba")


def test_compiled_clenshaw_is_bit_for_bit_the_numpy_recurrence(monkeypatch: pytest.MonkeyPatch) -> None:
    from linepack.gas import mixture_z

    rng = np.random.default_rng(3)
    for deg, n in ((1, 5), (7, 40), (24, 300)):
        c_t = rng.normal(size=(deg + 1, n)) * 10.0 ** rng.integers(-6, 2, size=(deg + 1, 1))
        s = np.concatenate([rng.uniform(-1.0, 1.0, n - 2), [-1.0, 1.0]])
        monkeypatch.setenv("LINEPACK_KERNEL", "numba")
        fast = mixture_z._clenshaw(c_t, s)
        monkeypatch.setenv("LINEPACK_KERNEL", "numpy")
        ref = mixture_z._clenshaw(c_t, s)
        assert fast.tobytes() == ref.tobytes()


def test_compiled_mixture_z_is_bit_for_bit_the_numpy_series(monkeypatch: pytest.MonkeyPatch) -> None:
    """Z and dZ/dp of a mixture table's series (rows of degree 12) at pressures inside and beyond its range."""
    from linepack.gas import mixture_z

    rng = np.random.default_rng(5)
    n_rows, deg = 4, 12
    coef_z = rng.normal(size=(n_rows, deg + 1)) * 1e-3
    coef_z[:, 0] = 0.9
    table = mixture_z.CollapsedZ(1e5, 150e5, coef_z, coef_z[:, 1:] * 0.1, coef_z[:, 2:] * 0.01)
    for lo, hi in ((2e5, 140e5), (0.5e5, 200e5)):
        rows = rng.integers(0, n_rows, 50)
        p = rng.uniform(lo, hi, 50)
        monkeypatch.setenv("LINEPACK_KERNEL", "numba")
        fast = table.evaluate(rows, p)
        monkeypatch.setenv("LINEPACK_KERNEL", "numpy")
        ref = table.evaluate(rows, p)
        assert fast[0].tobytes() == ref[0].tobytes() and fast[1].tobytes() == ref[1].tobytes()


def test_compiled_collapse_is_bit_for_bit_the_numpy_stencils() -> None:
    """A mixture's series (the stencil's vertices and weights, then the weighted sum in the stencil's order) from
    the compiled kernels equals numpy's bit for bit: the PSGP system's three source gases, mixtures over the
    whole simplex including its corners and edges."""
    import os

    import linepack as lp
    from linepack.gas import mixture_z

    cn = lp.compile_network(lp.load_default_network(), "psgp_base")
    gases = cn.quality.gas_set
    mz = mixture_z.mixture_z(gases, cn.gas.temperature_k)
    rng = np.random.default_rng(11)
    w = rng.dirichlet(np.ones(gases.k), 200)
    w[:gases.k] = np.eye(gases.k)  # pure gases
    w[gases.k] = 0.0
    w[gases.k, :2] = 0.5  # an edge of the simplex
    saved = os.environ.get("LINEPACK_KERNEL")
    try:
        os.environ["LINEPACK_KERNEL"] = "numpy"
        ref = mz.collapse(w)
        ref_rows, ref_wt = mz.stencils(w)
        os.environ["LINEPACK_KERNEL"] = "numba"
        fast = mz.collapse(w)
        rows, wt = mz.stencils(w)
    finally:
        if saved is None:
            os.environ.pop("LINEPACK_KERNEL", None)
        else:
            os.environ["LINEPACK_KERNEL"] = saved
    assert mixture_z._compiled_stencil() is not None and mixture_z._compiled_weighted() is not None
    assert np.array_equal(rows, ref_rows) and wt.tobytes() == ref_wt.tobytes()
    for name in ("coef_z", "coef_dz", "coef_d2z"):
        assert getattr(fast, name).tobytes() == getattr(ref, name).tobytes(), name
