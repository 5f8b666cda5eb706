"""Limits a steady state violates, with a tolerance: the one check that run, studies, the web page and the
optimiser's verification all use, so that the same state is judged the same way everywhere.

A state that sits *on* a limit (an optimum on a pressure bound, re-solved by the simulator; a station at its
maximum discharge) is within the numbers' own accuracy of it, a few 1e-7 bar either way. Such a state is
not a violation: a pressure counts as violating only when it is beyond its limit by more than
``LIMIT_TOLERANCE_BAR`` (1e-4 bar = 10 Pa: far below any gauge, far above the solvers' accuracy), a flow
only when beyond by more than ``FLOW_TOLERANCE_KG_S``.

>>> LIMIT_TOLERANCE_BAR
0.0001
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .compile import CompiledNetwork
from .units import BAR_PA

F64 = NDArray[np.float64]

LIMIT_TOLERANCE_BAR = 1e-4  # a pressure beyond its limit by less than this is on the limit, not over it
FLOW_TOLERANCE_KG_S = 1e-6  # the same for flows (a source taking back less than this takes back nothing)


@dataclass(frozen=True)
class Violation:
    """One limit a state violates.

    ``kind``: ``node_min``, ``node_max``, ``delivery_min``, ``maop``, ``send_out`` (a flow source that must
    deliver against more than its maximum send-out pressure), ``absorbs`` (a source taking gas back that it
    cannot take) or ``suction_min``. ``element`` is the id of the node, sink, pipe, source or compressor;
    ``value``, ``limit`` and ``excess`` (> 0, how far beyond) are in ``unit`` (barg, or kg/s for ``absorbs``).
    """

    kind: str
    element: str
    value: float
    limit: float
    excess: float
    unit: str
    text: str


def _barg(p_pa: float, cn: CompiledNetwork) -> float:
    return (p_pa - cn.ambient_pa) / BAR_PA


def check_limits(
    cn: CompiledNetwork,
    p_pa: F64,
    supply_kg_s: F64 | None = None,
    control: Any = None,
    tolerance_bar: float = LIMIT_TOLERANCE_BAR,
    tolerance_kg_s: float = FLOW_TOLERANCE_KG_S,
) -> list[Violation]:
    """Every limit the state ``p_pa`` [Pa, per node] (with supplies [kg/s, per source] and the solver's control
    state, when known) violates by more than the tolerances, in a fixed order: node minima and maxima,
    delivery minima, pipe MAOP, send-out limits, sources taking gas back, compressor suction minima.

    ``control`` is a :class:`~linepack.solvers.equations.ControlState` (``SteadyResult.control``); without it
    the checks that depend on a source's state (send-out limits, gas taken back) use the sources' own modes.
    """
    tol_pa = tolerance_bar * BAR_PA
    out: list[Violation] = []

    def fmt(p: float) -> str:
        return f"{_barg(p, cn):.1f} barg"

    def add(kind: str, element: str, value_pa: float, limit_pa: float, text: str) -> None:
        v, lim = _barg(value_pa, cn), _barg(limit_pa, cn)
        out.append(Violation(kind, element, v, lim, abs(v - lim), "barg", text))

    for i in np.flatnonzero(np.isfinite(cn.p_min_pa) & (p_pa < cn.p_min_pa - tol_pa)):
        add("node_min", cn.node_ids[i], p_pa[i], cn.p_min_pa[i],
            f"node {cn.node_ids[i]}: pressure {fmt(p_pa[i])} below its minimum {fmt(cn.p_min_pa[i])}")  # fmt: skip
    for i in np.flatnonzero(np.isfinite(cn.p_max_pa) & (p_pa > cn.p_max_pa + tol_pa)):
        add("node_max", cn.node_ids[i], p_pa[i], cn.p_max_pa[i],
            f"node {cn.node_ids[i]}: pressure {fmt(p_pa[i])} above its maximum {fmt(cn.p_max_pa[i])}")  # fmt: skip
    for k in np.flatnonzero(np.isfinite(cn.sink_p_min_pa)):
        pn = p_pa[cn.sink_node[k]]
        if pn < cn.sink_p_min_pa[k] - tol_pa:
            add("delivery_min", cn.sink_ids[k], pn, cn.sink_p_min_pa[k],
                f"delivery {cn.sink_ids[k]}: {fmt(pn)} below the minimum delivery pressure "
                f"{fmt(cn.sink_p_min_pa[k])}")  # fmt: skip
    e = cn.res_edge
    pmax_end = np.maximum(p_pa[cn.edge_from[e]], p_pa[cn.edge_to[e]])
    for k in np.flatnonzero(np.isfinite(cn.maop_pa) & (pmax_end > cn.maop_pa + tol_pa)):
        add("maop", cn.edge_ids[e[k]], pmax_end[k], cn.maop_pa[k],
            f"pipe {cn.edge_ids[e[k]]}: pressure {fmt(pmax_end[k])} above its MAOP {fmt(cn.maop_pa[k])}")  # fmt: skip
    held = cn.source_is_pressure if control is None else control.src_pressure
    free = np.ones(len(cn.source_ids), dtype=bool) if control is None else control.src_bound == 0
    for k in np.flatnonzero(~held & np.isfinite(cn.source_p_max_pa) & free):
        pn = p_pa[cn.source_node[k]]
        if pn > cn.source_p_max_pa[k] + tol_pa:
            add("send_out", cn.source_ids[k], pn, cn.source_p_max_pa[k],
                f"source {cn.source_ids[k]}: must deliver against {fmt(pn)}, above its maximum send-out "
                f"pressure {fmt(cn.source_p_max_pa[k])}")  # fmt: skip
    if supply_kg_s is not None:
        for k in np.flatnonzero(held & ~cn.source_absorbs & (supply_kg_s < -tolerance_kg_s)):
            back = -float(supply_kg_s[k])
            out.append(Violation("absorbs", cn.source_ids[k], -back, 0.0, back, "kg/s",
                                 f"source {cn.source_ids[k]}: absorbs {back:.2f} kg/s (negative supply); fixed "
                                 "inflows elsewhere exceed demand"))  # fmt: skip
    ce = cn.comp_edge
    rev = getattr(control, "comp_reverse", None)
    suction = cn.edge_from[ce] if rev is None else np.where(rev, cn.edge_to[ce], cn.edge_from[ce])
    for k in np.flatnonzero(np.isfinite(cn.comp_p_suction_min_pa)):
        ps = p_pa[suction[k]]
        if ps < cn.comp_p_suction_min_pa[k] - tol_pa:
            add("suction_min", cn.edge_ids[ce[k]], ps, cn.comp_p_suction_min_pa[k],
                f"compressor {cn.edge_ids[ce[k]]}: suction {fmt(ps)} below its minimum "
                f"{fmt(cn.comp_p_suction_min_pa[k])}")  # fmt: skip
    return out


def violation_texts(
    cn: CompiledNetwork, p_pa: F64, supply_kg_s: F64 | None = None, control: Any = None
) -> list[str]:
    """The texts of :func:`check_limits` (what ``SteadyResult.violations`` holds)."""
    return [v.text for v in check_limits(cn, p_pa, supply_kg_s, control)]


def result_violations(result: Any) -> list[Violation]:
    """:func:`check_limits` of a :class:`~linepack.results.SteadyResult`."""
    return check_limits(result.network, result.p_pa, result.source_supply_kg_s, result.control)
