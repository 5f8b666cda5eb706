"""The Schur complement of a passive network, solved through a symmetric positive definite factorisation.

For a network of pipes (and drag resistors) fed by pressure-held sources, the steady Newton system after the
pipe flows are eliminated (:class:`linepack.solvers.sparsity.SchurPlan`) is ``S dx = r`` on the node
pressures and the supplies of the held sources. The source rows fix the pressure change of their nodes
(Dirichlet rows), and their balance rows give the supplies afterwards, so the system that remains is the
free-node block ``S_ff``. In squared pressures it is nearly a weighted graph Laplacian: for a pipe i -> j
with the law ``F = p_i^2 - e^s p_j^2 - Z k1 (lambda L_e/D + zeta) q|q|`` and ``w = -1/(dF/dq) > 0``,

    v_i = p_i^2 e^{phi_i},   phi_i = 2 g h_i M / (Z_bar R T)     (node potential of the elevation factor)

turns ``p_i^2 - e^s p_j^2`` into ``e^{-phi_i} (v_i - v_j)`` when ``s = phi_j - phi_i`` (exact for a
constant Z), and the block in the unknowns ``v`` is ``A = A_f W' A_f^T``: symmetric positive definite.
What remains unsymmetric (Z varying along the network and dZ/dp) is small; the exact Newton step is found
by GMRES on the exact block (:mod:`.krylov`) preconditioned by the Cholesky factor of the Laplacian ``M``
made of its symmetrised off-diagonal weights (1 iteration for an ideal gas, a few otherwise). Its pattern is
fixed per control state, so the symbolic analysis is done once.

Only when every unknown left in K is a node pressure or a held supply and no droop couples sources; other
systems (stations, regulators, valves) go to a direct LU (:mod:`.linear`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from ..units import G_M_PER_S2, R_J_PER_MOL_K
from .backends import Backend, Solve
from .krylov import gmres

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
GMRES_RTOL = 1e-10  # relative residual of the Newton step (a direct solve of these systems reaches 1e-13-1e-11)
STALE_MIN_SIZE = 20_000  # entries of the Laplacian from which an earlier factor is tried before a new one
STALE_MAX_CHANGE = 0.1  # largest relative change of the Laplacian's entries for that
STALE_MAX_ITERATIONS = 4  # GMRES iterations on the earlier factor before factorising afresh
GMRES_ACCEPT = 1e-7  # ... or less accurate when GMRES stagnates there (round-off of a very large system)


@dataclass
class PassiveStats:
    solves: int = 0
    krylov_iterations: int = 0
    factorizations: int = 0
    reused: int = 0  # solves on an earlier Newton iteration's factor


class PassiveSchur:
    """Index maps of the free-node block of a passive Schur complement (built once per pattern of S)."""

    def __init__(
        self,
        size: int,
        n: int,
        held: I64,
        pp_slot: I64,
        pp_indptr: NDArray[np.int32],
        pp_indices: NDArray[np.int32],
        src_slot: I64,
        sup_slot: I64,
        free: I64,
        ff_in_pp: I64,
        ff_indptr: NDArray[np.int32],
        ff_indices: NDArray[np.int32],
        ff_diag: I64,
        droop_slot: I64,
    ) -> None:
        self.droop_slot = droop_slot
        self.size, self.n, self.held = size, n, held
        self.pp_slot, self.pp_indptr, self.pp_indices = pp_slot, pp_indptr, pp_indices
        self.src_slot, self.sup_slot = src_slot, sup_slot
        self.free = free
        self.ff_in_pp, self.ff_indptr, self.ff_indices, self.ff_diag = ff_in_pp, ff_indptr, ff_indices, ff_diag
        pp_col = np.repeat(np.arange(n, dtype=np.int64), np.diff(pp_indptr))
        pp_row = pp_indices.astype(np.int64)
        self.pp_row, self.pp_col = pp_row, pp_col
        self.pp_off = pp_row != pp_col
        # transpose of the (structurally symmetric) node block, in its own data order
        key = pp_col * n + pp_row
        tkey = pp_row * n + pp_col
        order = np.argsort(key)
        pos = np.searchsorted(key[order], tkey)
        self.symmetric_pattern = bool(
            np.all(pos < len(key)) and np.all(key[order][np.minimum(pos, len(key) - 1)] == tkey)
        )
        self.tperm = order[np.minimum(pos, len(key) - 1)]
        self.stats = PassiveStats()
        self._last: tuple[Solve, F64] | None = None  # the last factor and the Laplacian it factorised

    def _close(self, m_data: F64) -> bool:
        """Whether the Laplacian ``m_data`` is near enough the last factorised one to precondition with it."""
        if self._last is None or len(m_data) < STALE_MIN_SIZE:
            return False
        old = self._last[1]
        scale = float(np.max(np.abs(old)))
        return scale > 0.0 and float(np.max(np.abs(m_data - old))) <= STALE_MAX_CHANGE * scale

    @staticmethod
    def build(s: sp.csc_matrix, n: int, held: I64) -> PassiveSchur | None:
        """The maps for ``S`` whose first ``n`` unknowns are node pressures and whose last ``k = len(held)``
        unknowns and rows are the held sources (source ``r`` holds node ``held[r]``); None when S has other
        unknowns or a node is held twice."""
        k = len(held)
        size = s.shape[0]
        if size != n + k or k == 0 or len(np.unique(held)) != k:
            return None
        indptr, indices = s.indptr.astype(np.int64), s.indices.astype(np.int64)
        col = np.repeat(np.arange(size, dtype=np.int64), np.diff(indptr))
        slot = np.arange(len(indices), dtype=np.int64)
        # source rows n + r: entries at column held[r] (and their own supply column, the droop)
        src_slot = np.full(k, -1, dtype=np.int64)
        sup_slot = np.full(k, -1, dtype=np.int64)
        in_src_row = indices >= n
        r_of = indices - n
        hit = in_src_row & (col < n)
        if np.any(col[hit] != held[r_of[hit]]):
            return None  # a source row touching another node
        src_slot[r_of[hit]] = slot[hit]
        # supply column n + r: entry in the balance row of its node
        in_sup_col = col >= n
        hit = in_sup_col & (indices < n)
        if np.any(indices[hit] != held[col[hit] - n]):
            return None
        sup_slot[col[hit] - n] = slot[hit]
        if np.any(src_slot < 0) or np.any(sup_slot < 0):
            return None
        # the supply block: only its diagonal (the droop of shared pressure controls, zero when none)
        ss = in_sup_col & in_src_row
        if np.any(indices[ss] != col[ss]):
            return None
        droop_slot = slot[ss]
        pp = (col < n) & (indices < n)
        pp_slot = slot[pp]
        pp_counts = np.bincount(col[pp], minlength=n)
        pp_indptr = np.concatenate([[0], np.cumsum(pp_counts)]).astype(np.int32)
        pp_indices = indices[pp].astype(np.int32)
        is_free = np.ones(n, dtype=bool)
        is_free[held] = False
        free = np.flatnonzero(is_free)
        fpos = np.full(n, -1, dtype=np.int64)
        fpos[free] = np.arange(len(free))
        pr, pc = pp_indices.astype(np.int64), col[pp]
        ff = is_free[pr] & is_free[pc]
        ff_in_pp = np.flatnonzero(ff)
        ff_counts = np.bincount(fpos[pc[ff]], minlength=len(free))
        ff_indptr = np.concatenate([[0], np.cumsum(ff_counts)]).astype(np.int32)
        ff_indices = fpos[pr[ff]].astype(np.int32)
        ff_col = fpos[pc[ff]]
        diag = np.flatnonzero(ff_indices.astype(np.int64) == ff_col)
        if len(diag) != len(free):
            return None  # a free node without a diagonal entry
        plan = PassiveSchur(
            size,
            n,
            held.astype(np.int64),
            pp_slot,
            pp_indptr,
            pp_indices,
            src_slot,
            sup_slot,
            free,
            ff_in_pp,
            ff_indptr,
            ff_indices,
            diag,
            droop_slot,
        )
        return plan if plan.symmetric_pattern else None

    def matches(self, s: sp.csc_matrix) -> bool:
        return s.shape[0] == self.size

    def operator_and_laplacian(self, data: F64, col_scale: F64) -> tuple[sp.csc_matrix, sp.csc_matrix] | None:
        """``A = -S_ff C_f`` (exact, unsymmetric) and the Laplacian ``M`` of its symmetrised weights (SPD), in
        the free-node pattern; None when a source row is no Dirichlet row (a droop of shared pressure
        controls)."""
        if np.any(data[self.src_slot] == 0.0) or np.any(data[self.droop_slot] != 0.0):
            return None
        a = -data[self.pp_slot] * col_scale[self.pp_col]
        off = self.pp_off
        w = np.where(off, -0.5 * (a + a[self.tperm]), 0.0)
        w = np.maximum(w, 0.0)
        m = np.where(off, -w, 0.0)
        m_diag = np.bincount(self.pp_col, weights=w, minlength=self.n)
        nf = len(self.free)
        a_ff = sp.csc_matrix((a[self.ff_in_pp], self.ff_indices, self.ff_indptr), shape=(nf, nf))
        m_ff_data = m[self.ff_in_pp]
        m_ff_data[self.ff_diag] = m_diag[self.free]
        m_ff = sp.csc_matrix((m_ff_data, self.ff_indices, self.ff_indptr), shape=(nf, nf))
        a_ff.has_sorted_indices = True
        m_ff.has_sorted_indices = True
        return a_ff, m_ff

    def solver(self, s: sp.csc_matrix, col_scale: F64, backend: Backend, max_iterations: int = 40) -> Solve | None:
        """A solve function for ``S dx = r`` (None when M is not positive definite or a droop is present)."""
        data = s.data
        ops = self.operator_and_laplacian(data, col_scale)
        if ops is None:
            return None
        a_ff, m_ff = ops
        # the factor of an earlier Newton iteration, while the Laplacian moved little: GMRES absorbs the change
        stale = self._last if self._last is not None and self._close(m_ff.data) else None
        fresh: list[Solve | None] = []

        def factorize() -> Solve | None:
            if not fresh:
                f = backend.factor(m_ff)
                fresh.append(f)
                self._last = None if f is None else (f, m_ff.data.copy())
                stats.factorizations += 1
            return fresh[0]

        stats = self.stats
        if stale is None and factorize() is None:
            return None
        held, free, n = self.held, self.free, self.n
        src_coef = data[self.src_slot]
        sup_coef = data[self.sup_slot]
        c_free = col_scale[free]
        stats = self.stats
        s_nodes = sp.csc_matrix((data[self.pp_slot], self.pp_indices, self.pp_indptr), shape=(n, n))

        def solve(rhs: F64) -> F64 | None:
            dp_h = rhs[n:] / src_coef
            x = np.zeros(n)
            x[held] = dp_h
            r_nodes = rhs[:n] - s_nodes @ x
            b = -r_nodes[free]
            res = None
            if stale is not None and not fresh:
                res = gmres(a_ff.dot, stale[0], b, rtol=GMRES_RTOL, max_iterations=STALE_MAX_ITERATIONS)
                stats.krylov_iterations += res.iterations
                stats.reused += res.x is not None
            if res is None or res.x is None:
                factor = factorize()
                if factor is None:
                    return None
                res = gmres(
                    a_ff.dot, factor, b, rtol=GMRES_RTOL, max_iterations=max_iterations, accept_rtol=GMRES_ACCEPT
                )
                stats.krylov_iterations += res.iterations
            stats.solves += 1
            if res.x is None:
                return None
            x[free] = c_free * res.x
            ds = (rhs[held] - (s_nodes @ x)[held]) / sup_coef
            out = np.empty(self.size)
            out[:n] = x
            out[n:] = ds
            return out if np.all(np.isfinite(out)) else None

        return solve


def squared_pressure_scale(
    p_pu: F64, elevation_m: F64, molar_mass: float, temperature_k: float, z_mean: float
) -> F64 | None:
    """Column scale ``c_i = 1 / (p_i e^{phi_i})`` of the pressure unknowns that makes the passive block nearly
    symmetric: ``dp_i = c_i dv_i / 2`` with ``v_i = p_i^2 e^{phi_i}``, ``phi_i = 2 g h_i M / (Z R T)``
    (``p_pu`` per-unit pressures > 0, ``h`` elevations in m, M in kg/mol, T in K). None when a pressure is
    not positive."""
    if not np.all(p_pu > 0.0):
        return None
    kappa = 2.0 * G_M_PER_S2 * molar_mass / (z_mean * R_J_PER_MOL_K * temperature_k)
    h = elevation_m - float(np.mean(elevation_m)) if len(elevation_m) else elevation_m
    return np.asarray(1.0 / (p_pu * np.exp(kappa * h)), dtype=float)


class LinearisedNetwork:
    """A passive network's pipe laws ``p_i^2 - E p_j^2 = r(q) q`` written on the node potentials ``v = p^2 e^phi``
    (see the module docstring) with a secant resistance ``r`` per edge: a weighted graph Laplacian with the held
    nodes as Dirichlet rows. Its free-node block has one pattern, assembled by one scatter-add per solve; every
    solve after the first reuses the symbolic analysis of ``backend``.

    ``edge_from`` / ``edge_to``: the ends of every edge; ``held``: the nodes held by pressure sources (distinct);
    ``v_held``: their potentials; ``injection``: fixed injection per node [kg/s] (supply > 0, demand < 0, held
    sources excluded); ``e_phi``: e^phi per node."""

    def __init__(
        self, edge_from: I64, edge_to: I64, held: I64, v_held: F64, injection: F64, e_phi: F64, backend: Backend
    ) -> None:
        n = len(e_phi)
        self.n, self.held, self.v_held, self.injection, self.e_phi = n, held, v_held, injection, e_phi
        self.backend = backend
        self.edge_from, self.edge_to = edge_from.astype(np.int64), edge_to.astype(np.int64)
        self.sym = 1.0 / np.sqrt(e_phi[self.edge_from] * e_phi[self.edge_to])  # e^{-(phi_i + phi_j)/2}
        is_free = np.ones(n, dtype=bool)
        is_free[held] = False
        self.free = np.flatnonzero(is_free)
        fpos = np.full(n, -1, dtype=np.int64)
        fpos[self.free] = np.arange(len(self.free))
        vpos = np.full(n, -1, dtype=np.int64)
        vpos[held] = np.arange(len(held))
        a, b = fpos[self.edge_from], fpos[self.edge_to]
        both = np.flatnonzero((a >= 0) & (b >= 0) & (a != b))
        # triplets of L_ff: +g on both diagonals, -g on both off-diagonals of every free-free edge; +g on the
        # diagonal of the free end of an edge to a held node (its other end goes to the right-hand side)
        fa = np.flatnonzero((a >= 0) & (b < 0))
        fb = np.flatnonzero((b >= 0) & (a < 0))
        nf = len(self.free)
        rows = np.concatenate([a[both], b[both], a[both], b[both], a[fa], b[fb], np.arange(nf)])
        cols = np.concatenate([a[both], b[both], b[both], a[both], a[fa], b[fb], np.arange(nf)])
        self._edge = np.concatenate([both, both, both, both, fa, fb])
        self._sign = np.concatenate([np.ones(2 * len(both)), -np.ones(2 * len(both)), np.ones(len(fa) + len(fb))])
        from .sparsity import _csc_pattern, with_data  # (sparsity imports nothing from here)

        self._with_data = with_data
        self._slot, indices, indptr = _csc_pattern(rows, cols, nf, nf)
        self._nnz = len(indices)
        self._template = sp.csc_matrix((np.zeros(self._nnz), indices, indptr), shape=(nf, nf))
        self._template.has_sorted_indices = True
        self._n_edge_slots = len(self._edge)
        # held ends: the right-hand side gets g v_held at the free end
        self._rhs_edge = np.concatenate([fa, fb])
        self._rhs_row = np.concatenate([a[fa], b[fb]])
        self._rhs_held = np.concatenate([vpos[self.edge_to[fa]], vpos[self.edge_from[fb]]])

    def solve(self, resistance: F64) -> tuple[F64, F64, F64] | None:
        """Node potentials ``v`` [Pa^2], edge flows [kg/s] and the supply [kg/s] of each held node for the secant
        resistances ``resistance`` [Pa^2 s/kg] (> 0) of every edge; None when the Laplacian is singular."""
        g = self.sym / resistance
        # potentials relative to the highest held one: the flows are differences of potentials of order 1e13 Pa^2
        # that may differ by 1e2 (nearly no flow); relative ones keep those differences exact
        offset = float(np.max(self.v_held))
        u_held = self.v_held - offset
        weights = np.concatenate([g[self._edge] * self._sign, np.zeros(len(self.free))])
        data = np.bincount(self._slot, weights=weights, minlength=self._nnz)
        l_ff = self._with_data(self._template, data)
        rhs = self.injection[self.free] + np.bincount(
            self._rhs_row, weights=g[self._rhs_edge] * u_held[self._rhs_held], minlength=len(self.free)
        )
        solve = self.backend.factor(l_ff)
        u_free = None if solve is None else solve(rhs)
        if u_free is None:
            return None
        u = np.empty(self.n)
        u[self.free] = u_free
        u[self.held] = u_held
        q = g * (u[self.edge_from] - u[self.edge_to])
        balance = self.injection.copy()
        np.subtract.at(balance, self.edge_from, q)
        np.add.at(balance, self.edge_to, q)
        return u + offset, q, -balance[self.held]
