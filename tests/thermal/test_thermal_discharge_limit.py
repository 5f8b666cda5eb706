"""The maximum discharge temperature as a bound of the coupled steady solve (linepack.thermal.discharge_limit).

What is shown: the ratio at the limit gives exactly the limit; a station whose outlet would exceed its limit is held
on it (outlet = limit, the bound named in the active bounds, the tables and the result file, no violation) and the
answer does not depend on the start; a cooler holding its set-point below the limit leaves the station free; a
station whose suction gas is already above its limit is a violation, reported by the one list every report reads.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

import linepack
from linepack.model.network import Network
from linepack.thermal.discharge_limit import ratio_at_limit, station_outlet_temperature
from linepack.thermal.inputs import thermal_inputs
from linepack.thermal.network_temperatures import _thermo_for
from linepack.web.tables import compressors

from .test_thermal_network import _small

KELVIN = 273.15


def _limited(limit_c: float, duty_mw: float | None = 2.0) -> Network:
    doc = _small()
    comp = doc["compressors"][0]
    comp["discharge_temperature_max_c"] = limit_c
    if duty_mw is None:
        del comp["after_cooler"]
    else:
        comp["after_cooler"] = {"outlet_temperature_c": min(30.0, limit_c), "duty_max_mw": duty_mw}
    return Network.from_dict(doc)


@pytest.fixture(scope="module")
def held() -> Any:
    net = _limited(40.0)
    return net, linepack.solve_steady(net)


def test_ratio_at_the_limit_gives_the_limit() -> None:
    net = _limited(40.0, duty_mw=None)
    inputs = thermal_inputs(net.view(net.default_scenario))
    thermo = _thermo_for(linepack.compile_network(net).gas.composition)
    j = np.array([0, 0, 0])
    ps, ts, m = np.array([50e5, 60e5, 70e5]), np.array([290.0, 300.0, 320.0]), np.array([100.0, 100.0, 100.0])
    lim = ratio_at_limit(thermo, inputs, j, ps, ts, m, np.array([2.0, 2.0, 2.0]))
    assert np.all(lim.ratio[:2] > 1.0) and np.all(lim.ratio[:2] < 2.0)
    t = station_outlet_temperature(thermo, inputs, j[:2], ps[:2], ts[:2], lim.ratio[:2], m[:2])
    np.testing.assert_allclose(t, 40.0 + KELVIN, atol=1e-5)
    assert lim.unreachable.tolist() == [False, False, True] and lim.ratio[2] == 1.0  # 46.85 C suction: above it
    free = ratio_at_limit(thermo, inputs, j[:1], ps[:1], ts[:1], m[:1], np.array([1.1]))
    assert free.ratio[0] == np.inf  # the limit does not bind below the station's own ratio limit


def test_station_is_held_on_its_limit_and_the_bound_is_named(held: Any) -> None:
    _net, r = held
    cn, th = r.network, r.thermal
    e = cn.edge_ids.index("CS")
    assert th.edge_t_outlet_k[e] - KELVIN == pytest.approx(40.0, abs=1e-3)
    assert bool(th.comp_at_limit[0]) and not bool(th.comp_over_limit[0]) and not r.violations
    assert any(b.startswith("CS at its discharge temperature limit (40.0 C, reached at ratio") for b in r.active_bounds)
    assert cn.comp_ratio_max[0] == 2.0  # the network's own ratio limit on the result
    row = compressors(r)[0]
    assert row["control"] == "at max T" and row["at_temperature_limit"] and not row["violation"]
    rec = next(c for c in r.to_dict()["compressors"] if c["id"] == "CS")
    assert rec["at_discharge_limit"] and not rec["over_discharge_limit"]
    assert rec["outlet_temperature_c"] == pytest.approx(40.0, abs=1e-3)


def test_held_answer_does_not_depend_on_the_start(held: Any) -> None:
    """Started from the unlimited answer (station at its set-point, outlet far above 40 C): the same answer."""
    net, r = held
    free = linepack.solve_steady(Network.from_dict(_small()))
    assert free.p_pa[free.network.node_ids.index("C")] > r.p_pa[r.network.node_ids.index("C")] + 10e5
    r2 = linepack.solve_steady(net, initial=free)
    np.testing.assert_allclose(r2.p_pa, r.p_pa, rtol=1e-7)
    assert bool(r2.thermal.comp_at_limit[0])


def test_cooler_below_the_limit_leaves_the_station_free() -> None:
    """The default small network: the cooler holds 45 C below the 60 C limit, so the station holds its set-point."""
    r = linepack.solve_steady(Network.from_dict(_small()))
    assert not bool(r.thermal.comp_at_limit[0]) and not r.active_bounds
    assert r.thermal.comp_discharge_t_k[0] - KELVIN > 60.0  # the compressor itself runs hotter: the cooler protects


def test_suction_above_the_limit_is_a_violation_reported_once() -> None:
    doc = copy.deepcopy(_limited(20.0, duty_mw=None).to_dict())
    r = linepack.solve_steady(Network.from_dict(doc))
    recs = [v for v in r.violation_records if v.quantity == "t_discharge_max"]
    assert len(recs) == 1 and recs[0].component_id == "CS" and recs[0].value > recs[0].limit
    assert recs[0].text in r.violations and "even without compression" in recs[0].text
    assert r.comp_ratio()[0] == pytest.approx(1.0, abs=1e-9)
    assert any("held at ratio 1.000 by its discharge temperature limit" in b for b in r.active_bounds)
    assert compressors(r)[0]["violation"] and bool(r.thermal.comp_over_limit[0])
