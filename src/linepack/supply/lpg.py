"""An LPG import terminal (not on the gas grid): parcels in, trucks and rail out, days of cover, stock-outs.

A day (or any step) at the terminal, in tonnes: parcels discharge through the berths (:mod:`.berths`) into
the room the tanks have with the day's dispatch; the dispatch is the market's offtake, limited by the loading
capacity (road tankers x load + rail wagons x load, per day) and by the stock above the minimum, the day's
discharge included::

    dispatch = min(offtake, loading capacity, stock0 + discharged - min_stock)
    stock1 = stock0 + discharged - dispatch

A step whose dispatch falls short of the offtake because the stock is at its minimum is a stock-out; one
limited by the loading capacity is a loading shortfall. Days of cover = (stock - min_stock) / offtake.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from .berths import Berths, CargoLog
from .model import LpgTerminal

F64 = NDArray[np.float64]
T = 1000.0  # kg per tonne


@dataclass(frozen=True)
class Parcel:
    vessel: str
    arrival: datetime
    tonnes: float
    cancelled: bool = False


def generate_parcels(spec: LpgTerminal, start: datetime, days: float) -> list[Parcel]:
    """Parcels evenly spaced at ``parcels_per_month`` (the first after half an interval)."""
    if spec.parcels_per_month <= 0 or spec.parcel_t <= 0:
        return []
    step = 365.25 / 12.0 / spec.parcels_per_month
    out, t, n = [], step / 2.0, 0
    while t < days:
        n += 1
        out.append(Parcel(f"{spec.id}-P{n:03d}", start + timedelta(days=t), spec.parcel_t))
        t += step
    return out


@dataclass
class LpgResult:
    """A run of one LPG terminal: per step stock, discharge, dispatch, offtake asked for (tonnes)."""

    spec: LpgTerminal
    start: datetime
    edges_s: F64
    stock_t: F64
    discharged_t: F64
    dispatched_t: F64
    offtake_t: F64
    stock_out: NDArray[np.bool_]
    loading_short: NDArray[np.bool_]
    parcels: list[Parcel]
    logs: list[CargoLog]
    stock0_t: float

    def days_of_cover(self) -> F64:
        return np.maximum(self.stock_t - self.spec.min_stock_t, 0.0) / self.spec.offtake_t_per_d

    def balance_error(self) -> float:
        lhs = float(np.sum(self.discharged_t))
        rhs = float(np.sum(self.dispatched_t)) + float(self.stock_t[-1]) - self.stock0_t
        return abs(lhs - rhs) / max(lhs, self.stock0_t, 1.0)

    def summary(self) -> dict[str, Any]:
        days = float(self.edges_s[-1]) / 86400.0
        k = int(np.argmin(self.stock_t))
        return {
            "terminal": self.spec.id, "days": days,
            "parcels_discharged": sum(g.status == "unloaded" for g in self.logs),
            "discharged_t": float(np.sum(self.discharged_t)), "dispatched_t": float(np.sum(self.dispatched_t)),
            "offtake_t": float(np.sum(self.offtake_t)),
            "unmet_t": float(np.sum(self.offtake_t - self.dispatched_t)),
            "stock_out_days": float(np.sum(np.diff(self.edges_s)[self.stock_out]) / 86400.0),
            "loading_short_days": float(np.sum(np.diff(self.edges_s)[self.loading_short]) / 86400.0),
            "start_t": self.stock0_t, "end_t": float(self.stock_t[-1]),
            "min_days_of_cover": float(self.days_of_cover()[k]),
            "min_cover_at": (self.start + timedelta(seconds=float(self.edges_s[k + 1]))).isoformat(timespec="minutes"),
            "parcel_wait_h": float(np.nansum([(g.berthed_s - g.arrival_s) / 3600.0 for g in self.logs])),
        }

    def events(self) -> list[tuple[str, str]]:
        out = []
        prev = False
        for k, flag in enumerate(self.stock_out):
            if flag and not prev:
                at = self.start + timedelta(seconds=float(self.edges_s[k]))
                out.append((at.isoformat(timespec="minutes"), f"{self.spec.id} stock-out: offtake not met"))
            prev = bool(flag)
        return out


def run_lpg(spec: LpgTerminal, parcels: list[Parcel], start: datetime, days: float, step_h: float = 24.0,
            offtake_factor: F64 | None = None) -> LpgResult:
    """Simulate ``spec`` with ``parcels`` over ``days`` in steps of ``step_h`` hours (see the module docstring);
    ``offtake_factor`` (one per step) scales the daily offtake."""
    if days <= 0 or step_h <= 0 or not math.isfinite(days * step_h):
        raise InputError("LPG run: give a positive number of days and a positive step")
    problems = [f"LPG parcel {p.vessel}: {p.tonnes:g} t is larger than terminal {spec.id}'s storage "
                f"({spec.storage_t:g} t less {spec.min_stock_t:g} t kept back)" for p in parcels
                if p.tonnes > spec.storage_t - spec.min_stock_t]
    problems += [f"LPG parcel {p.vessel}: tonnes must be positive (got {p.tonnes:g})" for p in parcels if p.tonnes <= 0]
    problems += [f"LPG parcel {p.vessel}: arrival {p.arrival:%Y-%m-%d %H:%M} is before the start "
                 f"({start:%Y-%m-%d %H:%M})" for p in parcels if p.arrival < start]
    if problems:
        raise InputError(problems)
    edges = np.minimum(np.arange(int(np.ceil(days * 24.0 / step_h - 1e-9)) + 1) * step_h * 3600.0, days * 86400.0)
    n = len(edges) - 1
    logs = {i: CargoLog(i, (p.arrival - start).total_seconds(), status="cancelled" if p.cancelled else "due")
            for i, p in enumerate(parcels)}
    berths = Berths(spec.berths, spec.berthing_h * 3600.0, spec.unberthing_h * 3600.0,
                    {i: p.tonnes * T for i, p in enumerate(parcels)},
                    {i: spec.pumping_t_per_h * T / 3600.0 for i in range(len(parcels))}, logs)
    stock = spec.start_t * T
    cap, floor = spec.storage_t * T, spec.min_stock_t * T
    load_per_s = (spec.trucks_per_day * spec.truck_t + spec.rail_wagons_per_day * spec.wagon_t) * T / 86400.0
    ask_per_s = spec.offtake_t_per_d * T / 86400.0
    f = np.ones(n) if offtake_factor is None else np.asarray(offtake_factor, dtype=float)
    out = {k: np.zeros(n) for k in ("stock", "disc", "disp", "ask")}
    short = np.zeros(n, dtype=bool)
    loading = np.zeros(n, dtype=bool)
    for k in range(n):
        t0, t1 = float(edges[k]), float(edges[k + 1])
        dt = t1 - t0
        berths.arrive(t1)
        ask = ask_per_s * f[k] * dt
        can = min(ask, load_per_s * dt)  # what the loading bays can dispatch in the step
        disc, _ = berths.unload(t0, t1, max(cap - stock + can, 0.0), commit=True)
        dispatch = min(can, max(stock + disc - floor, 0.0))
        stock = stock + disc - dispatch
        short[k] = dispatch < ask * (1 - 1e-12) and dispatch < load_per_s * dt * (1 - 1e-12)
        loading[k] = dispatch < ask * (1 - 1e-12) and not short[k]
        out["stock"][k], out["disc"][k], out["disp"][k], out["ask"][k] = stock / T, disc / T, dispatch / T, ask / T
    berths.finish()
    return LpgResult(spec, start, edges, out["stock"], out["disc"], out["disp"], out["ask"], short, loading,
                     list(parcels), [logs[i] for i in sorted(logs)], spec.start_t)
