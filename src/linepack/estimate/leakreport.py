"""The leak report as a JSON file."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ..io.atomic import atomic_write_text
from .leakdetect import Alarm, LeakReport, Location


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 6)


def _loc(loc: Location | None) -> dict[str, Any] | None:
    if loc is None:
        return None
    return {"pipe": loc.pipe, "km": _num(loc.km), "route_km": _num(loc.route_km),
            "route_interval_km": list(loc.route_interval_km) if loc.route_interval_km else None,
            "interval": [{"pipe": p, "km_from": _num(a), "km_to": _num(b)} for p, a, b in loc.ranges],
            "interval_length_km": _num(loc.length_km)}


def _alarm(a: Alarm) -> dict[str, Any]:
    return {"method": a.method, "section": a.section, "time": a.time, "t_s": a.t_s, "statistic": _num(a.statistic),
            "threshold": _num(a.threshold), "size_kg_s": _num(a.size_kg_s), "size_sigma_kg_s": _num(a.size_sigma_kg_s),
            "windows_in_alarm": a.windows_in_alarm, "location": _loc(a.location),
            "location_final": _loc(a.location_final)}


def leak_report_dict(rep: LeakReport) -> dict[str, Any]:
    o = rep.options
    t0 = float(rep.estimate.times_s[0])
    return {
        "kind": "leak detection",
        "network": rep.estimate.network.name,
        "scenario": rep.estimate.network.scenario,
        "options": {"window_minutes": o.window_minutes, "balance_minutes": o.balance_minutes,
                    "false_alarms_per_year": o.false_alarms_per_year, "reference_hours": o.reference_hours,
                    "detection_probability": o.detection_probability, "confidence": o.confidence},
        "thresholds_sigma": {"model": rep.z_model, "mass_balance": rep.z_balance},
        "alarms": [_alarm(a) for a in rep.alarms],
        "limits": [{"section": lim.section, "length_km": lim.length_km, "method": lim.method,
                    "min_leak_kg_s": _num(lim.mdl_kg_s), "sigma_kg_s": _num(lim.sigma_kg_s),
                    "throughput_kg_s": _num(lim.throughput_kg_s)} for lim in rep.limits],
        "sections": [{"name": s.name, "length_km": s.length_km, "balanceable": s.balanceable, "why_not": s.why_not}
                     for s in rep.sections],
        "model_windows": [{"t_end_h": (w.t_end_s - t0) / 3600.0, "u": [_num(float(v)) for v in w.u]}
                          for w in rep.windows],
        "balance_windows": [{"t_end_h": (w.t_end_s - t0) / 3600.0, "imbalance_kg_s": [_num(float(v)) for v in
                             w.imbalance], "sigma_kg_s": [_num(float(v)) for v in w.sigma]} for w in rep.balances],
        "notes": list(rep.notes),
    }


def save_leak_report(rep: LeakReport, path: str | Path) -> None:
    """Write the report as JSON (atomically)."""
    atomic_write_text(path, json.dumps(leak_report_dict(rep), indent=1) + "\n")
