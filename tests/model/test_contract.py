"""Contract test over every component type: create, validate, serialise round-trip, solve."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import every_component_network

import linepack as lp
from linepack.model.components import COMPONENT_TYPES
from linepack.model.describe import field_table, network_json_schema


def test_every_component_type_is_in_the_test_network() -> None:
    net = every_component_network()
    kinds = {c.kind for c in net.components()}
    assert kinds == {t.kind for t in COMPONENT_TYPES}


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_round_trip_is_lossless(tmp_path: Path, suffix: str) -> None:
    net = every_component_network()
    path = tmp_path / f"net{suffix}"
    lp.save_network(net, path)
    back = lp.load_network(path)
    assert back.to_dict() == net.to_dict()
    for c in net.components():
        assert back.find(c.id) == c


def test_every_component_type_solves_and_reports() -> None:
    net = every_component_network()
    before = json.dumps(net.to_dict(), sort_keys=True)
    res = lp.solve_steady(net)
    assert json.dumps(net.to_dict(), sort_keys=True) == before, "the solver must not modify the network"
    assert res.converged
    doc = res.to_dict()
    for key in (
        "nodes",
        "pipes",
        "compressors",
        "regulators",
        "valves",
        "short_pipes",
        "resistors",
        "sources",
        "sinks",
    ):
        assert doc[key], f"result has no {key}"
    # frozen result
    with pytest.raises(ValueError):
        res.p_pa[0] = 1.0
    with pytest.raises(AttributeError):
        res.converged = False  # type: ignore[misc]


@pytest.mark.parametrize("kind", [t.kind for t in COMPONENT_TYPES] + ["settings", "scenario"])
def test_describe_lists_every_field_with_units(kind: str) -> None:
    rows = field_table(kind)
    assert rows and all(r["description"] for r in rows if r["field"] not in ("id",))
    if kind == "pipe":
        units = {r["field"]: r["unit"] for r in rows}
        assert units["length_km"] == "km" and units["inner_diameter_mm"] == "mm"


def test_published_schema_validates_the_default_network() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = network_json_schema()
    doc = lp.load_default_network().to_dict()
    jsonschema.validate(doc, schema)
    bad = dict(doc, pipes=[dict(doc["pipes"][0], lenght_km=3)])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_shipped_schema_file_is_current() -> None:
    path = Path(__file__).resolve().parents[2] / "docs" / "network.schema.json"
    assert json.loads(path.read_text()) == network_json_schema(), "regenerate with: linepack schema -o " + str(path)


def test_gas_given_by_molar_mass_and_pseudo_critical_properties(tmp_path: Path) -> None:
    """GasLib-style gas data (molar mass, pseudo-critical T and p) with Papay; round-trips and solves."""
    from linepack.model.components import CompressibilitySpec, ViscositySpec

    net = every_component_network("ideal")
    net.settings = net.settings.model_copy(
        update={
            "gas": None,
            "molar_mass_kg_per_mol": 0.0175,
            "heat_capacity_ratio": 1.3,
            "lower_heating_value_mj_per_kg": 47.0,
            "viscosity": ViscositySpec(model="constant", value_pa_s=1.1e-5),
            "compressibility": CompressibilitySpec(
                model="papay", pseudo_critical_temperature_k=200.0, pseudo_critical_pressure_bar=46.0
            ),
        }
    )
    net.gas_compositions.clear()
    path = tmp_path / "net.json"
    lp.save_network(net, path)
    res = lp.solve_steady(lp.load_network(path))
    assert res.converged and 0.8 < float(res.z_avg.min()) < 1.0
