"""Small networks with several source gases for the gas-quality tests."""

from __future__ import annotations

import linepack as lp
from linepack.model.network import GasCompositionSpec

#: Two gases of the embedded data set (mole fractions) and hydrogen.
RICH = {"CH4": 0.900, "C2H6": 0.065, "C3H8": 0.022, "iC4H10": 0.004, "nC4H10": 0.005, "N2": 0.004}
LEAN = {"CH4": 0.72, "CO2": 0.10, "N2": 0.18}
HYDROGEN = {"H2": 1.0}


def two_sources(
    supply_b_kg_s: float = 1.0,
    demand: float = 4.0,
    unit: str = "kg/s",
    mixing: str = "auto",
    reference: str = "25/0C",
) -> lp.Network:
    """S1 (gas RICH, held at 60 barg) and S2 (gas LEAN, a fixed inflow) feed J, which feeds the delivery D.

    With a mass demand of 4 kg/s and 1 kg/s from S2, J and D receive 3 kg/s of RICH and 1 kg/s of LEAN."""
    net = lp.Network(
        name="two-sources",
        settings=lp.Settings(
            temperature_c=15.0, gas="RICH", compressibility="gerg2008", mixing=mixing, quality_reference=reference
        ),  # type: ignore[arg-type]
        gas_compositions={
            "RICH": GasCompositionSpec(mole_fractions=RICH),
            "LEAN": GasCompositionSpec(mole_fractions=LEAN),
            "H2": GasCompositionSpec(mole_fractions=HYDROGEN),
        },
    )
    for nid in ("S1", "S2", "J", "D"):
        net.add(lp.Node(id=nid))
    net.add(lp.Pipe(id="P1", **{"from": "S1", "to": "J"}, length_km=20, inner_diameter_mm=500))
    net.add(lp.Pipe(id="P2", **{"from": "S2", "to": "J"}, length_km=15, inner_diameter_mm=400))
    net.add(lp.Pipe(id="P3", **{"from": "J", "to": "D"}, length_km=40, inner_diameter_mm=500))
    net.add(lp.Source(id="S1.supply", node="S1", mode="pressure", p_set_barg=60.0, gas="RICH"))
    net.add(lp.Source(id="S2.supply", node="S2", mode="flow", inflow=supply_b_kg_s, unit="kg/s", gas="LEAN"))
    net.add(lp.Sink(id="D.demand", node="D", demand=demand, unit=unit))  # type: ignore[arg-type]
    return net


def loop(flow_b_kg_s: float) -> lp.Network:
    """A loop A-B-C-A fed with RICH at A (held) and LEAN at C (fixed inflow), deliveries at B and C: the flow in
    pipe B-C reverses when the LEAN inflow grows."""
    net = two_sources()
    for cid in ("P1", "P2", "P3", "S1.supply", "S2.supply", "D.demand"):
        net.remove(cid)
    for nid in ("S1", "S2", "J", "D"):
        net.remove(nid)
    for nid in ("A", "B", "C"):
        net.add(lp.Node(id=nid))
    net.add(lp.Pipe(id="AB", **{"from": "A", "to": "B"}, length_km=30, inner_diameter_mm=400))
    net.add(lp.Pipe(id="BC", **{"from": "B", "to": "C"}, length_km=30, inner_diameter_mm=300))
    net.add(lp.Pipe(id="CA", **{"from": "C", "to": "A"}, length_km=30, inner_diameter_mm=400))
    net.add(lp.Source(id="A.supply", node="A", mode="pressure", p_set_barg=60.0, gas="RICH"))
    net.add(lp.Source(id="C.supply", node="C", mode="flow", inflow=flow_b_kg_s, unit="kg/s", gas="LEAN"))
    net.add(lp.Sink(id="B.demand", node="B", demand=10.0, unit="kg/s"))
    net.add(lp.Sink(id="C.demand", node="C", demand=30.0, unit="kg/s"))
    return net
