"""Control rules and texts of compressor stations with units: configuration choice, map limits, recycle.

* Limits: a running station whose units cannot make its head at all goes to ``MAP_HEAD`` (the most head they
  make); one asked for more flow than its units pass at its pressures goes to ``MAP_FLOW`` (maximum speed, the
  choke end or the drivers' power); either is released, like the other limits, when the discharge rises above
  the set-point. A station below its units' smallest flow recycles through its anti-surge valves: no limit of
  the network, only more power, and it is reported.
* Configuration: a station told nothing runs the configuration :func:`linepack.stations.choice.choose` gives at
  its flow, suction pressure and the discharge pressure it is asked for (its set-point while it holds or is
  limited below it).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode
from ..quality.properties import GasProps
from ..stations.choice import choose, feasible, most_capable
from ..stations.drivers import available_power_w
from ..stations.points import LIMIT_TEXT, running, station_ends, suction_gas, unit_points
from ..stations.station import evaluate
from ..units import BAR_PA
from .equations import ControlState

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
MAP_MODES = (CompMode.MAP_FLOW, CompMode.MAP_HEAD)


def _barg(cn: CompiledNetwork, p_pa: float) -> str:
    return f"{(p_pa - cn.ambient_pa) / BAR_PA:.1f} barg"


def full_driver_power(cn: CompiledNetwork, configs: I64) -> F64:
    """The power [W] the drivers of each station's configuration deliver at their units' maximum speed."""
    cs = cn.stations
    assert cs is not None
    cf, un = cs.configs, cs.units
    sel = np.isin(cf.pair_config, configs)
    u = cf.pair_unit[sel]
    p = np.real(available_power_w(un.power_w[u], un.n_max[u]))
    return np.bincount(cf.station[cf.pair_config[sel]], weights=p, minlength=len(cs)).astype(float)


def chosen_configs(
    cn: CompiledNetwork, state: ControlState, p: F64, q: F64, how: str = "rule", props: GasProps | None = None
) -> tuple[I64, NDArray[np.bool_]]:
    """Each station's configuration at this point, and whether it can do the job there.

    Only stations that run, are told nothing and pass gas forward may change. ``how``: ``rule`` (the rule of
    :mod:`linepack.stations.choice`); ``grow`` (only a station whose present configuration cannot do the job
    changes, by the rule: used while other elements still change, so that stations shed units last);
    ``rescue`` (a failed Newton iterate: only a station whose configuration cannot do the job changes, to the
    one that passes the most gas, which moves it off a limit instead of onto one). ``props``: the gas of every
    compressor when the network's gases mix (each station then runs on its own suction gas)."""
    cs = cn.stations
    assert cs is not None
    m, ps, pd = station_ends(cn, p, q, state.reverse())
    mode = state.comp_mode[cs.comp_k]
    user = cn.comp_mode[cs.comp_k]
    held = (user == CompMode.PRESSURE) & ((mode == CompMode.PRESSURE) | np.isin(mode, MAP_MODES))
    pd = np.where(held & ~state.reverse()[cs.comp_k], cn.comp_p_set_pa[cs.comp_k], pd)
    free = (cs.fixed_config < 0) & running(cn, state.comp_mode) & (m > 0)
    if not np.any(free):
        return state.configs(cn), free
    gas = suction_gas(cn, props)
    current = state.configs(cn)
    if how != "rule":
        now = evaluate(cs, gas, np.arange(len(cs)), current, m, ps, pd)
        free &= ~feasible(now)
    if how == "rescue":
        big, big_cap, big_ok = most_capable(cs, gas, m, ps, pd)
        free &= (big_ok > 0) & (big_cap > np.real(now.flow_cap_kg_s) * (1 + 1e-6))
        return np.where(free, big, current), free
    choice = choose(cs, gas, m, ps, pd)
    return np.where(free, choice.config, current), free & choice.feasible


def station_bound_texts(
    cn: CompiledNetwork, state: ControlState, p: F64, q: F64, props: GasProps | None = None
) -> list[str]:
    """What limits each station with units at a solution: its map limit (naming what binds each unit), and the
    gas its anti-surge valves recycle."""
    cs = cn.stations
    if cs is None:
        return []
    pts = unit_points(cn, p, q, state.comp_mode, state.configs(cn), state.reverse(), props)
    assert pts is not None
    m_st, _, pd_st = station_ends(cn, p, q, state.reverse())
    out: list[str] = []
    for s, sid in enumerate(cs.ids):
        k = int(cs.comp_k[s])
        units = np.flatnonzero(cs.units.station == s)
        run = [u for u in units if pts.stage[u] > 0]
        if not run:
            continue
        conf = pts.configuration[run[0]]
        mode = state.comp_mode[k]
        if mode in MAP_MODES:
            what = {
                CompMode.MAP_FLOW: "at the flow capacity of its units",
                CompMode.MAP_HEAD: "at the most head its units make",
            }[CompMode(mode)]
            why = "; ".join(
                f"{pts.unit_ids[u]} at {pts.limit[u]} ({pts.power_mw[u]:.2f} of {pts.power_avail_mw[u]:.2f} MW, "
                f"{pts.speed_rpm[u]:.0f}/min)"
                for u in run
            )
            tail = ""
            if cn.comp_mode[k] == CompMode.PRESSURE:
                tail = (
                    f"; discharge {_barg(cn, float(pd_st[s]))} below its set-point "
                    f"{_barg(cn, float(cn.comp_p_set_pa[k]))}"
                )
            out.append(f"{sid} {what} ({conf}, {cs.ambient_c[s]:.0f} C): {why}{tail}")
        rec = float(np.nansum(pts.recycle_kg_s[run]))
        if rec > 1e-6 * max(float(m_st[s]), 1e-9):
            names = ", ".join(pts.unit_ids[u] for u in run if pts.recycle_kg_s[u] > 0)
            out.append(
                f"{sid} recycles {rec:.1f} kg/s through its anti-surge valves ({names} at the surge line; the station "
                f"passes {float(m_st[s]):.1f} kg/s)"
            )
    return out


def capacity_problems(
    cn: CompiledNetwork, state: ControlState, p: F64, q: F64, props: GasProps | None = None
) -> list[str]:
    """At a failed iterate: stations with units asked for more gas than any of their configurations passes at
    their suction pressure (at no head at all: the most they pass), naming what limits the best one."""
    cs = cn.stations
    if cs is None:
        return []
    on = running(cn, state.comp_mode)
    m, ps, _ = station_ends(cn, p, q, state.reverse())
    gas = suction_gas(cn, props)
    best, cap, _ = most_capable(cs, gas, m, ps, ps * (1.0 + 1e-9))
    out = []
    for s in np.flatnonzero(on & (m > cap * (1.0 + 1e-6)) & (ps > 0)):
        ev = evaluate(cs, gas, np.array([s]), best[s : s + 1], m[s : s + 1], ps[s : s + 1], ps[s : s + 1] * (1 + 1e-9))
        why = sorted({LIMIT_TEXT[int(c)] for c in ev.hi_code})
        out.append(
            f"{cs.ids[s]} cannot pass the {m[s]:.1f} kg/s asked of it: its units pass at most {cap[s]:.1f} kg/s at a "
            f"suction of {_barg(cn, float(ps[s]))} ({cs.configs.ids[int(best[s])]}, limited by {', '.join(why)}); "
            "lower the demand behind it or raise its suction pressure"
        )
    return out


def beyond_capacity(
    cn: CompiledNetwork, state: ControlState, p: F64, q: F64, props: GasProps | None = None
) -> list[str]:
    """At a converged solution: stations held at their units' flow capacity whose row was met only by the slope
    it takes where the capacity does not move with the head (:func:`linepack.stations.envelope.envelope`): they
    pass more than their units can; the texts say so (empty when there is none)."""
    cs = cn.stations
    if cs is None:
        return []
    k = cs.comp_k
    at = np.flatnonzero(state.comp_mode[k] == CompMode.MAP_FLOW)
    if not len(at):
        return []
    m_all, ps_all, pd_all = station_ends(cn, p, q, state.reverse())
    m, ps, pd = m_all[at], ps_all[at], pd_all[at]
    ev = evaluate(cs, suction_gas(cn, props), at, state.configs(cn)[at], m, ps, pd)
    cap = np.real(ev.flow_cap_kg_s)
    bad = m > cap * (1.0 + 1e-6)
    if not np.any(bad):
        return []
    texts = capacity_problems(cn, state, p, q, props)
    if texts:
        return texts
    return [
        f"{cs.ids[s]} cannot pass the {m[i]:.1f} kg/s asked of it: its units "
        f"({cs.configs.ids[int(ev.slot_config[i])]}) pass at most {cap[i]:.1f} kg/s at a suction of "
        f"{_barg(cn, float(ps[i]))}"
        for i, s in enumerate(at)
        if bad[i]
    ]
