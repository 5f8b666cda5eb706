"""``linepack optimize day``: the schedule, the replay check, result files and clear errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("casadi")

from linepack.cli import app

runner = CliRunner()
SMALL = str(Path(__file__).resolve().parents[2] / "examples" / "small_line.yaml")


def invoke(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return res.exit_code, res.output


def test_day_on_a_small_line_prints_schedule_and_replay(tmp_path: Path) -> None:
    sched = tmp_path / "day.csv"
    code, out = invoke(
        "optimize", "day", SMALL, "--start", "steady", "--end", "free", "--horizon", "12h", "--period", "3h",
        "--step", "30min", "-o", str(sched),
    )  # fmt: skip
    assert code == 0, out
    for fragment in ("Set-points (barg)", "CS1", "Against the default day", "replay in the transient simulator: agr"):
        assert fragment in out
    rows = list(csv.DictReader(sched.open()))
    assert len(rows) == 4  # 12 h in 3 h periods
    assert {"start_h", "p_set_barg:CS1", "fuel_t", "replay_p_rel"} <= set(rows[0])
    assert max(float(r["replay_p_rel"]) for r in rows) < 1e-4


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--period", "7min"], "whole number of time steps"),
        (["--horizon", "soon"], "write a duration"),
        (["--objective", "speed"], "unknown term 'speed'"),
        (["--start", "periodic", "--end", "free"], "ends where it starts"),
        (["--end", "target"], "--end target needs --end-linepack"),
        (["-o", "day.xlsx"], "use a .csv, .parquet or .nc"),
        (["--must-run", "NOPE", "--start", "steady"], "must-run: no compressor NOPE"),
    ],
)
def test_day_bad_input_is_a_clear_error(args: list[str], fragment: str) -> None:
    code, out = invoke("optimize", "day", SMALL, *args)
    assert code == 1, out
    assert fragment in out
    assert "Traceback" not in out
