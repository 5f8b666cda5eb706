"""The frozen result of a transient run, its summary quantities and its files (netCDF, Parquet).

Time series are stored every step; pressure and flow along every pipe (all points and segments) are
stored as snapshots every output interval. Arrays are read-only and in SI units (Pa absolute, kg/s, kg,
W, s).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..io.atomic import atomic_write_bytes
from ..units import BAR_PA
from .discretise import SegmentedNetwork
from .events import Event

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class TransientResult:
    """A transient run. ``completed`` is False when the run stopped early (``message`` says why)."""

    seg: SegmentedNetwork
    completed: bool
    message: str
    events: tuple[Event, ...]
    dt_s: float
    # every step (n_t = steps + 1 rows, row 0 = initial state)
    times_s: F64
    node_p_pa: F64  # n_t x base nodes
    pipe_q_in_kg_s: F64  # n_t x pipes (flow entering each pipe at its from node)
    pipe_q_out_kg_s: F64  # n_t x pipes (flow leaving at its to node)
    edge_q_kg_s: F64  # n_t x base edges (pipes: inlet flow)
    pipe_linepack_kg: F64  # n_t x pipes
    linepack_kg: F64  # n_t: system (sum over all storage points)
    source_supply_kg_s: F64  # n_t x sources
    sink_demand_kg_s: F64  # n_t x sinks
    comp_power_w: F64  # n_t x compressors
    comp_fuel_kg_s: F64  # n_t x compressors
    newton_iterations: NDArray[np.int64]  # per step (row 0: the initial steady solve)
    net_inflow_integral_kg: F64  # n_t: time integral of supply - demand - fuel from the start, as the scheme takes it
    # snapshots along the pipes
    snapshot_times_s: F64
    point_p_pa: F64  # n_snap x points of the segmented network
    segment_q_kg_s: F64  # n_snap x segments
    # survival
    survival_time_s: F64  # per sink: first time its pressure fell below its minimum (inf: never, nan: no minimum)
    wall_time_s: float
    warnings: tuple[str, ...]
    # gas quality, when the run tracked mixtures (None otherwise); K = the source gases of seg.cn.quality.gas_set
    sink_gas_y: F64 | None = None  # n_t x sinks x K: gas mass fractions delivered
    gas_holdup_kg: F64 | None = None  # n_t x K: mass of each gas in the network
    gas_supplied_kg: F64 | None = None  # n_t x K: supplied by the sources since the start
    gas_delivered_kg: F64 | None = None  # n_t x K: taken by deliveries (and sources taking gas back) since the start
    gas_burnt_kg: F64 | None = None  # n_t x K: burnt as compressor fuel since the start
    snapshot_point_y: F64 | None = None  # n_snap x points x K: gas mass fractions along the pipes

    def __post_init__(self) -> None:
        for value in self.__dict__.values():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    # --- derived ------------------------------------------------------------------------------
    @property
    def n_steps(self) -> int:
        return len(self.times_s) - 1

    def net_inflow_kg_s(self) -> F64:
        """Supply minus demand minus compressor fuel at every stored time [kg/s] (> 0: packing)."""
        return self.source_supply_kg_s.sum(axis=1) - self.sink_demand_kg_s.sum(axis=1) - self.comp_fuel_kg_s.sum(axis=1)

    def conservation_error(self) -> float:
        """|change of linepack - time integral of (supply - demand - fuel)| / |change of linepack|.

        The integral is the one the implicit Euler scheme takes (end-of-step flows over each step, including
        any halved steps), accumulated in ``net_inflow_integral_kg``.
        """
        dlp = self.linepack_kg[-1] - self.linepack_kg[0]
        integ = self.net_inflow_integral_kg[-1]
        return float(abs(dlp - integ) / max(abs(dlp), abs(integ), 1e-30))

    # --- gas quality -----------------------------------------------------------------------------
    @property
    def tracked(self) -> bool:
        """True when the run carried gas mixtures (several source gases)."""
        return self.sink_gas_y is not None

    def delivered_quality(self) -> dict[str, F64]:
        """Quality of the gas every sink receives at every stored time, arrays (n_t, sinks): ``gcv_mj_m3``,
        ``ncv_mj_m3``, ``wobbe_mj_m3``, ``relative_density``, ``h2_mol_pct`` (at the network's quality reference),
        ``energy_mw`` and ``energy_mmbtu_d`` (demand x gross calorific value per kg). Without tracking, the network
        gas's figures (constant)."""
        from ..gas.quality import energy_mw, mw_to_mmbtu_per_day, quality_of

        cn = self.seg.cn
        q = cn.quality
        if q is None:
            raise InputError("delivered quality: the network gas has no composition (give settings.gas)")
        gs = q.gas_set
        n_t, n_s = self.sink_demand_kg_s.shape
        if self.sink_gas_y is None:
            y = np.tile(np.eye(gs.k)[q.fallback_gas], (n_t * n_s, 1))
        else:
            y = self.sink_gas_y.reshape(n_t * n_s, gs.k)
        f = quality_of(gs.components(gs.mole_from_mass(y)), q.reference)
        out = {
            "gcv_mj_m3": f.gcv_mj_m3,
            "ncv_mj_m3": f.ncv_mj_m3,
            "wobbe_mj_m3": f.wobbe_mj_m3,
            "relative_density": f.relative_density,
            "h2_mol_pct": f.h2_mol_pct,
            "gcv_mj_kg": f.gcv_mj_kg,
        }
        out = {k: np.asarray(v).reshape(n_t, n_s) for k, v in out.items()}
        out["energy_mw"] = energy_mw(self.sink_demand_kg_s, out["gcv_mj_kg"])
        out["energy_mmbtu_d"] = mw_to_mmbtu_per_day(out["energy_mw"])
        return out

    def gas_balance_error(self) -> float:
        """Largest relative error, over the source gases, of the gas balance over the run:
        |holdup(end) - holdup(start) - supplied + delivered + burnt| / max(holdup, supplied). 0 without tracking."""
        if self.gas_holdup_kg is None:
            return 0.0
        assert self.gas_supplied_kg is not None and self.gas_delivered_kg is not None and self.gas_burnt_kg is not None
        err = (
            self.gas_holdup_kg[-1]
            - self.gas_holdup_kg[0]
            - self.gas_supplied_kg[-1]
            + self.gas_delivered_kg[-1]
            + self.gas_burnt_kg[-1]
        )
        scale = np.maximum(np.maximum(self.gas_holdup_kg[0], self.gas_supplied_kg[-1]), 1e-300)
        return float(np.max(np.abs(err) / scale))

    def segment_states(self, snapshot: int = -1) -> tuple[F64, F64]:
        """Gas mole fractions (n_segments, K) and mean pressure [Pa] of every segment at a snapshot (the states at
        which the property layer evaluated Z): each segment carries its upwind point's gas."""
        if self.snapshot_point_y is None:
            raise InputError("segment states: the run did not track gas mixtures")
        cn = self.seg.cn
        q = cn.quality
        assert q is not None
        n = self.seg.n_segments
        ef, et = cn.edge_from[:n], cn.edge_to[:n]
        pi, pj = self.point_p_pa[snapshot, ef], self.point_p_pa[snapshot, et]
        pm = (2.0 / 3.0) * (pi + pj - pi * pj / (pi + pj))
        up = np.where(self.segment_q_kg_s[snapshot] >= 0.0, ef, et)
        y = self.snapshot_point_y[snapshot, up]
        return q.gas_set.mole_from_mass(y), pm

    def pack_draft(self) -> dict[str, float]:
        """Linepack summary [kg]: start, end, min, max, and the largest pack (rise) and draft (fall) from the
        start."""
        lp = self.linepack_kg
        return {
            "start_kg": float(lp[0]),
            "end_kg": float(lp[-1]),
            "min_kg": float(lp.min()),
            "max_kg": float(lp.max()),
            "max_pack_kg": float(max(0.0, lp.max() - lp[0])),
            "max_draft_kg": float(max(0.0, lp[0] - lp.min())),
        }

    def pipe_profile(self, pipe_id: str, snapshot: int = -1) -> tuple[F64, F64, F64]:
        """Position [m], pressure [Pa] at the points and flow [kg/s] of the segments of one pipe."""
        seg = self.seg
        j = seg.base.edge_index(pipe_id)
        if j >= seg.n_pipes:
            raise InputError(f"{pipe_id} is not a pipe")
        a, n = seg.pipe_point_start[j], seg.pipe_nseg[j]
        pts = seg.pipe_points[a : a + n + 1]
        s0 = seg.pipe_seg_start[j]
        return seg.point_x_m[a : a + n + 1], self.point_p_pa[snapshot, pts], self.segment_q_kg_s[snapshot, s0 : s0 + n]

    # --- files -------------------------------------------------------------------------------
    def save(self, path: str | Path) -> list[Path]:
        """Write the result: ``.nc`` (netCDF-3, needs only SciPy) or ``.parquet`` (needs pyarrow: the time
        series in ``path`` and the pipe snapshots in ``<stem>_profiles.parquet``). Files are written
        atomically. Returns the paths written."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".nc":
            _save_netcdf(self, path)
            return [path]
        if suffix == ".parquet":
            return _save_parquet(self, path)
        raise InputError(f"result file {path}: unknown format '{suffix}'; use .nc (netCDF) or .parquet")

    def timeseries_columns(self) -> dict[str, F64]:
        """The per-step time series as named columns (units in the names)."""
        cn = self.seg.base
        amb = cn.ambient_pa
        cols: dict[str, F64] = {"time_s": self.times_s}
        for i, nid in enumerate(cn.node_ids):
            cols[f"p_barg:{nid}"] = (self.node_p_pa[:, i] - amb) / BAR_PA
        for j in range(self.seg.n_pipes):
            pid = cn.edge_ids[j]
            cols[f"q_in_kg_s:{pid}"] = self.pipe_q_in_kg_s[:, j]
            cols[f"q_out_kg_s:{pid}"] = self.pipe_q_out_kg_s[:, j]
            cols[f"linepack_kg:{pid}"] = self.pipe_linepack_kg[:, j]
        for e in range(self.seg.n_pipes, cn.n_edges):
            cols[f"q_kg_s:{cn.edge_ids[e]}"] = self.edge_q_kg_s[:, e]
        cols["linepack_kg"] = self.linepack_kg
        for k, sid in enumerate(cn.source_ids):
            cols[f"supply_kg_s:{sid}"] = self.source_supply_kg_s[:, k]
        for k, sid in enumerate(cn.sink_ids):
            cols[f"demand_kg_s:{sid}"] = self.sink_demand_kg_s[:, k]
        for k, e in enumerate(cn.comp_edge):
            cols[f"power_w:{cn.edge_ids[e]}"] = self.comp_power_w[:, k]
            cols[f"fuel_kg_s:{cn.edge_ids[e]}"] = self.comp_fuel_kg_s[:, k]
        if self.tracked:
            dq = self.delivered_quality()
            for k, sid in enumerate(cn.sink_ids):
                for name in ("gcv_mj_m3", "wobbe_mj_m3", "h2_mol_pct", "energy_mw"):
                    cols[f"{name}:{sid}"] = dq[name][:, k]
        return cols


def _save_netcdf(res: TransientResult, path: Path) -> None:
    from scipy.io import netcdf_file

    seg, cn = res.seg, res.seg.base
    buf = io.BytesIO()
    f = netcdf_file(buf, "w", version=2)
    f.title = f"linepack transient run: {cn.name}, scenario {cn.scenario}"
    f.completed = int(res.completed)
    f.message = res.message
    f.dt_s = res.dt_s
    f.events = "; ".join(e.describe() for e in res.events) or "none"
    f.node_ids = ",".join(cn.node_ids)
    f.pipe_ids = ",".join(cn.edge_ids[: seg.n_pipes])
    f.edge_ids = ",".join(cn.edge_ids)
    f.source_ids = ",".join(cn.source_ids)
    f.sink_ids = ",".join(cn.sink_ids)
    f.compressor_ids = ",".join(cn.edge_ids[e] for e in cn.comp_edge)
    dims = {
        "time": len(res.times_s),
        "node": cn.n_nodes,
        "pipe": seg.n_pipes,
        "edge": cn.n_edges,
        "source": len(cn.source_ids),
        "sink": len(cn.sink_ids),
        "compressor": len(cn.comp_edge),
        "snapshot": len(res.snapshot_times_s),
        "point": seg.n_points,
        "segment": seg.n_segments,
    }
    for name, size in dims.items():
        f.createDimension(name, size)

    def var(name: str, dims_: tuple[str, ...], data: F64 | NDArray[np.int64], units: str, long: str) -> None:
        if any(dims[d] == 0 for d in dims_):
            return
        v = f.createVariable(name, "i4" if data.dtype.kind == "i" else "f8", dims_)
        v[:] = data
        v.units = units
        v.long_name = long

    var("time", ("time",), res.times_s, "s", "time from the start")
    var("node_pressure", ("time", "node"), res.node_p_pa, "Pa", "absolute pressure at network nodes")
    var("pipe_inflow", ("time", "pipe"), res.pipe_q_in_kg_s, "kg/s", "mass flow entering each pipe")
    var("pipe_outflow", ("time", "pipe"), res.pipe_q_out_kg_s, "kg/s", "mass flow leaving each pipe")
    var("edge_flow", ("time", "edge"), res.edge_q_kg_s, "kg/s", "mass flow of every element (pipes: inlet)")
    var("pipe_linepack", ("time", "pipe"), res.pipe_linepack_kg, "kg", "gas mass in each pipe")
    var("linepack", ("time",), res.linepack_kg, "kg", "gas mass in the whole system")
    var("source_supply", ("time", "source"), res.source_supply_kg_s, "kg/s", "supply of each source")
    var("sink_demand", ("time", "sink"), res.sink_demand_kg_s, "kg/s", "demand of each sink")
    var("compressor_power", ("time", "compressor"), res.comp_power_w, "W", "compressor shaft power")
    var("compressor_fuel", ("time", "compressor"), res.comp_fuel_kg_s, "kg/s", "compressor fuel gas")
    var("newton_iterations", ("time",), res.newton_iterations.astype(np.int64), "1", "Newton iterations per step")
    var("snapshot_time", ("snapshot",), res.snapshot_times_s, "s", "time of each pipe snapshot")
    var("point_pressure", ("snapshot", "point"), res.point_p_pa, "Pa", "pressure at every pipe point")
    var("segment_flow", ("snapshot", "segment"), res.segment_q_kg_s, "kg/s", "mass flow in every segment")
    var("point_position", ("point",), _point_positions(seg), "m", "position of each point along its pipe")
    var("point_pipe", ("point",), _point_pipes(seg), "1", "pipe index of each point (-1: network node)")
    var("segment_pipe", ("segment",), seg.seg_pipe, "1", "pipe index of each segment")
    var("segment_start", ("segment",), seg.seg_x0_m, "m", "position of each segment's start along its pipe")
    var("survival_time", ("sink",), res.survival_time_s, "s", "first time below the minimum delivery pressure")
    if res.tracked:
        dq = res.delivered_quality()
        ref = seg.cn.quality.reference_name if seg.cn.quality is not None else ""
        var("delivered_gcv", ("time", "sink"), dq["gcv_mj_m3"], "MJ/m3", f"gross calorific value delivered ({ref})")
        var("delivered_wobbe", ("time", "sink"), dq["wobbe_mj_m3"], "MJ/m3", f"gross Wobbe index delivered ({ref})")
        var("delivered_h2", ("time", "sink"), dq["h2_mol_pct"], "mol %", "hydrogen in the gas delivered")
        var("delivered_energy", ("time", "sink"), dq["energy_mw"], "MW", "gross calorific energy delivered")
    f.flush()
    data = buf.getvalue()
    f.close()
    atomic_write_bytes(path, data)


def _point_positions(seg: SegmentedNetwork) -> F64:
    x = np.zeros(seg.n_points)
    x[seg.pipe_points] = seg.point_x_m
    n0 = seg.base.n_nodes
    x[:n0] = 0.0  # network nodes belong to several pipes
    return x


def _point_pipes(seg: SegmentedNetwork) -> NDArray[np.int64]:
    owner = np.full(seg.n_points, -1, dtype=np.int64)
    pipe_of_entry = np.repeat(np.arange(seg.n_pipes), seg.pipe_nseg + 1)
    owner[seg.pipe_points] = pipe_of_entry
    owner[: seg.base.n_nodes] = -1
    return owner


def _save_parquet(res: TransientResult, path: Path) -> list[Path]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(
            f"result file {path}: Parquet needs pyarrow; pip install 'linepack[transient]' or save as .nc"
        ) from None
    seg, cn = res.seg, res.seg.base

    def write(table: Any, target: Path) -> None:
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        atomic_write_bytes(target, sink.getvalue().to_pybytes())

    cols = res.timeseries_columns()
    write(pa.table({k: pa.array(v) for k, v in cols.items()}), path)
    # long table of the snapshots: one row per (snapshot, pipe point)
    rows_t, rows_pipe, rows_x, rows_p, rows_q = [], [], [], [], []
    amb = cn.ambient_pa
    pipe_ids = np.array(cn.edge_ids[: seg.n_pipes], dtype=object)
    owner = np.repeat(np.arange(seg.n_pipes), seg.pipe_nseg + 1)
    # flow at a point: the segment that starts there (the last point: the last segment)
    seg_at = seg.pipe_seg_start[owner] + np.minimum(
        np.arange(len(owner)) - seg.pipe_point_start[owner], seg.pipe_nseg[owner] - 1
    )
    for s, t in enumerate(res.snapshot_times_s):
        rows_t.append(np.full(len(owner), t))
        rows_pipe.append(pipe_ids[owner])
        rows_x.append(seg.point_x_m)
        rows_p.append((res.point_p_pa[s, seg.pipe_points] - amb) / BAR_PA)
        rows_q.append(res.segment_q_kg_s[s, seg_at])
    prof = path.with_name(f"{path.stem}_profiles.parquet")
    if rows_t:
        table = pa.table(
            {
                "time_s": np.concatenate(rows_t),
                "pipe": pa.array(np.concatenate(rows_pipe).tolist(), type=pa.string()),
                "x_m": np.concatenate(rows_x),
                "p_barg": np.concatenate(rows_p),
                "q_kg_s": np.concatenate(rows_q),
            }
        )
        write(table, prof)
    return [path, prof]


def fmt_time(t_s: float) -> str:
    """Seconds -> ``HH:MM`` (``never`` for inf, ``-`` for nan)."""
    if math.isnan(t_s):
        return "-"
    if math.isinf(t_s):
        return "never"
    h, m = divmod(round(t_s / 60.0), 60)
    return f"{h:02d}:{m:02d}"
