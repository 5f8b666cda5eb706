"""Dynamic estimation and leak detection on the test pipeline (and, marked slow, the PSGP corridor)."""

from __future__ import annotations

import numpy as np
import pytest
from networks import pipeline_meters, pipeline_network

import linepack as lp
from linepack.estimate.dynamic import DynamicEstimator, DynamicOptions
from linepack.estimate.leakdetect import LeakOptions, detect_leaks
from linepack.estimate.synthetic import synthesize
from linepack.estimate.validate import prepare
from linepack.transient import TransientOptions, parse_event, solve_transient, winter_day_profile

ROUTE = ("IN", "END")
LEAK_AT_ROUTE_KM = 160.0 + 30.0  # L3 starts at 160 km along the line


def _run_truth(hours: float, events: list[str], seg_m: float = 2000.0, inertia: bool = True):  # type: ignore[no-untyped-def]
    return solve_transient(pipeline_network(), profile=winter_day_profile(), events=[parse_event(e) for e in events],
                           options=TransientOptions(horizon_s=hours * 3600, dt_s=60, segment_length_m=seg_m,
                                                    inertia=inertia))


def test_a_leak_event_draws_its_rate_and_keeps_the_mass_balance() -> None:
    opts = TransientOptions(horizon_s=3 * 3600, dt_s=120, segment_length_m=5000)
    base = solve_transient(pipeline_network(), options=opts)
    res = solve_transient(pipeline_network(), events=[parse_event("leak:L3:30:4@01:00")], options=opts)
    assert res.leak_kg_s is not None and base.leak_kg_s is None
    assert res.leak_kg_s[:30].max() == 0.0 and res.leak_kg_s[-1] == 4.0
    assert res.conservation_error() < 1e-8  # the leak is in the integral of the net inflow
    assert res.node_p_pa[-1, 4] < base.node_p_pa[-1, 4]
    assert "leak of 4 kg/s on L3 at 30 km" in res.events[0].describe()
    with pytest.raises(lp.InputError, match="position must lie on pipe L3, from 0 to 80 km"):
        solve_transient(pipeline_network(), events=[parse_event("leak:L3:95:4@01:00")], options=opts)
    with pytest.raises(lp.InputError, match="leak needs a pipe, a position and a rate"):
        parse_event("leak:L3@01:00")


def test_dynamic_intervals_cover_the_truth_on_the_estimators_grid() -> None:
    """Truth simulated on the estimator's own grid (5 km, no inertia: the filter's model), 3 h of a winter
    morning with noise: the 95 % intervals of node pressures, element flows and demands cover the truth at close to
    their rate, and the innovations are consistent."""
    truth = _run_truth(3.0, [], seg_m=5000.0, inertia=False)
    net, ms = pipeline_network(), pipeline_meters()
    syn = synthesize(net, ms, truth=truth, seed=11)
    dyn = DynamicEstimator(net, ms, options=DynamicOptions(segment_length_m=5000.0))
    res = dyn.run(prepare(syn.data, dyn.bound))
    assert res.n_times == 181
    rows = slice(10, None)  # after the start transient of the filter
    z_p = (res.p_pa - truth.node_p_pa)[rows] / res.p_sigma_pa[rows]
    z_q = (res.q_kg_s - truth.edge_q_kg_s)[rows] / res.q_sigma_kg_s[rows]
    z_d = (res.demand_kg_s - truth.sink_demand_kg_s)[rows] / res.demand_sigma_kg_s[rows]
    share = float(np.mean(np.abs(np.concatenate([z_p.ravel(), z_q.ravel(), z_d.ravel()])) < 1.96))
    assert 0.90 < share <= 1.0, share
    assert 0.5 < res.consistency() < 1.5
    assert not res.suspect_meters()


def test_a_leak_is_detected_within_one_window_and_located_within_20_km() -> None:
    """1.5 kg/s (1.9 % of the flow in L3) at 30 km on L3 from 04:00; truth on 2 km segments with inertia, the
    estimator on 2 km: detected by the end of the first 30-minute window after the leak opens, located within
    20 km, its size within 30 %."""
    net, ms = pipeline_network(), pipeline_meters()
    syn = synthesize(net, ms, truth=_run_truth(6.0, ["leak:L3:30:1.5@04:00"]), seed=3)
    dyn = DynamicEstimator(net, ms, options=DynamicOptions(segment_length_m=2000.0))
    rep = detect_leaks(net, ms, prepare(syn.data, dyn.bound), estimator=dyn,
                       options=LeakOptions(reference_hours=2.0, route=ROUTE))
    first = rep.first_alarm("model")
    assert first is not None and first.section == "L3"
    assert 4 * 3600 < first.t_s <= 4 * 3600 + 31 * 60 + 1
    loc = first.location
    assert loc is not None and loc.pipe == "L3" and loc.route_km is not None
    assert abs(loc.route_km - LEAK_AT_ROUTE_KM) <= 20.0
    assert first.size_kg_s == pytest.approx(1.5, rel=0.3)
    assert [a for a in rep.alarms if a.t_s < 4 * 3600] == []
    limit = next(lim for lim in rep.limits if lim.section == "L3" and lim.method == "model")
    assert 0.2 < limit.mdl_kg_s < 1.5  # the leak is above the section's stated minimum detectable leak


def _leak_free(hours: float) -> list[str]:
    net, ms = pipeline_network(), pipeline_meters()
    syn = synthesize(net, ms, truth=_run_truth(hours, [], seg_m=1000.0), seed=5)
    dyn = DynamicEstimator(net, ms, options=DynamicOptions(segment_length_m=2000.0))
    rep = detect_leaks(net, ms, prepare(syn.data, dyn.bound), estimator=dyn, options=LeakOptions(route=ROUTE))
    return [a.describe() for a in rep.alarms]


def test_no_alarm_over_a_leak_free_morning_with_noise() -> None:
    assert _leak_free(8.0) == []


@pytest.mark.slow
def test_no_alarm_over_a_leak_free_day_with_noise() -> None:
    assert _leak_free(24.0) == []


@pytest.mark.slow
def test_psgp_corridor_leak_is_detected_and_located() -> None:
    """The shipped PSGP data: 12 kg/s on PSGP-06 at 120 km (route km 698) from 05:00, 10 km estimator grid."""
    from linepack.estimate.meters import default_meter_set_path, load_meter_set
    from linepack.estimate.scada import read_scada
    from linepack.route import PSGP_CORRIDOR

    net = lp.load_default_network()
    ms = load_meter_set(default_meter_set_path("psgp_meters.yaml"))
    data = read_scada(default_meter_set_path("psgp_scada.csv.gz"))
    dyn = DynamicEstimator(net, ms)
    rep = detect_leaks(net, ms, prepare(data, dyn.bound), estimator=dyn,
                       options=LeakOptions(route=PSGP_CORRIDOR, watch=tuple(f"PSGP-0{i}" for i in range(1, 9))))
    first = rep.first_alarm("model")
    assert first is not None and first.section == "PSGP-06"
    assert 5 * 3600 < first.t_s <= 5 * 3600 + 61 * 60
    assert first.location is not None and first.location.route_km is not None
    assert abs(first.location.route_km - 698.0) <= 25.0
    assert [a for a in rep.alarms if a.t_s < 5 * 3600] == []
