"""Cross-method: the steady Newton solver run with the optimiser's settings reproduces its state to 1e-6."""

from __future__ import annotations

import numpy as np
import pytest

from linepack.errors import InfeasibleError

pytest.importorskip("casadi")

from linepack.compile import compile_network
from linepack.io.native import load_default_network
from linepack.optimize import min_fuel, newton_check, solve_problem


@pytest.fixture(scope="module")
def psgp_cn():  # type: ignore[no-untyped-def]
    return compile_network(load_default_network())


@pytest.mark.parametrize("objective", ["fuel", "power"])
def test_min_fuel_psgp_newton_reproduces_optimum(psgp_cn, objective: str) -> None:  # type: ignore[no-untyped-def]
    res = solve_problem(psgp_cn, min_fuel(psgp_cn, objective))
    assert res.success
    configs = res.station_configs  # which units run is a setting too (CS1-CS3 have units)
    chk = newton_check(psgp_cn, res.p_pa, res.q_kg_s, res.supply_kg_s, res.delivered_kg_s, configs=configs)
    assert chk.max_rel_pressure < 1e-6, chk.worst_node
    assert chk.max_rel_flow < 1e-6, chk.worst_edge
    # the Newton solution keeps every control on its set-point: no bound the optimiser respected is crossed
    assert chk.steady.violations == ()


def test_objective_is_the_fuel_the_stations_burn(psgp_cn) -> None:  # type: ignore[no-untyped-def]
    res = solve_problem(psgp_cn, min_fuel(psgp_cn))
    assert res.objective == pytest.approx(psgp_cn.gas.basis.kg_s_to_mmscfd(float(np.sum(res.comp_fuel_kg_s))))
    assert res.objective > 0.1  # the nominated LNG cannot reach Punjab without some compression


@pytest.mark.parametrize(
    "scenario", ["existing_2024", "psgp_42in_alt", "gwadar_ip", "tapi_one_gas", "central_asia_hypothetical"]
)
def test_min_fuel_every_psgp_scenario_newton_reproduces_optimum(scenario: str) -> None:
    net = load_default_network()
    if scenario == "tapi_one_gas":  # with the gases mixing, tapi has no feasible settings (the next test)
        net.settings = net.settings.model_copy(update={"mixing": "off"})
        scenario = "tapi"
    cn = compile_network(net, scenario)
    res = solve_problem(cn, min_fuel(cn))
    chk = newton_check(cn, res.p_pa, res.q_kg_s, res.supply_kg_s, res.delivered_kg_s, configs=res.station_configs)
    assert chk.max_rel_pressure < 1e-6, chk.worst_node
    assert chk.max_rel_flow < 1e-6, chk.worst_edge
    assert chk.steady.violations == ()


def test_tapi_with_mixing_has_no_feasible_settings() -> None:
    """Issue 12: with the shipped source gases mixing, the TAPI line carries the lean Sui-type gas (higher Z, lower
    molar mass than the RLNG the single-gas model assumed), and no compressor settings hold Fazilka and the TAPI
    Multan offtake at their 60 barg minimum (the steady state leaves them at about 44 and 55 barg)."""
    cn = compile_network(load_default_network(), "tapi")
    with pytest.raises(InfeasibleError):
        solve_problem(cn, min_fuel(cn))


def test_full_winter_demand_on_the_existing_system_is_infeasible() -> None:
    """DATASET section 5: existing_2024 at full demand has no feasible solution: its supplies cannot cover the
    demand, which is said in one line before any NLP (issue 16)."""
    from linepack.errors import InfeasibleError

    cn = compile_network(load_default_network(), "existing_2024_full_demand")
    with pytest.raises(InfeasibleError, match="before any NLP") as info:
        solve_problem(cn, min_fuel(cn))
    (line,) = info.value.diagnosis
    assert line.startswith("supply below demand in the network: its sources can give at most 3,736 MMSCFD but its "
                           "sinks must take 3,905 MMSCFD plus compressor fuel")
