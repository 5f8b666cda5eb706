"""`linepack study ...`: the three commands, the report, and clear errors for bad options."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pyarrow", reason="studies need the study extra")
pytest.importorskip("duckdb", reason="studies need the study extra")
from typer.testing import CliRunner

import linepack as lp
from linepack.cli import app
from linepack.study.store import ResultStore

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return res.exit_code, res.output


def test_n1_on_sources_prints_a_ranking(tmp_path: Path) -> None:
    out = tmp_path / "n1"
    code, text = invoke("study", "n-1", "--kinds", "source", "--workers", "1", "--no-progress", "--output", str(out))
    assert code == 0, text
    assert "Critical components (ranked)" in text and "Delivery pressures" in text
    # the largest LNG terminal after the reference, out: demand is curtailed, and the report says by how much
    assert "PGPC_FSRU.supply | shed |" in text
    assert "unserved" in text and "MMSCFD" in text
    assert (out / "report.md").read_text().startswith("# Study report: n-1")
    pytest.importorskip("matplotlib")
    assert (out / "criticality.png").stat().st_size > 1000
    assert (out / "delivery_pressures.png").stat().st_size > 1000
    code, again = invoke("study", "report", str(out), "--no-plots")
    assert code == 0 and "Critical components" in again


def test_sweep_on_a_file(tmp_path: Path) -> None:
    net_file = tmp_path / "net.json"
    lp.save_network(lp.load_default_network(), net_file)
    out = tmp_path / "sw"
    code, text = invoke(
        "study",
        "sweep",
        str(net_file),
        "--param",
        "demand_scale=0.8,1.0",
        "--param",
        "CS2.p_set_barg=95,99",
        "--workers",
        "1",
        "--no-progress",
        "--no-plots",
        "-o",
        str(out),
    )
    assert code == 0, text
    assert "demand_scale=0.8, CS2.p_set_barg=95" in text
    assert ResultStore(out).cases().num_rows == 4


def test_montecarlo_and_resume(tmp_path: Path) -> None:
    out = tmp_path / "mc"
    args = (
        "study",
        "montecarlo",
        "--cases",
        "6",
        "--seed",
        "2",
        "--workers",
        "1",
        "--no-progress",
        "--no-plots",
        "--no-shed",
        "-o",
        str(out),
    )
    code, text = invoke(*args)
    assert code == 0, text
    assert "Risk" in text and "P(unserved demand)" in text
    code, text = invoke(*args)
    assert code == 1 and "--resume" in text and "Traceback" not in text
    code, text = invoke(*args, "--resume")
    assert code == 0 and "0 cases computed (6 already stored)" in text
    code, text = invoke(
        "study",
        "montecarlo",
        "--cases",
        "7",
        "--seed",
        "2",
        "--workers",
        "1",
        "--no-progress",
        "--no-plots",
        "--no-shed",
        "-o",
        str(out),
        "--resume",
    )
    assert code == 1 and "different study" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("sweep",), "give one or two --param"),
        (("sweep", "--param", "demand_scale=1:2"), "START:STOP:N"),
        (("sweep", "--param", "NOPE.p_set_barg=1,2"), "no component 'NOPE'"),
        (("n-1", "--order", "3"), "only N-1 and N-2"),
        (("n-1", "--scenario", "psgp_bse"), "did you mean 'psgp_base'"),
        (("montecarlo", "--cases", "0"), "positive number of cases"),
        (("montecarlo", "--model", "missing.yaml"), "file not found"),
        (("n-1", "--dask", "--scheduler", "tcp://127.0.0.1:1"), "exclude each other"),
    ],
)
def test_bad_options_are_clear_errors(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    code, text = invoke("study", *args, "--no-progress", "-o", str(tmp_path / "x"))
    assert code == 1, text
    assert message in text and "Traceback" not in text


def test_overlay_file_is_composed_onto_the_base(tmp_path: Path) -> None:
    overlay = tmp_path / "sui_low.yaml"
    overlay.write_text("description: Sui field at reduced rate\nset:\n  SUI_FIELD.supply: {inflow: 300}\n")
    out = tmp_path / "ov"
    code, text = invoke("study", "sweep", "-p", "demand_scale=0.9,1.0", "--overlay", str(overlay), "--workers", "1",
                        "--no-progress", "--no-plots", "-o", str(out))  # fmt: skip
    assert code == 0, text
    con = ResultStore(out).connect()
    flows = con.execute("SELECT flow_mmscfd FROM elements WHERE element_id = 'SUI_FIELD.supply'").fetchall()
    assert len(flows) == 2 and all(f[0] == pytest.approx(300.0, rel=1e-9) for f in flows)
    assert ResultStore(out).manifest()["study"]["overlays"] == [str(overlay)]
    bad = tmp_path / "bad.yaml"
    bad.write_text("disable: [SUI_FEILD.supply]\n")
    code, text = invoke("study", "n-1", "--overlay", str(bad), "--no-progress", "-o", str(tmp_path / "b"))
    assert code == 1 and "unknown component 'SUI_FEILD.supply'" in text and "did you mean" in text
