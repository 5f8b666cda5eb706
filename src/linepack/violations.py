"""Violations of a solved steady state: computed once, here, and read by every report.

``linepack run``, the result file, the studies' element and case rows and the web page all take their
violations from :func:`find_violations` (stored on the result as ``SteadyResult.violation_records``), so
the same state is reported as the same set of violations everywhere: node pressures outside their
bounds, deliveries below their minimum pressure, pipes above their MAOP, sources asked to deliver against
a pressure above their maximum send-out pressure or absorbing gas, compressors below their minimum suction.

Whether a value is beyond its limit is decided by one function, :func:`beyond`, with a tolerance: a state
that sits *on* a limit (an optimum on a pressure bound, re-solved by the simulator; a station at its maximum
discharge) is within the numbers' own accuracy of it, a few 1e-7 bar either way, and is not a violation. A
pressure violates its limit only when beyond it by more than ``LIMIT_TOLERANCE_BAR`` (1e-4 bar = 10 Pa: far
below any gauge, far above the solvers' accuracy) plus ``RELATIVE_TOLERANCE`` of it; a source takes gas back
only beyond ``FLOW_TOLERANCE_KG_S``.

>>> bool(beyond(np.array([30e5 - 15.0]), np.array([30e5]), upper=False)[0])  # 15 Pa below: beyond
True
>>> bool(beyond(np.array([30e5 - 0.015]), np.array([30e5]), upper=False)[0])  # 1.5e-7 bar below: on it
False
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from .units import BAR_PA

if TYPE_CHECKING:
    from .compile import CompiledNetwork
    from .solvers.equations import ControlState

F64 = NDArray[np.float64]

#: Relative tolerance of a limit: a value within it of the limit is not a violation (solver round-off).
RELATIVE_TOLERANCE = 1e-9
#: Absolute tolerance of a pressure limit [bar]: a pressure within it of its limit is on the limit.
LIMIT_TOLERANCE_BAR = 1e-4
PRESSURE_TOLERANCE_PA = LIMIT_TOLERANCE_BAR * BAR_PA
#: A pressure-held source that cannot take gas back takes back nothing below this [kg/s].
FLOW_TOLERANCE_KG_S = 1e-6


@dataclass(frozen=True)
class Violation:
    """One violated limit: which component, which quantity, its value and the limit (SI), and the text."""

    kind: str  # node, delivery, pipe, source, compressor
    component_id: str
    quantity: str  # p_min, p_max, maop, p_delivery_min, p_send_out_max, absorbs, p_suction_min
    value: float  # Pa absolute (kg/s for 'absorbs')
    limit: float
    text: str

    @property
    def excess(self) -> float:
        """How far beyond the limit, in the quantity's unit (positive)."""
        return abs(self.value - self.limit)


def beyond(
    value: F64, limit: F64, upper: bool, tolerance: float = PRESSURE_TOLERANCE_PA
) -> NDArray[np.bool_]:
    """Whether ``value`` is beyond ``limit`` (above an upper, below a lower) by more than ``tolerance`` (in the
    value's unit; default: the pressure tolerance in Pa) plus the relative tolerance.

    An infinite or NaN limit is no limit.
    """
    value, limit = np.asarray(value, dtype=float), np.asarray(limit, dtype=float)
    finite = np.isfinite(limit)
    safe = np.where(finite, limit, 0.0)
    margin = tolerance + RELATIVE_TOLERANCE * np.abs(safe)
    if upper:
        return finite & (value > safe + margin)
    return finite & (value < safe - margin)


def _barg(p_pa: float, cn: CompiledNetwork) -> str:
    return f"{(p_pa - cn.ambient_pa) / BAR_PA:.1f} barg"


def find_violations(
    cn: CompiledNetwork, p: F64, supply: F64 | None = None, state: ControlState | None = None
) -> list[Violation]:
    """Every violated limit at node pressures ``p`` [Pa] and source supplies ``supply`` [kg/s] (beyond the
    tolerances of :func:`beyond`), in the solver's control state ``state`` (None: every element in its own
    mode; without ``supply`` no source is checked for gas taken back)."""
    if state is None:
        from .solvers.equations import ControlState

        state = ControlState.initial(cn)
    out: list[Violation] = []
    for i in np.flatnonzero(beyond(p, cn.p_min_pa, upper=False)):
        nid = cn.node_ids[i]
        text = f"node {nid}: pressure {_barg(p[i], cn)} below its minimum {_barg(cn.p_min_pa[i], cn)}"
        out.append(Violation("node", nid, "p_min", float(p[i]), float(cn.p_min_pa[i]), text))
    for i in np.flatnonzero(beyond(p, cn.p_max_pa, upper=True)):
        nid = cn.node_ids[i]
        text = f"node {nid}: pressure {_barg(p[i], cn)} above its maximum {_barg(cn.p_max_pa[i], cn)}"
        out.append(Violation("node", nid, "p_max", float(p[i]), float(cn.p_max_pa[i]), text))
    p_sink = p[cn.sink_node]
    for k in np.flatnonzero(beyond(p_sink, cn.sink_p_min_pa, upper=False)):
        sid = cn.sink_ids[k]
        text = (
            f"delivery {sid}: {_barg(p_sink[k], cn)} below the minimum delivery pressure "
            f"{_barg(cn.sink_p_min_pa[k], cn)}"
        )
        out.append(Violation("delivery", sid, "p_delivery_min", float(p_sink[k]), float(cn.sink_p_min_pa[k]), text))
    e = cn.res_edge
    pmax_end = np.maximum(p[cn.edge_from[e]], p[cn.edge_to[e]])
    for k in np.flatnonzero(beyond(pmax_end, cn.maop_pa, upper=True)):
        pid = cn.edge_ids[e[k]]
        text = f"pipe {pid}: pressure {_barg(pmax_end[k], cn)} above its MAOP {_barg(cn.maop_pa[k], cn)}"
        out.append(Violation("pipe", pid, "maop", float(pmax_end[k]), float(cn.maop_pa[k]), text))
    p_src = p[cn.source_node]
    flow_held = ~state.src_pressure & (state.src_bound == 0)
    for k in np.flatnonzero(flow_held & beyond(p_src, cn.source_p_max_pa, upper=True)):
        sid = cn.source_ids[k]
        text = (
            f"source {sid}: must deliver against {_barg(p_src[k], cn)}, above its maximum "
            f"send-out pressure {_barg(cn.source_p_max_pa[k], cn)}"
        )
        out.append(Violation("source", sid, "p_send_out_max", float(p_src[k]), float(cn.source_p_max_pa[k]), text))
    taking = np.zeros(len(cn.source_ids), dtype=bool) if supply is None else supply < -FLOW_TOLERANCE_KG_S
    for k in np.flatnonzero(state.src_pressure & ~cn.source_absorbs & taking):
        assert supply is not None
        sid = cn.source_ids[k]
        text = f"source {sid}: absorbs {-supply[k]:.2f} kg/s (negative supply); fixed inflows elsewhere exceed demand"
        out.append(Violation("source", sid, "absorbs", float(supply[k]), 0.0, text))
    ce = cn.comp_edge
    rev = state.reverse()  # a bidirectional station compressing backwards draws at its `to` node
    p_suction = p[np.where(rev, cn.edge_to[ce], cn.edge_from[ce])]
    for k in np.flatnonzero(beyond(p_suction, cn.comp_p_suction_min_pa, upper=False)):
        cid = cn.edge_ids[ce[k]]
        text = (
            f"compressor {cid}: suction {_barg(p_suction[k], cn)} below its minimum "
            f"{_barg(cn.comp_p_suction_min_pa[k], cn)}"
        )
        out.append(
            Violation("compressor", cid, "p_suction_min", float(p_suction[k]), float(cn.comp_p_suction_min_pa[k]), text)
        )
    return out
