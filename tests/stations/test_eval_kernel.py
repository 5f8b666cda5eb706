"""The compiled station model (stations.eval_kernel) gives the numpy path's values bit for bit, and (where it is
asked to run the complex step too) its complex-step derivatives to 1e-12 relative: every configuration of the
PSGP stations and of small stations with serial stages and piston units, at operating points from recycling to
beyond capacity, with and without the drivers' power limits."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from station_nets import line_network

import linepack as lp
from linepack.stations import eval_kernel, station
from linepack.stations.choice import all_candidates
from linepack.stations.points import suction_gas
from linepack.stations.station import evaluate

pytest.importorskip("numba")


def _evaluate_both(monkeypatch: pytest.MonkeyPatch, cn: lp.CompiledNetwork, m: object, ps: object, pd: object,
                   limits: object) -> tuple[object, object]:  # fmt: skip
    import numba  # noqa: F401  (loaded: the kernel is taken at once)

    cs = cn.stations
    gas = suction_gas(cn, None)
    slot_st, slot_cf = all_candidates(cs)
    reps = len(np.asarray(m)) // len(slot_st)
    st, cf = np.tile(slot_st, reps), np.tile(slot_cf, reps)
    monkeypatch.setenv("LINEPACK_KERNEL", "numpy")
    ref = evaluate(cs, gas, st, cf, m, ps, pd, limits)
    monkeypatch.setenv("LINEPACK_KERNEL", "auto")
    assert eval_kernel.compiled_station() is not None
    return ref, evaluate(cs, gas, st, cf, m, ps, pd, limits)


def _close(a: object, b: object, name: str, step_scale: float) -> None:
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, name
    for part in (np.real, np.imag):
        x, y = part(a).astype(float), part(b).astype(float)
        same = (x == y) | (np.isnan(x) & np.isnan(y))
        scale = np.maximum(np.abs(x), np.abs(y))
        if part is np.imag:  # derivatives (x 1e-30): also relative to value / input, the size of a unit sensitivity
            scale = np.maximum(scale, np.abs(np.real(a)) * step_scale)
        ok = same | (np.abs(x - y) <= 1e-12 * scale)
        assert np.all(ok), (name, part.__name__, x[~ok], y[~ok])


def _check(ref: object, fast: object, step_scale: float = 0.0) -> None:
    for f in dataclasses.fields(ref):
        _close(getattr(ref, f.name), getattr(fast, f.name), f.name, step_scale)


def _identical(ref: object, fast: object) -> None:
    for f in dataclasses.fields(ref):
        assert np.array_equal(getattr(ref, f.name), getattr(fast, f.name), equal_nan=True), f.name


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("net", ["psgp", "serial", "piston"])
def test_compiled_station_model_equals_numpy(monkeypatch: pytest.MonkeyPatch, net: str) -> None:
    if net == "psgp":
        cn = lp.compile_network(lp.load_default_network(), "psgp_base")
    elif net == "serial":
        cn = lp.compile_network(line_network(n_units=3, stages=[["C-A", "C-B"], ["C-C"]]))
    else:
        cn = lp.compile_network(line_network(piston=True))
    n_slot = len(all_candidates(cn.stations)[0])
    rng = np.random.default_rng(7)
    n = 60 * n_slot
    ps = rng.uniform(30e5, 80e5, n)
    pd = ps * rng.uniform(0.95, 2.2, n)  # from no compression to beyond the maps
    m = rng.uniform(-5.0, 600.0, n)  # recycling to beyond capacity
    for limits in (True, False, rng.random(n) < 0.5):
        ref, fast = _evaluate_both(monkeypatch, cn, m, ps, pd, limits)
        _identical(ref, fast)
        h = 1j * 1e-30
        # the complex step in each input, as solvers.station_rows takes it (through the kernel on request)
        monkeypatch.setattr(station, "COMPLEX_COMPILED", True)
        for mc, psc, pdc, size in ((m + h, ps, pd, 100.0), (m, ps + h, pd, 50e5), (m, ps, pd + h, 50e5)):
            ref, fast = _evaluate_both(monkeypatch, cn, mc, psc, pdc, limits)
            _check(ref, fast, 1e-30 / size)
