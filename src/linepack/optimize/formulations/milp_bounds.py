"""Bound tightening of flows and squared pressures before the piecewise-linear pipe law is laid out (MILP).

The breakpoints of ``q|q|`` are spread over each pipe's flow range (:mod:`.milp`), and the interpolation error
of a segment of width ``h`` is ``K h^2/4``, or ``K h q`` at a flow ``q`` much smaller than ``h`` (the chord
through 0). A pipe whose range is taken from its end nodes' own limits alone (say 1-85 barg) but whose flow is
a fraction of a kg/s (a low-pressure distribution zone behind a control valve, GasLib-582's 90 nodes at 2-4.1
bar) then gets a pressure loss ten times its true one, more than its zone's whole pressure window, and a
feasible nomination is declared infeasible. Feasibility-based bound tightening (interval propagation, repeated
to a fixed point or ``rounds``) narrows the ranges first:

* node balance: ``A q = demand - supply - shed + fuel`` at every node bounds each edge's flow by the others'
  (a leaf sink's pipe carries exactly its demand; a tree zone's pipes their subtree's demand);
* pipe law ``pi_i - E pi_j = K q|q|`` (``phi = q|q|`` is increasing): ``pi_j`` within ``(pi_i - K phi(q))/E``
  and ``pi_i`` within ``E pi_j + K phi(q)`` over the intervals; and back to ``q`` (``K phi(q)`` within
  ``[lo_i - E hi_j, hi_i - E lo_j]``);
* ties (short pipes, valves open by the data, open control valves, bypassed stations): equal squared pressures.

Every bound is implied by the MILP's own constraints (frozen ``K`` and ``E``), so no point of the model is cut
off; the tightened ranges only place the breakpoints where the flows can be. Vectorised over edges and nodes
(numpy scatter-min/max), a few dozen sweeps on GasLib-582.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclass(frozen=True)
class Bounds:
    """Per-unit intervals: squared node pressures ``pi`` and edge flows ``q``."""

    pi_lo: F64
    pi_hi: F64
    q_lo: F64
    q_hi: F64
    sweeps: int


def _phi(q: F64) -> F64:
    return q * np.abs(q)


def _phi_inv(v: F64) -> F64:
    return np.sign(v) * np.sqrt(np.abs(v))


def tighten(
    incidence: sp.spmatrix,
    net_lo: F64,
    net_hi: F64,
    pi_lo: F64,
    pi_hi: F64,
    q_lo: F64,
    q_hi: F64,
    res_edge: I64,
    res_from: I64,
    res_to: I64,
    K: F64,
    E: F64,
    tie_from: I64,
    tie_to: I64,
    rounds: int = 200,
    rtol: float = 1e-9,
) -> Bounds:
    """Interval propagation to a fixed point (see the module docstring).

    ``incidence`` (nodes x edges, the MILP's ``A`` of ``A q = net``), ``net_lo``/``net_hi``: the interval of each
    node's right-hand side (demand - supply - shed + fuel); ``pi_*``, ``q_*``: the starting intervals (finite);
    ``res_*``: resistive edges (index, from node, to node) with their ``K`` and ``E``; ``tie_*``: node pairs held
    at equal pressure. Infeasible intervals are left crossed (lo > hi): the MILP then reports the infeasibility."""
    A = sp.coo_matrix(incidence)
    rows, cols, a = A.row.astype(np.int64), A.col.astype(np.int64), A.data.astype(float)
    n = len(pi_lo)
    pl, ph, ql, qh = (np.asarray(v, dtype=float).copy() for v in (pi_lo, pi_hi, q_lo, q_hi))
    Kp = np.maximum(K, 1e-300)
    sweeps = 0
    while sweeps < rounds:
        sweeps += 1
        old = np.concatenate([pl, ph, ql, qh])
        # node balance: a_ne q_e = net_n - sum_{k != e} a_nk q_k
        t_lo = np.where(a > 0, a * ql[cols], a * qh[cols])  # interval of each term a_nk q_k
        t_hi = np.where(a > 0, a * qh[cols], a * ql[cols])
        s_lo = np.bincount(rows, t_lo, minlength=n)
        s_hi = np.bincount(rows, t_hi, minlength=n)
        r_lo = net_lo[rows] - (s_hi[rows] - t_hi)  # interval of a_ne q_e
        r_hi = net_hi[rows] - (s_lo[rows] - t_lo)
        e_lo = np.where(a > 0, r_lo / a, r_hi / a)
        e_hi = np.where(a > 0, r_hi / a, r_lo / a)
        np.maximum.at(ql, cols, e_lo)
        np.minimum.at(qh, cols, e_hi)
        # pipe law
        if len(res_edge):
            i, j, e = res_from, res_to, res_edge
            f_lo, f_hi = Kp * _phi(ql[e]), Kp * _phi(qh[e])
            # q from the pressures
            ql[e] = np.maximum(ql[e], _phi_inv((pl[i] - E * ph[j]) / Kp))
            qh[e] = np.minimum(qh[e], _phi_inv((ph[i] - E * pl[j]) / Kp))
            # pressures from the law
            np.maximum.at(pl, j, (pl[i] - f_hi) / E)
            np.minimum.at(ph, j, (ph[i] - f_lo) / E)
            np.maximum.at(pl, i, E * pl[j] + f_lo)
            np.minimum.at(ph, i, E * ph[j] + f_hi)
        # ties: equal squared pressures
        if len(tie_from):
            lo_t = np.maximum(pl[tie_from], pl[tie_to])
            hi_t = np.minimum(ph[tie_from], ph[tie_to])
            np.maximum.at(pl, tie_from, lo_t)
            np.maximum.at(pl, tie_to, lo_t)
            np.minimum.at(ph, tie_from, hi_t)
            np.minimum.at(ph, tie_to, hi_t)
        new = np.concatenate([pl, ph, ql, qh])
        scale = np.maximum(np.abs(old), 1.0)
        if np.all(np.abs(new - old) <= rtol * scale) or np.any(pl > ph + 1e-6 * np.maximum(ph, 1e-3)):
            break
    return Bounds(pl, ph, ql, qh, sweeps)
