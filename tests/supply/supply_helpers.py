"""Helpers of the supply tests: one terminal feeding one city through one pipe (hand-computable cases)."""

from __future__ import annotations

from typing import Any

from linepack.model.network import Network
from linepack.supply.model import SupplyChain

LNG = {"CH4": 0.92, "C2H6": 0.05, "C3H8": 0.02, "N2": 0.01}


def small_network(demand_mmscfd: float = 300.0, category: str = "industry") -> Network:
    """A terminal node holding 70 barg, a 50 km 30 in line, a city with a flat demand (no compressors: no fuel)."""
    doc: dict[str, Any] = {
        "format": "linepack-network/1",
        "name": "one-terminal",
        "settings": {"temperature_c": 15.0, "gas": "LNG", "compressibility": "papay"},
        "gas_compositions": {"LNG": {"mole_fractions": LNG}},
        "nodes": [{"id": "T"}, {"id": "C"}],
        "pipes": [{"id": "P", "from": "T", "to": "C", "length_km": 50.0, "inner_diameter_mm": 730.0}],
        "sources": [{"id": "T.supply", "node": "T", "mode": "pressure", "p_set_barg": 70.0, "gas": "LNG"}],
        "sinks": [{"id": "C.demand", "node": "C", "demand": demand_mmscfd, "unit": "MMSCFD", "category": category,
                   "p_min_barg": 20.0}],
    }
    return Network.from_dict(doc, source="test")


def small_chain(**terminal: Any) -> SupplyChain:
    t = {
        "id": "T1", "source": "T.supply", "tank_m3": 150000.0, "heel_m3": 5000.0, "initial_m3": 100000.0,
        "boil_off_pct_per_day": 0.0, "trains": 3, "train_max_mmscfd": 300.0, "berths": 1,
        "unloading_m3_per_h": 10000.0, "berthing_h": 12.0, "unberthing_h": 6.0, "lng": "LNG",
        "temperature_c": -160.0,
    }
    t.update(terminal)
    return SupplyChain.model_validate({"name": "test chain", "terminals": [t]})

