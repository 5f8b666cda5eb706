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
  ruptured section is not modelled).
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
}


@dataclass(frozen=True)
class Event:
    """One event: ``kind`` applied to element ``target`` at ``time_s`` seconds from the start."""

    time_s: float
    kind: EventKind
    target: str

    def describe(self) -> str:
        h, m = divmod(round(self.time_s / 60.0), 60)
        return f"{self.kind.value} {self.target} at {h:02d}:{m:02d}"


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
    return Event(t, kind, m.group(2))


@dataclass(frozen=True)
class EventEffect:
    """What an event changed: the new segmented network, kept resistive edges, sources taken out."""

    cn: CompiledNetwork
    res_keep: NDArray[np.bool_]  # mask over the previous network's resistive edges
    sources_out: NDArray[np.int64]


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
    }[event.kind]
    if kinds.get(t) != want:
        same_kind = [i for i, k in kinds.items() if k == want]
        raise InputError(
            f"event {event.describe()}: no {want.name.lower().replace('_', ' ')} '{t}' in the scenario"
            f"{suggest(t, same_kind)}"
        )
    return event


def apply_event(seg: SegmentedNetwork, cn: CompiledNetwork, event: Event) -> EventEffect:
    """The segmented network ``cn`` (the current one, after earlier events) with ``event`` applied."""
    base = seg.base
    keep = np.ones(len(cn.res_edge), dtype=bool)
    out = np.zeros(0, dtype=np.int64)
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
