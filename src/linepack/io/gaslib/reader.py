"""read_gaslib and apply_decision."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np

from ...errors import InputError
from ...model.components import Compressor, CompressorMode, Regulator, RegulatorMode, Source, Valve
from ...model.errors import suggest
from ...model.network import Network
from .gases import assign_source_gases
from .mapping import (
    DEFAULT_ROUGHNESS_MM,
    FIXED_LOSS_CHOICES,
    Context,
    ReferenceArg,
    _reference_source,
    choose_references,
    edge_component,
    entry_id,
    entry_weights,
    information,
    make_context,
    node_component,
    nomination_components,
)
from .model import (
    CompressorStationData,
    Decision,
    DecisionGroup,
    GaslibCase,
    NetData,
    NominationFile,
    ReferenceChoice,
)
from .parse import parse_cdf, parse_cs, parse_net, parse_scn
from .stations import native_stations

#: The ratio limit of a station whose units (maps) hold its limits: linepack's largest accepted ratio_max.
STATION_RATIO_CAP = 10.0

PathLike = str | Path


def read_gaslib(
    net_path: PathLike,
    scn_path: PathLike | None = None,
    cdf_path: PathLike | None = None,
    cs_path: PathLike | None = None,
    *,
    reference: ReferenceArg | list[ReferenceArg] | None = None,
    fixed_loss: str = "error",
    zone_references: bool = True,
    units: bool = True,
    per_source_gas: bool = True,
) -> GaslibCase:
    """Read a GasLib instance: the network (.net), optionally a nomination (.scn), combined decisions (.cdf)
    and compressor-station data (.cs).

    ``reference`` names the node held at a fixed pressure (the pressure reference the simulation needs):
    a node id (held at its maximum pressure), ``(node_id, p_barg)``, or a list of those, one per island;
    by default, in every island, the entries nominated with a fixed pressure (``<pressure bound="both">``),
    else the entry with the largest nominated flow; with ``zone_references`` (default) also one in every zone
    whose pressure nothing else sets (docs/gaslib.md; an optimiser that treats entry pressures as decisions
    passes False and keeps the nominated flows). ``fixed_loss`` says what to do with resistors of fixed
    pressure loss: ``"error"`` (default) refuses them, ``"short_pipe"`` loads them as loss-free short pipes
    (the loss stays in the case and is written back), ``"resistor"`` as Resistors with ``pressure_loss_bar``.
    With ``units`` (default) every station of the .cs runs its own units: maps, drivers and configurations
    (:mod:`linepack.io.gaslib.stations`); ``units=False`` keeps the rated one-machine model of each station
    (:mod:`linepack.io.gaslib.rating`).
    ``per_source_gas`` (default) keeps each source's own gas when the sources supply different gases: every
    distinct gas gets a surrogate composition (:mod:`linepack.io.gaslib.gases`) and the hydraulics mix them;
    False reads one mean gas for the whole network (the reading before gas quality was tracked).

    Raises :class:`InputError` naming the file, line, element and fix for every problem found.
    """
    if fixed_loss not in FIXED_LOSS_CHOICES:
        raise InputError(f"fixed_loss '{fixed_loss}' is not one of {', '.join(FIXED_LOSS_CHOICES)}")
    net = parse_net(Path(net_path))
    nomination = parse_scn(Path(scn_path), net) if scn_path is not None else None
    stations, cs_doc, cs_warnings = parse_cs(Path(cs_path), net) if cs_path is not None else ({}, None, [])
    groups, cdf_warnings = parse_cdf(Path(cdf_path), net) if cdf_path is not None else ((), [])
    case = build_case(
        net,
        nomination,
        stations,
        groups,
        reference=reference,
        fixed_loss=fixed_loss,
        zone_references=zone_references,
        units=units,
        cs_name=Path(cs_path).name if cs_path is not None else ".cs",
        per_source_gas=per_source_gas,
    )
    case = replace(case, cs_document=cs_doc, warnings=(*case.warnings, *cs_warnings, *cdf_warnings))
    return case


def build_case(
    net: NetData,
    nomination: NominationFile | None,
    stations: Mapping[str, CompressorStationData],
    groups: tuple[DecisionGroup, ...],
    *,
    reference: ReferenceArg | list[ReferenceArg] | None = None,
    fixed_loss: str = "error",
    zone_references: bool = True,
    units: bool = True,
    cs_name: str = ".cs",
    per_source_gas: bool = True,
) -> GaslibCase:
    """The case (Network + GasLib extras) from parsed files."""
    ctx, settings, gas, warnings = make_context(net, nomination, stations, fixed_loss)
    network = Network(name=information(net, "title"), description=information(net, "documentation"), settings=settings)
    build_network(net, ctx, network)
    if units and stations:
        warnings.extend(add_station_units(network, stations, cs_name, ctx.ambient_c))
    refs = choose_references(net, ctx, reference)
    problems: list[str] = []
    for comp in nomination_components(ctx, refs):
        try:
            network.add(comp)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    automatic = reference is None and zone_references
    if automatic:
        refs = refs + _reference_floating_zones(network)
    if per_source_gas:
        scenario = nomination.scenario if nomination is not None else None
        warnings.extend(assign_source_gases(network, gas, entry_weights(net, scenario, gas), ctx.file))
    for el in net.elements.values():
        if el.kind == "resistor" and "pressureLoss" in el.values and fixed_loss == "short_pipe":
            warnings.append(
                f"resistor {el.id}: fixed pressure loss {el.values['pressureLoss']} bar loaded as a loss-free "
                "short pipe"
            )
        if el.kind == "resistor" and el.values.get("dragFactor") == 0:
            warnings.append(f"resistor {el.id}: dragFactor 0 (no loss) loaded as a short pipe")
        if el.kind == "pipe" and "roughness" not in el.values:
            warnings.append(f"pipe {el.id}: no roughness in the .net; linepack's default {DEFAULT_ROUGHNESS_MM} mm")
    return GaslibCase(
        network=network,
        net=net,
        gas=gas,
        nomination=nomination,
        compressor_stations=dict(stations),
        station_ratings=dict(ctx.ratings),
        decision_groups=groups,
        references=refs,
        fixed_loss=fixed_loss,
        warnings=tuple(warnings),
        automatic_references=automatic,
    )


def require_nomination(case: GaslibCase, net_name: str, option: str = "--nomination FILE.scn") -> None:
    """Refuse a GasLib network read without a nomination for a run: every entry and exit would carry zero
    flow, and a solve would report a converged, empty network ("0 MMSCFD, no violations")."""
    if case.nomination is None:
        raise InputError(
            f"{net_name}: a GasLib .net holds no flows; without its nomination every entry and exit carries zero "
            f"flow and the result would be meaningless. Give the nomination ({option}) of the same network"
        )


_FLOATING_RULE = (
    "entry with the largest nominated flow of a zone whose pressure nothing else sets (its gas leaves only "
    "through stations or control valves holding their outlet pressure), held at its maximum pressure"
)


def _reference_floating_zones(network: Network) -> tuple[ReferenceChoice, ...]:
    """One more reference in every zone that nothing else gives a pressure level in the Network's control
    modes (see :mod:`linepack.topology`; an island without a reference is such a zone): its entry with
    the largest nominated flow (else its exit that injects most), held at its maximum pressure, replaces that
    source's fixed flow in ``network``."""
    from ...compile import compile_network
    from ...topology import Modes, pressure_zones

    try:
        cn = compile_network(network)
    except InputError:
        return ()  # the solve reports it
    zones = pressure_zones(cn, Modes.initial(cn))
    added: list[ReferenceChoice] = []
    for z in np.flatnonzero(zones.floating):
        in_zone = np.flatnonzero((zones.label[cn.source_node] == z) & ~cn.source_is_pressure & (cn.source_inflow > 0))
        entries = [k for k in in_zone if cn.source_ids[k] == entry_id(cn.node_ids[cn.source_node[k]])]
        pool = np.array(entries or list(in_zone), dtype=np.int64)  # entries first, else exits that inject
        if not len(pool):
            continue
        k = int(pool[np.argmax(cn.source_inflow[pool])])
        source = network.find(cn.source_ids[k])
        p_max = network.nodes[source.node].p_max_barg if isinstance(source, Source) else None
        if not isinstance(source, Source) or p_max is None:
            continue
        ref = ReferenceChoice(source.node, p_max, _FLOATING_RULE)
        network.remove(source.id)
        held = _reference_source(ref, f"reference node {source.node}")
        network.add(held.model_copy(update={"gas": source.gas}) if source.gas is not None else held)
        added.append(ref)
    return tuple(added)


def add_station_units(
    network: Network, stations: Mapping[str, CompressorStationData], cs_name: str, ambient_c: float
) -> list[str]:
    """Add the units of every .cs station to ``network`` (maps, drivers, units, configurations); the stations
    that get units lose their rated ratio and power limits (the maps and drivers hold them) and run at the
    nomination's ambient temperature. Returns warnings."""
    native = native_stations(dict(stations), cs_name)
    network.compressor_maps.update(native.maps)
    network.drivers.update(native.drivers)
    for comp in [*native.units, *native.configurations]:
        network.add(comp)
    network.settings = network.settings.model_copy(update={"ambient_temperature_c": ambient_c})
    for sid in native.stations:
        comp = network.collections["compressors"][sid]
        assert isinstance(comp, Compressor)
        network.replace(_revalidate(comp, {"ratio_max": STATION_RATIO_CAP, "power_max_mw": None}))
    return native.warnings


def build_network(net: NetData, ctx: Context, network: Network) -> None:
    """Add the nodes and connections of ``net`` to ``network``; every problem is reported."""
    problems: list[str] = []
    for el in net.elements.values():
        try:
            comp = node_component(el, ctx) if el.from_node is None else edge_component(el, ctx)
            network.add(comp)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)


# --- decisions -------------------------------------------------------------------------------------


def find_decision(case: GaslibCase, key: int | str) -> Decision:
    decisions = case.decisions()
    if isinstance(key, int):
        if not -len(decisions) <= key < len(decisions):
            raise InputError(
                f"decision index {key} is out of range; the .cdf has {len(decisions)} decisions "
                f"(0..{len(decisions) - 1})"
            )
        return decisions[key]
    for d in decisions:
        if d.id == key or f"{d.group}/{d.id}" == key:
            return d
    if not decisions:
        raise InputError(f"decision '{key}': the case has no decisions; read it with cdf_path=")
    raise InputError(
        f"decision '{key}' is not in the .cdf{suggest(key, [d.id for d in decisions])}; "
        "give a decision id or its index in case.decisions()"
    )


def apply_decision(case: GaslibCase, index_or_name: int | str | Iterable[int | str]) -> Network:
    """A copy of the case's Network with one decision of the .cdf applied (or several, in order).

    ``index_or_name`` is a decision id, ``"group/decision"``, an index into ``case.decisions()``, or a list of
    those. Valves: value 0 closed, 1 open. Compressor stations: 0 ``off``; 1 with mode bypass ``bypass``;
    1 with mode active or no mode ``pressure`` (its controller falls back to bypass by itself when the
    suction pressure is above the set-point). Control valves: 0 ``closed``; 1 with mode bypass ``open``;
    1 otherwise ``pressure``. A compressor or control valve opened against its direction (flowDirection 1)
    can only be bypassed: no mode or mode bypass gives bypass/open, mode active is an error.
    """
    keys = [index_or_name] if isinstance(index_or_name, int | str) else list(index_or_name)
    network = case.network.copy()
    for key in keys:
        decision = find_decision(case, key)
        for ed in decision.elements:
            comp = network.find(ed.id)
            if comp is None and ed.id not in case.net.elements:
                continue  # the .cdf names an element the .net lacks (a warning when read)
            if comp is None:
                raise InputError(f"decision {decision.id}: {ed.kind} {ed.id} is not in the Network; it was removed")
            reverse = ed.flow_direction == 1
            if isinstance(comp, Valve):
                network.replace(comp.model_copy(update={"open": ed.value == 1}))
            elif isinstance(comp, Compressor):
                if ed.value == 0:
                    mode = CompressorMode.OFF
                elif ed.mode == "bypass" or (reverse and ed.mode is None):
                    mode = CompressorMode.BYPASS
                elif reverse:
                    raise InputError(
                        f"decision {decision.id}: compressorStation {ed.id} active with flowDirection 1 (against its "
                        "direction); linepack compresses from 'from' to 'to' only"
                    )
                else:
                    mode = CompressorMode.PRESSURE
                network.replace(_revalidate(comp, {"mode": mode}))
            elif isinstance(comp, Regulator):
                if ed.value == 0:
                    rmode = RegulatorMode.CLOSED
                elif ed.mode == "bypass" or (reverse and ed.mode is None):
                    rmode = RegulatorMode.OPEN
                elif reverse:
                    raise InputError(
                        f"decision {decision.id}: controlValve {ed.id} active with flowDirection 1 (against its "
                        "direction); a linepack regulator passes flow from 'from' to 'to' only"
                    )
                else:
                    rmode = RegulatorMode.PRESSURE
                network.replace(_revalidate(comp, {"mode": rmode}))
            else:
                raise InputError(
                    f"decision {decision.id}: {ed.kind} {ed.id} is a linepack {comp.kind} in the Network; "
                    "it cannot take this decision"
                )
    if case.automatic_references:
        _reference_floating_zones(network)
    return network


def _revalidate(comp: Compressor | Regulator, update: dict[str, object]) -> Compressor | Regulator:
    data = comp.model_dump(by_alias=True)
    data.update(update)
    return type(comp).model_validate(data)


def operating_decisions(case: GaslibCase) -> list[str]:
    """One decision per group of the .cdf (ids ``group/decision``) that together give a well-posed operating
    mode: the first decision of every group; where that leaves a loop of controlled elements joined only by
    loss-free connections (the flow around it would be undetermined, see
    :func:`linepack.topology.control_loops`), the first later decision of a group touching the loop that
    removes it. Loops that no decision removes are left for the solve to report."""
    from ...compile import compile_network
    from ...topology import Modes, control_loops

    groups = case.decision_groups
    chosen = [0] * len(groups)
    owner: dict[str, int] = {}
    for gi, g in enumerate(groups):
        for d in g.decisions:
            for ed in d.elements:
                owner.setdefault(ed.id, gi)

    def ids() -> list[str]:
        return [f"{g.id}/{g.decisions[c].id}" for g, c in zip(groups, chosen, strict=True)]

    def loops() -> list[set[str]]:
        try:
            cn = compile_network(apply_decision(case, ids()))
        except InputError:
            return []
        return [{cn.edge_ids[e] for e in loop} for loop in control_loops(cn, Modes.initial(cn))]

    current = loops()
    tried: set[int] = set()
    while current:
        loop = current[0]
        candidates = sorted({owner[e] for e in loop if e in owner} - tried)
        fixed = False
        for gi in candidates:
            tried.add(gi)
            for c in range(chosen[gi] + 1, len(groups[gi].decisions)):
                before = chosen[gi]
                chosen[gi] = c
                after = loops()
                if all(loop != other for other in after) and len(after) < len(current):
                    current, fixed = after, True
                    break
                chosen[gi] = before
            if fixed:
                break
        if not fixed:
            break
    return ids()
