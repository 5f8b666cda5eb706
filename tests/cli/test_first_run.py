"""What a new user meets first: validate with its pre-solve checks and unit-slip warnings, diagnoses that
name components, GasLib files without nomination, exit codes, "did you mean", tables at 80 columns."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import linepack as lp
from linepack.cli import app
from linepack.model.plausibility import plausibility_findings

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "small_line.yaml"
runner = CliRunner()


def invoke(*args: str, columns: int = 160) -> tuple[int, str]:
    res = runner.invoke(app, list(args), env={"COLUMNS": str(columns)})
    return res.exit_code, res.output


def _example(tmp_path: Path, edit: dict[str, dict[str, object]]) -> Path:
    """examples/small_line.yaml with fields of some components changed (``{id: {field: value}}``)."""
    doc = yaml.safe_load(EXAMPLE.read_text())
    for coll in ("nodes", "pipes", "compressors", "regulators", "sources", "sinks"):
        for item in doc.get(coll, []):
            item.update(edit.get(item["id"], {}))
    path = tmp_path / "net.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def test_validate_defaults_to_the_embedded_network_and_runs_the_pre_solve_checks() -> None:
    code, out = invoke("validate")
    assert code == 0, out
    assert "valid: embedded PSGP network" in out and "psgp_base" in out
    # the shipped infeasible scenario is named with the same diagnosis `run` gives, without failing the file
    assert "existing_2024_full_demand" in out and "supply below demand" in out
    code, out = invoke("validate", "--scenario", "existing_2024_full_demand")
    assert code == 3 and "cannot be solved" in out


def test_validate_reports_an_island_without_pressure_reference_like_run(tmp_path: Path) -> None:
    doc = yaml.safe_load(EXAMPLE.read_text())
    doc["nodes"] += [{"id": "LOOSE_A"}, {"id": "LOOSE_B"}]
    doc["pipes"].append({"id": "LOOSE", "from": "LOOSE_A", "to": "LOOSE_B", "length_km": 5, "inner_diameter_mm": 300})
    doc["sinks"].append({"id": "LOOSE_B.demand", "node": "LOOSE_B", "demand": 5})
    path = tmp_path / "island.yaml"
    path.write_text(yaml.safe_dump(doc))
    code, out = invoke("validate", str(path))
    assert code == 1 and "LOOSE_A" in out and "pressure reference" in out
    code_run, out_run = invoke("run", str(path))
    assert code_run == 1 and "pressure reference" in out_run


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ({"L3": {"inner_diameter_mm": 23}}, ["pipe L3", "inner_diameter_mm 23", "if it is 23 in, write 584.2"]),
        ({"L1": {"inner_diameter_mm": 1.029}}, ["pipe L1", "if it is 1.029 m, write 1029"]),
        ({"L4": {"length_km": 3500}}, ["pipe L4", "length_km 3500", "write 3.5"]),
        ({"TERMINAL.supply": {"p_set_barg": 100.01325}}, ["source TERMINAL.supply", "bar absolute", "write 99.00"]),
        ({"CS1": {"p_set_barg": 1305}}, ["compressor CS1", "psig", "write 90.0"]),
        ({"CITY.demand": {"demand": 400000}}, ["sink CITY.demand", "demand 400000", "1,000"]),
    ],
)
def test_validate_flags_unit_slips_with_the_fix(tmp_path: Path, edit: dict, expected: list[str]) -> None:
    code, out = invoke("validate", str(_example(tmp_path, edit)))
    assert code in (0, 3), out  # warnings never fail the file; a demand slip also makes the case infeasible
    assert "implausible value" in out
    for fragment in expected:
        assert fragment in out, fragment


def test_plausibility_is_quiet_on_the_shipped_networks() -> None:
    assert plausibility_findings(lp.load_network(EXAMPLE)) == []
    assert plausibility_findings(lp.load_default_network()) == []


def test_a_newton_failure_names_where_the_residual_concentrates(tmp_path: Path) -> None:
    """A diameter in metres in the mm field starves the city branch: run names that pipe, never a bare
    'line search failed'."""
    path = _example(tmp_path, {"L3": {"inner_diameter_mm": 0.584}})
    code, out = invoke("run", str(path))
    assert code == 3, out
    assert "L3" in out and "Traceback" not in out
    assert out.count("- ") >= 1  # a diagnosis follows the message
    with pytest.raises(lp.ConvergenceError) as info:
        lp.solve_steady(lp.load_network(path))
    assert info.value.diagnosis and any("L3" in d for d in info.value.diagnosis)


def test_gaslib_net_without_nomination_is_an_error_for_run_and_a_warning_for_convert(
    shared: Path, tmp_path: Path
) -> None:
    g = shared / "refcases" / "gaslib" / "GasLib-11"
    code, out = invoke("run", str(g / "GasLib-11.net"))
    assert code == 1 and "nomination" in out and "converged" not in out
    code, out = invoke("convert", str(g / "GasLib-11.net"), str(tmp_path / "g11.yaml"))
    assert code == 0 and "WARNING" in out and "without a nomination" in out
    # a nomination of another network names the nodes the .net does not have
    other = shared / "refcases" / "gaslib" / "GasLib-24" / "GasLib-24.scn"
    code, out = invoke("run", str(g / "GasLib-11.net"), "--nomination", str(other))
    assert code == 1 and "unknown node" in out


def test_exit_code_2_is_a_usage_error_and_documented() -> None:
    code, _ = invoke("run", "--no-such-option")
    assert code == 2
    code, out = invoke("--help")
    assert code == 0 and "2 usage error" in out
    assert "2 usage error" in (REPO / "README.md").read_text()


def test_did_you_mean_for_events_routes_and_elements() -> None:
    net = lp.load_default_network()
    cn = lp.compile_network(net, "psgp_base")
    with pytest.raises(lp.InputError, match="did you mean 'LAHORE'"):
        cn.node_index("LAHOR")
    with pytest.raises(lp.InputError, match="did you mean 'PSGP-01'"):
        cn.edge_index("PSGP-O1")
    with pytest.raises(lp.InputError, match="did you mean 'PSGP-01'"):
        net.get("PSGP-O1")
    from linepack.transient.events import parse_event

    with pytest.raises(lp.InputError, match="did you mean 'outage'"):
        parse_event("outgage:EETL_FSRU@06:00")
    code, out = invoke("transient", "--horizon", "0.1", "--event", "trip:CS9@00:01")
    assert code == 1 and "did you mean 'CS" in out
    code, out = invoke("plot", "profile", "--route", "KARACHI,LAHOR")
    assert code == 1 and "did you mean 'LAHORE'" in out


@pytest.mark.parametrize("columns", [80, 200])
def test_run_summary_keeps_every_id_whole_at_80_columns_and_wider(columns: int) -> None:
    import io

    from rich.console import Console

    from linepack.report import print_summary

    res = lp.solve_steady(lp.load_default_network(), "psgp_base")
    buf = io.StringIO()
    print_summary(res, Console(file=buf, width=columns, force_terminal=False))
    out = buf.getvalue()
    cn = res.network
    for ident in (*cn.source_ids, *cn.sink_ids, *(cn.edge_ids[e] for e in cn.comp_edge)):
        assert ident in out, ident
    assert "…" not in out
    assert max(len(line.rstrip()) for line in out.splitlines()) <= columns


def test_tables_narrower_than_their_ids_fall_back_to_one_line_per_row() -> None:
    import io

    from rich.console import Console

    from linepack.report import print_summary

    res = lp.solve_steady(lp.load_default_network(), "psgp_base")
    buf = io.StringIO()
    print_summary(res, Console(file=buf, width=50, force_terminal=False))
    out = buf.getvalue()
    assert "  QADIRPUR_FIELD.supply: node QADIRPUR_FIELD" in out and "…" not in out


def test_run_summary_when_piped_is_readable_and_ids_are_whole() -> None:
    env = {"PATH": str(Path(sys.executable).parent), "LANG": "C.UTF-8"}
    out = subprocess.run(
        [sys.executable, "-m", "linepack", "run"], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert "LAHORE.demand" in out and "QADIRPUR_FIELD.supply" in out and "…" not in out


def test_the_summary_columns_add_up_on_the_named_basis() -> None:
    res = lp.solve_steady(lp.load_default_network(), "psgp_base")
    bal = res.balance()
    assert "MMSCFD of the network gas" in bal["basis"]
    assert abs(bal["closure_kg_s"]) <= 1e-9 * bal["supply_kg_s"]
    # the columns add up with the reported closure (the Newton tolerance of the mixed-gas solve, below 1e-9)
    total = bal["demand_mmscfd"] + bal["fuel_mmscfd"] + bal["closure_mmscfd"]
    assert bal["supply_mmscfd"] == pytest.approx(total, rel=1e-12)
    doc = res.to_dict()
    column = sum(s["supply_mmscfd_network_gas"] for s in doc["sources"])
    assert column == pytest.approx(bal["supply_mmscfd"], rel=1e-12)
    code, out = invoke("run")
    assert code == 0
    assert f"{bal['supply_mmscfd']:.1f} MMSCFD" in out and "balance closes" in out
