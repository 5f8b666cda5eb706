"""The time and space grid of a day-ahead optimisation, its boundary values and the simulated default day.

The optimiser solves the equations of :mod:`linepack.transient` on the transient simulator's own grid: the
segmented network of :func:`linepack.transient.segment_network` and implicit Euler steps of ``spec.step_s``.
Everything a step needs that is not decided (demands, nominations, the viscosity held for the run, the
reference scales, the state at t = 0) is taken from the simulator (:func:`linepack.transient.initial_state`,
:class:`linepack.transient.profiles.Schedule`), and the default day (every set-point at its scenario or
profile value) is simulated by :func:`linepack.transient.solve_transient` on the same grid: it is the
optimiser's warm start and the baseline of its report.

Compressors whose user control mode is power are scheduled by their discharge pressure (a dispatcher's
set-point): the replay network (:attr:`DayGrid.cn`) holds them in pressure control at their discharge
pressure of the steady state at t = 0, so that the day starts where the scenario does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from ...compile import CompiledNetwork, CompMode
from ...solvers.steady import SteadyOptions, solve_steady
from ...transient import Profile, TransientOptions, TransientResult, TransientStart, initial_state, solve_transient
from ...transient.discretise import SegmentedNetwork
from ...transient.profiles import Schedule
from ...transient.solve import RunStart
from ...transient.step import with_boundary
from .spec import DaySpec, StartMode

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Trajectory:
    """States of the segmented network at the times ``times_s`` (rows): pressure at every point [Pa], flow of
    every edge [kg/s] (segments, then the other edges) and supply of every source [kg/s]."""

    times_s: F64
    point_p_pa: F64
    edge_q_kg_s: F64
    source_supply_kg_s: F64

    def start(self, row: int) -> TransientStart:
        return TransientStart(self.point_p_pa[row].copy(), self.edge_q_kg_s[row].copy(),
                              self.source_supply_kg_s[row].copy())  # fmt: skip


def trajectory_of(res: TransientResult) -> Trajectory:
    """The full state at every step of a run recorded with ``output_interval_s = 0`` (a snapshot per step).
    A run that stopped early is held at its last state to the end of the recorded times."""
    seg = res.seg
    n = len(res.times_s)
    if len(res.snapshot_times_s) != n:
        raise ValueError("trajectory_of needs a run with a snapshot at every step (output_interval_s = 0)")
    m = seg.cn.n_edges
    q = np.empty((n, m))
    q[:, : seg.n_segments] = res.segment_q_kg_s
    other = np.arange(seg.n_pipes, seg.base.n_edges)
    q[:, seg.edge_map[other]] = res.edge_q_kg_s[:, other]
    return Trajectory(res.times_s.copy(), res.point_p_pa.copy(), q, res.source_supply_kg_s.copy())


def repeat_profile(profile: Profile, period_s: float, days: int) -> Profile:
    """``profile`` over ``[0, period_s]`` repeated ``days`` times (the value at ``period_s`` ends the last day)."""
    t = np.asarray(profile.times_s, dtype=float)
    inside = t[(t >= 0.0) & (t < period_s)]
    knots = np.unique(np.concatenate([[0.0], inside]))
    times = np.concatenate([knots + d * period_s for d in range(days)] + [[days * period_s]])
    cols = {}
    for key, v in profile.columns.items():
        vals = np.interp(knots, t, np.asarray(v, dtype=float))
        end = np.interp(period_s, t, np.asarray(v, dtype=float))
        cols[key] = np.concatenate([vals] * days + [[end]])
    return Profile(f"{profile.name} x {days}", times, cols)


@dataclass(frozen=True)
class DayGrid:
    """The grid, boundary values and default day of one day-ahead problem (SI; rows are the times t_0..t_N).

    ``cn`` is the replay network (see the module docstring); ``start`` the simulator's start (segmented
    network, viscosity, scales, control state at t = 0); ``x0`` the state the day starts from (None for a
    periodic day); ``default_day`` the run with the default set-points on this grid and ``warm`` its states.
    """

    spec: DaySpec
    cn: CompiledNetwork
    profile: Profile
    start: RunStart
    times_s: F64
    step_period: NDArray[np.int64]  # control period of every step 1..N
    demand_kg_s: F64  # (N+1) x sinks
    inflow_kg_s: F64  # (N+1) x sources: nominations of flow sources
    comp_target: F64  # (N+1) x compressors: default set-points (Pa, or ratio)
    reg_p_set_pa: F64  # (N+1) x regulators
    src_p_set_pa: F64  # (N+1) x sources: default send-out pressure of pressure-held sources
    x0: Trajectory | None
    default_day: TransientResult
    warm: Trajectory
    options: TransientOptions

    @property
    def seg(self) -> SegmentedNetwork:
        return self.start.seg

    @property
    def n_steps(self) -> int:
        return len(self.times_s) - 1


def replay_network(cn: CompiledNetwork, profile: Profile) -> CompiledNetwork:
    """``cn`` with power-controlled compressors in pressure control at their discharge pressure of the steady
    state at t = 0 (the optimiser schedules discharge pressures or ratios)."""
    power = cn.comp_mode == CompMode.POWER
    if not np.any(power):
        return cn
    b0 = Schedule(cn, profile).at(0.0)
    st = solve_steady(with_boundary(cn, b0), options=SteadyOptions(tolerance=1e-10))
    pd = st.p_pa[cn.edge_to[cn.comp_edge]]
    mode = np.where(power, CompMode.PRESSURE, cn.comp_mode).astype(np.int64)
    return replace(cn, comp_mode=mode, comp_p_set_pa=np.where(power, pd, cn.comp_p_set_pa))


def optimal_start(cn: CompiledNetwork, profile: Profile, opts: TransientOptions) -> TransientStart:
    """The steady least-fuel state of the boundary values at t = 0 on the day's segment grid: the steady NLP
    (:func:`linepack.optimize.min_fuel`) chooses the set-points, and the transient simulator's discretised
    steady state at those set-points is the start. Raises :class:`~linepack.errors.InfeasibleError` when no
    steady state at t = 0 keeps the limits."""
    from ...errors import InfeasibleError
    from ..problems import min_fuel
    from ..solve import OptimizeOptions, solve_problem

    cn0 = with_boundary(cn, Schedule(cn, profile).at(0.0))
    try:
        # its set-points only: the start is the simulator's own steady state at them, so a pipe law met to 1e-7
        # rather than 1e-8 (the PSGP night) changes nothing the day keeps
        opt = solve_problem(cn0, min_fuel(cn0), OptimizeOptions(accept_unconverged=True))
    except InfeasibleError as exc:
        raise InfeasibleError(
            "day-ahead optimisation, optimal start: no steady state of the boundary values at t = 0 keeps the "
            f"limits, so the day cannot start within them ({exc})",
            ["use --start periodic (the day's start is then a decision)"],
        ) from exc
    st = initial_state(opt.settings, options=opts)
    return TransientStart(st.point_p_pa.copy(), st.edge_q_kg_s.copy(), st.source_supply_kg_s.copy())


def build_grid(cn_user: CompiledNetwork, profile: Profile, spec: DaySpec) -> DayGrid:
    """The grid of ``spec`` on ``cn_user`` with the boundary profile ``profile``; simulates the default day."""
    spec.check()
    cn = replay_network(cn_user, profile)
    n, m = spec.n_steps, spec.substeps
    opts = TransientOptions(
        horizon_s=spec.horizon_s, dt_s=spec.step_s, segment_length_m=spec.segment_length_m, output_interval_s=0.0
    )
    start = initial_state(cn, profile=profile, options=opts)
    x0: Trajectory | None = None
    begin: TransientStart | None = None
    if spec.start in (StartMode.SETTLED, StartMode.PERIODIC):
        days = spec.settle_days
        settle_opts = replace(opts, horizon_s=days * spec.horizon_s, output_interval_s=spec.horizon_s)
        settled = solve_transient(cn, profile=repeat_profile(profile, spec.horizon_s, days), options=settle_opts)
        if settled.completed:
            s = len(settled.snapshot_times_s) - 1
            seg = settled.seg
            q = np.empty(seg.cn.n_edges)
            q[: seg.n_segments] = settled.segment_q_kg_s[s]
            other = np.arange(seg.n_pipes, seg.base.n_edges)
            q[seg.edge_map[other]] = settled.edge_q_kg_s[-1, other]
            begin = TransientStart(settled.point_p_pa[s].copy(), q, settled.source_supply_kg_s[-1].copy())
    elif spec.start == StartMode.OPTIMAL:
        begin = optimal_start(cn, profile, opts)
    default_day = solve_transient(cn, profile=profile, options=opts, start=begin)
    warm = trajectory_of(default_day)
    times = np.minimum(np.arange(n + 1) * spec.step_s, spec.horizon_s)
    if len(warm.times_s) < n + 1:  # the default day stopped early: hold its last state
        k = len(warm.times_s)
        pad = n + 1 - k

        def held(a: F64) -> F64:
            return np.concatenate([a, np.repeat(a[-1:], pad, axis=0)])

        warm = Trajectory(times, held(warm.point_p_pa), held(warm.edge_q_kg_s), held(warm.source_supply_kg_s))
    if spec.start != StartMode.PERIODIC:
        x0 = Trajectory(times[:1], warm.point_p_pa[:1], warm.edge_q_kg_s[:1], warm.source_supply_kg_s[:1])
    sched = Schedule(cn, profile)
    bs = [sched.at(float(t)) for t in times]
    return DayGrid(
        spec=spec,
        cn=cn,
        profile=profile,
        start=start,
        times_s=times,
        step_period=(np.arange(n) // m).astype(np.int64),
        demand_kg_s=np.array([b.demand_kg_s for b in bs]),
        inflow_kg_s=np.array([b.inflow_kg_s for b in bs]),
        comp_target=np.array([b.comp_target for b in bs]).reshape(n + 1, len(cn.comp_edge)),
        reg_p_set_pa=np.array([b.reg_p_set_pa for b in bs]).reshape(n + 1, len(cn.reg_edge)),
        src_p_set_pa=np.array([b.src_p_set_pa for b in bs]),
        x0=x0,
        default_day=default_day,
        warm=warm,
        options=opts,
    )
