"""Build the embedded Pakistan Stream network (src/linepack/data/psgp.yaml) from the sourced draft.

Reads ../shared/data/psgp/network_draft.yaml and the source list of DATASET.md section 7, and writes
the native linepack format. Every number keeps its provenance tag (S sourced, D derived, A assumed);
what this script adds (inner diameters, efficiencies, compressor efficiencies, scenario overlays) is
tagged here. Run: python scripts/build_psgp_data.py [SHARED_DIR]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml
from psgp_thermal import apply_thermal

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared"
OUT = ROOT / "src" / "linepack" / "data" / "psgp.yaml"

# Wall thickness by nominal OD (A: DATASET 2.7 gives 56 in ~25 mm, 42 in ~19 mm, 48 in ~22 mm; the
# smaller sizes are typical API 5L X70 Class 600 walls, assumed).
WALL_MM = {56: 25.0, 48: 22.0, 42: 19.0, 36: 15.9, 30: 14.3, 24: 12.7, 18: 9.5, 16: 9.5}
WALL_SRC = {56: "A (DATASET 2.7)", 48: "A (DATASET 2.7)", 42: "A (DATASET 2.7)"}
PIPE_EFFICIENCY = 0.95  # A: DATASET section 5 profile checks use E = 0.95
ETA_ISENTROPIC = 0.80  # A: DATASET 2.7 station power basis
ETA_DRIVER = 0.35  # A: simple-cycle gas turbine, fuel drawn at suction

# Compressor units of CS1-CS3 (docs/compressors.md). No PSGP machine data is published (DATASET section 8, item
# 4): every number here is assumed (A). Maps: the generic pipeline centrifugal compressor of
# linepack.stations.generic scaled to a design point per unit, sized so that two units carry 1.6-2.0 bcfd at the
# station ratios of DATASET section 5 (CS1 ~1.45 from ~65 barg; CS2/CS3 1.1-1.35 from ~85-90 barg) and one unit
# stands by. Drivers: two-shaft industrial gas turbines of the 15 MW (head station) and 11 MW (line stations) ISO
# class, 0.7 %/K power derating above 15 C, heat rate up 0.15 %/K, Willans part load (30 % of full-load fuel at no
# load). Ambient: the stations' summer design temperature (about the 0.4 % dry-bulb of Karachi, Sukkur and Multan),
# winter January means in scenario psgp_winter_ambient.
UNIT_MAPS = {
    "PSGP_HEAD_TURBO": (3.8, 55.0, 5200.0),  # design flow m3/s, head kJ/kg, speed 1/min
    "PSGP_LINE_TURBO": (3.2, 30.0, 5800.0),
}
UNIT_DRIVERS = {
    "GT_15MW_ISO": {"rated_power_mw": 15.0, "thermal_efficiency": 0.355, "power_max_mw": 16.0},
    "GT_11MW_ISO": {"rated_power_mw": 11.0, "thermal_efficiency": 0.33, "power_max_mw": 11.8},
}
STATION_UNITS = {"CS1": ("PSGP_HEAD_TURBO", "GT_15MW_ISO"), "CS2": ("PSGP_LINE_TURBO", "GT_11MW_ISO"),
                 "CS3": ("PSGP_LINE_TURBO", "GT_11MW_ISO")}  # fmt: skip
UNITS_PER_STATION = 3  # two running, one standing by (N+1)
AMBIENT_C = {"CS1": (40.0, 19.0), "CS2": (46.0, 15.0), "CS3": (44.0, 13.0)}  # summer design, January mean
AMBIENT_SRC = (
    "A: summer design dry-bulb (about the 0.4 % value) and January mean of Karachi (CS1), Sukkur (CS2) and "
    "Multan (CS3), rounded from published climate normals of the Pakistan Meteorological Department; not in the "
    "shared data set"
)
# Gas quality (docs/quality.md). OGRA's pipeline gas specification (S:R100, 5 Jun 2018): CV >= 900 Btu/scf and
# Wobbe index 1,180 Btu/scf +-5 %; scenario psgp_ogra_limits applies its minima at the city gates (A: where the
# public distribution networks take the gas; fertiliser plants take Mari gas under their own allocations and power
# plants RLNG; the maximum Wobbe index is not applied: RLNG exceeds it, S:R101). psgp_base carries no quality
# limit, so its pressure studies (N-1, shedding) stay pressure studies. Btu/scf at 60 F are converted to MJ/m3 at
# the same 60 F reference (D): 1 Btu/scf = 0.0372589 MJ/m3.
BTU_SCF_MJ_M3 = 1055.05585262 / 0.028316846592 / 1e6
OGRA_CV_MIN_BTU_SCF = 900.0
OGRA_WOBBE_BTU_SCF = 1180.0
OGRA_WOBBE_TOLERANCE = 0.05
# The hydrogen-blend scenario (all A): green hydrogen blended at the Port Qasim hub at 10 mol % of the gas leaving
# it; the RLNG power plants then buy energy, not volume: 170 MMSCFD (the data set's full-load draw, D from R65)
# at the RLNG's stated 1,111 Btu/scf (the data set's HHV, D) = 188,870 MMBTU/d; turbines accept at most 10 mol %.
H2_SHARE_MOL_PCT = 10.0
H2_MAX_AT_PLANTS_MOL_PCT = 10.0
RLNG_HHV_BTU_SCF = 1111.0
PLANT_DRAW_MMSCFD = 170.0


# What each assumed composition was checked against (the data set gives no measured analysis of any of them).
GAS_CHECKS = {
    "RLNG_QATAR_TYPICAL": " (lean Qatari-type LNG); inside the LNG specification band of S:R101 (GHV 1,050-1,170 "
    "Btu/scf, CH4 >= 85 %, C4+ <= 2 %, N2 <= 1 %): ISO 6976 gives 1,111 Btu/scf at 60 F",
    "PK_SYSTEM_GAS_SUI_TYPE": " (shaped to sit at the OGRA limits of S:R100: CO2 3 %, N2 <= 7 %, CV >= 900 Btu/scf)",
    "MARI_LOW_BTU": " (placeholder: only 'low-BTU, high-CO2' is sourced, S:R67; below the OGRA CV, Mari gas goes "
    "to the fertiliser plants)",
}


# Sources used by additions of this script beyond the shared data set (keys SC.. as in supply_psgp.yaml).
EXTRA_REFERENCES = {
    "SC10": "ISGS, Strategic Underground Gas Storages (Khorewah: 188 bcf incl. cushion, 792 MMcfd withdrawal, "
    "396 MMcfd injection; ADB/Ramboll update of 29 Apr 2022): "
    "https://www.isgs.com.pk/index.php/strategic-underground-gas-storages-sugs/",
}


def inner_diameter_mm(nominal_in: float) -> float:
    return round(nominal_in * 25.4 - 2.0 * WALL_MM[int(nominal_in)], 1)


def sink_category(node_id: str) -> str:
    if node_id.endswith("_PP"):
        return "power_plant"
    if node_id.startswith("FERT"):
        return "fertiliser"
    if node_id in ("FAZILKA_BORDER", "KANDAHAR", "TAPI_MULTAN"):
        return "export"
    if node_id == "KASUR":
        return "industry"
    return "city_gate"


def station_units() -> tuple[dict[str, dict], dict[str, dict], list[dict]]:
    """Maps, drivers and units of CS1-CS3 (all assumed, tagged A)."""
    sys.path.insert(0, str(ROOT / "src"))
    from linepack.stations.generic import centrifugal_curves

    maps = {}
    for name, (q, h, n) in UNIT_MAPS.items():
        maps[name] = {
            "kind": "turbo",
            "speed_min_rpm": round(0.5 * n, 6),
            "speed_max_rpm": round(1.05 * n, 6),
            "curves": centrifugal_curves(q, h, n),
            "provenance": (
                f"A: generic pipeline centrifugal compressor (linepack.stations.generic) scaled to {q} m3/s, "
                f"{h} kJ/kg at {n:.0f}/min; speeds 50-105 %; no PSGP machine data is published (DATASET 8.4)"
            ),
        }
    drivers = {}
    for name, d in UNIT_DRIVERS.items():
        drivers[name] = {
            "kind": "gas_turbine",
            **d,
            "rating_temperature_c": 15.0,
            "derate_per_k": 0.007,
            "efficiency_derate_per_k": 0.0015,
            "no_load_fuel_fraction": 0.3,
            "provenance": (
                f"A: two-shaft industrial gas turbine of the {d['rated_power_mw']:g} MW ISO class (ISO 3977, 15 C); "
                "0.7 %/K derating and 0.15 %/K heat-rate rise above 15 C (Saravanamuttoo et al. 2009, ch. 9; "
                "GE GER-3567H); Willans part load"
            ),
        }
    units = []
    for station, (mname, dname) in STATION_UNITS.items():
        for k in range(UNITS_PER_STATION):
            units.append(
                {
                    "id": f"{station}-{chr(65 + k)}",
                    "station": station,
                    "map": mname,
                    "driver": dname,
                    "status": "planned",
                    "provenance": "A: two running and one standby unit per station (N+1)",
                }
            )
    return maps, drivers, units


def references(dataset_md: str) -> dict[str, str]:
    refs: dict[str, str] = {}
    part = dataset_md.split("## 7.", 1)[1]
    for line in part.splitlines():
        for piece in line.strip().lstrip("- ").split(" · "):
            m = re.match(r"^(R\d+[a-z]?) (.*)$", piece.strip())
            if m:
                refs.setdefault(m.group(1), m.group(2).strip())
    return refs


def main() -> None:
    draft = yaml.safe_load((SHARED / "data/psgp/network_draft.yaml").read_text())
    dataset = (SHARED / "data/psgp/DATASET.md").read_text()
    meta = draft["meta"]
    maop = meta["maop_barg"]

    nodes = []
    for n in draft["nodes"]:
        nodes.append(
            {
                "id": n["id"],
                "name": n["name"],
                "lat": n["lat"],
                "lon": n["lon"],
                "elevation_m": n["elevation_m"],
                "status": n["status"],
                "provenance": n["src"],
            }
        )

    pipes = []
    for p in draft["pipes"]:
        dn = p["diameter_in"]
        tapi = p["id"].startswith("TAPI-") and p["id"] != "TAPI-X1"
        pipes.append(
            {
                "id": p["id"],
                "from": p["from"],
                "to": p["to"],
                "length_km": p["length_km"],
                "inner_diameter_mm": inner_diameter_mm(dn),
                "nominal_diameter_in": dn,
                "roughness_mm": p["roughness_mm"],
                "efficiency": PIPE_EFFICIENCY,
                "maop_barg": maop["TAPI"] if tapi else maop["PSGP"],
                "status": p["status"],
                "provenance": (
                    f"{p['src']}; inner diameter D = OD - 2 x wall {WALL_MM[int(dn)]} mm "
                    f"({WALL_SRC.get(int(dn), 'A')}); efficiency A; MAOP A ({'S:R82,R83' if tapi else 'Class 600'})"
                ),
            }
        )

    compressors = []
    one_machine: dict[str, dict] = {}
    for c in draft["compressors"]:
        rec = {
            "id": c["id"],
            "from": c["suction"],
            "to": c["discharge"],
            "mode": "pressure",
            "p_set_barg": c["discharge_setpoint_barg"],
            "ratio_max": c["max_ratio"],
            "power_max_mw": c["power_MW"],
            "isentropic_efficiency": ETA_ISENTROPIC,
            "driver": "gas_turbine",
            "driver_efficiency": ETA_DRIVER,
            "status": c["status"],
            "provenance": f"{c['src']}; efficiencies A",
        }
        if c["id"] in STATION_UNITS:
            # the units' maps and drivers hold the station's limits; the data set's one-machine ratings are kept
            # in meta.one_machine_ratings (linepack.optimize.corridor and the comparison without units use them)
            one_machine[c["id"]] = {
                "ratio_max": rec.pop("ratio_max"),
                "power_max_mw": rec.pop("power_max_mw"),
                "provenance": f"{c['src']}; efficiencies A",
            }
            rec["ambient_temperature_c"] = AMBIENT_C[c["id"]][0]
            rec["provenance"] = f"{c['src']}; ratio and power from its units (A); ambient {AMBIENT_SRC}"
        compressors.append(rec)
    unit_maps, unit_drivers, units = station_units()

    sources = []
    for s in draft["sources"]:
        status = s.get("status", "existing")
        rec = {
            "id": f"{s['node']}.supply",
            "node": s["node"],
            "unit": "MMSCFD",
            "capacity": s["capacity_mmscfd"],
            "gas": s["gas"],
            "status": status,
        }
        if s.get("slack"):
            rec.update(mode="pressure", p_set_barg=s["pressure_barg"])
        else:
            rec.update(mode="flow", inflow=s["nominal_mmscfd"])
            if s.get("pressure_barg") is not None:
                rec["p_max_barg"] = s["pressure_barg"]
        rec["provenance"] = s["src"]
        sources.append(rec)

    sinks = []
    for k in draft["sinks"]:
        rec = {
            "id": f"{k['node']}.demand",
            "node": k["node"],
            "demand": k["demand_mmscfd"],
            "unit": "MMSCFD",
            "p_min_barg": k["min_pressure_barg"],
            "category": sink_category(k["node"]),
            "status": k.get("status", "existing"),
            "provenance": k["src"],
        }
        sinks.append(rec)

    psgp_pipes = [f"PSGP-0{i}" for i in range(1, 9)]
    id42 = inner_diameter_mm(42)
    new_cs_nodes = [
        {
            "id": "PSGP_NWB_S",
            "name": "PSGP Nawabshah station suction (42 in alternative)",
            "lat": 26.2442,
            "lon": 68.41,
            "elevation_m": 31,
            "status": "planned",
            "provenance": "A site (S:R07 five stations)",
        },
        {
            "id": "PSGP_NWB_D",
            "name": "PSGP Nawabshah station discharge (42 in alternative)",
            "lat": 26.2442,
            "lon": 68.41,
            "elevation_m": 31,
            "status": "planned",
            "provenance": "A site (S:R07 five stations)",
        },
        {
            "id": "PSGP_SWL_S",
            "name": "PSGP Sahiwal station suction (42 in alternative)",
            "lat": 30.6682,
            "lon": 73.1114,
            "elevation_m": 152,
            "status": "planned",
            "provenance": "A site (S:R07 five stations)",
        },
        {
            "id": "PSGP_SWL_D",
            "name": "PSGP Sahiwal station discharge (42 in alternative)",
            "lat": 30.6682,
            "lon": 73.1114,
            "elevation_m": 152,
            "status": "planned",
            "provenance": "A site (S:R07 five stations)",
        },
    ]
    new_cs = [
        {
            "id": cid,
            "from": f,
            "to": t,
            "mode": "pressure",
            "p_set_barg": 99.0,
            "ratio_max": 1.5,
            "power_max_mw": 25.0,
            "isentropic_efficiency": ETA_ISENTROPIC,
            "driver": "gas_turbine",
            "driver_efficiency": ETA_DRIVER,
            "status": "planned",
            "provenance": "A: site, ratio and power (S:R07 42 in / 1.2 bcfd / 5 stations)",
        }
        for cid, f, t in (
            ("CS_NAWABSHAH", "PSGP_NWB_S", "PSGP_NWB_D"),
            ("CS_SAHIWAL", "PSGP_SWL_S", "PSGP_SWL_D"),
        )
    ]
    set42 = {pid: {"inner_diameter_mm": id42, "nominal_diameter_in": 42} for pid in psgp_pipes}
    set42["PSGP-02"]["to"] = "PSGP_NWB_S"
    set42["PSGP-03"]["from"] = "PSGP_NWB_D"
    set42["PSGP-07"]["to"] = "PSGP_SWL_S"
    set42["PSGP-08"]["from"] = "PSGP_SWL_D"

    # Candidate underground store (supply chain, docs/supply.md): Pakistan has none yet. ISGS's feasibility
    # update recommends converting the depleted Khorewah field (Badin block, Sindh) with 188 bcf storage
    # including cushion gas, 792 MMcfd peak withdrawal and 396 MMcfd injection (S:SC10). Location, tie-in and
    # the connecting line are assumed (A); the store's rates and curves live in linepack/data/supply_psgp.yaml.
    ugs_node = {
        "id": "KHOREWAH_UGS", "name": "Khorewah underground gas storage (candidate, depleted field, Badin)",
        "lat": 24.85, "lon": 68.85, "elevation_m": 5, "status": "hypothetical",
        "provenance": "A: approximate site in the Badin block (S:SC10 names Khorewah, Badin, Sindh)",
    }
    ugs_pipe = {
        "id": "UGS-KHOREWAH", "from": "KHOREWAH_UGS", "to": "SINDH_S_FIELDS", "length_km": 45.0,
        "inner_diameter_mm": inner_diameter_mm(24), "nominal_diameter_in": 24, "roughness_mm": 0.01,
        "efficiency": PIPE_EFFICIENCY, "maop_barg": 99.3, "status": "hypothetical",
        "provenance": "A: 24 in, 45 km tie-in to the lower-Sindh system (route and size assumed)",
    }
    ugs_source = {
        "id": "KHOREWAH_UGS.withdrawal", "node": "KHOREWAH_UGS", "unit": "MMSCFD", "capacity": 792,
        "status": "hypothetical", "mode": "flow", "inflow": 0,
        "provenance": "capacity S:SC10 (peak withdrawal 792 MMcfd); the supply run sets the withdrawal",
    }
    ugs_sink = {
        "id": "KHOREWAH_UGS.injection", "node": "KHOREWAH_UGS", "demand": 0, "unit": "MMSCFD",
        "category": "other", "status": "hypothetical",
        "provenance": "injection up to 396 MMcfd S:SC10; the supply run sets the injection",
    }

    scenarios = {
        "existing_2024": {
            "description": "existing system only, demand at 80 % (winter curtailment, S:R60,R64)",
            "statuses": ["existing"],
            "demand_scale": 0.8,
        },
        "existing_2024_full_demand": {
            "description": "existing system at full winter demand (expected infeasible: the south-north bottleneck)",
            "base": "existing_2024",
            "demand_scale": 1.25,
        },
        "psgp_base": {
            "description": "existing system + PSGP 56 in with CS1-CS3 + Tabeer LNG + new Kasur load (default)",
            "statuses": ["existing"],
            "enable": [
                *psgp_pipes,
                "CS1",
                "CS2",
                "CS3",
                *[u["id"] for u in units],
                "TABEER-PQ",
                "TABEER_LNG.supply",
                "KASUR.demand",
            ],
        },
        "psgp_winter_ambient": {
            "description": "psgp_base with the stations' drivers at January mean air temperatures instead of the "
            "summer design day",
            "base": "psgp_base",
            "set": {cs: {"ambient_temperature_c": t[1]} for cs, t in AMBIENT_C.items()},
        },
        "psgp_42in_alt": {
            "description": "psgp_base with PSGP at 42 in and five stations: PQ, Nawabshah, Qadirpur, Multan, "
            "Sahiwal (S:R07)",
            "base": "psgp_base",
            "enable": ["CS_NAWABSHAH", "CS_SAHIWAL"],
            "set": set42,
            "add": {"nodes": new_cs_nodes, "compressors": new_cs},
        },
        "psgp_ugs": {
            "description": "psgp_base + candidate Khorewah underground store (A: Pakistan has no UGS yet; "
            "sizes S:SC10)",
            "base": "psgp_base",
            "enable": ["KHOREWAH_UGS", "UGS-KHOREWAH", "KHOREWAH_UGS.withdrawal", "KHOREWAH_UGS.injection"],
            "add": {"nodes": [ugs_node], "pipes": [ugs_pipe], "sources": [ugs_source], "sinks": [ugs_sink]},
        },
        "psgp_energas": {
            "description": "psgp_base + the proposed Energas terminal at Port Qasim (an extra FSRU, S:R26)",
            "base": "psgp_base",
            "enable": ["ENERGAS-PQ", "ENERGAS_LNG.supply"],
        },
        "gwadar_ip": {
            "description": "psgp_base + Gwadar LNG + Iran border entry + IP / Gwadar-Nawabshah line",
            "base": "psgp_base",
            "enable": ["GWADAR_LNG.supply", "IRAN_BORDER.supply", "IP-01", "IP-02"],
        },
        "tapi": {
            "description": "psgp_base + TAPI (Galkynysh - Herat - Kandahar - Quetta - Multan - Fazilka)",
            "base": "psgp_base",
            "enable": [p["id"] for p in draft["pipes"] if p["id"].startswith("TAPI-")]
            + ["GALKYNYSH.supply", "KANDAHAR.demand", "FAZILKA_BORDER.demand", "TAPI_MULTAN.demand"],
        },
        "psgp_ogra_limits": {
            "description": "psgp_base with OGRA's minimum calorific value (900 Btu/scf) and Wobbe index (1,180 "
            "Btu/scf - 5 %) at every city gate (S:R100; applied at the city gates: A)",
            "base": "psgp_base",
            "set": {
                f"{k['node']}.demand": {
                    "gcv_min_mj_m3": round(OGRA_CV_MIN_BTU_SCF * BTU_SCF_MJ_M3, 4),
                    "wobbe_min_mj_m3": round(OGRA_WOBBE_BTU_SCF * (1 - OGRA_WOBBE_TOLERANCE) * BTU_SCF_MJ_M3, 4),
                }
                for k in draft["sinks"]
                if sink_category(k["node"]) == "city_gate" and k.get("status", "existing") == "existing"
            },
        },
        "port_qasim_outage": {
            "description": "psgp_ogra_limits with the GasPort FSRU (PGPC) out of service; the RLNG power plants "
            "curtailed to 31 MMSCFD each (the lowest plant draw of the 2017 curtailment, S:R46) and the new Kasur "
            "load halved (A)",
            "base": "psgp_ogra_limits",
            "disable": ["PGPC_FSRU.supply"],
            "set": {
                **{f"{pp}.demand": {"demand": 31.0} for pp in ("BALLOKI_PP", "BHIKKI_PP", "HBS_PP")},
                "KASUR.demand": {"demand": 100.0},
            },
        },
        "hydrogen_blend": {
            "description": "psgp_ogra_limits with hydrogen blended at the Port Qasim hub at "
            f"{H2_SHARE_MOL_PCT:g} mol % of the gas leaving it, and the RLNG power plants buying energy (their "
            f"full-load draw at the RLNG's calorific value) with at most {H2_MAX_AT_PLANTS_MOL_PCT:g} mol % "
            "hydrogen (all A)",
            "base": "psgp_ogra_limits",
            "enable": ["PQ_H2.supply"],
            "set": {
                f"{pp}.demand": {
                    "demand": PLANT_DRAW_MMSCFD * RLNG_HHV_BTU_SCF,
                    "unit": "MMBTU/d",
                    "h2_max_mol_pct": H2_MAX_AT_PLANTS_MOL_PCT,
                }
                for pp in ("BALLOKI_PP", "BHIKKI_PP", "HBS_PP")
            },
            "add": {
                "sources": [
                    {
                        "id": "PQ_H2.supply",
                        "node": "PQ_HUB",
                        "mode": "share",
                        "share_mol_pct": H2_SHARE_MOL_PCT,
                        "gas": "HYDROGEN",
                        "unit": "MMSCFD",
                        "status": "planned",
                        "provenance": "A: hypothetical green-hydrogen injection at the Port Qasim hub",
                    }
                ]
            },
        },
        "central_asia_hypothetical": {
            "description": "psgp_base + hypothetical Tashkent - Termez - Kabul - Peshawar - Rawalpindi line "
            "(no sourced engineering data)",
            "base": "psgp_base",
            "enable": [p["id"] for p in draft["pipes"] if p["id"].startswith("CA-")] + ["TASHKENT.supply"],
        },
    }

    gases = {}
    for name, g in draft["gas_compositions"].items():
        fr = {k: v for k, v in g.items() if k not in ("HHV_MJ_Sm3", "HHV_Btu_scf", "SG", "Wobbe_Btu_scf", "src")}
        stated = ", ".join(f"{k} {g[k]}" for k in ("HHV_MJ_Sm3", "HHV_Btu_scf", "SG", "Wobbe_Btu_scf") if k in g)
        gases[name] = {
            "mole_fractions": fr,
            "provenance": g["src"] + GAS_CHECKS.get(name, ""),
            "note": f"stated in the data set: {stated}",
        }
    gases["HYDROGEN"] = {
        "mole_fractions": {"H2": 1.0},
        "provenance": "S: a pure substance (its properties from ISO 6976 and GERG-2008)",
        "note": "blended into the RLNG in scenario hydrogen_blend",
    }

    doc = {
        "format": "linepack-network/1",
        "name": "pakistan_stream",
        "description": (
            "Pakistan Stream Gas Pipeline (Port Qasim - Kasur, 56 in) with the surrounding SSGC/SNGPL "
            "system, LNG terminals, domestic fields and the proposed extensions. Every component "
            "carries a provenance tag: S sourced (reference keys in `references`), D derived, "
            "A assumed."
        ),
        "settings": {
            "temperature_c": meta["ground_temperature_C"]["value"],
            "ambient_pressure_bar": 1.01325,
            "gas": meta["default_gas"],
            # A: Pakistan's gas industry states calorific values in Btu/scf at 60 F (OGRA S:R100 in Btu/scf)
            "quality_reference": "60F",
            "compressibility": "gerg2008",
            "viscosity": "lee_gonzalez_eakin",
            "friction_law": "colebrook",
        },
        "gas_compositions": gases,
        "compressor_maps": unit_maps,
        "drivers": unit_drivers,
        "nodes": nodes,
        "pipes": pipes,
        "compressors": compressors,
        "sources": sources,
        "sinks": sinks,
        "compressor_units": units,
        "scenarios": scenarios,
        "default_scenario": "psgp_base",
        "references": {**references(dataset), **EXTRA_REFERENCES},
        "meta": {
            "data_version": meta["version"],
            "temperature_provenance": "A: mean soil temperature at burial depth, range 15-35 C",
            "maop_provenance": maop["src"],
            "min_delivery_pressure_provenance": meta["min_delivery_pressure_barg"]["src"],
            "source_mode_note": (
                "EETL is the pressure-held (slack) terminal at 70 barg (A); other terminals "
                "deliver their nominal flow with their send-out pressure as p_max_barg"
            ),
            "generated_by": "scripts/build_psgp_data.py from the shared PSGP data set",
            "one_machine_ratings": one_machine,
        },
    }
    apply_thermal(doc)  # issue 13: ground regions, coolers, send-out temperatures (scripts/psgp_thermal.py)
    header = (
        "# Pakistan Stream Gas Pipeline and surrounding system: the embedded default network of linepack.\n"
        "# Generated by scripts/build_psgp_data.py; provenance tags: S sourced, D derived, A assumed.\n"
    )
    OUT.write_text(header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=200))
    print(
        f"wrote {OUT} ({len(nodes)} nodes, {len(pipes)} pipes, {len(scenarios)} scenarios, "
        f"{len(doc['references'])} references)"
    )


if __name__ == "__main__":
    main()
