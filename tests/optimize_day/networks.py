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
