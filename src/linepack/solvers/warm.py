"""Warm start of the steady-state solve from a related solution (another scenario or case of the network).

Used by :func:`linepack.solvers.steady.solve_steady` when it is given ``initial``: the related solution's
pressures, flows and supplies, and its control modes and active bounds, mapped onto the network being
solved by component id.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode, RegMode
from ..results import SteadyResult
from .equations import ControlState, SourceBound

F64 = NDArray[np.float64]


def warm_start(cn: CompiledNetwork, state: ControlState, initial: SteadyResult) -> tuple[F64, F64, F64]:
    """Pressures, flows and pressure-held supplies of ``initial`` mapped onto ``cn`` by component id.

    ``initial`` may come from another compiled form of the same network (another scenario or an outage
    case): nodes it does not have start at its highest pressure, edges and sources it does not have at zero.
    """
    base = initial.network

    def take(ids: tuple[str, ...], base_ids: tuple[str, ...], values: F64, fill: float) -> F64:
        if ids == base_ids:
            return np.array(values, dtype=float)
        pos = {k: i for i, k in enumerate(base_ids)}
        idx = np.array([pos.get(k, -1) for k in ids], dtype=np.int64)
        out = np.full(len(ids), fill)
        hit = idx >= 0
        out[hit] = values[idx[hit]]
        return out

    p = take(cn.node_ids, base.node_ids, initial.p_pa, float(np.max(initial.p_pa)))
    q = take(cn.edge_ids, base.edge_ids, initial.q_kg_s, 0.0)
    supply = take(cn.source_ids, base.source_ids, initial.source_supply_kg_s, 0.0)
    return p, q, supply[state.src_pressure]


def _id_map(ids: tuple[str, ...], base_ids: tuple[str, ...]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Positions ``(here, there)`` of the ids present in both tuples."""
    pos = {k: i for i, k in enumerate(base_ids)}
    pairs = [(i, pos[k]) for i, k in enumerate(ids) if k in pos]
    arr = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    return arr[:, 0], arr[:, 1]


def warm_state(cn: CompiledNetwork, initial: SteadyResult) -> ControlState:
    """The control state of ``cn`` with the modes and active bounds of ``initial`` carried over by id.

    Targets are recomputed from ``cn`` (its set-points and limits may differ from those of ``initial``);
    the active-set rules then confirm or release every carried bound as from a cold start.
    """
    state = ControlState.initial(cn)
    warm = initial.control
    if not isinstance(warm, ControlState):
        return state
    base = initial.network
    cm, ct = state.comp_mode.copy(), state.comp_target.copy()
    here, there = _id_map(tuple(cn.edge_ids[e] for e in cn.comp_edge), tuple(base.edge_ids[e] for e in base.comp_edge))
    # a compressor this case bypasses or closes (the user's mode, or a station with no unit to run) keeps it
    keep = (cm[here] == CompMode.BYPASS) | (cm[here] == CompMode.OFF)
    here, there = here[~keep], there[~keep]
    m = warm.comp_mode[there]
    rev = state.reverse().copy()
    rev[here] = warm.reverse()[there]
    bound_target = {
        CompMode.PRESSURE: cn.comp_p_set_pa,
        CompMode.SUCTION: cn.comp_p_suction_set_pa,
        CompMode.RATIO: cn.comp_ratio_max,
        CompMode.POWER: cn.comp_power_max_w,
        CompMode.FLOW: cn.comp_flow_max,
    }
    moved = m != cm[here]
    cm[here] = m
    for mode, values in bound_target.items():
        sel = here[moved & (m == mode)]
        ct[sel] = values[sel]
    ct[here[moved & ((m == CompMode.BYPASS) | (m == CompMode.OFF))]] = 0.0
    ct[here[moved & ((m == CompMode.MAP_FLOW) | (m == CompMode.MAP_HEAD))]] = 0.0  # the units' limits: no target
    rm, rt = state.reg_mode.copy(), state.reg_target.copy()
    here, there = _id_map(tuple(cn.edge_ids[e] for e in cn.reg_edge), tuple(base.edge_ids[e] for e in base.reg_edge))
    m = warm.reg_mode[there]
    moved = m != rm[here]
    rm[here] = m
    rt[here[moved & (m == RegMode.PRESSURE)]] = cn.reg_p_set_pa[here[moved & (m == RegMode.PRESSURE)]]
    rt[here[moved & (m == RegMode.FLOW)]] = cn.reg_flow_max[here[moved & (m == RegMode.FLOW)]]
    rt[here[moved & ((m == RegMode.OPEN) | (m == RegMode.CLOSED))]] = 0.0
    sp_, si = state.src_pressure.copy(), state.src_inflow.copy()
    pt, sb = state.src_p_target.copy(), state.src_bound.copy()
    here, there = _id_map(cn.source_ids, base.source_ids)
    b = warm.src_bound[there]
    sb[here] = b
    cap = here[b == SourceBound.CAPACITY]
    sp_[cap], si[cap] = False, cn.source_capacity[cap]
    shut = here[b == SourceBound.SHUT_IN]
    sp_[shut], si[shut] = False, 0.0
    lim = here[b == SourceBound.PRESSURE_LIMIT]
    sp_[lim], si[lim], pt[lim] = True, 0.0, cn.source_p_max_pa[lim]
    # a carried bound must make sense for this case (e.g. a capacity that is now finite)
    bad = (cap[~np.isfinite(cn.source_capacity[cap])], lim[~np.isfinite(cn.source_p_max_pa[lim])])
    if any(len(x) for x in bad):
        return state
    return ControlState(cm, ct, rm, rt, sp_, si, pt, sb, rev, _warm_configs(cn, initial, state))


def _warm_configs(cn: CompiledNetwork, initial: SteadyResult, state: ControlState) -> NDArray[np.int64] | None:
    """The configuration each station with units ran in ``initial``, carried over by station and configuration id
    where this network has it (an outage may have removed it: then the initial choice)."""
    cs, base = cn.stations, initial.network.stations
    if cs is None:
        return None
    out = state.configs(cn).copy()
    warm = getattr(initial.control, "station_config", None)
    if base is None or warm is None:
        return out
    ran = {base.ids[s]: base.configs.ids[int(c)] for s, c in enumerate(warm)}
    for s, sid in enumerate(cs.ids):
        want = ran.get(sid)
        for c in cs.candidates(s):
            if cs.configs.ids[c] == want:
                out[s] = c
    return out
