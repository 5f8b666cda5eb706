"""Steady state estimation: exact readings give the true state, intervals cover at their rate, bad meters and
unobservable meter sets are named."""

from __future__ import annotations

import numpy as np
import pytest
from networks import pipeline_meters, pipeline_network
from tests.conftest import every_component_network

import linepack as lp
from linepack.errors import InputError
from linepack.estimate.meters import Meter, MeterKind, MeterSet
from linepack.estimate.wls import Pseudo, SteadyEstimator
from linepack.results import SteadyResult


def _every_meters() -> MeterSet:
    ms = [Meter(tag=f"{n}.P", quantity="pressure", element=n, unit="barg", sigma=0.05)  # type: ignore[arg-type]
          for n in ("S", "A", "B", "C", "D", "E", "H", "K", "L")]
    ms += [Meter(tag=f"{s}.Q", quantity="flow", element=s, unit="kg/s", sigma_pct=0.5)  # type: ignore[arg-type]
           for s in ("S.supply", "K.supply", "L.demand", "H.demand", "C.demand")]
    ms.append(Meter(tag="P2.Q", quantity="flow", element="P2", unit="MMSCFD", sigma_pct=0.5))  # type: ignore[arg-type]
    ms.append(Meter(tag="C1.W", quantity="power", element="C1", unit="MW", sigma_pct=1.0))  # type: ignore[arg-type]
    return MeterSet("every-component meters", tuple(ms))


def _truth(est: SteadyEstimator, res: SteadyResult) -> np.ndarray:
    """What every meter reads at the solution ``res`` (SI)."""
    table = {MeterKind.NODE_PRESSURE: res.p_pa, MeterKind.EDGE_FLOW: res.q_kg_s,
             MeterKind.SOURCE_FLOW: res.source_supply_kg_s, MeterKind.SINK_FLOW: res.network.sink_demand,
             MeterKind.COMP_POWER: res.comp_power_w}
    b = est.bound
    return np.array([table[MeterKind(int(k))][idx] for k, idx in zip(b.kind, b.index, strict=True)])


@pytest.mark.parametrize("which", ["every_component", "pipeline"])
def test_exact_readings_give_the_true_state(which: str) -> None:
    net, ms = (every_component_network(), _every_meters()) if which == "every_component" else (
        pipeline_network(), pipeline_meters())
    # the true state: another operating point than the scenario the estimator starts from
    truth = lp.solve_steady(net, options=None) if which == "every_component" else None
    if truth is None:
        true_net = pipeline_network()
        gate = true_net.find("GATE.demand")
        assert gate is not None
        true_net.replace(gate.model_copy(update={"demand": 47.0}))
        truth = lp.solve_steady(true_net)
    est = SteadyEstimator(net, ms)
    y = _truth(est, truth)
    res = est.estimate(y, est.bound.sigma_si(y))
    assert res.converged and res.observability.observable
    np.testing.assert_allclose(res.p_pa, truth.p_pa, rtol=1e-8, atol=2.0)  # Pa, of 5-10 MPa
    np.testing.assert_allclose(res.q_kg_s, truth.q_kg_s, rtol=1e-7, atol=1e-6)
    assert res.chi2.value < 1e-6 and not res.suspects


def _coverage(seeds: range) -> tuple[float, float]:
    net, ms = every_component_network(), _every_meters()
    est = SteadyEstimator(net, ms)
    truth = lp.solve_steady(net)
    y = _truth(est, truth)
    sig = est.bound.sigma_si(y)
    inside, chi_fail = [], 0
    for seed in seeds:
        rng = np.random.default_rng(seed)
        res = est.estimate(y + rng.normal(0.0, sig), sig)
        z = np.concatenate([(res.p_pa - truth.p_pa) / res.p_sigma_pa, (res.q_kg_s[:5] - truth.q_kg_s[:5])
                            / res.q_sigma_kg_s[:5]])
        inside.append(np.abs(z) < 1.959964)
        chi_fail += int(not res.chi2.passed)
    return float(np.mean(inside)), chi_fail / len(seeds)


def test_intervals_cover_at_their_rate() -> None:
    """95 % intervals of 16 pressures and flows over 60 noise seeds (960 intervals): the share inside must be within
    the binomial 99.9 % band of 0.95 (+/- 0.023)."""
    share, _ = _coverage(range(60))
    assert abs(share - 0.95) < 0.023, share


@pytest.mark.slow
def test_intervals_cover_at_their_rate_over_many_seeds() -> None:
    share, chi_fail = _coverage(range(600))
    assert abs(share - 0.95) < 0.008, share  # 9,600 intervals: binomial 99.9 % band
    assert chi_fail < 0.025  # the chi-square test at alpha 0.01 fails about 1 % of the time without bad data


def test_a_gross_error_is_identified_as_that_meter() -> None:
    net, ms = every_component_network(), _every_meters()
    est = SteadyEstimator(net, ms)
    truth = lp.solve_steady(net)
    y = _truth(est, truth)
    sig = est.bound.sigma_si(y)
    for tag, offset in (("D.P", 0.6e5), ("C.demand.Q", 3.0), ("B.P", -0.5e5)):
        rng = np.random.default_rng(7)
        bad = y + rng.normal(0.0, sig)
        bad[est.bound.tags.index(tag)] += offset
        res = est.estimate(bad, sig)
        assert [s.tag for s in res.suspects] == [tag], (tag, res.suspects)
        assert res.suspects[0].error_si == pytest.approx(offset, rel=0.25)
        assert res.chi2.passed
        assert res.meters.status[est.bound.tags.index(tag)] == "bad (removed)"


def test_an_unobservable_meter_set_is_named_and_pseudo_measurements_close_it() -> None:
    """Two unmetered deliveries at one node: the meters see only their sum."""
    net = pipeline_network()
    net.add(lp.Sink(id="GATE.industry", node="GATE", demand=10.0, unit="kg/s"))
    ms = pipeline_meters().without({"GATE.demand.Q"})
    est = SteadyEstimator(net, ms)
    truth = lp.solve_steady(net)
    y = _truth(est, truth)
    with pytest.raises(InputError) as exc:
        est.estimate(y, est.bound.sigma_si(y))
    text = str(exc.value)
    assert "does not determine the state" in text
    assert "only a combination of GATE.demand demand, GATE.industry demand" in text
    assert "add a flow meter at sink GATE" in text and "pseudo" in text
    res = est.estimate(y, est.bound.sigma_si(y), pseudo=Pseudo())
    assert set(res.pseudo) == {"GATE.demand demand", "GATE.industry demand"}
    gate, ind = res.network.sink_ids.index("GATE.demand"), res.network.sink_ids.index("GATE.industry")
    assert res.demand_kg_s[gate] + res.demand_kg_s[ind] == pytest.approx(50.0, rel=1e-6)  # the sum is determined
    assert res.demand_sigma_kg_s[gate] > 1.0  # the split only to its pseudo-measurements


def test_readings_and_sigmas_are_checked() -> None:
    est = SteadyEstimator(pipeline_network(), pipeline_meters())
    n = est.bound.n
    with pytest.raises(InputError, match="one reading and one sigma per meter"):
        est.estimate(np.ones(3), np.ones(3))
    with pytest.raises(InputError, match="no meter has a reading"):
        est.estimate(np.full(n, np.nan), np.ones(n))
    with pytest.raises(InputError, match="standard uncertainty must be > 0"):
        est.estimate(np.ones(n), np.zeros(n))


def test_sensitivities_match_finite_differences() -> None:
    """dx/dtheta from the solver's Jacobian against central differences of the solved state."""
    est = SteadyEstimator(every_component_network(), _every_meters())
    model = est.model()
    theta = model.theta0()
    x = model.solve(theta, model.pack(est.base))
    sens = model.sensitivity(x)
    for j in range(model.params.n):
        h = 1e-6 * model.params.scale[j]
        up = model.solve(theta + h * np.eye(1, model.params.n, j)[0], x) * model.sys.xscale
        dn = model.solve(theta - h * np.eye(1, model.params.n, j)[0], x) * model.sys.xscale
        fd = (up - dn) / (2 * h)
        np.testing.assert_allclose(sens[:, j], fd, rtol=2e-4, atol=1e-6 * np.max(np.abs(fd)) + 1e-12)
