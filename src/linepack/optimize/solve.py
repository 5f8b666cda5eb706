"""Solve a :class:`Problem` with the exact NLP: coefficient fixed point around IPOPT, then the result."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode
from ..errors import ConvergenceError, InfeasibleError, LinepackError
from ..quality.properties import GasProps
from ..results import SteadyResult
from ..solvers.equations import FIXED_LOSS_SMOOTHING, TIE_RESISTANCE, ControlState
from ..solvers.station_rows import initial_configs
from ..solvers.steady import _initial_guess, _scales, solve_steady
from ..stations.choice import choose
from ..stations.points import suction_gas
from ..stations.units import CompiledStations
from ..units import BAR_PA
from .formulations.nlp import NlpModel, NlpOptions, RawSolution
from .formulations.sensitivity import reported_marginals
from .physics import FrozenPhysics
from .problems import Problem
from .quality_limits import OptimizerGas
from .results import Binding, OptimizationResult
from .settings import AT_RATIO_ONE, IDLE_FLOW, newton_scales, positions, settings_network

F64 = NDArray[np.float64]
HOLD_FROM = 1e-7  # bounds are held exactly once the fixed point is this close (see at_bound)
MAX_GAS_ROUNDS = 30  # solves of the coefficient fixed point while the gas mixtures settle


@dataclass(frozen=True)
class OptimizeOptions:
    """Tolerances of :func:`solve_problem`."""

    nlp: NlpOptions = field(default_factory=NlpOptions)
    coefficient_tol: float = 1e-8  # stop when the pipe law's residual implies errors below this (relative)
    max_outer: int = 40
    warm_start_with_newton: bool = False  # start from the scenario's steady state (slow when it fails)
    accept_unconverged: bool = False  # return the last round (success False) when the fixed point is not met
    time_limit_s: float | None = None  # CPU seconds for the whole fixed point (every IPOPT call within it)


def _start(cn: CompiledNetwork, warm: bool) -> tuple[F64, F64, F64]:
    """A starting point: the scenario's own steady state if it solves, else the simulator's initial guess."""
    if warm:
        try:
            return _on_network(cn, solve_steady(cn))
        except LinepackError:
            pass
    state = ControlState.initial(cn)
    p_ref, _ = _scales(cn)
    p, q, s = _initial_guess(cn, state, p_ref)
    supply = np.where(cn.source_is_pressure, 0.0, cn.source_inflow)
    supply[np.flatnonzero(cn.source_is_pressure)] = s
    return p, q, supply


def _on_network(cn: CompiledNetwork, res: SteadyResult) -> Start:
    """The pressures, flows and supplies of the steady state ``res`` as a start on all of ``cn``: the steady solver
    leaves out the parts that no supply reaches and that have no demand (a station closed, a source out), which
    the optimiser keeps; they start with no flow at the median pressure of the rest."""
    rn = res.network
    if rn.node_ids == cn.node_ids and rn.edge_ids == cn.edge_ids and rn.source_ids == cn.source_ids:
        return res.p_pa.copy(), res.q_kg_s.copy(), res.source_supply_kg_s.copy()
    p = np.full(cn.n_nodes, float(np.median(res.p_pa)))
    p[positions(cn.node_ids, rn.node_ids)] = res.p_pa
    q = np.zeros(cn.n_edges)
    q[positions(cn.edge_ids, rn.edge_ids)] = res.q_kg_s
    s = np.zeros(len(cn.source_ids))
    s[positions(cn.source_ids, rn.source_ids)] = res.source_supply_kg_s
    return p, q, s


def _shed_start(problem: Problem) -> F64:
    """Shedding to start from [kg/s per sink]: when the supplies' upper bounds cannot cover the demand, every
    sink that may be shed starts cut in the same proportion so that the start asks for 90 % of what can be
    supplied (a start that asks for more is far from every feasible point, and IPOPT may stop in a point
    of local infeasibility although shedding more is always feasible)."""
    shed0 = np.zeros(len(problem.demand))
    if not problem.has_shedding:
        return shed0
    hi = problem.source_hi
    if not np.all(np.isfinite(hi)):
        return shed0
    total, sheddable = float(np.sum(problem.demand)), float(np.sum(problem.shed_max))
    wanted = total - 0.9 * float(np.sum(np.maximum(hi, 0.0)))
    if wanted <= 0 or sheddable <= 0:
        return shed0
    return problem.shed_max * min(1.0, wanted / sheddable)


def delivered(problem: Problem, raw: RawSolution) -> F64:
    return problem.demand - raw.shed_kg_s + raw.growth_kg_s * problem.growth


@dataclass
class _Round:
    """The outcome of one coefficient fixed point (the gas held)."""

    raw: RawSolution
    model: NlpModel
    par: F64
    iterations: int
    outer: int
    change: float


def solve_problem(cn: CompiledNetwork, problem: Problem, options: OptimizeOptions | None = None) -> OptimizationResult:
    """Solve ``problem`` on ``cn``: first the checks that need no NLP (:mod:`.verdicts`: one-line infeasibility
    verdicts), then the NLP; load shedding in two stages (:mod:`.shedding`). Raises :class:`InfeasibleError`
    when the checks or IPOPT find no feasible point."""
    from .shedding import solve_shed
    from .verdicts import check_before_solving

    check_before_solving(cn, problem)
    if problem.kind == "shed":
        return solve_shed(cn, problem, options or OptimizeOptions())
    return solve_nlp(cn, problem, options)


_FREE = (CompMode.PRESSURE, CompMode.SUCTION, CompMode.RATIO, CompMode.POWER)  # modes the optimiser may stop
MAX_CONFIG_ROUNDS = 5  # NLP solves with the stations' configurations re-chosen at the optimum


Start = tuple[F64, F64, F64]


def solve_nlp(
    cn: CompiledNetwork,
    problem: Problem,
    options: OptimizeOptions | None = None,
    start: Start | None = None,
    stations_from: OptimizationResult | None = None,
) -> OptimizationResult:
    """The NLP of ``problem`` by the coefficient fixed point around IPOPT (from ``start``, pressures, flows and
    supplies, when given).

    Stations with units run a fixed configuration while the NLP solves (which units run is a discrete
    decision): that of the scenario's steady state, where stations it bypasses or closes stay so. At the
    optimum, a station that compresses nothing (ratio 1, where its units would still burn their idle fuel) or
    passes no gas is bypassed or closed, the simulator's rule (:mod:`linepack.stations.choice`) chooses the
    others' configurations again, and the NLP is solved again until nothing changes (at most MAX_CONFIG_ROUNDS
    solves, or until settings solved before come back); when none of them settles, every station with units
    free to stop is closed for one more solve. The best of these optima is returned (a converged one before one
    whose coefficient fixed point did not settle), its configurations in ``station_configs``.
    ``stations_from``: an optimum of the same network whose configurations (and stations bypassed or closed)
    are the starting ones instead (a second stage starting from that optimum's point). The one-machine model
    of a station without units has no such restriction."""
    if cn.stations is None:
        return _solve_with(cn, problem, options, start)[0]
    steady_start: Start | None
    if stations_from is not None and stations_from.station_configs is not None:
        configs, modes, steady_start = _configs_of(cn, stations_from)
    else:
        configs, modes, steady_start = _start_configs(cn)
    start = start if start is not None else steady_start
    model_cn = cn if np.array_equal(modes, cn.comp_mode) else replace(cn, comp_mode=modes)
    result, props = _solve_with(model_cn, problem, options, start, configs, cn)
    best = result
    tried = {(tuple(configs), tuple(model_cn.comp_mode))}
    for _ in range(MAX_CONFIG_ROUNDS - 1):
        stopped = _stopped_at(model_cn, result)
        chosen = _configs_at(model_cn, result, configs, props)
        key = (tuple(chosen), tuple(stopped))
        if key in tried:  # back to settings solved before (the rule and the NLP disagree in a cycle)
            break
        tried.add(key)
        configs, model_cn = chosen, replace(model_cn, comp_mode=stopped)
        try:
            result, props = _solve_with(model_cn, problem, options, start, configs, cn)
        except LinepackError:
            break
        if _better(result, best, problem):  # a converged optimum first
            best = result
    if not best.success:
        # no optimum settled with these stations running: closing every station with units that is free to
        # close is one more of their discrete choices (a network short of supply often needs none of them)
        closed = model_cn.comp_mode.copy()
        k = cn.stations.comp_k
        closed[k[np.isin(closed[k], _FREE)]] = CompMode.OFF
        if not np.array_equal(closed, model_cn.comp_mode):
            try:
                result, _ = _solve_with(replace(model_cn, comp_mode=closed), problem, options, start, configs, cn)
            except LinepackError:
                return best
            if _better(result, best, problem):
                best = result
    return best


def _better(result: OptimizationResult, best: OptimizationResult, problem: Problem) -> bool:
    """Whether ``result`` is a better optimum than ``best``: converged before not converged, then the lower value
    of what the solver minimises (the reported objective divided by its scale, which is negative for the
    problems reported as maximised, such as capacity)."""
    sign = 1.0 if problem.objective_scale >= 0 else -1.0
    return (result.success, -sign * result.objective) > (best.success, -sign * best.objective)


def _start_configs(cn: CompiledNetwork) -> tuple[NDArray[np.int64], NDArray[np.int64], Start | None]:
    """The configurations the stations with units run at the start, the compressor modes and a starting point:
    those of the scenario's steady state (a station with units it bypasses or closes stays so: its units do not
    run), else each station's initial configuration (the one it is told, else the one with the most units)."""
    cs = cn.stations
    assert cs is not None
    modes = cn.comp_mode.copy()
    try:
        res = solve_steady(cn)
    except LinepackError:
        return initial_configs(cs), modes, None
    rn = res.network
    # the steady state's compressors and configurations on cn (it may have left out dead parts, see _on_network)
    at = positions([cn.edge_ids[e] for e in cn.comp_edge], [rn.edge_ids[e] for e in rn.comp_edge])
    res_mode = cn.comp_mode.copy()
    res_mode[at] = res.comp_mode
    k = cs.comp_k
    stopped = np.isin(res_mode[k], (CompMode.BYPASS, CompMode.OFF))
    modes[k[stopped]] = res_mode[k[stopped]]
    configs = res.control.station_config if res.control is not None else None
    chosen = initial_configs(cs)
    if configs is not None and rn.stations is not None:
        # a configuration is named within its station: (station id, configuration id) on both networks
        def named(st: CompiledStations, c: Sequence[int]) -> list[str]:
            return [f"{st.ids[st.configs.station[i]]}\0{st.configs.ids[i]}" for i in c]

        kept = positions(cs.ids, rn.stations.ids)
        chosen[kept] = positions(named(cs, range(len(cs.configs.ids))), named(rn.stations, configs))
    return chosen, modes, _on_network(cn, res)


def _configs_of(cn: CompiledNetwork, res: OptimizationResult) -> tuple[NDArray[np.int64], NDArray[np.int64], Start]:
    """The configurations, compressor modes (stations with units it bypasses or closes stay so) and point of an
    optimum ``res`` of ``cn``, as a start."""
    cs = cn.stations
    assert cs is not None
    modes = cn.comp_mode.copy()
    k = cs.comp_k
    stopped = np.isin(res.settings.comp_mode[k], (CompMode.BYPASS, CompMode.OFF))
    modes[k[stopped]] = res.settings.comp_mode[k[stopped]]
    configs = np.asarray(res.station_configs, dtype=np.int64)
    return configs, modes, (res.p_pa.copy(), res.q_kg_s.copy(), res.supply_kg_s.copy())


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
    free = np.isin(mode[k], _FREE)
    idle = free & (q < IDLE_FLOW * max(float(np.sum(result.delivered_kg_s)), 1e-3))  # as settings_network
    flat = free & ~idle & (pd <= ps * (1 + AT_RATIO_ONE))
    mode[k[idle]], mode[k[flat]] = CompMode.OFF, CompMode.BYPASS
    return mode


def _configs_at(
    cn: CompiledNetwork, result: OptimizationResult, configs: NDArray[np.int64], props: GasProps | None = None
) -> NDArray[np.int64]:
    """The configurations the simulator's rule chooses at an optimum (running stations told nothing), with the
    gas each station takes in at that optimum (``props``: the optimum's gas when the network's gases mix)."""
    cs = cn.stations
    assert cs is not None
    ce = cn.comp_edge[cs.comp_k]
    m = result.q_kg_s[ce]
    ps, pd = result.p_pa[cn.edge_from[ce]], result.p_pa[cn.edge_to[ce]]
    free = (cs.fixed_config < 0) & (m > 1e-6 * max(float(np.sum(result.delivered_kg_s)), 1e-3)) & (pd > ps)
    if not np.any(free):
        return configs
    choice = choose(cs, suction_gas(cn, props), m, ps, pd)
    return np.where(free, choice.config, configs).astype(np.int64)


def _fixed_point(
    cn: CompiledNetwork,
    problem: Problem,
    opt: OptimizeOptions,
    start: tuple[F64, F64, F64],
    scales: tuple[float, float],
    shed0: F64,
    cpu0: float,
    props: GasProps | None = None,
    cuts: tuple[F64, F64, tuple[str, ...]] | None = None,
    configs: NDArray[np.int64] | None = None,
) -> _Round:
    """The NLP solved around its pipe-law coefficients until they agree with the simulator's at the solution, with
    the gas ``props`` (and the supply ``cuts`` of the quality limits) held and the stations with units in
    ``configs``; ``shed0`` is the shedding to start from, ``cpu0`` the process time the CPU limit counts from."""
    p, q, s = start
    p_ref, m_ref = scales
    model = NlpModel(cn, problem, p_ref, m_ref, opt.nlp, props, cuts, configs)
    point_p, point_q = p.copy(), q.copy()  # where the pipe law is linearised
    phys = FrozenPhysics.at(cn, point_p, point_q, props=props)
    x0 = model.pack(p, q, s, shed0, 0.0)
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
    for outer in range(1, opt.max_outer + 1):
        if opt.time_limit_s is not None and time.process_time() - cpu0 > opt.time_limit_s:
            raise ConvergenceError(
                f"{problem.kind} on scenario {cn.scenario}: CPU time limit of {opt.time_limit_s:g} s reached after "
                f"{outer - 1} rounds"
            )
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
        at_raw = FrozenPhysics.at(cn, raw.p_pa, raw.q_kg_s, 1e-2 * m_ref, props=props)
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
        if np.isfinite(change) and change > prev:
            weight = max(0.5 * weight, 0.125)
            rho = min(max(10.0 * rho, 1e-6), 1e-2)
        elif change < 0.1 * prev:
            weight = min(2.0 * weight, 1.0)
            rho = 0.1 * rho if rho > 1e-9 else 0.0
        elif change < 0.9 * prev:  # contracting, but slowly: a longer step toward the solution, less damping
            weight = min(1.5 * weight, 1.0)
            rho = 0.3 * rho if rho > 1e-9 else 0.0
        prev = change
        point_p = point_p + weight * (raw.p_pa - point_p)
        point_q = point_q + weight * (raw.q_kg_s - point_q)
        phys = at_raw if weight == 1.0 else FrozenPhysics.at(cn, point_p, point_q, props=props)
        n_p, n_m = new_np, new_nm
        x0, lam_g, lam_x = raw.x, raw.lam_g, raw.lam_x
    assert raw is not None
    return _Round(raw, model, par, iters, outer, float(change))


def _solve_with(
    cn: CompiledNetwork,
    problem: Problem,
    options: OptimizeOptions | None,
    start: Start | None = None,
    configs: NDArray[np.int64] | None = None,
    posed: CompiledNetwork | None = None,
) -> tuple[OptimizationResult, GasProps | None]:
    """One NLP solve (stations with units in ``configs``; ``posed``: the network as the user posed it, when
    ``cn`` has stations bypassed or closed for this solve), and the gas it was solved with (None: one gas).

    When the network's gases mix, the coefficient fixed point is solved with the gas held, then the gas is taken
    from the optimum's flows (the simulator's mixing, Anderson-accelerated) and the fixed point solved again, until
    the gas the optimum implies is the gas it was solved with (see :mod:`.quality_limits`).
    """
    opt = options or OptimizeOptions()
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    if opt.time_limit_s is not None:
        opt = replace(opt, nlp=replace(opt.nlp, max_cpu_time_s=min(opt.nlp.max_cpu_time_s, opt.time_limit_s)))
    shed0 = _shed_start(problem)
    start_cn = replace(cn, sink_demand=problem.demand - shed0) if np.any(shed0 > 0) else cn
    p, q, s = start if start is not None else _start(start_cn, opt.warm_start_with_newton)
    p_ref, m_ref = _scales(cn)
    p_ref = max(p_ref, float(np.max(p)))
    m_ref = max(m_ref, float(np.sum(problem.demand)), 1e-3)
    if start is None and cn.quality is not None and cn.quality.mixing and not opt.warm_start_with_newton:
        # the first gas (and the start): the scenario's own steady state when it has one, a consistent mixture
        p, q, s = _start(start_cn, True)
    scales = (p_ref, m_ref)
    gas = OptimizerGas.start(cn, problem, m_ref, q, s)
    props: GasProps | None = None
    if gas is None:
        rnd = _fixed_point(cn, problem, opt, (p, q, s), scales, shed0, cpu0, configs=configs)
    else:
        for _gas_round in range(1, MAX_GAS_ROUNDS + 1):
            props = gas.props
            rnd = _fixed_point(cn, gas.problem, opt, (p, q, s), scales, shed0, cpu0, props, gas.cuts, configs)
            if not rnd.raw.success or rnd.change >= opt.coefficient_tol:
                break
            raw = rnd.raw
            settled = gas.update(raw.q_kg_s, raw.supply_kg_s)
            if gas.limited:
                violation = gas.refresh_cuts(raw.p_pa, raw.q_kg_s, raw.supply_kg_s, delivered(gas.problem, raw))
                settled = settled and (violation <= 1e-9 or not gas.cuts_moved())
            if settled:
                break
            p, q, s = raw.p_pa, raw.q_kg_s, raw.supply_kg_s
        else:
            raise ConvergenceError(
                f"{problem.kind} on scenario {cn.scenario}: the gas mixtures of the optimum did not settle in "
                f"{MAX_GAS_ROUNDS} rounds",
                ["the optimum's flows and the gases they carry keep changing each other; set settings.mixing: off"],
            )
        problem = gas.problem
    raw, model, par, iters, outer, change = rnd.raw, rnd.model, rnd.par, rnd.iterations, rnd.outer, rnd.change
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
    converged = change < opt.coefficient_tol
    if not converged and not opt.accept_unconverged:
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
    exact = reported_marginals(model, raw)
    binding = tuple(
        Binding(label, (e if np.isfinite(e) else v) * scale, unit, v * scale)
        for (label, v, unit), e in zip(raw.binding, exact, strict=True)
    )
    costs = _costs(cn, problem, raw, fuel)
    result = OptimizationResult(
        network=posed if posed is not None else cn,
        settings=settings,
        kind=problem.kind,
        description=problem.description,
        formulation="nlp (casadi + IPOPT, exact steady physics by coefficient fixed point)",
        success=converged,
        status=raw.status,
        message="optimal" if converged else f"pipe law met to only {change:.1e} after {outer} rounds",
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
    return result, props


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
        name = "flexible demand not served (at its value)" if problem.kind == "dispatch" else "unserved gas penalty"
        out[name] = float(problem.shed_penalty @ raw.shed_kg_s) * day
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
