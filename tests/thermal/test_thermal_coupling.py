"""The coupled non-isothermal steady solve (linepack.thermal.coupling): the pipe laws at their own temperatures.

What is shown: a single pipe follows the analytic exponential approach to the ground temperature and its pressure
drop is the isothermal law's at the pipe's mean temperature; the answer is the fixed point (the laws' temperatures
are the energy balance's means of the answer's own flows) and does not depend on the start; energy is conserved
at every node; the Jacobian with per-pipe temperatures matches finite differences; isothermal mode is unchanged
bit for bit; the default network solves in summer and winter and the CLI prints it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import linepack
from linepack.cli import app
from linepack.compile import compile_network
from linepack.model.network import Network
from linepack.solvers.equations import ControlState, SteadySystem
from linepack.thermal.coupling import THERMAL_TOLERANCE_K, res_mean_temperature, with_thermal
from linepack.thermal.network_temperatures import _thermo_for
from linepack.thermal.pipe_temperature import analytic_temperature, relaxation_rate_per_m, source_gradient_k_per_m

from .conftest import PSGP_LNG
from .test_thermal_network import _small

G = 9.80665


def _pipe(thermal: str = "non_isothermal", temperature_c: float = 15.0, **pipe: Any) -> Network:
    """One 80 km, 700 mm pipe, 70 barg source of 45 C gas, 100 kg/s delivered, U = 3, ground 20 C."""
    return Network.from_dict(
        {
            "format": "linepack-network/1",
            "settings": {"temperature_c": temperature_c, "gas": "lng", "thermal": {"mode": thermal}},
            "gas_compositions": {"lng": {"mole_fractions": PSGP_LNG}},
            "nodes": [{"id": "A"}, {"id": "B"}],
            "pipes": [
                {"id": "P", "from": "A", "to": "B", "length_km": 80, "inner_diameter_mm": 700,
                 "heat_transfer_coefficient_w_m2k": 3.0, "ground_temperature_c": 20.0, **pipe},
            ],
            "sources": [{"id": "S", "node": "A", "mode": "pressure", "p_set_barg": 70, "temperature_c": 45}],
            "sinks": [{"id": "K", "node": "B", "demand": 100, "unit": "kg/s"}],
        }
    )  # fmt: skip


@pytest.fixture(scope="module")
def single() -> Any:
    return linepack.solve_steady(_pipe())


def test_single_pipe_follows_the_analytic_approach_to_the_ground(single: Any) -> None:
    """Outlet temperature: T_g + (T_0 - T_g) e^{-kappa L} + JT term (Coulter and Bardon 1979) with cp and mu_JT at
    the pipe's mean state, computed here from the real-gas tables; heat to the ground closes the energy balance."""
    r = single
    cn = r.network
    thermo = _thermo_for(cn.gas.composition)
    p_in, p_out = r.p_pa
    t_out = r.thermal.node_t_k[1]
    t_mean_state = 0.5 * (318.15 + t_out)
    state = thermo.state(0.5 * (p_in + p_out), t_mean_state)
    kappa = relaxation_rate_per_m(3.0, 0.7, 100.0, state.cp_j_kg_k)
    a = source_gradient_k_per_m(state.joule_thomson_k_pa, (p_out - p_in) / 80e3, 0.0, state.cp_j_kg_k)
    exact = analytic_temperature(318.15, 293.15, 80e3, kappa, a)
    assert t_out == pytest.approx(float(exact.outlet_k), abs=1e-6)
    assert 293.15 < t_out < 318.15 - 10.0  # most of the way to the ground over 1/kappa-scale length
    # the law used the pipe's length-averaged temperature of that profile
    assert r.res_temperature_k()[0] == pytest.approx(float(exact.mean_k), abs=2 * THERMAL_TOLERANCE_K)
    h = thermo.enthalpy_j_kg(np.array([p_in, p_out]), np.array([318.15, t_out]))
    assert r.thermal.pipe_heat_to_ground_w[0] == pytest.approx(100.0 * (h[0] - h[1]), rel=1e-12)


def test_single_pipe_pressure_drop_is_the_law_at_its_mean_temperature(single: Any) -> None:
    """The isothermal solve at the pipe's mean temperature gives the same pressures (the same law, same T): Z,
    density and viscosity follow the temperature; a warmer pipe loses more pressure than one at the ground."""
    t_mean_c = float(single.res_temperature_k()[0]) - 273.15
    iso = linepack.solve_steady(_pipe("isothermal", temperature_c=t_mean_c))
    np.testing.assert_allclose(iso.p_pa, single.p_pa, rtol=1e-9)
    at_ground = linepack.solve_steady(_pipe("isothermal", temperature_c=20.0))
    assert single.p_pa[1] < at_ground.p_pa[1] - 0.05e5  # warm gas: lower density, more pressure loss
    assert single.pipe_linepack_kg()[0] < at_ground.pipe_linepack_kg()[0]


@pytest.fixture(scope="module")
def small() -> Any:
    net = Network.from_dict(_small(heat_transfer_coefficient_w_m2k=2.0))
    return net, linepack.solve_steady(net)


def test_answer_is_the_fixed_point_and_does_not_depend_on_the_start(small: Any) -> None:
    net, r = small
    cn = r.network
    assert r.thermal is not None and r.outer_iterations >= 2
    means = res_mean_temperature(cn, r.thermal, np.asarray(r.res_temperature_k()))
    assert np.max(np.abs(means - r.res_temperature_k())) <= THERMAL_TOLERANCE_K
    # from another start (an isothermal solution at 40 C): the same answer to the coupling's tolerance
    hot = Network.from_dict({**_small(heat_transfer_coefficient_w_m2k=2.0), "settings": {
        "temperature_c": 40, "gas": "lng", "thermal": {"mode": "isothermal"}}})  # fmt: skip
    r2 = linepack.solve_steady(net, initial=linepack.solve_steady(hot))
    np.testing.assert_allclose(r2.p_pa, r.p_pa, rtol=1e-8)
    np.testing.assert_allclose(r2.thermal.node_t_k, r.thermal.node_t_k, atol=1e-5)


def test_compressor_power_at_its_suction_temperature(small: Any) -> None:
    """The station's power law takes the gas entering it (the coupled suction temperature), not the network's."""
    from linepack.hydraulics.compressor import compressor_power_w

    _net, r = small
    cn = r.network
    k = int(cn.comp_edge[0])
    t_s = float(r.thermal.edge_t_inlet_k[k])
    assert cn.comp_suction_temperature_k[0] == pytest.approx(t_s, abs=THERMAL_TOLERANCE_K)
    ps, pd = r.p_pa[cn.edge_from[k]], r.p_pa[cn.edge_to[k]]
    z = cn.gas.compressibility.z(ps, cn.comp_suction_temperature_k[0])
    args = (r.q_kg_s[k], ps, pd)
    rest = (cn.gas.molar_mass_kg_per_mol, cn.gas.kappa, cn.comp_eta_is[0])
    expected = compressor_power_w(*args, cn.comp_suction_temperature_k[0], z, *rest)[0]
    assert r.comp_power_w[0] == pytest.approx(float(expected), rel=1e-12)
    assert abs(t_s - cn.gas.temperature_k) > 5.0  # the network temperature would be far off


def test_energy_is_conserved_at_every_node_of_the_coupled_answer(small: Any) -> None:
    """sum over entering streams of m h(p_n, T_in) = (sum m) h(p_n, T_n) at every node, to 1e-10 relative."""
    _net, r = small
    cn, temps = r.network, r.thermal
    thermo = _thermo_for(cn.gas.composition)
    p, q = np.asarray(r.p_pa), np.asarray(r.q_kg_s)
    m = np.abs(q)
    flowing = temps.edge_upstream >= 0
    down = np.where(q >= 0, cn.edge_to, cn.edge_from)
    h_out = np.where(flowing, thermo.enthalpy_j_kg(p[down], np.where(flowing, temps.edge_t_outlet_k, 300.0)), 0.0)
    supply = np.maximum(np.asarray(r.source_supply_kg_s), 0.0)
    src_h = supply * thermo.enthalpy_j_kg(p[cn.source_node], np.array([288.15, 308.15]))
    inflow = np.bincount(down[flowing], (m * h_out)[flowing], cn.n_nodes)
    inflow += np.bincount(cn.source_node, src_h, cn.n_nodes)
    mass_in = np.bincount(down[flowing], m[flowing], cn.n_nodes) + np.bincount(cn.source_node, supply, cn.n_nodes)
    outflow = mass_in * thermo.enthalpy_j_kg(p, temps.node_t_k)
    assert np.max(np.abs(inflow - outflow)) <= 1e-10 * np.abs(inflow).max()


def test_jacobian_with_per_pipe_temperatures_matches_finite_differences() -> None:
    """Every block of the steady Jacobian when each pipe law has its own temperature (Z(p, T_e), R T_e / M,
    viscosity at T_e) and the compressor its suction temperature."""
    cn0 = compile_network(Network.from_dict(_small(heat_transfer_coefficient_w_m2k=2.0)))
    t_res = np.linspace(280.0, 330.0, len(cn0.res_edge))
    cn = dataclasses.replace(cn0, res_temperature_k=t_res, comp_suction_temperature_k=np.array([301.0]))
    sys = SteadySystem(cn, ControlState.initial(cn), np.full(len(cn.res_edge), 1.1e-5), p_ref=70e5, m_ref=60.0)
    rng = np.random.default_rng(3)
    x = sys.pack(rng.uniform(30e5, 90e5, cn.n_nodes), rng.uniform(5.0, 80.0, cn.n_edges), rng.uniform(10, 80, sys.k))
    J = sys.jacobian(x).toarray()
    fd = np.zeros_like(J)
    for j in range(len(x)):
        h = 1e-6 * max(1.0, abs(x[j]))
        xp, xm = x.copy(), x.copy()
        xp[j] += h
        xm[j] -= h
        fd[:, j] = (sys.residual(xp) - sys.residual(xm)) / (2 * h)
    np.testing.assert_allclose(J, fd, rtol=1e-5, atol=1e-6 * np.abs(fd).max())
    # the temperature is really in the law: a warmer field changes the residual of every flowing pipe
    warm = SteadySystem(dataclasses.replace(cn0, res_temperature_k=t_res + 10.0), sys.state, sys.mu, 70e5, 60.0)
    rows = cn.n_nodes + np.asarray(cn.res_edge)
    assert np.all(np.abs(warm.residual(x)[rows] - sys.residual(x)[rows]) > 0)


def test_isothermal_path_unchanged_bit_for_bit() -> None:
    """An isothermal network solves as before; a temperature field equal to the network temperature everywhere
    takes the per-edge code path and gives the very same numbers."""
    net = _pipe("isothermal")
    r = linepack.solve_steady(net)
    assert r.thermal is None and r.network.res_temperature_k is None
    cn = compile_network(net)
    t = np.full(len(cn.res_edge), cn.gas.temperature_k)
    r_field = linepack.solve_steady(dataclasses.replace(cn, res_temperature_k=t))
    np.testing.assert_array_equal(r_field.p_pa, r.p_pa)
    np.testing.assert_array_equal(r_field.q_kg_s, r.q_kg_s)
    assert "temperature_c" not in r.to_dict()["nodes"][0]


def test_psgp_summer_and_winter_coupled() -> None:
    """The default network: summer gas is warmer, stores less and loses more pressure than winter gas; the
    result files carry node temperatures and each pipe's own temperature."""
    net = linepack.load_default_network()
    summer = linepack.solve_steady(with_thermal(net, "summer"))
    winter = linepack.solve_steady(with_thermal(net, "winter"))
    for r in (summer, winter):
        assert r.thermal is not None and r.outer_iterations <= 8
        assert any("one gas" in w for w in r.warnings)
    assert summer.res_temperature_k().mean() > winter.res_temperature_k().mean() + 5.0
    assert summer.pipe_linepack_kg().sum() < 0.98 * winter.pipe_linepack_kg().sum()
    doc = summer.to_dict()
    assert "temperature_c" in doc["nodes"][0]
    temps = {p["temperature_k"] for p in doc["pipes"]}
    assert len(temps) > 10
    cs1 = next(c for c in doc["compressors"] if c["id"] == "CS1")
    assert cs1["suction_temperature_c"] < cs1["discharge_temperature_c"] and cs1["cooler_duty_mw"] >= 0.0
    assert "discharge_temperature_c" in summer.to_csv_text().splitlines()[0]
    assert "temperature_c" not in linepack.solve_steady(net).to_csv_text().splitlines()[0]
    # the network itself is not modified by with_thermal
    assert net.settings.thermal.mode == "isothermal"


def _invoke(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return res.exit_code, res.output


def test_run_thermal_prints_temperatures_and_duties() -> None:
    code, out = _invoke("run", "--thermal", "--season", "winter")
    assert code == 0, out
    for fragment in ("non-isothermal (winter ground): temperatures and hydraulics coupled in", "LAHORE", "CS1",
                     "discharge C", "after-coolers"):  # fmt: skip
        assert fragment in out, fragment
    code, out = _invoke("run", "--season", "winter")
    assert code == 1 and "needs --thermal" in out and "Traceback" not in out
    code, out = _invoke("run", "--thermal", "--season", "monsoon")
    assert code == 1 and "monsoon" in out and "Traceback" not in out


def test_circulating_flow_is_cut_where_it_goes_up_the_pressure_order() -> None:
    """A flow cycle (compressor loop or thermosiphon) is broken at the edges whose flow goes to a higher pressure;
    an acyclic flow is not cut (the sweep stays exact)."""
    from linepack.thermal.network_temperatures import _cycle_cuts

    up, down = np.array([0, 1, 2, 2]), np.array([1, 2, 0, 3])  # 0 -> 1 -> 2 -> 0 and 2 -> 3
    p = np.array([60e5, 58e5, 55e5, 50e5])
    np.testing.assert_array_equal(_cycle_cuts(4, up, down, p), [False, False, True, False])
    assert not _cycle_cuts(4, np.array([0, 1, 2]), np.array([1, 2, 3]), p).any()


def test_compiled_scenario_of_a_non_isothermal_network_says_it_was_solved_isothermally() -> None:
    """Studies, supply, transient and optimisation solve compiled scenarios: isothermal, and the result says so."""
    r = linepack.solve_steady(compile_network(_pipe()))
    assert r.thermal is None and any("is isothermal at settings.temperature_c" in w for w in r.warnings)
    assert not any("isothermal at" in w for w in linepack.solve_steady(_pipe()).warnings)


def test_plot_profile_with_temperatures(tmp_path: Any) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "profile.png"
    code, out = _invoke("plot", "profile", "--thermal", "--season", "summer", "--output", str(path))
    assert code == 0, out
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_web_tables_carry_temperatures() -> None:
    from linepack.web.tables import compressors, deliveries

    net = linepack.load_default_network()
    summer = linepack.solve_steady(with_thermal(net, "summer"))
    rows = {r["id"]: r for r in compressors(summer)}
    assert rows["CS1"]["suction_c"] < rows["CS1"]["discharge_c"] and rows["CS1"]["cooler_mw"] >= 0.0
    assert all(r["temperature_c"] is not None for r in deliveries(summer))
    iso = linepack.solve_steady(net)
    assert "temperature_c" not in deliveries(iso)[0] and "suction_c" not in compressors(iso)[0]


def test_bad_input_of_the_coupled_solve() -> None:
    """No gas composition (no real-gas enthalpy) and Z integrated along the pipe (one temperature) are refused
    with the setting and the fix named."""
    doc = _pipe().to_dict()
    doc["settings"]["compressibility_along_pipe"] = "integrated"
    with pytest.raises(linepack.InputError, match="compressibility_along_pipe = integrated"):
        linepack.solve_steady(Network.from_dict(doc))
    doc = _pipe().to_dict()
    doc["settings"].pop("gas")
    doc["settings"]["molar_mass_kg_per_mol"] = 0.0175
    doc["settings"]["compressibility"] = {"model": "ideal"}
    with pytest.raises(linepack.InputError, match=r"non_isothermal: settings\.gas names no composition"):
        linepack.solve_steady(Network.from_dict(doc))


def test_prepared_z_of_fixed_temperatures_is_the_z_of_the_model() -> None:
    """The per-solve Z evaluator of the pipes (Aga8 at_temperatures) gives the model's own Z(p, T) and dZ/dp."""
    cn = compile_network(_pipe())
    model = cn.gas.compressibility
    rng = np.random.default_rng(5)
    for t in (rng.uniform(275.0, 330.0, 40), np.full(40, 300.0), np.repeat([290.0, 310.0], 20)):
        p = rng.uniform(10e5, 100e5, 40)
        z, dz = model.at_temperatures(t)(p)
        z_ref, dz_ref = model.z_and_dz_dp(p, t)
        np.testing.assert_allclose(z, z_ref, rtol=1e-14)
        np.testing.assert_allclose(dz, dz_ref, rtol=1e-12, atol=1e-24)


def test_station_units_run_at_their_suction_temperature() -> None:
    """PSGP summer, coupled: the units of CS1-CS3 make the isentropic head of the gas at the temperature entering
    each station (not settings.temperature_c), and their power adds up to the station power of the hydraulics."""
    from linepack.stations.points import suction_gas
    from linepack.stations.station import isentropic_head

    res = linepack.solve_steady(with_thermal(linepack.load_default_network(), "summer"))
    cn = res.network
    cs = cn.stations
    assert cs is not None and res.thermal is not None
    gas = suction_gas(cn, res.props)
    k = cs.comp_k
    ce = cn.comp_edge[k]
    np.testing.assert_allclose(gas.t_k, res.thermal.edge_t_inlet_k[ce], atol=2 * THERMAL_TOLERANCE_K)
    assert np.max(np.abs(gas.t_k - cn.gas.temperature_k)) > 5.0
    ps, pd = res.p_pa[cn.edge_from[ce]], res.p_pa[cn.edge_to[ce]]
    z, _ = cn.gas.compressibility.z_and_dz_dp(ps, gas.t_k)
    pts = res.unit_points()
    assert pts is not None
    for s in range(len(cs)):
        run = np.flatnonzero((cs.units.station == s) & (pts.stage > 0))
        assert len(run) and int(np.max(pts.stage[run])) == 1
        h = isentropic_head(z[s], gas.t_k[s], gas.molar_mass[s], gas.kappa[s], pd[s] / ps[s]) / 1e3
        np.testing.assert_allclose(pts.head_asked_kj_per_kg[run], h, rtol=1e-9)
        np.testing.assert_allclose(float(np.sum(pts.power_mw[run])), res.comp_power_w[k[s]] / 1e6, rtol=1e-9)
