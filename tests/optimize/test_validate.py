"""Nomination validation with discrete decisions (issue 16, item 9): the modes as given, then the modes a MILP
chooses, each step reported; GasLib-582's shipped nominations (slow)."""

from __future__ import annotations

import pytest

import linepack as lp
from linepack.optimize.validate import validate_nomination

from .networks import base


def _station_with_open_bypass() -> lp.Network:
    """A station whose bypass valve is open as written: it cannot raise the pressure the sink needs until the
    valve is closed (a decision the search must take)."""
    net = base("bypassed")
    for n in ("A", "B", "C", "Z"):
        net.add(lp.Node(id=n, p_max_barg=90))
    net.add(lp.Pipe(id="P1", from_node="A", to_node="B", length_km=60, inner_diameter_mm=600))
    net.add(lp.Compressor(id="CS", from_node="B", to_node="C", p_set_barg=80, ratio_max=1.6, driver="electric"))
    net.add(lp.Valve(id="BYPASS", from_node="B", to_node="C", open=True))
    net.add(lp.Pipe(id="P2", from_node="C", to_node="Z", length_km=60, inner_diameter_mm=600))
    net.add(lp.Source(id="A.s", node="A", mode="pressure", p_set_barg=50, absorbs=True))
    net.add(lp.Sink(id="Z.d", node="Z", demand=80, unit="kg/s", p_min_barg=55))
    return net


def test_a_closed_bypass_valve_found_by_the_milp() -> None:
    found = validate_nomination(_station_with_open_bypass(), time_limit_s=60)
    assert found.feasible and found.modes["BYPASS"] == "closed" and found.modes["CS"] == "active"
    steps = [(a.what, a.outcome) for a in found.attempts]
    assert steps[1][0] == "exact NLP in the modes as given" and steps[1][1].startswith("no feasible point")
    assert steps[2][0].startswith("MILP screening: 1 valves, 0 control valves and 1 stations free")
    assert steps[-1] == ("exact NLP in the MILP's mode 1", "feasible")
    res = found.result
    assert res is not None and res.p_barg[res.network.node_index("Z")] >= 55.0 - 1e-6


def test_supply_short_nomination_is_said_before_any_search() -> None:
    net = _station_with_open_bypass()
    net.replace(lp.Source(id="A.s", node="A", mode="flow", inflow=50, unit="kg/s"))
    found = validate_nomination(net, time_limit_s=30)
    assert not found.feasible and len(found.attempts) == 1
    assert found.attempts[0].outcome.startswith("infeasible: supply below demand")


@pytest.mark.slow
@pytest.mark.parametrize("nomination", ["nomination_cold_5.scn", "nomination_cool_2866_scale_0.95_from_paminco.scn"])
def test_gaslib_582_nominations(shared: object, nomination: str) -> None:
    """GasLib-582 (refcases/gaslib, Pfetsch et al. 2015): its piecewise-linear screening used to "prove" the shipped
    nominations infeasible in under a second, an artefact of the chord error in the 2.01-4.11 bar distribution
    zone behind controlValve_10/11 (docs/optimize.md). With tightened flow ranges and the law widened by its
    error, the screening must not exclude every mode; the search ends feasible (verified) or says what stopped it."""
    from linepack.io.gaslib import read_gaslib

    g = shared / "refcases" / "gaslib" / "GasLib-582"  # type: ignore[operator]
    case = read_gaslib(g / "GasLib-582-v2.net", g / nomination, g / "GasLib-582-v2.cdf", g / "GasLib-582-v2.cs",
                       fixed_loss="resistor", zone_references=False)  # fmt: skip
    found = validate_nomination(case.network, case, time_limit_s=120)
    milp = [a for a in found.attempts if a.what.startswith("MILP screening")]
    assert milp and not milp[0].outcome.startswith("infeasible")
    if found.feasible:
        assert found.result is not None and found.modes


@pytest.mark.slow
def test_gaslib_4197_is_screened_by_the_milp(shared: object) -> None:
    """GasLib-4197 (refcases/gaslib; 28 resistors, some with a fixed pressure loss) used to skip the MILP
    screening ("not applicable": fixed-loss resistors); the relaxation formulates them."""
    from linepack.io.gaslib import read_gaslib

    g = shared / "refcases" / "gaslib" / "GasLib-4197"  # type: ignore[operator]
    case = read_gaslib(g / "GasLib-4197.net", g / "nomination_mild_0006.scn", g / "GasLib-4197.cdf",
                       g / "GasLib-4197.cs", fixed_loss="resistor", zone_references=False)  # fmt: skip
    found = validate_nomination(case.network, case, time_limit_s=60)
    milp = [a for a in found.attempts if a.what.startswith("MILP screening")]
    assert milp and not milp[0].outcome.startswith("not applicable")
