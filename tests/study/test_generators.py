"""Study generators: N-1/N-2 case lists, sweep axes and reproducible Monte Carlo draws."""

from __future__ import annotations

import numpy as np
import pytest

import linepack as lp
from linepack.compile import EdgeKind, compile_network
from linepack.errors import InputError
from linepack.study.generators import SweepAxis, n_minus_k, outage_candidates, sweep
from linepack.study.montecarlo import MonteCarloModel, montecarlo


@pytest.fixture(scope="module")
def net() -> lp.Network:
    return lp.load_default_network()


@pytest.fixture(scope="module")
def cn(net: lp.Network) -> lp.CompiledNetwork:
    return compile_network(net, "psgp_base")


def test_n_minus_1_takes_every_pipe_compressor_and_source_out_once(cn: lp.CompiledNetwork) -> None:
    cases = n_minus_k(cn, 1)
    n_pipes = int(np.sum(cn.edge_kind == EdgeKind.PIPE))
    n_comps = len(cn.comp_edge)
    assert len(cases) == 1 + n_pipes + n_comps + len(cn.source_ids)
    assert cases[0].disable == () and [c.case_id for c in cases] == list(range(len(cases)))
    outs = [c.disable[0] for c in cases[1:]]
    assert len(set(outs)) == len(outs)
    assert {"PSGP-04", "CS2", "EETL_FSRU.supply", "TABEER_LNG.supply"} <= set(outs)


def test_n_minus_2_pairs(cn: lp.CompiledNetwork) -> None:
    n = len(outage_candidates(cn, ("compressor", "source")))
    cases = n_minus_k(cn, 2, ("compressor", "source"))
    assert len(cases) == 1 + n * (n - 1) // 2
    assert all(len(c.disable) == 2 for c in cases[1:])
    with pytest.raises(InputError, match="only N-1 and N-2"):
        n_minus_k(cn, 3)
    with pytest.raises(InputError, match="outage kinds"):
        n_minus_k(cn, 1, ("pipes",))


def test_sweep_grid_and_axes(net: lp.Network) -> None:
    a = SweepAxis.parse("demand_scale=0.8:1.2:5")
    assert a.values == pytest.approx((0.8, 0.9, 1.0, 1.1, 1.2))
    b = SweepAxis.parse("CS2.p_set_barg=90,95")
    cases = sweep(net, [a, b])
    assert len(cases) == 10
    assert cases[3].demand_scale == pytest.approx(0.9) and cases[3].patches == (("CS2", "p_set_barg", 95.0),)
    cat = sweep(net, [SweepAxis.parse("demand:power_plant=0.5")])[0]
    assert {p[0] for p in cat.patches} == {"BALLOKI_PP.demand", "BHIKKI_PP.demand", "HBS_PP.demand"}
    for bad, msg in [
        ("demand_scale", "KEY=START"),
        ("demand_scale=1:2:x", "START:STOP:N"),
        ("CS9.p_set_barg=1", "no component 'CS9'"),
        ("CS2.p_sett=1", "no field 'p_sett'"),
        ("demand:nuclear=1", "no sink of category"),
    ]:
        with pytest.raises(InputError, match=msg):
            sweep(net, [SweepAxis.parse(bad)])


def test_montecarlo_is_reproducible_and_independent_of_case_count(net: lp.Network, cn: lp.CompiledNetwork) -> None:
    a = montecarlo(net, cn, 12, seed=7)
    b = montecarlo(net, cn, 12, seed=7)
    assert a == b
    longer = montecarlo(net, cn, 30, seed=7)
    assert longer[:12] == a
    other = montecarlo(net, cn, 12, seed=8)
    assert other[0].patches != a[0].patches
    # every in-service sink gets a demand draw; fields decline; terminals sometimes late
    draws = dict(a[0].params)
    assert sum(k.startswith("demand:") for k in draws) == len(cn.sink_ids)
    assert all(0.85 < v < 0.96 for k, v in draws.items() if k.startswith("field:"))  # (1 - U(5 %, 12 %))^1
    late = [v for c in longer for k, v in c.params if k.startswith("terminal:") and v < 1]
    assert late and all(0.3 <= v <= 0.7 for v in late)


def test_montecarlo_model_file(tmp_path, net: lp.Network, cn: lp.CompiledNetwork) -> None:
    f = tmp_path / "mc.yaml"
    f.write_text("terminals: {p_cargo_delay: 1.0, delayed_low: 0.5, delayed_high: 0.5}\n")
    m = MonteCarloModel.load(f)
    case = montecarlo(net, cn, 1, 0, m)[0]
    assert all(v == 0.5 for k, v in case.params if k.startswith("terminal:"))
    f.write_text("terminals: {p_cargo_delay: 2}\n")
    with pytest.raises(InputError, match="p_cargo_delay"):
        MonteCarloModel.load(f)
