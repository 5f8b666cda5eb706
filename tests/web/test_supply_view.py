"""The supply view: the page, its API (terminal inventories over time), and its input checks."""

from __future__ import annotations

from typing import Any

from webclient import get


def test_supply_page_and_series(server: Any) -> None:
    page = get(server.url, "/supply")
    assert page.status == 200 and b"/static/supply.js" in page.body
    assert get(server.url, "/static/supply.js").status == 200
    r = get(server.url, "/api/supply?days=5")
    assert r.status == 200
    data = r.json()
    assert [t["id"] for t in data["terminals"]] == ["EETL", "PGPC", "TABEER"]
    assert len(data["times"]) == 6
    for t in data["terminals"]:
        assert len(t["inventory_m3"]) == 6 and len(t["send_out_mmscfd"]) == 5
        assert all(t["heel_m3"] - 1e-6 <= v <= t["capacity_m3"] + 1e-6 for v in t["inventory_m3"])
    assert {a["vessel"] for t in data["terminals"] for a in t["arrivals"]} >= {"QATAR_LT1-001", "TABEER_TERM-001"}
    assert data["summary"]["balance_error"] < 1e-9


def test_supply_api_rejects_bad_queries(server: Any) -> None:
    r = get(server.url, "/api/supply?days=500&network=weekly")
    assert r.status == 400
    assert r.json()["problems"] == ["days must be 1 to 92 (got 500)",
                                   "network must be steady or transient (got 'weekly')"]
    r = get(server.url, "/api/supply?days=3&variant=nope")
    assert r.status == 422 and "no variant 'nope'" in r.json()["error"]
    assert get(server.url, "/api/supply?days=x").status == 400
