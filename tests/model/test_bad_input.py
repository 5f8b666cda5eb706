"""Bad input: every problem gets a message naming component, field, value and fix, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import every_component_network

import linepack as lp
from linepack.errors import InfeasibleError, InputError, TopologyError

BASE = """
format: linepack-network/1
name: tiny
settings: {gas: NG, compressibility: ideal}
gas_compositions:
  NG: {mole_fractions: {CH4: 0.95, C2H6: 0.05}}
nodes:
  - {id: A}
  - {id: B}
pipes:
  - {id: P1, from: A, to: B, length_km: 10, inner_diameter_mm: 500}
sources:
  - {id: A.supply, node: A, mode: pressure, p_set_barg: 50}
sinks:
  - {id: B.demand, node: B, demand: 20, unit: kg/s}
"""


def load(tmp_path: Path, text: str, name: str = "net.yaml") -> lp.Network:
    p = tmp_path / name
    p.write_text(text)
    return lp.load_network(p)


def messages(tmp_path: Path, text: str) -> str:
    with pytest.raises(InputError) as exc:
        load(tmp_path, text)
    return "\n".join(exc.value.problems)


def test_base_file_is_valid(tmp_path: Path) -> None:
    net = load(tmp_path, BASE)
    assert lp.solve_steady(net).converged


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("length_km: 10", "length_km: -3", ["pipe P1", "length_km", "-3", "greater than 0", "in km"]),
        ("length_km: 10", "length_km: 0", ["pipe P1", "length_km", "0", "greater than 0"]),
        (
            "inner_diameter_mm: 500",
            "inner_diameter_mm: -0.5",
            ["pipe P1", "inner_diameter_mm", "-0.5", "in mm"],
        ),
        (
            "inner_diameter_mm: 500",
            "inner_diameter_mm: 0",
            ["pipe P1", "inner_diameter_mm", "greater than 0"],
        ),
        ("length_km: 10", "length_km: .nan", ["pipe P1", "length_km", "finite number", "nan"]),
        ("to: B, length", "to: Q, length", ["pipe P1", "to", "unknown node 'Q'", "add the node or correct"]),
        (
            "length_km: 10,",
            "length_km: 10, lenght_km: 3,",
            ["pipe P1", "unknown field 'lenght_km'", "did you mean 'length_km'"],
        ),
        ("unit: kg/s", "unit: kg/h", ["sink B.demand", "unit", "'kg/h'", "kg/s"]),
        ("unit: kg/s", "unit: mmscfd", ["sink B.demand", "unit", "did you mean 'MMSCFD'"]),
        (
            "mode: pressure, p_set_barg: 50",
            "mode: pressur, p_set_barg: 50",
            ["source A.supply", "mode", "did you mean 'pressure'"],
        ),
        ("  - {id: B}", "  - {id: B}\n  - {id: B}", ["node B", "id already used"]),
        ("compressibility: ideal", "compressibility: gerg", ["settings", "compressibility"]),
        ("name: tiny", "name: tiny\nnodse: []", ["unknown top-level key 'nodse'", "did you mean 'nodes'"]),
        ("demand: 20,", "demand: -20,", ["sink B.demand", "demand", "-20", "greater than or equal to 0"]),
    ],
)
def test_field_errors_name_component_field_value_and_fix(
    tmp_path: Path, old: str, new: str, expected: list[str]
) -> None:
    assert old in BASE
    text = messages(tmp_path, BASE.replace(old, new, 1))
    for fragment in expected:
        assert fragment.lower() in text.lower(), f"{fragment!r} missing from: {text}"


def test_several_problems_are_reported_together(tmp_path: Path) -> None:
    text = BASE.replace("length_km: 10", "length_km: -1").replace("unit: kg/s", "unit: xx")
    msg = messages(tmp_path, text)
    assert "length_km" in msg and "unit" in msg


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("nodes: [ {id: A", "malformed YAML at line 1"),
        ("a: 1\na: 2\n", "key 'a' appears twice"),
        ("- just\n- a list\n", "top level must be a mapping"),
    ],
)
def test_malformed_yaml(tmp_path: Path, text: str, fragment: str) -> None:
    assert fragment in messages(tmp_path, text)


def test_malformed_json(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"malformed JSON at line 2"):
        load(tmp_path, '{"nodes": [\n ,]}', "net.json")


def test_missing_file_and_wrong_suffix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        lp.load_network(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="unknown file type"):
        lp.save_network(every_component_network(), tmp_path / "x.txt")


def test_island_without_pressure_reference(tmp_path: Path) -> None:
    text = BASE + "  - {id: D.demand, node: D, demand: 1, unit: kg/s}\n"
    text = text.replace("  - {id: B}", "  - {id: B}\n  - {id: C}\n  - {id: D}")
    text = text.replace("pipes:\n", "pipes:\n  - {id: P9, from: C, to: D, length_km: 5, inner_diameter_mm: 300}\n")
    net = load(tmp_path, text)
    with pytest.raises(TopologyError) as exc:
        lp.solve_steady(net)
    msg = str(exc.value)
    assert "island of 2 node(s) without a pressure reference: C, D" in msg and "mode pressure" in msg


def test_demand_above_supply_is_diagnosed_before_any_newton_iteration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a hang: the supply check runs before Newton (only the unlimited-supply probe solves)."""
    import linepack.solvers.steady as steady

    text = BASE.replace("p_set_barg: 50}", "p_set_barg: 50, capacity: 10, unit: kg/s}")
    net = load(tmp_path, text)
    calls: list[float] = []
    real = steady._newton_with_continuation

    def counting(cn, *args, **kw):  # type: ignore[no-untyped-def]
        calls.append(float(cn.source_capacity[0]))
        return real(cn, *args, **kw)

    monkeypatch.setattr(steady, "_newton_with_continuation", counting)
    with pytest.raises(InfeasibleError) as exc:
        lp.solve_steady(net)
    assert calls and all(c == float("inf") for c in calls), "Newton ran on the capacity-limited case"
    msg = str(exc.value)
    assert "supply below demand" in msg and "A.supply" in msg and "short by" in msg


def test_pressure_collapse_is_diagnosed(tmp_path: Path) -> None:
    text = BASE.replace("demand: 20,", "demand: 2000,")
    net = load(tmp_path, text)
    with pytest.raises(InfeasibleError) as exc:
        lp.solve_steady(net)
    assert "towards zero at B" in str(exc.value)


def test_unknown_scenario_and_scenario_reference(tmp_path: Path) -> None:
    net = load(tmp_path, BASE)
    with pytest.raises(InputError, match="scenario 'nope' is not defined"):
        lp.solve_steady(net, "nope")
    text = BASE + "scenarios:\n  s1: {disable: [P7]}\n"
    assert "unknown component 'P7'" in messages(tmp_path, text)


def test_inconsistent_mode_fields(tmp_path: Path) -> None:
    text = BASE.replace("mode: pressure, p_set_barg: 50", "mode: pressure")
    assert "mode pressure needs p_set_barg" in messages(tmp_path, text)


def test_energy_unit_needs_a_composition(tmp_path: Path) -> None:
    text = BASE.replace(
        "settings: {gas: NG, compressibility: ideal}",
        "settings: {molar_mass_kg_per_mol: 0.017, compressibility: ideal, viscosity: "
        "{model: constant, value_pa_s: 1.1e-5}}",
    ).replace("unit: kg/s", "unit: MW")
    net = load(tmp_path, text)
    with pytest.raises(InputError, match="unit MW needs the gas heating value"):
        lp.solve_steady(net)
