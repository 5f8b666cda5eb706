"""The embedded Pakistan Stream network: data integrity, every scenario, the result contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import linepack as lp
from linepack.errors import InfeasibleError
from linepack.route import PSGP_CORRIDOR, pressure_profile

SCENARIOS = ["psgp_base", "existing_2024", "psgp_42in_alt", "gwadar_ip", "tapi", "central_asia_hypothetical"]


@pytest.fixture(scope="module")
def net() -> lp.Network:
    return lp.load_default_network()


@pytest.fixture(scope="module")
def base(net: lp.Network) -> lp.SteadyResult:
    return lp.solve_steady(net, "psgp_base")


def test_every_component_keeps_a_provenance_tag(net: lp.Network) -> None:
    for c in net.components():
        assert c.provenance, f"{c.kind} {c.id} has no provenance"
        assert any(tag in c.provenance for tag in ("S", "D", "A")), c.id
    refs = set(net.references)
    cited = {r for c in net.components() for r in __import__("re").findall(r"R\d+[a-z]?", c.provenance)}
    missing = {r for r in cited if r not in refs and r.rstrip("abcdef") not in refs}
    assert not missing, f"reference keys without an entry in references: {sorted(missing)}"


def test_default_scenario_and_list(net: lp.Network) -> None:
    assert net.default_scenario == "psgp_base"
    assert set(SCENARIOS) <= set(net.scenarios)
    net.validate()


def test_psgp_length_matches_the_data_set(net: lp.Network) -> None:
    """DATASET.md section 5: PSGP waypoint route sums to 1,123.6 km (published 1,100 / 1,122 km)."""
    total = sum(c.length_km for c in net.collections["pipes"].values() if c.id.startswith("PSGP-"))
    assert total == pytest.approx(1123.6, abs=0.05)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_solves_with_balanced_nodes_and_exact_pipe_laws(
    net: lp.Network, scenario: str, tmp_path: Path
) -> None:
    res = lp.solve_steady(net, scenario)
    # tapi needs more control rounds than the others: its stations with units (CS1-CS3) go onto the flow
    # capacity of their units one by one, with failed solves backed off (71 iterations with one-machine stations);
    # the three source gases mix (issue 12): each outer round of the gas coupling re-solves from the last solution
    assert res.converged and res.iterations < (130 if scenario == "tapi" else 80)
    doc = res.to_dict()
    R, G = 8.314462618, 9.80665
    worst = 0.0
    for p in doc["pipes"]:
        m, pin, pout = p["mass_flow_kg_s"], p["p_in_bar"] * 1e5, p["p_out_bar"] * 1e5
        s = 2 * G * p["elevation_change_m"] * p["molar_mass_kg_per_mol"] / (p["z_avg"] * R * p["temperature_k"])
        Le = p["length_m"] * (np.expm1(s) / s if abs(s) > 1e-12 else 1.0)
        rhs = (
            p["friction_factor"]
            * Le
            * 16
            * p["z_avg"]
            * R
            * p["temperature_k"]
            / (np.pi**2 * p["diameter_m"] ** 5 * p["molar_mass_kg_per_mol"])
            * m
            * abs(m)
        )
        worst = max(worst, abs(pin**2 - np.exp(s) * pout**2 - rhs) / max(pin**2, pout**2))
    assert worst < 1e-8
    # node balance including compressor fuel drawn at the suction node
    bal = {n["id"]: n["injection_kg_s"] for n in doc["nodes"]}
    for kind in ("pipes", "valves", "short_pipes", "regulators", "resistors"):
        for a in doc[kind]:
            bal[a["from"]] -= a["mass_flow_kg_s"]
            bal[a["to"]] += a["mass_flow_kg_s"]
    for c in doc["compressors"]:
        bal[c["from"]] -= c["mass_flow_kg_s"] + c["fuel_kg_s"]
        bal[c["to"]] += c["mass_flow_kg_s"]
    assert max(abs(v) for v in bal.values()) < 1e-6 * doc["throughput_kg_s"]


def test_independent_check_tool_accepts_the_default_result(base: lp.SteadyResult, tmp_path: Path, shared: Path) -> None:
    """../shared/tools/check_result.py recomputes every pipe law and node balance independently."""
    path = tmp_path / "r.json"
    base.save(path)
    out = subprocess.run(
        [sys.executable, str(shared / "tools" / "check_result.py"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_base_case_engineering_sanity(base: lp.SteadyResult) -> None:
    """Against the data set's own screening solve (DATASET.md section 5, psgp_base): deliveries above
    minimum, station ratios within the 1.0-1.5 band, PSGP carrying 1-2 bcfd."""
    cn = base.network
    assert not any("delivery" in v for v in base.violations)
    ratios = dict(zip([cn.edge_ids[e] for e in cn.comp_edge], base.comp_ratio(), strict=True))
    assert 1.3 < ratios["CS1"] < 1.6 and 1.0 <= ratios["CS2"] < 1.3 and 1.0 <= ratios["CS3"] < 1.3
    q = base.q_kg_s[cn.edge_index("PSGP-04")]
    mmscfd = cn.gas.basis.kg_s_to_mmscfd(q)
    assert 1000 < mmscfd < 2000
    kasur = base.p_barg[cn.node_index("KASUR")]
    assert 80 < kasur < 99.3


def test_existing_system_at_full_demand_is_infeasible_with_a_diagnosis(net: lp.Network) -> None:
    with pytest.raises(InfeasibleError) as exc:
        lp.solve_steady(net, "existing_2024_full_demand")
    msg = str(exc.value)
    assert "supply below demand" in msg and "EETL_FSRU.supply" in msg and "short by" in msg
    # where: even unlimited LNG at Port Qasim cannot reach the north (the south-north bottleneck)
    assert "with unlimited supply at EETL_FSRU.supply the network still cannot carry the demand" in msg
    assert "BALLOKI_PP" in msg


def test_psgp_relieves_the_existing_bottleneck(net: lp.Network, base: lp.SteadyResult) -> None:
    old = lp.solve_steady(net, "existing_2024")
    lahore_old = old.p_barg[old.network.node_index("LAHORE")]
    lahore_new = base.p_barg[base.network.node_index("LAHORE")]
    assert lahore_new > lahore_old + 10.0


def test_scenario_overlays_do_not_touch_the_network(net: lp.Network) -> None:
    before = json.dumps(net.to_dict(), sort_keys=True)
    lp.solve_steady(net, "psgp_42in_alt")
    assert json.dumps(net.to_dict(), sort_keys=True) == before
    cn = lp.compile_network(net, "psgp_42in_alt")
    k = list(cn.edge_ids).index("PSGP-01")
    assert cn.diameter_m[k] == pytest.approx((42 * 25.4 - 38.0) / 1000)
    assert "CS_NAWABSHAH" in cn.edge_ids and "CS_SAHIWAL" in cn.edge_ids


def test_pressure_profile_along_the_corridor(base: lp.SteadyResult) -> None:
    pts = pressure_profile(base, PSGP_CORRIDOR)
    nodes = [p.node for p in pts if p.node]
    assert nodes[0] == "PQ_HUB" and nodes[-1] == "KASUR"
    assert "CS2_QADIRPUR" in nodes and "CS3_MULTAN" in nodes
    assert pts[-1].distance_km == pytest.approx(1123.6, abs=1.0)


def test_active_bound_is_reported_when_a_station_is_power_limited(net: lp.Network) -> None:
    from linepack.model.scenario import Scenario

    net2 = lp.Network.from_dict(net.to_dict())
    for unit in [u for u in net2.collections["compressor_units"] if u.startswith("CS1-")]:
        net2.remove(unit)  # CS1 as one machine with a station power limit (its units: tests/stations)
    net2.scenarios["cs1_small"] = Scenario(base="psgp_base", set={"CS1": {"power_max_mw": 5.0}})
    res = lp.solve_steady(net2, "cs1_small")
    assert any(b.startswith("CS1 at maximum power (5.0 MW)") for b in res.active_bounds), res.active_bounds
    k = list(res.network.edge_ids[e] for e in res.network.comp_edge).index("CS1")
    assert res.comp_power_w[k] == pytest.approx(5e6, rel=1e-6)


def test_scenario_outcomes_stated_in_the_readme(net: lp.Network) -> None:
    """README.md's scenario table: the bounds that shape each extension scenario."""

    def bounds(scenario: str) -> str:
        return "\n".join(lp.solve_steady(net, scenario).active_bounds)

    assert "TABEER_LNG.supply limited by its maximum send-out pressure 70.0 barg" in bounds("psgp_base")
    gw = bounds("gwadar_ip")
    assert "GWADAR_LNG.supply shut in" in gw and "IRAN_BORDER.supply shut in" in gw
    tapi = lp.solve_steady(net, "tapi")
    assert any(b.startswith("GALKYNYSH.supply limited by its maximum send-out pressure 100.0 barg")
               for b in tapi.active_bounds)
    # every station compresses as hard as it can to pull gas north, which draws the south down: Karachi gets
    # less than its minimum (until issue 16, SSGC_CS and SNGPL_CS_SDQ stayed closed although they could run).
    # CS1-CS3 (units with maps) run all three units at maximum speed; the one-machine stations at maximum ratio
    assert all(any(b.startswith(f"{cs} at the flow capacity of its units (3 of 3") for b in tapi.active_bounds)
               for cs in ("CS1", "CS2", "CS3"))
    assert all(any(b.startswith(f"{cs} at maximum ratio") for b in tapi.active_bounds)
               for cs in ("SSGC_CS", "SNGPL_CS_SDQ"))
    # with the source gases mixed (issue 12) Fazilka and TAPI Multan fall short too (one gas: only Karachi)
    assert [v.split(":")[0] for v in tapi.violations] == [
        "delivery KARACHI.demand",
        "delivery FAZILKA_BORDER.demand",
        "delivery TAPI_MULTAN.demand",
    ]
    assert "TASHKENT.supply shut in" in bounds("central_asia_hypothetical")
