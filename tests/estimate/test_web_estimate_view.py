"""The web view of estimates against readings: the page, its script and its data over HTTP on loopback."""

from __future__ import annotations

import json
import urllib.request

import pytest
from networks import pipeline_meters, pipeline_network

from linepack.estimate.dynamic import DynamicEstimator, DynamicOptions
from linepack.estimate.synthetic import synthesize
from linepack.estimate.validate import prepare

pytest.importorskip("starlette")


def test_the_estimate_page_serves_readings_estimates_and_intervals() -> None:
    from linepack.web.app import create_app
    from linepack.web.estimate_view import estimate_routes
    from linepack.web.server import BackgroundServer

    net, ms = pipeline_network(), pipeline_meters()
    syn = synthesize(net, ms, hours=0.5, segment_length_m=10_000, seed=2)
    dyn = DynamicEstimator(net, ms, options=DynamicOptions(segment_length_m=10_000))
    res = dyn.run(prepare(syn.data, dyn.bound))
    app = create_app(extra_routes=estimate_routes(res))
    with BackgroundServer(app) as srv:
        with urllib.request.urlopen(srv.url + "estimate", timeout=30) as r:
            page = r.read().decode()
            assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        assert "/static/estimate.js" in page
        with urllib.request.urlopen(srv.url + "static/estimate.js", timeout=30) as r:
            assert "api/estimate" in r.read().decode()
        with urllib.request.urlopen(srv.url + "api/estimate", timeout=30) as r:
            doc = json.loads(r.read())
    assert doc["network"] == "test-pipeline" and len(doc["times"]) == 31
    m = next(x for x in doc["meters"] if x["tag"] == "END.P")
    assert m["unit"] == "barg" and len(m["measured"]) == 31
    inside = [lo <= e <= hi for lo, e, hi in zip(m["low"], m["estimated"], m["high"], strict=True)]
    assert all(inside)
