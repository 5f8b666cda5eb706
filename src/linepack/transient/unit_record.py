"""The operating point of every compressor unit at every step, evaluated once for the whole run.

Evaluating the station model (:func:`linepack.stations.station.evaluate`) costs about a millisecond for a few
stations, nearly all of it per call, not per unit; calling it after every step of a day (1,440 steps) doubled
the recording's cost. Each step keeps only what the evaluation needs (throughput, suction and discharge pressure,
configuration and suction gas of every running station, and Z at its stage inlets, which must be taken while
that step's gas is known: tracked gases move on); :meth:`UnitRecorder.series` then evaluates every recorded
step in one call. The series are those of :func:`linepack.stations.points.unit_points` at each step (the same
formulas; the root solves of the drivers' power limits iterate over all steps at once, so values agree to their
tolerance, 1e-13 relative, tests/transient/test_kernel.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork
from ..quality.properties import GasProps
from ..stations.points import pair_columns, running, station_ends, suction_gas
from ..stations.station import SuctionGas, config_pairs, evaluate, stage_inlet_pa
from ..stations.units import CompiledStations

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


class UnitRecorder:
    """Per-step station inputs for the unit series (``names``: the series kept, fields of ``UnitPoints``)."""

    def __init__(self, cs: CompiledStations, n_t: int, names: tuple[str, ...]) -> None:
        self.cs = cs
        self.names = names
        self.n_units = len(cs.units)
        self.config = np.full((n_t, len(cs.ids)), -1, dtype=np.int64)
        self._rows: list[tuple[Any, ...]] = []  # per step with running stations: its slots' inputs

    def record(self, k: int, cn: CompiledNetwork, p: F64, q: F64, state: Any, props: GasProps | None) -> None:
        """Keep step ``k`` (pressures per point, flows per edge, control state and gas of the step)."""
        cs = self.cs
        configs = state.configs(cn)
        on = running(cn, state.comp_mode)
        self.config[k] = np.where(on, configs, -1)
        m, ps, pd = station_ends(cn, p, q, state.reverse())
        slots = np.flatnonzero(on & (m > 0.0))
        if not len(slots):
            return
        gas = suction_gas(cn, props)
        cfg = configs[slots]
        pair_slot, _, stage, n_stages = config_pairs(cs, cfg)
        ps_s, pd_s = ps[slots], pd[slots]
        p_in = stage_inlet_pa(ps_s, pd_s[pair_slot] / ps_s[pair_slot], pair_slot, stage, n_stages)
        st = slots[pair_slot]
        z, dz = gas.z(np.real(p_in).astype(float), gas.t_k[st], st)
        g = (gas.t_k[slots], gas.molar_mass[slots], gas.kappa[slots], gas.lhv_j_per_kg[slots])
        self._rows.append((k, slots, cfg, m[slots], ps_s, pd_s, g, p_in, np.asarray(z, float), np.asarray(dz, float)))

    def series(self, n: int) -> dict[str, F64]:
        """The series of the first ``n`` steps: per name an ``n x units`` array (NaN where a unit does not run)."""
        out = {name: np.full((n, self.n_units), np.nan) for name in self.names}
        rows = [r for r in self._rows if r[0] < n]
        if not rows:
            return out
        step = np.concatenate([np.full(len(r[1]), r[0]) for r in rows])
        cfg, m, ps, pd = (np.concatenate([r[i] for r in rows]) for i in (2, 3, 4, 5))
        gas_cols = [np.concatenate([r[6][j] for r in rows]) for j in range(4)]
        p_in, z, dz = (np.concatenate([r[i] for r in rows]) for i in (7, 8, 9))

        def z_recorded(p: F64, t: F64, station: I64) -> tuple[F64, F64]:
            # the stage inlets are those recorded (the same formula): Z as taken at each step, to first order
            # should a pressure differ in its last digits
            return z + dz * (np.asarray(p, dtype=float) - p_in), dz

        t_k, molar_mass, kappa, lhv = gas_cols
        gas = SuctionGas(t_k, molar_mass, kappa, lhv, z_recorded)  # one row per recorded slot
        ev = evaluate(self.cs, gas, np.arange(len(step)), cfg, m, ps, pd)
        cols = pair_columns(self.cs, ev)
        at = step[ev.pair_slot]
        for name in self.names:
            out[name][at, ev.pair_unit] = cols[name]
        return out
