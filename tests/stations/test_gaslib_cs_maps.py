"""GasLib's compressor-station data (.cs) as read into maps and drivers, against the measurements the same
files carry: every turbo compressor's speed lines (characteristicDiagramMeasurements) and surge line
(surgelineMeasurements), every drive's maximal power over speed and ambient temperature
(maximalPowerMeasurements) and its fuel against power (specificEnergyConsumptionMeasurements).

The .cs files give the fitted coefficients and the measurements they were fitted to (Schmidt et al. 2017):
GasLib-582 and -135 measurements lie on their polynomials; GasLib-4197's are real fits (head within 4.8 %,
efficiency within 0.05 at the points, surge line within 5.6 %). The tolerances below are those fits, so the
test fails when linepack reads a coefficient into the wrong place (orders, units, the n/Q roles).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from linepack.io.gaslib.parse import parse_cs, parse_net
from linepack.io.gaslib.stations import native_stations, unit_id
from linepack.stations.drivers import driver_curves
from linepack.stations.mapdata import map_data
from linepack.stations.poly import line, poly2

CASES = {
    # case: (.cs, head tolerance, efficiency tolerance, surge-line tolerance)
    "582": ("GasLib-582/GasLib-582-v2.cs", 1e-9, 0.07, 1e-9),
    "135": ("GasLib-135/GasLib-135.cs", 1e-9, 0.04, 1e-9),
    "4197": ("GasLib-4197/GasLib-4197.cs", 0.05, 0.05, 0.06),
}


def _local(tag: str) -> str:
    return tag.split("}")[-1]


def _values(el: ET.Element) -> dict[str, float]:
    return {_local(e.tag): float(e.get("value", "nan")) for e in el}


def _read(gaslib: Path, cs_file: str) -> tuple[ET.Element, object]:
    path = gaslib / cs_file
    stations, _, _ = parse_cs(path, parse_net(next(path.parent.glob("*.net"))))
    return ET.parse(path).getroot(), native_stations(stations, cs_file)


@pytest.fixture
def gaslib(shared: Path) -> Path:
    return shared / "refcases" / "gaslib"


@pytest.mark.parametrize("case", list(CASES))
def test_turbo_maps_reproduce_the_cs_measurements(gaslib: Path, case: str) -> None:
    cs_file, tol_h, tol_e, tol_s = CASES[case]
    root, nat = _read(gaslib, cs_file)
    checked = 0
    for st in root.iter():
        if _local(st.tag) != "compressorStation":
            continue
        for tc in st.iter():
            if _local(tc.tag) != "turboCompressor":
                continue
            md = map_data("m", nat.maps[unit_id(st.get("id", ""), tc.get("id", ""))])  # type: ignore[attr-defined]
            # the surge corner at maximum speed lies on both the speed line and the surge line
            q_sx, h_sx = md.corners[4], md.corners[5]
            assert poly2(md.head, md.n_max, q_sx) == pytest.approx(h_sx, rel=1e-9)
            assert line(md.surge, q_sx) == pytest.approx(h_sx, rel=1e-9)
            for block in tc:
                if _local(block.tag) == "surgelineMeasurements":
                    for m in block:
                        v = _values(m)
                        h = v["adiabaticHead"] * 1e3
                        assert abs(line(md.surge, v["volumetricFlowrate"]) - h) <= tol_s * h
                        checked += 1
                if _local(block.tag) == "characteristicDiagramMeasurements":
                    for iso in block:
                        eta = float(iso.get("value", "nan"))
                        for m in iso:
                            v = _values(m)
                            if v["adiabaticHead"] <= 0:  # GasLib-4197 compressor_1 has a placeholder (0, 0)
                                continue
                            n, q, h = v["speed"], v["volumetricFlowrate"], v["adiabaticHead"] * 1e3
                            assert abs(poly2(md.head, n, q) - h) <= tol_h * h, (tc.get("id"), n, q)
                            assert abs(poly2(md.eta, n, q) - eta) <= tol_e, (tc.get("id"), n, q)
                            checked += 1
    assert checked > 50


@pytest.mark.parametrize("case", ["582", "4197"])
def test_drivers_reproduce_the_cs_measurements(gaslib: Path, case: str) -> None:
    """Maximal power within 0.5 % of every measured point (speed, ambient temperature); fuel within 0.01 %."""
    root, nat = _read(gaslib, CASES[case][0])
    checked = 0
    for st in root.iter():
        if _local(st.tag) != "compressorStation":
            continue
        for d in st.iter():
            spec = nat.drivers.get(unit_id(st.get("id", ""), d.get("id", "")))  # type: ignore[attr-defined]
            if spec is None or _local(d.tag) not in ("gasTurbine", "electricMotor", "gasDrivenMotor", "steamTurbine"):
                continue
            for block in d:
                if _local(block.tag) == "maximalPowerMeasurements":
                    groups = [block] if _local(block[0].tag) == "measurement" else list(block)
                    for g in groups:
                        t = float(g.get("value", "15"))
                        c = driver_curves(spec, t, (1000.0, 10000.0))
                        for m in g:
                            v = _values(m)
                            p = c.power_w[0] + c.power_w[1] * v["speed"] + c.power_w[2] * v["speed"] ** 2
                            assert p / 1e3 == pytest.approx(v["maximalPower"], rel=5e-3)
                            checked += 1
                if _local(block.tag) == "specificEnergyConsumptionMeasurements":
                    c = driver_curves(spec, 15.0, (1000.0, 10000.0))
                    for m in block:
                        v = _values(m)
                        p = v["compressorPower"] * 1e3
                        e = c.energy[0] + c.energy[1] * p + c.energy[2] * p * p
                        assert e / 1e3 == pytest.approx(v["fuelConsumption"], rel=1e-4)
                        checked += 1
    assert checked > 2


def test_piston_and_configurations_of_582(gaslib: Path) -> None:
    """compressorStation_5: turbo compressor_1 and piston compressor_2, three configurations (each alone, both
    in parallel)."""
    _, nat = _read(gaslib, CASES["582"][0])
    piston = map_data("p", nat.maps["compressorStation_5/compressor_2"])  # type: ignore[attr-defined]
    assert piston.flow_per_rpm == pytest.approx((1 - 0.35) * 0.5 / 60)  # additionalReductionVolFlow as a loss
    assert piston.ratio_max == 2.0 and piston.eta_piston == 0.95 and not np.isfinite(piston.torque_max_nm)
    confs = {c.id: c.stages for c in nat.configurations if c.station == "compressorStation_5"}  # type: ignore[attr-defined]
    assert confs == {
        "compressorStation_5/config_1": [["compressorStation_5/compressor_2"]],
        "compressorStation_5/config_2": [["compressorStation_5/compressor_1"]],
        "compressorStation_5/config_3": [["compressorStation_5/compressor_2", "compressorStation_5/compressor_1"]],
    }
