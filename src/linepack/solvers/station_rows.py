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
from ..quality.properties import GasProps
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
    cap: F64  # the row's capacity (with the slope where the capacity does not move with the head)
    d_cap: tuple[F64, F64, F64]
    capacity: F64  # the units' flow capacity itself
    margin: F64
    d_margin: tuple[F64, F64, F64]
    ev: StationEval


class StationRows:
    """The station terms of one control state (its configurations fixed), cached per point."""

    def __init__(self, cn: CompiledNetwork, comp_mode: I64, configs: I64, props: GasProps | None = None) -> None:
        cs = cn.stations
        assert cs is not None
        self.cn, self.cs = cn, cs
        self.k = cs.comp_k  # compressor positions of the stations
        self.configs = np.asarray(configs, dtype=np.int64)
        mode = np.asarray(comp_mode)[self.k]
        self.on = (mode != CompMode.BYPASS) & (mode != CompMode.OFF)
        self.at_limit = (mode == CompMode.MAP_FLOW) | (mode == CompMode.MAP_HEAD)  # their rows need the limits
        # held at their drivers' full power while the solver recovers from a failed iterate (solvers.bounds):
        # their power equation is the one-machine law (monotone in the flow), not the map's
        user = cn.comp_mode[self.k]
        self.rescue = (mode == CompMode.POWER) & (user != CompMode.POWER) & ~np.isfinite(cn.comp_power_max_w[self.k])
        self.gas = suction_gas(cn, props)  # each station's own suction gas when the network's gases mix
        self._cache: dict[tuple[bool, bool], tuple[bytes, StationTerms]] = {}

    def terms(self, q_st: F64, ps: F64, pd: F64, derivatives: bool = True, limits: bool = False) -> StationTerms:
        """Values (with ``derivatives``, also their exact derivatives; zeros without) at station flows ``q_st``
        and suction/discharge pressures (per station). Capacity and head margin include the drivers' power
        limits for the stations at a map limit, or for all with ``limits``."""
        point = q_st.tobytes() + ps.tobytes() + pd.tobytes()  # the same point, bit for bit
        for key in ((derivatives, limits), (True, limits)) if not derivatives else ((True, limits),):
            c = self._cache.get(key)
            if c is not None and c[0] == point:
                return c[1]
        S = len(self.cs)
        mask = np.ones(S, dtype=bool) if limits else self.at_limit
        if derivatives:
            # one evaluation of three copies, each stepped in one input: real parts are the values (exact to
            # O(h^2)), imaginary parts / h the derivatives
            h = 1j * STEP
            slots = np.tile(np.arange(S), 3)
            ev = evaluate(
                self.cs,
                self.gas,
                slots,
                np.tile(self.configs, 3),
                np.concatenate([q_st + h, q_st, q_st]),
                np.concatenate([ps, ps + h, ps]),
                np.concatenate([pd, pd, pd + h]),
                np.tile(mask, 3),
            )
        else:
            ev = evaluate(self.cs, self.gas, np.arange(S), self.configs, q_st, ps, pd, mask)
        on = self.on.astype(float)
        zero = np.zeros(S)

        def val(name: str) -> F64:
            return np.real(getattr(ev, name)[:S])

        def d(name: str, m: F64) -> tuple[F64, F64, F64]:
            if not derivatives:
                return zero, zero, zero
            v = np.imag(getattr(ev, name)) / STEP
            return v[:S] * m, v[S : 2 * S] * m, v[2 * S :] * m

        ones = np.ones(S)
        out = StationTerms(
            power=val("power_w") * on,
            d_power=d("power_w", on),
            fuel=val("fuel_kg_s") * on,
            d_fuel=d("fuel_kg_s", on),
            cap=val("flow_cap_row_kg_s"),
            d_cap=d("flow_cap_row_kg_s", ones),
            capacity=val("flow_cap_kg_s"),
            margin=val("head_margin"),
            d_margin=d("head_margin", ones),
            ev=ev,
        )
        self._cache[(derivatives, limits)] = (point, out)
        return out
