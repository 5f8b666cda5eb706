"""PSGP findings of non-isothermal physics (docs/thermal.md): station temperatures and cooler duties, city-gate
Joule-Thomson cooling and preheat, and the linepack change, in summer and winter.

Temperatures come from the steady energy balance for the isothermal hydraulics of psgp_base
(linepack.thermal.network_temperatures); the linepack change is the first-order effect of those temperatures
on the density at each pipe's mean pressure (the coupled solve would also move the pressures).
Run: python scripts/psgp_thermal_findings.py
"""

from __future__ import annotations

import copy

import numpy as np

import linepack
from linepack.io.native import load_default_network
from linepack.model.network import Network
from linepack.thermal.network_temperatures import _thermo_for, steady_temperatures
from linepack.thermal.stations import regulator_throttle

KELVIN = 273.15
#: City-gate outlet pressure (A: distribution inlet, typical SNGPL/SSGC 'sales meter' pressures 10-17 barg).
CITY_GATE_OUTLET_BARG = 10.0
#: Lowest outlet temperature without preheat (A: hydrate margin / embrittlement of distribution steel).
CITY_GATE_MIN_C = 5.0


def main() -> None:
    net = load_default_network()
    result = linepack.solve_steady(net, "psgp_base")
    cn = result.network
    thermo = _thermo_for(cn.gas.composition)
    pipes = result.pipes
    p_mean = np.asarray(result.p_mean_pa)
    iso_t = cn.gas.temperature_k
    for season in ("summer", "winter"):
        doc = copy.deepcopy(net.to_dict())
        doc["settings"]["thermal"].update(mode="non_isothermal", season=season)
        temps = steady_temperatures(Network.from_dict(doc), result, "psgp_base")
        print(f"== {season}")
        for j, cid in enumerate(temps.compressor_ids):
            k = cn.edge_ids.index(cid)
            if np.isfinite(temps.comp_discharge_t_k[j]):
                print(
                    f"  {cid:13s} suction {temps.edge_t_inlet_k[k] - KELVIN:5.1f} C  discharge "
                    f"{temps.comp_discharge_t_k[j] - KELVIN:5.1f} C  after cooler "
                    f"{temps.edge_t_outlet_k[k] - KELVIN:5.1f} C  "
                    f"duty {temps.cooler_duty_w[j] / 1e6:5.2f} MW  over limit {bool(temps.comp_over_limit[j])}"
                )
        gates = [i for i, c in enumerate(cn.sink_category) if c == "city_gate"]
        nodes = cn.sink_node[gates]
        p_in = np.asarray(result.p_pa)[nodes]
        m = cn.sink_demand[gates]
        throttle = regulator_throttle(
            thermo,
            p_in,
            temps.node_t_k[nodes],
            (CITY_GATE_OUTLET_BARG * 1e5 + cn.ambient_pa) * np.ones(len(gates)),
            m,
            CITY_GATE_MIN_C + KELVIN,
        )
        for g, i in enumerate(gates):
            print(
                f"  city gate {cn.sink_ids[i]:20s} {p_in[g] / 1e5 - 1.01325:5.1f} -> {CITY_GATE_OUTLET_BARG:g} barg: "
                f"{temps.node_t_k[nodes[g]] - KELVIN:5.1f} -> {throttle.t_outlet_unheated_k[g] - KELVIN:5.1f} C, "
                f"preheat {throttle.preheater_duty_w[g] / 1e6:5.2f} MW"
            )
        res = np.asarray(cn.res_edge)[np.asarray(cn.res_is_pipe)]
        t_pipe = np.where(
            np.isfinite(temps.edge_t_outlet_k[res]),
            0.5 * (temps.edge_t_inlet_k[res] + temps.edge_t_outlet_k[res]),
            np.nan,
        )
        flowing = np.isfinite(t_pipe)
        p_res = p_mean[np.asarray(cn.res_is_pipe)]
        rho_t = thermo.state(p_res[flowing], t_pipe[flowing]).density_kg_m3
        rho_iso = thermo.state(p_res[flowing], np.full(flowing.sum(), iso_t)).density_kg_m3
        lp = np.asarray(pipes["linepack_kg"])[flowing]
        change = float(np.sum(lp * (rho_t / rho_iso - 1.0)))
        print(
            f"  linepack of the flowing pipes: {lp.sum() / 1e6:.2f} kt isothermal at {iso_t - KELVIN:g} C; "
            f"{change / 1e6:+.3f} kt ({100 * change / lp.sum():+.2f} %) with these temperatures at the same pressures"
        )
        print(f"  heat to the ground {np.nansum(temps.pipe_heat_to_ground_w) / 1e6:.1f} MW")


if __name__ == "__main__":
    main()
