"""End to end in headless Chromium: the page loads with no network beyond loopback, the map shows every
in-service pipe of psgp_base, switching to tapi changes the results shown, an invalid upload shows its error,
and a screenshot is saved (to docs/img/dashboard.png as well when LINEPACK_UPDATE_SCREENSHOT=1)."""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

import yaml
from browser_helpers import non_loopback, requests_made
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

import linepack as lp
from linepack.compile import compile_network

REPO = Path(__file__).resolve().parents[2]


def _pipe_ids(scenario: str) -> set[str]:
    cn = compile_network(lp.load_default_network(), scenario)
    return {cn.edge_ids[e] for k, e in enumerate(cn.res_edge) if cn.res_is_pipe[k]}


def _wait_done(drv, scenario: str) -> None:
    def ready(d):
        st = d.find_element(By.ID, "status")
        if st.get_attribute("data-state") == "error":
            raise AssertionError(f"page error: {st.text}")
        return st.get_attribute("data-state") == "done" and d.find_element(By.ID, "results").get_attribute(
            "data-scenario"
        ) == scenario

    WebDriverWait(drv, 60, poll_frequency=0.1, ignored_exceptions=[StaleElementReferenceException]).until(ready)


def _drawn_pipes(drv) -> set[str]:
    # read in one script call: the page may redraw between two element look-ups
    ids = drv.execute_script(
        "return Array.from(document.querySelectorAll('path.lp-pipe')).map(e => e.getAttribute('data-id'))"
    )
    return set(ids)


def _rows(drv, table: str) -> dict[str, list[str]]:
    rows = drv.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map("
        "tr => [tr.getAttribute('data-id'), Array.from(tr.cells).map(td => td.textContent)])",
        f"#{table} tbody tr",
    )
    return {rid: cells for rid, cells in rows}


def test_dashboard_end_to_end(server, browser, tmp_path):
    drv = browser
    requests_made(drv)  # drop what the browser did before the page
    drv.get(server.url)
    _wait_done(drv, "psgp_base")

    # offline base layer and the network on it
    assert len(drv.find_elements(By.CSS_SELECTOR, "path.lp-basemap")) > 10
    assert _drawn_pipes(drv) == _pipe_ids("psgp_base")
    assert drv.find_elements(By.CSS_SELECTOR, ".lp-compressor")
    assert drv.find_elements(By.CSS_SELECTOR, ".lp-terminal")
    assert drv.find_elements(By.CSS_SELECTOR, ".lp-field")
    assert drv.find_elements(By.CSS_SELECTOR, ".lp-delivery")
    assert "mean pressure" in drv.find_element(By.ID, "legend").text
    # the MAOP violation of psgp_base is highlighted on the map and listed
    assert drv.find_elements(By.CSS_SELECTOR, "path.lp-pipe.lp-violation")
    assert "MAOP" in drv.find_element(By.ID, "violations").text
    base_rows = _rows(drv, "deliveries")
    assert len(base_rows) == len(compile_network(lp.load_default_network(), "psgp_base").sink_ids)
    assert len(drv.find_elements(By.CSS_SELECTOR, "#profile polyline.profile-line")) == 1

    # what a first user meets: the loading state has ended, places are named on the map, the compressor table
    # fits its pane, and the profile's node names do not overlap
    assert drv.execute_script("return document.body.dataset.busy") == "0"
    names = drv.execute_script(
        "return Array.from(document.querySelectorAll('.lp-place')).filter(e => e.style.visibility !== 'hidden')"
        ".map(e => e.textContent)"
    )
    assert "Quetta city gate" in names and len(names) >= 6
    fits = drv.execute_script(
        "const t = document.getElementById('compressors'); return t.scrollWidth <= t.parentElement.clientWidth"
    )
    assert fits
    boxes = drv.execute_script(
        "return Array.from(document.querySelectorAll('#profile text.profile-node'))"
        ".map(e => { const r = e.getBBox(); return [r.x, r.x + r.width]; })"
    )
    boxes.sort()
    assert len(boxes) >= 4 and all(a[1] <= b[0] for a, b in itertools.pairwise(boxes))
    width = drv.execute_script("return document.getElementById('profile').clientWidth")
    assert boxes[0][0] >= 0 and boxes[-1][1] <= width

    shot = tmp_path / "dashboard.png"
    assert drv.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    if os.environ.get("LINEPACK_UPDATE_SCREENSHOT"):
        (REPO / "docs" / "img").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, REPO / "docs" / "img" / "dashboard.png")

    # colouring by flow redraws the pipes with a new legend
    Select(drv.find_element(By.ID, "colour")).select_by_value("flow")
    WebDriverWait(drv, 10, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: "flow" in d.find_element(By.ID, "legend").text
    )

    # switching to TAPI changes what is shown
    base_totals = drv.find_element(By.ID, "totals").text
    Select(drv.find_element(By.ID, "scenario")).select_by_value("tapi")
    _wait_done(drv, "tapi")
    assert _drawn_pipes(drv) == _pipe_ids("tapi")
    tapi_rows = _rows(drv, "deliveries")
    assert "FAZILKA_BORDER.demand" in tapi_rows and "FAZILKA_BORDER.demand" not in base_rows
    assert drv.find_element(By.ID, "totals").text != base_totals
    assert "tapi" in drv.find_element(By.ID, "dl-json").get_attribute("href")

    # a user-picked route gets its own profile
    route = drv.find_element(By.ID, "route")
    route.clear()
    route.send_keys("KARACHI,LAHORE")
    drv.find_element(By.ID, "profile-btn").click()
    WebDriverWait(drv, 30).until(
        lambda d: d.execute_script(
            "const t = Array.from(document.querySelectorAll('#profile text.profile-label')).map(e => e.textContent);"
            "return t.includes('KARACHI') && t.includes('LAHORE') && !t.includes('PQ_HUB');"
        )
    )

    # an invalid upload shows its error, naming the component and the field
    doc = lp.load_default_network().to_dict()
    doc["pipes"][0]["length_km"] = -5
    bad = tmp_path / "broken-network.yaml"
    bad.write_text(yaml.safe_dump(doc), encoding="utf-8")
    drv.find_element(By.ID, "upload-file").send_keys(str(bad))
    drv.find_element(By.ID, "upload").click()
    WebDriverWait(drv, 30).until(lambda d: d.find_element(By.ID, "upload-errors").is_displayed())
    text = drv.find_element(By.ID, "upload-errors").text
    assert doc["pipes"][0]["id"] in text and "length_km" in text

    # nothing was asked of any host but loopback, and the page logged no errors
    urls = requests_made(drv)
    assert any("/api/solve" in u for u in urls)
    assert non_loopback(urls) == []
    severe = [e for e in drv.get_log("browser") if e["level"] == "SEVERE" and "/api/upload" not in e["message"]]
    assert severe == []


def test_gaslib_upload_elsewhere_without_solution(server, browser, shared):
    # GasLib-135 (../shared/refcases/gaslib, README there): geographic coordinates in Central Europe, outside
    # the detailed base map; with every station in pressure control it has no steady state (docs/gaslib.md),
    # so the page says so and still draws where everything is, on the coarse world layer.
    from linepack.io.gaslib import read_gaslib

    folder = shared / "refcases" / "gaslib" / "GasLib-135"
    net, scn = folder / "GasLib-135.net", folder / "GasLib-135.scn"
    case = read_gaslib(net, scn, fixed_loss="resistor")
    pipe_ids = set(case.network.collections["pipes"])  # compare ids, not counts
    drv = browser
    requests_made(drv)
    drv.get(server.url)
    _wait_done(drv, "psgp_base")
    drv.find_element(By.ID, "upload-file").send_keys(f"{net}\n{scn}")
    drv.find_element(By.ID, "upload").click()

    def drawn_layout(d):
        st = d.find_element(By.ID, "status")
        return st.get_attribute("data-state") == "error" and _drawn_pipes(d) == pipe_ids

    WebDriverWait(drv, 60, poll_frequency=0.1, ignored_exceptions=[StaleElementReferenceException]).until(
        drawn_layout
    )
    assert "feasible" in drv.find_element(By.ID, "status").text
    assert drv.find_element(By.ID, "violations").text  # the diagnosis is listed
    assert "no solution" in drv.find_element(By.ID, "legend").text
    WebDriverWait(drv, 20).until(lambda d: d.execute_script("return !!window.linepack.state.worldLayer"))
    assert non_loopback(requests_made(drv)) == []
