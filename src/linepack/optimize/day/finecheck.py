"""The error of the optimiser's grid: an optimised schedule run in the transient simulator on a finer grid.

The replay (:mod:`.replay`) proves that the optimiser solved the simulator's equations on its own grid; this
check says how far that grid is from a finer one (by default the simulator's own 1 km / 60 s). The schedule
(:func:`.replay.schedule_profile`) runs on the fine grid from the optimiser's state at t = 0 carried onto it
(:func:`transfer_state`: pressures and flows interpolated along each pipe by position); the network's nodes
and its other edges are shared by both grids.

Compared at the network's nodes (the points both grids share) and at the optimiser's step ends: the largest
pressure difference, the lowest delivery margin of each grid and the highest pressure above a node limit
on the fine grid. The discretisation error of both grids is the simulator's (first order in the step,
second order in the segment length; docs/transient.md).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ...transient import TransientOptions, TransientStart, initial_state, solve_transient
from ...transient.discretise import SegmentedNetwork
from ...units import BAR_PA
from .replay import schedule_profile
from .run import DayResult
from .spec import StartMode

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class FineCheck:
    """The optimised schedule on a finer grid against the optimiser (pressures in bar, at network nodes)."""

    segment_length_m: float
    step_s: float
    completed: bool
    max_dp_bar: float  # largest |p_fine - p_opt| over nodes and step ends
    max_dp_at: str  # "<node> at hh:mm"
    max_dp_delivery_bar: float  # the same over delivery nodes
    margin_opt_bar: float  # lowest delivery pressure minus its minimum, optimiser
    margin_fine_bar: float  # the same on the fine grid
    over_limit_bar: float  # highest node pressure above its upper limit on the fine grid (0: none)
    linepack_diff_pct: float  # largest |linepack_fine / linepack_opt - 1| over the step ends [%]
    cpu_s: float


def _along(seg: SegmentedNetwork) -> tuple[F64, F64]:
    """Offsets that lay every pipe on one axis, apart from the others [m]: pipe j from ``off[j]`` to
    ``off[j] + L_j``; and the pipes' lengths."""
    L = np.asarray(seg.base.length_m[: seg.n_pipes], dtype=float)
    off = np.concatenate([[0.0], np.cumsum(L + 1.0)[:-1]])
    return off, L


def transfer_state(coarse: SegmentedNetwork, p_pa: F64, q_kg_s: F64, fine: SegmentedNetwork) -> tuple[F64, F64]:
    """A state of ``coarse`` (pressure at every point [Pa], flow of every edge [kg/s]) on the grid ``fine`` of
    the same network: node pressures and the flows of non-pipe edges as they are; along each pipe the pressure
    linear in position between the coarse points and the segment flow linear between the coarse segments'
    midpoints (held from the first and last midpoint to the pipe's ends)."""
    off, L = _along(coarse)
    owner_c = np.repeat(np.arange(coarse.n_pipes), coarse.pipe_nseg + 1)
    owner_f = np.repeat(np.arange(fine.n_pipes), fine.pipe_nseg + 1)
    p_f = np.empty(fine.cn.n_nodes)
    nb = fine.base.n_nodes
    p_f[:nb] = p_pa[:nb]
    x_c = coarse.point_x_m + off[owner_c]
    x_f = fine.point_x_m + off[owner_f]
    p_f[fine.pipe_points] = np.interp(x_f, x_c, p_pa[coarse.pipe_points])
    p_f[:nb] = p_pa[:nb]
    # segment flows: coarse midpoints with the end values at each pipe's ends (anchors keep pipes apart)
    mid_c = 0.5 * (coarse.seg_x0_m + coarse.seg_x1_m) + off[coarse.seg_pipe]
    first = coarse.pipe_seg_start
    last = first + coarse.pipe_nseg - 1
    xs = np.concatenate([off, mid_c, off + L])
    vs = np.concatenate([q_kg_s[first], q_kg_s[: coarse.n_segments], q_kg_s[last]])
    order = np.argsort(xs, kind="stable")
    mid_f = 0.5 * (fine.seg_x0_m + fine.seg_x1_m) + off[fine.seg_pipe]
    q_f = np.empty(fine.cn.n_edges)
    q_f[: fine.n_segments] = np.interp(mid_f, xs[order], vs[order])
    other = np.arange(coarse.n_pipes, coarse.base.n_edges)
    q_f[fine.edge_map[other]] = q_kg_s[coarse.edge_map[other]]
    return p_f, q_f


def fine_check(res: DayResult, segment_length_m: float = 1000.0, step_s: float = 60.0) -> FineCheck:
    """Run the schedule of ``res`` on a grid of ``segment_length_m`` and ``step_s`` (see the module docstring)."""
    t0 = time.process_time()
    prob, raw = res.prob, res.raw
    spec, grid = prob.spec, prob.grid
    profile = schedule_profile(prob, raw, res.on)
    opts = TransientOptions(horizon_s=spec.horizon_s, dt_s=step_s, segment_length_m=segment_length_m,
                            output_interval_s=spec.horizon_s)  # fmt: skip
    fine_seg = initial_state(grid.cn, profile=profile, options=opts).seg
    p0, q0 = transfer_state(grid.seg, raw.point_p_pa[0], raw.edge_q_kg_s[0], fine_seg)
    supply0 = grid.warm.source_supply_kg_s[0].copy()
    supply0[prob.held] = raw.held_supply_kg_s[0]
    fine = solve_transient(grid.cn, profile=profile, options=opts, start=TransientStart(p0, q0, supply0))
    periodic = spec.start == StartMode.PERIODIC
    t_opt = grid.times_s
    rows = np.searchsorted(fine.times_s, t_opt - 1e-6)
    ok = bool(fine.completed) and bool(np.all(rows < len(fine.times_s)))
    rows = np.minimum(rows, len(fine.times_s) - 1)
    nb = grid.seg.base.n_nodes
    p_fine = fine.node_p_pa[rows]
    p_opt = raw.point_p_pa[:, :nb]
    if periodic:  # the optimiser's row 0 is its end state; compare the steps 1..N
        p_fine, p_opt, t_cmp = p_fine[1:], p_opt[1:], t_opt[1:]
    else:
        t_cmp = t_opt
    dp = np.abs(p_fine - p_opt)
    i, j = np.unravel_index(int(np.argmax(dp)), dp.shape)
    h, mnt = divmod(round(float(t_cmp[i]) / 60.0), 60)
    dn, dmin = prob.deliv_node, prob.deliv_p_min
    in_base = dn < nb
    dd = dp[:, dn[in_base]] if np.any(in_base) else np.zeros((1, 1))

    def margin(p: F64) -> float:
        if not np.any(in_base):
            return float("inf")
        return float(np.min(p[:, dn[in_base]] - dmin[None, in_base])) / BAR_PA

    hi = prob.p_hi[:nb]
    over = np.where(np.isfinite(hi)[None, :], p_fine - hi[None, :], -np.inf)
    lp_fine = fine.linepack_kg[rows][1:]
    lp_opt = raw.linepack_kg
    lp_diff = float(np.max(np.abs(lp_fine / lp_opt - 1.0))) * 100.0
    return FineCheck(
        segment_length_m=segment_length_m,
        step_s=step_s,
        completed=ok,
        max_dp_bar=float(dp[i, j]) / BAR_PA,
        max_dp_at=f"{grid.cn.node_ids[j]} at {h:02d}:{mnt:02d}",
        max_dp_delivery_bar=float(np.max(dd)) / BAR_PA,
        margin_opt_bar=margin(p_opt),
        margin_fine_bar=margin(p_fine),
        over_limit_bar=max(float(np.max(over)) / BAR_PA, 0.0),
        linepack_diff_pct=lp_diff,
        cpu_s=time.process_time() - t0,
    )
