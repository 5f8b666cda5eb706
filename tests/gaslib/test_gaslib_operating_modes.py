"""Operating modes of the shipped GasLib instances: references for zones nothing else holds, one decision per
.cdf group chosen without loops, and the outcomes recorded in docs/gaslib.md ("Solving the Network as read")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gaslib_cases import INSTANCES, load, paths

import linepack as lp
from linepack.io.gaslib import apply_decision, operating_decisions, read_gaslib


def test_gaslib_40_entries_feeding_stations_become_references_and_it_solves(gaslib: Path) -> None:
    case = load("40")
    floating = {r.node for r in case.references if "zone whose pressure nothing else sets" in r.rule}
    assert floating == {"source_2", "source_3"}  # each feeds a station directly (GasLib-40 .net)
    res = lp.solve_steady(case.network)
    assert res.converged and not res.violations


@pytest.mark.parametrize("key", ["11", "24", "134-v2", "Integration"])
def test_instances_without_floating_zones_keep_one_reference_per_island(gaslib: Path, key: str) -> None:
    case = load(key)
    assert not [r for r in case.references if "zone whose pressure nothing else sets" in r.rule]
    assert lp.solve_steady(case.network).converged


def test_4197_operating_decisions_avoid_the_station_loop(gaslib: Path) -> None:
    case = load("4197")
    ids = operating_decisions(case)
    assert len(ids) == len(case.decision_groups) == 413
    # first decision everywhere except group dG_11, whose first decision runs compressorStation_10 against
    # controlValve_8 in a loop of short pipes; its third turns the station off
    assert [i for i in ids if not i.endswith("_d_1")] == ["dG_11/dG_11_d_3"]
    net = apply_decision(case, ids)
    assert net.collections["compressors"]["compressorStation_10"].mode == "off"  # type: ignore[attr-defined]


def test_582_cool_is_infeasible_in_its_operating_mode_with_the_bounds_named(gaslib: Path) -> None:
    """With one mean gas (``per_source_gas=False``) no control state is consistent with every element's rules."""
    net_file, scn, cdf, cs = paths(INSTANCES["582-cool"])
    case = read_gaslib(net_file, scn, cdf, cs, fixed_loss="short_pipe", per_source_gas=False)
    net = apply_decision(case, operating_decisions(case))
    with pytest.raises(lp.InfeasibleError) as info:
        lp.solve_steady(net)
    text = str(info.value)
    # the control valves that switch would leave fixed inflows with no pressure-held source to take them (or
    # demand cut off from supply); the message names them
    assert "no consistent state was found" in text and "elements that kept changing mode:" in text
    assert re.search(r"\bcontrolValve_4\b", text) and re.search(r"\bcontrolValve_21\b", text)
    assert "supply above demand" in text or "supply below demand" in text


def test_582_cool_with_each_sources_gas_reaches_a_consistent_state_with_violations(gaslib: Path) -> None:
    """Each source's own gas mixed (issue 12), the stations as rated one-machine models (``units=False``, the
    reading before issue 21): the volume nominations draw the mass of the gas delivered, and a consistent control
    state exists; the pressures it leaves outside their bounds are reported as violations."""
    net_file, scn, cdf, cs = paths(INSTANCES["582-cool"])
    case = read_gaslib(net_file, scn, cdf, cs, fixed_loss="short_pipe", units=False)
    res = lp.solve_steady(apply_decision(case, operating_decisions(case)))
    assert res.converged and res.network.quality is not None and res.network.quality.mixing
    assert any(v.startswith("node sink_97: pressure") and "below its minimum" in v for v in res.violations)
    assert any(b.startswith("controlValve_4 fully open") for b in res.active_bounds)


def test_582_cool_with_each_sources_gas_and_station_units_is_infeasible_at_a_station(gaslib: Path) -> None:
    """The default reading since issue 21 (every station on its units' maps), gases mixed: compressorStation_5 is
    asked more gas than its units pass at its suction (about 233 kg/s against 213 kg/s at the choke line and
    maximum speed), and no control state is consistent; the message names the station and what limits it."""
    case = load("582-cool")
    with pytest.raises(lp.InfeasibleError) as info:
        lp.solve_steady(apply_decision(case, operating_decisions(case)))
    text = str(info.value)
    assert "no consistent state was found" in text
    assert re.search(r"compressorStation_5 cannot pass the [0-9.]+ kg/s asked of it: its units pass at most", text)
