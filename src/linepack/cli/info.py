"""``linepack scenarios | validate | describe | schema``: what a network and the native format contain."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..io.native import load_network
from .common import FileArg, guard, network_from, out


def scenarios(file: FileArg = None) -> None:
    """List the scenarios of a network."""

    def go() -> None:
        net = network_from(file)
        t = Table(title=f"Scenarios of {net.name or file}")
        t.add_column("name")
        t.add_column("base")
        t.add_column("description")
        for name, sc in net.scenarios.items():
            label = f"{name} (default)" if name == net.default_scenario else name
            t.add_row(label, sc.base or "", sc.description)
        if not net.scenarios:
            out.print("no scenarios defined; the network is solved as written")
        else:
            out.print(t)

    guard(go)


def validate(file: Annotated[Path, typer.Argument(help="network file to check (.yaml or .json)")]) -> None:
    """Check a network file: fields, units, references, scenarios; print every problem found."""

    def go() -> None:
        net = load_network(file)
        net.validate()
        from ..compile import compile_network

        names: list[str | None] = [*net.scenarios] or [None]
        for name in names:
            compile_network(net, name, use_default=False)  # units, gas and physics settings per scenario
        n = sum(len(c) for c in net.collections.values())
        out.print(f"[green]valid:[/] {file} ({n} components, {len(net.scenarios)} scenarios)")

    guard(go)


def describe(
    kind: Annotated[
        str,
        typer.Argument(
            help="component type: node, pipe, compressor, regulator, valve, "
            "resistor, short_pipe, source, sink, settings, scenario"
        ),
    ],
) -> None:
    """Show the fields of a component type with units, defaults and bounds."""
    from ..model.describe import field_table

    def go() -> None:
        rows = field_table(kind)
        t = Table(title=f"{kind} fields")
        for col in ("field", "type", "unit", "default", "bounds", "description"):
            t.add_column(col, overflow="fold")
        for r in rows:
            t.add_row(*(r[c] for c in ("field", "type", "unit", "default", "bounds", "description")))
        out.print(t)

    guard(go)


def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write to this file")] = None,
) -> None:
    """Print (or write) the JSON Schema of the native network format."""
    from ..io.atomic import atomic_write_text
    from ..model.describe import network_json_schema

    def go() -> None:
        text = json.dumps(network_json_schema(), indent=2)
        if output is None:
            sys.stdout.write(text + "\n")
        else:
            atomic_write_text(output, text + "\n")
            out.print(f"schema written to {output}")

    guard(go)
