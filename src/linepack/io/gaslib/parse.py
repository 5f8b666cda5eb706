"""Reading the four GasLib file types into the typed model of :mod:`linepack.io.gaslib.model`.

Every problem found is collected; one :class:`InputError` lists them all, each naming the file, the line,
the element (tag and id), the attribute and value, and the fix.
"""

from __future__ import annotations

import re
from pathlib import Path

from ...errors import InputError
from ...model.errors import suggest
from ._xml import XmlItem, parse_xml
from .model import (
    EDGE_KINDS,
    NODE_KINDS,
    CompressorStationData,
    Configuration,
    CsDocument,
    Decision,
    DecisionGroup,
    Drive,
    EfficiencyIsoline,
    ElementDecision,
    GaslibElement,
    MapPoint,
    MaxPowerCurve,
    NetData,
    NominationFile,
    NominationNode,
    PistonCompressor,
    ScenarioData,
    Stage,
    StageUnit,
    TurboCompressor,
)
from .units import TAG_UNITS, UnitError, convert

BOUNDS = ("lower", "upper", "both")
_COEFF = re.compile(r"^(.*_coeff)_(\d+)$")


class _Problems:
    """Collects problems of one file; :meth:`raise_if_any` raises them together."""

    def __init__(self, path: Path) -> None:
        self.name = path.name
        self.items: list[str] = []

    def add(self, item: XmlItem, owner: XmlItem | None, message: str) -> None:
        where = f"{self.name}: line {item.line}"
        label = owner.label() if owner is not None else item.label()
        self.items.append(f"{where}: {label}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.items)

    def quantity(self, child: XmlItem, owner: XmlItem, tag: str | None = None) -> float | None:
        """The value of a quantity element in the reader's unit for its tag; None (and a problem) if bad."""
        key = tag or child.tag
        table = TAG_UNITS if key in TAG_UNITS else {key: ("dimensionless", "")}
        try:
            return convert(key, child.get("value"), child.get("unit"), table)
        except UnitError as exc:
            self.add(child, owner, str(exc))
            return None

    def number(self, item: XmlItem, attr: str, owner: XmlItem | None = None, *, integer: bool = False) -> float | None:
        text = item.get(attr)
        if text is None:
            return None
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            kind = "an integer" if integer else "a number"
            self.add(item, owner, f"attribute {attr} '{text}' is not {kind}; write {kind} such as 1")
            return None
        if value != value or value in (float("inf"), float("-inf")):
            self.add(item, owner, f"attribute {attr} '{text}' is not finite; give a finite number")
            return None
        return float(value)


def _check_root(doc_root: XmlItem, path: Path, tag: str, what: str) -> None:
    if doc_root.tag != tag:
        raise InputError(
            f"{path.name}: line {doc_root.line}: the root element is <{doc_root.tag}>, not <{tag}>; "
            f"give a GasLib {what} file"
        )


# --- .net ------------------------------------------------------------------------------------------


def parse_net(path: Path) -> NetData:
    doc = parse_xml(path, ".net")
    _check_root(doc.root, path, "network", ".net (network)")
    pr = _Problems(path)
    elements: dict[str, GaslibElement] = {}
    kept: list[XmlItem] = []
    seen_containers: set[str] = set()
    for child in doc.root.children:
        if child.tag in ("nodes", "connections"):
            seen_containers.add(child.tag)
            is_node = child.tag == "nodes"
            for it in child.children:
                el = _net_element(it, is_node, pr)
                if el is None:
                    continue
                if el.id in elements:
                    other = elements[el.id]
                    pr.add(it, None, f"id already used by <{other.kind}> at line {other.line}; ids must be unique")
                    continue
                elements[el.id] = el
            kept.append(child.with_children(()))
        else:
            kept.append(child)
    if "nodes" not in seen_containers:
        pr.items.append(f"{path.name}: the file has no <framework:nodes> section; give a GasLib .net file")
    nodes = {e.id for e in elements.values() if e.from_node is None}
    for el in elements.values():
        if el.from_node is None:
            continue
        for attr, ref in (("from", el.from_node), ("to", el.to_node)):
            if ref not in nodes:
                pr.add(
                    el.item,
                    None,
                    f"attribute {attr} refers to unknown node '{ref}'{suggest(str(ref), sorted(nodes))}; "
                    "add the node or correct the id",
                )
    pr.raise_if_any()
    root = doc.root.with_children(tuple(kept))
    return NetData(root, doc.prefixes, doc.comments, elements, str(path))


def _net_element(it: XmlItem, is_node: bool, pr: _Problems) -> GaslibElement | None:
    kinds = NODE_KINDS if is_node else EDGE_KINDS
    if it.tag not in kinds:
        what = "node" if is_node else "connection"
        pr.add(it, None, f"unknown {what} type <{it.tag}>; GasLib {what}s are {', '.join(kinds)}")
        return None
    ident = it.get("id")
    if not ident:
        pr.add(it, None, "has no id attribute; give every element a unique id")
        return None
    values: dict[str, float] = {}
    for ch in it.children:
        if ch.tag not in TAG_UNITS:
            continue  # kept verbatim, written back as read
        if ch.tag in values:
            pr.add(ch, it, f"<{ch.tag}> appears twice; keep one")
            continue
        v = pr.quantity(ch, it)
        if v is not None:
            values[ch.tag] = v
    if is_node:
        for attr in ("geoWGS84Lat", "geoWGS84Long"):
            pr.number(it, attr)
        return GaslibElement(it.tag, ident, it, values)
    frm, to = it.get("from"), it.get("to")
    if not frm or not to:
        pr.add(it, None, "needs both from and to attributes (the node ids it connects)")
        return None
    if frm == to:
        pr.add(it, None, f"from and to are the same node ({frm}); connect two different nodes")
        return None
    return GaslibElement(it.tag, ident, it, values, frm, to)


# --- .scn ------------------------------------------------------------------------------------------


def parse_scn(path: Path, net: NetData) -> NominationFile:
    doc = parse_xml(path, ".scn (nomination)")
    _check_root(doc.root, path, "boundaryValue", ".scn (nomination)")
    pr = _Problems(path)
    nodes = {e.id for e in net.nodes()}
    scenarios: list[ScenarioData] = []
    kept: list[XmlItem] = []
    for child in doc.root.children:
        if child.tag != "scenario":
            kept.append(child)
            continue
        found: dict[str, NominationNode] = {}
        header: dict[str, float] = {}
        for it in child.children:
            if it.tag == "node":
                nn = _nomination_node(it, nodes, pr)
                if nn is None:
                    continue
                if nn.id in found:
                    pr.add(it, None, f"node {nn.id} is nominated twice (line {found[nn.id].line}); keep one")
                    continue
                found[nn.id] = nn
            elif it.tag in TAG_UNITS and not it.children:
                v = pr.quantity(it, child)
                if v is not None:
                    header[it.tag] = v
            else:
                _validate_tree(it, pr)
        scenarios.append(ScenarioData(child.get("id") or "", child, found, header))
    if not scenarios:
        pr.items.append(f"{path.name}: no <scenario> element; a GasLib .scn holds at least one")
    pr.raise_if_any()
    return NominationFile(doc.root.with_children(tuple(kept)), doc.prefixes, doc.comments, tuple(scenarios), str(path))


def _validate_tree(it: XmlItem, pr: _Problems) -> None:
    """Check the known quantities anywhere below ``it`` (e.g. a pipe's soilTemperature in a .scn)."""
    for ch in it.children:
        if ch.tag in TAG_UNITS and not ch.children:
            pr.quantity(ch, it)
        _validate_tree(ch, pr)


def _nomination_node(it: XmlItem, nodes: set[str], pr: _Problems) -> NominationNode | None:
    ident = it.get("id")
    if not ident:
        pr.add(it, None, "has no id attribute; give the id of a node of the .net")
        return None
    if ident not in nodes:
        pr.add(it, None, f"refers to unknown node '{ident}'{suggest(ident, sorted(nodes))}; use a node id of the .net")
        return None
    kind = it.get("type")
    if kind not in ("entry", "exit"):
        pr.add(it, None, f'attribute type \'{kind}\' is not entry or exit; give type="entry" or type="exit"')
        return None
    flow: dict[str, float] = {}
    pressure: dict[str, float] = {}
    for ch in it.children:
        if ch.tag in ("flow", "pressure"):
            bound = ch.get("bound")
            if bound not in BOUNDS:
                pr.add(ch, it, f"<{ch.tag}> attribute bound '{bound}' is not lower, upper or both; give one of them")
                continue
            v = pr.quantity(ch, it)
            if v is None:
                continue
            target = flow if ch.tag == "flow" else pressure
            if bound in target:
                pr.add(ch, it, f'<{ch.tag} bound="{bound}"> appears twice; keep one')
                continue
            target[bound] = v
        elif ch.tag in TAG_UNITS:
            pr.quantity(ch, it)
    for tag, bounds in (("flow", flow), ("pressure", pressure)):
        lo, hi, both = bounds.get("lower"), bounds.get("upper"), bounds.get("both")
        if lo is not None and hi is not None and lo > hi * (1 + 1e-12) + 1e-12:
            pr.add(
                it,
                None,
                f'<{tag} bound="lower"> {lo:g} is above <{tag} bound="upper"> {hi:g}: the bounds contradict each '
                "other; correct one of them (linepack does not average contradictory bounds)",
            )
        elif both is not None and (
            (lo is not None and both < lo * (1 - 1e-12) - 1e-12) or (hi is not None and both > hi * (1 + 1e-12) + 1e-12)
        ):
            pr.add(
                it,
                None,
                f'<{tag} bound="both"> {both:g} is outside its own lower/upper bounds '
                f"({'-' if lo is None else f'{lo:g}'}..{'-' if hi is None else f'{hi:g}'}); correct one of them",
            )
    return NominationNode(ident, kind, it, flow, pressure)


# --- .cs -------------------------------------------------------------------------------------------


#: Children GasLib's CompressorStations schema defines, per element (anything else is kept and warned about).
CS_CHILDREN: dict[str, frozenset[str]] = {
    "compressorStation": frozenset({"compressors", "drives", "configurations"}),
    "turboCompressor": frozenset(
        {
            "speedMin",
            "speedMax",
            "efficiencyOfChokeline",
            "surgelineMeasurements",
            "settlelineMeasurements",
            "characteristicDiagramMeasurements",
        }
    ),
    "pistonCompressor": frozenset(
        {
            "speedMin",
            "speedMax",
            "operatingVolume",
            "maximalTorque",
            "maximalCompressionRatio",
            "adiabaticEfficiency",
            "additionalReductionVolFlow",
        }
    ),
    "drive": frozenset({"specificEnergyConsumptionMeasurements", "maximalPowerMeasurements"}),
}
_COEFF_PREFIXES = {
    "turboCompressor": ("n_isoline_coeff", "eta_ad_isoline_coeff", "surgeline_coeff", "chokeline_coeff"),
    "drive": ("energy_rate_fun_coeff", "power_fun_coeff"),
}


def _unknown_children(it: XmlItem, kind: str, label: str, warnings: list[str], name: str) -> None:
    known = CS_CHILDREN[kind]
    for ch in it.children:
        m = _COEFF.match(ch.tag)
        if ch.tag in known or (m and m.group(1) in _COEFF_PREFIXES.get(kind, ())):
            continue
        warnings.append(
            f"{name}: line {ch.line}: {label}: element <{ch.tag}> is not in GasLib's schema; kept and written back, "
            "not used"
        )


def parse_cs(path: Path, net: NetData) -> tuple[dict[str, CompressorStationData], CsDocument, list[str]]:
    """The stations of a .cs (typed), the document as read, and warnings about elements GasLib does not define."""
    doc = parse_xml(path, ".cs (compressor stations)")
    _check_root(doc.root, path, "compressorStations", ".cs (compressor stations)")
    pr = _Problems(path)
    warnings: list[str] = []
    stations = {e.id for e in net.connections() if e.kind == "compressorStation"}
    out: dict[str, CompressorStationData] = {}
    for it in doc.root.children:
        if it.tag != "compressorStation":
            warnings.append(
                f"{path.name}: line {it.line}: element <{it.tag}> is not a compressorStation; kept, not used"
            )
            continue
        ident = it.get("id") or ""
        if ident not in stations:
            pr.add(
                it,
                None,
                f"the .net has no compressorStation '{ident}'{suggest(ident, sorted(stations))}; "
                "use the .cs that belongs to this .net",
            )
            continue
        if ident in out:
            pr.add(it, None, f"station {ident} appears twice; keep one")
            continue
        st = _station(it, pr, warnings, path.name)
        if st is not None:
            out[ident] = st
    pr.raise_if_any()
    return out, CsDocument(doc.root, doc.prefixes, doc.comments, str(path)), warnings


def station_of_item(it: XmlItem, name: str = ".cs") -> CompressorStationData | None:
    """The typed station of a ``<compressorStation>`` element (None when it has problems)."""
    pr = _Problems(Path(name))
    st = _station(it, pr, [], name)
    return None if pr.items else st


def _coeffs(it: XmlItem, prefix: str, pr: _Problems) -> tuple[float, ...]:
    found: dict[int, float] = {}
    for ch in it.children:
        m = _COEFF.match(ch.tag)
        if m and m.group(1) == prefix:
            v = pr.quantity(ch, it)
            if v is not None:
                found[int(m.group(2))] = v
    if not found:
        return ()
    n = max(found)
    missing = [k for k in range(1, n + 1) if k not in found]
    if missing:
        pr.add(it, None, f"{prefix}_{missing[0]} is missing; give every coefficient {prefix}_1..{n}")
    return tuple(found.get(k, 0.0) for k in range(1, n + 1))


def _child(it: XmlItem, tag: str) -> XmlItem | None:
    for ch in it.children:
        if ch.tag == tag:
            return ch
    return None


def _q(it: XmlItem, tag: str, pr: _Problems) -> float | None:
    ch = _child(it, tag)
    return pr.quantity(ch, it) if ch is not None else None


def _points(it: XmlItem | None, owner: XmlItem, pr: _Problems) -> tuple[MapPoint, ...]:
    if it is None:
        return ()
    pts = []
    for m in it.children:
        if m.tag != "measurement":
            continue
        n, h, q = _q(m, "speed", pr), _q(m, "adiabaticHead", pr), _q(m, "volumetricFlowrate", pr)
        if n is None or h is None or q is None:
            pr.add(m, owner, "a measurement needs speed, adiabaticHead and volumetricFlowrate")
            continue
        pts.append(MapPoint(n, h, q))
    return tuple(pts)


def _station(it: XmlItem, pr: _Problems, warnings: list[str], name: str) -> CompressorStationData | None:
    compressors: list[TurboCompressor | PistonCompressor] = []
    drives: list[Drive] = []
    configs: list[Configuration] = []
    _unknown_children(it, "compressorStation", it.label(), warnings, name)
    for section in it.children:
        if section.tag == "compressors":
            for c in section.children:
                comp = _compressor(c, pr)
                if comp is not None:
                    compressors.append(comp)
                    _unknown_children(c, c.tag, c.label(), warnings, name)
        elif section.tag == "drives":
            for d in section.children:
                drives.append(_drive(d, pr))
                _unknown_children(d, "drive", d.label(), warnings, name)
        elif section.tag == "configurations":
            for cf in section.children:
                configs.append(_configuration(cf, pr))
    ids = {comp.id for comp in compressors}
    drive_ids = {d.id for d in drives}
    for comp in compressors:
        if comp.drive and comp.drive not in drive_ids:
            pr.add(it, None, f"compressor {comp.id} names drive '{comp.drive}', which the station does not define")
    for conf in configs:
        for stage in conf.stages:
            for u in stage.units:
                if u.compressor not in ids:
                    pr.add(it, None, f"configuration {conf.conf_id} uses unknown compressor '{u.compressor}'")
    return CompressorStationData(it.get("id") or "", tuple(compressors), tuple(drives), tuple(configs), it.line, it)


def _speeds(c: XmlItem, pr: _Problems) -> tuple[float, float]:
    lo, hi = _q(c, "speedMin", pr), _q(c, "speedMax", pr)
    if lo is None or hi is None:
        pr.add(c, None, "needs speedMin and speedMax")
        return 0.0, 0.0
    return lo, hi


def _compressor(c: XmlItem, pr: _Problems) -> TurboCompressor | PistonCompressor | None:
    ident, drive = c.get("id") or "", c.get("drive") or ""
    if c.tag == "turboCompressor":
        lo, hi = _speeds(c, pr)
        eff = _q(c, "efficiencyOfChokeline", pr)
        diagram = _child(c, "characteristicDiagramMeasurements")
        isolines = []
        if diagram is not None:
            for iso in diagram.children:
                if iso.tag == "adiabaticEfficiency":
                    eta = pr.quantity(iso, c)
                    isolines.append(EfficiencyIsoline(eta if eta is not None else 0.0, _points(iso, c, pr)))
        return TurboCompressor(
            ident,
            drive,
            lo,
            hi,
            _coeffs(c, "n_isoline_coeff", pr),
            _coeffs(c, "eta_ad_isoline_coeff", pr),
            _coeffs(c, "surgeline_coeff", pr),
            _coeffs(c, "chokeline_coeff", pr),
            eff,
            _points(_child(c, "surgelineMeasurements") or _child(c, "settlelineMeasurements"), c, pr),
            tuple(isolines),
        )
    if c.tag == "pistonCompressor":
        lo, hi = _speeds(c, pr)
        return PistonCompressor(
            ident,
            drive,
            lo,
            hi,
            _q(c, "operatingVolume", pr),
            _q(c, "maximalTorque", pr),
            _q(c, "maximalCompressionRatio", pr),
            _q(c, "adiabaticEfficiency", pr),
            _q(c, "additionalReductionVolFlow", pr),
        )
    pr.add(c, None, f"unknown compressor type <{c.tag}>; GasLib has turboCompressor and pistonCompressor")
    return None


def _drive(d: XmlItem, pr: _Problems) -> Drive:
    sec: list[tuple[float, float]] = []
    curves: list[MaxPowerCurve] = []
    spec = _child(d, "specificEnergyConsumptionMeasurements")
    if spec is not None:
        for m in spec.children:
            p, f = _q(m, "compressorPower", pr), _q(m, "fuelConsumption", pr)
            if p is not None and f is not None:
                sec.append((p, f))
    maxp = _child(d, "maximalPowerMeasurements")

    def curve(group: XmlItem, t_amb: float | None) -> MaxPowerCurve:
        pts = []
        for m in group.children:
            if m.tag == "measurement":
                n, p = _q(m, "speed", pr), _q(m, "maximalPower", pr)
                if n is not None and p is not None:
                    pts.append((n, p))
        return MaxPowerCurve(t_amb, tuple(pts))

    if maxp is not None:
        direct = [m for m in maxp.children if m.tag == "measurement"]
        if direct:
            curves.append(curve(maxp, None))
        for g in maxp.children:
            if g.tag == "ambientTemperature":
                curves.append(curve(g, pr.quantity(g, d)))
    return Drive(
        d.get("id") or "",
        d.tag,
        _coeffs(d, "energy_rate_fun_coeff", pr),
        _coeffs(d, "power_fun_coeff", pr),
        tuple(sec),
        tuple(curves),
    )


def _configuration(cf: XmlItem, pr: _Problems) -> Configuration:
    stages = []
    for s in cf.children:
        if s.tag != "stage":
            continue
        units = tuple(
            StageUnit(u.get("id") or "", pr.number(u, "nominalSpeed", cf)) for u in s.children if u.tag == "compressor"
        )
        nr = pr.number(s, "stageNr", cf, integer=True)
        par = pr.number(s, "nrOfParallelUnits", cf, integer=True)
        stages.append(Stage(int(nr or 0), int(par if par is not None else len(units)), units))
    serial = pr.number(cf, "nrOfSerialStages", integer=True)
    return Configuration(cf.get("confId") or "", int(serial if serial is not None else len(stages)), tuple(stages))


# --- .cdf ------------------------------------------------------------------------------------------


def parse_cdf(path: Path, net: NetData) -> tuple[tuple[DecisionGroup, ...], list[str]]:
    """The decision groups, and warnings for decisions on elements the .net does not have (GasLib-4197's
    .cdf sets a valve_22 that its .net lacks): they are kept and :func:`apply_decision` ignores them."""
    doc = parse_xml(path, ".cdf (combined decisions)")
    _check_root(doc.root, path, "combinedDecisions", ".cdf (combined decisions)")
    pr = _Problems(path)
    warnings: list[str] = []
    groups: list[DecisionGroup] = []
    for g in doc.root.children:
        if g.tag != "decisionGroup":
            continue
        gid = g.get("id") or f"#{len(groups) + 1}"
        decisions: list[Decision] = []
        for d in g.children:
            if d.tag != "decision":
                continue
            did = d.get("id") or f"{gid}#{len(decisions) + 1}"
            decisions.append(Decision(did, gid, tuple(_decisions(d, net, pr, warnings))))
        groups.append(DecisionGroup(gid, tuple(decisions)))
    pr.raise_if_any()
    return tuple(groups), warnings


def _decisions(d: XmlItem, net: NetData, pr: _Problems, warnings: list[str]) -> list[ElementDecision]:
    out = []
    for e in d.children:
        ident = e.get("id") or ""
        el = net.elements.get(ident)
        if e.tag not in ("valve", "controlValve", "compressorStation"):
            pr.add(e, d, f"unknown element type <{e.tag}>; decisions set valve, controlValve and compressorStation")
            continue
        if el is not None and el.kind != e.tag:
            pr.add(e, d, f"refers to {e.tag} '{ident}', which is a {el.kind} in the .net; correct the element type")
            continue
        if el is None:
            ids = sorted(x.id for x in net.connections() if x.kind == e.tag)
            warnings.append(
                f"{pr.name}: line {e.line}: {d.label()}: {e.tag} '{ident}' is not in the .net{suggest(ident, ids)}; "
                "kept, and ignored when the decision is applied"
            )
        val = pr.number(e, "value", d, integer=True)
        if val not in (0, 1):
            pr.add(e, d, f"attribute value '{e.get('value')}' must be 0 (closed) or 1 (open)")
            continue
        mode = e.get("mode")
        if mode is not None and mode not in ("active", "bypass"):
            pr.add(e, d, f"attribute mode '{mode}' is not active or bypass")
            continue
        fd = pr.number(e, "flowDirection", d, integer=True)
        if fd is not None and fd not in (0, 1):
            pr.add(e, d, f"attribute flowDirection '{e.get('flowDirection')}' must be 0 or 1")
            continue
        out.append(ElementDecision(e.tag, ident, int(val or 0), mode, None if fd is None else int(fd), e.line))
    return out
