"""The warm-start option of solve_steady and the scenario compose() overlay used by studies."""

from __future__ import annotations

import numpy as np
import pytest

import linepack as lp
from linepack.compile import compile_view
from linepack.model.scenario import Scenario, compose, resolve


@pytest.fixture(scope="module")
def psgp() -> tuple[lp.Network, object, lp.SteadyResult]:
    net = lp.load_default_network()
    base = resolve(net.scenarios, "psgp_base")
    return net, base, lp.solve_steady(compile_view(net.view(base)))


def test_compose_follows_base_chain_rules(psgp: tuple) -> None:
    net, base, _ = psgp
    over = Scenario(disable=["CS1"], enable=["CS_SAHIWAL"], demand_scale=1.1, set={"KARACHI.demand": {"demand": 5.0}})
    sc = compose(base, over, "case")
    assert "CS1" in sc.disabled and "CS1" not in sc.enabled
    assert "CS_SAHIWAL" in sc.enabled
    assert sc.demand_scale == pytest.approx(base.demand_scale * 1.1)
    assert sc.patches["KARACHI.demand"] == {"demand": 5.0}
    # re-enabling what the base disabled, and the base left untouched
    again = compose(sc, Scenario(enable=["CS1"]), "again")
    assert "CS1" in again.enabled and "CS1" not in again.disabled
    assert "CS1" not in base.disabled
    cn = compile_view(net.view(sc))
    assert "CS1" not in cn.edge_ids


# (SUI_FIELD.supply out is infeasible once the gases mix: the volume demands then need 16 kg/s more than EETL can add)
@pytest.mark.parametrize("outage", ["SNGPL-FSD", "CS1", "QADIRPUR_FIELD.supply"])
def test_warm_start_gives_the_cold_solution(psgp: tuple, outage: str) -> None:
    net, base, base_res = psgp
    cn = compile_view(net.view(compose(base, Scenario(disable=[outage]), outage)))
    cold = lp.solve_steady(cn)
    warm = lp.solve_steady(cn, initial=base_res)
    # both stop once the lagged viscosity settles to 1e-4 (SteadyOptions.viscosity_rel_tol): they agree to
    # about 1e-6 (the stations' fuel, drawn at their suction, moves the flows a little with the pressures)
    np.testing.assert_allclose(warm.p_pa, cold.p_pa, rtol=2e-6)
    np.testing.assert_allclose(warm.q_kg_s, cold.q_kg_s, rtol=5e-6, atol=1e-6)
    assert warm.active_bounds == cold.active_bounds
    assert warm.iterations <= cold.iterations


def test_warm_start_from_itself_converges_at_once(psgp: tuple) -> None:
    _, _, base_res = psgp
    again = lp.solve_steady(base_res.network, initial=base_res)
    assert again.iterations <= 2
    np.testing.assert_allclose(again.p_pa, base_res.p_pa, rtol=1e-6)  # the viscosity lag of 1e-4 (above)


def test_warm_start_recomputes_targets_of_carried_bounds(psgp: tuple) -> None:
    """A carried source bound uses the case's own limits, not the base's (here a lower send-out limit)."""
    net, base, base_res = psgp
    assert any("TABEER_LNG.supply limited" in b for b in base_res.active_bounds)
    sc = compose(base, Scenario(set={"TABEER_LNG.supply": {"p_max_barg": 68.0}}), "lower")
    cn = compile_view(net.view(sc))
    cold, warm = lp.solve_steady(cn), lp.solve_steady(cn, initial=base_res)
    np.testing.assert_allclose(warm.p_pa, cold.p_pa, rtol=1e-6)
    k = cn.node_ids.index("TABEER_LNG")
    assert warm.p_barg[k] == pytest.approx(68.0, abs=1e-6)
