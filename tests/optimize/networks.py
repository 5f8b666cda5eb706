"""Small networks for optimisation tests (hand-checkable)."""

from __future__ import annotations

import linepack as lp
from linepack.model.network import GasCompositionSpec

NG = {"CH4": 0.92, "C2H6": 0.05, "C3H8": 0.01, "N2": 0.01, "CO2": 0.01}


def base(name: str) -> lp.Network:
    return lp.Network(
        name=name,
        settings=lp.Settings(temperature_c=15.0, gas="NG", compressibility={"model": "gerg2008"}),  # type: ignore[arg-type]
        gas_compositions={"NG": GasCompositionSpec(mole_fractions=NG)},
    )


def one_node_four_classes(supply_kg_s: float = 250.0) -> lp.Network:
    """A source (pressure-held, capacity ``supply_kg_s``) feeding one node with four 100 kg/s sinks of
    the four priority classes through a short, wide pipe (hydraulics never limit)."""
    net = base("four-classes")
    net.add(lp.Node(id="S"))
    net.add(lp.Node(id="T"))
    net.add(lp.Source(id="S.supply", node="S", mode="pressure", p_set_barg=60.0, capacity=supply_kg_s, unit="kg/s"))
    net.add(lp.Pipe(id="P", **{"from": "S", "to": "T"}, length_km=10, inner_diameter_mm=1000))
    for cat in ("city_gate", "power_plant", "fertiliser", "industry"):
        net.add(lp.Sink(id=f"{cat}.demand", node="T", demand=100.0, unit="kg/s", category=cat, p_min_barg=30.0))
    return net


def two_sources() -> lp.Network:
    """Two flow-controlled supplies (A near the load, B far) and one load with a compressor after B."""
    net = base("two-sources")
    for nid in ("A", "B", "B2", "L"):
        net.add(lp.Node(id=nid, p_max_barg=99.0))
    net.add(lp.Source(id="A.supply", node="A", mode="pressure", p_set_barg=60.0, capacity=80.0, unit="kg/s"))
    net.add(lp.Source(id="B.supply", node="B", mode="pressure", p_set_barg=50.0, capacity=200.0, unit="kg/s"))
    net.add(lp.Pipe(id="PA", **{"from": "A", "to": "L"}, length_km=50, inner_diameter_mm=600))
    net.add(
        lp.Compressor(
            id="CB", **{"from": "B", "to": "B2"}, mode="pressure", p_set_barg=70.0, ratio_max=1.6, power_max_mw=30.0
        )
    )
    net.add(lp.Pipe(id="PB", **{"from": "B2", "to": "L"}, length_km=150, inner_diameter_mm=600))
    net.add(lp.Sink(id="L.demand", node="L", demand=150.0, unit="kg/s", p_min_barg=40.0))
    return net


def candidate_line() -> lp.Network:
    """A 100 km supply line to a 40 kg/s load at >= 45 barg from a 60 barg source, to be built as one of
    three candidate pipes (DN 400, 500, 600; planned, out of service in scenario 'existing')."""
    net = base("candidate-line")
    net.add(lp.Node(id="S"))
    net.add(lp.Node(id="L"))
    net.add(lp.Source(id="S.supply", node="S", mode="pressure", p_set_barg=60.0))
    net.add(lp.Sink(id="L.demand", node="L", demand=40.0, unit="kg/s", p_min_barg=45.0))
    for dn in (16, 20, 24):
        net.add(
            lp.Pipe(
                id=f"LINE{dn}",
                **{"from": "S", "to": "L"},
                length_km=100,
                inner_diameter_mm=dn * 25.4 - 20.0,
                nominal_diameter_in=dn,
                status="planned",
            )
        )
    net.scenarios["existing"] = lp.Scenario(statuses=["existing"])
    return net
