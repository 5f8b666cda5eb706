"""Fixed-pattern assembly of the Jacobian and of its Schur complement agree with plain SciPy sparse algebra."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

import linepack as lp
from linepack.solvers.equations import ControlState, SteadySystem
from linepack.solvers.sparsity import CscAssembler, SchurPlan
from linepack.solvers.steady import _scales
from linepack.synthetic import lattice_network


def test_assembler_sums_duplicates_like_scipy_and_keeps_its_pattern() -> None:
    rng = np.random.default_rng(1)
    n, nt = 30, 200
    rows, cols = rng.integers(0, n, nt), rng.integers(0, n, nt)
    xs, fs = rng.uniform(0.5, 2.0, n), rng.uniform(0.5, 2.0, n)
    asm = CscAssembler(rows, cols, (n, n), xs, fs)
    for _ in range(2):
        v = rng.normal(size=nt)
        v[:5] = 0.0  # explicit zeros stay in the pattern
        ref = sp.csc_matrix((v * xs[cols] / fs[rows], (rows, cols)), shape=(n, n))
        got = asm.matrix(v)
        assert np.array_equal(got.indptr, asm.indptr) and np.array_equal(got.indices, asm.indices)
        assert np.allclose(got.toarray(), ref.toarray(), rtol=1e-14, atol=0.0)


def _system(stations: int) -> tuple[SteadySystem, np.ndarray]:
    cn = lp.compile_network(lattice_network(9, seed=3, compressors=stations, z_model="ideal"))
    res = lp.solve_steady(cn)
    pr, mr = _scales(cn)
    mu = np.full(len(cn.res_edge), 1.1e-5)
    sys_ = SteadySystem(cn, ControlState.initial(cn), mu, pr, mr)
    x = sys_.pack(res.p_pa, res.q_kg_s * 1.05, res.source_supply_kg_s[sys_.psrc])
    return sys_, x


def test_schur_plan_matches_the_sparse_product_and_the_full_solve() -> None:
    for stations in (0, 4):
        sys_, x = _system(stations)
        jac = sys_.jacobian(x)
        R = sys_.n + sys_.cn.res_edge
        mask = np.ones(sys_.size, dtype=bool)
        mask[R] = False
        K = np.flatnonzero(mask)
        plan = SchurPlan.build(jac, R, K)
        assert plan is not None and plan.matches(jac)
        S, inv_d, kr, rk = plan.reduce(jac.data)
        J = sp.csr_matrix(jac)
        d = J[R, R].A1
        assert np.array_equal(inv_d, 1.0 / d)
        ref = J[K][:, K] - J[K][:, R] @ sp.diags(1.0 / d) @ J[R][:, K]
        assert np.allclose(S.toarray(), ref.toarray(), rtol=1e-12, atol=1e-12 * abs(ref).max())
        assert np.allclose(kr.toarray(), J[K][:, R].toarray()) and np.allclose(rk.toarray(), J[R][:, K].toarray())
        rhs = np.random.default_rng(stations).normal(size=sys_.size)
        dx = sys_.solve_linear(jac, rhs)
        assert dx is not None and sys_._schur is not None  # through the plan
        assert np.allclose(jac @ dx, rhs, atol=1e-8 * np.abs(rhs).max())


def test_plan_refuses_a_non_diagonal_block() -> None:
    a = sp.csc_matrix(np.array([[4.0, 1.0, 1.0], [1.0, 3.0, 1.0], [1.0, 1.0, 2.0]]))
    assert SchurPlan.build(a, np.array([1, 2]), np.array([0])) is None
    plan = SchurPlan.build(a, np.array([2]), np.array([0, 1]))
    assert plan is not None
    S, *_ = plan.reduce(a.data)
    dense = a.toarray()
    assert np.allclose(S.toarray(), dense[:2, :2] - np.outer(dense[:2, 2], dense[2, :2]) / dense[2, 2])
