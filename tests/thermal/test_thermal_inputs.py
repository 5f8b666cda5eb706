"""The thermal input schema: defaults leave isothermal networks unchanged, precedence of the resolved data,
and bad input (negative U, kelvin where Celsius is expected, a cooler set-point above what it must cool)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from linepack.errors import InputError
from linepack.model.network import Network
from linepack.thermal import overall_u_buried_w_m2k
from linepack.thermal.inputs import thermal_inputs


def _doc(**settings_thermal: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": "linepack-network/1",
        "settings": {"temperature_c": 15, "molar_mass_kg_per_mol": 0.0175},
        "nodes": [{"id": n} for n in ("A", "B", "C", "D")],
        "pipes": [
            {"id": "P1", "from": "A", "to": "B", "length_km": 50, "inner_diameter_mm": 600},
            {"id": "P2", "from": "B", "to": "C", "length_km": 40, "inner_diameter_mm": 600},
        ],
        "compressors": [],
        "regulators": [{"id": "R1", "from": "C", "to": "D", "p_set_barg": 20}],
        "sources": [{"id": "S1", "node": "A", "mode": "pressure", "p_set_barg": 60}],
        "sinks": [{"id": "K1", "node": "D", "demand": 50}],
    }
    if settings_thermal:
        doc["settings"]["thermal"] = settings_thermal
    return doc


def _problems(doc: dict[str, Any]) -> str:
    with pytest.raises(InputError) as info:
        Network.from_dict(doc).validate()
    return str(info.value)


def test_isothermal_default_is_unchanged_and_not_written() -> None:
    """A network without thermal data is isothermal and saves exactly as before (no thermal keys written)."""
    net = Network.from_dict(_doc())
    assert net.settings.thermal.mode == "isothermal"
    saved = net.to_dict()
    assert "thermal" not in saved["settings"]
    assert all(k not in p for p in saved["pipes"] for k in ("heat_transfer_coefficient_w_m2k", "thermal_region"))


def test_precedence_of_ground_temperature_and_u() -> None:
    doc = _doc(
        mode="non_isothermal",
        season="summer",
        ground_temperature_c=20,
        ground_temperature_by_season_c={"summer": 27, "winter": 14},
        regions={"NORTH": {"ground_temperature_c": 12, "ground_temperature_by_season_c": {"winter": 5}}},
        heat_transfer_coefficient_w_m2k=2.0,
        source_temperature_c=18,
    )
    doc["pipes"][0].update(thermal_region="NORTH", cover_depth_m=1.5, soil_conductivity_w_mk=1.2)
    doc["pipes"][1].update(heat_transfer_coefficient_w_m2k=0.0)
    net = Network.from_dict(doc)
    net.validate()
    inputs = thermal_inputs(net.view())
    # P1: region NORTH has no summer value -> its all-season 12 C; P2: the settings' summer value 27 C
    np.testing.assert_allclose(inputs.pipe_ground_k - 273.15, [12.0, 27.0])
    # P1 gives burial data: U computed (default steel wall 1 % of D); P2 gives U = 0 (adiabatic)
    expected = overall_u_buried_w_m2k(0.6, [0.006], [45.0], 1.5, 1.2)
    np.testing.assert_allclose(inputs.pipe_u_w_m2k, [float(expected), 0.0], rtol=1e-13)
    assert list(inputs.pipe_u_computed) == [True, False]
    np.testing.assert_allclose(inputs.source_t_k - 273.15, [18.0])
    assert np.isneginf(inputs.preheat_t_min_k[0]) and inputs.preheat_duty_max_w[0] == 0.0
    winter = copy.deepcopy(doc)
    winter["settings"]["thermal"]["season"] = "winter"
    inputs = thermal_inputs(Network.from_dict(winter).view())
    np.testing.assert_allclose(inputs.pipe_ground_k - 273.15, [5.0, 14.0])


def test_stations_resolved() -> None:
    doc = _doc(mode="non_isothermal", discharge_temperature_max_c=60, compression_path="polytropic")
    doc["compressors"] = [
        {"id": "CS", "from": "A", "to": "B", "p_set_barg": 70, "polytropic_efficiency": 0.84,
         "after_cooler": {"outlet_temperature_c": 45, "duty_max_mw": 12}},
    ]  # fmt: skip
    doc["pipes"][0]["from"] = "B"
    doc["nodes"].append({"id": "E"})
    doc["pipes"][0]["from"], doc["pipes"][0]["to"] = "B", "E"
    doc["pipes"][1]["from"] = "E"
    doc["regulators"][0]["preheater"] = {"outlet_temperature_min_c": 5, "duty_max_mw": 1.5}
    inputs = thermal_inputs(Network.from_dict(doc).view())
    assert inputs.compressor_ids == ("CS",) and bool(inputs.compressor_polytropic[0])
    assert inputs.compressor_efficiency[0] == 0.84
    assert inputs.compressor_t_max_k[0] == pytest.approx(333.15)
    assert inputs.cooler_t_set_k[0] == pytest.approx(318.15) and inputs.cooler_duty_max_w[0] == 12e6
    assert inputs.preheat_t_min_k[0] == pytest.approx(278.15) and inputs.preheat_duty_max_w[0] == 1.5e6
    del doc["compressors"][0]["polytropic_efficiency"]
    with pytest.raises(InputError, match=r"compressor CS: settings\.thermal\.compression_path is polytropic"):
        thermal_inputs(Network.from_dict(doc).view())


def test_negative_heat_transfer_coefficient_is_refused() -> None:
    doc = _doc()
    doc["pipes"][0]["heat_transfer_coefficient_w_m2k"] = -2.5
    text = _problems(doc)
    assert "pipe P1" in text and "heat_transfer_coefficient_w_m2k = -2.5 W/(m2 K) is negative" in text
    assert "0: an insulated, adiabatic pipe" in text
    text = _problems(_doc(heat_transfer_coefficient_w_m2k=-1))
    assert "settings" in text and "is negative" in text


def test_kelvin_where_celsius_is_expected() -> None:
    """A ground temperature of 298.15 is 298 C, not a ground state; the message gives the Celsius value meant."""
    doc = _doc()
    doc["pipes"][1]["ground_temperature_c"] = 298.15
    text = _problems(doc)
    assert "pipe P2" in text and "looks like a temperature in kelvin (298.15 K = 25.00 C)" in text
    assert "write 25.00" in text
    text = _problems(_doc(ground_temperature_by_season_c={"summer": 303}))
    assert "ground_temperature_by_season_c.summer = 303 looks like a temperature in kelvin" in text
    doc = _doc()
    doc["sources"][0]["temperature_c"] = 288.15
    assert "source S1" in _problems(doc) and "= 15.00 C" in _problems(doc)
    text = _problems(_doc(ground_temperature_c=-300))
    assert "below absolute zero" in text
    text = _problems(_doc(ground_temperature_c=120))
    assert "outside the plausible ground temperature range -40..60 C" in text


def test_cooler_set_point_above_the_temperature_it_cools() -> None:
    """At input: a set-point above the discharge limit it protects; at run time (after_cooler): above the gas
    entering (tests/thermal/test_thermal_stations.py)."""
    doc = _doc()
    doc["compressors"] = [
        {"id": "CS", "from": "A", "to": "B", "p_set_barg": 70, "discharge_temperature_max_c": 55,
         "after_cooler": {"outlet_temperature_c": 60}},
    ]  # fmt: skip
    text = _problems(doc)
    assert (
        "compressor CS" in text
        and "after_cooler.outlet_temperature_c (60 C) is above discharge_temperature_max_c" in text
    )
    doc["compressors"][0]["after_cooler"] = {}
    assert "needs outlet_temperature_c" in _problems(doc)


def test_unknown_region_and_season_are_named() -> None:
    doc = _doc(regions={"SINDH": {"ground_temperature_c": 28}})
    doc["pipes"][0]["thermal_region"] = "SIND"
    text = _problems(doc)
    assert "pipe P1: thermal_region 'SIND' is not in settings.thermal.regions (did you mean 'SINDH'?)" in text
    text = _problems(_doc(season="monsoon", ground_temperature_by_season_c={"summer": 30}))
    assert "season 'monsoon' has no ground temperature (seasons given: summer)" in text
    doc = _doc()
    doc["pipes"][0].update(heat_transfer_coefficient_w_m2k=2.0, cover_depth_m=1.0)
    assert "give either heat_transfer_coefficient_w_m2k or the burial data" in _problems(doc)
