"""``linepack thermal``: temperatures of a steady state (ground heat exchange, Joule-Thomson, stations)."""

from __future__ import annotations

from typing import Annotated

import typer

from ..console_tables import compact_table
from .common import FileArg, ScenarioOpt, guard, network_from, out, say, scenario_of

SeasonOpt = Annotated[
    str | None,
    typer.Option("--season", help="season of the ground temperatures (a key of ground_temperature_by_season_c)"),
]


def thermal(file: FileArg = None, scenario: ScenarioOpt = None, season: SeasonOpt = None) -> None:
    """Temperatures at every node, compressor discharge temperatures and after-cooler duties, regulator outlet
    temperatures and preheater duties, for the steady state of a scenario.

    The hydraulics are the isothermal steady state (settings.temperature_c); the temperatures follow from the
    energy balance for those flows (docs/thermal.md: the coupled solve is not built yet).
    """

    def go() -> None:
        import numpy as np

        from ..model.network import Network
        from ..solvers.steady import solve_steady
        from ..thermal.network_temperatures import steady_temperatures

        net = network_from(file)
        name = scenario_of(net, scenario)
        doc = net.to_dict()
        thermal_doc = doc.setdefault("settings", {}).setdefault("thermal", {})
        thermal_doc["mode"] = "non_isothermal"
        if season is not None:
            thermal_doc["season"] = season
        seasonal = Network.from_dict(doc, source="settings.thermal")
        result = solve_steady(net, name)
        temps = steady_temperatures(seasonal, result, name)
        cn = result.network
        kelvin = 273.15
        say(
            f"temperatures of scenario {cn.scenario} ({seasonal.settings.thermal.season or 'all-season'} ground), "
            "for the isothermal "
            "hydraulics; thermal levels swept: " + str(temps.levels)
        )
        nodes = compact_table("nodes", "node", [("T C", "num"), ("p barg", "num")])
        for i, node in enumerate(cn.node_ids):
            nodes.add_row(node, f"{temps.node_t_k[i] - kelvin:.1f}", f"{result.p_barg[i]:.1f}")
        out.print(nodes)
        comps = compact_table(
            "compressors",
            "compressor",
            [
                ("suction C", "num"),
                ("discharge C", "num"),
                ("outlet C", "num"),
                ("cooler MW", "num"),
                ("limit", "text"),
            ],
        )
        edge = {e: i for i, e in enumerate(cn.edge_ids)}
        discharge = temps.comp_discharge_t_k  # before the after-cooler
        for j, cid in enumerate(temps.compressor_ids):
            k = edge[cid]
            if not np.isfinite(discharge[j]):
                comps.add_row(cid, "-", "-", "-", "-", "no flow")
                continue
            note = (
                "over limit"
                if temps.comp_over_limit[j]
                else ("cooler at duty limit" if temps.cooler_limited[j] else "")
            )
            comps.add_row(
                cid,
                f"{temps.edge_t_inlet_k[k] - kelvin:.1f}",
                f"{discharge[j] - kelvin:.1f}",
                f"{temps.edge_t_outlet_k[k] - kelvin:.1f}",
                f"{temps.cooler_duty_w[j] / 1e6:.2f}",
                note,
            )
        out.print(comps)
        if temps.regulator_ids:
            regs = compact_table(
                "regulators", "regulator", [("inlet C", "num"), ("outlet C", "num"), ("preheat MW", "num")]
            )
            for j, rid in enumerate(temps.regulator_ids):
                k = edge[rid]
                regs.add_row(
                    rid,
                    f"{temps.edge_t_inlet_k[k] - kelvin:.1f}",
                    f"{temps.edge_t_outlet_k[k] - kelvin:.1f}",
                    f"{temps.preheater_duty_w[j] / 1e6:.2f}",
                )
            out.print(regs)
        say(f"heat to the ground: {np.nansum(temps.pipe_heat_to_ground_w) / 1e6:.1f} MW over all pipes")

    guard(go)
