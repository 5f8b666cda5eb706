"""The compiled bracketing loop of a unit's driver-power limit (stations.kernel) finds the same flows as the numpy
loop to the last bit, and the compiled unit power the numpy path, on the units of the embedded PSGP network and of
the reference line network (turbo and piston units; heads from below the map to beyond it, 20-100 bar gas)."""

from __future__ import annotations

import numpy as np
import pytest
from station_nets import line_network

import linepack as lp
from linepack.compile import compile_network
from linepack.stations import envelope, kernel

pytest.importorskip("numba")


def _units(net: lp.Network) -> tuple[object, np.ndarray]:
    cs = compile_network(net).stations
    assert cs is not None
    return cs.units, np.arange(len(cs.units))


NETS = {
    "psgp": lp.load_default_network,
    "line": lambda: line_network(40.0, driver_mw=1.6, p_set_barg=70.0),
    "piston": lambda: line_network(20.0, piston=True, n_units=2, p_set_barg=60.0),
}


@pytest.mark.parametrize("which", list(NETS))
def test_compiled_power_flow_is_bit_for_bit_the_numpy_loop(which: str, monkeypatch: pytest.MonkeyPatch) -> None:
    net = NETS[which]()
    units, idx = _units(net)
    monkeypatch.setenv("LINEPACK_KERNEL", "numba")
    assert kernel.compiled_bracket() is not None
    rng = np.random.default_rng(7)
    n = len(idx)
    for _ in range(40):
        h_ref = np.asarray(units.h_sx)[idx]  # type: ignore[attr-defined]
        h = h_ref * rng.uniform(0.02, 1.4, n)
        rho = rng.uniform(15.0, 90.0, n)
        top = np.asarray(units.q_ref)[idx] * rng.uniform(0.2, 3.0, n)  # type: ignore[attr-defined]
        monkeypatch.setenv("LINEPACK_KERNEL", "numba")
        fast = envelope.power_flow(units, idx, h, rho, top)  # type: ignore[arg-type]
        fast_c = envelope.power_flow(units, idx, h + 1j * 1e-30, rho, top)  # type: ignore[arg-type]
        monkeypatch.setenv("LINEPACK_KERNEL", "numpy")
        ref = envelope.power_flow(units, idx, h, rho, top)  # type: ignore[arg-type]
        ref_c = envelope.power_flow(units, idx, h + 1j * 1e-30, rho, top)  # type: ignore[arg-type]
        assert fast.tobytes() == ref.tobytes()
        assert fast_c.tobytes() == ref_c.tobytes()  # the derivative (the complex step) too


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


NETS = {
    "psgp": lp.load_default_network,
    "line": lambda: line_network(40.0, driver_mw=1.6, p_set_barg=70.0),
    "piston": lambda: line_network(20.0, piston=True, n_units=2, p_set_barg=60.0),
}


@pytest.mark.parametrize("which", list(NETS))
def test_compiled_unit_power_is_bit_for_bit_the_numpy_path(which: str, monkeypatch: pytest.MonkeyPatch) -> None:
    net = NETS[which]()
    units, idx = _units(net)
    rng = np.random.default_rng(11)
    n = len(idx)
    q_ref = np.asarray(units.q_ref)[idx]  # type: ignore[attr-defined]
    h_ref = np.asarray(units.h_sx)[idx]  # type: ignore[attr-defined]
    for _ in range(60):  # flows and heads inside, below and beyond the maps
        q, h, rho = q_ref * rng.uniform(0.0, 2.5, n), h_ref * rng.uniform(0.0, 1.6, n), rng.uniform(15.0, 90.0, n)
        monkeypatch.setenv("LINEPACK_KERNEL", "numba")
        fast = envelope.unit_power(units, idx, q, h, rho)  # type: ignore[arg-type]
        monkeypatch.setenv("LINEPACK_KERNEL", "numpy")
        ref = envelope.unit_power(units, idx, q, h, rho)  # type: ignore[arg-type]
        for a, b in zip(fast, ref, strict=True):
            assert np.asarray(a).tobytes() == np.asarray(b).tobytes()


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
