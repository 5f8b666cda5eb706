"""Pressure limits of every node, with the component that sets each (for bounds and binding-constraint texts)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, RegMode
from ..errors import InfeasibleError
from ..units import BAR_PA

F64 = NDArray[np.float64]
P_FLOOR_PA = 1.0e5  # absolute pressure floor where no bound is given (1 bar a)


@dataclass(frozen=True)
class NodeLimits:
    """Lower and upper pressure [Pa, absolute] of every node and the reason for each."""

    lo_pa: F64
    hi_pa: F64
    lo_why: tuple[str, ...]
    hi_why: tuple[str, ...]


def _barg(cn: CompiledNetwork, p_pa: float) -> str:
    return f"{(p_pa - cn.ambient_pa) / BAR_PA:.2f} barg"


def node_limits(cn: CompiledNetwork, regulator_setpoint_caps: bool = True) -> NodeLimits:
    """Tightest pressure limits at each node: node bounds, delivery minima, compressor suction minima, pipe
    MAOP, source send-out pressures and (optionally) regulator set-points. Raises when a node's limits cross."""
    n = cn.n_nodes
    lo = np.full(n, P_FLOOR_PA)
    hi = np.full(n, np.inf)
    lo_why = ["absolute pressure floor 1 bar a"] * n
    hi_why = [""] * n

    def tighten_lo(nodes: NDArray[np.int64], vals: F64, why: list[str]) -> None:
        for i, v, w in zip(nodes, vals, why, strict=True):
            if np.isfinite(v) and v > lo[i]:
                lo[i], lo_why[i] = v, w

    def tighten_hi(nodes: NDArray[np.int64], vals: F64, why: list[str]) -> None:
        for i, v, w in zip(nodes, vals, why, strict=True):
            if np.isfinite(v) and v < hi[i]:
                hi[i], hi_why[i] = v, w

    ids = cn.node_ids
    tighten_lo(np.arange(n), cn.p_min_pa, [f"node {i} minimum pressure" for i in ids])
    tighten_hi(np.arange(n), cn.p_max_pa, [f"node {i} maximum pressure" for i in ids])
    tighten_lo(cn.sink_node, cn.sink_p_min_pa, [f"delivery {s} minimum pressure" for s in cn.sink_ids])
    ce = cn.comp_edge
    tighten_lo(cn.edge_from[ce], cn.comp_p_suction_min_pa, [f"compressor {cn.edge_ids[e]} minimum suction" for e in ce])
    e = cn.res_edge
    maop_why = [f"pipe {cn.edge_ids[k]} MAOP" for k in e]
    tighten_hi(cn.edge_from[e], cn.maop_pa, maop_why)
    tighten_hi(cn.edge_to[e], cn.maop_pa, maop_why)
    held = cn.source_is_pressure
    cap = np.where(held, cn.source_p_set_pa, cn.source_p_max_pa)
    tighten_hi(
        cn.source_node,
        cap,
        [
            f"source {s} {'send-out set-point' if h else 'maximum send-out pressure'}"
            for s, h in zip(cn.source_ids, held, strict=True)
        ],
    )
    if regulator_setpoint_caps:
        sel = cn.reg_mode == RegMode.PRESSURE
        r = cn.reg_edge[sel]
        tighten_hi(cn.edge_to[r], cn.reg_p_set_pa[sel], [f"regulator {cn.edge_ids[k]} set-point" for k in r])
    bad = np.flatnonzero(lo > hi * (1 + 1e-12))
    if len(bad):
        raise InfeasibleError(
            f"scenario {cn.scenario}: pressure limits cross",
            [f"node {ids[i]}: {lo_why[i]} {_barg(cn, lo[i])} above {hi_why[i]} {_barg(cn, hi[i])}" for i in bad],
        )
    return NodeLimits(lo, hi, tuple(lo_why), tuple(hi_why))
