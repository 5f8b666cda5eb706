"""Small networks and meter sets for the estimation tests."""

from __future__ import annotations

import linepack as lp
from linepack.estimate.meters import Meter, MeterSet
from linepack.model.network import GasCompositionSpec


def pipeline_network() -> lp.Network:
    """A 240 km, DN 700 transmission line: a pressure-held supply, a compressor station at 80 km, a city gate
    at 160 km and the delivery at its end (every number assumed, A)."""
    net = lp.Network(
        name="test-pipeline",
        settings=lp.Settings(temperature_c=15.0, gas="NG", compressibility={"model": "gerg2008"}),  # type: ignore[arg-type]
        gas_compositions={"NG": GasCompositionSpec(mole_fractions={"CH4": 0.93, "C2H6": 0.04, "C3H8": 0.01,
                                                                   "N2": 0.015, "CO2": 0.005})},
    )
    for nid, h in (("IN", 0.0), ("CS_S", 20.0), ("CS_D", 20.0), ("GATE", 60.0), ("END", 80.0)):
        net.add(lp.Node(id=nid, elevation_m=h, p_max_barg=99.0))
    net.add(lp.Source(id="IN.supply", node="IN", mode="pressure", p_set_barg=70.0))
    net.add(lp.Pipe(id="L1", **{"from": "IN", "to": "CS_S"}, length_km=80, inner_diameter_mm=700))
    net.add(lp.Compressor(id="CS", **{"from": "CS_S", "to": "CS_D"}, mode="pressure", p_set_barg=75.0,
                          ratio_max=1.6, power_max_mw=40.0))
    net.add(lp.Pipe(id="L2", **{"from": "CS_D", "to": "GATE"}, length_km=80, inner_diameter_mm=700))
    net.add(lp.Pipe(id="L3", **{"from": "GATE", "to": "END"}, length_km=80, inner_diameter_mm=700))
    net.add(lp.Sink(id="GATE.demand", node="GATE", demand=40.0, unit="kg/s", category="city_gate"))
    net.add(lp.Sink(id="END.demand", node="END", demand=80.0, unit="kg/s", p_min_barg=40.0, category="city_gate"))
    return net


def pipeline_meters(pipe_ends: bool = True) -> MeterSet:
    """Pressures at every node, flows at the supply, the station and both deliveries, station power, and (with
    ``pipe_ends``) flow meters at both ends of L2 and L3 (assumed accuracies, A)."""
    ms = [Meter(tag=f"{n}.P", quantity="pressure", element=n, unit="barg", sigma=0.05, min=0, max=150)  # type: ignore[arg-type]
          for n in ("IN", "CS_S", "CS_D", "GATE", "END")]
    ms += [Meter(tag=f"{e}.Q", quantity="flow", element=e, unit="kg/s", sigma_pct=0.5)  # type: ignore[arg-type]
           for e in ("IN.supply", "CS", "GATE.demand", "END.demand")]
    ms.append(Meter(tag="CS.W", quantity="power", element="CS", unit="MW", sigma_pct=2.0))  # type: ignore[arg-type]
    if pipe_ends:
        ms += [Meter(tag=f"{p}.Q{end.upper()}", quantity="flow", element=p, end=end, unit="kg/s",  # type: ignore[arg-type]
                     sigma_pct=0.5) for p in ("L2", "L3") for end in ("from", "to")]
    return MeterSet("test-pipeline meters", tuple(ms))
