"""Network temperatures for fixed hydraulics: energy conservation at every node and station, a single pipe
against the analytic solution, stagnant edges, and the PSGP default in summer and winter."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

import linepack
from linepack.io.native import load_default_network
from linepack.model.network import Network
from linepack.thermal import analytic_temperature, relaxation_rate_per_m, source_gradient_k_per_m
from linepack.thermal.network_temperatures import NetworkTemperatures, steady_temperatures

G = 9.80665
LNG = {"CH4": 0.9, "C2H6": 0.065, "C3H8": 0.022, "iC4H10": 0.004, "nC4H10": 0.005, "N2": 0.004}


def _small(**thermal: Any) -> dict[str, Any]:
    """Two sources (different temperatures) mixing at B, a compressor with an after-cooler, a pipe uphill, a
    regulator with a preheater; a stagnant dead-end pipe."""
    return {
        "format": "linepack-network/1",
        "settings": {"temperature_c": 15, "gas": "lng", "thermal": {"mode": "non_isothermal", **thermal}},
        "gas_compositions": {"lng": {"mole_fractions": LNG}},
        "nodes": [
            {"id": "A"}, {"id": "A2"}, {"id": "B"}, {"id": "C"}, {"id": "D", "elevation_m": 250.0}, {"id": "E"},
            {"id": "F"},
        ],
        "pipes": [
            {"id": "P1", "from": "A", "to": "B", "length_km": 30, "inner_diameter_mm": 700, "ground_temperature_c": 28},
            {"id": "P2", "from": "A2", "to": "B", "length_km": 20, "inner_diameter_mm": 500,
             "ground_temperature_c": 22},
            {"id": "P3", "from": "C", "to": "D", "length_km": 120, "inner_diameter_mm": 700,
             "heat_transfer_coefficient_w_m2k": 2.5, "ground_temperature_c": 24},
            {"id": "DEAD", "from": "D", "to": "F", "length_km": 5, "inner_diameter_mm": 300,
             "ground_temperature_c": 20},
        ],
        "compressors": [
            {"id": "CS", "from": "B", "to": "C", "p_set_barg": 95, "ratio_max": 2.0,
             "after_cooler": {"outlet_temperature_c": 45, "duty_max_mw": 40}, "discharge_temperature_max_c": 60},
        ],
        "regulators": [
            {"id": "R", "from": "D", "to": "E", "p_set_barg": 20, "preheater": {"outlet_temperature_min_c": 5}},
        ],
        "sources": [
            {"id": "S1", "node": "A", "mode": "pressure", "p_set_barg": 60, "temperature_c": 15},
            {"id": "S2", "node": "A2", "mode": "flow", "inflow": 200, "temperature_c": 35},
        ],
        "sinks": [{"id": "K", "node": "E", "demand": 600}],
    }  # fmt: skip


@pytest.fixture(scope="module")
def small() -> tuple[Network, Any, NetworkTemperatures]:
    net = Network.from_dict(_small(heat_transfer_coefficient_w_m2k=2.0))
    result = linepack.solve_steady(net)
    assert result.converged
    return net, result, steady_temperatures(net, result)


def test_energy_is_conserved_at_every_node_and_station(small: tuple[Network, Any, NetworkTemperatures]) -> None:
    """Enthalpy flows: at every node sum(in) = sum(out) to 1e-10 relative; a pipe gives the ground m dh - m g dz;
    the compressor adds its head and the cooler removes its duty; the preheater adds its duty."""
    from linepack.thermal.network_temperatures import _thermo_for

    _net, result, temps = small
    cn = result.network
    thermo = _thermo_for(cn.gas.composition)
    p, q = np.asarray(result.p_pa), np.asarray(result.q_kg_s)
    m = np.abs(q)
    up = temps.edge_upstream
    flowing = up >= 0
    down = np.where(q >= 0, cn.edge_to, cn.edge_from)
    h_out = np.where(flowing, thermo.enthalpy_j_kg(p[down], np.where(flowing, temps.edge_t_outlet_k, 300.0)), 0.0)
    h_node = thermo.enthalpy_j_kg(p, temps.node_t_k)
    inflow = np.bincount(down[flowing], (m * h_out)[flowing], cn.n_nodes)
    supply = np.maximum(np.asarray(result.source_supply_kg_s), 0.0)
    src_t = np.array([288.15, 308.15])
    inflow += np.bincount(cn.source_node, supply * thermo.enthalpy_j_kg(p[cn.source_node], src_t), cn.n_nodes)
    mass_in = np.bincount(down[flowing], m[flowing], cn.n_nodes) + np.bincount(cn.source_node, supply, cn.n_nodes)
    outflow = mass_in * h_node  # every stream leaving a node carries its mixed enthalpy
    scale = np.abs(inflow).max()
    assert np.max(np.abs(inflow - outflow)) <= 1e-10 * scale
    # stations: compressor head - cooler duty; regulator + preheater duty
    k = cn.edge_ids.index("CS")
    h_in = thermo.enthalpy_j_kg(p[up[k]], temps.edge_t_inlet_k[k])
    h_dis = thermo.enthalpy_j_kg(p[down[k]], temps.comp_discharge_t_k[0])
    assert m[k] * (h_out[k] - h_in) == pytest.approx(m[k] * (h_dis - h_in) - temps.cooler_duty_w[0], rel=1e-10)
    assert temps.cooler_duty_w[0] > 0 and temps.edge_t_outlet_k[k] == pytest.approx(318.15)
    k = cn.edge_ids.index("R")
    h_in = thermo.enthalpy_j_kg(p[up[k]], temps.edge_t_inlet_k[k])
    assert m[k] * (h_out[k] - h_in) == pytest.approx(temps.preheater_duty_w[0], rel=1e-9)
    assert temps.preheater_duty_w[0] > 0 and temps.edge_t_outlet_k[k] == pytest.approx(278.15)
    # the stagnant dead end carries nothing; its far node takes its pipe's ground temperature
    k = cn.edge_ids.index("DEAD")
    assert up[k] == -1 and np.isnan(temps.edge_t_outlet_k[k])
    assert temps.node_t_k[cn.node_ids.index("F")] == pytest.approx(293.15)


def test_pipe_matches_the_analytic_solution_at_its_mean_state(small: tuple[Network, Any, NetworkTemperatures]) -> None:
    """Pipe P3 (uphill, U = 2.5): the outlet is the analytic exponential approach with cp and mu_JT at the pipe's
    mean state, and the heat to the ground closes its energy balance."""
    from linepack.thermal.network_temperatures import _thermo_for

    _net, result, temps = small
    cn = result.network
    thermo = _thermo_for(cn.gas.composition)
    k = cn.edge_ids.index("P3")
    i, j = cn.node_ids.index("C"), cn.node_ids.index("D")
    p_in, p_out = result.p_pa[i], result.p_pa[j]
    m = abs(result.q_kg_s[k])
    t0 = temps.edge_t_inlet_k[k]
    state = thermo.state(0.5 * (p_in + p_out), 0.5 * (t0 + temps.edge_t_outlet_k[k]))
    kappa = relaxation_rate_per_m(2.5, 0.7, m, state.cp_j_kg_k)
    a = source_gradient_k_per_m(state.joule_thomson_k_pa, (p_out - p_in) / 120e3, 250.0 / 120e3, state.cp_j_kg_k)
    expected = analytic_temperature(t0, 297.15, 120e3, kappa, a).outlet_k
    assert temps.edge_t_outlet_k[k] == pytest.approx(float(expected), abs=0.02)
    assert temps.edge_t_outlet_k[k] < t0  # the cooled discharge keeps cooling towards 24 C, and by JT
    h = thermo.enthalpy_j_kg(np.array([p_in, p_out]), np.array([t0, temps.edge_t_outlet_k[k]]))
    assert temps.pipe_heat_to_ground_w[k] == pytest.approx(m * (h[0] - h[1]) - m * G * 250.0, rel=1e-12)


def test_limits_and_duty_reported() -> None:
    """A discharge limit below the compressor's discharge temperature is flagged; a duty-limited cooler says so."""
    doc = _small()
    doc["compressors"][0]["discharge_temperature_max_c"] = 40
    doc["compressors"][0]["after_cooler"] = {"outlet_temperature_c": 30, "duty_max_mw": 2}
    net = Network.from_dict(doc)
    temps = steady_temperatures(net, linepack.solve_steady(net))
    assert bool(temps.comp_over_limit[0]) and bool(temps.cooler_limited[0])
    assert temps.cooler_duty_w[0] == pytest.approx(2e6)


def test_psgp_summer_and_winter() -> None:
    """The PSGP default: CS1 heats the LNG send-out by about 30 K; summer ground is warmer than winter everywhere
    the gas has had time to relax to it; no station exceeds the 60 C coating limit in the base case."""
    net = load_default_network()
    result = linepack.solve_steady(net, "psgp_base")
    by_season = {}
    for season in ("summer", "winter"):
        doc = copy.deepcopy(net.to_dict())
        doc["settings"]["thermal"].update(mode="non_isothermal", season=season)
        seasonal = Network.from_dict(doc)
        by_season[season] = steady_temperatures(seasonal, result, "psgp_base")
    cn = result.network
    lahore = cn.node_ids.index("LAHORE")
    assert by_season["summer"].node_t_k[lahore] - by_season["winter"].node_t_k[lahore] > 5.0
    cs1 = cn.edge_ids.index("CS1")
    rise = by_season["summer"].comp_discharge_t_k[0] - by_season["summer"].edge_t_inlet_k[cs1]
    assert 20.0 < rise < 45.0
    assert not np.any(by_season["summer"].comp_over_limit)
    assert np.all(np.isfinite(by_season["winter"].node_t_k))
