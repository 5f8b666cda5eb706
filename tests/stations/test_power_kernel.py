"""The compiled bracket and Newton step of a unit's driver power limit (stations.power_kernel) give the numpy
path's flows bit for bit, including the units that are free (power never binds) or stuck (even no flow needs
more), and the complex step through it (the numpy Newton step on the compiled bracket)."""

from __future__ import annotations

import numpy as np
import pytest

import linepack as lp
from linepack.stations import envelope as env_mod
from linepack.stations import power_kernel as pk

pytest.importorskip("numba")


def _power_flows(monkeypatch: pytest.MonkeyPatch, mode: str, h: object, rho: object, top: object) -> np.ndarray:
    import numba  # noqa: F401  (once numba is loaded the compiled kernel is taken at once)

    monkeypatch.setenv(pk.ENV, mode)
    cn = lp.compile_network(lp.load_default_network(), "psgp_base")
    u = cn.stations.units
    idx = np.tile(np.arange(len(u)), 40)
    return np.asarray(env_mod.power_flow(u, idx, h, rho, top))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the reference loop at infinite upper flows
def test_compiled_bracket_equals_the_numpy_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    assert pk.ETA_FLOOR == env_mod.ETA_FLOOR
    rng = np.random.default_rng(3)
    cn = lp.compile_network(lp.load_default_network(), "psgp_base")
    n = 40 * len(cn.stations.units)
    # heads from nearly nothing to beyond the maps, suction densities of 20-120 kg/m3, upper flows incl. inf
    h = rng.uniform(1e3, 1.5e5, n)
    rho = rng.uniform(20.0, 120.0, n)
    top = rng.uniform(0.1, 20.0, n)
    top[::7] = np.inf
    ref = _power_flows(monkeypatch, "numpy", h, rho, top)
    fast = _power_flows(monkeypatch, "auto", h, rho, top)
    import numba  # noqa: F401  (loaded: the kernel is taken at once)

    assert pk.compiled_bracket() is not None
    assert np.array_equal(ref, fast, equal_nan=True)
    assert np.isinf(ref).any() and np.isfinite(ref).any()  # free units and bound ones are both covered
    # the complex step through the solve (the Jacobian's derivative of the capacity) is the same too
    hc = h + 1j * 1e-30
    ref_c = _power_flows(monkeypatch, "numpy", hc, rho, top)
    fast_c = _power_flows(monkeypatch, "auto", hc, rho, top)
    assert np.array_equal(ref_c, fast_c, equal_nan=True)
