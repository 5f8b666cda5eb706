"""The sparse LU wrapper: every installed LU backend, with symbolic reuse, agrees; singular is None."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from linepack.solvers.backends import available
from linepack.solvers.linear import SparseLU

BACKENDS = ["superlu"] + [b for b in ("klu", "pardiso_lu") if available(b.removesuffix("_lu"))]


def laplacian(n: int, shift: float) -> sp.csc_matrix:
    main = np.full(n, 2.0 + shift)
    off = np.full(n - 1, -1.0)
    return sp.diags([off, main, off * 1.1], [-1, 0, 1], format="csc")


@pytest.mark.parametrize("backend", BACKENDS)
def test_solves_a_sequence_on_one_pattern_and_a_changed_pattern(backend: str) -> None:
    lu = SparseLU(backend=backend)
    rng = np.random.default_rng(0)
    for shift in (0.1, 0.5, 3.0):
        a = laplacian(50, shift)
        b = rng.normal(size=50)
        x = lu.solve(a, b)
        assert x is not None and np.allclose(a @ x, b, atol=1e-10)
    a2 = sp.csc_matrix(laplacian(50, 1.0) + sp.eye(50, k=5) * 0.3)  # a new pattern
    b = rng.normal(size=50)
    x = lu.solve(a2, b)
    assert x is not None and np.allclose(a2 @ x, b, atol=1e-10)
    if backend != "superlu":  # one analysis per pattern, numeric factorisations for the rest
        assert lu.stats.analyses == 2 and lu.stats.factorizations == 4


@pytest.mark.parametrize("backend", BACKENDS)
def test_singular_matrix_gives_none(backend: str) -> None:
    a = sp.csc_matrix(np.array([[1.0, 1.0], [1.0, 1.0]]))
    assert SparseLU(backend=backend).solve(a, np.array([1.0, 2.0])) is None
