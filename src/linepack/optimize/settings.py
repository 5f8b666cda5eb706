"""The optimiser's decisions as simulator settings, and the Newton cross-check.

:func:`settings_network` writes an optimum's control settings into a copy of the compiled network:
running compressors hold their optimal discharge pressure, idle ones are bypassed or closed, regulators
hold their optimal outlet pressure (or stand open or closed), pressure-held sources hold their optimal
send-out pressure, flow sources inject their optimal supply and sinks take what the optimum delivers. In an
island whose every source is flow-controlled (the optimiser set its pressure level), the largest source
holds the optimum's pressure for the simulator.
:func:`newton_check` solves that network with :func:`linepack.solvers.steady.solve_steady` and measures how
far its pressures and flows are from the optimiser's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode, RegMode
from ..results import SteadyResult
from ..solvers.diagnostics import islands
from ..solvers.equations import ControlState
from ..solvers.steady import SteadyOptions, _scales, solve_steady
from ..units import BAR_PA

F64 = NDArray[np.float64]
IDLE_FLOW = 1e-9  # flow below this fraction of the reference flow counts as none
AT_RATIO_ONE = 1e-9  # discharge within this fraction of suction counts as no compression


def settings_network(
    cn: CompiledNetwork, p_pa: F64, q_kg_s: F64, supply_kg_s: F64, delivered_kg_s: F64
) -> CompiledNetwork:
    """A copy of ``cn`` whose controls hold the state (``p_pa``, ``q_kg_s``, supplies, deliveries)."""
    m_ref = max(float(np.sum(delivered_kg_s)), 1e-3)
    ce, ef, et = cn.comp_edge, cn.edge_from, cn.edge_to
    cm = cn.comp_mode.copy()
    pset = cn.comp_p_set_pa.copy()
    free = np.isin(cm, (CompMode.PRESSURE, CompMode.RATIO, CompMode.POWER))
    ps, pd, qc = p_pa[ef[ce]], p_pa[et[ce]], q_kg_s[ce]
    idle = free & (qc < IDLE_FLOW * m_ref) & (pd > ps * (1 + AT_RATIO_ONE))
    # running stations hold the optimal ratio. A station at ratio 1 (within the optimiser's tolerance, so
    # 1 + O(1e-11)) holds that ratio too: a bypass (exactly 1) would move near-zero flows in loops. Ratio
    # control needs no droop between stations feeding one node, which pressure control does.
    bypass = free & ~idle & (pd < ps)
    if cn.stations is not None:  # a station with units at ratio 1 is bypassed (running, its units burn idle fuel)
        units = np.zeros(len(ce), dtype=bool)
        units[cn.stations.comp_k] = True
        bypass |= free & ~idle & units & (pd <= ps * (1 + AT_RATIO_ONE))
    run = free & ~idle & ~bypass
    cm[idle], cm[bypass], cm[run] = CompMode.OFF, CompMode.BYPASS, CompMode.RATIO
    ratio = cn.comp_ratio_set.copy()
    ratio[run] = pd[run] / ps[run]
    pset[run] = pd[run]
    re_ = cn.reg_edge
    rm = cn.reg_mode.copy()
    rset = cn.reg_p_set_pa.copy()
    freer = rm == RegMode.PRESSURE
    pin, pout, qr = p_pa[ef[re_]], p_pa[et[re_]], q_kg_s[re_]
    closed = freer & (qr < IDLE_FLOW * m_ref) & (pout < pin * (1 - AT_RATIO_ONE))
    opened = freer & ~closed & (pout >= pin * (1 - AT_RATIO_ONE))
    held = freer & ~closed & ~opened
    rm[closed], rm[opened] = RegMode.CLOSED, RegMode.OPEN
    rset[held] = pout[held]
    quality = cn.quality
    if quality is not None:
        # the sinks take the mass the optimum delivers, the blending sources inject the supply it chose
        quality = replace(
            quality,
            sink_kind=np.zeros(len(cn.sink_ids), dtype=np.int64),
            source_share=np.full(len(cn.source_ids), np.nan),
        )
    held = cn.source_is_pressure.copy()
    absorbs = cn.source_absorbs.copy()
    out = replace(
        cn,
        comp_mode=cm,
        comp_p_set_pa=pset,
        comp_ratio_set=ratio,
        reg_mode=rm,
        reg_p_set_pa=rset,
        sink_demand=np.asarray(delivered_kg_s, dtype=float).copy(),
        quality=quality,
    )
    # an island whose sources are all flow-controlled has its pressure level set by the optimum alone: for the
    # simulator, its largest source holds the optimum's pressure there (and supplies what it supplied)
    _, labels = islands(out, ControlState.initial(out))
    for isl in np.unique(labels[cn.source_node[~held]]) if np.any(~held) else []:
        here = labels[cn.source_node] == isl
        if np.any(here & held):
            continue
        k = int(np.flatnonzero(here)[np.argmax(supply_kg_s[here])])
        held[k], absorbs[k] = True, True
    src_p = np.where(held, p_pa[cn.source_node], cn.source_p_set_pa)
    inflow = np.where(held, 0.0, supply_kg_s)
    return replace(out, source_is_pressure=held, source_absorbs=absorbs, source_p_set_pa=src_p, source_inflow=inflow)


def newton_scales(cn: CompiledNetwork) -> tuple[float, float]:
    """The simulator's reference pressure [Pa] and flow [kg/s] for ``cn`` (they set its tie resistance)."""
    return _scales(cn)


@dataclass(frozen=True)
class CrossCheck:
    """Newton run with the optimiser's settings against the optimiser's own state."""

    steady: SteadyResult
    max_rel_pressure: float  # max |p_newton - p_opt| / p_opt over nodes
    max_rel_flow: float  # max |q_newton - q_opt| / max(|q_opt|, flow floor) over edges
    flow_floor_kg_s: float
    worst_node: str
    worst_edge: str
    max_rel_supply: float = 0.0  # the same over the sources' supplies
    note: str = ""  # when the simulator's own start ends elsewhere and the check was repeated from the optimum


def newton_check(
    cn: CompiledNetwork,
    p_pa: F64,
    q_kg_s: F64,
    supply_kg_s: F64,
    delivered_kg_s: F64,
    flow_floor: float = 1e-3,
    configs: NDArray[np.int64] | None = None,
) -> CrossCheck:
    """Solve the settings network by Newton (viscosity iterated to 1e-12) and compare.

    Flows are compared relative to ``max(|q|, flow_floor * total delivery)``: a flow that is zero in
    one method cannot be compared relatively. The solve starts from the simulator's own guess; where it ends
    elsewhere (settings that leave the state undetermined, e.g. every supply fixed and balanced, so that no
    pressure level is preferred), the check is repeated from the optimum itself, and ``note`` says whether the
    optimum is a steady state of the simulator's equations and control rules with these settings. ``configs``:
    the configurations the stations with units ran (an optimum's ``station_configs``; None: the simulator
    chooses).
    """
    net = settings_network(cn, p_pa, q_kg_s, supply_kg_s, delivered_kg_s)
    if configs is not None and net.stations is not None:
        net = replace(net, stations=replace(net.stations, fixed_config=np.asarray(configs, dtype=np.int64)))
    # pressure-held sources hold the optimum's pressure uncapped: an optimum that puts one exactly at its
    # capacity (or at zero, after an outage) is then not moved off it by the last digit of the check; what
    # they supply is compared with the optimum's supply below instead
    net = replace(net, source_capacity=np.where(net.source_is_pressure, np.inf, net.source_capacity))
    opts = SteadyOptions(tolerance=1e-12, viscosity_rel_tol=1e-12, max_outer=60)
    check = _compare(cn, solve_steady(net, options=opts), p_pa, q_kg_s, supply_kg_s, delivered_kg_s, flow_floor)
    if max(check.max_rel_pressure, check.max_rel_flow, check.max_rel_supply) <= 1e-6:
        return check
    start = SimpleNamespace(
        network=net, p_pa=p_pa, q_kg_s=q_kg_s, source_supply_kg_s=supply_kg_s, control=ControlState.initial(net)
    )
    warm = _compare(cn, solve_steady(net, options=opts, initial=cast(Any, start)), p_pa, q_kg_s, supply_kg_s,
                    delivered_kg_s, flow_floor)  # fmt: skip
    if max(warm.max_rel_pressure, warm.max_rel_flow, warm.max_rel_supply) > 1e-6:
        return check
    i = cn.node_ids.index(check.worst_node) if check.worst_node else 0
    j = check.steady.network.node_ids.index(check.worst_node) if check.worst_node else 0
    there, here = check.steady.p_barg[j], (p_pa[i] - cn.ambient_pa) / BAR_PA
    return replace(
        warm,
        note=(
            f"the simulator's own start ends in another steady state with the same settings ({check.worst_node} "
            f"at {there:.1f} barg instead of {here:.1f}): these settings leave the state undetermined; started "
            "from the optimum, the simulator confirms the optimum as a steady state"
        ),
    )


def _compare(
    cn: CompiledNetwork, res: SteadyResult, p_pa: F64, q_kg_s: F64, supply_kg_s: F64, delivered_kg_s: F64,
    flow_floor: float,
) -> CrossCheck:  # fmt: skip
    # the simulator leaves out parts that no supply reaches and that have no demand (a sink fully shed at the
    # end of a line): those carry no gas, their pressure is free, and they are compared by what is left
    rn = res.network
    i, e, k = positions(cn.node_ids, rn.node_ids), positions(cn.edge_ids, rn.edge_ids), positions(
        cn.source_ids, rn.source_ids
    )
    rp = np.abs(res.p_pa - p_pa[i]) / np.abs(p_pa[i])
    floor = flow_floor * max(float(np.sum(delivered_kg_s)), 1e-3)
    rq = np.abs(res.q_kg_s - q_kg_s[e]) / np.maximum(np.abs(q_kg_s[e]), floor)
    rs = np.abs(res.source_supply_kg_s - supply_kg_s[k]) / np.maximum(np.abs(supply_kg_s[k]), floor)
    return CrossCheck(
        res,
        float(rp.max(initial=0.0)),
        float(rq.max(initial=0.0)),
        floor,
        rn.node_ids[int(np.argmax(rp))] if len(rp) else "",
        rn.edge_ids[int(np.argmax(rq))] if len(rq) else "",
        float(rs.max(initial=0.0)),
    )


def positions(ids: Sequence[str], kept: Sequence[str]) -> NDArray[np.intp]:
    """Where each of ``kept`` sits in ``ids``."""
    where = {x: j for j, x in enumerate(ids)}
    return np.array([where[x] for x in kept], dtype=np.intp)
