"""The ``linepack`` command line: a thin layer over the public API.

Exit codes: 0 success, 1 bad input (file, field, option), 3 no feasible or converged solution,
4 internal error (please report it; set LINEPACK_DEBUG=1 for the traceback).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .cli_study import study_app
from .errors import ConvergenceError, InputError, LinepackError
from .io.native import load_default_network, load_network
from .model.network import Network

app = typer.Typer(
    name="linepack",
    help="Gas transmission network simulation. With no FILE, commands use the embedded Pakistan Stream network.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
plot_app = typer.Typer(
    help="Plots (need the optional extra: pip install 'linepack[plot]').", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(plot_app, name="plot")
app.add_typer(study_app, name="study")

out = Console()
err = Console(stderr=True)
T = TypeVar("T")

EXIT_INPUT, EXIT_INFEASIBLE, EXIT_INTERNAL = 1, 3, 4


def _guard(fn: Callable[[], T]) -> T:
    """Run ``fn``; turn linepack errors into a message and an exit code, never a traceback."""
    try:
        return fn()
    except ConvergenceError as exc:
        err.print(Text("no solution: ", style="bold red") + Text(str(exc)), highlight=False)
        raise typer.Exit(EXIT_INFEASIBLE) from None
    except LinepackError as exc:
        problems = getattr(exc, "problems", [str(exc)])
        head = f"error: {len(problems)} problems found" if len(problems) > 1 else "error:"
        err.print(Text(head, style="bold red"), highlight=False)
        for p in problems:
            err.print(Text(f"  - {p}"), highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    except typer.Exit:
        raise
    except OSError as exc:
        err.print(f"[bold red]error:[/] {exc.strerror or exc}: {exc.filename or ''}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    except Exception as exc:  # an internal error: say so plainly
        if os.environ.get("LINEPACK_DEBUG"):
            raise
        err.print(
            Text("internal error: ", style="bold red")
            + Text(
                f"{type(exc).__name__}: {exc}. This is a bug in linepack; rerun with LINEPACK_DEBUG=1 for the "
                "traceback and report it."
            ),
            highlight=False,
        )
        raise typer.Exit(EXIT_INTERNAL) from None


def _network(file: Path | None, gaslib: GaslibOptions | None = None) -> Network:
    if file is None:
        if gaslib is not None and gaslib.given():
            raise InputError("--nomination, --decisions, --decision, --cs and --reference apply to a GasLib .net file")
        return load_default_network()
    if file.suffix.lower() == ".net":
        return (gaslib or GaslibOptions()).load(file)
    if gaslib is not None and gaslib.given():
        raise InputError(
            f"{file}: GasLib options need a GasLib .net file, not {file.suffix or 'a file without suffix'}"
        )
    return load_network(file)


class GaslibOptions:
    """The GasLib files and choices that go with a .net file."""

    def __init__(
        self,
        nomination: Path | None = None,
        decisions: Path | None = None,
        decision: list[str] | None = None,
        cs: Path | None = None,
        reference: list[str] | None = None,
        fixed_loss: str = "resistor",
        zone_references: bool = True,
    ) -> None:
        self.nomination, self.decisions, self.decision, self.cs = nomination, decisions, decision or [], cs
        self.reference, self.fixed_loss, self.zone_references = reference or [], fixed_loss, zone_references

    def given(self) -> bool:
        return any([self.nomination, self.decisions, self.decision, self.cs, self.reference])

    def _references(self) -> list[str | tuple[str, float]] | None:
        refs: list[str | tuple[str, float]] = []
        for item in self.reference:
            node, sep, value = item.partition("=")
            if not sep:
                refs.append(node)
                continue
            try:
                refs.append((node, float(value)))
            except ValueError:
                raise InputError(f"--reference {item}: the pressure must be a number in barg, e.g. {node}=70") from None
        return refs or None

    def load(self, net_path: Path) -> Network:
        from .io.gaslib import apply_decision, operating_decisions, read_gaslib

        if self.fixed_loss not in ("error", "short_pipe", "resistor"):
            raise InputError(f"--fixed-loss {self.fixed_loss}: choose resistor, short_pipe or error")
        if self.decision and self.decisions is None:
            raise InputError("--decision needs --decisions FILE.cdf")
        case = read_gaslib(
            net_path,
            self.nomination,
            self.decisions,
            self.cs,
            reference=self._references(),
            fixed_loss=self.fixed_loss,
            zone_references=self.zone_references,
        )
        for w in case.warnings:
            err.print(Text(f"warning: {w}", style="yellow"), highlight=False)
        if self.decisions is None:
            return case.network
        chosen: list[int | str] = list(self.decision) or list(operating_decisions(case))
        return apply_decision(case, chosen)


def _scenario(net: Network, scenario: str | None) -> str | None:
    return scenario if scenario is not None else net.default_scenario


FileArg = Annotated[
    Path | None, typer.Argument(help="network file (.yaml, .json or GasLib .net); default: embedded PSGP")
]
NominationOpt = Annotated[Path | None, typer.Option("--nomination", help="GasLib nomination (.scn) for a .net")]
DecisionsOpt = Annotated[
    Path | None,
    typer.Option(
        "--decisions",
        help="GasLib combined decisions (.cdf); without --decision one per group is applied (docs/gaslib.md)",
    ),
]
DecisionOpt = Annotated[
    list[str] | None, typer.Option("--decision", help="decision id (or index) of the .cdf to apply; repeatable")
]
CsOpt = Annotated[Path | None, typer.Option("--cs", help="GasLib compressor-station data (.cs) for station limits")]
ReferenceOpt = Annotated[
    list[str] | None,
    typer.Option("--reference", help="GasLib node held at a fixed pressure: NODE or NODE=P_BARG; one per island"),
]
FixedLossOpt = Annotated[
    str,
    typer.Option("--fixed-loss", help="GasLib fixed-loss resistors: resistor (default), short_pipe or error"),
]
ScenarioOpt = Annotated[str | None, typer.Option("--scenario", "-s", help="scenario name (see `linepack scenarios`)")]


@app.command()
def run(
    file: FileArg = None,
    scenario: ScenarioOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write the full result (.json or .csv)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="print only the one-line status")] = False,
    nomination: NominationOpt = None,
    decisions: DecisionsOpt = None,
    decision: DecisionOpt = None,
    cs: CsOpt = None,
    reference: ReferenceOpt = None,
    fixed_loss: FixedLossOpt = "resistor",
) -> None:
    """Solve the steady state and print a summary (deliveries, compressors, throughput, linepack).

    A GasLib .net is read with its nomination (--nomination), station data (--cs) and one decision of its
    .cdf (--decisions, --decision); docs/gaslib.md gives the mapping rules.
    """
    from .report import print_summary
    from .solvers.steady import solve_steady

    def go() -> None:
        if output is not None and output.suffix.lower() not in (".json", ".csv"):
            raise InputError(f"--output {output}: unknown result file type '{output.suffix}'; use .json or .csv")
        net = _network(file, GaslibOptions(nomination, decisions, decision, cs, reference, fixed_loss))
        result = solve_steady(net, _scenario(net, scenario))
        if quiet:
            out.print(
                f"scenario {result.network.scenario}: converged in {result.iterations} iterations, "
                f"{len(result.violations)} violation(s)"
            )
        else:
            print_summary(result, out)
        if output is not None:
            result.save(output)
            out.print(f"result written to {output}")

    _guard(go)


@app.command()
def scenarios(file: FileArg = None) -> None:
    """List the scenarios of a network."""

    def go() -> None:
        net = _network(file)
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

    _guard(go)


@app.command()
def validate(file: Annotated[Path, typer.Argument(help="network file to check (.yaml or .json)")]) -> None:
    """Check a network file: fields, units, references, scenarios; print every problem found."""

    def go() -> None:
        net = load_network(file)
        net.validate()
        from .compile import compile_network

        names: list[str | None] = [*net.scenarios] or [None]
        for name in names:
            compile_network(net, name, use_default=False)  # units, gas and physics settings per scenario
        n = sum(len(c) for c in net.collections.values())
        out.print(f"[green]valid:[/] {file} ({n} components, {len(net.scenarios)} scenarios)")

    _guard(go)


@app.command()
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
    from .model.describe import field_table

    def go() -> None:
        rows = field_table(kind)
        t = Table(title=f"{kind} fields")
        for col in ("field", "type", "unit", "default", "bounds", "description"):
            t.add_column(col, overflow="fold")
        for r in rows:
            t.add_row(*(r[c] for c in ("field", "type", "unit", "default", "bounds", "description")))
        out.print(t)

    _guard(go)


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write to this file")] = None,
) -> None:
    """Print (or write) the JSON Schema of the native network format."""
    from .io.atomic import atomic_write_text
    from .model.describe import network_json_schema

    def go() -> None:
        text = json.dumps(network_json_schema(), indent=2)
        if output is None:
            sys.stdout.write(text + "\n")
        else:
            atomic_write_text(output, text + "\n")
            out.print(f"schema written to {output}")

    _guard(go)


@app.command()
def convert(
    source: Annotated[Path, typer.Argument(help="input: GasLib .net, or a native .yaml/.json")],
    target: Annotated[Path, typer.Argument(help="output: native .yaml/.json, or GasLib .net")],
    nomination: NominationOpt = None,
    decisions: DecisionsOpt = None,
    decision: DecisionOpt = None,
    cs: CsOpt = None,
    reference: ReferenceOpt = None,
    fixed_loss: FixedLossOpt = "resistor",
    scenario: ScenarioOpt = None,
    scn: Annotated[Path | None, typer.Option("--scn", help="with a .net target: also write the nomination")] = None,
    cs_out: Annotated[
        Path | None, typer.Option("--cs-out", help="with a .net target: also write the station data (.cs)")
    ] = None,
    cdf_out: Annotated[
        Path | None, typer.Option("--cdf-out", help="with a .net target: also write the element states (.cdf)")
    ] = None,
    solve: Annotated[
        bool, typer.Option("--solve", help="with a .net target: nominate the solved supplies of pressure-held sources")
    ] = False,
) -> None:
    """Convert between GasLib (.net with .scn, .cs, .cdf) and the native format (.yaml or .json)."""
    from .io.native import save_network

    def go() -> None:
        suffix = target.suffix.lower()
        if suffix in (".yaml", ".yml", ".json"):
            net = _network(source, GaslibOptions(nomination, decisions, decision, cs, reference, fixed_loss))
            save_network(net, target)
        elif suffix == ".net":
            from .io.gaslib import network_to_gaslib, write_gaslib
            from .solvers.steady import solve_steady

            net = _network(source, GaslibOptions(nomination, decisions, decision, cs, reference, fixed_loss))
            name = _scenario(net, scenario)
            result = solve_steady(net, name) if solve else None
            case = network_to_gaslib(net, name, result=result)
            for w in case.warnings:
                err.print(Text(f"warning: {w}", style="yellow"), highlight=False)
            write_gaslib(case, target, scn, cs_out, cdf_out)
        else:
            raise InputError(f"{target}: unknown target type '{target.suffix}'; use .yaml, .json or .net")
        extra = [str(f) for f in (scn, cs_out, cdf_out) if f is not None] if suffix == ".net" else []
        out.print(f"written {target}" + (f" with {', '.join(extra)}" if extra else ""))

    _guard(go)


@plot_app.command("profile")
def plot_profile_cmd(
    file: FileArg = None,
    scenario: ScenarioOpt = None,
    route: Annotated[
        str | None, typer.Option(help="comma-separated waypoint node ids; default: the PSGP corridor")
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="PNG file to write")] = Path("profile.png"),
) -> None:
    """Plot the pressure profile along a route as a PNG."""
    from .plot.profile import plot_profile
    from .route import PSGP_CORRIDOR
    from .solvers.steady import solve_steady

    def go() -> None:
        if output.suffix.lower() != ".png":
            raise InputError(f"--output {output}: the profile is written as PNG; use a .png file name")
        net = _network(file)
        result = solve_steady(net, _scenario(net, scenario))
        waypoints: Any = [w.strip() for w in route.split(",") if w.strip()] if route else PSGP_CORRIDOR
        plot_profile(result, output, waypoints)
        out.print(f"profile written to {output}")

    _guard(go)


from .cli_web import serve as _serve  # noqa: E402  (the web command lives in its own module)

app.command("serve")(_serve)

from .cli_optimize import optimize_app  # noqa: E402 (after the shared options it imports)

app.add_typer(optimize_app, name="optimize")


from .cli_transient import transient as _transient  # noqa: E402

app.command("transient")(_transient)


def main() -> None:  # pragma: no cover
    app()
