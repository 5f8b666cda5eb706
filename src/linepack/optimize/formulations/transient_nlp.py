"""Multi-period nonlinear programme of a day-ahead problem: the transient simulator's implicit Euler steps as
constraints (casadi + IPOPT, exact first and second derivatives).

One step of the simulator (:mod:`linepack.transient.equations`) is written once as a casadi function of the
state at the end of the step, the state at its start, the controls in force and the step's parameters,
and mapped over every step (``Function.map``): the sparsity of the whole-day Jacobian and Hessian is that
of one step repeated, and the expression graph stays the size of one step. Per step and per point of the
segmented network, the equations are the simulator's:

* mass balance with storage ``sum(q_in) - sum(q_out) + supply - demand - fuel - V (rho(p) - rho(p_old))/dt``
  with ``rho = p M / (Z(p) R T)`` and Z as the simulator evaluates it (:mod:`..day.symbolic`: closed forms,
  or a series with offsets that make it the simulator's table at the fixed point);
* per segment ``p_i^2 - e^s p_j^2 - Z k1 (lambda L_e/D + zeta) q|q| - (p_i + p_j)(L/A)(q - q_old)/dt = 0``
  with Z at the mean pressure, ``s = a_h/Z``, ``L_e = L (e^s - 1)/s``; the friction factor lagged as the
  simulator lags it (at the start-of-step flow; at the current flow for slow segments), written around a
  point (:mod:`..day.friction`) and moved to each solution until it no longer changes (so that, at the
  fixed point, the value and the first derivatives are the simulator's);
* compressors by their state in the period (running at the scheduled discharge pressure or ratio;
  bypassed; closed), regulators likewise, pressure-held sources at the scheduled send-out pressure, ties,
  closed valves and fixed-loss resistors exactly as the simulator writes them (droops included).

Limits: node and point pressures (bounds), delivery minima (rows with a slack that only an infeasible day's
elastic solve releases), station ratio ``1 <= p_d/p_s <= r_max`` and power ``<= P_max`` while running,
flows ``0 <= q <= q_max`` of running stations and regulators, source capacity, ramps between periods and
the end-of-horizon linepack. Unknowns and equations are per-unit (the simulator's scales).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from ...solvers.equations import FIXED_LOSS_SMOOTHING, TIE_RESISTANCE, ControlState, SteadySystem
from ...units import G_M_PER_S2, R_J_PER_MOL_K
from ..day.problem import CompCode, DayProblem
from ..day.symbolic import ZModel, casadi_module

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
TIE_BREAK = 1e-6  # weight of the smoothing of set-points between periods (per-unit squared), see DayModel


def _dm(ca: Any, M: sp.spmatrix) -> Any:
    M = sp.csc_matrix(M)
    M.sort_indices()
    spars = ca.Sparsity(M.shape[0], M.shape[1], M.indptr.tolist(), M.indices.tolist())
    return ca.DM(spars, M.data.tolist())


def _onehot(rows: I64, n: int) -> sp.csc_matrix:
    k = len(rows)
    return sp.csc_matrix((np.ones(k), (rows, np.arange(k))), shape=(n, k))


@dataclass(frozen=True)
class Layout:
    """Sizes and offsets of the step parameters and of the decision vector."""

    n: int  # points
    m: int  # edges
    kh: int  # held sources
    nc: int
    nr: int
    nf: int
    nk: int
    nres: int
    nd: int  # delivery rows per step
    N: int
    K: int

    @property
    def nxs(self) -> int:
        return self.n + self.m + self.kh

    @property
    def nu(self) -> int:
        return self.nc + self.nr + self.kh + self.nf + self.nk

    @property
    def npar(self) -> int:
        return self.nk + self.nf + 9 * self.nres + 5 * self.nc + 3 * self.nr + 1 + 2 * self.n

    @property
    def n_in(self) -> int:
        return 3 * self.nc + self.nr

    @property
    def nw(self) -> int:
        return self.nxs * self.N + self.nu * self.K + self.nd * self.N + 1

    def par_slices(self) -> dict[str, slice]:
        out: dict[str, slice] = {}
        o = 0
        for name, size in (
            ("demand", self.nk), ("inflow", self.nf), ("lam0", self.nres), ("beta", self.nres), ("qa0", self.nres),
            ("eps", self.nres), ("a", self.nres), ("b", self.nres), ("frozen", self.nres), ("lin", self.nres),
            ("cflag", 4 * self.nc), ("rflag", 3 * self.nr), ("inv_dt", 1), ("dz_p", self.n), ("dz_po", self.n),
            ("dz_m", self.nres), ("dz_s", self.nc),
        ):  # fmt: skip
            out[name] = slice(o, o + size)
            o += size
        return out


class DayModel:
    """The casadi/IPOPT model of one :class:`DayProblem`, built once and solved for many parameter sets
    (friction rounds, station on/off patterns, the elastic solve of an infeasible day)."""

    def __init__(self, prob: DayProblem, zmodel: ZModel, linear_solver: str = "mumps") -> None:
        ca = casadi_module()
        self.prob = prob
        grid = prob.grid
        cn = grid.seg.cn
        start = grid.start
        self.p_ref, self.m_ref = start.p_ref_pa, start.m_ref_kg_s
        p_ref, m_ref = self.p_ref, self.m_ref
        spec = prob.spec
        nc, nr, kh, nf, nk = prob.sizes
        res = cn.res_edge
        lay = Layout(cn.n_nodes, cn.n_edges, kh, nc, nr, nf, nk, len(res), len(prob.deliv_node),
                     spec.n_steps, spec.n_periods)  # fmt: skip
        self.lay = lay
        self.ca = ca
        self.zmodel = zmodel
        step = self._step_function(ca, prob, lay, zmodel)
        self.step = step
        N, K = lay.N, lay.K

        # decision vector: states per step, controls per period, delivery slacks per step, end-linepack slack
        w = ca.MX.sym("w", lay.nw)
        o = 0
        X = ca.reshape(w[o : o + lay.nxs * N], lay.nxs, N)
        o += lay.nxs * N
        U = ca.reshape(w[o : o + lay.nu * K], lay.nu, K)
        o += lay.nu * K
        SIG = ca.reshape(w[o : o + lay.nd * N], lay.nd, N)
        o += lay.nd * N
        sig_lp = w[o]
        self.offsets = (0, lay.nxs * N, lay.nxs * N + lay.nu * K, lay.nxs * N + lay.nu * K + lay.nd * N)

        # parameters
        npar = lay.npar
        sizes = [("steps", npar * N), ("x0", lay.nxs), ("c_supply", len(cn.source_ids) * N), ("c_fuel", N),
                 ("c_elec", N), ("c_shed", nk), ("c_short", nf), ("c_lp", 1), ("w_sigma", 1), ("w_lp", 1),
                 ("lp_target", 1), ("u_init", lay.nu), ("periodic", 1)]  # fmt: skip
        self.par_index: dict[str, slice] = {}
        o = 0
        for name, size in sizes:
            self.par_index[name] = slice(o, o + size)
            o += size
        self.n_par = o
        par = ca.MX.sym("par", self.n_par)

        def pv(name: str) -> Any:
            sl = self.par_index[name]
            return par[sl.start : sl.stop]

        PARm = ca.reshape(pv("steps"), npar, N)
        x0 = pv("x0")
        periodic = bool(grid.x0 is None)
        self.periodic = periodic
        first = X[:, N - 1] if periodic else x0
        Xprev = ca.horzcat(first, X[:, : N - 1]) if N > 1 else first
        sel = np.zeros((K, N))
        sel[grid.step_period, np.arange(N)] = 1.0
        Ustep = ca.mtimes(U, ca.DM(sel))
        EQ, IN, FUEL, ELEC, POWER, LP, SUP = step.map(N, "serial")(X, Xprev, Ustep, PARm)
        self.eval_fn = ca.Function("day_eval", [w, par], [FUEL, ELEC, POWER, LP, SUP, IN])

        # constraints
        g: list[Any] = [ca.vec(EQ), ca.vec(IN)]
        dn = prob.deliv_node.tolist()
        if lay.nd:
            g.append(ca.vec(X[dn, :] + SIG - ca.DM(prob.deliv_p_min / p_ref) @ ca.DM.ones(1, N)))
        u_scale = self.u_scale()
        self.u_scale_v = u_scale
        Un = U  # per-unit controls
        prev0 = Un[:, K - 1] if periodic else pv("u_init")
        dU = ca.horzcat(Un[:, 0] - prev0, Un[:, 1:] - Un[:, : K - 1]) if K > 1 else Un[:, 0] - prev0
        g.append(ca.vec(dU))
        LPend = LP[N - 1]
        lp_scale = max(float(grid.default_day.linepack_kg[0]), 1.0)
        self.lp_scale = lp_scale
        g.append((LPend + sig_lp - pv("lp_target")) / lp_scale)
        G = ca.vertcat(*g)
        self.n_eq = lay.nxs * N
        self.n_in = lay.n_in * N
        self.row_deliv = self.n_eq + self.n_in
        self.row_ramp = self.row_deliv + lay.nd * N
        self.row_lp = self.row_ramp + lay.nu * K

        # objective [objective units]; normalised by obj_norm (set before solving)
        dt = ca.DM(prob.dt)
        supply_cost = ca.sum2(ca.sum1(SUP * ca.reshape(pv("c_supply"), len(cn.source_ids), N)) * dt.T)
        fuel_cost = ca.sum2(FUEL * pv("c_fuel").T * dt.T)
        elec_cost = ca.sum2(ELEC * pv("c_elec").T * dt.T)
        period = spec.period_s
        o_f, o_k = prob.offsets()[3], prob.offsets()[4]
        shed = U[o_k : o_k + nk, :] * m_ref
        short = -U[o_f : o_f + nf, :] * m_ref
        shed_cost = period * ca.sum2(ca.sum1(shed * pv("c_shed")))
        short_cost = period * ca.sum2(ca.sum1(short * pv("c_short"))) if nf else 0
        elastic = pv("w_sigma") * ca.sum2(ca.sum1(SIG) * dt.T / 3600.0) if lay.nd else 0
        raw = supply_cost + fuel_cost + elec_cost + shed_cost - pv("c_lp") * LPend
        self.raw_fn = ca.Function("day_raw", [w, par], [raw, short_cost])
        tie = TIE_BREAK * ca.sumsqr(dU)
        f = raw + short_cost + elastic + pv("w_lp") * sig_lp / lp_scale
        self._f, self._tie = f, tie
        self._pv = pv
        self.w, self.par, self.G = w, par, G
        self.X, self.U = X, U
        self.linear_solver = linear_solver
        self._solver: Any = None
        self._norm = 1.0

    # ------------------------------------------------------------------------------------------------
    def u_scale(self) -> F64:
        prob = self.prob
        _, nr, kh, nf, nk = prob.sizes
        s = np.concatenate([
            np.where(prob.comp_code == CompCode.RATIO, 1.0, self.p_ref),
            np.full(nr + kh, self.p_ref),
            np.full(nf + nk, self.m_ref),
        ])  # fmt: skip
        return s

    def build(self, obj_norm: float, cold: dict[str, Any], warm: dict[str, Any]) -> None:
        """Create the IPOPT solvers (a cold start, and a warm start from a previous solution and its
        multipliers) with the objective divided by ``obj_norm``; exact derivatives assembled from the steps'
        (see :meth:`_jacobian`, :meth:`_hessian`)."""
        ca = self.ca
        self._norm = float(obj_norm)
        f = self._f / self._norm + self._tie
        nlp = {"x": self.w, "p": self.par, "f": f, "g": self.G}
        derivs = {"hess_lag": self._hessian(self._norm), "jac_g": self._jacobian()}
        self._solver = ca.nlpsol("day", "ipopt", nlp, {"ipopt": cold, "print_time": False, **derivs})
        self._warm = ca.nlpsol("day_warm", "ipopt", nlp, {"ipopt": warm, "print_time": False, **derivs})

    @property
    def solver(self) -> Any:
        return self._solver

    @property
    def warm_solver(self) -> Any:
        return self._warm

    def _step_columns(self) -> NDArray[np.int64]:
        """Global index in the decision vector of every coordinate ``(x, x_old, u)`` of every step (rows; -1
        where the coordinate is the fixed start state)."""
        lay = self.lay
        N, nxs, nu = lay.N, lay.nxs, lay.nu
        b = self.offsets[1]
        glob = np.empty((N, 2 * nxs + nu), dtype=np.int64)
        for n in range(N):
            glob[n, :nxs] = n * nxs + np.arange(nxs)
            if n > 0:
                glob[n, nxs : 2 * nxs] = (n - 1) * nxs + np.arange(nxs)
            elif self.periodic:
                glob[n, nxs : 2 * nxs] = (N - 1) * nxs + np.arange(nxs)
            else:
                glob[n, nxs : 2 * nxs] = -1
            glob[n, 2 * nxs :] = b + int(self.prob.grid.step_period[n]) * nu + np.arange(nu)
        return glob

    def _step_arguments(self) -> tuple[Any, Any, Any, Any]:
        ca, lay = self.ca, self.lay
        N, K = lay.N, lay.K
        pv = self._pv
        first = self.X[:, N - 1] if self.periodic else pv("x0")
        Xprev = ca.horzcat(first, self.X[:, : N - 1]) if N > 1 else first
        sel = np.zeros((K, N))
        sel[self.prob.grid.step_period, np.arange(N)] = 1.0
        Ustep = ca.mtimes(self.U, ca.DM(sel))
        PARm = ca.reshape(pv("steps"), lay.npar, N)
        return self.X, Xprev, Ustep, PARm

    def _jacobian(self) -> Any:
        """The constraint Jacobian assembled from one step's, mapped over the steps (as :meth:`_hessian`), and
        the constant rows (delivery minima, ramps)."""
        ca, lay, prob = self.ca, self.lay, self.prob
        N, K, nxs, nu, nd, nin = lay.N, lay.K, lay.nxs, lay.nu, lay.nd, lay.n_in
        x, xo = ca.SX.sym("x", nxs), ca.SX.sym("xo", nxs)
        u, pr = ca.SX.sym("u", nu), ca.SX.sym("par", lay.npar)
        eq, ineq, _, _, _, lp, _ = self.step(x, xo, u, pr)
        z = ca.vertcat(x, xo, u)
        Jz = ca.jacobian(ca.vertcat(eq, ineq, lp), z)
        jfun = ca.Function("day_step_jacobian", [x, xo, u, pr], [Jz])
        r_loc, c_loc = (np.asarray(v, dtype=np.int64) for v in Jz.sparsity().get_triplet())
        nnz = len(r_loc)
        glob = self._step_columns()
        step_of = np.repeat(np.arange(N), nnz)
        rl = np.tile(r_loc, N)
        C = glob[:, c_loc].ravel()
        # rows: equations of step n, then its inequalities; the linepack gradient only for the last step
        is_eq = rl < nxs
        is_in = (rl >= nxs) & (rl < nxs + nin)
        R = np.where(is_eq, step_of * nxs + rl, np.where(is_in, self.n_eq + step_of * nin + (rl - nxs), self.row_lp))
        keep = (C >= 0) & (is_eq | is_in | (step_of == N - 1))
        src = np.flatnonzero(keep)
        vals_scale = np.where(~(is_eq | is_in), 1.0 / self.lp_scale, 1.0)[src]
        # constant rows
        cr: list[NDArray[np.int64]] = []
        cc: list[NDArray[np.int64]] = []
        cv: list[F64] = []
        c_sig = self.offsets[2]
        for n in range(N):
            rows = self.row_deliv + n * nd + np.arange(nd)
            cr += [rows, rows]
            cc += [n * nxs + prob.deliv_node, c_sig + n * nd + np.arange(nd)]
            cv += [np.ones(nd), np.ones(nd)]
        b = self.offsets[1]
        for k in range(K):
            rows = self.row_ramp + k * nu + np.arange(nu)
            cr.append(rows)
            cc.append(b + k * nu + np.arange(nu))
            cv.append(np.ones(nu))
            if k > 0 or (self.periodic and K > 1):
                kp = k - 1 if k > 0 else K - 1
                cr.append(rows)
                cc.append(b + kp * nu + np.arange(nu))
                cv.append(-np.ones(nu))
        cr.append(np.array([self.row_lp]))
        cc.append(np.array([self.offsets[3]]))
        cv.append(np.array([1.0 / self.lp_scale]))
        crow, ccol, cval = np.concatenate(cr), np.concatenate(cc), np.concatenate(cv)
        n_g = int(self.G.shape[0])
        keys = np.concatenate([C[src] * n_g + R[src], ccol * n_g + crow])
        uniq, inv = np.unique(keys, return_inverse=True)
        n_j, n_step = len(uniq), len(src)
        asm = sp.csr_matrix((vals_scale, (inv[:n_step], src)), shape=(n_j, N * nnz))
        const = np.zeros(n_j)
        np.add.at(const, inv[n_step:], cval)
        rows, cols = uniq % n_g, uniq // n_g
        colind = np.searchsorted(cols, np.arange(lay.nw + 1)).tolist()
        spJ = ca.Sparsity(n_g, lay.nw, colind, rows.tolist())
        Jm = jfun.map(N, "serial")(*self._step_arguments())
        Jnz = ca.mtimes(_dm(ca, asm), Jm.nz[:]) + ca.DM(const)
        J = ca.MX(spJ, Jnz)
        return ca.Function("nlp_jac_g", [self.w, self.par], [self.G, J], ["x", "p"], ["g", "jac_g_x"])

    def _hessian(self, norm: float) -> Any:
        """The Hessian of the Lagrangian, upper triangle, assembled from the Hessian of one step mapped over
        the steps (each step's second derivatives in its own state, its start state and its controls), plus
        the constant Hessian of the set-point smoothing. Building it from the step keeps its cost that of the
        steps (casadi's generic MX Hessian colours the whole day and sweeps the map once per colour)."""
        ca, lay, prob = self.ca, self.lay, self.prob
        N, K, nxs, nu = lay.N, lay.K, lay.nxs, lay.nu
        step = self.step
        x, xo = ca.SX.sym("x", nxs), ca.SX.sym("xo", nxs)
        u, pr = ca.SX.sym("u", nu), ca.SX.sym("par", lay.npar)
        le, li, a = ca.SX.sym("le", nxs), ca.SX.sym("li", lay.n_in), ca.SX.sym("a", 3)
        eq, ineq, fuel, elec, _, lp, _ = step(x, xo, u, pr)
        lag = ca.dot(le, eq) + (ca.dot(li, ineq) if lay.n_in else 0) + a[0] * fuel + a[1] * elec + a[2] * lp
        z = ca.vertcat(x, xo, u)
        Hz = ca.hessian(lag, z)[0]
        hfun = ca.Function("day_step_hessian", [x, xo, u, pr, le, li, a], [Hz])
        spz = Hz.sparsity()
        r_loc, c_loc = (np.asarray(v, dtype=np.int64) for v in spz.get_triplet())
        nnz = len(r_loc)
        b = self.offsets[1]
        glob = self._step_columns()
        R = glob[:, r_loc].ravel()
        C = glob[:, c_loc].ravel()
        keep = (R >= 0) & (C >= 0) & (R <= C)
        src = np.flatnonzero(keep)
        # smoothing of the set-points between periods: 2 TIE D'D on the per-unit controls
        D = sp.lil_matrix((nu * K, nu * K))
        for k in range(K):
            for j in range(nu):
                D[k * nu + j, k * nu + j] = 1.0
                if k > 0:
                    D[k * nu + j, (k - 1) * nu + j] = -1.0
                elif self.periodic and K > 1:
                    D[j, (K - 1) * nu + j] = -1.0
        T = (2.0 * TIE_BREAK * (D.T @ D)).tocoo()
        tr = T.row.astype(np.int64) + b
        tc = T.col.astype(np.int64) + b
        up = tr <= tc
        keys = np.concatenate([C[src] * lay.nw + R[src], tc[up] * lay.nw + tr[up]])
        uniq, inv = np.unique(keys, return_inverse=True)
        n_h, n_step = len(uniq), len(src)
        asm = sp.csr_matrix((np.ones(n_step), (inv[:n_step], src)), shape=(n_h, N * nnz))
        tie_nz = np.zeros(n_h)
        np.add.at(tie_nz, inv[n_step:], T.data[up])
        rows, cols = uniq % lay.nw, uniq // lay.nw
        colind = np.searchsorted(cols, np.arange(lay.nw + 1)).tolist()
        spH = ca.Sparsity(lay.nw, lay.nw, colind, rows.tolist())

        w, par = self.w, self.par
        sigma = ca.MX.sym("lam_f")
        lam_g = ca.MX.sym("lam_g", self.G.shape[0])
        pv = self._pv
        LE = ca.reshape(lam_g[: self.n_eq], nxs, N)
        LI = ca.reshape(lam_g[self.n_eq : self.n_eq + self.n_in], lay.n_in, N)
        dt = ca.DM(prob.dt).T
        a_fuel = sigma * pv("c_fuel").T * dt / norm
        a_elec = sigma * pv("c_elec").T * dt / norm
        last = np.zeros((1, N))
        last[0, N - 1] = 1.0
        a_lp = (lam_g[self.row_lp] / self.lp_scale - sigma * pv("c_lp") / norm) * ca.DM(last)
        A3 = ca.vertcat(a_fuel, a_elec, a_lp)
        Xa, Xprev, Ustep, PARm = self._step_arguments()
        Hm = hfun.map(N, "serial")(Xa, Xprev, Ustep, PARm, LE, LI, A3)
        nzv = Hm.nz[:]
        Hnz = ca.mtimes(_dm(ca, asm), nzv) + sigma * ca.DM(tie_nz)
        H = ca.MX(spH, Hnz)
        return ca.Function("nlp_hess_l", [w, par, sigma, lam_g], [H], ["x", "p", "lam_f", "lam_g"],
                           ["triu_hess_gamma_x_x"])  # fmt: skip

    # ------------------------------------------------------------------------------------------------
    @staticmethod
    def _step_function(ca: Any, prob: DayProblem, lay: Layout, zm: ZModel) -> Any:
        """One implicit Euler step: ``(x, x_old, u, par) -> (equations, inequalities, fuel, electric power,
        shaft power per compressor, linepack, supply per source)``; see the module docstring."""
        grid = prob.grid
        seg, cn = grid.seg, grid.seg.cn
        start = grid.start
        p_ref, m_ref = start.p_ref_pa, start.m_ref_kg_s
        gas = cn.gas
        n, m, kh, nc, nr, nf, nk = lay.n, lay.m, lay.kh, lay.nc, lay.nr, lay.nf, lay.nk
        RT = R_J_PER_MOL_K * gas.temperature_k
        M = gas.molar_mass_kg_per_mol
        c_rho = M / RT

        x = ca.SX.sym("x", lay.nxs)
        xo = ca.SX.sym("xo", lay.nxs)
        u = ca.SX.sym("u", lay.nu)
        pr = ca.SX.sym("par", lay.npar)
        ps_ = lay.par_slices()

        def P(name: str) -> Any:  # noqa: N802 (a parameter block, named as in the equations)
            sl = ps_[name]
            return pr[sl.start : sl.stop]

        p = x[:n] * p_ref
        q = x[n : n + m] * m_ref
        s = x[n + m :] * m_ref
        po = xo[:n] * p_ref
        qo = xo[n : n + m] * m_ref
        o = 0
        uc = u[o : o + nc]
        o += nc
        ur = u[o : o + nr] * p_ref
        o += nr
        uh = u[o : o + kh] * p_ref
        o += kh
        uf = u[o : o + nf] * m_ref
        o += nf
        uk = u[o : o + nk] * m_ref
        inv_dt = P("inv_dt")
        demand = P("demand") * m_ref
        inflow = P("inflow") * m_ref

        ef, et = cn.edge_from, cn.edge_to
        # --- resistive edges (segments and resistors) ---
        e = cn.res_edge
        el = e.tolist()
        pi, pj, qe = p[ef[e].tolist()], p[et[e].tolist()], q[el]
        qeo = qo[el]
        psum = pi + pj
        pm = (2.0 / 3.0) * (psum - pi * pj / psum)
        z = zm.expression(pm) + P("dz_m")
        a_h = 2.0 * G_M_PER_S2 * cn.dh_m * M / RT
        small = np.abs(a_h) < 1e-6  # |s| < 1e-5 everywhere the gas has Z > 0.1: the series branch of the simulator
        sh = ca.DM(a_h) / z
        E = ca.exp(sh)
        s_safe = ca.if_else(ca.DM(small.astype(float)) > 0.5, 1.0, sh)
        g_exact = ca.expm1(s_safe) / s_safe
        g_series = 1.0 + sh / 2.0 + sh * sh / 6.0
        smallv = ca.DM(small.astype(float))
        g = smallv * g_series + (1.0 - smallv) * g_exact
        L, D = cn.length_m, cn.diameter_m
        # friction term lambda q|q| (see ..day.friction): frozen on the start-of-step flow, or live
        aq = ca.fabs(qe)
        qa = ca.sqrt(qeo * qeo + P("eps") * P("eps") * m_ref * m_ref)
        frozen = P("frozen")
        lam_frozen = P("lam0") * ca.exp(P("beta") * ca.log(qa / (P("qa0") * m_ref)))
        fric = frozen * lam_frozen * qe * aq + (1.0 - frozen) * (P("a") * m_ref * qe + P("b") * qe * aq)
        phi = fric * ca.DM(L / D) * g + ca.DM(cn.zeta) * qe * aq
        k_lin = 16.0 * np.pi * start.viscosity_pa_s
        phi = phi + P("lin") * ca.DM(k_lin * L) * qe * g
        k1 = 16.0 * RT / (np.pi**2 * D**4 * M)
        F_res = pi * pi - E * pj * pj - z * ca.DM(k1) * phi
        is_pipe = np.asarray(cn.res_is_pipe, dtype=bool)
        resistor_lin = np.where(is_pipe, 0.0, TIE_RESISTANCE * p_ref * p_ref / m_ref)
        if np.any(resistor_lin):
            F_res = F_res - ca.DM(resistor_lin) * qe
        area = np.pi * D**2 / 4.0
        inertia = np.where(is_pipe, L / area, 0.0)  # the simulator's default (TransientOptions.inertia)
        F_res = F_res - psum * ca.DM(inertia) * inv_dt * (qe - qeo)
        eqs: list[Any] = [F_res / p_ref**2]

        # --- ties, blocks, fixed-loss resistors ---
        t = cn.tie_edge
        if len(t):
            eqs.append((p[ef[t].tolist()] - p[et[t].tolist()] - TIE_RESISTANCE * p_ref / m_ref * q[t.tolist()]) / p_ref)
        b = cn.block_edge
        if len(b):
            eqs.append(q[b.tolist()] / m_ref)
        fl = cn.fixed_loss_edge
        if len(fl):
            qs = FIXED_LOSS_SMOOTHING * m_ref
            qf = q[fl.tolist()]
            dpf = p[ef[fl].tolist()] - p[et[fl].tolist()] - ca.DM(cn.fixed_loss_pa) * qf / ca.sqrt(qf * qf + qs * qs)
            eqs.append(dpf / p_ref)

        # droops of shared pressure controls, as the simulator's (pressure-controlled stations and regulators,
        # pressure-held sources)
        st0 = ControlState.initial(cn)
        droop_sys = SteadySystem(cn, st0, start.viscosity_pa_s, p_ref, m_ref)
        comp_droop, reg_droop, src_droop = droop_sys.comp_droop, droop_sys.reg_droop, droop_sys.src_droop

        # --- compressors ---
        fuel_total = ca.SX(0.0)
        elec_total = ca.SX(0.0)
        power = ca.SX.zeros(nc, 1)
        ineq: list[Any] = []
        ce = cn.comp_edge
        node_out = ca.SX.zeros(n, 1)  # fuel drawn at suction nodes
        if nc:
            cf = P("cflag")
            fp, fr, fb, fc = cf[0:nc], cf[nc : 2 * nc], cf[2 * nc : 3 * nc], cf[3 * nc : 4 * nc]
            ps, pd, qc = p[ef[ce].tolist()], p[et[ce].tolist()], q[ce.tolist()]
            kappa = gas.kappa if gas.kappa is not None else 1.3
            xk = (kappa - 1.0) / kappa
            zs = zm.expression(ps) + P("dz_s")
            head = zs * (RT / M) / xk * ca.expm1(xk * ca.log(pd / ps))
            power = qc * head / ca.DM(cn.comp_eta_is)
            run = fp + fr
            code = prob.comp_code
            is_ratio = ca.DM((code == CompCode.RATIO).astype(float))
            upa = uc * (1.0 - is_ratio) * p_ref  # pressure set-points in Pa (ratio stations: unused)
            F_c = (
                fp * (pd - upa + ca.DM(comp_droop) * qc) / p_ref
                + fr * (pd - uc * ps) / p_ref
                + fb * (ps - pd) / p_ref
                + fc * qc / m_ref
            )
            eqs.append(F_c)
            lhv = gas.lhv_j_per_kg or np.inf
            ff = np.where(cn.comp_gas_driven, 1.0 / (cn.comp_eta_driver * lhv), 0.0)
            fe = np.where(cn.comp_gas_driven, 0.0, 1.0 / cn.comp_eta_driver)
            fuel = ca.DM(ff) * power * run
            fuel_total = ca.sum1(fuel)
            elec_total = ca.sum1(ca.DM(fe) * power * run)
            node_out = ca.mtimes(_dm(ca, _onehot(ef[ce], n)), fuel)
            rmax = np.where(np.isfinite(cn.comp_ratio_max), cn.comp_ratio_max, 1e3)
            pmax = np.where(np.isfinite(cn.comp_power_max_w), cn.comp_power_max_w, 1e15)
            ineq += [run * (pd - ps) / p_ref, run * (ca.DM(rmax) * ps - pd) / p_ref, run * (ca.DM(pmax) - power) / 1e6]

        # --- regulators ---
        re_ = cn.reg_edge
        if nr:
            rf = P("rflag")
            rp, ro, rc = rf[0:nr], rf[nr : 2 * nr], rf[2 * nr : 3 * nr]
            pin, pout, qr = p[ef[re_].tolist()], p[et[re_].tolist()], q[re_.tolist()]
            eqs.append(rp * (pout - ur + ca.DM(reg_droop) * qr) / p_ref + ro * (pin - pout) / p_ref + rc * qr / m_ref)
            ineq.append(rp * (pin - pout) / p_ref)

        # --- pressure-held sources ---
        held = prob.held
        if kh:
            eqs.append((p[cn.source_node[held].tolist()] - uh + ca.DM(src_droop) * s) / p_ref)

        # --- mass balance of every point ---
        A = _dm(ca, cn.incidence)
        ns = len(cn.source_ids)
        supply = ca.SX.zeros(ns, 1)
        if kh:
            supply = supply + ca.mtimes(_dm(ca, _onehot(held, ns)), s)
        flow = prob.flow
        if nf:
            supply = supply + ca.mtimes(_dm(ca, _onehot(flow, ns)), inflow + uf)
        Bs = _dm(ca, _onehot(cn.source_node, n))
        Bk = _dm(ca, _onehot(cn.sink_node, n))
        zp, zo = zm.expression(p) + P("dz_p"), zm.expression(po) + P("dz_po")
        rho, rho_o = c_rho * p / zp, c_rho * po / zo
        V = ca.DM(seg.volume_m3)
        storage = V * (rho - rho_o) * inv_dt
        bal = ca.mtimes(A, q) + ca.mtimes(Bs, supply) - ca.mtimes(Bk, demand - uk) - node_out - storage
        eq_all = ca.vertcat(bal / m_ref, *eqs)
        lp = ca.sum1(V * rho)
        ineq_all = ca.vertcat(*ineq) if ineq else ca.SX.zeros(0, 1)
        return ca.Function(
            "day_step",
            [x, xo, u, pr],
            [eq_all, ineq_all, fuel_total, elec_total, power, lp, supply],
            ["x", "x_old", "u", "par"],
            ["eq", "ineq", "fuel", "elec", "power", "linepack", "supply"],
        )
