"""Sparse factorisation backends behind one small interface, each keeping its symbolic analysis.

Every backend factorises a square CSC matrix with sorted indices and returns a solve function (or None when
the matrix is singular). The symbolic analysis (ordering, elimination tree, supernodes) depends on the
pattern only: a backend object does it for the first matrix and redoes only the numeric factorisation for
later matrices with the same pattern (Newton iterations, scenarios, time steps).

| name | kind | package (optional extra) | notes |
|---|---|---|---|
| ``superlu`` | LU | SciPy (always there) | the fallback; no reuse of the analysis |
| ``klu`` | LU | ``nbklu`` (``fast``) | refactorisation on a fixed pattern; best below ~50,000 unknowns |
| ``pardiso`` | LU, Cholesky | ``pypardiso`` (``pardiso``; MKL, x86-64) | nested dissection; phase 11 once, then 22 |
| ``cholmod`` | Cholesky | ``scikit-sparse`` 0.4.16 (``cholmod``) over ``libsuitesparse-dev`` | supernodal, METIS |
| ``amg`` | preconditioner | ``pyamg`` (``amg``) | smoothed aggregation; for :mod:`.krylov` only |

Cholesky backends take a symmetric positive definite matrix (both triangles stored).
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import hashlib
import importlib
import os
import sys
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import NDArray

F64 = NDArray[np.float64]
Solve = Callable[[F64], F64 | None]

LU_BACKENDS = ("klu", "pardiso", "superlu")
SPD_BACKENDS = ("pardiso", "cholmod", "amg", "superlu")
ALL_BACKENDS = ("superlu", "klu", "pardiso", "cholmod", "amg")
INSTALL_HINT = {
    "klu": "pip install 'linepack[fast]'",
    "pardiso": "pip install 'linepack[pardiso]' (MKL wheels, x86-64 only)",
    "cholmod": "bash scripts/install_suitesparse.sh && pip install 'linepack[cholmod]'",
    "amg": "pip install 'linepack[amg]'",
    "superlu": "(SciPy, always installed)",
}
_MODULES = {"klu": "nbklu", "pardiso": "pypardiso", "cholmod": "sksparse.cholmod", "amg": "pyamg"}
_loaded: dict[str, Any] = {}
_MKL_RT: str | None = None  # MKL's runtime library, once pypardiso found it


def module_of(name: str) -> Any:
    """The imported package of backend ``name``, or None when it is not installed (imported lazily, once)."""
    if name == "superlu":
        return spla
    if name not in _loaded:
        if name == "pardiso":
            _find_mkl_runtime()
        try:
            _loaded[name] = importlib.import_module(_MODULES[name])
        except Exception:  # ImportError, or a shared library that fails to load
            _loaded[name] = None
    return _loaded[name]


def _find_mkl_runtime() -> None:
    """Point pypardiso at MKL's runtime library (the ``mkl`` wheel puts it in ``<prefix>/lib``) before it is
    imported: otherwise it searches the whole installation tree, at import and for every solver object
    (about 0.3 s each). Does nothing when ``PYPARDISO_MKL_RT`` is set or the library is elsewhere."""
    global _MKL_RT
    if _MKL_RT is None and "PYPARDISO_MKL_RT" not in os.environ:
        found = sorted(glob.glob(os.path.join(sys.prefix, "lib", "libmkl_rt.so*")))
        if found:
            _MKL_RT = found[0]
            os.environ["PYPARDISO_MKL_RT"] = _MKL_RT


def available(name: str) -> bool:
    return module_of(name) is not None


def pattern_key(a: sp.csc_matrix) -> bytes:
    """A digest of the sparsity pattern of ``a`` (shape, column pointers, row indices)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(np.asarray(a.shape, dtype=np.int64).tobytes())
    h.update(np.ascontiguousarray(a.indptr, dtype=np.int64).tobytes())
    h.update(np.ascontiguousarray(a.indices, dtype=np.int32).tobytes())
    return h.digest()


def _finite(x: F64 | None) -> F64 | None:
    return x if x is not None and np.all(np.isfinite(x)) else None


class Backend:
    """A factorisation that keeps its analysis while the pattern stays the same."""

    name = "base"
    spd = False  # factorises symmetric positive definite matrices only

    def __init__(self) -> None:
        self.key: bytes | None = None
        self.analyses = 0  # symbolic analyses done
        self.factorizations = 0  # numeric factorisations done

    def factor(self, a: sp.csc_matrix, key: bytes | None = None) -> Solve | None:
        raise NotImplementedError


class SuperLUBackend(Backend):
    """SciPy's SuperLU with a minimum-degree ordering of A^T + A (the ordering the solver used before)."""

    name = "superlu"

    def __init__(self) -> None:
        super().__init__()
        self.permc = "MMD_AT_PLUS_A"  # minimum degree on A^T + A: the node systems are structurally symmetric

    def factor(self, a: sp.csc_matrix, key: bytes | None = None) -> Solve | None:
        self.factorizations += 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", spla.MatrixRankWarning)
                lu = spla.splu(a, permc_spec=self.permc)
        except (RuntimeError, spla.MatrixRankWarning, ValueError):
            return None
        return lambda rhs: _finite(np.asarray(lu.solve(rhs), dtype=float))


class KLUBackend(Backend):
    """KLU (SuiteSparse, via nbklu): AMD ordering analysed once, refactorisation on the same pattern."""

    name = "klu"

    def __init__(self) -> None:
        super().__init__()
        self._klu: Any = None

    def factor(self, a: sp.csc_matrix, key: bytes | None = None) -> Solve | None:
        nbklu = module_of("klu")
        key = key or pattern_key(a)
        data = np.ascontiguousarray(a.data, dtype=np.float64)
        self.factorizations += 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                if self._klu is None or key != self.key:
                    if self._klu is not None:
                        self._klu.close()
                    self._klu = nbklu.KLUSolver(singular_as_error=True)
                    # no block triangular form: the reduced systems of gas networks are (nearly) irreducible,
                    # and AMD on the plain pattern gives less fill (141x141 lattice: 67 vs 76 Mflop, 20 % faster)
                    self._klu.common.btf = 0
                    self._klu.analyze(a.shape[0], a.indptr.astype(np.int32), a.indices.astype(np.int32))
                    self.analyses += 1
                    self._klu.factor(data)
                    self.key = key
                else:
                    self._klu.refactor(data)
                    if self._klu.rcond() < 1e-14:  # refactoring keeps the old pivots: check them
                        self._klu.factor(data)
        except Exception:  # KLU reports singular matrices as exceptions or warnings
            self._klu, self.key = None, None
            return SuperLUBackend().factor(a)
        klu = self._klu

        def solve(rhs: F64) -> F64 | None:
            try:
                return _finite(np.asarray(klu.solve(np.array(rhs, dtype=np.float64)), dtype=float))
            except Exception:
                return None

        return solve


class PardisoBackend(Backend):
    """MKL PARDISO (via pypardiso): nested-dissection ordering and symbolic factorisation (phase 11) once per
    pattern, numeric factorisation (phase 22) per matrix, solves (phase 33). ``spd=True`` factorises the upper
    triangle of a symmetric positive definite matrix (mtype 2, Cholesky); otherwise real unsymmetric LU
    (mtype 11). MKL runs on one thread (set ``threads``): the solvers' CPU time is what is measured and what
    the machine shares."""

    name = "pardiso"

    def __init__(self, spd: bool = False, threads: int = 1) -> None:
        super().__init__()
        self.spd = spd
        self.threads = threads
        self._ps: Any = None

    def _solver(self) -> Any:
        pyp = module_of("pardiso")
        # pypardiso searches the installation tree for MKL's runtime on every construction (~0.2 s): once found,
        # point it there for later constructions
        global _MKL_RT
        saved = os.environ.get("PYPARDISO_MKL_RT")
        if _MKL_RT is not None and saved is None:
            os.environ["PYPARDISO_MKL_RT"] = _MKL_RT
        try:
            ps = pyp.PyPardisoSolver(mtype=2 if self.spd else 11)
        finally:
            if saved is None:
                os.environ.pop("PYPARDISO_MKL_RT", None)
        _MKL_RT = getattr(ps.libmkl, "_name", None)
        with contextlib.suppress(Exception):  # an MKL without that entry point keeps its default
            ps.libmkl.MKL_Set_Num_Threads(ctypes.c_int(self.threads))
        return ps

    def factor(self, a: sp.csc_matrix, key: bytes | None = None) -> Solve | None:
        key = key or pattern_key(a)
        # PARDISO takes CSR; for the Cholesky only the upper triangle
        m = sp.triu(a, format="csr") if self.spd else sp.csr_matrix(a)
        m.sort_indices()
        self.factorizations += 1
        try:
            if self._ps is None or key != self.key:
                if self._ps is not None:
                    self._ps.free_memory(everything=True)
                self._ps = self._solver()
                self._ps._check_A(m)
                self._ps.set_phase(11)
                self._ps._call_pardiso(m, np.zeros((m.shape[0], 1)))
                self.analyses += 1
                self.key = key
            ps = self._ps
            ps._check_A(m)
            ps.set_phase(22)
            ps._call_pardiso(m, np.zeros((m.shape[0], 1)))
        except Exception:  # PyPardisoError: singular or not positive definite
            self._ps, self.key = None, None
            return None
        if int(ps.iparm[13]) > 0:
            # PARDISO perturbed tiny pivots instead of failing: the matrix is (nearly) singular; SuperLU decides
            return None if self.spd else SuperLUBackend().factor(a)
        def solve(rhs: F64) -> F64 | None:
            try:
                ps.set_phase(33)
                b = np.asarray(rhs, dtype=np.float64).reshape(-1, 1)
                return _finite(np.asarray(ps._call_pardiso(m, b), dtype=float).ravel())
            except Exception:
                return None

        return solve


class CholmodBackend(Backend):
    """CHOLMOD supernodal Cholesky (via scikit-sparse) with a METIS ordering, analysed once per pattern."""

    name = "cholmod"
    spd = True

    def __init__(self) -> None:
        super().__init__()
        self._f: Any = None

    def factor(self, a: sp.csc_matrix, key: bytes | None = None) -> Solve | None:
        chol = module_of("cholmod")
        key = key or pattern_key(a)
        self.factorizations += 1
        try:
            if self._f is None or key != self.key:
                try:
                    self._f = chol.analyze(a, mode="supernodal", ordering_method="metis")
                except Exception:  # a CHOLMOD built without METIS
                    self._f = chol.analyze(a, mode="supernodal")
                self.analyses += 1
                self.key = key
            self._f.cholesky_inplace(a)
        except Exception:  # CholmodNotPositiveDefiniteError and friends
            self._f, self.key = None, None
            return None
        f = self._f
        return lambda rhs: _finite(np.asarray(f(np.asarray(rhs, dtype=np.float64)), dtype=float))


class AMGBackend(Backend):
    """Smoothed-aggregation algebraic multigrid (pyamg): one V-cycle as an approximate inverse. Not exact:
    used as the preconditioner of :func:`linepack.solvers.krylov.gmres` only."""

    name = "amg"
    spd = True

    def factor(self, a: sp.csc_matrix, key: bytes | None = None) -> Solve | None:
        pyamg = module_of("amg")
        self.factorizations += 1
        try:
            ml = pyamg.smoothed_aggregation_solver(sp.csr_matrix(a), symmetry="symmetric", max_coarse=500)
        except Exception:
            return None
        self.analyses += 1
        m = ml.aspreconditioner(cycle="V")
        return lambda rhs: _finite(np.asarray(m.matvec(np.asarray(rhs, dtype=np.float64)), dtype=float))


def make_backend(name: str, spd: bool) -> Backend:
    """A fresh backend object (``spd``: the matrix will be symmetric positive definite)."""
    if name == "klu":
        return KLUBackend()
    if name == "pardiso":
        return PardisoBackend(spd=spd)
    if name == "cholmod":
        return CholmodBackend()
    if name == "amg":
        return AMGBackend()
    return SuperLUBackend()
