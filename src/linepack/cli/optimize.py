"""``linepack optimize ...``: optimal gas flow, dispatch, capacity, load shedding, expansion, nomination checks.

Needs the optional extra: ``pip install 'linepack[optimize]'`` (casadi with IPOPT).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import InputError
from .common import (
    CsOpt,
    FileArg,
    FixedLossOpt,
    GaslibOptions,
    NominationOpt,
    ReferenceOpt,
    ScenarioOpt,
    guard,
    network_from,
    out,
    scenario_of,
)

optimize_app = typer.Typer(
    help="Optimisation and planning (needs the optional extra: pip install 'linepack[optimize]').",
    no_args_is_help=True,
    rich_markup_mode=None,
)

OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="write the result as JSON")]
NoCheckOpt = Annotated[
    bool, typer.Option("--no-check", help="skip the verification of the optimum by the steady-state solver")
]
FormulationOpt = Annotated[
    str,
    typer.Option(
        "--formulation", help="nlp (exact physics, casadi + IPOPT) or milp (piecewise-linear pipe law, HiGHS)"
    ),
]
BreakpointsOpt = Annotated[
    int, typer.Option("--breakpoints", help="milp: breakpoints of the piecewise-linear q|q| (odd, >= 3)")
]
PolishOpt = Annotated[bool, typer.Option("--polish", help="milp: re-solve exactly by the NLP and report the gap")]


def _milp_options(formulation: str, breakpoints: int) -> Any:
    if formulation not in ("nlp", "milp"):
        raise InputError(f"--formulation must be nlp or milp (got '{formulation}')")
    if formulation == "nlp":
        return None
    from ..optimize.formulations.milp import MilpOptions

    opts = MilpOptions(breakpoints=breakpoints)
    opts.check()
    return opts


def _pairs(items: list[str] | None, what: str) -> dict[str, float]:
    outd: dict[str, float] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"{what} {item}: write NAME=VALUE (for example {what} EETL_FSRU.supply=9.5)")
        try:
            outd[key] = float(value)
        except ValueError:
            raise InputError(f"{what} {item}: the value must be a number") from None
    return outd


def _compiled(file: Path | None, scenario: str | None, gl: GaslibOptions) -> Any:
    from ..compile import compile_network

    net = network_from(file, gl)
    return compile_network(net, scenario_of(net, scenario))


def _finish(res: Any, output: Path | None, no_check: bool, problem: Any = None) -> None:
    from ..optimize import newton_check
    from ..optimize.report import print_report

    check = None
    if not no_check and res.formulation.startswith("milp (") and "polished" not in res.formulation:
        from ..optimize.solve_milp import milp_assessment, milp_newton_check

        check = milp_newton_check(res)
        if problem is not None:
            res = replace(res, notes=(*res.notes, *milp_assessment(problem, res, check)))
    elif not no_check:
        check = newton_check(
            res.network, res.p_pa, res.q_kg_s, res.supply_kg_s, res.delivered_kg_s, configs=res.station_configs
        )
    print_report(res, out, check)
    if output is not None:
        res.to_json(output)
        out.print(f"result written to {output}")


def _run(make: Callable[[Any], tuple[Any, Any]], file: Path | None, scenario: str | None, gl: GaslibOptions,
         output: Path | None, no_check: bool, formulation: str = "nlp", breakpoints: int = 17,
         polish: bool = False) -> None:  # fmt: skip
    def go() -> None:
        from ..optimize import solve_problem

        if output is not None and output.suffix.lower() != ".json":
            raise InputError(f"--output {output}: results are written as JSON; give a .json file")
        milp = _milp_options(formulation, breakpoints)
        cn, problem = make(_compiled(file, scenario, gl))
        if milp is None:
            _finish(solve_problem(cn, problem), output, no_check)
        else:
            from ..optimize.solve_milp import solve_problem_milp

            _finish(solve_problem_milp(cn, problem, milp, polish=polish), output, no_check, problem)

    guard(go)


@optimize_app.command()
def fuel(
    file: FileArg = None,
    scenario: ScenarioOpt = None,
    objective: Annotated[str, typer.Option("--objective", help="fuel, power or cost")] = "fuel",
    fuel_price: Annotated[float, typer.Option("--fuel-price", help="USD/MMBtu, for --objective cost")] = 10.0,
    output: OutputOpt = None,
    no_check: NoCheckOpt = False,
    formulation: FormulationOpt = "nlp",
    breakpoints: BreakpointsOpt = 17,
    polish: PolishOpt = False,
    nomination: NominationOpt = None,
    cs: CsOpt = None,
    reference: ReferenceOpt = None,
    fixed_loss: FixedLossOpt = "resistor",
) -> None:
    """Optimal gas flow: least compressor fuel (or power, or fuel cost) for the scenario's demands and supplies."""
    from ..optimize import min_fuel

    gl = GaslibOptions(nomination, None, None, cs, reference, fixed_loss, zone_references=False)
    _run(
        lambda cn: (cn, min_fuel(cn, objective, fuel_price)),
        file, scenario, gl, output, no_check, formulation, breakpoints, polish,
    )  # fmt: skip


@optimize_app.command()
def dispatch(
    file: FileArg = None,
    scenario: ScenarioOpt = None,
    price: Annotated[
        list[str] | None, typer.Option("--price", help="SOURCE=USD_PER_MMBTU; repeatable (defaults: costs.yaml)")
    ] = None,
    supply_min: Annotated[list[str] | None, typer.Option("--min", help="SOURCE=MMSCFD minimum supply")] = None,
    supply_max: Annotated[list[str] | None, typer.Option("--max", help="SOURCE=MMSCFD maximum supply")] = None,
    fuel_price: Annotated[float | None, typer.Option("--fuel-price", help="USD/MMBtu (default: costs.yaml)")] = None,
    output: OutputOpt = None,
    no_check: NoCheckOpt = False,
    formulation: FormulationOpt = "nlp",
    breakpoints: BreakpointsOpt = 17,
    polish: PolishOpt = False,
) -> None:
    """Least-cost supply: sources between minimum and capacity at their prices, compressors as decisions.

    Prices, minimum supplies and flexible demand ranges come from the network file where it gives them
    (Source.price_usd_per_mmbtu, supply_min; Sink.demand_min/demand_max with value_usd_per_mmbtu); --price,
    --min and --max override them; sources with no price anywhere take the defaults of linepack/data/costs.yaml
    (LNG for ids naming LNG or an FSRU, domestic gas otherwise; both tagged A)."""
    from ..optimize import dispatch as make_dispatch
    from ..optimize.economics import Economics

    def make(cn: Any) -> Any:
        econ = Economics.default()
        given = _pairs(price, "--price")
        unknown = [s for s in given if s not in cn.source_ids]
        if unknown:
            raise InputError(f"--price: no source {', '.join(unknown)}; sources: {', '.join(cn.source_ids)}")
        from ..optimize.problems import file_prices

        in_file = file_prices(cn)
        prices = {s: given.get(s, in_file.get(s, econ.default_supply_price_usd_per_mmbtu(s))) for s in cn.source_ids}
        fp = fuel_price if fuel_price is not None else econ.fuel_usd_per_mmbtu
        return cn, make_dispatch(cn, prices, fp, _pairs(supply_min, "--min"), _pairs(supply_max, "--max"))

    _run(make, file, scenario, GaslibOptions(), output, no_check, formulation, breakpoints, polish)


@optimize_app.command()
def capacity(
    file: FileArg = None,
    scenario: ScenarioOpt = None,
    sink: Annotated[
        list[str] | None,
        typer.Option("--sink", help="sink (or its node) to deliver to; repeatable (default PSGP: KASUR, LAHORE)"),
    ] = None,
    output: OutputOpt = None,
    no_check: NoCheckOpt = False,
    formulation: FormulationOpt = "nlp",
    breakpoints: BreakpointsOpt = 17,
    polish: PolishOpt = False,
) -> None:
    """Largest delivery to the chosen sinks (in proportion to their demands) and the limiting constraints."""
    from ..optimize import capacity as make_capacity

    def make(cn: Any) -> Any:
        sinks = sink or (["KASUR.demand", "LAHORE.demand"] if file is None else [])
        if not sinks:
            raise InputError("capacity: name the sinks with --sink (for example --sink KASUR.demand)")
        return cn, make_capacity(cn, sinks)

    _run(make, file, scenario, GaslibOptions(), output, no_check, formulation, breakpoints, polish)


@optimize_app.command()
def shed(
    file: FileArg = None,
    scenario: ScenarioOpt = None,
    outage: Annotated[
        list[str] | None, typer.Option("--outage", help="source out of service (no supply); repeatable")
    ] = None,
    supply_scale: Annotated[
        float, typer.Option("--supply-scale", help="multiplier on every source's inflow and capacity")
    ] = 1.0,
    penalty: Annotated[
        list[str] | None,
        typer.Option("--penalty", help="CLASS=USD_PER_MMBTU not served (city_gate, power_plant, fertiliser, industry)"),
    ] = None,
    output: OutputOpt = None,
    no_check: NoCheckOpt = False,
    formulation: FormulationOpt = "nlp",
    breakpoints: BreakpointsOpt = 17,
    polish: PolishOpt = False,
) -> None:
    """Load shedding by priority class when supply is short (for example LNG cargoes late: --outage SOURCE)."""
    from ..optimize import shed as make_shed

    def make(cn: Any) -> Any:
        if supply_scale <= 0:
            raise InputError(f"--supply-scale must be > 0 (got {supply_scale})")
        inflow = cn.source_inflow * supply_scale
        cap = cn.source_capacity * supply_scale
        for sid in outage or []:
            if sid not in cn.source_ids:
                raise InputError(f"--outage {sid}: no such source; sources: {', '.join(cn.source_ids)}")
            k = cn.source_ids.index(sid)
            inflow[k] = 0.0
            cap[k] = 0.0
        short = replace(cn, source_inflow=inflow, source_capacity=cap)
        return short, make_shed(short, _pairs(penalty, "--penalty"))

    _run(make, file, scenario, GaslibOptions(), output, no_check, formulation, breakpoints, polish)


@optimize_app.command()
def nomination(
    file: Annotated[Path, typer.Argument(help="GasLib .net (or any network file)")],
    nomination: NominationOpt = None,
    decisions: Annotated[
        Path | None,
        typer.Option("--decisions", help="GasLib .cdf: the combined decisions that restrict the modes searched"),
    ] = None,
    enumerate_: Annotated[
        bool, typer.Option("--enumerate", help="with --decisions: try every combination of the .cdf decisions by NLP")
    ] = False,
    time_limit: Annotated[float, typer.Option("--time-limit", help="CPU seconds for the whole search")] = 120.0,
    cs: CsOpt = None,
    reference: ReferenceOpt = None,
    fixed_loss: FixedLossOpt = "resistor",
    scenario: ScenarioOpt = None,
    output: OutputOpt = None,
    no_check: NoCheckOpt = False,
) -> None:
    """Nomination validation: an operating mode (valves open or closed, control valves and stations active,
    bypassed or closed) and settings meeting every limit. Searches the modes as given, then the modes a MILP
    chooses (within the .cdf decisions when given), then reports the least violation; every step is listed with
    its outcome and time. Exit code 3 when nothing feasible is found."""
    from ..optimize.validate import validate_nomination

    gl = GaslibOptions(nomination, None, None, cs, reference, fixed_loss, zone_references=False)

    def go() -> None:
        if output is not None and output.suffix.lower() != ".json":
            raise InputError(f"--output {output}: results are written as JSON; give a .json file")
        if time_limit <= 0:
            raise InputError(f"--time-limit must be > 0 s (got {time_limit})")
        if decisions is not None and enumerate_:
            _search(file, decisions, gl, output, no_check)
            return
        case = None
        if decisions is not None:
            from ..io.gaslib import read_gaslib

            if file.suffix.lower() != ".net":
                raise InputError(f"--decisions needs a GasLib .net file, not {file}")
            case = read_gaslib(file, gl.nomination, decisions, gl.cs, fixed_loss=gl.fixed_loss, zone_references=False)
            net = case.network
        else:
            net = network_from(file, gl)
        found = validate_nomination(net, case, scenario_of(net, scenario), time_limit_s=time_limit)
        out.print("Searched:", highlight=False)
        for a in found.attempts:
            out.print(f"  - {a.what}: {a.outcome} ({a.cpu_s:.1f} s CPU)", highlight=False)
        verdict = "feasible" if found.feasible else "no feasible mode and settings found within the model"
        out.print(f"{verdict} ({found.cpu_s:.1f} s CPU in all)", highlight=False)
        for n in found.notes:
            out.print(f"  {n}", highlight=False)
        if found.result is not None:
            if not found.feasible:
                out.print("The settings that violate the pressure limits least (modes as given):")
            _finish(found.result, output, no_check)
        if not found.feasible:
            raise typer.Exit(3)

    guard(go)


def _search(file: Path, cdf: Path, gl: GaslibOptions, output: Path | None, no_check: bool) -> None:
    from ..io.gaslib import read_gaslib
    from ..optimize.decisions import search_decisions

    if file.suffix.lower() != ".net":
        raise InputError(f"--decisions needs a GasLib .net file, not {file}")
    case = read_gaslib(file, gl.nomination, cdf, gl.cs, fixed_loss=gl.fixed_loss, zone_references=False)
    found = search_decisions(case)
    for ids, outcome in found.tried:
        out.print(f"  {' + '.join(ids)}: {outcome}", highlight=False)
    out.print(
        f"{len(found.tried)} of {found.combinations} decision combinations tried in {found.solve_time_s:.1f} s",
        highlight=False,
    )
    if found.result is None:
        out.print("no combination of the .cdf decisions makes the nomination feasible within the model")
        raise typer.Exit(3)
    out.print(f"feasible with {' + '.join(found.found or ())}")
    _finish(found.result, output, no_check)


@optimize_app.command()
def expand(
    file: FileArg = None,
    scenario: ScenarioOpt = None,
    candidates: Annotated[
        Path | None, typer.Option("--candidates", help="candidate projects (YAML); needed with a FILE")
    ] = None,
    flow: Annotated[float, typer.Option("--flow", help="PSGP study: delivery at Kasur, MMSCFD")] = 1200.0,
    diameter: Annotated[
        list[int] | None, typer.Option("--diameter", help="PSGP study: diameters in inch (42, 48, 56); repeatable")
    ] = None,
    cost: Annotated[list[str] | None, typer.Option("--cost", help="cost parameter override NAME=VALUE")] = None,
    output: OutputOpt = None,
    formulation: FormulationOpt = "nlp",
    breakpoints: BreakpointsOpt = 17,
) -> None:
    """Expansion planning at least annualised cost (capital + fuel).

    --formulation nlp enumerates the combinations (exact NLP each, capital bound); milp chooses them by one
    MILP on the network with every candidate in service and verifies the choice by the exact NLP.

    Without FILE: the Pakistan Stream trunk study (diameter and compressor stations at five sites for --flow).
    With FILE: the candidates of --candidates (components of FILE, out of service in --scenario)."""
    from ..optimize.economics import Economics
    from ..optimize.expansion import plan
    from ..optimize.report import print_report

    def go() -> None:
        econ = Economics.default()
        overrides = _pairs(cost, "--cost")
        if overrides:
            econ = econ.with_(**overrides)
        if file is None:
            from ..optimize.corridor import DELIVERY_MIN_BARG, study_options

            if candidates is not None:
                raise InputError("--candidates needs a network FILE")
            if flow <= 0:
                raise InputError(f"--flow must be > 0 MMSCFD (got {flow})")
            opts = study_options(flow, tuple(diameter or (42, 48, 56)), econ=econ)
            notes = (
                f"PSGP trunk alone (1,123.6 km), send-out 70 barg at Port Qasim, delivery of {flow:g} MMSCFD at Kasur "
                f"at >= {DELIVERY_MIN_BARG} barg; stations sized by the optimum (ratio <= 1.6)",
            )
            milp = _milp_options(formulation, breakpoints)
            if milp is None:
                res = plan(opts, econ, flow, notes)
            else:
                from ..optimize.corridor import study_superstructure
                from ..optimize.expansion_milp import plan_milp

                cn, switches = study_superstructure(flow, tuple(diameter or (42, 48, 56)), econ=econ)
                res = plan_milp(cn, switches, ["diameter"], opts, econ, flow, notes, True, milp)
        else:
            from ..optimize.candidates import load_candidates

            if candidates is None:
                raise InputError("expand FILE needs --candidates CANDIDATES.yaml (see docs/optimize.md)")
            net = network_from(file)
            res = load_candidates(candidates, net, scenario, econ, _milp_options(formulation, breakpoints))
        print_report(res, out)
        if output is not None:
            if output.suffix.lower() != ".json":
                raise InputError(f"--output {output}: results are written as JSON; give a .json file")
            res.to_json(output)
            out.print(f"result written to {output}")

    guard(go)
