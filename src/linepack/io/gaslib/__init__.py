"""GasLib interoperability: read GasLib instances into linepack, write them back, apply combined decisions.

GasLib (gaslib.zib.de; data CC BY 3.0, cite Pfetsch et al. 2015 and Schmidt et al. 2017) describes gas
networks (.net), nominations (.scn), compressor stations (.cs) and combined decisions (.cdf) as XML.

API
---
``read_gaslib(net_path, scn_path=None, cdf_path=None, cs_path=None, *, reference=None, fixed_loss="error")``
    -> :class:`GaslibCase`: ``case.network`` (a linepack :class:`~linepack.Network`) plus what the native model
    cannot hold (typed dataclasses of :mod:`linepack.io.gaslib.model`).
``write_gaslib(case, net_path, scn_path=None, cs_path=None, cdf_path=None)`` writes .net (and .scn, .cs, .cdf)
    atomically; read -> write -> read gives the same ``Network.to_dict()`` and an equal case.
``apply_decision(case, index_or_name)`` -> a copy of the Network with one .cdf decision (or a list) applied.
``network_to_gaslib(network, scenario=None, *, result=None, strict=False, source_gases=False)`` -> a case
    from a native Network, for ``write_gaslib`` (rules in :mod:`linepack.io.gaslib.export`).

Parsing and errors
------------------
defusedxml's parser with DTDs, entity declarations and external references forbidden: billion-laughs and
XXE files are refused. Every problem is an :class:`~linepack.InputError` naming the file, the line, the
element (tag and id), the attribute and value, and the fix; all problems of a file are listed together.

Units (:mod:`linepack.io.gaslib.units`)
-------------------------------------
Every ``unit`` attribute is honoured (bar, barg, Pa, kPa, MPa; m, meter, km, mm, cm; 1000m_cube_per_hour,
m_cube_per_hour, m_cube_per_s; Celsius, K; kg_per_kmol, g_per_mol; MJ_per_m_cube, kJ_per_m_cube,
kWh_per_m_cube; per_min, kW, kJ_per_kg, ...); an unknown unit is an error naming element, attribute and unit;
a missing unit means GasLib's usual unit for the tag. GasLib ``bar`` is **absolute**, ``barg`` gauge (the
files show it: GasLib-40/135 nominate 0 and 80 barg where the .net says 1.01325 and 81.01325 bar; GasLib-582
gives node bounds of 2.01325 and 86.01325 bar). Gauge pressures use the ambient 1.01325 bar.

Mapping rules
-------------
Nodes (source, sink, innode) -> :class:`~linepack.Node`: ``alias`` -> name; ``height`` -> elevation_m;
``geoWGS84Lat/Long`` -> lat/lon (``x``/``y`` are drawing coordinates, not degrees: kept in the case only).
Pressure bounds: the .net ``pressureMin/Max`` tightened by the nomination's pressure bounds (the larger lower,
the smaller upper), minus 1.01325 -> p_min_barg/p_max_barg; a lower bound below -1 barg (GasLib-Integration's
0 bar, a vacuum) is no bound. ``flowMin/Max`` stay in the case.

Gas (sources' ``gasTemperature``, ``normDensity``, ``molarMass``, ``pseudocriticalPressure/Temperature``,
``calorificValue``, heat-capacity coefficients A, B, C) -> :class:`~linepack.Settings`, each property the mean
over the sources weighted by their nominated entry flow (normal volume, i.e. molar flow: the exact mixture
rule for density, molar mass and calorific value, Kay's rule for the pseudo-critical point; a plain mean
without flowing sources): ``temperature_c``, ``molar_mass_kg_per_mol``, compressibility ``papay`` with the
pseudo-critical point, viscosity ``lee_gonzalez_eakin`` (GasLib gives no viscosity), ``heat_capacity_ratio``
= cp/(cp - R) with GasLib's ideal-gas molar cp = A + B T + C T^2 [J/(mol K)] at the gas temperature (1.307
for GasLib-11; methane's ideal cp is reproduced), ``lower_heating_value_mj_per_kg`` = 0.903 x calorificValue /
normDensity: GasLib's calorific value is the **gross** value per normal m3 (GasLib-582's 40.8-43.0 MJ/m3 at
17.9-18.6 kg/kmol is the gross value of an H-gas, GasLib-4197's 34.2-36.0 MJ/m3 at 0.80-0.83 kg/m3 that of an
L-gas; their net values are about 10 % lower) and 0.903 is the net/gross ratio ISO 6976 gives for such gases.
Per-source data stay in ``case.gas``.

Connections: ``pipe`` -> :class:`~linepack.Pipe` (length, diameter, roughness, default 0.012 mm when absent;
``pressureMax`` -> maop_barg; ``heatTransferCoefficient`` and flow bounds in the case). ``shortPipe`` ->
ShortPipe. ``resistor`` with ``dragFactor`` -> Resistor (drag_coefficient, diameter_mm; a zero drag factor ->
ShortPipe); a resistor with a fixed ``pressureLoss`` is refused by default, loaded as a loss-free ShortPipe
with ``fixed_loss="short_pipe"`` (GasLib-4197 has six, 0.5-2 bar; Integration one, 1 bar), or as a Resistor
with ``pressure_loss_bar`` with ``fixed_loss="resistor"``. ``valve`` -> Valve, open. ``controlValve`` ->
Regulator, mode pressure; ``compressorStation`` -> Compressor, mode pressure. Their outlet set-point is the
lowest of ``pressureOutMax`` and the maximum pressures of the outlet's zone (nodes reached through pipes,
short pipes, resistors and valves), so no node downstream is pushed above its maximum; ``flowMax`` ->
flow_max_kg_s (network norm density); a station's ``pressureInMin`` -> p_suction_min_barg; with .cs data the
station's ratio_max, power_max_mw, driver, driver_efficiency and (piston units) isentropic_efficiency (rules
in :mod:`linepack.io.gaslib.rating`), else linepack's defaults (ratio 2.0, no power limit, gas turbine, 0.35,
0.8). Station and valve internals (dragFactorIn/Out, pressureLossIn/Out, pressureDifferential bounds,
fuelGasVertex, bypass and cooler flags) stay in the case; linepack draws fuel gas at the suction node.

Nomination (.scn, first scenario): a flow [1000 m3/h at 0 C, 1.01325 bar] with bound ``both`` is the value;
``lower`` and ``upper`` give their midpoint (equal in every shipped file; the midpoint keeps the error against any
admissible flow smallest); a single bound is taken as the value. Entries -> Source ``<node>.entry``, mode
flow, inflow = flow x the source's own normDensity / 3.6 kg/s; exits -> Sink ``<node>.exit``, demand = flow
x the network norm density / 3.6; a negative flow swaps the roles (GasLib-4197 has 33 injecting exits). The
nominated volumes balance, so the masses do too. Pressure bounds tighten the node bounds; everything else
(contract pressures, temperatures, probabilities, further scenarios) stays in the case.

Pressure reference: every entry nominated with a fixed pressure (``<pressure bound="both">``, which no shipped
GasLib nomination has and linepack's exporter writes for pressure-held sources) is held at that pressure, as an
entry that never takes gas back (``absorbs=False``); the bound is the source's set-point and does not tighten
the node's bounds. In every other island (connected part) one source is held at a pressure: the entry with the
largest nominated flow (no nomination: the source with the largest flowMax), at its maximum pressure,
``absorbs=True`` (the island's slack). References are in mode pressure without capacity; every other entry
keeps its fixed flow. ``reference=`` overrides:
a node id (held at its maximum pressure), ``(node_id, p_barg)``, or a list of those (one per island).

Decisions (.cdf): :func:`apply_decision`. Writer: :mod:`linepack.io.gaslib.writer`.
"""

from .export import network_to_gaslib
from .model import (
    CompressorStationData,
    Decision,
    DecisionGroup,
    Drive,
    ElementDecision,
    GaslibCase,
    GaslibElement,
    GasQuality,
    NominationFile,
    NominationNode,
    PistonCompressor,
    ReferenceChoice,
    ScenarioData,
    StationRating,
    TurboCompressor,
)
from .reader import apply_decision, build_case, operating_decisions, read_gaslib, require_nomination
from .writer import write_gaslib

__all__ = [
    "CompressorStationData",
    "Decision",
    "DecisionGroup",
    "Drive",
    "ElementDecision",
    "GasQuality",
    "GaslibCase",
    "GaslibElement",
    "NominationFile",
    "NominationNode",
    "PistonCompressor",
    "ReferenceChoice",
    "ScenarioData",
    "StationRating",
    "TurboCompressor",
    "apply_decision",
    "build_case",
    "network_to_gaslib",
    "operating_decisions",
    "read_gaslib",
    "require_nomination",
    "write_gaslib",
]
