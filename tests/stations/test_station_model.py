"""Compressor stations with units: operating points, recycle, the bound that limits a station, configurations,
piston units, the exact derivatives of the station rows, the transient's per-step points and summer derating.

Reference network (station_nets.line_network): a source held at 50 barg, 50 km of DN 600 to the station's
suction, the station holding 70 barg at its discharge, 50 km to a sink. Its units run the generic pipeline
compressor map scaled to 1.0 m3/s and 60 kJ/kg at 9000/min (speeds 4500 to 9450/min) on gas turbines.
"""

from __future__ import annotations

import numpy as np
import pytest
from station_nets import line_network

import linepack as lp
from linepack.compile import CompMode, compile_network
from linepack.solvers.station_rows import StationRows
from linepack.stations.points import suction_gas
from linepack.stations.station import evaluate
from linepack.units import R_J_PER_MOL_K


def _rows(res: lp.SteadyResult) -> dict[str, dict[str, object]]:
    pts = res.unit_points()
    assert pts is not None
    return {r["id"]: r for r in pts.rows()}


def test_low_flow_recycles_at_the_surge_line_and_is_reported() -> None:
    res = lp.solve_steady(line_network(5.0, p_set_barg=70.0))
    rows = _rows(res)
    a, b = rows["C-A"], rows["C-B"]
    assert a["configuration"] == "1 of 2" and b["state"] == "standby"  # the cheapest: one unit
    assert a["state"] == "recycling at the surge line"
    assert abs(float(a["surge_margin"])) < 1e-6  # it runs on its surge line
    rec = float(a["recycle_kg_s"])
    assert rec > 5.0
    # the unit moves the station's 5 kg/s and the recycled gas
    assert float(a["flow_m3_s"]) * float(a["rho_kg_m3"]) == pytest.approx(5.0 + rec, rel=1e-9)
    # its power is that of the gas it moves: rho Q H / eta
    power = float(a["rho_kg_m3"]) * float(a["flow_m3_s"]) * float(a["head_kj_per_kg"]) * 1e3 / float(a["efficiency"])
    assert float(a["power_mw"]) == pytest.approx(power / 1e6, rel=1e-9)
    assert any(t.startswith(f"C recycles {rec:.1f} kg/s") for t in res.active_bounds)
    assert res.comp_power_w[0] == pytest.approx(power, rel=1e-9)


def test_bounds_name_maximum_speed_driver_power_and_choke() -> None:
    # 75 kg/s: both units at maximum speed below the set-point
    res = lp.solve_steady(line_network(75.0, p_set_barg=70.0))
    assert res.comp_mode[0] == CompMode.MAP_FLOW
    (text,) = res.active_bounds
    assert text.startswith("C at the flow capacity of its units (2 of 2, 15 C): C-A at maximum speed")
    rows = _rows(res)
    assert float(rows["C-A"]["speed_rpm"]) == pytest.approx(9450.0, rel=1e-9)
    # weak drivers (1.6 MW): at their power
    weak = lp.solve_steady(line_network(70.0, driver_mw=1.6, p_set_barg=70.0))
    assert "C-A at driver power (1.60 of 1.60 MW" in weak.active_bounds[0]
    assert float(_rows(weak)["C-B"]["load"]) == pytest.approx(1.0, rel=1e-9)
    # beyond what the units pass at any head: named, with what limits them
    with pytest.raises(lp.InfeasibleError) as exc:
        lp.solve_steady(line_network(100.0, p_set_barg=70.0))
    assert any("C cannot pass the 100.0 kg/s" in d and "choke line" in d for d in exc.value.diagnosis)
    with pytest.raises(lp.InfeasibleError) as exc:
        lp.solve_steady(line_network(90.0, driver_mw=1.6, p_set_barg=70.0))
    assert any("C cannot pass the 90.0 kg/s" in d and "driver power" in d for d in exc.value.diagnosis)


def _station(net: lp.Network) -> tuple[lp.CompiledNetwork, int]:
    cn = compile_network(net)
    assert cn.stations is not None
    return cn, int(cn.stations.configs.ids.index("C-cfg")) if "C-cfg" in cn.stations.configs.ids else 0


def test_parallel_units_share_and_serial_stages_split_the_ratio() -> None:
    m, ps, pd = np.array([60.0]), np.array([45e5]), np.array([70e5])
    cn, c = _station(line_network(stages=[["C-A", "C-B"]]))
    gas = suction_gas(cn)
    par = evaluate(cn.stations, gas, np.array([0]), np.array([c]), m, ps, pd)  # type: ignore[arg-type]
    q = np.real(par.q_m3_s)
    assert q[0] == pytest.approx(q[1], rel=1e-12)  # identical units: equal shares
    assert np.sum(q * np.real(par.rho)) == pytest.approx(60.0, rel=1e-12)
    assert float(np.real(par.power_w[0])) == pytest.approx(float(np.sum(np.real(par.unit_power_w))), rel=1e-12)
    cn, c = _station(line_network(stages=[["C-A"], ["C-B"]]))
    ser = evaluate(cn.stations, gas, np.array([0]), np.array([c]), m, ps, pd)  # type: ignore[arg-type]
    p_in = np.real(ser.p_in_pa)
    assert p_in[0] == pytest.approx(45e5) and p_in[1] == pytest.approx(np.sqrt(45e5 * 70e5), rel=1e-12)
    # each stage: the real-gas isentropic head of its own ratio at its own suction (cooled back in between)
    z, _ = gas.z(p_in, np.full(2, gas.t_k[0]), np.zeros(2, dtype=np.int64))
    x = (gas.kappa[0] - 1) / gas.kappa[0]
    h = z * R_J_PER_MOL_K * gas.t_k[0] / gas.molar_mass[0] / x * ((70.0 / 45.0) ** (x / 2) - 1)
    assert np.real(ser.head_asked) == pytest.approx(h, rel=1e-12)
    assert np.real(ser.q_m3_s * ser.rho) == pytest.approx([60.0, 60.0], rel=1e-12)  # the whole flow twice


def test_piston_units_follow_their_displacement_and_ratio_limit() -> None:
    """GasLib-582's compressor_2 data: 0.5 m3 displacement, 35 % volumetric loss, ratio at most 2, 165 to
    350/min, efficiency 0.95."""
    cn, _ = _station(line_network(piston=True, n_units=1))
    cs, gas = cn.stations, suction_gas(cn)
    assert cs is not None
    k = 0.65 * 0.5 / 60.0  # m3/s per 1/min
    ev = evaluate(cs, gas, np.array([0, 0]), np.array([0, 0]), np.array([20.0, 20.0]), np.full(2, 40e5), [60e5, 84e5])
    q, rho = np.real(ev.q_m3_s), np.real(ev.rho)
    assert np.real(ev.speed_rpm) == pytest.approx(q / k, rel=1e-12)
    assert np.real(ev.q_lo) == pytest.approx(165 * k) and np.real(ev.q_hi[0]) == pytest.approx(350 * k)
    assert ev.hi_code[1] == 2  # at ratio 2.1 the 6 MW driver limits the flow before the maximum speed
    assert np.real(ev.unit_power_w) == pytest.approx(rho * q * np.real(ev.head) / 0.95, rel=1e-12)
    margin = np.real(ev.head_margin)
    assert margin[0] > 0 and margin[1] == pytest.approx(1 - 2.1 / 2.0)  # ratio 2.1 above its 2.0
    res = lp.solve_steady(line_network(20.0, piston=True, n_units=1, p_set_barg=60.0))
    row = _rows(res)["C-A"]
    assert float(row["speed_rpm"]) == pytest.approx(float(row["flow_m3_s"]) / k, rel=1e-9)


REGIMES = {
    "recycle": (dict(), 3.0, 45e5, 70e5),
    "in the map": (dict(), 50.0, 45e5, 68e5),
    "driver power": (dict(driver_mw=1.6), 60.0, 45e5, 65e5),
    "throttled": (dict(driver_mw=1.6), 60.0, 45e5, 47e5),
    "serial": (dict(stages=[["C-A"], ["C-B"]]), 40.0, 45e5, 80e5),
    "piston": (dict(piston=True, n_units=2), 20.0, 40e5, 60e5),
}


@pytest.mark.parametrize("regime", list(REGIMES))
def test_station_rows_match_finite_differences(regime: str) -> None:
    """The complex-step derivatives of power, fuel, capacity and head margin against central differences."""
    kw, m, ps, pd = REGIMES[regime]
    cn = compile_network(line_network(**kw))  # type: ignore[arg-type]
    assert cn.stations is not None
    rows = StationRows(cn, np.array([CompMode.MAP_FLOW]), np.array([0]))
    x0 = np.array([m, ps, pd])
    t = rows.terms(*(np.array([v]) for v in x0), derivatives=True, limits=True)
    for name in ("power", "fuel", "cap", "margin"):
        exact = [float(d[0]) for d in getattr(t, f"d_{name}")]
        for j in range(3):
            h = 1e-6 * abs(x0[j])
            xp, xm = x0.copy(), x0.copy()
            xp[j] += h
            xm[j] -= h
            vp = getattr(rows.terms(*(np.array([v]) for v in xp), derivatives=False, limits=True), name)[0]
            vm = getattr(rows.terms(*(np.array([v]) for v in xm), derivatives=False, limits=True), name)[0]
            fd = (vp - vm) / (2 * h)
            scale = max(abs(fd), abs(getattr(t, name)[0]) / abs(x0[j]), 1e-12)
            assert abs(exact[j] - fd) <= 1e-5 * scale, f"{regime}: d{name}/dx{j} {exact[j]:.6e} vs {fd:.6e}"


def test_transient_records_every_units_operating_point() -> None:
    from linepack.transient.solve import TransientOptions, solve_transient

    net = line_network(50.0, p_set_barg=70.0)
    steady = lp.solve_steady(net)
    res = solve_transient(net, options=TransientOptions(horizon_s=1200.0, dt_s=600.0, segment_length_m=10000.0))
    u = res.units
    assert u is not None and u.unit_ids == ("C-A", "C-B")
    first = _rows(steady)
    for i, uid in enumerate(u.unit_ids):
        assert u.values["speed_rpm"][0, i] == pytest.approx(float(first[uid]["speed_rpm"]), rel=1e-6)
    assert u.configuration("C") == ["2 of 2"] * 3
    # the units' power adds up to the station's at every step
    assert np.nansum(u.values["power_mw"], axis=1) * 1e6 == pytest.approx(res.comp_power_w[:, 0], rel=1e-9)
    cols = res.timeseries_columns()
    assert "surge_margin:C-A" in cols and len(cols["speed_rpm:C-B"]) == 3


def test_summer_heat_derates_the_gas_turbines() -> None:
    """0.7 %/K above 15 C: at 45 C the 1.6 MW drivers give 1.26 MW, and the station makes less pressure."""
    cool = lp.solve_steady(line_network(55.0, driver_mw=1.6, p_set_barg=70.0))
    hot = lp.solve_steady(line_network(55.0, driver_mw=1.6, p_set_barg=70.0, ambient_c=45.0))
    avail = float(_rows(hot)["C-A"]["power_avail_mw"])
    assert avail == pytest.approx(1.6 * (1 - 0.007 * 30), rel=1e-9)
    assert "driver power" in hot.active_bounds[0]
    assert hot.p_pa[2] < cool.p_pa[2] - 2e5
