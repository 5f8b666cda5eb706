"""Console tables of a network's temperatures (``linepack thermal`` and ``linepack run --thermal``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from linepack.console_tables import compact_table
from linepack.thermal.network_temperatures import NetworkTemperatures

KELVIN = 273.15


def print_temperatures(console: Any, cn: Any, p_barg: Any, temps: NetworkTemperatures) -> None:
    """Print node temperatures, compressor suction/discharge/outlet temperatures with after-cooler duties and the
    discharge-limit flag, regulator temperatures with preheater duties, and the heat given to the ground.

    Args:
        console: a rich console.
        cn: the compiled network the temperatures belong to.
        p_barg: gauge pressure of every node [barg].
        temps: the network's temperatures.
    """
    nodes = compact_table("nodes", "node", [("T C", "num"), ("p barg", "num")])
    for i, node in enumerate(cn.node_ids):
        nodes.add_row(node, f"{temps.node_t_k[i] - KELVIN:.1f}", f"{p_barg[i]:.1f}")
    console.print(nodes)
    comps = compact_table(
        "compressors",
        "compressor",
        [("suction C", "num"), ("discharge C", "num"), ("outlet C", "num"), ("cooler MW", "num"), ("limit", "text")],
    )
    edge = {e: i for i, e in enumerate(cn.edge_ids)}
    discharge = temps.comp_discharge_t_k  # before the after-cooler
    for j, cid in enumerate(temps.compressor_ids):
        k = edge[cid]
        if not np.isfinite(discharge[j]):
            comps.add_row(cid, "-", "-", "-", "-", "no flow")
            continue
        note = "over limit" if temps.comp_over_limit[j] else ("cooler at duty limit" if temps.cooler_limited[j] else "")
        comps.add_row(
            cid,
            f"{temps.edge_t_inlet_k[k] - KELVIN:.1f}",
            f"{discharge[j] - KELVIN:.1f}",
            f"{temps.edge_t_outlet_k[k] - KELVIN:.1f}",
            f"{temps.cooler_duty_w[j] / 1e6:.2f}",
            note,
        )
    console.print(comps)
    if temps.regulator_ids:
        columns = [("inlet C", "num"), ("outlet C", "num"), ("preheat MW", "num")]
        regs = compact_table("regulators", "regulator", columns)
        for j, rid in enumerate(temps.regulator_ids):
            k = edge[rid]
            regs.add_row(
                rid,
                f"{temps.edge_t_inlet_k[k] - KELVIN:.1f}",
                f"{temps.edge_t_outlet_k[k] - KELVIN:.1f}",
                f"{temps.preheater_duty_w[j] / 1e6:.2f}",
            )
        console.print(regs)
    heat = float(np.nansum(temps.pipe_heat_to_ground_w)) / 1e6
    cool = float(np.sum(temps.cooler_duty_w)) / 1e6
    pre = float(np.sum(temps.preheater_duty_w)) / 1e6
    console.print(
        f"heat to the ground: {heat:.1f} MW over all pipes; after-coolers {cool:.2f} MW; preheaters {pre:.2f} MW",
        highlight=False,
        soft_wrap=True,
    )
