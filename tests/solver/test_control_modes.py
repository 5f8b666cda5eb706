"""The control modes operators use (issue 16): suction set-points, flow control of stations and regulators,
stations that compress in either direction, stations without thermodynamic data, the default driver's fuel."""

from __future__ import annotations

import numpy as np
import pytest

import linepack as lp
from linepack.model.network import GasCompositionSpec


def _net(**settings: object) -> lp.Network:
    st = {"gas": "NG", "compressibility": "ideal", "temperature_c": 15.0, **settings}
    comps = {"NG": GasCompositionSpec(mole_fractions={"CH4": 1.0})} if st.get("gas") else {}
    return lp.Network(settings=lp.Settings(**st), gas_compositions=comps)  # type: ignore[arg-type]


def _pipe(pid: str, a: str, b: str, km: float = 50.0, mm: float = 500.0) -> lp.Pipe:
    return lp.Pipe(id=pid, from_node=a, to_node=b, length_km=km, inner_diameter_mm=mm)


def _into_grid(station: lp.Compressor | lp.Regulator, p_field: float = 60.0, p_grid: float = 50.0) -> lp.Network:
    """Field A (pressure-held) -> P1 -> B -> station -> C -> P2 -> grid Z (a connection that takes gas)."""
    net = _net()
    for n in ("A", "B", "C", "Z"):
        net.add(lp.Node(id=n))
    net.add(_pipe("P1", "A", "B"))
    net.add(station)
    net.add(_pipe("P2", "C", "Z", km=20.0))
    net.add(lp.Source(id="A.supply", node="A", mode="pressure", p_set_barg=p_field))
    net.add(lp.Source(id="Z.grid", node="Z", mode="pressure", p_set_barg=p_grid, absorbs=True))
    return net


def barg(res: lp.SteadyResult, node: str) -> float:
    return float(res.p_barg[res.network.node_index(node)])


def flow(res: lp.SteadyResult, edge: str) -> float:
    return float(res.q_kg_s[res.network.edge_index(edge)])


def test_station_holding_its_suction_pressure_draws_what_keeps_it_there() -> None:
    cs = lp.Compressor(id="CS", from_node="B", to_node="C", mode="suction", p_suction_set_barg=45.0, ratio_max=2.0)
    res = lp.solve_steady(_into_grid(cs))
    assert barg(res, "B") == pytest.approx(45.0, abs=1e-6)
    assert flow(res, "CS") > 0 and res.comp_ratio()[0] > 1.0 and not res.active_bounds
    # a lower suction set-point draws more gas through the field line
    cs_low = cs.model_copy(update={"p_suction_set_barg": 35.0})
    assert flow(lp.solve_steady(_into_grid(cs_low)), "CS") > flow(res, "CS")


def test_suction_station_idles_when_its_inlet_is_below_the_set_point() -> None:
    cs = lp.Compressor(id="CS", from_node="B", to_node="C", mode="suction", p_suction_set_barg=45.0)
    res = lp.solve_steady(_into_grid(cs, p_field=40.0, p_grid=30.0))
    assert any(b.startswith("CS in bypass: suction") for b in res.active_bounds), res.active_bounds
    assert barg(res, "B") == pytest.approx(barg(res, "C"), abs=1e-9)


def test_flow_controlled_station_and_its_ratio_limit() -> None:
    """Into a grid held above the field: the station compresses what its set-point asks."""
    cs = lp.Compressor(id="CS", from_node="B", to_node="C", mode="flow", flow_set_kg_s=40.0, ratio_max=3.0)
    res = lp.solve_steady(_into_grid(cs, p_grid=62.0))
    assert flow(res, "CS") == pytest.approx(40.0, rel=1e-9) and res.comp_ratio()[0] > 1.0
    tight = cs.model_copy(update={"ratio_max": 1.05})
    res = lp.solve_steady(_into_grid(tight, p_grid=62.0))
    assert res.comp_ratio()[0] == pytest.approx(1.05, rel=1e-9) and flow(res, "CS") < 40.0
    assert any("at maximum ratio (1.05)" in b and "below its flow set-point 40.0 kg/s" in b for b in res.active_bounds)


def test_flow_controlled_regulator_passes_its_set_point_or_opens_fully() -> None:
    reg = lp.Regulator(id="R", from_node="B", to_node="C", mode="flow", flow_set_kg_s=20.0)
    res = lp.solve_steady(_into_grid(reg, p_field=60.0, p_grid=30.0))
    assert flow(res, "R") == pytest.approx(20.0, rel=1e-9) and barg(res, "B") > barg(res, "C")
    big = reg.model_copy(update={"flow_set_kg_s": 5000.0})
    res = lp.solve_steady(_into_grid(big, p_field=60.0, p_grid=30.0))
    assert any(b.startswith("R fully open: it cannot pass its flow set-point") for b in res.active_bounds)
    assert flow(res, "R") < 5000.0 and barg(res, "B") == pytest.approx(barg(res, "C"), abs=1e-9)


def _backwards(bidirectional: bool) -> lp.Network:
    """Supply at A, demand at D; the station sits with its `from` on the demand side, so the gas must go through
    it from `to` to `from`."""
    net = _net()
    for n in ("A", "M", "N", "D"):
        net.add(lp.Node(id=n))
    net.add(_pipe("P1", "A", "M"))
    net.add(lp.Compressor(id="CS", from_node="N", to_node="M", mode="ratio", ratio_set=1.2, driver="electric",
                          bidirectional=bidirectional))  # fmt: skip
    net.add(_pipe("P2", "N", "D"))
    net.add(lp.Source(id="A.supply", node="A", mode="pressure", p_set_barg=50.0))
    net.add(lp.Sink(id="D.demand", node="D", demand=30.0, unit="kg/s"))
    return net


def test_bidirectional_station_compresses_backwards_at_its_ratio() -> None:
    res = lp.solve_steady(_backwards(True))
    assert flow(res, "CS") == pytest.approx(-30.0, rel=1e-9)
    p = res.p_pa
    cn = res.network
    assert p[cn.node_index("N")] / p[cn.node_index("M")] == pytest.approx(1.2, rel=1e-12)
    assert res.comp_ratio()[0] == pytest.approx(1.2, rel=1e-12) and res.comp_power_w[0] > 0
    assert res.comp_reverse()[0] and res.to_dict()["compressors"][0]["direction"] == "backward"
    assert any("compresses backwards, from M to N" in b for b in res.active_bounds)


def test_a_one_way_station_blocks_the_backward_flow() -> None:
    with pytest.raises(lp.InfeasibleError, match="CS closed: the network would push gas backwards through it"):
        lp.solve_steady(_backwards(False))


def test_electric_stations_without_power_limit_need_no_thermodynamic_data() -> None:
    """A gas given only by its molar mass has no isentropic exponent: fine for an electric station without a
    power limit (its power is simply not computed); a gas-turbine station, whose fuel needs the power, is an
    error naming it."""
    net = _net(gas=None, molar_mass_kg_per_mol=0.017, viscosity={"model": "constant", "value_pa_s": 1.1e-5})
    for n in ("A", "B", "C", "Z"):
        net.add(lp.Node(id=n))
    net.add(_pipe("P1", "A", "B"))
    net.add(lp.Compressor(id="CS", from_node="B", to_node="C", p_set_barg=70.0, driver="electric"))
    net.add(_pipe("P2", "C", "Z"))
    net.add(lp.Source(id="A.supply", node="A", mode="pressure", p_set_barg=60.0))
    net.add(lp.Sink(id="Z.demand", node="Z", demand=30.0, unit="kg/s"))
    res = lp.solve_steady(net)
    assert barg(res, "C") == pytest.approx(70.0, abs=1e-6)
    assert np.isnan(res.comp_power_w[0]) and res.comp_fuel_kg_s[0] == 0.0
    net.replace(lp.Compressor(id="CS", from_node="B", to_node="C", p_set_barg=70.0))
    with pytest.raises(lp.InputError, match=r"compressor\(s\) CS: their power is needed"):
        lp.solve_steady(net)


def test_the_default_driver_is_stated_with_its_fuel() -> None:
    net = _into_grid(lp.Compressor(id="CS", from_node="B", to_node="C", p_set_barg=70.0))
    res = lp.solve_steady(net)
    assert res.comp_fuel_kg_s[0] > 0
    note = [w for w in res.warnings if w.startswith("CS: no driver given")]
    assert note and "35% driver efficiency" in note[0] and "drawn at the suction node" in note[0]
    given = _into_grid(lp.Compressor(id="CS", from_node="B", to_node="C", p_set_barg=70.0, driver="gas_turbine"))
    assert not [w for w in lp.solve_steady(given).warnings if "no driver given" in w]
