"""Small networks with one compressor station of units, for the station tests.

A pressure-held source, a pipe to the station's suction, the station (discharge set-point), a pipe to a sink.
The units run the generic pipeline compressor map (:mod:`linepack.stations.generic`) scaled to a design point.
"""

from __future__ import annotations

import linepack as lp
from linepack.model.components import CompressorConfiguration, CompressorUnit
from linepack.model.network import GasCompositionSpec
from linepack.model.stations import DriverSpec, PistonMapSpec, TurboMapSpec
from linepack.stations.generic import centrifugal_curves

TURBO = TurboMapSpec.model_validate(
    {"speed_min_rpm": 4500, "speed_max_rpm": 9450, "curves": centrifugal_curves(1.0, 60.0, 9000.0)}
)
PISTON = PistonMapSpec(
    kind="piston",
    speed_min_rpm=165.0,
    speed_max_rpm=350.0,
    displacement_m3=0.5,
    volumetric_loss=0.35,
    ratio_max=2.0,
    isentropic_efficiency=0.95,
)


def line_network(
    demand_kg_s: float = 60.0,
    *,
    n_units: int = 2,
    driver_mw: float = 6.0,
    p_source_barg: float = 50.0,
    p_set_barg: float = 60.0,
    stages: list[list[str]] | None = None,
    piston: bool = False,
    ambient_c: float = 15.0,
) -> lp.Network:
    """Source S (pressure) -> 50 km DN 600 -> station C (units C-A, C-B, ...) -> 50 km DN 600 -> sink K."""
    net = lp.Network(
        name="station-line",
        settings=lp.Settings(temperature_c=15.0, gas="NG", ambient_temperature_c=ambient_c),
        gas_compositions={
            "NG": GasCompositionSpec(mole_fractions={"CH4": 0.92, "C2H6": 0.05, "N2": 0.02, "CO2": 0.01})
        },
    )
    for nid in ("S", "A", "B", "K"):
        net.add(lp.Node(id=nid, p_max_barg=120.0))
    net.add(lp.Source(id="S.supply", node="S", mode="pressure", p_set_barg=p_source_barg))
    net.add(lp.Pipe(id="P1", **{"from": "S", "to": "A"}, length_km=50, inner_diameter_mm=600))
    net.add(lp.Compressor(id="C", **{"from": "A", "to": "B"}, mode="pressure", p_set_barg=p_set_barg))
    net.add(lp.Pipe(id="P2", **{"from": "B", "to": "K"}, length_km=50, inner_diameter_mm=600))
    net.add(lp.Sink(id="K.demand", node="K", demand=demand_kg_s, unit="kg/s"))
    net.compressor_maps["TURBO"] = PISTON if piston else TURBO
    net.drivers["GT"] = DriverSpec(kind="gas_turbine", rated_power_mw=driver_mw, thermal_efficiency=0.33)
    ids = [f"C-{chr(65 + k)}" for k in range(n_units)]
    for uid in ids:
        net.add(CompressorUnit(id=uid, station="C", map="TURBO", driver="GT"))
    if stages is not None:
        net.add(CompressorConfiguration(id="C-cfg", station="C", stages=stages))
    return net
