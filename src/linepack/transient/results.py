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


UNIT_SERIES: dict[str, tuple[str, str]] = {  # field of UnitPoints -> (units, long name)
    "speed_rpm": ("1/min", "unit speed"),
    "flow_m3_s": ("m3/s", "actual inlet volume flow through the unit (recycle included)"),
    "head_kj_per_kg": ("kJ/kg", "isentropic head the unit makes"),
    "efficiency": ("1", "isentropic efficiency"),
    "power_mw": ("MW", "unit shaft power"),
    "fuel_kg_s": ("kg/s", "fuel gas of the unit's driver"),
    "recycle_kg_s": ("kg/s", "gas recycled round the unit (anti-surge)"),
    "surge_margin": ("1", "(Q - Q_surge) / Q at the unit's speed"),
    "choke_margin": ("1", "(Q_choke - Q) / Q at the unit's speed"),
}


@dataclass(frozen=True)
class UnitSeries:
    """The operating point of every compressor unit at every step (NaN while a unit stands by).

    ``config`` is each station's running configuration per step (an index into ``config_ids``; -1: the
    station is bypassed or closed)."""

    unit_ids: tuple[str, ...]
    station_ids: tuple[str, ...]  # the stations with units
    config_ids: tuple[str, ...]
    config: NDArray[np.int64]  # n_t x stations
    values: dict[str, F64]  # field of UNIT_SERIES -> n_t x units

    def __post_init__(self) -> None:
        self.config.setflags(write=False)
        for a in self.values.values():
            a.setflags(write=False)

    def configuration(self, station: str) -> list[str]:
        """The configuration ``station`` runs at every step ("" while it does not run)."""
        s = self.station_ids.index(station)
        return [self.config_ids[c] if c >= 0 else "" for c in self.config[:, s]]


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
    leak_kg_s: F64 | None = None  # n_t: total rate drawn by leak events (None: no leak in the run)
    # the steady solver's linepack for the boundary values at t = 0 (whole pipes, one mean pressure each) and
    # why the run's starting linepack (the same state on segments) differs from it and from `linepack run`
    steady_linepack_kg: float = math.nan
    start_note: str = ""
    units: UnitSeries | None = None  # operating points of compressor units (None: no station has units)
    # gas quality, when the run tracked mixtures (None otherwise); K = the source gases of seg.cn.quality.gas_set
    sink_gas_y: F64 | None = None  # n_t x sinks x K: gas mass fractions delivered
    gas_holdup_kg: F64 | None = None  # n_t x K: mass of each gas in the network
    gas_supplied_kg: F64 | None = None  # n_t x K: supplied by the sources since the start
    gas_delivered_kg: F64 | None = None  # n_t x K: taken by deliveries (and sources taking gas back) since the start
    gas_burnt_kg: F64 | None = None  # n_t x K: burnt as compressor fuel since the start
    gas_leaked_kg: F64 | None = None  # n_t x K: lost through leaks since the start (None: no leak)
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
        """Supply minus demand minus compressor fuel (minus leaks) at every stored time [kg/s] (> 0: packing)."""
        net = self.source_supply_kg_s.sum(axis=1) - self.sink_demand_kg_s.sum(axis=1) - self.comp_fuel_kg_s.sum(axis=1)
        return net if self.leak_kg_s is None else net - self.leak_kg_s

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
        |holdup(end) - holdup(start) - supplied + delivered + burnt + leaked| / max(holdup, supplied). 0 without
        tracking."""
        if self.gas_holdup_kg is None:
            return 0.0
        assert self.gas_supplied_kg is not None and self.gas_delivered_kg is not None and self.gas_burnt_kg is not None
        err = (
            self.gas_holdup_kg[-1]
            - self.gas_holdup_kg[0]
            - self.gas_supplied_kg[-1]
            + self.gas_delivered_kg[-1]
            + self.gas_burnt_kg[-1]
            + (self.gas_leaked_kg[-1] if self.gas_leaked_kg is not None else 0.0)
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

    def to_xarray(self) -> Any:
        """The run as an :class:`xarray.Dataset` (coordinates time, node, pipe, ...; see
        :func:`linepack.transient.results.to_xarray`). Needs xarray (``linepack[data]``)."""
        return to_xarray(self)

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
        if self.leak_kg_s is not None:
            cols["leak_kg_s"] = self.leak_kg_s
        for k, sid in enumerate(cn.source_ids):
            cols[f"supply_kg_s:{sid}"] = self.source_supply_kg_s[:, k]
        for k, sid in enumerate(cn.sink_ids):
            cols[f"demand_kg_s:{sid}"] = self.sink_demand_kg_s[:, k]
        for k, e in enumerate(cn.comp_edge):
            cols[f"power_w:{cn.edge_ids[e]}"] = self.comp_power_w[:, k]
            cols[f"fuel_kg_s:{cn.edge_ids[e]}"] = self.comp_fuel_kg_s[:, k]
        if self.units is not None:
            for name, series in self.units.values.items():
                for i, uid in enumerate(self.units.unit_ids):
                    cols[f"{name}:{uid}"] = series[:, i]
        if self.tracked:
            dq = self.delivered_quality()
            for k, sid in enumerate(cn.sink_ids):
                for name in ("gcv_mj_m3", "wobbe_mj_m3", "h2_mol_pct", "energy_mw"):
                    cols[f"{name}:{sid}"] = dq[name][:, k]
        return cols


Variable = tuple[tuple[str, ...], Any, dict[str, str]]


def labelled_variables(res: TransientResult) -> tuple[dict[str, Variable], dict[str, Any], dict[str, Any]]:
    """The run as named variables (dims, data, attributes with ``units``), its coordinates (the ids of nodes,
    pipes, elements, sources, sinks and compressors; time and snapshot time in seconds) and its global
    attributes: the one description behind both :meth:`TransientResult.to_xarray` and the netCDF file."""
    seg, cn = res.seg, res.seg.base
    coords: dict[str, Any] = {
        "time": res.times_s,
        "node": list(cn.node_ids),
        "pipe": list(cn.edge_ids[: seg.n_pipes]),
        "edge": list(cn.edge_ids),
        "source": list(cn.source_ids),
        "sink": list(cn.sink_ids),
        "compressor": [cn.edge_ids[e] for e in cn.comp_edge],
        "snapshot": res.snapshot_times_s,
    }
    if res.units is not None:
        coords["unit"] = list(res.units.unit_ids)
    attrs: dict[str, Any] = {
        "title": f"linepack transient run: {cn.name}, scenario {cn.scenario}",
        "completed": int(res.completed),
        "message": res.message,
        "dt_s": res.dt_s,
        "events": "; ".join(e.describe() for e in res.events) or "none",
        "start_note": res.start_note,
        "time_units": "s from the start; snapshot: s from the start",
    }

    def v(dims: tuple[str, ...], data: Any, units: str, long: str) -> Variable:
        return dims, data, {"units": units, "long_name": long}

    variables: dict[str, Variable] = {
        "node_pressure": v(("time", "node"), res.node_p_pa, "Pa", "absolute pressure at network nodes"),
        "pipe_inflow": v(("time", "pipe"), res.pipe_q_in_kg_s, "kg/s", "mass flow entering each pipe"),
        "pipe_outflow": v(("time", "pipe"), res.pipe_q_out_kg_s, "kg/s", "mass flow leaving each pipe"),
        "edge_flow": v(("time", "edge"), res.edge_q_kg_s, "kg/s", "mass flow of every element (pipes: inlet)"),
        "pipe_linepack": v(("time", "pipe"), res.pipe_linepack_kg, "kg", "gas mass in each pipe"),
        "linepack": v(("time",), res.linepack_kg, "kg", "gas mass in the whole system"),
        "source_supply": v(("time", "source"), res.source_supply_kg_s, "kg/s", "supply of each source"),
        "sink_demand": v(("time", "sink"), res.sink_demand_kg_s, "kg/s", "demand of each sink"),
        "compressor_power": v(("time", "compressor"), res.comp_power_w, "W", "compressor shaft power"),
        "compressor_fuel": v(("time", "compressor"), res.comp_fuel_kg_s, "kg/s", "compressor fuel gas"),
        "newton_iterations": v(
            ("time",), res.newton_iterations.astype(np.int32), "1", "Newton iterations per step"
        ),
        "point_pressure": v(("snapshot", "point"), res.point_p_pa, "Pa", "pressure at every pipe point"),
        "segment_flow": v(("snapshot", "segment"), res.segment_q_kg_s, "kg/s", "mass flow in every segment"),
        "point_position": v(("point",), _point_positions(seg), "m", "position of each point along its pipe"),
        "point_pipe": v(("point",), _point_pipes(seg).astype(np.int32), "1", "pipe index of each point (-1: node)"),
        "segment_pipe": v(("segment",), seg.seg_pipe.astype(np.int32), "1", "pipe index of each segment"),
        "segment_start": v(("segment",), seg.seg_x0_m, "m", "position of each segment's start along its pipe"),
        "survival_time": v(("sink",), res.survival_time_s, "s", "first time below the minimum delivery pressure"),
    }
    if res.units is not None:
        for name, (units, long) in UNIT_SERIES.items():
            variables[f"unit_{name}"] = v(("time", "unit"), res.units.values[name], units, long)
    if res.leak_kg_s is not None:
        variables["leak_rate"] = v(("time",), res.leak_kg_s, "kg/s", "total rate drawn by leak events")
    if res.tracked:
        dq = res.delivered_quality()
        ref = seg.cn.quality.reference_name if seg.cn.quality is not None else ""
        ts = ("time", "sink")
        variables["delivered_gcv"] = v(ts, dq["gcv_mj_m3"], "MJ/m3", f"gross calorific value delivered ({ref})")
        variables["delivered_wobbe"] = v(ts, dq["wobbe_mj_m3"], "MJ/m3", f"gross Wobbe index delivered ({ref})")
        variables["delivered_h2"] = v(ts, dq["h2_mol_pct"], "mol %", "hydrogen in the gas delivered")
        variables["delivered_energy"] = v(ts, dq["energy_mw"], "MW", "gross calorific energy delivered")
    return variables, coords, attrs


def to_xarray(res: TransientResult) -> Any:
    """The run as an :class:`xarray.Dataset` with coordinates time [s], node, pipe, edge, source, sink,
    compressor (ids) and snapshot [s]; every variable has ``units`` and ``long_name``. Needs xarray."""
    from ..frames import require_xarray

    xr = require_xarray()
    variables, coords, attrs = labelled_variables(res)
    ds = xr.Dataset(
        {name: (dims, np.asarray(data), a) for name, (dims, data, a) in variables.items()},
        coords={name: np.asarray(c, dtype=object if isinstance(c, list) else float) for name, c in coords.items()},
        attrs=attrs,
    )
    ds["time"].attrs.update(units="s", long_name="time from the start")
    ds["snapshot"].attrs.update(units="s", long_name="time of each pipe snapshot")
    return ds


def _save_netcdf(res: TransientResult, path: Path) -> None:
    """netCDF-3 (SciPy's writer): the variables of :func:`labelled_variables` with the ids as character
    coordinate variables, so ``xarray.open_dataset`` gives the same Dataset as :func:`to_xarray`."""
    from scipy.io import netcdf_file

    variables, coords, attrs = labelled_variables(res)
    sizes = {name: len(c) for name, c in coords.items()}
    sizes["point"], sizes["segment"] = res.seg.n_points, res.seg.n_segments
    buf = io.BytesIO()
    f = netcdf_file(buf, "w", version=2)
    for key, value in attrs.items():
        setattr(f, key, value)
    for name, size in sizes.items():
        f.createDimension(name, size)
    for name, values in coords.items():
        if not len(values):
            continue
        if isinstance(values, list):  # ids: a character array (dim, strlen), decoded to strings by xarray
            width = max(len(str(x).encode()) for x in values)
            f.createDimension(f"{name}_strlen", width)
            var = f.createVariable(name, "c", (name, f"{name}_strlen"))
            raw = b"".join(str(x).encode().ljust(width, b"\0") for x in values)
            var[:] = np.frombuffer(raw, dtype="S1").reshape(len(values), width)
            var._Encoding = "utf-8"
        else:
            var = f.createVariable(name, "f8", (name,))
            var[:] = values
            var.units = "s"
    for name, (dims, data, a) in variables.items():
        if any(sizes[d] == 0 for d in dims):
            continue
        arr = np.asarray(data)
        var = f.createVariable(name, "i4" if arr.dtype.kind == "i" else "f8", dims)
        var[:] = arr
        for key, value in a.items():
            setattr(var, key, value)
    f.flush()
    data_bytes = buf.getvalue()
    f.close()
    atomic_write_bytes(path, data_bytes)


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
