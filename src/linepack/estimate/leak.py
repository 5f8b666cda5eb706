"""Leak monitors that ride on the dynamic estimator: compensated mass balance and model-based residuals.

Both work on windows of ``window`` steps and hand one statistic per section and window to the detector
(:mod:`.leakdetect`), which sets thresholds, raises alarms and locates.

**Compensated mass balance** (:class:`BalanceMonitor`): per balance section (:mod:`.sections`) and window,
``I = mean(sum of metered inflows - metered outflows - fuel) - (LP_end - LP_start) / T``, the linepack LP of
the section from the estimator's pressure profile. Its sigma follows from the meters' uncertainty (random
parts averaged over the window, systematic ones not) and the estimate's linepack covariance.

**Model-based residuals** (:class:`SignatureMonitor`): a leak of L kg/s opening at a point c at the start of
a window adds ``L * Gamma_k(c)`` to the filter's innovations, where the signature Gamma follows from the
filter's own matrices (Willsky & Jones 1976, the generalised likelihood ratio for jumps in Kalman
filters)::

    E' = E - e_c / storage_c          (the leak over one step acts as a start-of-step pressure change)
    Gamma = Z E',   E <- Phi E' - K Gamma    (E: the filter's error signature, zero at the window start)

Over the window ``a_c = sum Gamma' S^-1 nu`` and ``b_c = sum Gamma' S^-1 Gamma`` give the leak size estimate
``a_c / b_c`` with sigma ``1 / sqrt(b_c)``, and the log-likelihood ratio ``a_c^2 / (2 b_c)``: its profile over the
candidate points locates the leak, with an interval where it is within ``chi2_1(confidence) / 2`` of its peak.
For detection a leak spread over a section (the candidates' signatures weighted by length) gives
``u = a / sqrt(b)``, standard normal without a leak: the threshold follows from the false-alarm rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..transient.discretise import SegmentedNetwork
from ..transient.gas import pipe_density
from .dynamic import StepInfo
from .meters import BoundMeters, MeterKind
from .sections import Section

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclass
class WindowRecord:
    """Model-based statistics of one window (times from the series start)."""

    t_start_s: float
    t_end_s: float
    u: F64  # per section: standardised statistic of a leak spread over the section
    b_section: F64  # information (1/kg/s^2) of a unit leak spread over the section
    a_cand: F64  # per candidate
    b_cand: F64


@dataclass
class BalanceRecord:
    """Compensated mass balance of one window, per section [kg/s]."""

    t_start_s: float
    t_end_s: float
    imbalance: F64
    sigma: F64


@dataclass
class Candidates:
    """Candidate leak points: grid points of the watched pipes, with their place."""

    point: I64  # point of the estimator's grid
    pipe: I64  # base pipe
    x_m: F64  # position along the pipe
    section: I64  # watched section of each candidate
    weight: F64  # share of its section's length


def candidates(seg: SegmentedNetwork, sections: list[Section], watched: set[int]) -> Candidates:
    """The grid points of the watched pipes (each once; a network node goes to the first watched pipe at it)."""
    seen: dict[int, int] = {}
    point: list[int] = []
    pipe: list[int] = []
    xs: list[float] = []
    sec: list[int] = []
    length: list[float] = []
    sec_of_pipe = {j: s for s, sc in enumerate(sections) for j in sc.pipes}
    for j in sorted(watched):
        a, n = int(seg.pipe_point_start[j]), int(seg.pipe_nseg[j])
        ls = float(seg.base.length_m[j]) / n
        for k in range(n + 1):
            pt = int(seg.pipe_points[a + k])
            share = ls * (0.5 if k in (0, n) else 1.0)
            if pt in seen:
                length[seen[pt]] += share
                continue
            seen[pt] = len(point)
            point.append(pt)
            pipe.append(j)
            xs.append(float(seg.point_x_m[a + k]))
            sec.append(sec_of_pipe.get(j, -1))
            length.append(share)
    sec_arr = np.array(sec, dtype=np.int64)
    lens = np.array(length)
    weight = np.zeros(len(lens))
    for s in np.unique(sec_arr):
        sel = sec_arr == s
        weight[sel] = lens[sel] / lens[sel].sum()
    return Candidates(np.array(point, dtype=np.int64), np.array(pipe, dtype=np.int64), np.array(xs), sec_arr, weight)


class SignatureMonitor:
    """Model-based residuals: leak signatures of every candidate point through the filter (see the module).

    A new set of signatures starts at every window start (the hypothesis "a leak opened then"); each set runs
    for ``keep`` windows, so a leak found in one window is located with the statistics of that window and the
    next ones under the same onset.
    """

    def __init__(self, cands: Candidates, n_sections: int, window: int, keep: int = 4) -> None:
        self.c = cands
        self.n_sections = n_sections
        self.window = window
        self.keep = keep
        self.records: list[WindowRecord] = []
        # per onset window: cumulative (a, b) at the end of each later window
        self.cumulative: dict[int, list[tuple[F64, F64]]] = {}
        self.started = False
        self.steps = 0
        self.window_index = 0
        self.t0 = 0.0
        self.sets: list[tuple[int, F64, F64, F64]] = []  # (onset window, E, a, B)
        nc = len(cands.point)
        self._w = np.zeros((nc, n_sections))
        self._w[np.arange(nc), np.maximum(cands.section, 0)] = np.where(cands.section >= 0, cands.weight, 0.0)

    def step(self, info: StepInfo) -> None:
        tr, up = info.transition, info.update
        nc = len(self.c.point)
        n_z = up.p_new.shape[0]
        if not self.started:  # the first step only opens the first window (as for the mass balance)
            self.started = True
            self.t0 = info.t_s
            return
        if self.steps == 0:
            self.sets.append((self.window_index, np.zeros((n_z, nc)), np.zeros(nc), np.zeros((nc, nc))))
            self.sets = self.sets[-self.keep :]
        storage = info.storage[self.c.point]
        s_nu = up.s_inv @ up.nu
        for _, e, a, b in self.sets:
            e[self.c.point, np.arange(nc)] -= 1.0 / np.maximum(storage, 1e-300)
            gam = up.z_rows @ e
            a += gam.T @ s_nu
            b += gam.T @ (up.s_inv @ gam)
            e[:] = tr.apply_phi(e) - up.gain @ gam
        self.steps += 1
        if self.steps >= self.window:
            _, _, a, b = self.sets[-1]
            w = self._w
            a_s = w.T @ a
            b_s = np.einsum("cs,cd,ds->s", w, b, w)
            u = np.where(b_s > 0, a_s / np.sqrt(np.maximum(b_s, 1e-300)), 0.0)
            self.records.append(WindowRecord(self.t0, info.t_s, u, b_s, a.copy(), np.diag(b).copy()))
            for o, _, a_o, b_o in self.sets:
                self.cumulative.setdefault(o, []).append((a_o.copy(), np.diag(b_o).copy()))
            self.window_index += 1
            self.steps = 0
            self.t0 = info.t_s


class BalanceMonitor:
    """Compensated mass balance per balanceable section (see the module).

    The linepack of each pipe comes from its two end pressures, ``V rho(p_m)`` with the mean pressure of the
    steady profile ``p_m = 2/3 (p1 + p2 - p1 p2 / (p1 + p2))`` (Menon 2005, eq. 2.29), from the meters' readings
    averaged over the last ``average`` steps of each window (the estimate's pressure where a node has no
    pressure meter): independent of the model, whose profile a leak would bend.
    """

    def __init__(self, seg: SegmentedNetwork, sections: list[Section], bound: BoundMeters, window: int,
                 average: int = 5, profile_error: float = 0.15) -> None:
        self.profile_error = profile_error
        self.seg = seg
        sec_of_seg = np.full(seg.n_segments, -1, dtype=np.int64)
        for i, sc in enumerate(sections):
            sec_of_seg[np.isin(seg.seg_pipe, np.array(sc.pipes, dtype=np.int64))] = i
        self.sec_of_seg = sec_of_seg
        self.bound = bound
        self.window = window
        self.average = max(1, min(average, window))
        base = seg.base
        self.sections = sections
        self.pipes = [np.array(sc.pipes, dtype=np.int64) for sc in sections]
        self.volume = np.pi / 4.0 * base.diameter_m[: seg.n_pipes] ** 2 * base.length_m[: seg.n_pipes]
        self.ef, self.et = base.edge_from[: seg.n_pipes], base.edge_to[: seg.n_pipes]
        self.n_nodes = base.n_nodes
        meter_of_node = np.full(base.n_nodes, -1, dtype=np.int64)
        for i in np.flatnonzero(bound.kind == MeterKind.NODE_PRESSURE)[::-1]:
            meter_of_node[bound.index[i]] = i
        self.meter_of_node = meter_of_node
        self.records: list[BalanceRecord] = []
        self.t0 = 0.0
        self.recent: list[tuple[F64, F64, Any]] = []  # (node pressures, their variances) of the last steps
        self._reset()

    def _reset(self) -> None:
        k = self.bound.n
        self.sum = np.zeros(k)
        self.count = np.zeros(k)
        self.var_sum = np.zeros(k)
        self.fuel = np.zeros(len(self.sections))
        self.steps = 0

    def _node_pressures(self, info: StepInfo) -> tuple[F64, F64]:
        """Pressure of every base node: the reading where there is one, else the estimate; and its variance."""
        n0 = self.n_nodes
        p = info.x[:n0].copy()
        var = np.diag(info.update.p_new)[:n0].copy()
        m = self.meter_of_node
        has = m >= 0
        y = info.y[m[has]]
        ok = np.isfinite(y)
        idx = np.flatnonzero(has)[ok]
        p[idx] = y[ok]
        var[idx] = info.r_var[m[has]][ok]
        return p, var

    def _linepack_estimate(self, info: StepInfo) -> tuple[F64, F64]:
        """Section linepack from the estimator's pressure profile (every grid point) and its variance."""
        seg, sys = self.seg, info.sys
        n_p = sys.n
        rho, drho = sys.density(info.x[:n_p])
        cn = seg.cn
        ef, et = cn.edge_from[: seg.n_segments], cn.edge_to[: seg.n_segments]
        half = 0.5 * seg.seg_volume_m3
        n_s = len(self.sections)
        lp = np.bincount(np.maximum(self.sec_of_seg, 0), half * (rho[ef] + rho[et]) * (self.sec_of_seg >= 0),
                         minlength=n_s)
        g = np.zeros((n_s, n_p))
        ok = self.sec_of_seg >= 0
        np.add.at(g, (self.sec_of_seg[ok], ef[ok]), half[ok] * drho[ef[ok]])
        np.add.at(g, (self.sec_of_seg[ok], et[ok]), half[ok] * drho[et[ok]])
        cov = info.update.p_new[:n_p, :n_p]
        return np.asarray(lp, dtype=float), np.sum((g @ cov) * g, axis=1)

    def _linepack(self) -> tuple[F64, F64]:
        ps = np.array([r[0] for r in self.recent])
        vs = np.array([r[1] for r in self.recent])
        sys = self.recent[-1][2]
        p = ps.mean(axis=0)
        var = vs.mean(axis=0) / len(ps)
        p1, p2 = p[self.ef], p[self.et]
        s = p1 + p2
        pm = (2.0 / 3.0) * (s - p1 * p2 / s)
        d1 = (2.0 / 3.0) * (1.0 - (p2 / s) ** 2)
        d2 = (2.0 / 3.0) * (1.0 - (p1 / s) ** 2)
        if sys.props.uniform:
            rho, drho = sys.density(pm)
        else:  # mixed gases: each pipe's own gas
            rho, drho = pipe_density(self.seg, sys.props, pm)
        lp_pipe = self.volume * rho
        g1, g2 = self.volume * drho * d1, self.volume * drho * d2
        lp = np.zeros(len(self.sections))
        lp_var = np.zeros(len(self.sections))
        for i, pipes in enumerate(self.pipes):
            lp[i] = float(np.sum(lp_pipe[pipes]))
            g = np.zeros(self.n_nodes)
            np.add.at(g, self.ef[pipes], g1[pipes])
            np.add.at(g, self.et[pipes], g2[pipes])
            lp_var[i] = float(np.sum(g * g * var))
        return lp, lp_var

    def step(self, info: StepInfo) -> None:
        p, var = self._node_pressures(info)
        self.recent = [*self.recent, (p, var, info.sys)][-self.average :]
        if not hasattr(self, "lp0"):
            self.lp0, self.lp0_var = self._linepack()
            self.lp0_est = self._linepack_estimate(info)[0]
            self.t0 = info.t_s
            return
        y = info.y
        ok = np.isfinite(y)
        self.sum[ok] += y[ok]
        self.count[ok] += 1
        self.var_sum[ok] += info.r_var[ok]
        sys = info.sys
        if len(sys.cn.comp_edge):
            pp, q, _ = sys.split(info.x / sys.xscale)
            power, *_ = sys.compressor_power(pp, q)
            fuel = sys.fuel_factor() * power
            for i, sc in enumerate(self.sections):
                self.fuel[i] += float(np.sum(fuel[list(sc.compressors)]))
        self.steps += 1
        if self.steps >= self.window:
            lp1, var1 = self._linepack()
            lp1_est = self._linepack_estimate(info)[0]
            # the steady profile's error grows with how fast the pipe packs or drafts: a share of the linepack
            # change the estimator's dynamic profile gives (large in fast transients, small in quiet hours)
            profile = (self.profile_error * (lp1_est - self.lp0_est)) ** 2
            mean = np.where(self.count > 0, self.sum / np.maximum(self.count, 1), np.nan)
            var_mean = np.where(self.count > 0, self.var_sum / np.maximum(self.count, 1) ** 2, np.nan)
            t_s = self.steps * info.dt_s
            imb, sd = np.zeros(len(self.sections)), np.zeros(len(self.sections))
            for i, sc in enumerate(self.sections):
                meters = np.array(sc.meters, dtype=np.int64)
                flows = float(np.sum(np.array(sc.signs) * mean[meters]))
                imb[i] = flows - self.fuel[i] / self.steps - (lp1[i] - self.lp0[i]) / t_s
                sd[i] = float(np.sqrt(np.sum(var_mean[meters]) + (var1[i] + self.lp0_var[i] + profile[i]) / t_s**2))
            self.records.append(BalanceRecord(self.t0, info.t_s, imb, sd))
            self.t0 = info.t_s
            self._reset()
            self.lp0, self.lp0_var, self.lp0_est = lp1, var1, lp1_est
