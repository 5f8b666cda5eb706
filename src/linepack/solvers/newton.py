"""One generic damped Newton method on sparse systems.

Used by the steady-state solver (and meant for every implicit transient step and each case of a sweep):
backtracking line search on the residual norm, an optional cap on the step (to keep pressures
positive), caps on iterations and wall time, and a singular Jacobian caught and reported.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import NDArray

Vector = NDArray[np.float64]


@dataclass(frozen=True)
class NewtonOptions:
    """Stopping rules and damping of :func:`newton`."""

    tolerance: float = 1e-10  # on max |F| of the scaled residual
    max_iterations: int = 60
    max_time_s: float = 60.0
    min_step: float = 1e-6  # smallest line-search step before giving up on the direction
    armijo: float = 1e-4


@dataclass(frozen=True)
class NewtonOutcome:
    x: Vector
    converged: bool
    iterations: int
    residual_norms: tuple[float, ...]
    message: str
    singular: bool = False
    extra: dict[str, float] = field(default_factory=dict)


def _solve(jac: sp.spmatrix, rhs: Vector) -> Vector | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", spla.MatrixRankWarning)
            lu = spla.splu(sp.csc_matrix(jac), permc_spec="COLAMD")
            dx = lu.solve(rhs)
    except (RuntimeError, spla.MatrixRankWarning, ValueError):
        return None
    if not np.all(np.isfinite(dx)):
        return None
    return np.asarray(dx, dtype=np.float64)


def newton(
    residual: Callable[[Vector], Vector],
    jacobian: Callable[[Vector], sp.spmatrix],
    x0: Vector,
    options: NewtonOptions | None = None,
    max_step: Callable[[Vector, Vector], float] | None = None,
    linear_solve: Callable[[sp.spmatrix, Vector], Vector | None] | None = None,
) -> NewtonOutcome:
    """Solve ``residual(x) = 0`` from ``x0``.

    ``max_step(x, dx)`` may return the largest step length in (0, 1] that keeps ``x + a*dx`` admissible
    (for example pressures above a floor). ``linear_solve(J, rhs)`` may replace the default sparse LU
    (for example by a Schur-complement reduction); it returns None when the system is singular. The
    merit function is ``0.5*||F||^2``.
    """
    solve = linear_solve or _solve
    opt = options or NewtonOptions()
    t0 = time.perf_counter()
    x = np.array(x0, dtype=np.float64)
    f = residual(x)
    norms = [float(np.max(np.abs(f))) if f.size else 0.0]
    if not np.all(np.isfinite(f)):
        return NewtonOutcome(x, False, 0, tuple(norms), "residual is not finite at the starting point")
    for it in range(1, opt.max_iterations + 1):
        if norms[-1] <= opt.tolerance:
            return NewtonOutcome(x, True, it - 1, tuple(norms), "converged")
        if time.perf_counter() - t0 > opt.max_time_s:
            return NewtonOutcome(x, False, it - 1, tuple(norms), f"time limit of {opt.max_time_s:g} s reached")
        jac = jacobian(x)
        dx = solve(jac, -f)
        if dx is None:
            return NewtonOutcome(x, False, it - 1, tuple(norms), "the Jacobian is singular", singular=True)
        step = 1.0 if max_step is None else min(1.0, max_step(x, dx))
        merit = 0.5 * float(f @ f)
        accepted = False
        while step >= opt.min_step:
            x_new = x + step * dx
            f_new = residual(x_new)
            if np.all(np.isfinite(f_new)):
                merit_new = 0.5 * float(f_new @ f_new)
                if merit_new <= (1.0 - 2.0 * opt.armijo * step) * merit:
                    accepted = True
                    break
            step *= 0.5
        if not accepted:
            return NewtonOutcome(x, False, it - 1, tuple(norms), "line search failed: no descent direction")
        x, f = x_new, f_new
        norms.append(float(np.max(np.abs(f))) if f.size else 0.0)
    if norms[-1] <= opt.tolerance:
        return NewtonOutcome(x, True, opt.max_iterations, tuple(norms), "converged")
    return NewtonOutcome(
        x, False, opt.max_iterations, tuple(norms), f"no convergence in {opt.max_iterations} iterations"
    )
