"""What every ``linepack`` command shares: the consoles, the error guard, network loading and common options.

Commands live in their own modules of this package and import from here, never from each other.
Exit codes: 0 success, 1 bad input (file, field, option), 2 usage error (unknown option or command, from
the command-line parser), 3 no feasible or converged solution, 4 internal error (please report it; set
LINEPACK_DEBUG=1 for the traceback).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from ..errors import ConvergenceError, InputError, LinepackError

if TYPE_CHECKING:
    from ..model.network import Network

# Messages are printed unwrapped (soft_wrap): a message or an id is never cut or folded at the terminal's
# width, so what is printed does not depend on the terminal (or on the length of a temporary path).
out = Console()
err = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")

EXIT_INPUT, EXIT_USAGE, EXIT_INFEASIBLE, EXIT_INTERNAL = 1, 2, 3, 4
EXIT_CODES = (
    "Exit codes: 0 success; 1 bad input (the message names component, field, value and fix); 2 usage error "
    "(unknown command or option, missing argument); 3 no feasible or converged solution (with a diagnosis); "
    "4 internal error (a bug: rerun with LINEPACK_DEBUG=1 and report the traceback)."
)


def say(text: str, style: str = "", console: Console | None = None) -> None:
    """Print one message line unwrapped (ids and numbers are never cut or folded at the terminal's width), with
    control characters escaped (:func:`safe_text`)."""
    (console or out).print(Text(safe_text(text), style=style), highlight=False, soft_wrap=True)


def safe_text(text: object) -> str:
    """``text`` with control characters escaped (newlines kept), so nothing read from a file can send
    escape sequences to the terminal."""
    from ..model.strict import shown  # imported here: the schemas (pydantic) stay out of `--help`

    return "\n".join(shown(line, limit=100_000).replace("\r", "\\r") for line in str(text).split("\n"))


def _show_warning(
    message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None, line: Any = None
) -> None:
    """Warnings (numpy's floating-point ones among them) as one line each, without the source line."""
    err.print(Text(f"warning: {safe_text(message)} ({category.__name__})", style="yellow"), highlight=False)


def guard(fn: Callable[[], T]) -> T:
    """Run ``fn``; turn linepack errors into a message and an exit code, never a traceback."""
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return fn()
    except ConvergenceError as exc:
        err.print(Text("no solution: ", style="bold red") + Text(safe_text(exc)), highlight=False)
        raise typer.Exit(EXIT_INFEASIBLE) from None
    except LinepackError as exc:
        problems = getattr(exc, "problems", [str(exc)])
        head = f"error: {len(problems)} problems found" if len(problems) > 1 else "error:"
        err.print(Text(head, style="bold red"), highlight=False)
        for p in problems:
            err.print(Text(f"  - {safe_text(p)}"), highlight=False)
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
                f"{type(exc).__name__}: {safe_text(exc)}. This is a bug in linepack; rerun with LINEPACK_DEBUG=1 "
                "for the traceback and report it."
            ),
            highlight=False,
        )
        raise typer.Exit(EXIT_INTERNAL) from None


def refuse_overwriting(inputs: dict[str, Path | None], outputs: dict[str, Path | None]) -> None:
    """:class:`InputError` when an output file would overwrite an input file or another output."""
    from ..io.atomic import same_file

    given_in = [(k, v) for k, v in inputs.items() if v is not None]
    given_out = [(k, v) for k, v in outputs.items() if v is not None]
    for i, (oname, opath) in enumerate(given_out):
        for iname, ipath in given_in:
            if same_file(opath, ipath):
                raise InputError(
                    f"{oname} {opath} is the {iname} file being read; writing it would overwrite the input: "
                    "give another output path"
                )
        for oname2, opath2 in given_out[:i]:
            if same_file(opath, opath2):
                raise InputError(f"{oname} and {oname2} are the same file ({opath}); give two different paths")


def network_from(file: Path | None, gaslib: GaslibOptions | None = None, *, flows_needed: bool = True) -> Network:
    """The network of a command: the embedded default, a native file, or a GasLib .net with its options.

    A GasLib .net without a nomination has no flows: an error where the command solves (``flows_needed``),
    a loud warning otherwise (``convert`` of the topology alone).
    """
    from ..io.native import load_default_network

    if file is None:
        if gaslib is not None and gaslib.given():
            raise InputError("--nomination, --decisions, --decision, --cs and --reference apply to a GasLib .net file")
        return load_default_network()
    if file.suffix.lower() == ".net":
        return (gaslib or GaslibOptions()).load(file, flows_needed=flows_needed)
    if gaslib is not None and gaslib.given():
        raise InputError(
            f"{file}: GasLib options need a GasLib .net file, not {file.suffix or 'a file without suffix'}"
        )
    return load_any(file)


def load_any(file: Path) -> Network:
    """A network from a native (.yaml/.json), GIS (.geojson/.gpkg) or MATGAS (.m) file, by suffix."""
    from ..io.native import load_network

    suffix = file.suffix.lower()
    if suffix == ".geojson":
        from ..io.geo import read_geojson

        return read_geojson(file)
    if suffix == ".gpkg":
        from ..io.geo import read_geopackage

        return read_geopackage(file)
    if suffix == ".m":
        from ..io.matgas import read_matgas

        return read_matgas(file)
    return load_network(file)


def save_any(network: Network, target: Path) -> None:
    """Write a network as native (.yaml/.json), GIS (.geojson/.gpkg) or MATGAS (.m), by suffix."""
    suffix = target.suffix.lower()
    if suffix == ".geojson":
        from ..io.geo import write_geojson

        write_geojson(network, target)
    elif suffix == ".gpkg":
        from ..io.geo import write_geopackage

        write_geopackage(network, target)
    elif suffix == ".m":
        from ..io.matgas import write_matgas

        write_matgas(network, target)
    else:
        from ..io.native import save_network

        save_network(network, target)


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

    def load(self, net_path: Path, *, flows_needed: bool = True) -> Network:
        from ..io.gaslib import apply_decision, operating_decisions, read_gaslib, require_nomination

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
        if flows_needed:
            require_nomination(case, net_path.name)
        elif case.nomination is None:
            err.print(
                Text(
                    f"WARNING: {net_path.name} was read without a nomination (--nomination FILE.scn): every entry "
                    "and exit carries zero flow in the converted network",
                    style="bold yellow",
                ),
                highlight=False,
            )
        for w in case.warnings:
            err.print(Text(f"warning: {w}", style="yellow"), highlight=False)
        if self.decisions is None:
            return case.network
        chosen: list[int | str] = list(self.decision) or list(operating_decisions(case))
        return apply_decision(case, chosen)


def scenario_of(net: Network, scenario: str | None) -> str | None:
    return scenario if scenario is not None else net.default_scenario


FileArg = Annotated[
    Path | None,
    typer.Argument(help="network file (.yaml/.json, .geojson, .gpkg, MATGAS .m, GasLib .net); default: embedded PSGP"),
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


def serve_routes(make_routes: Callable[[], Any], page: str, what: str, port: int) -> None:
    """Serve the web app on the loopback interface with the result routes ``make_routes()`` gives (it imports the
    view module, so a missing web extra is reported here) and say where ``what`` is: ``<address><page>``."""
    try:
        from ..web.app import LOOPBACK_NAMES, create_app
        from ..web.server import address, bind, run

        routes = make_routes()
    except ImportError as exc:
        raise InputError(f"--serve needs the web extra ({exc.name} is missing): pip install 'linepack[web]'") from None
    sock = bind("127.0.0.1", port)
    app = create_app(allowed_hosts=LOOPBACK_NAMES, extra_routes=routes)
    out.print(f"{what} at {address(sock)}{page} (Ctrl-C stops it)", highlight=False)
    run(app, sock)
