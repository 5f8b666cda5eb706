"""Cargo schedules: read from CSV or YAML (errors name the line), generated from contract terms, perturbed.

A schedule is a list of :class:`Cargo` in order of arrival. The CSV columns are::

    vessel,terminal,arrival,volume_m3[,lng][,contract][,status][,delay_h]

``arrival`` is an ISO date-time (``2026-01-03T06:00`` or ``2026-01-03``); ``status`` is ``scheduled``
(default) or ``cancelled``; ``delay_h`` delays the arrival (hours, default 0). A YAML schedule is a list of
mappings with the same keys under ``cargoes:``. Every problem of a file is reported at once, naming its line:
an unknown terminal, a cargo larger than the tank can take above its heel, a negative volume, an arrival
before the start of the run or out of order.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ..errors import InputError
from ..io.atomic import atomic_write_text
from ..model.errors import suggest
from .model import Contract, SupplyChain

COLUMNS = ("vessel", "terminal", "arrival", "volume_m3", "lng", "contract", "status", "delay_h")
REQUIRED = ("vessel", "terminal", "arrival", "volume_m3")
STATUSES = ("scheduled", "cancelled")


@dataclass(frozen=True)
class Cargo:
    """One LNG cargo. ``arrival`` is when the carrier reaches the terminal (after any delay)."""

    vessel: str
    terminal: str
    arrival: datetime
    volume_m3: float
    lng: str | None = None
    contract: str | None = None
    cancelled: bool = False
    delay_h: float = 0.0
    line: int = 0  # line of the file it came from (0: generated)

    @property
    def scheduled_arrival(self) -> datetime:
        return self.arrival - timedelta(hours=self.delay_h)


def parse_time(text: str, where: str) -> datetime:
    """An ISO date or date-time (``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM``), naive (terminal local time)."""
    try:
        t = datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise InputError(f"{where}: '{text}' is not a date-time; write YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
    return t.replace(tzinfo=None)


def _row_problems(row: dict[str, Any], where: str, chain: SupplyChain) -> tuple[Cargo | None, list[str]]:
    problems: list[str] = []
    missing = [k for k in REQUIRED if row.get(k) in (None, "")]
    if missing:
        return None, [f"{where}: missing {', '.join(missing)}; every cargo needs vessel, terminal, arrival, volume_m3"]
    unknown = sorted(set(row) - set(COLUMNS))
    if unknown:
        problems.append(f"{where}: unknown column(s) {', '.join(unknown)}; columns are {', '.join(COLUMNS)}")
    tid = str(row["terminal"]).strip()
    terms = {t.id: t for t in chain.terminals}
    if tid not in terms:
        problems.append(f"{where}: terminal '{tid}' does not exist{suggest(tid, list(terms))}; terminals are "
                        f"{', '.join(terms) or 'none'}")
    try:
        arrival = parse_time(str(row["arrival"]), where)
    except InputError as exc:
        problems += exc.problems
        arrival = datetime.min
    try:
        vol = float(row["volume_m3"])
    except (TypeError, ValueError):
        problems.append(f"{where}: volume_m3 '{row['volume_m3']}' is not a number; give the LNG volume in m3")
        vol = math.nan
    if math.isfinite(vol) and vol <= 0:
        problems.append(f"{where}: volume_m3 must be positive (got {vol:g}); give the LNG volume in m3")
    elif not math.isfinite(vol) and not any("volume_m3" in p for p in problems):
        problems.append(f"{where}: volume_m3 must be a finite number (got {row['volume_m3']})")
    elif tid in terms:
        t = terms[tid]
        room = t.tank_m3 - t.heel_m3
        if vol > room:
            problems.append(
                f"{where}: cargo of {vol:,.0f} m3 is larger than terminal {tid} can take ({t.tank_m3:,.0f} m3 tank "
                f"less {t.heel_m3:,.0f} m3 heel = {room:,.0f} m3); split it or send it to a larger terminal"
            )
    status = str(row.get("status") or "scheduled").strip().lower()
    if status not in STATUSES:
        problems.append(f"{where}: status '{status}' must be scheduled or cancelled")
    delay = 0.0
    if row.get("delay_h") not in (None, ""):
        try:
            delay = float(row["delay_h"])
        except (TypeError, ValueError):
            problems.append(f"{where}: delay_h '{row['delay_h']}' is not a number of hours")
        if not math.isfinite(delay) or delay < 0:
            problems.append(f"{where}: delay_h must be a finite number >= 0 (got {row['delay_h']})")
    lng = str(row["lng"]).strip() if row.get("lng") not in (None, "") else None
    if problems:
        return None, problems
    cargo = Cargo(
        vessel=str(row["vessel"]).strip(), terminal=tid, arrival=arrival + timedelta(hours=delay), volume_m3=vol,
        lng=lng, contract=str(row["contract"]).strip() if row.get("contract") not in (None, "") else None,
        cancelled=status == "cancelled", delay_h=delay,
    )
    return cargo, []


def check_schedule(cargoes: list[Cargo], chain: SupplyChain, start: datetime | None, source: str,
                   known_lng: set[str] | None = None) -> list[str]:
    """Problems of a schedule as a whole: arrivals out of order or before ``start``, unknown compositions."""
    problems: list[str] = []
    last: Cargo | None = None
    for c in cargoes:
        where = f"{source} line {c.line}" if c.line else f"{source} cargo {c.vessel}"
        if start is not None and c.scheduled_arrival < start:
            problems.append(f"{where}: arrival {c.scheduled_arrival:%Y-%m-%d %H:%M} is before the start of the run "
                            f"({start:%Y-%m-%d %H:%M}); drop the cargo or start the run earlier")
        if last is not None and c.scheduled_arrival < last.scheduled_arrival:
            problems.append(f"{where}: arrival {c.scheduled_arrival:%Y-%m-%d %H:%M} is before the previous cargo's "
                            f"({last.scheduled_arrival:%Y-%m-%d %H:%M}); list cargoes in order of arrival")
        last = c
        if known_lng is not None and c.lng is not None and c.lng not in known_lng:
            problems.append(f"{where}: lng '{c.lng}' is not a composition of the supply file or network"
                            f"{suggest(c.lng, sorted(known_lng))}")
    return problems


def _rows_csv(text: str, source: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text))
    rows: list[tuple[int, dict[str, Any]]] = []
    header: list[str] | None = None
    for line_no, raw in enumerate(reader, start=1):
        if not raw or all(not x.strip() for x in raw) or raw[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [h.strip() for h in raw]
            missing = [k for k in REQUIRED if k not in header]
            if missing:
                raise InputError(f"{source} line {line_no}: header lacks {', '.join(missing)}; the columns are "
                                 f"{', '.join(COLUMNS)} (the first four required)")
            continue
        if len(raw) != len(header):
            rows.append((line_no, {"__bad__": f"has {len(raw)} fields, the header {len(header)}"}))
            continue
        rows.append((line_no, dict(zip(header, [x.strip() for x in raw], strict=True))))
    if header is None:
        raise InputError(f"{source}: empty schedule; give a header line ({', '.join(COLUMNS)}) and one line a cargo")
    return rows


def _rows_yaml(text: str, source: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"{source}{where}: malformed YAML; fix the syntax") from None
    doc = yaml.safe_load(text)
    items_node: Any = root
    items: Any = doc
    if isinstance(doc, dict):
        items = doc.get("cargoes")
        items_node = next((v for k, v in root.value if k.value == "cargoes"), None) if root is not None else None
    if not isinstance(items, list) or items_node is None:
        raise InputError(f"{source}: a YAML schedule is a list of cargoes under 'cargoes:'")
    out = []
    for node, item in zip(items_node.value, items, strict=True):
        line = node.start_mark.line + 1
        out.append((line, item if isinstance(item, dict) else {"__bad__": "is not a mapping of cargo fields"}))
    return out


def read_schedule(path: str | Path, chain: SupplyChain, start: datetime | None = None,
                  known_lng: set[str] | None = None) -> list[Cargo]:
    """Read a CSV or YAML cargo schedule and check it against ``chain`` (and the run ``start``)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: schedule file not found; give a .csv or .yaml cargo schedule")
    return schedule_from_text(p.read_text(encoding="utf-8"), p.name, chain, start, known_lng)


def schedule_from_text(text: str, name: str, chain: SupplyChain, start: datetime | None = None,
                       known_lng: set[str] | None = None) -> list[Cargo]:
    """A schedule from CSV or YAML text (by ``name``'s suffix), checked like :func:`read_schedule`."""
    rows = _rows_yaml(text, name) if name.lower().endswith((".yaml", ".yml")) else _rows_csv(text, name)
    return parse_rows(rows, chain, start, name, known_lng)


def parse_rows(rows: list[tuple[int, dict[str, Any]]], chain: SupplyChain, start: datetime | None, source: str,
               known_lng: set[str] | None = None) -> list[Cargo]:
    problems: list[str] = []
    cargoes: list[Cargo] = []
    arrivals: list[tuple[int, datetime]] = []  # every line with a readable arrival, for the order check
    for line, row in rows:
        where = f"{source} line {line}"
        if "__bad__" in row:
            problems.append(f"{where}: the line {row['__bad__']}")
            continue
        cargo, found = _row_problems(row, where, chain)
        problems += found
        if cargo is not None:
            cargoes.append(replace(cargo, line=line))
            arrivals.append((line, cargo.scheduled_arrival))
        elif row.get("arrival") not in (None, ""):
            with contextlib.suppress(InputError):
                arrivals.append((line, parse_time(str(row["arrival"]), where)))
    for (_, t0), (line, t1) in itertools.pairwise(arrivals):
        if t1 < t0:
            problems.append(f"{source} line {line}: arrival {t1:%Y-%m-%d %H:%M} is before the previous cargo's "
                            f"({t0:%Y-%m-%d %H:%M}); list cargoes in order of arrival")
    problems += [p for p in check_schedule(cargoes, chain, start, source, known_lng) if "previous cargo" not in p]
    if problems:
        raise InputError(problems)
    return cargoes


def schedule_csv(cargoes: list[Cargo]) -> str:
    """The schedule as CSV text (the format :func:`read_schedule` reads)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for c in cargoes:
        w.writerow([c.vessel, c.terminal, c.scheduled_arrival.isoformat(timespec="minutes"), f"{c.volume_m3:.0f}",
                    c.lng or "", c.contract or "", "cancelled" if c.cancelled else "scheduled",
                    f"{c.delay_h:g}" if c.delay_h else ""])
    return buf.getvalue()


def write_schedule(cargoes: list[Cargo], path: str | Path) -> None:
    atomic_write_text(path, schedule_csv(cargoes))


def generate(chain: SupplyChain, start: datetime, days: float, seed: int = 0,
             contracts: list[Contract] | None = None) -> list[Cargo]:
    """Cargoes of the contracts over ``days`` from ``start``: evenly spaced at the contract rate from
    ``offset_days``, terminals in turn, each arrival moved by a uniform draw within ``arrival_spread_days``
    (seeded: the same seed gives the same schedule). Contracts outside their start/end dates give nothing."""
    end = start + timedelta(days=days)
    out: list[Cargo] = []
    for k, c in enumerate(contracts if contracts is not None else chain.contracts):
        c_start = parse_time(c.start, f"contract {c.id} start")
        c_end = parse_time(c.end, f"contract {c.id} end") + timedelta(days=1) if c.end else None
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(k,)))
        step = timedelta(days=c.interval_days)
        t = start + timedelta(days=c.offset_days)
        n = 0
        while t < end:
            jitter = timedelta(days=float(rng.uniform(-0.5, 0.5)) * c.arrival_spread_days)
            arrival = max(start, t + jitter)
            if arrival >= c_start and (c_end is None or arrival < c_end) and arrival < end:
                out.append(Cargo(
                    vessel=f"{c.id}-{n + 1:03d}", terminal=c.terminals[n % len(c.terminals)],
                    arrival=arrival.replace(microsecond=0, second=0), volume_m3=c.vessel_m3, lng=c.lng,
                    contract=c.id,
                ))
                n += 1
            t += step
    out.sort(key=lambda c: (c.arrival, c.terminal, c.vessel))
    return out


@dataclass(frozen=True)
class Disruption:
    """Default reliability of cargoes that name no contract (spot cargoes); A."""

    p_delay: float = 0.15
    delay_mean_days: float = 2.0
    p_cancel: float = 0.05


def perturb(cargoes: list[Cargo], chain: SupplyChain, rng: np.random.Generator,
            spot: Disruption = Disruption()) -> list[Cargo]:
    """Random delays (exponential, by contract) and cancellations of a schedule; the order is kept as drawn
    (every cargo draws the same three numbers, so one cargo's draw never shifts another's)."""
    terms = {c.id: c for c in chain.contracts}
    out = []
    for cargo in cargoes:
        u_cancel, u_late, e = rng.random(), rng.random(), rng.exponential()
        if cargo.cancelled:
            out.append(cargo)
            continue
        c = terms.get(cargo.contract or "")
        p_cancel, p_delay, mean = (c.p_cancel, c.p_delay, c.delay_mean_days) if c else (
            spot.p_cancel, spot.p_delay, spot.delay_mean_days)
        if u_cancel < p_cancel:
            out.append(replace(cargo, cancelled=True))
        elif u_late < p_delay:
            d = e * mean * 24.0
            out.append(replace(cargo, arrival=cargo.arrival + timedelta(hours=d), delay_h=cargo.delay_h + d))
        else:
            out.append(cargo)
    return out


def delayed(cargoes: list[Cargo], index: int, days: float) -> list[Cargo]:
    """The schedule with cargo ``index`` late by ``days``."""
    out = list(cargoes)
    c = out[index]
    out[index] = replace(c, arrival=c.arrival + timedelta(days=days), delay_h=c.delay_h + 24.0 * days)
    return out
