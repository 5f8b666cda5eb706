"""``linepack convert``: GasLib (.net with .scn, .cs, .cdf) to the native format and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from ..errors import InputError
from .common import (
    CsOpt,
    DecisionOpt,
    DecisionsOpt,
    FixedLossOpt,
    GaslibOptions,
    NominationOpt,
    ReferenceOpt,
    ScenarioOpt,
    err,
    guard,
    network_from,
    out,
    refuse_overwriting,
    save_any,
    scenario_of,
)


def convert(
    source: Annotated[Path, typer.Argument(help="input: native .yaml/.json, .geojson, .gpkg, MATGAS .m, GasLib .net")],
    target: Annotated[Path, typer.Argument(help="output: native .yaml/.json, .geojson, .gpkg, MATGAS .m, GasLib .net")],
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
    """Convert between the native format (.yaml/.json), GIS (.geojson, GeoPackage .gpkg), MATGAS (.m,
    GasModels.jl) and GasLib (.net with .scn, .cs, .cdf)."""

    def go() -> None:
        refuse_overwriting(
            {"input": source, "--nomination": nomination, "--decisions": decisions, "--cs": cs},
            {"output": target, "--scn": scn, "--cs-out": cs_out, "--cdf-out": cdf_out},
        )
        suffix = target.suffix.lower()
        if suffix in (".yaml", ".yml", ".json", ".geojson", ".gpkg", ".m"):
            gl = GaslibOptions(nomination, decisions, decision, cs, reference, fixed_loss)
            save_any(network_from(source, gl, flows_needed=False), target)
        elif suffix == ".net":
            from ..io.gaslib import network_to_gaslib, write_gaslib
            from ..solvers.steady import solve_steady

            gl = GaslibOptions(nomination, decisions, decision, cs, reference, fixed_loss)
            net = network_from(source, gl, flows_needed=solve)
            name = scenario_of(net, scenario)
            result = solve_steady(net, name) if solve else None
            case = network_to_gaslib(net, name, result=result)
            for w in case.warnings:
                err.print(Text(f"warning: {w}", style="yellow"), highlight=False)
            write_gaslib(case, target, scn, cs_out, cdf_out)
        else:
            raise InputError(
                f"{target}: unknown target type '{target.suffix}'; use .yaml, .json, .geojson, .gpkg, .m or .net"
            )
        extra = [str(f) for f in (scn, cs_out, cdf_out) if f is not None] if suffix == ".net" else []
        out.print(f"written {target}" + (f" with {', '.join(extra)}" if extra else ""))

    guard(go)
