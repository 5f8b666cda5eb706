"""Work bounded on hostile and large input (issue 20): scenario chains, alias bombs, large native files.

Run: python benchmarks/hostile_input.py [--large-mb 20]
Prints CPU time (``time.process_time``) and peak traced Python memory per case beside the figures the issue
reported before the limits (the "before" column; measured by the issue's author on this kind of machine).
Timings on a shared machine are noisy; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import linepack as lp
from linepack.errors import InputError
from linepack.model.network import Network


def measure(fn: Callable[[], str]) -> tuple[str, float, float]:
    tracemalloc.start()
    t0 = time.process_time()
    try:
        outcome = fn()
    except InputError as exc:
        outcome = f"refused: {exc.problems[0][:70]}"
    cpu = time.process_time() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return outcome, cpu, peak / 1e6


def with_scenarios(scenarios: dict[str, Any]) -> Callable[[], str]:
    base = lp.load_default_network().to_dict()

    def go() -> str:
        doc = {**base, "scenarios": {**base.get("scenarios", {}), **scenarios}}
        Network.from_dict(doc).validate()
        return "valid"

    return go


def chain(n: int, every: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i in range(n):
        restart = i == 0 or (every is not None and i % every == 0)
        out[f"s{i}"] = {"base": "psgp_base" if restart else f"s{i - 1}", "demand_scale": 1.0}
    return out


def bomb_file(folder: Path) -> Callable[[], str]:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    f = folder / "bomb.yaml"
    f.write_text("format: linepack-network/1\nmeta:\n" + "".join(f"  {x}\n" for x in lines))

    def go() -> str:
        lp.load_network(f)
        return "loaded"

    return go


def large_file(folder: Path, mb: float) -> tuple[Callable[[], str], int]:
    """A synthetic chain network of about ``mb`` MB of JSON (nodes, pipes, one source and sink)."""
    n = max(2, int(mb * 1e6 / 190))
    doc: dict[str, Any] = {
        "format": "linepack-network/1",
        "name": "large",
        "settings": {"molar_mass_kg_per_mol": 0.0175, "compressibility": "ideal"},
        "nodes": [{"id": f"N{i}"} for i in range(n)],
        "pipes": [
            {"id": f"P{i}", "from": f"N{i}", "to": f"N{i + 1}", "length_km": 1.0, "inner_diameter_mm": 500.0}
            for i in range(n - 1)
        ],
        "sources": [{"id": "src", "node": "N0", "mode": "pressure", "p_set_barg": 70}],
        "sinks": [{"id": "d", "node": f"N{n - 1}", "demand": 1, "unit": "kg/s"}],
    }
    f = folder / "large.json"
    f.write_text(json.dumps(doc))

    def go() -> str:
        net = lp.load_network(f)
        return f"loaded {len(net.nodes):,} nodes"

    return go, f.stat().st_size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--large-mb", type=float, default=20.0, help="size of the large JSON network, MB")
    args = ap.parse_args()
    rows: list[tuple[str, str, str, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases: list[tuple[str, str, Callable[[], str]]] = [
            ("1,000 chained scenarios", "3.4 s", with_scenarios(chain(1000))),
            ("2,000 chained scenarios", "26 s", with_scenarios(chain(2000))),
            ("2,000 scenarios in chains of 60", "-", with_scenarios(chain(2000, every=60))),
            ("alias bomb (billion laughs, 1 kB)", "> 4 GB, killed", bomb_file(folder)),
        ]
        go, size = large_file(folder, args.large_mb)
        cases.append((f"native JSON of {size / 1e6:.0f} MB", "-", go))
        for name, before, fn in cases:
            outcome, cpu, peak = measure(fn)
            rows.append((name, before, outcome, cpu, peak))
    print(f"{'case':38s} {'before':>16s} {'CPU s':>8s} {'peak MB':>8s}  outcome")
    for name, before, outcome, cpu, peak in rows:
        print(f"{name:38s} {before:>16s} {cpu:8.2f} {peak:8.0f}  {outcome}")
    print("(shared machine; CPU time of this process; peak = traced Python allocations)")


if __name__ == "__main__":
    main()
