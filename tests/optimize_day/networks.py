"""Small networks and profiles for the day-ahead tests (hand-checkable)."""

from __future__ import annotations

import numpy as np

import linepack as lp
from linepack.model.network import GasCompositionSpec
from linepack.optimize.day.prices import PriceSeries

NG = {"CH4": 0.92, "C2H6": 0.05, "C3H8": 0.01, "N2": 0.01, "CO2": 0.01}


def single_pipe(demand_kg_s: float = 40.0, p_min_barg: float = 40.0, maop_barg: float | None = None) -> lp.Network:
    """A terminal holding its send-out pressure (70 barg by default, up to 80 kg/s) feeding one constant load
    through 100 km of DN 600: the only decision is the send-out pressure, so the line can be drawn and packed."""
    net = lp.Network(
        name="single-pipe",
        settings=lp.Settings(temperature_c=15.0, gas="NG", compressibility={"model": "gerg2008"}),
        gas_compositions={"NG": GasCompositionSpec(mole_fractions=NG)},
    )
    net.add(lp.Node(id="S", p_max_barg=70.0))
    net.add(lp.Node(id="L"))
    net.add(lp.Source(id="S.supply", node="S", mode="pressure", p_set_barg=70.0, capacity=80.0, unit="kg/s"))
    net.add(lp.Pipe(id="P", **{"from": "S", "to": "L"}, length_km=100, inner_diameter_mm=600, maop_barg=maop_barg))
    net.add(lp.Sink(id="L.demand", node="L", demand=demand_kg_s, unit="kg/s", p_min_barg=p_min_barg))
    return net


def dear_then_cheap(hours: float = 24.0, dear: float = 10.0, cheap: float = 2.0) -> PriceSeries:
    """Supply gas at ``dear`` USD/MMBtu in the first half of the day and ``cheap`` in the second."""
    h = hours / 2.0
    t = np.array([0.0, h, h + 1e-3, hours]) * 3600.0
    return PriceSeries("dear then cheap", t, {"supply:*": np.array([dear, dear, cheap, cheap]), "fuel": np.zeros(4)})


def shut_station(ratio_max: float = 1.2) -> lp.Network:
    """A compressor (set-point 70 barg, ratio <= ``ratio_max``) from a 50 barg terminal into a line that a
    second terminal holds at 75 barg: the station is shut (non-return valve closed) with a ratio of about 1.5."""
    net = lp.Network(
        name="shut-station",
        settings=lp.Settings(temperature_c=15.0, gas="NG", compressibility={"model": "gerg2008"}),
        gas_compositions={"NG": GasCompositionSpec(mole_fractions=NG)},
    )
    for n in ("A", "S", "D", "B", "L"):
        net.add(lp.Node(id=n))
    net.add(lp.Source(id="A.supply", node="A", mode="pressure", p_set_barg=50.0, capacity=80.0, unit="kg/s"))
    net.add(lp.Source(id="B.supply", node="B", mode="pressure", p_set_barg=75.0, capacity=80.0, unit="kg/s"))
    net.add(lp.Pipe(id="PA", **{"from": "A", "to": "S"}, length_km=20, inner_diameter_mm=600))
    net.add(lp.Compressor(id="C", **{"from": "S", "to": "D"}, mode="pressure", p_set_barg=70.0, ratio_max=ratio_max))
    net.add(lp.Pipe(id="PD", **{"from": "D", "to": "L"}, length_km=50, inner_diameter_mm=600))
    net.add(lp.Pipe(id="PB", **{"from": "B", "to": "L"}, length_km=20, inner_diameter_mm=600))
    net.add(lp.Sink(id="L.demand", node="L", demand=30.0, unit="kg/s", p_min_barg=40.0))
    return net
