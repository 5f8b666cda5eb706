"""The web view of a day-ahead schedule: the page, its script and its data over HTTP on loopback."""

from __future__ import annotations

import json
import urllib.request

import pytest

import linepack as lp
from linepack.optimize.day.run import optimize_day
from linepack.optimize.day.spec import DaySpec, EndMode, StartMode
from linepack.transient import winter_day_profile

pytest.importorskip("starlette")
pytest.importorskip("casadi")


def test_the_day_page_serves_the_schedule() -> None:
    from linepack.web.app import create_app
    from linepack.web.day_view import day_routes
    from linepack.web.server import BackgroundServer

    spec = DaySpec(period_s=3 * 3600.0, start=StartMode.STEADY, end=EndMode.FREE)
    res = optimize_day(lp.load_network("examples/small_line.yaml"), profile=winter_day_profile(), spec=spec)
    app = create_app(extra_routes=day_routes(res))
    with BackgroundServer(app) as srv:
        with urllib.request.urlopen(srv.url + "day", timeout=30) as r:
            page = r.read().decode()
            assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        assert "/static/day.js" in page
        with urllib.request.urlopen(srv.url + "static/day.js", timeout=30) as r:
            assert "api/day" in r.read().decode()
        with urllib.request.urlopen(srv.url + "api/day", timeout=30) as r:
            doc = json.loads(r.read())
    assert doc["feasible"] and doc["summary"]["replay_agrees"]
    titles = [c["title"] for c in doc["charts"]]
    assert titles[0] == "Set-points per period" and "Linepack" in titles
    sets = doc["charts"][0]
    assert len(sets["hours"]) == spec.n_periods + 1
    assert {line["name"] for line in sets["lines"]} >= {"CS1"}
    lp_chart = next(c for c in doc["charts"] if c["title"] == "Linepack")
    assert [line["name"] for line in lp_chart["lines"]] == ["optimised", "default set-points"]
    assert len(lp_chart["lines"][0]["values"]) == spec.n_steps + 1
    assert len(doc["binding"]) == spec.n_periods
    assert doc["summary"]["fuel_t"][0] <= doc["summary"]["fuel_t"][1] + 1e-9
