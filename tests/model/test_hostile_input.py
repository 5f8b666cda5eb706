"""Hostile and careless input (issue 20, items 1-5 and 7): every refusal is a clean error (exit 1) naming what
is wrong, after bounded work; nothing is misread."""

from __future__ import annotations

import json
import os
import tracemalloc
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import linepack as lp
from linepack.cli import app
from linepack.errors import InputError
from linepack.io.limits import InputLimits, read_input_text
from linepack.io.native import parse_document
from linepack.model.scenario import MAX_SCENARIO_DEPTH, Scenario, chain_problems

runner = CliRunner()

SMALL = """\
format: linepack-network/1
name: small
settings: {{gas: NG}}
gas_compositions: {{NG: {{mole_fractions: {{CH4: 0.95, C2H6: 0.03, N2: 0.02}}}}}}
nodes: [{{id: S}}, {{id: A}}]
sources: [{{id: src, node: S, mode: pressure, p_set_barg: 70}}]
pipes:
  - {{id: P1, from: S, to: A, length_km: {length}, inner_diameter_mm: 500}}
sinks: [{{id: d, node: A, demand: 20, unit: kg/s}}]
{extra}"""


def small(length: str = "10", extra: str = "") -> str:
    return SMALL.format(length=length, extra=extra)


def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    res = runner.invoke(app, list(args), env={"COLUMNS": "200", **(env or {})})
    return res.exit_code, res.output


def billion_laughs(levels: int = 9) -> str:
    """The classic alias bomb: 9 levels of 9 aliases each expand to 9^9 (387 million) strings."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghijklm"[: levels - 1]:
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    return "\n".join(lines) + "\n"


# --- item 1: YAML aliases ---------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["meta", "references", "top"])
def test_alias_bomb_is_refused_with_bounded_memory(tmp_path: Path, where: str) -> None:
    bomb = billion_laughs()
    if where == "top":
        text = small(extra=bomb.replace("a:", "x_a:", 1))  # unknown keys, but the bomb must not be built first
    else:
        indented = "".join("  " + line + "\n" for line in bomb.splitlines())
        text = small(extra=f"{where}:\n{indented}")
    f = tmp_path / "bomb.yaml"
    f.write_text(text)
    assert len(text) < 1500
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="alias bomb"):
            lp.load_network(f)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50e6, f"peak {peak / 1e6:.0f} MB while refusing a {len(text)}-byte file"
    code, out = cli("convert", str(f), str(tmp_path / "out.json"))
    assert code == 1 and "alias bomb" in out and not (tmp_path / "out.json").exists()


def test_a_few_aliases_are_fine_and_a_recursive_alias_is_refused() -> None:
    doc = parse_document("base: &b {length_km: 10}\nuse: [*b, *b]\n", "ok.yaml")
    assert doc["use"] == [{"length_km": 10}, {"length_km": 10}]
    with pytest.raises(InputError, match="contains it"):
        parse_document("a: &a [1, *a]\n", "loop.yaml")


# --- item 2: size and file type ---------------------------------------------------------------------


def test_devices_pipes_and_folders_are_refused_before_reading(tmp_path: Path) -> None:
    code, out = cli("run", "/dev/zero")
    assert code == 1 and "not a regular file" in out
    fifo = tmp_path / "net.yaml"
    os.mkfifo(fifo)  # opening a FIFO for reading would block until a writer comes: it must not be opened so
    code, out = cli("validate", str(fifo))
    assert code == 1 and "not a regular file" in out
    code, out = cli("run", str(tmp_path))
    assert code == 1 and "folder" in out


def test_files_above_the_size_limit_are_refused_and_the_limit_is_overridable(tmp_path: Path) -> None:
    f = tmp_path / "net.yaml"
    f.write_text(small() + "description: " + "x" * 5000 + "\n")
    code, out = cli("validate", str(f), env={"LINEPACK_MAX_INPUT_MB": "0.001"})
    assert code == 1 and "above the limit" in out and "LINEPACK_MAX_INPUT_MB" in out
    code, out = cli("validate", str(f), env={"LINEPACK_MAX_INPUT_MB": "1"})
    assert code == 0, out
    with pytest.raises(InputError, match="above the limit"):
        read_input_text(f, limits=InputLimits(max_file_bytes=100))
    code, out = cli("validate", str(f), env={"LINEPACK_MAX_INPUT_MB": "lots"})
    assert code == 1 and "LINEPACK_MAX_INPUT_MB" in out


# --- item 3: depth ----------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_deep_nesting_is_a_clean_error(tmp_path: Path, suffix: str) -> None:
    f = tmp_path / f"deep{suffix}"
    deep = "[" * 50_000 + "]" * 50_000
    f.write_text(deep if suffix == ".json" else "meta: {x: " + deep + "}\n")
    code, out = cli("run", str(f))
    assert code == 1 and "nested more than" in out, out
    assert "Traceback" not in out


# --- item 4: strict types ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "message"),
    [("true", "must be a number, not true/false"), ('"10"', "must be a number, not text")],
)
def test_numbers_are_numbers(tmp_path: Path, length: str, message: str) -> None:
    f = tmp_path / "n.yaml"
    f.write_text(small(length=length))
    code, out = cli("run", str(f))
    assert code == 1 and "pipe P1: length_km" in out and message in out, out


def test_yaml_1_1_pitfalls_are_not_misread() -> None:
    doc = parse_document("a: 010\nb: 1e3\nc: yes\nd: 2024-01-01\ne: 1:20\nf: 0o10\n", "x.yaml")
    assert doc == {"a": 10, "b": 1000.0, "c": "yes", "d": "2024-01-01", "e": "1:20", "f": 8}
    item = {"id": "V1", "from": "A", "to": "B", "open": "yes"}
    with pytest.raises(ValueError, match="must be true or false"):
        lp.Valve.model_validate(item)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("references: [R1]\n", "references must be a mapping"),
        ("references: {R1: [1, 2]}\n", "references: R1 must be text"),
        ("gas_compositions: [NG]\n", "gas_compositions must be a mapping"),
        ("meta: [1, 2]\n", "meta must be a mapping"),
        ("default_scenario: [a]\n", "default_scenario (a scenario name) must be text"),
        ("default_scenario: 3\n", "default_scenario (a scenario name) must be text"),
        ("scenarios: 5\n", "scenarios must be a mapping"),
        ("name: {a: 1}\n", "name must be text"),
    ],
)
def test_top_level_types_are_checked(tmp_path: Path, extra: str, message: str) -> None:
    base = small()
    for key in ("gas_compositions", "name"):
        if extra.startswith(key):
            base = "\n".join(line for line in base.splitlines() if not line.startswith(key)) + "\n"
    f = tmp_path / "t.yaml"
    f.write_text(base + extra)
    code, out = cli("validate", str(f))
    assert code == 1 and message in out, out


def test_a_scenario_cannot_rename_a_component_into_a_duplicate(tmp_path: Path) -> None:
    extra = "scenarios:\n  dup: {set: {P1: {id: P2}}}\n"
    f = tmp_path / "dup.yaml"
    f.write_text(small(extra=extra))
    code, out = cli("validate", str(f))
    assert code == 1 and "set cannot change the id" in out, out
    code, out = cli("run", str(f), "--scenario", "dup")
    assert code == 1 and "set cannot change the id" in out


def test_scenario_patches_and_additions_are_validated_like_base_components(tmp_path: Path) -> None:
    extra = (
        "scenarios:\n"
        "  bad: {set: {P1: {length_km: true}}, add: {pipes: [{id: P9, from: S, to: A, length_km: '5', "
        "inner_diameter_mm: 300}]}}\n"
    )
    f = tmp_path / "bad.yaml"
    f.write_text(small(extra=extra))
    code, out = cli("validate", str(f))
    assert code == 1
    assert "scenario bad: pipe P1: length_km must be a number, not true/false" in out
    assert "scenario bad: added pipe P9: length_km must be a number, not text" in out


# --- item 5: printable ids --------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["P\x1b[2J", "P\x00", "P\u202e1", "P\x9b"])
def test_ids_with_control_characters_are_refused_and_never_printed_raw(tmp_path: Path, bad: str) -> None:
    f = tmp_path / "c.json"
    doc = yaml.load(small(), Loader=yaml.SafeLoader)
    doc["pipes"][0]["id"] = bad
    doc["sinks"][0]["node"] = "\x1b]0;title\x07" + "A"
    f.write_text(json.dumps(doc))
    code, out = cli("run", str(f))
    assert code == 1 and "control character" in out
    assert "\x1b" not in out and "\x00" not in out and "\x07" not in out and "\u202e" not in out


def test_the_schema_says_ids_are_printable() -> None:
    import jsonschema

    schema = lp.Pipe.model_json_schema(by_alias=True)
    assert "control" in schema["properties"]["id"]["description"]
    validator = jsonschema.Draft202012Validator(schema)
    base = {"id": "P1", "from": "A", "to": "B", "length_km": 1, "inner_diameter_mm": 100}
    assert validator.is_valid(base)
    for bad in ("P\x1b", "P 1", "P\x00", "P\u200b"):
        assert not validator.is_valid({**base, "id": bad}), repr(bad)


# --- item 7: scenario chains ------------------------------------------------------------------------


def _chain(n: int) -> dict[str, Scenario]:
    return {f"s{i}": Scenario(base=f"s{i - 1}" if i else None, demand_scale=1.0) for i in range(n)}


def test_scenario_chains_are_capped_and_checked_once_each() -> None:
    assert chain_problems(_chain(MAX_SCENARIO_DEPTH)) == []
    problems = chain_problems(_chain(2000))
    assert len(problems) == 1 and f"longer than {MAX_SCENARIO_DEPTH}" in problems[0]
    loop = {"a": Scenario(base="b"), "b": Scenario(base="a"), "c": Scenario(base="a")}
    assert len(chain_problems(loop)) == 1
    missing = chain_problems({"a": Scenario(base="zz")})
    assert missing == ["scenario 'a': base 'zz' is not defined; name an existing scenario"]


def test_a_network_with_2000_chained_scenarios_is_refused_cleanly(tmp_path: Path) -> None:
    doc = yaml.load(small(), Loader=yaml.SafeLoader)
    doc["scenarios"] = {f"s{i}": ({"base": f"s{i - 1}"} if i else {}) for i in range(2000)}
    f = tmp_path / "chain.json"
    f.write_text(json.dumps(doc))
    code, out = cli("validate", str(f))
    assert code == 1 and f"longer than {MAX_SCENARIO_DEPTH}" in out
    assert out.count("longer than") == 1
