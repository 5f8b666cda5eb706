"""Units, gas properties, compressor ratings and the writer's handling of an edited Network."""

from __future__ import annotations

from pathlib import Path

import pytest
from gaslib_cases import INSTANCES, load, paths

from linepack import InputError, Pipe, Sink
from linepack.io.gaslib import read_gaslib, write_gaslib
from linepack.io.gaslib.mapping import heat_capacity_ratio
from linepack.io.gaslib.model import Drive, TurboCompressor
from linepack.io.gaslib.rating import drive_max_power_kw, head_to_ratio, turbo_max_head_kj_per_kg
from linepack.io.gaslib.units import UnitError, convert


def test_unit_conversions() -> None:
    assert convert("pressureMax", "80", "barg") == pytest.approx(81.01325)
    assert convert("pressureMax", "81.01325", "bar") == 81.01325  # identity keeps the exact number
    assert convert("pressureMax", "8", "MPa") == pytest.approx(80.0)
    assert convert("length", "10", "m") == pytest.approx(0.01)
    assert convert("diameter", "1.1", "m") == pytest.approx(1100.0)
    assert convert("roughness", "1e-05", "m") == pytest.approx(0.01)
    assert convert("gasTemperature", "289.15", "K") == pytest.approx(16.0)
    assert convert("pseudocriticalTemperature", "0", "Celsius") == pytest.approx(273.15)
    assert convert("flow", "1", "m_cube_per_s") == pytest.approx(3.6)
    assert convert("molarMass", "0.0185", "kg_per_mol") == pytest.approx(18.5)
    assert convert("height", "12", None) == 12.0  # no unit: GasLib's usual unit
    with pytest.raises(UnitError, match="unknown for a pressure difference"):
        convert("pressureLoss", "1", "barg")
    with pytest.raises(UnitError, match="not finite"):
        convert("length", "nan", "km")


def test_heat_capacity_ratio_of_methane_like_gas() -> None:
    # GasLib-11 coefficients at 283.15 K: cp = 35.35 J/(mol K), the ideal-gas cp of methane is about 35.3
    kappa = heat_capacity_ratio(31.8251781464, -0.00846800766885, 7.44647331885e-05, 283.15)
    assert kappa == pytest.approx(35.348 / (35.348 - 8.314462618), rel=1e-3)


def test_turbo_head_and_ratio() -> None:
    # GasLib-11 turbo map: the maximum-speed isoline meets the surge line at about 43.6 kJ/kg
    comp = TurboCompressor(
        "T",
        "D",
        3500,
        6500,
        (62.0918, -0.0292953, 4.29877e-06, -58.9579, 0.0265692, -2.57876e-06, 4.32767, -0.00240606, 2.45649e-07),
        (),
        (-49.8997, 27.7343, -0.0449561),
        (-11.7751, 7.27912, 0.0567136),
    )
    head = turbo_max_head_kj_per_kg(comp)
    assert head is not None and 40 < head < 60
    r = head_to_ratio(head, 1.307, 0.0185674, 283.15)
    assert 1.4 < r < 1.8
    assert head_to_ratio(0.0, 1.3, 0.018, 283.15) == 1.0


def test_drive_power_polynomial_matches_measurements() -> None:
    # GasLib-4197 drive_1: P(n, T) = sum b[i + 3 j] n^i T^j reproduces its measured 12521 kW at 6825/min, -5 C
    b = (218.901581627, 3.39006873561, -0.000240713587488, -0.956199536368, -0.0210381500319, 1.49313052539e-06,
         -0.0378285128524, 3.70211499791e-05, -2.68548655643e-09)  # fmt: skip
    d = Drive("drive_1", "gasTurbine", (27000.0, 1.83, 0.0), b)
    assert drive_max_power_kw(d, (6825.0, 6825.0), -5.0) == pytest.approx(12521, rel=1e-3)


def test_ratings_from_cs(gaslib: Path) -> None:
    r582 = load("582-cold").station_ratings["compressorStation_5"]
    assert r582.ratio_max == 2.0  # its piston unit's maximalCompressionRatio (the turbo unit gives less)
    r135 = load("135").station_ratings["compressorStation_1"]
    assert r135.driver_efficiency is None  # placeholder fuel coefficients 0.01, 0, 0
    assert load("135").network.collections["compressors"]["compressorStation_1"].driver_efficiency == 0.35  # type: ignore[attr-defined]
    for st in load("4197").station_ratings.values():
        assert st.driver_efficiency is None or 0.2 < st.driver_efficiency < 0.45
        assert st.ambient_temperature_c == 7.0  # from the .scn


def test_integration_has_one_reference_per_island(gaslib: Path) -> None:
    case = load("Integration")
    assert [r.node for r in case.references] == ["source_1", "source_2", "source_3", "source_4"]
    # bar in the .net (25 bar) and barg in the .scn (25 barg): the tighter, 25 bar, holds
    assert case.references[0].p_set_barg == pytest.approx(25.0 - 1.01325)


def test_writer_follows_edits(gaslib: Path, tmp_path: Path) -> None:
    net_path, scn_path, _, cs_path = paths(INSTANCES["11"])
    case = read_gaslib(net_path, scn_path, None, cs_path)
    net = case.network
    pipe = net.collections["pipes"]["pipe02_N01_N02"]
    net.replace(pipe.model_copy(update={"length_km": 42.0, "roughness_mm": 0.02}))
    node = net.nodes["N03"]
    net.replace(node.model_copy(update={"elevation_m": 123.0, "p_max_barg": 65.0}))
    sink = net.collections["sinks"]["exit01.exit"]
    net.replace(sink.model_copy(update={"demand": 30.0}))
    net.remove("exit03.exit")
    net.add(Pipe(id="P_new", from_node="N05", to_node="exit01", length_km=5.0, inner_diameter_mm=300.0))
    net.add(Sink(id="N04.exit", node="N04", demand=2.0, unit="kg/s"))
    write_gaslib(case, tmp_path / "e.net", tmp_path / "e.scn")
    again = read_gaslib(tmp_path / "e.net", tmp_path / "e.scn", None, cs_path)
    got = again.network
    assert got.collections["pipes"]["pipe02_N01_N02"].length_km == 42.0  # type: ignore[attr-defined]
    assert got.collections["pipes"]["pipe02_N01_N02"].roughness_mm == 0.02  # type: ignore[attr-defined]
    assert got.nodes["N03"].elevation_m == 123.0
    assert got.nodes["N03"].p_max_barg == pytest.approx(65.0)
    assert got.collections["sinks"]["exit01.exit"].demand == pytest.approx(30.0)  # type: ignore[attr-defined]
    assert "exit03.exit" not in got.collections["sinks"]
    assert got.collections["pipes"]["P_new"].length_km == 5.0  # type: ignore[attr-defined]
    assert got.collections["sinks"]["N04.exit"].demand == pytest.approx(2.0)  # type: ignore[attr-defined]
    # what was not edited is written as read: the other pipes keep their GasLib elements verbatim
    assert again.element("pipe01_entry01_entry03") == case.element("pipe01_entry01_entry03")
    assert again.element("pipe01_entry01_entry03").item.children == case.element("pipe01_entry01_entry03").item.children


def test_writer_refuses_flows_in_other_units(gaslib: Path, tmp_path: Path) -> None:
    net_path, scn_path, _, _ = paths(INSTANCES["11"])
    case = read_gaslib(net_path, scn_path)
    sink = case.network.collections["sinks"]["exit01.exit"]
    case.network.replace(sink.model_copy(update={"demand": 30.0, "unit": "MMSCFD"}))
    with pytest.raises(InputError, match="kg/s only"):
        write_gaslib(case, tmp_path / "e.net", tmp_path / "e.scn")
    assert not list(tmp_path.iterdir())  # nothing written when the .scn cannot be


def test_gaslib_reading_and_writing_import_no_solver(gaslib: Path, tmp_path: Path) -> None:
    """The reader prepares data (zones from linepack.topology); solving is the solver's: no solver module is
    imported by reading (with automatic references and decisions) or by writing a GasLib instance."""
    import subprocess
    import sys

    code = f"""
import sys
from pathlib import Path
import linepack.io.gaslib as g
from linepack.io.native import load_default_network
d = Path({str(gaslib)!r}) / "GasLib-11"
g.read_gaslib(d / "GasLib-11.net", d / "GasLib-11.scn")
case = g.network_to_gaslib(load_default_network(), "psgp_base")
g.write_gaslib(case, Path({str(tmp_path)!r}) / "x.net", Path({str(tmp_path)!r}) / "x.scn")
print(sorted(m for m in sys.modules if m.startswith(("linepack.solvers", "linepack.results"))))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
