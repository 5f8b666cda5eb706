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
    err,
    guard,
    network_from,
    out,
    scenario_of,
    serve_routes,
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


def _duration_s(text: str, what: str) -> float:
    """``24h``, ``1h``, ``30min``, ``15m``, ``900s``, ``2d`` or a bare number of hours -> seconds."""
    import re

    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(d|h|min|m|s)?\s*", text)
    if not m:
        raise InputError(f"{what} '{text}': write a duration such as 24h, 1h, 30min or 900s")
    value = float(m.group(1))
    seconds = value * {"d": 86400.0, "h": 3600.0, "min": 60.0, "m": 60.0, "s": 1.0}[m.group(2) or "h"]
    if seconds <= 0:
        raise InputError(f"{what} '{text}': must be longer than zero")
    return seconds


def _weights(text: str) -> dict[str, float]:
    """``fuel``, ``cost``, ``unserved``, ``linepack`` or weighted terms ``fuel=1,linepack=0.5``."""
    from ..optimize.day.spec import OBJECTIVES, TERMS

    text = text.strip()
    if text in OBJECTIVES:
        return dict(OBJECTIVES[text])
    out_w: dict[str, float] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key = key.strip()
        if key not in TERMS:
            raise InputError(
                f"--objective '{text}': unknown term '{key}'; use one of {', '.join(TERMS)} or weighted terms "
                "such as fuel=1,linepack=0.5"
            )
        try:
            out_w[key] = float(value) if sep else 1.0
        except ValueError:
            raise InputError(f"--objective '{text}': the weight of {key} must be a number") from None
    return out_w


def _serve_day(res: object, port: int) -> None:
    def routes() -> Any:
        from ..web.day_view import day_routes

        return day_routes(res)  # type: ignore[arg-type]

    serve_routes(routes, "day", "the day-ahead schedule", port)


@optimize_app.command()
def day(
    file: FileArg = None,
    scenario: ScenarioOpt = None,
    profile: Annotated[
        str, typer.Option("--profile", "-p", help="built-in profile (winter_day, constant) or a CSV/Parquet file")
    ] = "winter_day",
    horizon: Annotated[str, typer.Option("--horizon", help="length of the day: 24h, 48h, ...")] = "24h",
    period: Annotated[str, typer.Option("--period", help="control period: set-points hold for it (1h, 30min)")] = "1h",
    step: Annotated[str, typer.Option("--step", help="time step of the simulator and optimiser (30min)")] = "30min",
    segment_km: Annotated[float, typer.Option("--segment-km", help="longest pipe segment [km]")] = 40.0,
    objective: Annotated[
        str, typer.Option("--objective", help="fuel, cost, unserved, linepack, or weighted: fuel=1,linepack=0.5")
    ] = "fuel",
    start: Annotated[
        str,
        typer.Option(
            "--start",
            help="periodic (the day repeats), steady (t = 0 steady state), optimal (its least-fuel steady state) "
            "or settled",
        ),
    ] = "periodic",
    end: Annotated[
        str, typer.Option("--end", help="end-of-day linepack: start (>= start), target (--end-linepack) or free")
    ] = "start",
    end_linepack_t: Annotated[
        float | None, typer.Option("--end-linepack", help="end-of-day linepack target [t] (with --end target)")
    ] = None,
    prices: Annotated[
        Path | None, typer.Option("--prices", help="CSV of prices over the day (docs/day-ahead.md)")
    ] = None,
    free_supply: Annotated[
        list[str] | None, typer.Option("--free-supply", help="flow source whose send-out is decided ('*': all)")
    ] = None,
    allow_shed: Annotated[bool, typer.Option("--allow-shed", help="deliveries may be cut, at their penalty")] = False,
    no_switch_off: Annotated[bool, typer.Option("--no-switch-off", help="never switch a station off")] = False,
    must_run: Annotated[list[str] | None, typer.Option("--must-run", help="station that may not switch off")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="schedule per period: .csv, .parquet or .nc")
    ] = None,
    replay_output: Annotated[
        Path | None, typer.Option("--replay-output", help="the replayed day in full: .nc or .parquet")
    ] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="PNG of set-points, linepack, delivery pressures")] = None,
    no_check: Annotated[bool, typer.Option("--no-check", help="skip the replay in the transient simulator")] = False,
    serve: Annotated[bool, typer.Option("--serve", help="open the web view of the schedule (page /day)")] = False,
    port: Annotated[int, typer.Option("--port", help="port of the web view (0: a free one)")] = 8767,
    nomination: NominationOpt = None,
    cs: CsOpt = None,
    reference: ReferenceOpt = None,
    fixed_loss: FixedLossOpt = "resistor",
) -> None:
    """The best schedule of a day (compressor, regulator and send-out set-points per control period) on the
    transient simulator's grid, replayed in the simulator as proof (docs/day-ahead.md).

    Prints the schedule, the comparison with the default set-points (fuel, cost, pressure margin, linepack
    swing), the replay check and the limits binding by hour; an infeasible day names the violated limits and
    their hours (exit code 3).
    """

    def go() -> None:
        from ..optimize.day.prices import read_prices
        from ..optimize.day.report import plot_day, print_day_report, save_schedule
        from ..optimize.day.run import optimize_day
        from ..optimize.day.spec import DaySpec, EndMode, StartMode
        from ..transient import builtin_profile, read_profile

        if output is not None and output.suffix.lower() not in (".csv", ".parquet", ".nc"):
            raise InputError(f"--output {output}: use a .csv, .parquet or .nc file name")
        if replay_output is not None and replay_output.suffix.lower() not in (".nc", ".parquet"):
            raise InputError(f"--replay-output {replay_output}: use a .nc or .parquet file name")
        if plot is not None and plot.suffix.lower() != ".png":
            raise InputError(f"--plot {plot}: use a .png file name")
        if replay_output is not None and no_check:
            raise InputError("--replay-output needs the replay: drop --no-check")
        horizon_s = _duration_s(horizon, "--horizon")
        try:
            start_mode, end_mode = StartMode(start), EndMode(end)
        except ValueError:
            raise InputError(
                f"--start {start} / --end {end}: start is periodic, steady, optimal or settled; end is start, target "
                "or free"
            ) from None
        if end_mode == EndMode.TARGET and end_linepack_t is None:
            raise InputError("--end target needs --end-linepack TONNES")
        if end_linepack_t is not None and end_mode != EndMode.TARGET:
            raise InputError("--end-linepack applies with --end target")
        if start_mode == StartMode.PERIODIC and end_mode != EndMode.START:
            raise InputError("a periodic day (--start periodic) ends where it starts: use --start steady or settled")
        prof = read_profile(profile) if Path(profile).suffix.lower() in (".csv", ".parquet") else None
        if prof is None:
            prof = builtin_profile(profile, horizon_s / 3600.0)
        spec = DaySpec(
            horizon_s=horizon_s,
            period_s=_duration_s(period, "--period"),
            step_s=_duration_s(step, "--step"),
            segment_length_m=segment_km * 1e3,
            start=start_mode,
            end=end_mode,
            end_target_kg=(end_linepack_t or float("nan")) * 1e3,
            weights=_weights(objective),
            allow_shed=allow_shed,
            free_supply=tuple(free_supply or ()),
            switch_off=not no_switch_off,
            must_run=tuple(must_run or ()),
            prices=read_prices(prices) if prices is not None else None,
        )
        spec.check()
        gl = GaslibOptions(nomination, None, None, cs, reference, fixed_loss)  # zones referenced as `linepack run`
        net = network_from(file, gl)
        res = optimize_day(net, scenario_of(net, scenario), profile=prof, spec=spec, check=not no_check)
        print_day_report(res, out)
        if output is not None:
            out.print(f"schedule written to {save_schedule(res, output)}")
        if replay_output is not None and res.replay is not None:
            written = res.replay.result.save(replay_output)
            out.print(f"replayed day written to {', '.join(str(p) for p in written)}")
        if plot is not None:
            plot_day(res, plot)
            out.print(f"plot written to {plot}")
        if serve:
            _serve_day(res, port)
        if not res.feasible:
            raise typer.Exit(3)
        if res.replay is not None and not res.replay.agrees:
            err.print("the replay in the transient simulator does not reproduce the optimised day (see above)")
            raise typer.Exit(3)

    guard(go)
