"""``linepack plot ...``: plots written as PNG (need the extra: pip install 'linepack[plot]')."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import InputError
from .common import FileArg, ScenarioOpt, guard, network_from, out, scenario_of

plot_app = typer.Typer(
    help="Plots (need the optional extra: pip install 'linepack[plot]').", no_args_is_help=True, rich_markup_mode=None
)


@plot_app.command("profile")
def plot_profile_cmd(
    file: FileArg = None,
    scenario: ScenarioOpt = None,
    route: Annotated[
        str | None, typer.Option(help="comma-separated waypoint node ids; default: the PSGP corridor")
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="PNG file to write")] = Path("profile.png"),
    thermal: Annotated[
        bool, typer.Option("--thermal", help="solve non-isothermally and add the gas temperature at the nodes")
    ] = False,
    season: Annotated[
        str | None, typer.Option("--season", help="with --thermal: season of the ground temperatures")
    ] = None,
) -> None:
    """Plot the pressure profile along a route as a PNG (with --thermal also the gas temperature)."""
    from ..plot.profile import plot_profile
    from ..route import PSGP_CORRIDOR
    from ..solvers.steady import solve_steady

    def go() -> None:
        if output.suffix.lower() != ".png":
            raise InputError(f"--output {output}: the profile is written as PNG; use a .png file name")
        if season is not None and not thermal:
            raise InputError(f"--season {season}: the season of the ground temperatures needs --thermal; add --thermal")
        net = network_from(file)
        if thermal:
            from ..thermal.coupling import with_thermal

            net = with_thermal(net, season)
        result = solve_steady(net, scenario_of(net, scenario))
        waypoints: Any = [w.strip() for w in route.split(",") if w.strip()] if route else PSGP_CORRIDOR
        plot_profile(result, output, waypoints)
        out.print(f"profile written to {output}")

    guard(go)


@plot_app.command("units")
def plot_units_cmd(
    file: FileArg = None,
    scenario: ScenarioOpt = None,
    station: Annotated[
        str | None, typer.Option(help="comma-separated station ids whose units are drawn; default: every station")
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="PNG file to write")] = Path("units.png"),
) -> None:
    """Plot every compressor unit's map (speed lines, surge and choke lines) with its steady operating point."""
    from ..plot.station_map import plot_unit_maps
    from ..solvers.steady import solve_steady

    def go() -> None:
        if output.suffix.lower() != ".png":
            raise InputError(f"--output {output}: the maps are written as PNG; use a .png file name")
        net = network_from(file)
        result = solve_steady(net, scenario_of(net, scenario))
        cs = result.network.stations
        if cs is None:
            raise InputError("this network has no compressor units (compressor_units) to plot; see docs/compressors.md")
        units = None
        if station:
            wanted = [s.strip() for s in station.split(",") if s.strip()]
            unknown = [s for s in wanted if s not in cs.ids]
            if unknown:
                raise InputError(
                    f"--station {', '.join(unknown)}: no station with units of that id; choose from {', '.join(cs.ids)}"
                )
            index = [cs.ids.index(s) for s in wanted]
            units = [int(u) for u in range(len(cs.units)) if int(cs.units.station[u]) in index]
        title = f"{result.network.name} | scenario {result.network.scenario}"
        plot_unit_maps(cs, output, units, result.unit_points(), title)
        out.print(f"unit maps written to {output}")

    guard(go)


@plot_app.command("quality")
def plot_quality_cmd(
    file: FileArg = None,
    scenario: ScenarioOpt = None,
    route: Annotated[
        str | None, typer.Option(help="comma-separated waypoint node ids; default: the PSGP corridor")
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="PNG file to write")] = Path("quality.png"),
) -> None:
    """Plot the gas quality (calorific value, Wobbe index, hydrogen) along a route as a PNG."""
    from ..plot.quality import plot_quality
    from ..route import PSGP_CORRIDOR
    from ..solvers.steady import solve_steady

    def go() -> None:
        if output.suffix.lower() != ".png":
            raise InputError(f"--output {output}: the quality plot is written as PNG; use a .png file name")
        net = network_from(file)
        result = solve_steady(net, scenario_of(net, scenario))
        waypoints: Any = [w.strip() for w in route.split(",") if w.strip()] if route else PSGP_CORRIDOR
        plot_quality(result, output, waypoints)
        out.print(f"quality profile written to {output}")

    guard(go)
