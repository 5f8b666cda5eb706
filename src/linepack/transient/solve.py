"""The transient time loop: start at the steady state, then implicit Euler steps with Newton.

1. The boundary values at t = 0 (scenario values changed by the profile) are solved by the steady solver
   (:func:`linepack.solvers.steady.solve_steady`), which fixes the control state and the viscosity.
2. The pipes are cut into segments and the *discretised* steady problem is solved from the steady
   solution, so that the run starts exactly at rest on its own grid (a constant-boundary run then stays
   put).
3. Each step solves the implicit Euler equations (:mod:`.equations`) by the generic damped Newton
   (:func:`linepack.solvers.newton.newton`), warm-started from the previous step; the sparsity pattern is
   fixed between events, so the KLU symbolic analysis is reused. After each step the controlled elements
   are checked against their bounds (:class:`linepack.solvers.active_set.ActiveSet`: compressor ratio and
   power, source capacity, ...) and the step is repeated on the new control state when one changed. A
   step whose Newton fails is split into halves (up to ``max_halvings`` times) before the run stops.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode, EdgeKind, RegMode, compile_network, z_at
from ..errors import ConvergenceError, InputError
from ..model.network import Network
from ..results import SteadyResult
from ..solvers.active_set import ActiveSet
from ..solvers.equations import ControlState, SourceBound
from ..solvers.newton import NewtonOptions, NewtonOutcome, newton
from ..solvers.steady import SteadyOptions, solve_steady
from ..units import BAR_PA
from .discretise import SegmentedNetwork, segment_network
from .equations import TransientSystem
from .events import Event, resolve
from .gas import TransientGas
from .profiles import Boundary, Profile, Schedule, constant_profile
from .record import Recorder
from .results import TransientResult
from .step import Run, with_boundary

F64 = NDArray[np.float64]
Progress = Callable[[float, float], None]


@dataclass(frozen=True)
class TransientOptions:
    """Grid, horizon and solver settings of :func:`solve_transient` (SI: seconds, metres)."""

    horizon_s: float = 86400.0
    dt_s: float = 60.0
    segment_length_m: float = 1000.0
    output_interval_s: float = 600.0  # pipe snapshots (every step for 0)
    tolerance: float = 1e-12  # Newton, on the scaled residual (per-unit flow and squared pressure)
    max_iterations: int = 30  # Newton iterations per step
    max_halvings: int = 6  # a failed step is split in two, up to this many times
    max_control_rounds: int = 8  # re-solves of one step after control-state changes
    min_pressure_pa: float = 2.0 * BAR_PA  # below this anywhere the network has run empty: stop
    inertia: bool = True  # the d(q)/dt term of the momentum balance (needed for fast transients)
    lag_friction: bool = True  # friction factor held at its start-of-step value within each step (faster)
    reuse_factorization: bool = True  # start each step from the previous step's factorisation (chord Newton)
    compiled_kernel: bool = True  # residual kernels compiled by numba when installed (LINEPACK_KERNEL=numpy: never)

    def check(self) -> None:
        bad = []
        for name in ("horizon_s", "dt_s", "segment_length_m"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v > 0):
                bad.append(f"{name} must be a positive number (got {v!r})")
        if self.output_interval_s < 0:
            bad.append(f"output_interval_s must be >= 0 (got {self.output_interval_s!r})")
        if self.dt_s > self.horizon_s:
            bad.append(f"dt_s ({self.dt_s:g} s) must not exceed the horizon ({self.horizon_s:g} s)")
        if bad:
            raise InputError(["transient options: " + b for b in bad])


def _viscosity(cn: CompiledNetwork, p_mean: F64) -> F64:
    z, _ = z_at(cn, p_mean)
    return np.asarray(cn.gas.viscosity.mu(p_mean, cn.gas.temperature_k, z), dtype=float)


def _initial_guess(seg: SegmentedNetwork, steady: SteadyResult, sys: TransientSystem) -> F64:
    """Steady node pressures; interior points with p^2 linear along each pipe; steady flows."""
    cn = seg.cn
    n0 = seg.base.n_nodes
    p = np.empty(cn.n_nodes)
    p[:n0] = steady.p_pa
    owner = np.repeat(np.arange(seg.n_pipes), seg.pipe_nseg + 1)
    L = seg.base.length_m[owner]
    pi2 = steady.p_pa[seg.base.edge_from[owner]] ** 2
    pj2 = steady.p_pa[seg.base.edge_to[owner]] ** 2
    p2 = pi2 + (pj2 - pi2) * seg.point_x_m / L
    interior = seg.pipe_points >= n0
    p[seg.pipe_points[interior]] = np.sqrt(np.maximum(p2[interior], 1.0))
    q = np.empty(cn.n_edges)
    q[: seg.n_segments] = steady.q_kg_s[seg.seg_pipe]
    other = np.arange(seg.n_pipes, seg.base.n_edges)
    q[seg.edge_map[other]] = steady.q_kg_s[other]
    return sys.pack(p, q, steady.source_supply_kg_s[sys.psrc])


def _absolute_demands(schedule: Schedule) -> NDArray[np.bool_]:
    """Sinks whose demand a profile gives in kg/s (a mass: no conversion with the delivered gas)."""
    mask = np.zeros(len(schedule.cn.sink_ids), dtype=bool)
    for series in schedule.series:
        if series.field == "demand_kg_s" and not series.scale:
            mask[series.index] = True
    return mask


def _steady_controls(cn: CompiledNetwork, steady: SteadyResult) -> ControlState:
    """The control state in force at the steady solution: modes as the steady solver left them, with the
    bound each element sits on (maximum ratio, power or flow; source capacity, shut-in or send-out limit)."""
    st = ControlState.initial(cn)
    cm = np.asarray(steady.comp_mode, dtype=np.int64).copy()
    ct = st.comp_target.copy()
    moved = cm != cn.comp_mode
    ct[moved & (cm == CompMode.RATIO)] = cn.comp_ratio_max[moved & (cm == CompMode.RATIO)]
    ct[moved & (cm == CompMode.POWER)] = cn.comp_power_max_w[moved & (cm == CompMode.POWER)]
    ct[cm == CompMode.FLOW] = cn.comp_flow_max[cm == CompMode.FLOW]
    ct[(cm == CompMode.BYPASS) | (cm == CompMode.OFF)] = 0.0
    rm = np.asarray(steady.reg_mode, dtype=np.int64).copy()
    rt = np.where(rm == RegMode.PRESSURE, cn.reg_p_set_pa, np.where(rm == RegMode.FLOW, cn.reg_flow_max, 0.0))
    rev = steady.comp_reverse().copy()
    ctrl = steady.control
    if isinstance(ctrl, ControlState) and len(ctrl.comp_target) == len(ct) and len(ctrl.reg_target) == len(rt):
        ct, rt = ctrl.comp_target.copy(), ctrl.reg_target.copy()  # the steady solve's own targets
    configs = ctrl.station_config if isinstance(ctrl, ControlState) and cn.stations is not None else None
    supply, p = steady.source_supply_kg_s, steady.p_pa[cn.source_node]
    held, cap = cn.source_is_pressure, cn.source_capacity
    sp_, si, pt = st.src_pressure.copy(), st.src_inflow.copy(), st.src_p_target.copy()
    sb = np.zeros(len(cn.source_ids), dtype=np.int64)
    at_cap = held & np.isfinite(cap) & (supply >= cap * (1 - 1e-9)) & (p < cn.source_p_set_pa * (1 - 1e-9))
    shut = (supply == 0.0) & (held | np.isfinite(cn.source_p_max_pa)) & ~(~held & (cn.source_inflow == 0.0))
    limited = ~held & np.isfinite(cn.source_p_max_pa) & ~shut & (supply < cn.source_inflow * (1 - 1e-9))
    sb[at_cap], sp_[at_cap], si[at_cap] = SourceBound.CAPACITY, False, cap[at_cap]
    sb[shut], sp_[shut], si[shut] = SourceBound.SHUT_IN, False, 0.0
    sb[limited], sp_[limited], si[limited] = SourceBound.PRESSURE_LIMIT, True, 0.0
    pt[limited] = cn.source_p_max_pa[limited]
    return ControlState(cm, ct, rm, rt, sp_, si, pt, sb, rev, configs)


def _scales(cn: CompiledNetwork, schedule: Schedule, profile: Profile) -> tuple[float, float]:
    sets = np.concatenate([cn.source_p_set_pa[cn.source_is_pressure], cn.comp_p_set_pa, cn.reg_p_set_pa])
    sets = sets[np.isfinite(sets)]
    p_ref = float(np.max(sets)) if len(sets) else 50.0 * BAR_PA
    totals = [float(np.sum(np.abs(schedule.at(float(t)).demand_kg_s))) for t in profile.times_s]
    m_ref = max([*totals, float(np.sum(cn.source_inflow)), 1.0])
    return p_ref, m_ref


@dataclass(frozen=True)
class TransientStart:
    """A state of the segmented network to start a run from, instead of the steady state at t = 0.

    ``point_p_pa``: absolute pressure at every point of the segmented network [Pa] (network nodes first, then
    the interior points, the order of :class:`~linepack.transient.discretise.SegmentedNetwork`);
    ``edge_q_kg_s``: mass flow of every edge of the segmented network [kg/s] (segments, then the other edges);
    ``source_supply_kg_s``: supply of every source [kg/s] (a starting guess for pressure-held sources; None:
    their steady supply at t = 0). The control state and the viscosity still come from the steady state of
    the boundary values at t = 0. Used to continue a run, or to start a periodic day from its own end state.
    """

    point_p_pa: F64
    edge_q_kg_s: F64
    source_supply_kg_s: F64 | None = None


@dataclass(frozen=True)
class RunStart:
    """What a run starts from (see :func:`initial_state`): the segmented network, the viscosity of every
    resistive edge of ``seg.cn`` (held for the run) [Pa s], the reference scales of the equations, the
    control state and the state at t = 0 (every point, every edge of the segmented network, every source)."""

    seg: SegmentedNetwork
    viscosity_pa_s: F64
    p_ref_pa: float
    m_ref_kg_s: float
    state: ControlState
    point_p_pa: F64
    edge_q_kg_s: F64
    source_supply_kg_s: F64


@dataclass
class _Setup:
    run: Run
    x: F64
    init_iterations: int
    cn: CompiledNetwork
    schedule: Schedule
    b0: Boundary
    steady: SteadyResult


def initial_state(
    network: Network | CompiledNetwork,
    scenario: str | None = None,
    *,
    profile: Profile | None = None,
    options: TransientOptions | None = None,
    fixed_friction: dict[str, float] | None = None,
) -> RunStart:
    """The start of the run :func:`solve_transient` makes with the same arguments: the discretised steady
    state of the boundary values at t = 0 on the segment grid, with its control state and viscosity."""
    opts = options or TransientOptions()
    opts.check()
    setup = _setup(network, scenario, profile or constant_profile(), opts, fixed_friction)
    run, x = setup.run, setup.x
    p, q, s = run.sys.split(x)
    supply = np.where(run.state.src_pressure, 0.0, run.state.src_inflow)
    supply[run.sys.psrc] = s
    return RunStart(run.seg, run.mu.copy(), run.p_ref, run.m_ref, run.state, p.copy(), q.copy(), supply)


def _setup(
    network: Network | CompiledNetwork,
    scenario: str | None,
    profile: Profile,
    opts: TransientOptions,
    fixed_friction: dict[str, float] | None,
) -> _Setup:
    """The run at t = 0: steady state of the boundary values, segmented, then the discretised rest state."""
    cn_orig = network if isinstance(network, CompiledNetwork) else compile_network(network, scenario)
    if not np.any(cn_orig.edge_kind == EdgeKind.PIPE):
        raise InputError(
            f"scenario {cn_orig.scenario} has no pipe in service: nothing stores gas, so there is no transient; "
            "use the steady solver (linepack run)"
        )
    schedule = Schedule(cn_orig, profile)
    b0 = schedule.at(0.0)
    cn0 = with_boundary(cn_orig, b0)
    steady = solve_steady(cn0, options=SteadyOptions(tolerance=min(opts.tolerance, 1e-10)))
    seg = segment_network(cn0, opts.segment_length_m, fixed_friction)
    p_ref, m_ref = _scales(cn0, schedule, profile)
    mu_base = (
        _viscosity(cn0, steady.p_mean_pa) if steady.props is None else steady.props.viscosity_res(steady.p_mean_pa)
    )
    mu = np.concatenate([mu_base[seg.seg_pipe], mu_base[seg.n_pipes :]])
    run = Run(seg, schedule, opts, mu, seg.fixed_friction, p_ref, m_ref)
    tracking = steady.gas_state is not None
    demand0 = b0.demand_kg_s
    if tracking:
        run.gas = TransientGas(seg, m_ref, _absolute_demands(schedule))
        run.props = run.gas.props_from_steady(seg.cn, steady)
        demand0 = steady.network.sink_demand  # volume and energy demands with the delivered gas

    # the discretised steady state (dt = inf), from the steady solver's control state, with the control rules
    run.state = _steady_controls(seg.cn, steady)
    if tracking:  # blending sources at the steady state's inflow
        blend = np.isfinite(seg.cn.quality.source_share) if seg.cn.quality is not None else None
        if blend is not None and np.any(blend):
            run.state = run.state.with_(src_inflow=np.where(blend, steady.source_supply_kg_s, run.state.src_inflow))
    run.sys = run._system(run.state)
    x = _initial_guess(seg, steady, run.sys)
    active = ActiveSet(seg.cn)
    init_iters = 0
    sopts = NewtonOptions(tolerance=min(opts.tolerance, 1e-12), max_iterations=60, max_time_s=600.0)
    for _ in range(20):
        run.sys.set_boundary(run.state, demand0)
        out = _rest_state(run, x, sopts)
        init_iters += out.iterations
        if not out.converged and out.residual_norms[-1] > opts.tolerance:
            raise ConvergenceError(
                f"transient start: the steady state on {seg.n_segments} segments did not converge ({out.message})",
                [
                    "the steady solver converged on whole pipes with their friction laws; on segments (and with "
                    "fixed friction factors, when given) it did not: the case may be at its capacity limit "
                    f"(pressures towards zero), or try a segment length other than {opts.segment_length_m / 1e3:g} km"
                ],
            )
        x = out.x
        new_state, changed = active.update(run.state, run.sys, x)
        if tracking and not changed and run.gas is not None:
            # the gas of the points from the flows of the discretised steady state (the transport's own steady
            # state); solved again until that gas reproduces the solution
            _, q_r, _ = run.sys.split(x)
            props = run.gas.props_from_flows(seg.cn, q_r, run.supply(x))
            check = run._system(run.state)
            check.set_gas(props)
            check.set_boundary(run.state, demand0)
            check.set_step(np.inf, check.rho_old, check.q_old)
            run.set_props(props)
            if float(np.max(np.abs(check.residual(x)), initial=0.0)) > opts.tolerance:
                continue
        if not changed:
            break
        x = run.set_state(new_state, x)
    return _Setup(run, x, init_iters, cn_orig, schedule, b0, steady)


def _start_from(run: Run, x: F64, start: TransientStart) -> F64:
    """The unknowns of ``run`` at the state ``start`` (checked against the segmented network)."""
    cn = run.cn
    bad = []
    if np.shape(start.point_p_pa) != (cn.n_nodes,):
        bad.append(f"point_p_pa needs {cn.n_nodes} values, one per point of the segmented network")
    if np.shape(start.edge_q_kg_s) != (cn.n_edges,):
        bad.append(f"edge_q_kg_s needs {cn.n_edges} values, one per edge of the segmented network")
    if start.source_supply_kg_s is not None and np.shape(start.source_supply_kg_s) != (len(cn.source_ids),):
        bad.append(f"source_supply_kg_s needs {len(cn.source_ids)} values, one per source")
    if not bad and not (np.all(np.isfinite(start.point_p_pa)) and np.all(np.asarray(start.point_p_pa) > 0)):
        bad.append("point_p_pa must be finite and > 0 (absolute pressures in Pa)")
    if not bad and not np.all(np.isfinite(start.edge_q_kg_s)):
        bad.append("edge_q_kg_s must be finite")
    if bad:
        raise InputError(["transient start state: " + b for b in bad])
    _, _, s = run.sys.split(x)
    if start.source_supply_kg_s is not None:
        s = np.asarray(start.source_supply_kg_s, dtype=float)[run.sys.psrc]
    return run.sys.pack(np.asarray(start.point_p_pa, dtype=float), np.asarray(start.edge_q_kg_s, dtype=float), s)


def solve_transient(
    network: Network | CompiledNetwork,
    scenario: str | None = None,
    *,
    profile: Profile | None = None,
    events: Sequence[Event] = (),
    options: TransientOptions | None = None,
    fixed_friction: dict[str, float] | None = None,
    progress: Progress | None = None,
    start: TransientStart | None = None,
) -> TransientResult:
    """Simulate ``network`` (its default scenario unless ``scenario`` is given) over time.

    The run starts at the steady state of the boundary values at t = 0 (or at ``start``, see
    :class:`TransientStart`) and integrates the isothermal gas-flow equations implicitly (see
    :mod:`linepack.transient.equations`). ``profile`` varies demands, supplies and set-points over time
    (constant when None); ``events`` are applied at their times; ``fixed_friction`` maps pipe ids to a
    constant Darcy friction factor. ``progress(t, horizon)`` is called after every step. Never modifies
    ``network``.

    Raises :class:`InputError` for bad options, profiles or events and the steady solver's errors when the
    initial state has no solution. A run that cannot continue (Newton fails even on short steps, or the
    network runs empty) returns a result with ``completed=False`` up to that time.
    """
    t_wall = time.perf_counter()
    opts = options or TransientOptions()
    opts.check()
    profile = profile or constant_profile()
    setup = _setup(network, scenario, profile, opts, fixed_friction)
    run, x, init_iters = setup.run, setup.x, setup.init_iterations
    cn_orig, schedule, b0, steady = setup.cn, setup.schedule, setup.b0, setup.steady
    seg = run.seg
    if start is not None:
        x = _start_from(run, x, start)
    events = tuple(sorted((resolve(seg, e) for e in events), key=lambda e: e.time_s))
    late = [e.describe() for e in events if e.time_s >= opts.horizon_s]
    run.warnings.extend(f"event {d} is at or after the end of the run ({opts.horizon_s / 3600:g} h)" for d in late)
    p_ref = run.p_ref
    n_steps = int(np.ceil(opts.horizon_s / opts.dt_s - 1e-9))
    times = np.minimum(np.arange(n_steps + 1) * opts.dt_s, opts.horizon_s)
    rec = Recorder(seg, n_steps + 1, opts)
    rho_old, _ = run.sys.density(x[: run.sys.n] * p_ref)
    if run.gas is not None:
        _, q0, _ = run.sys.split(x)
        run.gas.start(seg.volume_m3 * rho_old, q0, run.supply(x))
    rec.record(0, 0.0, run, x, init_iters)
    pending = list(events)
    x_prev: F64 | None = None
    x_prev2: F64 | None = None
    dt_prev2 = opts.dt_s
    sys_prev: TransientSystem | None = None
    dt_prev = opts.dt_s
    completed, message = True, "completed"
    k_done = 0
    for k in range(1, n_steps + 1):
        t0, t1 = float(times[k - 1]), float(times[k])
        while pending and pending[0].time_s <= t0 + 1e-9:
            x = run.apply(pending.pop(0), x)
        # Newton starts from the extrapolation of the last states (quadratic from three, linear from two; same
        # unknowns, same system)
        guess = None
        if x_prev is not None and len(x_prev) == len(x) and run.sys is sys_prev:
            r = (t1 - t0) / dt_prev
            guess = x + (x - x_prev) * r
            if x_prev2 is not None and len(x_prev2) == len(x) and abs(r - 1.0) < 1e-12 and dt_prev2 == dt_prev:
                guess = guess + ((x - x_prev) - (x_prev - x_prev2))  # quadratic: 3 x - 3 x_prev + x_prev2
        same = x_prev is not None and run.sys is sys_prev
        x_prev2, dt_prev2 = (x_prev, dt_prev) if same else (None, dt_prev)
        x_prev, sys_prev, dt_prev = x, run.sys, t1 - t0
        x_new, rho_new, ok, iters, why = _advance(run, x, t0, t1, rho_old, opts.max_halvings, guess)
        if not ok:
            completed, message = False, f"stopped at {t0 / 3600:.2f} h: {why}"
            break
        x, rho_old = x_new, rho_new
        p = x[: run.sys.n] * p_ref
        rec.record(k, t1, run, x, iters)
        k_done = k
        if float(np.min(p)) < opts.min_pressure_pa:
            i = int(np.argmin(p))
            completed = False
            message = (
                f"stopped at {t1 / 3600:.2f} h: pressure at {run.cn.node_ids[i]} fell to "
                f"{p[i] / BAR_PA:.2f} bar; the network has run empty and cannot deliver its demand"
            )
            break
        if progress is not None:
            progress(t1, opts.horizon_s)
    steady_lp = float(np.sum(steady.pipe_linepack_kg()))
    note = start_linepack_note(cn_orig, schedule, b0, steady_lp, float(rec.lp[0]), seg.n_segments)
    return rec.result(
        k_done, completed, message, events, opts.dt_s, time.perf_counter() - t_wall, run.warnings, steady_lp, note
    )


def start_linepack_note(
    cn: CompiledNetwork, schedule: Schedule, b0: Boundary, steady_kg: float, start_kg: float, n_segments: int
) -> str:
    """Why the run's starting linepack differs from the steady run of the same scenario (``linepack run``).

    Two reasons, each named when it applies: the profile's boundary values at t = 0 differ from the
    scenario's own (demand, supply, set-points), and the pipes are cut into segments (the density is summed
    over the segments' points with Z at each, where the steady result uses one mean pressure per pipe).
    """
    labels = {
        "demand_kg_s": "demand",
        "inflow_kg_s": "fixed supply",
        "src_p_set_pa": "source pressures",
        "comp_target": "compressor set-points",
        "reg_p_set_pa": "regulator set-points",
    }
    changed = [
        label
        for name, label in labels.items()
        if not np.allclose(getattr(b0, name), getattr(schedule.base, name), rtol=1e-12, atol=0.0, equal_nan=True)
    ]
    diff = (start_kg - steady_kg) / steady_kg if steady_kg else 0.0
    text = (
        f"starting linepack {start_kg / 1e3:,.0f} t; the steady solver gives {steady_kg / 1e3:,.0f} t for the same "
        f"boundary values ({diff:+.3%}: the run sums the density over {n_segments} segments with Z at each point, "
        "the steady result takes one mean pressure per pipe)"
    )
    if changed:
        text += (
            f"; the profile at t = 0 changes the scenario's {', '.join(changed)}, so `linepack run --scenario "
            f"{cn.scenario}` (the scenario's own values) gives another linepack"
        )
    return text


def _rest_state(run: Run, x: F64, opts: NewtonOptions) -> NewtonOutcome:
    """The discretised steady state from ``x``: Newton with ``dt = inf``; when that fails, pseudo-transient
    continuation (implicit steps of growing length from ``x``, storage damping the Newton steps) first."""
    sys = run.sys
    sys.set_step(np.inf, sys.rho_old, sys.q_old)
    out = newton(sys.residual, sys.jacobian, x, opts, sys.max_step, sys.factorize)
    if out.converged:
        return out
    total, dt = out.iterations, 60.0
    for _ in range(80):
        rho, _ = sys.density(x[: sys.n] * run.p_ref)
        sys.set_step(dt, rho, run.q_res(x))
        step = newton(sys.residual, sys.jacobian, x, opts, sys.max_step, sys.factorize)
        total += step.iterations
        if not step.converged:
            dt /= 4.0
            if dt < 1.0:
                break
            continue
        moved = float(np.max(np.abs(step.x - x)))
        x, dt = step.x, dt * 2.0
        if moved < 1e-9 or dt > 1e7:
            break
    sys.set_step(np.inf, sys.rho_old, sys.q_old)
    out = newton(sys.residual, sys.jacobian, x, opts, sys.max_step, sys.factorize)
    return replace(out, iterations=total + out.iterations)


def _advance(
    run: Run, x: F64, t0: float, t1: float, rho_old: F64, halvings: int, guess: F64 | None = None
) -> tuple[F64, F64, bool, int, str]:
    """Advance from ``t0`` to ``t1``, halving the step when Newton fails; returns the new state, the point
    densities that are the old storage of the next step, success, Newton iterations and a failure message."""
    x_new, out, iters = run.solve_to(x, t1, t1 - t0, rho_old, run.q_res(x), guess)
    if out.converged:
        return x_new, run.commit(t1 - t0, x_new), True, iters, ""
    if halvings <= 0:
        return x, rho_old, False, iters, f"Newton failed ({out.message})"
    tm = 0.5 * (t0 + t1)
    xa, rho_mid, ok, ia, why = _advance(run, x, t0, tm, rho_old, halvings - 1)
    if not ok:
        return x, rho_old, False, iters + ia, why
    xb, rho_b, ok, ib, why = _advance(run, xa, tm, t1, rho_mid, halvings - 1)
    return xb, rho_b, ok, iters + ia + ib, why
