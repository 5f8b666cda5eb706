"""Texts naming the bounds controlled elements sit on (the rules that put them there: :mod:`.active_set`)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode, RegMode
from ..quality.properties import GasProps
from ..units import BAR_PA
from ..violations import find_violations
from .equations import ControlState, SourceBound, user_comp_target
from .station_bounds import MAP_MODES, station_bound_texts

F64 = NDArray[np.float64]


def _fmt_bar(p_pa: float, cn: CompiledNetwork) -> str:
    return f"{(p_pa - cn.ambient_pa) / BAR_PA:.1f} barg"


def _held_text(cn: CompiledNetwork, user: int, target: float, ps: float, pd: float) -> str:
    """What a limited station falls short of: its own set-point."""
    if user == CompMode.PRESSURE:
        return f"discharge {_fmt_bar(pd, cn)} below its set-point {_fmt_bar(target, cn)}"
    if user == CompMode.SUCTION:
        return f"suction {_fmt_bar(ps, cn)} above its set-point {_fmt_bar(target, cn)}"
    if user == CompMode.RATIO:
        return f"ratio {pd / ps:.3f} below its set-point {target:.3f}"
    if user == CompMode.POWER:
        return f"below its power set-point {target / 1e6:.1f} MW"
    return f"below its flow set-point {target:.1f} kg/s"


def bound_texts(
    cn: CompiledNetwork,
    state: ControlState,
    p: F64,
    supply: F64 | None = None,
    q: F64 | None = None,
    props: GasProps | None = None,
) -> list[str]:
    """Texts of every bound in force; with the flows ``q``, stations with units first (their map limits,
    recycle; ``props``: the compressors' gas when the network's gases mix)."""
    out = [] if q is None else station_bound_texts(cn, state, p, q, props)
    ce = cn.comp_edge
    user_t = user_comp_target(cn)
    rev_all = state.reverse()
    for k, e in enumerate(ce):
        cid, m, user, t, rev = cn.edge_ids[e], state.comp_mode[k], cn.comp_mode[k], state.comp_target[k], rev_all[k]
        if (m == user and t == user_t[k] and not rev) or m in MAP_MODES:
            continue
        a, b = cn.edge_from[e], cn.edge_to[e]
        ps, pd = (p[b], p[a]) if rev else (p[a], p[b])
        held = _held_text(cn, int(user), float(user_t[k]), ps, pd)
        back = f" (compressing backwards, {cn.node_ids[b]} -> {cn.node_ids[a]})" if rev else ""
        if m == user and t == user_t[k]:
            out.append(f"{cid} compresses backwards, from {cn.node_ids[b]} to {cn.node_ids[a]}: the network draws "
                       "its gas that way (a bidirectional station)")  # fmt: skip
        elif m == CompMode.RATIO:
            out.append(f"{cid} at maximum ratio ({cn.comp_ratio_max[k]:.2f}){back}; {held}")
        elif m == CompMode.POWER:
            out.append(f"{cid} at maximum power ({cn.comp_power_max_w[k] / 1e6:.1f} MW){back}; {held}")
        elif m == CompMode.FLOW:
            out.append(f"{cid} at maximum flow ({cn.comp_flow_max[k]:.1f} kg/s){back}")
        elif m == CompMode.BYPASS:
            why = {
                int(CompMode.PRESSURE): f"suction {_fmt_bar(ps, cn)} is above its set-point {_fmt_bar(user_t[k], cn)}",
                int(CompMode.SUCTION): f"suction {_fmt_bar(ps, cn)} is below its set-point {_fmt_bar(user_t[k], cn)}",
                int(CompMode.FLOW): f"the flow is above its set-point {user_t[k]:.1f} kg/s without compression",
            }.get(int(user), "its set-point asks for no compression")
            out.append(f"{cid} in bypass{back}: {why}")
        elif m == CompMode.OFF:
            out.append(f"{cid} closed: the network would push gas backwards through it")
    for k, e in enumerate(cn.reg_edge):
        rid, m = cn.edge_ids[e], state.reg_mode[k]
        if m == cn.reg_mode[k]:
            continue
        pin = p[cn.edge_from[e]]
        if m == RegMode.OPEN and cn.reg_mode[k] == RegMode.FLOW:
            out.append(f"{rid} fully open: it cannot pass its flow set-point {cn.reg_flow_set[k]:.1f} kg/s")
        elif m == RegMode.OPEN:
            out.append(
                f"{rid} fully open: inlet {_fmt_bar(pin, cn)} is below its set-point {_fmt_bar(cn.reg_p_set_pa[k], cn)}"
            )
        elif m == RegMode.CLOSED:
            out.append(f"{rid} closed: flow would reverse")
        elif m == RegMode.FLOW:
            out.append(f"{rid} at maximum flow ({cn.reg_flow_max[k]:.1f} kg/s)")
    for k, sid in enumerate(cn.source_ids):
        b, basis, pn = state.src_bound[k], cn.source_basis[k], p[cn.source_node[k]]
        if b == SourceBound.CAPACITY:
            cap = cn.source_capacity[k]
            out.append(
                f"{sid} at capacity ({basis.kg_s_to_mmscfd(cap):.0f} MMSCFD, {cap:.1f} kg/s); "
                f"its pressure falls to {_fmt_bar(pn, cn)} (set-point {_fmt_bar(cn.source_p_set_pa[k], cn)})"
            )
        elif b == SourceBound.SHUT_IN:
            limit = cn.source_p_set_pa[k] if cn.source_is_pressure[k] else cn.source_p_max_pa[k]
            out.append(
                f"{sid} shut in: the network holds {_fmt_bar(pn, cn)} at {cn.node_ids[cn.source_node[k]]}, above "
                f"its send-out pressure {_fmt_bar(limit, cn)}, so it supplies nothing"
            )
        elif b == SourceBound.PRESSURE_LIMIT:
            nominal = basis.kg_s_to_mmscfd(cn.source_inflow[k])
            got = "less" if supply is None else f"{basis.kg_s_to_mmscfd(supply[k]):.0f} MMSCFD"
            out.append(
                f"{sid} limited by its maximum send-out pressure {_fmt_bar(cn.source_p_max_pa[k], cn)}: "
                f"it delivers {got} of its {nominal:.0f} MMSCFD"
            )
    return out


def violations(cn: CompiledNetwork, p: F64, supply: F64, state: ControlState) -> list[str]:
    """The texts of every violated limit (computed by :func:`linepack.violations.find_violations`)."""
    return [v.text for v in find_violations(cn, p, supply, state)]
