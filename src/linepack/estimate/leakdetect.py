"""Leak detection and location: thresholds from a false-alarm rate, alarms, location with its interval, and the
smallest leak a meter set detects.

:func:`detect_leaks` runs the dynamic estimator (:mod:`.dynamic`) with the two monitors of :mod:`.leak` and
turns their window statistics into alarms:

* The first ``reference_hours`` are taken as leak-free: the mean of every statistic there is its baseline
  (a constant meter bias or model offset looks like a constant leak and is tuned out this way, as pipeline
  operators tune their balances), and the threshold widens by ``sqrt(1 + 1/n_reference)`` for the
  baseline's own uncertainty.
* Each method spends half of the false-alarm budget ``false_alarms_per_year``; within a method each window
  and section is one test (Bonferroni), so a window of T minutes and S sections is tested at
  ``alpha = rate * T / (2 * 525600 * S)`` and the threshold on a standard normal statistic is
  ``z = Phi^-1(1 - alpha)``.
* The minimum detectable leak of a section is the size whose statistic reaches the threshold with
  probability ``detection_probability``: ``(z + z_p) * sigma`` of the leak-size estimate in one window.
* A model-based alarm locates the leak at the candidate point of highest likelihood, with the points whose
  likelihood ratio is within ``chi2_1(confidence)/2`` of it as the interval; the location is refined with
  every further window in alarm (their statistics add).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import chi2, norm

from ..compile import CompiledNetwork
from ..errors import InputError
from ..model.network import Network
from ..transient.discretise import SegmentedNetwork
from .dynamic import DynamicEstimator, DynamicOptions
from .dynamic_results import DynamicEstimate
from .leak import BalanceMonitor, BalanceRecord, Candidates, SignatureMonitor, WindowRecord, candidates
from .meters import MeterSet
from .sections import Section, balance_sections
from .validate import MeterSeries

F64 = NDArray[np.float64]
MINUTES_PER_YEAR = 525_600.0


@dataclass(frozen=True)
class LeakOptions:
    """Settings of :func:`detect_leaks`."""

    window_minutes: float = 30.0  # model-based windows
    balance_minutes: float = 120.0  # mass-balance windows (longer: the linepack term's errors shrink with 1/T)
    false_alarms_per_year: float = 12.0
    detection_probability: float = 0.9
    reference_hours: float = 2.0
    watch: tuple[str, ...] | None = None  # pipes the model-based method watches (None: every pipe)
    route: tuple[str, ...] | None = None  # nodes of a route along which locations are also given in km
    confidence: float = 0.95  # of the location interval

    def check(self) -> None:
        bad = []
        for name in ("window_minutes", "balance_minutes"):
            if not getattr(self, name) > 0:
                bad.append(f"{name} must be > 0 (got {getattr(self, name)!r})")
        if not self.false_alarms_per_year > 0:
            bad.append(f"false_alarms_per_year must be > 0 (got {self.false_alarms_per_year!r})")
        if not 0 < self.detection_probability < 1:
            bad.append(f"detection_probability must be in (0, 1) (got {self.detection_probability!r})")
        if not self.reference_hours >= 0:
            bad.append(f"reference_hours must be >= 0 (got {self.reference_hours!r})")
        if not 0 < self.confidence < 1:
            bad.append(f"confidence must be in (0, 1) (got {self.confidence!r})")
        if bad:
            raise InputError(["leak detection options: " + b for b in bad])


@dataclass(frozen=True)
class Location:
    """Where a leak is: the most likely point and the interval of plausible points."""

    pipe: str
    km: float  # from the pipe's from-node
    ranges: tuple[tuple[str, float, float], ...]  # (pipe, km from, km to) of the interval
    route_km: float | None  # along the route, when one is given
    route_interval_km: tuple[float, float] | None
    length_km: float  # total length of the interval

    def describe(self) -> str:
        where = f"{self.pipe} at {self.km:.1f} km"
        if self.route_km is not None and self.route_interval_km is not None:
            lo, hi = self.route_interval_km
            where += f" (route km {self.route_km:.1f}, interval {lo:.1f}-{hi:.1f})"
        else:
            where += " (interval " + "; ".join(f"{p} {a:.1f}-{b:.1f} km" for p, a, b in self.ranges) + ")"
        return where


@dataclass(frozen=True)
class Alarm:
    """A leak alarm: the first window in which a section's statistic crossed its threshold."""

    method: str  # "mass balance" or "model"
    section: str
    t_s: float  # end of the window, from the series start
    time: str
    statistic: float  # in sigmas, baseline removed
    threshold: float
    size_kg_s: float
    size_sigma_kg_s: float
    location: Location | None = None  # model alarms: at the first window
    location_final: Location | None = None  # with every later window in alarm added
    windows_in_alarm: int = 1
    same_as: str | None = None  # located in a section that alarmed before: the same leak seen again

    def describe(self) -> str:
        text = (f"{self.time}: {self.method} alarm in {self.section}, {self.statistic:.1f} sigma (threshold "
                f"{self.threshold:.1f}), leak {self.size_kg_s:.2f} +/- {self.size_sigma_kg_s:.2f} kg/s")
        loc = self.location_final or self.location
        text += f", located on {loc.describe()}" if loc is not None else ""
        return text + (f" (the leak already found in {self.same_as})" if self.same_as else "")


@dataclass(frozen=True)
class SectionLimit:
    """The detection limit of one section."""

    section: str
    length_km: float
    method: str
    mdl_kg_s: float  # minimum detectable leak (detection probability of the options) in one window
    sigma_kg_s: float  # sigma of the leak-size estimate in one window
    throughput_kg_s: float  # mean flow through the section (for percentages)


@dataclass(frozen=True)
class LeakReport:
    """Everything :func:`detect_leaks` found."""

    estimate: DynamicEstimate
    options: LeakOptions
    sections: tuple[Section, ...]
    watched: tuple[str, ...]  # names of the sections the model-based method tests
    windows: tuple[WindowRecord, ...]
    balances: tuple[BalanceRecord, ...]
    z_model: float
    z_balance: float
    alarms: tuple[Alarm, ...]
    limits: tuple[SectionLimit, ...]
    reference_windows: int
    notes: tuple[str, ...]

    def first_alarm(self, method: str | None = None) -> Alarm | None:
        alarms = [a for a in self.alarms if method is None or a.method == method]
        return min(alarms, key=lambda a: a.t_s) if alarms else None


def detect_leaks(
    network: Network | CompiledNetwork,
    meters: MeterSet,
    series: MeterSeries | None = None,
    scenario: str | None = None,
    *,
    estimator: DynamicEstimator | None = None,
    options: LeakOptions | None = None,
    dynamic: DynamicOptions | None = None,
    start_s: float | None = None,
    end_s: float | None = None,
) -> LeakReport:
    """Run the dynamic estimator over ``series`` with both leak monitors and report alarms and limits."""
    opts = options or LeakOptions()
    opts.check()
    est = estimator or DynamicEstimator(network, meters, scenario, dynamic)
    if series is None:
        raise InputError("detect_leaks needs the readings (a MeterSeries from linepack.estimate.prepare)")
    cn, seg = est.cn, est.seg
    window = max(1, round(opts.window_minutes * 60.0 / series.dt_s))
    sections = balance_sections(cn, est.bound)
    n_pipes = seg.n_pipes
    if opts.watch is None:
        watched_pipes = set(range(n_pipes))
    else:
        ids = {cn.edge_ids[j]: j for j in range(n_pipes)}
        unknown = [p for p in opts.watch if p not in ids]
        if unknown:
            raise InputError(f"watch: no pipe {', '.join(unknown)} in scenario {cn.scenario}; give pipe ids")
        watched_pipes = {ids[p] for p in opts.watch}
    cands = candidates(seg, sections, watched_pipes)
    if not len(cands.point):
        raise InputError("leak detection: no pipe to watch")
    watched_secs = sorted({int(s) for s in cands.section if s >= 0})
    sig_mon = SignatureMonitor(cands, len(sections), window)
    bal_window = max(1, round(opts.balance_minutes * 60.0 / series.dt_s))
    bal_mon = BalanceMonitor(seg, sections, est.bound, bal_window)
    res = est.run(series, start_s, end_s, observers=[sig_mon, bal_mon])
    windows, balances = sig_mon.records, bal_mon.records
    if not windows:
        raise InputError(f"the window of {opts.window_minutes:g} min is longer than the data analysed "
                         f"({(res.n_times - 1) * series.dt_s / 60:.0f} min); give a shorter window or more data")
    t_begin = float(res.times_s[0])
    t_ref = t_begin + opts.reference_hours * 3600.0 + 1e-9
    ref = [w for w in windows if w.t_end_s <= t_ref]
    ref_b = [w for w in balances if w.t_end_s <= t_ref]
    balanceable = [i for i, s in enumerate(sections) if s.balanceable and set(s.pipes) <= watched_pipes]
    z_model = _threshold(opts, opts.window_minutes, len(watched_secs))
    z_bal = _threshold(opts, opts.balance_minutes, len(balanceable))
    widen = math.sqrt(1.0 + 1.0 / len(ref)) if ref else 1.0
    widen_b = math.sqrt(1.0 + 1.0 / len(ref_b)) if ref_b else 1.0
    notes: list[str] = []
    if opts.reference_hours > 0 and not ref:
        notes.append("no full model window inside the reference period: no baseline removed")
    if opts.reference_hours > 0 and balanceable and not ref_b:
        notes.append("no full mass-balance window inside the reference period: no baseline removed")
    base_u = np.mean([w.u for w in ref], axis=0) if ref else np.zeros(len(sections))
    base_a = np.mean([w.a_cand for w in ref], axis=0) if ref else np.zeros(len(cands.point))
    base_i = np.mean([w.imbalance for w in ref_b], axis=0) if ref_b else np.zeros(len(sections))
    alarms: list[Alarm] = []
    after = [w for w in windows if w.t_end_s > t_ref]
    after_b = [w for w in balances if w.t_end_s > t_ref]
    for s in watched_secs:
        hits = [w for w in after if w.u[s] - base_u[s] > z_model * widen]
        if not hits:
            continue
        first = hits[0]
        b_s = first.b_section[s]
        size = (first.u[s] - base_u[s]) / math.sqrt(b_s) if b_s > 0 else float("nan")
        loc1 = _locate(cn, seg, cands, first.a_cand - base_a, first.b_cand, opts)
        cum = sig_mon.cumulative.get(windows.index(first), [])
        loc2 = loc1
        if len(cum) > 1:  # the signatures of this onset, run over the windows that followed (up to `keep`)
            a_c, b_c = cum[-1]
            loc2 = _locate(cn, seg, cands, a_c - len(cum) * base_a, b_c, opts)
        alarms.append(Alarm("model", sections[s].name, first.t_end_s - t_begin, series.format_time(first.t_end_s),
                            float(first.u[s] - base_u[s]), z_model * widen, float(size),
                            float(1.0 / math.sqrt(b_s)) if b_s > 0 else float("nan"), loc1, loc2, len(hits)))
    for s in balanceable:
        hits_b = [(w, float((w.imbalance[s] - base_i[s]) / (w.sigma[s] * widen_b))) for w in after_b
                  if w.sigma[s] > 0]
        hits_b = [(w, z) for w, z in hits_b if z > z_bal]
        if not hits_b:
            continue
        wb, zv = hits_b[0]
        alarms.append(Alarm("mass balance", sections[s].name, wb.t_end_s - t_begin, series.format_time(wb.t_end_s),
                            zv, z_bal, float(wb.imbalance[s] - base_i[s]), float(wb.sigma[s] * widen_b), None, None,
                            len(hits_b)))
    z_p = float(norm.ppf(opts.detection_probability))
    limits: list[SectionLimit] = []
    flow = np.abs(res.q_kg_s).mean(axis=0)
    for s, sc in enumerate(sections):
        thr = float(np.mean([flow[j] for j in sc.pipes]))
        if s in watched_secs:
            b = float(np.median([w.b_section[s] for w in ref or windows]))  # leak-free windows where there are
            sd = 1.0 / math.sqrt(b) if b > 0 else float("inf")
            limits.append(SectionLimit(sc.name, sc.length_km, "model", (z_model * widen + z_p) * sd, sd, thr))
        if s in balanceable and balances:
            sd = float(np.median([w.sigma[s] for w in ref_b or balances])) * widen_b
            limits.append(SectionLimit(sc.name, sc.length_km, "mass balance", (z_bal + z_p) * sd, sd, thr))
    alarms = _mark_repeats(sorted(alarms, key=lambda a: a.t_s), sections, cn)
    return LeakReport(res, opts, tuple(sections), tuple(sections[s].name for s in watched_secs), tuple(windows),
                      tuple(balances), z_model, z_bal, tuple(alarms), tuple(limits),
                      len(ref), tuple(notes))


def _mark_repeats(alarms: list[Alarm], sections: list[Section], cn: CompiledNetwork) -> list[Alarm]:
    """A model alarm located in a section that alarmed before is the same leak seen again: say so."""
    from dataclasses import replace

    sec_of = {cn.edge_ids[j]: sc.name for sc in sections for j in sc.pipes}
    seen: set[str] = set()
    out = []
    for a in alarms:
        loc = a.location_final or a.location
        where = sec_of.get(loc.pipe) if loc is not None else a.section
        if where is not None and where in seen and where != a.section:
            a = replace(a, same_as=where)
        seen.add(a.section)
        out.append(a)
    return out


def _threshold(opts: LeakOptions, window_minutes: float, tests: int) -> float:
    """The standard-normal threshold of one test: half the yearly false-alarm budget over the windows of a year
    and the sections tested."""
    alpha = opts.false_alarms_per_year * window_minutes / (2.0 * MINUTES_PER_YEAR) / max(tests, 1)
    return float(norm.isf(alpha))


def _locate(
    cn: CompiledNetwork, seg: SegmentedNetwork, cands: Candidates, a: F64, b: F64, opts: LeakOptions
) -> Location | None:
    """The most likely leak point for the statistics ``a``, ``b`` of every candidate and its likelihood interval
    (positive leaks only)."""
    ok = (b > 0) & (a > 0)
    if not np.any(ok):
        return None
    llr = np.where(ok, a * a / np.maximum(b, 1e-300) / 2.0, -np.inf)
    best = int(np.argmax(llr))
    inside = llr >= llr[best] - chi2.ppf(opts.confidence, 1) / 2.0
    pipes = cands.pipe
    ranges: list[tuple[str, float, float]] = []
    total = 0.0
    for j in np.unique(pipes[inside]):
        xs = cands.x_m[inside & (pipes == j)] / 1e3
        # the interval reaches half a grid spacing beyond its outermost points (the grid's resolution)
        step = float(cn.length_m[j]) / 1e3 / max(int(seg.pipe_nseg[j]), 1)
        lo, hi = max(float(xs.min()) - step / 2, 0.0), min(float(xs.max()) + step / 2, float(cn.length_m[j]) / 1e3)
        ranges.append((cn.edge_ids[j], lo, hi))
        total += hi - lo
    route_km = route_iv = None
    if opts.route is not None:
        pos = route_positions(cn, opts.route)
        if int(pipes[best]) in pos:
            def at(j: int, x_km: float) -> float | None:
                if j not in pos:
                    return None
                start, fwd, length = pos[j]
                return start + (x_km if fwd else length - x_km)
            route_km = at(int(pipes[best]), float(cands.x_m[best]) / 1e3)
            ends = [v for j, lo, hi in ranges for v in (at(cn.edge_ids.index(j), lo), at(cn.edge_ids.index(j), hi))
                    if v is not None]
            route_iv = (min(ends), max(ends)) if ends else None
    return Location(cn.edge_ids[int(pipes[best])], float(cands.x_m[best]) / 1e3, tuple(ranges), route_km, route_iv,
                    total)


def route_positions(cn: CompiledNetwork, waypoints: tuple[str, ...]) -> dict[int, tuple[float, bool, float]]:
    """Pipes along a route: pipe index -> (km of its start along the route, traversed forward, length km)."""
    from ..compile import EdgeKind
    from ..route import route_edges

    out: dict[int, tuple[float, bool, float]] = {}
    km = 0.0
    for e, fwd in route_edges(cn, list(waypoints)):
        if cn.edge_kind[e] == EdgeKind.PIPE:
            length = float(cn.length_m[e]) / 1e3
            out[int(e)] = (km, bool(fwd), length)
            km += length
    return out
