"""Temperatures of a whole network for given hydraulics: the steady energy balance swept in flow order.

For a converged steady state (node pressures and edge flows, e.g. of the isothermal solver), the steady energy
equations decouple from the momentum equations once the flows are fixed: each node's temperature follows from
the enthalpy-weighted mix of the streams entering it, and each edge's outlet temperature from its inlet
temperature (pipe: heat exchange with the ground, Joule-Thomson and elevation work; compressor: real-gas
compression path, then the after-cooler; regulator: isenthalpic throttling after its preheater; resistor:
isenthalpic; valve and short pipe: unchanged). With all flows fixed the flow graph is acyclic (a steady
potential flow cannot circulate without a compressor loop), so one sweep in topological order, vectorised over
the nodes of each level, is the exact solution of the energy balance for these flows.

Mixing is on enthalpy: h_n = sum_k m_k h(p_n, T_k) / sum_k m_k, T_n = T(p_n, h_n), so energy is conserved at
every node to the Newton tolerance of the inversion (1e-9 K, about 1e-11 relative in h). A node without inflow
(all its edges stagnant) takes the mean ground temperature of its pipes.

This is the *thermal post-processor* of issue 13: the pressure drop here does not yet feel the temperatures (the
coupled solve, where density, Z and viscosity follow T, is the solver part that remains; docs/thermal.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from linepack.errors import InputError
from linepack.gas.thermo import RealGasThermo
from linepack.hydraulics.constants import STANDARD_GRAVITY_M_S2
from linepack.thermal.inputs import ThermalInputs
from linepack.thermal.pipe_temperature import analytic_temperature, relaxation_rate_per_m, source_gradient_k_per_m
from linepack.thermal.stations import after_cooler, compressor_discharge, regulator_throttle

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
#: Edge kinds of linepack.compile.EdgeKind (copied to keep this module free of the compile import).
PIPE, COMPRESSOR, REGULATOR, VALVE, RESISTOR, SHORT_PIPE = range(6)
#: Flows below this [kg/s] carry no heat (stagnant edges).
STAGNANT_KG_S = 1e-9


@dataclass(frozen=True)
class NetworkTemperatures:
    """Temperatures and heat flows of a network for fixed hydraulics (arrays in the compiled network's order).

    Attributes:
        node_t_k: temperature at every node [K].
        edge_t_inlet_k, edge_t_outlet_k: temperature entering and leaving each edge along its flow [K]
            (equal to the upstream node's temperature and nan for stagnant edges).
        edge_upstream: node index each edge's flow leaves (-1 for stagnant edges).
        pipe_heat_to_ground_w: heat each edge gives the ground [W] (pipes; 0 for other edges).
        comp_discharge_t_k: compressor discharge temperature before the after-cooler [K].
        comp_over_limit: True where that discharge temperature exceeds the station's limit.
        cooler_duty_w, cooler_limited: after-cooler duty [W] and whether its duty limit decided the outlet.
        preheater_duty_w, preheater_limited: regulator preheater duty [W] and whether its limit was reached.
        levels: number of topological levels of the flow graph (the sweep length).
        compressor_ids, regulator_ids: the stations the compressor and regulator arrays refer to, in order.
        edge_t_mean_k: length-averaged gas temperature of every flowing pipe (the analytic profile's mean), the
            mean of inlet and outlet for other flowing edges, nan for stagnant edges [K].
        cut_edges: edges taken out of the flow order to break circulating flow (fed from a previous sweep).
    """

    node_t_k: F64
    edge_t_inlet_k: F64
    edge_t_outlet_k: F64
    edge_upstream: I64
    pipe_heat_to_ground_w: F64
    comp_discharge_t_k: F64
    comp_over_limit: NDArray[np.bool_]
    cooler_duty_w: F64
    cooler_limited: NDArray[np.bool_]
    preheater_duty_w: F64
    preheater_limited: NDArray[np.bool_]
    levels: int
    compressor_ids: tuple[str, ...] = ()
    regulator_ids: tuple[str, ...] = ()
    edge_t_mean_k: F64 | None = None
    cut_edges: I64 | None = None


def _levels(n_nodes: int, up: I64, down: I64) -> I64:
    """Topological level of every node in the directed flow graph (Kahn's algorithm, vectorised per level)."""
    indegree = np.bincount(down, minlength=n_nodes)
    level = np.full(n_nodes, -1, dtype=np.int64)
    frontier = np.flatnonzero(indegree == 0)
    k = 0
    order = np.argsort(up, kind="stable")
    starts = np.searchsorted(up[order], np.arange(n_nodes + 1))
    while frontier.size:
        level[frontier] = k
        outgoing = np.concatenate([order[starts[n] : starts[n + 1]] for n in frontier]) if frontier.size else order[:0]
        targets = down[outgoing]
        np.subtract.at(indegree, targets, 1)
        frontier = np.unique(targets[indegree[targets] == 0])
        k += 1
    if np.any(level < 0):
        stuck = np.flatnonzero(level < 0)
        raise InputError(
            f"network temperatures: the flow circulates through {stuck.size} nodes (a loop driven by compressors); "
            "the flow-order sweep needs an acyclic flow; solve with the coupled thermal solver instead"
        )
    return level


def _cycle_cuts(n_nodes: int, up: I64, down: I64, p: F64) -> NDArray[np.bool_]:
    """Edges to take out of the flow order so that it has no cycle: none for an acyclic flow; else, among the
    nodes that Kahn's algorithm cannot order, every edge whose flow goes up the order (pressure, then node index).

    A steady flow circulates only where something other than the pressure drives it (a compressor, or gravity
    on gas of different temperatures in pipes of different heights: a thermosiphon). Every cycle has at least one
    edge going up that order, so the rest is acyclic.
    """
    indegree = np.bincount(down, minlength=n_nodes)
    ordered = np.zeros(n_nodes, dtype=bool)
    frontier = np.flatnonzero(indegree == 0)
    order = np.argsort(up, kind="stable")
    starts = np.searchsorted(up[order], np.arange(n_nodes + 1))
    while frontier.size:
        ordered[frontier] = True
        outgoing = np.concatenate([order[starts[n] : starts[n + 1]] for n in frontier])
        targets = down[outgoing]
        np.subtract.at(indegree, targets, 1)
        frontier = np.unique(targets[indegree[targets] == 0])
    if bool(ordered.all()):
        return np.zeros(up.size, dtype=bool)
    rank = np.empty(n_nodes, dtype=np.int64)
    rank[np.lexsort((-np.arange(n_nodes), -p))] = np.arange(n_nodes)  # 0: the highest pressure
    inside = ~ordered[up] & ~ordered[down]
    return np.asarray(inside & (rank[up] > rank[down]))


def _grouper(keys: I64, n_groups: int, items: I64 | None = None) -> Callable[[int], I64]:
    """``group(k)`` = the items (default: the indices) whose key is k, from one stable sort."""
    values = np.arange(keys.size) if items is None else items
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(n_groups + 1))
    ordered = values[order]

    def group(k: int) -> I64:
        return np.asarray(ordered[bounds[k] : bounds[k + 1]])

    return group


def network_temperatures(
    cn: Any,
    p_pa: F64,
    q_kg_s: F64,
    source_supply_kg_s: F64,
    inputs: ThermalInputs,
    thermo: RealGasThermo,
    lagged_outlet_k: F64 | None = None,
) -> NetworkTemperatures:
    """Solve the steady energy balance of a network for fixed pressures and flows (see the module docstring).

    Where the flow circulates (a compressor loop, or a thermosiphon of gravity on gas of different temperatures),
    the edges that close the cycles (:func:`_cycle_cuts`) feed their nodes with ``lagged_outlet_k`` (their outlet
    temperatures of a previous sweep, per edge) and the result's ``cut_edges`` names them: energy is conserved at
    their nodes only when the caller iterates to a fixed point (:mod:`linepack.thermal.coupling` does).

    Args:
        cn: the :class:`~linepack.compile.CompiledNetwork` the hydraulics were solved on.
        p_pa: absolute pressure of every node [Pa].
        q_kg_s: mass flow of every edge, positive from its ``from`` node [kg/s].
        source_supply_kg_s: supply of every source [kg/s] (negative: a source taking gas back).
        inputs: :func:`~linepack.thermal.inputs.thermal_inputs` of the same scenario.
        thermo: real-gas properties of the network's gas.
        lagged_outlet_k: outlet temperature of every edge from a previous sweep [K] (used on cut edges only).

    Returns:
        :class:`NetworkTemperatures`.
    """
    net = cn  # a CompiledNetwork, typed loosely to keep the compile import out of this module
    n_nodes = int(net.n_nodes)
    edge_from = np.asarray(net.edge_from, dtype=np.int64)
    edge_to = np.asarray(net.edge_to, dtype=np.int64)
    kind = np.asarray(net.edge_kind, dtype=np.int64)
    edge_pos = {eid: i for i, eid in enumerate(net.edge_ids)}
    n_edges = edge_from.size
    flowing = np.abs(q_kg_s) > STAGNANT_KG_S
    up = np.where(q_kg_s >= 0, edge_from, edge_to)
    down = np.where(q_kg_s >= 0, edge_to, edge_from)
    m = np.abs(q_kg_s)

    # per-edge thermal data in edge order
    res_edge = np.asarray(net.res_edge, dtype=np.int64)
    length = np.full(n_edges, np.nan)
    diameter = np.full(n_edges, np.nan)
    length[res_edge] = net.length_m
    diameter[res_edge] = net.diameter_m
    u = np.zeros(n_edges)
    ground = np.full(n_edges, np.nan)
    pipe_idx = np.array([edge_pos[i] for i in inputs.pipe_ids], dtype=np.int64)
    u[pipe_idx] = inputs.pipe_u_w_m2k
    ground[pipe_idx] = inputs.pipe_ground_k
    comp_edge = np.array([edge_pos[i] for i in inputs.compressor_ids], dtype=np.int64)
    reg_edge = np.array([edge_pos[i] for i in inputs.regulator_ids], dtype=np.int64)
    comp_of_edge = np.full(n_edges, -1)
    comp_of_edge[comp_edge] = np.arange(comp_edge.size)
    reg_of_edge = np.full(n_edges, -1)
    reg_of_edge[reg_edge] = np.arange(reg_edge.size)
    elevation = np.asarray(net.elevation_m, dtype=np.float64)

    # node fallback temperature: mean ground temperature of its pipes (else the network mean)
    counts = np.bincount(edge_from[pipe_idx], minlength=n_nodes) + np.bincount(edge_to[pipe_idx], minlength=n_nodes)
    sums = np.bincount(edge_from[pipe_idx], inputs.pipe_ground_k, n_nodes) + np.bincount(
        edge_to[pipe_idx], inputs.pipe_ground_k, n_nodes
    )
    default_k = float(np.mean(inputs.pipe_ground_k)) if pipe_idx.size else 288.15
    fallback = np.where(counts > 0, sums / np.maximum(counts, 1), default_k)

    # inflowing streams: sources (supply > 0) and flowing edges
    source_node = np.asarray(net.source_node, dtype=np.int64)
    src_pos = {sid: i for i, sid in enumerate(inputs.source_ids)}
    src_t = np.array([inputs.source_t_k[src_pos[s]] for s in net.source_ids])
    supply = np.maximum(np.asarray(source_supply_kg_s, dtype=np.float64), 0.0)

    cut = np.zeros(n_edges, dtype=bool)
    cut[flowing] = _cycle_cuts(n_nodes, up[flowing], down[flowing], np.asarray(p_pa, dtype=float))
    ordered_edges = flowing & ~cut
    level = _levels(n_nodes, up[ordered_edges], down[ordered_edges])
    node_t = np.full(n_nodes, np.nan)
    t_in = np.full(n_edges, np.nan)
    t_out = np.full(n_edges, np.nan)
    t_mean = np.full(n_edges, np.nan)
    heat = np.zeros(n_edges)
    comp_dis = np.full(comp_edge.size, np.nan)
    cool_duty = np.zeros(comp_edge.size)
    cool_lim = np.zeros(comp_edge.size, dtype=bool)
    pre_duty = np.zeros(reg_edge.size)
    pre_lim = np.zeros(reg_edge.size, dtype=bool)
    n_levels = int(level.max()) + 1 if n_nodes else 0
    by_level = _grouper(level, n_levels)  # nodes of each level
    flowing_edges = np.flatnonzero(flowing)
    into = _grouper(level[down[flowing_edges]], n_levels, flowing_edges)  # flowing edges entering each level
    # a cut edge feeds its node with the outlet temperature of the last sweep (the coupling's previous round), else
    # with its upstream node's ground temperature; the outer loop makes the two agree
    lagged = np.full(n_edges, np.nan) if lagged_outlet_k is None else np.asarray(lagged_outlet_k, dtype=float).copy()
    lagged = np.where(np.isfinite(lagged), lagged, fallback[up])
    leaving = _grouper(level[up[flowing_edges]], n_levels, flowing_edges)  # flowing edges leaving each level
    fed_sources = np.flatnonzero(supply > 0)
    sources_at = _grouper(level[source_node[fed_sources]], n_levels, fed_sources)
    for k in range(n_levels):  # loop over flow levels, vectorised within each
        nodes = by_level(k)
        # 1. mix the inflows of this level's nodes on enthalpy at the node pressure
        e_in = into(k)
        s_in = sources_at(k)
        stream_node = np.concatenate([down[e_in], source_node[s_in]])
        stream_m = np.concatenate([m[e_in], supply[s_in]])
        stream_t = np.concatenate([np.where(cut[e_in], lagged[e_in], t_out[e_in]), src_t[s_in]])
        mass = np.bincount(stream_node, stream_m, n_nodes)[nodes]
        if stream_node.size:
            h = thermo.enthalpy_j_kg(p_pa[stream_node], stream_t)
            h_mix = np.bincount(stream_node, stream_m * h, n_nodes)[nodes] / np.where(mass > 0, mass, 1.0)
            t_guess = np.bincount(stream_node, stream_m * stream_t, n_nodes)[nodes] / np.where(mass > 0, mass, 1.0)
            fed = mass > 0
            node_t[nodes[fed]] = thermo.temperature_from_enthalpy(p_pa[nodes[fed]], h_mix[fed], t_guess[fed])
            node_t[nodes[~fed]] = fallback[nodes[~fed]]
        else:
            node_t[nodes] = fallback[nodes]
        # 2. carry the temperature through every edge leaving these nodes
        out = leaving(k)
        t_in[out] = node_t[up[out]]
        _edges_out(
            out, kind, up, down, m, p_pa, t_in, t_out, t_mean, heat, length, diameter, u, ground, elevation, thermo
        )
        comps = out[kind[out] == COMPRESSOR]
        if comps.size:
            j = comp_of_edge[comps]
            c = compressor_discharge(
                thermo,
                p_pa[up[comps]],
                t_in[comps],
                np.maximum(p_pa[down[comps]], p_pa[up[comps]]),
                inputs.compressor_efficiency[j],
                path="polytropic" if bool(np.any(inputs.compressor_polytropic[j])) else "isentropic",
            )
            comp_dis[j] = c.t_discharge_k
            t_out[comps] = c.t_discharge_k
            has = inputs.has_cooler[j]
            if np.any(has):
                jj, ee = j[has], comps[has]
                set_k = np.where(np.isnan(inputs.cooler_t_set_k[jj]), np.inf, inputs.cooler_t_set_k[jj])
                cooled = after_cooler(
                    thermo,
                    p_pa[down[ee]],
                    c.t_discharge_k[has],
                    m[ee],
                    set_k,
                    inputs.cooler_duty_max_w[jj],
                    strict=False,
                )
                t_out[ee] = cooled.t_outlet_k
                cool_duty[jj] = cooled.duty_w
                cool_lim[jj] = cooled.duty_limited
        regs = out[kind[out] == REGULATOR]
        if regs.size:
            j = reg_of_edge[regs]
            r = regulator_throttle(
                thermo,
                p_pa[up[regs]],
                t_in[regs],
                np.minimum(p_pa[down[regs]], p_pa[up[regs]]),
                m[regs],
                inputs.preheat_t_min_k[j],
                inputs.preheat_duty_max_w[j],
            )
            t_out[regs] = r.t_outlet_k
            pre_duty[j] = r.preheater_duty_w
            pre_lim[j] = r.duty_limited
    over = np.isfinite(comp_dis) & (comp_dis > inputs.compressor_t_max_k + 1e-9)
    return NetworkTemperatures(
        node_t,
        t_in,
        t_out,
        np.where(flowing, up, -1),
        heat,
        comp_dis,
        over,
        cool_duty,
        cool_lim,
        pre_duty,
        pre_lim,
        int(level.max()) + 1 if n_nodes else 0,
        inputs.compressor_ids,
        inputs.regulator_ids,
        t_mean,
        np.flatnonzero(cut),
    )


def _edges_out(
    out: I64,
    kind: I64,
    up: I64,
    down: I64,
    m: F64,
    p: F64,
    t_in: F64,
    t_out: F64,
    t_mean: F64,
    heat: F64,
    length: F64,
    diameter: F64,
    u: F64,
    ground: F64,
    elevation: F64,
    thermo: RealGasThermo,
) -> None:
    """Outlet temperatures of the pipes, resistors, valves and short pipes in ``out`` (in place)."""
    pipes = out[kind[out] == PIPE]
    if pipes.size:
        pin, pout = p[up[pipes]], p[down[pipes]]
        dz = elevation[down[pipes]] - elevation[up[pipes]]
        length_p = length[pipes]
        grad = (pout - pin) / length_p
        t_guess = t_in[pipes]
        for _ in range(20):  # cp, mu_JT at the mean state (mean p, mean of the end temperatures): a fixed point
            p_mean = 0.5 * (pin + pout)
            cp = thermo.cp_j_kg_k(p_mean, t_guess)  # (only the two properties used: not the whole state)
            mu_jt = thermo.joule_thomson_k_pa(p_mean, t_guess)
            kappa = relaxation_rate_per_m(u[pipes], diameter[pipes], m[pipes], cp)
            a = source_gradient_k_per_m(mu_jt, grad, dz / length_p, cp)
            result = analytic_temperature(t_in[pipes], ground[pipes], length_p, kappa, a)
            t_next = 0.5 * (t_in[pipes] + result.outlet_k)
            converged = float(np.max(np.abs(t_next - t_guess))) < 1e-9
            t_guess = t_next
            if converged:
                break
        t_out[pipes] = result.outlet_k
        t_mean[pipes] = result.mean_k
        h_in = thermo.enthalpy_j_kg(pin, t_in[pipes])
        h_out = thermo.enthalpy_j_kg(pout, t_out[pipes])
        heat[pipes] = m[pipes] * (h_in - h_out) - m[pipes] * STANDARD_GRAVITY_M_S2 * dz
    throttled = out[kind[out] == RESISTOR]
    if throttled.size:
        h_in = thermo.enthalpy_j_kg(p[up[throttled]], t_in[throttled])
        t_out[throttled] = thermo.temperature_from_enthalpy(p[down[throttled]], h_in, t_in[throttled])
    same = out[(kind[out] == VALVE) | (kind[out] == SHORT_PIPE)]
    t_out[same] = t_in[same]
    other = out[kind[out] != PIPE]
    t_mean[other] = 0.5 * (t_in[other] + t_out[other])


def steady_temperatures(network: Any, result: Any, scenario: str | None = None) -> NetworkTemperatures:
    """:func:`network_temperatures` for a :class:`~linepack.results.SteadyResult` of ``network``'s scenario.

    Args:
        network: the :class:`~linepack.model.network.Network` that was solved.
        result: its steady result (pressures, flows, supplies).
        scenario: the scenario solved (default: the network's default scenario).

    Raises:
        InputError: the network's gas has no composition (real-gas thermodynamics need one).
    """
    from linepack.model.network import Network
    from linepack.thermal.inputs import thermal_inputs

    if not isinstance(network, Network):
        raise InputError(f"steady_temperatures: expected a Network, got {type(network).__name__}")
    cn = result.network
    composition = cn.gas.composition
    if composition is None:
        raise InputError(
            "network temperatures: settings.gas names no composition (only a molar mass is given); non-isothermal "
            "flow needs the gas composition for its real-gas enthalpy; set settings.gas"
        )
    thermo = _thermo_for(composition)
    view = network.view(scenario if scenario is not None else network.default_scenario)
    return network_temperatures(
        cn,
        np.asarray(result.p_pa),
        np.asarray(result.q_kg_s),
        np.asarray(result.source_supply_kg_s),
        thermal_inputs(view),
        thermo,
    )


_THERMO_CACHE: dict[tuple[float, ...], RealGasThermo] = {}


def _thermo_for(composition: Any) -> RealGasThermo:
    """One cached :class:`RealGasThermo` per composition (its table costs about 0.5 s to build)."""
    key = composition.fractions_tuple
    thermo = _THERMO_CACHE.get(key)
    if thermo is None:
        thermo = RealGasThermo(composition)
        if len(_THERMO_CACHE) > 16:
            _THERMO_CACHE.clear()
        _THERMO_CACHE[key] = thermo
    return thermo
