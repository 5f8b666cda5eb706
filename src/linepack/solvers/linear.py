"""The linear-solver layer of the Newton solvers: a backend chosen by structure and size, its symbolic
analysis kept per sparsity pattern, and Krylov steps on an earlier factorisation instead of a new one.

Two entry points:

* :class:`SparseLU` factorises any square sparse matrix with a direct LU (the transient steps, the initial
  flows, the general Schur complement).
* :class:`SchurSolver` solves the steady Schur complement (pipe flows eliminated): for a *passive* system
  (pipes and resistors fed by pressure-held sources) through the symmetric positive definite Laplacian in
  squared pressures (:mod:`.passive`, Cholesky or AMG as the preconditioner of GMRES, the step exact to
  1e-12); otherwise a direct LU. Between Newton iterations with the same pattern it first tries GMRES
  preconditioned by the last factorisation (a few solves instead of a factorisation) and factorises afresh
  only when that does not converge within :data:`REUSE_MAX_ITERATIONS`.

Backends (:mod:`.backends`) are optional extras with SciPy's SuperLU as the fallback. The choice is
automatic (:func:`choose`) and overridable: ``SteadyOptions(linear_solver=...)`` or the environment
variable ``LINEPACK_LINEAR_SOLVER`` (``auto``, ``superlu``, ``klu``, ``pardiso``, ``pardiso_lu``,
``cholmod``, ``amg``). A backend that is asked for but not installed is an :class:`InputError` naming the
install command.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from ..errors import InputError
from .backends import INSTALL_HINT, Backend, Solve, available, make_backend, pattern_key
from .krylov import gmres
from .passive import PassiveSchur

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

CHOICES = ("auto", "superlu", "klu", "pardiso", "pardiso_lu", "cholmod", "amg")
ENV = "LINEPACK_LINEAR_SOLVER"
SPD_MIN_SIZE = 20_000  # auto: passive systems from this many free nodes on go to a Cholesky backend
LARGE_LU_SIZE = 100_000  # auto: unsymmetric systems from this size on go to PARDISO's LU when installed
REUSE_MAX_ITERATIONS = 6  # GMRES iterations on an earlier factorisation before factorising afresh
REUSE_RTOL = 1e-10
REUSE_MIN_SIZE = 5_000  # below this a factorisation costs less than the Krylov steps' Python overhead
REUSE_MAX_CHANGE = 0.05  # largest relative change of the matrix entries for which the old factorisation is tried


def requested(name: str | None = None) -> str:
    """The backend asked for: ``name``, else the environment variable, else ``auto``; checked."""
    choice = (name or os.environ.get(ENV) or "auto").strip().lower()
    if choice not in CHOICES:
        raise InputError(
            f"linear solver '{choice}' is unknown; choose one of {', '.join(CHOICES)} "
            f"(SteadyOptions.linear_solver or {ENV})"
        )
    base = "pardiso" if choice == "pardiso_lu" else choice
    if base != "auto" and not available(base):
        raise InputError(f"linear solver '{choice}' is not installed; install it with {INSTALL_HINT[base]}")
    return choice


def choose(name: str, size: int, passive: bool) -> tuple[str, bool]:
    """``(backend, spd)`` for a system of ``size`` unknowns: ``spd`` when the passive Laplacian path is taken."""
    if name == "auto":
        if passive and size >= SPD_MIN_SIZE:
            for cand in ("pardiso", "cholmod"):
                if available(cand):
                    return cand, True
            # AMG is never chosen automatically: pyamg's smoothed aggregation needed more GMRES steps than the
            # Newton step allows (51 s against 0.6 s for KLU at 19,881 junctions, docs/validation.md)
        if size >= LARGE_LU_SIZE and available("pardiso"):
            return "pardiso", False
        return ("klu" if available("klu") else "superlu"), False
    if name == "pardiso_lu":
        return "pardiso", False
    if name in ("pardiso", "cholmod", "amg"):
        if passive:
            return name, True
        if name == "pardiso":
            return "pardiso", False
        return choose("auto", size, False)  # CHOLMOD and AMG need the symmetric form: LU for the rest
    return name, False


def available_backends() -> dict[str, bool]:
    """Which backends are installed (SuperLU always is)."""
    return {name: available(name) for name in ("superlu", "klu", "pardiso", "cholmod", "amg")}


@dataclass
class LinearStats:
    """What the layer did (for benchmarks and tests)."""

    backend: str = ""
    spd: bool = False
    factorizations: int = 0
    analyses: int = 0
    reused: int = 0  # solves on an earlier factorisation (GMRES converged)
    reuse_failed: int = 0
    krylov_iterations: int = 0


class _Reusing:
    """A backend plus the last factorisation, tried as a GMRES preconditioner before factorising again."""

    def __init__(self, backend: Backend, stats: LinearStats, reuse: bool) -> None:
        self.backend = backend
        self.stats = stats
        self.reuse = reuse
        self.last: Solve | None = None
        self.last_key: bytes | None = None
        self.last_data: F64 | None = None
        self.failed = False

    def fresh(self, a: sp.csc_matrix, key: bytes) -> Solve | None:
        before = self.backend.analyses
        solve = self.backend.factor(a, key)
        self.stats.factorizations += 1
        self.stats.analyses += self.backend.analyses - before
        self.last, self.last_key = solve, (key if solve is not None else None)
        self.last_data = a.data.copy() if self.reuse and solve is not None else None
        return solve

    def _close(self, a: sp.csc_matrix) -> bool:
        """Whether ``a`` is near enough the factorised matrix (same pattern) to try its factorisation."""
        old = self.last_data
        if old is None or len(old) != len(a.data):
            return False
        scale = float(np.max(np.abs(old))) if len(old) else 0.0
        return scale > 0.0 and float(np.max(np.abs(a.data - old))) <= REUSE_MAX_CHANGE * scale

    def factor(self, a: sp.csc_matrix, key: bytes) -> Solve | None:
        stale = self.last
        if not (
            self.reuse
            and stale is not None
            and a.shape[0] >= REUSE_MIN_SIZE
            and key == self.last_key
            and not self.failed
            and self._close(a)
        ):
            self.failed = False
            return self.fresh(a, key)
        stats = self.stats

        def solve(rhs: F64) -> F64 | None:
            res = gmres(a.dot, stale, rhs, rtol=REUSE_RTOL, max_iterations=REUSE_MAX_ITERATIONS)
            stats.krylov_iterations += res.iterations
            if res.x is not None:
                stats.reused += 1
                return res.x
            stats.reuse_failed += 1
            self.failed = True  # the next call factorises straight away
            direct = self.fresh(a, key)
            return None if direct is None else direct(rhs)

        return solve


class SparseLU:
    """Solves ``A x = b`` for a sequence of matrices that usually share one sparsity pattern (direct LU).

    ``backend``: one of :data:`CHOICES` (None: the environment variable, else ``auto``); ``use_klu=False``
    forces SuperLU (kept for callers of the former interface). ``reuse``: try GMRES on the last
    factorisation first (only for callers that solve once per factorisation).
    """

    def __init__(self, use_klu: bool | None = None, backend: str | None = None, reuse: bool = False) -> None:
        name = "superlu" if use_klu is False else requested(backend)
        self.name = name
        self.reuse = reuse
        self.stats = LinearStats()
        self._slots: dict[str, _Reusing] = {}
        self.use_klu = choose(name, 0, False)[0] == "klu"

    def _slot(self, backend: str, spd: bool) -> _Reusing:
        tag = f"{backend}/{int(spd)}"
        if tag not in self._slots:
            self._slots[tag] = _Reusing(make_backend(backend, spd), self.stats, self.reuse)
        return self._slots[tag]

    def solve(self, matrix: sp.spmatrix, rhs: F64) -> F64 | None:
        """The solution, or None when the matrix is singular (or the result not finite)."""
        solve = self.factor(matrix)
        return None if solve is None else solve(rhs)

    def factor(self, matrix: sp.spmatrix) -> Solve | None:
        """Factorise ``matrix``; a function solving for any right-hand side, or None when singular.

        The function stays valid until the next call of :meth:`factor` (KLU and PARDISO work in place).
        """
        a = matrix if sp.isspmatrix_csc(matrix) else sp.csc_matrix(matrix)
        if not a.has_sorted_indices:
            a = a.copy()
            a.sort_indices()
        backend, _ = choose(self.name, a.shape[0], False)
        self.stats.backend = backend
        return self._slot(backend, False).factor(a, pattern_key(a))


class SchurSolver(SparseLU):
    """:class:`SparseLU` for the steady Schur complement, with the passive SPD path (:mod:`.passive`).

    :meth:`factor_schur` takes S and, for the passive path, the node count, the held nodes and the column
    scale of the squared-pressure unknowns; the maps of the passive block are found once per pattern.
    """

    def __init__(self, backend: str | None = None) -> None:
        super().__init__(backend=backend, reuse=True)
        # assembly and Schur maps of the Jacobian patterns met in one solve (shared by its systems, see
        # SteadySystem._pattern_key): a new system for the same control state finds its maps here
        self.plans: dict[tuple[object, ...], object] = {}
        self._passive: PassiveSchur | None = None
        self._passive_key: bytes | None = None
        self._passive_ok = True

    def factor_schur(
        self,
        s: sp.csc_matrix,
        n_nodes: int,
        held: I64,
        col_scale: Callable[[], F64] | None,
    ) -> Solve | None:
        """A solve function for ``S dx = r``; the passive SPD path when it applies and is chosen."""
        key = pattern_key(s)
        backend, spd = choose(self.name, n_nodes, col_scale is not None)
        if spd and col_scale is not None:
            if key != self._passive_key:
                self._passive = PassiveSchur.build(s, n_nodes, held)
                self._passive_key = key
            plan = self._passive
            if plan is not None:
                slot = self._slot(backend, True)
                before = slot.backend.analyses
                facts = plan.stats.factorizations
                solve = plan.solver(s, col_scale(), slot.backend)
                self.stats.factorizations += plan.stats.factorizations - facts
                self.stats.analyses += slot.backend.analyses - before
                if solve is not None:
                    self.stats.backend, self.stats.spd = backend, True
                    fallback = self._lu_fallback(s, key)

                    def counted(rhs: F64) -> F64 | None:
                        f0, a0, r0, k0 = (
                            plan.stats.factorizations,
                            slot.backend.analyses,
                            plan.stats.reused,
                            plan.stats.krylov_iterations,
                        )
                        out = solve(rhs)
                        self.stats.krylov_iterations += plan.stats.krylov_iterations - k0
                        self.stats.factorizations += plan.stats.factorizations - f0
                        self.stats.analyses += slot.backend.analyses - a0
                        self.stats.reused += plan.stats.reused - r0
                        if out is None:  # GMRES did not converge: the direct LU answers
                            self.stats.reuse_failed += 1
                            lu = fallback()
                            return None if lu is None else lu(rhs)
                        return out

                    return counted
        # unsymmetric (or the SPD path not applicable): direct LU with reuse
        return self._lu_fallback(s, key)()

    def _lu_fallback(self, s: sp.csc_matrix, key: bytes) -> Callable[[], Solve | None]:
        def factor() -> Solve | None:
            backend, _ = choose("auto" if self.name in ("cholmod", "amg") else self.name, s.shape[0], False)
            self.stats.backend, self.stats.spd = backend, False
            return self._slot(backend, False).factor(s, key)

        return factor


def solve_laplacian(matrix: sp.spmatrix, rhs: F64, backend: str | None = None) -> F64 | None:
    """Solve a symmetric positive definite system once (the initial flows' weighted graph Laplacian): a Cholesky
    backend from :data:`SPD_MIN_SIZE` unknowns on when one is installed (and the choice allows it), else the LU."""
    a = sp.csc_matrix(matrix)
    a.sort_indices()
    name = requested(backend)
    spd_name, spd = choose(name, a.shape[0], True)
    if spd and spd_name in ("pardiso", "cholmod"):
        solve = make_backend(spd_name, True).factor(a)
        x = None if solve is None else solve(rhs)
        if x is not None:
            return x
    return SparseLU(backend=None if name in ("cholmod", "amg", "pardiso") else name).solve(a, rhs)


# the linearised start's Laplacians go to a Cholesky backend from this size on (KLU is faster below: 27 against 38 ms
# for the start at 5,041 junctions, PARDISO 94 against KLU 190 ms at 19,881)
LAPLACIAN_SPD_MIN_SIZE = 10_000


def laplacian_backend(name: str | None, size: int, linear: SchurSolver | None = None) -> Backend:
    """A backend for a sequence of symmetric positive definite Laplacians on one pattern (the linearised start of
    a passive network): PARDISO's or CHOLMOD's Cholesky from :data:`LAPLACIAN_SPD_MIN_SIZE` unknowns on when the
    choice allows it, else the direct LU of the choice. With ``linear``, the Cholesky backend is the one of its
    passive path: the Newton iterations' Laplacians on the free nodes have the same pattern and reuse the
    symbolic analysis."""
    choice = requested(name)
    if size >= LAPLACIAN_SPD_MIN_SIZE and choice in ("auto", "pardiso", "cholmod"):
        for cand in ("pardiso", "cholmod") if choice == "auto" else (choice,):
            if available(cand):
                return make_backend(cand, True) if linear is None else linear._slot(cand, True).backend
    backend, _ = choose("auto" if choice in ("cholmod", "amg", "pardiso") else choice, size, False)
    return make_backend(backend, False)

