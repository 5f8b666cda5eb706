"""Thermal data of the embedded PSGP network (issue 13), applied by scripts/build_psgp_data.py.

No measured soil temperatures at pipe depth along the PSGP route were found in public sources, so the ground
temperatures are *derived* (D) from *assumed* (A) inputs, by the textbook damped annual wave of Kusuda and
Achenbach (ASHRAE Trans. 71 (1965) 61-75):

    T(z, season) = T_mean + dT_surface -/+ A exp(-z sqrt(pi / (alpha P)))

with the annual mean T_mean and half annual range A of the air temperature of each region (A: approximate
climate normals of a representative city; no cited source), a surface offset dT_surface = +2 K of arid,
sunlit soils over the air (A), soil thermal diffusivity alpha = 5e-7 m2/s (A: dry to moist sandy soil,
3-8e-7), period P = 1 year and the pipe axis at z = 1.5 m (the data set's ~1.5 m burial, A). At 1.5 m the
annual wave is damped to 0.51 of its surface amplitude and lags it by about 38 days, so "summer" is the
August maximum and "winter" the February minimum at pipe depth. The data set's single value (25 C, range
15-35 C, A) stays the isothermal temperature.

Each pipe is assigned the region of its mid-point (latitude and the higher node elevation).
"""

from __future__ import annotations

import math
from typing import Any

#: Soil thermal diffusivity [m2/s] (A), pipe-axis depth [m] (A: DATASET ~1.5 m burial), surface offset [K] (A).
SOIL_DIFFUSIVITY_M2_S = 5.0e-7
AXIS_DEPTH_M = 1.5
SURFACE_OFFSET_K = 2.0
YEAR_S = 365.25 * 86400.0
#: region -> (annual mean air temperature [C], half the annual range of monthly means [K], cities) (all A).
REGIONS: dict[str, tuple[float, float, str]] = {
    "SINDH_MAKRAN_COAST": (26.0, 6.5, "Karachi, Port Qasim, Gwadar (lat < 25.8 N)"),
    "UPPER_SINDH_SOUTH_PUNJAB": (26.5, 11.5, "Nawabshah, Sukkur, Sadiqabad, Multan (25.8-30.5 N)"),
    "CENTRAL_NORTH_PUNJAB_KP": (24.0, 10.5, "Lahore, Kasur, Faisalabad, Islamabad, Peshawar (30.5-34.5 N)"),
    "HIGHLANDS": (16.0, 12.0, "Quetta, Kandahar, Herat, Kabul (a node above 900 m)"),
    "CENTRAL_ASIA": (16.0, 14.0, "Galkynysh, Termez, Tashkent (north of 34.5 N)"),
}
#: Compressor discharge limit [C] (A: 3LPE coating service limit of 60-65 C, the lower value).
DISCHARGE_MAX_C = 60.0
#: After-coolers of the planned PSGP stations (A: air coolers, 50 C outlet in Sindh summer air of 40-45 C, duty for
#: about 15 K on 1.6 bcfd).
PSGP_COOLER = {"outlet_temperature_c": 50.0, "duty_max_mw": 15.0}
PSGP_STATIONS = ("CS1", "CS2", "CS3", "CS_NAWABSHAH", "CS_SAHIWAL")
#: Regasified LNG send-out temperature [C] (A: FSRU seawater vaporisers).
LNG_SENDOUT_C = 15.0


def ground_temperatures_c(mean_air_c: float, amplitude_k: float) -> tuple[float, float, float]:
    """(annual mean, summer maximum, winter minimum) at the pipe axis [C], rounded to 0.5 C (Kusuda-Achenbach)."""
    damping = math.exp(-AXIS_DEPTH_M * math.sqrt(math.pi / (SOIL_DIFFUSIVITY_M2_S * YEAR_S)))
    mean = mean_air_c + SURFACE_OFFSET_K

    def half(x: float) -> float:
        return round(2.0 * x) / 2.0

    return half(mean), half(mean + damping * amplitude_k), half(mean - damping * amplitude_k)


def region_of(lat: float, elevation_m: float) -> str:
    if elevation_m >= 900.0:
        return "HIGHLANDS"
    if lat < 25.8:
        return "SINDH_MAKRAN_COAST"
    if lat < 30.5:
        return "UPPER_SINDH_SOUTH_PUNJAB"
    if lat < 34.5:
        return "CENTRAL_NORTH_PUNJAB_KP"
    return "CENTRAL_ASIA"


def thermal_settings() -> dict[str, Any]:
    regions = {}
    for name, (mean_air, amplitude, cities) in REGIONS.items():
        mean, summer, winter = ground_temperatures_c(mean_air, amplitude)
        regions[name] = {
            "ground_temperature_c": mean,
            "ground_temperature_by_season_c": {"summer": summer, "winter": winter},
            "provenance": (
                f"D (Kusuda-Achenbach at {AXIS_DEPTH_M} m, alpha {SOIL_DIFFUSIVITY_M2_S:g} m2/s A, "
                f"+{SURFACE_OFFSET_K:g} K surface offset A) from A air climate {mean_air:g} C +- {amplitude:g} K "
                f"({cities})"
            ),
        }
    return {
        "mode": "isothermal",
        "heat_transfer_coefficient_w_m2k": 2.5,
        "cover_depth_m": 1.2,
        "soil_conductivity_w_mk": 1.2,
        "wall_layers": [{"name": "3LPE coating (A)", "thickness_mm": 3.0, "conductivity_w_mk": 0.3}],
        "discharge_temperature_max_c": DISCHARGE_MAX_C,
        "regions": regions,
    }


def apply_thermal(doc: dict[str, Any]) -> None:
    """Add the thermal data to the built document: settings.thermal, pipe regions, coolers, LNG send-out."""
    nodes = {n["id"]: n for n in doc["nodes"]}
    for scenario in doc["scenarios"].values():
        for node in scenario.get("add", {}).get("nodes", []):
            nodes[node["id"]] = node
        for comp in scenario.get("add", {}).get("compressors", []):
            if comp["id"] in PSGP_STATIONS:
                comp["after_cooler"] = dict(PSGP_COOLER)
    doc["settings"]["thermal"] = thermal_settings()
    for pipe in doc["pipes"]:
        a, b = nodes[pipe["from"]], nodes[pipe["to"]]
        pipe["thermal_region"] = region_of(0.5 * (a["lat"] + b["lat"]), max(a["elevation_m"], b["elevation_m"]))
    for comp in doc["compressors"]:
        if comp["id"] in PSGP_STATIONS:
            comp["after_cooler"] = dict(PSGP_COOLER)
    for source in doc["sources"]:
        if "LNG" in source["node"] or "FSRU" in source["node"]:
            source["temperature_c"] = LNG_SENDOUT_C
    doc["meta"]["thermal_provenance"] = (
        "ground temperatures D from A inputs (scripts/psgp_thermal.py, Kusuda-Achenbach); U = 2.5 W/(m2 K) A "
        "(data set); discharge limit 60 C A (3LPE); PSGP after-coolers 50 C / 15 MW A; LNG send-out 15 C A"
    )
