"""Measurement functions: maps from the solver's state to each meter's reading, with their Jacobian.

For a meter set bound on the whole-pipe network, ``h(x, theta)`` reads the unknowns of the steady system
(or of the transient system on the segmented network: a pipe's flow at its from-end is its first segment,
at its to-end its last one):

* a node pressure is the node's unknown ``p``;
* an element's flow is its unknown ``q``;
* a source's supply is its unknown ``s`` when it holds a pressure, else its inflow parameter;
* a sink's delivery is its demand parameter;
* a compressor's shaft power is the solver's power function of suction and discharge pressure and flow
  (Z at suction included), with its analytic derivatives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from ..solvers.equations import SteadySystem
from ..transient.discretise import SegmentedNetwork
from .meters import BoundMeters, MeterKind
from .parameters import BoundaryParameters, ParamKind

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclass(frozen=True)
class MeasurementModel:
    """Where each meter reads in the unknowns of one system (``column`` of x, or -1) or in theta."""

    bound: BoundMeters
    column: I64  # column of x in physical units (p, q, s), -1 where the reading is not an unknown of x
    theta: I64  # parameter read directly (sink demand, source inflow), -1 otherwise
    comp: I64  # compressor for power meters, -1 otherwise
    constant: F64  # a fixed value (a source with no parameter), NaN otherwise

    @staticmethod
    def build(
        bound: BoundMeters, sys: SteadySystem, params: BoundaryParameters, seg: SegmentedNetwork | None = None
    ) -> MeasurementModel:
        """The model on ``sys``: the steady system of ``bound.cn`` itself, or (``seg`` given) the transient system of
        its segmented network."""
        n, m = sys.n, sys.m
        k = bound.n
        column = np.full(k, -1, dtype=np.int64)
        theta = np.full(k, -1, dtype=np.int64)
        comp = np.full(k, -1, dtype=np.int64)
        const = np.full(k, np.nan)
        src_pos = np.full(len(bound.cn.source_ids), -1, dtype=np.int64)
        src_pos[sys.psrc] = np.arange(len(sys.psrc))
        param_of = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(params.kind, params.element, strict=True))}
        for i, (kind, idx, end) in enumerate(zip(bound.kind.tolist(), bound.index.tolist(), bound.at_end.tolist(),
                                                 strict=True)):
            if kind == MeterKind.NODE_PRESSURE:
                column[i] = idx
            elif kind == MeterKind.EDGE_FLOW:
                if seg is None:
                    column[i] = n + idx
                elif idx < seg.n_pipes:
                    first = int(seg.pipe_seg_start[idx])
                    column[i] = n + (first + int(seg.pipe_nseg[idx]) - 1 if end else first)
                else:
                    column[i] = n + int(seg.edge_map[idx])
            elif kind == MeterKind.SOURCE_FLOW:
                if src_pos[idx] >= 0:
                    column[i] = n + m + src_pos[idx]
                elif (ParamKind.INFLOW, idx) in param_of:
                    theta[i] = param_of[(ParamKind.INFLOW, idx)]
                else:
                    const[i] = float(sys.state.src_inflow[idx])
            elif kind == MeterKind.SINK_FLOW:
                theta[i] = param_of[(ParamKind.DEMAND, idx)]
            else:
                comp[i] = idx
        return MeasurementModel(bound, column, theta, comp, const)

    def evaluate(
        self, sys: SteadySystem, p: F64, q: F64, s: F64, theta: F64, jacobian: bool = True
    ) -> tuple[F64, sp.csr_matrix | None, F64 | None]:
        """``h`` [SI], ``dh/dx`` (sparse, x in physical units) and ``dh/dtheta`` (dense) at the unknowns."""
        xs = np.concatenate([p, q, s])
        k = len(self.column)
        h = np.empty(k)
        col = self.column >= 0
        h[col] = xs[self.column[col]]
        th = self.theta >= 0
        h[th] = theta[self.theta[th]]
        cst = np.isfinite(self.constant)
        h[cst] = self.constant[cst]
        pw = np.flatnonzero(self.comp >= 0)
        rows: list[I64] = [np.flatnonzero(col)]
        cols: list[I64] = [self.column[col]]
        vals: list[F64] = [np.ones(int(col.sum()))]
        if len(pw):
            P, dq, dps, dpd = sys.compressor_power(p, q)
            c = self.comp[pw]
            h[pw] = P[c]
            ce = sys.cn.comp_edge[c]
            n = sys.n
            rows += [pw, pw, pw]
            cols += [sys.cn.edge_from[ce], sys.cn.edge_to[ce], n + ce]
            vals += [dps[c], dpd[c], dq[c]]
        if not jacobian:
            return h, None, None
        hx = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(k, sys.size))
        ht = np.zeros((k, len(theta)))
        ht[np.flatnonzero(th), self.theta[th]] = 1.0
        return h, hx, ht
