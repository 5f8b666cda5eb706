"""``linepack supply``: the default winter month, files written, plans, studies, bad input as exit code 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from linepack.cli import app

runner = CliRunner()


def test_default_winter_month_reports_cover_and_shortfalls(tmp_path: Path) -> None:
    out = tmp_path / "run.nc"
    r = runner.invoke(app, ["supply", "--days", "4", "-o", str(out), "--cargoes"])
    assert r.exit_code == 0, r.output
    assert "17 cargoes: the shipped schedule supply_psgp_2026-01.csv" in r.output
    assert "send-out and days of cover" in r.output and "Deliveries by priority" in r.output
    assert "QATAR_LT1-001" in r.output and out.is_file()


def test_parquet_output_and_hourly_transient(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    out = tmp_path / "run.parquet"
    r = runner.invoke(app, ["supply", "--days", "1", "--step", "6", "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert "4 steps, network transient" in r.output
    assert out.is_file() and (tmp_path / "run_cargoes.parquet").is_file()


def test_bad_schedule_is_exit_1_naming_the_line(tmp_path: Path) -> None:
    s = tmp_path / "s.csv"
    s.write_text("vessel,terminal,arrival,volume_m3\nA,EETL,2026-01-02,200000\nB,NOWHERE,2026-01-03,1000\n")
    r = runner.invoke(app, ["supply", "--schedule", str(s), "--days", "3"])
    assert r.exit_code == 1
    assert "s.csv line 2: cargo of 200,000 m3 is larger than terminal EETL can take" in r.output
    assert "s.csv line 3: terminal 'NOWHERE' does not exist" in r.output
    assert "Traceback" not in r.output


def test_other_commands(tmp_path: Path) -> None:
    r = runner.invoke(app, ["supply", "cargoes", "--days", "10", "-o", str(tmp_path / "c.csv")])
    assert r.exit_code == 0 and "cargoes written" in r.output
    r = runner.invoke(app, ["supply", "--schedule", str(tmp_path / "c.csv"), "--days", "2", "-q"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["supply", "lpg", "--days", "20"])
    assert r.exit_code == 0 and "cover and shortfalls" in r.output and "stock-out" in r.output
    r = runner.invoke(app, ["supply", "montecarlo", "--draws", "2", "--days", "3", "--workers", "1", "-q"])
    assert r.exit_code == 0 and "Variants against the base" in r.output, r.output
    r = runner.invoke(app, ["supply", "--variant", "nope"])
    assert r.exit_code == 1 and "no variant 'nope'" in r.output


def test_plan_command(tmp_path: Path) -> None:
    pytest.importorskip("highspy")
    r = runner.invoke(app, ["supply", "plan", "--days", "5", "-o", str(tmp_path / "plan.csv")])
    assert r.exit_code == 0, r.output
    assert "replay verified" in r.output and (tmp_path / "plan.csv").is_file()
