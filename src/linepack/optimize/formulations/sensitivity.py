"""Marginal values of the reported objective, from the sensitivity of the NLP's optimum (KKT system).

IPOPT's multipliers are derivatives of the objective it minimises, which holds, besides the problem's own
objective (fuel, cost, penalty of shedding...), modelling terms that are not prices: the weight that keeps a
pressure-limited source at its nomination (100 kg/s of fuel per kg/s short), tie-breaks that make the optimum
unique. A multiplier on a limit that such a term touches is that term's weight, not the value of loosening the
limit. The value of loosening a limit is the derivative of the *reported* objective along the path of optima as
the limit moves: with the active constraints ``A`` (equalities, inequalities and bounds with a multiplier) and
the Hessian ``H`` of the Lagrangian at the optimum,

``[H A^T; A 0] [dx; dnu] = [0; e_k]``,  value = -grad(reported objective) . dx

for the limit ``k`` loosened by one (scaled) unit (Fiacco 1976, "Sensitivity analysis for nonlinear
programming using penalty methods", Math. Programming 10; the same system sIPOPT solves). One sparse
factorisation serves every limit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import NDArray

F64 = NDArray[np.float64]


def _scipy(m: Any) -> sp.csc_matrix:
    return sp.csc_matrix(m.sparse()) if hasattr(m, "sparse") else sp.csc_matrix(np.asarray(m))


def reported_marginals(model: Any, raw: Any) -> F64:
    """Per binding entry of ``raw`` (a :class:`~linepack.optimize.formulations.nlp.RawSolution`): the improvement
    of the reported objective [raw units, SI per second] per physical unit the limit is loosened (NaN where the
    sensitivity system is singular)."""
    import casadi as ca

    refs = raw.binding_refs
    out = np.full(len(refs), np.nan)
    if not refs:
        return out
    X, par, f, g, rep = model.symbols
    if model.sensitivity_fn is None:
        lam = ca.SX.sym("lam_g", g.shape[0])
        hess, _ = ca.hessian(f + ca.dot(lam, g), X)
        model.sensitivity_fn = ca.Function(
            "sens", [X, par, lam], [hess, ca.jacobian(g, X), ca.gradient(rep, X)]
        )
    H, J, grad = model.sensitivity_fn(raw.x, raw.par, raw.lam_g)
    H, J = _scipy(H), sp.csr_matrix(_scipy(J))
    grad = np.asarray(grad).ravel()
    nx = len(raw.x)
    lam_in = raw.lam_g[model.n_eq :]
    big = max(float(np.max(np.abs(raw.lam_g), initial=0.0)), float(np.max(np.abs(raw.lam_x), initial=0.0)), 1e-300)
    thr = 1e-9 * big
    rows_g = np.concatenate([np.arange(model.n_eq), model.n_eq + np.flatnonzero(np.abs(lam_in) > thr)])
    fixed = (model.lbx == model.ubx) | (np.abs(raw.lam_x) > thr)
    rows_x = np.flatnonzero(fixed)
    A = sp.vstack([J[rows_g], sp.csr_matrix((np.ones(len(rows_x)), (np.arange(len(rows_x)), rows_x)),
                                            shape=(len(rows_x), nx))]).tocsc()  # fmt: skip
    m = A.shape[0]
    reg = 1e-12 * max(1.0, float(abs(H).max()) if H.nnz else 1.0)
    K = sp.bmat([[H + reg * sp.identity(nx), A.T], [A, -reg * sp.identity(m)]], format="csc")
    pos_g = {int(r): i for i, r in enumerate(rows_g)}
    pos_x = {int(r): len(rows_g) + i for i, r in enumerate(rows_x)}
    rhs = np.zeros((nx + m, len(refs)))
    usable = np.zeros(len(refs), dtype=bool)
    for j, (kind, idx, side) in enumerate(refs):
        row = pos_g.get(model.n_eq + idx) if kind == "g" else pos_x.get(idx)
        if row is None:
            continue
        # loosening by one scaled unit: g_k >= -1 (inequalities g >= 0), x_i = ub + 1 or lb - 1
        rhs[nx + row, j] = -1.0 if kind == "g" else float(side)
        usable[j] = True
    try:
        sol = spla.splu(K).solve(rhs)
    except RuntimeError:
        return out
    dx = sol[:nx]
    values = -(grad @ dx)
    ok = usable & np.all(np.isfinite(dx), axis=0)
    bounds = [model.ineq_bounds[idx] if kind == "g" else (model.xb_hi[idx] if side > 0 else model.xb[idx])
              for kind, idx, side in refs]  # fmt: skip
    to_phys = np.array([b.to_physical if b is not None else np.nan for b in bounds])
    out[ok] = values[ok] / to_phys[ok]
    return out
