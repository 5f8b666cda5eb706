r"""The steady equations' terms of compressor stations with units, with exact derivatives.

For every station with units (:mod:`linepack.stations`) running its configuration at ``(q, p_s, p_d)``:

* shaft power P and driver fuel F (drawn at the suction node), replacing the one-machine model of the station;
* when the station is at a limit of its units, its equation (the compressor row of the Newton system):
  ``MAP_FLOW``: :math:`q - q_{cap}(p_s, p_d) = 0` (the units at maximum speed, the choke end or their drivers'
  power), ``MAP_HEAD``: :math:`m(p_s, p_d) = 0` with m the smallest head margin of the units (the station
  makes the most head it can).

Derivatives by the complex step (Squire and Trapp 1998): three evaluations of the vectorised station model, one
per input, give every derivative to rounding, through the units' load sharing and the root solves of their
power limits. Evaluations are kept for the point they were made at (Newton asks for the residual and then the
Jacobian at the same point).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode
from ..stations.points import suction_gas
from ..stations.station import StationEval, evaluate
from ..stations.units import CompiledStations

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
STEP = 1e-30


def initial_configs(cs: CompiledStations) -> I64:
    """Each station's starting configuration: the one it is told, else the one with the most units."""
    n_units = np.bincount(cs.configs.pair_config, minlength=len(cs.configs))
    out = np.empty(len(cs), dtype=np.int64)
    for s in range(len(cs)):
        cands = cs.candidates(s)
        out[s] = max(cands, key=lambda c: (n_units[c], -c))
    return out


@dataclass(frozen=True)
class StationTerms:
    """Per station with units: value and derivatives (d/dq, d/dp_s, d/dp_d) of power, fuel, capacity and margin."""

    power: F64
    d_power: tuple[F64, F64, F64]
    fuel: F64
    d_fuel: tuple[F64, F64, F64]
    cap: F64
    d_cap: tuple[F64, F64, F64]
    margin: F64
    d_margin: tuple[F64, F64, F64]
    ev: StationEval


class StationRows:
    """The station terms of one control state (its configurations fixed), cached per point."""

    def __init__(self, cn: CompiledNetwork, comp_mode: I64, configs: I64) -> None:
        cs = cn.stations
        assert cs is not None
        self.cn, self.cs = cn, cs
        self.k = cs.comp_k  # compressor positions of the stations
        self.configs = np.asarray(configs, dtype=np.int64)
        mode = np.asarray(comp_mode)[self.k]
        self.on = (mode != CompMode.BYPASS) & (mode != CompMode.OFF)
        self.gas = suction_gas(cn)
        self._cache: tuple[F64, F64, F64, StationTerms, bool] | None = None

    def terms(self, q_st: F64, ps: F64, pd: F64, derivatives: bool = True) -> StationTerms:
        """Values (and, with ``derivatives``, exact derivatives; zeros without) at station flows ``q_st`` and
        suction/discharge pressures (per station)."""
        c = self._cache
        if (
            c is not None
            and np.array_equal(c[0], q_st)
            and np.array_equal(c[1], ps)
            and np.array_equal(c[2], pd)
            and (c[4] or not derivatives)
        ):
            return c[3]
        slots = np.arange(len(self.cs))
        ev = evaluate(self.cs, self.gas, slots, self.configs, q_st, ps, pd)
        derivs: list[StationEval] = []
        if derivatives:
            for dq, dps, dpd in ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)):
                h = 1j * STEP
                cfg = self.configs
                derivs.append(evaluate(self.cs, self.gas, slots, cfg, q_st + h * dq, ps + h * dps, pd + h * dpd))
        on = self.on.astype(float)
        zero = np.zeros(len(on))

        def d(name: str, mask: F64) -> tuple[F64, F64, F64]:
            if not derivs:
                return zero, zero, zero
            a, b, c = (np.imag(getattr(e, name)) / STEP * mask for e in derivs)
            return a, b, c

        out = StationTerms(
            power=np.real(ev.power_w) * on,
            d_power=d("power_w", on),
            fuel=np.real(ev.fuel_kg_s) * on,
            d_fuel=d("fuel_kg_s", on),
            cap=np.real(ev.flow_cap_kg_s),
            d_cap=d("flow_cap_kg_s", np.ones(len(on))),
            margin=np.real(ev.head_margin),
            d_margin=d("head_margin", np.ones(len(on))),
            ev=ev,
        )
        self._cache = (q_st.copy(), ps.copy(), pd.copy(), out, derivatives)
        return out
