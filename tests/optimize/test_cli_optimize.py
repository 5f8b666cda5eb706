"""``linepack optimize ...`` on the default network and on files: reports, result files, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

pytest.importorskip("casadi")

from linepack.cli import app
from linepack.io.native import save_network

from .networks import candidate_line

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return res.exit_code, res.output


def test_fuel_default_prints_decisions_and_verification(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from linepack.cli import common

    monkeypatch.setattr(common.out, "width", 80)  # the consoles are sized at import (tests/conftest.py)
    out_file = tmp_path / "fuel.json"
    code, out = invoke("optimize", "fuel", "-o", str(out_file))
    assert code == 0, out
    for fragment in ("Compressor stations (decisions)", "CS1", "Binding constraints", "Verified by the steady-state"):
        assert fragment in out
    # at 80 columns the ids stay whole (no "SNGPL…")
    assert "SNGPL_CS_SDQ" in out and "SINDH_S_FIELDS.supply" in out and "…" not in out
    doc = json.loads(out_file.read_text())
    assert doc["format"] == "linepack-optimization/1" and doc["problem"] == "fuel" and doc["success"]
    assert {c["id"] for c in doc["compressors"]} >= {"CS1", "CS2", "CS3"}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["dispatch"], "supply"),
        (["capacity"], "KASUR.demand"),
        (["shed", "--outage", "TABEER_LNG.supply", "--outage", "PGPC_FSRU.supply"], "unserved gas penalty"),
        # a tenth of the supply: closing the stations leaves parts that the steady start leaves out (was a crash)
        (["shed", "--supply-scale", "0.1"], "unserved gas penalty"),
    ],
)
def test_default_commands_run(args: list[str], fragment: str) -> None:
    code, out = invoke("optimize", *args)
    assert code == 0, out
    assert fragment in out and "Verified by the steady-state" in out


def test_expand_on_a_file_with_candidates(tmp_path: Path) -> None:
    net_file = tmp_path / "line.yaml"
    save_network(candidate_line(), net_file)
    cand = tmp_path / "cand.yaml"
    cand.write_text(
        yaml.safe_dump(
            {
                "format": "linepack-candidates/1",
                "base_scenario": "existing",
                "required_groups": ["line"],
                "candidates": [{"id": f"LINE{d}", "enable": [f"LINE{d}"], "group": "line"} for d in (16, 20, 24)],
            }
        )
    )
    res = tmp_path / "exp.json"
    code, out = invoke("optimize", "expand", str(net_file), "--candidates", str(cand), "-o", str(res))
    assert code == 0, out
    assert "Cheapest: LINE20" in out
    assert json.loads(res.read_text())["best"] == "LINE20"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["capacity", "--sink", "NOWHERE"], "no sink or sink node 'NOWHERE'"),
        (["fuel", "--objective", "speed"], "objective must be fuel, power or cost"),
        (["dispatch", "--price", "EETL_FSRU.supply"], "write NAME=VALUE"),
        (["shed", "--outage", "NOPE"], "--outage NOPE: no such source"),
        (["fuel", "-o", "x.csv"], "give a .json file"),
        (["expand", "--flow", "-5"], "--flow must be > 0"),
        (["expand", "--cost", "discount_rate=-1"], "discount_rate must be a number >= 0"),
    ],
)
def test_bad_input_gives_a_clear_error(args: list[str], message: str) -> None:
    code, out = invoke("optimize", *args)
    assert code == 1, out
    assert message in out
    assert "Traceback" not in out


@pytest.mark.slow
def test_expand_default_psgp_study() -> None:
    code, out = invoke("optimize", "expand", "--flow", "1200")
    assert code == 0, out
    assert "Cheapest:" in out
