"""Cases that change only demands, inflows and capacities patch the compiled base's arrays: the same compiled
network, value for value, as the general overlay path (compose, view, compile)."""

from __future__ import annotations

import numpy as np

import linepack as lp
from linepack.compile import compile_view
from linepack.model.scenario import compose
from linepack.study.cases import CaseSpec, StudyContext
from linepack.study.evaluate import array_overlay, base_case
from linepack.study.montecarlo import montecarlo


def _general(base, case: CaseSpec) -> lp.CompiledNetwork:  # type: ignore[no-untyped-def]
    return compile_view(base.network.view(compose(base.resolved, case.overlay(), f"case {case.case_id}")))


def test_monte_carlo_cases_patch_the_arrays_exactly() -> None:
    net = lp.load_default_network()
    base = base_case(StudyContext.from_network(net, "psgp_base", shed=False))
    fast = array_overlay(base)
    cases = montecarlo(net, base.cn, 12, seed=3)
    cases.append(CaseSpec(99, "scaled", demand_scale=1.1, supply_scale=0.9))
    for case in cases:
        cn = fast.apply(case)
        assert cn is not None, case.label
        ref = _general(base, case)
        assert cn.scenario == ref.scenario
        for name in ("sink_demand", "source_inflow", "source_capacity"):
            assert np.array_equal(getattr(cn, name), getattr(ref, name)), name
        assert cn.sink_ids == ref.sink_ids and cn.source_ids == ref.source_ids


def test_other_cases_take_the_general_path() -> None:
    net = lp.load_default_network()
    base = base_case(StudyContext.from_network(net, "psgp_base", shed=False))
    fast = array_overlay(base)
    sink = base.cn.sink_ids[0]
    pipe = base.cn.edge_ids[0]
    assert fast.apply(CaseSpec(1, "outage", disable=(pipe,))) is None
    assert fast.apply(CaseSpec(2, "negative", patches=((sink, "demand", -1.0),))) is None  # the error is worded there
    assert fast.apply(CaseSpec(3, "other field", patches=((sink, "p_min_barg", 20.0),))) is None
    assert fast.apply(CaseSpec(4, "unknown", patches=(("NOPE", "demand", 1.0),))) is None
