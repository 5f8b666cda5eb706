"""Thermal inputs of one scenario as arrays (SI): what a non-isothermal solver reads.

:func:`thermal_inputs` resolves, for every in-service pipe, source, compressor and regulator of a scenario
view, the thermal data the user gave or the defaults it falls back to, in a fixed order of precedence:

* ground temperature of a pipe: its own ``ground_temperature_c``; else its ``thermal_region``'s value for
  ``settings.thermal.season`` (or the region's all-season value); else ``settings.thermal``'s value for the
  season (or its all-season ``ground_temperature_c``); else ``settings.temperature_c``;
* U of a pipe: its own ``heat_transfer_coefficient_w_m2k``; else computed from its burial data when it gives
  any (cover, soil, layers, each defaulting to region then settings); else ``settings.thermal``'s
  ``heat_transfer_coefficient_w_m2k``; else computed from the default burial data;
* source temperature: its own ``temperature_c``; else ``settings.thermal.source_temperature_c``; else the
  ground temperature (the mean over the pipes at its node, or the network default);
* compressor: efficiency of the chosen path (isentropic_efficiency, or polytropic_efficiency for path
  polytropic), discharge limit, after-cooler set-point / duty / pressure drop; regulator: preheater minimum
  outlet temperature and duty.

Arrays follow ``view.of_type(...)`` order and carry the ids, so a solver maps them onto its own indices. The
result is independent of the thermal mode: an isothermal solve simply does not read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from linepack.errors import InputError
from linepack.model.components import Compressor, Pipe, Regulator, Settings, Source
from linepack.model.network import NetworkView
from linepack.model.thermal import GroundRegion, ThermalMode, ThermalSettings, WallLayer
from linepack.thermal.heat_transfer import overall_u_buried_w_m2k

F64 = NDArray[np.float64]
KELVIN = 273.15
#: Steel wall assumed when neither the pipe nor the settings give wall layers: 1 % of the inner diameter, 45 W/(m K).
DEFAULT_WALL_FRACTION = 0.01
STEEL_CONDUCTIVITY_W_MK = 45.0


@dataclass(frozen=True)
class ThermalInputs:
    """Resolved thermal data of one scenario (SI units; K, W, Pa), struct of arrays per component type.

    Attributes:
        mode: the thermal mode of the settings.
        pipe_ids: ids of the in-service pipes.
        pipe_u_w_m2k: overall heat-transfer coefficient of each pipe, referred to its inner diameter.
        pipe_u_computed: True where U was computed from burial data (False: given).
        pipe_ground_k: ground temperature of each pipe [K].
        source_ids, source_t_k: sources and the temperature of the gas they deliver [K].
        compressor_ids: compressor stations.
        compressor_polytropic: True where the station follows the polytropic path.
        compressor_efficiency: isentropic or polytropic efficiency of that path.
        compressor_t_max_k: discharge temperature limit [K] (inf: none).
        cooler_t_set_k: after-cooler set-point [K] (nan: no set-point; a duty-only cooler or none).
        cooler_duty_max_w: after-cooler duty limit [W] (inf: unlimited; 0 where there is no cooler).
        has_cooler: True where the station has an after-cooler.
        regulator_ids: regulators.
        preheat_t_min_k: preheater minimum outlet temperature [K] (-inf: no preheater).
        preheat_duty_max_w: preheater duty limit [W] (inf: unlimited; 0 where there is none).
    """

    mode: ThermalMode
    pipe_ids: tuple[str, ...]
    pipe_u_w_m2k: F64
    pipe_u_computed: NDArray[np.bool_]
    pipe_ground_k: F64
    source_ids: tuple[str, ...]
    source_t_k: F64
    compressor_ids: tuple[str, ...]
    compressor_polytropic: NDArray[np.bool_]
    compressor_efficiency: F64
    compressor_t_max_k: F64
    cooler_t_set_k: F64
    cooler_duty_max_w: F64
    has_cooler: NDArray[np.bool_]
    regulator_ids: tuple[str, ...]
    preheat_t_min_k: F64
    preheat_duty_max_w: F64


def _seasonal(all_season: float | None, by_season: dict[str, float], season: str | None) -> float | None:
    if season is not None and season in by_season:
        return by_season[season]
    return all_season


def _region(pipe: Pipe, regions: dict[str, GroundRegion]) -> GroundRegion | None:
    if pipe.thermal_region is None:
        return None
    region = regions.get(pipe.thermal_region)
    if region is None:
        from linepack.model.errors import suggest

        raise InputError(
            f"pipe {pipe.id}: thermal_region '{pipe.thermal_region}' is not in settings.thermal.regions"
            f"{suggest(pipe.thermal_region, list(regions))}; define the region or correct the name"
        )
    return region


def ground_temperature_c(pipe: Pipe, settings: Settings) -> float:
    """The ground temperature of one pipe [degC] by the precedence of the module docstring."""
    thermal = settings.thermal
    if pipe.ground_temperature_c is not None:
        return pipe.ground_temperature_c
    region = _region(pipe, thermal.regions)
    if region is not None:
        value = _seasonal(region.ground_temperature_c, region.ground_temperature_by_season_c, thermal.season)
        if value is not None:
            return value
    value = _seasonal(thermal.ground_temperature_c, thermal.ground_temperature_by_season_c, thermal.season)
    return settings.temperature_c if value is None else value


def _layers(pipe: Pipe, thermal: ThermalSettings) -> list[WallLayer]:
    if pipe.wall_layers is not None:
        return list(pipe.wall_layers)
    if thermal.wall_layers:
        return list(thermal.wall_layers)
    return [
        WallLayer(
            name="steel (assumed)",
            thickness_mm=DEFAULT_WALL_FRACTION * pipe.inner_diameter_mm,
            conductivity_w_mk=STEEL_CONDUCTIVITY_W_MK,
        )
    ]


def pipe_heat_transfer(pipes: Sequence[Pipe], settings: Settings) -> tuple[F64, NDArray[np.bool_]]:
    """U [W/(m^2 K)] of each pipe and whether it was computed from burial data (vectorised over pipes that
    share a number of layers)."""
    thermal = settings.thermal
    n = len(pipes)
    u = np.empty(n)
    computed = np.zeros(n, dtype=bool)
    burial: list[int] = []
    for i, pipe in enumerate(pipes):
        own_burial = any(
            getattr(pipe, k) is not None for k in ("cover_depth_m", "soil_conductivity_w_mk", "wall_layers")
        )
        if pipe.heat_transfer_coefficient_w_m2k is not None:
            u[i] = pipe.heat_transfer_coefficient_w_m2k
        elif not own_burial and thermal.heat_transfer_coefficient_w_m2k is not None:
            u[i] = thermal.heat_transfer_coefficient_w_m2k
        else:
            burial.append(i)
    groups: dict[int, list[int]] = {}
    layers = {i: _layers(pipes[i], thermal) for i in burial}
    for i in burial:
        groups.setdefault(len(layers[i]), []).append(i)
    for count, idx in groups.items():
        d = np.array([pipes[i].inner_diameter_mm for i in idx]) * 1e-3
        thickness = np.array([[layers[i][j].thickness_mm * 1e-3 for i in idx] for j in range(count)])
        conductivity = np.array([[layers[i][j].conductivity_w_mk for i in idx] for j in range(count)])
        cover = np.array([_cover(pipes[i], thermal) for i in idx])
        soil = np.array([_soil(pipes[i], thermal) for i in idx])
        u[idx] = overall_u_buried_w_m2k(d, thickness.reshape(count, -1), conductivity.reshape(count, -1), cover, soil)
        computed[idx] = True
    return u, computed


def _cover(pipe: Pipe, thermal: ThermalSettings) -> float:
    return thermal.cover_depth_m if pipe.cover_depth_m is None else pipe.cover_depth_m


def _soil(pipe: Pipe, thermal: ThermalSettings) -> float:
    if pipe.soil_conductivity_w_mk is not None:
        return pipe.soil_conductivity_w_mk
    region = _region(pipe, thermal.regions)
    if region is not None and region.soil_conductivity_w_mk is not None:
        return region.soil_conductivity_w_mk
    return thermal.soil_conductivity_w_mk


def thermal_inputs(view: NetworkView) -> ThermalInputs:
    """Resolve the thermal data of a scenario view into arrays (see the module docstring for precedence).

    Raises:
        InputError: a pipe's thermal_region is not defined; a station on the polytropic path has no
            polytropic_efficiency (the messages name the component, the field and the fix).
    """
    settings = view.network.settings
    thermal = settings.thermal
    pipes: list[Pipe] = view.of_type(Pipe)
    ground_c = np.array([ground_temperature_c(p, settings) for p in pipes], dtype=np.float64)
    u, computed = pipe_heat_transfer(pipes, settings)

    default_ground = _seasonal(thermal.ground_temperature_c, thermal.ground_temperature_by_season_c, thermal.season)
    node_ground: dict[str, list[float]] = {}
    for pipe, tg in zip(pipes, ground_c, strict=True):
        node_ground.setdefault(pipe.from_node, []).append(float(tg))
        node_ground.setdefault(pipe.to_node, []).append(float(tg))
    sources: list[Source] = view.of_type(Source)
    source_c = []
    for s in sources:
        if s.temperature_c is not None:
            source_c.append(s.temperature_c)
        elif thermal.source_temperature_c is not None:
            source_c.append(thermal.source_temperature_c)
        elif s.node in node_ground:
            source_c.append(float(np.mean(node_ground[s.node])))
        else:
            source_c.append(settings.temperature_c if default_ground is None else default_ground)

    compressors: list[Compressor] = view.of_type(Compressor)
    polytropic = thermal.compression_path == "polytropic"
    problems = [
        f"compressor {c.id}: settings.thermal.compression_path is polytropic but polytropic_efficiency is not "
        "given; give it (typically 0.78-0.88) or use compression_path isentropic"
        for c in compressors
        if polytropic and c.polytropic_efficiency is None and not c.active_arc
    ]
    if problems:
        raise InputError(problems)
    eff = [
        (c.polytropic_efficiency if polytropic and c.polytropic_efficiency is not None else c.isentropic_efficiency)
        for c in compressors
    ]
    t_max = [
        c.discharge_temperature_max_c
        if c.discharge_temperature_max_c is not None
        else thermal.discharge_temperature_max_c
        for c in compressors
    ]
    coolers = [c.after_cooler for c in compressors]
    regulators: list[Regulator] = view.of_type(Regulator)
    heaters = [r.preheater for r in regulators]

    def arr(values: list[float | None], missing: float, scale: float = 1.0, offset: float = 0.0) -> F64:
        return np.array([missing if v is None else v * scale + offset for v in values], dtype=np.float64)

    return ThermalInputs(
        mode=thermal.mode,
        pipe_ids=tuple(p.id for p in pipes),
        pipe_u_w_m2k=u,
        pipe_u_computed=computed,
        pipe_ground_k=ground_c + KELVIN,
        source_ids=tuple(s.id for s in sources),
        source_t_k=np.array(source_c, dtype=np.float64) + KELVIN,
        compressor_ids=tuple(c.id for c in compressors),
        compressor_polytropic=np.full(len(compressors), polytropic),
        compressor_efficiency=np.array(eff, dtype=np.float64),
        compressor_t_max_k=arr(list(t_max), np.inf, offset=KELVIN),
        cooler_t_set_k=arr([None if k is None else k.outlet_temperature_c for k in coolers], np.nan, offset=KELVIN),
        cooler_duty_max_w=np.array(
            [0.0 if k is None else (np.inf if k.duty_max_mw is None else k.duty_max_mw * 1e6) for k in coolers],
            dtype=np.float64,
        ),
        has_cooler=np.array([k is not None for k in coolers], dtype=bool),
        regulator_ids=tuple(r.id for r in regulators),
        preheat_t_min_k=arr(
            [None if h is None else h.outlet_temperature_min_c for h in heaters], -np.inf, offset=KELVIN
        ),
        preheat_duty_max_w=np.array(
            [0.0 if h is None else (np.inf if h.duty_max_mw is None else h.duty_max_mw * 1e6) for h in heaters],
            dtype=np.float64,
        ),
    )
