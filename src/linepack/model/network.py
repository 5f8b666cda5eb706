"""The editable network: named collections of validated components, plus settings and scenarios."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import InputError
from .components import (
    COMPONENT_TYPES,
    TYPES_BY_COLLECTION,
    Component,
    Compressor,
    CompressorConfiguration,
    CompressorUnit,
    Edge,
    Node,
    Settings,
    Sink,
    Source,
)
from .editing import EditingMixin
from .errors import describe_validation_error, suggest
from .scenario import ResolvedScenario, Scenario, chain_problems, resolve
from .stations import DriverSpec, map_model
from .strict import StrictModel, control_character, shown
from .thermal import region_problems

FORMAT_TAG = "linepack-network/1"
COLLECTIONS: tuple[str, ...] = tuple(t.collection for t in COMPONENT_TYPES)
TOP_LEVEL_KEYS = (
    "format",
    "name",
    "description",
    "settings",
    "gas_compositions",
    "compressor_maps",
    "drivers",
    *COLLECTIONS,
    "scenarios",
    "default_scenario",
    "references",
    "meta",
)


class GasCompositionSpec(StrictModel):
    """A named gas composition in mole fractions, with its provenance."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)
    mole_fractions: dict[str, float] = Field(description="component name -> mole fraction (sum 1)")
    provenance: str = Field(default="", description="S, D or A tag with references")
    note: str = Field(default="", description="free text")


class Network(EditingMixin):
    """An editable gas network: named collections of immutable, validated components, settings, gas
    compositions and scenarios. Edit it with :meth:`add`, :meth:`update`, :meth:`replace`, :meth:`remove`,
    :meth:`add_scenario` (see :mod:`linepack.model.editing`); solving never modifies it."""

    def __init__(
        self,
        name: str = "",
        description: str = "",
        settings: Settings | None = None,
        gas_compositions: Mapping[str, GasCompositionSpec] | None = None,
        scenarios: Mapping[str, Scenario] | None = None,
        default_scenario: str | None = None,
        references: Mapping[str, str] | None = None,
        meta: Mapping[str, Any] | None = None,
        compressor_maps: Mapping[str, Any] | None = None,
        drivers: Mapping[str, DriverSpec] | None = None,
    ) -> None:
        self.name = name
        self.description = description
        self.settings = settings or Settings()
        self.gas_compositions: dict[str, GasCompositionSpec] = dict(gas_compositions or {})
        #: name -> :class:`~linepack.model.stations.TurboMapSpec` or :class:`~linepack.model.stations.PistonMapSpec`
        self.compressor_maps: dict[str, Any] = dict(compressor_maps or {})
        self.drivers: dict[str, DriverSpec] = dict(drivers or {})
        self.scenarios: dict[str, Scenario] = dict(scenarios or {})
        self.default_scenario = default_scenario
        self.references: dict[str, str] = dict(references or {})
        self.meta: dict[str, Any] = dict(meta or {})
        self.collections: dict[str, dict[str, Component]] = {c: {} for c in COLLECTIONS}

    # --- editing -------------------------------------------------------------------------------
    def add(self, component: Component) -> None:
        """Add a component; its id must be new in the whole network."""
        if self.find(component.id) is not None:
            other = self.find(component.id)
            assert other is not None
            raise InputError(
                f"{component.kind} {component.id}: id already used by {other.kind} {other.id}; ids must be unique"
            )
        self.collections[component.collection][component.id] = component

    def replace(self, component: Component) -> None:
        """Replace the component with the same id (and type)."""
        coll = self.collections[component.collection]
        if component.id not in coll:
            raise InputError(
                f"{component.kind} {component.id}: no such component to replace"
                f"{suggest(component.id, list(coll))}; use add() for a new one"
            )
        coll[component.id] = component

    def find(self, component_id: str) -> Component | None:
        for coll in self.collections.values():
            if component_id in coll:
                return coll[component_id]
        return None

    def components(self) -> Iterator[Component]:
        for coll in self.collections.values():
            yield from coll.values()

    @property
    def nodes(self) -> dict[str, Node]:
        return self.collections["nodes"]  # type: ignore[return-value]

    def edges(self) -> Iterator[Edge]:
        for c in self.components():
            if isinstance(c, Edge):
                yield c

    # --- whole-network checks --------------------------------------------------------------------
    def check_references(self, components: list[Component] | None = None) -> list[str]:
        """Problems with references between components (unknown nodes and gases)."""
        comps = list(self.components()) if components is None else components
        node_ids = [c.id for c in comps if type(c) is Node or isinstance(c, Node)]
        known = set(node_ids)
        problems: list[str] = []
        if _references_resolve(comps, known, self.gas_compositions):
            comps = []  # every reference resolves: nothing to report per component (the loop below names them)
        for c in comps:
            refs: list[tuple[str, str]] = []
            if isinstance(c, Edge):
                refs = [("from", c.from_node), ("to", c.to_node)]
            elif isinstance(c, Source | Sink):
                refs = [("node", c.node)]
            for fld, ref in refs:
                if ref not in known:
                    problems.append(
                        f"{c.kind} {c.id}: {fld} refers to unknown node '{ref}'{suggest(ref, node_ids)}; "
                        "add the node or correct the id"
                    )
            if isinstance(c, Source) and c.gas is not None and c.gas not in self.gas_compositions:
                problems.append(
                    f"source {c.id}: gas '{c.gas}' is not in gas_compositions"
                    f"{suggest(c.gas, list(self.gas_compositions))}; define it or correct the name"
                )
        problems += self._station_references(comps)
        gas = self.settings.gas
        if gas is not None and gas not in self.gas_compositions:
            problems.append(
                f"settings: gas '{gas}' is not in gas_compositions{suggest(gas, list(self.gas_compositions))}; "
                "define it or correct the name"
            )
        if gas is None and self.settings.molar_mass_kg_per_mol is None:
            problems.append(
                "settings: give either gas (a composition name) or molar_mass_kg_per_mol for the hydraulics"
            )
        problems += region_problems(
            self.components() if components is None else components, self.settings.thermal.regions
        )
        return problems

    def _station_references(self, comps: list[Component]) -> list[str]:
        """Problems of compressor units and configurations: unknown stations, maps, drivers and units."""
        problems: list[str] = []
        stations = [c.id for c in comps if isinstance(c, Compressor)]
        known = set(stations)
        unit_station = {c.id: c.station for c in comps if isinstance(c, CompressorUnit)}
        for c in comps:
            if isinstance(c, CompressorUnit | CompressorConfiguration) and c.station not in known:
                problems.append(
                    f"{c.kind} {c.id}: station refers to unknown compressor '{c.station}'"
                    f"{suggest(c.station, stations)}; name a compressor station"
                )
            if isinstance(c, CompressorUnit):
                if c.map not in self.compressor_maps:
                    problems.append(
                        f"compressor_unit {c.id}: map '{c.map}' is not in compressor_maps"
                        f"{suggest(c.map, list(self.compressor_maps))}; define it or correct the name"
                    )
                if c.driver not in self.drivers:
                    problems.append(
                        f"compressor_unit {c.id}: driver '{c.driver}' is not in drivers"
                        f"{suggest(c.driver, list(self.drivers))}; define it or correct the name"
                    )
            if isinstance(c, CompressorConfiguration):
                for stage in c.stages:
                    for u in stage:
                        if u not in unit_station:
                            problems.append(
                                f"compressor_configuration {c.id}: unit '{u}' is not a compressor unit"
                                f"{suggest(u, list(unit_station))}; correct the id"
                            )
                        elif unit_station[u] != c.station:
                            problems.append(
                                f"compressor_configuration {c.id}: unit {u} belongs to station {unit_station[u]}, "
                                f"not {c.station}; use units of the configuration's own station"
                            )
        for c in comps:
            if isinstance(c, Compressor) and c.configuration is not None:
                configs = [x.id for x in comps if isinstance(x, CompressorConfiguration) and x.station == c.id]
                if c.configuration not in configs:
                    problems.append(
                        f"compressor {c.id}: configuration '{c.configuration}' is not a configuration of this station"
                        f"{suggest(c.configuration, configs)}; give one of {', '.join(configs) or '(none defined)'} "
                        "or leave it unset for the solver to choose"
                    )
        return problems

    def check_scenarios(self) -> list[str]:
        problems = []
        ids = {c.id for c in self.components()}
        for name, sc in self.scenarios.items():
            added = {str(item.get("id")) for items in sc.add.values() for item in items}
            for cid in [*sc.enable, *sc.disable, *sc.set]:
                if cid not in ids and cid not in added:
                    problems.append(
                        f"scenario {name}: refers to unknown component '{cid}'{suggest(cid, sorted(ids))}; "
                        "correct the id"
                    )
            for coll in sc.add:
                if coll not in TYPES_BY_COLLECTION:
                    problems.append(
                        f"scenario {name}: add has unknown collection '{coll}'{suggest(coll, list(COLLECTIONS))}"
                    )
        problems += chain_problems(self.scenarios)
        if self.default_scenario is not None and self.default_scenario not in self.scenarios:
            problems.append(
                f"default_scenario '{self.default_scenario}' is not defined"
                f"{suggest(self.default_scenario, list(self.scenarios))}"
            )
        return problems

    def validate(self) -> None:
        """Raise :class:`InputError` listing every problem of the whole network."""
        problems = self.check_references() + self.check_scenarios()
        seen = set(problems)
        for name in self.scenarios:  # each scenario's view is checked like the base network
            try:
                self.view(name)
            except InputError as exc:
                new = [p for p in exc.problems if p not in seen]
                seen.update(new)
                problems.extend(new)
        if problems:
            raise InputError(problems)

    # --- scenario view ---------------------------------------------------------------------------
    def view(self, scenario: str | ResolvedScenario | None = None) -> NetworkView:
        """The in-service components of a scenario (a name, or an already resolved overlay), patched."""
        resolved = scenario if isinstance(scenario, ResolvedScenario) else resolve(self.scenarios, scenario)
        fast = self._view_by_collection(resolved)
        if fast is not None:
            return fast
        problems: list[str] = []
        comps: list[Component] = list(self.components())
        for coll, items in resolved.additions.items():
            model = TYPES_BY_COLLECTION.get(coll)
            if model is None:
                problems.append(f"scenario {resolved.name}: cannot add to unknown collection '{coll}'")
                continue
            for item in items:
                label = f"scenario {resolved.name}: added {model.kind} {shown(item.get('id', '?'))}"
                try:
                    comps.append(model.model_validate(item))
                except ValidationError as exc:
                    problems.extend(describe_validation_error(label, model, exc))
        ids = list(map(attrgetter("id"), comps))
        if len(set(ids)) != len(ids):
            seen: dict[str, Component] = {}
            for c in comps:
                if c.id in seen:
                    problems.append(f"{c.kind} {c.id}: id already used by {seen[c.id].kind}; ids must be unique")
                seen[c.id] = c
        patched: list[Component] = comps if not resolved.patches else []
        for c in comps if resolved.patches else ():
            patch = resolved.patches.get(c.id)
            if patch and "id" in patch:
                problems.append(
                    f"scenario {resolved.name}: {c.kind} {c.id}: set cannot change the id "
                    f"(to {shown(repr(patch['id']))}); add a component with the new id and disable this one instead"
                )
                patch = {k: v for k, v in patch.items() if k != "id"}
            if patch:
                model = type(c)
                data = c.model_dump(by_alias=True, exclude_unset=False)
                data.update(patch)
                try:
                    c = model.model_validate(data)
                except ValidationError as exc:
                    label = f"scenario {resolved.name}: {c.kind} {c.id}"
                    problems.extend(describe_validation_error(label, model, exc))
            patched.append(c)
        problems += self.check_references(patched)
        if problems:
            raise InputError(problems)
        in_service = resolved.in_service
        active = [c for c in patched if type(c) is not Node and in_service(c.id, c.status, c.in_service)]
        edges = [c for c in active if isinstance(c, Edge)]
        used_nodes: set[str] = set(map(attrgetter("from_node"), edges))
        used_nodes.update(map(attrgetter("to_node"), edges))
        used_nodes.update(c.node for c in active if isinstance(c, Source | Sink))
        nodes = [c for c in patched if type(c) is Node and c.id in used_nodes]
        off_nodes = [n.id for n in nodes if not n.in_service or n.id in resolved.disabled]
        if off_nodes:
            users = sorted(
                c.id
                for c in active
                if (isinstance(c, Edge) and ({c.from_node, c.to_node} & set(off_nodes)))
                or (isinstance(c, Source | Sink) and c.node in off_nodes)
            )
            raise InputError(
                f"nodes {', '.join(off_nodes)} are out of service but in-service components use them "
                f"({', '.join(users[:8])}); take those components out of service too"
            )
        return NetworkView(network=self, scenario=resolved, components=[*nodes, *active])

    def _view_by_collection(self, resolved: ResolvedScenario) -> NetworkView | None:
        """:meth:`view` for a scenario without additions or patches whose references all resolve, worked per
        collection (each holds one component type) with set operations instead of passes over every
        component; the same components in the same order. None: take the general path (which also words
        every problem)."""
        if resolved.additions or resolved.patches:
            return None
        colls = self.collections
        node_coll = colls.get("nodes", {})
        if not all(set(map(type, coll.values())) <= {TYPES_BY_COLLECTION.get(name)} for name, coll in colls.items()):
            return None  # a collection holding another type (edited by hand): the general path
        total = sum(len(coll) for coll in colls.values())
        if len(set().union(*(coll.keys() for coll in colls.values()))) != total:
            return None  # an id used twice across collections: the general path reports it
        known = node_coll.keys()
        in_service = resolved.in_service
        plain = resolved.statuses is None and not resolved.enabled and not resolved.disabled
        by_type: dict[type, list[Any]] = {}
        used: set[str] = set()
        for name, coll in colls.items():
            if name == "nodes" or not coll:
                continue
            model = TYPES_BY_COLLECTION[name]
            items = list(coll.values())
            if issubclass(model, Edge):
                ends = set(map(attrgetter("from_node"), items))
                ends.update(map(attrgetter("to_node"), items))
            elif issubclass(model, Source | Sink):
                ends = set(map(attrgetter("node"), items))
                gases = set(map(attrgetter("gas"), items)) if model is Source else set()
                if not gases - {None} <= self.gas_compositions.keys():
                    return None
            else:
                return None
            if not ends <= known:
                return None
            if plain:
                active = [c for c in items if c.in_service]
            else:
                active = [c for c in items if in_service(c.id, c.status, c.in_service)]
            by_type[model] = active
            if issubclass(model, Edge):
                used.update(map(attrgetter("from_node"), active))
                used.update(map(attrgetter("to_node"), active))
            else:
                used.update(map(attrgetter("node"), active))
        gas = self.settings.gas
        if (gas is not None and gas not in self.gas_compositions) or (
            gas is None and self.settings.molar_mass_kg_per_mol is None
        ):
            return None
        nodes = [c for c in node_coll.values() if c.id in used]
        if any(not n.in_service or n.id in resolved.disabled for n in nodes):
            return None  # nodes out of service under in-service components: the general path words it
        active_all = [
            c for name, coll in colls.items() if name != "nodes" for c in by_type.get(TYPES_BY_COLLECTION[name], ())
        ]
        view = NetworkView(network=self, scenario=resolved, components=[*nodes, *active_all])
        view._by_type.update(by_type)
        view._by_type[Node] = nodes
        return view

    # --- serialisation -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The native-format document (round-trips through :meth:`from_dict`)."""
        doc: dict[str, Any] = {"format": FORMAT_TAG, "name": self.name}
        if self.description:
            doc["description"] = self.description
        doc["settings"] = self.settings.model_dump(mode="json", exclude_defaults=True)
        if self.gas_compositions:
            doc["gas_compositions"] = {
                k: v.model_dump(mode="json", exclude_defaults=True) for k, v in self.gas_compositions.items()
            }
        if self.compressor_maps:
            doc["compressor_maps"] = {
                k: {"kind": v.kind} | v.model_dump(mode="json", exclude_defaults=True)
                for k, v in self.compressor_maps.items()
            }
        if self.drivers:
            doc["drivers"] = {k: v.model_dump(mode="json", exclude_defaults=True) for k, v in self.drivers.items()}
        for coll in COLLECTIONS:
            items = self.collections[coll]
            if items:
                doc[coll] = [c.model_dump(mode="json", by_alias=True, exclude_defaults=True) for c in items.values()]
        if self.scenarios:
            doc["scenarios"] = {k: v.model_dump(mode="json", exclude_defaults=True) for k, v in self.scenarios.items()}
        if self.default_scenario:
            doc["default_scenario"] = self.default_scenario
        if self.references:
            doc["references"] = dict(self.references)
        if self.meta:
            doc["meta"] = dict(self.meta)
        return doc

    @classmethod
    def from_dict(cls, doc: Any, source: str = "network") -> Network:
        """Build and validate a network from a native-format document; every problem is reported."""
        if not isinstance(doc, dict):
            raise InputError(
                f"{source}: the top level must be a mapping with keys such as nodes and pipes, not {type(doc).__name__}"
            )
        problems: list[str] = []
        for key in doc:
            if key not in TOP_LEVEL_KEYS:
                problems.append(
                    f"{source}: unknown top-level key '{key}'{suggest(str(key), list(TOP_LEVEL_KEYS))}; "
                    f"valid keys are {', '.join(TOP_LEVEL_KEYS)}"
                )
        fmt = doc.get("format", FORMAT_TAG)
        if fmt != FORMAT_TAG:
            problems.append(f"{source}: format '{fmt}' is not supported; this version reads '{FORMAT_TAG}'")

        def model_or_problem(model: type[BaseModel], data: Any, label: str) -> Any:
            try:
                return model.model_validate(data if data is not None else {})
            except ValidationError as exc:
                problems.extend(describe_validation_error(label, model, exc))
                return None

        problems += top_level_type_problems(doc, source)
        if problems:
            raise InputError(problems)
        settings = model_or_problem(Settings, doc.get("settings"), "settings")
        gases: dict[str, GasCompositionSpec] = {}
        for gname, gdata in (doc.get("gas_compositions") or {}).items():
            spec = model_or_problem(GasCompositionSpec, gdata, f"gas composition {gname}")
            if spec is not None:
                gases[str(gname)] = spec
        maps: dict[str, Any] = {}
        for mname, mdata in (doc.get("compressor_maps") or {}).items():
            try:
                mmodel = map_model(mdata)
            except ValueError as exc:
                problems.append(f"compressor map {mname}: {exc}")
                continue
            spec_m = model_or_problem(mmodel, mdata, f"compressor map {mname}")
            if spec_m is not None:
                maps[str(mname)] = spec_m
        drivers: dict[str, DriverSpec] = {}
        for dname, ddata in (doc.get("drivers") or {}).items():
            spec = model_or_problem(DriverSpec, ddata, f"driver {dname}")
            if spec is not None:
                drivers[str(dname)] = spec
        scenarios: dict[str, Scenario] = {}
        raw_sc = doc.get("scenarios") or {}
        for sname, sdata in raw_sc.items():
            sc = model_or_problem(Scenario, sdata, f"scenario {sname}")
            if sc is not None:
                scenarios[str(sname)] = sc
        net = cls(
            name=doc.get("name") or "",
            description=doc.get("description") or "",
            settings=settings or Settings(),
            gas_compositions=gases,
            scenarios=scenarios,
            default_scenario=doc.get("default_scenario"),
            references=doc.get("references") or {},
            meta=doc.get("meta") or {},
            compressor_maps=maps,
            drivers=drivers,
        )
        for coll in COLLECTIONS:
            items = doc.get(coll) or []
            model = TYPES_BY_COLLECTION[coll]
            for i, item in enumerate(items):
                ident = shown(item.get("id", f"#{i + 1}")) if isinstance(item, dict) else f"#{i + 1}"
                comp = model_or_problem(model, item, f"{model.kind} {ident}")
                if comp is None:
                    continue
                try:
                    net.add(comp)
                except InputError as exc:
                    problems.extend(exc.problems)
        if not problems:
            problems += net.check_references() + net.check_scenarios()
        if problems:
            raise InputError(problems)
        return net


def _text_problem(value: Any, what: str, source: str, multiline: bool = False) -> str | None:
    if not isinstance(value, str):
        return f"{source}: {what} must be text (got {type(value).__name__} {shown(repr(value), 40)})"
    bad = control_character(value.replace("\n", "").replace("\t", "") if multiline else value)
    if bad is not None or (not multiline and ("\n" in value or "\t" in value)):
        return f"{source}: {what} contains the control character {bad or 'newline/tab'}; use printable characters"
    return None


def _json_value_problem(value: Any, what: str, source: str) -> str | None:
    """A problem when ``value`` is not made of JSON values (text keys, lists, text, numbers, flags, null)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            if not all(isinstance(k, str) for k in v):
                return f"{source}: {what} must have text keys only"
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
        elif v is not None and not isinstance(v, str | int | float | bool):
            return f"{source}: {what} holds a {type(v).__name__}; use text, numbers, lists and mappings"
        elif isinstance(v, float) and (v != v or abs(v) == float("inf")):
            return f"{source}: {what} holds NaN or infinity; use finite numbers"
    return None


def top_level_type_problems(doc: dict[Any, Any], source: str) -> list[str]:
    """Problems with the types of a native document's top-level values (before anything is built)."""
    problems: list[str] = []
    for key in ("name", "format"):
        if doc.get(key) is not None and (p := _text_problem(doc[key], key, source)):
            problems.append(p)
    if doc.get("description") is not None and (p := _text_problem(doc["description"], "description", source, True)):
        problems.append(p)
    if doc.get("default_scenario") is not None and (
        p := _text_problem(doc["default_scenario"], "default_scenario (a scenario name)", source)
    ):
        problems.append(p)
    for key, what in (
        ("settings", "a mapping of setting -> value"),
        ("gas_compositions", "a mapping of gas name -> {mole_fractions: ...}"),
        ("compressor_maps", "a mapping of map name -> {kind: turbo | piston, ...}"),
        ("drivers", "a mapping of driver name -> {kind: gas_turbine | ..., ...}"),
        ("scenarios", "a mapping of scenario name -> overlay"),
        ("references", "a mapping of reference key -> citation text"),
        ("meta", "a mapping of free information"),
    ):
        value = doc.get(key)
        if value is not None and not isinstance(value, dict):
            problems.append(f"{source}: {key} must be {what} (got {type(value).__name__} {shown(repr(value), 40)})")
        elif isinstance(value, dict) and key != "settings":
            for k in value:
                if (p := _text_problem(k, f"{key}: name {shown(repr(k), 40)}", source)) is not None:
                    problems.append(p)
    refs = doc.get("references")
    if isinstance(refs, dict):
        for k, v in refs.items():
            if (p := _text_problem(v, f"references: {shown(k, 40)}", source, multiline=True)) is not None:
                problems.append(p)
    if isinstance(doc.get("meta"), dict) and (p := _json_value_problem(doc["meta"], "meta", source)):
        problems.append(p)
    for coll in COLLECTIONS:
        items = doc.get(coll)
        if items is not None and not isinstance(items, list):
            kind = TYPES_BY_COLLECTION[coll].kind
            problems.append(f"{source}: {coll} must be a list of {kind} entries (got {type(items).__name__})")
    return problems


@dataclass(frozen=True)
class NetworkView:
    """The components of one scenario (in service, patched); input to :func:`linepack.compile`."""

    network: Network
    scenario: ResolvedScenario
    components: list[Component]
    _by_type: dict[type, list[Any]] = field(default_factory=dict, compare=False, repr=False)

    def of_type(self, model: type[Component]) -> list[Any]:
        """The components of exactly this type, in order (grouped in one pass on the first call)."""
        if not self._by_type and self.components:
            for c in self.components:
                self._by_type.setdefault(type(c), []).append(c)
        return list(self._by_type.get(model, ()))


def _references_resolve(comps: list[Component], known: set[str], gases: Mapping[str, Any]) -> bool:
    """Whether every node reference of ``comps`` is in ``known`` and every source gas in ``gases`` (one pass
    over sets; the per-component messages are only built when something does not resolve)."""
    edges = [c for c in comps if isinstance(c, Edge)]
    refs = set(map(attrgetter("from_node"), edges))
    refs.update(map(attrgetter("to_node"), edges))
    ends = [c for c in comps if isinstance(c, Source | Sink)]
    refs.update(map(attrgetter("node"), ends))
    if not refs <= known:
        return False
    return all(c.gas is None or c.gas in gases for c in ends if isinstance(c, Source))
