"""Steady-state solve: pre-checks, Newton, active bounds of controlled elements, diagnosis, result."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode, EdgeKind, RegMode, compile_network, z_at
from ..errors import ConvergenceError, InfeasibleError, TopologyError
from ..model.network import Network
from ..results import SteadyResult
from ..units import BAR_PA
from .diagnostics import flow_blocked_edges, island_problems, islands, state_problems, supply_problems
from .equations import ControlState, SourceBound, SteadySystem
from .newton import NewtonOptions, NewtonOutcome, newton

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class SteadyOptions:
    """Tolerances and caps of :func:`solve_steady`."""

    tolerance: float = 1e-10  # max scaled residual (per-unit pressure squared, per-unit flow)
    max_iterations: int = 80  # Newton iterations per control state
    max_time_s: float = 120.0  # wall time for the whole solve
    max_outer: int = 30  # changes of control state (bounds becoming active or released)
    viscosity_rel_tol: float = 1e-4  # viscosity is lagged one outer iteration until it settles


class _Scaled(SteadySystem):
    """A system whose fixed injections are scaled (for load continuation)."""

    def __init__(
        self, cn: CompiledNetwork, state: ControlState, mu: F64, p_ref: float, m_ref: float, load: float
    ) -> None:
        super().__init__(cn, state, mu, p_ref, m_ref)
        self.fixed_injection = self.fixed_injection * load


def _scales(cn: CompiledNetwork) -> tuple[float, float]:
    sets = np.concatenate([cn.source_p_set_pa[cn.source_is_pressure], cn.comp_p_set_pa, cn.reg_p_set_pa])
    sets = sets[np.isfinite(sets)]
    p_ref = float(np.max(sets)) if len(sets) else 50.0 * BAR_PA
    m_ref = float(max(np.sum(cn.sink_demand), np.sum(cn.source_inflow), 1e-3))
    return p_ref, m_ref


def _initial_guess(cn: CompiledNetwork, state: ControlState, p_ref: float) -> tuple[F64, F64, F64]:
    """Pressures at the highest reference; flows from a conductance-weighted minimum-norm split."""
    n, m = cn.n_nodes, cn.n_edges
    refs = state.src_p_target[state.src_pressure]
    p = np.full(n, float(np.max(refs)) if len(refs) else p_ref)
    inj = np.zeros(n)
    np.add.at(inj, cn.source_node, np.where(state.src_pressure, 0.0, state.src_inflow))
    np.subtract.at(inj, cn.sink_node, cn.sink_demand)
    psrc = np.flatnonzero(state.src_pressure)
    s = np.zeros(len(psrc))
    if len(psrc):
        cap = cn.source_capacity[psrc]
        w = np.where(np.isfinite(cap), cap, np.nanmax(np.where(np.isfinite(cap), cap, 1.0)) + 1.0)
        s = -float(np.sum(inj)) * w / np.sum(w)
        np.add.at(inj, cn.source_node[psrc], s)
    wts = np.ones(m)
    if len(cn.res_edge):
        cond = cn.diameter_m**2.5 / np.sqrt(cn.length_m)
        wts[cn.res_edge] = cond
        wts[cn.edge_kind != EdgeKind.PIPE] = np.max(cond)
    wts[flow_blocked_edges(cn, state)] = 0.0
    A = cn.incidence
    lap = (A @ sp.diags(wts) @ A.T).tocsc() + sp.identity(n, format="csc") * (1e-9 * float(np.max(wts)))
    y = spla.spsolve(lap, -inj)
    q = wts * (A.T @ y)
    return p, np.asarray(q, dtype=float), s


def _viscosity(cn: CompiledNetwork, p_mean: F64) -> F64:
    z, _ = z_at(cn, p_mean)
    return np.asarray(cn.gas.viscosity.mu(p_mean, cn.gas.temperature_k, z), dtype=float)


def _mean_pressure(cn: CompiledNetwork, p: F64) -> F64:
    e = cn.res_edge
    pi, pj = p[cn.edge_from[e]], p[cn.edge_to[e]]
    return (2.0 / 3.0) * (pi + pj - pi * pj / (pi + pj))


def _fmt_bar(p_pa: float, cn: CompiledNetwork) -> str:
    return f"{(p_pa - cn.ambient_pa) / BAR_PA:.1f} barg"


class _ActiveSet:
    """Switches controlled elements between their set-point and the bound that limits them."""

    def __init__(self, cn: CompiledNetwork) -> None:
        self.cn = cn
        self.switches = np.zeros(len(cn.comp_edge) + len(cn.reg_edge) + len(cn.source_ids), dtype=int)
        self.max_switches = 6

    def _pick(
        self, state: ControlState, candidates: list[tuple[float, int, SourceBound]]
    ) -> tuple[float, int, SourceBound] | None:
        """The largest change that keeps a pressure reference in every island.

        A source that is the last reference of its island is never shut in (the island's excess supply
        is then reported as a violation); it may reach its capacity, which makes the case infeasible
        and is diagnosed as supply below demand.
        """
        cn = self.cn
        _, labels = islands(cn, state)
        held = state.src_pressure
        refs = np.bincount(labels[cn.source_node[held]], minlength=int(labels.max()) + 1)
        for cand in sorted(candidates, reverse=True):
            _, k, new_b = cand
            removes_ref = held[k] and new_b in (SourceBound.CAPACITY, SourceBound.SHUT_IN)
            if not removes_ref or refs[labels[cn.source_node[k]]] > 1 or new_b == SourceBound.CAPACITY:
                return cand
        return None

    def update(
        self, state: ControlState, sys: SteadySystem, x: F64, limits_only: bool = False
    ) -> tuple[ControlState, bool]:
        """The control state after checking every controlled element against its bounds at ``x``.

        ``limits_only`` (used on a failed Newton iterate) only moves elements onto limits they exceed
        (compressor ratio, power, flow; source capacity), never releases or bypasses them.
        """
        cn = self.cn
        p, q, s = sys.split(x)
        cm, ct = state.comp_mode.copy(), state.comp_target.copy()
        rm, rt = state.reg_mode.copy(), state.reg_target.copy()
        sp_, si = state.src_pressure.copy(), state.src_inflow.copy()
        changed = False
        tol = 1e-7
        nc = len(cn.comp_edge)
        if nc:
            P, *_ = sys.compressor_power(p, q)
            ce = cn.comp_edge
            ps, pd, qc = p[cn.edge_from[ce]], p[cn.edge_to[ce]], q[ce]
            r = pd / ps
            user = cn.comp_mode
            for k in range(nc):
                if self.switches[k] >= self.max_switches:
                    continue
                new = (cm[k], ct[k])
                controlled = user[k] in (CompMode.PRESSURE, CompMode.RATIO, CompMode.POWER)
                if not controlled:
                    continue
                if cm[k] in (CompMode.PRESSURE, CompMode.RATIO, CompMode.POWER, CompMode.FLOW):
                    if not limits_only and qc[k] < -tol * sys.m_ref:
                        new = (CompMode.OFF, 0.0)
                    elif not limits_only and cm[k] == CompMode.PRESSURE and r[k] < 1.0 - tol:
                        new = (CompMode.BYPASS, 0.0)
                    else:
                        viol = {
                            CompMode.RATIO: r[k] / cn.comp_ratio_max[k] - 1.0,
                            CompMode.POWER: P[k] / cn.comp_power_max_w[k] - 1.0,
                            CompMode.FLOW: qc[k] / cn.comp_flow_max[k] - 1.0,
                        }
                        worst = max(viol, key=lambda key: viol[key])
                        if viol[worst] > tol:
                            target = {
                                CompMode.RATIO: cn.comp_ratio_max[k],
                                CompMode.POWER: cn.comp_power_max_w[k],
                                CompMode.FLOW: cn.comp_flow_max[k],
                            }[worst]
                            new = (worst, float(target))
                        elif (
                            not limits_only
                            and cm[k] != user[k]
                            and user[k] == CompMode.PRESSURE
                            and pd[k] > cn.comp_p_set_pa[k] * (1 + tol)
                        ):
                            new = (CompMode.PRESSURE, float(cn.comp_p_set_pa[k]))
                elif (
                    not limits_only
                    and cm[k] == CompMode.BYPASS
                    and user[k] == CompMode.PRESSURE
                    and ps[k] < cn.comp_p_set_pa[k] * (1 - tol)
                ):
                    new = (CompMode.PRESSURE, float(cn.comp_p_set_pa[k]))
                if new[0] != cm[k] or (new[0] == cm[k] and new[1] != ct[k]):
                    cm[k], ct[k] = new
                    self.switches[k] += 1
                    changed = True
        nr = len(cn.reg_edge)
        if nr and not limits_only:
            re_ = cn.reg_edge
            pin, pout, qr = p[cn.edge_from[re_]], p[cn.edge_to[re_]], q[re_]
            for k in range(nr):
                if self.switches[nc + k] >= self.max_switches or cn.reg_mode[k] != RegMode.PRESSURE:
                    continue
                pset = cn.reg_p_set_pa[k]
                new_m, new_t = rm[k], rt[k]
                if rm[k] in (RegMode.PRESSURE, RegMode.FLOW):
                    if qr[k] < -tol * sys.m_ref:
                        new_m, new_t = RegMode.CLOSED, 0.0
                    elif pin[k] < pout[k] * (1 - tol):
                        new_m, new_t = RegMode.OPEN, 0.0
                    elif qr[k] > cn.reg_flow_max[k] * (1 + tol):
                        new_m, new_t = RegMode.FLOW, float(cn.reg_flow_max[k])
                    elif rm[k] == RegMode.FLOW and pout[k] > pset * (1 + tol):
                        new_m, new_t = RegMode.PRESSURE, float(pset)
                elif rm[k] == RegMode.OPEN:
                    if qr[k] < -tol * sys.m_ref:
                        new_m, new_t = RegMode.CLOSED, 0.0
                    elif pout[k] > pset * (1 + tol):
                        new_m, new_t = RegMode.PRESSURE, float(pset)
                elif rm[k] == RegMode.CLOSED and pin[k] > pout[k] * (1 + tol) and pout[k] < pset:
                    new_m, new_t = RegMode.PRESSURE, float(pset)
                if new_m != rm[k]:
                    rm[k], rt[k] = new_m, new_t
                    self.switches[nc + k] += 1
                    changed = True
        # sources: capacity, no gas taken back, maximum send-out pressure
        supply = np.where(sp_, 0.0, si)
        supply[sys.psrc] = s
        pt, sb = state.src_p_target.copy(), state.src_bound.copy()
        base = nc + nr
        # candidate changes with their relative size; one source changes per round, the largest first,
        # because sources interact strongly (one at capacity makes the others supply more)
        candidates: list[tuple[float, int, SourceBound]] = []
        for k in range(len(cn.source_ids)):
            if self.switches[base + k] >= self.max_switches:
                continue
            pn = p[cn.source_node[k]]
            cap, b = cn.source_capacity[k], sb[k]
            scale = max(abs(supply[k]), 1e-3 * sys.m_ref)
            if cn.source_is_pressure[k]:
                pset = cn.source_p_set_pa[k]
                if b == SourceBound.NONE and supply[k] > cap * (1 + 1e-9):
                    candidates.append(((supply[k] - cap) / scale, k, SourceBound.CAPACITY))
                elif (
                    not limits_only
                    and not cn.source_absorbs[k]
                    and b == SourceBound.NONE
                    and supply[k] < -tol * sys.m_ref
                ):
                    candidates.append((-supply[k] / scale, k, SourceBound.SHUT_IN))
                elif not limits_only and b == SourceBound.CAPACITY and pn > pset * (1 + 1e-9):
                    candidates.append((pn / pset - 1.0, k, SourceBound.NONE))
                elif not limits_only and b == SourceBound.SHUT_IN and pn < pset * (1 - 1e-9):
                    candidates.append((1.0 - pn / pset, k, SourceBound.NONE))
            elif np.isfinite(cn.source_p_max_pa[k]):
                pmax, nominal = cn.source_p_max_pa[k], cn.source_inflow[k]
                if b == SourceBound.NONE and pn > pmax * (1 + 1e-9):
                    candidates.append((pn / pmax - 1.0, k, SourceBound.PRESSURE_LIMIT))
                elif not limits_only and b == SourceBound.PRESSURE_LIMIT and supply[k] > nominal * (1 + 1e-9):
                    candidates.append(((supply[k] - nominal) / scale, k, SourceBound.NONE))
                elif not limits_only and b == SourceBound.PRESSURE_LIMIT and supply[k] < -tol * sys.m_ref:
                    candidates.append((-supply[k] / scale, k, SourceBound.SHUT_IN))
                elif not limits_only and b == SourceBound.SHUT_IN and pn < pmax * (1 - 1e-9):
                    candidates.append((1.0 - pn / pmax, k, SourceBound.PRESSURE_LIMIT))
        if candidates:
            # islands as they are after this round's compressor and regulator changes
            provisional = state.with_(comp_mode=cm, reg_mode=rm)
            picked = self._pick(provisional, candidates)
        else:
            picked = None
        if picked is not None:
            _, k, new_b = picked
            sb[k] = new_b
            self.switches[base + k] += 1
            changed = True
            if new_b == SourceBound.CAPACITY:
                sp_[k], si[k] = False, float(cn.source_capacity[k])
            elif new_b == SourceBound.SHUT_IN:
                sp_[k], si[k] = False, 0.0
            elif new_b == SourceBound.PRESSURE_LIMIT:
                sp_[k], si[k], pt[k] = True, 0.0, float(cn.source_p_max_pa[k])
            elif cn.source_is_pressure[k]:
                sp_[k], si[k], pt[k] = True, 0.0, float(cn.source_p_set_pa[k])
            else:
                sp_[k], si[k] = False, float(cn.source_inflow[k])
        new_state = ControlState(cm, ct, rm, rt, sp_, si, pt, sb)
        return new_state, changed


def _bound_texts(cn: CompiledNetwork, state: ControlState, p: F64, supply: F64 | None = None) -> list[str]:
    out = []
    ce = cn.comp_edge
    for k, e in enumerate(ce):
        cid, m, user = cn.edge_ids[e], state.comp_mode[k], cn.comp_mode[k]
        ps, pd = p[cn.edge_from[e]], p[cn.edge_to[e]]
        if m == user:
            continue
        if m == CompMode.RATIO:
            out.append(
                f"{cid} at maximum ratio ({cn.comp_ratio_max[k]:.2f}); discharge {_fmt_bar(pd, cn)} "
                f"below its set-point {_fmt_bar(cn.comp_p_set_pa[k], cn)}"
            )
        elif m == CompMode.POWER:
            out.append(
                f"{cid} at maximum power ({cn.comp_power_max_w[k] / 1e6:.1f} MW); discharge "
                f"{_fmt_bar(pd, cn)} below its set-point {_fmt_bar(cn.comp_p_set_pa[k], cn)}"
            )
        elif m == CompMode.FLOW:
            out.append(f"{cid} at maximum flow ({cn.comp_flow_max[k]:.1f} kg/s)")
        elif m == CompMode.BYPASS:
            out.append(
                f"{cid} in bypass: suction {_fmt_bar(ps, cn)} is above its set-point "
                f"{_fmt_bar(cn.comp_p_set_pa[k], cn)}"
            )
        elif m == CompMode.OFF:
            out.append(f"{cid} closed: the network would push gas backwards through it")
    for k, e in enumerate(cn.reg_edge):
        rid, m = cn.edge_ids[e], state.reg_mode[k]
        if m == cn.reg_mode[k]:
            continue
        pin = p[cn.edge_from[e]]
        if m == RegMode.OPEN:
            out.append(
                f"{rid} fully open: inlet {_fmt_bar(pin, cn)} is below its set-point {_fmt_bar(cn.reg_p_set_pa[k], cn)}"
            )
        elif m == RegMode.CLOSED:
            out.append(f"{rid} closed: flow would reverse")
        elif m == RegMode.FLOW:
            out.append(f"{rid} at maximum flow ({cn.reg_flow_max[k]:.1f} kg/s)")
    for k, sid in enumerate(cn.source_ids):
        b, basis, pn = state.src_bound[k], cn.source_basis[k], p[cn.source_node[k]]
        if b == SourceBound.CAPACITY:
            cap = cn.source_capacity[k]
            out.append(
                f"{sid} at capacity ({basis.kg_s_to_mmscfd(cap):.0f} MMSCFD, {cap:.1f} kg/s); "
                f"its pressure falls to {_fmt_bar(pn, cn)} (set-point {_fmt_bar(cn.source_p_set_pa[k], cn)})"
            )
        elif b == SourceBound.SHUT_IN:
            limit = cn.source_p_set_pa[k] if cn.source_is_pressure[k] else cn.source_p_max_pa[k]
            out.append(
                f"{sid} shut in: the network holds {_fmt_bar(pn, cn)} at {cn.node_ids[cn.source_node[k]]}, above "
                f"its send-out pressure {_fmt_bar(limit, cn)}, so it supplies nothing"
            )
        elif b == SourceBound.PRESSURE_LIMIT:
            nominal = basis.kg_s_to_mmscfd(cn.source_inflow[k])
            got = "less" if supply is None else f"{basis.kg_s_to_mmscfd(supply[k]):.0f} MMSCFD"
            out.append(
                f"{sid} limited by its maximum send-out pressure {_fmt_bar(cn.source_p_max_pa[k], cn)}: "
                f"it delivers {got} of its {nominal:.0f} MMSCFD"
            )
    return out


def _violations(cn: CompiledNetwork, p: F64, supply: F64, state: ControlState) -> list[str]:
    out = []
    for i in np.flatnonzero(np.isfinite(cn.p_min_pa) & (p < cn.p_min_pa * (1 - 1e-9))):
        out.append(
            f"node {cn.node_ids[i]}: pressure {_fmt_bar(p[i], cn)} below its minimum {_fmt_bar(cn.p_min_pa[i], cn)}"
        )
    for i in np.flatnonzero(np.isfinite(cn.p_max_pa) & (p > cn.p_max_pa * (1 + 1e-9))):
        out.append(
            f"node {cn.node_ids[i]}: pressure {_fmt_bar(p[i], cn)} above its maximum {_fmt_bar(cn.p_max_pa[i], cn)}"
        )
    for k in np.flatnonzero(np.isfinite(cn.sink_p_min_pa)):
        pn = p[cn.sink_node[k]]
        if pn < cn.sink_p_min_pa[k] * (1 - 1e-9):
            out.append(
                f"delivery {cn.sink_ids[k]}: {_fmt_bar(pn, cn)} below the minimum delivery pressure "
                f"{_fmt_bar(cn.sink_p_min_pa[k], cn)}"
            )
    e = cn.res_edge
    pmax_end = np.maximum(p[cn.edge_from[e]], p[cn.edge_to[e]])
    for k in np.flatnonzero(np.isfinite(cn.maop_pa) & (pmax_end > cn.maop_pa * (1 + 1e-9))):
        out.append(
            f"pipe {cn.edge_ids[e[k]]}: pressure {_fmt_bar(pmax_end[k], cn)} above its MAOP "
            f"{_fmt_bar(cn.maop_pa[k], cn)}"
        )
    for k in np.flatnonzero(~state.src_pressure & np.isfinite(cn.source_p_max_pa) & (state.src_bound == 0)):
        pn = p[cn.source_node[k]]
        if pn > cn.source_p_max_pa[k] * (1 + 1e-9):
            out.append(
                f"source {cn.source_ids[k]}: must deliver against {_fmt_bar(pn, cn)}, above its maximum "
                f"send-out pressure {_fmt_bar(cn.source_p_max_pa[k], cn)}"
            )
    for k in np.flatnonzero(state.src_pressure & ~cn.source_absorbs & (supply < -1e-9)):
        out.append(
            f"source {cn.source_ids[k]}: absorbs {-supply[k]:.2f} kg/s (negative supply); "
            "fixed inflows elsewhere exceed demand"
        )
    ce = cn.comp_edge
    for k in np.flatnonzero(np.isfinite(cn.comp_p_suction_min_pa)):
        ps = p[cn.edge_from[ce[k]]]
        if ps < cn.comp_p_suction_min_pa[k] * (1 - 1e-9):
            out.append(
                f"compressor {cn.edge_ids[ce[k]]}: suction {_fmt_bar(ps, cn)} below its minimum "
                f"{_fmt_bar(cn.comp_p_suction_min_pa[k], cn)}"
            )
    return out


def _newton_with_continuation(
    cn: CompiledNetwork,
    state: ControlState,
    mu: F64,
    p_ref: float,
    m_ref: float,
    x0: F64 | None,
    opts: NewtonOptions,
) -> tuple[SteadySystem, NewtonOutcome]:
    sys = SteadySystem(cn, state, mu, p_ref, m_ref)
    if x0 is None:
        p0, q0, s0 = _initial_guess(cn, state, p_ref)
        x0 = sys.pack(p0, q0, s0)
    out = newton(sys.residual, sys.jacobian, x0, opts, sys.max_step)
    if out.converged:
        return sys, out
    # load continuation: ramp demand and fixed supply from a light load up to the full case
    p0, q0, s0 = _initial_guess(cn, state, p_ref)
    x = sys.pack(p0, q0 * 0.1, s0 * 0.1)
    total = out.iterations
    for load in (0.1, 0.3, 0.55, 0.8, 1.0):
        stage = _Scaled(cn, state, mu, p_ref, m_ref, load)
        res = newton(stage.residual, stage.jacobian, x, opts, stage.max_step)
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
    network: Network | CompiledNetwork, scenario: str | None = None, options: SteadyOptions | None = None
) -> SteadyResult:
    """Solve the steady state of a network (its default scenario unless ``scenario`` is given).

    Never modifies the network. Raises :class:`TopologyError` for islands without a pressure reference,
    :class:`InfeasibleError` when demand exceeds supply or pressures collapse, and
    :class:`ConvergenceError` when Newton fails for another reason, each with a diagnosis naming components.
    """
    opt = options or SteadyOptions()
    cn = network if isinstance(network, CompiledNetwork) else compile_network(network, scenario)
    t0 = time.perf_counter()
    state = ControlState.initial(cn)
    problems = island_problems(cn, state)
    if problems:
        raise TopologyError(problems)
    problems = supply_problems(cn, state)
    if problems:
        raise InfeasibleError(f"scenario {cn.scenario} is infeasible", problems + _probe_unlimited_supply(cn, opt))
    p_ref, m_ref = _scales(cn)
    active = _ActiveSet(cn)
    p0, _, _ = _initial_guess(cn, state, p_ref)
    mu = _viscosity(cn, _mean_pressure(cn, p0))
    x: F64 | None = None
    total_iters = 0
    norms: tuple[float, ...] = ()
    outer = 0
    sys: SteadySystem | None = None
    rescues = 0
    for outer in range(1, opt.max_outer + 1):  # noqa: B007 (outer is reported in the result)
        remaining = opt.max_time_s - (time.perf_counter() - t0)
        if remaining <= 0:
            raise ConvergenceError(f"scenario {cn.scenario}: time limit of {opt.max_time_s:g} s reached")
        nopts = NewtonOptions(tolerance=opt.tolerance, max_iterations=opt.max_iterations, max_time_s=remaining)
        sys, out = _newton_with_continuation(cn, state, mu, p_ref, m_ref, x, nopts)
        total_iters += out.iterations
        norms = norms + out.residual_norms
        if not out.converged and rescues < 3:
            # a set-point may be out of reach: put elements that exceed a limit at that limit and retry
            limited, changed = active.update(state, sys, out.x, limits_only=True)
            if changed:
                rescues += 1
                state, x = limited, None
                continue
        if not out.converged:
            p_last, _, _ = sys.split(out.x)
            diag = state_problems(cn, p_last, state) + island_problems(cn, state) + supply_problems(cn, state)
            if any("toward" in d or "supply below" in d or "island" in d for d in diag):
                raise InfeasibleError(f"scenario {cn.scenario} has no feasible steady state ({out.message})", diag)
            raise ConvergenceError(f"scenario {cn.scenario}: Newton did not converge ({out.message})", diag)
        x = out.x
        p, q, _s = sys.split(x)
        new_state, changed = active.update(state, sys, x)
        mu_new = _viscosity(cn, _mean_pressure(cn, p))
        mu_changed = bool(np.max(np.abs(mu_new / mu - 1.0), initial=0.0) > opt.viscosity_rel_tol)
        if not changed and not mu_changed:
            break  # the solution is consistent with its control state and its (lagged) viscosity
        mu = mu_new
        if changed:
            problems = supply_problems(cn, new_state) or island_problems(cn, new_state)
            if problems:
                bounds = _bound_texts(cn, new_state, p)
                raise InfeasibleError(f"scenario {cn.scenario} is infeasible", bounds + problems)
        # re-pack the solution for the new state's unknowns (pressure-held sources may change)
        new_sys = SteadySystem(cn, new_state, mu, p_ref, m_ref)
        supply = np.where(state.src_pressure, 0.0, state.src_inflow)
        supply[sys.psrc] = _s
        x = new_sys.pack(p, q, supply[new_sys.psrc])
        state = new_state
    else:
        raise ConvergenceError(
            f"scenario {cn.scenario}: controlled elements keep switching between set-point and bound after "
            f"{opt.max_outer} rounds",
            _bound_texts(
                cn,
                state,
                sys.split(x)[0] if sys is not None and x is not None else np.zeros(cn.n_nodes),
            ),
        )
    assert sys is not None and x is not None
    return _build_result(cn, sys, x, state, total_iters, outer, norms)


def _build_result(
    cn: CompiledNetwork,
    sys: SteadySystem,
    x: F64,
    state: ControlState,
    iterations: int,
    outer: int,
    norms: tuple[float, ...],
) -> SteadyResult:
    p, q, s = sys.split(x)
    _, _, _, _, rs = sys.resistive(p, q)
    if len(cn.comp_edge):
        P, *_ = sys.compressor_power(p, q)
        fuel = sys.fuel_factor() * P
    else:
        P = fuel = np.zeros(0)
    supply = np.where(state.src_pressure, 0.0, state.src_inflow).astype(float)
    supply[sys.psrc] = s
    warnings = []
    ce = cn.comp_edge
    for k in np.flatnonzero(state.comp_mode == CompMode.BYPASS):
        if q[ce[k]] < 0:
            warnings.append(f"{cn.edge_ids[ce[k]]}: gas flows backwards through the bypass ({q[ce[k]]:.2f} kg/s)")
    return SteadyResult(
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
        active_bounds=tuple(_bound_texts(cn, state, p, supply)),
        violations=tuple(_violations(cn, p, supply, state)),
        warnings=tuple(warnings),
    )
