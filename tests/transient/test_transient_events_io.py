"""Events, profiles, result files and the command line of the transient solver."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.conftest import every_component_network
from typer.testing import CliRunner

import linepack as lp
from linepack.cli import app
from linepack.transient import (
    EventKind,
    Profile,
    TransientOptions,
    parse_event,
    read_profile,
    solve_transient,
    winter_day_profile,
)
from linepack.transient.profiles import WINTER_DAY_SHAPES

OPTS = TransientOptions(horizon_s=8 * 3600.0, dt_s=600.0, segment_length_m=10_000.0, output_interval_s=3600.0)


def test_parse_event_forms() -> None:
    e = parse_event("outage:EETL_FSRU@06:00")
    assert (e.kind, e.target, e.time_s) == (EventKind.SOURCE_OUTAGE, "EETL_FSRU", 21600.0)
    assert parse_event("trip:CS2@1.5h").time_s == 5400.0
    assert parse_event("close:V1@90s").time_s == 90.0
    assert parse_event("isolate:P3@2").kind == EventKind.PIPE_ISOLATION
    with pytest.raises(lp.InputError, match="KIND:TARGET@TIME"):
        parse_event("outage EETL")
    with pytest.raises(lp.InputError, match="unknown kind"):
        parse_event("explode:P1@01:00")
    with pytest.raises(lp.InputError, match="HH:MM"):
        parse_event("trip:C1@noon")


def test_unknown_event_target_is_an_input_error() -> None:
    with pytest.raises(lp.InputError, match="no compressor 'P1'"):
        solve_transient(every_component_network(), events=[parse_event("trip:P1@01:00")], options=OPTS)


def test_supply_outage_gives_survival_times_and_conserves_mass() -> None:
    net = every_component_network()
    res = solve_transient(net, events=[parse_event("outage:S@00:30")], options=OPTS)
    cn = res.seg.base
    k = cn.source_ids.index("S.supply")
    assert res.source_supply_kg_s[0, k] > 10.0
    after = res.times_s > 1800.0
    assert np.all(res.source_supply_kg_s[after, k] == 0.0)
    # the network drafts: linepack falls monotonically after the outage, deliveries eventually fail
    lp_after = res.linepack_kg[res.times_s >= 1800.0]
    assert np.all(np.diff(lp_after) < 0)
    finite = np.isfinite(res.survival_time_s)
    assert np.any(finite)
    assert np.all(res.survival_time_s[finite] > 1800.0)
    assert res.conservation_error() < 1e-9
    # survival is the first crossing of the minimum delivery pressure
    for s in np.flatnonzero(finite):
        p = res.node_p_pa[:, cn.sink_node[s]]
        first = int(np.argmax(p < cn.sink_p_min_pa[s]))
        assert res.times_s[first - 1] <= res.survival_time_s[s] <= res.times_s[first]


def test_valve_closure_compressor_trip_and_pipe_isolation() -> None:
    net = every_component_network()
    events = [parse_event("close:V1@01:00"), parse_event("trip:C1@02:00"), parse_event("isolate:P3@03:00")]
    res = solve_transient(net, events=events, options=OPTS)
    cn = res.seg.base
    t = res.times_s
    assert res.completed, res.message
    v1 = cn.edge_index("V1")
    assert abs(res.edge_q_kg_s[0, v1]) > 1.0
    assert np.all(res.edge_q_kg_s[t > 3600.0, v1] == 0.0)
    # V1 cuts H and L (no pipe storage behind it) off: they fail at once and their demand is dropped
    for sid in ("H.demand", "L.demand"):
        k = cn.sink_ids.index(sid)
        assert np.all(res.sink_demand_kg_s[t > 3600.0, k] == 0.0)
        if np.isfinite(cn.sink_p_min_pa[k]):
            assert res.survival_time_s[k] == 3600.0
    assert any("cuts" in w and "H.demand" in w for w in res.warnings)
    c1 = cn.edge_index("C1")
    ci = int(np.flatnonzero(cn.comp_edge == c1)[0])
    late = t > 7200.0
    # tripped: bypassed, suction and discharge pressures equal, no power
    assert np.allclose(res.node_p_pa[late, cn.edge_to[c1]], res.node_p_pa[late, cn.edge_from[c1]], rtol=1e-9)
    assert np.all(res.comp_power_w[late, ci] == 0.0)
    j = cn.edge_index("P3")
    iso = t > 3 * 3600.0
    assert np.all(res.pipe_q_in_kg_s[iso, j] == 0.0) and np.all(res.pipe_q_out_kg_s[iso, j] == 0.0)
    # the isolated section keeps its gas (equalising inside only)
    lp3 = res.pipe_linepack_kg[iso, j]
    assert np.max(np.abs(lp3 / lp3[0] - 1.0)) < 0.05
    assert res.conservation_error() < 1e-9


def test_winter_day_shapes_have_unit_mean_and_repeat() -> None:
    for shape in WINTER_DAY_SHAPES.values():
        assert np.mean(shape[:-1]) == pytest.approx(1.0)
        assert shape[0] == shape[-1]
    prof = winter_day_profile(48.0)
    assert prof.times_s[-1] == 48 * 3600.0
    col = prof.columns["demand:city_gate"]
    assert np.allclose(col[:24], col[24:48])


def test_profile_csv_round_trip_and_errors(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    f.write_text("time_h,demand:city_gate,demand_kg_s:H.demand,p_set_barg:S.supply\n0,1,40,60\n2,1.2,50,62\n")
    prof = read_profile(f)
    assert prof.times_s.tolist() == [0.0, 7200.0]
    res = solve_transient(every_component_network(), profile=prof, options=OPTS)
    cn = res.seg.base
    h = cn.sink_ids.index("H.demand")
    assert res.sink_demand_kg_s[-1, h] == pytest.approx(50.0)
    s_node = cn.source_node[cn.source_ids.index("S.supply")]
    assert (res.node_p_pa[-1, s_node] - cn.ambient_pa) / 1e5 == pytest.approx(62.0, rel=1e-6)
    bad = tmp_path / "bad.csv"
    bad.write_text("time_h,demand:nowhere\n0,1\n")
    with pytest.raises(lp.InputError, match="no sink or sink category 'nowhere'"):
        solve_transient(every_component_network(), profile=read_profile(bad), options=OPTS)
    bad.write_text("hour,demand:*\n0,1\n")
    with pytest.raises(lp.InputError, match="time_h or time_s"):
        read_profile(bad)
    with pytest.raises(lp.InputError, match="increase strictly"):
        Profile("x", np.array([0.0, 0.0]), {})


def test_profile_parquet_and_late_event(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    f = tmp_path / "p.parquet"
    pq.write_table(pa.table({"time_s": [0.0, 3600.0], "demand:*": [1.0, 1.2]}), f)
    prof = read_profile(f)
    assert prof.columns["demand:*"].tolist() == [1.0, 1.2]
    res = solve_transient(every_component_network(), profile=prof, events=[parse_event("trip:C1@30")], options=OPTS)
    assert res.completed
    assert any("after the end of the run" in w for w in res.warnings)
    cn = res.seg.base
    assert res.sink_demand_kg_s[-1].sum() == pytest.approx(1.2 * cn.sink_demand.sum())


def test_network_without_pipes_is_an_input_error() -> None:
    settings = lp.Settings(
        temperature_c=15.0,
        molar_mass_kg_per_mol=0.018,
        compressibility={"model": "ideal"},  # type: ignore[arg-type]
        viscosity={"model": "constant", "value_pa_s": 1.1e-5},  # type: ignore[arg-type]
    )
    net = lp.Network(name="no-pipes", settings=settings)
    net.add(lp.Node(id="A"))
    net.add(lp.Source(id="A.s", node="A", mode="pressure", p_set_barg=50.0))
    with pytest.raises(lp.InputError, match="no pipe in service"):
        solve_transient(net, options=OPTS)


def test_result_files(tmp_path: Path) -> None:
    res = solve_transient(every_component_network(), profile=winter_day_profile(), options=OPTS)
    nc = tmp_path / "r.nc"
    assert res.save(nc) == [nc]
    from scipy.io import netcdf_file

    with netcdf_file(nc, "r", mmap=False) as f:
        assert np.allclose(f.variables["linepack"][:], res.linepack_kg)
        assert f.variables["node_pressure"].shape == res.node_p_pa.shape
        assert f.variables["point_pressure"].shape == res.point_p_pa.shape
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    written = res.save(tmp_path / "r.parquet")
    ts = pq.read_table(written[0])
    assert np.allclose(ts.column("linepack_kg").to_numpy(), res.linepack_kg)
    prof = pq.read_table(written[1])
    assert set(prof.column_names) == {"time_s", "pipe", "x_m", "p_barg", "q_kg_s"}
    with pytest.raises(lp.InputError, match="unknown format"):
        res.save(tmp_path / "r.xlsx")


def test_xarray_dataset_and_netcdf_carry_the_same_labelled_coordinates(tmp_path: Path) -> None:
    xr = pytest.importorskip("xarray")
    res = solve_transient(every_component_network(), profile=winter_day_profile(), options=OPTS)
    ds = res.to_xarray()
    cn = res.seg.base
    assert list(ds.node.values) == list(cn.node_ids) and list(ds.sink.values) == list(cn.sink_ids)
    assert list(ds["pipe"].values) == list(cn.edge_ids[: res.seg.n_pipes])
    assert np.array_equal(ds.time.values, res.times_s) and ds.node_pressure.attrs["units"] == "Pa"
    i = cn.node_ids.index("C")
    assert np.array_equal(ds.node_pressure.sel(node="C").values, res.node_p_pa[:, i])
    res.save(tmp_path / "r.nc")
    with xr.open_dataset(tmp_path / "r.nc") as back:
        assert list(back.node.values) == list(cn.node_ids) and list(back.compressor.values) == ["C1"]
        for name in ("node_pressure", "pipe_linepack", "sink_demand", "compressor_power", "segment_flow"):
            assert np.array_equal(back[name].values, ds[name].values), name
        assert np.array_equal(back.time.values, ds.time.values)


def test_options_are_checked() -> None:
    with pytest.raises(lp.InputError, match="dt_s"):
        solve_transient(every_component_network(), options=TransientOptions(dt_s=-1.0))


def test_cli_transient_runs_with_an_outage(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "run.nc"
    r = runner.invoke(
        app,
        [
            "transient",
            "--horizon",
            "2",
            "--dt",
            "900",
            "--segment-length",
            "50",
            "--event",
            "outage:EETL_FSRU@00:30",
            "-o",
            str(out),
            "--no-plot",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "Deliveries" in r.output and "survival" in r.output and "Linepack" in r.output
    assert "outage EETL_FSRU.supply at 00:30" in r.output
    assert out.is_file()


def test_cli_transient_bad_input_is_a_message(tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["transient", "--event", "outage:NOWHERE@01:00", "--no-plot", "-o", str(tmp_path / "x.nc")])
    assert r.exit_code == 1
    assert "NOWHERE" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["transient", "-o", str(tmp_path / "x.txt")])
    assert r.exit_code == 1 and ".nc" in r.output


def test_cli_transient_profile_file_and_plot(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    prof = tmp_path / "day.csv"
    prof.write_text("time_h,demand:city_gate,demand:KARACHI.demand\n0,1.0,1.0\n1,1.3,1.5\n")
    png = tmp_path / "p.png"
    r = CliRunner().invoke(
        app,
        [
            "transient",
            "--profile",
            str(prof),
            "--horizon",
            "1",
            "--dt",
            "600",
            "--segment-length",
            "50",
            "-o",
            str(tmp_path / "r.nc"),
            "--plot",
            str(png),
            "--nodes",
            "KARACHI,LAHORE",
        ],
    )
    assert r.exit_code == 0, r.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = CliRunner().invoke(
        app,
        [
            "transient",
            "--horizon",
            "1",
            "--dt",
            "600",
            "--nodes",
            "NOWHERE",
            "--plot",
            str(png),
            "-o",
            str(tmp_path / "r.nc"),
        ],
    )
    assert r.exit_code == 1 and "NOWHERE" in r.output


def test_the_starting_linepack_is_compared_with_the_steady_run_and_the_difference_explained() -> None:
    net = every_component_network()
    steady = lp.solve_steady(net)
    steady_kg = float(np.sum(steady.pipe_linepack_kg()))
    const = solve_transient(net, options=OPTS)
    # no profile: the same boundary values as `linepack run`; the difference is the discretisation alone
    assert const.steady_linepack_kg == pytest.approx(steady_kg, rel=1e-9)
    assert const.linepack_kg[0] == pytest.approx(steady_kg, rel=1e-3)
    assert "segments" in const.start_note and "profile" not in const.start_note
    # a profile that starts at 80 % of one demand: the note says so, naming the scenario to compare with
    from linepack.transient import Profile

    low = Profile("low", np.array([0.0, 3600.0]), {"demand:H.demand": np.array([0.8, 0.8])})
    varied = solve_transient(net, profile=low, options=OPTS)
    assert "the profile at t = 0 changes the scenario's demand" in varied.start_note
