"""Exact nonlinear programme of a :class:`Problem` with casadi and IPOPT.

Unknowns (scaled): node pressures ``P = p/p_ref``, edge flows ``Q = q/m_ref``, source supplies, shed
amounts and the capacity growth ``L``. Constraints are the simulator's steady equations (node balance with
compressor fuel taken at suction, the pipe law ``p_i^2 - E p_j^2 - C q|q| = 0`` with coefficients passed as
parameters (see :mod:`linepack.optimize.physics`), valve ties, fixed-loss resistors) plus the operating
limits: node pressure bounds, compressor ratio ``1 <= p_d/p_s <= r_max``, power ``<= P_max``, flow in
``[0, q_max]``, regulators ``p_out <= p_in`` with flow ``>= 0``. Everything is built as vectorised casadi
expressions from index arrays (no per-pipe Python loops), once per network and problem; the coefficients
are parameters, so the outer fixed-point iterations re-solve the same model warm-started.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from ...compile import CompiledNetwork, CompMode, RegMode
from ...errors import InputError
from ...quality.properties import GasProps
from ..limits import P_FLOOR_PA, node_limits
from ..physics import FrozenPhysics
from ..problems import Problem
from .nlp_units import UnitBlock

F64 = NDArray[np.float64]
# Settings that are equally good (a network that needs no compression leaves the pressure level free; sinks
# of one priority class may share a cut in any proportion; sources of one price may share the supply) are
# told apart by a reward for high pressure and a small quadratic cost on shedding and supply (spreading them
# evenly): TIE_BREAK of the objective scale per unit of per-unit pressure, or of per-unit flow squared. It
# makes the optimum unique, so that the linearisation fixed point settles; it moves the reported objective by
# about that fraction at most.
TIE_BREAK = 1e-7
# IPOPT endings that mean "converged, short of the tolerance asked for"
NEAR_OPTIMAL = ("Solved_To_Acceptable_Level", "Search_Direction_Becomes_Too_Small")


def _casadi() -> Any:
    try:
        import casadi
    except ImportError:  # pragma: no cover (the optimize extra is installed in CI)
        raise InputError("the optimiser needs casadi: pip install 'linepack[optimize]'") from None
    return casadi


def _dm(ca: Any, M: sp.spmatrix) -> Any:
    M = sp.csc_matrix(M)
    M.sort_indices()
    spars = ca.Sparsity(M.shape[0], M.shape[1], M.indptr.tolist(), M.indices.tolist())
    return ca.DM(spars, M.data.tolist())


def _onehot(rows: NDArray[np.int64], n: int) -> sp.csc_matrix:
    k = len(rows)
    return sp.csc_matrix((np.ones(k), (rows, np.arange(k))), shape=(n, k))


@dataclass(frozen=True)
class NlpOptions:
    tol: float = 1e-12  # IPOPT's scaled KKT tolerance: bounds an optimum sits on are held to about this
    constr_viol_tol: float = 1e-12  # absolute, on per-unit equations: near-zero pipe flows need it this tight
    max_iter: int = 3000
    print_level: int = 0
    max_cpu_time_s: float = 600.0


@dataclass(frozen=True)
class Bound:
    """One inequality or variable bound, for binding-constraint reports."""

    label: str
    unit: str  # physical unit of the bounded quantity
    to_physical: float  # scaled quantity * to_physical = physical quantity


@dataclass(frozen=True)
class RawSolution:
    success: bool
    status: str
    iterations: int
    p_pa: F64
    q_kg_s: F64
    supply_kg_s: F64
    shed_kg_s: F64
    growth_kg_s: float
    violation_lo_pa: F64  # soft limits only: how far each node is below its lower limit
    violation_hi_pa: F64  # ... and above its upper limit
    objective_raw: float  # problem objective in SI per second (not normalised)
    x: F64
    par: F64
    lam_g: F64
    lam_x: F64
    binding: tuple[tuple[str, float, str], ...]  # (label, marginal objective per unit, unit)
    # per binding entry: ("g", row of the inequalities, +1) or ("x", variable, +1 upper / -1 lower bound)
    binding_refs: tuple[tuple[str, int, int], ...] = ()


class NlpModel:
    """The casadi/IPOPT model of one problem on one network (built once, solved for many coefficient sets)."""

    def __init__(
        self,
        cn: CompiledNetwork,
        problem: Problem,
        p_ref: float,
        m_ref: float,
        opts: NlpOptions,
        gas: GasProps | None = None,
        supply_cuts: tuple[F64, F64, tuple[str, ...]] | None = None,
        configs: NDArray[np.int64] | None = None,
    ) -> None:
        """``gas``: the gas of every compressor (isentropic exponent, fuel calorific value) when mixtures are tracked
        (default: the network gas); stations with units take their suction gas from it too. ``supply_cuts`` =
        (A, b, labels): linear constraints ``A s <= b`` on the source supplies s [kg/s] (the quality limits' cuts,
        see :mod:`linepack.optimize.quality_limits`). ``configs``: the configuration each station with units runs
        (default: each station's initial one)."""
        ca = _casadi()
        self.cn, self.problem, self.p_ref, self.m_ref, self.opts = cn, problem, p_ref, m_ref, opts
        n, m, ns, nk = cn.n_nodes, cn.n_edges, len(cn.source_ids), len(cn.sink_ids)
        nr, nc = len(cn.res_edge), len(cn.comp_edge)
        self.sizes = (n, m, ns, nk)
        soft = problem.pressure_violation_weight > 0.0
        nv = 2 * n if soft else 0
        self.n_slack = nv
        # stations with units: their units' flows and speeds are unknowns too (formulations.nlp_units)
        self.units = UnitBlock(cn, configs, p_ref, m_ref, gas)
        nu = self.units.n_vars
        self.nx = n + m + ns + nk + 1 + nu + nv
        nx = self.nx
        X = ca.SX.sym("x", nx)
        P, Q = X[:n], X[n : n + m]
        S, H, L = X[n + m : n + m + ns], X[n + m + ns : n + m + ns + nk], X[n + m + ns + nk]
        U = X[n + m + ns + nk + 1 : n + m + ns + nk + 1 + nu]
        sig_lo, sig_hi = X[nx - nv : nx - nv // 2], X[nx - nv // 2 : nx]
        npu = self.units.n_par
        nphys = 9 * nr + 3 * nc + 2 + npu
        npar = nphys + nx + 1  # physics coefficients, then the proximal centre and weight
        par = ca.SX.sym("par", npar)
        E, Cs, Ai, Aj, Aq, Pi0, Pj0, Q0, Cl = (par[k * nr : (k + 1) * nr] for k in range(9))
        o8 = 9 * nr
        head0, dhead, ps0 = (par[o8 + k * nc : o8 + (k + 1) * nc] for k in range(3))
        tie_s, qs_s = par[nphys - npu - 2], par[nphys - npu - 1]
        par_units = par[nphys - npu : nphys]
        x_centre, rho = par[nphys : nphys + nx], par[npar - 1]
        ef, et = cn.edge_from, cn.edge_to
        eq: list[Any] = []
        ineq: list[Any] = []
        self.ineq_bounds: list[Bound] = []
        lbx = np.full(nx, -np.inf)
        ubx = np.full(nx, np.inf)
        xb: list[Bound | None] = [None] * nx
        xb_hi: list[Bound | None] = [None] * nx

        # compressors
        ce = cn.comp_edge
        cm = cn.comp_mode
        free_c = np.isin(cm, (CompMode.PRESSURE, CompMode.RATIO, CompMode.POWER))
        if gas is None:
            kappa = cn.gas.kappa if cn.gas.kappa is not None else 1.3
            x_exp: Any = (kappa - 1.0) / kappa
            lhv: Any = cn.gas.lhv_j_per_kg or np.inf
        else:  # each station compresses (and burns) its own suction gas
            x_exp = ca.DM((gas.comp_kappa - 1.0) / gas.comp_kappa)
            lhv = gas.comp_fuel_lhv_j_per_kg
        fuel = ca.SX.zeros(nc, 1)
        power = ca.SX.zeros(nc, 1)
        if nc:
            ps, pd, qc = P[ef[ce].tolist()], P[et[ce].tolist()], Q[ce.tolist()]
            head = head0 + dhead * (ps - ps0)
            arc = cn.comp_active_arc if len(cn.comp_active_arc) == nc else np.zeros(nc, dtype=bool)
            if cn.gas.kappa is None and gas is None:  # no thermodynamic data (electric stations without limits)
                arc = np.ones(nc, dtype=bool)
            power = qc * m_ref * head * ((pd / ps) ** x_exp - 1.0) / ca.DM(cn.comp_eta_is) * ca.DM(1.0 - arc)
            ff = np.where(cn.comp_gas_driven & free_c, 1.0 / (cn.comp_eta_driver * lhv), 0.0)
            fuel = power * ca.DM(ff)
        blk = self.units.build(ca, P, Q, U, par_units)
        if self.units.n_pairs:
            keep = ca.DM(1.0 - blk["mask"])
            power = power * keep + blk["power"]
            fuel = fuel * keep + blk["fuel"]
        self.power_fn = ca.Function("power", [X, par], [power])
        self.fuel_fn = ca.Function("fuel", [X, par], [fuel])

        # node balance (fuel leaves at the suction node)
        A = _dm(ca, cn.incidence)
        Bs = _dm(ca, _onehot(cn.source_node, n))
        Bk = _dm(ca, _onehot(cn.sink_node, n))
        Bc = _dm(ca, _onehot(ef[ce], n))
        delivered = ca.DM(problem.demand / m_ref) - H + L * ca.DM(problem.growth)
        eq.append(ca.mtimes(A, Q) + ca.mtimes(Bs, S) - ca.mtimes(Bk, delivered) - ca.mtimes(Bc, fuel) / m_ref)
        # pipes and resistors
        e = cn.res_edge
        if nr:
            Pi, Pj, Qe = P[ef[e].tolist()], P[et[e].tolist()], Q[e.tolist()]
            eq.append(
                Pi * Pi
                - E * Pj * Pj
                - Cs * Qe * ca.fabs(Qe)
                - Cl * Qe
                + Ai * (Pi - Pi0)
                + Aj * (Pj - Pj0)
                + Aq * (Qe - Q0)
            )
        # ties and blocks
        t = cn.tie_edge
        if len(t):
            eq.append(P[ef[t].tolist()] - P[et[t].tolist()] - tie_s * Q[t.tolist()])
            # no tie carries more than all the gas there is: without this bound a station in a loop with an open
            # valve could circulate gas without limit and draw a pressure difference from the tie's vanishing
            # (regularising) resistance
            hi = problem.source_hi[np.isfinite(problem.source_hi)]
            q_all = 2.0 * max(float(np.sum(problem.demand)), float(np.sum(np.maximum(hi, 0.0))), 1e-3 * m_ref)
            lbx[n + t], ubx[n + t] = -q_all / m_ref, q_all / m_ref
        b = cn.block_edge
        lbx[n + b] = ubx[n + b] = 0.0
        # fixed-loss resistors
        fl = cn.fixed_loss_edge
        if len(fl):
            qf = Q[fl.tolist()]
            eq.append(
                P[ef[fl].tolist()]
                - P[et[fl].tolist()]
                - ca.DM(cn.fixed_loss_pa / p_ref) * qf / ca.sqrt(qf * qf + qs_s**2)
            )
        # compressors: modes
        if nc:
            byp = np.flatnonzero(cm == CompMode.BYPASS)
            if len(byp):
                eq.append(P[ef[ce[byp]].tolist()] - P[et[ce[byp]].tolist()])
            off = ce[cm == CompMode.OFF]
            lbx[n + off] = ubx[n + off] = 0.0
            fc = np.flatnonzero(free_c)
            fe = ce[fc]
            lbx[n + fe] = 0.0
            ubx[n + fe] = cn.comp_flow_max[fc] / m_ref
            for edge in fe:
                xb_hi[n + edge] = Bound(f"compressor {cn.edge_ids[edge]} maximum flow", "kg/s", m_ref)
                xb[n + edge] = Bound(f"compressor {cn.edge_ids[edge]} no reverse flow", "kg/s", m_ref)
            if len(fc):
                ineq.append(P[et[fe].tolist()] - P[ef[fe].tolist()])
                self.ineq_bounds += [Bound(f"compressor {cn.edge_ids[x]} ratio >= 1", "bar", p_ref / 1e5) for x in fe]
                rmax = cn.comp_ratio_max[fc]
                fin = np.isfinite(rmax)
                if np.any(fin):
                    ff_ = fe[fin]
                    ineq.append(ca.DM(rmax[fin]) * P[ef[ff_].tolist()] - P[et[ff_].tolist()])
                    self.ineq_bounds += [
                        Bound(f"compressor {cn.edge_ids[x]} maximum ratio {r:.3g}", "bar", p_ref / 1e5)
                        for x, r in zip(ff_, rmax[fin], strict=True)
                    ]
                pmax = cn.comp_power_max_w[fc]
                fin = np.isfinite(pmax)
                if np.any(fin):
                    sel = fc[fin].tolist()
                    ineq.append((ca.DM(pmax[fin]) - power[sel]) / 1e6)
                    self.ineq_bounds += [
                        Bound(f"compressor {cn.edge_ids[ce[k]]} maximum power {pm / 1e6:.1f} MW", "MW", 1.0)
                        for k, pm in zip(fc[fin], pmax[fin], strict=True)
                    ]
        # compressor units on their maps
        if self.units.n_pairs:
            eq += blk["eq"]
            if blk["ineq"]:
                ineq.append(ca.vertcat(*blk["ineq"]))
                self.ineq_bounds += [Bound(lbl, "-", 1.0) for lbl in blk["labels"]]
            o_u = n + m + ns + nk + 1
            lbx[o_u : o_u + nu], ubx[o_u : o_u + nu] = self.units.bounds()
            lo_lbl, hi_lbl = self.units.labels()
            for i in range(nu):
                xb[o_u + i] = Bound(lo_lbl[i], "-", 1.0) if lo_lbl[i] else None
                xb_hi[o_u + i] = Bound(hi_lbl[i], "-", 1.0) if hi_lbl[i] else None
        # regulators
        re_ = cn.reg_edge
        if len(re_):
            rm = cn.reg_mode
            op = re_[rm == RegMode.OPEN]
            if len(op):
                eq.append(P[ef[op].tolist()] - P[et[op].tolist()])
            cl = re_[rm == RegMode.CLOSED]
            lbx[n + cl] = ubx[n + cl] = 0.0
            fr = np.flatnonzero(rm == RegMode.PRESSURE)
            fe = re_[fr]
            lbx[n + fe] = 0.0
            ubx[n + fe] = cn.reg_flow_max[fr] / m_ref
            if len(fe):
                ineq.append(P[ef[fe].tolist()] - P[et[fe].tolist()])
                self.ineq_bounds += [
                    Bound(f"regulator {cn.edge_ids[x]} outlet <= inlet", "bar", p_ref / 1e5) for x in fe
                ]
                for edge in fe:
                    xb_hi[n + edge] = Bound(f"regulator {cn.edge_ids[edge]} maximum flow", "kg/s", m_ref)
                    xb[n + edge] = Bound(f"regulator {cn.edge_ids[edge]} no reverse flow", "kg/s", m_ref)

        # variable bounds: pressures, supplies, shedding, growth
        lim = node_limits(cn, problem.regulator_setpoint_caps)
        if not soft:
            lbx[:n], ubx[:n] = lim.lo_pa / p_ref, lim.hi_pa / p_ref
            for i in range(n):
                xb[i] = Bound(lim.lo_why[i], "bar", p_ref / 1e5)
                xb_hi[i] = Bound(lim.hi_why[i], "bar", p_ref / 1e5) if lim.hi_why[i] else None
        else:
            # soft limits: P >= lo - sig_lo and P <= hi + sig_hi with sig >= 0 paid in the objective
            lbx[:n] = P_FLOOR_PA / p_ref
            lbx[nx - nv :] = 0.0
            lo_s = lim.lo_pa > P_FLOOR_PA
            hi_s = np.isfinite(lim.hi_pa)
            lbx[nx - nv : nx - nv // 2][~lo_s] = ubx[nx - nv : nx - nv // 2][~lo_s] = 0.0
            lbx[nx - nv // 2 :][~hi_s] = ubx[nx - nv // 2 :][~hi_s] = 0.0
            il, ih = np.flatnonzero(lo_s), np.flatnonzero(hi_s)
            if len(il):
                ineq.append(P[il.tolist()] - ca.DM(lim.lo_pa[il] / p_ref) + sig_lo[il.tolist()])
                self.ineq_bounds += [Bound(lim.lo_why[i], "bar", p_ref / 1e5) for i in il]
            if len(ih):
                ineq.append(ca.DM(lim.hi_pa[ih] / p_ref) - P[ih.tolist()] + sig_hi[ih.tolist()])
                self.ineq_bounds += [Bound(lim.hi_why[i], "bar", p_ref / 1e5) for i in ih]
        self.limits = lim
        if supply_cuts is not None and len(supply_cuts[1]):
            A_cut, b_cut, labels = supply_cuts
            ineq.append(ca.DM(b_cut / m_ref) - ca.mtimes(ca.DM(A_cut), S))
            self.ineq_bounds += [Bound(label, "kg/s", m_ref) for label in labels]
        o = n + m
        lbx[o : o + ns], ubx[o : o + ns] = problem.source_lo / m_ref, problem.source_hi / m_ref
        for k, sid in enumerate(cn.source_ids):
            floor = "cannot take gas back" if problem.source_lo[k] == 0 else "minimum supply"
            xb[o + k] = Bound(f"source {sid} {floor}", "kg/s", m_ref)
            xb_hi[o + k] = Bound(f"source {sid} capacity", "kg/s", m_ref)
        o += ns
        lbx[o : o + nk], ubx[o : o + nk] = 0.0, problem.shed_max / m_ref
        lbx[n + m + ns + nk], ubx[n + m + ns + nk] = 0.0, (np.inf if problem.has_growth else 0.0)

        # objective
        pw = float(problem.power_weight)
        raw = (
            problem.fuel_weight * ca.sum1(fuel)
            + pw * ca.sum1(power)
            + m_ref * (ca.dot(ca.DM(problem.source_price), S) + ca.dot(ca.DM(problem.shed_penalty), H))
            - problem.growth_weight * m_ref * L
        )
        short = ca.SX.zeros(1, 1)
        if problem.shortfall_weight > 0 and np.any(problem.source_nominal > 0):
            lim_src = np.flatnonzero(problem.source_nominal > 0)
            short = problem.shortfall_weight * ca.sum1(
                ca.DM(problem.source_nominal[lim_src]) - m_ref * S[lim_src.tolist()]
            )
        self.shortfall_fn = ca.Function("shortfall", [X, par], [short])
        raw = raw + short
        if soft:
            raw = raw + problem.pressure_violation_weight * p_ref / 1e5 * (ca.sum1(sig_lo) + ca.sum1(sig_hi))
        weights = [
            problem.fuel_weight * 1e-2 * m_ref,
            pw * 1e7,
            float(np.max(np.abs(problem.source_price), initial=0.0)) * m_ref,
            float(np.max(problem.shed_penalty, initial=0.0)) * m_ref * 0.1,
            problem.growth_weight * m_ref,
            problem.pressure_violation_weight,
        ]
        self.obj_norm = max(max(weights), 1e-300)
        self.raw_fn = ca.Function("raw", [X, par], [raw])
        # tie-breaks (see TIE_BREAK): high pressure, and shedding and supply spread evenly over equals
        tie = TIE_BREAK * (-ca.sum1(P) / n + (ca.sumsqr(H) + ca.sumsqr(S)) / max(ns + nk, 1))
        g_eq = ca.vertcat(*eq)
        g_in = ca.vertcat(*ineq) if ineq else ca.SX.zeros(0, 1)
        self.n_eq, self.n_in = int(g_eq.shape[0]), int(g_in.shape[0])
        g = ca.vertcat(g_eq, g_in)
        self.lbg = np.concatenate([np.zeros(self.n_eq), np.zeros(self.n_in)])
        self.ubg = np.concatenate([np.zeros(self.n_eq), np.full(self.n_in, np.inf)])
        self.lbx, self.ubx, self.xb, self.xb_hi = lbx, ubx, xb, xb_hi
        self.n_par = npar
        ipopt = {
            "tol": opts.tol,
            "constr_viol_tol": opts.constr_viol_tol,
            "acceptable_tol": 1e-8,
            "acceptable_iter": 0 if opts.tol >= 1e-8 else 15,
            "max_iter": opts.max_iter,
            "max_cpu_time": opts.max_cpu_time_s,
            "print_level": opts.print_level,
            "bound_relax_factor": 1e-12,
            "mu_strategy": "adaptive",
            "sb": "yes",
        }
        f_full = raw / self.obj_norm + tie + rho * ca.sumsqr(X - x_centre)
        self.solver = ca.nlpsol(
            "ogf", "ipopt", {"x": X, "p": par, "f": f_full, "g": g}, {"ipopt": ipopt, "print_time": False}
        )
        # what the sensitivity of the reported objective needs (linepack.optimize.formulations.sensitivity)
        self.symbols = (X, par, f_full, g, raw - short)
        self.sensitivity_fn: Any = None

    def parameters(
        self,
        phys: FrozenPhysics,
        tie_pa_per_kg_s: float,
        fixed_loss_qs_kg_s: float,
        x_centre: F64 | None = None,
        rho: float = 0.0,
    ) -> F64:
        """The parameter vector: the coefficients of ``phys``, the simulator's tie and fixed-loss scales, and a
        proximal term ``rho |x - x_centre|^2`` (per-unit) that steadies the fixed point along flat directions
        of the objective; it vanishes at the fixed point (x = x_centre) and so does not move the optimum."""
        centre = np.zeros(self.nx) if x_centre is None else x_centre
        pr, mr = self.p_ref, self.m_ref
        return np.concatenate(
            [
                phys.exp_s,
                phys.c_pa2_s2_per_kg2 * mr**2 / pr**2,
                phys.a_i / pr,
                phys.a_j / pr,
                phys.a_q * mr / pr**2,
                phys.p_i0 / pr,
                phys.p_j0 / pr,
                phys.q0 / mr,
                phys.c_lin_pa2_s_per_kg * mr / pr**2,
                phys.head_coef_j_per_kg,
                phys.dhead_dps * pr,
                phys.ps0 / pr,
                [tie_pa_per_kg_s * mr / pr, fixed_loss_qs_kg_s / mr],
                self.units.parameters(phys.p_nodes_pa) if self.units.n_pairs else np.zeros(0),
                centre,
                [rho],
            ]
        )

    def pack(self, p: F64, q: F64, s: F64, h: F64, growth: float) -> F64:
        return np.concatenate(
            [
                p / self.p_ref,
                q / self.m_ref,
                s / self.m_ref,
                h / self.m_ref,
                [growth / self.m_ref],
                self.units.start(p, q) if self.units.n_pairs else np.zeros(0),
                np.zeros(self.n_slack),
            ]
        )

    def solve(
        self,
        x0: F64,
        par: F64,
        lam_g0: F64 | None = None,
        lam_x0: F64 | None = None,
        held: tuple[NDArray[np.int64], F64] | None = None,
    ) -> RawSolution:
        """Solve from ``x0`` (warm-started with the multipliers when given); the variables of ``held``
        (indices, values: see :meth:`at_bound`) are held at those values exactly."""
        lbx, ubx = self.lbx, self.ubx
        if held is not None and len(held[0]):
            lbx, ubx = lbx.copy(), ubx.copy()
            lbx[held[0]] = ubx[held[0]] = held[1]
        x0 = np.clip(x0, lbx, ubx)
        args: dict[str, Any] = {"x0": x0, "p": par, "lbx": lbx, "ubx": ubx, "lbg": self.lbg, "ubg": self.ubg}
        if lam_g0 is not None and lam_x0 is not None:
            args["lam_g0"], args["lam_x0"] = lam_g0, lam_x0
        out = self.solver(**args)
        st = self.solver.stats()
        x = np.asarray(out["x"]).ravel()
        lam_g = np.asarray(out["lam_g"]).ravel()
        lam_x = np.asarray(out["lam_x"]).ravel()
        n, m, ns, nk = self.sizes
        raw = float(self.raw_fn(x, par)) - float(self.shortfall_fn(x, par))
        status = str(st["return_status"])
        success = bool(st["success"])
        if not success and status in NEAR_OPTIMAL:
            # IPOPT stopped just short of its (very tight) tolerance: accept the point if it is feasible
            g = np.asarray(out["g"]).ravel()
            viol = max(float(np.max(self.lbg - g, initial=0.0)), float(np.max(g - self.ubg, initial=0.0)))
            success = viol < 1e-9
        found = self._binding(lam_g, lam_x)
        return RawSolution(
            success=success,
            status=str(st["return_status"]),
            iterations=int(st.get("iter_count", 0)),
            p_pa=x[:n] * self.p_ref,
            q_kg_s=x[n : n + m] * self.m_ref,
            supply_kg_s=x[n + m : n + m + ns] * self.m_ref,
            shed_kg_s=x[n + m + ns : n + m + ns + nk] * self.m_ref,
            growth_kg_s=float(x[n + m + ns + nk] * self.m_ref),
            violation_lo_pa=x[len(x) - self.n_slack : len(x) - self.n_slack // 2] * self.p_ref,
            violation_hi_pa=x[len(x) - self.n_slack // 2 :] * self.p_ref,
            objective_raw=raw,
            x=x,
            par=par,
            lam_g=lam_g,
            lam_x=lam_x,
            binding=tuple((a, b, c) for a, b, c, _ in found),
            binding_refs=tuple(ref for _, _, _, ref in found),
        )

    def at_bound(self, raw: RawSolution, gap: float = 1e-6) -> tuple[NDArray[np.int64], F64]:
        """Variables an interior-point optimum leaves a hair inside a bound it sits on (within ``gap`` per unit,
        the bound's multiplier active): station and regulator flows at 0, sheds and supplies at a limit.
        Returns their indices and bound values, to be held there exactly."""
        n, m, ns, nk = self.sizes
        cols = np.concatenate(
            [
                n + np.concatenate([self.cn.comp_edge, self.cn.reg_edge]).astype(np.int64),
                np.arange(n + m, n + m + ns + nk, dtype=np.int64),
            ]
        )
        x, lx, lo, hi = raw.x[cols], raw.lam_x[cols], self.lbx[cols], self.ubx[cols]
        free = lo < hi
        at_lo = free & np.isfinite(lo) & (x - lo < gap) & (lx < 0.0)
        at_hi = free & np.isfinite(hi) & (hi - x < gap) & (lx > 0.0)
        sel = at_lo | at_hi
        return cols[sel], np.where(at_lo, lo, hi)[sel]

    def _binding(self, lam_g: F64, lam_x: F64) -> list[tuple[str, float, str, tuple[str, int, int]]]:
        """Active limits with their multipliers as values: the improvement of the whole objective the solver
        minimises (raw objective with its modelling penalties, SI per second) per unit the limit is loosened,
        largest first, with a reference to the constraint (for :mod:`.sensitivity`). Bounds that are the range of
        a decision rather than a limit (a sink cannot be shed beyond its demand) are left out."""
        out: list[tuple[str, float, str, tuple[str, int, int]]] = []
        lam_in = lam_g[self.n_eq :]
        scale = self.obj_norm
        big = max(float(np.max(np.abs(lam_in), initial=0.0)), float(np.max(np.abs(lam_x), initial=0.0)), 1e-300)
        thr = 1e-7 * big
        for k in np.flatnonzero(np.abs(lam_in) > thr):
            b = self.ineq_bounds[k]
            v = abs(lam_in[k]) * scale / b.to_physical
            out.append((b.label, float(v), b.unit, ("g", int(k), 1)))
        fixed = self.lbx == self.ubx  # nominated quantities, not limits
        for i in np.flatnonzero((np.abs(lam_x) > thr) & ~fixed):
            bd = self.xb_hi[i] if lam_x[i] > 0 else self.xb[i]
            if bd is None:
                continue
            v = abs(lam_x[i]) * scale / bd.to_physical
            out.append((bd.label, float(v), bd.unit, ("x", int(i), 1 if lam_x[i] > 0 else -1)))
        out.sort(key=lambda r: -r[1])
        return out
