"""The compiled transient kernels (numba, extra `kernel`) give the numpy path's values, and a run with them the
same states, step for step."""

from __future__ import annotations

import numpy as np
import pytest

import linepack as lp
from linepack.transient import TransientOptions, solve_transient, winter_day_profile
from linepack.transient import kernel as kmod

pytest.importorskip("numba")


def _run(monkeypatch: pytest.MonkeyPatch, mode: str, mixing: str = "auto") -> lp.transient.TransientResult:  # type: ignore[name-defined]
    from linepack.model.network import Settings

    monkeypatch.setenv(kmod.ENV, mode)
    opts = TransientOptions(horizon_s=1800.0, dt_s=60.0, segment_length_m=5000.0)
    net = lp.load_default_network()
    net.settings = Settings(**{**net.settings.model_dump(), "mixing": mixing})
    return solve_transient(net, "psgp_base", profile=winter_day_profile(), options=opts)


def test_kernel_run_equals_the_numpy_run_with_one_gas(monkeypatch: pytest.MonkeyPatch) -> None:
    """One gas (mixing off): Z from the network gas's table."""
    ref = _run(monkeypatch, "numpy", "off")
    res = _run(monkeypatch, "auto", "off")
    assert res.gas_holdup_kg is None  # no tracking
    assert np.array_equal(ref.newton_iterations, res.newton_iterations)
    assert np.max(np.abs(res.node_p_pa / ref.node_p_pa - 1.0)) < 1e-13
    assert np.max(np.abs(res.edge_q_kg_s - ref.edge_q_kg_s)) < 1e-9 * np.max(np.abs(ref.edge_q_kg_s))


def test_kernel_run_equals_the_numpy_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """PSGP's gases mix: the kernels take Z from the property layer's Taylor expansions (re-centred as LocalZ)."""
    ref = _run(monkeypatch, "numpy")
    used = {"law": 0, "storage": 0}
    law, storage = kmod.StepKernel.segment_law, kmod.StepKernel.storage

    def counted(fn, key):  # type: ignore[no-untyped-def]
        def call(*a):  # type: ignore[no-untyped-def]
            out = fn(*a)
            used[key] += out is not None
            return out

        return call

    monkeypatch.setattr(kmod.StepKernel, "segment_law", counted(law, "law"))
    monkeypatch.setattr(kmod.StepKernel, "storage", counted(storage, "storage"))
    res = _run(monkeypatch, "auto")
    assert res.seg.cn.quality is not None and res.gas_holdup_kg is not None  # gases tracked
    assert used["law"] > 30 and used["storage"] > 30  # the kernels answered every step
    assert np.array_equal(ref.newton_iterations, res.newton_iterations)
    assert np.max(np.abs(res.node_p_pa / ref.node_p_pa - 1.0)) < 1e-13
    assert np.max(np.abs(res.linepack_kg / ref.linepack_kg - 1.0)) < 1e-13
    assert np.max(np.abs(res.edge_q_kg_s - ref.edge_q_kg_s)) < 1e-9 * np.max(np.abs(ref.edge_q_kg_s))


def test_kernels_match_the_numpy_terms_and_fall_back_outside_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from linepack.solvers.steady import _scales
    from linepack.transient.discretise import segment_network
    from linepack.transient.equations import TransientSystem

    monkeypatch.setenv(kmod.ENV, "auto")
    net = lp.load_default_network()
    cn = lp.compile_network(net, "psgp_base")
    res = lp.solve_steady(cn)
    seg = segment_network(cn, 20_000.0)
    p_ref, m_ref = _scales(seg.cn)
    mu = np.full(len(seg.cn.res_edge), 1.1e-5)
    sys_ = TransientSystem(seg.cn, res.control, mu, p_ref, m_ref, seg.volume_m3, seg.fixed_friction)
    assert sys_.kernel is not None
    rng = np.random.default_rng(0)
    n = seg.cn.n_nodes
    p = np.interp(np.arange(n), [0, n], [60e5, 90e5]) * rng.uniform(0.98, 1.02, n)
    q = rng.normal(0.0, 200.0, seg.cn.n_edges)
    q[:5] = 1e-9  # laminar-linear segments
    q_res = q[seg.cn.res_edge]
    sys_.freeze_friction(q_res * 0.9)
    rho_old, _ = sys_.density(p * 0.999)
    sys_.set_step(60.0, rho_old, q_res * 0.95)
    kern = sys_.kernel
    fast = sys_._segment_law_value(p, q)
    sys_.kernel = None
    ref = sys_._segment_law_value(p, q)
    assert np.allclose(fast, ref, rtol=1e-13, atol=1e-13 * np.max(np.abs(ref)))
    st_ref = sys_.storage_rate(p)
    sys_.kernel = kern
    assert np.allclose(sys_.storage_rate(p), st_ref, rtol=1e-13, atol=1e-13 * np.max(np.abs(st_ref)))
    # a pressure outside the Z table: the kernel declines, the numpy path (the model itself) answers
    p_out = p.copy()
    p_out[0] = 1e9
    assert kern.storage(p_out, sys_.volume, rho_old, 1.0, 60.0) is None
    assert np.all(np.isfinite(sys_.storage_rate(p_out)))


def test_unit_series_of_the_whole_run_equal_those_of_each_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """The unit series evaluated once for all steps (transient.unit_record) are those of unit_points at each step
    (with the gas of that step: PSGP's gases mix and move)."""
    import copy

    from linepack.transient import unit_record

    once = _run(monkeypatch, "auto")
    init = unit_record.UnitRecorder.__init__

    def per_step(self: unit_record.UnitRecorder, cs: object, n_t: int, names: tuple[str, ...]) -> None:
        init(self, cs, n_t, names)  # type: ignore[arg-type]
        self.cs = copy.copy(self.cs)  # not the network's stations: every step takes the per-step path

    monkeypatch.setattr(unit_record.UnitRecorder, "__init__", per_step)
    each = _run(monkeypatch, "auto")
    assert once.units is not None and each.units is not None
    assert np.array_equal(once.units.config, each.units.config)
    running = 0
    for name, ref in each.units.values.items():
        got = once.units.values[name]
        assert np.array_equal(np.isnan(got), np.isnan(ref)), name
        ok = ~np.isnan(ref)
        running = int(ok.sum())
        assert np.allclose(got[ok], ref[ok], rtol=1e-12, atol=1e-12 * np.max(np.abs(ref[ok]))), name
    assert running > 0
