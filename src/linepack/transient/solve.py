"""The transient time loop: start at the steady state, then implicit Euler steps with Newton.

1. The boundary values at t = 0 (scenario values changed by the profile) are solved by the steady solver
   (:func:`linepack.solvers.steady.solve_steady`), which fixes the control state and the viscosity.
2. The pipes are cut into segments and the *discretised* steady problem is solved from the steady
   solution, so that the run starts exactly at rest on its own grid (a constant-boundary run then stays
   put).
3. Each step solves the implicit Euler equations (:mod:`.equations`) by the generic damped Newton
   (:func:`linepack.solvers.newton.newton`), warm-started from the previous step; the sparsity pattern is
   fixed between events, so the KLU symbolic analysis is reused. After each step the controlled elements
   are checked against their bounds (:class:`linepack.solvers.bounds.ActiveSet`: compressor ratio and
   power, source capacity, ...) and the step is repeated on the new control state when one changed. A
   step whose Newton fails is split into halves (up to ``max_halvings`` times) before the run stops.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components

from ..compile import CompiledNetwork, CompMode, EdgeKind, RegMode, compile_network, z_at
from ..errors import ConvergenceError, InputError
from ..model.network import Network
from ..results import SteadyResult
from ..solvers.bounds import ActiveSet
from ..solvers.equations import ControlState, SourceBound
from ..solvers.newton import NewtonOptions, NewtonOutcome, newton
from ..solvers.steady import SteadyOptions, solve_steady
from ..units import BAR_PA
from .discretise import SegmentedNetwork, segment_network
from .equations import TransientSystem, density_kg_m3
from .events import Event, apply_event, resolve
from .profiles import Boundary, Profile, Schedule, constant_profile
from .results import TransientResult

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


def _with_boundary(cn: CompiledNetwork, b: Boundary) -> CompiledNetwork:
    """``cn`` with the boundary values ``b`` as its scenario values."""
    ratio = np.where(cn.comp_mode == CompMode.RATIO, b.comp_target, cn.comp_ratio_set)
    pset = np.where(cn.comp_mode == CompMode.PRESSURE, b.comp_target, cn.comp_p_set_pa)
    power = np.where(cn.comp_mode == CompMode.POWER, b.comp_target, cn.comp_power_set_w)
    return replace(
        cn,
        sink_demand=b.demand_kg_s,
        source_inflow=np.where(cn.source_is_pressure, 0.0, b.inflow_kg_s),
        source_p_set_pa=b.src_p_set_pa,
        comp_ratio_set=ratio,
        comp_p_set_pa=pset,
        comp_power_set_w=power,
        reg_p_set_pa=b.reg_p_set_pa,
    )


def _state_at(cn: CompiledNetwork, state: ControlState, b: Boundary, out: NDArray[np.bool_]) -> ControlState:
    """``state`` with the set-points of ``b`` wherever an element follows its own set-point."""
    user_c = state.comp_mode == cn.comp_mode
    ct = np.where(user_c, b.comp_target, state.comp_target)
    user_r = (state.reg_mode == RegMode.PRESSURE) & (cn.reg_mode == RegMode.PRESSURE)
    rt = np.where(user_r, b.reg_p_set_pa, state.reg_target)
    free = state.src_bound == SourceBound.NONE
    inflow = np.where(free & ~state.src_pressure, b.inflow_kg_s, state.src_inflow)
    inflow = np.where(out, 0.0, inflow)
    pt = np.where(free & state.src_pressure, b.src_p_set_pa, state.src_p_target)
    return state.with_(comp_target=ct, reg_target=rt, src_inflow=inflow, src_p_target=pt)


def _viscosity(cn: CompiledNetwork, p_mean: F64) -> F64:
    z, _ = z_at(cn, p_mean)
    return np.asarray(cn.gas.viscosity.mu(p_mean, cn.gas.temperature_k, z), dtype=float)


class _Run:
    """Mutable state of one run (the network after events, control state, system, unknowns)."""

    def __init__(
        self,
        seg: SegmentedNetwork,
        schedule: Schedule,
        opts: TransientOptions,
        mu: F64,
        fixed: F64,
        p_ref: float,
        m_ref: float,
    ) -> None:
        self.seg = seg
        self.cn = seg.cn
        self.schedule = schedule
        self.opts = opts
        self.mu = mu
        self.fixed = fixed
        self.p_ref, self.m_ref = p_ref, m_ref
        self.out = np.zeros(len(seg.cn.source_ids), dtype=bool)
        self.cut = np.zeros(len(seg.cn.sink_ids), dtype=bool)  # deliveries cut off from supply and storage
        self.volume = seg.volume_m3.copy()
        self.state = ControlState.initial(seg.cn)
        self.sys = self._system(self.state)
        self.nopts = NewtonOptions(
            tolerance=opts.tolerance, max_iterations=opts.max_iterations, max_time_s=600.0, reuse_ratio=0.2
        )
        self.warnings: list[str] = []
        self.integral_kg = 0.0  # time integral of supply - demand - fuel over the converged steps
        self.cut_times: list[tuple[NDArray[np.bool_], float]] = []

    def supply(self, x: F64) -> F64:
        """Supply of every source [kg/s] at ``x``."""
        _, _, s = self.sys.split(x)
        st = self.sys.state
        supply = np.where(st.src_pressure, 0.0, st.src_inflow)
        supply[self.sys.psrc] = s
        return np.asarray(supply, dtype=float)

    def fuel(self, x: F64) -> F64:
        """Fuel of every compressor [kg/s] at ``x`` (as drawn in the mass balance)."""
        if not len(self.cn.comp_edge):
            return np.zeros(0)
        p, q, _ = self.sys.split(x)
        P, *_ = self.sys.compressor_power(p, q)
        return np.asarray(self.sys.fuel_factor() * P, dtype=float)

    def net_inflow(self, x: F64) -> float:
        return float(np.sum(self.supply(x)) - np.sum(self.sys.demand) - np.sum(self.fuel(x)))

    def _system(self, state: ControlState) -> TransientSystem:
        return TransientSystem(
            self.cn, state, self.mu, self.p_ref, self.m_ref, self.volume, self.fixed, self.opts.inertia
        )

    def q_res(self, x: F64) -> F64:
        """Flows of the resistive edges [kg/s] at ``x``."""
        _, q, _ = self.sys.split(x)
        return np.asarray(q[self.cn.res_edge], dtype=float)

    def repack(self, x: F64, new: TransientSystem) -> F64:
        """Unknowns of the current system, re-packed for ``new`` (pressure-held sources may differ)."""
        old = self.sys
        p, q, s = old.split(x)
        supply = np.where(old.state.src_pressure, 0.0, old.state.src_inflow)
        supply[old.psrc] = s
        return new.pack(p, q, supply[new.psrc])

    def set_state(self, state: ControlState, x: F64) -> F64:
        new = self._system(state)
        new.set_boundary(state, self.sys.demand)
        new.set_step(self.sys.dt, self.sys.rho_old, self.sys.q_old)
        x = self.repack(x, new)
        self.state, self.sys = state, new
        return x

    def _cut_off(self, event: Event) -> None:
        """Deliveries in an island with neither a supply nor pipe storage lose their gas at once: their demand
        is dropped from then on (survival time = event time) and the island keeps its pressure (a nominal
        storage volume of 1 m^3 per node)."""
        cn = self.cn
        links = np.setdiff1d(np.arange(cn.n_edges), cn.block_edge)
        adj = sp.coo_matrix(
            (np.ones(len(links)), (cn.edge_from[links], cn.edge_to[links])), shape=(cn.n_nodes, cn.n_nodes)
        )
        _, label = connected_components(adj, directed=False)
        fed = np.zeros(label.max() + 1, dtype=bool)
        fed[label[cn.source_node[~self.out]]] = True
        stored = np.bincount(label, self.volume, minlength=len(fed)) > 0
        dead = ~fed & ~stored
        newly = dead[label[cn.sink_node]] & ~self.cut
        if np.any(newly):
            self.cut |= newly
            self.volume = np.where(dead[label], 1.0, self.volume)
            names = ", ".join(cn.sink_ids[k] for k in np.flatnonzero(newly))
            self.warnings.append(
                f"{event.describe()} cuts {names} off from every supply and store; their demand is dropped"
            )
            self.cut_times.append((newly, event.time_s))

    def apply(self, event: Event, x: F64) -> F64:
        eff = apply_event(self.seg, self.cn, event)
        p, q, s = self.sys.split(x)
        supply = np.where(self.sys.state.src_pressure, 0.0, self.sys.state.src_inflow)
        supply[self.sys.psrc] = s
        self.cn = eff.cn
        self.mu, self.fixed = self.mu[eff.res_keep], self.fixed[eff.res_keep]
        st = self.state
        if len(eff.sources_out):
            self.out[eff.sources_out] = True
            sp_, si, sb = st.src_pressure.copy(), st.src_inflow.copy(), st.src_bound.copy()
            sp_[eff.sources_out], si[eff.sources_out], sb[eff.sources_out] = False, 0.0, SourceBound.NONE
            st = st.with_(src_pressure=sp_, src_inflow=si, src_bound=sb)
        cm, ct = st.comp_mode.copy(), st.comp_target.copy()
        tripped = self.cn.comp_mode == CompMode.BYPASS
        cm[tripped], ct[tripped] = CompMode.BYPASS, 0.0
        st = st.with_(comp_mode=cm, comp_target=ct)
        q = q.copy()
        q[self.cn.block_edge] = 0.0
        self._cut_off(event)
        new = self._system(st)
        new.set_boundary(st, self.sys.demand)
        new.set_step(self.sys.dt, self.sys.rho_old, self.sys.q_old[eff.res_keep])
        self.state, self.sys = st, new
        return new.pack(p, q, supply[new.psrc])

    def controls(self, b: Boundary) -> tuple[ActiveSet, CompiledNetwork]:
        cur = _with_boundary(self.cn, b)
        cur = replace(cur, source_inflow=np.where(self.out, 0.0, cur.source_inflow))
        return ActiveSet(cur), cur

    def _newton(self, x: F64) -> NewtonOutcome:
        """Newton on the current step, starting from the factorisation of an earlier step when there is one
        (chord steps while the residual falls fast); a fresh Jacobian when that does not converge."""
        sys = self.sys
        sys.reused = False
        sys.allow_reuse(self.opts.reuse_factorization)
        out = newton(sys.residual, sys.jacobian, x, self.nopts, sys.max_step, sys.factorize)
        if not out.converged and sys.reused:
            sys.allow_reuse(False)
            again = newton(sys.residual, sys.jacobian, x, self.nopts, sys.max_step, sys.factorize)
            out = replace(again, iterations=again.iterations + out.iterations)
        return out

    def solve_to(
        self, x: F64, t1: float, dt: float, rho_old: F64, q_old: F64, guess: F64 | None = None
    ) -> tuple[F64, NewtonOutcome, int]:
        """Solve the step ending at ``t1`` (length ``dt``) with control-state updates."""
        b = self.schedule.at(t1)
        b = replace(
            b,
            inflow_kg_s=np.where(self.out, 0.0, b.inflow_kg_s),
            demand_kg_s=np.where(self.cut, 0.0, b.demand_kg_s),
        )
        active, cur = self.controls(b)
        state = _state_at(cur, self.state, b, self.out)
        if state is not self.state:
            self.state = state
            self.sys.state = state
        self.sys.set_boundary(self.state, b.demand_kg_s)
        self.sys.set_step(dt, rho_old, q_old)
        self.sys.freeze_friction(q_old if self.opts.lag_friction else None)
        iters = 0
        out = self._newton(x if guess is None or len(guess) != len(x) else guess)
        if not out.converged and guess is not None:
            out = self._newton(x)  # the extrapolated start was poor: from the last state
        iters += out.iterations
        for _ in range(self.opts.max_control_rounds):
            if not out.converged:
                break
            new_state, changed = active.update(self.state, self.sys, out.x)
            if not changed:
                break
            xn = self.set_state(_state_at(cur, new_state, b, self.out), out.x)
            self.sys.set_boundary(self.state, b.demand_kg_s)
            self.sys.freeze_friction(q_old if self.opts.lag_friction else None)
            out = self._newton(xn)
            iters += out.iterations
        return out.x, out, iters


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


def _scales(cn: CompiledNetwork, schedule: Schedule, profile: Profile) -> tuple[float, float]:
    sets = np.concatenate([cn.source_p_set_pa[cn.source_is_pressure], cn.comp_p_set_pa, cn.reg_p_set_pa])
    sets = sets[np.isfinite(sets)]
    p_ref = float(np.max(sets)) if len(sets) else 50.0 * BAR_PA
    totals = [float(np.sum(np.abs(schedule.at(float(t)).demand_kg_s))) for t in profile.times_s]
    m_ref = max([*totals, float(np.sum(cn.source_inflow)), 1.0])
    return p_ref, m_ref


def solve_transient(
    network: Network | CompiledNetwork,
    scenario: str | None = None,
    *,
    profile: Profile | None = None,
    events: Sequence[Event] = (),
    options: TransientOptions | None = None,
    fixed_friction: dict[str, float] | None = None,
    progress: Progress | None = None,
) -> TransientResult:
    """Simulate ``network`` (its default scenario unless ``scenario`` is given) over time.

    The run starts at the steady state of the boundary values at t = 0 and integrates the isothermal
    gas-flow equations implicitly (see :mod:`linepack.transient.equations`). ``profile`` varies demands,
    supplies and set-points over time (constant when None); ``events`` are applied at their times;
    ``fixed_friction`` maps pipe ids to a constant Darcy friction factor. ``progress(t, horizon)`` is called
    after every step. Never modifies ``network``.

    Raises :class:`InputError` for bad options, profiles or events and the steady solver's errors when the
    initial state has no solution. A run that cannot continue (Newton fails even on short steps, or the
    network runs empty) returns a result with ``completed=False`` up to that time.
    """
    t_wall = time.perf_counter()
    opts = options or TransientOptions()
    opts.check()
    cn_orig = network if isinstance(network, CompiledNetwork) else compile_network(network, scenario)
    if not np.any(cn_orig.edge_kind == EdgeKind.PIPE):
        raise InputError(
            f"scenario {cn_orig.scenario} has no pipe in service: nothing stores gas, so there is no transient; "
            "use the steady solver (linepack run)"
        )
    profile = profile or constant_profile()
    schedule = Schedule(cn_orig, profile)
    b0 = schedule.at(0.0)
    cn0 = _with_boundary(cn_orig, b0)
    steady = solve_steady(cn0, options=SteadyOptions(tolerance=min(opts.tolerance, 1e-10)))
    seg = segment_network(cn0, opts.segment_length_m, fixed_friction)
    events = tuple(sorted((resolve(seg, e) for e in events), key=lambda e: e.time_s))
    late = [e.describe() for e in events if e.time_s >= opts.horizon_s]
    p_ref, m_ref = _scales(cn0, schedule, profile)
    mu_base = _viscosity(cn0, steady.p_mean_pa)
    mu = np.concatenate([mu_base[seg.seg_pipe], mu_base[seg.n_pipes :]])
    run = _Run(seg, schedule, opts, mu, seg.fixed_friction, p_ref, m_ref)
    run.warnings.extend(f"event {d} is at or after the end of the run ({opts.horizon_s / 3600:g} h)" for d in late)

    # the discretised steady state (dt = inf), with the control rules
    x = _initial_guess(seg, steady, run.sys)
    active = ActiveSet(seg.cn)
    init_iters = 0
    sopts = NewtonOptions(tolerance=min(opts.tolerance, 1e-12), max_iterations=60, max_time_s=600.0)
    for _ in range(20):
        run.sys.set_boundary(run.state, b0.demand_kg_s)
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
        if not changed:
            break
        x = run.set_state(new_state, x)
    n_steps = int(np.ceil(opts.horizon_s / opts.dt_s - 1e-9))
    times = np.minimum(np.arange(n_steps + 1) * opts.dt_s, opts.horizon_s)
    rec = _Recorder(seg, n_steps + 1, opts)
    rec.record(0, 0.0, run, x, init_iters)
    rho_old, _ = density_kg_m3(run.cn, x[: run.sys.n] * p_ref, run.sys.z)
    pending = list(events)
    x_prev: F64 | None = None
    sys_prev: TransientSystem | None = None
    dt_prev = opts.dt_s
    completed, message = True, "completed"
    k_done = 0
    for k in range(1, n_steps + 1):
        t0, t1 = float(times[k - 1]), float(times[k])
        while pending and pending[0].time_s <= t0 + 1e-9:
            x = run.apply(pending.pop(0), x)
        # Newton starts from the linear extrapolation of the last two states (same unknowns, same step)
        guess = None
        if x_prev is not None and len(x_prev) == len(x) and run.sys is sys_prev:
            guess = x + (x - x_prev) * ((t1 - t0) / dt_prev)
        x_prev, sys_prev, dt_prev = x, run.sys, t1 - t0
        x_new, ok, iters, why = _advance(run, x, t0, t1, rho_old, opts.max_halvings, guess)
        if not ok:
            completed, message = False, f"stopped at {t0 / 3600:.2f} h: {why}"
            break
        x = x_new
        p = x[: run.sys.n] * p_ref
        rho_old, _ = density_kg_m3(run.cn, p, run.sys.z)
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
    return rec.result(k_done, completed, message, events, opts.dt_s, time.perf_counter() - t_wall, run.warnings)


def _rest_state(run: _Run, x: F64, opts: NewtonOptions) -> NewtonOutcome:
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
    run: _Run, x: F64, t0: float, t1: float, rho_old: F64, halvings: int, guess: F64 | None = None
) -> tuple[F64, bool, int, str]:
    """Advance from ``t0`` to ``t1``, halving the step when Newton fails."""
    x_new, out, iters = run.solve_to(x, t1, t1 - t0, rho_old, run.q_res(x), guess)
    if out.converged:
        run.integral_kg += (t1 - t0) * run.net_inflow(x_new)
        return x_new, True, iters, ""
    if halvings <= 0:
        return x, False, iters, f"Newton failed ({out.message})"
    tm = 0.5 * (t0 + t1)
    xa, ok, ia, why = _advance(run, x, t0, tm, rho_old, halvings - 1)
    if not ok:
        return x, False, iters + ia, why
    rho_mid, _ = density_kg_m3(run.cn, xa[: run.sys.n] * run.p_ref, run.sys.z)
    xb, ok, ib, why = _advance(run, xa, tm, t1, rho_mid, halvings - 1)
    return xb, ok, iters + ia + ib, why


class _Recorder:
    """Collects the per-step series and the pipe snapshots."""

    def __init__(self, seg: SegmentedNetwork, n_t: int, opts: TransientOptions) -> None:
        base = seg.base
        self.seg = seg
        self.t = np.zeros(n_t)
        self.node_p = np.zeros((n_t, base.n_nodes))
        self.q_in = np.zeros((n_t, seg.n_pipes))
        self.q_out = np.zeros((n_t, seg.n_pipes))
        self.edge_q = np.zeros((n_t, base.n_edges))
        self.pipe_lp = np.zeros((n_t, seg.n_pipes))
        self.lp = np.zeros(n_t)
        self.supply = np.zeros((n_t, len(base.source_ids)))
        self.demand = np.zeros((n_t, len(base.sink_ids)))
        self.power = np.zeros((n_t, len(base.comp_edge)))
        self.fuel = np.zeros((n_t, len(base.comp_edge)))
        self.iters = np.zeros(n_t, dtype=np.int64)
        self.integral = np.zeros(n_t)
        self.snap_t: list[float] = []
        self.snap_p: list[F64] = []
        self.snap_q: list[F64] = []
        self.interval = opts.output_interval_s
        self.next_snap = 0.0
        self.survival = np.where(np.isfinite(base.sink_p_min_pa), np.inf, np.nan)
        self.other = np.arange(seg.n_pipes, base.n_edges)
        self.seg_from = seg.cn.edge_from[: seg.n_segments]
        self.seg_to = seg.cn.edge_to[: seg.n_segments]

    def record(self, k: int, t: float, run: _Run, x: F64, iters: int) -> None:
        seg, sys = self.seg, run.sys
        p, q, _ = sys.split(x)
        n0 = seg.base.n_nodes
        self.t[k] = t
        self.node_p[k] = p[:n0]
        self.q_in[k] = q[seg.pipe_first_segment()]
        self.q_out[k] = q[seg.pipe_last_segment()]
        self.edge_q[k, : seg.n_pipes] = self.q_in[k]
        self.edge_q[k, self.other] = q[seg.edge_map[self.other]]
        rho, _ = density_kg_m3(run.cn, p, run.sys.z)
        seg_lp = 0.5 * seg.seg_volume_m3 * (rho[self.seg_from] + rho[self.seg_to])
        self.pipe_lp[k] = np.bincount(seg.seg_pipe, seg_lp, minlength=seg.n_pipes)
        self.lp[k] = float(np.sum(seg.volume_m3 * rho))
        st = sys.state
        self.supply[k] = run.supply(x)
        self.demand[k] = sys.demand
        if len(run.cn.comp_edge):
            P, *_ = sys.compressor_power(p, q)
            active = ~np.isin(st.comp_mode, (CompMode.BYPASS, CompMode.OFF))
            self.power[k] = np.where(active, P, 0.0)
            self.fuel[k] = run.fuel(x)
        self.iters[k] = iters
        self.integral[k] = run.integral_kg
        if t >= self.next_snap - 1e-9 or self.interval == 0:
            self.snap_t.append(t)
            self.snap_p.append(p.copy())
            self.snap_q.append(q[: seg.n_segments].copy())
            self.next_snap = t + self.interval
        # survival: a delivery cut off by an event fails at the event; otherwise the first crossing below the
        # minimum delivery pressure (linear between steps)
        for mask, te in run.cut_times:
            self.survival[mask & ~(self.survival < te)] = te
        base = seg.base
        pk = p[base.sink_node]
        below = np.isinf(self.survival) & (pk < base.sink_p_min_pa)
        if np.any(below) and k > 0:
            prev = self.node_p[k - 1, base.sink_node[below]]
            pmin = base.sink_p_min_pa[below]
            frac = np.clip((prev - pmin) / np.maximum(prev - pk[below], 1e-30), 0.0, 1.0)
            self.survival[below] = self.t[k - 1] + frac * (t - self.t[k - 1])
        elif np.any(below):
            self.survival[below] = 0.0

    def result(
        self,
        k_done: int,
        completed: bool,
        message: str,
        events: tuple[Event, ...],
        dt: float,
        wall: float,
        warnings: list[str],
    ) -> TransientResult:
        n = k_done + 1
        return TransientResult(
            seg=self.seg,
            completed=completed,
            message=message,
            events=events,
            dt_s=dt,
            times_s=self.t[:n].copy(),
            node_p_pa=self.node_p[:n].copy(),
            pipe_q_in_kg_s=self.q_in[:n].copy(),
            pipe_q_out_kg_s=self.q_out[:n].copy(),
            edge_q_kg_s=self.edge_q[:n].copy(),
            pipe_linepack_kg=self.pipe_lp[:n].copy(),
            linepack_kg=self.lp[:n].copy(),
            source_supply_kg_s=self.supply[:n].copy(),
            sink_demand_kg_s=self.demand[:n].copy(),
            comp_power_w=self.power[:n].copy(),
            comp_fuel_kg_s=self.fuel[:n].copy(),
            newton_iterations=self.iters[:n].copy(),
            net_inflow_integral_kg=self.integral[:n].copy(),
            snapshot_times_s=np.array(self.snap_t),
            point_p_pa=np.array(self.snap_p),
            segment_q_kg_s=np.array(self.snap_q),
            survival_time_s=self.survival.copy(),
            wall_time_s=wall,
            warnings=tuple(warnings),
        )
