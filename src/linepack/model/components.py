"""Component schemas: one pydantic model per component type.

Each schema is the single description of a component: field names carry their unit where it is not
SI (``length_km``, ``p_set_barg``), every field has a description, a unit and bounds, and the same
schema drives validation, the native file format, the published JSON schema and
``linepack describe``. Unknown fields are errors, NaN and infinity are rejected.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from .strict import ID_PATTERN, StrictModel
from .thermal import (
    DISCHARGE_RANGE_C,
    GAS_RANGE_C,
    GROUND_RANGE_C,
    AfterCooler,
    Preheater,
    ThermalSettings,
    WallLayer,
    celsius,
    pipe_u_check,
)


def _f(description: str, unit: str = "", **kw: Any) -> Any:
    """A pydantic Field with a unit recorded in the JSON schema."""
    extra: dict[str, Any] = {"unit": unit} if unit else {}
    return Field(description=description, json_schema_extra=extra, **kw)


class Status(StrEnum):
    """Project status of a component, used by scenarios to select what is in service."""

    EXISTING = "existing"
    PLANNED = "planned"
    HYPOTHETICAL = "hypothetical"


class FlowUnit(StrEnum):
    """Units accepted for supply and demand flows (converted to kg/s at compile time)."""

    KG_S = "kg/s"
    SM3_H = "Sm3/h"  # 15 C, 1.01325 bar
    SM3_D = "Sm3/d"
    NM3_H = "Nm3/h"  # 0 C, 1.01325 bar
    MMSCFD = "MMSCFD"  # million standard cubic feet per day, 60 F / 14.696 psia
    MW = "MW"  # energy flow on the gross heating value
    GJ_D = "GJ/d"
    MMBTU_D = "MMBTU/d"  # million Btu (IT) per day, gross heating value


#: Flow units that measure energy (gross calorific value of the gas, see settings.quality_reference).
ENERGY_UNITS: frozenset[FlowUnit] = frozenset({FlowUnit.MW, FlowUnit.GJ_D, FlowUnit.MMBTU_D})
#: Flow units that measure standard volume.
VOLUME_UNITS: frozenset[FlowUnit] = frozenset({FlowUnit.SM3_H, FlowUnit.SM3_D, FlowUnit.NM3_H, FlowUnit.MMSCFD})


#: Largest pressure (bar or barg) a component field accepts; the equations of state end far below (70 MPa).
MAX_PRESSURE_BAR = 10_000.0
Longitude = Annotated[float, Field(ge=-180, le=180)]
Latitude = Annotated[float, Field(ge=-90, le=90)]

ComponentId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=ID_PATTERN,
        description="unique identifier: printable characters, no spaces or control characters",
    ),
]


class Component(StrictModel):
    """Fields shared by every component."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, populate_by_name=True)
    kind: ClassVar[str] = "component"
    collection: ClassVar[str] = "components"

    id: ComponentId
    name: str = _f("human-readable name", default="")
    in_service: bool = _f("False takes the component out of every scenario", default=True)
    status: Status = _f("existing, planned or hypothetical; scenarios select by status", default=Status.EXISTING)
    provenance: str = _f(
        "provenance tag of the data: S (sourced, with reference keys), D (derived) or A (assumed)", default=""
    )

    @model_validator(mode="after")
    def _pressures_plausible(self) -> Component:
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name.endswith(("_barg", "_bar")) and isinstance(value, float | int) and abs(value) > MAX_PRESSURE_BAR:
                raise ValueError(
                    f"{name} = {value:g} is above {MAX_PRESSURE_BAR:,.0f} bar, beyond any gas pipeline and any "
                    "equation of state; check the value and its unit (bar)"
                )
        return self


class Node(Component):
    """A junction of the network: every edge connects two nodes."""

    kind: ClassVar[str] = "node"
    collection: ClassVar[str] = "nodes"

    lat: float | None = _f("latitude", "deg", default=None, ge=-90, le=90)
    lon: float | None = _f("longitude", "deg", default=None, ge=-180, le=180)
    elevation_m: float = _f("height above sea level", "m", default=0.0, ge=-500, le=9000)
    p_min_barg: float | None = _f("minimum allowed pressure", "barg", default=None, ge=-1.0)
    p_max_barg: float | None = _f("maximum allowed pressure (MAOP at the node)", "barg", default=None, gt=0)

    @model_validator(mode="after")
    def _bounds_ordered(self) -> Node:
        if self.p_min_barg is not None and self.p_max_barg is not None and self.p_min_barg > self.p_max_barg:
            raise ValueError(
                f"p_min_barg ({self.p_min_barg}) is above p_max_barg ({self.p_max_barg}); swap or correct them"
            )
        return self


class Edge(Component):
    """A component between two nodes; flow is positive from ``from`` to ``to``."""

    from_node: str = Field(alias="from", min_length=1, description="id of the node the flow leaves (positive)")
    to_node: str = Field(alias="to", min_length=1, description="id of the node the flow enters (positive)")

    @model_validator(mode="after")
    def _distinct_ends(self) -> Edge:
        if self.from_node == self.to_node:
            raise ValueError(f"from and to are the same node ({self.from_node}); connect two different nodes")
        return self


class PipeLaw(StrEnum):
    """Friction laws and classic pipe flow equations, each named after its textbook form (see
    :mod:`linepack.hydraulics.friction` for the equations, validity ranges and references)."""

    COLEBROOK = "colebrook"  # Colebrook-White, k/(3.7 D)
    PRANDTL_COLEBROOK = "prandtl_colebrook"  # Colebrook with k/(3.71 D), as STANET and pandapipes use
    NIKURADSE_PANDAPIPES = "nikuradse_pandapipes"  # 64/Re + Nikuradse's rough value at every Re (pandapipes)
    SWAMEE_JAIN = "swamee_jain"
    HOFER = "hofer"
    WEYMOUTH = "weymouth"
    PANHANDLE_A = "panhandle_a"
    PANHANDLE_B = "panhandle_b"
    IGT = "igt"
    AGA = "aga"  # AGA NB-13 fully turbulent (rough-pipe) law
    NIKURADSE_ROUGH = "nikuradse_rough"  # Nikuradse's rough-pipe law 1/sqrt(lambda) = 2 log10(D/k) + 1.14
    CONSTANT = "constant"  # the pipe's own Darcy friction factor (friction_factor), at every Re above laminar


_AMBIGUOUS_LAWS = {
    "nikuradse": "law 'nikuradse' names two laws: 'nikuradse_rough' (the textbook rough-pipe law "
    "1/sqrt(lambda) = 2 log10(D/k) + 1.14, laminar below Re 2000) or 'nikuradse_pandapipes' (64/Re + that rough "
    "value at every Re, what pandapipes and STANET call nikuradse, and what linepack called nikuradse before)"
}


def _unambiguous_law(v: Any) -> Any:
    if isinstance(v, str) and v.strip().lower() in _AMBIGUOUS_LAWS:
        raise ValueError(_AMBIGUOUS_LAWS[v.strip().lower()] + "; choose one")
    return v


class Pipe(Edge):
    """A pipeline segment (isothermal flow with friction and elevation)."""

    kind: ClassVar[str] = "pipe"
    collection: ClassVar[str] = "pipes"

    length_km: float = _f("length", "km", gt=0, le=20000)
    inner_diameter_mm: float = _f("inner diameter", "mm", gt=0, le=5000)
    roughness_mm: float = _f("absolute internal roughness", "mm", default=0.012, ge=0, le=10)
    efficiency: float = _f("pipeline efficiency factor E (flow multiplier)", "", default=1.0, gt=0, le=1.2)
    law: PipeLaw | None = _f("pipe law overriding the network default", default=None)
    friction_factor: float | None = _f(
        "Darcy friction factor of the pipe, for law constant", "", default=None, gt=0, lt=1
    )
    loss_coefficient: float = _f("extra minor-loss coefficient zeta (valves, fittings)", "", default=0.0, ge=0)
    maop_barg: float | None = _f("maximum allowable operating pressure", "barg", default=None, gt=0)
    nominal_diameter_in: float | None = _f("nominal (outer) diameter, for reports", "in", default=None, gt=0)
    route_lonlat: list[tuple[Longitude, Latitude]] | None = _f(
        "route of the pipe as [lon, lat] vertices (WGS84) from the from node to the to node, for maps and GIS; "
        "the hydraulics use length_km",
        "deg",
        default=None,
        min_length=2,
        max_length=100_000,
    )

    # --- heat exchange with the ground (settings.thermal.mode non_isothermal; linepack.thermal) ---
    heat_transfer_coefficient_w_m2k: float | None = _f(
        "overall heat-transfer coefficient U to the ground, referred to the inner diameter (0: adiabatic); "
        "instead of cover_depth_m, soil_conductivity_w_mk and wall_layers",
        "W/(m2 K)",
        default=None,
    )
    cover_depth_m: float | None = _f(
        "soil cover above the pipe, for U (default settings.thermal.cover_depth_m)", "m", default=None, gt=0, le=50
    )
    soil_conductivity_w_mk: float | None = _f(
        "soil thermal conductivity, for U (default: the region's, then settings.thermal's)", "W/(m K)",
        default=None, gt=0, le=10,
    )
    wall_layers: list[WallLayer] | None = _f(
        "wall and coating layers, innermost first, for U (default settings.thermal.wall_layers)", default=None,
        max_length=16,
    )
    ground_temperature_c: float | None = _f(
        "undisturbed ground temperature at the pipe's depth (default: its thermal_region's, then settings.thermal's)",
        "degC",
        default=None,
    )
    thermal_region: str | None = _f("name of its ground region in settings.thermal.regions", default=None)

    @field_validator("law", mode="before")
    @classmethod
    def _law_named(cls, v: Any) -> Any:
        return _unambiguous_law(v)

    @field_validator("heat_transfer_coefficient_w_m2k")
    @classmethod
    def _u_plausible(cls, v: float | None) -> float | None:
        return pipe_u_check(v)

    @field_validator("ground_temperature_c")
    @classmethod
    def _ground_celsius(cls, v: float | None) -> float | None:
        return celsius(v, "ground_temperature_c", *GROUND_RANGE_C, "ground temperature")

    @model_validator(mode="after")
    def _one_heat_path(self) -> Pipe:
        burial = [n for n in ("cover_depth_m", "soil_conductivity_w_mk", "wall_layers") if getattr(self, n) is not None]
        if self.heat_transfer_coefficient_w_m2k is not None and burial:
            raise ValueError(
                f"give either heat_transfer_coefficient_w_m2k or the burial data it is computed from "
                f"({', '.join(burial)}), not both"
            )
        return self


class CompressorMode(StrEnum):
    """Which quantity a compressor station holds (its controller's set-point), or bypass / off."""

    PRESSURE = "pressure"  # discharge (outlet) pressure set-point
    SUCTION = "suction"  # suction (inlet) pressure set-point: the station draws what keeps its inlet there
    RATIO = "ratio"  # fixed compression ratio
    POWER = "power"  # fixed shaft power
    FLOW = "flow"  # throughput set-point
    BYPASS = "bypass"  # off, gas flows through the bypass (no pressure change)
    OFF = "off"  # off and closed (no flow)


class Driver(StrEnum):
    GAS_TURBINE = "gas_turbine"  # burns fuel gas drawn at the suction side
    ELECTRIC = "electric"  # no fuel gas


class Compressor(Edge):
    """A compressor station between a suction node (``from``) and a discharge node (``to``)."""

    kind: ClassVar[str] = "compressor"
    collection: ClassVar[str] = "compressors"

    mode: CompressorMode = _f("control mode: the quantity the station holds", default=CompressorMode.PRESSURE)
    p_set_barg: float | None = _f("discharge pressure set-point (mode pressure)", "barg", default=None, gt=0)
    p_suction_set_barg: float | None = _f("suction pressure set-point (mode suction)", "barg", default=None, gt=0)
    ratio_set: float | None = _f("compression ratio set-point (mode ratio)", "", default=None, ge=1, le=10)
    power_set_mw: float | None = _f("shaft power set-point (mode power)", "MW", default=None, ge=0)
    flow_set_kg_s: float | None = _f("throughput set-point (mode flow)", "kg/s", default=None, gt=0)
    bidirectional: bool = _f(
        "the station's piping lets it compress in either direction (from `to` to `from` as well), with the "
        "same set-point and limits; otherwise reverse flow is blocked by its check valve",
        default=False,
    )
    active_arc: bool = _f(
        "an active arc (the compressor of optimisation models): it only raises the pressure, up to ratio_max, "
        "with no thermodynamics (no power, no fuel, no gas data needed)",
        default=False,
    )
    ratio_max: float = _f("maximum compression ratio", "", default=2.0, ge=1, le=10)
    power_max_mw: float | None = _f("maximum shaft power (installed)", "MW", default=None, gt=0)
    flow_max_kg_s: float | None = _f("maximum throughput", "kg/s", default=None, gt=0)
    p_suction_min_barg: float | None = _f("minimum suction pressure", "barg", default=None, ge=0)
    polytropic_efficiency: float | None = _f(
        "polytropic efficiency, for settings.thermal.compression_path polytropic", "", default=None, gt=0, le=1
    )
    discharge_temperature_max_c: float | None = _f(
        "highest discharge temperature (coating limit; default settings.thermal.discharge_temperature_max_c)",
        "degC",
        default=None,
    )
    after_cooler: AfterCooler | None = _f(
        "after-cooler at the discharge: {outlet_temperature_c, duty_max_mw}", default=None
    )

    isentropic_efficiency: float = _f("isentropic efficiency", "", default=0.8, gt=0, le=1)
    driver: Driver = _f("driver type", default=Driver.GAS_TURBINE)
    driver_efficiency: float = _f("driver thermal efficiency (fuel to shaft power)", "", default=0.35, gt=0, le=1)
    configuration: str | None = _f(
        "id of the unit configuration to run (stations with compressor_units; none: the solver chooses)", default=None
    )
    ambient_temperature_c: float | None = _f(
        "air temperature at the station, for the drivers' available power (none: settings.ambient_temperature_c)",
        "degC",
        default=None,
        ge=-60,
        le=60,
    )

    @model_validator(mode="after")
    def _set_point_given(self) -> Compressor:
        need = {
            CompressorMode.PRESSURE: "p_set_barg",
            CompressorMode.SUCTION: "p_suction_set_barg",
            CompressorMode.RATIO: "ratio_set",
            CompressorMode.POWER: "power_set_mw",
            CompressorMode.FLOW: "flow_set_kg_s",
        }.get(self.mode)
        if need is not None and getattr(self, need) is None:
            raise ValueError(f"mode {self.mode.value} needs {need}; give it or choose another mode")
        if self.active_arc and (self.mode == CompressorMode.POWER or self.power_max_mw is not None):
            raise ValueError(
                "an active arc has no power (it only raises the pressure); remove power_max_mw / mode power, or "
                "set active_arc false"
            )
        flow_set, flow_max = self.flow_set_kg_s, self.flow_max_kg_s
        if flow_set is not None and flow_max is not None and flow_set > flow_max:
            raise ValueError(
                f"flow_set_kg_s ({self.flow_set_kg_s}) exceeds flow_max_kg_s ({self.flow_max_kg_s}); lower the "
                "set-point or raise the limit"
            )
        return self

    @field_validator("discharge_temperature_max_c")
    @classmethod
    def _discharge_celsius(cls, v: float | None) -> float | None:
        return celsius(v, "discharge_temperature_max_c", *DISCHARGE_RANGE_C, "compressor discharge temperature")

    @model_validator(mode="after")
    def _cooler_below_limit(self) -> Compressor:
        cooler, limit = self.after_cooler, self.discharge_temperature_max_c
        set_point = None if cooler is None else cooler.outlet_temperature_c
        if set_point is not None and limit is not None and set_point > limit:
            raise ValueError(
                f"after_cooler.outlet_temperature_c ({set_point:g} C) is above discharge_temperature_max_c "
                f"({limit:g} C): the cooler would hold the gas above the limit it protects; lower the set-point"
            )
        return self


class RegulatorMode(StrEnum):
    PRESSURE = "pressure"  # outlet pressure set-point
    FLOW = "flow"  # throughput set-point (a flow-control valve)
    OPEN = "open"  # fully open, no pressure change
    CLOSED = "closed"


class Regulator(Edge):
    """A pressure regulator (control valve): holds its outlet pressure (or, in mode flow, its throughput), never
    raises the pressure, no reverse flow."""

    kind: ClassVar[str] = "regulator"
    collection: ClassVar[str] = "regulators"

    mode: RegulatorMode = _f("control mode", default=RegulatorMode.PRESSURE)
    p_set_barg: float | None = _f("outlet pressure set-point (mode pressure)", "barg", default=None, gt=0)
    flow_set_kg_s: float | None = _f("throughput set-point (mode flow)", "kg/s", default=None, gt=0)
    flow_max_kg_s: float | None = _f("maximum throughput", "kg/s", default=None, gt=0)
    preheater: Preheater | None = _f(
        "gas heater upstream of the valve: {outlet_temperature_min_c, duty_max_mw}", default=None
    )

    @model_validator(mode="after")
    def _set_point_given(self) -> Regulator:
        if self.mode == RegulatorMode.PRESSURE and self.p_set_barg is None:
            raise ValueError("mode pressure needs p_set_barg; give it or choose mode flow/open/closed")
        if self.mode == RegulatorMode.FLOW and self.flow_set_kg_s is None:
            raise ValueError("mode flow needs flow_set_kg_s; give it or choose mode pressure/open/closed")
        flow_set, flow_max = self.flow_set_kg_s, self.flow_max_kg_s
        if flow_set is not None and flow_max is not None and flow_set > flow_max:
            raise ValueError(
                f"flow_set_kg_s ({self.flow_set_kg_s}) exceeds flow_max_kg_s ({self.flow_max_kg_s}); lower the "
                "set-point or raise the limit"
            )
        return self


class Valve(Edge):
    """An on/off valve: open means no pressure change, closed means no flow."""

    kind: ClassVar[str] = "valve"
    collection: ClassVar[str] = "valves"

    open: bool = _f("True when the valve is open", default=True)


class Resistor(Edge):
    """A local resistance, in either flow direction: a loss zeta * rho v^2 / 2 over a given diameter, or a
    fixed pressure loss (GasLib's pressure-loss resistors)."""

    kind: ClassVar[str] = "resistor"
    collection: ClassVar[str] = "resistors"

    drag_coefficient: float | None = _f("loss coefficient zeta (with diameter_mm)", "", default=None, gt=0)
    diameter_mm: float | None = _f("reference diameter for the velocity", "mm", default=None, gt=0, le=5000)
    pressure_loss_bar: float | None = _f(
        "fixed pressure loss in the flow direction, instead of a loss coefficient", "bar", default=None, ge=0, le=100
    )

    @model_validator(mode="after")
    def _one_law(self) -> Resistor:
        drag = self.drag_coefficient is not None or self.diameter_mm is not None
        if self.pressure_loss_bar is not None and drag:
            raise ValueError("give either pressure_loss_bar or drag_coefficient with diameter_mm, not both")
        if self.pressure_loss_bar is None and (self.drag_coefficient is None or self.diameter_mm is None):
            raise ValueError("give drag_coefficient and diameter_mm (a loss coefficient) or pressure_loss_bar")
        return self


class ShortPipe(Edge):
    """A connection without pressure loss (a short pipe in GasLib's sense)."""

    kind: ClassVar[str] = "short_pipe"
    collection: ClassVar[str] = "short_pipes"


class SourceMode(StrEnum):
    PRESSURE = "pressure"  # holds the node pressure; supplies what the network draws, up to capacity
    FLOW = "flow"  # fixed inflow
    SHARE = "share"  # inflow that makes its gas a fixed molar share of the gas leaving the node (blending)


class Source(Component):
    """A supply: LNG terminal, field, border entry or storage withdrawal, attached to a node."""

    kind: ClassVar[str] = "source"
    collection: ClassVar[str] = "sources"

    node: str = _f("id of the node where gas enters")
    mode: SourceMode = _f("pressure (reference node) or flow (fixed inflow)", default=SourceMode.FLOW)
    p_set_barg: float | None = _f("send-out pressure held in mode pressure", "barg", default=None, gt=0)
    p_max_barg: float | None = _f(
        "highest pressure the source can deliver against (mode flow)", "barg", default=None, gt=0
    )
    inflow: float | None = _f("fixed inflow in mode flow, in `unit`", "unit", default=None, ge=0)
    capacity: float | None = _f("maximum supply, in `unit`", "unit", default=None, ge=0)
    unit: FlowUnit = _f("unit of inflow and capacity", default=FlowUnit.MMSCFD)
    gas: str | None = _f(
        "name of the gas composition supplied (from gas_compositions; default settings.gas); with several "
        "gases in service the hydraulics carry their mixtures (settings.mixing)",
        default=None,
    )
    share_mol_pct: float | None = _f(
        "mode share: molar share of this source's gas in the gas leaving its node (e.g. hydrogen blended into "
        "the passing flow); the inflow follows the passing flow, up to capacity",
        "mol %",
        default=None,
        gt=0,
        lt=100,
    )
    absorbs: bool = _f(
        "a pressure-held source may take gas back (a connection to a larger grid); false for terminals and "
        "fields, which are shut in instead",
        default=False,
    )
    supply_min: float | None = _f("least supply the optimiser may choose, in `unit`", "unit", default=None, ge=0)
    price_usd_per_mmbtu: float | None = _f(
        "price of the gas supplied (least-cost dispatch), on the gross heating value", "USD/MMBtu", default=None, ge=0
    )
    temperature_c: float | None = _f(
        "temperature of the gas delivered (non-isothermal flow; default settings.thermal.source_temperature_c)",
        "degC",
        default=None,
    )

    @field_validator("temperature_c")
    @classmethod
    def _gas_celsius(cls, v: float | None) -> float | None:
        return celsius(v, "temperature_c", *GAS_RANGE_C, "gas temperature")

    @model_validator(mode="after")
    def _mode_fields(self) -> Source:
        if self.mode == SourceMode.PRESSURE and self.p_set_barg is None:
            raise ValueError("mode pressure needs p_set_barg (the send-out pressure); give it or use mode flow")
        if self.mode == SourceMode.FLOW and self.inflow is None:
            raise ValueError("mode flow needs inflow; give it or use mode pressure with p_set_barg")
        if self.mode == SourceMode.SHARE and (self.share_mol_pct is None or self.gas is None):
            raise ValueError(
                "mode share needs share_mol_pct (molar share of its gas in the gas leaving the node) and gas "
                "(the composition it injects, e.g. hydrogen); give both or use mode flow"
            )
        if self.mode != SourceMode.SHARE and self.share_mol_pct is not None:
            raise ValueError(f"share_mol_pct applies to mode share only (mode is {self.mode.value}); remove it")
        if self.inflow is not None and self.capacity is not None and self.inflow > self.capacity * (1 + 1e-12):
            raise ValueError(f"inflow ({self.inflow}) exceeds capacity ({self.capacity}); lower it or raise capacity")
        if self.supply_min is not None and self.capacity is not None and self.supply_min > self.capacity:
            raise ValueError(
                f"supply_min ({self.supply_min}) exceeds capacity ({self.capacity}); lower it or raise capacity"
            )
        return self


class SinkCategory(StrEnum):
    CITY_GATE = "city_gate"
    POWER_PLANT = "power_plant"
    FERTILISER = "fertiliser"
    INDUSTRY = "industry"
    EXPORT = "export"
    OTHER = "other"


class Sink(Component):
    """A demand (city gate, power plant, industry, export point) attached to a node."""

    kind: ClassVar[str] = "sink"
    collection: ClassVar[str] = "sinks"

    node: str = _f("id of the node where gas leaves")
    demand: float = _f("demand, in `unit`", "unit", ge=0)
    unit: FlowUnit = _f("unit of demand", default=FlowUnit.MMSCFD)
    p_min_barg: float | None = _f("minimum delivery pressure", "barg", default=None, ge=0)
    category: SinkCategory = _f("consumer class", default=SinkCategory.OTHER)
    gcv_min_mj_m3: float | None = _f(
        "minimum gross calorific value of the delivered gas (at settings.quality_reference)",
        "MJ/m3",
        default=None,
        gt=0,
        le=200,
    )
    wobbe_min_mj_m3: float | None = _f(
        "lowest gross Wobbe index of the delivered gas (at settings.quality_reference)", "MJ/m3", default=None, gt=0,
        le=200,
    )
    wobbe_max_mj_m3: float | None = _f(
        "highest gross Wobbe index of the delivered gas (at settings.quality_reference)", "MJ/m3", default=None, gt=0,
        le=200,
    )
    h2_max_mol_pct: float | None = _f(
        "highest hydrogen fraction of the delivered gas (gas turbines, engines)", "mol %", default=None, ge=0, le=100
    )

    demand_min: float | None = _f(
        "flexible demand: the least the optimiser may deliver (dispatch), in `unit`", "unit", default=None, ge=0
    )
    demand_max: float | None = _f(
        "flexible demand: the most the optimiser may deliver (dispatch), in `unit`", "unit", default=None, ge=0
    )
    value_usd_per_mmbtu: float | None = _f(
        "value of the gas to this consumer (what flexible demand is served for, in dispatch)", "USD/MMBtu",
        default=None, ge=0,
    )

    @model_validator(mode="after")
    def _range_ordered(self) -> Sink:
        lo = self.demand if self.demand_min is None else self.demand_min
        hi = self.demand if self.demand_max is None else self.demand_max
        if not lo <= self.demand <= hi:
            raise ValueError(
                f"demand ({self.demand}) must lie in [demand_min, demand_max] = [{lo}, {hi}]; correct the range"
            )
        return self

    @model_validator(mode="after")
    def _wobbe_range(self) -> Sink:
        lo, hi = self.wobbe_min_mj_m3, self.wobbe_max_mj_m3
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"wobbe_min_mj_m3 ({lo}) is above wobbe_max_mj_m3 ({hi}); swap or correct them")
        return self


class CompressorUnit(Component):
    """One machine of a compressor station: a compressor (its map) with its driver.

    A station with units runs the configuration it is told (``Compressor.configuration``) or the one the
    solver chooses; the station's own ``isentropic_efficiency``, ``driver`` and ``driver_efficiency`` are
    then not used (its ``ratio_max``, ``power_max_mw`` and ``flow_max_kg_s`` stay station limits).
    """

    kind: ClassVar[str] = "compressor_unit"
    collection: ClassVar[str] = "compressor_units"

    station: str = _f("id of the compressor station the unit belongs to")
    map: str = _f("name of its map in compressor_maps")
    driver: str = _f("name of its driver in drivers")


class CompressorConfiguration(Component):
    """A way to run a station's units: serial stages, each of units in parallel.

    Without configurations a station may run 1, 2, ... of its in-service units in parallel (in file order).
    """

    kind: ClassVar[str] = "compressor_configuration"
    collection: ClassVar[str] = "compressor_configurations"

    station: str = _f("id of the compressor station")
    stages: list[list[str]] = _f(
        "unit ids of each serial stage (suction first); the units of a stage run in parallel",
        min_length=1,
        max_length=8,
    )

    @model_validator(mode="after")
    def _stages_filled(self) -> CompressorConfiguration:
        units = [u for stage in self.stages for u in stage]
        if any(not stage for stage in self.stages):
            raise ValueError("every stage needs at least one unit")
        if len(set(units)) != len(units):
            raise ValueError("a unit appears more than once; each unit runs in one stage")
        return self


EDGE_TYPES: tuple[type[Edge], ...] = (Pipe, Compressor, Regulator, Valve, Resistor, ShortPipe)
COMPONENT_TYPES: tuple[type[Component], ...] = (
    Node,
    *EDGE_TYPES,
    Source,
    Sink,
    CompressorUnit,
    CompressorConfiguration,
)
TYPES_BY_KIND: dict[str, type[Component]] = {t.kind: t for t in COMPONENT_TYPES}
TYPES_BY_COLLECTION: dict[str, type[Component]] = {t.collection: t for t in COMPONENT_TYPES}


class CompressibilitySpec(StrictModel):
    """Which compressibility model the hydraulics use."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)
    model: Literal["ideal", "constant", "linear", "cnga", "papay", "aga8_detail", "gerg2008"] = "gerg2008"
    z: float | None = _f("Z for model constant", "", default=None, gt=0, le=3)
    offset: float | None = _f("Z at zero pressure for model linear", "", default=None, gt=0, le=3)
    slope_per_bar: float | None = _f("dZ/dp for model linear", "1/bar", default=None, ge=-1, le=1)
    b1: float | None = _f("model cnga, Z = 1/(b1 + b2 p): b1 (default: the CNGA formula)", "", default=None, gt=0, le=3)
    b2_per_bar: float | None = _f(
        "model cnga, Z = 1/(b1 + b2 p) with p absolute in bar: b2 (default: the CNGA formula from the gas's gravity "
        "and the temperature)", "1/bar", default=None, ge=-1, le=1
    )
    pseudo_critical_temperature_k: float | None = _f(
        "pseudo-critical temperature for model papay when no composition is given", "K", default=None, gt=50, lt=700
    )
    pseudo_critical_pressure_bar: float | None = _f(
        "pseudo-critical pressure for model papay when no composition is given", "bar", default=None, gt=1, lt=200
    )


class ViscositySpec(StrictModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)
    model: Literal["constant", "lee_gonzalez_eakin"] = "lee_gonzalez_eakin"
    value_pa_s: float | None = _f("viscosity for model constant", "Pa s", default=None, gt=0, lt=1)


class Settings(StrictModel):
    """Network-wide physics settings."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)

    temperature_c: float = _f("gas temperature (isothermal flow)", "degC", default=15.0, ge=-60, le=150)
    ambient_temperature_c: float = _f(
        "air temperature at compressor stations (drivers' available power); ISO 3977 rates gas turbines at 15 C",
        "degC",
        default=15.0,
        ge=-60,
        le=60,
    )
    ambient_pressure_bar: float = _f("ambient pressure for gauge pressures", "bar", default=1.01325, gt=0, le=2)
    gas: str | None = _f("name of the composition used for the hydraulics (from `gas_compositions`)", default=None)
    molar_mass_kg_per_mol: float | None = _f(
        "molar mass when no composition is given", "kg/mol", default=None, gt=0.001, lt=0.2
    )
    heat_capacity_ratio: float | None = _f("isentropic exponent override for compressors", "", default=None, gt=1, lt=2)
    lower_heating_value_mj_per_kg: float | None = _f(
        "fuel LHV override when no composition is given", "MJ/kg", default=None, gt=0, lt=200
    )
    thermal: ThermalSettings = Field(
        default_factory=ThermalSettings,
        description="non-isothermal flow: mode (isothermal by default), ground temperatures, soil, coolers",
    )
    compressibility: CompressibilitySpec = Field(
        default_factory=CompressibilitySpec,
        description="compressibility model: a name or {model, z | offset + slope_per_bar}",
    )
    viscosity: ViscositySpec = Field(
        default_factory=ViscositySpec, description="viscosity model: a name or {model, value_pa_s}"
    )
    friction_law: PipeLaw = _f("default pipe law", default=PipeLaw.COLEBROOK)
    mixing: Literal["auto", "off"] = _f(
        "auto: when sources supply different gases, every node carries the flow-weighted mix of what flows into "
        "it and the hydraulics use that gas; off: the hydraulics use settings.gas everywhere (the sources' own "
        "gases only convert their volume and energy units)",
        default="auto",
    )
    quality_reference: Literal["15/15C", "60F", "25/0C"] = _f(
        "reference conditions of calorific values, Wobbe indices, quality limits and energy units "
        "(metering / combustion: 15 C / 15 C, 60 F / 60 F, 0 C / 25 C)",
        default="25/0C",
    )
    compressibility_along_pipe: Literal["mean_pressure", "integrated"] = _f(
        "how Z enters the pipe law: at one mean pressure per pipe (the textbook general flow equation), or "
        "varying with the pressure along the pipe and integrated exactly (linepack.hydraulics.z_integral)",
        default="mean_pressure",
    )

    @field_validator("friction_law", mode="before")
    @classmethod
    def _law_named(cls, v: Any) -> Any:
        return _unambiguous_law(v)

    @field_validator("compressibility", mode="before")
    @classmethod
    def _z_short(cls, v: Any) -> Any:
        return {"model": v} if isinstance(v, str) else v

    @field_validator("viscosity", mode="before")
    @classmethod
    def _mu_short(cls, v: Any) -> Any:
        return {"model": v} if isinstance(v, str) else v
