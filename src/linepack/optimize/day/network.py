"""The network a day-ahead optimisation runs on: one gas, isothermal, stations as single machines.

The day-ahead NLP (:mod:`linepack.optimize.formulations.transient_nlp`) writes the transient simulator's
equations for one gas at the network temperature, with linepack's one-machine compressor model (one
isentropic efficiency, one driver efficiency, ratio and power limits). Three parts of a network file go
beyond that, and the optimiser and its replay then run on a copy of the network without them, each with a
note in the result (the user's network is never changed):

* ``settings.mixing: auto`` with several source gases: the transient simulator would carry the mixtures
  along the pipes; the NLP does not. The copy has ``mixing: off`` (the network gas everywhere; each
  source's own gas still converts its volume units), as the supply-chain horizon does
  (:func:`linepack.supply.horizon.one_gas`).
* ``settings.thermal.mode: non_isothermal``: the transient simulator is isothermal; the copy says so.
* compressor units (maps and drivers, issue 21): the copy runs each such station as one machine
  (:func:`linepack.stations.fallback.without_units`), rated by the data set's one-machine ratings where the
  network gives them (``meta.one_machine_ratings``: the embedded PSGP's CS1-CS3), else by the station's own
  ratio and power limits. The units' surge, choke and speed limits, part-load efficiencies and the choice of
  how many units run are not modelled.

A compiled network with any of these is refused (it cannot be copied back): pass the :class:`Network`.
"""

from __future__ import annotations

from ...compile import CompiledNetwork
from ...errors import InputError
from ...model.components import Compressor, CompressorUnit
from ...model.network import Network
from ...model.thermal import ThermalMode
from ...stations.fallback import one_machine_ratings, without_units


def _fmt_limit(value: float | None, unit: str) -> str:
    return "none" if value is None else f"{value:g}{unit}"


def day_network(network: Network, scenario: str | None = None) -> tuple[Network, tuple[str, ...]]:
    """The copy of ``network`` the day-ahead optimiser runs on, and a note per change (see the module)."""
    notes: list[str] = []
    out = network
    view = network.view(scenario) if scenario is not None else network.view(network.default_scenario)
    settings = network.settings
    update: dict[str, object] = {}
    if settings.mixing != "off":
        from ...compile import compile_network

        cn = compile_network(network, scenario)
        if cn.quality is not None and cn.quality.mixing:
            update["mixing"] = "off"
            notes.append(
                "one gas: the network mixes its sources' gases (settings.mixing: auto), which the day-ahead "
                "optimiser does not model; it and its replay carry the network gas everywhere (mixing off)"
            )
    if settings.thermal.mode == "non_isothermal":
        update["thermal"] = settings.thermal.model_copy(update={"mode": ThermalMode.ISOTHERMAL})
        notes.append(
            "isothermal: settings.thermal.mode is non_isothermal, but the transient simulator and the day-ahead "
            f"optimiser are isothermal at the network temperature ({settings.temperature_c:g} C)"
        )
    if update:
        out = network.copy()
        out.settings = settings.model_copy(update=update)
    with_units = sorted({u.station for u in view.of_type(CompressorUnit)})
    if with_units:
        rated = one_machine_ratings(network)
        out = without_units(out)
        stations = {c.id: c for c in out.view(scenario or out.default_scenario).of_type(Compressor)}
        parts = []
        for sid in with_units:
            c = stations.get(sid)
            if c is None:
                continue
            basis = "the data set's one-machine rating" if sid in rated else "the station's own limits"
            parts.append(
                f"{sid} (ratio <= {c.ratio_max:g}, power <= {_fmt_limit(c.power_max_mw, ' MW')}, efficiency "
                f"{c.isentropic_efficiency:g}, driver {c.driver_efficiency:g}; {basis})"
            )
        notes.append(
            "stations as single machines: " + "; ".join(parts) + ". Their units' maps (surge, choke, speed), "
            "part-load efficiencies and the number of units running are not modelled by the day-ahead optimiser"
        )
    return out, tuple(notes)


def check_compiled(cn: CompiledNetwork) -> None:
    """Refuse a compiled network that needs :func:`day_network` (mixed gases, compressor units)."""
    why = []
    if cn.quality is not None and cn.quality.mixing:
        why.append("it mixes several source gases (settings.mixing: auto)")
    if cn.stations is not None:
        why.append(f"its stations {', '.join(cn.stations.ids)} run compressor units")
    if cn.thermal_requested:
        why.append("it asks for non-isothermal flow")
    if why:
        raise InputError(
            f"day-ahead optimisation of a compiled network: {'; '.join(why)}, which the optimiser does not model; "
            "pass the Network itself: optimize_day then runs on a copy with one gas, isothermal, with single-machine "
            "stations, and says so in its notes"
        )
