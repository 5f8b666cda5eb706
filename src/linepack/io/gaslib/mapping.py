"""The GasLib -> linepack mapping rules (the module docstring of :mod:`linepack.io.gaslib` lists them).

The reader builds every component with these functions; the writer calls them again on the case's raw
data and compares with the Network, so that it writes the raw GasLib values where the Network still says
what they say, and the Network's values where it was edited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from ...errors import InputError
from ...model.components import (
    Component,
    Compressor,
    Node,
    Pipe,
    Regulator,
    Resistor,
    Settings,
    ShortPipe,
    Sink,
    Source,
    Valve,
)
from ...model.errors import describe_validation_error, suggest
from ...units import R_J_PER_MOL_K, ZERO_C_K
from .model import (
    CompressorStationData,
    GaslibElement,
    GasQuality,
    NetData,
    NominationFile,
    NominationNode,
    ReferenceChoice,
    ScenarioData,
    StationRating,
)
from .rating import DEFAULT_AMBIENT_C, station_rating

LHV_OVER_HHV = 0.903  # net / gross calorific value (ISO 6976, 0 C: H- and L-gases 0.902-0.904)
DEFAULT_ROUGHNESS_MM = 0.012  # linepack's default, used where a GasLib pipe gives no roughness
FIXED_LOSS_CHOICES = ("error", "short_pipe", "resistor")
GAS_TAGS = {
    "temperature_c": "gasTemperature",
    "calorific_value_mj_per_m3": "calorificValue",
    "norm_density_kg_per_m3": "normDensity",
    "molar_mass_kg_per_kmol": "molarMass",
    "pseudocritical_pressure_bar": "pseudocriticalPressure",
    "pseudocritical_temperature_k": "pseudocriticalTemperature",
    "heat_capacity_a": "coefficient-A-heatCapacity",
    "heat_capacity_b": "coefficient-B-heatCapacity",
    "heat_capacity_c": "coefficient-C-heatCapacity",
}


@dataclass
class Context:
    """What the component rules need besides the element itself."""

    file: str
    ambient_bar: float
    density: float  # network norm density, kg/m3 at 0 C and 1.01325 bar
    source_density: dict[str, float]
    bounds: dict[str, tuple[float | None, float | None]]  # effective node pressure bounds, bar absolute
    ratings: Mapping[str, StationRating]
    fixed_loss: str
    scenario: ScenarioData | None
    zone_p_max: dict[str, float] = field(default_factory=dict)  # node -> lowest maximum pressure of its zone
    warnings: list[str] = field(default_factory=list)
    ambient_c: float = 15.0  # the nomination's ambientTemperature (else 15 C), for the station drivers


# --- gas -------------------------------------------------------------------------------------------


def gas_qualities(net: NetData) -> dict[str, GasQuality]:
    out = {}
    for el in net.nodes():
        if el.kind != "source":
            continue
        kw = {name: el.values.get(tag) for name, tag in GAS_TAGS.items()}
        out[el.id] = GasQuality(node=el.id, **kw)
    return out


def nominated_flow(nn: NominationNode) -> float | None:
    """The flow linepack takes from a nomination's bounds (1000 m3/h): ``both`` is the value; lower and upper
    give their midpoint (equal in every shipped instance); a single lower or upper bound is taken as the value."""
    f = nn.flow
    if "both" in f:
        return f["both"]
    if "lower" in f and "upper" in f:
        return 0.5 * (f["lower"] + f["upper"]) if f["lower"] != f["upper"] else f["lower"]
    if "lower" in f:
        return f["lower"]
    if "upper" in f:
        return f["upper"]
    return None


def entry_weights(net: NetData, scenario: ScenarioData | None, gas: Mapping[str, GasQuality]) -> dict[str, float]:
    """Nominated positive entry flows (1000 m3/h, normal) at sources with gas data: the mixing weights."""
    w: dict[str, float] = {}
    if scenario is None:
        return w
    for nn in scenario.nodes.values():
        f = nominated_flow(nn)
        if nn.type == "entry" and f is not None and f > 0 and nn.id in gas:
            w[nn.id] = f
    return w


def weighted_mean(gas: Mapping[str, GasQuality], attr: str, weights: Mapping[str, float]) -> float | None:
    """Mean of ``attr`` over the sources that give it, weighted by their normal volume flow (a molar-flow
    weight for an ideal gas, so Kay's rule for the pseudo-critical point and the exact mixture value for
    density, molar mass and calorific value); plain mean when no source with the property flows."""
    pairs = [(getattr(q, attr), weights.get(n, 0.0)) for n, q in gas.items() if getattr(q, attr) is not None]
    if not pairs:
        return None
    total = sum(wt for _, wt in pairs)
    if total > 0:
        return float(sum(v * wt for v, wt in pairs) / total)
    return float(sum(v for v, _ in pairs) / len(pairs))


def heat_capacity_ratio(a: float, b: float, c: float, temperature_k: float) -> float:
    """kappa = cp / (cp - R) with the GasLib ideal-gas molar heat capacity cp = A + B T + C T^2 [J/(mol K)]."""
    cp = a + b * temperature_k + c * temperature_k**2
    return cp / (cp - R_J_PER_MOL_K)


def make_settings(
    net: NetData, gas: Mapping[str, GasQuality], weights: Mapping[str, float], warnings: list[str]
) -> tuple[Settings, float]:
    """Network settings from the mixed source gas, and the network norm density."""
    name = _net_name(net)
    mean = {attr: weighted_mean(gas, attr, weights) for attr in GAS_TAGS}
    missing = [GAS_TAGS[a] for a in ("norm_density_kg_per_m3", "molar_mass_kg_per_kmol") if mean[a] is None]
    if missing:
        raise InputError(
            f"{name}: no source gives {' or '.join(missing)}; GasLib sources carry the gas data "
            f'(e.g. <normDensity value="0.785" unit="kg_per_m_cube"/>); add them to a source'
        )
    density = float(mean["norm_density_kg_per_m3"] or 0.0)
    kw: dict[str, Any] = {"molar_mass_kg_per_mol": float(mean["molar_mass_kg_per_kmol"] or 0.0) / 1000.0}
    t_c = mean["temperature_c"]
    if t_c is None:
        warnings.append(f"{name}: no source gives gasTemperature; linepack's default 15 C is used")
        t_c = 15.0
    kw["temperature_c"] = t_c
    tpc, ppc = mean["pseudocritical_temperature_k"], mean["pseudocritical_pressure_bar"]
    if tpc is not None and ppc is not None:
        kw["compressibility"] = {
            "model": "papay",
            "pseudo_critical_temperature_k": tpc,
            "pseudo_critical_pressure_bar": ppc,
        }
    else:
        warnings.append(f"{name}: no pseudo-critical data in the sources; compressibility model ideal (Z = 1)")
        kw["compressibility"] = {"model": "ideal"}
    kw["viscosity"] = {"model": "lee_gonzalez_eakin"}
    a, b, c = mean["heat_capacity_a"], mean["heat_capacity_b"], mean["heat_capacity_c"]
    if a is not None and b is not None and c is not None:
        kappa = heat_capacity_ratio(a, b, c, t_c + ZERO_C_K)
        if 1.0 < kappa < 2.0:
            kw["heat_capacity_ratio"] = kappa
        else:
            warnings.append(f"{name}: heat-capacity coefficients give kappa {kappa:.3f}; not used")
    hhv = mean["calorific_value_mj_per_m3"]
    if hhv is not None and density > 0:
        kw["lower_heating_value_mj_per_kg"] = hhv / density * LHV_OVER_HHV
    try:
        return Settings.model_validate(kw), density
    except ValidationError as exc:
        label = f"{name}: settings derived from the source gas"
        raise InputError(describe_validation_error(label, Settings, exc)) from None


def _net_name(net: NetData) -> str:
    return net.path.rsplit("/", 1)[-1] if net.path else "GasLib .net"


def information(net: NetData, tag: str) -> str:
    for child in net.root.children:
        if child.tag == "information":
            for it in child.children:
                if it.tag == tag:
                    return it.text
    return ""


# --- context ---------------------------------------------------------------------------------------

PASSIVE_KINDS = ("pipe", "shortPipe", "resistor", "valve")


def node_groups(net: NetData, kinds: tuple[str, ...] | None = None) -> dict[str, str]:
    """node -> representative of its connected group, over the connections of ``kinds`` (all when None);
    union-find, linear in the size of the network."""
    parent = {e.id: e.id for e in net.nodes()}

    def find(x: str) -> str:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for el in net.connections():
        if kinds is None or el.kind in kinds:
            a, b = find(el.from_node or ""), find(el.to_node or "")
            if a != b:
                parent[b] = a
    return {n: find(n) for n in parent}


def zone_max_pressure(net: NetData, bounds: Mapping[str, tuple[float | None, float | None]]) -> dict[str, float]:
    """node -> the lowest maximum pressure (bar) of its zone: the nodes joined by pipes, short pipes, resistors
    and valves, i.e. without crossing a compressor station or control valve."""
    group = node_groups(net, PASSIVE_KINDS)
    low: dict[str, float] = {}
    for node, g in group.items():
        hi = bounds.get(node, (None, None))[1]
        if hi is not None:
            low[g] = min(low.get(g, hi), hi)
    return {node: low[g] for node, g in group.items() if g in low}


def effective_bounds(net: NetData, scenario: ScenarioData | None) -> dict[str, tuple[float | None, float | None]]:
    """Node pressure bounds (bar absolute): the .net bounds tightened by the nomination's pressure bounds."""
    out: dict[str, tuple[float | None, float | None]] = {}
    for el in net.nodes():
        lo, hi = el.values.get("pressureMin"), el.values.get("pressureMax")
        nn = scenario.nodes.get(el.id) if scenario is not None else None
        if nn is not None:
            lo, hi = tighten(lo, hi, nomination_bounds(nn))
        out[el.id] = (lo, hi)
    return out


def nomination_bounds(nn: NominationNode) -> Mapping[str, float]:
    """The pressure bounds of a nomination node that tighten the node's bounds: all of them, except an entry's
    bound ``both``, which is the set-point of a pressure-held source (:func:`pinned_pressure`)."""
    if pinned_pressure(nn) is None:
        return nn.pressure
    return {k: v for k, v in nn.pressure.items() if k != "both"}


def tighten(lo: float | None, hi: float | None, bounds: Mapping[str, float]) -> tuple[float | None, float | None]:
    """Bounds (lo, hi) tightened by nomination bounds {"lower"|"upper"|"both": value}."""
    for bound, value in bounds.items():
        if bound in ("lower", "both"):
            lo = value if lo is None else max(lo, value)
        if bound in ("upper", "both"):
            hi = value if hi is None else min(hi, value)
    return lo, hi


def make_context(
    net: NetData,
    nomination: NominationFile | None,
    stations: Mapping[str, CompressorStationData],
    fixed_loss: str,
) -> tuple[Context, Settings, dict[str, GasQuality], list[str]]:
    warnings: list[str] = []
    scenario = nomination.scenario if nomination is not None else None
    if nomination is not None and len(nomination.scenarios) > 1:
        warnings.append(
            f"{nomination.path.rsplit('/', 1)[-1]}: {len(nomination.scenarios)} scenarios; the Network uses the "
            f"first ({scenario.id if scenario else ''}), the case keeps all"
        )
    gas = gas_qualities(net)
    weights = entry_weights(net, scenario, gas)
    settings, density = make_settings(net, gas, weights, warnings)
    ambient_c = DEFAULT_AMBIENT_C
    if scenario is not None and "ambientTemperature" in scenario.header:
        ambient_c = scenario.header["ambientTemperature"]
    ratings = {
        sid: station_rating(
            st,
            settings.heat_capacity_ratio,
            settings.molar_mass_kg_per_mol or 0.0,
            settings.temperature_c + ZERO_C_K,
            ambient_c,
        )
        for sid, st in stations.items()
    }
    src_density = {n: q.norm_density_kg_per_m3 for n, q in gas.items() if q.norm_density_kg_per_m3 is not None}
    ctx = Context(
        file=_net_name(net),
        ambient_bar=settings.ambient_pressure_bar,
        density=density,
        source_density=src_density,
        bounds=effective_bounds(net, scenario),
        ratings=ratings,
        fixed_loss=fixed_loss,
        scenario=scenario,
        warnings=warnings,
        ambient_c=ambient_c,
    )
    ctx.zone_p_max = zone_max_pressure(net, ctx.bounds)
    return ctx, settings, gas, warnings


# --- components ------------------------------------------------------------------------------------


def _build(model: type[BaseModel], data: dict[str, Any], label: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(describe_validation_error(label, model, exc)) from None


def _label(ctx: Context, el: GaslibElement, kind: str) -> str:
    return f'{ctx.file}: line {el.line}: <{el.kind} id="{el.id}"> (linepack {kind})'


def _gauge(ctx: Context, p_bar: float | None) -> float | None:
    return None if p_bar is None else p_bar - ctx.ambient_bar


def _mass_flow(ctx: Context, flow_1000m3_h: float | None, density: float | None = None) -> float | None:
    """1000 m3/h at normal conditions -> kg/s."""
    if flow_1000m3_h is None:
        return None
    return flow_1000m3_h * (density if density is not None else ctx.density) / 3.6


def node_component(el: GaslibElement, ctx: Context) -> Node:
    lo, hi = ctx.bounds.get(el.id, (None, None))
    p_min = _gauge(ctx, lo)
    p_max = _gauge(ctx, hi)
    if p_min is not None and p_min < -1.0:
        p_min = None  # a bound at (near) vacuum is no bound
    if p_max is not None and p_max <= 0:
        raise InputError(
            f"{_label(ctx, el, 'node')}: pressureMax {hi} bar is not above the ambient {ctx.ambient_bar} bar; "
            "GasLib pressures in bar are absolute; correct the value or give unit barg"
        )
    data: dict[str, Any] = {"id": el.id, "elevation_m": el.values.get("height", 0.0)}
    alias = el.attr("alias")
    if alias:
        data["name"] = alias
    lat, lon = el.attr("geoWGS84Lat"), el.attr("geoWGS84Long")
    if lat is not None:
        data["lat"] = float(lat)
    if lon is not None:
        data["lon"] = float(lon)
    if p_min is not None:
        data["p_min_barg"] = p_min
    if p_max is not None:
        data["p_max_barg"] = p_max
    return _build(Node, data, _label(ctx, el, "node"))


def _need(ctx: Context, el: GaslibElement, tag: str, what: str) -> float:
    v = el.values.get(tag)
    if v is None:
        raise InputError(f'{_label(ctx, el, what)}: <{tag}> is missing; give it, e.g. <{tag} value="..." unit="..."/>')
    return v


def _set_point(ctx: Context, el: GaslibElement, what: str) -> float:
    """Outlet set-point [barg]: the lowest of pressureOutMax and the maximum pressures of the outlet's zone
    (so that no node downstream, where pressure falls along the flow, is pushed above its maximum)."""
    candidates = [v for v in (el.values.get("pressureOutMax"), ctx.zone_p_max.get(el.to_node or "")) if v is not None]
    if not candidates:
        raise InputError(
            f"{_label(ctx, el, what)}: neither pressureOutMax nor a pressureMax in the zone of outlet node "
            f"{el.to_node}; give one so that linepack can set the outlet pressure"
        )
    p = min(candidates) - ctx.ambient_bar
    if p <= 0:
        raise InputError(f"{_label(ctx, el, what)}: outlet set-point {p:.4g} barg is not positive; check the bounds")
    return p


def edge_component(el: GaslibElement, ctx: Context) -> Component:
    base: dict[str, Any] = {"id": el.id, "from": el.from_node, "to": el.to_node}
    alias = el.attr("alias")
    if alias:
        base["name"] = alias
    v = el.values
    if el.kind == "pipe":
        data = {
            **base,
            "length_km": _need(ctx, el, "length", "pipe"),
            "inner_diameter_mm": _need(ctx, el, "diameter", "pipe"),
            "roughness_mm": v.get("roughness", DEFAULT_ROUGHNESS_MM),
        }
        maop = _gauge(ctx, v.get("pressureMax"))
        if maop is not None and maop > 0:
            data["maop_barg"] = maop
        return _build(Pipe, data, _label(ctx, el, "pipe"))
    if el.kind == "shortPipe":
        return _build(ShortPipe, base, _label(ctx, el, "short_pipe"))
    if el.kind == "valve":
        return _build(Valve, {**base, "open": True}, _label(ctx, el, "valve"))
    if el.kind == "resistor":
        if "dragFactor" in v:
            if v["dragFactor"] == 0:
                return _build(ShortPipe, base, _label(ctx, el, "short_pipe"))
            data = {**base, "drag_coefficient": v["dragFactor"], "diameter_mm": _need(ctx, el, "diameter", "resistor")}
            return _build(Resistor, data, _label(ctx, el, "resistor"))
        if "pressureLoss" in v:
            if ctx.fixed_loss == "short_pipe":
                return _build(ShortPipe, base, _label(ctx, el, "short_pipe"))
            if ctx.fixed_loss == "resistor":
                data = {**base, "pressure_loss_bar": v["pressureLoss"]}
                return _build(Resistor, data, _label(ctx, el, "resistor"))
            raise InputError(
                f'{ctx.file}: line {el.line}: <resistor id="{el.id}">: a resistor with a fixed pressure loss '
                f"(pressureLoss {v['pressureLoss']} bar) has no linepack element yet; read with "
                "fixed_loss='short_pipe' to load it as a loss-free short pipe (the loss stays in the case and "
                "is written back), with fixed_loss='resistor' to load it as a fixed-loss Resistor "
                "(pressure_loss_bar), or remove the resistor"
            )
        raise InputError(
            f"{_label(ctx, el, 'resistor')}: needs dragFactor with diameter, or pressureLoss; give one of them"
        )
    if el.kind == "controlValve":
        data = {**base, "mode": "pressure", "p_set_barg": _set_point(ctx, el, "regulator")}
        q = _mass_flow(ctx, v.get("flowMax"))
        if q is not None and q > 0:
            data["flow_max_kg_s"] = q
        return _build(Regulator, data, _label(ctx, el, "regulator"))
    if el.kind == "compressorStation":
        data = {**base, "mode": "pressure", "p_set_barg": _set_point(ctx, el, "compressor")}
        q = _mass_flow(ctx, v.get("flowMax"))
        if q is not None and q > 0:
            data["flow_max_kg_s"] = q
        ps = _gauge(ctx, v.get("pressureInMin"))
        if ps is not None and ps >= 0:
            data["p_suction_min_barg"] = ps
        rating = ctx.ratings.get(el.id)
        if rating is not None:
            for key, value in (
                ("ratio_max", rating.ratio_max),
                ("power_max_mw", rating.power_max_mw),
                ("driver", rating.driver),
                ("driver_efficiency", rating.driver_efficiency),
                ("isentropic_efficiency", rating.isentropic_efficiency),
            ):
                if value is not None:
                    data[key] = value
        return _build(Compressor, data, _label(ctx, el, "compressor"))
    raise InputError(f"{_label(ctx, el, '?')}: unknown connection type")  # pragma: no cover (parser refuses it)


# --- nomination and reference ----------------------------------------------------------------------


ReferenceArg = str | tuple[str, float]
_ENTRY_RULE = "entry with the largest nominated flow of its island, held at its maximum pressure"
_PINNED_RULE = 'entry nominated with a fixed pressure (<pressure bound="both">), held at that pressure'


def pinned_pressure(nn: NominationNode) -> float | None:
    """The fixed entry pressure [bar] of a nomination node: its ``<pressure bound="both">`` (no shipped GasLib
    nomination has one; linepack's exporter writes it for pressure-held sources), else None."""
    return nn.pressure.get("both") if nn.type == "entry" else None


def choose_references(
    net: NetData, ctx: Context, reference: ReferenceArg | list[ReferenceArg] | None
) -> tuple[ReferenceChoice, ...]:
    """Pressure references, at least one per island (connected part of the network): the given ones; in
    every other island each entry nominated with a fixed pressure (bound both), held at it; in the remaining
    islands the entry with the largest nominated flow, else (no nomination) the source with the largest
    flowMax, held at its maximum pressure (nomination bound, else .net) unless a pressure is given."""
    nodes = {e.id: e for e in net.nodes()}
    given: list[ReferenceArg] = [] if reference is None else reference if isinstance(reference, list) else [reference]
    island = node_groups(net)
    chosen: dict[str, ReferenceChoice] = {}
    for ref in given:
        node, p = (ref[0], float(ref[1])) if isinstance(ref, tuple) else (ref, None)
        if node not in nodes:
            raise InputError(
                f"reference '{node}' is not a node of {ctx.file}{suggest(str(node), sorted(nodes))}; "
                "give the id of an entry node"
            )
        if island[node] in chosen:
            raise InputError(
                f"references {chosen[island[node]].node} and {node} are in the same connected part of the network; "
                "give one reference per island"
            )
        rule = "given node and pressure" if p is not None else "given node, held at its maximum pressure"
        chosen[island[node]] = ReferenceChoice(node, _reference_pressure(ctx, node, p), rule)
    pinned: list[ReferenceChoice] = []
    if ctx.scenario is not None:
        for nn in ctx.scenario.nodes.values():
            p_fix = pinned_pressure(nn)
            if p_fix is not None and island[nn.id] not in chosen:
                pinned.append(ReferenceChoice(nn.id, p_fix - ctx.ambient_bar, _PINNED_RULE))
    pinned_islands = {island[r.node] for r in pinned}
    best: dict[str, tuple[float, str, str]] = {}
    if ctx.scenario is not None:
        for nn in ctx.scenario.nodes.values():
            f = nominated_flow(nn)
            g = island[nn.id]
            if nn.type == "entry" and f is not None and f > 0 and (g not in best or f > best[g][0]):
                best[g] = (f, nn.id, _ENTRY_RULE)
    for el in nodes.values():
        g = island[el.id]
        if el.kind != "source" or (g in best and best[g][2] == _ENTRY_RULE):
            continue
        fmax = el.values.get("flowMax", 0.0)
        if g not in best or fmax > best[g][0]:
            best[g] = (
                fmax,
                el.id,
                "source with the largest flowMax of its island (no nominated entry), held at its maximum pressure",
            )
    for g, (_, node, rule) in best.items():
        if g not in chosen and g not in pinned_islands:
            chosen[g] = ReferenceChoice(node, _reference_pressure(ctx, node, None), rule)
    orphans = sorted({g for g in island.values() if g not in chosen and g not in pinned_islands})
    if orphans:
        ctx.warnings.append(
            f"{ctx.file}: {len(orphans)} island(s) without any source have no pressure reference (e.g. the one "
            f"holding node {orphans[0]}); pass reference=(node_id, p_barg) for them before solving"
        )
    order = {n: i for i, n in enumerate(nodes)}
    return tuple(sorted([*chosen.values(), *pinned], key=lambda r: order[r.node]))


def _reference_pressure(ctx: Context, node: str, p: float | None) -> float:
    if p is not None:
        return p
    hi = ctx.bounds.get(node, (None, None))[1]
    if hi is None:
        raise InputError(
            f"reference node {node} has no maximum pressure in the .net or the .scn; "
            "give the pressure too: reference=(node_id, p_barg)"
        )
    return hi - ctx.ambient_bar


def entry_id(node: str) -> str:
    return f"{node}.entry"


def exit_id(node: str) -> str:
    return f"{node}.exit"


def nomination_components(ctx: Context, references: tuple[ReferenceChoice, ...]) -> list[Source | Sink]:
    """Sources and sinks of the first scenario (flows in kg/s; see the rules in the package docstring)."""
    out: list[Source | Sink] = []
    refs = {r.node: r for r in references}
    placed: set[str] = set()
    if ctx.scenario is not None:
        name = ctx.file
        for nn in ctx.scenario.nodes.values():
            label = f"nomination node {nn.id} (line {nn.line})"
            if nn.type == "entry" and nn.id in refs:
                out.append(_reference_source(refs[nn.id], label))
                placed.add(nn.id)
                continue
            f = nominated_flow(nn)
            if f is None:
                ctx.warnings.append(f"{name}: node {nn.id} of the nomination gives no flow; no source or sink")
                continue
            cid = entry_id(nn.id) if nn.type == "entry" else exit_id(nn.id)
            supplies = (nn.type == "entry") == (f >= 0)
            density = ctx.source_density.get(nn.id) if nn.type == "entry" and f >= 0 else None
            kg_s = _mass_flow(ctx, abs(f), density) or 0.0
            if supplies:
                data = {"id": cid, "node": nn.id, "mode": "flow", "inflow": kg_s, "unit": "kg/s"}
                out.append(_build(Source, data, label))
            else:
                out.append(_build(Sink, {"id": cid, "node": nn.id, "demand": kg_s, "unit": "kg/s"}, label))
    for ref in references:
        if ref.node not in placed:
            out.append(_reference_source(ref, f"reference node {ref.node}"))
    return out


def _reference_source(ref: ReferenceChoice, label: str) -> Source:
    data = {
        "id": entry_id(ref.node),
        "node": ref.node,
        "mode": "pressure",
        "p_set_barg": ref.p_set_barg,
        "unit": "kg/s",
        "absorbs": ref.rule != _PINNED_RULE,  # an entry held at its nominated pressure never takes gas back
    }
    return _build(Source, data, label)
