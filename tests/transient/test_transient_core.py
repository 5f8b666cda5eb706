"""Transient solver: Jacobian, rest state, mass conservation, settling to the steady solver's answer."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from tests.conftest import every_component_network

import linepack as lp
from linepack.compile import compile_network
from linepack.solvers.equations import ControlState
from linepack.transient import Profile, TransientOptions, constant_profile, segment_network, solve_transient
from linepack.transient.equations import TransientSystem


def _small_opts(**kw: float) -> TransientOptions:
    base = {"horizon_s": 4 * 3600.0, "dt_s": 600.0, "segment_length_m": 10_000.0, "output_interval_s": 3600.0}
    base.update(kw)
    return TransientOptions(**base)  # type: ignore[arg-type]


def test_segmentation_keeps_lengths_volumes_and_topology() -> None:
    cn = compile_network(every_component_network())
    seg = segment_network(cn, 7_000.0)
    n_p = seg.n_pipes
    assert np.allclose(np.bincount(seg.seg_pipe, seg.seg_x1_m - seg.seg_x0_m), cn.length_m[:n_p])
    assert np.all(seg.seg_x1_m - seg.seg_x0_m <= 7_000.0 + 1e-9)
    vol = np.pi * cn.diameter_m[:n_p] ** 2 / 4 * cn.length_m[:n_p]
    assert seg.volume_m3.sum() == pytest.approx(vol.sum(), rel=1e-12)
    # every column of the incidence matrix has one -1 and one +1
    inc = seg.cn.incidence.tocsc()
    assert np.all(np.diff(inc.indptr) == 2)
    assert np.allclose(np.asarray(inc.sum(axis=0)).ravel(), 0.0)
    # elevation differences of the segments add up to the pipe's
    assert np.allclose(np.bincount(seg.seg_pipe, seg.cn.dh_m[: seg.n_segments]), cn.dh_m[:n_p])


def test_bad_segment_length_is_an_input_error() -> None:
    cn = compile_network(every_component_network())
    with pytest.raises(lp.InputError, match="segment length"):
        segment_network(cn, 0.0)
    with pytest.raises(lp.InputError, match="not a pipe"):
        segment_network(cn, 1000.0, fixed_friction={"C1": 0.01})


@pytest.mark.parametrize(("inertia", "lagged"), [(True, False), (False, False), (True, True)])
def test_step_jacobian_matches_finite_differences(inertia: bool, lagged: bool) -> None:
    cn = compile_network(every_component_network())
    seg = segment_network(cn, 20_000.0, fixed_friction={"P5": 0.012})
    res = lp.solve_steady(cn)
    scn = seg.cn
    state = ControlState.initial(scn)
    mu = np.full(len(scn.res_edge), 1.1e-5)
    sys = TransientSystem(scn, state, mu, 70e5, 100.0, seg.volume_m3, seg.fixed_friction, inertia)
    rng = np.random.default_rng(3)
    p = np.full(scn.n_nodes, float(np.mean(res.p_pa))) * (1 + 0.05 * rng.standard_normal(scn.n_nodes))
    q = 30.0 + 10.0 * rng.standard_normal(scn.n_edges)
    q[:3] = [2e-3, -0.05, 0.4]  # slow flows: laminar and transitional segments keep the exact friction law
    x = sys.pack(p, q, np.full(sys.k, 20.0))
    rho_old, _ = sys.density(p * 0.98)
    sys.set_step(120.0, rho_old, q[scn.res_edge] * 0.9)
    sys.freeze_friction(q[scn.res_edge] * 1.1 if lagged else None)
    J = sys.jacobian(x).toarray()
    h = 1e-7
    fd = np.empty_like(J)
    for i in range(len(x)):
        e = np.zeros(len(x))
        e[i] = h * max(1.0, abs(x[i]))
        fd[:, i] = (sys.residual(x + e) - sys.residual(x - e)) / (2 * e[i])
    scale = np.maximum(np.abs(J), np.abs(fd)).max(axis=1, keepdims=True) + 1e-12
    assert np.max(np.abs(J - fd) / scale) < 1e-5


def test_constant_boundaries_keep_the_steady_state() -> None:
    net = every_component_network()
    res = solve_transient(net, profile=constant_profile(), options=_small_opts(horizon_s=6 * 3600.0, dt_s=900.0))
    assert res.completed
    p0 = res.node_p_pa[0]
    assert np.max(np.abs(res.node_p_pa / p0 - 1.0)) < 1e-8
    q0 = res.edge_q_kg_s[0]
    assert np.max(np.abs(res.edge_q_kg_s - q0)) < 1e-8 * max(1.0, float(np.max(np.abs(q0))))
    assert np.max(np.abs(res.linepack_kg / res.linepack_kg[0] - 1.0)) < 1e-8
    # the rest state agrees with the steady solver (same physics on a finer grid)
    steady = lp.solve_steady(net)
    assert np.max(np.abs(p0 / steady.p_pa - 1.0)) < 1e-4


def test_mass_conservation_with_varying_demand() -> None:
    net = every_component_network()
    t = np.array([0.0, 3600.0, 7200.0, 10800.0, 14400.0])
    prof = Profile("ramp", t, {"demand:*": np.array([1.0, 1.25, 0.7, 0.9, 1.1])})
    res = solve_transient(net, profile=prof, options=_small_opts(dt_s=300.0))
    assert res.completed
    dlp = res.linepack_kg[-1] - res.linepack_kg[0]
    assert abs(dlp) > 1e3  # the run really packs or drafts
    assert res.conservation_error() < 1e-9
    # at every stored time, not only at the end
    err = np.abs((res.linepack_kg - res.linepack_kg[0]) - res.net_inflow_integral_kg)
    assert np.max(err) < 1e-9 * np.max(np.abs(res.linepack_kg - res.linepack_kg[0]))
    # per pipe linepack adds up to the system linepack
    assert np.allclose(res.pipe_linepack_kg.sum(axis=1), res.linepack_kg, rtol=1e-12)


def test_step_change_settles_to_the_new_steady_state() -> None:
    net = every_component_network()
    t = np.array([0.0, 60.0])
    prof = Profile("step", t, {"demand:*": np.array([1.0, 0.8])})
    res = solve_transient(
        net, profile=prof, options=_small_opts(horizon_s=4 * 86400.0, dt_s=3600.0, segment_length_m=5_000.0)
    )
    assert res.completed
    cn = compile_network(net)
    target = lp.solve_steady(replace(cn, sink_demand=cn.sink_demand * 0.8))
    # moved away from the old state, and settled on the new one
    assert np.max(np.abs(res.node_p_pa[0] / target.p_pa - 1.0)) > 1e-2
    assert np.max(np.abs(res.node_p_pa[-1] / target.p_pa - 1.0)) < 2e-4
    assert np.max(np.abs(res.node_p_pa[-1] / res.node_p_pa[-2] - 1.0)) < 1e-7
