"""The command line: summaries, files, exit codes, and no tracebacks for bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import linepack as lp
from linepack.cli import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return res.exit_code, res.output


def test_run_default_prints_the_summary() -> None:
    code, out = invoke("run")
    assert code == 0, out
    for fragment in (
        "scenario psgp_base",
        "Deliveries",
        "LAHORE.demand",
        "Compressor stations",
        "CS1",
        "Throughput",
        "linepack",
        "MAOP",
    ):
        assert fragment in out, fragment
    assert "Traceback" not in out


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_run_writes_the_result_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"result{suffix}"
    code, out = invoke("run", "--scenario", "tapi", "--output", str(path), "--quiet")
    assert code == 0, out
    text = path.read_text()
    if suffix == ".json":
        doc = json.loads(text)
        assert doc["converged"] is True and doc["scenario"] == "tapi"
        assert {"id", "p_bar", "p_barg", "injection_kg_s"} <= set(doc["nodes"][0])
        need = {
            "id",
            "from",
            "to",
            "mass_flow_kg_s",
            "p_in_bar",
            "p_out_bar",
            "length_m",
            "diameter_m",
            "elevation_change_m",
            "friction_factor",
            "z_avg",
            "temperature_k",
            "molar_mass_kg_per_mol",
        }
        assert need <= set(doc["pipes"][0])
        assert {"id", "from", "to", "mass_flow_kg_s", "ratio", "power_mw", "fuel_kg_s"} <= set(doc["compressors"][0])
    else:
        header = text.splitlines()[0].split(",")
        assert header[:3] == ["kind", "id", "from"] and "pipe,PSGP-01" in text
    assert not list(tmp_path.glob(".*.tmp")), "temporary files left behind"


def test_scenarios_and_describe() -> None:
    code, out = invoke("scenarios")
    assert code == 0 and "psgp_base (default)" in out and "central_asia_hypothetical" in out
    code, out = invoke("describe", "pipe")
    assert code == 0 and "length_km" in out and "km" in out and "inner_diameter_mm" in out
    code, out = invoke("describe", "pipee")
    assert code == 1 and "did you mean 'pipe'" in out


def test_validate_good_and_bad_files(tmp_path: Path) -> None:
    good = tmp_path / "psgp.yaml"
    lp.save_network(lp.load_default_network(), good)
    code, out = invoke("validate", str(good))
    assert code == 0 and "valid" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text().replace("length_km: 146.3", "length_km: -146.3", 1))
    code, out = invoke("validate", str(bad))
    assert code == 1 and "pipe PSGP-01: length_km" in out and "-146.3" in out and "Traceback" not in out


def test_infeasible_case_exits_3_with_a_diagnosis() -> None:
    code, out = invoke("run", "--scenario", "existing_2024_full_demand")
    assert code == 3 and "supply below demand" in out and "Traceback" not in out


def test_unknown_scenario_and_bad_output_suffix(tmp_path: Path) -> None:
    code, out = invoke("run", "--scenario", "tap")
    assert code == 1 and "did you mean 'tapi'" in out
    code, out = invoke("run", "--output", str(tmp_path / "r.txt"))
    assert code == 1 and "use .json or .csv" in out


def test_missing_file() -> None:
    code, out = invoke("run", "no/such/file.yaml")
    assert code == 1 and "file not found" in out


def test_plot_profile_writes_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "profile.png"
    code, out = invoke("plot", "profile", "--output", str(path))
    assert code == 0, out
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_units_draws_the_maps_of_a_station(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "units.png"
    code, out = invoke("plot", "units", "--station", "CS2", "--output", str(path))
    assert code == 0, out
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, out = invoke("plot", "units", "--station", "CS9", "--output", str(tmp_path / "x.png"))
    assert code == 1 and "--station CS9: no station with units of that id; choose from CS1, CS2, CS3" in out
    assert not (tmp_path / "x.png").exists()


def test_schema_command(tmp_path: Path) -> None:
    code, _ = invoke("schema", "--output", str(tmp_path / "s.json"))
    assert code == 0
    assert json.loads((tmp_path / "s.json").read_text())["title"] == "linepack network file"


def test_console_script_is_installed() -> None:
    exe = shutil.which("linepack")
    if exe is None:
        pytest.skip("linepack console script not on PATH")
    out = subprocess.run([exe, "run", "--quiet"], capture_output=True, text=True, check=False, timeout=120)
    assert out.returncode == 0 and "converged" in out.stdout


def test_messages_are_printed_verbatim_not_as_markup(tmp_path: Path) -> None:
    code, out = invoke("run", str(tmp_path / "net[plot].yaml"))
    assert code == 1 and "net[plot].yaml" in out


def test_unknown_option_is_a_usage_error_without_traceback() -> None:
    code, out = invoke("run", "--scenaro", "tapi")
    assert code == 2 and "No such option" in out and "Traceback" not in out


def test_run_a_gaslib_instance_with_nomination_and_station_data(shared: Path, tmp_path: Path) -> None:
    """GasLib-11 (../shared/refcases/gaslib) through the command line: .net + .scn + .cs."""
    g = shared / "refcases" / "gaslib" / "GasLib-11"
    out_file = tmp_path / "r.json"
    code, out = invoke(
        "run",
        str(g / "GasLib-11.net"),
        "--nomination",
        str(g / "GasLib-11.scn"),
        "--cs",
        str(g / "GasLib-11.cs"),
        "-o",
        str(out_file),
    )
    assert code == 0, out
    doc = json.loads(out_file.read_text())
    assert doc["converged"] and len(doc["nodes"]) == 11 and len(doc["compressors"]) == 2


def test_convert_gaslib_to_native_and_back_to_a_solvable_file(shared: Path, tmp_path: Path) -> None:
    g = shared / "refcases" / "gaslib" / "GasLib-24"
    target = tmp_path / "gaslib24.yaml"
    code, out = invoke("convert", str(g / "GasLib-24.net"), str(target), "--nomination", str(g / "GasLib-24.scn"))
    assert code == 0, out
    res = lp.solve_steady(lp.load_network(target))
    assert res.converged and res.network.n_nodes == 24


def test_gaslib_options_need_a_net_file() -> None:
    code, out = invoke("run", "--nomination", "x.scn")
    assert code == 1 and "apply to a GasLib .net file" in out


def test_convert_native_to_gaslib_and_run_it(tmp_path: Path) -> None:
    """The embedded network to GasLib .net/.scn/.cs/.cdf and back through `linepack run`."""
    files = {k: tmp_path / f"psgp.{k}" for k in ("net", "scn", "cs", "cdf")}
    src = tmp_path / "psgp.yaml"
    lp.save_network(lp.load_default_network(), src)
    code, out = invoke(
        "convert",
        str(src),
        str(files["net"]),
        "--scn",
        str(files["scn"]),
        "--cs-out",
        str(files["cs"]),
        "--cdf-out",
        str(files["cdf"]),
        "--solve",
    )
    assert code == 0, out
    assert all(f.exists() for f in files.values())
    code, out = invoke("run", str(files["net"]), "--nomination", str(files["scn"]), "--cs", str(files["cs"]), "-q")
    assert code == 0 and "converged" in out, out


@pytest.mark.parametrize("columns", ["20", "80", "300"])
def test_error_messages_do_not_depend_on_the_terminal_width(tmp_path: Path, columns: str) -> None:
    """An error message is printed whole on one line whatever the width (issue 17: a message wrapped at 80
    columns broke a test whose temporary path was long)."""
    import os
    import sys

    missing = tmp_path / ("a-rather-long-folder-name-" * 4) / "nope.yaml"
    env = {**os.environ, "COLUMNS": columns}
    res = subprocess.run(
        [sys.executable, "-c", "from linepack.cli import app; app()", "run", str(missing)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert res.returncode == 1
    assert f"{missing}: file not found" in res.stderr.splitlines()[1]
