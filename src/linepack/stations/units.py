"""The compiled units and configurations of a network's compressor stations (frozen arrays).

Built by :func:`linepack.stations.compiled.compile_stations` from the Network's ``compressor_units``,
``compressor_configurations``, ``compressor_maps`` and ``drivers``; read by the envelope and station models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclass(frozen=True)
class UnitArrays:
    """Every unit of every station with units, in network order (one row per unit).

    Turbo maps in SI (:mod:`.mapdata`): ``head`` and ``eta`` ``(U, 3, 3)`` in n [1/min] and Q [m3/s], ``surge`` and
    ``choke`` ``(U, 3)``; the map's region corners at minimum speed (``q_sn``/``h_sn`` on the surge line,
    ``q_cn``/``h_cn`` on the choke line) and at maximum speed (``q_sx``/``h_sx``, ``q_cx``/``h_cx``). Piston
    fields: ``flow_per_rpm`` [m3/s per 1/min], ``ratio_max``, ``torque_max_nm``, ``eta_piston``. Drivers at the
    station's ambient temperature: ``power_w`` (a0, a1, a2) [W over 1/min], ``energy`` (e0, e1, e2) [W of W].
    """

    ids: tuple[str, ...]
    station: I64  # index of the unit's station in CompiledStations (0..S-1)
    map_name: tuple[str, ...]
    driver_name: tuple[str, ...]
    kind: I64  # 0 turbo, 1 piston
    head: F64
    eta: F64
    surge: F64
    choke: F64
    n_min: F64
    n_max: F64
    q_sn: F64
    h_sn: F64
    q_cn: F64
    h_cn: F64
    q_sx: F64
    h_sx: F64
    q_cx: F64
    h_cx: F64
    flow_per_rpm: F64
    ratio_max: F64
    torque_max_nm: F64
    eta_piston: F64
    q_ref: F64
    power_w: F64
    energy: F64
    driver_kind: I64
    gas_fired: NDArray[np.bool_]
    fit_error: F64

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class ConfigArrays:
    """The configurations every station may run: one row per configuration, one pair per (configuration, unit)."""

    ids: tuple[str, ...]
    station: I64  # station index of each configuration
    n_stages: I64
    user_defined: NDArray[np.bool_]  # False: made by linepack (k of the station's units in parallel)
    pair_config: I64
    pair_unit: I64
    pair_stage: I64  # 0-based serial stage of the unit in that configuration
    uniform: NDArray[np.bool_]  # every stage's parallel units share map and driver (load sharing: equal flows)

    def __len__(self) -> int:
        return len(self.ids)

    def units_of(self, c: int) -> list[int]:
        return [int(u) for u in self.pair_unit[self.pair_config == c]]


@dataclass(frozen=True)
class CompiledStations:
    """The stations of a compiled network that have units (S of them).

    ``comp_k[s]`` is the position of station s among the network's compressors (``CompiledNetwork.comp_edge``);
    ``fixed_config[s]`` the configuration it is told to run (-1: the solver chooses); ``ambient_c[s]`` its air
    temperature.
    """

    comp_k: I64
    ids: tuple[str, ...]
    fixed_config: I64
    ambient_c: F64
    units: UnitArrays
    configs: ConfigArrays

    def __len__(self) -> int:
        return len(self.ids)

    def station_of(self, n_comp: int) -> I64:
        """For each of the network's compressors, its station index here (-1: no units)."""
        out = np.full(n_comp, -1, dtype=np.int64)
        out[self.comp_k] = np.arange(len(self.comp_k))
        return out

    def candidates(self, s: int) -> list[int]:
        """The configurations station s may run (the one it is told, or all of its own)."""
        if self.fixed_config[s] >= 0:
            return [int(self.fixed_config[s])]
        return [int(c) for c in np.flatnonzero(self.configs.station == s)]

    def restrict(self, keep_comp: NDArray[np.bool_]) -> CompiledStations | None:
        """The stations whose compressors are kept (``keep_comp`` over the network's compressors), renumbered."""
        keep_st = keep_comp[self.comp_k]
        if not np.any(keep_st):
            return None
        new_k = np.cumsum(keep_comp) - 1
        new_st = np.cumsum(keep_st) - 1
        u = self.units
        ku = keep_st[u.station]
        fields: dict[str, Any] = {}
        for name in u.__dataclass_fields__:
            v = getattr(u, name)
            fields[name] = tuple(x for x, k in zip(v, ku, strict=True) if k) if isinstance(v, tuple) else v[ku]
        fields["station"] = new_st[u.station[ku]]
        units = UnitArrays(**fields)
        new_u = np.cumsum(ku) - 1
        c = self.configs
        kc = keep_st[c.station]
        new_c = np.cumsum(kc) - 1
        kp = kc[c.pair_config]
        configs = ConfigArrays(
            ids=tuple(x for x, k in zip(c.ids, kc, strict=True) if k),
            station=new_st[c.station[kc]],
            n_stages=c.n_stages[kc],
            user_defined=c.user_defined[kc],
            pair_config=new_c[c.pair_config[kp]],
            pair_unit=new_u[c.pair_unit[kp]],
            pair_stage=c.pair_stage[kp],
            uniform=c.uniform[kc],
        )
        fixed = self.fixed_config[keep_st]
        fixed = np.where(fixed >= 0, new_c[np.maximum(fixed, 0)], -1)
        return CompiledStations(
            comp_k=new_k[self.comp_k[keep_st]].astype(np.int64),
            ids=tuple(x for x, k in zip(self.ids, keep_st, strict=True) if k),
            fixed_config=fixed.astype(np.int64),
            ambient_c=self.ambient_c[keep_st],
            units=units,
            configs=configs,
        )
