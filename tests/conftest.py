"""Shared fixtures: small networks with every component type, and the shared reference folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# rich sizes its consoles from COLUMNS when they are created (at import of linepack.cli): a fixed width here makes
# every printed table the same on any terminal, in CI and when pytest's output is piped.
os.environ["COLUMNS"] = "160"

import linepack as lp

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path | None:
    """The shared data folder (LINEPACK_SHARED, else ../shared beside the repository)."""
    env = os.environ.get("LINEPACK_SHARED")
    p = Path(env) if env else REPO.parent / "shared"
    return p if p.is_dir() else None


@pytest.fixture
def shared() -> Path:
    p = shared_dir()
    if p is None:
        pytest.skip("shared reference folder not found (set LINEPACK_SHARED)")
    return p


def every_component_network(z_model: str = "gerg2008") -> lp.Network:
    """A small meshed network with one of every component type (and elevation)."""
    settings = lp.Settings(temperature_c=15.0, gas="NG", compressibility={"model": z_model})  # type: ignore[arg-type]
    from linepack.model.network import GasCompositionSpec

    net = lp.Network(
        name="every-component",
        settings=settings,
        gas_compositions={
            "NG": GasCompositionSpec(mole_fractions={"CH4": 0.92, "C2H6": 0.05, "C3H8": 0.01, "N2": 0.01, "CO2": 0.01})
        },
    )
    nodes = [
        ("S", 0.0),
        ("A", 10.0),
        ("B", 40.0),
        ("C", 35.0),
        ("D", 60.0),
        ("E", 60.0),
        ("F", 55.0),
        ("G", 50.0),
        ("H", 50.0),
        ("K", 20.0),
    ]
    for nid, h in nodes:
        net.add(lp.Node(id=nid, elevation_m=h, p_max_barg=99.0))
    net.add(lp.Source(id="S.supply", node="S", mode="pressure", p_set_barg=60.0))
    net.add(lp.Source(id="K.supply", node="K", mode="flow", inflow=10.0, unit="kg/s"))
    net.add(lp.Pipe(id="P1", **{"from": "S", "to": "A"}, length_km=50, inner_diameter_mm=600))
    net.add(
        lp.Compressor(
            id="C1",
            **{"from": "A", "to": "B"},
            mode="pressure",
            p_set_barg=70.0,
            ratio_max=1.8,
            power_max_mw=30.0,
        )
    )
    net.add(
        lp.Pipe(
            id="P2",
            **{"from": "B", "to": "C"},
            length_km=80,
            inner_diameter_mm=500,
            law="panhandle_a",
            efficiency=0.95,
        )
    )
    net.add(lp.Pipe(id="P3", **{"from": "B", "to": "D"}, length_km=60, inner_diameter_mm=400, law="weymouth"))
    net.add(
        lp.Pipe(
            id="P4",
            **{"from": "C", "to": "D"},
            length_km=30,
            inner_diameter_mm=400,
            law="hofer",
            loss_coefficient=5.0,
        )
    )
    net.add(lp.Regulator(id="R1", **{"from": "D", "to": "E"}, p_set_barg=40.0))
    net.add(lp.Valve(id="V1", **{"from": "E", "to": "F"}, open=True))
    net.add(lp.Resistor(id="X1", **{"from": "F", "to": "G"}, drag_coefficient=20.0, diameter_mm=300))
    net.add(lp.Node(id="L", elevation_m=50.0))
    net.add(lp.Resistor(id="X2", **{"from": "G", "to": "L"}, pressure_loss_bar=0.5))
    net.add(lp.Sink(id="L.demand", node="L", demand=5.0, unit="kg/s"))
    net.add(lp.ShortPipe(id="SP1", **{"from": "G", "to": "H"}))
    net.add(lp.Pipe(id="P5", **{"from": "K", "to": "C"}, length_km=20, inner_diameter_mm=300, law="igt"))
    net.add(lp.Valve(id="V2", **{"from": "K", "to": "A"}, open=False))
    net.add(lp.Sink(id="H.demand", node="H", demand=40.0, unit="kg/s", p_min_barg=20.0))
    net.add(lp.Sink(id="C.demand", node="C", demand=100.0, unit="MMSCFD", p_min_barg=30.0))
    add_units(net, "C1", 2)
    return net


def add_units(net: lp.Network, station: str, n: int, *, configurations: bool = True) -> None:
    """``n`` units (a generic pipeline compressor, 1.4 m3/s and 25 kJ/kg at 9000/min, on a 6 MW gas turbine) for
    ``station``; with ``configurations``, one running 1 unit and one running all in parallel."""
    from linepack.model.components import CompressorConfiguration, CompressorUnit
    from linepack.model.stations import DriverSpec, TurboMapSpec
    from linepack.stations.generic import centrifugal_curves

    net.compressor_maps["SMALL_TURBO"] = TurboMapSpec.model_validate(
        {"speed_min_rpm": 4500, "speed_max_rpm": 9450, "curves": centrifugal_curves(1.4, 25.0, 9000.0)}
    )
    net.drivers["GT_6MW"] = DriverSpec(kind="gas_turbine", rated_power_mw=6.0, thermal_efficiency=0.33)
    ids = [f"{station}-{chr(65 + k)}" for k in range(n)]
    for uid in ids:
        net.add(CompressorUnit(id=uid, station=station, map="SMALL_TURBO", driver="GT_6MW"))
    if configurations:
        net.add(CompressorConfiguration(id=f"{station}-1x", station=station, stages=[ids[:1]]))
        net.add(CompressorConfiguration(id=f"{station}-all", station=station, stages=[ids]))
