"""Load shedding by priority, least-cost dispatch, capacity: small hand-checkable networks."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("casadi")

from linepack.compile import compile_network
from linepack.errors import InputError
from linepack.optimize import capacity, dispatch, newton_check, shed, solve_problem

from .networks import one_node_four_classes, two_sources


def _shed_by_class(supply: float, penalties: dict[str, float] | None = None) -> dict[str, float]:
    cn = compile_network(one_node_four_classes(supply))
    res = solve_problem(cn, shed(cn, penalties))
    chk = newton_check(cn, res.p_pa, res.q_kg_s, res.supply_kg_s, res.delivered_kg_s)
    assert chk.max_rel_pressure < 1e-6 and chk.max_rel_flow < 1e-6
    return {cn.sink_category[k]: float(res.shed_kg_s[k]) for k in range(len(cn.sink_ids))}


def test_shedding_takes_the_lowest_priority_first() -> None:
    # 400 kg/s demanded, 250 available (compressor-free, so no fuel): 150 must be shed, industry first
    cut = _shed_by_class(250.0)
    assert cut["industry"] == pytest.approx(100.0, abs=1e-6)
    assert cut["fertiliser"] == pytest.approx(50.0, abs=1e-6)
    assert cut["power_plant"] == pytest.approx(0.0, abs=1e-6)
    assert cut["city_gate"] == pytest.approx(0.0, abs=1e-6)


def test_shedding_follows_configured_penalties() -> None:
    # make industry the most protected class: fertiliser (100) and power (50) go instead
    cut = _shed_by_class(250.0, {"industry": 500.0})
    assert cut["industry"] == pytest.approx(0.0, abs=1e-6)
    assert cut["fertiliser"] == pytest.approx(100.0, abs=1e-6)
    assert cut["power_plant"] == pytest.approx(50.0, abs=1e-6)


def test_no_shedding_when_supply_suffices() -> None:
    cut = _shed_by_class(450.0)
    assert max(cut.values()) == pytest.approx(0.0, abs=1e-6)


def test_shed_rejects_unknown_class() -> None:
    cn = compile_network(one_node_four_classes())
    with pytest.raises(InputError, match="unknown priority class 'households'"):
        shed(cn, {"households": 10.0})


def test_dispatch_takes_the_cheap_source_to_its_limit() -> None:
    cn = compile_network(two_sources())
    cheap_a = solve_problem(cn, dispatch(cn, {"A.supply": 4.0, "B.supply": 8.0}, 8.0))
    a = cn.source_ids.index("A.supply")
    assert cheap_a.supply_kg_s[a] == pytest.approx(80.0, rel=1e-7)  # A's capacity
    cheap_b = solve_problem(cn, dispatch(cn, {"A.supply": 8.0, "B.supply": 4.0}, 8.0))
    # B is cheaper but far and compressed: it takes as much as the pipe allows or the demand needs
    assert cheap_b.supply_kg_s[a] < cheap_a.supply_kg_s[a]
    chk = newton_check(cn, cheap_b.p_pa, cheap_b.q_kg_s, cheap_b.supply_kg_s, cheap_b.delivered_kg_s)
    assert chk.max_rel_pressure < 1e-6 and chk.max_rel_flow < 1e-6


def test_dispatch_needs_a_price_for_every_source() -> None:
    cn = compile_network(two_sources())
    with pytest.raises(InputError, match=r"no price for source\(s\) B.supply"):
        dispatch(cn, {"A.supply": 4.0}, 8.0)


def test_capacity_is_limited_by_the_delivery_pressure_and_newton_agrees() -> None:
    cn = compile_network(two_sources())
    res = solve_problem(cn, capacity(cn, ["L.demand"]))
    labels = [b.label for b in res.binding]
    assert "delivery L.demand minimum pressure" in labels
    l_node = cn.sink_node[0]
    assert res.p_pa[l_node] == pytest.approx(cn.sink_p_min_pa[0], rel=1e-8)
    chk = newton_check(cn, res.p_pa, res.q_kg_s, res.supply_kg_s, res.delivered_kg_s)
    assert chk.max_rel_pressure < 1e-6 and chk.max_rel_flow < 1e-6
    # more than the nominated 150 kg/s fits, and the total is what the sink receives
    assert float(np.sum(res.delivered_kg_s)) > 150.0
    assert res.objective == pytest.approx(cn.gas.basis.kg_s_to_mmscfd(float(np.sum(res.delivered_kg_s))), rel=1e-9)


def test_capacity_names_unknown_sink() -> None:
    cn = compile_network(two_sources())
    with pytest.raises(InputError, match="no sink or sink node 'NOWHERE'"):
        capacity(cn, ["NOWHERE"])


def test_least_violation_names_the_limit_that_cannot_be_met() -> None:
    from linepack.errors import InfeasibleError
    from linepack.optimize import least_violation, nomination

    net = one_node_four_classes(450.0)
    from linepack.model.components import Sink

    sink = net.find("industry.demand")
    assert isinstance(sink, Sink)
    net.collections["sinks"]["industry.demand"] = sink.model_copy(update={"p_min_barg": 70.0})
    cn = compile_network(net)
    with pytest.raises(InfeasibleError):
        solve_problem(cn, nomination(cn))
    res = solve_problem(cn, least_violation(cn))
    # 60 barg at the source, a small drop in the wide pipe, 70 barg wanted at T: about 11.8 bar short, either
    # as T below its minimum or as the source above its send-out pressure (the two cost the same)
    assert len(res.bound_violations) == 1
    v = res.bound_violations[0]
    assert ("node T" in v and "industry.demand minimum" in v) or ("node S" in v and "send-out" in v)
    t = cn.node_index("T")
    s_node = cn.node_index("S")
    drop = res.p_barg[s_node] - res.p_barg[t]
    assert res.objective == pytest.approx(70.0 + drop - 60.0, rel=1e-6)
    assert 10.0 < res.objective < 13.0
