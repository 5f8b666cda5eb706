"""Energy and volume demands with the delivered gas, blending sources, quality limits (violations, limits no gas
can meet, least-cost dispatch at a limit), bad input, and the gas quality in the reports (terminal, result file,
DataFrames, web map, plot)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import linepack as lp
from linepack.cli.app import app
from linepack.compile import compile_network
from linepack.errors import InfeasibleError
from linepack.io.native import save_network

from .networks import two_sources

runner = CliRunner()


def _invoke(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return res.exit_code, res.output


@pytest.mark.parametrize(("demand", "unit"), [(150_000.0, "MMBTU/d"), (1800.0, "MW"), (160.0, "MMSCFD")])
def test_energy_and_volume_demands_take_the_delivered_gas(demand: float, unit: str) -> None:
    """The delivery draws the mass that gives its energy (or standard volume) with the gas it receives."""
    res = lp.solve_steady(two_sources(supply_b_kg_s=10.0, demand=demand, unit=unit))
    q = res.quality
    assert q is not None and q.mixing
    got = {"MMBTU/d": q.sink_energy_mmbtu_d[0], "MW": q.sink_energy_mw[0], "MMSCFD": res.sink_mmscfd()[0]}[unit]
    assert got == pytest.approx(demand, rel=1e-9)
    # and the same delivery in one gas (mixing off) draws a different mass
    off = lp.solve_steady(two_sources(supply_b_kg_s=10.0, demand=demand, unit=unit, mixing="off"))
    assert abs(off.network.sink_demand[0] / res.network.sink_demand[0] - 1.0) > 1e-3


def test_a_blending_source_holds_its_share() -> None:
    """Hydrogen blended at J at 10 mol % of the gas leaving J, whatever the flow."""
    net = two_sources(supply_b_kg_s=2.0, demand=20.0)
    net.add(lp.Source(id="J.h2", node="J", mode="share", share_mol_pct=10.0, gas="H2"))
    res = lp.solve_steady(net)
    cn, q = res.network, res.quality
    assert q is not None
    assert q.node.h2_mol_pct[cn.node_index("J")] == pytest.approx(10.0, rel=1e-9)
    assert q.sink.h2_mol_pct[0] == pytest.approx(10.0, rel=1e-9)
    k = cn.source_ids.index("J.h2")
    assert res.source_supply_kg_s[k] > 0
    # the hydrogen lowers the energy per kg of what is delivered: less energy for the same 20 kg/s
    plain = lp.solve_steady(two_sources(supply_b_kg_s=2.0, demand=20.0))
    assert q.sink_energy_mw[0] > plain.quality.sink_energy_mw[0]  # H2 has a high GCV per kg
    assert q.sink.gcv_mj_m3[0] < plain.quality.sink.gcv_mj_m3[0]  # and a low one per m3


def test_a_broken_limit_is_a_violation_everywhere() -> None:
    net = two_sources(supply_b_kg_s=2.0)
    net.update("D.demand", gcv_min_mj_m3=40.0, h2_max_mol_pct=1.0)
    res = lp.solve_steady(net)
    recs = [v for v in res.violation_records if v.component_id == "D.demand"]
    assert [v.quantity for v in recs] == ["gcv_min"]
    v = recs[0]
    assert v.limit == pytest.approx(40e6) and v.value < v.limit
    assert v.text.startswith("delivery D.demand: gross calorific value") and "below its minimum 40.00 MJ/m3" in v.text
    assert v.text in res.violations and v.text in res.to_dict()["violations"]


def test_a_limit_no_gas_can_meet_is_named(tmp_path: Path) -> None:
    """Steady: a warning naming the delivery, the limit and the gases; dispatch: InfeasibleError before any solve."""
    net = two_sources()
    net.update("D.demand", wobbe_min_mj_m3=60.0)
    res = lp.solve_steady(net)
    assert any("D.demand: minimum Wobbe index 60.00 MJ/m3" in w and "no mixture can meet it" in w for w in res.warnings)
    net.update("S1.supply", capacity=10.0, unit="kg/s")
    net.update("S2.supply", capacity=10.0)
    cn = compile_network(net)
    from linepack.optimize import dispatch, solve_problem

    with pytest.raises(InfeasibleError) as info:
        solve_problem(cn, dispatch(cn, {"S1.supply": 10.0, "S2.supply": 2.0}, 5.0))
    assert "D.demand" in str(info.value) and "Wobbe" in str(info.value)
    path = tmp_path / "n.yaml"
    save_network(net, path)
    code, out = _invoke("run", str(path))
    assert code == 0 and "no mixture can meet it" in out and "Traceback" not in out


def test_least_cost_dispatch_meets_a_calorific_value_limit() -> None:
    """The cheap lean gas alone gives 28.7 MJ/m3; with a 35 MJ/m3 minimum the optimum buys just enough of the rich
    gas: the limit binds, and the simulator, run at the optimum's settings, delivers exactly 35."""
    from linepack.optimize import dispatch, solve_problem

    net = two_sources(supply_b_kg_s=1.0, demand=4.0)
    net.update("S1.supply", capacity=10.0, unit="kg/s")
    net.update("S2.supply", capacity=10.0)
    prices = {"S1.supply": 10.0, "S2.supply": 2.0}
    free = solve_problem(compile_network(net), dispatch(compile_network(net), prices, 5.0))
    assert free.supply_kg_s[0] == pytest.approx(0.0, abs=1e-6)
    net.update("D.demand", gcv_min_mj_m3=35.0)
    cn = compile_network(net)
    res = solve_problem(cn, dispatch(cn, prices, 5.0))
    assert res.success and 0.5 < res.supply_kg_s[0] < 3.5
    assert any(b.label == "delivery D.demand minimum calorific value" for b in res.binding)
    check = lp.solve_steady(res.settings)
    assert check.quality.sink.gcv_mj_m3[0] == pytest.approx(35.0, rel=1e-6)
    assert not check.violation_records


@pytest.mark.parametrize(
    ("fractions", "expect"),
    [
        ({"CH4": 0.9, "C2H6": 0.05}, ["sum to 0.95", "normalise"]),
        ({"CH4": 0.95, "C2H6": 0.05, "unobtainium": 0.0}, ["unobtainium"]),
        ({"CH4": 1.05, "N2": -0.05}, ["N2", "-0.05", ">= 0"]),
    ],
)
def test_bad_gas_compositions_in_a_network_file(tmp_path: Path, fractions: dict[str, float], expect: list[str]) -> None:
    path = tmp_path / "bad.yaml"
    save_network(two_sources(), path)
    doc = yaml.safe_load(path.read_text())
    doc["gas_compositions"]["LEAN"]["mole_fractions"] = fractions
    path.write_text(yaml.safe_dump(doc))
    code, out = _invoke("run", str(path))
    assert code == 1 and "Traceback" not in out
    flat = " ".join(out.split())
    assert "LEAN" in flat and all(e in flat for e in expect), out


def test_bad_quality_fields_are_refused() -> None:
    net = two_sources()
    with pytest.raises(lp.InputError, match="wobbe_min_mj_m3"):
        net.update("D.demand", wobbe_min_mj_m3=55.0, wobbe_max_mj_m3=50.0)
    with pytest.raises(ValueError, match="share_mol_pct"):  # pydantic's error when a component is built directly
        net.add(lp.Source(id="J.h2", node="J", mode="share", gas="H2"))  # no share given
    net.add(lp.Source(id="J.h2", node="J", mode="share", share_mol_pct=5.0, gas="H2"))
    off = two_sources(mixing="off")
    off.add(lp.Source(id="J.h2", node="J", mode="share", share_mol_pct=5.0, gas="H2"))
    with pytest.raises(lp.InputError, match="mixing"):
        lp.solve_steady(off)


def test_run_prints_the_delivered_quality_and_the_result_file_carries_it(tmp_path: Path) -> None:
    code, out = _invoke("run", "-o", str(tmp_path / "r.json"))
    assert code == 0, out
    assert "Delivered gas quality (mixed from the sources' gases; reference 60F)" in out
    assert "Btu/scf" in out and "MMBTU/d" in out and "Energy (gross calorific value, 60F): supplied" in out
    import json

    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["quality"]["mixing"] and doc["quality"]["reference"] == "60F"
    sink = doc["sinks"][0]
    assert {"gcv_mj_m3", "wobbe_mj_m3", "h2_mol_pct", "energy_mw", "mole_fractions"} <= set(sink)
    assert sum(sink["mole_fractions"].values()) == pytest.approx(1.0, abs=1e-12)
    supplied = doc["quality"]["energy_supplied_mw"]
    assert supplied == pytest.approx(doc["quality"]["energy_delivered_mw"] + doc["quality"]["energy_fuel_mw"], rel=1e-9)


def test_tables_and_web_map_carry_the_gas(tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    res = lp.solve_steady(two_sources(supply_b_kg_s=2.0))
    sinks = res.sinks
    assert {"gcv_mj_m3", "wobbe_mj_m3", "mole_fractions_CH4", "demand_mmscfd_delivered_gas"} <= set(sinks.columns)
    from linepack.web.geo import network_geojson

    net = two_sources(supply_b_kg_s=2.0)
    for i, nid in enumerate(("S1", "S2", "J", "D")):
        net.update(nid, lat=30.0 + 0.1 * i, lon=70.0)
    res = lp.solve_steady(net)
    geo = network_geojson(res.network, res)
    pipes = {f["properties"]["id"]: f["properties"] for f in geo["features"] if f["properties"]["kind"] == "pipe"}
    assert pipes["P2"]["gcv_mj_m3"] < pipes["P1"]["gcv_mj_m3"]  # the lean gas in P2
    assert pipes["P3"]["gcv_mj_m3"] == pytest.approx(res.quality.node.gcv_mj_m3[res.network.node_index("J")], abs=1e-3)


def test_plot_quality_writes_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "q.png"
    code, out = _invoke("plot", "quality", "-o", str(path))
    assert code == 0, out
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
