"""Which configuration a station runs: the one it is told, else the cheapest that can do the job.

The rule, applied at an operating point (throughput, suction pressure, and the discharge pressure the station
is asked for): among the station's configurations that can make the head (every unit's head margin >= 0) and
pass the flow (throughput <= flow capacity), the one with the least driver energy (fuel, or electricity);
ties go to fewer units, then to the configuration listed first. When none can, the one that comes closest:
the largest head margin if none can make the head, else the largest flow capacity (ties: more units). The rule
depends on the operating point only, never on the configuration run before, so the answer does not depend on
the path the solver took.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .station import StationEval, SuctionGas, evaluate
from .units import CompiledStations

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
TOL = 1e-9


@dataclass(frozen=True)
class Choice:
    """The configuration chosen per station, and whether it can do the job at the point it was chosen."""

    config: I64
    feasible: NDArray[np.bool_]


def all_candidates(cs: CompiledStations) -> tuple[I64, I64]:
    """(station, configuration) of every candidate slot, station by station."""
    st: list[int] = []
    cf: list[int] = []
    for s in range(len(cs)):
        for c in cs.candidates(s):
            st.append(s)
            cf.append(c)
    return np.array(st, dtype=np.int64), np.array(cf, dtype=np.int64)


def feasible(ev: StationEval) -> NDArray[np.bool_]:
    return np.asarray((np.real(ev.head_margin) >= -TOL) & (np.real(ev.over_capacity) <= 1.0 + 1e-7))


def choose(cs: CompiledStations, gas: SuctionGas, m: F64, ps: F64, pd: F64) -> Choice:
    """The configuration of every station at throughputs m [kg/s] and pressures ps, pd [Pa] (per station)."""
    slot_st, slot_cf = all_candidates(cs)
    ev = evaluate(cs, gas, slot_st, slot_cf, m[slot_st], ps[slot_st], pd[slot_st])
    ok = feasible(ev)
    n_units = np.bincount(cs.configs.pair_config, minlength=len(cs.configs))[slot_cf]
    energy = np.real(ev.energy_w)
    margin = np.real(ev.head_margin)
    cap = np.real(ev.flow_cap_kg_s)
    n_st = len(cs)
    any_ok = np.bincount(slot_st, weights=ok.astype(float), minlength=n_st) > 0
    all_neg = np.bincount(slot_st, weights=(margin >= -TOL).astype(float), minlength=n_st) == 0
    score = np.where(
        any_ok[slot_st],
        np.where(ok, energy, np.inf),
        np.where(all_neg[slot_st], -margin, np.where(margin >= -TOL, -cap, np.inf)),
    )
    second = np.where(any_ok[slot_st], n_units, -n_units)  # ties: fewer units, or (none fits) more units
    order = np.lexsort((slot_cf, second, score, slot_st))
    first = np.ones(len(order), dtype=bool)
    first[1:] = slot_st[order][1:] != slot_st[order][:-1]
    best = order[first]
    return Choice(slot_cf[best].astype(np.int64), any_ok)


def most_capable(cs: CompiledStations, gas: SuctionGas, m: F64, ps: F64, pd: F64) -> tuple[I64, F64, F64]:
    """Per station, the configuration that passes the most gas at these pressures among those that can make the
    head (any, when none can), with its flow capacity; and the flow capacity of every station's first choice."""
    slot_st, slot_cf = all_candidates(cs)
    ev = evaluate(cs, gas, slot_st, slot_cf, m[slot_st], ps[slot_st], pd[slot_st])
    cap = np.real(ev.flow_cap_kg_s)
    usable = np.real(ev.head_margin) >= -TOL
    score = np.where(usable, -cap, np.inf)
    order = np.lexsort((slot_cf, score, slot_st))
    first = np.ones(len(order), dtype=bool)
    first[1:] = slot_st[order][1:] != slot_st[order][:-1]
    best = order[first]
    return slot_cf[best].astype(np.int64), cap[best], usable[best].astype(float)


def largest_ratio(cs: CompiledStations, gas: SuctionGas, ps: F64) -> F64:
    """Per station, the largest pressure ratio any of its configurations reaches at suction pressures ps [Pa]:
    every stage at the most head its weakest unit makes (turbo: surge at maximum speed; piston: its ratio
    limit), stages multiplied. An upper bound (drivers' power and piston torque are left out)."""
    from ..units import R_J_PER_MOL_K

    cf, un = cs.configs, cs.units
    st = cs.configs.station[cf.pair_config]
    x = (gas.kappa[st] - 1.0) / gas.kappa[st]
    z, _ = gas.z(ps[st], gas.t_k[st], st)
    rt = z * R_J_PER_MOL_K * gas.t_k[st] / gas.molar_mass[st]
    u = cf.pair_unit
    r_turbo = (1.0 + x * un.h_sx[u] / rt) ** (1.0 / x)
    r_unit = np.where(un.kind[u] == 0, r_turbo, un.ratio_max[u])
    n_c = len(cf)
    stage_r = np.full((n_c, int(cf.n_stages.max(initial=1))), np.inf)
    np.minimum.at(stage_r, (cf.pair_config, cf.pair_stage), r_unit)
    stage_r[~np.isfinite(stage_r)] = 1.0
    conf_r = np.prod(stage_r, axis=1)
    out = np.ones(len(cs))
    for s in range(len(cs)):
        c = cs.candidates(s)
        out[s] = float(np.max(conf_r[c])) if c else 1.0
    return out
