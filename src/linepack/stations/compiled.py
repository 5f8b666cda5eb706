"""Network view -> the frozen unit and configuration arrays of its compressor stations.

Stations without units keep linepack's one-machine model (ratio, power and flow limits, one efficiency); a
station with units is run through its maps and drivers. Configurations: the station's own (those whose units
are all in service), or, when it defines none, 1, 2, ... N of its in-service units in parallel (file order).
A station whose configurations all lose a unit to an outage has nothing to run: it is bypassed, with a note.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import InputError
from ..model.components import Compressor, CompressorConfiguration, CompressorUnit
from ..model.network import NetworkView
from .drivers import driver_curves
from .mapdata import MapData, map_data
from .units import CompiledStations, ConfigArrays, UnitArrays


def compile_stations(view: NetworkView, comps: Sequence[Compressor]) -> tuple[CompiledStations | None, list[str]]:
    """The stations of ``comps`` (the view's compressors, in compiled order) that have units, and notes."""
    network = view.network
    pos = {c.id: k for k, c in enumerate(comps)}
    units_all: list[CompressorUnit] = [u for u in view.of_type(CompressorUnit) if u.station in pos]
    if not units_all and not any(isinstance(c, CompressorUnit) for c in network.components()):
        return None, []
    configs_all: list[CompressorConfiguration] = view.of_type(CompressorConfiguration)
    defined: dict[str, list[CompressorConfiguration]] = {}
    for c in network.components():
        if isinstance(c, CompressorConfiguration):
            defined.setdefault(c.station, [])
    for c in configs_all:
        defined.setdefault(c.station, []).append(c)
    by_station: dict[str, list[CompressorUnit]] = {}
    for u in units_all:
        by_station.setdefault(u.station, []).append(u)
    has_units = {u.station for u in network.components() if isinstance(u, CompressorUnit)}
    notes: list[str] = []
    maps: dict[str, MapData] = {}
    st_ids: list[str] = []
    st_k: list[int] = []
    fixed: list[int] = []
    ambient: list[float] = []
    rows: list[tuple[CompressorUnit, MapData, int]] = []
    cfg_ids: list[str] = []
    cfg_station: list[int] = []
    cfg_stages: list[int] = []
    cfg_user: list[bool] = []
    pairs: list[tuple[int, int, int]] = []
    for comp in comps:
        if comp.id not in has_units:
            continue
        units = by_station.get(comp.id, [])
        s = len(st_ids)
        unit_index: dict[str, int] = {}
        for u in units:
            if u.map not in maps:
                try:
                    maps[u.map] = map_data(u.map, network.compressor_maps[u.map])
                except KeyError:
                    raise InputError(f"compressor_unit {u.id}: map '{u.map}' is not in compressor_maps") from None
            unit_index[u.id] = len(rows)
            rows.append((u, maps[u.map], s))
        options: list[tuple[str, list[list[str]], bool]] = []
        if comp.id in defined:
            for cfg in defined[comp.id]:
                if all(x in unit_index for stage in cfg.stages for x in stage):
                    options.append((cfg.id, cfg.stages, True))
        else:
            for k in range(1, len(units) + 1):
                options.append((f"{k} of {len(units)}", [[u.id for u in units[:k]]], False))
        if not options:
            out = sorted(u.id for u in network.components() if isinstance(u, CompressorUnit) and u.station == comp.id)
            missing = [u for u in out if u not in unit_index]
            notes.append(
                f"{comp.id}: no configuration can run (units out of service: {', '.join(missing)}); "
                "the station is bypassed"
            )
            rows = [r for r in rows if r[2] != s]
            continue
        st_ids.append(comp.id)
        st_k.append(pos[comp.id])
        ambient.append(
            comp.ambient_temperature_c
            if comp.ambient_temperature_c is not None
            else network.settings.ambient_temperature_c
        )
        chosen = -1
        for cid, stages, user in options:
            c_index = len(cfg_ids)
            if cid == comp.configuration:
                chosen = c_index
            cfg_ids.append(cid)
            cfg_station.append(s)
            cfg_stages.append(len(stages))
            cfg_user.append(user)
            for j, stage in enumerate(stages):
                for x in stage:
                    pairs.append((c_index, unit_index[x], j))
        if comp.configuration is not None and chosen < 0:
            notes.append(
                f"{comp.id}: configuration {comp.configuration} cannot run (a unit is out of service); "
                "the solver chooses among the others"
            )
        fixed.append(chosen)
    if not st_ids:
        return None, notes
    units_arr = _unit_arrays(network, rows, np.asarray(ambient))
    cp = np.array(pairs, dtype=np.int64).reshape(-1, 3)
    kinds: dict[tuple[int, int], set[tuple[str, str]]] = {}
    for ci, ui, j in pairs:
        kinds.setdefault((ci, j), set()).add((units_arr.map_name[ui], units_arr.driver_name[ui]))
    uniform = np.ones(len(cfg_ids), dtype=bool)
    for (ci, _), found in kinds.items():
        uniform[ci] &= len(found) == 1
    configs = ConfigArrays(
        ids=tuple(cfg_ids),
        station=np.array(cfg_station, dtype=np.int64),
        n_stages=np.array(cfg_stages, dtype=np.int64),
        user_defined=np.array(cfg_user, dtype=bool),
        pair_config=cp[:, 0].copy(),
        pair_unit=cp[:, 1].copy(),
        pair_stage=cp[:, 2].copy(),
        uniform=uniform,
    )
    return (
        CompiledStations(
            comp_k=np.array(st_k, dtype=np.int64),
            ids=tuple(st_ids),
            fixed_config=np.array(fixed, dtype=np.int64),
            ambient_c=np.asarray(ambient, dtype=float),
            units=units_arr,
            configs=configs,
        ),
        notes,
    )


def _unit_arrays(network: object, rows: list[tuple[CompressorUnit, MapData, int]], ambient: np.ndarray) -> UnitArrays:
    drivers = network.drivers  # type: ignore[attr-defined]
    curves = []
    for u, md, s in rows:
        if u.driver not in drivers:
            raise InputError(f"compressor_unit {u.id}: driver '{u.driver}' is not in drivers")
        curves.append(driver_curves(drivers[u.driver], float(ambient[s]), (md.n_min, md.n_max)))
    mds = [md for _, md, _ in rows]

    def col(name: str) -> np.ndarray:
        return np.array([getattr(md, name) for md in mds], dtype=float)

    corners = np.array([md.corners for md in mds], dtype=float).reshape(-1, 8)
    return UnitArrays(
        ids=tuple(u.id for u, _, _ in rows),
        station=np.array([s for _, _, s in rows], dtype=np.int64),
        map_name=tuple(u.map for u, _, _ in rows),
        driver_name=tuple(u.driver for u, _, _ in rows),
        kind=np.array([md.kind for md in mds], dtype=np.int64),
        head=np.array([md.head for md in mds], dtype=float).reshape(-1, 3, 3),
        eta=np.array([md.eta for md in mds], dtype=float).reshape(-1, 3, 3),
        surge=np.array([md.surge for md in mds], dtype=float).reshape(-1, 3),
        choke=np.array([md.choke for md in mds], dtype=float).reshape(-1, 3),
        n_min=col("n_min"),
        n_max=col("n_max"),
        q_sn=corners[:, 0],
        h_sn=corners[:, 1],
        q_cn=corners[:, 2],
        h_cn=corners[:, 3],
        q_sx=corners[:, 4],
        h_sx=corners[:, 5],
        q_cx=corners[:, 6],
        h_cx=corners[:, 7],
        flow_per_rpm=col("flow_per_rpm"),
        ratio_max=col("ratio_max"),
        torque_max_nm=col("torque_max_nm"),
        eta_piston=col("eta_piston"),
        q_ref=col("q_ref"),
        power_w=np.array([c.power_w for c in curves], dtype=float).reshape(-1, 3),
        energy=np.array([c.energy for c in curves], dtype=float).reshape(-1, 3),
        driver_kind=np.array([c.kind for c in curves], dtype=np.int64),
        gas_fired=np.array([c.gas_fired for c in curves], dtype=bool),
        fit_error=col("fit_error"),
    )
