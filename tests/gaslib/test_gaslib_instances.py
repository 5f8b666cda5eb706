"""Every shipped GasLib instance loads with its nomination, validates, compiles and round-trips losslessly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from gaslib_cases import INSTANCES, KINDS, load, paths

import linepack as lp
from linepack.io.gaslib import apply_decision, read_gaslib, write_gaslib
from linepack.io.gaslib.mapping import entry_id, nominated_flow

KEYS = list(INSTANCES)


@pytest.mark.parametrize("key", KEYS)
def test_sizes_match_the_readme(gaslib: Path, key: str) -> None:
    case = load(key)
    inst = INSTANCES[key]
    assert tuple(case.net.count(k) for k in KINDS) == inst.sizes
    src, snk, inner, pipe, short, res, valve, cv, cs = inst.sizes
    colls = {c: len(v) for c, v in case.network.collections.items()}
    assert colls["nodes"] == src + snk + inner
    assert colls["pipes"] == pipe
    assert colls["valves"] == valve
    assert colls["regulators"] == cv
    assert colls["compressors"] == cs
    # fixed-loss resistors (read with fixed_loss="short_pipe") and zero-drag resistors become short pipes
    assert colls["short_pipes"] + colls["resistors"] == short + res


@pytest.mark.parametrize("key", KEYS)
def test_nomination_becomes_sources_and_sinks(gaslib: Path, key: str) -> None:
    case = load(key)
    assert case.nomination is not None
    scenario = case.nomination.scenario
    net = case.network
    comps = [*net.collections["sources"].values(), *net.collections["sinks"].values()]
    nominated = {n for n, nn in scenario.nodes.items() if nominated_flow(nn) is not None}
    extra_refs = {r.node for r in case.references} - nominated
    assert len(comps) == len(nominated) + len(extra_refs)
    # volumes balance in GasLib nominations; with the network norm density the mass flows balance too
    # (the pressure references supply the balance, nominally their nominated flow)
    supply = sum(s.inflow or 0.0 for s in net.collections["sources"].values())
    demand = sum(k.demand for k in net.collections["sinks"].values())
    ref_flow = sum(nominated_flow(scenario.nodes[r.node]) or 0.0 for r in case.references if r.node in scenario.nodes)
    assert supply <= demand + 1e-9
    density = max(q.norm_density_kg_per_m3 or 0.0 for q in case.gas.values())
    assert demand - supply <= ref_flow * density / 3.6 * (1 + 1e-6) + 1e-6
    for ref in case.references:
        src = net.collections["sources"][entry_id(ref.node)]
        assert src.mode == "pressure" and src.absorbs and src.capacity is None
        assert src.p_set_barg == pytest.approx(ref.p_set_barg)


@pytest.mark.parametrize("key", KEYS)
def test_network_validates_and_compiles(gaslib: Path, key: str) -> None:
    case = load(key)
    case.network.validate()
    cn = lp.compile_network(case.network)
    assert cn.n_nodes > 0
    assert cn.gas.kappa is not None and 1.2 < cn.gas.kappa < 1.45
    assert cn.gas.lhv_j_per_kg is not None and 30e6 < cn.gas.lhv_j_per_kg < 50e6


@pytest.mark.parametrize("key", KEYS)
def test_round_trip_is_lossless(gaslib: Path, key: str, tmp_path: Path) -> None:
    case = load(key)
    _, _, cdf, cs = paths(INSTANCES[key])
    write_gaslib(case, tmp_path / "out.net", tmp_path / "out.scn")
    again = read_gaslib(tmp_path / "out.net", tmp_path / "out.scn", cdf, cs, fixed_loss="short_pipe")
    assert again.network.to_dict() == case.network.to_dict()
    assert again == case
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.net", "out.scn"]  # atomic writes leave no temp


def test_gaslib_11_mapping(gaslib: Path) -> None:
    case = load("11")
    net = case.network
    s = net.settings
    assert s.temperature_c == 10.0
    assert s.molar_mass_kg_per_mol == pytest.approx(0.0185674)
    assert s.compressibility.model == "papay"
    assert s.compressibility.pseudo_critical_temperature_k == pytest.approx(188.549758911)
    assert s.compressibility.pseudo_critical_pressure_bar == pytest.approx(45.9293457336)
    assert s.viscosity.model == "lee_gonzalez_eakin"
    # cp = A + B T + C T^2 = 35.35 J/(mol K) at 283.15 K -> kappa = cp / (cp - R)
    assert s.heat_capacity_ratio == pytest.approx(1.307, abs=1e-3)
    # gross 36.454 MJ/m3 over 0.785 kg/m3 = 46.44 MJ/kg, times the net/gross ratio 0.903
    assert s.lower_heating_value_mj_per_kg == pytest.approx(36.4543670654 / 0.785 * 0.903)
    n = net.nodes["exit02"]
    assert n.p_min_barg == pytest.approx(40.0 - 1.01325)
    assert n.p_max_barg == pytest.approx(60.0 - 1.01325)
    p = net.collections["pipes"]["pipe01_entry01_entry03"]
    assert (p.length_km, p.inner_diameter_mm, p.roughness_mm) == (55.0, 500.0, 0.1)  # type: ignore[attr-defined]
    assert p.maop_barg == pytest.approx(200 - 1.01325)  # type: ignore[attr-defined]
    assert case.element("pipe01_entry01_entry03").values["heatTransferCoefficient"] == 2.0
    cs = net.collections["compressors"]["CS02_N04_N05"]
    # set-point: the lowest maximum of pressureOutMax (70 bar) and the outlet zone (exit02/03 at 60 bar)
    assert cs.p_set_barg == pytest.approx(60.0 - 1.01325)  # type: ignore[attr-defined]
    assert cs.p_suction_min_barg == pytest.approx(40.0 - 1.01325)  # type: ignore[attr-defined]
    assert cs.flow_max_kg_s == pytest.approx(1100 * 0.785 / 3.6)  # type: ignore[attr-defined]
    rating = case.station_ratings["CS02_N04_N05"]
    assert rating.power_max_mw is not None and 9.0 < rating.power_max_mw < 9.6
    assert rating.ratio_max is not None and 1.4 < rating.ratio_max < 1.7
    # with units (the default) the maps and drivers hold the limits; the rated model keeps the rating
    assert cs.power_max_mw is None and cs.ratio_max == 10.0  # type: ignore[attr-defined]
    assert [u.id for u in net.collections["compressor_units"].values() if u.station == cs.id] == [  # type: ignore[attr-defined]
        "CS02_N04_N05/T_CS2_M4_2"
    ]
    net_path, scn_path, _, cs_path = paths(INSTANCES["11"])
    rated = read_gaslib(net_path, scn_path, None, cs_path, units=False).network
    assert rated.collections["compressors"]["CS02_N04_N05"].power_max_mw == rating.power_max_mw  # type: ignore[attr-defined]
    assert not rated.collections["compressor_units"]
    assert net.collections["valves"]["V01_N01_N03"].open  # type: ignore[attr-defined]
    # entries: flow x own norm density / 3.6; the largest entry is the pressure reference
    assert [r.node for r in case.references] == ["entry01"]
    assert case.references[0].p_set_barg == pytest.approx(70.0 - 1.01325)
    assert net.collections["sources"]["entry02.entry"].inflow == pytest.approx(140 * 0.785 / 3.6)  # type: ignore[attr-defined]
    assert net.collections["sinks"]["exit02.exit"].demand == pytest.approx(120 * 0.785 / 3.6)  # type: ignore[attr-defined]


def test_units_are_honoured(gaslib: Path) -> None:
    n24 = load("24").network
    assert n24.collections["pipes"]["L04"].length_km == pytest.approx(0.01)  # type: ignore[attr-defined]  # 10 m
    assert n24.collections["pipes"]["L01"].inner_diameter_mm == pytest.approx(1100.0)  # type: ignore[attr-defined]
    assert n24.collections["resistors"]["re01"].diameter_mm == 900.0  # type: ignore[attr-defined]
    n134 = load("134-v2")
    assert n134.network.settings.temperature_c == pytest.approx(16.0)  # 289.15 K
    pipe = next(iter(n134.network.collections["pipes"].values()))
    assert pipe.roughness_mm == pytest.approx(n134.element(pipe.id).values["roughness"])  # type: ignore[attr-defined]
    assert n134.element(pipe.id).item.children[-2].get("unit") == "m"
    # .scn bounds in barg tighten the .net bounds in bar: 80 barg == 81.01325 bar
    n40 = load("40").network
    assert n40.nodes["sink_1"].p_max_barg == pytest.approx(80.0)
    assert n40.nodes["sink_1"].p_min_barg == pytest.approx(0.0)
    lo, hi = load("582-cold").pressure_bounds_bar("source_4")  # .net 2.01325-86.01325 bar, .scn 2.0133-86.013 bar
    assert (lo, hi) == (2.0133, 86.013)  # the .scn lower bound 2.0133 is the tighter


def test_582_mixes_source_gases_by_flow(gaslib: Path) -> None:
    case = load("582-cold")
    flows = {n: nominated_flow(nn) or 0.0 for n, nn in case.nomination.scenario.nodes.items()}  # type: ignore[union-attr]
    weights = {n: f for n, f in flows.items() if n in case.gas and f > 0}
    expect = sum(case.gas[n].molar_mass_kg_per_kmol * w for n, w in weights.items()) / sum(weights.values())  # type: ignore[operator]
    assert case.network.settings.molar_mass_kg_per_mol == pytest.approx(expect / 1000)
    assert len({q.calorific_value_mj_per_m3 for q in case.gas.values()}) > 1  # per-source data kept


def test_4197_negative_exits_inject(gaslib: Path) -> None:
    case = load("4197")
    net = case.network
    scenario = case.nomination.scenario  # type: ignore[union-attr]
    negative = [n for n, nn in scenario.nodes.items() if nn.type == "exit" and (nominated_flow(nn) or 0) < 0]
    assert len(negative) == 33
    for node in negative:
        src = net.collections["sources"][f"{node}.exit"]
        assert src.mode == "flow" and src.inflow > 0  # type: ignore[attr-defined]
    assert any("valve_22" in w for w in case.warnings)  # the .cdf names a valve the .net lacks


def test_apply_decision_582(gaslib: Path) -> None:
    case = load("582-cold")
    d2 = apply_decision(case, "d2")
    comps = d2.collections
    assert comps["compressors"]["compressorStation_4"].mode == "pressure"  # type: ignore[attr-defined]
    assert comps["valves"]["valve_11"].open and not comps["valves"]["valve_26"].open  # type: ignore[attr-defined]
    d1 = apply_decision(case, 0)
    assert d1.collections["compressors"]["compressorStation_4"].mode == "off"  # type: ignore[attr-defined]
    assert d1.collections["valves"]["valve_7"].open  # type: ignore[attr-defined]
    # the case's own Network is untouched
    assert case.network.collections["valves"]["valve_26"].open  # type: ignore[attr-defined]
    both = apply_decision(case, ["dG_1/d3", "d1_1"])
    assert both.collections["regulators"]["controlValve_1"].mode == "closed"  # type: ignore[attr-defined]
    both.validate()


def test_apply_decision_4197_modes(gaslib: Path) -> None:
    case = load("4197")
    groups = {d.id: d for d in case.decisions()}
    active = next(d for d in groups.values() if any(e.mode == "active" for e in d.elements))
    bypass = next(d for d in groups.values() if any(e.mode == "bypass" for e in d.elements))
    net = apply_decision(case, [active.id, bypass.id])
    for d, want in ((active, {"active": "pressure"}), (bypass, {"bypass": "open"})):
        for e in d.elements:
            if e.kind == "controlValve" and e.mode in want and e.flow_direction != 1:
                assert net.collections["regulators"][e.id].mode == want[e.mode]  # type: ignore[attr-defined]
    skipped = next(d for d in groups.values() if any(e.id == "valve_22" for e in d.elements))
    apply_decision(case, skipped.id)  # the unknown valve_22 is ignored


def test_sample_of_all_134_nominations(gaslib: Path, tmp_path: Path) -> None:
    """Every 100th of the 2,468 daily nominations in the GasLib-134 archive loads on the v2 network."""
    import zipfile

    from linepack.io.gaslib.parse import parse_net, parse_scn
    from linepack.io.gaslib.reader import build_case

    archive = gaslib / "GasLib-134" / "GasLib-134_full_with_all_nominations_kaarthiksundar.zip"
    if not archive.exists():
        pytest.skip("GasLib-134 nomination archive not shipped")
    net = parse_net(gaslib / "GasLib-134" / "GasLib-134-v2.net")
    with zipfile.ZipFile(archive) as z:
        names = sorted(n for n in z.namelist() if n.endswith(".scn"))[::100]
        for name in names:
            p = tmp_path / name.replace("/", "_")
            p.write_bytes(z.read(name))
            case = build_case(net, parse_scn(p, net), {}, ())
            colls = case.network.collections
            assert len(colls["sources"]) + len(colls["sinks"]) == 48  # 3 entries, 45 exits
            case.network.validate()
    assert len(names) == 25


def test_gaslib_24_keeps_each_source_gas(gaslib: Path) -> None:
    """GasLib-24's three entries supply three different gases: each source carries a surrogate composition that
    reproduces its molar mass (the fit's first target) and, within the data's own consistency, its calorific
    value and pseudo-critical point; the hydraulics mix them. per_source_gas=False reads the single mean gas."""
    from linepack.gas import NORMAL_0C, GasComposition
    from linepack.model.components import Source

    case = load("24")
    net = case.network
    sources = [s for s in net.components() if isinstance(s, Source)]
    assert sorted({s.gas for s in sources if s.gas}) == ["gaslib_gas_1", "gaslib_gas_2", "gaslib_gas_3"]
    for s in sources:
        q = case.gas[s.node]
        spec = net.gas_compositions[s.gas or ""]
        assert spec.provenance.startswith("D: surrogate")
        comp = GasComposition.from_mole_fractions(s.gas or "", spec.mole_fractions)
        assert comp.molar_mass_kg_per_mol * 1e3 == pytest.approx(q.molar_mass_kg_per_kmol, rel=1e-5)
        assert comp.gross_heating_value_mj_per_m3(NORMAL_0C) == pytest.approx(q.calorific_value_mj_per_m3, rel=5e-3)
        t_pc, p_pc = comp.pseudo_critical()
        assert t_pc == pytest.approx(q.pseudocritical_temperature_k, rel=2e-2)
        assert p_pc / 1e5 == pytest.approx(q.pseudocritical_pressure_bar, rel=2e-2)
    assert any("3 different gases" in w for w in case.warnings)
    res = lp.solve_steady(net)
    assert res.quality is not None and res.quality.mixing
    gcv = res.quality.node.gcv_mj_m3
    assert float(gcv.max() - gcv.min()) > 0.3  # the mixture varies across the network
    inst = INSTANCES["24"]
    mean = read_gaslib(*paths(inst)[:2], None, paths(inst)[3], fixed_loss="short_pipe", per_source_gas=False)
    assert not mean.network.gas_compositions and all(
        s.gas is None for s in mean.network.components() if isinstance(s, Source)
    )
    one = lp.solve_steady(mean.network)
    assert one.quality is None
    # the mean-gas reading and the mixed one differ by the mixing alone (measured 1.3e-4 at most)
    assert np.max(np.abs(one.p_pa / res.p_pa - 1.0)) < 1e-3
