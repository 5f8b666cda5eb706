"""The optimiser's decisions as simulator settings, and the Newton cross-check.

:func:`settings_network` writes an optimum's control settings into a copy of the compiled network:
running compressors hold their optimal discharge pressure, idle ones are bypassed or closed, regulators
hold their optimal outlet pressure (or stand open or closed), pressure-held sources hold their optimal
send-out pressure, flow sources inject their optimal supply and sinks take what the optimum delivers.
:func:`newton_check` solves that network with :func:`linepack.solvers.steady.solve_steady` and measures how
far its pressures and flows are from the optimiser's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode, RegMode
from ..results import SteadyResult
from ..solvers.steady import SteadyOptions, _scales, solve_steady

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
    src_p = np.where(cn.source_is_pressure, p_pa[cn.source_node], cn.source_p_set_pa)
    inflow = np.where(cn.source_is_pressure, 0.0, supply_kg_s)
    return replace(
        cn,
        comp_mode=cm,
        comp_p_set_pa=pset,
        comp_ratio_set=ratio,
        reg_mode=rm,
        reg_p_set_pa=rset,
        source_p_set_pa=src_p,
        source_inflow=inflow,
        sink_demand=np.asarray(delivered_kg_s, dtype=float).copy(),
    )


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
    one method cannot be compared relatively. ``configs``: the configurations the stations with units ran
    (an optimum's ``station_configs``; None: the simulator chooses).
    """
    net = settings_network(cn, p_pa, q_kg_s, supply_kg_s, delivered_kg_s)
    if configs is not None and net.stations is not None:
        net = replace(net, stations=replace(net.stations, fixed_config=np.asarray(configs, dtype=np.int64)))
    res = solve_steady(net, options=SteadyOptions(tolerance=1e-12, viscosity_rel_tol=1e-12, max_outer=60))
    rp = np.abs(res.p_pa - p_pa) / np.abs(p_pa)
    floor = flow_floor * max(float(np.sum(delivered_kg_s)), 1e-3)
    rq = np.abs(res.q_kg_s - q_kg_s) / np.maximum(np.abs(q_kg_s), floor)
    return CrossCheck(
        res,
        float(rp.max(initial=0.0)),
        float(rq.max(initial=0.0)),
        floor,
        cn.node_ids[int(np.argmax(rp))] if len(rp) else "",
        cn.edge_ids[int(np.argmax(rq))] if len(rq) else "",
    )
