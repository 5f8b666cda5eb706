"""Fixed sparsity patterns of the steady-state Jacobian and of its Schur complement, analysed once.

Within one control state the Jacobian always has the same pattern; only its values change from one Newton
iteration to the next. :class:`CscAssembler` maps the assembly triplets to the compressed-column data
once, so that each Jacobian is a single scatter-add (``np.bincount``) instead of a sort of the triplets.
:class:`SchurPlan` does the same for the reduced system ``S = J_KK - J_KR D^-1 J_RK`` of
:meth:`linepack.solvers.equations.SteadySystem.factorize`: every entry of S is a sum of one entry of
``J_KK`` and products ``J_KR[k, r] J_RK[r, l] / D[r]``, whose positions are found once; each
iteration then computes S's values with gathers and one scatter-add, with no sparse matrix product or
fancy indexing of sparse matrices. The patterns are kept (explicit zeros included) so that the sparse LU
reuses its symbolic analysis.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def _fast_copy_works() -> bool:
    """Whether a compressed matrix can be re-used with new data by copying its attributes (SciPy's layout)."""
    try:
        ind, ptr = np.array([0, 1], np.int32), np.array([0, 1, 2], np.int32)
        a = sp.csc_matrix((np.array([1.0, 2.0]), ind, ptr), shape=(2, 2))
        b = sp.csc_matrix.__new__(sp.csc_matrix)
        b.__dict__.update(a.__dict__)
        b.data = np.array([3.0, 4.0])
        return bool(np.array_equal(b @ np.ones(2), [3.0, 4.0]) and b.shape == (2, 2) and b.nnz == 2)
    except Exception:  # pragma: no cover - another SciPy layout
        return False


_FAST_COPY = _fast_copy_works()


def with_data(template: Any, data: NDArray[Any]) -> Any:
    """``template`` (CSC or CSR, sorted indices) with new ``data`` in its pattern. SciPy's constructor checks the
    pattern on every call (about 70 us, a quarter of a small system's Newton iteration); the pattern here was
    checked when the template was built, so its attributes are copied instead (verified at import)."""
    if not _FAST_COPY:
        out = type(template)((data, template.indices, template.indptr), shape=template.shape)
        out.has_sorted_indices = True
        return out
    cls: Any = type(template)
    out = cls.__new__(cls)
    out.__dict__.update(template.__dict__)
    out.data = data
    return out


def _csc_pattern(rows: I64, cols: I64, n_rows: int, n_cols: int) -> tuple[I64, NDArray[np.int32], NDArray[np.int32]]:
    """Map of every (row, col) triplet to its slot in the compressed-column data (duplicates share a slot),
    with the column pointers and sorted row indices of that pattern."""
    key = cols.astype(np.int64) * n_rows + rows.astype(np.int64)
    uniq, slot = np.unique(key, return_inverse=True)
    indices = (uniq % n_rows).astype(np.int32)
    counts = np.bincount(uniq // n_rows, minlength=n_cols)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return slot.ravel().astype(np.int64), indices, indptr


class CscAssembler:
    """Sums assembly triplets with a fixed pattern into a CSC matrix: ``A[r, c] += v * col_scale[c] / row_scale[r]``."""

    def __init__(self, rows: I64, cols: I64, shape: tuple[int, int], col_scale: F64, row_scale: F64) -> None:
        self.shape = shape
        self.n_triplets = len(rows)
        self.slot, self.indices, self.indptr = _csc_pattern(rows, cols, shape[0], shape[1])
        self.nnz = len(self.indices)
        self.scale = col_scale[cols] / row_scale[rows]
        self.template = sp.csc_matrix((np.zeros(self.nnz), self.indices, self.indptr), shape=shape)
        self.template.has_sorted_indices = True

    def matrix(self, values: F64) -> sp.csc_matrix:
        """The matrix of the triplet values (in the order of the rows and columns given at construction)."""
        if len(values) != self.n_triplets:
            raise ValueError(f"expected {self.n_triplets} Jacobian values, got {len(values)}")
        data = np.bincount(self.slot, weights=values * self.scale, minlength=self.nnz)
        return with_data(self.template, data)


class SchurPlan:
    """Index maps of ``S = J_KK - J_KR diag(d)^-1 J_RK`` for one pattern of J (CSC) and a split into R and K.

    ``R`` are unknowns whose rows and columns meet only on the diagonal (``J_RR`` diagonal, entries ``d``);
    ``K`` is the rest. Built with :meth:`build`, which returns None when ``J_RR`` is not diagonal.
    """

    def __init__(self) -> None:
        self.size_k = 0
        self.k_index: I64 = np.zeros(0, np.int64)
        self.r_index: I64 = np.zeros(0, np.int64)
        self.d_slot: I64 = np.zeros(0, np.int64)
        self.kk_slot: I64 = np.zeros(0, np.int64)
        self.kk_target: I64 = np.zeros(0, np.int64)
        self.a_slot: I64 = np.zeros(0, np.int64)  # J_KR entries, by their R column
        self.a_r: I64 = np.zeros(0, np.int64)  # the R index of each
        self.pa: I64 = np.zeros(0, np.int64)  # J_KR entry (position in a_slot) of each product
        self.pb_slot: I64 = np.zeros(0, np.int64)  # J_RK entry of each product
        self.p_target: I64 = np.zeros(0, np.int64)
        self.s_indices: NDArray[np.int32] = np.zeros(0, np.int32)
        self.s_indptr: NDArray[np.int32] = np.zeros(1, np.int32)
        self.kr: sp.csr_matrix = sp.csr_matrix((0, 0))
        self.kr_slot: I64 = np.zeros(0, np.int64)
        self.rk: sp.csr_matrix = sp.csr_matrix((0, 0))
        self.rk_slot: I64 = np.zeros(0, np.int64)
        self.indptr: NDArray[np.int32] = np.zeros(1, np.int32)
        self.indices: NDArray[np.int32] = np.zeros(0, np.int32)
        self.s_template: sp.csc_matrix | None = None

    @staticmethod
    def build(jac: sp.csc_matrix, R: I64, K: I64) -> SchurPlan | None:
        size = jac.shape[0]
        plan = SchurPlan()
        plan.indptr, plan.indices = jac.indptr, jac.indices
        nk, nr = len(K), len(R)
        plan.size_k = nk
        plan.k_index, plan.r_index = K, R
        kpos = np.full(size, -1, dtype=np.int64)
        kpos[K] = np.arange(nk)
        rpos = np.full(size, -1, dtype=np.int64)
        rpos[R] = np.arange(nr)
        row = jac.indices.astype(np.int64)
        col = np.repeat(np.arange(size, dtype=np.int64), np.diff(jac.indptr))
        slot = np.arange(len(row), dtype=np.int64)
        in_r_row, in_r_col = rpos[row] >= 0, rpos[col] >= 0
        rr = in_r_row & in_r_col
        if np.any(row[rr] != col[rr]):
            return None  # J_RR is not diagonal
        d_slot = np.full(nr, -1, dtype=np.int64)
        d_slot[rpos[row[rr]]] = slot[rr]
        if np.any(d_slot < 0):
            return None  # a structurally zero pivot
        plan.d_slot = d_slot
        kk = ~in_r_row & ~in_r_col
        kr = ~in_r_row & in_r_col
        rk = in_r_row & ~in_r_col
        # J_KR (rows K, columns R) and J_RK as CSR matrices whose data are gathered from J's data
        plan.kr, plan.kr_slot = _csr_of(kpos[row[kr]], rpos[col[kr]], slot[kr], (nk, nr))
        plan.rk, plan.rk_slot = _csr_of(rpos[row[rk]], kpos[col[rk]], slot[rk], (nr, nk))
        # products J_KR[a, r] J_RK[r, b]: every pair of the column r of J_KR and the row r of J_RK
        a_r, a_k, a_slot = rpos[col[kr]], kpos[row[kr]], slot[kr]
        oa = np.argsort(a_r, kind="stable")
        a_r, a_k, a_slot = a_r[oa], a_k[oa], a_slot[oa]
        b_r, b_k, b_slot = rpos[row[rk]], kpos[col[rk]], slot[rk]
        ob = np.argsort(b_r, kind="stable")
        b_r, b_k, b_slot = b_r[ob], b_k[ob], b_slot[ob]
        ca = np.bincount(a_r, minlength=nr)
        cb = np.bincount(b_r, minlength=nr)
        sa = np.concatenate([[0], np.cumsum(ca)[:-1]]) if nr else np.zeros(0, np.int64)
        sb = np.concatenate([[0], np.cumsum(cb)[:-1]]) if nr else np.zeros(0, np.int64)
        pairs = ca * cb
        total = int(np.sum(pairs))
        grp = np.repeat(np.arange(nr, dtype=np.int64), pairs)
        start = np.concatenate([[0], np.cumsum(pairs)[:-1]]) if nr else np.zeros(0, np.int64)
        local = np.arange(total, dtype=np.int64) - start[grp]
        ia = sa[grp] + local // np.maximum(cb[grp], 1)
        ib = sb[grp] + local % np.maximum(cb[grp], 1)
        plan.a_slot, plan.a_r, plan.pa, plan.pb_slot = a_slot, a_r, ia, b_slot[ib]
        # pattern of S: the union of J_KK's and the products'
        rows_s = np.concatenate([kpos[row[kk]], a_k[ia]])
        cols_s = np.concatenate([kpos[col[kk]], b_k[ib]])
        target, plan.s_indices, plan.s_indptr = _csc_pattern(rows_s, cols_s, nk, nk)
        n_kk = int(np.count_nonzero(kk))
        plan.kk_slot, plan.kk_target, plan.p_target = slot[kk], target[:n_kk], target[n_kk:]
        return plan

    def matches(self, jac: sp.csc_matrix) -> bool:
        """Whether ``jac`` has the pattern this plan was built for."""
        return (jac.indptr is self.indptr or np.array_equal(jac.indptr, self.indptr)) and (
            jac.indices is self.indices or np.array_equal(jac.indices, self.indices)
        )

    def reduce(self, data: F64) -> tuple[sp.csc_matrix, F64, sp.csr_matrix, sp.csr_matrix]:
        """S, ``1/d``, J_KR and J_RK for the Jacobian values ``data`` (CSC order of the planned pattern)."""
        inv_d = 1.0 / data[self.d_slot]
        a_scaled = data[self.a_slot] * inv_d[self.a_r]
        prod = a_scaled[self.pa] * data[self.pb_slot]
        nnz = len(self.s_indices)
        s_data = np.bincount(self.kk_target, weights=data[self.kk_slot], minlength=nnz) - np.bincount(
            self.p_target, weights=prod, minlength=nnz
        )
        if self.s_template is None:
            self.s_template = sp.csc_matrix((s_data, self.s_indices, self.s_indptr), shape=(self.size_k, self.size_k))
            self.s_template.has_sorted_indices = True
            self.kr.has_sorted_indices = True
            self.rk.has_sorted_indices = True
        s = with_data(self.s_template, s_data)
        kr = with_data(self.kr, data[self.kr_slot])
        rk = with_data(self.rk, data[self.rk_slot])
        return s, inv_d, kr, rk


def _csr_of(rows: I64, cols: I64, slots: I64, shape: tuple[int, int]) -> tuple[sp.csr_matrix, I64]:
    """A CSR pattern of distinct (row, col) entries and, in its data order, the J slot of each entry."""
    order = np.lexsort((cols, rows))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=shape[0]))]).astype(np.int32)
    m = sp.csr_matrix((np.zeros(len(rows)), cols[order].astype(np.int32), indptr), shape=shape)
    return m, slots[order]
