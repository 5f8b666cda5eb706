"""``linepack scenarios | validate | describe | schema``: what a network and the native format contain."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..console_tables import compact_table
from .common import (
    EXIT_INFEASIBLE,
    FileArg,
    GaslibOptions,
    NominationOpt,
    ScenarioOpt,
    guard,
    network_from,
    out,
    say,
)


def scenarios(file: FileArg = None) -> None:
    """List the scenarios of a network."""

    def go() -> None:
        net = network_from(file)
        t = compact_table(f"Scenarios of {net.name or file}", "name", [("base", "id"), ("description", "text")])
        for name, sc in net.scenarios.items():
            label = f"{name} (default)" if name == net.default_scenario else name
            t.add_row(label, sc.base or "", sc.description)
        if not net.scenarios:
            out.print("no scenarios defined; the network is solved as written")
        else:
            out.print(t)

    guard(go)


def validate(
    file: FileArg = None,
    scenario: ScenarioOpt = None,
    nomination: NominationOpt = None,
) -> None:
    """Check a network without solving it: fields, units, references, scenarios, then for every scenario (or
    the one given) each check `run` makes before solving (islands without a pressure reference, parts no
    supply reaches, supply against demand), and the plausibility of the numbers (a diameter in inches or
    metres, a length in metres, bar absolute for gauge, a demand out of scale: warnings with the fix).

    Exit code 1 when the file has errors, 3 when the default (or named) scenario cannot be solved.
    """
    from ..compile import compile_network
    from ..errors import ConvergenceError, InputError
    from ..model.plausibility import plausibility_findings
    from ..solvers.steady import check_before_solving

    def go() -> None:
        net = network_from(file, GaslibOptions(nomination=nomination))
        label = str(file) if file is not None else "embedded PSGP network"
        net.validate()
        names: list[str | None] = [scenario] if scenario is not None else ([*net.scenarios] or [None])
        main = scenario if scenario is not None else net.default_scenario
        errors: list[str] = []
        infeasible: dict[str | None, list[str]] = {}
        notes: list[str] = []
        for name in names:
            try:
                cn = compile_network(net, name, use_default=False)
                notes += [f"scenario {name}: {w}" for w in check_before_solving(cn)]
            except ConvergenceError as exc:
                infeasible[name] = [str(exc).splitlines()[0], *exc.diagnosis]
            except InputError as exc:
                errors += [p if name is None else f"scenario {name}: {p}" for p in exc.problems]
        if errors:
            raise InputError(errors)
        n = sum(len(c) for c in net.collections.values())
        say(f"valid: {label} ({n} components, {len(net.scenarios)} scenarios)", "green")
        ok = [str(x) for x in names if x not in infeasible]
        if ok and names != [None]:
            say(f"checked before solving, no problem: {', '.join(ok)}")
        for name, lines in infeasible.items():
            style = "bold red" if name == main else "yellow"
            head = "cannot be solved" if name == main else "warning: this scenario cannot be solved"
            say(f"{head}: {lines[0]}", style)
            for d in lines[1:]:
                say(f"  - {d}")
        for note in notes:
            say(f"note: {note}", "yellow")
        findings = plausibility_findings(net)
        if findings:
            say(f"{len(findings)} implausible value(s), probably a unit slip:", "yellow")
            for f in findings:
                say(f"  - {f}")
        if main in infeasible:
            raise typer.Exit(EXIT_INFEASIBLE)

    guard(go)


def describe(
    kind: Annotated[
        str,
        typer.Argument(
            help="component type: node, pipe, compressor, regulator, valve, "
            "resistor, short_pipe, source, sink, settings, scenario; thermal (settings.thermal), ground_region, "
            "wall_layer, after_cooler, preheater"
        ),
    ],
) -> None:
    """Show the fields of a component type with units, defaults and bounds."""
    from ..model.describe import field_table

    def go() -> None:
        rows = field_table(kind)
        cols = [("type", "text"), ("unit", "id"), ("default", "text"), ("bounds", "text"), ("description", "text")]
        t = compact_table(f"{kind} fields", "field", cols)
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
