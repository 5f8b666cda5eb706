"""The web API on loopback: results for the embedded network, downloads, errors, uploads and their limits."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from webclient import get, post, request

import linepack as lp
from linepack.compile import compile_network


def _pipe_ids(scenario: str) -> set[str]:
    cn = compile_network(lp.load_default_network(), scenario)
    return {cn.edge_ids[e] for k, e in enumerate(cn.res_edge) if cn.res_is_pipe[k]}


def test_networks_lists_the_embedded_psgp(server):
    r = get(server.url, "/api/networks")
    assert r.status == 200
    (net,) = [n for n in r.json()["networks"] if n["token"] == "psgp"]
    names = [s["name"] for s in net["scenarios"]]
    assert net["default_scenario"] == "psgp_base"
    assert {"psgp_base", "tapi", "gwadar_ip"} <= set(names)


def test_solve_psgp_base_maps_every_in_service_pipe(server):
    r = post(server.url, "/api/solve", {"network": "psgp", "scenario": "psgp_base"})
    assert r.status == 200, r.body
    doc = r.json()
    assert doc["converged"] and doc["scenario"] == "psgp_base"
    feats = doc["geojson"]["features"]
    drawn = {f["properties"]["id"] for f in feats if f["properties"]["kind"] == "pipe"}
    assert drawn == _pipe_ids("psgp_base")
    assert doc["geojson"]["skipped"] == 0
    kinds = {f["properties"]["kind"] for f in feats}
    assert {"compressor", "terminal", "field", "delivery"} <= kinds
    # same numbers as the library's own result
    ref = lp.solve_steady(lp.load_default_network(), "psgp_base")
    ref_doc = ref.to_dict()
    sinks = {s["id"]: s for s in ref_doc["sinks"]}
    for row in doc["deliveries"]:
        assert row["p_barg"] == pytest.approx(sinks[row["id"]]["p_barg"], abs=0.01)
    assert len(doc["compressors"]) == len(ref_doc["compressors"])
    # every violation is tied to the component it names, and that component is flagged on the map
    assert [v["text"] for v in doc["violations"]] == list(ref.violations)
    flagged = {f["properties"]["id"] for f in feats if f["properties"].get("violations")}
    for v in doc["violations"]:
        assert v["id"] and v["id"] in flagged
    # the corridor profile starts at the PSGP hub and runs ~1,100 km to Kasur
    prof = doc["profile"]
    assert prof["route"][0] == "PQ_HUB" and prof["route"][-1] == "KASUR"
    assert 900 < prof["points"][-1]["km"] < 1400


def test_tapi_changes_the_results(server):
    base = post(server.url, "/api/solve", {"network": "psgp", "scenario": "psgp_base"}).json()
    tapi = post(server.url, "/api/solve", {"network": "psgp", "scenario": "tapi"}).json()
    assert tapi["totals"]["throughput_mmscfd"] > base["totals"]["throughput_mmscfd"] + 500
    tapi_pipes = {f["properties"]["id"] for f in tapi["geojson"]["features"] if f["properties"]["kind"] == "pipe"}
    assert tapi_pipes == _pipe_ids("tapi") and tapi_pipes > _pipe_ids("psgp_base")


def test_user_route_profile(server):
    r = post(server.url, "/api/profile", {"network": "psgp", "scenario": "psgp_base", "route": ["KARACHI", "LAHORE"]})
    assert r.status == 200, r.body
    pts = r.json()["points"]
    assert pts[0]["node"] == "KARACHI" and pts[-1]["node"] == "LAHORE"
    r = post(server.url, "/api/profile", {"network": "psgp", "scenario": "psgp_base", "route": ["KARACHI", "NOWHERE"]})
    assert r.status == 422 and "NOWHERE" in r.json()["problems"][0]
    r = post(server.url, "/api/profile", {"network": "psgp", "route": "KARACHI"})
    assert r.status == 400


@pytest.mark.parametrize("fmt", ["json", "csv", "geojson"])
def test_downloads(server, fmt):
    r = get(server.url, f"/api/download/{fmt}?network=psgp&scenario=tapi")
    assert r.status == 200
    assert r.headers["content-disposition"] == f'attachment; filename="linepack-pakistan_stream-tapi.{fmt}"'
    text = r.body.decode()
    if fmt == "json":
        doc = json.loads(text)
        assert doc["scenario"] == "tapi" and doc["converged"]
        assert {p["id"] for p in doc["pipes"]} == _pipe_ids("tapi")
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert {r["id"] for r in rows if r["kind"] == "pipe"} == _pipe_ids("tapi")
    else:
        doc = json.loads(text)
        assert doc["type"] == "FeatureCollection"
        pipes = {f["properties"]["id"] for f in doc["features"] if f["properties"]["kind"] == "pipe"}
        assert pipes == _pipe_ids("tapi")


def test_bad_requests_are_refused_cleanly(server):
    cases = [
        (get(server.url, "/api/download/exe?network=psgp"), 404, "unknown download format"),
        (get(server.url, "/api/download/json?network=../../etc"), 422, "not known"),
        (post(server.url, "/api/solve", {"network": "psgp", "scenario": "nope"}), 422, "not defined"),
        (post(server.url, "/api/solve", None, raw=b"{not json"), 400, "not valid UTF-8 JSON"),
        (post(server.url, "/api/solve", None, raw=b"\xff\xfe"), 400, "not valid UTF-8 JSON"),
        (post(server.url, "/api/solve", [1, 2]), 400, "JSON object"),
        (post(server.url, "/api/solve", {"network": 5}), 422, "not known"),
    ]
    for reply, status, text in cases:
        assert reply.status == status, reply.body
        doc = reply.json()
        assert text in doc["error"] + " ".join(doc["problems"])
        assert "Traceback" not in reply.body.decode()


def test_oversized_bodies_are_refused(server):
    big = {"files": [{"name": "big.yaml", "text": "x" * (300 * 1024)}]}  # the fixture's limit is 256 KiB
    r = post(server.url, "/api/upload", big)
    assert r.status == 413 and "limit" in r.json()["error"]
    r = post(server.url, "/api/upload", big, chunked=True)  # no Content-Length: counted while reading
    assert r.status == 413
    r = post(server.url, "/api/solve", {"scenario": "psgp_base", "pad": "y" * 100_000})
    assert r.status == 413
    assert get(server.url, "/api/health").json() == {"ok": True}


@pytest.mark.parametrize(
    "name",
    ["../evil.yaml", "a/b.yaml", "..\\evil.yaml", "/etc/passwd.yaml", "C:evil.yaml", "x\u0000.yaml", ".hidden.yaml",
     "", "net.exe", "..", "a" * 300 + ".yaml"],
)
def test_path_like_file_names_are_refused(server, name):
    before = sorted(Path(server.app_tmp).rglob("*"))
    r = post(server.url, "/api/upload", {"files": [{"name": name, "text": "nodes: []\n"}]})
    assert r.status == 422, r.body
    problems = " ".join(r.json()["problems"])
    assert "file name" in problems or "has type" in problems or "needs a name" in problems
    assert sorted(Path(server.app_tmp).rglob("*")) == before


def test_malformed_files_are_refused(server):
    cases = {
        "broken.yaml": ("nodes: [a, b\npipes: {", "malformed YAML at line"),
        "broken.json": ('{"nodes": [}', "malformed JSON at line"),
        "list.yaml": ("- 1\n- 2\n", "network document"),
        "broken.net": ("<network><nodes>", "broken.net"),
    }
    for name, (text, expect) in cases.items():
        r = post(server.url, "/api/upload", {"files": [{"name": name, "text": text}]})
        assert r.status == 422, (name, r.body)
        body = " ".join(r.json()["problems"])
        assert expect in body, (name, body)
        assert str(server.app_tmp) not in body  # no server paths leak into messages
    r = post(server.url, "/api/upload", {"files": "network.yaml"})
    assert r.status == 422
    r = post(server.url, "/api/upload", {"files": [{"name": "a.yaml", "text": 5}]})
    assert r.status == 422


def test_invalid_network_errors_name_component_and_field(server):
    doc = lp.load_default_network().to_dict()
    doc["pipes"][0]["length_km"] = -5
    bad_id = doc["pipes"][0]["id"]
    r = post(server.url, "/api/upload", {"files": [{"name": "mine.yaml", "text": yaml.safe_dump(doc)}]})
    assert r.status == 422
    assert r.json()["error"] == "mine.yaml: 1 problem found"
    problems = " ".join(r.json()["problems"])
    assert bad_id in problems and "length_km" in problems


def test_upload_native_then_solve(server):
    doc = lp.load_default_network().to_dict()
    doc["name"] = "my_copy"
    r = post(server.url, "/api/upload", {"files": [{"name": "my copy.json", "text": json.dumps(doc)}]})
    assert r.status == 200, r.body
    token = r.json()["token"]
    assert token != "psgp" and r.json()["label"] == "my copy.json"
    s = post(server.url, "/api/solve", {"network": token, "scenario": "tapi"}).json()
    assert s["converged"] and s["network"] == token
    assert any(n["token"] == token for n in get(server.url, "/api/networks").json()["networks"])
    assert not list(Path(server.app_tmp).iterdir())  # native uploads never touch the disk


def test_upload_gaslib_with_nomination(server, shared):
    # GasLib-11 from ../shared/refcases/gaslib (see its README): a .net with its .scn nomination
    folder = shared / "refcases" / "gaslib" / "GasLib-11"
    files = [
        {"name": "GasLib-11.net", "text": (folder / "GasLib-11.net").read_text(encoding="utf-8")},
        {"name": "GasLib-11.scn", "text": (folder / "GasLib-11.scn").read_text(encoding="utf-8")},
    ]
    r = post(server.url, "/api/upload", {"files": files})
    assert r.status == 200, r.body
    s = post(server.url, "/api/solve", {"network": r.json()["token"]})
    assert s.status == 200, s.body
    assert s.json()["converged"]
    assert not list(Path(server.app_tmp).iterdir())  # the GasLib files were removed after reading


def test_page_and_static_files_load_nothing_from_outside(server):
    r = get(server.url, "/")
    assert r.status == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp
    html = r.body.decode()
    for path in ("/static/app.js", "/static/app.css", "/static/vendor/leaflet/leaflet.js",
                 "/static/vendor/leaflet/leaflet.css", "/static/basemap.geojson"):
        assert path in html or path.endswith("basemap.geojson")
        reply = get(server.url, path)
        assert reply.status == 200, path
    for path in ("/", "/static/app.js", "/static/app.css"):
        text = get(server.url, path).body.decode()
        assert "http://" not in text.replace('"http://www.w3.org/2000/svg"', "")
        assert "https://" not in text
    base = get(server.url, "/static/basemap.geojson").json()
    names = {f["properties"]["name"] for f in base["features"]}
    assert {"Pakistan", "Iran", "Afghanistan", "Turkmenistan", "India"} <= names


def test_static_paths_cannot_escape(server):
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py", "/static/vendor/../../app.py"):
        r = request(server.url, "GET", path)
        assert r.status == 404, path


def test_layout_of_a_scenario_without_solution(server):
    # existing_2024_full_demand is infeasible with the shipped data (README, default scenarios)
    r = post(server.url, "/api/solve", {"network": "psgp", "scenario": "existing_2024_full_demand"})
    assert r.status == 409
    assert "infeasible" in r.json()["error"] or "feasible" in r.json()["error"]
    assert r.json()["problems"]
    lay = post(server.url, "/api/layout", {"network": "psgp", "scenario": "existing_2024_full_demand"})
    assert lay.status == 200
    gj = lay.json()["geojson"]
    assert gj["solved"] is False
    pipes = [f["properties"] for f in gj["features"] if f["properties"]["kind"] == "pipe"]
    assert {p["id"] for p in pipes} == _pipe_ids("existing_2024_full_demand")
    assert all("p_mean_barg" not in p for p in pipes)


def test_node_maop_rule_matches_the_report():
    from linepack.report import node_maop_pa as report_rule
    from linepack.web.geo import node_maop_pa

    for scenario in ("psgp_base", "tapi"):
        result = lp.solve_steady(lp.load_default_network(), scenario)
        a, b = node_maop_pa(result.network), report_rule(result)
        assert ((a == b) | (a != a) & (b != b)).all()


def test_world_layer_for_networks_elsewhere(server):
    world = get(server.url, "/static/world.geojson").json()
    names = {f["properties"]["name"] for f in world["features"]}
    assert {"Germany", "Pakistan", "Brazil"} <= names


def test_upload_gaslib_with_decisions(shared):
    # GasLib-582 (../shared/refcases/gaslib): .net, .scn, .cs and .cdf; the first decision is applied, as
    # `linepack run --decisions` does (docs/gaslib.md)
    from linepack.io.gaslib import apply_decision, read_gaslib
    from linepack.web.app import create_app
    from linepack.web.server import BackgroundServer

    folder = shared / "refcases" / "gaslib" / "GasLib-582"
    names = ["GasLib-582-v2.net", "nomination_cold_5.scn", "GasLib-582-v2.cs", "GasLib-582-v2.cdf"]
    files = [{"name": n, "text": (folder / n).read_text(encoding="utf-8")} for n in names]
    app = create_app(max_upload_bytes=2 * 1024 * 1024)
    with BackgroundServer(app) as srv:
        r = post(srv.url, "/api/upload", {"files": files})
        assert r.status == 200, r.body
        assert r.json()["label"] == "GasLib-582-v2.net"
        s = post(srv.url, "/api/solve", {"network": r.json()["token"]})
        case = read_gaslib(*(folder / n for n in (names[0], names[1], names[3], names[2])), fixed_loss="resistor")
        try:
            ref = lp.solve_steady(apply_decision(case, [0]))
        except lp.TopologyError as exc:  # islands without a pressure reference: an input problem (422)
            assert s.status == 422 and s.json()["problems"] == exc.problems
        except lp.ConvergenceError:
            assert s.status == 409 and s.json()["problems"]
        else:
            assert s.status == 200, s.body
            assert s.json()["totals"]["throughput_mmscfd"] == pytest.approx(
                ref.network.gas.basis.kg_s_to_mmscfd(ref.throughput_kg_s()), abs=0.1
            )
        assert not list(Path(app.state.tmp_root).iterdir())


def test_online_tiles_are_an_explicit_option(server):
    from linepack.web.app import create_app
    from linepack.web.server import BackgroundServer

    assert get(server.url, "/api/config").json()["tiles_url"] is None  # off by default
    assert "img-src 'self' data:;" in get(server.url, "/").headers["content-security-policy"]
    url = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    with BackgroundServer(create_app(tiles_url=url)) as srv:
        assert get(srv.url, "/api/config").json()["tiles_url"] == url
        csp = get(srv.url, "/").headers["content-security-policy"]
        assert "img-src 'self' data: https://*.tile.example.org;" in csp
        assert "script-src 'self';" in csp  # images only: still no outside script


def test_other_sites_cannot_drive_the_server(server):
    # a cross-site form or fetch without preflight can only send text/plain or form bodies: refused
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        r = post(server.url, "/api/solve", None, raw=b'{"scenario": "tapi"}', headers={"Content-Type": ctype})
        assert r.status == 415, ctype
    # DNS rebinding: a request whose Host is another name is refused
    r = get(server.url, "/api/networks", headers={"Host": "evil.example"})
    assert r.status == 400
    assert get(server.url, "/api/networks", headers={"Host": "localhost"}).status == 200


@pytest.mark.parametrize(
    ("host", "ok"),
    [("127.0.0.1:8765", True), ("localhost", True), ("[::1]:8765", True), ("[::1]", True), ("LOCALHOST:1", True),
     ("evil.example", False), ("evil.example:8765", False), ("127.0.0.1.evil.example", False), ("", False),
     ("[::2]:80", False)],
)
def test_host_check(host, ok):
    import asyncio

    from linepack.web.app import LOOPBACK_NAMES, HostCheck

    reached: list[bool] = []
    sent: list[dict] = []

    async def inner(scope, receive, send):
        reached.append(True)

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    check = HostCheck(inner, frozenset(LOOPBACK_NAMES))
    scope = {"type": "http", "headers": [(b"host", host.encode())], "method": "GET", "path": "/"}
    asyncio.run(check(scope, receive, send))
    assert bool(reached) is ok
    if not ok:
        assert sent[0]["status"] == 400
