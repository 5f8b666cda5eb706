"""Networks through GIS files (GeoJSON, GeoPackage, GeoDataFrames) and MATGAS (GasModels.jl), and the
editing API."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import linepack as lp
from linepack.cli import app
from linepack.io.geo import read_geojson, to_geodataframe, to_geojson, write_geojson
from linepack.io.matgas import from_matgas, parse_matgas, to_matgas

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "small_line.yaml"
ROUTE = [[67.37, 24.79], [67.6, 25.1], [68.0, 25.6], [68.36, 25.4]]


def _psgp_with_route() -> lp.Network:
    net = lp.load_default_network()
    net.update("PSGP-01", route_lonlat=ROUTE)
    return net


def test_geojson_round_trip_keeps_every_field_and_the_route(tmp_path: Path) -> None:
    net = _psgp_with_route()
    doc = to_geojson(net)
    pipe = next(f for f in doc["features"] if f["id"] == "PSGP-01")
    assert pipe["geometry"] == {"type": "LineString", "coordinates": ROUTE}
    node = next(f for f in doc["features"] if f["properties"]["kind"] == "node" and f["id"] == "LAHORE")
    assert node["geometry"]["type"] == "Point"
    write_geojson(net, tmp_path / "psgp.geojson")
    back = read_geojson(tmp_path / "psgp.geojson")
    assert back.to_dict() == net.to_dict()
    # a GIS edit of a node's point moves the node
    node["geometry"]["coordinates"] = [74.0, 31.5]
    from linepack.io.geo import from_geojson

    assert from_geojson(doc).get("LAHORE").lat == 31.5


def test_geopackage_round_trip(tmp_path: Path) -> None:
    pytest.importorskip("geopandas")
    from linepack.io.geo import read_geopackage, write_geopackage

    net = _psgp_with_route()
    write_geopackage(net, tmp_path / "psgp.gpkg")
    assert read_geopackage(tmp_path / "psgp.gpkg").to_dict() == net.to_dict()


def test_geodataframes_of_the_network_and_of_a_result() -> None:
    pytest.importorskip("geopandas")
    net = _psgp_with_route()
    pipes = to_geodataframe(net, "pipes")
    assert pipes.crs.to_epsg() == 4326 and pipes.loc["PSGP-01"].geometry.coords[:] == [tuple(p) for p in ROUTE]
    res = lp.solve_steady(net)
    solved = to_geodataframe(res, "pipes")
    assert solved.loc["PSGP-01", "mass_flow_kg_s"] == pytest.approx(res.pipes.loc["PSGP-01", "mass_flow_kg_s"])
    assert len(solved.loc["PSGP-01"].geometry.coords) == len(ROUTE)
    sinks = to_geodataframe(net, "sinks", result=res)
    assert sinks.loc["LAHORE.demand", "p_barg"] == pytest.approx(res.sinks.loc["LAHORE.demand", "p_barg"])
    with pytest.raises(lp.InputError, match="did you mean 'pipes'"):
        to_geodataframe(net, "pipe")


def test_the_web_map_draws_a_pipe_along_its_route() -> None:
    from linepack.web.geo import network_geojson

    net = _psgp_with_route()
    res = lp.solve_steady(net)
    doc = network_geojson(res.network, res)
    pipe = next(f for f in doc["features"] if f["properties"].get("id") == "PSGP-01")
    assert pipe["geometry"]["coordinates"] == ROUTE


def test_route_vertices_are_validated() -> None:
    with pytest.raises(lp.InputError, match="route_lonlat"):
        lp.load_default_network().update("PSGP-01", route_lonlat=[[67.0, 124.0], [68.0, 25.0]])


def _nikuradse_network() -> lp.Network:
    """The example line with what MATGAS holds exactly: a constant friction factor per pipe (law constant),
    constant Z, flows in kg/s, flat."""
    net = lp.load_network(EXAMPLE)
    doc = net.to_dict()
    doc.pop("gas_compositions")
    doc["settings"] = {
        "temperature_c": 15,
        "molar_mass_kg_per_mol": 0.0174,
        "compressibility": {"model": "constant", "z": 0.9},
        "viscosity": {"model": "constant", "value_pa_s": 1.1e-5},
        "friction_law": "constant",
        "lower_heating_value_mj_per_kg": 47.1,
        "heat_capacity_ratio": 1.3,
    }
    for p in doc["pipes"]:
        p.pop("law", None)
        p.pop("efficiency", None)
        p["friction_factor"] = 0.011
    for n in doc["nodes"]:
        n["elevation_m"] = 0
    doc["sources"][0].update(unit="kg/s", capacity=300)
    doc["sinks"][0].update(unit="kg/s", demand=80)
    doc["sinks"][1].update(unit="kg/s", demand=20)
    return lp.Network.from_dict(doc)


def test_matgas_round_trip_gives_the_same_solution() -> None:
    net = _nikuradse_network()
    back = from_matgas(parse_matgas(to_matgas(net)))
    assert sorted(c.id for c in back.components()) == sorted(c.id for c in net.components())
    a, b = lp.solve_steady(net), lp.solve_steady(back)
    pa = dict(zip(a.network.node_ids, a.p_pa, strict=True))
    pb = dict(zip(b.network.node_ids, b.p_pa, strict=True))
    assert max(abs(pa[k] - pb[k]) / pa[k] for k in pa) <= 1e-9
    assert b.comp_power_w[0] == pytest.approx(a.comp_power_w[0], rel=1e-9)


GASMODELS_STYLE = """function mgc = three_node
mgc.gas_specific_gravity = 0.6;
mgc.specific_heat_capacity_ratio = 1.4;
mgc.temperature = 288.7;
mgc.R = 8.314;
mgc.compressibility_factor = 1;
mgc.units = 'si';
mgc.is_per_unit = 0;

%% junction data
% id p_min p_max p_nominal junction_type status pipeline_name edi_id lat lon
mgc.junction = [
1\t3000000\t6000000\t5000000\t1\t1\t'demo'\t'1'\t30.0\t70.0
2\t3000000\t6000000\t4000000\t0\t1\t'demo'\t'2'\t30.5\t70.5
3\t3000000\t6000000\t4000000\t0\t1\t'demo'\t'3'\t31.0\t71.0
];

%% pipeline data
% id fr_junction to_junction diameter length friction_factor p_min p_max status
mgc.pipe = [
1\t1\t2\t0.6\t50000\t0.01\t3000000\t6000000\t1
2\t2\t3\t0.5\t40000\t0.01\t3000000\t6000000\t1
];

%% receipt data
mgc.receipt = [
1    1    0    300    0    1     1  1.25
];

%% delivery data
mgc.delivery = [
1    3    0 40.0  40.0  0  1  0
2    2    0 20.0  20.0  0  1  0
];
"""


def test_a_gasmodels_style_file_reads_with_its_slack_and_solves() -> None:
    """A file laid out like GasModels' test cases (documented column order, SI): junction 1 is the slack
    with a dispatchable receipt, so it becomes a pressure-held source at p_nominal 50 bar absolute."""
    net = from_matgas(parse_matgas(GASMODELS_STYLE, "three_node.m"))
    src = net.get("R1")
    assert src.mode == "pressure" and src.p_set_barg == pytest.approx(50.0 - 1.01325)
    assert net.get("P1").length_km == 50.0 and net.get("P1").inner_diameter_mm == pytest.approx(600.0)
    res = lp.solve_steady(net)
    assert res.source_supply_kg_s[0] == pytest.approx(60.0)
    # Darcy with the file's friction factor: p1^2 - p2^2 = f L/D (Z R T / M) q^2 / A^2 (64/Re is 1e-5 of f)
    m = 0.6 * 0.0289647
    c = 1.0 * 8.314462618 * 288.7 / m
    area = np.pi * 0.6**2 / 4
    p1, p2 = res.p_pa[0], res.p_pa[1]
    expected = 0.01 * 50000 / 0.6 * c * 60.0**2 / area**2
    assert p1**2 - p2**2 == pytest.approx(expected, rel=2e-3)


def test_matgas_errors_name_the_problem() -> None:
    with pytest.raises(lp.InputError, match="units 'usc'"):
        from_matgas(parse_matgas("mgc.units = 'usc';\n"))
    with pytest.raises(lp.InputError, match="not closed"):
        parse_matgas("mgc.junction = [\n1 2 3\n")


def test_convert_between_native_geojson_and_matgas(tmp_path: Path) -> None:
    runner = CliRunner()
    for target in ("net.geojson", "net.m"):
        res = runner.invoke(app, ["convert", str(EXAMPLE), str(tmp_path / target)])
        assert res.exit_code == 0, res.output
        res = runner.invoke(app, ["run", str(tmp_path / target), "--quiet"])
        assert res.exit_code == 0 and "converged" in res.output, res.output


def test_editing_api() -> None:
    net = lp.load_default_network()
    other = lp.load_default_network()
    net.update("PSGP-01", inner_diameter_mm=1100.0)
    assert net.get("PSGP-01").inner_diameter_mm == 1100.0 and other.get("PSGP-01").inner_diameter_mm != 1100.0
    with pytest.raises(lp.InputError, match="did you mean 'inner_diameter_mm'"):
        net.update("PSGP-01", inner_diameter=1100.0)
    with pytest.raises(lp.InputError, match="used by"):
        net.remove("LAHORE")
    copy = net.copy()
    removed = copy.remove("LAHORE", cascade=True)
    assert "LAHORE.demand" in removed and net.find("LAHORE.demand") is not None
    net.add(lp.Sink(id="NEW.demand", node="LAHORE", demand=50.0, p_min_barg=30.0))
    net.add_scenario("winter", base="psgp_base", demand_scale=1.05, description="a cold day")
    with pytest.raises(lp.InputError, match="did you mean 'CS2'"):
        net.add_scenario("bad", disable=["CS22"])
    res = lp.solve_steady(net, "winter")
    assert res.converged and "NEW.demand" in res.sinks.index
    frame = net.frame("pipes")
    assert frame.loc["PSGP-01", "inner_diameter_mm"] == 1100.0
