"""The supply view of the web application: terminal inventories over time (page ``/supply``).

API: ``GET /api/supply?days=31&variant=NAME&network=steady|transient`` runs the embedded supply chain (January
2026, daily steps, the shipped cargo schedule, or the contracts' schedule beyond it) and answers the series the
page draws: each terminal's tank contents with its capacity, heel and carrier arrivals, send-out, days of cover,
unserved gas by class, and the run's events. Runs are cached per query (a few seconds each on the solve pool).
"""

from __future__ import annotations

import math
import threading
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import InputError
from ..study.shedding import SHED_ORDER

START = datetime(2026, 1, 1)
MAX_DAYS = 92
_CACHE: dict[tuple[int, str, str], dict[str, Any]] = {}
_LOCK = threading.Lock()


def _clean(values: Any) -> list[float | None]:
    return [None if not math.isfinite(float(v)) else round(float(v), 3) for v in values]


def supply_payload(days: int, variant: str, network: str) -> dict[str, Any]:
    """The series of one run of the embedded supply chain (see the module docstring)."""
    key = (days, variant, network)
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    from ..io.native import load_default_network
    from ..supply.horizon import HorizonOptions, run_horizon
    from ..supply.model import default_supply_chain
    from ..supply.schedule import generate, schedule_from_text

    chain = default_supply_chain()
    base = chain
    scenario = None
    if variant:
        chain, scenario = chain.with_variant(variant)
    net = load_default_network()
    if days <= 31:
        text = resources.files("linepack.data").joinpath("supply_psgp_2026-01.csv").read_text(encoding="utf-8")
        cargoes = schedule_from_text(text, "supply_psgp_2026-01.csv", base, START)
    else:
        cargoes = generate(base, START, days)
    res = run_horizon(chain, net, cargoes, HorizonOptions(START, float(days), 24.0, network), scenario)
    t = [res.time_at(s).isoformat(timespec="minutes") for s in res.edges_s]
    terminals = []
    cover = res.days_of_cover()
    for j, term in enumerate(res.terminals):
        inv = np.concatenate([[res.m3(res.inventory0_kg[j], j)], res.m3(res.inventory_kg[:, j], j)])
        arrivals = [{"vessel": res.cargoes[g.index].vessel, "time": res.time_at(g.arrival_s).isoformat(
            timespec="minutes"), "status": g.status} for g in res.logs if res.cargoes[g.index].terminal == term.id
            and g.arrival_s <= res.edges_s[-1]]
        terminals.append({
            "id": term.id, "name": term.name, "capacity_m3": term.tank_m3, "heel_m3": term.heel_m3,
            "inventory_m3": _clean(inv), "send_out_mmscfd": _clean(res.lng_mmscf(res.sent_kg[:, j], j)
                                                                     / (res.dt_s / 86400.0)),
            "days_of_cover": _clean(cover[:, j]), "arrivals": arrivals,
        })
    cats = np.array(res.sink_categories)
    unserved = {}
    for cat in SHED_ORDER:
        sel = (cats == cat) & ~res.injection_sink
        if np.any(sel):
            unserved[cat] = _clean(res.gas_mmscf(res.unserved_kg_s[:, sel].sum(axis=1) * 86400.0))
    body = {
        "start": START.isoformat(timespec="minutes"), "times": t, "days": days, "variant": variant or "base",
        "network": res.network_mode, "terminals": terminals, "unserved_mmscfd": unserved,
        "events": [{"time": w, "text": x} for w, x in res.events()],
        "summary": {"cargoes": len(res.cargoes), "cpu_s": round(res.cpu_s, 2),
                    "unserved_mmscf": round(sum(r["unserved_mmscf"] for r in res.delivery_table()), 1),
                    "balance_error": float(np.max(res.balance_error(), initial=0.0))},
    }
    with _LOCK:
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[key] = body
    return body


def supply_routes(static: Path, headers: dict[str, str], service: Any) -> list[BaseRoute]:
    """The page and its API (added to the application by :func:`linepack.web.app.create_app`)."""

    async def page(request: Request) -> Response:
        return FileResponse(static / "supply.html", headers=headers)

    async def api(request: Request) -> Response:
        q = request.query_params
        try:
            days = int(q.get("days", "31"))
        except ValueError:
            return JSONResponse({"error": "days must be a whole number", "problems": []}, status_code=400)
        variant = q.get("variant", "")
        network = q.get("network", "steady")
        problems = []
        if not 1 <= days <= MAX_DAYS:
            problems.append(f"days must be 1 to {MAX_DAYS} (got {days})")
        if network not in ("steady", "transient"):
            problems.append(f"network must be steady or transient (got '{network[:20]}')")
        if problems:
            return JSONResponse({"error": problems[0], "problems": problems}, status_code=400)
        try:
            body = await service.run(supply_payload, days, variant, network)
        except InputError as exc:
            return JSONResponse({"error": exc.problems[0], "problems": exc.problems}, status_code=422)
        return JSONResponse(body)

    return [Route("/supply", page), Route("/api/supply", api)]

