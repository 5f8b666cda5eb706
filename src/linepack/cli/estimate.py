"""``linepack estimate``, ``linepack leak-detect`` and ``linepack scada``: state estimation and leak detection from
SCADA readings (docs/estimation.md). Without a network file they run on the embedded Pakistan Stream network with
its shipped meter set and synthetic SCADA day."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import InputError
from .common import FileArg, ScenarioOpt, err, guard, network_from, out, scenario_of, serve_routes

if TYPE_CHECKING:
    from ..estimate.meters import MeterSet
    from ..estimate.scada import ScadaData
    from ..model.network import Network

scada_app = typer.Typer(
    help="SCADA data: check a file against its tag map, or generate synthetic data.", no_args_is_help=True
)

ScadaOpt = Annotated[
    Path | None,
    typer.Option(
        "--scada",
        help="SCADA readings: .csv, .csv.gz or .parquet (time,tag,value,unit); default: the shipped PSGP data",
    ),
]
MetersOpt = Annotated[
    Path | None,
    typer.Option("--meters", "-m", help="tag map (.yaml, .json or .csv); default: the shipped PSGP meter set"),
]
StartOpt = Annotated[str | None, typer.Option("--start", help="start of the window (ISO time, HH:MM or seconds)")]
EndOpt = Annotated[str | None, typer.Option("--end", help="end of the window (ISO time, HH:MM or seconds)")]
IgnoreOpt = Annotated[bool, typer.Option("--ignore-unknown-tags", help="drop tags the tag map does not know")]
SegmentOpt = Annotated[float, typer.Option("--segment-length", help="estimator grid [km] (dynamic estimation)")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="write the result as JSON")]
PlotOpt = Annotated[Path | None, typer.Option("--plot", help="PNG of readings against estimates (needs matplotlib)")]


def _inputs(file: Path | None, scada: Path | None, meters: Path | None) -> tuple[Network, MeterSet, ScadaData]:
    from ..estimate.meters import default_meter_set_path, load_meter_set
    from ..estimate.scada import read_scada

    if file is not None and (scada is None or meters is None):
        raise InputError("with a network file, give its readings (--scada FILE) and its tag map (--meters FILE)")
    net = network_from(file)
    ms = load_meter_set(meters if meters is not None else default_meter_set_path("psgp_meters.yaml"))
    data = read_scada(scada if scada is not None else default_meter_set_path("psgp_scada.csv.gz"))
    return net, ms, data


def _window(data: ScadaData, start: str | None, end: str | None) -> tuple[float | None, float | None]:
    t0 = data.parse_time(start) if start else None
    t1 = data.parse_time(end) if end else None
    return t0, t1


def _want_plot(plot: Path | None) -> Path | None:
    if plot is not None and plot.suffix.lower() != ".png":
        raise InputError(f"--plot {plot}: use a .png file name")
    if plot is not None and importlib.util.find_spec("matplotlib") is None:
        raise InputError("--plot needs matplotlib: pip install 'linepack[plot]'")
    return plot


def estimate(
    file: FileArg = None,
    scada: ScadaOpt = None,
    meters: MetersOpt = None,
    scenario: ScenarioOpt = None,
    dynamic: Annotated[
        bool, typer.Option("--dynamic", help="track the state through the window (Kalman filter)")
    ] = False,
    start: StartOpt = None,
    end: EndOpt = None,
    minutes: Annotated[
        float, typer.Option("--minutes", help="steady: minutes of readings averaged from --start")
    ] = 15.0,
    pseudo: Annotated[
        bool,
        typer.Option(
            "--pseudo", help="assume scenario values (+/-30 %) where meters leave the state open, instead of an error"
        ),
    ] = False,
    segment_km: SegmentOpt = 10.0,
    ignore_unknown_tags: IgnoreOpt = False,
    output: OutputOpt = None,
    plot: PlotOpt = None,
    serve: Annotated[bool, typer.Option("--serve", help="open the web view of estimates against readings")] = False,
    port: Annotated[int, typer.Option("--port", help="port of the web view (0: a free one)")] = 8766,
) -> None:
    """Estimate the network's state from SCADA readings, with the uncertainty of every estimate.

    Steady (default): weighted least squares on the readings averaged over --minutes from --start, with the
    observability test, the chi-square test and the bad meters it identifies. --dynamic: an extended Kalman
    filter over the transient model from --start to --end, unmetered demands estimated.
    """
    from ..estimate.dynamic import DynamicEstimator, DynamicOptions
    from ..estimate.report import print_dynamic, print_issues, print_steady
    from ..estimate.validate import prepare
    from ..estimate.wls import Pseudo, SteadyEstimator

    def go() -> None:
        want_plot = _want_plot(plot)
        if minutes <= 0 or segment_km <= 0:
            raise InputError("--minutes and --segment-length must be positive")
        net, ms, data = _inputs(file, scada, meters)
        t0, t1 = _window(data, start, end)
        scn = scenario_of(net, scenario)
        if not dynamic:
            est = SteadyEstimator(net, ms, scn)
            first = data.span()[0] if t0 is None else t0
            series = prepare(
                data, est.bound, start_s=first, end_s=first + minutes * 60.0, ignore_unknown_tags=ignore_unknown_tags
            )
            print_issues(series.issues, out)
            res = est.estimate_window(series, 0.0, minutes * 60.0, pseudo=Pseudo() if pseudo else None)
            print_steady(res, out)
            if output is not None:
                res.save(output)
                out.print(f"estimate written to {output}")
            if want_plot is not None:
                err.print("--plot draws a dynamic estimate; add --dynamic")
            return
        dyn = DynamicEstimator(net, ms, scn, DynamicOptions(segment_length_m=segment_km * 1e3))
        series = prepare(data, dyn.bound, start_s=t0, end_s=t1, ignore_unknown_tags=ignore_unknown_tags)
        print_issues(series.issues, out)
        res_d = dyn.run(series)
        print_dynamic(res_d, out)
        if output is not None:
            res_d.save(output)
            out.print(f"estimate written to {output}")
        if want_plot is not None:
            from ..estimate.plots import plot_fit

            plot_fit(res_d, want_plot)
            out.print(f"plot written to {want_plot}")
        if serve:
            _serve(res_d, port)

    guard(go)


def _serve(res: object, port: int) -> None:
    def routes() -> Any:
        from ..web.estimate_view import estimate_routes

        return estimate_routes(res)  # type: ignore[arg-type]

    serve_routes(routes, "estimate", "estimates against readings", port)


def leak_detect(
    file: FileArg = None,
    scada: ScadaOpt = None,
    meters: MetersOpt = None,
    scenario: ScenarioOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    window: Annotated[float, typer.Option("--window", help="model-based window [min]")] = 30.0,
    balance_window: Annotated[float, typer.Option("--balance-window", help="mass-balance window [min]")] = 120.0,
    false_alarms: Annotated[
        float, typer.Option("--false-alarms", help="false alarms a year the thresholds allow")
    ] = 12.0,
    reference: Annotated[float, typer.Option("--reference", help="leak-free hours at the start (baseline)")] = 2.0,
    watch: Annotated[
        str | None,
        typer.Option(
            "--watch",
            help="comma-separated pipes for the model-based method (default: every pipe; PSGP data: the PSGP pipes)",
        ),
    ] = None,
    route: Annotated[
        str | None,
        typer.Option(
            "--route", help="comma-separated nodes of a route for locations in km (default for PSGP: the corridor)"
        ),
    ] = None,
    segment_km: SegmentOpt = 10.0,
    ignore_unknown_tags: IgnoreOpt = False,
    output: OutputOpt = None,
    plot: PlotOpt = None,
) -> None:
    """Detect and locate leaks: compensated mass balance per metered section and model-based residuals of the
    dynamic estimator, with thresholds from a false-alarm rate, and the smallest leak each section detects."""
    from ..estimate.dynamic import DynamicEstimator, DynamicOptions
    from ..estimate.leakdetect import LeakOptions, detect_leaks
    from ..estimate.report import print_issues, print_leaks
    from ..estimate.validate import prepare

    def go() -> None:
        want_plot = _want_plot(plot)
        if segment_km <= 0:
            raise InputError("--segment-length must be positive")
        net, ms, data = _inputs(file, scada, meters)
        t0, t1 = _window(data, start, end)
        default_psgp = file is None
        watch_ids = tuple(w.strip() for w in watch.split(",") if w.strip()) if watch else None
        route_ids = tuple(r.strip() for r in route.split(",") if r.strip()) if route else None
        if default_psgp:
            from ..route import PSGP_CORRIDOR

            watch_ids = watch_ids or tuple(f"PSGP-0{i}" for i in range(1, 9))
            route_ids = route_ids or PSGP_CORRIDOR
        opts = LeakOptions(
            window_minutes=window,
            balance_minutes=balance_window,
            false_alarms_per_year=false_alarms,
            reference_hours=reference,
            watch=watch_ids,
            route=route_ids,
        )
        opts.check()
        dyn = DynamicEstimator(net, ms, scenario_of(net, scenario), DynamicOptions(segment_length_m=segment_km * 1e3))
        series = prepare(data, dyn.bound, start_s=t0, end_s=t1, ignore_unknown_tags=ignore_unknown_tags)
        print_issues(series.issues, out)
        rep = detect_leaks(net, ms, series, estimator=dyn, options=opts)
        print_leaks(rep, out)
        if output is not None:
            from ..estimate.leakreport import save_leak_report

            save_leak_report(rep, output)
            out.print(f"report written to {output}")
        if want_plot is not None:
            from ..estimate.plots import plot_leaks

            plot_leaks(rep, want_plot)
            out.print(f"plot written to {want_plot}")

    guard(go)


@scada_app.command("check")
def scada_check(
    file: FileArg = None,
    scada: ScadaOpt = None,
    meters: MetersOpt = None,
    scenario: ScenarioOpt = None,
    ignore_unknown_tags: IgnoreOpt = False,
    stuck_minutes: Annotated[
        float, typer.Option("--stuck-minutes", help="a reading repeated this long is stuck")
    ] = 30.0,
) -> None:
    """Check SCADA readings against their tag map: unknown tags and units (errors), gaps, stuck meters and
    implausible readings (listed)."""
    from ..compile import compile_network
    from ..estimate.meters import bind
    from ..estimate.report import print_issues
    from ..estimate.validate import prepare

    def go() -> None:
        net, ms, data = _inputs(file, scada, meters)
        cn = compile_network(net, scenario_of(net, scenario))
        series = prepare(data, bind(ms, cn), ignore_unknown_tags=ignore_unknown_tags, stuck_minutes=stuck_minutes)
        out.print(
            f"{data.source}: {data.n_rows} readings of {len(data.tags)} tags from "
            f"{data.format_time(data.span()[0])} to {data.format_time(data.span()[1])}, every "
            f"{series.dt_s:g} s"
        )
        print_issues(series.issues, out, limit=200)

    guard(go)


@scada_app.command("synth")
def scada_synth(
    file: FileArg = None,
    meters: MetersOpt = None,
    scenario: ScenarioOpt = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="readings file: .csv, .csv.gz or .parquet")] = Path(
        "scada.csv.gz"
    ),
    hours: Annotated[float, typer.Option("--hours", help="simulated hours")] = 24.0,
    interval: Annotated[float, typer.Option("--interval", help="SCADA interval [s]")] = 60.0,
    profile: Annotated[str, typer.Option("--profile", help="built-in profile (winter_day, constant)")] = "winter_day",
    leak: Annotated[
        list[str] | None, typer.Option("--leak", help="PIPE:KM:KG_S@TIME, e.g. PSGP-06:120:12@05:00 (repeatable)")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="seed of the meter errors")] = 0,
    dropout: Annotated[float, typer.Option("--dropout", help="share of readings missing")] = 0.0,
    segment_km: Annotated[float, typer.Option("--segment-length", help="grid of the simulation [km]")] = 2.0,
) -> None:
    """Generate synthetic SCADA readings from a transient run (meter noise, drop-outs, leaks)."""
    from ..estimate.meters import default_meter_set_path, load_meter_set
    from ..estimate.scada import write_scada
    from ..estimate.synthetic import MeterErrors, synthesize
    from ..transient import builtin_profile, parse_event

    def go() -> None:
        if file is not None and meters is None:
            raise InputError("with a network file, give its tag map (--meters FILE)")
        if hours <= 0 or interval <= 0 or segment_km <= 0 or not 0 <= dropout < 1:
            raise InputError("--hours, --interval and --segment-length must be positive, --dropout in [0, 1)")
        net = network_from(file)
        ms = load_meter_set(meters if meters is not None else default_meter_set_path("psgp_meters.yaml"))
        events = [parse_event(f"leak:{x}") for x in (leak or [])]
        syn = synthesize(
            net,
            ms,
            scenario_of(net, scenario),
            profile=builtin_profile(profile, hours),
            events=events,
            hours=hours,
            interval_s=interval,
            errors=MeterErrors(dropout_rate=dropout),
            seed=seed,
            segment_length_m=segment_km * 1e3,
        )
        write_scada(syn.data, output)
        out.print(
            f"{syn.data.n_rows} readings of {len(ms.meters)} tags written to {output}"
            + (f"; leaks: {'; '.join(e.describe() for e in syn.leaks)}" if syn.leaks else "")
        )

    guard(go)
