"""A study case's answer does not depend on its path: warm from the base or cold, and the supply check in moles
before solving gives the answer the full solve gives (Monte Carlo draws of psgp_base, seed 0)."""

from __future__ import annotations

import numpy as np
import pytest

import linepack as lp
import linepack.solvers.steady as steady
from linepack.errors import InfeasibleError
from linepack.solvers.molar_balance import least_sink_mol_s, molar_supply_problems
from linepack.study.cases import StudyContext
from linepack.study.evaluate import BaseCase, array_overlay, base_case
from linepack.study.montecarlo import montecarlo


@pytest.fixture(scope="module")
def draws() -> tuple[BaseCase, list]:
    net = lp.load_default_network()
    base = base_case(StudyContext.from_network(net, "psgp_base", shed=False))
    return base, list(montecarlo(net, base.cn, 36, seed=0))


# 7: nothing switches; 9: EETL goes to its capacity; 19: a source bound and two stations change configuration;
# 34: the most rounds of the first 40 draws
@pytest.mark.parametrize("draw", [7, 9, 19, 34])
def test_a_draw_solved_warm_is_the_draw_solved_cold(draws: tuple, draw: int) -> None:
    base, specs = draws
    cn = array_overlay(base).apply(specs[draw])
    cold = lp.solve_steady(cn, options=base.options)
    warm = lp.solve_steady(cn, options=base.options, initial=base.result)
    # the same state to well below the solver's tolerance (1e-10 per unit; measured: 2e-12 in p, 5e-9 kg/s)
    np.testing.assert_allclose(warm.p_pa, cold.p_pa, rtol=1e-10)
    np.testing.assert_allclose(warm.q_kg_s, cold.q_kg_s, rtol=0, atol=1e-7)
    np.testing.assert_allclose(warm.source_supply_kg_s, cold.source_supply_kg_s, rtol=0, atol=1e-7)
    assert warm.gas_state is not None and cold.gas_state is not None
    np.testing.assert_allclose(warm.gas_state.mix.y_node, cold.gas_state.mix.y_node, rtol=0, atol=1e-9)
    # the same active set: modes, source bounds, station configurations, and the words that report them
    assert warm.active_bounds == cold.active_bounds
    for name in ("comp_mode", "reg_mode", "src_bound", "src_pressure", "station_config"):
        assert np.array_equal(getattr(warm.control, name), getattr(cold.control, name)), name
    assert warm.violations == cold.violations


def test_the_least_molar_demand_bounds_what_a_solved_draw_draws(draws: tuple) -> None:
    """What each sink draws in moles at a solution lies at or above the bound the check uses."""
    base, specs = draws
    cn = array_overlay(base).apply(specs[19])
    res = lp.solve_steady(cn, options=base.options, initial=base.result)
    q = cn.quality
    assert q is not None and res.gas_state is not None
    gas = res.gas_state
    drawn = gas.sink_demand_kg_s / q.gas_set.molar_mass(gas.w_node[cn.sink_node])
    least = least_sink_mol_s(cn)
    assert least is not None
    assert np.all(least <= drawn * (1 + 1e-12))
    assert np.sum(least) > 0.99 * np.sum(drawn)  # and it is a tight bound (the gases' Z differ by 0.1 %)
    assert molar_supply_problems(cn) == []


def test_a_draw_short_in_moles_is_reported_before_solving_and_the_solve_agrees(
    draws: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Draw 2 asks about 0.7 % more gas, in moles, than the sources can give; the mass check with the lightest gas
    lets it through, the check in moles stops it at once; solved in full, it is infeasible as well."""
    base, specs = draws
    cn = array_overlay(base).apply(specs[2])
    problems = molar_supply_problems(cn)
    assert len(problems) == 1 and problems[0].startswith("supply below demand in moles of gas")
    with pytest.raises(InfeasibleError) as quick:
        lp.solve_steady(cn, options=base.options, initial=base.result)
    assert quick.value.diagnosis == problems
    monkeypatch.setattr(steady, "molar_supply_problems", lambda cn: [])
    with pytest.raises(InfeasibleError) as full:
        lp.solve_steady(cn, options=base.options, initial=base.result)
    assert any("supply below demand" in d or "at capacity" in d for d in full.value.diagnosis)
