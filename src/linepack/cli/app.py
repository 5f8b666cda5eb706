"""The ``linepack`` application: every command registered from its own module."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import EXIT_CODES
from .convert import convert
from .estimate import estimate, leak_detect, scada_app
from .info import describe, scenarios, schema, validate
from .optimize import optimize_app
from .plot import plot_app
from .serve import serve
from .steady import run
from .study import study_app
from .supply import supply_app
from .thermal import thermal
from .transient import transient

app = typer.Typer(
    name="linepack",
    help="Gas transmission network simulation. With no FILE, commands use the embedded Pakistan Stream network.",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from .._version import __version__

        typer.echo(f"linepack {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", help="print the version and exit", callback=_version, is_eager=True)
    ] = False,
) -> None:
    """Gas transmission network simulation. With no FILE, commands use the embedded Pakistan Stream network."""


for command in (run, scenarios, validate, describe, schema, convert):
    app.command()(command)
app.command("transient")(transient)
app.command("thermal")(thermal)
app.command("estimate")(estimate)
app.command("leak-detect")(leak_detect)
app.command("serve")(serve)
app.add_typer(plot_app, name="plot")
app.add_typer(study_app, name="study")
app.add_typer(optimize_app, name="optimize")
app.add_typer(scada_app, name="scada")
app.add_typer(supply_app, name="supply")


def main() -> None:  # pragma: no cover
    app()
