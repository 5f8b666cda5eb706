"""An optimiser that never cries wolf (issue 16): shedding always gives a plan and is verified with the same
balance; infeasibility said in one line before any NLP; honest numbers in reports (marginal values that are not
penalty weights, no compression nothing needs, tolerance-aware limits, the MILP's approximation error)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from linepack import load_default_network
from linepack.compile import compile_network
from linepack.errors import InfeasibleError
from linepack.optimize import capacity, min_fuel, newton_check, shed, solve_problem
from linepack.units import BAR_PA
from linepack.violations import LIMIT_TOLERANCE_BAR, find_violations

from .networks import two_sources


@pytest.fixture(scope="module")
def psgp() -> object:
    return compile_network(load_default_network(), "psgp_base")


@pytest.fixture(scope="module")
def psgp_one_gas() -> object:
    """psgp_base carrying one gas (settings.mixing off). With the shipped source gases mixing, the shedding plans
    of the extreme cases below are not yet verified: at 3-5 times the demand the first stage's coefficient fixed
    point does not settle within its rounds while the gas is held, and the second stage then finds no feasible
    point; at a tenth of the supply the plan's pressures differ from the simulator's by 2e-5 (docs/quality.md)."""
    net = load_default_network()
    net.settings = net.settings.model_copy(update={"mixing": "off"})
    return compile_network(net, "psgp_base")


def _verified(cn: object, res: object) -> object:
    chk = newton_check(cn, res.p_pa, res.q_kg_s, res.supply_kg_s, res.delivered_kg_s)  # type: ignore[attr-defined]
    assert chk.max_rel_pressure < 1e-6 and chk.max_rel_flow < 1e-6 and chk.max_rel_supply < 1e-6
    assert not chk.steady.violations
    return chk


def test_shedding_on_the_supply_short_winter_case_is_verified_with_fuel_in_the_balance() -> None:
    """existing_2024_full_demand: the plan used to be rejected by the verification, whose balance check left out
    the compressor fuel (the surplus it reported was the fuel)."""
    cn = compile_network(load_default_network(), "existing_2024_full_demand")
    res = solve_problem(cn, shed(cn))
    assert res.shed_kg_s.sum() > 10.0 and res.comp_fuel_kg_s.sum() > 0.0
    # supplies = deliveries + fuel, exactly (the balance the simulator checks)
    assert res.supply_kg_s.sum() == pytest.approx(res.delivered_kg_s.sum() + res.comp_fuel_kg_s.sum(), rel=1e-9)
    _verified(cn, res)


@pytest.mark.parametrize("factor", [3.0, 5.0])
def test_shedding_at_several_times_the_demand_gives_a_plan(psgp_one_gas: object, factor: float) -> None:
    """At three times the demand IPOPT used to stop in a point of local infeasibility (it started from a point
    asking for all the demand); shedding more is always feasible."""
    cn = replace(psgp_one_gas, sink_demand=psgp_one_gas.sink_demand * factor)  # type: ignore[attr-defined]
    res = solve_problem(cn, shed(cn))
    # what is delivered is what the supplies can give, less fuel
    assert res.delivered_kg_s.sum() == pytest.approx(res.supply_kg_s.sum() - res.comp_fuel_kg_s.sum(), rel=1e-9)
    assert res.shed_kg_s.sum() > (factor - 1.5) * psgp_one_gas.sink_demand.sum()  # type: ignore[attr-defined]
    _verified(cn, res)


def test_shedding_after_both_rlng_terminals_trip(psgp: object) -> None:
    """Every pressure-held source at zero capacity: the start used to be NaN."""
    inflow, cap = psgp.source_inflow.copy(), psgp.source_capacity.copy()  # type: ignore[attr-defined]
    for sid in ("TABEER_LNG.supply", "EETL_FSRU.supply"):
        k = psgp.source_ids.index(sid)  # type: ignore[attr-defined]
        inflow[k] = cap[k] = 0.0
    cn = replace(psgp, source_inflow=inflow, source_capacity=cap)
    res = solve_problem(cn, shed(cn))
    assert res.shed_kg_s.sum() > 100.0
    _verified(cn, res)


def test_shedding_that_leaves_a_line_without_gas_is_verified(psgp_one_gas: object) -> None:
    """A tenth of the supply: whole laterals are shed, and the simulator leaves those parts (no supply, no
    demand) out of its result; the verification compares what is left (it used to fail on the array sizes)."""
    one = psgp_one_gas
    cn = replace(one, source_inflow=one.source_inflow * 0.1, source_capacity=one.source_capacity * 0.1)  # type: ignore[attr-defined]
    res = solve_problem(cn, shed(cn))
    chk = _verified(cn, res)
    assert chk.steady.network.n_nodes < cn.n_nodes  # parts were left out
    assert res.shed_kg_s.sum() > 0.8 * cn.sink_demand.sum()


def test_shedding_runs_no_compression_that_nothing_needs(psgp: object) -> None:
    """Nothing to shed on psgp_base: the plan is the least-fuel operation (it used to run about 30 MW of
    compression, which the penalties left free)."""
    res = solve_problem(psgp, shed(psgp))  # type: ignore[arg-type]
    fuel = solve_problem(psgp, min_fuel(psgp))  # type: ignore[arg-type]
    assert res.shed_kg_s.sum() < 1e-6
    assert res.comp_fuel_kg_s.sum() == pytest.approx(fuel.comp_fuel_kg_s.sum(), rel=1e-6)
    assert res.comp_power_w.sum() < 10e6
    assert any(n.startswith("two stages:") for n in res.notes)


def test_supply_below_demand_is_said_before_any_nlp() -> None:
    cn = compile_network(load_default_network(), "existing_2024_full_demand")
    with pytest.raises(InfeasibleError, match="before any NLP") as info:
        solve_problem(cn, capacity(replace(cn, source_capacity=cn.source_capacity * 0.5), ["LAHORE.demand"]))
    assert len(info.value.diagnosis) == 1 and info.value.diagnosis[0].startswith("supply below demand")


def test_marginal_values_are_not_penalty_weights(psgp: object) -> None:
    """Minimum fuel: PGPC and Tabeer are held at their nominations by a penalty of 100 kg/s of fuel per kg/s
    short. The solver's multiplier on their nomination is that weight; the value of loosening it (the change
    of the fuel, KKT sensitivity) is about zero. The values are checked by finite differences."""
    res = solve_problem(psgp, min_fuel(psgp))  # type: ignore[arg-type]
    by = {b.label: b for b in res.binding}
    pgpc = by["source PGPC_FSRU.supply capacity"]
    per_mmscfd = psgp.gas.basis.kg_s_to_mmscfd(1.0)  # type: ignore[attr-defined]
    assert pgpc.multiplier / per_mmscfd == pytest.approx(100.0, rel=0.05) and pgpc.penalty_driven
    assert abs(pgpc.marginal) < 1e-3 * abs(pgpc.multiplier)
    # finite difference: the delivery minimum at Quetta lowered by 0.2 bar
    quetta = by["delivery QUETTA.demand minimum pressure"]
    k = psgp.sink_ids.index("QUETTA.demand")  # type: ignore[attr-defined]
    pmin = psgp.sink_p_min_pa.copy()  # type: ignore[attr-defined]
    pmin[k] -= 0.2 * BAR_PA
    looser = solve_problem(replace(psgp, sink_p_min_pa=pmin), min_fuel(psgp))  # type: ignore[arg-type]
    fd = (res.objective - looser.objective) / 0.2
    assert quetta.marginal == pytest.approx(fd, rel=0.05) and not quetta.penalty_driven


def test_capacity_marginals_equal_the_multipliers(psgp: object) -> None:
    """No modelling penalty in the capacity problem: both ways of valuing a limit agree."""
    res = solve_problem(psgp, capacity(psgp, ["KASUR.demand", "LAHORE.demand"]))  # type: ignore[arg-type]
    assert res.binding and not [b for b in res.binding if b.penalty_driven]
    for b in res.binding:
        assert b.marginal == pytest.approx(b.multiplier, rel=1e-3, abs=1e-9 * abs(res.objective))


def test_an_optimum_on_a_pressure_bound_is_no_violation(psgp: object) -> None:
    """The optimum sits on delivery minima and a pipe's MAOP; re-solved by the simulator it lies within the
    numbers' accuracy of them, on either side: tolerance-aware, that is no violation (it used to report a
    1.5e-7 bar "violation")."""
    cn = compile_network(load_default_network(), "existing_2024_full_demand")
    res = solve_problem(cn, shed(cn))
    chk = _verified(cn, res)
    on_bound = [b.label for b in res.binding if b.unit == "bar"]
    assert any("minimum pressure" in x for x in on_bound) and any("MAOP" in x for x in on_bound)
    p = chk.steady.p_pa
    # pushed by 1.5e-7 bar across every node's limits: still none; by 1e-3 bar: reported
    k = cn.sink_ids.index("BHIKKI_PP.demand")
    node = cn.sink_node[k]
    at = p.copy()
    at[node] = cn.sink_p_min_pa[k] - 1.5e-7 * BAR_PA
    assert not [v for v in find_violations(cn, at) if v.component_id == "BHIKKI_PP.demand"]
    at[node] = cn.sink_p_min_pa[k] - 1e-3 * BAR_PA
    (v,) = [v for v in find_violations(cn, at) if v.component_id == "BHIKKI_PP.demand"]
    assert v.quantity == "p_delivery_min" and v.excess == pytest.approx(1e-3 * BAR_PA, rel=1e-6)
    assert v.excess > LIMIT_TOLERANCE_BAR * BAR_PA


def test_milp_answer_carries_its_approximation_error() -> None:
    from linepack.optimize.formulations.milp import MilpOptions
    from linepack.optimize.solve_milp import milp_assessment, milp_newton_check, solve_problem_milp

    cn = compile_network(two_sources())
    prob = min_fuel(cn)
    coarse = solve_problem_milp(cn, prob, MilpOptions(breakpoints=3, adaptive=False, rounds=1))
    notes = milp_assessment(prob, coarse, milp_newton_check(coarse))
    assert notes[0].startswith("approximation error: the MILP's objective")
    exact = solve_problem(cn, prob)
    fine = solve_problem_milp(cn, prob)
    fine_notes = milp_assessment(prob, fine, milp_newton_check(fine))
    # the fine MILP is trusted and within a few per cent of the exact optimum; the coarse one is flagged
    assert len(fine_notes) == 1 and fine.objective == pytest.approx(exact.objective, rel=0.05)
    assert len(notes) == 2 and notes[1].startswith("WARNING: this MILP answer is not to be trusted")
    assert np.isfinite(coarse.objective)
