"""GasLib .cs compressor stations <-> linepack compressor maps, drivers, units and configurations.

Reading (:func:`native_stations`): every turbo compressor becomes a :class:`TurboMapSpec` with GasLib's
coefficients as they are (head in kJ/kg, n in 1/min, Q in m3/s; efficiency; surge and choke lines), every
piston compressor a :class:`PistonMapSpec` (``operatingVolume`` -> displacement, ``additionalReductionVolFlow``
-> volumetric loss, ``maximalCompressionRatio``, ``maximalTorque`` (0: none), ``adiabaticEfficiency``), every
drive a :class:`DriverSpec` (``gasTurbine`` -> gas_turbine, ``gasDrivenMotor`` -> gas_engine, ``electricMotor``
-> electric_motor, ``steamTurbine`` -> steam_turbine; ``power_fun_coeff`` and ``energy_rate_fun_coeff`` as they
are). A unit is one compressor with its drive, id ``<station>/<compressor>``; a configuration
``<station>/<confId>`` lists its stages by ``stageNr``.

Two GasLib gaps are filled and said in the warnings: drives whose energy-rate coefficients give less energy
than shaft power at full load (GasLib-135's 0.01, 0, 0; many all-zero GasLib-4197 drives: placeholders) get a
thermal efficiency of :data:`PLACEHOLDER_EFFICIENCY` (A); drives without power coefficients get a polynomial
fitted to their maximal-power measurements (or the highest measured power).

Writing: :func:`station_item_from_network` builds a ``<compressorStation>`` from the Network's own units when
they differ from what the .cs gave (an edited or exported station); untouched stations are written as read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import InputError
from ...model.components import CompressorConfiguration, CompressorUnit
from ...model.stations import DriverSpec, PistonMapSpec, TurboMapSpec
from .model import CompressorStationData, Drive, PistonCompressor, TurboCompressor

#: Thermal efficiency given to GasLib drives whose energy-rate coefficients are placeholders (A: simple-cycle
#: gas turbines of 5-25 MW have 30-38 % on LHV; GasLib-11's drives give 33 % at full load).
PLACEHOLDER_EFFICIENCY = 0.33
DRIVE_KINDS = {
    "gasTurbine": "gas_turbine",
    "gasDrivenMotor": "gas_engine",
    "electricMotor": "electric_motor",
    "steamTurbine": "steam_turbine",
}
GASLIB_DRIVE_TAG = {v: k for k, v in DRIVE_KINDS.items()}


@dataclass(frozen=True)
class NativeStations:
    """What a .cs gives a Network: maps and drivers by name, unit and configuration components."""

    maps: dict[str, TurboMapSpec | PistonMapSpec]
    drivers: dict[str, DriverSpec]
    units: list[CompressorUnit]
    configurations: list[CompressorConfiguration]
    stations: set[str]  # stations that got units
    warnings: list[str]


#: Speed of the one piston unit that linepack's exporter writes for a station without units (its ratings).
RATING_SPEED_PER_MIN = 1000.0


def rating_only(st: CompressorStationData) -> bool:
    """A station as linepack's exporter writes the ratings of a station without units: one piston without an
    operating volume at a fixed speed. It carries limits, not a machine: no units are made of it."""
    if len(st.compressors) != 1 or not isinstance(st.compressors[0], PistonCompressor):
        return False
    c = st.compressors[0]
    return c.operating_volume_m3 is None and c.speed_min_per_min == c.speed_max_per_min == RATING_SPEED_PER_MIN


def unit_id(station: str, compressor: str) -> str:
    return f"{station}/{compressor}"


def _turbo(c: TurboCompressor, provenance: str) -> TurboMapSpec:
    if len(c.n_isoline_coeffs) != 9 or len(c.eta_ad_isoline_coeffs) != 9:
        raise InputError(f"turbo compressor {c.id}: needs 9 n_isoline and 9 eta_ad_isoline coefficients")
    if len(c.surgeline_coeffs) not in (2, 3) or len(c.chokeline_coeffs) not in (2, 3):
        raise InputError(f"turbo compressor {c.id}: needs 3 surgeline and 3 chokeline coefficients")

    def three(x: tuple[float, ...]) -> list[float]:
        return [*x, 0.0][:3]

    return TurboMapSpec(
        speed_min_rpm=c.speed_min_per_min,
        speed_max_rpm=c.speed_max_per_min,
        head_coefficients=list(c.n_isoline_coeffs),
        efficiency_coefficients=list(c.eta_ad_isoline_coeffs),
        surge_coefficients=three(c.surgeline_coeffs),
        choke_coefficients=three(c.chokeline_coeffs),
        provenance=provenance,
    )


def _piston(c: PistonCompressor, provenance: str) -> PistonMapSpec:
    missing = [
        name
        for name, v in (
            ("operatingVolume", c.operating_volume_m3),
            ("maximalCompressionRatio", c.maximal_compression_ratio),
            ("adiabaticEfficiency", c.adiabatic_efficiency),
        )
        if v is None
    ]
    if missing:
        raise InputError(f"piston compressor {c.id}: needs {', '.join(missing)}")
    assert c.operating_volume_m3 is not None and c.maximal_compression_ratio is not None
    assert c.adiabatic_efficiency is not None
    torque = c.maximal_torque_knm if c.maximal_torque_knm is not None and c.maximal_torque_knm > 0 else None
    return PistonMapSpec(
        kind="piston",
        speed_min_rpm=c.speed_min_per_min,
        speed_max_rpm=c.speed_max_per_min,
        displacement_m3=c.operating_volume_m3,
        volumetric_loss=c.additional_reduction_vol_flow or 0.0,
        ratio_max=c.maximal_compression_ratio,
        torque_max_knm=torque,
        isentropic_efficiency=c.adiabatic_efficiency,
        provenance=provenance,
    )


def _max_power_kw(drive: Drive, speed_range: tuple[float, float]) -> float:
    pc = drive.power_coeffs
    n = np.linspace(*speed_range, 51)
    if len(pc) == 9:
        p = sum(pc[i + 3 * j] * n**i * 15.0**j for i in range(3) for j in range(3))
    else:
        p = pc[0] + pc[1] * n + pc[2] * n * n
    return float(np.max(p))


def _driver(drive: Drive, speed_range: tuple[float, float], provenance: str, warn: list[str], label: str) -> DriverSpec:
    kind = DRIVE_KINDS.get(drive.kind)
    if kind is None:
        raise InputError(f"drive {drive.id}: unknown drive type <{drive.kind}>; GasLib has {', '.join(DRIVE_KINDS)}")
    data: dict[str, object] = {"kind": kind, "provenance": provenance}
    if len(drive.power_coeffs) in (3, 9):
        data["power_coefficients"] = list(drive.power_coeffs)
    else:
        pts = [(n, p) for curve in drive.maximal_power for n, p in curve.points]
        if not pts:
            raise InputError(f"drive {drive.id}: no power_fun coefficients and no maximal-power measurements")
        if len({n for n, _ in pts}) >= 3:
            ns, ps = np.array([n for n, _ in pts]), np.array([p for _, p in pts])
            data["power_coefficients"] = [float(c) for c in np.polynomial.polynomial.polyfit(ns, ps, 2)]
        else:
            data["rated_power_mw"] = max(p for _, p in pts) / 1e3
            data["derate_per_k"] = 0.0
        warn.append(f"{label}: drive {drive.id} has no power coefficients; fitted to its maximal-power measurements")
    e = drive.energy_rate_coeffs
    p_full = _max_power_kw(drive, speed_range) if "power_coefficients" in data else float(data["rated_power_mw"]) * 1e3  # type: ignore[arg-type]
    full = e[0] + e[1] * p_full + (e[2] * p_full * p_full if len(e) > 2 else 0.0) if len(e) >= 2 else 0.0
    if len(e) == 3 and full > p_full > 0:
        data["energy_rate_coefficients"] = list(e)
    else:
        data["thermal_efficiency"] = PLACEHOLDER_EFFICIENCY
        warn.append(
            f"{label}: drive {drive.id} energy-rate coefficients {', '.join(f'{x:g}' for x in e) or '(none)'} give no "
            f"more energy than shaft power (placeholders); thermal efficiency {PLACEHOLDER_EFFICIENCY} assumed"
        )
    return DriverSpec.model_validate(data)


def native_stations(stations: dict[str, CompressorStationData], source: str) -> NativeStations:
    """Native maps, drivers, units and configurations of every station of a .cs that can have them."""
    out = NativeStations({}, {}, [], [], set(), [])
    for sid, st in stations.items():
        if rating_only(st):
            continue
        provenance = "S: GasLib compressor-station data (.cs), CC BY 3.0 (Schmidt et al. 2017)"
        label = f"{source}: compressorStation {sid}"
        try:
            drives = {d.id: d for d in st.drives}
            maps: dict[str, TurboMapSpec | PistonMapSpec] = {}
            drivers: dict[str, DriverSpec] = {}
            units: list[CompressorUnit] = []
            warn: list[str] = []
            for c in st.compressors:
                uid = unit_id(sid, c.id)
                spec = _turbo(c, provenance) if isinstance(c, TurboCompressor) else _piston(c, provenance)
                if c.drive not in drives:
                    raise InputError(f"compressor {c.id} names drive '{c.drive}', which the station lacks")
                dname = unit_id(sid, c.drive)
                if dname in drivers:
                    warn.append(f"{label}: drive {c.drive} drives several compressors; each unit gets its full power")
                drivers[dname] = _driver(
                    drives[c.drive], (c.speed_min_per_min, c.speed_max_per_min), provenance, warn, label
                )
                maps[uid] = spec
                units.append(CompressorUnit(id=uid, station=sid, map=uid, driver=dname, provenance=provenance))
            configs = []
            for cf in st.configurations:
                stages = [
                    [unit_id(sid, u.compressor) for u in stage.units]
                    for stage in sorted(cf.stages, key=lambda s: s.stage_nr)
                ]
                if not stages or any(not s for s in stages):
                    warn.append(f"{label}: configuration {cf.conf_id} has an empty stage; left out")
                    continue
                configs.append(
                    CompressorConfiguration(
                        id=unit_id(sid, cf.conf_id), station=sid, stages=stages, provenance=provenance
                    )
                )
        except (InputError, ValueError) as exc:
            text = "; ".join(exc.problems) if isinstance(exc, InputError) else str(exc)
            out.warnings.append(f"{label}: no units ({text}); the station keeps the rated one-machine model")
            continue
        if not units:
            continue
        out.maps.update(maps)
        out.drivers.update(drivers)
        out.units.extend(units)
        out.configurations.extend(configs)
        out.stations.add(sid)
        out.warnings.extend(warn)
    return out


# --- writing: a station of the Network as GasLib data ------------------------------------------------


def _local(name: str, station: str) -> str:
    prefix = f"{station}/"
    return name[len(prefix) :] if name.startswith(prefix) else name


def _gaslib_order(c: np.ndarray, scale: float) -> tuple[float, ...]:
    """A (3, 3) array [i, j] as GasLib's 9 coefficients (k = 1 + i + 3 j), times ``scale``."""
    return tuple(float(c[i, j]) * scale for j in range(3) for i in range(3))


def _turbo_data(cid: str, drive: str, spec: TurboMapSpec, name: str) -> TurboCompressor:
    from ...stations.mapdata import turbo_map
    from .model import MapPoint

    md = turbo_map(name, spec)
    points: tuple[MapPoint, ...] = ()
    if spec.curves is not None:
        points = tuple(
            MapPoint(c.speed_rpm, c.head_kj_per_kg[0], c.flow_m3_s[0])
            for c in sorted(spec.curves, key=lambda c: c.speed_rpm)
        )
    return TurboCompressor(
        cid,
        drive,
        spec.speed_min_rpm,
        spec.speed_max_rpm,
        _gaslib_order(md.head, 1e-3),
        _gaslib_order(md.eta, 1.0),
        tuple(float(x) * 1e-3 for x in md.surge),
        tuple(float(x) * 1e-3 for x in md.choke),
        None,
        points,
        (),
    )


def _drive_data(did: str, spec: DriverSpec, speed_range: tuple[float, float], notes: list[str], label: str) -> Drive:
    from ...model.stations import DEFAULT_DERATE_PER_K, DEFAULT_NO_LOAD_FRACTION

    tag = GASLIB_DRIVE_TAG[spec.kind]
    if spec.power_coefficients is not None:
        power = tuple(spec.power_coefficients)
    else:
        assert spec.rated_power_mw is not None
        p_kw = spec.rated_power_mw * 1e3
        d = spec.derate_per_k if spec.derate_per_k is not None else DEFAULT_DERATE_PER_K[spec.kind]
        if spec.kind == "gas_turbine":
            power = (p_kw * (1.0 + d * spec.rating_temperature_c), 0.0, 0.0, -p_kw * d, 0.0, 0.0, 0.0, 0.0, 0.0)
        else:
            power = (p_kw, 0.0, 0.0)
            if d:
                notes.append(f"{label}: GasLib gives a {tag} no temperature dependence; derate_per_k {d:g} dropped")
        if spec.power_max_mw is not None and spec.power_max_mw > spec.rated_power_mw:
            notes.append(
                f"{label}: the cold-weather cap power_max_mw {spec.power_max_mw:g} has no GasLib form; dropped"
            )
    if spec.energy_rate_coefficients is not None:
        energy = tuple(spec.energy_rate_coefficients)
    else:
        assert spec.thermal_efficiency is not None
        f0 = (
            spec.no_load_fuel_fraction
            if spec.no_load_fuel_fraction is not None
            else DEFAULT_NO_LOAD_FRACTION[spec.kind]
        )
        n = np.linspace(*speed_range, 51)
        if len(power) == 9:
            t = spec.rating_temperature_c
            p_full = float(np.max(sum(power[i + 3 * j] * n**i * t**j for i in range(3) for j in range(3))))
        else:
            p_full = float(np.max(power[0] + power[1] * n + power[2] * n * n))
        eta = spec.thermal_efficiency
        energy = (f0 * p_full / eta, (1.0 - f0) / eta, 0.0)
        if spec.efficiency_derate_per_k:
            notes.append(f"{label}: efficiency_derate_per_k has no GasLib form; the energy rate is at the rating")
    return Drive(did, tag, energy, power)


def station_from_network(network: object, station: str, notes: list[str] | None = None) -> CompressorStationData | None:
    """GasLib data of a station's units in ``network`` (None when it has none); ``notes`` collects what GasLib
    cannot hold (cold-weather power caps, temperature effects on efficiency)."""
    from .model import Configuration, PistonCompressor, Stage, StageUnit

    notes = notes if notes is not None else []
    comps = list(network.components())  # type: ignore[attr-defined]
    units = [u for u in comps if isinstance(u, CompressorUnit) and u.station == station]
    if not units:
        return None
    maps = network.compressor_maps  # type: ignore[attr-defined]
    drivers = network.drivers  # type: ignore[attr-defined]
    uses: dict[str, int] = {}
    for u in units:
        uses[u.driver] = uses.get(u.driver, 0) + 1
    compressors: list[TurboCompressor | PistonCompressor] = []
    drives: list[Drive] = []
    for u in units:
        cid = _local(u.id, station)
        did = _local(u.driver, station) if uses[u.driver] == 1 else f"{_local(u.driver, station)}_{cid}"
        spec = maps[u.map]
        label = f"compressorStation {station}: unit {u.id}"
        if isinstance(spec, TurboMapSpec):
            compressors.append(_turbo_data(cid, did, spec, u.map))
        else:
            compressors.append(
                PistonCompressor(
                    cid,
                    did,
                    spec.speed_min_rpm,
                    spec.speed_max_rpm,
                    spec.displacement_m3,
                    spec.torque_max_knm if spec.torque_max_knm is not None else 0.0,
                    spec.ratio_max,
                    spec.isentropic_efficiency,
                    spec.volumetric_loss,
                )
            )
        drives.append(_drive_data(did, drivers[u.driver], (spec.speed_min_rpm, spec.speed_max_rpm), notes, label))
    configs: list[Configuration] = []
    own = [c for c in comps if isinstance(c, CompressorConfiguration) and c.station == station]
    if own:
        for c in own:
            stages = tuple(
                Stage(j + 1, len(stage), tuple(StageUnit(_local(x, station), None) for x in stage))
                for j, stage in enumerate(c.stages)
            )
            configs.append(Configuration(_local(c.id, station), len(stages), stages))
    else:
        ids = [_local(u.id, station) for u in units]
        for k in range(1, len(ids) + 1):
            configs.append(Configuration(str(k), 1, (Stage(1, k, tuple(StageUnit(x, None) for x in ids[:k])),)))
    return CompressorStationData(station, tuple(compressors), tuple(drives), tuple(configs))


def network_units(network: object, station: str) -> tuple[object, ...]:
    """What the Network holds about a station's units (for comparison with what a .cs gives)."""
    comps = list(network.components())  # type: ignore[attr-defined]
    units = sorted((u for u in comps if isinstance(u, CompressorUnit) and u.station == station), key=lambda u: u.id)
    configs = sorted(
        (c for c in comps if isinstance(c, CompressorConfiguration) and c.station == station), key=lambda c: c.id
    )
    maps = network.compressor_maps  # type: ignore[attr-defined]
    drivers = network.drivers  # type: ignore[attr-defined]
    return (
        tuple(units),
        tuple(configs),
        tuple(maps.get(u.map) for u in units),
        tuple(drivers.get(u.driver) for u in units),
    )


def derived_units(stations: dict[str, CompressorStationData], station: str, source: str) -> tuple[object, ...]:
    """What :func:`native_stations` makes of one .cs station, in the form of :func:`network_units`."""
    native = native_stations({station: stations[station]}, source)
    units = tuple(sorted(native.units, key=lambda u: u.id))
    configs = tuple(sorted(native.configurations, key=lambda c: c.id))
    return (
        units,
        configs,
        tuple(native.maps.get(u.map) for u in units),
        tuple(native.drivers.get(u.driver) for u in units),
    )
