"""The web view of estimates against readings: ``/estimate`` (the page) and ``/api/estimate`` (its data).

Added to the application by ``linepack estimate --dynamic --serve`` through ``create_app(extra_routes=...)``; the
page draws each meter's readings, the estimate and its 95 % interval, with the rejected readings marked.
"""

from __future__ import annotations

import math
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..estimate.dynamic_results import DynamicEstimate
from ..estimate.results import SteadyEstimate


def _num(x: float) -> float | None:
    return None if not math.isfinite(x) else round(float(x), 6)


def estimate_payload(res: DynamicEstimate, confidence: float = 0.95) -> dict[str, Any]:
    """Per meter: readings, estimates and interval in the tag's unit, at every time."""
    b = res.bound
    z = SteadyEstimate.z_of(confidence)
    meters = []
    for i, tag in enumerate(b.tags):
        u = b.units[i]
        meas = [(v - u.offset) / u.factor for v in res.measured[:, i]]
        est = [(v - u.offset) / u.factor for v in res.fitted[:, i]]
        sd = [v / abs(u.factor) for v in res.fitted_sigma[:, i]]
        meters.append({
            "tag": tag,
            "what": b.describe(i),
            "unit": b.meters.meters[i].unit,
            "measured": [_num(v) for v in meas],
            "estimated": [_num(v) for v in est],
            "low": [_num(e - z * s) for e, s in zip(est, sd, strict=True)],
            "high": [_num(e + z * s) for e, s in zip(est, sd, strict=True)],
            "rejected": [int(i_) for i_ in res.gated[:, i].nonzero()[0]],
        })
    return {
        "network": res.network.name,
        "scenario": res.network.scenario,
        "times": list(res.time_labels),
        "hours": [_num((t - res.times_s[0]) / 3600.0) for t in res.times_s],
        "confidence": confidence,
        "consistency": _num(res.consistency()),
        "suspects": [{"tag": t, "why": w} for t, _, w in res.suspect_meters()],
        "meters": meters,
    }


def estimate_routes(res: DynamicEstimate) -> list[BaseRoute]:
    from .app import static_dir

    body = estimate_payload(res)

    async def page(request: Request) -> Response:
        return FileResponse(static_dir() / "estimate.html")  # the app's middleware adds the security headers

    async def data(request: Request) -> Response:
        return JSONResponse(body)

    return [Route("/estimate", page), Route("/api/estimate", data)]
