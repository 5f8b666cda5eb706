"""Mixed-integer linear formulation of a :class:`~linepack.optimize.problems.Problem` (HiGHS).

The same problem definitions as the exact NLP, written as a MILP so that discrete choices (candidate pipes
and stations, on/off) are decided by branch and bound instead of enumeration.

Variables (per unit): squared node pressures ``PI = p^2 / p_ref^2``, edge flows ``Q = q / m_ref``,
supplies, sheds, capacity growth, station shaft power ``W`` [MW], the increments of the piecewise-linear
flow term and, for expansion, one binary per candidate project.

**Pipe law.** ``p_i^2 - E p_j^2 = K q|q|`` (the simulator's law, :mod:`linepack.solvers.equations`) is
linear in ``pi = p^2`` once ``E = exp(s)`` (elevation, the simulator's own factor) and ``K = Z k1
(lambda L_e/D + zeta)`` are evaluated at a reference operating point by the simulator's functions
(:class:`~linepack.optimize.physics.FrozenPhysics`: GERG/AGA Z at the mean pressure, Colebrook lambda at
the reference Reynolds number). ``q|q|`` is replaced by its piecewise-linear interpolant on ``breakpoints``
flows over the pipe's own range: the flows its end pressures' limits allow (``K q|q|`` between ``lo_i^2 - E
hi_j^2`` and ``hi_i^2 - E lo_j^2``), at most the problem's throughput ``Qmax``, with 0 a breakpoint and the
segments shared between the reverse and forward parts. Incremental ("delta") form: ``q = q_lo + sum_k d_k``,
``phi = phi(q_lo) + sum_k s_k d_k``, ``0 <= d_k <= h_k``, binaries ``y_k`` filling the increments in order
(``d_{k+1} <= h_{k+1} y_k``, ``d_k >= h_k y_k``). The chord error of ``q|q|`` on a segment of width ``h``
is at most ``h^2/4``, so the squared-pressure error of a pipe is at most ``K h^2/4``, about ``1/(breakpoints
- 1)^2`` of the squared-pressure span its limits allow. ``K`` and ``E`` are re-evaluated at the MILP solution
and the MILP re-solved (``rounds`` times), which removes the reference-point error; the interpolation error
remains and is measured afterwards by the steady Newton solver (``newton_check``).

**Compressors.** ``pi_s <= pi_d <= r_max^2 pi_s`` (ratio bounds are linear in squared pressures), flow
``0 <= q <= q_max``. Shaft power ``P = q head (r^x - 1) / eta_is`` (head = Z_s R T / M / x) is replaced by
its first-order Taylor plane in ``(q, pi_s, pi_d)`` at the reference point (the previous round's solution;
in the first round the station's share of the throughput at ratio ``sqrt(r_max)``), with ``P >= 0``;
fuel = ``P / (eta_driver LHV)``, linear. Being a tangent of a function concave in the ratio, the plane
over-estimates away from the reference point; the re-linearisation rounds move it to the solution.
Expansion stations either disappear when not built (``absent="removed"``: flow 0, pressures decoupled) or
become a straight pipe junction (``absent="bypass"``: ``pi_d = pi_s``), by big-M constraints.

Not expressible here (``InputError``): soft pressure limits (the least-violation problem), and fixed-loss
resistors (their law is linear in p, not p^2) except in the relaxation (``relaxation=True``, the nomination
screening), where ``|p_i - p_j| <= dp`` is relaxed to ``|pi_i - pi_j| <= dp (hi_i + hi_j)``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from ...compile import CompiledNetwork, CompMode, RegMode
from ...errors import InfeasibleError, InputError
from ..limits import node_limits
from ..modes import ModeSpace
from ..physics import FrozenPhysics
from ..problems import Problem
from .milp_bounds import tighten
from .milp_modes import add_mode_rows, read_modes

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
W_REF = 1e6  # power variables in MW
# reward for high pressure (of the objective scale per unit of per-unit squared pressure, averaged over the
# nodes), so that a pressure level the objective leaves free is unique and high, as in the NLP; larger than the
# NLP's 1e-7 so that it stays above HiGHS's tolerances; removed from the reported objective
TIE_BREAK = 1e-5


def _highspy() -> Any:
    try:
        import highspy
    except ImportError:  # pragma: no cover (the optimize extra is installed in CI)
        raise InputError("the MILP formulation needs highspy: pip install 'linepack[optimize]'") from None
    return highspy


@dataclass(frozen=True)
class MilpOptions:
    """Settings of the MILP formulation (see the module docstring)."""

    breakpoints: int = 17  # of q|q| over [-Qmax, Qmax]; odd (0 is a breakpoint)
    rounds: int = 3  # MILP solves, the coefficients (K, E, power planes) moved to each solution
    adaptive: bool = True  # from the second round, breakpoints concentrated around the previous flows
    flow_max_kg_s: float | None = None  # Qmax; None: 1.1 x the largest throughput the problem allows
    mip_rel_gap: float = 1e-4
    time_limit_s: float = 300.0
    # widen each pipe law by its interpolation error bound K h^2/4 (h: the widest segment), so that the
    # piecewise-linear model contains the exact law at the frozen K, E: a relaxation, whose infeasibility
    # proves the frozen-coefficient model infeasible (nomination screening)
    relaxation: bool = False
    # narrow each pipe's flow range by interval propagation before laying out its breakpoints (.milp_bounds)
    tighten: bool = True

    def check(self) -> None:
        if self.breakpoints < 3 or self.breakpoints % 2 == 0:
            raise InputError(f"MILP: breakpoints must be odd and >= 3 (got {self.breakpoints}); for example 17")
        if self.rounds < 1:
            raise InputError(f"MILP: rounds must be >= 1 (got {self.rounds})")
        if self.flow_max_kg_s is not None and self.flow_max_kg_s <= 0:
            raise InputError(f"MILP: flow_max_kg_s must be > 0 (got {self.flow_max_kg_s})")


@dataclass(frozen=True)
class Switch:
    """A binary decision (an expansion candidate): edges (indices) in service only when chosen."""

    id: str
    edges: tuple[int, ...]
    cost_per_s: float  # objective weight of choosing it (annualised capital per second)
    group: str | None = None
    absent: str = "removed"  # removed | bypass (compressors only: a pipe junction when not chosen)


@dataclass(frozen=True)
class MilpSolution:
    """The MILP's optimum (last round) in SI units."""

    p_pa: F64
    q_kg_s: F64
    supply_kg_s: F64
    shed_kg_s: F64
    growth_kg_s: float
    comp_power_w: F64
    comp_fuel_kg_s: F64
    chosen: tuple[str, ...]
    objective_raw: float  # problem objective plus chosen switch costs, per second (SI currency / s)
    switch_cost_raw: float
    status: str
    mip_gap: float
    nodes: int
    rounds: int
    solve_time_s: float
    flow_max_kg_s: float
    breakpoints: int
    notes: tuple[str, ...] = field(default_factory=tuple)
    modes: Mapping[int, str] = field(default_factory=dict)  # state of every edge whose mode was a decision


def flow_range_kg_s(cn: CompiledNetwork, problem: Problem) -> float:
    """Qmax: 1.1 x the largest flow any edge can carry (total finite supply, else total demand)."""
    hi = problem.source_hi[np.isfinite(problem.source_hi) & (problem.source_hi > 0)]
    total_demand = float(np.sum(problem.demand))
    cap = float(np.sum(hi)) if len(hi) == len(problem.source_hi) and len(hi) else np.inf
    if problem.has_growth:
        if not np.isfinite(cap):
            raise InputError(
                "MILP capacity: the flow range of the piecewise-linear pipe law needs finite source capacities; "
                "give the sources a capacity or set flow_max_kg_s (--flow-max)"
            )
        return 1.1 * cap
    base = min(cap, total_demand) if total_demand > 0 else cap
    if not np.isfinite(base) or base <= 0:
        raise InputError("MILP: no demand and no finite supply to size the flow range; set flow_max_kg_s (--flow-max)")
    return 1.1 * base


class _Builder:
    """Columns and sparse rows of a MILP."""

    def __init__(self) -> None:
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.cost: list[float] = []
        self.integer: list[bool] = []
        self.rows: list[I64] = []
        self.cols: list[I64] = []
        self.vals: list[F64] = []
        self.rlo: list[float] = []
        self.rhi: list[float] = []

    def add(self, k: int, lb: Any, ub: Any, cost: Any = 0.0, integer: bool = False) -> I64:
        start = len(self.lb)
        self.lb += list(np.broadcast_to(np.asarray(lb, float), (k,)))
        self.ub += list(np.broadcast_to(np.asarray(ub, float), (k,)))
        self.cost += list(np.broadcast_to(np.asarray(cost, float), (k,)))
        self.integer += [integer] * k
        return np.arange(start, start + k, dtype=np.int64)

    def rows_(self, k: int, terms: Sequence[tuple[Any, Any]], lo: Any, hi: Any) -> None:
        """``k`` rows ``lo <= sum_t coef_t * x[col_t] <= hi``; each term is (columns, coefficients), arrays of
        length k (or scalars broadcast)."""
        r0 = len(self.rlo)
        rr = np.arange(r0, r0 + k, dtype=np.int64)
        for cols, coef in terms:
            c = np.broadcast_to(np.asarray(cols, np.int64), (k,))
            v = np.broadcast_to(np.asarray(coef, float), (k,))
            self.rows.append(rr)
            self.cols.append(c.copy())
            self.vals.append(v.copy())
        self.rlo += list(np.broadcast_to(np.asarray(lo, float), (k,)))
        self.rhi += list(np.broadcast_to(np.asarray(hi, float), (k,)))

    def solve(self, gap: float, time_limit: float) -> tuple[str, F64, float, float, int]:
        hs = _highspy()
        n, m = len(self.lb), len(self.rlo)
        rows = np.concatenate(self.rows) if self.rows else np.zeros(0, np.int64)
        cols = np.concatenate(self.cols) if self.cols else np.zeros(0, np.int64)
        vals = np.concatenate(self.vals) if self.vals else np.zeros(0)
        A = sp.csc_matrix((vals, (rows, cols)), shape=(m, n))
        A.sum_duplicates()
        A.eliminate_zeros()
        lp = hs.HighsLp()
        lp.num_col_, lp.num_row_ = n, m
        inf = hs.kHighsInf
        lp.col_cost_ = np.asarray(self.cost)
        lp.col_lower_ = np.clip(np.asarray(self.lb), -inf, inf)
        lp.col_upper_ = np.clip(np.asarray(self.ub), -inf, inf)
        lp.row_lower_ = np.clip(np.asarray(self.rlo), -inf, inf)
        lp.row_upper_ = np.clip(np.asarray(self.rhi), -inf, inf)
        lp.a_matrix_.format_ = hs.MatrixFormat.kColwise
        lp.a_matrix_.start_ = A.indptr
        lp.a_matrix_.index_ = A.indices
        lp.a_matrix_.value_ = A.data
        lp.integrality_ = [hs.HighsVarType.kInteger if i else hs.HighsVarType.kContinuous for i in self.integer]
        h = _new_highs(hs)
        h.setOptionValue("mip_rel_gap", gap)
        h.setOptionValue("time_limit", time_limit)
        h.setOptionValue("random_seed", 0)
        h.setOptionValue("threads", 1)
        h.passModel(lp)
        h.run()
        status = h.modelStatusToString(h.getModelStatus())
        info = h.getInfo()
        x = np.asarray(h.getSolution().col_value, float)
        gap_v = float(getattr(info, "mip_gap", 0.0))
        nodes = int(getattr(info, "mip_node_count", 0))
        has_sol = int(getattr(info, "primal_solution_status", 0)) == 2
        return status if has_sol else f"{status} (no solution)", x, float(info.objective_function_value), gap_v, nodes


def pipe_flow_range(K: F64, E: F64, lo2_i: F64, hi2_i: F64, lo2_j: F64, hi2_j: F64, q_cap: float) -> tuple[F64, F64]:
    """The flows a pipe can carry within its end pressures' limits (per unit): ``K q|q| = pi_i - E pi_j`` lies
    in ``[lo_i^2 - E hi_j^2, hi_i^2 - E lo_j^2]``; both also capped at ``q_cap`` (the problem's throughput)."""
    Kp = np.maximum(K, 1e-300)
    up = hi2_i - E * lo2_j
    down = E * hi2_j - lo2_i
    qhi = np.minimum(np.sqrt(np.maximum(up, 0.0) / Kp), q_cap)
    qlo = -np.minimum(np.sqrt(np.maximum(down, 0.0) / Kp), q_cap)
    # a pipe whose limits force one direction still gets a range containing 0 (a candidate not built)
    return np.minimum(qlo, 0.0), np.maximum(qhi, 0.0)


def pwl_grid(qlo: F64, qhi: F64, nb: int) -> F64:
    """Breakpoints (rows: pipes) on ``[qlo, qhi]`` with 0 one of them: the ``nb - 1`` segments are shared
    between the reverse and forward ranges in proportion to their lengths (at least one each when non-empty),
    equally spaced within each."""
    span = np.maximum(qhi - qlo, 1e-300)
    nneg = np.rint((nb - 1) * (-qlo) / span).astype(np.int64)
    nneg = np.where(qlo < 0, np.clip(nneg, 1, nb - 2), 0)
    nneg = np.where(qhi > 0, nneg, nb - 1)
    npos = nb - 1 - nneg
    k = np.arange(nb)[None, :]
    neg = qlo[:, None] * (1.0 - k / np.maximum(nneg[:, None], 1))
    pos = qhi[:, None] * (k - nneg[:, None]) / np.maximum(npos[:, None], 1)
    return np.where(k <= nneg[:, None], neg, pos)


def adaptive_grid(qlo: F64, qhi: F64, nb: int, centre: F64) -> F64:
    """Breakpoints (rows: pipes) concentrated around ``centre`` (the previous round's flows): half of the
    segments on a window of one uniform segment either side of it, the rest by halving the largest remaining
    segments of ``[qlo, qhi]``; ``qlo``, ``qhi`` and 0 are always breakpoints. Falls back to :func:`pwl_grid`
    below 7 breakpoints. Per pipe (a model-building step, done once per round)."""
    if nb < 7:
        return pwl_grid(qlo, qhi, nb)
    out = np.empty((len(qlo), nb))
    nf = (nb - 1) // 2
    for r in range(len(qlo)):  # building the model, once per round: small arrays per pipe
        lo, hi = float(qlo[r]), float(qhi[r])
        span = hi - lo
        if span <= 0:
            out[r] = pwl_grid(qlo[r : r + 1], qhi[r : r + 1], nb)[0]
            continue
        w = span / (nb - 1)
        c = float(np.clip(centre[r], lo, hi))
        a, b = max(lo, c - w), min(hi, c + w)
        pts = np.unique(np.concatenate([[lo, hi, 0.0], np.linspace(a, b, nf + 1)]))
        pts = pts[np.concatenate([[True], np.diff(pts) > 1e-9 * span])]
        while len(pts) > nb:  # drop window points nearest their neighbours (never lo, hi, 0)
            gaps = pts[2:] - pts[:-2]
            keep = np.isin(pts[1:-1], (0.0,))
            gaps[keep] = np.inf
            pts = np.delete(pts, 1 + int(np.argmin(gaps)))
        while len(pts) < nb:
            k = int(np.argmax(np.diff(pts)))
            pts = np.insert(pts, k + 1, 0.5 * (pts[k] + pts[k + 1]))
        out[r] = pts
    return out


def _new_highs(hs: Any) -> Any:
    """A silent HiGHS instance (its constructor prints a banner on the C-level stdout: sent to /dev/null)."""
    import os
    import sys

    sys.stdout.flush()
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (captured): nothing to protect
        h = hs.Highs()
    else:
        saved = os.dup(fd)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), fd)
                h = hs.Highs()
        finally:
            os.dup2(saved, fd)
            os.close(saved)
    h.setOptionValue("output_flag", False)
    return h


def _power_plane(head_j_per_kg: F64, eta_is: F64, x: float, q0: F64, pis0: F64, pid0: F64) -> tuple[F64, F64, F64, F64]:
    """Shaft power [W] ``P = q head ((pi_d/pi_s)^(x/2) - 1) / eta_is`` as its tangent plane
    ``c0 + cq q + cs pi_s + cd pi_d`` at ``(q0, pis0, pid0)`` (SI: kg/s, Pa^2)."""
    coef = head_j_per_kg / eta_is
    rx = (pid0 / pis0) ** (x / 2.0)
    f0 = q0 * coef * (rx - 1.0)
    cq = coef * (rx - 1.0)
    cd = q0 * coef * (x / 2.0) * rx / pid0
    cs = -q0 * coef * (x / 2.0) * rx / pis0
    c0 = f0 - cq * q0 - cd * pid0 - cs * pis0
    return c0, cq, cs, cd


class _Planes:
    """Power planes of compressor stations at the reference point (for stations whose mode is a decision)."""

    def __init__(self, cn: CompiledNetwork, phys: FrozenPhysics, p0: F64, q0: F64, q_hi: F64, m_ref: float,
                 pr2: float) -> None:  # fmt: skip
        self.cn, self.phys, self.p0, self.q0, self.m_ref = cn, phys, p0, q0, m_ref
        self.pr2, self.w_ref = pr2, W_REF

    def __call__(self, k: int) -> tuple[float, float, float, float]:
        cn, e = self.cn, int(self.cn.comp_edge[k])
        if len(cn.comp_active_arc) and cn.comp_active_arc[k]:
            return 0.0, 0.0, 0.0, 0.0
        pis0 = max(float(self.p0[cn.edge_from[e]]), 1e5) ** 2
        pid0 = max(float(self.p0[cn.edge_to[e]]), 1e5) ** 2
        r = float(cn.comp_ratio_max[k]) if np.isfinite(cn.comp_ratio_max[k]) else 1.5
        if pid0 <= pis0 * (1 + 1e-6):
            pid0 = pis0 * r
        qc0 = float(self.q0[e]) if self.q0[e] > 1e-9 * self.m_ref else self.m_ref
        c = _power_plane(
            self.phys.head_coef_j_per_kg[[k]], cn.comp_eta_is[[k]], self.phys.x_exponent,
            np.array([qc0]), np.array([pis0]), np.array([pid0]),
        )  # fmt: skip
        return float(c[0][0]), float(c[1][0]), float(c[2][0]), float(c[3][0])


def solve_milp(
    cn: CompiledNetwork,
    problem: Problem,
    options: MilpOptions | None = None,
    switches: Sequence[Switch] = (),
    required_groups: Sequence[str] = (),
    start: tuple[F64, F64] | None = None,
    exclude: Sequence[Sequence[str]] = (),
    modes: ModeSpace | None = None,
    mode_cuts: Sequence[Mapping[int, str]] = (),
) -> MilpSolution:
    """Solve ``problem`` on ``cn`` as a sequence of MILPs (see the module docstring).

    ``switches``: binary candidates (edges of ``cn`` in service only when chosen; at most one per group, exactly
    one for ``required_groups``). ``start``: reference pressures [Pa] per node and flows [kg/s] per edge of
    the first round (default: a flat guess at the highest allowed pressure and the throughput on every edge).
    ``exclude``: combinations of switch ids that may not be chosen again (no-good cuts). ``modes``: elements whose
    operating mode is a decision (:mod:`.milp_modes`), with ``mode_cuts`` (earlier choices, excluded).
    """
    opt = options or MilpOptions()
    opt.check()
    if problem.pressure_violation_weight > 0:
        raise InputError("MILP: soft pressure limits (least violation) are not formulated; use --formulation nlp")
    if len(cn.fixed_loss_edge) and not opt.relaxation:
        raise InputError(
            "MILP: fixed-loss resistors (GasLib) have a law linear in p, not p^2, and are formulated only in the "
            "relaxation (nomination screening); use --formulation nlp"
        )
    t0 = time.perf_counter()
    qmax = opt.flow_max_kg_s or flow_range_kg_s(cn, problem)
    lim = node_limits(cn, problem.regulator_setpoint_caps)
    finite_hi = lim.hi_pa[np.isfinite(lim.hi_pa)]
    rmax_all = cn.comp_ratio_max[np.isfinite(cn.comp_ratio_max)]
    p_cap = (float(finite_hi.max()) if len(finite_hi) else 100e5) * max(1.0, float(rmax_all.max(initial=1.0)))
    hi_pa = np.where(np.isfinite(lim.hi_pa), lim.hi_pa, p_cap)
    p_ref = float(hi_pa.max())
    if start is None:
        p0 = hi_pa.copy()
        q0 = np.full(cn.n_edges, qmax / 1.1)
    else:
        p0, q0 = start
    notes = [
        f"MILP (HiGHS): pipe law p_i^2 - E p_j^2 = K q|q| in squared pressures, q|q| piecewise linear on "
        f"{opt.breakpoints} breakpoints over each pipe's flow range (the flows its end pressures' limits allow, "
        f"at most {qmax:.4g} kg/s); K, E and the compressor power planes re-evaluated at the solution over "
        f"{opt.rounds} round(s)"
    ]
    sol: MilpSolution | None = None
    prev_choice: tuple[str, ...] | None = None
    for rnd in range(1, opt.rounds + 1):
        q_eval = q0.copy()
        small = np.abs(q_eval) < 0.05 * qmax
        q_eval[small] = np.where(q_eval[small] < 0, -1.0, 1.0) * 0.05 * qmax
        phys = FrozenPhysics.at(cn, p0, q_eval)
        adapt = opt.adaptive and (rnd > 1 or start is not None)
        sol = _solve_once(
            cn, problem, opt, qmax, lim, hi_pa, p_ref, phys, p0, q0, switches, required_groups, adapt, exclude,
            modes, mode_cuts,
        )  # fmt: skip
        sol = MilpSolution(**{**sol.__dict__, "rounds": rnd})
        if rnd > 1 and sol.chosen == prev_choice and rnd == opt.rounds:
            break
        prev_choice = sol.chosen
        # move the reference point to the solution (built edges only: others keep theirs)
        p0 = sol.p_pa.copy()
        q0 = sol.q_kg_s.copy()
    assert sol is not None
    return MilpSolution(**{**sol.__dict__, "solve_time_s": time.perf_counter() - t0, "notes": tuple(notes)})


def _solve_once(
    cn: CompiledNetwork,
    problem: Problem,
    opt: MilpOptions,
    qmax: float,
    lim: Any,
    hi_pa: F64,
    p_ref: float,
    phys: FrozenPhysics,
    p0: F64,
    q0: F64,
    switches: Sequence[Switch],
    required_groups: Sequence[str],
    adapt: bool = False,
    exclude: Sequence[Sequence[str]] = (),
    modes: ModeSpace | None = None,
    mode_cuts: Sequence[Mapping[int, str]] = (),
) -> MilpSolution:
    n, m, ns, nk = cn.n_nodes, cn.n_edges, len(cn.source_ids), len(cn.sink_ids)
    free_mode = np.zeros(m, dtype=bool)  # edges whose operating mode is a decision (linepack.optimize.modes)
    if modes is not None:
        free_mode[list(modes.valves) + list(modes.regulators) + list(modes.compressors)] = True
    m_ref = max(qmax / 1.1, 1e-3)
    pr2 = p_ref * p_ref
    Qm = qmax / m_ref
    ef, et = cn.edge_from, cn.edge_to
    b = _Builder()
    # --- switches: which edge each binary controls
    sw_of_edge = np.full(m, -1, dtype=np.int64)
    for k, s in enumerate(switches):
        for edge in s.edges:
            if sw_of_edge[edge] >= 0:
                raise InputError(f"MILP: edge {cn.edge_ids[edge]} belongs to two candidates; give each component once")
            sw_of_edge[edge] = k
    ids = [s.id for s in switches]
    if len(set(ids)) != len(ids):
        raise InputError("MILP: candidate ids must be unique")

    # --- objective normalisation: the problem's weights and the switch costs
    obj_scale = max(
        problem.fuel_weight * m_ref * 1e-2,
        problem.power_weight * 1e7,
        float(np.max(np.abs(problem.source_price), initial=0.0)) * m_ref,
        float(np.max(problem.shed_penalty, initial=0.0)) * m_ref * 0.1,
        problem.growth_weight * m_ref,
        max((s.cost_per_s for s in switches), default=0.0),
        1e-300,
    )

    # --- columns
    PI = b.add(n, np.maximum(lim.lo_pa, 0.0) ** 2 / pr2, hi_pa**2 / pr2, -TIE_BREAK / n)
    q_lo = np.full(m, -Qm)
    q_hi = np.full(m, Qm)
    ce, cm = cn.comp_edge, cn.comp_mode
    free_c = np.isin(cm, (CompMode.PRESSURE, CompMode.RATIO, CompMode.POWER))
    q_lo[ce] = 0.0
    q_hi[ce] = np.where(free_c, np.minimum(cn.comp_flow_max / m_ref, Qm), Qm)
    q_lo[ce[cm == CompMode.BYPASS]] = -Qm
    q_hi[ce[cm == CompMode.OFF]] = 0.0
    re_, rm = cn.reg_edge, cn.reg_mode
    fr = rm == RegMode.PRESSURE
    q_lo[re_[fr]] = 0.0
    q_hi[re_[fr]] = np.minimum(cn.reg_flow_max[fr] / m_ref, Qm)
    q_lo[re_[rm == RegMode.CLOSED]] = q_hi[re_[rm == RegMode.CLOSED]] = 0.0
    q_lo[cn.block_edge] = q_hi[cn.block_edge] = 0.0
    q_lo[free_mode], q_hi[free_mode] = -Qm, Qm  # bounded by the mode rows
    fr = fr & ~free_mode[re_]
    Q = b.add(m, q_lo, q_hi)
    shortfall = problem.shortfall_weight > 0 and problem.source_nominal.size and np.any(problem.source_nominal > 0)
    s_cost = m_ref * problem.source_price.astype(float)
    if shortfall:
        s_cost = s_cost - np.where(problem.source_nominal > 0, problem.shortfall_weight * m_ref, 0.0)
    S = b.add(ns, problem.source_lo / m_ref, problem.source_hi / m_ref, s_cost / obj_scale)
    H = b.add(nk, 0.0, problem.shed_max / m_ref, m_ref * problem.shed_penalty / obj_scale)
    L = b.add(1, 0.0, np.inf if problem.has_growth else 0.0, -problem.growth_weight * m_ref / obj_scale)
    nc = len(ce)
    lhv = cn.gas.lhv_j_per_kg or np.inf
    ff = np.where(cn.comp_gas_driven & free_c, 1.0 / (cn.comp_eta_driver * lhv), 0.0)  # kg/s per W
    w_cost = (problem.fuel_weight * ff + problem.power_weight) * W_REF
    w_tie = 1e-6 * obj_scale  # per MW: a tiny cost on power: P sits on its planes even when nothing prices it
    Wp = b.add(nc, 0.0, np.where(free_c, cn.comp_power_max_w / W_REF, 0.0), (w_cost + w_tie) / obj_scale)
    Z = b.add(len(switches), 0.0, 1.0, np.array([s.cost_per_s for s in switches]) / obj_scale, integer=True)

    Z0 = b.add(1, 0.0, 0.0)  # a column fixed at 0, standing in for the binary of edges that are not candidates

    def z_of(edges: I64) -> I64:
        k = sw_of_edge[edges]
        return np.where(k >= 0, Z[np.maximum(k, 0)] if len(Z) else Z0[0], Z0[0])

    # --- node balance: A Q + Bs S + Bk H - Bk growth L - Bc ff W = Bk demand
    A = cn.incidence.tocoo()
    rhs = np.zeros(n)
    np.add.at(rhs, cn.sink_node, problem.demand / m_ref)
    bal0 = len(b.rlo)
    b.rlo += list(rhs)
    b.rhi += list(rhs)
    b.rows += [bal0 + A.row.astype(np.int64), bal0 + cn.source_node, bal0 + cn.sink_node, bal0 + cn.sink_node]
    b.cols += [Q[A.col], S, H, np.full(nk, L[0])]
    b.vals += [A.data.astype(float), np.ones(ns), np.ones(nk), -problem.growth]
    if nc:
        b.rows.append(bal0 + ef[ce])
        b.cols.append(Wp)
        b.vals.append(-ff * W_REF / m_ref)

    # --- pipes: incremental piecewise-linear q|q| on each pipe's own flow range
    e = cn.res_edge
    nr = len(e)
    nb = opt.breakpoints
    if nr:
        E = phys.exp_s
        K = phys.c_pa2_s2_per_kg2 * m_ref**2 / pr2
        lo2, hi2 = np.maximum(lim.lo_pa, 0.0) ** 2 / pr2, hi_pa**2 / pr2
        qlo, qhi = pipe_flow_range(K, E, lo2[ef[e]], hi2[ef[e]], lo2[et[e]], hi2[et[e]], Qm)
        if opt.tighten and not problem.has_growth:
            qlo, qhi = _tightened_ranges(
                cn, problem, free_mode, free_c, sw_of_edge, ff, m_ref, Qm, K, E, lo2, hi2, q_lo, q_hi, qlo, qhi
            )
        # nr x nb, 0 a breakpoint; from the second round concentrated around the previous round's flows
        grid = pwl_grid(qlo, qhi, nb) if not adapt else adaptive_grid(qlo, qhi, nb, q0[e] / m_ref)
        hw = np.diff(grid, axis=1)  # segment widths
        phi = grid * np.abs(grid)
        slope = np.diff(phi, axis=1) / np.where(hw > 0, hw, 1.0)
        D = b.add(nr * (nb - 1), 0.0, hw.ravel()).reshape(nr, nb - 1)
        Y = b.add(nr * (nb - 2), 0.0, 1.0, integer=True).reshape(nr, nb - 2)
        # Q = qlo + sum d, the increments filling in order
        b.rows_(nr, [(Q[e], 1.0)] + [(D[:, k], -1.0) for k in range(nb - 1)], qlo, qlo)
        for k in range(nb - 2):
            b.rows_(nr, [(D[:, k + 1], 1.0), (Y[:, k], -hw[:, k + 1])], -np.inf, 0.0)
            b.rows_(nr, [(D[:, k], 1.0), (Y[:, k], -hw[:, k])], 0.0, np.inf)
        law: list[tuple[I64, F64]] = [(PI[ef[e]], np.ones(nr)), (PI[et[e]], -E)]
        law += [(D[:, k], -K * slope[:, k]) for k in range(nb - 1)]
        rhs_law = K * phi[:, 0]
        band = K * np.max(hw, axis=1) ** 2 / 4.0 if opt.relaxation else np.zeros(nr)
        cand = sw_of_edge[e] >= 0
        big = hi2[ef[e]] + E * hi2[et[e]] + K * np.maximum(qhi**2, qlo**2)
        if np.any(~cand):
            sel = np.flatnonzero(~cand)
            b.rows_(len(sel), [(c[sel], v[sel]) for c, v in law], rhs_law[sel] - band[sel], rhs_law[sel] + band[sel])
        if np.any(cand):
            sel = np.flatnonzero(cand)
            zc = z_of(e[sel])
            terms = [(c[sel], v[sel]) for c, v in law]
            b.rows_(len(sel), [*terms, (zc, big[sel])], -np.inf, rhs_law[sel] + band[sel] + big[sel])
            b.rows_(len(sel), [*terms, (zc, -big[sel])], rhs_law[sel] - band[sel] - big[sel], np.inf)
            b.rows_(len(sel), [(Q[e[sel]], 1.0), (zc, -qhi[sel])], -np.inf, 0.0)
            b.rows_(len(sel), [(Q[e[sel]], 1.0), (zc, -qlo[sel])], 0.0, np.inf)

    # --- fixed-loss resistors (relaxation only): |p_i - p_j| <= dp, so |pi_i - pi_j| <= dp (hi_i + hi_j)
    fl = cn.fixed_loss_edge
    if len(fl):
        span = cn.fixed_loss_pa * (hi_pa[ef[fl]] + hi_pa[et[fl]]) / pr2
        b.rows_(len(fl), [(PI[ef[fl]], 1.0), (PI[et[fl]], -1.0)], -span, span)

    # --- equal pressures: ties (open valves, shorts), open regulators, bypassed stations
    eqp = np.concatenate([cn.tie_edge, re_[rm == RegMode.OPEN], ce[cm == CompMode.BYPASS]]).astype(np.int64)
    eqp = eqp[~free_mode[eqp]]
    if len(eqp):
        if np.any(sw_of_edge[eqp] >= 0):
            raise InputError("MILP: candidates may be pipes or compressor stations (valves and regulators are not)")
        b.rows_(len(eqp), [(PI[ef[eqp]], 1.0), (PI[et[eqp]], -1.0)], 0.0, 0.0)
    # regulators in pressure control: outlet <= inlet
    if np.any(fr):
        b.rows_(int(fr.sum()), [(PI[ef[re_[fr]]], 1.0), (PI[et[re_[fr]]], -1.0)], 0.0, np.inf)

    # --- compressors
    if nc:
        fc = np.flatnonzero(free_c & ~free_mode[ce])
        fe = ce[fc]
        cand = sw_of_edge[fe] >= 0
        absent_bypass = np.array(
            [cand[j] and switches[sw_of_edge[fe[j]]].absent == "bypass" for j in range(len(fe))], dtype=bool
        )
        removed = cand & ~absent_bypass
        mpi = hi_pa[et[fe]] ** 2 / pr2 + 1.0
        zc = z_of(fe)
        r2 = np.where(np.isfinite(cn.comp_ratio_max[fc]), cn.comp_ratio_max[fc] ** 2, 1e6)
        # pi_d - pi_s >= 0 (removed candidates: >= -M (1 - z))
        mr_ = np.where(removed, mpi, 0.0)
        b.rows_(len(fe), [(PI[et[fe]], 1.0), (PI[ef[fe]], -1.0), (zc, -mr_)], -mr_, np.inf)
        b.rows_(len(fe), [(PI[ef[fe]], r2), (PI[et[fe]], -1.0), (zc, -mr_)], -mr_, np.inf)
        if np.any(removed):
            sel = fe[removed]
            b.rows_(len(sel), [(Q[sel], 1.0), (z_of(sel), -q_hi[sel])], -np.inf, 0.0)
        if np.any(absent_bypass):
            sel = fe[absent_bypass]
            b.rows_(len(sel), [(PI[et[sel]], 1.0), (PI[ef[sel]], -1.0), (z_of(sel), -mpi[absent_bypass])], -np.inf, 0.0)
        # power planes (active arcs have no power: a zero plane)
        arc = (cn.comp_active_arc if len(cn.comp_active_arc) == nc else np.zeros(nc, dtype=bool))[fc]
        pis0 = np.maximum(p0[ef[fe]], 1e5) ** 2
        pid0 = np.maximum(p0[et[fe]], 1e5) ** 2
        rmx = np.where(np.isfinite(cn.comp_ratio_max[fc]), cn.comp_ratio_max[fc], 1.5)
        pid0 = np.where(pid0 <= pis0 * (1 + 1e-6), pis0 * rmx, pid0)  # first round or idle: a mid ratio
        qc0 = np.clip(np.where(q0[fe] > 1e-9 * m_ref, q0[fe], m_ref), 0.0, q_hi[fe] * m_ref)
        c0, cq, cs, cd = _power_plane(phys.head_coef_j_per_kg[fc], cn.comp_eta_is[fc], phys.x_exponent, qc0, pis0, pid0)
        c0, cq, cs, cd = (np.where(arc, 0.0, v) for v in (c0, cq, cs, cd))
        # W_REF W >= c0 + cq m_ref Q + cs pr2 PIs + cd pr2 PId   (relaxed by M (1 - z) for candidates)
        mp = np.abs(c0) + np.abs(cq) * Qm * m_ref + np.abs(cs) * hi_pa[ef[fe]] ** 2 + np.abs(cd) * hi_pa[et[fe]] ** 2
        mp = np.where(cand, mp / W_REF, 0.0)
        b.rows_(
            len(fe),
            [(Wp[fc], 1.0), (Q[fe], -cq * m_ref / W_REF), (PI[ef[fe]], -cs * pr2 / W_REF),
             (PI[et[fe]], -cd * pr2 / W_REF), (zc, -mp)],
            c0 / W_REF - mp,
            np.inf,
        )  # fmt: skip
        if np.any(removed):
            wmax = np.where(np.isfinite(cn.comp_power_max_w[fc]), cn.comp_power_max_w[fc], mp * W_REF) / W_REF
            sel = np.flatnonzero(removed)
            b.rows_(len(sel), [(Wp[fc[sel]], 1.0), (zc[sel], -wmax[sel])], -np.inf, 0.0)

    # --- operating modes as binaries
    mode_cols: dict[int, tuple[str, I64]] = {}
    if modes is not None and modes.size:
        mode_cols = add_mode_rows(
            b, cn, modes, PI, Q, Wp, hi_pa**2 / pr2, Qm, m_ref, _Planes(cn, phys, p0, q0, q_hi, m_ref, pr2), mode_cuts
        )

    # --- groups of candidates
    groups: dict[str, list[int]] = {}
    for k, s in enumerate(switches):
        if s.group:
            groups.setdefault(s.group, []).append(k)
    missing = [g for g in required_groups if g not in groups]
    if missing:
        raise InputError(f"MILP: required group(s) {', '.join(missing)} have no candidate")
    for g, members in groups.items():
        lo = 1.0 if g in required_groups else -np.inf
        b.rows_(1, [(Z[[k]], 1.0) for k in members], lo, 1.0)

    # no-good cuts: sum_{not in C} z - sum_{in C} z >= 1 - |C|
    pos = {sw.id: k for k, sw in enumerate(switches)}
    for combo in exclude:
        inside = {pos[i] for i in combo}
        coef = np.array([-1.0 if k in inside else 1.0 for k in range(len(switches))])
        b.rows_(1, [(Z[[k]], coef[k]) for k in range(len(switches))], 1.0 - len(inside), np.inf)
    status, x, obj, gap, nodes = b.solve(opt.mip_rel_gap, opt.time_limit_s)
    if "no solution" in status:
        raise InfeasibleError(
            f"{problem.kind} on scenario {cn.scenario}: the MILP has no feasible point ({status})",
            [
                "the piecewise-linear model is infeasible: loosen pressure bounds or demands, add candidates or "
                "compression, or raise the flow range (--flow-max) if flows may exceed it"
            ],
        )
    # quantities within the solver's feasibility tolerance of a bound are put on it, and the capacity growth
    # closes the mass balance exactly (the simulator, given these settings, needs an exact balance when every
    # source is at its limit)
    tol = 1e-6
    supply = np.clip(x[S], problem.source_lo / m_ref, problem.source_hi / m_ref)
    for bound in (problem.source_lo / m_ref, problem.source_hi / m_ref):
        near = np.isfinite(bound) & (np.abs(supply - bound) < tol)
        supply[near] = bound[near]
    sheds = np.clip(x[H], 0.0, problem.shed_max / m_ref)
    sheds[sheds < tol] = 0.0
    top = np.abs(sheds - problem.shed_max / m_ref) < tol
    sheds[top] = problem.shed_max[top] / m_ref
    w = np.zeros(nc)
    w[:] = x[Wp] * W_REF
    growth = float(x[L[0]])
    if problem.has_growth and np.sum(problem.growth) > 0:
        fuel_total = float(np.sum(w * ff)) / m_ref
        growth = (float(np.sum(supply)) - fuel_total - float(np.sum(problem.demand / m_ref - sheds))) / float(
            np.sum(problem.growth)
        )
    p = np.sqrt(np.maximum(x[PI], 0.0)) * p_ref
    q = x[Q] * m_ref
    chosen = tuple(s.id for k, s in enumerate(switches) if x[Z[k]] > 0.5)
    sw_cost = sum(s.cost_per_s for k, s in enumerate(switches) if x[Z[k]] > 0.5)
    raw = obj * obj_scale - float(np.sum(w_tie * x[Wp])) + TIE_BREAK / n * float(np.sum(x[PI])) * obj_scale
    if shortfall:  # the shortfall weight is not part of the reported objective (as in the NLP)
        nom = problem.source_nominal > 0
        raw += float(problem.shortfall_weight * m_ref * np.sum(x[S][nom]))
    return MilpSolution(
        modes=read_modes(x, mode_cols) if mode_cols else {},
        p_pa=p,
        q_kg_s=q,
        supply_kg_s=supply * m_ref,
        shed_kg_s=sheds * m_ref,
        growth_kg_s=growth * m_ref,
        comp_power_w=w,
        comp_fuel_kg_s=w * ff,
        chosen=chosen,
        objective_raw=raw,
        switch_cost_raw=float(sw_cost),
        status=status,
        mip_gap=gap,
        nodes=nodes,
        rounds=1,
        solve_time_s=0.0,
        flow_max_kg_s=qmax,
        breakpoints=opt.breakpoints,
    )


def _tightened_ranges(
    cn: CompiledNetwork,
    problem: Problem,
    free_mode: NDArray[np.bool_],
    free_c: NDArray[np.bool_],
    sw_of_edge: I64,
    ff: F64,
    m_ref: float,
    Qm: float,
    K: F64,
    E: F64,
    lo2: F64,
    hi2: F64,
    q_lo: F64,
    q_hi: F64,
    qlo: F64,
    qhi: F64,
) -> tuple[F64, F64]:
    """Each pipe's flow range (per unit) narrowed by :func:`.milp_bounds.tighten` (0 kept inside; a pipe whose
    intervals cross keeps its range from the pressure limits, and the MILP reports the infeasibility)."""
    n = cn.n_nodes
    big = 1e3 * Qm  # no injection exceeds the node's degree times Qm: a finite stand-in for "unbounded"
    d = np.zeros(n)
    np.add.at(d, cn.sink_node, problem.demand / m_ref)
    s_lo = np.clip(problem.source_lo / m_ref, -big, big)
    s_hi = np.clip(problem.source_hi / m_ref, -big, big)
    net_lo, net_hi = d.copy(), d.copy()
    np.add.at(net_lo, cn.source_node, -s_hi)
    np.add.at(net_hi, cn.source_node, -s_lo)
    np.add.at(net_lo, cn.sink_node, -problem.shed_max / m_ref)
    ce = cn.comp_edge
    if len(ce):
        fuel_hi = np.minimum(ff * np.nan_to_num(cn.comp_power_max_w, posinf=1e30) / m_ref, big)  # per unit
        np.add.at(net_hi, cn.edge_from[ce], fuel_hi)
    e = cn.res_edge
    fixed = sw_of_edge[e] < 0  # candidate pipes' laws are relaxed when not built: no propagation through them
    re_, rm = cn.reg_edge, cn.reg_mode
    ties = np.concatenate([cn.tie_edge, re_[rm == RegMode.OPEN], ce[cn.comp_mode == CompMode.BYPASS]]).astype(np.int64)
    ties = ties[~free_mode[ties]]
    q0_lo, q0_hi = q_lo.copy(), q_hi.copy()
    q0_lo[e], q0_hi[e] = qlo, qhi
    bd = tighten(
        cn.incidence, net_lo, net_hi, lo2, hi2, q0_lo, q0_hi,
        e[fixed], cn.edge_from[e[fixed]], cn.edge_to[e[fixed]], K[fixed], E[fixed],
        cn.edge_from[ties], cn.edge_to[ties],
    )  # fmt: skip
    tl, th = bd.q_lo[e], bd.q_hi[e]
    ok = (tl <= th + 1e-9 * np.maximum(np.abs(th), 1e-3)) & fixed  # a flow fixed by the balance: equal to rounding
    pad = 1e-7 * Qm  # rounding of the propagation must not cut off a flow the balance fixes exactly
    lo_t, hi_t = np.minimum(tl, th) - pad, np.maximum(tl, th) + pad
    return np.where(ok, np.minimum(lo_t, 0.0), qlo), np.where(ok, np.maximum(hi_t, 0.0), qhi)
