"""GasLib compressor stations with their units: the .cs written back losslessly (and edits written), and the
instances solved, or diagnosed, with the units' maps.

References: the shipped .cs files (their XML trees must come back identical); the outcomes of the GasLib table
in docs/compressors.md (``python tests/gaslib/gaslib_cases.py`` prints them).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from gaslib_cases import INSTANCES, load, paths

import linepack as lp
from linepack.io.gaslib import read_gaslib, write_gaslib


def _same_tree(a: ET.Element, b: ET.Element, where: str = "") -> str | None:
    """None when the two XML trees have the same elements, attributes and texts in the same order."""
    here = f"{where}/{a.tag.split('}')[-1]}"
    if a.tag != b.tag or a.attrib != b.attrib or (a.text or "").strip() != (b.text or "").strip() or len(a) != len(b):
        return f"{here}: {a.attrib} ({len(a)} children) vs {b.tag} {b.attrib} ({len(b)} children)"
    for x, y in zip(a, b, strict=True):
        diff = _same_tree(x, y, here)
        if diff:
            return diff
    return None


@pytest.mark.parametrize("key", ["11", "24", "40", "135", "582-cold", "Integration"])
def test_cs_round_trip_is_lossless(gaslib: Path, key: str, tmp_path: Path) -> None:
    case = load(key)
    _, _, _, cs = paths(INSTANCES[key])
    assert cs is not None
    write_gaslib(case, tmp_path / "a.net", None, tmp_path / "a.cs")
    assert _same_tree(ET.parse(cs).getroot(), ET.parse(tmp_path / "a.cs").getroot()) is None


def test_edited_station_is_written_from_the_network(gaslib: Path, tmp_path: Path) -> None:
    """A map edited in the Network reaches the .cs; the other station stays as read, byte for byte in its tree."""
    net_path, scn_path, _, cs_path = paths(INSTANCES["11"])
    case = read_gaslib(net_path, scn_path, None, cs_path)
    name = "CS01_entry03_N01/T_CS2_M4"
    spec = case.network.compressor_maps[name]
    case.network.compressor_maps[name] = spec.model_copy(update={"speed_max_rpm": 6200.0})  # type: ignore[union-attr]
    write_gaslib(case, tmp_path / "a.net", tmp_path / "a.scn", tmp_path / "a.cs")
    back = read_gaslib(tmp_path / "a.net", tmp_path / "a.scn", None, tmp_path / "a.cs")
    assert back.network.compressor_maps[name].speed_max_rpm == 6200.0
    other = "CS02_N04_N05/T_CS2_M4_2"
    assert back.network.compressor_maps[other] == case.network.compressor_maps[other]
    old = {s.get("id"): s for s in ET.parse(cs_path).getroot().iter() if s.tag.endswith("compressorStation")}
    new = {s.get("id"): s for s in ET.parse(tmp_path / "a.cs").getroot().iter() if s.tag.endswith("compressorStation")}
    assert _same_tree(old["CS02_N04_N05"], new["CS02_N04_N05"]) is None
    assert _same_tree(old["CS01_entry03_N01"], new["CS01_entry03_N01"]) is not None


def test_small_instances_solve_with_their_units(gaslib: Path) -> None:
    # GasLib-11: CS01 runs its one unit on its surge line and recycles; CS02 bypasses
    res = lp.solve_steady(load("11").network)
    assert res.active_bounds[0].startswith("CS01_entry03_N01 recycles 100.8 kg/s through its anti-surge valves")
    pts = {r["id"]: r for r in res.unit_points().rows()}  # type: ignore[union-attr]
    assert pts["CS01_entry03_N01/T_CS2_M4"]["state"] == "recycling at the surge line, throttled at minimum speed"
    assert pts["CS02_N04_N05/T_CS2_M4_2"]["state"].startswith("stopped")
    # GasLib-24: CS1 two units in parallel, CS2 one unit, both recycling; no violation
    res = lp.solve_steady(load("24").network)
    assert [t.split(" ")[0] for t in res.active_bounds] == ["CS1", "CS2", "CS3"] and not res.violations
    assert "CS1/Comp11, CS1/Comp13 at the surge line" in res.active_bounds[0]
    res = lp.solve_steady(load("Integration").network)
    assert res.active_bounds[0].startswith("compressorStation_1 in bypass")
    # GasLib-40: every station's suction is above its set-point, so each passes its gas forward in bypass (the
    # control rules of issue 16; it used to be closed)
    res = lp.solve_steady(load("40").network)
    assert res.active_bounds[0] == "compressorStation_1 in bypass: suction 76.8 barg is above its set-point 70.0 barg"
    assert all(" in bypass: " in b for b in res.active_bounds) and len(res.active_bounds) == 6


def test_582_cool_is_diagnosed(gaslib: Path) -> None:
    with pytest.raises(lp.InfeasibleError) as exc:
        lp.solve_steady(load("582-cool").network)
    # as in its operating mode (test_gaslib_operating_modes): fixed inflows above demand with no pressure-held
    # source to take the rest, and the station the network would push backwards named
    assert "compressorStation_4 closed: the network would push gas backwards through it" in exc.value.diagnosis
    assert any(d.startswith("supply above demand") for d in exc.value.diagnosis)


@pytest.mark.slow
def test_large_instances_are_diagnosed(gaslib: Path) -> None:
    """135: the stations cannot make what the nomination asks (named, with the ratios their units reach: the
    control rounds of issue 16 end without a consistent state, and the last solution's stations are named);
    582 cold and 4197: loops of controlled elements named (as without units)."""
    with pytest.raises(lp.InfeasibleError) as exc:
        lp.solve_steady(load("135").network)
    text = "\n".join(exc.value.diagnosis)
    assert "no consistent state was found" in str(exc.value)
    assert "compressor set-points need ratios above the maximum at compressorStation_3 (2.01 > 1.83)" in text
    for key, loop in (("582-cold", "compressorStation_1"), ("4197", "compressorStation_8, controlValve_23")):
        with pytest.raises(lp.ConvergenceError) as exc:
            lp.solve_steady(load(key).network)
        assert any(f"the flow around the loop through {loop}" in d for d in exc.value.diagnosis)
