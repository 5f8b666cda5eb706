"""write_gaslib: the case back to GasLib .net and .scn files.

For every element the writer first rebuilds the component the reader would make from the case's raw
element (same rules, same context). Where the Network still holds exactly that component, the raw element
is written as read (its units, its number strings, its unknown children). Where the Network differs, the
fields the Network holds are written from the Network in GasLib's usual units, and everything else from
the case. Elements added to the Network are written from their fields alone; elements removed from it are
left out. So read -> write -> read gives the same Network and the same case.

The .cs (compressor stations) is written as it was read: its root element, namespace prefixes and licence
header, and every station whose typed data (``case.compressor_stations``) and units in the Network are
unchanged, verbatim (number strings, units, elements the reader does not use). A station whose units were
edited in the Network is written from them (:func:`linepack.io.gaslib.stations.station_from_network`); one
whose typed data was replaced, from that data. Only comments inside the root element are not kept. The .cdf
(combined decisions) is written from ``case.decision_groups``; reading it back gives equal typed data. Files
that were not read (a case from :func:`network_to_gaslib`) get the .net's header comment.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import InputError
from ...model.components import (
    Component,
    Compressor,
    CompressorUnit,
    FlowUnit,
    Node,
    Pipe,
    Regulator,
    RegulatorMode,
    Resistor,
    ShortPipe,
    Sink,
    Source,
    SourceMode,
    Valve,
)
from ...model.network import Network
from ..atomic import atomic_write_text
from ._xml import CDF_NS, CS_NS, FRAMEWORK_NS, GAS_NS, XSI_NS, XmlItem, XmlWriter
from .mapping import Context, edge_component, entry_id, exit_id, make_context, node_component, nomination_components
from .model import (
    CompressorStationData,
    DecisionGroup,
    Drive,
    GaslibCase,
    GaslibElement,
    MapPoint,
    NominationNode,
    PistonCompressor,
    ScenarioData,
    TurboCompressor,
)
from .parse import station_of_item
from .stations import derived_units, network_units, station_from_network

FLOW_UNIT = "1000m_cube_per_hour"
_EDGE_TAG: dict[type[Component], str] = {
    Pipe: "pipe",
    ShortPipe: "shortPipe",
    Resistor: "resistor",
    Valve: "valve",
    Regulator: "controlValve",
    Compressor: "compressorStation",
}


def _num(v: float) -> str:
    return repr(float(v))


def _set_child(item: XmlItem, tag: str, value: float | None, unit: str | None) -> XmlItem:
    """``item`` with child ``<tag value unit/>`` replaced (or appended), or removed when ``value`` is None."""
    children = list(item.children)
    idx = next((i for i, c in enumerate(children) if c.tag == tag), None)
    if value is None:
        if idx is not None:
            del children[idx]
        return item.with_children(tuple(children))
    attrs: tuple[tuple[str, str], ...] = (("value", _num(value)),) + ((("unit", unit),) if unit else ())
    if idx is not None:
        old = children[idx]
        rest = tuple((k, v) for k, v in old.attrs if k not in ("value", "unit"))
        children[idx] = XmlItem(tag, old.ns, attrs + rest, old.children, old.text, old.line)
    else:
        children.append(XmlItem(tag, item.ns or GAS_NS, attrs))
    return item.with_children(tuple(children))


def _common_attrs(item: XmlItem, comp: Component) -> XmlItem:
    if comp.name or item.get("alias") is not None:
        item = item.with_attr("alias", comp.name)
    return item


# --- nodes -----------------------------------------------------------------------------------------


def _node_item(raw: GaslibElement | None, node: Node, derived: Node | None, kind: str, ctx: Context) -> XmlItem:
    if raw is not None and derived == node:
        return raw.item
    item = raw.item if raw is not None else XmlItem(kind, GAS_NS, (("id", node.id),))
    item = _common_attrs(item, node)
    old = derived or Node(id=node.id)
    if raw is None or node.lat != old.lat:
        item = item.with_attr("geoWGS84Lat", None if node.lat is None else _num(node.lat))
    if raw is None or node.lon != old.lon:
        item = item.with_attr("geoWGS84Long", None if node.lon is None else _num(node.lon))
    if raw is None or node.elevation_m != old.elevation_m:
        item = _set_child(item, "height", node.elevation_m, "m")
    amb = ctx.ambient_bar
    if raw is None or node.p_min_barg != old.p_min_barg:
        item = _set_child(item, "pressureMin", None if node.p_min_barg is None else node.p_min_barg + amb, "bar")
    if raw is None or node.p_max_barg != old.p_max_barg:
        item = _set_child(item, "pressureMax", None if node.p_max_barg is None else node.p_max_barg + amb, "bar")
    return item


# --- connections -----------------------------------------------------------------------------------


def _edge_item(raw: GaslibElement | None, comp: Component, derived: Component | None, ctx: Context) -> XmlItem:
    if raw is not None and derived == comp:
        return raw.item
    tag = _EDGE_TAG[type(comp)]
    if raw is not None and type(derived) is type(comp):
        item = raw.item
    else:
        item = XmlItem(tag, GAS_NS, (("id", comp.id),))
        derived = None
    assert isinstance(comp, Pipe | ShortPipe | Resistor | Valve | Regulator | Compressor)
    item = item.with_attr("from", comp.from_node).with_attr("to", comp.to_node)
    item = _common_attrs(item, comp)
    amb = ctx.ambient_bar
    if isinstance(comp, Pipe):
        old = derived if isinstance(derived, Pipe) else None
        for tag_, field, unit in (
            ("length", "length_km", "km"),
            ("diameter", "inner_diameter_mm", "mm"),
            ("roughness", "roughness_mm", "mm"),
        ):
            if old is None or getattr(comp, field) != getattr(old, field):
                item = _set_child(item, tag_, getattr(comp, field), unit)
        if old is None or comp.maop_barg != old.maop_barg:
            item = _set_child(item, "pressureMax", None if comp.maop_barg is None else comp.maop_barg + amb, "bar")
    elif isinstance(comp, Resistor):
        old_r = derived if isinstance(derived, Resistor) else None
        if old_r is None or comp.drag_coefficient != old_r.drag_coefficient:
            item = _set_child(item, "dragFactor", comp.drag_coefficient, None)
        if old_r is None or comp.diameter_mm != old_r.diameter_mm:
            item = _set_child(item, "diameter", comp.diameter_mm, "mm")
        if old_r is None or comp.pressure_loss_bar != old_r.pressure_loss_bar:
            item = _set_child(item, "pressureLoss", comp.pressure_loss_bar, "bar")
    elif derived is None and isinstance(comp, Regulator | Compressor):
        # a new control valve or station: its set-point as the maximum outlet pressure
        if comp.p_set_barg is not None and not (isinstance(comp, Regulator) and comp.mode != RegulatorMode.PRESSURE):
            item = _set_child(item, "pressureOutMax", comp.p_set_barg + amb, "bar")
        if isinstance(comp, Compressor) and comp.p_suction_min_barg is not None:
            item = _set_child(item, "pressureInMin", comp.p_suction_min_barg + amb, "bar")
        if comp.flow_max_kg_s is not None:
            item = _set_child(item, "flowMax", comp.flow_max_kg_s * 3.6 / ctx.density, FLOW_UNIT)
    return item


# --- .net ------------------------------------------------------------------------------------------


def _ordered(network: Network, raw_ids: list[str], kinds: tuple[type[Component], ...]) -> list[Component]:
    """Network components of ``kinds``: those the case knows in file order, then the new ones."""
    comps = {c.id: c for c in network.components() if isinstance(c, kinds)}
    out = [comps.pop(i) for i in raw_ids if i in comps]
    return out + list(comps.values())


def net_document(case: GaslibCase, network: Network, ctx: Context) -> tuple[XmlItem, XmlWriter]:
    net = case.net
    nodes_at: dict[str, str] = {}
    for c in network.components():
        if isinstance(c, Source):
            nodes_at.setdefault(c.node, "source")
        elif isinstance(c, Sink):
            nodes_at.setdefault(c.node, "sink")
    node_items = []
    for comp in _ordered(network, [e.id for e in net.nodes()], (Node,)):
        assert isinstance(comp, Node)
        raw = net.elements.get(comp.id)
        if raw is not None and raw.from_node is not None:
            raw = None  # the id was a connection in the case
        derived_node = node_component(raw, ctx) if raw is not None else None
        node_items.append(_node_item(raw, comp, derived_node, nodes_at.get(comp.id, "innode"), ctx))
    edge_items = []
    for comp in _ordered(network, [e.id for e in net.connections()], tuple(_EDGE_TAG)):
        raw = net.elements.get(comp.id)
        if raw is not None and raw.from_node is None:
            raw = None  # the id was a node in the case
        derived = edge_component(raw, ctx) if raw is not None else None
        edge_items.append(_edge_item(raw, comp, derived, ctx))
    children = []
    for child in net.root.children:
        if child.tag == "nodes":
            child = child.with_children(tuple(node_items))
        elif child.tag == "connections":
            child = child.with_children(tuple(edge_items))
        elif child.tag == "information":
            child = _information(child, network)
        children.append(child)
    if not any(c.tag == "connections" for c in children):
        children.append(XmlItem("connections", FRAMEWORK_NS, (), tuple(edge_items)))
    root = net.root.with_children(tuple(children))
    return root, XmlWriter(root, net.prefixes)


def _information(info: XmlItem, network: Network) -> XmlItem:
    children = []
    for it in info.children:
        if it.tag == "title" and it.text != network.name:
            it = XmlItem(it.tag, it.ns, it.attrs, it.children, network.name, it.line)
        elif it.tag == "documentation" and it.text != network.description:
            it = XmlItem(it.tag, it.ns, it.attrs, it.children, network.description, it.line)
        children.append(it)
    return info.with_children(tuple(children))


# --- .scn ------------------------------------------------------------------------------------------


def _flow_of(comp: Source | Sink, nominated_type: str, ctx: Context) -> float:
    """The nominated flow (1000 m3/h, signed for the node type) of an edited source or sink."""
    value = comp.inflow if isinstance(comp, Source) else comp.demand
    if comp.unit != FlowUnit.KG_S:
        raise InputError(
            f"{comp.kind} {comp.id}: write_gaslib converts flows in kg/s only (got {comp.unit}); give the flow in kg/s"
        )
    supplies = isinstance(comp, Source)
    density = ctx.source_density.get(comp.node, ctx.density) if supplies and nominated_type == "entry" else ctx.density
    flow = float(value or 0.0) * 3.6 / density
    return flow if supplies == (nominated_type == "entry") else -flow


def _nomination_item(nn: NominationNode, comp: Source | Sink, ctx: Context) -> XmlItem:
    kept = tuple(c for c in nn.item.children if c.tag != "flow")
    attrs = (("bound", "both"), ("value", _num(_flow_of(comp, nn.type, ctx))), ("unit", FLOW_UNIT))
    flow = XmlItem("flow", nn.item.ns or GAS_NS, attrs)
    return nn.item.with_children((*kept, flow))


def _scenario_item(scenario: ScenarioData | None, network: Network, ctx: Context, case: GaslibCase) -> XmlItem:
    derived = {c.id: c for c in nomination_components(ctx, case.references)}
    raw_nodes = scenario.nodes if scenario is not None else {}
    items: list[XmlItem] = []
    known: set[str] = set()
    source_items = scenario.item.children if scenario is not None else ()
    for child in source_items:
        if child.tag != "node" or child.get("id") not in raw_nodes:
            items.append(child)
            continue
        nn = raw_nodes[child.get("id") or ""]
        cid = entry_id(nn.id) if nn.type == "entry" else exit_id(nn.id)
        known.add(cid)
        comp = network.find(cid)
        if not isinstance(comp, Source | Sink):
            continue  # removed from the Network: no longer nominated
        # a source's gas is no part of its nomination (the reader gives GasLib sources their gas by node)
        as_nominated = comp.model_copy(update={"gas": None}) if isinstance(comp, Source) else comp
        if as_nominated == derived.get(cid) or (isinstance(comp, Source) and comp.mode == SourceMode.PRESSURE):
            items.append(child)  # unchanged, or the pressure reference (its flow is the nomination's)
            continue
        items.append(_nomination_item(nn, comp, ctx))
    nominated = {nn for nn in raw_nodes}
    for comp in network.components():
        if not isinstance(comp, Source | Sink) or comp.id in known:
            continue
        if isinstance(comp, Source) and comp.mode == SourceMode.PRESSURE:
            continue  # GasLib nominations have no pressure-held entries
        if comp.node in nominated:
            raise InputError(
                f"{comp.kind} {comp.id}: node {comp.node} is already nominated; a GasLib nomination holds one flow "
                "per node; merge the flows"
            )
        nominated.add(comp.node)
        kind = "entry" if isinstance(comp, Source) else "exit"
        nn = NominationNode(comp.node, kind, XmlItem("node", GAS_NS, (("id", comp.node), ("type", kind))), {}, {})
        items.append(_nomination_item(nn, comp, ctx))
    if scenario is not None:
        return scenario.item.with_children(tuple(items))
    return XmlItem("scenario", GAS_NS, (("id", network.name or "linepack"),), tuple(items))


def scn_document(case: GaslibCase, network: Network, ctx: Context) -> tuple[XmlItem, XmlWriter]:
    nom = case.nomination
    if nom is None:
        root = XmlItem("boundaryValue", GAS_NS, ((f"{{{XSI_NS}}}schemaLocation", f"{GAS_NS} Scenario.xsd"),))
        prefixes: tuple[tuple[str, str], ...] = (("xsi", XSI_NS), ("", GAS_NS), ("framework", FRAMEWORK_NS))
        scenarios = [_scenario_item(None, network, ctx, case)]
    else:
        root, prefixes = nom.root, nom.prefixes
        scenarios = [_scenario_item(nom.scenarios[0], network, ctx, case)] + [s.item for s in nom.scenarios[1:]]
    root = root.with_children((*root.children, *scenarios))
    return root, XmlWriter(root, prefixes)


# --- .cs and .cdf (from the typed data) ----------------------------------------------------------


def _q(tag: str, value: float, unit: str | None = None) -> XmlItem:
    attrs: tuple[tuple[str, str], ...] = (("value", _num(value)),) + ((("unit", unit),) if unit else ())
    return XmlItem(tag, CS_NS, attrs)


def _coeff_items(prefix: str, coeffs: tuple[float, ...]) -> list[XmlItem]:
    return [_q(f"{prefix}_{i}", c) for i, c in enumerate(coeffs, start=1)]


def _measurement(p: MapPoint) -> XmlItem:
    children = (
        _q("speed", p.speed_per_min, "per_min"),
        _q("adiabaticHead", p.adiabatic_head_kj_per_kg, "kJ_per_kg"),
        _q("volumetricFlowrate", p.volumetric_flow_m3_per_s, "m_cube_per_s"),
    )
    return XmlItem("measurement", CS_NS, (), children)


def _compressor_item(c: TurboCompressor | PistonCompressor) -> XmlItem:
    ch = [_q("speedMin", c.speed_min_per_min, "per_min"), _q("speedMax", c.speed_max_per_min, "per_min")]
    if isinstance(c, TurboCompressor):
        ch += _coeff_items("n_isoline_coeff", c.n_isoline_coeffs)
        ch += _coeff_items("eta_ad_isoline_coeff", c.eta_ad_isoline_coeffs)
        ch += _coeff_items("surgeline_coeff", c.surgeline_coeffs)
        ch += _coeff_items("chokeline_coeff", c.chokeline_coeffs)
        if c.efficiency_of_chokeline is not None:
            ch.append(_q("efficiencyOfChokeline", c.efficiency_of_chokeline))
        if c.surgeline_measurements:
            pts = tuple(_measurement(p) for p in c.surgeline_measurements)
            ch.append(XmlItem("surgelineMeasurements", CS_NS, (), pts))
        if c.characteristic_diagram:
            isolines = tuple(
                XmlItem(
                    "adiabaticEfficiency",
                    CS_NS,
                    (("value", _num(iso.adiabatic_efficiency)),),
                    tuple(_measurement(p) for p in iso.points),
                )
                for iso in c.characteristic_diagram
            )
            ch.append(XmlItem("characteristicDiagramMeasurements", CS_NS, (), isolines))
        tag = "turboCompressor"
    else:
        for name, value, unit in (
            ("operatingVolume", c.operating_volume_m3, "m_cube"),
            ("maximalTorque", c.maximal_torque_knm, "kNm"),
            ("maximalCompressionRatio", c.maximal_compression_ratio, None),
            ("adiabaticEfficiency", c.adiabatic_efficiency, None),
            ("additionalReductionVolFlow", c.additional_reduction_vol_flow, None),
        ):
            if value is not None:
                ch.append(_q(name, value, unit))
        tag = "pistonCompressor"
    return XmlItem(tag, CS_NS, (("id", c.id), ("drive", c.drive)), tuple(ch))


def _drive_item(d: Drive) -> XmlItem:
    ch = _coeff_items("energy_rate_fun_coeff", d.energy_rate_coeffs) + _coeff_items("power_fun_coeff", d.power_coeffs)
    if d.specific_energy_consumption:
        pts = tuple(
            XmlItem("measurement", CS_NS, (), (_q("compressorPower", p, "kW"), _q("fuelConsumption", f, "kW")))
            for p, f in d.specific_energy_consumption
        )
        ch.append(XmlItem("specificEnergyConsumptionMeasurements", CS_NS, (), pts))
    if d.maximal_power:
        groups: list[XmlItem] = []
        for curve in d.maximal_power:
            pts = tuple(
                XmlItem("measurement", CS_NS, (), (_q("speed", n, "per_min"), _q("maximalPower", p, "kW")))
                for n, p in curve.points
            )
            if curve.ambient_temperature_c is None:
                groups.extend(pts)
            else:
                attrs = (("value", _num(curve.ambient_temperature_c)), ("unit", "Celsius"))
                groups.append(XmlItem("ambientTemperature", CS_NS, attrs, pts))
        ch.append(XmlItem("maximalPowerMeasurements", CS_NS, (), tuple(groups)))
    return XmlItem(d.kind, CS_NS, (("id", d.id),), tuple(ch))


def _station_item(st: CompressorStationData) -> XmlItem:
    configs = []
    for cf in st.configurations:
        stages = []
        for stage in cf.stages:
            units = []
            for u in stage.units:
                uattrs: tuple[tuple[str, str], ...] = (("id", u.compressor),)
                if u.nominal_speed_per_min is not None:
                    uattrs += (("nominalSpeed", _num(u.nominal_speed_per_min)),)
                units.append(XmlItem("compressor", CS_NS, uattrs))
            attrs = (("stageNr", str(stage.stage_nr)), ("nrOfParallelUnits", str(stage.parallel_units)))
            stages.append(XmlItem("stage", CS_NS, attrs, tuple(units)))
        attrs = (("confId", cf.conf_id), ("nrOfSerialStages", str(cf.serial_stages)))
        configs.append(XmlItem("configuration", CS_NS, attrs, tuple(stages)))
    children = (
        XmlItem("compressors", CS_NS, (), tuple(_compressor_item(c) for c in st.compressors)),
        XmlItem("drives", CS_NS, (), tuple(_drive_item(d) for d in st.drives)),
        XmlItem("configurations", CS_NS, (), tuple(configs)),
    )
    return XmlItem("compressorStation", CS_NS, (("id", st.id),), children)


def _station_out(case: GaslibCase, sid: str, raw: XmlItem | None, source: str) -> XmlItem:
    """One station for the .cs: as read when neither its typed data nor the Network's units of it changed; from
    the Network's units when those were edited; else from the typed data."""
    st = case.compressor_stations[sid]
    has_units = any(isinstance(u, CompressorUnit) and u.station == sid for u in case.network.components())
    if has_units and network_units(case.network, sid) != derived_units(dict(case.compressor_stations), sid, source):
        edited = station_from_network(case.network, sid)
        assert edited is not None
        return _station_item(edited)
    if raw is not None and station_of_item(raw, source) == st:
        return raw
    return _station_item(st)


def cs_document(case: GaslibCase) -> tuple[XmlItem, XmlWriter, tuple[str, ...]]:
    """The .cs document of ``case.compressor_stations``: the file as read (root, prefixes, licence comments,
    stations in their order, each unchanged station verbatim), stations added to the case appended in the .net's
    order; without a .cs read, a new document (stations in the .net's order, the .net's comments)."""
    doc = case.cs_document
    source = Path(doc.path).name if doc is not None and doc.path else ".cs"
    order = {e.id: i for i, e in enumerate(case.net.connections())}
    items: list[XmlItem] = []
    done: set[str] = set()
    if doc is not None:
        for child in doc.root.children:
            sid = child.get("id") or ""
            if child.tag != "compressorStation":
                items.append(child)
            elif sid in case.compressor_stations:
                items.append(_station_out(case, sid, child, source))
                done.add(sid)
    added = sorted((s for s in case.compressor_stations if s not in done), key=lambda s: order.get(s, len(order)))
    items.extend(_station_out(case, sid, None, source) for sid in added)
    if doc is not None:
        root = doc.root.with_children(tuple(items))
        return root, XmlWriter(root, doc.prefixes), doc.comments
    schema = ((f"{{{XSI_NS}}}schemaLocation", f"{CS_NS} CompressorStations.xsd"),)
    root = XmlItem("compressorStations", CS_NS, schema, tuple(items))
    return root, XmlWriter(root, (("xsi", XSI_NS), ("", CS_NS))), case.net.comments


def cdf_document(groups: tuple[DecisionGroup, ...]) -> tuple[XmlItem, XmlWriter]:
    """The .cdf document of decision groups."""
    items = []
    for g in groups:
        decisions = []
        for d in g.decisions:
            elements = []
            for ed in d.elements:
                attrs: list[tuple[str, str]] = [("id", ed.id), ("value", str(ed.value))]
                if ed.mode is not None:
                    attrs.append(("mode", ed.mode))
                if ed.flow_direction is not None:
                    attrs.append(("flowDirection", str(ed.flow_direction)))
                elements.append(XmlItem(ed.kind, CDF_NS, tuple(attrs)))
            decisions.append(XmlItem("decision", CDF_NS, (("id", d.id),), tuple(elements)))
        items.append(XmlItem("decisionGroup", CDF_NS, (("id", g.id),), tuple(decisions)))
    schema = ((f"{{{XSI_NS}}}schemaLocation", f"{CDF_NS} CombinedDecisions.xsd"),)
    root = XmlItem("combinedDecisions", CDF_NS, schema, tuple(items))
    return root, XmlWriter(root, (("xsi", XSI_NS), ("", CDF_NS)))


# --- entry point -----------------------------------------------------------------------------------


def write_gaslib(
    case: GaslibCase,
    net_path: str | Path,
    scn_path: str | Path | None = None,
    cs_path: str | Path | None = None,
    cdf_path: str | Path | None = None,
) -> None:
    """Write the case as a GasLib .net (and, with ``scn_path``, its nomination as a .scn; with ``cs_path``
    its compressor-station data as a .cs; with ``cdf_path`` its combined decisions as a .cdf), atomically.

    The Network is taken from ``case.network`` (edit it in place, or ``dataclasses.replace`` the case);
    see the module docstring for what comes from the Network and what from the case.
    """
    ctx, _, _, _ = make_context(case.net, case.nomination, case.compressor_stations, case.fixed_loss)
    network = case.network
    root, writer = net_document(case, network, ctx)
    texts: list[tuple[Path, str]] = [(Path(net_path), writer.render(root, case.net.comments))]
    if scn_path is not None:
        sroot, swriter = scn_document(case, network, ctx)
        comments = case.nomination.comments if case.nomination is not None else ()
        texts.append((Path(scn_path), swriter.render(sroot, comments)))
    if cs_path is not None:
        croot, cwriter, ccomments = cs_document(case)
        texts.append((Path(cs_path), cwriter.render(croot, ccomments)))
    if cdf_path is not None:
        droot, dwriter = cdf_document(case.decision_groups)
        texts.append((Path(cdf_path), dwriter.render(droot, case.net.comments)))
    for path, text in texts:
        atomic_write_text(path, text)
