"""SCADA readings checked against the tag map and put on a regular time grid (SI units).

Errors (an :class:`InputError` listing every problem): tags the tag map does not know (unless they are
ignored on purpose), units that are unknown or measure another quantity, the same tag twice at one time,
a window with no reading. Findings that only remove readings (each listed as an :class:`Issue`): values
outside the tag's plausible range or physically impossible (absolute pressure <= 0), stuck values (the
same reading repeated for ``stuck_minutes`` or longer), gaps longer than ``max_gap_minutes``, and tags
with no reading in the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from .meters import BoundMeters
from .scada import ScadaData
from .units import Quantity, unit_map

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclass(frozen=True)
class Issue:
    """A finding about one tag: ``kind`` is unknown tag, range, stuck, gap or no data."""

    tag: str
    kind: str
    t_from_s: float  # relative to the series start
    t_to_s: float
    count: int
    detail: str


@dataclass(frozen=True)
class MeterSeries:
    """Readings of every meter on a regular grid: ``values[k, i]`` is the mean of meter i's usable readings in
    the bin centred on ``times_s[k]`` (SI; NaN: none), ``counts[k, i]`` how many were averaged."""

    bound: BoundMeters
    data: ScadaData
    t0_s: float  # absolute time of the first grid point (the data's own time basis)
    dt_s: float
    times_s: F64  # from t0
    values: F64
    counts: I64
    issues: tuple[Issue, ...]

    def __post_init__(self) -> None:
        for v in (self.times_s, self.values, self.counts):
            v.setflags(write=False)

    @property
    def n_times(self) -> int:
        return len(self.times_s)

    def format_time(self, t_rel_s: float) -> str:
        return self.data.format_time(self.t0_s + t_rel_s) if self.data.iso else _hhmm(t_rel_s)

    def window_mean(self, k0: int, k1: int) -> tuple[F64, F64]:
        """Mean of every meter's readings over bins ``k0..k1-1`` [SI] (NaN: none) and the number of readings."""
        v = self.values[k0:k1]
        c = self.counts[k0:k1]
        n = c.sum(axis=0).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(n > 0, np.nansum(v * c, axis=0) / np.maximum(n, 1), np.nan)
        return mean, n

    def issues_of(self, tag: str) -> list[Issue]:
        return [i for i in self.issues if i.tag == tag]


def _hhmm(t_s: float) -> str:
    sign = "-" if t_s < 0 else ""
    h, m = divmod(round(abs(t_s) / 60.0), 60)
    return f"{sign}{h:02d}:{m:02d}"


def prepare(
    data: ScadaData,
    bound: BoundMeters,
    *,
    start_s: float | None = None,
    end_s: float | None = None,
    dt_s: float | None = None,
    stuck_minutes: float = 30.0,
    max_gap_minutes: float | None = None,
    ignore_unknown_tags: bool = False,
) -> MeterSeries:
    """Check ``data`` against the bound tag map and bin it on a grid of ``dt_s`` (default: the median interval of
    the readings) from ``start_s`` to ``end_s`` (absolute, in the data's time basis; default: all of it)."""
    tags = bound.tags
    where = {t: i for i, t in enumerate(tags)}
    problems: list[str] = []
    issues: list[Issue] = []
    meter_of_code = np.array([where.get(t, -1) for t in data.tags], dtype=np.int64)
    unknown = [t for t, i in zip(data.tags, meter_of_code, strict=True) if i < 0]
    if unknown:
        text = ", ".join(unknown[:20]) + (f" and {len(unknown) - 20} more" if len(unknown) > 20 else "")
        if not ignore_unknown_tags:
            problems.append(
                f"{data.source}: tag(s) {text} are not in meter set {bound.meters.name}; add them to the tag map, "
                "or ignore them on purpose (--ignore-unknown-tags)"
            )
        else:
            issues.extend(Issue(t, "unknown tag", np.nan, np.nan, 0, "not in the tag map: ignored") for t in unknown)
    meter = meter_of_code[data.tag_code] if data.n_rows else np.zeros(0, np.int64)
    known = meter >= 0
    # units: every (tag, unit) pair the file uses must convert to SI for that tag's quantity
    factor = np.ones(data.n_rows)
    offset = np.zeros(data.n_rows)
    pairs = np.unique(np.stack([meter[known], data.unit_code[known]]), axis=1) if np.any(known) else np.zeros((2, 0))
    for i, u in pairs.T.tolist():
        m = bound.meters.meters[i]
        try:
            um = unit_map(m.quantity, data.units[u], bound.cn.ambient_pa, bound.cn.gas.basis, f"tag {m.tag}")
        except InputError as exc:
            problems.extend(f"{data.source}: {p} (the tag map gives {m.unit})" for p in exc.problems)
            continue
        sel = known & (meter == i) & (data.unit_code == u)
        factor[sel], offset[sel] = um.factor, um.offset
    if problems:
        raise InputError(problems)
    t_all = data.time_s
    first, last = data.span()
    t_start = first if start_s is None else float(start_s)
    t_end = last if end_s is None else float(end_s)
    if not np.isfinite(t_start) or t_end < t_start:
        raise InputError(f"{data.source}: the window from {data.format_time(t_start)} to {data.format_time(t_end)} "
                         "is empty; give an end after the start")
    inside = known & (t_all >= t_start - 1e-9) & (t_all <= t_end + 1e-9)
    if not np.any(inside & np.isfinite(data.value)):
        raise InputError(
            f"{data.source}: no reading of a known tag between {data.format_time(t_start)} and "
            f"{data.format_time(t_end)}; the file covers {data.format_time(first)} to {data.format_time(last)}"
        )
    rows = np.flatnonzero(inside)
    t, mi = t_all[rows], meter[rows]
    v = data.value[rows] * factor[rows] + offset[rows]
    # the same tag twice at one time
    order = np.lexsort((t, mi))
    dup = (np.diff(mi[order]) == 0) & (np.diff(t[order]) == 0)
    if np.any(dup):
        at = order[1:][dup][:10]
        raise InputError([f"{data.source}: tag {tags[mi[k]]} has two readings at {data.format_time(t[k])}; keep one"
                          for k in at])
    if dt_s is None:
        d = np.diff(t[order])[np.diff(mi[order]) == 0]
        d = d[d > 0]
        dt_s = float(np.round(np.median(d))) if len(d) else 60.0
        dt_s = max(dt_s, 1.0)
    if not (np.isfinite(dt_s) and dt_s > 0):
        raise InputError(f"time step {dt_s!r}: give a positive step in seconds")
    n_t = int(np.floor((t_end - t_start) / dt_s + 1e-9)) + 1
    n_m = bound.n
    # plausible range and physics, per reading
    lo, hi = bound.range_si()
    quantity = [m.quantity for m in bound.meters.meters]
    phys_lo = np.array([0.0 if q == Quantity.PRESSURE else -np.inf for q in quantity])
    ok_val = np.isfinite(v)
    low = ok_val & ((v < lo[mi]) | (v <= phys_lo[mi]))
    high = ok_val & (v > hi[mi])
    for i in np.unique(mi[low | high]).tolist():
        sel = (low | high) & (mi == i)
        m = bound.meters.meters[i]
        unit = bound.units[i]
        shown = [unit.from_si(x) for x in (v[sel].min(), v[sel].max())]
        rng = f"[{'-inf' if m.min is None else m.min}, {'inf' if m.max is None else m.max}] {m.unit}"
        issues.append(Issue(m.tag, "range", float(t[sel].min() - t_start), float(t[sel].max() - t_start),
                            int(sel.sum()), f"{int(sel.sum())} reading(s) from {shown[0]:.4g} to {shown[1]:.4g} "
                            f"{m.unit} outside {rng}" + (" or not physical" if quantity[i] == Quantity.PRESSURE
                                                          else "") + ": not used"))
    use = ok_val & ~low & ~high
    k = np.clip(np.round((t - t_start) / dt_s).astype(np.int64), 0, n_t - 1)
    flat = k[use] * n_m + mi[use]
    sums = np.bincount(flat, weights=v[use], minlength=n_t * n_m).reshape(n_t, n_m)
    counts = np.bincount(flat, minlength=n_t * n_m).reshape(n_t, n_m)
    with np.errstate(invalid="ignore", divide="ignore"):
        values: F64 = np.asarray(np.where(counts > 0, sums / np.maximum(counts, 1), np.nan), dtype=np.float64)
    gap_s = max_gap_minutes * 60.0 if max_gap_minutes is not None else max(5.0 * dt_s, 600.0)
    _gaps(values, bound, dt_s, gap_s, issues)
    _stuck(values, counts, bound, dt_s, stuck_minutes, issues)
    times: F64 = np.arange(n_t, dtype=np.float64) * float(dt_s)
    return MeterSeries(bound, data, t_start, float(dt_s), times, values, counts.astype(np.int64),
                       tuple(issues))


def _runs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(start, end exclusive) of the runs of True in ``mask``."""
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


def _stuck(values: F64, counts: I64, bound: BoundMeters, dt: float, minutes: float, issues: list[Issue]) -> None:
    """Readings that repeat exactly for ``minutes`` or longer: all but the first of the run are removed."""
    if minutes <= 0:
        return
    need = max(3, int(np.ceil(minutes * 60.0 / dt)))
    for i in range(values.shape[1]):
        col = values[:, i]
        ok = np.flatnonzero(np.isfinite(col))
        if len(ok) < need:
            continue
        same = np.zeros(len(ok), dtype=bool)
        same[1:] = col[ok[1:]] == col[ok[:-1]]
        for a, b in _runs(same):
            if b - a + 1 < need:
                continue
            first, last = ok[a - 1], ok[b - 1]
            if (last - first) * dt < minutes * 60.0:
                continue
            if bound.meters.meters[i].quantity != Quantity.PRESSURE and col[first] == 0.0:
                continue  # a flow or power meter below its low-flow cut-off reads exactly zero, rightly
            m = bound.meters.meters[i]
            stuck_at = bound.units[i].from_si(float(col[first]))
            values[ok[a:b], i] = np.nan
            counts[ok[a:b], i] = 0
            issues.append(Issue(m.tag, "stuck", first * dt, last * dt, b - a,
                                f"the reading stays at {stuck_at:.6g} {m.unit} for {(last - first) * dt / 60:.0f} min: "
                                "stuck meter, its repeated readings are not used"))


def _gaps(values: F64, bound: BoundMeters, dt: float, gap_s: float, issues: list[Issue]) -> None:
    n_t = values.shape[0]
    for i in range(values.shape[1]):
        m = bound.meters.meters[i]
        missing = ~np.isfinite(values[:, i])
        if missing.all():
            issues.append(Issue(m.tag, "no data", 0.0, (n_t - 1) * dt, n_t, "no usable reading in the window"))
            continue
        for a, b in _runs(missing):
            if (b - a) * dt >= gap_s:
                issues.append(Issue(m.tag, "gap", a * dt, (b - 1) * dt, b - a,
                                    f"no reading for {(b - a) * dt / 60:.0f} min"))
