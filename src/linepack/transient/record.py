"""Recording a transient run: per-step series, pipe snapshots and survival times."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ..compile import CompMode
from ..stations.points import running, unit_points
from .discretise import SegmentedNetwork
from .events import Event
from .results import UNIT_SERIES, TransientResult, UnitSeries
from .unit_record import UnitRecorder

if TYPE_CHECKING:
    from .solve import TransientOptions
    from .step import Run

F64 = NDArray[np.float64]


def base_sinks(seg: SegmentedNetwork) -> NDArray[np.int64]:
    """Point of every sink (the base nodes keep their indices in the segmented network)."""
    return np.asarray(seg.base.sink_node, dtype=np.int64)


class Recorder:
    """Collects the per-step series and the pipe snapshots."""

    def __init__(self, seg: SegmentedNetwork, n_t: int, opts: TransientOptions) -> None:
        base = seg.base
        self.seg = seg
        self.t = np.zeros(n_t)
        self.node_p = np.zeros((n_t, base.n_nodes))
        self.q_in = np.zeros((n_t, seg.n_pipes))
        self.q_out = np.zeros((n_t, seg.n_pipes))
        self.edge_q = np.zeros((n_t, base.n_edges))
        self.pipe_lp = np.zeros((n_t, seg.n_pipes))
        self.lp = np.zeros(n_t)
        self.supply = np.zeros((n_t, len(base.source_ids)))
        self.demand = np.zeros((n_t, len(base.sink_ids)))
        self.power = np.zeros((n_t, len(base.comp_edge)))
        self.fuel = np.zeros((n_t, len(base.comp_edge)))
        cs = base.stations
        # unit series: the stations' inputs kept per step, evaluated for all steps at once (unit_record)
        self.units = UnitRecorder(cs, n_t, tuple(UNIT_SERIES)) if cs is not None else None
        self.unit_direct: dict[int, dict[str, F64]] = {}  # steps whose stations an event changed: evaluated at once
        self.iters = np.zeros(n_t, dtype=np.int64)
        self.integral = np.zeros(n_t)
        self.leak = np.zeros(n_t)
        self.snap_t: list[float] = []
        self.snap_p: list[F64] = []
        self.snap_q: list[F64] = []
        self.interval = opts.output_interval_s
        self.next_snap = 0.0
        self.survival = np.where(np.isfinite(base.sink_p_min_pa), np.inf, np.nan)
        self.other = np.arange(seg.n_pipes, base.n_edges)
        self.seg_from = seg.cn.edge_from[: seg.n_segments]
        self.seg_to = seg.cn.edge_to[: seg.n_segments]
        # gas quality (when mixtures are tracked): delivered gas every step, gas balances, point gas at snapshots
        q = seg.cn.quality
        k = q.gas_set.k if q is not None else 0
        self.sink_y = np.zeros((n_t, len(base.sink_ids), k))
        self.holdup = np.zeros((n_t, k))
        self.supplied = np.zeros((n_t, k))
        self.delivered = np.zeros((n_t, k))
        self.burnt = np.zeros((n_t, k))
        self.leaked = np.zeros((n_t, k))
        self.snap_y: list[F64] = []
        self.sinks = base_sinks(seg)
        self.tracked = False

    def record(self, k: int, t: float, run: Run, x: F64, iters: int) -> None:
        seg, sys = self.seg, run.sys
        p, q, _ = sys.split(x)
        n0 = seg.base.n_nodes
        self.t[k] = t
        self.node_p[k] = p[:n0]
        self.q_in[k] = q[seg.pipe_first_segment()]
        self.q_out[k] = q[seg.pipe_last_segment()]
        self.edge_q[k, : seg.n_pipes] = self.q_in[k]
        self.edge_q[k, self.other] = q[seg.edge_map[self.other]]
        if run.gas is not None and run.gas.tracker is not None:
            rho = run.gas.density_old(run.volume)  # the tracked masses: the inventory itself
        else:
            rho, _ = run.sys.density(p)
        seg_lp = 0.5 * seg.seg_volume_m3 * (rho[self.seg_from] + rho[self.seg_to])
        self.pipe_lp[k] = np.bincount(seg.seg_pipe, seg_lp, minlength=seg.n_pipes)
        self.lp[k] = float(np.sum(seg.volume_m3 * rho))
        st = sys.state
        self.supply[k] = run.supply(x)
        self.demand[k] = sys.demand
        if len(run.cn.comp_edge):
            P, *_ = sys.compressor_power(p, q, False)
            active = (st.comp_mode != CompMode.BYPASS) & (st.comp_mode != CompMode.OFF)
            self.power[k] = np.where(active, P, 0.0)
            self.fuel[k] = run.fuel(x)
            if run.cn.stations is not None:
                self._units(k, run, p, q)
        self.iters[k] = iters
        self.integral[k] = run.integral_kg
        self.leak[k] = run.leak_kg_s()
        tracker = run.gas.tracker if run.gas is not None else None
        if tracker is not None:
            self.tracked = True
            self.sink_y[k] = tracker.fractions_at(self.sinks)
            self.holdup[k] = tracker.holdup()
            self.supplied[k] = tracker.supplied
            self.delivered[k] = tracker.delivered
            self.burnt[k] = tracker.burnt
            self.leaked[k] = tracker.leaked
        if t >= self.next_snap - 1e-9 or self.interval == 0:
            self.snap_t.append(t)
            self.snap_p.append(p.copy())
            self.snap_q.append(q[: seg.n_segments].copy())
            if tracker is not None:
                self.snap_y.append(tracker.fractions().copy())
            self.next_snap = t + self.interval
        # survival: a delivery cut off by an event fails at the event; otherwise the first crossing below the
        # minimum delivery pressure (linear between steps)
        for mask, te in run.cut_times:
            self.survival[mask & ~(self.survival < te)] = te
        base = seg.base
        pk = p[base.sink_node]
        below = np.isinf(self.survival) & (pk < base.sink_p_min_pa)
        if np.any(below) and k > 0:
            prev = self.node_p[k - 1, base.sink_node[below]]
            pmin = base.sink_p_min_pa[below]
            frac = np.clip((prev - pmin) / np.maximum(prev - pk[below], 1e-30), 0.0, 1.0)
            self.survival[below] = self.t[k - 1] + frac * (t - self.t[k - 1])
        elif np.any(below):
            self.survival[below] = 0.0

    def _units(self, k: int, run: Run, p: F64, q: F64) -> None:
        """Every unit's operating point at step ``k`` (the station configurations in force): its inputs kept for
        the evaluation of all steps at once, or evaluated now when an event changed the stations."""
        st, cn = run.sys.state, run.cn
        assert self.units is not None
        if cn.stations is self.units.cs:
            self.units.record(k, cn, p, q, st, run.sys.props)
            return
        configs = st.configs(cn)
        pts = unit_points(cn, p, q, st.comp_mode, configs, st.reverse(), run.sys.props)
        if pts is not None and len(pts.unit_ids) == self.units.n_units:
            self.unit_direct[k] = {name: np.asarray(getattr(pts, name), dtype=float) for name in UNIT_SERIES}
            self.units.config[k] = np.where(running(cn, st.comp_mode), configs, -1)

    def result(
        self,
        k_done: int,
        completed: bool,
        message: str,
        events: tuple[Event, ...],
        dt: float,
        wall: float,
        warnings: list[str],
        steady_linepack_kg: float = float("nan"),
        start_note: str = "",
    ) -> TransientResult:
        n = k_done + 1
        return TransientResult(
            seg=self.seg,
            completed=completed,
            message=message,
            events=events,
            dt_s=dt,
            times_s=self.t[:n].copy(),
            node_p_pa=self.node_p[:n].copy(),
            pipe_q_in_kg_s=self.q_in[:n].copy(),
            pipe_q_out_kg_s=self.q_out[:n].copy(),
            edge_q_kg_s=self.edge_q[:n].copy(),
            pipe_linepack_kg=self.pipe_lp[:n].copy(),
            linepack_kg=self.lp[:n].copy(),
            source_supply_kg_s=self.supply[:n].copy(),
            sink_demand_kg_s=self.demand[:n].copy(),
            comp_power_w=self.power[:n].copy(),
            comp_fuel_kg_s=self.fuel[:n].copy(),
            newton_iterations=self.iters[:n].copy(),
            net_inflow_integral_kg=self.integral[:n].copy(),
            snapshot_times_s=np.array(self.snap_t),
            point_p_pa=np.array(self.snap_p),
            segment_q_kg_s=np.array(self.snap_q),
            survival_time_s=self.survival.copy(),
            wall_time_s=wall,
            warnings=tuple(warnings),
            leak_kg_s=self.leak[:n].copy() if np.any(self.leak[:n]) else None,
            steady_linepack_kg=steady_linepack_kg,
            start_note=start_note,
            units=self._unit_series(n),
            sink_gas_y=self.sink_y[:n].copy() if self.tracked else None,
            gas_holdup_kg=self.holdup[:n].copy() if self.tracked else None,
            gas_supplied_kg=self.supplied[:n].copy() if self.tracked else None,
            gas_delivered_kg=self.delivered[:n].copy() if self.tracked else None,
            gas_burnt_kg=self.burnt[:n].copy() if self.tracked else None,
            gas_leaked_kg=self.leaked[:n].copy() if self.tracked and np.any(self.leaked[:n]) else None,
            snapshot_point_y=np.array(self.snap_y) if self.tracked else None,
        )

    def _unit_series(self, n: int) -> UnitSeries | None:
        cs = self.seg.base.stations
        if cs is None or self.units is None:
            return None
        values = self.units.series(n)
        for k, row in self.unit_direct.items():
            if k < n:
                for name, v in row.items():
                    values[name][k] = v
        return UnitSeries(cs.units.ids, cs.ids, cs.configs.ids, self.units.config[:n].copy(), values)
