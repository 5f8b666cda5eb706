"""Discrete events of a transient run: valve closure, compressor trip, source outage, pipe isolation.

An event takes effect at the start of the first time step that begins at or after its time, and stays in
force to the end of the run. Events written on the command line read ``KIND:TARGET@TIME`` with TIME as
``HH:MM``, hours (``6`` or ``6.5h``) or seconds (``21600s``):

* ``outage:<source id or node id>`` - a supply (LNG terminal, field, border point) stops: its inflow
  falls to zero and it no longer holds a pressure;
* ``trip:<compressor id>`` - the compressor stops; gas passes through the station bypass (suction and
  discharge pressures equal);
* ``close:<valve id>`` / ``open:<valve id>`` - a valve closes (no flow) or opens (equal pressures);
* ``isolate:<pipe id>`` - rupture isolation: the block valves at both ends of the pipe close (its first
  and last segments carry no flow); the gas inside stays in the isolated section (blow-down of the
  ruptured section is not modelled);
* ``leak:<pipe id>:<km>:<kg/s>`` - a leak opens on the pipe at ``km`` kilometres from its from-node and
  draws a constant ``kg/s`` from then on (at the grid point nearest to ``km``, at most half a segment
  away); e.g. ``leak:PSGP-03:42.5:4@06:00``. Used by the synthetic SCADA of :mod:`linepack.estimate`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode, EdgeKind
from ..errors import InputError
from ..model.errors import suggest
from .discretise import SegmentedNetwork

F64 = NDArray[np.float64]


class EventKind(StrEnum):
    SOURCE_OUTAGE = "outage"
    COMPRESSOR_TRIP = "trip"
    VALVE_CLOSE = "close"
    VALVE_OPEN = "open"
    PIPE_ISOLATION = "isolate"
    LEAK = "leak"


_ALIASES = {
    "outage": EventKind.SOURCE_OUTAGE,
    "source_outage": EventKind.SOURCE_OUTAGE,
    "terminal_outage": EventKind.SOURCE_OUTAGE,
    "trip": EventKind.COMPRESSOR_TRIP,
    "compressor_trip": EventKind.COMPRESSOR_TRIP,
    "close": EventKind.VALVE_CLOSE,
    "valve_close": EventKind.VALVE_CLOSE,
    "open": EventKind.VALVE_OPEN,
    "valve_open": EventKind.VALVE_OPEN,
    "isolate": EventKind.PIPE_ISOLATION,
    "pipe_isolation": EventKind.PIPE_ISOLATION,
    "rupture": EventKind.PIPE_ISOLATION,
    "leak": EventKind.LEAK,
}


@dataclass(frozen=True)
class Event:
    """One event: ``kind`` applied to element ``target`` at ``time_s`` seconds from the start.

    A leak (``kind`` LEAK) also has its place, ``position_m`` metres from the pipe's from-node, and its
    constant mass rate ``rate_kg_s``.
    """

    time_s: float
    kind: EventKind
    target: str
    position_m: float | None = None
    rate_kg_s: float | None = None

    def describe(self) -> str:
        h, m = divmod(round(self.time_s / 60.0), 60)
        if self.kind == EventKind.LEAK:
            return (
                f"leak of {self.rate_kg_s:g} kg/s on {self.target} at {(self.position_m or 0.0) / 1e3:g} km "
                f"at {h:02d}:{m:02d}"
            )
        return f"{self.kind.value} {self.target} at {h:02d}:{m:02d}"


def leak_event(pipe_id: str, position_km: float, rate_kg_s: float, time_s: float) -> Event:
    """A leak of ``rate_kg_s`` [kg/s] on ``pipe_id`` at ``position_km`` [km] from its from-node, opening at
    ``time_s`` [s] (checked against the network when the run starts)."""
    return Event(float(time_s), EventKind.LEAK, pipe_id, float(position_km) * 1e3, float(rate_kg_s))


def parse_time_s(text: str) -> float:
    """``HH:MM`` or ``HH:MM:SS``, hours (``6``, ``6.5h``) or seconds (``21600s``) -> seconds."""
    s = text.strip().lower()
    try:
        if ":" in s:
            parts = [float(x) for x in s.split(":")]
            if len(parts) > 3:
                raise ValueError
            return sum(v * f for v, f in zip(parts, (3600.0, 60.0, 1.0), strict=False))
        if s.endswith("s"):
            return float(s[:-1])
        if s.endswith("h"):
            return float(s[:-1]) * 3600.0
        return float(s) * 3600.0
    except ValueError:
        raise InputError(f"time '{text}' is not HH:MM, hours (6.5h) or seconds (21600s)") from None


def parse_event(text: str) -> Event:
    """Parse ``KIND:TARGET@TIME`` (see the module docstring)."""
    m = re.fullmatch(r"\s*([A-Za-z_]+)\s*:\s*([^@]+?)\s*@\s*(\S+)\s*", text)
    if m is None:
        raise InputError(
            f"event '{text}' is not KIND:TARGET@TIME; for example outage:EETL_FSRU@06:00 or trip:CS2@12:30"
        )
    kind = _ALIASES.get(m.group(1).lower())
    if kind is None:
        raise InputError(
            f"event '{text}': unknown kind '{m.group(1)}'{suggest(m.group(1), list(_ALIASES))}; "
            f"choose one of {', '.join(sorted(_ALIASES))}"
        )
    t = parse_time_s(m.group(3))
    if t < 0:
        raise InputError(f"event '{text}': time must be >= 0")
    if kind == EventKind.LEAK:
        return _parse_leak(text, m.group(2), t)
    return Event(t, kind, m.group(2))


def _parse_leak(text: str, target: str, t: float) -> Event:
    parts = [x.strip() for x in target.split(":")]
    usage = "write leak:PIPE:KM:KG_S@TIME, for example leak:PSGP-03:42.5:4@06:00 (4 kg/s at 42.5 km)"
    if len(parts) != 3 or not parts[0]:
        raise InputError(f"event '{text}': a leak needs a pipe, a position and a rate; {usage}")
    km, rate = parts[1].lower().removesuffix("km"), parts[2].lower().removesuffix("kg/s")
    try:
        position_km, rate_kg_s = float(km), float(rate)
    except ValueError:
        raise InputError(f"event '{text}': position and rate must be numbers; {usage}") from None
    return leak_event(parts[0], position_km, rate_kg_s, t)


@dataclass(frozen=True)
class EventEffect:
    """What an event changed: the new segmented network, kept resistive edges, sources taken out."""

    cn: CompiledNetwork
    res_keep: NDArray[np.bool_]  # mask over the previous network's resistive edges
    sources_out: NDArray[np.int64]
    withdrawal: tuple[int, float] | None = None  # (point of the segmented network, kg/s) drawn by a leak


def resolve(seg: SegmentedNetwork, event: Event) -> Event:
    """Check the target of ``event`` against the network (node ids name their sources for outages)."""
    base = seg.base
    kinds = {i: EdgeKind(k) for i, k in zip(base.edge_ids, base.edge_kind.tolist(), strict=True)}
    t = event.target
    if event.kind == EventKind.SOURCE_OUTAGE:
        if t in base.source_ids:
            return event
        at_node = [s for s, n in zip(base.source_ids, base.source_node.tolist(), strict=True) if base.node_ids[n] == t]
        if not at_node:
            names = [*base.source_ids, *(base.node_ids[n] for n in base.source_node.tolist())]
            raise InputError(
                f"event {event.describe()}: no source (or node with a source) '{t}' in the scenario{suggest(t, names)}"
            )
        return replace(event, target=at_node[0]) if len(at_node) == 1 else event
    want = {
        EventKind.COMPRESSOR_TRIP: EdgeKind.COMPRESSOR,
        EventKind.VALVE_CLOSE: EdgeKind.VALVE,
        EventKind.VALVE_OPEN: EdgeKind.VALVE,
        EventKind.PIPE_ISOLATION: EdgeKind.PIPE,
        EventKind.LEAK: EdgeKind.PIPE,
    }[event.kind]
    if kinds.get(t) != want:
        same_kind = [i for i, k in kinds.items() if k == want]
        raise InputError(
            f"event {event.describe()}: no {want.name.lower().replace('_', ' ')} '{t}' in the scenario"
            f"{suggest(t, same_kind)}"
        )
    if event.kind == EventKind.LEAK:
        length = float(base.length_m[base.edge_index(t)])
        pos, rate = event.position_m, event.rate_kg_s
        if pos is None or not np.isfinite(pos) or not 0.0 <= pos <= length:
            raise InputError(
                f"event {event.describe()}: the position must lie on pipe {t}, from 0 to {length / 1e3:g} km "
                f"(got {(pos or float('nan')) / 1e3:g} km)"
            )
        if rate is None or not np.isfinite(rate) or rate <= 0:
            raise InputError(f"event {event.describe()}: the leak rate must be > 0 kg/s (got {rate!r})")
    return event


def leak_point(seg: SegmentedNetwork, pipe_id: str, position_m: float) -> int:
    """The point of the segmented network nearest to ``position_m`` metres along ``pipe_id``."""
    j = seg.base.edge_index(pipe_id)
    a, n = int(seg.pipe_point_start[j]), int(seg.pipe_nseg[j])
    k = int(np.argmin(np.abs(seg.point_x_m[a : a + n + 1] - position_m)))
    return int(seg.pipe_points[a + k])


def apply_event(seg: SegmentedNetwork, cn: CompiledNetwork, event: Event) -> EventEffect:
    """The segmented network ``cn`` (the current one, after earlier events) with ``event`` applied."""
    base = seg.base
    keep = np.ones(len(cn.res_edge), dtype=bool)
    out = np.zeros(0, dtype=np.int64)
    if event.kind == EventKind.LEAK:
        point = leak_point(seg, event.target, float(event.position_m or 0.0))
        return EventEffect(cn, keep, out, (point, float(event.rate_kg_s or 0.0)))
    if event.kind == EventKind.SOURCE_OUTAGE:
        ks = [i for i, s in enumerate(base.source_ids) if s == event.target]
        if not ks:  # a node id with several sources: all of them
            ks = [i for i, n in enumerate(base.source_node.tolist()) if base.node_ids[n] == event.target]
        out = np.array(ks, dtype=np.int64)
        is_p = cn.source_is_pressure.copy()
        inflow, cap, pmax = cn.source_inflow.copy(), cn.source_capacity.copy(), cn.source_p_max_pa.copy()
        is_p[out], inflow[out], cap[out], pmax[out] = False, 0.0, 0.0, np.nan
        cn = replace(cn, source_is_pressure=is_p, source_inflow=inflow, source_capacity=cap, source_p_max_pa=pmax)
    elif event.kind == EventKind.COMPRESSOR_TRIP:
        e = seg.edge_map[base.edge_index(event.target)]
        k = int(np.flatnonzero(cn.comp_edge == e)[0])
        mode = cn.comp_mode.copy()
        mode[k] = CompMode.BYPASS
        cn = replace(cn, comp_mode=mode)
    elif event.kind in (EventKind.VALVE_CLOSE, EventKind.VALVE_OPEN):
        e = seg.edge_map[base.edge_index(event.target)]
        tie = cn.tie_edge[cn.tie_edge != e]
        block = cn.block_edge[cn.block_edge != e]
        if event.kind == EventKind.VALVE_CLOSE:
            block = np.append(block, e)
        else:
            tie = np.append(tie, e)
        cn = replace(cn, tie_edge=tie.astype(np.int64), block_edge=block.astype(np.int64))
    else:  # pipe isolation: block the first and last segment
        j = base.edge_index(event.target)
        ends = np.unique([seg.pipe_seg_start[j], seg.pipe_seg_start[j] + seg.pipe_nseg[j] - 1])
        keep = ~np.isin(cn.res_edge, ends)
        res_fields = (
            "res_edge",
            "res_is_pipe",
            "length_m",
            "diameter_m",
            "roughness_m",
            "efficiency",
            "law",
            "zeta",
            "dh_m",
            "maop_pa",
            "nominal_diameter_in",
        )
        changes = {f: getattr(cn, f)[keep] for f in res_fields}
        changes["block_edge"] = np.unique(np.concatenate([cn.block_edge, ends])).astype(np.int64)
        cn = replace(cn, **changes)
    return EventEffect(cn, keep, out)
