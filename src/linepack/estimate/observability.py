"""Observability: which boundary parameters and which parts of the network a meter set determines.

The estimate is determined when the weighted measurement Jacobian with respect to the parameters,
``A = W^1/2 (dh/dx dx/dtheta + dh/dtheta)``, has full column rank. A direction ``v`` in its null space is
a change of the parameters that no meter sees: its parameters cannot be told apart, and every pressure or
flow that ``dx/dtheta v`` moves is undetermined. Redundancy of each meter follows from the residual
covariance after the estimate (:mod:`.baddata`): a meter with none is *critical* (its error cannot be seen).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork
from ..errors import InputError
from .parameters import BoundaryParameters, ParamKind

F64 = NDArray[np.float64]

RANK_TOL = 1e-9  # singular values below this fraction of the largest count as zero


@dataclass(frozen=True)
class Observability:
    """The outcome of the rank test: ``null`` holds the unseen directions (scaled parameters) as columns."""

    rank: int
    n_params: int
    singular_values: F64
    null: F64  # n_params x (n_params - rank)
    unobservable_params: tuple[int, ...]
    undetermined_nodes: tuple[str, ...]
    undetermined_edges: tuple[str, ...]
    groups: tuple[tuple[int, ...], ...]  # the parameters of each unseen direction

    @property
    def observable(self) -> bool:
        return self.rank == self.n_params


def analyse(
    a: F64, sens: F64, params: BoundaryParameters, cn: CompiledNetwork, p_ref: float, m_ref: float
) -> Observability:
    """Rank test of the weighted, column-scaled Jacobian ``a`` (meters x parameters); ``sens`` is dx/dtheta in
    physical units (rows: node pressures, then edge flows, then the rest) at the same point."""
    n_p = params.n
    if a.shape[0] == 0:
        s = np.zeros(0)
        vt = np.eye(n_p)
    else:
        _, s, vt = np.linalg.svd(a, full_matrices=True)
    tol = RANK_TOL * (float(s[0]) if len(s) else 1.0)
    rank = int(np.sum(s > tol))
    null = vt[rank:].T  # n_p x k
    groups: list[tuple[int, ...]] = []
    unobs: set[int] = set()
    if null.shape[1]:
        # a basis whose vectors each involve few parameters: reduced row echelon form of the null space
        basis = _sparse_basis(null)
        for v in basis.T:
            members = tuple(int(i) for i in np.flatnonzero(np.abs(v) > 1e-6 * np.max(np.abs(v))))
            groups.append(members)
            unobs.update(members)
    moved = np.abs(sens[:, :n_p] * params.scale[None, :]) @ np.abs(null) if null.shape[1] else np.zeros((len(sens), 0))
    n, m = cn.n_nodes, cn.n_edges
    move = moved.max(axis=1) if moved.shape[1] else np.zeros(len(sens))
    nodes = tuple(cn.node_ids[i] for i in np.flatnonzero(move[:n] > 1e-7 * p_ref))
    edges = tuple(cn.edge_ids[e] for e in np.flatnonzero(move[n : n + m] > 1e-7 * m_ref))
    return Observability(rank, n_p, s, null, tuple(sorted(unobs)), nodes, edges, tuple(groups))


def _sparse_basis(null: F64) -> F64:
    """A basis of the column space of ``null`` in reduced echelon form (pivots on the largest entries)."""
    b = null.T.copy()  # k x n
    k = b.shape[0]
    for r in range(k):
        col = int(np.argmax(np.abs(b[r])))
        b[r] /= b[r, col]
        for o in range(k):
            if o != r:
                b[o] -= b[o, col] * b[r]
    b[np.abs(b) < 1e-10] = 0.0
    return b.T


def _fix(params: BoundaryParameters, cn: CompiledNetwork, i: int) -> str:
    kind, el = ParamKind(int(params.kind[i])), int(params.element[i])
    if kind == ParamKind.DEMAND:
        return f"a flow meter at sink {cn.sink_ids[el]}"
    if kind == ParamKind.INFLOW:
        return f"a flow meter at source {cn.source_ids[el]}"
    if kind == ParamKind.SOURCE_PRESSURE:
        return f"a pressure meter at node {cn.node_ids[cn.source_node[el]]}"
    if kind == ParamKind.COMP_TARGET:
        e = cn.comp_edge[el]
        return f"a discharge pressure (or flow) meter at station {cn.edge_ids[e]}"
    e = cn.reg_edge[el]
    return f"an outlet pressure meter at regulator {cn.edge_ids[e]}"


def unobservable_error(
    obs: Observability, params: BoundaryParameters, cn: CompiledNetwork, meter_set: str
) -> InputError:
    """The error naming what the meters leave open and what would close it."""
    lines = [f"meter set {meter_set} does not determine the state of scenario {cn.scenario} "
             f"(rank {obs.rank} of {obs.n_params} boundary values):"]
    for g in obs.groups:
        names = [params.names[i] for i in g]
        if len(g) == 1:
            lines.append(f"no meter depends on {names[0]}; add {_fix(params, cn, g[0])}")
        else:
            lines.append(f"the meters see only a combination of {', '.join(names)} (they can change together "
                         f"unseen); add {_fix(params, cn, g[0])}")
    if obs.undetermined_nodes:
        lines.append(f"pressures not determined at {_names(obs.undetermined_nodes)}")
    if obs.undetermined_edges:
        lines.append(f"flows not determined in {_names(obs.undetermined_edges)}")
    lines.append("or give pseudo-measurements for what is not metered (estimate_steady(pseudo=...), "
                 "linepack estimate --pseudo)")
    return InputError(lines)


def _names(ids: tuple[str, ...], limit: int = 12) -> str:
    head = ", ".join(ids[:limit])
    return head + (f" and {len(ids) - limit} more" if len(ids) > limit else "")
