"""Steady mixing: a two-source network checked by hand, component conservation at every node, flow reversals
leave no stale gas, and the answer does not depend on the path the solver took."""

from __future__ import annotations

import numpy as np
import pytest

import linepack as lp
from linepack.gas import ISO_15C, NORMAL_0C, GasComposition
from linepack.gas.components import COMPONENTS, MOLAR_MASS_KG_PER_MOL
from linepack.quality.mixing import node_balance

from .networks import LEAN, RICH, loop, two_sources


def _x(fractions: dict[str, float]) -> np.ndarray:
    return np.array([fractions.get(c, 0.0) for c in COMPONENTS])


def test_two_sources_by_hand() -> None:
    """3 kg/s of RICH and 1 kg/s of LEAN meet at J: the moles of each component add up."""
    res = lp.solve_steady(two_sources())
    q = res.quality
    assert q is not None and q.mixing
    xa, xb = _x(RICH), _x(LEAN)
    ma, mb = xa @ MOLAR_MASS_KG_PER_MOL, xb @ MOLAR_MASS_KG_PER_MOL
    moles = 3.0 / ma * xa + 1.0 / mb * xb  # mol/s of every component
    x_hand = moles / moles.sum()
    cn = res.network
    for nid in ("J", "D"):
        np.testing.assert_allclose(q.node_x[cn.node_index(nid)], x_hand, rtol=0, atol=1e-13)
    # the delivered figures are those of that composition (the composition class as an independent path)
    gas = GasComposition.from_mole_fractions("hand", dict(zip(COMPONENTS, x_hand, strict=True)))
    k = cn.sink_ids.index("D.demand")
    assert q.sink.gcv_mj_m3[k] == pytest.approx(gas.gross_heating_value_mj_per_m3(NORMAL_0C), rel=1e-12)
    assert q.sink.relative_density[k] == pytest.approx(gas.relative_density(NORMAL_0C), rel=1e-12)
    # energy delivered = 4 kg/s x the gross calorific value per kg at 25 C
    assert q.sink_energy_mw[k] == pytest.approx(4.0 * gas.gross_heating_value_j_per_kg(298.15) / 1e6, rel=1e-9)
    # the pipes carry their upstream gas; the hydraulics use the mixture's molar mass downstream of J
    e = cn.edge_ids.index("P3")
    assert res.molar_mass_res()[list(cn.res_edge).index(e)] == pytest.approx(gas.molar_mass_kg_per_mol, rel=1e-12)
    supplied, delivered, fuel = q.energy_balance_mw()
    assert supplied == pytest.approx(delivered + fuel, rel=1e-9)


def test_every_component_conserved_at_every_node() -> None:
    """PSGP base case (three gases mixed): every one of the 21 components balances at every node to 1e-12."""
    res = lp.solve_steady(lp.load_default_network())
    cn, g = res.network, res.gas_state
    assert g is not None and cn.quality is not None
    gs = cn.quality.gas_set
    source_y = np.eye(gs.k)[cn.quality.source_gas]
    err = node_balance(
        g.mix, cn.edge_from, cn.edge_to, res.q_kg_s, cn.source_node, res.source_supply_kg_s, source_y,
        gs.component_mass_fraction,
    )  # fmt: skip
    assert float(err.max()) < 1e-12
    # and network-wide: what the sources put in of each component leaves through deliveries and fuel
    c_node = g.mix.y_node @ gs.component_mass_fraction
    into = res.source_supply_kg_s @ (source_y @ gs.component_mass_fraction)
    out = cn.sink_demand @ c_node[cn.sink_node] + res.comp_fuel_kg_s @ c_node[cn.edge_from[cn.comp_edge]]
    np.testing.assert_allclose(out, into, rtol=1e-9, atol=1e-12)


def test_a_reversed_flow_leaves_no_stale_gas() -> None:
    """Pipe BC carries RICH from B while the LEAN inflow at C is small, and LEAN towards B once it is large; a
    warm start from the first case gives the cold-start answer of the second."""
    small = lp.solve_steady(loop(1.0))
    large = lp.solve_steady(loop(30.0))
    warm = lp.solve_steady(loop(30.0), initial=small)
    bc = small.network.edge_ids.index("BC")
    assert small.q_kg_s[bc] > 0 > large.q_kg_s[bc]
    cn = large.network
    q = large.quality
    assert q is not None
    i_b, i_c = cn.node_index("B"), cn.node_index("C")
    k_bc = list(cn.res_edge).index(bc)
    # reversed: BC carries C's gas, and B's gas includes the LEAN gas coming through it
    np.testing.assert_allclose(q.edge_w[k_bc], q.node_w[i_c], atol=1e-12)
    assert q.node_w[i_b][cn.quality.gas_set.index("LEAN")] > 0.05
    for a, b in ((warm.p_pa, large.p_pa), (warm.q_kg_s, large.q_kg_s), (warm.quality.node_w, q.node_w)):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)


def test_a_component_without_flow_changes_nothing() -> None:
    """A dead-end pipe (no demand behind it) carries no flow and leaves every other result as it was."""
    base = lp.solve_steady(two_sources())
    net = two_sources()
    net.add(lp.Node(id="X"))
    net.add(lp.Pipe(id="PX", **{"from": "J", "to": "X"}, length_km=5, inner_diameter_mm=200))
    more = lp.solve_steady(net)
    cn = more.network
    keep = [cn.node_index(n) for n in base.network.node_ids]
    np.testing.assert_allclose(more.p_pa[keep], base.p_pa, rtol=1e-9)
    np.testing.assert_allclose(more.quality.node_x[keep], base.quality.node_x, atol=1e-12)
    # the stagnant node takes the gas of its neighbour
    np.testing.assert_allclose(more.quality.node_x[cn.node_index("X")], base.quality.node_x[keep[2]], atol=1e-12)


def test_one_gas_mixing_is_not_switched_on() -> None:
    """Sources that all supply the network gas: no mixing, the quality is the network gas everywhere."""
    net = two_sources()
    net.replace(net.find("S2.supply").model_copy(update={"gas": "RICH"}))  # type: ignore[union-attr]
    res = lp.solve_steady(net)
    assert res.quality is not None and not res.quality.mixing
    gas = GasComposition.from_mole_fractions("RICH", RICH)
    np.testing.assert_allclose(res.quality.node.gcv_mj_m3, gas.gross_heating_value_mj_per_m3(NORMAL_0C), rtol=1e-12)


def test_mixing_off_keeps_the_network_gas_in_the_hydraulics() -> None:
    on = lp.solve_steady(two_sources())
    off = lp.solve_steady(two_sources(mixing="off"))
    assert not off.quality.mixing
    np.testing.assert_allclose(off.molar_mass_res(), off.network.gas.molar_mass_kg_per_mol)
    assert not np.allclose(on.p_pa, off.p_pa, rtol=1e-6)
    # the figures are reported at the chosen reference conditions
    iso = lp.solve_steady(two_sources(reference="15/15C"))
    gas = GasComposition.from_mole_fractions("RICH", RICH)
    k = iso.network.node_index("S1")
    assert iso.quality.node.gcv_mj_m3[k] == pytest.approx(gas.gross_heating_value_mj_per_m3(ISO_15C), rel=1e-12)
