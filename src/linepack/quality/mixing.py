r"""Steady mixing: the gas at every node from the flows, as one sparse linear solve.

With ``y_i`` the mass fractions of the K source gases at node i, the mass of each source gas balances at
every node that gas flows into (complete mixing at the node):

.. math:: F_i\,y_i - \sum_{e \to i} |q_e|\,y_{up(e)} = \sum_{s \in i} m_s\,y_s,
          \qquad F_i = \sum_{e \to i} |q_e| + \sum_{s \in i} m_s

where the sums run over the edges whose flow enters node i (from their upstream node ``up(e)``) and the
sources at i with a positive supply ``m_s``. Outflows (pipes leaving, demands, compressor fuel) leave with
the node's gas and do not change it. The system is sparse with the pattern of the network; on a steady flow
without circulating loops it is triangular in flow order. Nodes that no gas flows into ("stagnant": no
inflow within ``1e-12`` of the largest) take the mean of their neighbours (a discrete harmonic extension);
stagnant parts with no flowing neighbour take the fallback gas.

Every edge carries the gas of its upstream node. For the hydraulic properties of nearly still pipes the
upstream choice is blended over ``|q| < q_smooth``: ``y_e = theta y_from + (1 - theta) y_to`` with the cubic
``theta = 1/2 + 3/4 s - 1/4 s^3``, ``s = q / q_smooth``, so that properties are continuous (with their slope)
when a flow reverses; beyond the band an edge carries exactly its upstream gas. Node compositions always use
the exact flows.

Every component (the 21 AGA8 components, or the K gases) is conserved at every flowing node to the
precision of the sparse solve (about 1e-15 relative).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclass(frozen=True)
class Mix:
    """Gas mass fractions at nodes and edges.

    Attributes:
        y_node: (n_nodes, K) mass fractions of the source gases at every node.
        y_edge: (n_edges, K) the gas each edge carries (its upstream node's; blended near zero flow).
        inflow_kg_s: total mass inflow F_i into every node (edges and sources) [kg/s].
        stagnant: nodes that no gas flows into.
    """

    y_node: F64
    y_edge: F64
    inflow_kg_s: F64
    stagnant: NDArray[np.bool_]


def upwind_blend(q: F64, q_smooth: F64 | float) -> F64:
    """theta of the edge gas ``theta y_from + (1 - theta) y_to``: 1 for q >= q_smooth, 0 for q <= -q_smooth, and
    in between the cubic 1/2 + 3/4 s - 1/4 s^3 of s = q / q_smooth, continuous with its slope (a number, or one per
    edge; 0: the sharp upwind choice). Outside the band the edge carries exactly its upstream gas."""
    q = np.asarray(q, dtype=float)
    qs = np.broadcast_to(np.asarray(q_smooth, dtype=float), q.shape)
    sharp = np.where(q > 0, 1.0, np.where(q < 0, 0.0, 0.5))
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.clip(q / qs, -1.0, 1.0)
    smooth = 0.5 + 0.75 * s - 0.25 * s**3
    return np.asarray(np.where(qs > 0.0, smooth, sharp))


def mix_nodes(
    n_nodes: int,
    edge_from: I64,
    edge_to: I64,
    q_kg_s: F64,
    source_node: I64,
    source_supply_kg_s: F64,
    source_y: F64,
    fallback_y: F64,
    q_smooth: F64 | float = 0.0,
) -> Mix:
    """The gas at every node and edge for the edge flows ``q_kg_s`` and source supplies (see the module docstring).

    Args:
        n_nodes: number of nodes.
        edge_from, edge_to: end nodes of every edge (flow positive from ``from`` to ``to``).
        q_kg_s: mass flow of every edge [kg/s].
        source_node: node of every source.
        source_supply_kg_s: supply of every source [kg/s] (negative values, a source taking gas back, add nothing).
        source_y: (n_sources, K) gas mass fractions of every source.
        fallback_y: (K,) gas of stagnant parts with no flowing neighbour.
        q_smooth: flow [kg/s] over which an edge's gas changes from one end's to the other's when it reverses (a
            number or one per edge).
    """
    q = np.asarray(q_kg_s, dtype=float)
    K = source_y.shape[1] if source_y.ndim == 2 else len(fallback_y)
    qp, qn = np.maximum(q, 0.0), np.maximum(-q, 0.0)
    rows = np.concatenate([edge_to, edge_from])
    cols = np.concatenate([edge_from, edge_to])
    vals = np.concatenate([qp, qn])
    supply = np.maximum(np.asarray(source_supply_kg_s, dtype=float), 0.0)
    S = np.zeros((n_nodes, K))
    np.add.at(S, source_node, supply[:, None] * source_y)
    src_in = np.bincount(source_node, weights=supply, minlength=n_nodes).astype(float)
    F: F64 = np.bincount(rows, weights=vals, minlength=n_nodes).astype(float) + src_in
    scale = float(np.max(F, initial=0.0))
    stagnant = 1e-12 * scale >= F if scale > 0 else np.ones(n_nodes, dtype=bool)
    fallback = np.asarray(fallback_y, dtype=float)
    if not np.any(stagnant):
        # every node takes in gas: F_i y_i - sum_in |q| y_upstream = S_i, assembled in one pass (no stagnant part)
        diag = np.arange(n_nodes)
        M = sp.csc_matrix(
            (np.concatenate([F, -vals]), (np.concatenate([diag, rows]), np.concatenate([diag, cols]))),
            shape=(n_nodes, n_nodes),
        )
        y = _normalised(_lu_solve(M, S, F), fallback)
    else:
        B = sp.csr_matrix((vals, (rows, cols)), shape=(n_nodes, n_nodes))
        y = _solve(n_nodes, edge_from, edge_to, B, F, S, stagnant, fallback)
    theta = upwind_blend(q, q_smooth)[:, None]
    y_edge = theta * y[edge_from] + (1.0 - theta) * y[edge_to]
    return Mix(y, y_edge, F, stagnant)


def _solve(
    n: int,
    ef: I64,
    et: I64,
    B: sp.csr_matrix,
    F: F64,
    S: F64,
    stagnant: NDArray[np.bool_],
    fallback: F64,
) -> F64:
    flowing = ~stagnant
    # stagnant nodes: harmonic extension over all their edges; parts without a flowing neighbour: fallback gas
    adj = sp.csr_matrix((np.ones(2 * len(ef)), (np.concatenate([ef, et]), np.concatenate([et, ef]))), shape=(n, n))
    adj.data[:] = 1.0
    fixed = np.zeros(n, dtype=bool)
    if np.any(stagnant):
        st_idx = np.flatnonzero(stagnant)
        sub = adj[st_idx][:, st_idx]
        n_comp, label = connected_components(sub, directed=False)
        touches = np.asarray(adj[st_idx][:, np.flatnonzero(flowing)].sum(axis=1)).ravel() > 0
        anchored = np.zeros(n_comp, dtype=bool)
        anchored[label[touches]] = True
        fixed[st_idx[~anchored[label]]] = True
    harmonic = stagnant & ~fixed
    deg = np.asarray(adj.sum(axis=1)).ravel()
    diag = np.where(flowing, F, np.where(harmonic, deg, 1.0))
    off_flow = sp.diags(flowing.astype(float)) @ B
    off_harm = sp.diags(harmonic.astype(float)) @ adj
    M = (sp.diags(diag) - off_flow - off_harm).tocsc()
    rhs = np.where(flowing[:, None], S, 0.0)
    rhs[fixed] = fallback
    return _normalised(_lu_solve(M, rhs, diag, adj, deg), fallback)


def _lu_solve(M: sp.csc_matrix, rhs: F64, diag: F64, adj: sp.csr_matrix | None = None, deg: F64 | None = None) -> F64:
    """``M y = rhs``; a circulating loop that no gas enters leaves ``M`` singular (its gas is undefined): it is then
    mixed with its neighbours by a 1e-12 graph-Laplacian term."""
    try:
        return np.asarray(spla.splu(M).solve(rhs))
    except RuntimeError:
        if adj is None:
            n = M.shape[0]
            coo = M.tocoo()
            off = coo.row != coo.col
            adj = sp.csr_matrix((np.ones(int(off.sum())), (coo.row[off], coo.col[off])), shape=(n, n))
            adj = ((adj + adj.T) > 0).astype(float).tocsr()
            deg = np.asarray(adj.sum(axis=1)).ravel()
        reg = 1e-12 * float(np.max(diag))
        M2 = (M + reg * (sp.diags(deg) - adj)).tocsc()
        return np.asarray(spla.splu(M2).solve(rhs))


def _normalised(y: F64, fallback: F64) -> F64:
    """Mass fractions clipped at 0 and summing to 1 (the fallback gas where nothing is left)."""
    y = np.clip(y, 0.0, None)
    total = y.sum(axis=1, keepdims=True)
    return np.asarray(np.where(total > 0, y / np.where(total > 0, total, 1.0), fallback[None, :]))


def node_balance(
    mix: Mix,
    edge_from: I64,
    edge_to: I64,
    q_kg_s: F64,
    source_node: I64,
    source_supply_kg_s: F64,
    source_y: F64,
    component_mass_fraction: F64,
) -> F64:
    """Relative imbalance of every component at every flowing node: |sum in - F_i w_i| / F_i, shape (n, C).

    ``component_mass_fraction`` (K, C) converts gas mass fractions to component mass fractions (use the identity
    for the K gases themselves, or :attr:`GasSet.component_mass_fraction` for the 21 components)."""
    n = len(mix.inflow_kg_s)
    q = np.asarray(q_kg_s, dtype=float)
    c_node = mix.y_node @ component_mass_fraction
    into = np.zeros((n, component_mass_fraction.shape[1]))
    fwd, back = q > 0, q < 0
    np.add.at(into, edge_to[fwd], q[fwd, None] * c_node[edge_from[fwd]])
    np.add.at(into, edge_from[back], -q[back, None] * c_node[edge_to[back]])
    supply = np.maximum(np.asarray(source_supply_kg_s, dtype=float), 0.0)
    np.add.at(into, source_node, supply[:, None] * (source_y @ component_mass_fraction))
    flowing = ~mix.stagnant
    out = np.zeros_like(into)
    F = mix.inflow_kg_s[flowing, None]
    out[flowing] = np.abs(into[flowing] - F * c_node[flowing]) / F
    return out
