"""SCADA files and tag maps: reading, writing and every kind of bad input named."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from networks import pipeline_meters, pipeline_network

from linepack.compile import compile_network
from linepack.errors import InputError
from linepack.estimate.meters import Meter, MeterSet, bind, load_meter_set
from linepack.estimate.scada import read_scada, write_scada
from linepack.estimate.synthetic import MeterErrors, Stuck, synthesize
from linepack.estimate.validate import prepare


def _csv(tmp_path: Path, rows: list[str], name: str = "s.csv") -> Path:
    p = tmp_path / name
    p.write_text("time,tag,value,unit\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return p


def _bound():  # type: ignore[no-untyped-def]
    return bind(pipeline_meters(), compile_network(pipeline_network()))


def test_meter_sets_round_trip_through_yaml_and_csv(tmp_path: Path) -> None:
    ms = pipeline_meters()
    for suffix in (".yaml", ".json", ".csv"):
        ms.save(tmp_path / f"m{suffix}")
        back = load_meter_set(tmp_path / f"m{suffix}")
        assert back.tags == ms.tags
        assert [m.sigma_pct for m in back.meters] == [m.sigma_pct for m in ms.meters]


def test_bad_tag_maps_are_named(tmp_path: Path) -> None:
    p = tmp_path / "m.yaml"
    p.write_text("format: linepack-meters/1\nmeters:\n - {tag: A, quantity: pressure, element: IN, unit: kg/s, "
                 "sigma: 1}\n - {tag: B, quantity: flow, element: IN.supply, unit: kg/s}\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_meter_set(p)
    text = str(exc.value)
    assert "meter A" in text and "not a pressure unit" in text
    assert "meter B" in text and "accuracy" in text
    ms = MeterSet("x", (Meter(tag="Q", quantity="flow", element="NOWHERE", unit="kg/s", sigma=1),))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="tag Q: no pipe, element, source or sink 'NOWHERE'"):
        bind(ms, compile_network(pipeline_network()))
    with pytest.raises(InputError, match="appear more than once"):
        MeterSet("x", (Meter(tag="Q", quantity="flow", element="L1", unit="kg/s", sigma=1),) * 2)  # type: ignore[arg-type]


def test_scada_files_round_trip_csv_gz_and_parquet(tmp_path: Path) -> None:
    syn = synthesize(pipeline_network(), pipeline_meters(), hours=0.5, segment_length_m=10_000, seed=1)
    for name in ("s.csv", "s.csv.gz", "s.parquet"):
        write_scada(syn.data, tmp_path / name)
        back = read_scada(tmp_path / name)
        assert back.iso and back.n_rows == syn.data.n_rows
        series = prepare(back, _bound())
        assert series.n_times == 31 and series.dt_s == 60.0
    assert gzip.decompress((tmp_path / "s.csv.gz").read_bytes()).startswith(b"time,tag,value,unit")


def test_unknown_tags_and_wrong_units_are_errors(tmp_path: Path) -> None:
    b = _bound()
    p = _csv(tmp_path, ["0,IN.P,70.1,barg", "0,NOT_A_TAG,1,barg", "60,IN.P,70.2,barg"])
    with pytest.raises(InputError, match="NOT_A_TAG are not in meter set"):
        prepare(read_scada(p), b)
    series = prepare(read_scada(p), b, ignore_unknown_tags=True)
    assert [i.kind for i in series.issues if i.tag == "NOT_A_TAG"] == ["unknown tag"]
    p = _csv(tmp_path, ["0,IN.P,70.1,kg/s", "0,CS.Q,1,psig"])
    with pytest.raises(InputError) as exc:
        prepare(read_scada(p), b)
    assert "tag IN.P: unit 'kg/s' is a flow unit, not a pressure unit" in str(exc.value)
    assert "tag CS.Q: unit 'psig' is a pressure unit" in str(exc.value)
    # a convertible unit other than the tag map's is converted
    p = _csv(tmp_path, ["0,IN.P,7.1,MPa", "0,CS.Q,432,t/h"])
    series = prepare(read_scada(p), b)
    assert series.values[0, b.tags.index("IN.P")] == pytest.approx(7.1e6)
    assert series.values[0, b.tags.index("CS.Q")] == pytest.approx(120.0)


def test_bad_rows_duplicates_and_empty_windows(tmp_path: Path) -> None:
    b = _bound()
    with pytest.raises(InputError, match=r"row 2: value 'abc' of tag IN\.P is not a number"):
        read_scada(_csv(tmp_path, ["0,IN.P,1,barg", "60,IN.P,abc,barg"]))
    with pytest.raises(InputError, match="row 2: time 'noon' is not a number of seconds"):
        read_scada(_csv(tmp_path, ["0,IN.P,1,barg", "noon,IN.P,2,barg"]))
    bad = tmp_path / "h.csv"
    bad.write_text("when,tag,value,unit\n0,IN.P,1,barg\n", encoding="utf-8")
    with pytest.raises(InputError, match="the columns must be time, tag, value, unit"):
        read_scada(bad)
    with pytest.raises(InputError, match=r"tag IN\.P has two readings at 60 s"):
        prepare(read_scada(_csv(tmp_path, ["0,IN.P,1,barg", "60,IN.P,2,barg", "60,IN.P,3,barg"])), b)
    data = read_scada(_csv(tmp_path, ["0,IN.P,1,barg", "60,IN.P,2,barg"]))
    with pytest.raises(InputError, match="no reading of a known tag between 3600 s and 7200 s"):
        prepare(data, b, start_s=3600, end_s=7200)
    with pytest.raises(InputError, match="no reading"):
        prepare(read_scada(_csv(tmp_path, ["0,IN.P,,barg", "60,IN.P,,barg"])), b)
    with pytest.raises(InputError, match="not found"):
        read_scada(tmp_path / "missing.csv")


def test_gaps_stuck_meters_and_implausible_readings_are_found() -> None:
    net, ms = pipeline_network(), pipeline_meters()
    errors = MeterErrors(stuck=(Stuck("GATE.P", 1800.0),), outages=0)
    syn = synthesize(net, ms, hours=2, segment_length_m=10_000, seed=4, errors=errors)
    data = syn.data
    vals = data.value.copy()
    code = data.tags.index("END.P")
    rows = np.flatnonzero(data.tag_code == code)
    vals[rows[10]] = 500.0  # above the tag's max of 150 barg
    vals[rows[40:60]] = np.nan  # a 20-minute gap
    object.__setattr__(data, "value", vals)
    series = prepare(data, _bound())
    kinds = {(i.tag, i.kind) for i in series.issues}
    assert ("GATE.P", "stuck") in kinds
    assert ("END.P", "range") in kinds
    assert ("END.P", "gap") in kinds
    stuck = next(i for i in series.issues if i.kind == "stuck")
    assert stuck.t_from_s == pytest.approx(1740.0, abs=60) and "stuck meter" in stuck.detail
    g = series.bound.tags.index("GATE.P")
    assert np.all(np.isnan(series.values[32:, g]))  # the stuck readings are not used
    assert np.isnan(series.values[10, code])
