"""Every linear-solver backend gives the steady state of the reference path (SuperLU on the Schur complement);
the passive squared-pressure Laplacian is exact for an ideal gas; GMRES; the choice and its errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import linepack as lp
from linepack.errors import InputError
from linepack.solvers import linear
from linepack.solvers.backends import available
from linepack.solvers.equations import SteadySystem
from linepack.solvers.krylov import gmres
from linepack.solvers.linear import SchurSolver, choose, requested
from linepack.solvers.passive import PassiveSchur
from linepack.solvers.steady import _scales
from linepack.synthetic import lattice_network

INSTALLED = [b for b in ("klu", "pardiso", "pardiso_lu", "cholmod", "amg") if available(b.removesuffix("_lu"))]


@pytest.fixture(scope="module")
def grids() -> dict[str, lp.CompiledNetwork]:
    return {
        "passive": lp.compile_network(lattice_network(12, seed=3)),  # GERG-2008, elevation: nearly symmetric
        "stations": lp.compile_network(lattice_network(12, seed=4, compressors=4)),  # unsymmetric: LU
    }


@pytest.mark.parametrize("backend", INSTALLED)
@pytest.mark.parametrize("grid", ["passive", "stations"])
def test_backend_reaches_the_reference_state(grids: dict[str, lp.CompiledNetwork], grid: str, backend: str) -> None:
    cn = grids[grid]
    ref = lp.solve_steady(cn, options=lp.SteadyOptions(linear_solver="superlu"))
    res = lp.solve_steady(cn, options=lp.SteadyOptions(linear_solver=backend))
    assert res.iterations == ref.iterations
    assert np.max(np.abs(res.p_pa / ref.p_pa - 1.0)) < 1e-12
    assert np.max(np.abs(res.q_kg_s - ref.q_kg_s)) < 1e-9 * np.max(np.abs(ref.q_kg_s))


def test_the_default_network_is_the_same_with_every_backend() -> None:
    net = lp.load_default_network()
    ref = lp.solve_steady(net, options=lp.SteadyOptions(linear_solver="superlu"))
    for backend in INSTALLED:
        res = lp.solve_steady(net, options=lp.SteadyOptions(linear_solver=backend))
        assert np.max(np.abs(res.p_pa / ref.p_pa - 1.0)) < 1e-12, backend
        assert res.active_bounds == ref.active_bounds


def _passive_blocks(cn: lp.CompiledNetwork) -> tuple[sp.csc_matrix, sp.csc_matrix, PassiveSchur]:
    res = lp.solve_steady(cn)
    p_ref, m_ref = _scales(cn)
    sys_ = SteadySystem(cn, res.control, np.full(len(cn.res_edge), 1.1e-5), p_ref, m_ref)
    x = sys_.pack(res.p_pa, res.q_kg_s, res.source_supply_kg_s[sys_.psrc])
    jac = sys_.jacobian(x)
    sys_.factorize(jac)
    assert sys_._schur is not None
    s, *_ = sys_._schur.reduce(jac.data)
    plan = PassiveSchur.build(s, sys_.n, cn.source_node[sys_.psrc])
    assert plan is not None
    scale = sys_._passive_scale()
    assert scale is not None
    ops = plan.operator_and_laplacian(s.data, scale())
    assert ops is not None
    return ops[0], ops[1], plan


def test_squared_pressure_laplacian_is_the_exact_block_for_an_ideal_gas() -> None:
    # elevation included: the node potential phi = 2 g h M / (R T) makes e^s p_j^2 symmetric exactly
    a, m, _ = _passive_blocks(lp.compile_network(lattice_network(8, seed=5, z_model="ideal")))
    assert abs(a - m).max() < 1e-12 * abs(a).max()
    assert abs(a - a.T).max() < 1e-12 * abs(a).max()
    # and for a real gas it is near: GMRES needs a few iterations, not one
    a, m, _ = _passive_blocks(lp.compile_network(lattice_network(8, seed=5)))
    assert 1e-6 < abs(a - m).max() / abs(a).max() < 0.05


def test_gmres_with_a_stale_preconditioner() -> None:
    rng = np.random.default_rng(2)
    n = 200
    a = sp.diags([-np.ones(n - 1), 2.5 + rng.uniform(0, 0.1, n), -1.1 * np.ones(n - 1)], [-1, 0, 1], format="csc")
    b = rng.normal(size=n)
    stale = sp.linalg.splu(sp.csc_matrix(a + sp.diags(rng.uniform(0, 0.05, n))))  # a nearby matrix's factorisation
    res = gmres(a.dot, stale.solve, b, rtol=1e-12, max_iterations=20)
    assert res.x is not None and 1 < res.iterations <= 10
    assert np.linalg.norm(a @ res.x - b) <= 1e-12 * np.linalg.norm(b)
    assert gmres(a.dot, lambda v: v * 0.0 + v, b, rtol=1e-12, max_iterations=3).x is None  # not converged: None


def test_choice_is_automatic_and_overridable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert choose("superlu", 10**6, True) == ("superlu", False)
    assert choose("klu", 10**6, True) == ("klu", False)
    assert choose("pardiso_lu", 10, True) == ("pardiso", False)
    assert choose("cholmod", 10**5, True) == ("cholmod", True)
    assert choose("cholmod", 10**5, False)[1] is False  # CHOLMOD needs the symmetric form: LU otherwise
    small = choose("auto", 500, True)
    assert small[1] is False and small[0] in ("klu", "superlu")
    monkeypatch.setenv(linear.ENV, "superlu")
    assert requested() == "superlu"
    assert requested("klu" if available("klu") else "superlu") in ("klu", "superlu")
    with pytest.raises(InputError, match="unknown; choose one of"):
        requested("mumps")
    monkeypatch.setattr(linear, "available", lambda name: False)
    with pytest.raises(InputError, match="not installed; install it with"):
        requested("cholmod")


def test_symbolic_analysis_once_per_pattern(grids: dict[str, lp.CompiledNetwork]) -> None:
    cn = grids["stations"]
    made: list[SchurSolver] = []

    class Recording(SchurSolver):
        def __init__(self, backend: str | None = None) -> None:
            super().__init__(backend)
            made.append(self)

    import linepack.solvers.steady as steady

    backend = "klu" if available("klu") else "superlu"
    orig = steady.SchurSolver
    steady.SchurSolver = Recording  # type: ignore[misc]
    try:
        res = lp.solve_steady(cn, options=lp.SteadyOptions(linear_solver=backend))
    finally:
        steady.SchurSolver = orig  # type: ignore[misc]
    stats = made[-1].stats
    assert stats.factorizations >= res.iterations - stats.reused > 0
    if backend == "klu":  # one analysis per pattern (control state), not per Newton iteration
        assert stats.analyses <= res.outer_iterations + 1
