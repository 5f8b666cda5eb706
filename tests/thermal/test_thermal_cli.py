"""``linepack thermal``: temperatures and duties of the default network, and bad input without a traceback."""

from __future__ import annotations

from typer.testing import CliRunner

from linepack.cli import app

runner = CliRunner()


def _invoke(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return res.exit_code, res.output


def test_thermal_prints_temperatures_and_duties() -> None:
    code, out = _invoke("thermal", "--season", "winter")
    assert code == 0, out
    for fragment in ("temperatures of scenario psgp_base (winter ground)", "LAHORE", "compressors", "CS1",
                     "discharge C", "cooler MW", "heat to the ground"):  # fmt: skip
        assert fragment in out, fragment
    assert "Traceback" not in out


def test_thermal_unknown_season_is_a_clean_error() -> None:
    code, out = _invoke("thermal", "--season", "monsoon")
    assert code == 1
    assert "season 'monsoon' has no ground temperature (seasons given: summer, winter)" in out
    assert "Traceback" not in out
