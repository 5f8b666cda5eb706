"""Fuzzing the native reader, the validator and the solver behind them (issue 20): documents mutated by
hypothesis (values of every wrong type, deleted and unknown keys, hostile text, broken syntax), run through
``linepack run`` as a user would. Every outcome is a clean error (exit 1 naming what is wrong), a diagnosis
(exit 3) or a solution (exit 0): never an internal error (exit 4), never more than a memory budget while the
file is read and validated, and never a runaway (a CPU-time guard far above what a case takes: a hang
detector, not a speed test).

The examples are derandomised (the same cases on every machine and run) and bounded in number.
"""

from __future__ import annotations

import copy
import json
import signal
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
import yaml

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from linepack.cli import app  # noqa: E402
from linepack.errors import InputError  # noqa: E402
from linepack.io.native import load_network, parse_document  # noqa: E402

MEMORY_BUDGET_BYTES = 50e6  # Python allocations while one case is read and validated
CPU_GUARD_S = 60.0  # one case takes tens of milliseconds; only a runaway reaches this

BASE: dict[str, Any] = {
    "format": "linepack-network/1",
    "name": "fuzz",
    "settings": {"gas": "NG", "temperature_c": 15.0},
    "gas_compositions": {"NG": {"mole_fractions": {"CH4": 0.95, "C2H6": 0.03, "N2": 0.02}}},
    "nodes": [{"id": "S", "p_max_barg": 90}, {"id": "A"}, {"id": "B"}, {"id": "C", "elevation_m": 30}],
    "sources": [{"id": "src", "node": "S", "mode": "pressure", "p_set_barg": 70}],
    "pipes": [
        {"id": "P1", "from": "S", "to": "A", "length_km": 30, "inner_diameter_mm": 500},
        {"id": "P2", "from": "B", "to": "C", "length_km": 20, "inner_diameter_mm": 400, "law": "weymouth"},
    ],
    "compressors": [{"id": "K1", "from": "A", "to": "B", "mode": "pressure", "p_set_barg": 75, "ratio_max": 1.6}],
    "valves": [{"id": "V1", "from": "S", "to": "C", "open": False}],
    "sinks": [{"id": "d", "node": "C", "demand": 30, "unit": "kg/s", "p_min_barg": 20}],
    "scenarios": {
        "high": {"demand_scale": 1.2, "set": {"K1": {"p_set_barg": 80}}},
        "valve": {"base": "high", "enable": ["V1"], "set": {"V1": {"open": True}}},
    },
    "default_scenario": "high",
    "references": {"R1": "a source"},
    "meta": {"note": "fuzz base"},
}

text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "P1", "S", "high", "\x1b[2J", "\x00", "a\nb", "1e3", "yes", "true", "010", "\u202e"]),
)
scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e-300, 1e300, 1e20, 0.5, 70, 1e6]),
    text,
)
value = st.recursive(
    scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)),
    max_leaves=12,
)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside ``doc`` (mapping keys and list indices)."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


PATHS = list(_paths(BASE))


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str]:
    doc = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(PATHS))
        parent: Any = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            last = path[-1]
            action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "add"]))
            if action == "replace":
                parent[last] = draw(value)
            elif action == "delete":
                del parent[last]
            elif isinstance(parent, dict):
                parent[draw(text)] = draw(value)
            else:
                parent.append(draw(value))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this path
    fmt = draw(st.sampled_from(["yaml", "json"]))
    body = json.dumps(doc, allow_nan=True) if fmt == "json" else yaml.safe_dump(doc, allow_unicode=True)
    if draw(st.integers(min_value=0, max_value=5)) == 0:  # and sometimes broken syntax
        cut = draw(st.integers(min_value=0, max_value=len(body)))
        tails = ["", "]", "{", ": :", "\t", "&a *a", "*x", "- - -", '"', "\nbig: " + "9" * 5000, "\n" + "[" * 500]
        body = body[:cut] + draw(st.sampled_from(tails))
    return fmt, body


class RunawayError(Exception):
    pass


@contextmanager
def cpu_guard(seconds: float) -> Iterator[None]:
    """Raise :class:`RunawayError` in this thread after ``seconds`` of process CPU time."""

    def on_alarm(signum: int, frame: Any) -> None:
        raise RunawayError(f"a case used more than {seconds:g} s of CPU time")

    old = signal.signal(signal.SIGPROF, on_alarm)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)


runner = CliRunner()


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=mutated())
def test_mutated_networks_end_in_a_clean_outcome(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[str, str]
) -> None:
    fmt, body = case
    f: Path = tmp_path_factory.mktemp("fuzz") / f"net.{fmt}"
    f.write_text(body, encoding="utf-8")
    # memory: traced while the file is read and validated (where the input's size and shape drive memory; the
    # solve of a validated network is bounded by its size); tracing the solve too would make it 5 times slower
    tracemalloc.start()
    try:
        with cpu_guard(CPU_GUARD_S), suppress(InputError):
            load_network(f)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    with cpu_guard(CPU_GUARD_S):
        res = runner.invoke(app, ["run", str(f), "--quiet"], env={"COLUMNS": "200"})
    event(f"exit {res.exit_code}")  # shown by --hypothesis-show-statistics
    assert res.exit_code in (0, 1, 3), f"exit {res.exit_code}\n{res.output}\n--- input ---\n{body[:2000]}"
    if res.exit_code == 1:
        assert res.output.startswith("error:") and "\x1b" not in res.output, res.output
    assert peak < MEMORY_BUDGET_BYTES, f"{peak / 1e6:.0f} MB for one case"


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(raw=st.text(alphabet=st.sampled_from([*"[]{}:,-&*!|>'\"#\n\t abc01.e", "\x00", "\x1b"]), max_size=300))
def test_random_text_parses_or_is_refused_cleanly(raw: str) -> None:
    for source in ("x.yaml", "x.json"):
        try:
            doc = parse_document(raw, source)
        except InputError:
            continue
        json.dumps(doc)  # whatever parses is plain JSON data (no dates, sets or binary)
