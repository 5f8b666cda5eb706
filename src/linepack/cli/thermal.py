"""``linepack thermal``: temperatures of a steady state (ground heat exchange, Joule-Thomson, stations)."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import FileArg, ScenarioOpt, guard, network_from, out, say, scenario_of

SeasonOpt = Annotated[
    str | None,
    typer.Option("--season", help="season of the ground temperatures (a key of ground_temperature_by_season_c)"),
]


def thermal(file: FileArg = None, scenario: ScenarioOpt = None, season: SeasonOpt = None) -> None:
    """Temperatures at every node, compressor discharge temperatures and after-cooler duties, regulator outlet
    temperatures and preheater duties, for the steady state of a scenario.

    The hydraulics are the isothermal steady state (settings.temperature_c); the temperatures follow from the
    energy balance for those flows. ``linepack run --thermal`` solves hydraulics and temperatures coupled.
    """

    def go() -> None:
        from ..solvers.steady import solve_steady
        from ..thermal.coupling import with_thermal
        from ..thermal.network_temperatures import steady_temperatures
        from ..thermal.report import print_temperatures

        net = network_from(file)
        name = scenario_of(net, scenario)
        seasonal = with_thermal(net, season)
        isothermal = net.copy()
        isothermal.settings = net.settings.model_copy(
            update={"thermal": net.settings.thermal.model_copy(update={"mode": "isothermal"})}
        )
        result = solve_steady(isothermal, name)
        temps = steady_temperatures(seasonal, result, name)
        cn = result.network
        say(
            f"temperatures of scenario {cn.scenario} ({seasonal.settings.thermal.season or 'all-season'} ground), "
            "for the isothermal hydraulics (linepack run --thermal solves them coupled); thermal levels swept: "
            + str(temps.levels)
        )
        print_temperatures(out, cn, result.p_barg, temps)

    guard(go)
