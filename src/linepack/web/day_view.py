"""The web view of a day-ahead schedule: ``/day`` (the page) and ``/api/day`` (its data).

Added to the application by ``linepack optimize day --serve`` through ``create_app(extra_routes=...)``, like
the estimate view: the page draws the schedule of the finished optimisation (set-points and station power
per control period, linepack of the optimised and the default day per step, the lowest delivery margin per
period), the binding limits by hour, the notes and the replay check. The day is solved once, by the
command; the page only reads it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..optimize.day.report import schedule_columns
from ..optimize.day.run import DayResult


def _num(x: float) -> float | None:
    return None if not math.isfinite(float(x)) else round(float(x), 4)


def _line(name: str, values: Any) -> dict[str, Any]:
    return {"name": name, "values": [_num(v) for v in np.asarray(values, dtype=float)]}


def day_payload(res: DayResult) -> dict[str, Any]:
    """The charts, binding limits, notes and summary of ``res`` (JSON-ready; None where a value is undefined,
    for example the set-point of a station that is off)."""
    prob, spec = res.prob, res.spec
    cn = prob.grid.cn
    cols = schedule_columns(res)
    starts = [float(h) for h in cols["start_h"]]
    period_h = spec.period_s / 3600.0
    hours_p = [*starts, starts[-1] + period_h]  # period edges: each value holds to the next edge

    def held(values: Any) -> list[float | None]:
        v = [_num(x) for x in np.asarray(values, dtype=float)]
        return [*v, v[-1]]

    def group(prefix: str) -> list[dict[str, Any]]:
        return [{"name": key[len(prefix):], "values": held(cols[key])} for key in cols if key.startswith(prefix)]

    charts: list[dict[str, Any]] = []
    sets = group("p_set_barg:")
    if sets:
        charts.append({"title": "Set-points per period", "unit": "barg", "hours": hours_p, "step": True,
                       "lines": sets})
    ratios = group("ratio:")
    if ratios:
        charts.append({"title": "Ratio set-points per period", "unit": "-", "hours": hours_p, "step": True,
                       "lines": ratios})
    power = group("power_mw:")
    if power:
        charts.append({"title": "Station power (period mean)", "unit": "MW", "hours": hours_p, "step": True,
                       "lines": power})
    hours_s = [float(t) / 3600.0 for t in prob.grid.times_s]
    d = prob.grid.default_day
    lp_default = np.asarray(d.linepack_kg, dtype=float) / 1e3
    lp_opt = np.concatenate([[res.optimised.linepack_start_t], res.raw.linepack_kg / 1e3])
    n = min(len(lp_default), len(hours_s))
    charts.append({"title": "Linepack", "unit": "t", "hours": hours_s, "step": False,
                   "lines": [_line("optimised", lp_opt), _line("default set-points", lp_default[:n])]})
    if "lowest_margin_bar" in cols:
        charts.append({"title": "Lowest delivery margin (pressure above its minimum)", "unit": "bar",
                       "hours": hours_p, "step": True, "lines": [{"name": "optimised",
                                                                  "values": held(cols["lowest_margin_bar"])}]})
    binding = res.binding()
    o, df = res.optimised, res.default
    return {
        "network": cn.name,
        "scenario": cn.scenario,
        "profile": prob.grid.profile.name,
        "feasible": res.feasible,
        "verdict": list(res.verdict),
        "notes": list(res.notes),
        "grid": f"{spec.horizon_s / 3600:g} h in {spec.n_periods} periods of {spec.period_s / 60:g} min, steps of "
        f"{spec.step_s / 60:g} min, {prob.grid.seg.n_segments} segments (<= {spec.segment_length_m / 1e3:g} km)",
        "charts": charts,
        "binding": [{"start_h": starts[k], "limits": list(b)} for k, b in enumerate(binding)],
        "switches": list(res.log.switches),
        "summary": {
            "fuel_t": [_num(o.fuel_t), _num(df.fuel_t)],
            "energy_cost_kusd": [_num(o.energy_cost_usd / 1e3), _num(df.energy_cost_usd / 1e3)],
            "lowest_margin_bar": [_num(o.lowest_margin_bar), _num(df.lowest_margin_bar)],
            "linepack_swing_t": [_num(o.swing_t), _num(df.swing_t)],
            "replay_worst": None if res.replay is None or not math.isfinite(res.replay.worst) else res.replay.worst,
            "replay_agrees": None if res.replay is None else bool(res.replay.agrees),
            "cpu_s": _num(res.cpu_s),
        },
    }


def day_routes(res: DayResult) -> list[BaseRoute]:
    """The page and its data for one finished day-ahead optimisation."""
    from .app import static_dir

    body = day_payload(res)

    async def page(request: Request) -> Response:
        return FileResponse(static_dir() / "day.html")  # the app's middleware adds the security headers

    async def data(request: Request) -> Response:
        return JSONResponse(body)

    return [Route("/day", page), Route("/api/day", data)]
