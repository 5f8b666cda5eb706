"""Steady-state solve: pre-checks, Newton, active bounds of controlled elements, diagnosis, result."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode, EdgeKind, compile_network, z_at
from ..errors import ConvergenceError, InfeasibleError, TopologyError
from ..gas.validity import range_warnings
from ..model.network import Network
from ..quality.coupling import GasState, SteadyGas, apply
from ..quality.properties import GasProps
from ..quality.spec import SinkKind
from ..results import SteadyResult
from ..subnetwork import restrict
from ..units import BAR_PA, R_J_PER_MOL_K
from ..violations import find_violations
from .active_set import ActiveSet, Move, resolve_shared_set_points, start_at_send_out_limits
from .bounds import bound_texts
from .diagnostics import (
    flow_blocked_edges,
    island_problems,
    names,
    residual_concentration,
    singular_problems,
    state_problems,
    supply_problems,
)
from .equations import ControlState, SourceBound, SteadySystem
from .linear import SchurSolver, requested, solve_laplacian
from .molar_balance import molar_supply_problems
from .newton import NewtonOptions, NewtonOutcome, newton
from .station_bounds import beyond_capacity, capacity_problems
from .warm import warm_start, warm_state
from .zones import (
    Zones,
    bypassed_control_problems,
    dead_parts,
    loop_problems,
    pressure_zones,
    zone_problems,
)

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class SteadyOptions:
    """Tolerances and caps of :func:`solve_steady`."""

    tolerance: float = 1e-10  # max scaled residual (per-unit pressure squared, per-unit flow)
    max_iterations: int = 80  # Newton iterations per control state
    max_time_s: float = 120.0  # wall time for the whole solve
    max_outer: int = 30  # changes of control state (bounds becoming active or released)
    viscosity_rel_tol: float = 1e-11  # viscosity is lagged one outer iteration until it settles (to this)
    probe_supply: bool = True  # on a supply shortfall, re-solve with unlimited supply to say what would happen
    linear_solver: str | None = None  # linepack.solvers.linear.CHOICES; None: $LINEPACK_LINEAR_SOLVER, else auto


class _Scaled(SteadySystem):
    """A system whose fixed injections are scaled (for load continuation)."""

    def __init__(
        self,
        cn: CompiledNetwork,
        state: ControlState,
        mu: F64,
        p_ref: float,
        m_ref: float,
        load: float,
        props: GasProps | None = None,
    ) -> None:
        if cn.stations is not None and load < 1.0:
            # stations with units held at their drivers' full power (a rescue) scale with the load: full power
            # at a tenth of the flow would ask heads no map has
            k = cn.stations.comp_k
            held = np.zeros(len(state.comp_mode), dtype=bool)
            held[k] = (state.comp_mode[k] == CompMode.POWER) & (cn.comp_mode[k] != CompMode.POWER)
            if held.any():
                state = state.with_(comp_target=np.where(held, state.comp_target * load, state.comp_target))
        super().__init__(cn, state, mu, p_ref, m_ref, props)
        self.fixed_injection = self.fixed_injection * load


def _scales(cn: CompiledNetwork) -> tuple[float, float]:
    """Reference pressure [Pa] and flow [kg/s] of the per-unit scaling (and of the droop and tie terms).

    Taken from set-points, demands and the inflows that always enter (flow sources without a maximum
    send-out pressure), not from components that may carry no flow (a source that can be shut in), so
    that adding such a component changes nothing else in the solution.
    """
    sets = np.concatenate([cn.source_p_set_pa[cn.source_is_pressure], cn.comp_p_set_pa, cn.reg_p_set_pa])
    sets = sets[np.isfinite(sets)]
    p_ref = float(np.max(sets)) if len(sets) else 50.0 * BAR_PA
    always = ~cn.source_is_pressure & ~np.isfinite(cn.source_p_max_pa)
    m_ref = float(max(np.sum(cn.sink_demand), np.sum(cn.source_inflow[always])))
    if m_ref < 1e-3:  # no demand and no fixed inflow (grid to grid): flow set-points, else a pipe's capacity
        sets = np.concatenate([cn.comp_flow_set, cn.reg_flow_set])
        sets = sets[np.isfinite(sets)]
        m_ref = float(np.sum(sets)) if len(sets) else _pipe_flow_scale(cn, p_ref)
    return p_ref, max(m_ref, 1e-3)


def _pipe_flow_scale(cn: CompiledNetwork, p_ref: float) -> float:
    """Flow [kg/s] of the most conductive pipe for 10 % pressure drop at p_ref (ideal gas, lambda = 0.01)."""
    if not len(cn.res_edge):
        return 1e-3
    rt_over_m = R_J_PER_MOL_K * cn.gas.temperature_k / cn.gas.molar_mass_kg_per_mol
    k = 16.0 * rt_over_m * 0.01 * cn.length_m / (np.pi**2 * np.maximum(cn.diameter_m, 1e-3) ** 5)
    return float(np.sqrt((1.0 - 0.81) * p_ref**2 / np.min(k)))


def _initial_pressure(cn: CompiledNetwork, state: ControlState, p_ref: float) -> F64:
    """Every node at the highest pressure held by a source."""
    refs = state.src_p_target[state.src_pressure]
    return np.full(cn.n_nodes, float(np.max(refs)) if len(refs) else p_ref)


def _initial_guess(
    cn: CompiledNetwork, state: ControlState, p_ref: float, linear_solver: str | None = None
) -> tuple[F64, F64, F64]:
    """Pressures at the highest reference; flows from a conductance-weighted minimum-norm split (solved with
    ``linear_solver``, :func:`linepack.solvers.linear.solve_laplacian`)."""
    n, m = cn.n_nodes, cn.n_edges
    p = _initial_pressure(cn, state, p_ref)
    inj = np.zeros(n)
    np.add.at(inj, cn.source_node, np.where(state.src_pressure, 0.0, state.src_inflow))
    np.subtract.at(inj, cn.sink_node, cn.sink_demand)
    psrc = np.flatnonzero(state.src_pressure)
    s = np.zeros(len(psrc))
    if len(psrc):
        cap = cn.source_capacity[psrc]
        w = np.where(np.isfinite(cap), cap, np.nanmax(np.where(np.isfinite(cap), cap, 1.0)) + 1.0)
        if not np.sum(w) > 0:  # every held source at zero capacity (an outage): share equally
            w = np.ones(len(psrc))
        s = -float(np.sum(inj)) * w / np.sum(w)
        np.add.at(inj, cn.source_node[psrc], s)
    wts = np.ones(m)
    if len(cn.res_edge):
        cond = cn.diameter_m**2.5 / np.sqrt(cn.length_m)
        wts[cn.res_edge] = cond
        wts[cn.edge_kind != EdgeKind.PIPE] = np.max(cond)
    wts[flow_blocked_edges(cn, state)] = 0.0
    A = cn.incidence
    lap = (A @ sp.diags(wts) @ A.T).tocsc() + sp.identity(n, format="csc") * (1e-9 * (float(np.max(wts)) if m else 1.0))
    y = solve_laplacian(lap, -inj, linear_solver)
    if y is None:
        y = np.zeros(n)
    q = wts * (A.T @ y)
    return p, np.asarray(q, dtype=float), s


def _viscosity(cn: CompiledNetwork, p_mean: F64, props: GasProps | None = None) -> F64:
    if props is not None:
        return props.viscosity_res(p_mean)
    if cn.res_temperature_k is not None:
        return GasProps.uniform_of(cn).viscosity_res(p_mean)
    z, _ = z_at(cn, p_mean)
    return np.asarray(cn.gas.viscosity.mu(p_mean, cn.gas.temperature_k, z), dtype=float)


def _mean_pressure(cn: CompiledNetwork, p: F64) -> F64:
    e = cn.res_edge
    pi, pj = p[cn.edge_from[e]], p[cn.edge_to[e]]
    return (2.0 / 3.0) * (pi + pj - pi * pj / (pi + pj))


def _newton_with_continuation(
    cn: CompiledNetwork,
    state: ControlState,
    mu: F64,
    p_ref: float,
    m_ref: float,
    x0: F64 | None,
    opts: NewtonOptions,
    linear: SchurSolver | None = None,
    continuation: bool = True,
    props: GasProps | None = None,
) -> tuple[SteadySystem, NewtonOutcome]:
    sys = SteadySystem(cn, state, mu, p_ref, m_ref, props)
    if linear is not None:
        sys.linear = linear  # one solver (and its symbolic analyses) for every system of the solve
    if x0 is None:
        start = sys.linearised_start()  # a passive network: its linearised pipe laws (None for any other)
        p0, q0, s0 = start if start is not None else _initial_guess(cn, state, p_ref, sys.linear.name)
        x0 = sys.pack(p0, q0, s0)
    out = newton(sys.residual, sys.jacobian, x0, opts, sys.max_step, sys.factorize)
    if out.converged or not continuation:
        return sys, out
    # load continuation: ramp demand and fixed supply from a light load up to the full case
    p0, q0, s0 = _initial_guess(cn, state, p_ref, sys.linear.name)
    x = sys.pack(p0, q0 * 0.1, s0 * 0.1)
    total = out.iterations
    for load in (0.1, 0.3, 0.55, 0.8, 1.0):
        stage = _Scaled(cn, state, mu, p_ref, m_ref, load, props)
        stage.linear = sys.linear
        res = newton(stage.residual, stage.jacobian, x, opts, stage.max_step, stage.factorize)
        total += res.iterations
        if not res.converged:
            return sys, NewtonOutcome(
                res.x,
                False,
                total,
                res.residual_norms,
                f"{res.message} (at {load:.0%} of the load during continuation)",
                res.singular,
            )
        x = res.x
    return sys, NewtonOutcome(x, True, total, res.residual_norms, "converged (with load continuation)")


def _feasible_moves(
    cn: CompiledNetwork, active: ActiveSet, state: ControlState, moves: list[Move], fuel: F64
) -> tuple[list[Move], list[str], list[str]]:
    """The moves to make, the problems when none can be made, and the problems avoided by leaving some out.

    Closing several elements at once can cut an island off from every supply or pressure reference although
    each alone would not, so when all the moves together leave a supply or island problem, they are made one
    by one (largest first), skipping those that would; a move that would leave an island without a pressure
    reference is made together with the return of the pressure-held sources shut in before (the network's
    pressure falls until they supply again); the problems are reported only when every move would leave one
    (then the case is infeasible)."""

    def problems(trial: list[Move]) -> list[str]:
        st = active.preview(state, trial)
        return supply_problems(cn, st, fuel) or island_problems(cn, st)

    found = problems(moves)
    if not found:
        return moves, [], []
    keep: list[Move] = []
    # pressure-held sources shut in earlier: they take over as references when a move would leave none
    reopen = [Move(0.0, "src", int(k), int(SourceBound.NONE)) for k in
              np.flatnonzero(cn.source_is_pressure & (state.src_bound == SourceBound.SHUT_IN))]  # fmt: skip
    for mv in sorted(moves, key=lambda m: -m.size):
        if not problems([*keep, mv]):
            keep.append(mv)
        elif reopen and not problems([*keep, mv, *reopen]):
            keep += [mv, *reopen]
            reopen = []
        elif mv.kind == "src" and mv.mode == SourceBound.SHUT_IN and not cn.source_is_pressure[mv.k]:
            # a flow source shut in because it is far above its maximum send-out pressure, whose gas is
            # needed: hold it at that pressure instead
            held = replace(mv, mode=int(SourceBound.PRESSURE_LIMIT))
            if not problems([*keep, held]):
                keep.append(held)
    return (keep, [], found) if keep else (moves, found, found)


def _starts(cn: CompiledNetwork, state: ControlState, cold: bool) -> list[ControlState]:
    """Starting control states: flow sources with a maximum send-out pressure held at it (see
    :func:`.active_set.start_at_send_out_limits`), then as given, then those sources shut in."""
    if not cold:
        return [state]
    lim = ~cn.source_is_pressure & np.isfinite(cn.source_p_max_pa) & (state.src_bound == SourceBound.NONE)
    if not lim.any():
        return [state]
    shut = state.with_(
        src_inflow=np.where(lim, 0.0, state.src_inflow),
        src_bound=np.where(lim, int(SourceBound.SHUT_IN), state.src_bound).astype(np.int64),
    )
    return [start_at_send_out_limits(cn, state), state, shut]


def _merge(moves: list[Move], later: list[Move]) -> list[Move]:
    """``moves`` then ``later``, a later move of the same element replacing the earlier one."""
    out = {(mv.kind, mv.k): mv for mv in moves}
    out.update({(mv.kind, mv.k): mv for mv in later})
    return list(out.values())


def _pack(cn: CompiledNetwork, state: ControlState, p_ref: float, m_ref: float, p: F64, q: F64, s: F64) -> F64:
    """``SteadySystem(cn, state, ..., p_ref, m_ref).pack(p, q, s)`` without building the system (the same scaling,
    the same arithmetic): ``s`` holds the supplies of the pressure-held sources of ``state``."""
    k = int(np.count_nonzero(state.src_pressure))
    xscale = np.concatenate([np.full(cn.n_nodes, p_ref), np.full(cn.n_edges, m_ref), np.full(k, m_ref)])
    return np.concatenate([p, q, s]) / xscale


def _repack(sys: SteadySystem, x: F64, state: ControlState) -> F64:
    """The solution ``x`` of ``sys`` as a starting point for a system of ``state`` (pressure-held sources may
    differ; the same network and scales)."""
    p, q, s = sys.split(x)
    supply = np.where(sys.state.src_pressure, 0.0, sys.state.src_inflow)
    supply[sys.psrc] = s
    return _pack(sys.cn, state, sys.p_ref, sys.m_ref, p, q, supply[np.flatnonzero(state.src_pressure)])


def _probe_unlimited_supply(cn: CompiledNetwork, opt: SteadyOptions) -> list[str]:
    """Where the network would fail hydraulically if its pressure-held sources had no capacity limit."""
    held = [cn.source_ids[k] for k in np.flatnonzero(cn.source_is_pressure)]
    if not held:
        return []
    probe = replace(cn, source_capacity=np.full(len(cn.source_ids), np.inf))
    head = f"with unlimited supply at {', '.join(held)}"
    try:
        res = solve_steady(probe, options=replace(opt, max_time_s=min(opt.max_time_s, 20.0)))
    except ConvergenceError as exc:
        return [f"{head} the network still cannot carry the demand: {d}" for d in exc.diagnosis] or [
            f"{head} the network still has no steady state"
        ]
    need = [
        f"{cn.source_ids[k]} {cn.source_basis[k].kg_s_to_mmscfd(res.source_supply_kg_s[k]):.0f} MMSCFD"
        for k in np.flatnonzero(cn.source_is_pressure)
    ]
    low = [v for v in res.violations if v.startswith(("delivery", "node"))]
    text = f"{head} the network would solve, with {', '.join(need)} drawn"
    return [text + (": " + "; ".join(low) if low else " and every delivery pressure met")]


def solve_steady(
    network: Network | CompiledNetwork,
    scenario: str | None = None,
    options: SteadyOptions | None = None,
    *,
    initial: SteadyResult | None = None,
) -> SteadyResult:
    """Solve the steady state of a network (its default scenario unless ``scenario`` is given).

    ``initial`` warm-starts Newton from a solution of the same network (typically a base case whose
    outage or scaled variant is being solved): its pressures, flows and supplies are mapped by component
    id, the viscosity starts from its mean pressures, and its control modes and active bounds are carried
    over (targets from this network's own set-points and limits), then confirmed or released by the
    active-set rules as from a cold start. If Newton fails from there, the usual cold start with load
    continuation follows. One difference remains: a flow source carried at its maximum send-out pressure
    holds its node pressure, so it can be the pressure reference of a case whose own reference is out
    of service, where a cold start reports an island without a reference.

    Parts that no supply can reach and that have no demand are left out, with a warning in the result
    naming them (see :mod:`.zones`); demand that no supply can reach is infeasible, and a zone whose
    pressure nothing sets (no pressure-held source, fed by no controlled element) is a topology error.

    Never modifies the network. Raises :class:`TopologyError` for islands without a pressure reference,
    :class:`InfeasibleError` when demand exceeds supply or pressures collapse, and
    :class:`ConvergenceError` when Newton fails for another reason, each with a diagnosis naming components.
    """
    if not isinstance(network, CompiledNetwork) and network.settings.thermal.mode == "non_isothermal":
        from ..thermal.coupling import solve_non_isothermal  # issue 13: the temperature coupling's outer loop

        return solve_non_isothermal(network, scenario, options, initial=initial)
    opt = options or SteadyOptions()
    cn = network if isinstance(network, CompiledNetwork) else compile_network(network, scenario)
    t0 = time.perf_counter()
    cn, state, left_out = _before_solving(cn, opt, initial)
    if cn.thermal_requested and cn.res_temperature_k is None:
        left_out = [*left_out, ISOTHERMAL_NOTE]
    # starting states, tried in turn while the first solve fails (the rules decide the answer, not the start)
    starts = [resolve_shared_set_points(cn, st) for st in _starts(cn, state, cold=initial is None)]
    starts = [st for st in starts if not island_problems(cn, st) and not _supply_problems_any_gas(cn, st)]
    if starts:
        state = starts.pop(0)
    p_ref, m_ref = _scales(cn)
    linear = SchurSolver(requested(opt.linear_solver))
    active = ActiveSet(cn)
    x: F64 | None = None
    # gas quality: every round carries the mixtures that the last flows imply (linepack.quality.coupling.SteadyGas;
    # round 1: the initial flows) until that gas reproduces the solution
    cn_base = cn
    mixing = cn.quality is not None and cn.quality.mixing
    coupling = SteadyGas(cn_base, m_ref) if mixing else None
    gas: GasState | None = None
    props: GasProps | None = None
    warm_pqs = warm_start(cn, state, initial) if initial is not None else None
    if coupling is not None:  # the first gas: the one that the initial (or the related case's) flows imply
        _, q0, s0 = warm_pqs if warm_pqs is not None else _initial_guess(cn, state, p_ref, linear.name)
        gas = coupling.next(None, coupling.implied(q0, _supply(state, s0)), q0, True)
        cn, state, props = _with_gas(cn_base, state, gas, coupling.props(gas, q0))
    if warm_pqs is not None:
        p_w, q_w, s_w = warm_pqs
        mu = _viscosity(cn, _mean_pressure(cn, p_w), props)
        x = _pack(cn, state, p_ref, m_ref, p_w, q_w, s_w)
    else:
        mu = _viscosity(cn, _mean_pressure(cn, _initial_pressure(cn, state, p_ref)), props)
        if cn.n_edges == len(cn.res_edge):  # a passive network: its linearised laws, and the viscosity at them
            first = SteadySystem(cn, state, mu, p_ref, m_ref, props)
            first.linear = linear
            start = first.linearised_start()
            if start is not None:
                mu, x = _viscosity(cn, _mean_pressure(cn, start[0]), props), first.pack(*start)
    total_iters = 0
    norms: tuple[float, ...] = ()
    outer = 0
    sys: SteadySystem | None = None
    rescues = 0
    rounds = opt.max_outer + (opt.max_outer if mixing else 0)
    # the last converged solve and the moves made from it: when the solve after several moves fails, the
    # largest move alone is tried from that solution instead (a cheap back-off before load continuation)
    last: tuple[SteadySystem, F64] | None = None
    last_moves: list[Move] = []
    failed: list[Move] = []  # moves from `last` whose solve failed
    attempts, combined = 0, False  # failed attempts from `last`; whether the last one added limits
    avoided: list[str] = []  # the last problems that moves together would have made (see _feasible_moves)
    quiet = False  # the last round's rules asked for nothing and its gas moved by less than QUIET

    for outer in range(1, rounds + 1):  # noqa: B007 (outer is reported in the result)
        remaining = opt.max_time_s - (time.perf_counter() - t0)
        if remaining <= 0:
            raise ConvergenceError(f"scenario {cn.scenario}: time limit of {opt.max_time_s:g} s reached")
        nopts = NewtonOptions(tolerance=opt.tolerance, max_iterations=opt.max_iterations, max_time_s=remaining)
        retry = last is not None and x is not None and bool(last_moves)
        sys, out = _newton_with_continuation(
            cn, state, mu, p_ref, m_ref, x, nopts, linear, continuation=not retry, props=props
        )
        total_iters += out.iterations
        norms = norms + out.residual_norms
        if not out.converged and retry and last is not None:
            # back to the last solution: try the largest of several moves alone; after a single move, the
            # same move with what its failed iterate shows out of reach put at its limit; then the next move
            prev_sys, prev_x = last
            active.forget(last_moves)
            attempts += 1
            alternatives: list[Move] = []
            if attempts <= 6:
                if len(last_moves) > 1 and not combined:
                    alternatives = [max(last_moves, key=lambda mv: mv.size)]
                else:
                    failed.extend(last_moves)
                    limited = [] if combined else active.moves(state, sys, out.x, limits_only=True)
                    if limited:
                        alternatives, combined = _merge(last_moves, limited), True
                    else:
                        found = active.moves(prev_sys.state, prev_sys, prev_x, exclude=tuple(failed))
                        alternatives, combined = ([max(found, key=lambda mv: mv.size)] if found else []), False
            if alternatives:
                last_moves = alternatives
                state = _blended(active.apply(prev_sys.state, last_moves), gas)
                x = _repack(prev_sys, prev_x, state)
                continue
            limited = active.moves(state, sys, out.x, limits_only=True) if rescues < 3 else []
            if limited:
                # what the failed iterate shows out of reach goes to its limit, still from the last solution
                rescues += 1
                state, last_moves = _blended(active.apply(state, limited), gas), []
                x = _repack(prev_sys, prev_x, state)
                continue
            sys, out = _newton_with_continuation(cn, state, mu, p_ref, m_ref, None, nopts, linear, props=props)
            total_iters += out.iterations
            norms = norms + out.residual_norms
        if not out.converged and last is None and starts and rescues == 0:
            state, x = _blended(starts.pop(0), gas), None  # the first solve failed: another starting state
            continue
        if not out.converged and rescues < 3:
            # a set-point may be out of reach: put elements that exceed a limit at that limit and retry
            limited = active.moves(state, sys, out.x, limits_only=True)
            if limited:
                rescues += 1
                state, x, last, last_moves = _blended(active.apply(state, limited), gas), None, None, []
                continue
        if not out.converged:
            p_last, q_last, _ = sys.split(out.x)
            short = capacity_problems(cn, state, p_last, q_last, props)
            if not short and last is not None:  # the failed iterate may be at part load: the last solution
                short = capacity_problems(cn, state, *last[0].split(last[1])[:2], last[0].props)
            if not short and x is not None:
                short = capacity_problems(cn, state, *sys.split(x)[:2], props)
            diag = short + state_problems(cn, p_last, state)
            diag += island_problems(cn, state) + supply_problems(cn, state)
            if out.singular:
                diag += singular_problems(sys, out.x)
            else:
                diag += residual_concentration(sys, out.x)
            diag += loop_problems(cn, state) + bypassed_control_problems(cn, state)
            if any("toward" in d or "supply below" in d or "island" in d or "cannot pass" in d for d in diag):
                raise InfeasibleError(f"scenario {cn.scenario} has no feasible steady state ({out.message})", diag)
            raise ConvergenceError(f"scenario {cn.scenario}: Newton did not converge ({out.message})", diag)
        x = out.x
        p, q, _s = sys.split(x)
        # while the gas settles after a round whose rules asked for nothing, the rules are checked only where the round
        # could be the last (see QUIET): the control state is judged in full at the answer all the same
        defer, quiet = quiet and coupling is not None, False
        moves = [] if defer else active.moves(state, sys, x)
        changed = bool(moves)
        mu_new = _viscosity(cn, _mean_pressure(cn, p), props)
        mu_changed = bool(np.max(np.abs(mu_new / mu - 1.0), initial=0.0) > opt.viscosity_rel_tol)
        supply = _supply(state, _s, sys.psrc)
        gas_changed = gas_moved = False
        if coupling is not None:
            # the gas these flows imply, computed afresh (a reversed flow leaves no stale gas behind); the solution
            # is consistent when the equations with that gas hold at x to the Newton tolerance
            implied = coupling.implied(q, supply)
            # the check needs the implied gas's properties; a gas that moved far cannot pass it (and its Z series
            # would be built for nothing)
            if not changed and gas is not None and not coupling.moved(gas, implied, FAR):
                cn_i, state_i, props_i = _with_gas(cn_base, state, implied, coupling.props(implied, q))
                mu_i = _viscosity(cn_i, _mean_pressure(cn_i, p), props_i)
                check = SteadySystem(cn_i, state_i, mu if not mu_changed else mu_i, p_ref, m_ref, props_i)
                check.linear = linear
                x_check = check.pack(p, q, supply[check.psrc])
                norm_check = float(np.max(np.abs(check.residual(x_check)), initial=0.0))
                gas_changed = norm_check > opt.tolerance and not coupling.settled(gas, implied)
                if defer and not gas_changed and not mu_changed:  # this round may be the last: the rules decide
                    moves = active.moves(state, sys, x)
                    changed = gas_changed = bool(moves)
                if not gas_changed and not mu_changed:
                    # the answer: these flows with the gas they imply, polished by Newton steps with that gas to well
                    # below the tolerance (the round's residual alone would leave differences of the tolerance's
                    # order between solves that took other paths to this answer)
                    x_pol, steps = _polish(check, x_check, norm_check, opt.tolerance * POLISH, remaining)
                    total_iters += steps
                    if x_pol is not x_check:
                        # the gas of the polished flows (it moves by the polish, about 1e-11): the result's gas is
                        # exactly the mixing of its own flows, so every component balances at every node
                        _, q_pol, s_pol = check.split(x_pol)
                        implied = coupling.implied(q_pol, _supply(state_i, s_pol, check.psrc))
                        cn_i = apply(cn_base, implied)  # (the control state keeps the inflows it was solved with)
                        check = SteadySystem(cn_i, state_i, check.mu, p_ref, m_ref, props_i)
                        check.linear = linear
                    sys, x, state, cn, props, gas = check, x_pol, state_i, cn_i, props_i, implied
                    beyond = beyond_capacity(cn, state, *sys.split(x)[:2], props)
                    if beyond:
                        raise InfeasibleError(f"scenario {cn.scenario} is infeasible", beyond)
                    break
            else:
                gas_changed = True
            gas_moved = gas is not None and coupling.moved(gas, implied)
            quiet = not moves and gas is not None and not coupling.moved(gas, implied, QUIET)
            gas = coupling.next(gas, implied, q, changed)
            cn, state, props = _with_gas(cn_base, state, gas, coupling.props(gas, q))
            mu_new = _viscosity(cn, _mean_pressure(cn, p), props)
        if not moves and not mu_changed and not gas_changed:
            beyond = beyond_capacity(cn, state, p, q, props)
            if beyond:
                raise InfeasibleError(f"scenario {cn.scenario} is infeasible", beyond)
            break  # the solution is consistent with its control state, its (lagged) viscosity and its gas
        mu = mu_new
        if moves:
            fuel_now = sys.fuel_by_node(p, q)
            moves, problems, skipped = _feasible_moves(cn, active, state, moves, fuel_now)
            if problems:  # none of these moves can be made: the others the rules ask for, if any
                others = active.moves(state, sys, x, exclude=tuple(moves))
                if others:
                    moves, problems, skipped = _feasible_moves(cn, active, state, others, fuel_now)
            if problems and gas_moved:
                # the moves were decided with this round's gas, which differs from the gas these flows carry (the
                # demands of volume and energy deliveries move with it): decide again with the new gas
                moves, problems = [], []
            elif problems and coupling is not None:
                # with the gas carried now, a source just put at its capacity leaves more fixed supply than
                # demand: its supply is below its capacity after all (the demands moved with the gas)
                kept = [mv for mv in moves if not (mv.kind == "src" and mv.mode == SourceBound.CAPACITY)]
                if len(kept) < len(moves) and not _problems(cn, active.preview(state, kept), fuel_now):
                    moves, problems = kept, []
            if problems:
                bounds = bound_texts(cn, active.apply(state, moves), p)
                raise InfeasibleError(f"scenario {cn.scenario} is infeasible", bounds + problems)
            avoided = skipped or avoided
        new_state = _blended(active.apply(state, moves), gas) if moves else state
        last, last_moves, failed, attempts, combined = (sys, x), moves, [], 0, False
        x = _repack(sys, x, new_state)
        state = new_state
    else:
        diag = []
        if sys is not None and x is not None:  # at the last solution: stations asked more than their units pass
            p_now, q_now = sys.split(x)[:2]
            diag += capacity_problems(cn, state, p_now, q_now, props) + state_problems(cn, p_now, state)
        else:
            p_now = np.zeros(cn.n_nodes)
        diag += [*active.cycling_texts(), *bound_texts(cn, state, p_now)]
        for st in (state, ControlState.initial(cn)):  # loops of controlled elements make the rounds cycle
            diag += [d for d in loop_problems(cn, st) + bypassed_control_problems(cn, st) if d not in diag]
        what = "controlled elements keep switching between set-point and bound"
        if mixing:
            what += " (or the gas mixtures and the flows keep changing each other)"
            diag += coupling.restless() if coupling is not None else []
        head = f"scenario {cn.scenario}: {what} after {rounds} rounds"
        if avoided:
            # on the way, switching elements to what their rules ask would have left supply and demand apart
            raise InfeasibleError(f"{head}; no consistent state was found", diag + avoided)
        raise ConvergenceError(head, diag)
    assert sys is not None and x is not None
    return _build_result(cn, sys, x, state, total_iters, outer, norms, left_out, gas)


#: The warning of an isothermal solve of a compiled network whose settings ask for non-isothermal flow (only the
#: network itself, not a compiled scenario of it, goes through linepack.thermal.coupling).
ISOTHERMAL_NOTE = (
    "settings.thermal.mode = non_isothermal, but this solve (of a compiled scenario, as studies, supply, transient, "
    "estimation and optimisation runs do) is isothermal at settings.temperature_c; the coupled solve is "
    "solve_steady(network) or linepack run --thermal"
)


def _supply(state: ControlState, s: F64, psrc: NDArray[np.int64] | None = None) -> F64:
    """Supply of every source [kg/s]: fixed inflows, and ``s`` for the pressure-held ones."""
    supply = np.where(state.src_pressure, 0.0, state.src_inflow).astype(float)
    supply[np.flatnonzero(state.src_pressure) if psrc is None else psrc] = s
    return supply


#: The gas coupling's answer is polished to this fraction of the Newton tolerance (see :func:`_polish`).
POLISH = 1e-3


def _polish(sys: SteadySystem, x: F64, norm: float, tolerance: float, time_s: float) -> tuple[F64, int]:
    """``x`` after at most two Newton steps of ``sys`` toward ``tolerance`` (kept only when they lower the largest
    residual ``norm`` at ``x``), and the steps taken."""
    if norm <= tolerance:
        return x, 0
    out = newton(
        sys.residual,
        sys.jacobian,
        x,
        NewtonOptions(tolerance=tolerance, max_iterations=2, max_time_s=max(time_s, 1.0)),
        sys.max_step,
        sys.factorize,
    )
    better = np.all(np.isfinite(out.x)) and float(np.max(np.abs(sys.residual(out.x)), initial=0.0)) < norm
    return (out.x, out.iterations) if better else (x, out.iterations)


#: After a round whose control rules asked for nothing and whose gas moved by less than this (mass fraction, relative
#: flow), the next round checks the rules only if it could be the last (its gas and viscosity consistent): the rounds
#: in between only settle the gas, and their solutions differ from the last one by about this, so the rules (within
#: 1e-7 of a switching point) almost always give the same answer there; where they would not, the move is made one
#: round later. Each skipped check saves an evaluation of every station's units in every configuration.
QUIET = 1e-4

#: A gas that moved by more than this (mass fraction) since the round's solve does not get the consistency check:
#: its properties differ by about 2.5e-5 in Z, far above what the Newton tolerance accepts.
FAR = 1e-4


def _with_gas(
    cn_base: CompiledNetwork, state: ControlState, gas: GasState, props: GasProps
) -> tuple[CompiledNetwork, ControlState, GasProps]:
    """The network, control state and property layer of a gas state: demands with the delivered gas, blending
    sources at their inflow (unless a bound holds them), the mixtures' properties."""
    return apply(cn_base, gas), _blended(state, gas), props


def _blended(state: ControlState, gas: GasState | None) -> ControlState:
    """``state`` with the blending sources that no bound holds at the inflow the gas state gives them."""
    if gas is None:
        return state
    blend = np.isfinite(gas.share_inflow_kg_s) & (state.src_bound == SourceBound.NONE)
    if not np.any(blend):
        return state
    return state.with_(src_inflow=np.where(blend, gas.share_inflow_kg_s, state.src_inflow))


def _problems(cn: CompiledNetwork, state: ControlState, fuel: F64) -> list[str]:
    """Supply and island problems of ``state`` (fuel drawn as ``fuel``)."""
    return supply_problems(cn, state, fuel) or island_problems(cn, state)


def check_before_solving(cn: CompiledNetwork, options: SteadyOptions | None = None) -> list[str]:
    """Every check :func:`solve_steady` makes before it starts Newton, without solving: islands without a
    pressure reference, zones that no supply reaches or whose pressure nothing sets, supply against demand.

    Raises the same :class:`TopologyError` or :class:`InfeasibleError` the solve would; returns the warnings
    the result would carry (parts left out). ``linepack validate`` runs it for every scenario.
    """
    _, _, left_out = _before_solving(cn, options or SteadyOptions(), None)
    return left_out


def _before_solving(
    cn: CompiledNetwork, opt: SteadyOptions, initial: SteadyResult | None
) -> tuple[CompiledNetwork, ControlState, list[str]]:
    """The checks before Newton (see :func:`check_before_solving`): the network without its dead parts, the
    starting control state (warm from ``initial`` when it keeps every island referenced) and the notes."""
    state = ControlState.initial(cn)
    cn, state, zones, left_out = _leave_out_dead_parts(cn, state)
    if initial is not None:
        warm = warm_state(cn, initial)
        if not island_problems(cn, warm):  # a carried bound must not leave an island without reference
            state = warm
    problems = island_problems(cn, state)
    if problems:
        raise TopologyError(problems)
    problems = zone_problems(cn, zones)
    if any(zones.starved):
        raise InfeasibleError(f"scenario {cn.scenario} is infeasible", problems)
    if problems:
        raise TopologyError(problems)
    problems = _supply_problems_any_gas(cn, state) or molar_supply_problems(cn)
    if problems:
        probe = _probe_unlimited_supply(cn, opt) if opt.probe_supply else []
        raise InfeasibleError(f"scenario {cn.scenario} is infeasible", problems + probe)
    return cn, state, left_out


def _supply_problems_any_gas(cn: CompiledNetwork, state: ControlState) -> list[str]:
    """:func:`supply_problems` before the gas is known: where the gases mix, the mass that volume and energy
    demands draw depends on the gas delivered, so supply falls short only if it does for the least mass any
    mixture could draw, and exceeds demand only if it does for the most; a blending source's inflow is not known
    before the flows are, so then nothing is judged short."""
    q = cn.quality
    if q is None or not q.mixing or (not np.any(q.sink_kind != SinkKind.MASS) and not q.has_share_sources):
        return supply_problems(cn, state)
    lo, hi = q.sink_mass_range_kg_s(cn.sink_demand)
    return supply_problems(cn, state, demand_range_kg_s=(np.zeros_like(lo) if q.has_share_sources else lo, hi))


def _leave_out_dead_parts(
    cn: CompiledNetwork, state: ControlState
) -> tuple[CompiledNetwork, ControlState, Zones, list[str]]:
    """``cn`` without the zones that no supply reaches and that have no demand (see :mod:`.zones`), with a
    warning naming what was left out."""
    zones = pressure_zones(cn, state)
    if not np.any(zones.dead):
        return cn, state, zones, []
    keep_node, keep_edge = dead_parts(cn, zones)
    if not np.any(keep_node):
        raise TopologyError([f"scenario {cn.scenario}: no source can supply any node; nothing to solve"])
    nodes = [cn.node_ids[i] for i in np.flatnonzero(~keep_node)]
    edges = [cn.edge_ids[i] for i in np.flatnonzero(~keep_edge)]
    text = (
        f"left out {len(nodes)} node(s) that no supply reaches and that have no demand: {names(nodes)}"
        + (f", with {len(edges)} element(s): {names(edges)}" if edges else "")
        + "; their pressures and flows are not computed"
    )
    cn = restrict(cn, keep_node, keep_edge)
    state = ControlState.initial(cn)
    return cn, state, pressure_zones(cn, state), [text]


def _build_result(
    cn: CompiledNetwork,
    sys: SteadySystem,
    x: F64,
    state: ControlState,
    iterations: int,
    outer: int,
    norms: tuple[float, ...],
    notes: list[str] | None = None,
    gas: GasState | None = None,
) -> SteadyResult:
    p, q, s = sys.split(x)
    _, _, _, _, rs = sys.resistive(p, q)
    if len(cn.comp_edge):
        P, *_ = sys.compressor_power(p, q, False)
        fuel = sys.compressor_fuel(p, q, False)[0]
        if cn.gas.kappa is None:  # no thermodynamic data: power not computed (electric stations, no limit)
            P = np.full(len(cn.comp_edge), np.nan)
            if cn.stations is not None:  # stations with units have theirs
                ks = cn.stations.comp_k
                P[ks] = sys.compressor_power(p, q, False)[0][ks]
        elif len(cn.comp_active_arc):  # active arcs have no power
            P = np.where(cn.comp_active_arc, np.nan, P)
    else:
        P = fuel = np.zeros(0)
    supply = np.where(state.src_pressure, 0.0, state.src_inflow).astype(float)
    supply[sys.psrc] = s
    warnings = list(notes or []) + list(cn.notes)
    warnings += _fuel_assumptions(cn, fuel)
    warnings += range_warnings(cn.gas.compressibility, p, cn.gas.temperature_k, list(cn.node_ids))
    ce = cn.comp_edge
    for k in np.flatnonzero(state.comp_mode == CompMode.BYPASS):
        if q[ce[k]] < 0:
            warnings.append(f"{cn.edge_ids[ce[k]]}: gas flows backwards through the bypass ({q[ce[k]]:.2f} kg/s)")
    found = find_violations(cn, p, supply, state)
    result = SteadyResult(
        network=cn,
        converged=True,
        iterations=iterations,
        outer_iterations=outer,
        message="converged",
        residual_norms=norms,
        p_pa=p,
        q_kg_s=q,
        source_supply_kg_s=supply,
        z_avg=rs.z,
        friction_factor=rs.lambda_equivalent,
        reynolds=rs.reynolds,
        p_mean_pa=rs.p_mean,
        comp_power_w=np.asarray(P, dtype=float),
        comp_fuel_kg_s=np.asarray(fuel, dtype=float),
        comp_mode=state.comp_mode.copy(),
        reg_mode=state.reg_mode.copy(),
        active_bounds=tuple(bound_texts(cn, state, p, supply, q, sys.props)),
        violations=tuple(v.text for v in found),
        violation_records=tuple(found),
        warnings=tuple(warnings),
        control=state,
        props=sys.props,
        gas_state=gas,
    )
    if cn.quality is not None and cn.quality.has_limits and result.quality is not None:
        from ..quality import limits

        broken = limits.violations(cn, result.quality)
        hopeless = limits.unmeetable(cn)
        if broken or hopeless:
            result = replace(
                result,
                violations=result.violations + tuple(v.text for v in broken),
                violation_records=result.violation_records + tuple(broken),
                warnings=result.warnings + tuple(hopeless),
            )
    return result


def _fuel_assumptions(cn: CompiledNetwork, fuel: F64) -> list[str]:
    """A note naming the stations whose fuel comes from the default driver (the file gives no driver)."""
    if not len(cn.comp_driver_assumed):
        return []
    own = np.zeros(len(fuel), dtype=bool)
    if cn.stations is not None:  # stations with units burn what their own drivers need
        own[cn.stations.comp_k] = True
    assumed = np.flatnonzero(cn.comp_driver_assumed & (fuel > 0) & ~own)
    if not len(assumed):
        return []
    ids = names([cn.edge_ids[cn.comp_edge[k]] for k in assumed])
    burnt = cn.gas.basis.kg_s_to_mmscfd(float(np.sum(fuel[assumed])))
    eff = ", ".join(sorted({f"{cn.comp_eta_driver[k]:.0%}" for k in assumed}))
    return [
        f"{ids}: no driver given, so a gas turbine at {eff} driver efficiency is assumed: it burns {burnt:.2f} "
        "MMSCFD of fuel gas drawn at the suction node; give driver (electric: no fuel) and driver_efficiency"
    ]
