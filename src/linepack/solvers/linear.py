"""Sparse LU factorisation with reuse of the symbolic analysis across Newton iterations.

KLU (SuiteSparse, through the optional ``nbklu`` package: ``pip install 'linepack[fast]'``) analyses the
pattern once and refactorises new values on the same pattern, about twice as fast as a fresh SuperLU
factorisation on the node-sized systems of gas networks. Without ``nbklu``, SciPy's SuperLU with a
minimum-degree ordering on the symmetric pattern is used.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import NDArray

_nbklu: Any
try:  # optional accelerator
    _nbklu = importlib.import_module("nbklu")
except ImportError:  # pragma: no cover - depends on the environment
    _nbklu = None

F64 = NDArray[np.float64]


class SparseLU:
    """Solves ``A x = b`` for a sequence of matrices that usually share one sparsity pattern."""

    def __init__(self, use_klu: bool | None = None) -> None:
        self.use_klu = (_nbklu is not None) if use_klu is None else (use_klu and _nbklu is not None)
        self._klu: Any = None
        self._pattern: tuple[bytes, bytes] | None = None

    def solve(self, matrix: sp.spmatrix, rhs: F64) -> F64 | None:
        """The solution, or None when the matrix is singular (or the result not finite)."""
        a = sp.csc_matrix(matrix)
        a.sort_indices()
        x = self._solve_klu(a, rhs) if self.use_klu else self._solve_superlu(a, rhs)
        if x is None or not np.all(np.isfinite(x)):
            return None
        return x

    @staticmethod
    def _solve_superlu(a: sp.csc_matrix, rhs: F64) -> F64 | None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", spla.MatrixRankWarning)
                return np.asarray(spla.splu(a, permc_spec="MMD_AT_PLUS_A").solve(rhs), dtype=float)
        except (RuntimeError, spla.MatrixRankWarning, ValueError):
            return None

    def _solve_klu(self, a: sp.csc_matrix, rhs: F64) -> F64 | None:
        indptr = a.indptr.astype(np.int32)
        indices = a.indices.astype(np.int32)
        key = (indptr.tobytes(), indices.tobytes())
        data = np.ascontiguousarray(a.data, dtype=np.float64)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                if self._klu is None or key != self._pattern:
                    if self._klu is not None:
                        self._klu.close()
                    self._klu = _nbklu.KLUSolver(singular_as_error=True)
                    self._klu.analyze(a.shape[0], indptr, indices)
                    self._klu.factor(data)
                    self._pattern = key
                else:
                    self._klu.refactor(data)
                    if self._klu.rcond() < 1e-14:  # refactoring keeps the old pivots: check them
                        self._klu.factor(data)
                return np.asarray(self._klu.solve(np.array(rhs, dtype=np.float64)), dtype=float)
        except Exception:  # KLU reports singular matrices as exceptions or warnings
            self._klu, self._pattern = None, None
            return self._solve_superlu(a, rhs)
