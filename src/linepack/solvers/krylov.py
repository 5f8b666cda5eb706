"""Right-preconditioned restarted GMRES for the Newton systems (Saad 2003, Iterative Methods for Sparse
Linear Systems, 2nd ed., algorithm 9.5).

Used two ways by :mod:`.linear`: with the factorisation of an earlier Newton iteration as the preconditioner
(the step stays the exact Newton step, to the tolerance, while the factorisation is reused), and with the
Cholesky factor of the symmetric part of a nearly symmetric system (the squared-pressure Schur complement
of passive networks, :mod:`.passive`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class KrylovResult:
    x: F64 | None  # None when not converged (or the preconditioner failed)
    iterations: int
    residual: float  # final ||b - A x|| / ||b||


def gmres(
    matvec: Callable[[F64], F64],
    precond: Callable[[F64], F64 | None],
    b: F64,
    rtol: float = 1e-12,
    max_iterations: int = 30,
    restart: int = 30,
    x0: F64 | None = None,
    accept_rtol: float | None = None,
) -> KrylovResult:
    """Solve ``A x = b`` with ``A`` given by ``matvec`` and ``precond ~ A^-1`` applied on the right.

    Stops when ``||b - A x|| <= rtol ||b||`` (the true residual is checked at the end of every cycle). When the
    residual stagnates above ``rtol`` (on an ill-conditioned system a direct solve itself leaves ~1e-10 at a
    million unknowns), the iterate is still returned if its residual is below ``accept_rtol``.
    """
    bnorm = float(np.sqrt(np.sum(b * b)))
    if bnorm == 0.0:
        return KrylovResult(np.zeros_like(b), 0, 0.0)
    x = np.zeros_like(b) if x0 is None else x0.copy()
    r = b - matvec(x) if x0 is not None else b.copy()
    total = 0
    beta = float(np.sqrt(np.sum(r * r)))
    while total < max_iterations:
        if beta <= rtol * bnorm:
            return KrylovResult(x, total, beta / bnorm)
        m = min(restart, max_iterations - total)
        V = np.empty((m + 1, len(b)))
        Z = np.empty((m, len(b)))
        H = np.zeros((m + 1, m))
        cs, sn = np.zeros(m), np.zeros(m)
        g = np.zeros(m + 1)
        g[0] = beta
        V[0] = r / beta
        k_done = 0
        for k in range(m):
            z = precond(V[k])
            if z is None:
                return KrylovResult(None, total, beta / bnorm)
            Z[k] = z
            w = matvec(z)
            for i in range(k + 1):  # modified Gram-Schmidt
                H[i, k] = float(np.sum(w * V[i]))
                w = w - H[i, k] * V[i]
            H[k + 1, k] = float(np.sqrt(np.sum(w * w)))
            if H[k + 1, k] > 0.0:
                V[k + 1] = w / H[k + 1, k]
            for i in range(k):  # apply the earlier Givens rotations
                t = cs[i] * H[i, k] + sn[i] * H[i + 1, k]
                H[i + 1, k] = -sn[i] * H[i, k] + cs[i] * H[i + 1, k]
                H[i, k] = t
            den = float(np.hypot(H[k, k], H[k + 1, k]))
            cs[k], sn[k] = (1.0, 0.0) if den == 0.0 else (H[k, k] / den, H[k + 1, k] / den)
            H[k, k] = cs[k] * H[k, k] + sn[k] * H[k + 1, k]
            H[k + 1, k] = 0.0
            g[k + 1] = -sn[k] * g[k]
            g[k] = cs[k] * g[k]
            total += 1
            k_done = k + 1
            if abs(g[k + 1]) <= 0.1 * rtol * bnorm or H[k, k] == 0.0:
                break
        if k_done == 0:
            break
        y = np.linalg.solve(np.triu(H[:k_done, :k_done]), g[:k_done]) if k_done > 1 else g[:1] / H[0, 0]
        x = x + y @ Z[:k_done]
        r = b - matvec(x)
        beta_prev, beta = beta, float(np.sqrt(np.sum(r * r)))
        if not np.isfinite(beta):
            return KrylovResult(None, total, float("inf"))
        if accept_rtol is not None and beta > rtol * bnorm and beta > 0.5 * beta_prev and beta <= accept_rtol * bnorm:
            return KrylovResult(x, total, beta / bnorm)  # stagnating at the level of round-off
    ok = beta <= rtol * bnorm or (accept_rtol is not None and beta <= accept_rtol * bnorm)
    return KrylovResult(x if ok else None, total, beta / bnorm)
