"""Berths of a terminal: carriers queue, berth, unload and leave (LNG or LPG; kilograms and seconds).

Carriers berth in order of arrival at the berth that is free first; a carrier unloads ``berthing`` after it
reaches a free berth, at its own rate, and the berth is free again ``unberthing`` after the end of
unloading. Carriers at berths unload in order of their unloading start and share the room the tank has in
a step; when the room runs out, the carrier stays at its berth and nothing more happens at the terminal in
that step (the next carrier waits: a berth conflict).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class CargoLog:
    """What happened to one cargo in the run (times in seconds from the start; NaN: did not happen)."""

    index: int  # position in the run's schedule
    arrival_s: float
    berthed_s: float = np.nan
    unload_start_s: float = np.nan
    unload_end_s: float = np.nan
    unloaded_kg: float = 0.0
    status: str = "due"  # due, waiting, unloading, unloaded, cancelled, after the run


@dataclass
class _Berth:
    cargo: int = -1  # cargo index; -1: free
    unload_from: float = 0.0  # when unloading (re)starts [s]
    remaining_kg: float = 0.0
    free_from: float = -np.inf  # when free: since when


@dataclass
class Berths:
    """The berths and queue of one terminal. ``mass_kg`` and ``rate_kg_s`` are per cargo index."""

    n_berths: int
    berthing_s: float
    unberthing_s: float
    mass_kg: dict[int, float]
    rate_kg_s: dict[int, float]
    logs: dict[int, CargoLog]
    order: list[int] = field(default_factory=list)  # cargo indices in order of arrival

    def __post_init__(self) -> None:
        self.order = sorted(self.logs, key=lambda i: (self.logs[i].arrival_s, i))
        self.berths = [_Berth() for _ in range(self.n_berths)]
        self.queue: list[int] = []
        self._next = 0

    def arrive(self, t1: float) -> None:
        """Carriers arriving before ``t1`` join the queue (cancelled cargoes never do)."""
        while self._next < len(self.order):
            i = self.order[self._next]
            log = self.logs[i]
            if log.arrival_s >= t1:
                break
            self._next += 1
            if log.status == "cancelled":
                continue
            self.queue.append(i)
            log.status = "waiting"

    def unload(self, t0: float, t1: float, budget_kg: float, commit: bool) -> tuple[float, list[tuple[int, float]]]:
        """Mass unloaded in [t0, t1) with at most ``budget_kg`` of room, and the (cargo, kg) parts; the berths,
        queue and logs move on only when ``commit``."""
        berths = self.berths if commit else [_Berth(b.cargo, b.unload_from, b.remaining_kg, b.free_from)
                                             for b in self.berths]
        queue = self.queue if commit else list(self.queue)
        total, parts, full = 0.0, [], False
        while True:
            changed = False
            for b in sorted((b for b in berths if b.cargo < 0), key=lambda b: b.free_from):
                if not queue or full:
                    break
                i = queue[0]
                t_b = max(b.free_from, self.logs[i].arrival_s, t0)
                if t_b >= t1:
                    break
                queue.pop(0)
                b.cargo, b.unload_from, b.remaining_kg = i, t_b + self.berthing_s, self.mass_kg[i]
                changed = True
                if commit:
                    self.logs[i].berthed_s, self.logs[i].status = t_b, "unloading"
            for b in sorted((b for b in berths if b.cargo >= 0), key=lambda b: b.unload_from):
                s = max(b.unload_from, t0)
                if s >= t1:
                    continue
                i, rate = b.cargo, self.rate_kg_s[b.cargo]
                want = min(b.remaining_kg, rate * (t1 - s))
                can = min(want, max(budget_kg - total, 0.0))
                total += can
                if can > 0:
                    parts.append((i, can))
                    if commit:
                        if np.isnan(self.logs[i].unload_start_s):
                            self.logs[i].unload_start_s = s
                        self.logs[i].unloaded_kg += can
                full = full or can < want
                if can >= b.remaining_kg and not full:
                    end = s + can / rate
                    if commit:
                        self.logs[i].unload_end_s, self.logs[i].status = end, "unloaded"
                    b.cargo, b.remaining_kg, b.free_from = -1, 0.0, end + self.unberthing_s
                    changed = True
                else:
                    b.remaining_kg -= can
                    b.unload_from = t1
            if not changed or full:
                return total, parts

    def waiting(self) -> int:
        return len(self.queue)

    def finish(self) -> None:
        for log in self.logs.values():
            if log.status == "due":
                log.status = "after the run"
