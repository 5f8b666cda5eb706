"""GasLib nominations (../shared/refcases/gaslib; CC BY 3.0, Schmidt et al. 2017, Pfetsch et al. 2015).

GasLib publishes no solutions, so the check is the README's: settings that meet every bound of the
nomination, verified by an independent method, the steady Newton solver run with those settings, which
must reproduce the optimiser's pressures and flows to 1e-6 and find no limit violated.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("casadi")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gaslib"))
from gaslib_cases import INSTANCES, gaslib_dir, paths

from linepack.compile import compile_network
from linepack.io.gaslib import read_gaslib
from linepack.optimize import min_fuel, newton_check, nomination, solve_problem

pytestmark = pytest.mark.skipif(gaslib_dir() is None, reason="shared GasLib folder not found")


def _cn(key: str, units: bool = False):  # type: ignore[no-untyped-def]
    """The instance with its stations rated as single machines from the .cs (``units=True``: its units, maps and
    drivers; tests/stations covers those with the steady solver, test_nomination_with_units here)."""
    net, scn, _, cs = paths(INSTANCES[key])
    case = read_gaslib(net, scn, None, cs, fixed_loss="resistor", zone_references=False, units=units)
    return compile_network(case.network)


def _verified(cn, res) -> None:  # type: ignore[no-untyped-def]
    chk = newton_check(cn, res.p_pa, res.q_kg_s, res.supply_kg_s, res.delivered_kg_s)
    assert chk.max_rel_pressure < 1e-6, chk.worst_node
    assert chk.max_rel_flow < 1e-6, chk.worst_edge
    assert chk.steady.violations == ()


@pytest.mark.parametrize("key", ["11", "24", "135", "Integration"])
def test_nomination_feasible_and_newton_agrees(key: str) -> None:
    cn = _cn(key)
    res = solve_problem(cn, nomination(cn))
    _verified(cn, res)


@pytest.mark.parametrize("key", ["11", "24", "Integration"])
def test_nomination_with_units_feasible_and_newton_agrees(key: str) -> None:
    """The same with the stations' units on their maps and drivers (the NLP's unit variables,
    linepack.optimize.formulations.nlp_units), verified by Newton with the configurations the optimum ran.

    The NLP shares a stage's flow among its parallel units at least fuel, the simulator at equal distance from
    surge: where the units differ (GasLib-24's CS1 runs Comp11 with Comp13, two different maps) the fuel, and so
    the flows and pressures, agree to about 1e-5 rather than to rounding; limits the optimum sits on may then be
    missed by as much."""
    cn = _cn(key, units=True)
    res = solve_problem(cn, nomination(cn))
    chk = newton_check(cn, res.p_pa, res.q_kg_s, res.supply_kg_s, res.delivered_kg_s, configs=res.station_configs)
    assert chk.max_rel_pressure < 1e-5, chk.worst_node
    assert chk.max_rel_flow < 1e-5, chk.worst_edge
    assert all(v.excess <= 1e-5 * v.limit for v in chk.steady.violation_records), chk.steady.violations


def test_min_fuel_gaslib_40_newton_agrees() -> None:
    cn = _cn("40")
    res = solve_problem(cn, min_fuel(cn))
    _verified(cn, res)


@pytest.mark.slow
@pytest.mark.parametrize("key", ["582-cold", "582-cool", "134-v2"])
def test_large_nominations_end_with_a_verdict(key: str) -> None:
    """Either settings verified by Newton or a clear infeasibility report (no crash, no silent answer)."""
    from linepack.errors import LinepackError

    cn = _cn(key)
    try:
        res = solve_problem(cn, nomination(cn))
    except LinepackError as exc:
        assert str(exc)
        return
    _verified(cn, res)


@pytest.mark.slow
def test_decision_search_582_gives_a_verdict() -> None:
    """Every combination of GasLib-582's .cdf decisions (4 x 19) is tried or the first feasible one is verified."""
    from linepack.optimize.decisions import search_decisions

    net, scn, cdf, cs = paths(INSTANCES["582-cold"])
    case = read_gaslib(net, scn, cdf, cs, fixed_loss="resistor", zone_references=False)
    found = search_decisions(case)
    assert found.combinations == 76
    if found.result is None:
        assert len(found.tried) == 76
    else:
        _verified(found.result.network, found.result)


def test_decision_search_needs_decisions() -> None:
    from linepack.errors import InputError
    from linepack.optimize.decisions import search_decisions

    net, scn, _, cs = paths(INSTANCES["24"])
    with pytest.raises(InputError, match=r"no \.cdf decisions"):
        search_decisions(read_gaslib(net, scn, None, cs, fixed_loss="resistor", zone_references=False))
