"""The GasLib data linepack keeps beside the Network: typed, frozen, comparable.

Line numbers and file paths take no part in comparisons, so a case read back from files written by
:func:`linepack.io.gaslib.write_gaslib` compares equal to the original.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ...model.network import Network
from ._xml import XmlItem

NODE_KINDS: tuple[str, ...] = ("source", "sink", "innode")
EDGE_KINDS: tuple[str, ...] = ("pipe", "shortPipe", "resistor", "valve", "controlValve", "compressorStation")


@dataclass(frozen=True)
class GaslibElement:
    """One node or connection of the .net, verbatim (``item``) and with its quantities read.

    ``values`` holds every known child quantity in the reader's unit for its tag
    (:data:`linepack.io.gaslib.units.TAG_UNITS`: bar absolute, m for ``height``, km for ``length``,
    mm for diameters and roughness, 1000 m3/h for flows, Celsius for gas temperatures, ...).
    """

    kind: str
    id: str
    item: XmlItem
    values: Mapping[str, float]
    from_node: str | None = None
    to_node: str | None = None

    @property
    def line(self) -> int:
        return self.item.line

    def attr(self, name: str) -> str | None:
        return self.item.get(name)


@dataclass(frozen=True)
class NetData:
    """The .net file: root element (containers emptied), information block, elements in file order."""

    root: XmlItem
    prefixes: tuple[tuple[str, str], ...]
    comments: tuple[str, ...]
    elements: Mapping[str, GaslibElement]
    path: str = field(default="", compare=False)

    def nodes(self) -> list[GaslibElement]:
        return [e for e in self.elements.values() if e.from_node is None]

    def connections(self) -> list[GaslibElement]:
        return [e for e in self.elements.values() if e.from_node is not None]

    def count(self, kind: str) -> int:
        return sum(1 for e in self.elements.values() if e.kind == kind)


@dataclass(frozen=True)
class GasQuality:
    """The gas data of one GasLib source (None where the file gives none)."""

    node: str
    temperature_c: float | None
    calorific_value_mj_per_m3: float | None  # gross (superior) calorific value per normal m3
    norm_density_kg_per_m3: float | None  # at 0 C, 1.01325 bar
    molar_mass_kg_per_kmol: float | None
    pseudocritical_pressure_bar: float | None
    pseudocritical_temperature_k: float | None
    heat_capacity_a: float | None  # molar isobaric ideal-gas heat capacity A + B T + C T^2, J/(mol K), T in K
    heat_capacity_b: float | None
    heat_capacity_c: float | None


@dataclass(frozen=True)
class NominationNode:
    """One ``<node>`` of a .scn scenario: bounds in 1000 m3/h (normal) and bar absolute, by bound kind."""

    id: str
    type: str  # entry or exit
    item: XmlItem
    flow: Mapping[str, float]  # "lower" / "upper" / "both" -> 1000 m3/h
    pressure: Mapping[str, float]  # "lower" / "upper" / "both" -> bar absolute

    @property
    def line(self) -> int:
        return self.item.line


@dataclass(frozen=True)
class ScenarioData:
    """One ``<scenario>`` of a .scn: verbatim item, its nodes and its scalar header quantities."""

    id: str
    item: XmlItem
    nodes: Mapping[str, NominationNode]
    header: Mapping[str, float]  # e.g. ambientTemperature in Celsius, scenarioProbability


@dataclass(frozen=True)
class NominationFile:
    """A .scn file. linepack builds its sources and sinks from the first scenario."""

    root: XmlItem  # root element with the scenarios removed
    prefixes: tuple[tuple[str, str], ...]
    comments: tuple[str, ...]
    scenarios: tuple[ScenarioData, ...]
    path: str = field(default="", compare=False)

    @property
    def scenario(self) -> ScenarioData:
        return self.scenarios[0]


# --- compressor stations (.cs) ------------------------------------------------------------------------


@dataclass(frozen=True)
class MapPoint:
    """A measured point of a turbo compressor map."""

    speed_per_min: float
    adiabatic_head_kj_per_kg: float
    volumetric_flow_m3_per_s: float  # at suction conditions


@dataclass(frozen=True)
class EfficiencyIsoline:
    adiabatic_efficiency: float
    points: tuple[MapPoint, ...]


@dataclass(frozen=True)
class TurboCompressor:
    """Turbo compressor: H_ad(n, Q) = sum c[i + 3 j] n^i Q^j (kJ/kg; n in 1/min, Q in m3/s), the same form for
    the adiabatic efficiency, surge and choke lines H = s0 + s1 Q + s2 Q^2."""

    id: str
    drive: str
    speed_min_per_min: float
    speed_max_per_min: float
    n_isoline_coeffs: tuple[float, ...]
    eta_ad_isoline_coeffs: tuple[float, ...]
    surgeline_coeffs: tuple[float, ...]
    chokeline_coeffs: tuple[float, ...]
    efficiency_of_chokeline: float | None = None
    surgeline_measurements: tuple[MapPoint, ...] = ()
    characteristic_diagram: tuple[EfficiencyIsoline, ...] = ()


@dataclass(frozen=True)
class PistonCompressor:
    id: str
    drive: str
    speed_min_per_min: float
    speed_max_per_min: float
    operating_volume_m3: float | None
    maximal_torque_knm: float | None
    maximal_compression_ratio: float | None
    adiabatic_efficiency: float | None
    additional_reduction_vol_flow: float | None


@dataclass(frozen=True)
class MaxPowerCurve:
    """Measured maximal power against speed, at one ambient temperature (None when not given)."""

    ambient_temperature_c: float | None
    points: tuple[tuple[float, float], ...]  # (speed 1/min, maximal power kW)


@dataclass(frozen=True)
class Drive:
    """A compressor drive. Fuel (energy rate, kW) = e0 + e1 P + e2 P^2 with the shaft power P in kW; maximal
    power: gas turbines P(n, T_amb) = sum b[i + 3 j] n^i T^j (T in Celsius), other drives P(n) = b0 + b1 n + b2 n^2."""

    id: str
    kind: str  # gasTurbine, gasDrivenMotor, electricMotor, steamTurbine, ...
    energy_rate_coeffs: tuple[float, ...]
    power_coeffs: tuple[float, ...]
    specific_energy_consumption: tuple[tuple[float, float], ...] = ()  # (compressor power kW, fuel kW)
    maximal_power: tuple[MaxPowerCurve, ...] = ()


@dataclass(frozen=True)
class StageUnit:
    compressor: str
    nominal_speed_per_min: float | None


@dataclass(frozen=True)
class Stage:
    stage_nr: int
    parallel_units: int
    units: tuple[StageUnit, ...]


@dataclass(frozen=True)
class Configuration:
    conf_id: str
    serial_stages: int
    stages: tuple[Stage, ...]


@dataclass(frozen=True)
class CompressorStationData:
    id: str
    compressors: tuple[TurboCompressor | PistonCompressor, ...]
    drives: tuple[Drive, ...]
    configurations: tuple[Configuration, ...]
    line: int = field(default=0, compare=False)
    item: XmlItem | None = field(default=None, compare=False)  # the element as read (written back when unchanged)


@dataclass(frozen=True)
class CsDocument:
    """A .cs file as read: its root element (stations included, verbatim), namespace prefixes and the comments
    before the root (the licence header). The writer puts every unchanged station back as it was."""

    root: XmlItem
    prefixes: tuple[tuple[str, str], ...]
    comments: tuple[str, ...]
    path: str = field(default="", compare=False)


@dataclass(frozen=True)
class StationRating:
    """What linepack's one-line compressor model takes from the .cs data (None: linepack default)."""

    ratio_max: float | None
    power_max_mw: float | None
    driver: str | None  # gas_turbine or electric
    driver_efficiency: float | None
    isentropic_efficiency: float | None
    ambient_temperature_c: float


# --- combined decisions (.cdf) -------------------------------------------------------------------------


@dataclass(frozen=True)
class ElementDecision:
    """State of one active element in a decision: value 0 closed, 1 open (mode active or bypass when given)."""

    kind: str  # valve, controlValve, compressorStation
    id: str
    value: int
    mode: str | None
    flow_direction: int | None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Decision:
    id: str
    group: str
    elements: tuple[ElementDecision, ...]


@dataclass(frozen=True)
class DecisionGroup:
    id: str
    decisions: tuple[Decision, ...]


@dataclass(frozen=True)
class ReferenceChoice:
    """The pressure reference of the Network: a pressure-held, absorbing source at ``node``."""

    node: str
    p_set_barg: float
    rule: str


@dataclass(frozen=True)
class GaslibCase:
    """A GasLib instance read by :func:`linepack.io.gaslib.read_gaslib`.

    ``network`` is the linepack Network built from the files; the other fields keep what the native model
    cannot hold (bounds, flow limits, heat-transfer coefficients, per-source gas data, the raw nomination,
    the .cs compressor data and the .cdf decisions), so that :func:`write_gaslib` reproduces the files.
    Equality compares everything except ``network``, ``warnings`` and file paths.
    """

    network: Network = field(compare=False)
    net: NetData
    gas: Mapping[str, GasQuality]
    nomination: NominationFile | None
    compressor_stations: Mapping[str, CompressorStationData]
    station_ratings: Mapping[str, StationRating]
    decision_groups: tuple[DecisionGroup, ...]
    references: tuple[ReferenceChoice, ...]
    fixed_loss: str
    warnings: tuple[str, ...] = field(default=(), compare=False)
    automatic_references: bool = True  # references chosen by the rules (none given): apply_decision re-checks them
    # the .cs as read (None: no .cs, or built by network_to_gaslib); its stations are compared as typed data
    cs_document: CsDocument | None = field(default=None, compare=False)

    def decisions(self) -> list[Decision]:
        """Every decision of the .cdf, in file order (the index :func:`apply_decision` takes)."""
        return [d for g in self.decision_groups for d in g.decisions]

    def element(self, element_id: str) -> GaslibElement:
        return self.net.elements[element_id]

    def pressure_bounds_bar(self, node: str) -> tuple[float | None, float | None]:
        """(minimum, maximum) absolute pressure of a node [bar]: the .net bounds tightened by the nomination
        (what the Network's p_min_barg/p_max_barg hold, in absolute bar and before any edit)."""
        from .mapping import nomination_bounds, tighten

        el = self.net.elements[node]
        nn = self.nomination.scenario.nodes.get(node) if self.nomination is not None else None
        bounds = nomination_bounds(nn) if nn is not None else {}
        return tighten(el.values.get("pressureMin"), el.values.get("pressureMax"), bounds)
