"""``linepack run``: solve a steady state and print its summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import InputError
from .common import (
    CsOpt,
    DecisionOpt,
    DecisionsOpt,
    FileArg,
    FixedLossOpt,
    GaslibOptions,
    NominationOpt,
    ReferenceOpt,
    ScenarioOpt,
    guard,
    network_from,
    out,
    refuse_overwriting,
    say,
    scenario_of,
)


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
    thermal: Annotated[
        bool,
        typer.Option(
            "--thermal",
            help="non-isothermal: ground heat exchange, Joule-Thomson, compressors and coolers (docs/thermal.md)",
        ),
    ] = False,
    season: Annotated[
        str | None,
        typer.Option("--season", help="with --thermal: season of the ground temperatures (e.g. summer, winter)"),
    ] = None,
) -> None:
    """Solve the steady state and print a summary (deliveries, compressors, throughput, linepack).

    --thermal solves it non-isothermally (settings.thermal.mode: non_isothermal; the file's own setting does the
    same) and adds temperatures, after-cooler and preheater duties.

    A GasLib .net is read with its nomination (--nomination), station data (--cs) and one decision of its
    .cdf (--decisions, --decision); docs/gaslib.md gives the mapping rules.
    """
    from ..report import print_summary
    from ..solvers.steady import solve_steady

    def go() -> None:
        if output is not None and output.suffix.lower() not in (".json", ".csv"):
            raise InputError(f"--output {output}: unknown result file type '{output.suffix}'; use .json or .csv")
        refuse_overwriting(
            {"network": file, "--nomination": nomination, "--decisions": decisions, "--cs": cs}, {"--output": output}
        )
        if season is not None and not thermal:
            raise InputError(f"--season {season}: the season of the ground temperatures needs --thermal; add --thermal")
        net = network_from(file, GaslibOptions(nomination, decisions, decision, cs, reference, fixed_loss))
        if thermal:
            from ..thermal.coupling import with_thermal

            net = with_thermal(net, season)
        result = solve_steady(net, scenario_of(net, scenario))
        if quiet:
            out.print(
                f"scenario {result.network.scenario}: converged in {result.iterations} iterations, "
                f"{len(result.violations)} violation(s)"
            )
        else:
            print_summary(result, out)
            if result.thermal is not None:
                from ..thermal.report import print_temperatures

                ground = net.settings.thermal.season or "all-season"
                say(
                    f"non-isothermal ({ground} ground): temperatures and hydraulics coupled in "
                    f"{result.outer_iterations} rounds"
                )
                print_temperatures(out, result.network, result.p_barg, result.thermal)
        if output is not None:
            result.save(output)
            out.print(f"result written to {output}")

    guard(go)
