"""Synthetic SCADA from linepack's own transient runs: the ground truth the estimators are tested against.

A transient run (:func:`linepack.transient.solve_transient`, with demand profiles and events, leaks
included) gives the true state; each meter of a meter set reads it at the SCADA interval, in its own unit,
with the errors a real meter has:

* **noise**: a normal error with the meter's ``sigma`` and ``sigma_pct`` on every reading;
* **bias**: a constant error per meter, drawn once from a normal law with the meter's ``systematic``;
* **drop-outs**: single readings missing at random (``dropout_rate``), and outages of ``outage_minutes``;
* **stuck meters**: a meter that repeats its last reading from a given time;
* **gross errors**: a fixed offset on one meter over a time span.

Every random draw comes from one seeded generator, so a seed gives the same data on every machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, compile_network
from ..errors import InputError
from ..model.network import Network
from ..transient import Event, Profile, TransientOptions, TransientResult, solve_transient
from ..transient.events import EventKind
from .meters import BoundMeters, Meter, MeterKind, MeterSet, bind
from .scada import ScadaData, scada_from_arrays
from .units import Quantity

F64 = NDArray[np.float64]
START_ISO = "2024-01-15T00:00:00"  # the first reading of generated data (a winter Monday; any date would do)


@dataclass(frozen=True)
class Stuck:
    tag: str
    from_s: float


@dataclass(frozen=True)
class GrossError:
    tag: str
    offset: float  # in the tag's unit
    from_s: float = 0.0
    to_s: float = float("inf")


@dataclass(frozen=True)
class MeterErrors:
    """The errors put on the readings (see the module docstring)."""

    noise: bool = True
    bias: bool = False
    dropout_rate: float = 0.0
    outages: int = 0
    outage_minutes: float = 30.0
    stuck: tuple[Stuck, ...] = ()
    gross: tuple[GrossError, ...] = ()
    decimals: int = 4  # readings are rounded to this many decimals in the tag's unit (SCADA resolution)


@dataclass(frozen=True)
class SyntheticScada:
    """Generated readings with their ground truth."""

    data: ScadaData
    meters: MeterSet
    truth: TransientResult
    times_s: F64  # reading times, from the start of the run
    true_si: F64  # n_times x n_meters: what each meter would read without error (SI)
    bias_si: F64  # per meter
    leaks: tuple[Event, ...] = field(default=())


def default_meter_set(
    network: Network | CompiledNetwork,
    scenario: str | None = None,
    *,
    name: str = "default meters",
    pressure_sigma_bar: float = 0.05,
    flow_sigma_pct: float = 0.5,
    power_sigma_pct: float = 2.0,
    pipe_flows: Sequence[tuple[str, str]] = (),
    pressure_nodes: Sequence[str] = (),
    provenance: str = "A: assumed meter set (pressures at stations and city gates, flows at supplies and deliveries)",
) -> MeterSet:
    """A plain SCADA meter set (provenance A): pressure at every source, sink and compressor suction and
    discharge node; flow at every source, sink and compressor; compressor power; pressure at ``pressure_nodes``
    and flow at the given ``(pipe id, end)`` places."""
    cn = network if isinstance(network, CompiledNetwork) else compile_network(network, scenario)
    meters: list[Meter] = []
    seen: set[str] = set()
    prov = provenance

    def pressure(node: str) -> None:
        if node in seen:
            return
        seen.add(node)
        meters.append(Meter(tag=f"{node}.P", quantity=Quantity.PRESSURE, element=node, unit="barg",
                            sigma=pressure_sigma_bar, min=0.0, max=150.0, provenance=prov))

    def flow(tag: str, element: str, end: str | None = None) -> None:
        meters.append(Meter(tag=tag, quantity=Quantity.FLOW, element=element, unit="kg/s", sigma_pct=flow_sigma_pct,
                            end=end, min=-2000.0, max=2000.0, provenance=prov))

    for k, sid in enumerate(cn.source_ids):
        pressure(cn.node_ids[cn.source_node[k]])
        flow(f"{sid}.Q", sid)
    for e in cn.comp_edge:
        cid = cn.edge_ids[e]
        pressure(cn.node_ids[cn.edge_from[e]])
        pressure(cn.node_ids[cn.edge_to[e]])
        flow(f"{cid}.Q", cid)
        meters.append(Meter(tag=f"{cid}.W", quantity=Quantity.POWER, element=cid, unit="MW",
                            sigma_pct=power_sigma_pct, min=-5.0, max=500.0, provenance=prov))
    for k, sid in enumerate(cn.sink_ids):
        pressure(cn.node_ids[cn.sink_node[k]])
        flow(f"{sid}.Q", sid)
    for node in pressure_nodes:
        pressure(node)
    for pipe, end in pipe_flows:
        flow(f"{pipe}.Q{end.upper()}", pipe, end)
    return MeterSet(name, tuple(meters))


def true_readings(truth: TransientResult, bound: BoundMeters, rows: NDArray[np.int64]) -> F64:
    """What every meter reads without error at the stored times ``rows`` of a transient result [SI]."""
    out = np.empty((len(rows), bound.n))
    seg = truth.seg
    for i, (kind, idx, end) in enumerate(zip(bound.kind.tolist(), bound.index.tolist(), bound.at_end.tolist(),
                                             strict=True)):
        if kind == MeterKind.NODE_PRESSURE:
            out[:, i] = truth.node_p_pa[rows, idx]
        elif kind == MeterKind.EDGE_FLOW:
            if idx < seg.n_pipes:
                out[:, i] = (truth.pipe_q_out_kg_s if end else truth.pipe_q_in_kg_s)[rows, idx]
            else:
                out[:, i] = truth.edge_q_kg_s[rows, idx]
        elif kind == MeterKind.SOURCE_FLOW:
            out[:, i] = truth.source_supply_kg_s[rows, idx]
        elif kind == MeterKind.SINK_FLOW:
            out[:, i] = truth.sink_demand_kg_s[rows, idx]
        else:
            out[:, i] = truth.comp_power_w[rows, idx]
    return out


def synthesize(
    network: Network | CompiledNetwork,
    meters: MeterSet,
    scenario: str | None = None,
    *,
    profile: Profile | None = None,
    events: Sequence[Event] = (),
    hours: float = 24.0,
    interval_s: float = 60.0,
    errors: MeterErrors | None = None,
    seed: int = 0,
    segment_length_m: float = 1000.0,
    start_iso: str | None = START_ISO,
    truth: TransientResult | None = None,
) -> SyntheticScada:
    """Simulate ``network`` for ``hours`` (or take ``truth``, a finished run) and read every meter every
    ``interval_s`` seconds with ``errors`` (none: noise only). Times are ISO timestamps from ``start_iso``
    (None: seconds from 0)."""
    err = errors or MeterErrors()
    if truth is None:
        opts = TransientOptions(horizon_s=hours * 3600.0, dt_s=interval_s, segment_length_m=segment_length_m,
                                output_interval_s=3600.0)
        truth = solve_transient(network, scenario, profile=profile, events=events, options=opts)
    if not truth.completed:
        raise InputError(f"the transient run behind the synthetic SCADA stopped early: {truth.message}")
    base = truth.seg.base
    bound = bind(meters, base)
    step = truth.dt_s
    every = interval_s / step
    if abs(every - round(every)) > 1e-9 or round(every) < 1:
        raise InputError(f"interval {interval_s:g} s must be a whole multiple of the run's step {step:g} s")
    rows = np.arange(0, len(truth.times_s), round(every), dtype=np.int64)
    times = truth.times_s[rows]
    true_si = true_readings(truth, bound, rows)
    rng = np.random.default_rng(seed)
    n_t, n_m = true_si.shape
    factor, offset = bound.factors, bound.offsets
    true_unit = (true_si - offset) / factor
    ms = meters.meters
    sig = np.array([m.sigma for m in ms])
    pct = np.array([m.sigma_pct for m in ms]) / 100.0
    floor = bound.zero_floor_si() / np.abs(factor)
    value = true_unit.copy()
    if err.noise:
        spread = np.sqrt(sig**2 + (pct * np.maximum(np.abs(true_unit), floor)) ** 2)
        value += rng.standard_normal((n_t, n_m)) * spread
    bias = rng.standard_normal(n_m) * np.array([m.systematic for m in ms]) if err.bias else np.zeros(n_m)
    value += bias
    tags = meters.tags
    where = {t: i for i, t in enumerate(tags)}
    for g in err.gross:
        if g.tag not in where:
            raise InputError(f"gross error: no tag {g.tag} in meter set {meters.name}")
        value[(times >= g.from_s) & (times <= g.to_s), where[g.tag]] += g.offset
    value = np.round(value, err.decimals)
    for s in err.stuck:
        if s.tag not in where:
            raise InputError(f"stuck meter: no tag {s.tag} in meter set {meters.name}")
        k0 = int(np.searchsorted(times, s.from_s))
        if k0 < n_t:
            value[k0:, where[s.tag]] = value[max(k0 - 1, 0), where[s.tag]]
    missing = rng.random((n_t, n_m)) < err.dropout_rate
    span = max(1, round(err.outage_minutes * 60.0 / interval_s))
    for _ in range(err.outages):
        i = int(rng.integers(n_m))
        k = int(rng.integers(max(n_t - span, 1)))
        missing[k : k + span, i] = True
    value[missing] = np.nan
    t0 = _iso0(start_iso)
    time_col = np.repeat(times + (t0 if t0 is not None else 0.0), n_m)
    tag_code = np.tile(np.arange(n_m), n_t)
    units = sorted({m.unit for m in ms})
    unit_code = np.tile(np.array([units.index(m.unit) for m in ms]), n_t)
    data = scada_from_arrays("synthetic", time_col, tags, tag_code, value.ravel(), units, unit_code, t0 is not None)
    leaks = tuple(e for e in truth.events if e.kind == EventKind.LEAK)
    return SyntheticScada(data, meters, truth, times, true_si, bias * factor, leaks)


def _iso0(start_iso: str | None) -> float | None:
    if start_iso is None:
        return None
    from .scada import _iso_seconds

    return _iso_seconds(start_iso)
