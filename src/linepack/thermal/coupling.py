"""The coupled non-isothermal steady solve: hydraulics that feel the temperature, temperatures of those hydraulics.

With ``settings.thermal.mode: non_isothermal`` the steady solve (:func:`linepack.solvers.steady.solve_steady`)
hands over to :func:`solve_non_isothermal`, an outer loop on the mean gas temperature of every pipe and resistor:

1. the hydraulics are solved with each resistive edge's law at its own temperature T_e
   (:attr:`linepack.compile.CompiledNetwork.res_temperature_k`): Z(p_m, T_e), the density factor R T_e / M of the
   friction and gravity terms, and the viscosity mu(p_m, T_e) all follow the temperature;
2. the steady energy balance is solved exactly for those flows and pressures
   (:func:`linepack.thermal.network_temperatures.network_temperatures`: enthalpy mixing at nodes, the analytic
   pipe solution with ground heat exchange, Joule-Thomson and elevation work, compressor paths, after-coolers,
   regulators and preheaters), which gives each pipe's length-averaged temperature;
3. the map T -> T' is iterated with Anderson acceleration (the same :class:`linepack.quality.coupling.Anderson`
   as the gas-quality coupling of issue 12) until max |T' - T| <= ``THERMAL_TOLERANCE_K``; each round's
   hydraulics start from the last round's solution (warm start; PSGP: 21 Newton steps over its 4 rounds).

The first round uses each pipe's ground temperature. The answer is the fixed point: the pipe laws' temperatures are
the mean temperatures of the energy balance of the answer's own flows within the tolerance, whatever the start.

Compressor power and fuel follow each station's suction temperature
(:attr:`linepack.compile.CompiledNetwork.comp_suction_temperature_k`, iterated with the pipe temperatures).

Validity: the pipe law with one temperature per pipe, its length-averaged temperature, is the mean-value
approximation of the temperature along the pipe. Measured against RK4 integration of the coupled (p, T) equations
with real-gas properties along the pipe (80 km, 700 mm, 100 kg/s, 45 C gas into 20 C ground): pressure drop within
1.2e-4 (U = 3 W/(m2 K), 23 K span) and 2.7e-5 (U = 10) relative, outlet temperature within 0.05 K (docs/thermal.md).
Mixing of several gases (``settings.mixing``) is not combined with the thermal coupling yet: such a network is
solved with one gas, the network gas, and the result's warnings say so.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray

from linepack.errors import ConvergenceError, InputError
from linepack.quality.coupling import Anderson
from linepack.thermal.inputs import ThermalInputs, thermal_inputs
from linepack.thermal.network_temperatures import NetworkTemperatures, _thermo_for, network_temperatures

F64 = NDArray[np.float64]
#: The outer loop stops when no pipe's mean temperature moves by more than this [K]: 3e-7 of the gas constant term of
#: a pipe law (R T / M), below what the Newton tolerance leaves; tighter stalls on the hydraulics' own noise (the
#: 20,164-junction lattice reaches about 1e-5 K).
THERMAL_TOLERANCE_K = 1e-4
#: Outer rounds before the coupling is reported as not converging.
MAX_THERMAL_ROUNDS = 40
#: The note of a non-isothermal solve of a network whose sources carry different gases.
ONE_GAS_NOTE = (
    "non-isothermal solve with one gas (the network gas, settings.gas): the sources' own gases are not mixed while "
    "temperatures are tracked (not built yet; docs/thermal.md)"
)


def with_thermal(network: Any, season: str | None = None) -> Any:
    """A copy of ``network`` in non-isothermal mode (and with ``season`` in force when given); the network itself is
    not modified. Raises InputError (through the schema) for an unknown season."""
    from linepack.model.network import Network

    doc = network.to_dict()
    thermal_doc = doc.setdefault("settings", {}).setdefault("thermal", {})
    thermal_doc["mode"] = "non_isothermal"
    if season is not None:
        thermal_doc["season"] = season
    return Network.from_dict(doc, source="settings.thermal")


def res_ground_temperature(cn: Any, inputs: ThermalInputs) -> F64:
    """Starting temperature [K] of every resistive edge: a pipe's ground temperature, else the network temperature."""
    t = np.full(len(cn.res_edge), float(cn.gas.temperature_k))
    res_pos = {cn.edge_ids[e]: k for k, e in enumerate(cn.res_edge)}
    for pid, tg in zip(inputs.pipe_ids, inputs.pipe_ground_k, strict=True):
        k = res_pos.get(pid)
        if k is not None:
            t[k] = tg
    return t


def res_mean_temperature(cn: Any, temps: NetworkTemperatures, previous: F64) -> F64:
    """The mean temperature [K] of every resistive edge in ``temps``; a stagnant edge takes the mean of its end
    nodes (it carries no heat; its law at zero flow does not depend on T)."""
    assert temps.edge_t_mean_k is not None
    e = cn.res_edge
    t = np.asarray(temps.edge_t_mean_k[e], dtype=float)
    ends = 0.5 * (temps.node_t_k[cn.edge_from[e]] + temps.node_t_k[cn.edge_to[e]])
    t = np.where(np.isfinite(t), t, ends)
    return np.where(np.isfinite(t), t, previous)


def solve_non_isothermal(network: Any, scenario: str | None = None, options: Any = None, *, initial: Any = None) -> Any:
    """Solve the coupled steady state of a non-isothermal network (see the module docstring).

    Args:
        network: a :class:`~linepack.model.network.Network` with ``settings.thermal.mode: non_isothermal``.
        scenario: the scenario (default: the network's default).
        options: :class:`~linepack.solvers.steady.SteadyOptions` of every round's hydraulic solve.
        initial: a steady result of the same network to start the first round from.

    Returns:
        the :class:`~linepack.results.SteadyResult` of the last round, with ``thermal`` holding the
        :class:`~linepack.thermal.network_temperatures.NetworkTemperatures` of its flows and pressures and
        ``outer_iterations`` the thermal rounds.

    Raises:
        InputError: no gas composition (the real-gas enthalpy needs one), or Z integrated along the pipe.
        ConvergenceError: the temperatures and the hydraulics keep changing each other.
    """
    from linepack.compile import compile_network
    from linepack.solvers.steady import solve_steady

    name = scenario if scenario is not None else network.default_scenario
    notes: list[str] = []
    if network.settings.mixing != "off":
        cn = compile_network(network, name)
        if cn.quality is not None and cn.quality.mixing:
            # temperatures and several gases are not tracked together yet: one gas (the network gas), said in the result
            notes.append(ONE_GAS_NOTE)
            network = network.copy()
            network.settings = network.settings.model_copy(update={"mixing": "off"})
    cn = compile_network(network, name)
    if cn.gas.composition is None:
        raise InputError(
            "settings.thermal.mode = non_isothermal: settings.gas names no composition (only a molar mass); the "
            "real-gas enthalpy needs the gas composition; set settings.gas or use mode isothermal"
        )
    if cn.z_integrated:
        raise InputError(
            "settings.compressibility_along_pipe = integrated with settings.thermal.mode = non_isothermal: Z "
            "integrated along a pipe assumes one temperature; use the mean-pressure law (mean) or mode isothermal"
        )
    inputs = thermal_inputs(network.view(name))
    thermo = _thermo_for(cn.gas.composition)
    t_res = res_ground_temperature(cn, inputs)
    n_res = t_res.size
    t_gas = float(cn.gas.temperature_k)
    t_comp = np.full(len(cn.comp_edge), t_gas)  # suction temperatures of the compressors' power law
    accel = Anderson(depth=4)
    result = initial
    iterations = 0
    worst = np.inf
    lagged: F64 | None = None
    for rounds in range(1, MAX_THERMAL_ROUNDS + 1):
        prepared = getattr(cn.gas.compressibility, "at_temperatures", None)
        res_z = prepared(t_res) if prepared is not None else None
        cn_t = dataclasses.replace(cn, res_temperature_k=t_res, res_z=res_z, comp_suction_temperature_k=t_comp)
        result = solve_steady(cn_t, name, options, initial=result)
        iterations += result.iterations
        temps = network_temperatures(
            cn_t,
            np.asarray(result.p_pa),
            np.asarray(result.q_kg_s),
            np.asarray(result.source_supply_kg_s),
            inputs,
            thermo,
            lagged,
        )
        t_new = res_mean_temperature(cn_t, temps, t_res)
        suction = np.asarray(temps.edge_t_inlet_k[cn.comp_edge], dtype=float)  # along the flow: the suction
        t_comp_new = np.where(np.isfinite(suction), suction, t_comp)
        worst = float(np.max(np.abs(np.concatenate([t_new - t_res, t_comp_new - t_comp])), initial=0.0))
        if temps.cut_edges is not None and temps.cut_edges.size and lagged is not None:
            # circulating flow: the cut edges' fed temperatures must agree with their outlets too
            k = temps.cut_edges
            worst = max(worst, float(np.max(np.abs(np.nan_to_num(temps.edge_t_outlet_k[k] - lagged[k])))))
        lagged = np.asarray(temps.edge_t_outlet_k)
        if worst <= THERMAL_TOLERANCE_K:
            warnings = tuple(notes) + tuple(result.warnings)
            return dataclasses.replace(
                result, thermal=temps, outer_iterations=rounds, iterations=iterations, warnings=warnings
            )
        u = accel.next(np.concatenate([t_res, t_comp]), np.concatenate([t_new, t_comp_new]))
        t_res, t_comp = u[:n_res], u[n_res:]
    raise ConvergenceError(
        f"scenario {cn.scenario}: the temperatures and the hydraulics keep changing each other after "
        f"{MAX_THERMAL_ROUNDS} rounds (largest change of a pipe's mean temperature {worst:.3g} K)",
        [],
    )
