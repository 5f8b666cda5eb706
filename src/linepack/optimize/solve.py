"""Solve a :class:`Problem` with the exact NLP: coefficient fixed point around IPOPT, then the result."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode
from ..errors import ConvergenceError, InfeasibleError, LinepackError
from ..solvers.equations import FIXED_LOSS_SMOOTHING, TIE_RESISTANCE, ControlState
from ..solvers.station_rows import initial_configs
from ..solvers.steady import _initial_guess, _scales, solve_steady
from ..stations.choice import choose
from ..stations.points import suction_gas
from ..units import BAR_PA
from .formulations.nlp import NlpModel, NlpOptions, RawSolution
from .physics import FrozenPhysics
from .problems import Problem
from .results import Binding, OptimizationResult
from .settings import AT_RATIO_ONE, IDLE_FLOW, newton_scales, settings_network

F64 = NDArray[np.float64]
HOLD_FROM = 1e-7  # bounds are held exactly once the fixed point is this close (see at_bound)


@dataclass(frozen=True)
class OptimizeOptions:
    """Tolerances of :func:`solve_problem`."""

    nlp: NlpOptions = field(default_factory=NlpOptions)
    coefficient_tol: float = 1e-8  # stop when the pipe law's residual implies errors below this (relative)
    max_outer: int = 40
    warm_start_with_newton: bool = False  # start from the scenario's steady state (slow when it fails)


def _start(cn: CompiledNetwork, warm: bool) -> tuple[F64, F64, F64]:
    """A starting point: the scenario's own steady state if it solves, else the simulator's initial guess."""
    if warm:
        try:
            res = solve_steady(cn)
            return res.p_pa.copy(), res.q_kg_s.copy(), res.source_supply_kg_s.copy()
        except LinepackError:
            pass
    state = ControlState.initial(cn)
    p_ref, _ = _scales(cn)
    p, q, s = _initial_guess(cn, state, p_ref)
    supply = np.where(cn.source_is_pressure, 0.0, cn.source_inflow)
    supply[np.flatnonzero(cn.source_is_pressure)] = s
    return p, q, supply


def delivered(problem: Problem, raw: RawSolution) -> F64:
    return problem.demand - raw.shed_kg_s + raw.growth_kg_s * problem.growth


MAX_CONFIG_ROUNDS = 5  # NLP solves with the stations' configurations re-chosen at the optimum


Start = tuple[F64, F64, F64]


def _start_configs(
    cn: CompiledNetwork,
) -> tuple[NDArray[np.int64] | None, NDArray[np.int64], Start | None]:
    """The configurations the stations with units run at the start, the compressor modes and a starting point:
    those of the scenario's steady state (a station with units it bypasses or closes stays so: its units do not
    run), else each station's initial configuration (the one it is told, else the one with the most units)."""
    modes = cn.comp_mode.copy()
    if cn.stations is None:
        return None, modes, None
    try:
        res = solve_steady(cn)
    except LinepackError:
        return initial_configs(cn.stations), modes, None
    k = cn.stations.comp_k
    stopped = np.isin(res.comp_mode[k], (CompMode.BYPASS, CompMode.OFF))
    modes[k[stopped]] = res.comp_mode[k[stopped]]
    configs = res.control.station_config if res.control is not None else None
    chosen = initial_configs(cn.stations) if configs is None else np.asarray(configs, dtype=np.int64)
    return chosen, modes, (res.p_pa.copy(), res.q_kg_s.copy(), res.source_supply_kg_s.copy())


def solve_problem(cn: CompiledNetwork, problem: Problem, options: OptimizeOptions | None = None) -> OptimizationResult:
    """Solve ``problem`` on ``cn``; raise :class:`InfeasibleError` when IPOPT finds no feasible point.

    Stations with units run a fixed configuration while the NLP solves (which units run is a discrete
    decision): that of the scenario's steady state, where stations it bypasses or closes stay so. At the
    optimum, a station that compresses nothing (ratio 1, where its units would still burn their idle fuel) or
    passes no gas is bypassed or closed, the simulator's rule (:mod:`linepack.stations.choice`) chooses the
    others' configurations again, and the NLP is solved again until nothing changes (at most MAX_CONFIG_ROUNDS
    solves, or until settings solved before come back); the best of these optima is returned, its configurations
    in ``station_configs``. The one-machine model of a station without units has no such restriction."""
    configs, modes, start = _start_configs(cn)
    model_cn = cn if np.array_equal(modes, cn.comp_mode) else replace(cn, comp_mode=modes)
    result = _solve_with(model_cn, problem, options, configs, cn, start)
    best = result
    tried = {(tuple(configs) if configs is not None else (), tuple(model_cn.comp_mode))}
    for _ in range(MAX_CONFIG_ROUNDS - 1):
        if configs is None or cn.stations is None:
            break
        stopped = _stopped_at(model_cn, result)
        chosen = _configs_at(model_cn, result, configs)
        key = (tuple(chosen), tuple(stopped))
        if key in tried:  # back to settings solved before (the rule and the NLP disagree in a cycle)
            break
        tried.add(key)
        configs, model_cn = chosen, replace(model_cn, comp_mode=stopped)
        try:
            result = _solve_with(model_cn, problem, options, configs, cn, start)
        except LinepackError:
            break
        if result.objective < best.objective:
            best = result
    return best


def _stopped_at(cn: CompiledNetwork, result: OptimizationResult) -> NDArray[np.int64]:
    """Compressor modes with the stations with units that compress nothing at an optimum bypassed (ratio 1) or
    closed (no flow): running, they would burn idle fuel the one-machine model does not have."""
    cs = cn.stations
    mode = cn.comp_mode.copy()
    if cs is None:
        return mode
    k = cs.comp_k
    ce = cn.comp_edge[k]
    q, ps, pd = result.q_kg_s[ce], result.p_pa[cn.edge_from[ce]], result.p_pa[cn.edge_to[ce]]
    free = np.isin(mode[k], (CompMode.PRESSURE, CompMode.RATIO, CompMode.POWER))
    idle = free & (q < IDLE_FLOW * max(float(np.sum(result.delivered_kg_s)), 1e-3))  # as settings_network
    flat = free & ~idle & (pd <= ps * (1 + AT_RATIO_ONE))
    mode[k[idle]], mode[k[flat]] = CompMode.OFF, CompMode.BYPASS
    return mode


def _configs_at(cn: CompiledNetwork, result: OptimizationResult, configs: NDArray[np.int64]) -> NDArray[np.int64]:
    """The configurations the simulator's rule chooses at an optimum (running stations told nothing)."""
    cs = cn.stations
    assert cs is not None
    ce = cn.comp_edge[cs.comp_k]
    m = result.q_kg_s[ce]
    ps, pd = result.p_pa[cn.edge_from[ce]], result.p_pa[cn.edge_to[ce]]
    free = (cs.fixed_config < 0) & (m > 1e-6 * max(float(np.sum(result.delivered_kg_s)), 1e-3)) & (pd > ps)
    if not np.any(free):
        return configs
    choice = choose(cs, suction_gas(cn), m, ps, pd)
    return np.where(free, choice.config, configs).astype(np.int64)


def _solve_with(
    cn: CompiledNetwork,
    problem: Problem,
    options: OptimizeOptions | None,
    configs: NDArray[np.int64] | None,
    posed: CompiledNetwork | None = None,
    start: Start | None = None,
) -> OptimizationResult:
    opt = options or OptimizeOptions()
    t0 = time.perf_counter()
    # stations with units start from the steady state (their units' flows and speeds from the simulator there)
    p, q, s = (c.copy() for c in start) if start is not None else _start(cn, opt.warm_start_with_newton)
    p_ref, m_ref = _scales(cn)
    p_ref = max(p_ref, float(np.max(p)))
    m_ref = max(m_ref, float(np.sum(problem.demand)), 1e-3)
    model = NlpModel(cn, problem, p_ref, m_ref, opt.nlp, configs)
    point_p, point_q = p.copy(), q.copy()  # where the pipe law is linearised
    phys = FrozenPhysics.at(cn, point_p, point_q)
    x0 = model.pack(p, q, s, np.zeros(len(cn.sink_ids)), 0.0)
    n_p, n_m = newton_scales(cn)
    lam_g = lam_x = None
    iters = 0
    change = prev = np.inf
    weight = 1.0  # step of the linearisation point toward each solution (halved while rounds do not contract)
    rho = 0.0  # proximal weight (see NlpModel.parameters), raised while rounds do not contract
    raw: RawSolution | None = None
    outer = 0
    held_idx = np.zeros(0, dtype=np.int64)
    held_val = np.zeros(0)
    holding = True
    for outer in range(1, opt.max_outer + 1):  # noqa: B007 (reported)
        par = model.parameters(phys, TIE_RESISTANCE * n_p / n_m, FIXED_LOSS_SMOOTHING * n_m, x0, rho)
        raw = model.solve(x0, par, lam_g, lam_x, (held_idx, held_val))
        iters += raw.iterations
        if not raw.success and len(held_idx):
            # holding those bounds made the model infeasible: release them and stop holding
            held_idx, held_val, holding = held_idx[:0], held_val[:0], False
            raw = model.solve(x0, par, lam_g, lam_x)
            iters += raw.iterations
        if not raw.success:
            break
        at_raw = FrozenPhysics.at(cn, raw.p_pa, raw.q_kg_s, 1e-2 * m_ref)
        net = settings_network(cn, raw.p_pa, raw.q_kg_s, raw.supply_kg_s, delivered(problem, raw))
        new_np, new_nm = newton_scales(net)
        # converged when the solution satisfies the simulator's own pipe law (with the viscosity at the
        # solution) and the head and tie scales it was computed with
        change = max(
            at_raw.law_residual,
            at_raw.head_change(phys, 1e-9 * m_ref),
            abs(new_np / n_p - 1.0),
            abs(new_nm / n_m - 1.0),
        )
        idx, val = model.at_bound(raw)
        new_idx = ~np.isin(idx, held_idx)
        if holding and change < HOLD_FROM and np.any(new_idx):
            # quantities an interior point leaves a hair inside a bound (a station closed, a sink fully shed,
            # a source at capacity) are held on it exactly, so that the simulator sees the same state
            held_idx = np.concatenate([held_idx, idx[new_idx]])
            held_val = np.concatenate([held_val, val[new_idx]])
            change = np.inf
        if change < opt.coefficient_tol:
            break
        if np.isfinite(change) and change > 0.5 * prev:
            weight = max(0.5 * weight, 0.125)
            rho = min(max(10.0 * rho, 1e-6), 1e-2)
        elif change < 0.1 * prev:
            weight = min(2.0 * weight, 1.0)
        prev = change
        point_p = point_p + weight * (raw.p_pa - point_p)
        point_q = point_q + weight * (raw.q_kg_s - point_q)
        phys = at_raw if weight == 1.0 else FrozenPhysics.at(cn, point_p, point_q)
        n_p, n_m = new_np, new_nm
        x0, lam_g, lam_x = raw.x, raw.lam_g, raw.lam_x
    assert raw is not None
    elapsed = time.perf_counter() - t0
    if not raw.success:
        if "Infeasible" in raw.status:
            raise InfeasibleError(
                f"{problem.kind} on scenario {cn.scenario}: IPOPT found no feasible point ({raw.status})",
                [
                    "IPOPT converged to a point of local infeasibility; the problem is nonconvex, so this is strong "
                    "evidence but no proof that no feasible settings exist",
                    "loosen pressure bounds or demands, or add compression",
                ],
            )
        raise ConvergenceError(f"{problem.kind} on scenario {cn.scenario}: IPOPT stopped ({raw.status})")
    if change >= opt.coefficient_tol:
        raise ConvergenceError(
            f"{problem.kind} on scenario {cn.scenario}: the simulator's pipe law is met to only {change:.1e} "
            f"after {outer} rounds"
        )
    dl = delivered(problem, raw)
    settings = settings_network(cn, raw.p_pa, raw.q_kg_s, raw.supply_kg_s, dl)
    if configs is not None and settings.stations is not None:  # the settings run the configurations optimised
        settings = replace(settings, stations=replace(settings.stations, fixed_config=configs))
    power = np.asarray(model.power_fn(raw.x, par)).ravel()
    fuel = np.asarray(model.fuel_fn(raw.x, par)).ravel()
    scale = abs(problem.objective_scale)
    binding = tuple(Binding(label, v * scale, unit) for label, v, unit in raw.binding)
    costs = _costs(cn, problem, raw, fuel)
    return OptimizationResult(
        network=posed if posed is not None else cn,
        settings=settings,
        kind=problem.kind,
        description=problem.description,
        formulation="nlp (casadi + IPOPT, exact steady physics by coefficient fixed point)",
        success=True,
        status=raw.status,
        message="optimal",
        objective=raw.objective_raw * problem.objective_scale,
        objective_unit=problem.objective_unit,
        p_pa=raw.p_pa,
        q_kg_s=raw.q_kg_s,
        supply_kg_s=raw.supply_kg_s,
        delivered_kg_s=dl,
        shed_kg_s=raw.shed_kg_s,
        growth_kg_s=raw.growth_kg_s,
        comp_power_w=power,
        comp_fuel_kg_s=fuel,
        binding=binding,
        costs=costs,
        iterations=iters,
        outer_iterations=outer,
        coefficient_change=float(change),
        solve_time_s=elapsed,
        notes=problem.notes + _shortfalls(cn, problem, raw),
        bound_violations=_violations(cn, model, raw),
        station_configs=configs,
    )


def _violations(cn: CompiledNetwork, model: NlpModel, raw: RawSolution) -> tuple[str, ...]:
    """Texts for the node limits a soft-limit optimum violates (more than 1e-6 bar), largest first."""
    if not model.n_slack:
        return ()
    lim = model.limits
    out: list[tuple[float, str]] = []
    for arr, why, lim_pa, word in (
        (raw.violation_lo_pa, lim.lo_why, lim.lo_pa, "below"),
        (raw.violation_hi_pa, lim.hi_why, lim.hi_pa, "above"),
    ):
        for i in np.flatnonzero(arr > 0.1):
            v = float(arr[i]) / BAR_PA
            limit = (lim_pa[i] - cn.ambient_pa) / BAR_PA
            got = (raw.p_pa[i] - cn.ambient_pa) / BAR_PA
            out.append(
                (v, f"node {cn.node_ids[i]}: {got:.2f} barg, {v:.3f} bar {word} its limit {limit:.2f} barg ({why[i]})")
            )
    out.sort(key=lambda t: -t[0])
    return tuple(t for _, t in out)


def _costs(cn: CompiledNetwork, problem: Problem, raw: RawSolution, fuel: F64) -> dict[str, float]:
    day = 86400.0
    out: dict[str, float] = {}
    if np.any(problem.source_price):
        out["supply"] = float(problem.source_price @ raw.supply_kg_s) * day
    if problem.fuel_weight and problem.kind in ("cost", "dispatch"):
        out["compressor fuel"] = float(problem.fuel_weight * fuel.sum()) * day
    if problem.has_shedding:
        out["unserved gas penalty"] = float(problem.shed_penalty @ raw.shed_kg_s) * day
    return out


def _shortfalls(cn: CompiledNetwork, problem: Problem, raw: RawSolution) -> tuple[str, ...]:
    """Sources that deliver less than their nomination because their send-out pressure limits them."""
    out = []
    if problem.source_nominal.size:
        for k in np.flatnonzero(problem.source_nominal > 0):
            got, nom = raw.supply_kg_s[k], problem.source_nominal[k]
            if got < nom * (1 - 1e-6):
                b = cn.source_basis[k]
                text = f"{cn.source_ids[k]} delivers {b.kg_s_to_mmscfd(got):.0f} of its {b.kg_s_to_mmscfd(nom):.0f}"
                out.append(text + " MMSCFD: the network cannot take more at its maximum send-out pressure")
    return tuple(out)
