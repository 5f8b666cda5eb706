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
    reuse_ratio: float = 0.0  # >0: reuse the factorisation while each step cuts the residual below this ratio


@dataclass(frozen=True)
class NewtonOutcome:
    x: Vector
    converged: bool
    iterations: int
    residual_norms: tuple[float, ...]
    message: str
    singular: bool = False
    extra: dict[str, float] = field(default_factory=dict)


def _factorize(jac: sp.spmatrix) -> Callable[[Vector], Vector | None] | None:
    """SuperLU factorisation of ``jac`` as a solve function, or None when it is singular."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", spla.MatrixRankWarning)
            lu = spla.splu(sp.csc_matrix(jac), permc_spec="COLAMD")
    except (RuntimeError, spla.MatrixRankWarning, ValueError):
        return None

    def solve(rhs: Vector) -> Vector | None:
        dx = np.asarray(lu.solve(rhs), dtype=np.float64)
        return dx if np.all(np.isfinite(dx)) else None

    return solve


Factorize = Callable[[sp.spmatrix], Callable[[Vector], Vector | None] | None]


def newton(
    residual: Callable[[Vector], Vector],
    jacobian: Callable[[Vector], sp.spmatrix],
    x0: Vector,
    options: NewtonOptions | None = None,
    max_step: Callable[[Vector, Vector], float] | None = None,
    factorize: Factorize | None = None,
) -> NewtonOutcome:
    """Solve ``residual(x) = 0`` from ``x0``.

    ``max_step(x, dx)`` may return the largest step length in (0, 1] that keeps ``x + a*dx`` admissible
    (for example pressures above a floor). ``factorize(J)`` returns a function solving ``J dx = rhs``
    (or None when J is singular); it may replace the default sparse LU, for example by a Schur-complement
    reduction. A factorisation is reused for the next step while the residual falls fast (by more than
    ``options.reuse_ratio`` per step); a reused step that does not descend triggers a fresh Jacobian. The
    merit function is ``0.5*||F||^2``.
    """
    fact = factorize or _factorize
    opt = options or NewtonOptions()
    t0 = time.perf_counter()
    x = np.array(x0, dtype=np.float64)
    f = residual(x)
    norms = [float(np.max(np.abs(f))) if f.size else 0.0]
    if not np.all(np.isfinite(f)):
        return NewtonOutcome(x, False, 0, tuple(norms), "residual is not finite at the starting point")
    solver: Callable[[Vector], Vector | None] | None = None
    stale = False
    factorizations = 0
    it = 0
    while it < opt.max_iterations:
        if norms[-1] <= opt.tolerance:
            return NewtonOutcome(x, True, it, tuple(norms), "converged", extra={"factorizations": factorizations})
        if time.perf_counter() - t0 > opt.max_time_s:
            return NewtonOutcome(x, False, it, tuple(norms), f"time limit of {opt.max_time_s:g} s reached")
        if solver is None:
            solver = fact(jacobian(x))
            factorizations += 1
            stale = False
            if solver is None:
                return NewtonOutcome(x, False, it, tuple(norms), "the Jacobian is singular", singular=True)
        dx = solver(-f)
        if dx is None:
            if stale:
                solver = None
                continue
            return NewtonOutcome(x, False, it, tuple(norms), "the Jacobian is singular", singular=True)
        step = 1.0 if max_step is None else min(1.0, max_step(x, dx))
        merit = 0.5 * float(np.sum(f * f))  # not f @ f: threaded BLAS waits for busy cores
        accepted = False
        while step >= opt.min_step:
            x_new = x + step * dx
            f_new = residual(x_new)
            if np.all(np.isfinite(f_new)):
                merit_new = 0.5 * float(np.sum(f_new * f_new))
                if merit_new <= (1.0 - 2.0 * opt.armijo * step) * merit:
                    accepted = True
                    break
            step *= 0.5
            if stale:
                break  # an old factorisation: refresh it rather than searching along a poor direction
        if not accepted:
            if stale:
                solver = None
                continue
            return NewtonOutcome(x, False, it, tuple(norms), "line search failed: no descent direction")
        it += 1
        x, f = x_new, f_new
        norms.append(float(np.max(np.abs(f))) if f.size else 0.0)
        if step < 1.0 or norms[-1] > opt.reuse_ratio * norms[-2]:
            solver = None  # slow progress: a fresh Jacobian next step
        else:
            stale = True
    if norms[-1] <= opt.tolerance:
        return NewtonOutcome(x, True, it, tuple(norms), "converged", extra={"factorizations": factorizations})
    return NewtonOutcome(x, False, it, tuple(norms), f"no convergence in {opt.max_iterations} iterations")
