"""``linepack transient``: a transient run over hours or days, with profiles and events."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from ..errors import InputError
from .common import FileArg, ScenarioOpt, err, guard, network_from, out, scenario_of


def transient(
    file: FileArg = None,
    scenario: ScenarioOpt = None,
    profile: Annotated[
        str,
        typer.Option(
            "--profile", "-p", help="built-in profile (winter_day, constant) or a CSV/Parquet file (docs/transient.md)"
        ),
    ] = "winter_day",
    horizon: Annotated[float, typer.Option("--horizon", help="simulated time [h]")] = 24.0,
    dt: Annotated[float, typer.Option("--dt", help="time step [s]")] = 60.0,
    segment_km: Annotated[
        float, typer.Option("--segment-length", "--segment-km", help="longest pipe segment [km]")
    ] = 1.0,
    event: Annotated[
        list[str] | None,
        typer.Option("--event", "-e", help="KIND:TARGET@TIME, e.g. outage:EETL_FSRU@06:00 (repeatable)"),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="result file: .nc (netCDF) or .parquet")] = Path(
        "transient.nc"
    ),
    plot: Annotated[
        Path | None, typer.Option("--plot", help="PNG of pressures and linepack (default transient.png)")
    ] = None,
    no_plot: Annotated[bool, typer.Option("--no-plot", help="write no PNG")] = False,
    nodes: Annotated[
        str | None, typer.Option("--nodes", help="comma-separated node ids to plot (default: delivery nodes)")
    ] = None,
    snapshot_min: Annotated[
        float, typer.Option("--snapshot-interval", help="interval of the pipe profiles stored [min]")
    ] = 60.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="print only the one-line status")] = False,
    thermal: Annotated[
        str | None,
        typer.Option(
            "--thermal",
            help="gas temperatures of the run: full (energy equation on the segments) or quasi-steady "
            "(docs/thermal.md); written to <output>.temperatures.csv",
        ),
    ] = None,
    season: Annotated[
        str | None, typer.Option("--season", help="season of the ground temperatures (with --thermal)")
    ] = None,
) -> None:
    """Simulate the network over time (default: the PSGP winter day, 24 h, 60 s steps, 1 km segments).

    Prints linepack (pack and draft), deliveries with their survival times, compressor power and fuel and
    supplies; writes the full result (--output) and a PNG of pressures and linepack (--plot). With --thermal, the
    gas temperatures of the run (its hydraulics at settings.temperature_c) at every snapshot.
    """
    from ..transient import TransientOptions, builtin_profile, parse_event, read_profile, solve_transient
    from ..transient.report import plot_transient, print_transient_summary

    def go() -> None:
        if output is not None and output.suffix.lower() not in (".nc", ".parquet"):
            raise InputError(f"--output {output}: use a .nc (netCDF) or .parquet file name")
        want_plot = None if no_plot else plot
        if want_plot is None and not no_plot and importlib.util.find_spec("matplotlib") is not None:
            want_plot = Path("transient.png")
        if want_plot is not None and want_plot.suffix.lower() != ".png":
            raise InputError(f"--plot {want_plot}: use a .png file name")
        if horizon <= 0 or dt <= 0 or segment_km <= 0:
            raise InputError("--horizon, --dt and --segment-length must be positive")
        if snapshot_min < 0:
            raise InputError("--snapshot-interval must be >= 0 minutes")
        method = None if thermal is None else thermal.replace("-", "_")
        if method is not None and method not in ("full", "quasi_steady"):
            raise InputError(f"--thermal {thermal}: use full or quasi-steady")
        if season is not None and method is None:
            raise InputError("--season applies to the temperatures: give --thermal full or --thermal quasi-steady")
        events = [parse_event(e) for e in (event or [])]
        prof = read_profile(profile) if Path(profile).suffix.lower() in (".csv", ".parquet") else None
        if prof is None:
            prof = builtin_profile(profile, horizon)
        net = network_from(file)
        plot_nodes = [n.strip() for n in nodes.split(",") if n.strip()] if nodes else None
        if plot_nodes and want_plot is not None:
            from ..compile import compile_network

            known = set(compile_network(net, scenario_of(net, scenario)).node_ids)
            unknown = [n for n in plot_nodes if n not in known]
            if unknown:
                raise InputError(f"--nodes: no node {', '.join(unknown)} in the scenario; see `linepack describe node`")
        opts = TransientOptions(
            horizon_s=horizon * 3600.0,
            dt_s=dt,
            segment_length_m=segment_km * 1e3,
            output_interval_s=snapshot_min * 60.0,
        )
        with Progress(
            TextColumn("simulating"),
            BarColumn(),
            TextColumn("{task.fields[t]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
            disable=quiet,
        ) as bar:
            task = bar.add_task("run", total=opts.horizon_s, t="")

            def progress(t: float, total: float) -> None:
                bar.update(task, completed=t, t=f"{t / 3600:5.2f} h")

            res = solve_transient(
                net, scenario_of(net, scenario), profile=prof, events=events, options=opts, progress=progress
            )
        if quiet:
            state = "completed" if res.completed else res.message
            out.print(f"scenario {res.seg.base.scenario}: {res.n_steps} steps, {state}; wall {res.wall_time_s:.2f} s")
        else:
            print_transient_summary(res, out)
        if output is not None:
            written = res.save(output)
            out.print(f"result written to {', '.join(str(p) for p in written)}")
        if method is not None:
            from ..io.atomic import atomic_write_text
            from ..thermal.coupling import with_thermal
            from ..thermal.report import print_transient_temperatures
            from ..thermal.transient_temperatures import Method, transient_temperatures

            how: Method = "full" if method == "full" else "quasi_steady"
            temps = transient_temperatures(with_thermal(net, season), res, how, scenario_of(net, scenario))
            if not quiet:
                print_transient_temperatures(out, temps)
            if output is not None:
                target = output.with_suffix(".temperatures.csv")
                atomic_write_text(target, temps.to_csv_text())
                out.print(f"temperatures written to {target}")
        if want_plot is not None:
            plot_transient(res, want_plot, plot_nodes)
            out.print(f"plot written to {want_plot}")
        elif not no_plot and not quiet:
            err.print("no plot: matplotlib is not installed (pip install 'linepack[plot]')")

    guard(go)
