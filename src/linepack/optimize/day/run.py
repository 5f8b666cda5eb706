"""``optimize_day``: build, solve, judge and replay a day-ahead problem; the result and its comparison with the
simulated default day.

The flow: the default day is simulated on the optimiser's grid (:func:`.grid.build_grid`), the problem is
made (:func:`.problem.make_problem`) and solved (:class:`.solve.DaySolver`). When IPOPT finds no feasible
schedule, the elastic problem (delivery minima, deliveries and the end linepack relaxed at a heavy price) is
solved and its remaining violations, by hour, are the verdict (:func:`infeasibility_verdict`). A feasible
schedule is replayed in the transient simulator (:func:`.replay.replay`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ...compile import CompiledNetwork, compile_network
from ...errors import InfeasibleError
from ...model.network import Network
from ...transient import Profile
from ...units import BAR_PA
from .grid import build_grid
from .network import check_compiled, day_network
from .problem import CompCode, DayProblem
from .replay import Replay, replay
from .solve import DaySolveLog, DaySolver, RawDay
from .spec import DaySpec, StartMode

F64 = NDArray[np.float64]
P_TOL_PA = 100.0  # a pressure within 1 mbar of its limit binds
SIGMA_TOL_PA = 1000.0  # an elastic pressure violation above 10 mbar is reported
SHED_TOL_KG_S = 1e-3


@dataclass(frozen=True)
class DayFigures:
    """One day's totals on the optimiser's basis (step values at the step ends times the step length)."""

    fuel_t: float  # compressor fuel gas
    energy_cost_usd: float  # supply at its price + fuel gas at the fuel price + electric energy + cuts at penalty
    unserved_t: float
    lowest_margin_bar: float  # lowest delivery pressure minus its minimum, over deliveries and steps
    lowest_margin_at: str  # "<sink> at hh:mm"
    linepack_start_t: float
    linepack_end_t: float
    linepack_min_t: float
    linepack_max_t: float

    @property
    def swing_t(self) -> float:
        return self.linepack_max_t - self.linepack_min_t


@dataclass(frozen=True)
class DayResult:
    """A day-ahead optimisation: the problem, the optimiser's solution, its replay and the default day."""

    prob: DayProblem
    raw: RawDay
    on: NDArray[np.bool_]  # compressors x periods: running
    log: DaySolveLog
    feasible: bool
    verdict: tuple[str, ...]  # infeasible: the violations left by the elastic solve, with their hours
    replay: Replay | None
    optimised: DayFigures
    default: DayFigures
    cpu_s: float
    notes: tuple[str, ...] = ()  # what the optimiser ran on instead of the network as given (see .network)

    @property
    def spec(self) -> DaySpec:
        return self.prob.spec

    def binding(self) -> list[list[str]]:
        """Per control period: the limits that bind in it (see :func:`binding_limits`)."""
        return binding_limits(self.prob, self.raw, self.on)


def fmt_hhmm(t_s: float) -> str:
    h, m = divmod(round(t_s / 60.0), 60)
    return f"{h:02d}:{m:02d}"


def _figures(
    prob: DayProblem,
    p_pa: F64,
    fuel_kg_s: F64,
    elec_w: F64,
    supply_kg_s: F64,
    unserved_kg_s: F64,
    linepack_kg: F64,
) -> DayFigures:
    """Totals of a day given per step 1..N (rows) and the linepack at t_0..t_N."""
    dt = prob.dt
    cost = float(np.sum(prob.price_supply * supply_kg_s * dt[:, None]))
    cost += float(np.sum(prob.price_fuel * fuel_kg_s * dt)) + float(np.sum(prob.price_elec * elec_w * dt))
    cost += float(np.sum(unserved_kg_s * prob.shed_penalty[None, :] * dt[:, None]))
    margin, at = float("inf"), "-"
    if len(prob.deliv_node):
        m = p_pa[:, prob.deliv_node] - prob.deliv_p_min[None, :]
        i, j = np.unravel_index(int(np.argmin(m)), m.shape)
        margin = float(m[i, j]) / BAR_PA
        sink = prob.deliv_label[j].removeprefix("delivery ").removesuffix(" minimum pressure")
        at = f"{sink} at {fmt_hhmm(float(prob.grid.times_s[i + 1]))}"
    return DayFigures(
        fuel_t=float(np.sum(fuel_kg_s * dt)) / 1e3,
        energy_cost_usd=cost,
        unserved_t=max(float(np.sum(unserved_kg_s * dt[:, None])) / 1e3, 0.0),
        lowest_margin_bar=margin,
        lowest_margin_at=at,
        linepack_start_t=float(linepack_kg[0]) / 1e3,
        linepack_end_t=float(linepack_kg[-1]) / 1e3,
        linepack_min_t=float(np.min(linepack_kg)) / 1e3,
        linepack_max_t=float(np.max(linepack_kg)) / 1e3,
    )


def _electric_w(prob: DayProblem, power_w: F64) -> F64:
    cn = prob.grid.cn
    fe = np.where(cn.comp_gas_driven, 0.0, 1.0 / cn.comp_eta_driver)
    return np.asarray(power_w @ fe, dtype=float) if len(fe) else np.zeros(len(power_w))


def default_figures(prob: DayProblem) -> DayFigures:
    """The totals of the simulated default day on the optimiser's grid."""
    d = prob.grid.default_day
    n = len(d.times_s)
    N = len(prob.dt)
    if n < N + 1:  # the default day stopped early: totals over what it ran (margins flag it)
        pad = N + 1 - n

        def held(a: F64) -> F64:
            return np.concatenate([a, np.repeat(a[-1:], pad, axis=0)])

        p, fuel, power = held(d.node_p_pa), held(d.comp_fuel_kg_s), held(d.comp_power_w)
        sup, lp = held(d.source_supply_kg_s), held(d.linepack_kg)
    else:
        p, fuel, power, sup, lp = d.node_p_pa, d.comp_fuel_kg_s, d.comp_power_w, d.source_supply_kg_s, d.linepack_kg
    nk = len(prob.grid.cn.sink_ids)
    return _figures(prob, p[1:], fuel[1:].sum(axis=1), _electric_w(prob, power[1:]), sup[1:], np.zeros((N, nk)), lp)


def optimised_figures(prob: DayProblem, raw: RawDay) -> DayFigures:
    K, m = prob.spec.n_periods, prob.spec.substeps
    o = prob.offsets()[4]
    shed = raw.u[o:].T  # K x sinks
    unserved = np.repeat(shed, m, axis=0) if len(shed) else np.zeros((K * m, 0))
    lp = np.concatenate([[_start_linepack(prob, raw)], raw.linepack_kg])
    return _figures(prob, raw.point_p_pa[1:], raw.fuel_kg_s, raw.elec_w, raw.supply_kg_s, unserved, lp)


def _start_linepack(prob: DayProblem, raw: RawDay) -> float:
    grid = prob.grid
    if grid.x0 is not None:
        return float(grid.default_day.linepack_kg[0])
    return float(raw.linepack_kg[-1])  # periodic: the day starts where it ends


def binding_limits(prob: DayProblem, raw: RawDay, on: NDArray[np.bool_]) -> list[list[str]]:
    """Per control period, the limits the schedule sits on (within 1 mbar, 1 kW, 1e-6 of a ratio): point
    pressure limits (named by their source: node limit, MAOP, send-out maximum), delivery minima, station
    ratio and power maxima, set-points and send-outs at their bounds, ramps, the end-of-day linepack."""
    grid, spec = prob.grid, prob.spec
    cn = grid.cn
    K, m = spec.n_periods, spec.substeps
    nc = len(cn.comp_edge)
    p = raw.point_p_pa[1:]
    out: list[list[str]] = []
    ramp = prob.ramp
    u = raw.u
    first = raw.u[:, -1] if grid.x0 is None else prob.u_init
    du = np.diff(np.concatenate([first[:, None], u], axis=1), axis=1)
    for k in range(K):
        rows = slice(k * m, (k + 1) * m)
        pk = p[rows]
        found: list[str] = []
        hi = np.isfinite(prob.p_hi) & np.any(pk >= prob.p_hi[None, :] - P_TOL_PA, axis=0)
        lo = np.any(pk <= prob.p_lo[None, :] + P_TOL_PA, axis=0)
        # (a send-out set-point limit is reported as its control at its maximum, below)
        found += sorted(
            {
                f"max: {prob.p_hi_why[i]}"
                for i in np.flatnonzero(hi)
                if prob.p_hi_why[i] and "send-out" not in prob.p_hi_why[i]
            }
        )
        found += sorted({f"min: {prob.p_lo_why[i]}" for i in np.flatnonzero(lo) if prob.p_lo_why[i]})
        if len(prob.deliv_node):
            at_min = np.any(pk[:, prob.deliv_node] <= prob.deliv_p_min[None, :] + P_TOL_PA, axis=0)
            found += [prob.deliv_label[j] for j in np.flatnonzero(at_min)]
        ineq = raw.ineq[rows]
        for i, e in enumerate(cn.comp_edge):
            if not on[i, k]:
                continue
            if np.isfinite(cn.comp_ratio_max[i]) and np.any(ineq[:, nc + i] * grid.start.p_ref_pa <= P_TOL_PA):
                found.append(f"compressor {cn.edge_ids[e]} ratio maximum")
            if np.isfinite(cn.comp_power_max_w[i]) and np.any(ineq[:, 2 * nc + i] * 1e6 <= 1e3):
                found.append(f"compressor {cn.edge_ids[e]} power maximum")
        scale = np.where(np.array(prob.u_units) == "Pa", P_TOL_PA, 1e-6)
        for j, label in enumerate(prob.u_labels):
            if j < nc and not on[j, k]:
                continue
            lo_j, hi_j, uj = prob.u_lo[j, k], prob.u_hi[j, k], u[j, k]
            if label.endswith("unserved"):
                if uj > SHED_TOL_KG_S:
                    found.append(f"{label} {uj:.3g} kg/s")
                continue
            if label.endswith("shortfall"):
                if uj < -SHED_TOL_KG_S:
                    found.append(f"{label} {-uj:.3g} kg/s")
                continue
            if hi_j > lo_j + scale[j]:
                if uj >= hi_j - scale[j]:
                    found.append(f"{label} at its maximum")
                elif uj <= lo_j + scale[j]:
                    found.append(f"{label} at its minimum")
            if np.isfinite(ramp[j]) and abs(du[j, k]) >= ramp[j] - scale[j]:
                found.append(f"{label} ramp limit")
        if k == K - 1 and np.isfinite(prob.lp_target_kg) and raw.linepack_kg[-1] <= prob.lp_target_kg * (1 + 1e-7):
            found.append("end-of-day linepack at its target")
        out.append(list(dict.fromkeys(found)))
    return out


SHUT_FLOW_KG_S = 1e-6  # a station passing less is shut (its non-return valve closed)


def shut_beyond_ratio(prob: DayProblem, p_pa: F64, q_kg_s: F64) -> list[tuple[str, float, float, int]]:
    """Pressure-controlled stations shut (flow below ``SHUT_FLOW_KG_S``) with a discharge-to-suction ratio above
    their maximum, in states ``p_pa`` (rows x points), ``q_kg_s`` (rows x edges): (station, worst ratio, its
    maximum, row). The optimiser models such a station as running at zero flow within its ratio limit, so it
    cannot hold this state (the simulator can: a shut station keeps its discharge side)."""
    cn = prob.grid.cn
    out: list[tuple[str, float, float, int]] = []
    for i, e in enumerate(cn.comp_edge):
        rmax = float(cn.comp_ratio_max[i])
        if prob.comp_code[i] != CompCode.PRESSURE or not np.isfinite(rmax):
            continue
        ratio = p_pa[:, cn.edge_to[e]] / p_pa[:, cn.edge_from[e]]
        bad = (np.abs(q_kg_s[:, e]) < SHUT_FLOW_KG_S) & (ratio > rmax * (1 + 1e-9))
        if np.any(bad):
            r = int(np.argmax(np.where(bad, ratio, -np.inf)))
            out.append((cn.edge_ids[e], float(ratio[r]), rmax, r))
    return out


def check_start(prob: DayProblem) -> None:
    """Raise :class:`InfeasibleError` when the fixed start state (steady or settled day) already breaks a
    pressure limit the optimiser keeps at every step (node limits, MAOP): no schedule can undo where the day
    starts. Delivery minima are left to the elastic solve."""
    x0 = prob.grid.x0
    if x0 is None:
        return
    shut = shut_beyond_ratio(prob, x0.point_p_pa[:1], x0.edge_q_kg_s[:1])
    if shut:
        raise InfeasibleError(
            "day-ahead optimisation: "
            + "; ".join(f"compressor {c} is shut at the start (no flow, non-return valve closed) with a discharge-to-"
                        f"suction ratio of {r:.3f}, above its maximum {rm:g}" for c, r, rm, _ in shut)
            + ". The optimiser models a shut pressure-controlled station as running at zero flow within its ratio "
            "limit, so it cannot start from this state (the transient simulator can)",
            ["use --start periodic, another start, or a ratio_max that covers the shut state (docs/day-ahead.md)"],
        )  # fmt: skip
    p = x0.point_p_pa[0]
    amb = prob.grid.cn.ambient_pa
    over = np.flatnonzero(np.isfinite(prob.p_hi) & (p > prob.p_hi + P_TOL_PA))
    under = np.flatnonzero(p < prob.p_lo - P_TOL_PA)
    if not len(over) and not len(under):
        return
    seen: dict[str, tuple[float, float]] = {}
    for i in over:
        why = prob.p_hi_why[i] or "maximum pressure"
        worst = seen.get(why, (0.0, 0.0))
        if p[i] - prob.p_hi[i] > worst[0]:
            seen[why] = (float(p[i] - prob.p_hi[i]), float(prob.p_hi[i]))
    for i in under:
        why = prob.p_lo_why[i] or "minimum pressure"
        worst = seen.get(why, (0.0, 0.0))
        if prob.p_lo[i] - p[i] > worst[0]:
            seen[why] = (float(p[i] - prob.p_lo[i]), float(prob.p_lo[i]))
    lines = [
        f"{why} ({(lim - amb) / BAR_PA:.1f} barg) {'exceeded' if d > 0 else 'undercut'} by {abs(d) / BAR_PA:.2f} bar "
        "in the state the day starts from"
        for why, (d, lim) in sorted(seen.items(), key=lambda kv: -abs(kv[1][0]))
    ]
    optimal = prob.spec.start == StartMode.OPTIMAL
    at = " at its least-fuel set-points" if optimal else " at the default set-points"
    fixes = "" if optimal else "--start optimal (the steady least-fuel state at t = 0), "
    raise InfeasibleError(
        "day-ahead optimisation: the day starts beyond the limits it must keep at every step, so no schedule "
        f"exists ({prob.spec.start.value} start{at}): " + "; ".join(lines[:6])
        + (f"; and {len(lines) - 6} more" if len(lines) > 6 else ""),
        [f"use {fixes}--start periodic (the day's start is then a decision), or set-points that keep these "
         "limits at t = 0 (`linepack run` shows the steady state)"],
    )  # fmt: skip


def infeasibility_verdict(prob: DayProblem, raw: RawDay) -> list[str]:
    """What the elastic solve ``raw`` still violates: each delivery minimum short (by how much, from when to
    when), each delivery cut (tonnes, hours), the end-of-day linepack short; the limits binding then follow
    in the report."""
    grid, spec = prob.grid, prob.spec
    t = grid.times_s
    out: list[str] = []
    for j, label in enumerate(prob.deliv_label):
        s = raw.sigma_pa[j]
        bad = np.flatnonzero(s > SIGMA_TOL_PA)
        if len(bad):
            out.append(
                f"{label} not met from {fmt_hhmm(t[bad[0]])} to {fmt_hhmm(t[bad[-1] + 1])}: short by up to "
                f"{float(s.max()) / BAR_PA:.2f} bar at {fmt_hhmm(t[int(np.argmax(s)) + 1])}"
            )
    o = prob.offsets()[4]
    P = spec.period_s
    for k, sid in enumerate(grid.cn.sink_ids):
        shed = raw.u[o + k]
        bad = np.flatnonzero(shed > SHED_TOL_KG_S)
        if len(bad):
            out.append(
                f"delivery {sid} cannot be met in full from {fmt_hhmm(bad[0] * P)} to {fmt_hhmm((bad[-1] + 1) * P)}: "
                f"{float(shed.sum() * P) / 1e3:,.1f} t not delivered (up to {float(shed.max()):.3g} kg/s, "
                f"first at {fmt_hhmm(bad[0] * P)})"
            )
    d = grid.default_day
    if len(d.times_s) == len(t):
        tr = grid.warm
        for c, r, rm, row in shut_beyond_ratio(prob, tr.point_p_pa, tr.edge_q_kg_s):
            out.append(
                f"note: compressor {c} is shut in the default day at {fmt_hhmm(t[row])} with a discharge-to-suction "
                f"ratio of {r:.3f}, above its maximum {rm:g}; the optimiser models a shut station as running at zero "
                "flow within its ratio limit, so a day that needs that state is not found"
            )
    if raw.sigma_lp_kg > 1.0:
        out.append(
            f"end-of-day linepack short of its target by {raw.sigma_lp_kg / 1e3:,.1f} t "
            f"(target {prob.lp_target_kg / 1e3:,.1f} t)"
        )
    return out


def optimize_day(
    network: Network | CompiledNetwork,
    scenario: str | None = None,
    *,
    profile: Profile,
    spec: DaySpec | None = None,
    check: bool = True,
) -> DayResult:
    """The best schedule of the day ``profile`` on ``network`` (its default scenario unless ``scenario``) for
    ``spec`` (see :class:`DaySpec`), replayed in the transient simulator when ``check``.

    Raises :class:`~linepack.errors.InputError` for bad input and :class:`~linepack.errors.ConvergenceError`
    when the friction rounds do not settle. An infeasible day is returned with ``feasible=False`` and its
    ``verdict``.
    """
    t0 = time.process_time()
    spec = spec or DaySpec()
    spec.check()
    notes: tuple[str, ...] = ()
    if isinstance(network, CompiledNetwork):
        check_compiled(network)
        cn = network
    else:
        network, notes = day_network(network, scenario)
        cn = compile_network(network, scenario)
    grid = build_grid(cn, profile, spec)
    from .problem import make_problem

    prob = make_problem(grid, spec)
    check_start(prob)
    solver = DaySolver(prob)
    raw = solver.solve()
    feasible = raw.success
    verdict: list[str] = []
    if not feasible:
        status = raw.status
        elastic = solver.solve_elastic()
        verdict = infeasibility_verdict(prob, elastic) if elastic.success else []
        if not verdict:
            verdict = [f"IPOPT found no feasible schedule ({status}); the elastic problem ended with {elastic.status}"]
        raw = elastic
    rp = replay(prob, raw, solver.on) if (check and feasible) else None
    return DayResult(
        prob=prob,
        raw=raw,
        on=solver.on.copy(),
        log=solver.log,
        feasible=feasible,
        verdict=tuple(verdict),
        replay=rp,
        optimised=optimised_figures(prob, raw),
        default=default_figures(prob),
        cpu_s=time.process_time() - t0,
        notes=notes,
    )
