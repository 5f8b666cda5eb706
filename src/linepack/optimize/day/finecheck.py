"""The error of the optimiser's grid: an optimised schedule run in the transient simulator on a finer grid.

The replay (:mod:`.replay`) proves that the optimiser solved the simulator's equations on its own grid; this
check says how far that grid is from a finer one (by default the simulator's own 1 km / 60 s). The schedule
(:func:`.replay.schedule_profile`) runs on the fine grid: a periodic day is repeated ``days`` times from the
fine grid's steady state at t = 0 and the last day is compared (its start then is the fine grid's own
periodic state, as near as that many days settle it); a steady or settled start runs one day from the fine
grid's own steady state at t = 0.

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

from ...transient import TransientOptions, solve_transient
from ...units import BAR_PA
from .grid import repeat_profile
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


def fine_check(res: DayResult, segment_length_m: float = 1000.0, step_s: float = 60.0, days: int = 2) -> FineCheck:
    """Run the schedule of ``res`` on a grid of ``segment_length_m`` and ``step_s`` (see the module docstring)."""
    t0 = time.process_time()
    prob, raw = res.prob, res.raw
    spec, grid = prob.spec, prob.grid
    profile = schedule_profile(prob, raw, res.on)
    periodic = spec.start == StartMode.PERIODIC
    runs = max(days, 1) if periodic else 1
    if runs > 1:
        profile = repeat_profile(profile, spec.horizon_s, runs)
    opts = TransientOptions(horizon_s=runs * spec.horizon_s, dt_s=step_s, segment_length_m=segment_length_m,
                            output_interval_s=spec.horizon_s)  # fmt: skip
    fine = solve_transient(grid.cn, profile=profile, options=opts)
    offset = (runs - 1) * spec.horizon_s
    t_opt = grid.times_s
    rows = np.searchsorted(fine.times_s, t_opt + offset - 1e-6)
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
