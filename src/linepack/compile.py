"""Network + scenario -> CompiledNetwork: frozen SI arrays, index maps and the incidence matrix.

The compiled form is what every solver works on. It is built once per scenario and never modified;
solvers keep their own state.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from operator import attrgetter
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from .errors import InputError
from .gas import (
    ISO_15C,
    MOLAR_MASS_AIR_KG_PER_MOL,
    NORMAL_0C,
    US_60F,
    GasComposition,
    Papay,
    make_compressibility,
    make_viscosity,
)
from .hydraulics import FrictionLaw
from .model.components import (
    TYPES_BY_COLLECTION,
    Compressor,
    CompressorMode,
    CompressorUnit,
    Driver,
    Edge,
    Node,
    Pipe,
    PipeLaw,
    Regulator,
    RegulatorMode,
    Resistor,
    ShortPipe,
    Sink,
    Source,
    SourceMode,
    Valve,
)
from .model.errors import suggest
from .model.network import Network, NetworkView
from .quality.spec import QualitySpec, compile_quality
from .stations.compiled import compile_stations
from .stations.units import CompiledStations
from .units import BAR_PA, R_J_PER_MOL_K, FlowBasis, barg_to_pa, celsius_to_k

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


class EdgeKind(IntEnum):
    PIPE = 0
    COMPRESSOR = 1
    REGULATOR = 2
    VALVE = 3
    RESISTOR = 4
    SHORT_PIPE = 5


class CompMode(IntEnum):
    """Compressor equation in force (the user's control mode, or a bound that became active)."""

    PRESSURE = 0
    RATIO = 1
    POWER = 2
    FLOW = 3
    BYPASS = 4
    OFF = 5
    SUCTION = 6
    MAP_FLOW = 7  # a station with units at its flow capacity (maximum speed, choke end or driver power)
    MAP_HEAD = 8  # a station with units at the most head its units can make


class RegMode(IntEnum):
    PRESSURE = 0
    OPEN = 1
    CLOSED = 2
    FLOW = 3


_COMP_MODE = {
    CompressorMode.PRESSURE: CompMode.PRESSURE,
    CompressorMode.SUCTION: CompMode.SUCTION,
    CompressorMode.RATIO: CompMode.RATIO,
    CompressorMode.POWER: CompMode.POWER,
    CompressorMode.FLOW: CompMode.FLOW,
    CompressorMode.BYPASS: CompMode.BYPASS,
    CompressorMode.OFF: CompMode.OFF,
}
_REG_MODE = {
    RegulatorMode.PRESSURE: RegMode.PRESSURE,
    RegulatorMode.FLOW: RegMode.FLOW,
    RegulatorMode.OPEN: RegMode.OPEN,
    RegulatorMode.CLOSED: RegMode.CLOSED,
}
LAWS: tuple[PipeLaw, ...] = tuple(PipeLaw)
_LAW = {law.value: i for i, law in enumerate(LAWS)}


def friction_law_of(code: int) -> FrictionLaw:
    """The hydraulics friction law for a compiled law code."""
    return FrictionLaw[LAWS[code].name]


def _nan_or(x: float | None) -> float:
    return float("nan") if x is None else float(x)


def _column(items: list[Any], name: str, dtype: Any = float) -> NDArray[Any]:
    """The field ``name`` of every component as an array (one pass, no intermediate list)."""
    return np.fromiter(map(attrgetter(name), items), dtype=dtype, count=len(items))


def _column_or_nan(items: list[Any], name: str) -> F64:
    """A float field that may be None (as NaN)."""
    values = list(map(attrgetter(name), items))
    missing = values.count(None)
    if missing == 0:
        return np.array(values, dtype=float)
    if missing == len(values):
        return np.full(len(values), np.nan)
    nan = float("nan")
    return np.fromiter((nan if v is None else v for v in values), dtype=float, count=len(values))


@dataclass(frozen=True)
class GasModel:
    """The gas used by the hydraulics (one quality for the whole network)."""

    name: str
    molar_mass_kg_per_mol: float
    temperature_k: float
    compressibility: Any  # linepack.gas.CompressibilityModel
    viscosity: Any  # linepack.gas viscosity model
    kappa: float | None
    lhv_j_per_kg: float | None
    basis: FlowBasis
    composition: GasComposition | None
    kappa_given: bool = False  # heat_capacity_ratio given in the settings (not from the composition)
    lhv_given: bool = False  # lower_heating_value_mj_per_kg given in the settings


@dataclass(frozen=True)
class CompiledNetwork:
    """Immutable SI arrays describing one scenario of a network."""

    name: str
    scenario: str
    ambient_pa: float
    gas: GasModel
    default_law: int
    # nodes
    node_ids: tuple[str, ...]
    node_names: tuple[str, ...]
    elevation_m: F64
    lat: F64
    lon: F64
    p_min_pa: F64  # NaN where unbounded
    p_max_pa: F64
    # edges (all kinds, in one list)
    edge_ids: tuple[str, ...]
    edge_names: tuple[str, ...]
    edge_kind: NDArray[np.int8]
    edge_from: I64
    edge_to: I64
    # fixed pressure-loss resistors (edge positions, loss in Pa)
    fixed_loss_edge: I64
    fixed_loss_pa: F64
    # resistive edges: pipes then resistors (edge positions in `res_edge`)
    res_edge: I64
    res_is_pipe: NDArray[np.bool_]
    length_m: F64
    diameter_m: F64
    roughness_m: F64
    efficiency: F64
    law: I64
    zeta: F64
    dh_m: F64
    maop_pa: F64
    nominal_diameter_in: F64
    # compressors
    comp_edge: I64
    comp_mode: I64
    comp_p_set_pa: F64
    comp_ratio_set: F64
    comp_power_set_w: F64
    comp_ratio_max: F64
    comp_power_max_w: F64
    comp_flow_max: F64
    comp_p_suction_min_pa: F64
    comp_eta_is: F64
    comp_gas_driven: NDArray[np.bool_]
    comp_eta_driver: F64
    # regulators
    reg_edge: I64
    reg_mode: I64
    reg_p_set_pa: F64
    reg_flow_max: F64
    # valves and short pipes: open valves and short pipes tie pressures, closed valves block flow
    tie_edge: I64
    block_edge: I64
    # sources and sinks
    source_ids: tuple[str, ...]
    source_node: I64
    source_is_pressure: NDArray[np.bool_]
    source_absorbs: NDArray[np.bool_]  # a pressure-held source that may take gas back
    source_p_set_pa: F64
    source_p_max_pa: F64
    source_inflow: F64  # kg/s (0 for pressure sources)
    source_capacity: F64  # kg/s, inf when unbounded
    source_basis: tuple[FlowBasis, ...]
    sink_ids: tuple[str, ...]
    sink_node: I64
    sink_demand: F64  # kg/s
    sink_p_min_pa: F64
    sink_category: tuple[str, ...]
    incidence: sp.csr_matrix  # n_nodes x n_edges: -1 at from, +1 at to
    # control modes added later (defaults: none in use); per compressor / regulator
    comp_p_suction_set_pa: F64 = field(default_factory=lambda: np.zeros(0))  # NaN where not given
    comp_flow_set: F64 = field(default_factory=lambda: np.zeros(0))  # kg/s, NaN where not given
    comp_bidirectional: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    comp_driver_assumed: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    comp_active_arc: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))  # no power
    reg_flow_set: F64 = field(default_factory=lambda: np.zeros(0))  # kg/s, NaN where not given
    # per resistive edge: the Darcy friction factor of law constant (NaN elsewhere)
    friction_fixed: F64 = field(default_factory=lambda: np.zeros(0))
    z_integrated: bool = False  # Z varying along each pipe, integrated exactly (settings.compressibility_along_pipe)
    # non-isothermal flow (issue 13): the mean gas temperature [K] of every resistive edge that its law uses for Z,
    # density and viscosity (set by linepack.thermal.coupling); None: gas.temperature_k everywhere (isothermal)
    res_temperature_k: F64 | None = None
    # Z(p) and dZ/dp of the resistive edges at those temperatures, prepared once per temperature field (optional)
    res_z: Any = None
    # non-isothermal flow: gas temperature [K] at every compressor's suction for its power law (None: gas.temperature_k)
    comp_suction_temperature_k: F64 | None = None
    # settings.thermal.mode is non_isothermal: a solve of this compiled network without temperatures says so
    thermal_requested: bool = False
    # optimisation inputs of the file (NaN where not given): per source and per sink
    source_price_usd_per_mmbtu: F64 = field(default_factory=lambda: np.zeros(0))
    source_min_kg_s: F64 = field(default_factory=lambda: np.zeros(0))  # 0 where not given
    sink_demand_min_kg_s: F64 = field(default_factory=lambda: np.zeros(0))  # = demand where not given
    sink_demand_max_kg_s: F64 = field(default_factory=lambda: np.zeros(0))
    sink_value_usd_per_mmbtu: F64 = field(default_factory=lambda: np.zeros(0))
    # pipe id -> its route as (lon, lat) vertices, for maps (only pipes that have one)
    pipe_routes: Mapping[str, tuple[tuple[float, float], ...]] = field(default_factory=dict)
    # compressor stations with units (maps and drivers); None when no station has units
    stations: CompiledStations | None = None
    notes: tuple[str, ...] = ()  # what compiling changed (e.g. a station bypassed for lack of units)
    # gas quality: source gases, energy and volume demands, limits, blending (None: no composition known)
    quality: QualitySpec | None = None

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def n_edges(self) -> int:
        return len(self.edge_ids)

    def node_index(self, node_id: str) -> int:
        try:
            return self.node_ids.index(node_id)
        except ValueError:
            raise InputError(
                f"no node '{node_id}' in scenario {self.scenario}{suggest(node_id, list(self.node_ids))}"
            ) from None

    def edge_index(self, edge_id: str) -> int:
        try:
            return self.edge_ids.index(edge_id)
        except ValueError:
            raise InputError(
                f"no element '{edge_id}' in scenario {self.scenario}{suggest(edge_id, list(self.edge_ids))}"
            ) from None


def _gas_model(network: Network) -> GasModel:
    st = network.settings
    t_k = celsius_to_k(st.temperature_c)
    comp: GasComposition | None = None
    if st.gas is not None:
        spec = network.gas_compositions[st.gas]
        comp = GasComposition.from_mole_fractions(st.gas, spec.mole_fractions)
    z_spec = st.compressibility
    params: dict[str, Any] = {}
    if z_spec.model == "constant":
        if z_spec.z is None:
            raise InputError("settings.compressibility: model constant needs z; give z (e.g. 0.9)")
        params["z"] = z_spec.z
    if z_spec.model == "linear":
        if z_spec.offset is None or z_spec.slope_per_bar is None:
            raise InputError(
                "settings.compressibility: model linear needs offset and slope_per_bar "
                "(pandapipes uses offset 1, slope_per_bar -0.0022)"
            )
        params.update(offset=z_spec.offset, slope_per_bar=z_spec.slope_per_bar)
    if z_spec.model == "cnga":
        if z_spec.b2_per_bar is not None:
            params.update(b1=z_spec.b1 if z_spec.b1 is not None else 1.0, b2_per_bar=z_spec.b2_per_bar)
        else:
            m_gas = comp.molar_mass_kg_per_mol if comp is not None else st.molar_mass_kg_per_mol
            if m_gas is None:
                raise InputError(
                    "settings.compressibility: model cnga needs b2_per_bar, or a gas to take its gravity from"
                )
            params.update(gravity=m_gas / MOLAR_MASS_AIR_KG_PER_MOL, t_k=t_k)
    if z_spec.model == "papay" and comp is None:
        if z_spec.pseudo_critical_temperature_k is None or z_spec.pseudo_critical_pressure_bar is None:
            raise InputError(
                "settings.compressibility: model papay needs a gas composition or pseudo_critical_temperature_k "
                "and pseudo_critical_pressure_bar"
            )
        zmodel: Any = Papay(z_spec.pseudo_critical_temperature_k, z_spec.pseudo_critical_pressure_bar * BAR_PA)
    elif z_spec.model in ("aga8_detail", "gerg2008") and comp is None:
        raise InputError(
            f"settings.compressibility: model {z_spec.model} needs a gas composition; "
            "set settings.gas or choose ideal, constant, linear or papay with pseudo-critical properties"
        )
    else:
        zmodel = make_compressibility(z_spec.model, comp, **params)
    mu_spec = st.viscosity
    mu_params: dict[str, Any] = {}
    if mu_spec.model == "constant":
        if mu_spec.value_pa_s is None:
            raise InputError("settings.viscosity: model constant needs value_pa_s (e.g. 1.1e-5)")
        mu_params["mu_pa_s"] = mu_spec.value_pa_s
    if comp is not None:
        molar_mass = comp.molar_mass_kg_per_mol
    elif st.molar_mass_kg_per_mol is not None:
        molar_mass = st.molar_mass_kg_per_mol
    else:
        raise InputError("settings: give gas (a composition) or molar_mass_kg_per_mol")
    if mu_spec.model == "lee_gonzalez_eakin":
        mu_params["molar_mass_kg_per_mol"] = molar_mass
    mumodel = make_viscosity(mu_spec.model, comp, **mu_params)
    kappa = st.heat_capacity_ratio
    if kappa is None and comp is not None:
        kappa = float(comp.ideal_heat_capacity_ratio(t_k))
    lhv = st.lower_heating_value_mj_per_kg * 1e6 if st.lower_heating_value_mj_per_kg is not None else None
    if lhv is None and comp is not None:
        lhv = float(comp.net_heating_value_j_per_kg())
    name = st.gas or "custom gas"
    basis = _basis(name, comp, molar_mass, _combustion_t_k(network))
    return GasModel(
        name,
        molar_mass,
        t_k,
        zmodel,
        mumodel,
        kappa,
        lhv,
        basis,
        comp,
        kappa_given=st.heat_capacity_ratio is not None,
        lhv_given=st.lower_heating_value_mj_per_kg is not None,
    )


def _combustion_t_k(network: Network) -> float:
    """Combustion reference temperature of energy units (settings.quality_reference) [K]."""
    from .gas.quality import reference_conditions

    return reference_conditions(network.settings.quality_reference).combustion_t_k


def _basis(name: str, comp: GasComposition | None, molar_mass: float, combustion_t_k: float = 298.15) -> FlowBasis:
    if comp is not None:
        return FlowBasis(
            gas_name=name,
            density_15c_kg_m3=float(comp.density_standard_kg_per_m3(ISO_15C)),
            density_60f_kg_m3=float(comp.density_standard_kg_per_m3(US_60F)),
            density_0c_kg_m3=float(comp.density_standard_kg_per_m3(NORMAL_0C)),
            hhv_j_per_kg=float(comp.gross_heating_value_j_per_kg(combustion_t_k)),
        )

    def ideal(t: float, p: float) -> float:
        return p * molar_mass / (R_J_PER_MOL_K * t)

    return FlowBasis(name, ideal(288.15, 101325.0), ideal(US_60F.t_k, US_60F.p_pa), ideal(273.15, 101325.0), None)


def compile_network(network: Network, scenario: str | None = None, *, use_default: bool = True) -> CompiledNetwork:
    """Compile ``scenario`` of ``network`` (its default scenario when ``scenario`` is None).

    Python's cyclic garbage collector is paused meanwhile: the compile makes few objects and no cycles, but a
    collection it triggers walks every component of the network (at a million junctions one full pass took 4 of
    17 s of compile)."""
    if scenario is None and use_default:
        scenario = network.default_scenario
    enabled = gc.isenabled()
    gc.disable()
    try:
        return compile_view(network.view(scenario))
    finally:
        if enabled:
            gc.enable()


def _may_have_units(network: Network) -> bool:
    """False when no component of ``network`` is a compressor unit (then :func:`compile_stations` has nothing to
    compile): its collection is empty and every other collection holds only its own type (one ``type`` per
    component through ``map``, not an ``isinstance`` per component in Python: 20,000 junctions, 2 ms)."""
    colls = network.collections
    if colls.get(CompressorUnit.collection):
        return True
    return not all(set(map(type, coll.values())) <= {TYPES_BY_COLLECTION.get(name)} for name, coll in colls.items())


def compile_view(view: NetworkView) -> CompiledNetwork:
    network = view.network
    gas = _gas_model(network)
    amb = network.settings.ambient_pressure_bar
    nodes: list[Node] = view.of_type(Node)
    if not nodes:
        raise InputError(f"scenario {view.scenario.name}: no component is in service; nothing to solve")
    node_ids = tuple(map(attrgetter("id"), nodes))
    nidx = {nid: i for i, nid in enumerate(node_ids)}
    elev = _column(nodes, "elevation_m")

    def pa(x: float | None) -> float:
        return float("nan") if x is None else barg_to_pa(x, amb)

    def pa_column(items: list[Any], name: str) -> F64:  # the same arithmetic as pa(), on a whole column
        return (_column_or_nan(items, name) + amb) * BAR_PA

    pipes: list[Pipe] = view.of_type(Pipe)
    all_resistors: list[Resistor] = view.of_type(Resistor)
    resistors = [r for r in all_resistors if r.pressure_loss_bar is None]
    fixed_loss = [r for r in all_resistors if r.pressure_loss_bar is not None]
    comps: list[Compressor] = view.of_type(Compressor)
    regs: list[Regulator] = view.of_type(Regulator)
    valves: list[Valve] = view.of_type(Valve)
    shorts: list[ShortPipe] = view.of_type(ShortPipe)
    edges: list[Edge] = [*pipes, *resistors, *fixed_loss, *comps, *regs, *valves, *shorts]
    kinds = (
        [EdgeKind.PIPE] * len(pipes)
        + [EdgeKind.RESISTOR] * (len(resistors) + len(fixed_loss))
        + [EdgeKind.COMPRESSOR] * len(comps)
        + [EdgeKind.REGULATOR] * len(regs)
        + [EdgeKind.VALVE] * len(valves)
        + [EdgeKind.SHORT_PIPE] * len(shorts)
    )
    efrom = np.fromiter(map(nidx.__getitem__, map(attrgetter("from_node"), edges)), dtype=np.int64, count=len(edges))
    eto = np.fromiter(map(nidx.__getitem__, map(attrgetter("to_node"), edges)), dtype=np.int64, count=len(edges))
    n_e = len(edges)
    off = 0
    pipe_pos = np.arange(off, off + len(pipes))
    off += len(pipes)
    res_pos = np.arange(off, off + len(resistors))
    off += len(resistors)
    fixed_pos = np.arange(off, off + len(fixed_loss))
    off += len(fixed_loss)
    comp_pos = np.arange(off, off + len(comps))
    off += len(comps)
    reg_pos = np.arange(off, off + len(regs))
    off += len(regs)
    valve_pos = np.arange(off, off + len(valves))
    off += len(valves)
    short_pos = np.arange(off, off + len(shorts))
    valve_open = np.array([v.open for v in valves], dtype=bool)

    # resistive edges: pipes, then resistors as zero-friction segments with a loss coefficient
    res_edge = np.concatenate([pipe_pos, res_pos]).astype(np.int64)
    n_r = len(resistors)
    length = np.concatenate([_column(pipes, "length_km") * 1e3, np.ones(n_r)])
    diam = np.concatenate(
        [_column(pipes, "inner_diameter_mm") * 1e-3, np.array([float(r.diameter_mm or 0) * 1e-3 for r in resistors])]
    )
    rough = np.concatenate([_column(pipes, "roughness_mm") * 1e-3, np.zeros(n_r)])
    eff = np.concatenate([_column(pipes, "efficiency"), np.ones(n_r)])
    default_law = _LAW[network.settings.friction_law.value]
    pipe_laws = list(map(attrgetter("law"), pipes))
    law = np.concatenate(
        [
            np.full(len(pipes), default_law, dtype=np.int64)
            if pipe_laws.count(None) == len(pipes)  # every pipe on the network's law (a C-level count)
            else np.fromiter(
                (default_law if w is None else _LAW[w.value] for w in pipe_laws), dtype=np.int64, count=len(pipes)
            ),
            np.full(n_r, default_law, dtype=np.int64),
        ]
    )
    zeta = np.concatenate(
        [_column(pipes, "loss_coefficient"), np.array([float(r.drag_coefficient or 0) for r in resistors])]
    )
    friction_fixed = _pipe_law_data(pipes, law[: len(pipes)], len(resistors))
    dh = np.concatenate([elev[eto[pipe_pos]] - elev[efrom[pipe_pos]], np.zeros(len(resistors))])
    is_pipe = np.concatenate([np.ones(len(pipes), bool), np.zeros(len(resistors), bool)])

    need_power = [c.id for c in comps if _needs_power(c)]
    if need_power and gas.kappa is None:
        raise InputError(
            f"compressor(s) {', '.join(need_power[:5])}{' ...' if len(need_power) > 5 else ''}: their power is "
            "needed (a gas-turbine driver burns fuel in proportion to it, or a power limit or power mode is given) "
            "but the gas has no isentropic exponent; give settings.heat_capacity_ratio or a gas composition, or "
            "make them electric (driver: electric) without power_max_mw"
        )
    if any(c.driver == Driver.GAS_TURBINE and not c.active_arc for c in comps) and gas.lhv_j_per_kg is None:
        raise InputError(
            "settings: gas-turbine compressors burn fuel gas; give lower_heating_value_mj_per_kg or a gas composition"
        )

    sources: list[Source] = view.of_type(Source)
    sinks: list[Sink] = view.of_type(Sink)
    bases: dict[str, FlowBasis] = {}

    def basis_for(gname: str | None) -> FlowBasis:
        if gname is None or gname == network.settings.gas:
            return gas.basis
        if gname not in bases:
            comp = GasComposition.from_mole_fractions(gname, network.gas_compositions[gname].mole_fractions)
            bases[gname] = _basis(gname, comp, comp.molar_mass_kg_per_mol, _combustion_t_k(network))
        return bases[gname]

    sc = view.scenario
    src_basis = tuple(basis_for(s.gas) for s in sources)
    inflow = np.array(
        [
            b.to_kg_s(s.inflow, s.unit, f"source {s.id}") * sc.supply_scale
            if s.mode == SourceMode.FLOW and s.inflow is not None
            else 0.0
            for s, b in zip(sources, src_basis, strict=True)
        ]
    )
    capacity = np.array(
        [
            b.to_kg_s(s.capacity, s.unit, f"source {s.id}") if s.capacity is not None else np.inf
            for s, b in zip(sources, src_basis, strict=True)
        ]
    )
    demand = np.array([gas.basis.to_kg_s(k.demand, k.unit, f"sink {k.id}") * sc.demand_scale for k in sinks])

    reference_flow = float(max(np.sum(demand), np.sum(inflow), 0.0))
    quality = compile_quality(view, gas.composition, gas.basis, sources, sinks, reference_flow)
    if quality is not None and quality.mixing and network.settings.compressibility_along_pipe == "integrated":
        raise InputError(
            [
                "settings.compressibility_along_pipe: integrated (Z integrated along each pipe) works with one gas; "
                "here several source gases mix (settings.mixing: auto). Set compressibility_along_pipe: "
                "mean_pressure, or settings.mixing: off to carry one gas"
            ]
        )

    def sink_kg_s(value: float | None, k: Sink, default: float) -> float:
        return default if value is None else gas.basis.to_kg_s(value, k.unit, f"sink {k.id}") * sc.demand_scale

    def sink_range(name: str) -> F64:  # a flexible-demand bound in kg/s; the demand itself where not given
        out = demand.copy()
        for k in np.flatnonzero(np.isfinite(_column_or_nan(sinks, name))):
            out[k] = sink_kg_s(getattr(sinks[k], name), sinks[k], float(demand[k]))
        return out

    demand_min, demand_max = sink_range("demand_min"), sink_range("demand_max")
    source_min = np.zeros(len(sources))
    for k in np.flatnonzero(np.isfinite(_column_or_nan(sources, "supply_min"))):
        s = sources[k]
        source_min[k] = src_basis[k].to_kg_s(float(s.supply_min or 0.0), s.unit, f"source {s.id}")

    stations, notes = compile_stations(view, comps) if _may_have_units(network) else (None, [])
    comp_mode = np.array([_COMP_MODE[c.mode] for c in comps], dtype=np.int64)
    if notes:  # stations with units but no configuration that can run are bypassed
        stuck = {n.split(":", 1)[0] for n in notes if n.endswith("the station is bypassed")}
        for kc, c in enumerate(comps):
            if c.id in stuck and comp_mode[kc] not in (CompMode.OFF,):
                comp_mode[kc] = CompMode.BYPASS

    rows = np.concatenate([efrom, eto])
    cols = np.concatenate([np.arange(n_e), np.arange(n_e)])
    vals = np.concatenate([-np.ones(n_e), np.ones(n_e)])
    incidence = sp.csr_matrix((vals, (rows, cols)), shape=(len(nodes), n_e))

    return CompiledNetwork(
        name=network.name,
        scenario=sc.name,
        ambient_pa=amb * BAR_PA,
        gas=gas,
        default_law=default_law,
        node_ids=node_ids,
        node_names=tuple(map(attrgetter("name"), nodes)),
        elevation_m=elev,
        lat=_column_or_nan(nodes, "lat"),
        lon=_column_or_nan(nodes, "lon"),
        p_min_pa=pa_column(nodes, "p_min_barg"),
        p_max_pa=pa_column(nodes, "p_max_barg"),
        edge_ids=tuple(map(attrgetter("id"), edges)),
        edge_names=tuple(map(attrgetter("name"), edges)),
        edge_kind=np.array(kinds, dtype=np.int8),
        edge_from=efrom,
        edge_to=eto,
        fixed_loss_edge=fixed_pos.astype(np.int64),
        fixed_loss_pa=np.array([float(r.pressure_loss_bar or 0) * BAR_PA for r in fixed_loss]),
        res_edge=res_edge,
        res_is_pipe=is_pipe,
        length_m=length,
        diameter_m=diam,
        roughness_m=rough,
        efficiency=eff,
        law=law,
        zeta=zeta,
        dh_m=dh,
        maop_pa=np.concatenate([pa_column(pipes, "maop_barg"), np.full(n_r, np.nan)]),
        nominal_diameter_in=np.concatenate([_column_or_nan(pipes, "nominal_diameter_in"), np.full(n_r, np.nan)]),
        comp_edge=comp_pos.astype(np.int64),
        comp_mode=comp_mode,
        comp_p_set_pa=np.array([pa(c.p_set_barg) for c in comps]),
        comp_ratio_set=np.array([_nan_or(c.ratio_set) for c in comps]),
        comp_power_set_w=np.array([_nan_or(c.power_set_mw) * 1e6 for c in comps]),
        comp_ratio_max=np.array([c.ratio_max for c in comps], dtype=float),
        comp_power_max_w=np.array([c.power_max_mw * 1e6 if c.power_max_mw is not None else np.inf for c in comps]),
        comp_flow_max=np.array([c.flow_max_kg_s if c.flow_max_kg_s is not None else np.inf for c in comps]),
        comp_p_suction_min_pa=np.array([pa(c.p_suction_min_barg) for c in comps]),
        comp_eta_is=np.array([c.isentropic_efficiency for c in comps], dtype=float),
        comp_gas_driven=np.array([c.driver == Driver.GAS_TURBINE and not c.active_arc for c in comps], dtype=bool),
        comp_eta_driver=np.array([c.driver_efficiency for c in comps], dtype=float),
        reg_edge=reg_pos.astype(np.int64),
        reg_mode=np.array([_REG_MODE[r.mode] for r in regs], dtype=np.int64),
        reg_p_set_pa=np.array([pa(r.p_set_barg) for r in regs]),
        reg_flow_max=np.array([r.flow_max_kg_s if r.flow_max_kg_s is not None else np.inf for r in regs]),
        tie_edge=np.concatenate([valve_pos[valve_open], short_pos]).astype(np.int64),
        block_edge=valve_pos[~valve_open].astype(np.int64),
        source_ids=tuple(s.id for s in sources),
        source_node=np.array([nidx[s.node] for s in sources], dtype=np.int64),
        source_is_pressure=np.array([s.mode == SourceMode.PRESSURE for s in sources], dtype=bool),
        source_absorbs=np.array([s.absorbs for s in sources], dtype=bool),
        source_p_set_pa=np.array([pa(s.p_set_barg) for s in sources]),
        source_p_max_pa=np.array([pa(s.p_max_barg) for s in sources]),
        source_inflow=inflow,
        source_capacity=capacity,
        source_basis=src_basis,
        sink_ids=tuple(map(attrgetter("id"), sinks)),
        sink_node=np.fromiter(map(nidx.__getitem__, map(attrgetter("node"), sinks)), dtype=np.int64, count=len(sinks)),
        sink_demand=demand,
        sink_p_min_pa=pa_column(sinks, "p_min_barg"),
        sink_category=tuple(k.category.value for k in sinks),
        incidence=incidence,
        comp_p_suction_set_pa=np.array([pa(c.p_suction_set_barg) for c in comps]),
        comp_flow_set=np.array([_nan_or(c.flow_set_kg_s) for c in comps]),
        comp_bidirectional=np.array([c.bidirectional for c in comps], dtype=bool),
        comp_driver_assumed=np.array([_driver_assumed(c) and not c.active_arc for c in comps], dtype=bool),
        comp_active_arc=np.array([c.active_arc for c in comps], dtype=bool),
        reg_flow_set=np.array([_nan_or(r.flow_set_kg_s) for r in regs]),
        friction_fixed=friction_fixed,
        z_integrated=network.settings.compressibility_along_pipe == "integrated",
        thermal_requested=network.settings.thermal.mode == "non_isothermal",
        source_price_usd_per_mmbtu=_column_or_nan(sources, "price_usd_per_mmbtu"),
        source_min_kg_s=source_min,
        sink_demand_min_kg_s=demand_min,
        sink_demand_max_kg_s=demand_max,
        sink_value_usd_per_mmbtu=_column_or_nan(sinks, "value_usd_per_mmbtu"),
        pipe_routes={p.id: tuple((float(x), float(y)) for x, y in p.route_lonlat) for p in pipes if p.route_lonlat},
        stations=stations,
        notes=tuple(notes),
        quality=quality,
    )


def _pipe_law_data(pipes: list[Pipe], law: NDArray[np.int64], n_resistors: int) -> F64:
    """The friction factor of every pipe of law constant (NaN elsewhere, and for resistors), from the pipes' law
    codes ``law``; the problems of pipes whose law lacks its data are raised together (columns, no per-pipe
    loop: a network of 40,000 pipes compiles in a tenth of a second)."""
    factor = _column_or_nan(pipes, "friction_factor")
    constant = law == _LAW[PipeLaw.CONSTANT.value]
    rough = np.isin(law, [_LAW[w.value] for w in (PipeLaw.NIKURADSE_ROUGH, PipeLaw.NIKURADSE_PANDAPIPES, PipeLaw.AGA)])
    given = np.isfinite(factor)
    problems = []
    smooth = _column(pipes, "roughness_mm") <= 0
    for k in np.flatnonzero((constant & ~given) | (~constant & given) | (rough & smooth)):
        p = pipes[int(k)]
        if constant[k] and not given[k]:
            problems.append(f"pipe {p.id}: law constant needs friction_factor (the Darcy factor, e.g. 0.01)")
        elif given[k] and not constant[k]:
            problems.append(
                f"pipe {p.id}: friction_factor {p.friction_factor} is used only by law constant (its law is "
                f"{LAWS[int(law[k])].value}); set law: constant or remove friction_factor"
            )
        if rough[k] and p.roughness_mm <= 0:
            problems.append(
                f"pipe {p.id}: law {LAWS[int(law[k])].value} needs roughness_mm > 0 (a rough-pipe law); got 0"
            )
    if problems:
        raise InputError(problems)
    return np.concatenate([np.where(constant, factor, np.nan), np.full(n_resistors, np.nan)])


def _needs_power(c: Compressor) -> bool:
    """Whether a compressor's shaft power must be computed (fuel, a power limit or power control)."""
    if c.active_arc:
        return False
    return c.driver == Driver.GAS_TURBINE or c.power_max_mw is not None or c.mode == CompressorMode.POWER


def _driver_assumed(c: Compressor) -> bool:
    """True when the file does not say how the station is driven: a gas turbine at the default efficiency is
    then assumed (its fuel is drawn at the suction node, and the result says so)."""
    return c.driver == Driver.GAS_TURBINE and not ({"driver", "driver_efficiency"} & c.model_fields_set)


def res_temperature(cn: CompiledNetwork) -> F64 | float:
    """Gas temperature [K] of every resistive edge's law: the per-edge mean temperatures of a non-isothermal solve,
    else the network temperature (a scalar, so isothermal arithmetic is unchanged)."""
    return cn.gas.temperature_k if cn.res_temperature_k is None else cn.res_temperature_k


def z_res_at(cn: CompiledNetwork, p_pa: F64) -> tuple[F64, F64]:
    """Z and dZ/dp [1/Pa] of the network gas at the mean pressures of the resistive edges, at their temperatures."""
    if cn.res_z is not None:
        z, dz = cn.res_z(np.asarray(p_pa, dtype=float))
    else:
        z, dz = cn.gas.compressibility.z_and_dz_dp(np.asarray(p_pa, dtype=float), res_temperature(cn))
    return np.asarray(z, dtype=float), np.asarray(dz, dtype=float)


def z_at(cn: CompiledNetwork, p_pa: F64) -> tuple[F64, F64]:
    """Z and dZ/dp [1/Pa] of the network gas at the network temperature."""
    z, dz = cn.gas.compressibility.z_and_dz_dp(np.asarray(p_pa, dtype=float), cn.gas.temperature_k)
    return np.asarray(z, dtype=float), np.asarray(dz, dtype=float)
