"""A network's stations as single machines again: units and configurations removed, one-machine ratings set.

The embedded PSGP network keeps its data set's one-machine ratings of CS1-CS3 (ratio and power limits) in
``meta.one_machine_ratings``; :func:`without_units` puts them back on the stations, which then solve exactly as
they did before the stations had units (linepack's one-machine model: one isentropic efficiency, one driver
efficiency, ratio and power limits).
"""

from __future__ import annotations

from typing import Any

from ..model.components import Compressor, CompressorConfiguration, CompressorUnit
from ..model.network import Network


def one_machine_ratings(network: Network) -> dict[str, dict[str, Any]]:
    """``meta.one_machine_ratings`` of a network: station id -> {ratio_max, power_max_mw, ...}."""
    raw = network.meta.get("one_machine_ratings") or {}
    return {str(k): dict(v) for k, v in raw.items() if isinstance(v, dict)}


def without_units(network: Network) -> Network:
    """A copy of ``network`` without compressor units and configurations, its stations rated as single machines
    by ``meta.one_machine_ratings`` where given (their own ratio and power limits otherwise)."""
    out = network.copy()
    for comp in list(out.components()):
        if isinstance(comp, CompressorUnit | CompressorConfiguration):
            out.remove(comp.id)
    ratings = one_machine_ratings(network)
    for sid, rated in ratings.items():
        station = out.find(sid)
        if isinstance(station, Compressor):
            fields = {k: v for k, v in rated.items() if k in ("ratio_max", "power_max_mw")}
            data = {**station.model_dump(by_alias=True), **fields, "configuration": None}
            out.replace(Compressor.model_validate(data))
    out.compressor_maps.clear()
    out.drivers.clear()
    return out
