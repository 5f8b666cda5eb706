"""network_to_gaslib: a native linepack Network (one scenario) as a GasLib case, for :func:`write_gaslib`.

``network_to_gaslib(network, scenario=None, *, result=None, strict=False, source_gases=None)`` returns a
:class:`~linepack.io.gaslib.GaslibCase` built from GasLib elements made from the Network;
``write_gaslib(case, "x.net", "x.scn", "x.cs", "x.cdf")`` writes them (the .cs and .cdf are optional).
``case.network`` is what :func:`read_gaslib` makes of the written files, so the case shows the read-back
Network before anything is written; ``case.warnings`` records what GasLib could not hold.

The scenario (default: the network's default scenario) is compiled first, as a solve would: only its
in-service components are exported, with its patches, additions and demand/supply scales; every flow is
converted to kg/s by linepack's own unit rules before it is converted to GasLib's 1000 m3/h.

Export rules
------------
Nodes. A node with one in-service Source and no Sink is a GasLib ``source``; a node with Sinks is a ``sink``
(several Sinks at one node are merged: demands summed, the highest minimum delivery pressure kept); any other
node is an ``innode``. A Source at a node that also has a Sink or another Source gets its own ``source`` node,
id = the Source's id (same height, coordinates and bounds as its node), joined to the node by a ``shortPipe``
``<source id>.link`` (loss-free, so the hydraulics are unchanged). ``name`` -> ``alias``; ``elevation_m`` ->
``height`` [m]; ``lat``/``lon`` -> ``geoWGS84Lat``/``geoWGS84Long``, and also the drawing coordinates ``x``
(longitude) and ``y`` (latitude), 0 without coordinates. ``p_min_barg``/``p_max_barg`` -> ``pressureMin``/
``pressureMax`` in absolute bar (barg + ``settings.ambient_pressure_bar``). A node without a minimum gets
``pressureMin`` 0 bar (vacuum: no bound for linepack's reader); a node without a maximum gets no
``pressureMax`` (GasLib instances always give one; linepack's reader reads its absence as no bound). Sources
get ``flowMin`` 0 and, with a capacity, ``flowMax`` = the capacity.

Gas, on every ``source`` node: by default each Source's own ``gas`` composition where it names one when the
network's hydraulics mix the sources' gases (``settings.mixing`` auto and more than one gas in service: the
reader gives each read-back source a surrogate of its gas and mixes them, :mod:`linepack.io.gaslib.gases`),
else the network's hydraulic gas (so the read-back Network gets the same gas); ``source_gases`` True or False
chooses. A composition (``linepack.gas``) gives
``gasTemperature`` = ``settings.temperature_c``; ``normDensity`` = the real-gas density at 0 C, 1.01325 bar
(ISO 6976); ``calorificValue`` = the gross (superior) real-gas value per normal m3 (ISO 6976, 25 C combustion,
0 C metering); ``molarMass``; ``pseudocriticalPressure/Temperature`` by Kay's rule; heat-capacity
coefficients A, B, C: a quadratic fit of the ideal-gas molar cp = R kappa/(kappa - 1) from the GERG-2008 ideal
part over the gas temperature +- 60 K, with A shifted so that cp at the gas temperature is exact (the reader's
kappa = cp/(cp - R) is then the network's). The network's overrides win: ``settings.heat_capacity_ratio`` gives
a constant cp (A = R kappa/(kappa - 1), B = C = 0), ``settings.lower_heating_value_mj_per_kg`` a calorific
value LHV/0.903 x normDensity (the inverse of the reader's rule). A gas given by ``settings`` alone
(molar mass): normDensity of the ideal gas (what linepack converts volumes with); pseudo-critical point from
the papay settings, else Standing's correlation from the gas gravity (a warning); calorific value and heat
capacity from the overrides, else left out (a warning: the read-back Network then has no fuel value or
kappa).

Pipes: ``length`` [km], ``diameter`` [mm], ``roughness`` [mm], ``maop_barg`` -> ``pressureMax``. GasLib
pipes have no efficiency factor, no minor-loss coefficient and no friction law: an ``efficiency`` other than
1, a ``loss_coefficient`` and the classic laws Weymouth, Panhandle A/B and IGT (which ignore the roughness) are
**dropped with a warning** naming the pipes (the pipe is written with its geometry and roughness and read back
as Colebrook-White); no equivalent roughness is made up. ``strict=True`` refuses them instead
(:class:`InputError` naming every pipe). The roughness-based laws other than Colebrook (Prandtl-Colebrook,
Nikuradse, Swamee-Jain, Hofer, AGA fully turbulent) are approximations of the same roughness model: written
with their roughness, a warning in both modes. ``nominal_diameter_in`` is not written.

Other elements: ShortPipe -> ``shortPipe``; Resistor -> ``resistor`` with ``dragFactor`` = drag_coefficient and
``diameter`` [mm], or, for a fixed-loss resistor, ``pressureLoss`` [bar] (GasLib's form; read it back with
``read_gaslib(..., fixed_loss="resistor")``, as ``case.network`` is built); Valve -> ``valve``. Regulator ->
``controlValve`` with ``flowMin`` 0, ``flowMax`` = flow_max_kg_s and ``pressureOutMax`` = the set-point.
Compressor -> ``compressorStation`` with ``fuelGasVertex`` = its suction node (where linepack draws fuel),
``flowMin`` 0, ``flowMax``, ``pressureInMin`` = p_suction_min_barg and ``pressureOutMax`` = p_set_barg.
linepack's reader holds such an outlet at the lowest of pressureOutMax and the maximum pressures of the outlet's
zone, so a set-point above a node maximum of that zone is read back lower (a warning names it). A regulator or
compressor without ``p_set_barg`` is refused (GasLib controls them by their outlet pressure); a compressor in
mode ratio or power is written with its p_set_barg and read back in mode pressure (a warning; refused with
``strict=True``). Flows in the .net are in normal m3 of the network norm density of the case (below).

Compressor ratings (.cs, ``case.compressor_stations``): GasLib keeps ratio and power limits in the .cs, so each
station gets one ``pistonCompressor`` (``maximalCompressionRatio`` = ratio_max, ``adiabaticEfficiency`` =
isentropic_efficiency, speed 1000/min) driven by a ``gasTurbine`` (or ``electricMotor`` for electric drivers)
whose power polynomial is the constant power_max_mw and whose energy rate is P/driver_efficiency. linepack's
reader (:mod:`linepack.io.gaslib.rating`) gives back exactly ratio_max, power_max_mw, driver, driver_efficiency
and isentropic_efficiency. A station without a power limit has no power polynomial, and then its
driver_efficiency is not read back (linepack's 0.35). The piston's operating volume and torque are unknown
and not written. Without the .cs a reader uses its defaults (linepack: ratio 2, no power limit).

States (.cdf, ``case.decision_groups``): a GasLib .net has no element states; the export writes them as one
combined decision ``linepack_state/native`` (index 0): valves open 1 / closed 0; compressors mode pressure,
ratio or power 1 ``active``, bypass 1 ``bypass``, off 0; regulators pressure 1 ``active``, open 1
``bypass``, closed 0. ``case.network`` is the Network as read (valves open, stations and control valves in
mode pressure); ``apply_decision(case, 0)`` gives the native states.

Nomination (.scn, one scenario named after the native scenario): Sinks -> ``exit`` with ``flow`` bound both =
the demand [kg/s] x 3.6 / the network norm density (the flow-weighted normDensity of the entries, which is what
linepack's reader converts exits with, so the kg/s come back to float precision; with ``result`` the demands
it solved with: volume and energy demands in a network that mixes gases convert with the gas delivered); a
Sink's ``p_min_barg`` ->
``pressure`` bound lower (the reader tightens the node's minimum with it; a minimum above the node's maximum is
refused). Fixed-flow Sources -> ``entry`` with ``flow`` bound both = the inflow [kg/s] x 3.6 / the source's own
normDensity. A fixed-flow Source's ``p_max_barg`` (deliver the inflow up to that pressure) has no GasLib form
and is not written (a warning): an entry pressure bound would be a hard bound, and linepack's reader would
lower to it the set-point of every station discharging into a zone holding the source (in the Pakistan Stream
network the Port Qasim terminals' 70 barg would cap CS1 and SSGC_CS, which discharge at 99 and 95 barg into a
zone that reaches Port Qasim through Karachi). Pressure-held Sources: their flow is unknown before a solve, so
without ``result`` the entry gets ``pressure`` bound both = ``p_set_barg`` (absolute bar) and no flow. With
``result`` (a converged :class:`~linepack.SteadyResult` of the same network and scenario) the nomination is the
solved operating point: every entry gets its solved supply as ``flow`` bound both (entries then exceed exits
by the compressor fuel), and ``pressure`` bound both where the source held a pressure in the solve: a
pressure-held source at its set-point (one at its capacity or shut in is a fixed flow), a fixed-flow source
whose ``p_max_barg`` cut its inflow at that limit (warnings name every source whose nomination is not its
input). linepack's reader holds every entry nominated with a pressure bound both at that pressure, as a source
that never takes gas back (``absorbs: false``, no capacity; the bound is its set-point and leaves the node's
bounds alone), so pressure-held sources come back as pressure-held sources.

Not written: ids of Sources and Sinks (read back as ``<node>.entry`` / ``<node>.exit``), Source capacity as a
limit (only as ``flowMax``), ``absorbs`` (a warning for absorbing pressure-held sources), units, Sink
categories, provenance, status, the other scenarios, references and meta.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ...compile import CompiledNetwork, compile_view
from ...errors import InputError
from ...gas import MOLAR_MASS_AIR_KG_PER_MOL, NORMAL_0C, GasComposition
from ...model.components import (
    Component,
    Compressor,
    CompressorMode,
    Driver,
    Node,
    Pipe,
    PipeLaw,
    Regulator,
    RegulatorMode,
    Resistor,
    Settings,
    ShortPipe,
    Sink,
    Source,
    SourceMode,
    Valve,
)
from ...model.network import Network, NetworkView
from ...quality.spec import SinkKind
from ...units import R_J_PER_MOL_K, ZERO_C_K
from ._xml import FRAMEWORK_NS, GAS_NS, XSI_NS, XmlItem
from .mapping import GAS_TAGS, LHV_OVER_HHV, entry_weights, gas_qualities, weighted_mean
from .model import (
    CompressorStationData,
    Configuration,
    Decision,
    DecisionGroup,
    Drive,
    ElementDecision,
    GaslibCase,
    GaslibElement,
    GasQuality,
    NetData,
    NominationFile,
    NominationNode,
    PistonCompressor,
    ScenarioData,
    Stage,
    StageUnit,
)
from .parse import _net_element, _nomination_node, _Problems
from .reader import build_case

if TYPE_CHECKING:
    from ...results import SteadyResult

FLOW_UNIT = "1000m_cube_per_hour"
STATE_GROUP = "linepack_state"
STATE_DECISION = "native"
UNIT_SPEED_PER_MIN = 1000.0  # speed of the one piston unit per exported station (its power is speed-independent)
CLASSIC_LAWS = frozenset({PipeLaw.WEYMOUTH, PipeLaw.PANHANDLE_A, PipeLaw.PANHANDLE_B, PipeLaw.IGT})
_PSI_BAR = 0.0689475729
_NET_FILE = Path("linepack-export.net")
_SCN_FILE = Path("linepack-export.scn")


def _num(v: float) -> str:
    return repr(float(v))


def _q(tag: str, value: float, unit: str | None = None) -> XmlItem:
    attrs: tuple[tuple[str, str], ...] = (("value", _num(value)),) + ((("unit", unit),) if unit else ())
    return XmlItem(tag, GAS_NS, attrs)


def _listing(ids: list[str], limit: int = 20) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


# --- gas -------------------------------------------------------------------------------------------


def heat_capacity_coefficients(comp: GasComposition, temperature_k: float) -> tuple[float, float, float]:
    """(A, B, C) of GasLib's ideal-gas molar heat capacity cp = A + B T + C T^2 [J/(mol K)]: a quadratic fit of
    the GERG-2008 ideal-gas cp over temperature_k +- 60 K, A shifted so that cp(temperature_k) is exact."""
    t = np.linspace(max(60.0, temperature_k - 60.0), temperature_k + 60.0, 25)
    kappa = np.asarray(comp.ideal_heat_capacity_ratio(t), dtype=float)
    cp = R_J_PER_MOL_K * kappa / (kappa - 1.0)
    c2, c1, _ = np.polyfit(t, cp, 2)
    k0 = float(np.asarray(comp.ideal_heat_capacity_ratio(temperature_k), dtype=float))
    cp0 = R_J_PER_MOL_K * k0 / (k0 - 1.0)
    return float(cp0 - c1 * temperature_k - c2 * temperature_k**2), float(c1), float(c2)


def _constant_cp(kappa: float) -> tuple[float, float, float]:
    return R_J_PER_MOL_K * kappa / (kappa - 1.0), 0.0, 0.0


def composition_quality(node: str, comp: GasComposition, settings: Settings, *, overrides: bool) -> GasQuality:
    """GasLib gas data of a composition (``overrides``: apply the settings' kappa and LHV overrides)."""
    t_k = settings.temperature_c + ZERO_C_K
    rho_n = comp.density_standard_kg_per_m3(NORMAL_0C)
    hhv = comp.gross_heating_value_mj_per_m3(NORMAL_0C)
    if overrides and settings.lower_heating_value_mj_per_kg is not None:
        hhv = settings.lower_heating_value_mj_per_kg / LHV_OVER_HHV * rho_n
    if overrides and settings.heat_capacity_ratio is not None:
        a, b, c = _constant_cp(settings.heat_capacity_ratio)
    else:
        a, b, c = heat_capacity_coefficients(comp, t_k)
    t_pc, p_pc = comp.pseudo_critical()
    return GasQuality(
        node=node,
        temperature_c=settings.temperature_c,
        calorific_value_mj_per_m3=hhv,
        norm_density_kg_per_m3=rho_n,
        molar_mass_kg_per_kmol=comp.molar_mass_kg_per_mol * 1000.0,
        pseudocritical_pressure_bar=p_pc / 1e5,
        pseudocritical_temperature_k=t_pc,
        heat_capacity_a=a,
        heat_capacity_b=b,
        heat_capacity_c=c,
    )


def settings_quality(node: str, settings: Settings, warnings: list[str]) -> GasQuality:
    """GasLib gas data of a gas given by the settings alone (molar mass, papay point, overrides)."""
    m = settings.molar_mass_kg_per_mol
    if m is None:  # pragma: no cover (compile refuses such a network first)
        raise InputError("settings: give gas (a composition) or molar_mass_kg_per_mol")
    rho_n = NORMAL_0C.p_pa * m / (R_J_PER_MOL_K * NORMAL_0C.t_k)
    z = settings.compressibility
    if z.pseudo_critical_temperature_k is not None and z.pseudo_critical_pressure_bar is not None:
        t_pc, p_pc = z.pseudo_critical_temperature_k, z.pseudo_critical_pressure_bar
    else:
        gamma = m / MOLAR_MASS_AIR_KG_PER_MOL
        t_pc = (168.0 + 325.0 * gamma - 12.5 * gamma**2) / 1.8
        p_pc = (677.0 + 15.0 * gamma - 37.5 * gamma**2) * _PSI_BAR
        warnings.append(
            f"settings: no gas composition and no pseudo-critical point; Standing's correlation from the gas gravity "
            f"{gamma:.4f} gives {t_pc:.2f} K, {p_pc:.3f} bar (written as the sources' pseudo-critical data)"
        )
    hhv = None
    if settings.lower_heating_value_mj_per_kg is not None:
        hhv = settings.lower_heating_value_mj_per_kg / LHV_OVER_HHV * rho_n
    else:
        warnings.append(
            "settings: no gas composition and no lower_heating_value_mj_per_kg; calorificValue is not written "
            "(gas-turbine compressors of the read-back Network have no fuel value)"
        )
    a = b = c = None
    if settings.heat_capacity_ratio is not None:
        a, b, c = _constant_cp(settings.heat_capacity_ratio)
    else:
        warnings.append(
            "settings: no gas composition and no heat_capacity_ratio; the heat-capacity coefficients are not "
            "written (compressors of the read-back Network need a kappa)"
        )
    return GasQuality(node, settings.temperature_c, hhv, rho_n, m * 1000.0, p_pc, t_pc, a, b, c)


def _gas_children(q: GasQuality) -> list[XmlItem]:
    units = {
        "temperature_c": "Celsius",
        "calorific_value_mj_per_m3": "MJ_per_m_cube",
        "norm_density_kg_per_m3": "kg_per_m_cube",
        "molar_mass_kg_per_kmol": "kg_per_kmol",
        "pseudocritical_pressure_bar": "bar",
        "pseudocritical_temperature_k": "K",
    }
    order = (
        "temperature_c",
        "calorific_value_mj_per_m3",
        "norm_density_kg_per_m3",
        "heat_capacity_a",
        "heat_capacity_b",
        "heat_capacity_c",
        "molar_mass_kg_per_kmol",
        "pseudocritical_pressure_bar",
        "pseudocritical_temperature_k",
    )
    out = []
    for attr in order:
        value = getattr(q, attr)
        if value is not None:
            out.append(_q(GAS_TAGS[attr], value, units.get(attr)))
    return out


# --- the plan --------------------------------------------------------------------------------------


class _Export:
    """Collects the GasLib items of one scenario of a Network."""

    def __init__(
        self,
        network: Network,
        view: NetworkView,
        cn: CompiledNetwork,
        result: SteadyResult | None,
        strict: bool,
        source_gases: bool,
    ) -> None:
        self.network = network
        self.view = view
        self.cn = cn
        self.result = result
        self.strict = strict
        self.source_gases = source_gases
        self.settings = network.settings
        self.amb = network.settings.ambient_pressure_bar
        self.warnings: list[str] = []
        self.problems: list[str] = []
        self.used_ids = {c.id for c in network.components()} | {c.id for c in view.components}
        self.qualities: dict[str, GasQuality] = {}  # per gas name (None: the network gas)
        self.fixed_loss: list[str] = []  # resistors with a fixed pressure loss

    # --- gas -----------------------------------------------------------------------------------
    def quality(self, node: str, source: Source) -> GasQuality:
        st = self.settings
        gas = source.gas if self.source_gases and source.gas is not None else st.gas
        key = gas or ""
        if key not in self.qualities:
            if gas is None:
                self.qualities[key] = settings_quality(node, st, self.warnings)
            else:
                comp = GasComposition.from_mole_fractions(gas, self.network.gas_compositions[gas].mole_fractions)
                # the settings' kappa and LHV overrides hold for every gas in the native hydraulics (mixtures too)
                self.qualities[key] = composition_quality(node, comp, st, overrides=True)
        return replace(self.qualities[key], node=node)

    # --- checks ----------------------------------------------------------------------------------
    def check_pipes(self, pipes: list[Pipe]) -> None:
        default = self.settings.friction_law
        lossy: dict[str, list[str]] = {}
        approximate: dict[str, list[str]] = {}
        for p in pipes:
            law = p.law or default
            reasons = []
            if p.efficiency != 1.0:
                reasons.append(f"efficiency {p.efficiency:g}")
            if p.loss_coefficient > 0:
                reasons.append(f"loss_coefficient {p.loss_coefficient:g}")
            if law in CLASSIC_LAWS:
                reasons.append(f"law {law.value}")
            elif law != PipeLaw.COLEBROOK:
                approximate.setdefault(law.value, []).append(p.id)
            for r in reasons:
                lossy.setdefault(r, []).append(p.id)
            if reasons and self.strict:
                self.problems.append(
                    f"pipe {p.id}: {' and '.join(reasons)} has no GasLib counterpart (GasLib pipes have length, "
                    "diameter and roughness only); remove it, or export with strict=False to drop it with a warning"
                )
        if not self.strict:
            for reason, ids in lossy.items():
                self.warnings.append(
                    f"pipes {_listing(ids)} ({len(ids)}): {reason} dropped (GasLib pipes have length, diameter and "
                    "roughness only; read back as Colebrook-White with the written roughness)"
                )
        for law_name, ids in approximate.items():
            self.warnings.append(
                f"pipes {_listing(ids)} ({len(ids)}): law {law_name} not written (GasLib names no friction law); their "
                "roughness is written and linepack reads them back as Colebrook-White"
            )

    def bounds(self, node: Node, extra: list[tuple[str, float | None, float | None]]) -> None:
        """Check that the nomination bounds (label, lower, upper) [barg] of a node's sinks fit its bounds."""
        lo, hi = node.p_min_barg, node.p_max_barg
        for _, elo, ehi in extra:
            if elo is not None:
                lo = elo if lo is None else max(lo, elo)
            if ehi is not None:
                hi = ehi if hi is None else min(hi, ehi)
        if lo is not None and hi is not None and lo > hi:
            values = [(label, elo if elo is not None else ehi) for label, elo, ehi in extra]
            who = "; ".join(f"{label} {v:g} barg" for label, v in values if v is not None)
            self.problems.append(
                f"node {node.id}: the minimum delivery pressures of its sinks ({who}) are above the node's maximum "
                f"{node.p_max_barg} barg; a GasLib nomination tightens the node bounds with them; correct the bounds"
            )

    def unique_id(self, want: str) -> str:
        ident, i = want, 1
        while ident in self.used_ids:
            ident, i = f"{want}~{i}", i + 1
        self.used_ids.add(ident)
        return ident


def _node_item(kind: str, ident: str, node: Node, amb: float, extra: list[XmlItem]) -> XmlItem:
    attrs: list[tuple[str, str]] = [("id", ident)]
    if node.name:
        attrs.append(("alias", node.name))
    x, y = (node.lon, node.lat) if node.lat is not None and node.lon is not None else (0.0, 0.0)
    attrs += [("x", _num(x)), ("y", _num(y))]
    if node.lat is not None:
        attrs.append(("geoWGS84Lat", _num(node.lat)))
    if node.lon is not None:
        attrs.append(("geoWGS84Long", _num(node.lon)))
    children = [
        _q("height", node.elevation_m, "m"),
        _q("pressureMin", 0.0 if node.p_min_barg is None else node.p_min_barg + amb, "bar"),
    ]
    if node.p_max_barg is not None:
        children.append(_q("pressureMax", node.p_max_barg + amb, "bar"))
    return XmlItem(kind, GAS_NS, tuple(attrs), tuple(children + extra))


def _edge_attrs(comp: Component, frm: str, to: str) -> tuple[tuple[str, str], ...]:
    attrs: tuple[tuple[str, str], ...] = (("id", comp.id), ("from", frm), ("to", to))
    if comp.name:
        attrs += (("alias", comp.name),)
    return attrs


HOLD_TOLERANCE_BAR = 1e-3  # a source whose node is within this of its set-point (or limit) holds it


def _scenario_supplies(ex: _Export, sources: list[Source]) -> tuple[list[float | None], list[float | None]]:
    """Per source: the kg/s to nominate (None: a pressure-held source without a result) and the pressure it
    holds [barg] (None: a fixed flow).

    Without a result: pressure-held sources hold their set-point, the others nominate their inflow. With a
    result: every source nominates its solved supply; a source holds a pressure where it held one in the solve:
    a pressure-held source at its set-point (not at its capacity, not shut in), a fixed-flow source at its
    p_max_barg when that limit cut its inflow."""
    cn, result = ex.cn, ex.result
    if result is None:
        fixed = [None if s.mode == SourceMode.PRESSURE else float(cn.source_inflow[i]) for i, s in enumerate(sources)]
        return fixed, [s.p_set_barg if s.mode == SourceMode.PRESSURE else None for s in sources]
    rn = result.network
    if rn.scenario != cn.scenario or rn.source_ids != cn.source_ids or rn.sink_ids != cn.sink_ids:
        raise InputError(
            f"result: it is a solve of scenario '{rn.scenario}' with sources {', '.join(rn.source_ids[:5])}..., not of "
            f"scenario '{cn.scenario}' of this network; pass the result of solve_steady(network, '{cn.scenario}')"
        )
    if not result.converged:
        raise InputError("result: the solve did not converge; its supplies cannot be nominated")
    supplies: list[float | None] = []
    held: list[float | None] = []
    for i, s in enumerate(sources):
        supply = float(result.source_supply_kg_s[i])
        p_node = float(result.p_barg[rn.node_index(s.node)])
        hold = None
        if s.mode == SourceMode.PRESSURE:
            assert s.p_set_barg is not None
            if abs(p_node - s.p_set_barg) <= HOLD_TOLERANCE_BAR:
                hold = s.p_set_barg
            else:
                state = "shut in" if p_node > s.p_set_barg else "at its capacity"
                ex.warnings.append(
                    f"source {s.id}: {state} in the solve ({p_node:.4g} barg against its set-point "
                    f"{s.p_set_barg:g} barg): nominated as a fixed flow of {supply:.6g} kg/s"
                )
        else:
            inflow = float(cn.source_inflow[i])
            if not math.isclose(supply, inflow, rel_tol=1e-9, abs_tol=1e-9):
                limited = s.p_max_barg is not None and abs(p_node - s.p_max_barg) <= HOLD_TOLERANCE_BAR
                if limited:
                    hold = s.p_max_barg
                ex.warnings.append(
                    f"source {s.id}: nominated with its solved supply {supply:.6g} kg/s, not its inflow {inflow:.6g} "
                    "kg/s"
                    + (
                        f", and held at its maximum pressure {s.p_max_barg:g} barg (the limit active in the solve)"
                        if limited
                        else ""
                    )
                )
        supplies.append(supply)
        held.append(hold)
    return supplies, held


def network_to_gaslib(
    network: Network,
    scenario: str | None = None,
    *,
    result: SteadyResult | None = None,
    strict: bool = False,
    source_gases: bool | None = None,
) -> GaslibCase:
    """A GasLib case (.net, .scn, .cs and .cdf data) of one scenario of a native Network.

    ``scenario``: the scenario exported (default: the network's default scenario). ``result``: a converged
    :class:`~linepack.SteadyResult` of that scenario; its solved supplies are nominated (without it a
    pressure-held source is nominated by its pressure only). ``strict``: refuse pipe efficiencies, minor-loss
    coefficients, classic pipe laws and compressor modes ratio/power (GasLib has no place for them) instead of
    dropping them with a warning. ``source_gases``: write each source's own gas composition (True) or the
    network's hydraulic gas (False); None (default): the own gases when the hydraulics mix them. The rules are
    in the module docstring. Write the case with
    ``write_gaslib(case, net_path, scn_path, cs_path, cdf_path)``.

    Raises :class:`InputError` (every problem listed) for what cannot be exported.
    """
    name = scenario if scenario is not None else network.default_scenario
    view = network.view(name)
    cn = compile_view(view)
    if source_gases is None:
        source_gases = cn.quality is not None and cn.quality.mixing
    ex = _Export(network, view, cn, result, strict, source_gases)
    amb = ex.amb
    nodes: list[Node] = view.of_type(Node)
    sources: list[Source] = view.of_type(Source)
    sinks: list[Sink] = view.of_type(Sink)
    pipes: list[Pipe] = view.of_type(Pipe)
    ex.check_pipes(pipes)
    supplies, held = _scenario_supplies(ex, sources)
    # with a result, the demands it solved with (volume and energy demands convert with the gas delivered there)
    solved = result.network.sink_demand if result is not None and result.network.sink_ids == cn.sink_ids else None
    demand = {k.id: float((cn.sink_demand if solved is None else solved)[i]) for i, k in enumerate(sinks)}
    mixed = cn.quality is not None and cn.quality.mixing
    if solved is None and mixed and cn.quality is not None and np.any(cn.quality.sink_kind != SinkKind.MASS):
        ex.warnings.append(
            "sinks with volume or energy demands nominated with the network gas's density and calorific value; the "
            "gas delivered differs where the sources' gases mix: pass result= to nominate the solved kg/s"
        )

    src_at: dict[str, list[int]] = {}
    for i, s in enumerate(sources):
        src_at.setdefault(s.node, []).append(i)
    sink_at: dict[str, list[Sink]] = {}
    for k in sinks:
        sink_at.setdefault(k.node, []).append(k)

    # nodes, the entry node of every source, and the short pipes of split entries
    node_items: list[XmlItem] = []
    links: list[XmlItem] = []
    entry_node: dict[int, str] = {}
    qualities: dict[str, GasQuality] = {}
    for node in nodes:
        here = src_at.get(node.id, [])
        own = len(here) == 1 and node.id not in sink_at
        kind = "source" if own else "sink" if node.id in sink_at else "innode"
        ex.bounds(node, [(f"sink {k.id} minimum", k.p_min_barg, None) for k in sink_at.get(node.id, [])])
        extra: list[XmlItem] = []
        if own:
            i = here[0]
            entry_node[i] = node.id
            qualities[node.id] = ex.quality(node.id, sources[i])
            extra = _source_children(sources[i], float(cn.source_capacity[i]), qualities[node.id])
        node_items.append(_node_item(kind, node.id, node, amb, extra))
        if own:
            continue
        for i in here:
            s = sources[i]
            ident = s.id
            ex.used_ids.add(ident)
            entry_node[i] = ident
            qualities[ident] = ex.quality(ident, s)
            extra = _source_children(s, float(cn.source_capacity[i]), qualities[ident])
            node_items.append(_node_item("source", ident, node, amb, extra))
            link = ex.unique_id(f"{s.id}.link")
            links.append(XmlItem("shortPipe", GAS_NS, (("id", link), ("from", ident), ("to", node.id))))
            ex.warnings.append(
                f"source {s.id}: node {node.id} also has "
                f"{'a sink' if node.id in sink_at else 'another source'}; a GasLib node has one role, so the source "
                f"gets its own source node {ident}, joined to {node.id} by the short pipe {link}"
            )

    # the entries of the nomination (their flows decide the network norm density)
    entries: list[XmlItem] = []
    limited: list[str] = []
    absorbing: list[str] = []
    for i, s in enumerate(sources):
        q = qualities[entry_node[i]]
        children: list[XmlItem] = []
        hold = held[i]
        if hold is not None:
            children.append(_pressure("both", hold + amb))
        if s.mode == SourceMode.FLOW and s.p_max_barg is not None and hold is None:
            limited.append(s.id)
        if s.mode == SourceMode.PRESSURE and s.absorbs:
            absorbing.append(s.id)
        kg_s = supplies[i]
        if kg_s is not None:
            assert q.norm_density_kg_per_m3 is not None
            children.append(_flow(kg_s * 3.6 / q.norm_density_kg_per_m3))
        entries.append(XmlItem("node", GAS_NS, (("type", "entry"), ("id", entry_node[i])), tuple(children)))

    if limited:
        ex.warnings.append(
            f"sources {_listing(limited)}: p_max_barg (deliver the inflow up to that pressure) not written: a GasLib "
            "entry has a fixed flow, and an entry pressure bound would, by linepack's outlet-zone rule, lower the "
            "set-points of stations discharging into a zone holding the source; "
            + (
                "the solve did not limit them"
                if ex.result is not None
                else "pass result= to nominate what they deliver"
            )
        )

    if absorbing:
        ex.warnings.append(
            f"sources {_listing(absorbing)}: absorbs not written: a GasLib entry delivers gas, and linepack's reader "
            "holds an entry nominated with a fixed pressure as a source that never takes gas back"
        )

    # the network norm density (from the entries), then the connections, whose flows need it
    nodes_root, node_elements = _net_root(network, cn, node_items, [])
    density = _network_density(nodes_root, node_elements, entries)
    edge_items = [*_edges(ex, view, density), *links]
    if ex.problems:
        raise InputError(ex.problems)
    net_root, elements = _net_root(network, cn, node_items, edge_items)
    net = NetData(net_root, _PREFIXES, _comments(network, cn), elements, str(_NET_FILE))

    exits: list[XmlItem] = []
    for node_id, here_sinks in sink_at.items():
        kg_s = sum(demand[k.id] for k in here_sinks)
        p_mins = [k.p_min_barg for k in here_sinks if k.p_min_barg is not None]
        children = [_pressure("lower", max(p_mins) + amb)] if p_mins else []
        children.append(_flow(kg_s * 3.6 / density))
        exits.append(XmlItem("node", GAS_NS, (("type", "exit"), ("id", node_id)), tuple(children)))
        if len(here_sinks) > 1:
            ex.warnings.append(
                f"node {node_id}: sinks {', '.join(k.id for k in here_sinks)} merged into one exit "
                f"({kg_s:.6g} kg/s): a GasLib nomination has one flow per node"
            )
    nomination = _nomination(net, cn, network, entries + exits)
    stations = {c.id: _station(c) for c in view.of_type(Compressor)}
    groups = _state_decisions(view)
    fixed_loss = "error"
    if ex.fixed_loss:
        fixed_loss = "resistor"
        ex.warnings.append(
            f"resistors {_listing(ex.fixed_loss)}: written with their fixed pressureLoss; read the files back with "
            "read_gaslib(..., fixed_loss='resistor') (linepack's reader refuses them by default)"
        )
    case = build_case(net, nomination, stations, groups, fixed_loss=fixed_loss)
    _compare_set_points(ex, view, case)
    return replace(case, warnings=(*ex.warnings, *case.warnings))


_PREFIXES: tuple[tuple[str, str], ...] = (("xsi", XSI_NS), ("", GAS_NS), ("framework", FRAMEWORK_NS))


def _source_children(s: Source, capacity_kg_s: float, q: GasQuality) -> list[XmlItem]:
    assert q.norm_density_kg_per_m3 is not None
    out = [_q("flowMin", 0.0, FLOW_UNIT)]
    if math.isfinite(capacity_kg_s):
        out.append(_q("flowMax", capacity_kg_s * 3.6 / q.norm_density_kg_per_m3, FLOW_UNIT))
    return out + _gas_children(q)


def _pressure(bound: str, p_bar: float) -> XmlItem:
    return XmlItem("pressure", GAS_NS, (("bound", bound), ("value", _num(p_bar)), ("unit", "bar")))


def _flow(flow: float) -> XmlItem:
    return XmlItem("flow", GAS_NS, (("bound", "both"), ("value", _num(flow)), ("unit", FLOW_UNIT)))


def _comments(network: Network, cn: CompiledNetwork) -> tuple[str, ...]:
    from ... import __version__

    text = (
        f" Written by linepack {__version__} from the native network '{network.name}', scenario '{cn.scenario}' "
        "(linepack.io.gaslib.network_to_gaslib) "
    )
    return (text.replace("--", "- -"),)


def _net_root(
    network: Network, cn: CompiledNetwork, node_items: list[XmlItem], edge_items: list[XmlItem]
) -> tuple[XmlItem, dict[str, GaslibElement]]:
    """The .net root (containers emptied, as the parser keeps it) and its parsed elements."""
    pr = _Problems(_NET_FILE)
    elements: dict[str, GaslibElement] = {}
    for it in node_items:
        el = _net_element(it, True, pr)
        if el is not None:
            elements[el.id] = el
    for it in edge_items:
        el = _net_element(it, False, pr)
        if el is not None:
            elements[el.id] = el
    pr.raise_if_any()
    documentation = network.description.strip() or f"linepack network {network.name}, scenario {cn.scenario}"
    info = XmlItem(
        "information",
        FRAMEWORK_NS,
        (),
        (
            XmlItem("title", FRAMEWORK_NS, text=network.name.strip()),
            XmlItem("type", FRAMEWORK_NS, text="gas"),
            XmlItem("documentation", FRAMEWORK_NS, text=documentation),
        ),
    )
    schema = ((f"{{{XSI_NS}}}schemaLocation", f"{GAS_NS} Gas.xsd"),)
    root = XmlItem(
        "network", GAS_NS, schema, (info, XmlItem("nodes", FRAMEWORK_NS), XmlItem("connections", FRAMEWORK_NS))
    )
    return root, elements


def _scenario_data(items: list[XmlItem], node_ids: set[str], scenario_id: str) -> ScenarioData:
    pr = _Problems(_SCN_FILE)
    nodes: dict[str, NominationNode] = {}
    for it in items:
        nn = _nomination_node(it, node_ids, pr)
        if nn is not None:
            nodes[nn.id] = nn
    pr.raise_if_any()
    return ScenarioData(scenario_id, XmlItem("scenario", GAS_NS, (("id", scenario_id),), tuple(items)), nodes, {})


def _network_density(root: XmlItem, elements: dict[str, GaslibElement], entries: list[XmlItem]) -> float:
    """The network norm density linepack's reader will use: the entries' normDensity weighted by their flow."""
    net = NetData(root, _PREFIXES, (), elements)
    gas = gas_qualities(net)
    scenario = _scenario_data(entries, {e.id for e in net.nodes()}, "entries")
    density = weighted_mean(gas, "norm_density_kg_per_m3", entry_weights(net, scenario, gas))
    if density is None or density <= 0:  # pragma: no cover (every source node carries a normDensity)
        raise InputError("no source carries a norm density; the network has no source in this scenario")
    return density


def _scenario_id(cn: CompiledNetwork) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in cn.scenario).strip("_") or "scenario"


def _nomination(net: NetData, cn: CompiledNetwork, network: Network, items: list[XmlItem]) -> NominationFile:
    scenario = _scenario_data(items, {e.id for e in net.nodes()}, _scenario_id(cn))
    schema = ((f"{{{XSI_NS}}}schemaLocation", f"{GAS_NS} Scenario.xsd"),)
    root = XmlItem("boundaryValue", GAS_NS, schema)
    return NominationFile(root, _PREFIXES, _comments(network, cn), (scenario,), str(_SCN_FILE))


# --- connections -----------------------------------------------------------------------------------


def _edges(ex: _Export, view: NetworkView, rho: float) -> list[XmlItem]:
    """The connections (flows in 1000 m3/h with the network norm density ``rho``)."""
    amb = ex.amb
    out: list[XmlItem] = []
    for comp in view.components:
        if isinstance(comp, Pipe):
            ch = [_q("length", comp.length_km, "km"), _q("diameter", comp.inner_diameter_mm, "mm")]
            ch.append(_q("roughness", comp.roughness_mm, "mm"))
            if comp.maop_barg is not None:
                ch.append(_q("pressureMax", comp.maop_barg + amb, "bar"))
            out.append(XmlItem("pipe", GAS_NS, _edge_attrs(comp, comp.from_node, comp.to_node), tuple(ch)))
        elif isinstance(comp, ShortPipe):
            out.append(XmlItem("shortPipe", GAS_NS, _edge_attrs(comp, comp.from_node, comp.to_node)))
        elif isinstance(comp, Valve):
            out.append(XmlItem("valve", GAS_NS, _edge_attrs(comp, comp.from_node, comp.to_node)))
        elif isinstance(comp, Resistor):
            if comp.pressure_loss_bar is not None:
                ch = [_q("pressureLoss", comp.pressure_loss_bar, "bar")]
                ex.fixed_loss.append(comp.id)
            else:
                assert comp.drag_coefficient is not None and comp.diameter_mm is not None
                ch = [_q("dragFactor", comp.drag_coefficient), _q("diameter", comp.diameter_mm, "mm")]
            out.append(XmlItem("resistor", GAS_NS, _edge_attrs(comp, comp.from_node, comp.to_node), tuple(ch)))
        elif isinstance(comp, Regulator):
            if comp.p_set_barg is None:
                ex.problems.append(
                    f"regulator {comp.id}: no p_set_barg; a GasLib controlValve is controlled by its outlet "
                    "pressure (pressureOutMax); give p_set_barg (it is written even when the regulator is "
                    f"{comp.mode})"
                )
                continue
            ch = [_q("flowMin", 0.0, FLOW_UNIT)]
            if comp.flow_max_kg_s is not None:
                ch.append(_q("flowMax", comp.flow_max_kg_s * 3.6 / rho, FLOW_UNIT))
            ch.append(_q("pressureOutMax", comp.p_set_barg + amb, "bar"))
            out.append(XmlItem("controlValve", GAS_NS, _edge_attrs(comp, comp.from_node, comp.to_node), tuple(ch)))
        elif isinstance(comp, Compressor):
            if comp.p_set_barg is None:
                ex.problems.append(
                    f"compressor {comp.id}: no p_set_barg; a GasLib compressorStation is controlled by its "
                    "outlet pressure (pressureOutMax); give p_set_barg"
                )
                continue
            if comp.mode in (CompressorMode.RATIO, CompressorMode.POWER):
                text = (
                    f"compressor {comp.id}: mode {comp.mode} has no GasLib counterpart (stations hold an outlet "
                    f"pressure); written with its p_set_barg {comp.p_set_barg:g} and read back in mode pressure"
                )
                if ex.strict:
                    ex.problems.append(text + "; set mode pressure, or export with strict=False")
                else:
                    ex.warnings.append(text)
            attrs = (*_edge_attrs(comp, comp.from_node, comp.to_node), ("fuelGasVertex", comp.from_node))
            ch = [_q("flowMin", 0.0, FLOW_UNIT)]
            if comp.flow_max_kg_s is not None:
                ch.append(_q("flowMax", comp.flow_max_kg_s * 3.6 / rho, FLOW_UNIT))
            if comp.p_suction_min_barg is not None:
                ch.append(_q("pressureInMin", comp.p_suction_min_barg + amb, "bar"))
            ch.append(_q("pressureOutMax", comp.p_set_barg + amb, "bar"))
            out.append(XmlItem("compressorStation", GAS_NS, attrs, tuple(ch)))
    return out


# --- .cs and .cdf ----------------------------------------------------------------------------------


def _station(c: Compressor) -> CompressorStationData:
    """One piston unit and its drive: linepack's reader gives back ratio_max, power_max_mw, driver,
    driver_efficiency and isentropic_efficiency."""
    unit, drive = f"{c.id}_unit", f"{c.id}_drive"
    electric = c.driver == Driver.ELECTRIC
    power: tuple[float, ...] = ()
    if c.power_max_mw is not None:
        p_kw = c.power_max_mw * 1000.0
        power = (p_kw, 0.0, 0.0) if electric else (p_kw, *([0.0] * 8))
    energy = (0.0, 1.0 / c.driver_efficiency, 0.0)
    piston = PistonCompressor(
        unit, drive, UNIT_SPEED_PER_MIN, UNIT_SPEED_PER_MIN, None, None, c.ratio_max, c.isentropic_efficiency, None
    )
    kind = "electricMotor" if electric else "gasTurbine"
    config = Configuration("1", 1, (Stage(1, 1, (StageUnit(unit, UNIT_SPEED_PER_MIN),)),))
    return CompressorStationData(c.id, (piston,), (Drive(drive, kind, energy, power),), (config,))


def _state_decisions(view: NetworkView) -> tuple[DecisionGroup, ...]:
    elements: list[ElementDecision] = []
    for comp in view.components:
        if isinstance(comp, Valve):
            elements.append(ElementDecision("valve", comp.id, 1 if comp.open else 0, None, None))
        elif isinstance(comp, Compressor):
            if comp.mode == CompressorMode.OFF:
                elements.append(ElementDecision("compressorStation", comp.id, 0, None, None))
            else:
                mode = "bypass" if comp.mode == CompressorMode.BYPASS else "active"
                elements.append(ElementDecision("compressorStation", comp.id, 1, mode, None))
        elif isinstance(comp, Regulator) and comp.p_set_barg is not None:
            if comp.mode == RegulatorMode.CLOSED:
                elements.append(ElementDecision("controlValve", comp.id, 0, None, None))
            else:
                mode = "bypass" if comp.mode == RegulatorMode.OPEN else "active"
                elements.append(ElementDecision("controlValve", comp.id, 1, mode, None))
    if not elements:
        return ()
    return (DecisionGroup(STATE_GROUP, (Decision(STATE_DECISION, STATE_GROUP, tuple(elements)),)),)


def _compare_set_points(ex: _Export, view: NetworkView, case: GaslibCase) -> None:
    """Warn where linepack's reader holds an outlet lower than the native set-point (the zone rule)."""
    for comp in view.components:
        if not isinstance(comp, Compressor | Regulator) or comp.p_set_barg is None:
            continue
        back: Any = case.network.find(comp.id)
        if back is not None and back.p_set_barg is not None and back.p_set_barg < comp.p_set_barg - 1e-9:
            ex.warnings.append(
                f"{comp.kind} {comp.id}: set-point {comp.p_set_barg:g} barg is above the lowest maximum pressure of "
                f"its outlet's zone; linepack's reader holds the outlet at {back.p_set_barg:g} barg"
            )
