"""Optimisation inputs in the network file (issue 16, item 8): supply prices and minimum supplies, flexible
demand ranges with their value, networks whose every source is flow-controlled, active arcs."""

from __future__ import annotations

import numpy as np
import pytest

import linepack as lp
from linepack.compile import compile_network
from linepack.model.network import GasCompositionSpec
from linepack.optimize import dispatch, newton_check, nomination, solve_problem


def _gas() -> lp.Network:
    return lp.Network(
        settings=lp.Settings(gas="NG", compressibility="gerg2008"),
        gas_compositions={"NG": GasCompositionSpec(mole_fractions={"CH4": 1.0})},
    )


def _market() -> lp.Network:
    """Cheap gas at A (4 USD/MMBtu, 50 kg/s at most), dear gas at B (9 USD/MMBtu, at least 5 kg/s), a firm
    demand and a flexible one worth 6 USD/MMBtu, all at Z."""
    net = _gas()
    for n in ("A", "B", "Z"):
        net.add(lp.Node(id=n, p_max_barg=90))
    net.add(lp.Pipe(id="P1", from_node="A", to_node="Z", length_km=80, inner_diameter_mm=500))
    net.add(lp.Pipe(id="P2", from_node="B", to_node="Z", length_km=50, inner_diameter_mm=500))
    net.add(lp.Source(id="A.s", node="A", mode="pressure", p_set_barg=70, capacity=50, unit="kg/s",
                      price_usd_per_mmbtu=4.0))  # fmt: skip
    net.add(lp.Source(id="B.s", node="B", mode="flow", inflow=10, capacity=40, unit="kg/s", price_usd_per_mmbtu=9.0,
                      supply_min=5))  # fmt: skip
    net.add(lp.Sink(id="Z.firm", node="Z", demand=30, unit="kg/s", p_min_barg=30))
    net.add(lp.Sink(id="Z.flex", node="Z", demand=10, demand_min=0, demand_max=40, value_usd_per_mmbtu=6.0,
                    unit="kg/s", p_min_barg=30))  # fmt: skip
    return net


def test_dispatch_reads_prices_minimum_supplies_and_flexible_demand_from_the_file() -> None:
    cn = compile_network(_market())
    res = solve_problem(cn, dispatch(cn, None, 0.0))
    # the cheap source at capacity; the dear one at its minimum (dearer than the flexible demand's value); the
    # flexible demand takes what is left of the cheap gas
    assert res.supply_kg_s == pytest.approx([50.0, 5.0], rel=1e-8)
    assert res.delivered_kg_s == pytest.approx([30.0, 25.0], rel=1e-8)
    assert "flexible demand not served (at its value)" in res.costs
    chk = newton_check(cn, res.p_pa, res.q_kg_s, res.supply_kg_s, res.delivered_kg_s)
    assert chk.max_rel_pressure < 1e-8 and not chk.steady.violations
    # the value rises above the dear price: the dear source serves the rest of the range
    net = _market()
    net.replace(lp.Sink(id="Z.flex", node="Z", demand=10, demand_min=0, demand_max=40, value_usd_per_mmbtu=12.0,
                        unit="kg/s", p_min_barg=30))  # fmt: skip
    cn = compile_network(net)
    res = solve_problem(cn, dispatch(cn, None, 0.0))
    assert res.delivered_kg_s[1] == pytest.approx(40.0, rel=1e-8) and res.supply_kg_s[1] == pytest.approx(20.0)


def test_flexible_demand_without_a_value_is_an_error_naming_it() -> None:
    net = _market()
    net.replace(lp.Sink(id="Z.flex", node="Z", demand=10, demand_min=0, demand_max=40, unit="kg/s"))
    cn = compile_network(net)
    with pytest.raises(lp.InputError, match=r"Z\.flex have a demand range but no value_usd_per_mmbtu"):
        dispatch(cn, None, 0.0)
    with pytest.raises(ValueError, match=r"must lie in \[demand_min, demand_max\]"):
        lp.Sink(id="S", node="Z", demand=50, demand_max=40)


def _all_flow(active_arc: bool) -> lp.Network:
    """Every source flow-controlled: the optimiser sets the pressure level; CNGA Z, no gas composition."""
    settings = lp.Settings(
        gas=None,
        molar_mass_kg_per_mol=0.017,
        viscosity={"model": "constant", "value_pa_s": 1.1e-5},  # type: ignore[arg-type]
        compressibility={"model": "cnga", "b1": 1.003, "b2_per_bar": 0.00297},  # type: ignore[arg-type]
    )
    net = lp.Network(settings=settings)
    for n in ("A", "B", "C", "Z"):
        net.add(lp.Node(id=n, p_max_barg=80, p_min_barg=10))
    net.add(lp.Pipe(id="P1", from_node="A", to_node="B", length_km=100, inner_diameter_mm=500))
    net.add(lp.Compressor(id="C1", from_node="B", to_node="C", active_arc=active_arc, driver="electric",
                          ratio_max=1.8, p_set_barg=70))  # fmt: skip
    net.add(lp.Pipe(id="P2", from_node="C", to_node="Z", length_km=100, inner_diameter_mm=500))
    net.add(lp.Source(id="A.s", node="A", mode="flow", inflow=60, unit="kg/s"))
    net.add(lp.Sink(id="Z.d", node="Z", demand=60, unit="kg/s", p_min_barg=50))
    return net


def test_every_source_flow_controlled_and_an_active_arc() -> None:
    """The optimiser sets the pressure level; the verification lets the largest source hold the optimum's
    pressure (the simulator needs a reference); the active arc raises the pressure with no power or fuel."""
    cn = compile_network(_all_flow(active_arc=True))
    res = solve_problem(cn, nomination(cn))
    assert res.objective == 0.0 and np.isnan(cn.gas.kappa or np.nan)
    p = res.p_pa
    assert p[cn.node_index("C")] >= p[cn.node_index("B")] * (1 - 1e-12)
    assert p[cn.node_index("Z")] - cn.ambient_pa >= 50e5 * (1 - 1e-9)
    chk = newton_check(cn, res.p_pa, res.q_kg_s, res.supply_kg_s, res.delivered_kg_s)
    assert chk.max_rel_pressure < 1e-9 and chk.max_rel_flow < 1e-9
    # simulated with a pressure-held source and a set-point: no power, no fuel
    net = _all_flow(active_arc=True)
    net.replace(lp.Source(id="A.s", node="A", mode="pressure", p_set_barg=60))
    sim = lp.solve_steady(net)
    assert np.isnan(sim.comp_power_w[0]) and sim.comp_fuel_kg_s[0] == 0.0
    with pytest.raises(ValueError, match="an active arc has no power"):
        lp.Compressor(id="X", from_node="B", to_node="C", active_arc=True, p_set_barg=70, power_max_mw=5.0)
