"""``linepack estimate``, ``linepack leak-detect`` and ``linepack scada`` on the shipped PSGP data and on bad input."""

from __future__ import annotations

import json
from pathlib import Path

from networks import pipeline_meters, pipeline_network
from typer.testing import CliRunner

from linepack.cli import app
from linepack.estimate.synthetic import synthesize
from linepack.io.native import save_network

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return res.exit_code, res.output


def test_estimate_runs_on_the_shipped_psgp_data(tmp_path: Path) -> None:
    code, out = invoke("estimate", "--start", "02:00", "--minutes", "10", "-o", str(tmp_path / "e.json"))
    assert code == 0, out
    assert "steady state estimate of" in out and "chi-square" in out and "KASUR" in out
    doc = json.loads((tmp_path / "e.json").read_text())
    assert doc["kind"] == "steady estimate" and doc["observable"]
    assert {m["tag"] for m in doc["meters"]} >= {"CS1.Q", "KASUR.P"}


def test_dynamic_estimate_and_leak_detect_on_the_shipped_data(tmp_path: Path) -> None:
    code, out = invoke("estimate", "--dynamic", "--start", "00:00", "--end", "00:20", "--segment-length", "20",
                       "-o", str(tmp_path / "d.json"))
    assert code == 0, out
    assert "dynamic estimate of" in out and "20 steps" in out and "real time" in out
    doc = json.loads((tmp_path / "d.json").read_text())
    assert len(doc["times"]) == 21
    code, out = invoke("leak-detect", "--start", "04:00", "--end", "06:00", "--reference", "1", "--window", "30",
                       "--balance-window", "60", "--segment-length", "20", "-o", str(tmp_path / "l.json"))
    assert code == 0, out
    assert "detection limits" in out and "PSGP-06" in out
    rep = json.loads((tmp_path / "l.json").read_text())
    assert rep["kind"] == "leak detection" and rep["limits"]
    assert any(a["section"] == "PSGP-06" and a["method"] == "model" for a in rep["alarms"])


def test_scada_check_and_synth(tmp_path: Path) -> None:
    code, out = invoke("scada", "check")
    assert code == 0, out
    assert "SAHIWAL.P" in out and "stuck" in out
    net = tmp_path / "net.yaml"
    save_network(pipeline_network(), net)
    meters = tmp_path / "m.yaml"
    pipeline_meters().save(meters)
    data = tmp_path / "s.csv"
    code, out = invoke("scada", "synth", str(net), "--meters", str(meters), "--hours", "1", "--leak",
                       "L3:30:2@00:30", "--segment-length", "10", "-o", str(data))
    assert code == 0, out
    assert "leak of 2 kg/s on L3 at 30 km at 00:30" in out
    code, out = invoke("estimate", str(net), "--scada", str(data), "--meters", str(meters), "--minutes", "5")
    assert code == 0, out


def test_bad_input_exits_1_with_the_problem_named(tmp_path: Path) -> None:
    net = tmp_path / "net.yaml"
    save_network(pipeline_network(), net)
    meters = tmp_path / "m.yaml"
    pipeline_meters().save(meters)
    syn = synthesize(pipeline_network(), pipeline_meters(), hours=0.25, segment_length_m=10_000)
    good = tmp_path / "good.csv"
    from linepack.estimate.scada import write_scada

    write_scada(syn.data, good)
    text = good.read_text().splitlines()
    (tmp_path / "unknown.csv").write_text("\n".join([*text, text[1].split(",")[0] + ",MYSTERY,1,barg"]) + "\n")
    (tmp_path / "units.csv").write_text("\n".join([text[0], *(r.replace(",barg", ",kg/s") for r in text[1:])]) + "\n")
    cases = [
        (["estimate", str(net), "--scada", str(tmp_path / "unknown.csv"), "--meters", str(meters)],
         "MYSTERY are not in meter set"),
        (["estimate", str(net), "--scada", str(tmp_path / "units.csv"), "--meters", str(meters)],
         "is a flow unit, not a pressure unit"),
        (["estimate", str(net), "--scada", str(good), "--meters", str(meters), "--start", "05:00"],
         "no reading of a known tag between"),
        (["estimate", str(net)], "give its readings (--scada FILE) and its tag map"),
        (["estimate", "--scada", str(tmp_path / "missing.csv")], "SCADA file not found"),
        (["leak-detect", "--window", "-5"], "window_minutes must be > 0"),
        (["estimate", "--start", "noon"], "time 'noon' is not understood"),
    ]
    for args, fragment in cases:
        code, out = invoke(*args)
        assert code == 1, (args, out)
        assert fragment in out, (fragment, out)
        assert "Traceback" not in out
