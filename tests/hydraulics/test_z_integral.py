"""Pipe laws of issue 16: Z varying along the pipe integrated exactly (linear, CNGA and tabulated models), a
constant friction factor per pipe, and laws named after their textbook forms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad, solve_ivp

import linepack as lp
from linepack.gas import LinearZ, Papay, ReciprocalLinearZ
from linepack.hydraulics.z_integral import pressure_function
from linepack.model.network import GasCompositionSpec
from linepack.units import G_M_PER_S2, R_J_PER_MOL_K

RICH = {"CH4": 0.9, "C2H6": 0.07, "C3H8": 0.03}


def _line(mode: str, z: object = "gerg2008", dh: float = 0.0, m: float = 150.0, law: str = "constant") -> lp.Network:
    net = lp.Network(
        settings=lp.Settings(gas="NG", compressibility=z, temperature_c=15.0, friction_law=law,  # type: ignore[arg-type]
                             compressibility_along_pipe=mode, viscosity={"model": "constant", "value_pa_s": 1.1e-5}),
        gas_compositions={"NG": GasCompositionSpec(mole_fractions=RICH)},
    )  # fmt: skip
    net.add(lp.Node(id="A"))
    net.add(lp.Node(id="B", elevation_m=dh))
    net.add(lp.Pipe(id="P", from_node="A", to_node="B", length_km=150, inner_diameter_mm=600,
                    friction_factor=0.01 if law == "constant" else None))  # fmt: skip
    net.add(lp.Source(id="S", node="A", mode="pressure", p_set_barg=90))
    net.add(lp.Sink(id="D", node="B", demand=m, unit="kg/s"))
    return net


def _ode_outlet(res: lp.SteadyResult, dh: float, m: float, lam: float = 0.01) -> float:
    """Outlet pressure by integrating -dp/dx = lambda rho v|v|/(2D) + rho g sin(theta) with Z(p) at every step."""
    g = res.network.gas
    T, M, D, L = g.temperature_k, g.molar_mass_kg_per_mol, 0.6, 150e3
    area = np.pi * D * D / 4

    def rhs(_x: float, y: np.ndarray) -> list[float]:
        p = y[0]
        rho = p * M / (float(g.compressibility.z(np.array([p]), T)[0]) * R_J_PER_MOL_K * T)
        v = m / (rho * area)
        return [-(lam * rho * v * abs(v) / (2 * D) + rho * G_M_PER_S2 * dh / L)]

    return float(solve_ivp(rhs, (0.0, L), [res.p_pa[0]], rtol=1e-12, atol=1e-6).y[0, -1])


@pytest.mark.parametrize("model", ["gerg", "linear", "cnga", "papay"])
def test_pressure_function_against_adaptive_quadrature(model: str) -> None:
    T = 288.15
    z_model = {
        "gerg": lp.compile_network(_line("integrated")).gas.compressibility,
        "linear": LinearZ(1.0, -0.0022),
        "cnga": ReciprocalLinearZ(1.00300865, 2.96848838e-8),  # GasSteadySim's "simple CNGA" coefficients
        "papay": Papay(200.0, 46e5),
    }[model]
    for p in (5e5, 30e5, 70e5, 120e5):
        ref = quad(lambda x: 2 * x / float(z_model.z(np.array([x]), T)[0]), 0, p, epsabs=0, epsrel=1e-13, limit=400)[0]
        pi, dpi = pressure_function(z_model, np.array([p]), T)
        assert pi[0] == pytest.approx(ref, rel=1e-10)  # the GERG table interpolation limits it
        assert dpi[0] == pytest.approx(2 * p / float(z_model.z(np.array([p]), T)[0]), rel=1e-14)


def test_integrated_law_matches_the_ode_where_the_mean_pressure_law_does_not() -> None:
    """A horizontal 150 km line from 91 to about 18 bar a: with Z integrated the outlet pressure equals the
    ODE's to 1e-8; Z at one mean pressure is 1 % off (the textbook general flow equation's own error)."""
    mean, exact = lp.solve_steady(_line("mean_pressure")), lp.solve_steady(_line("integrated"))
    ref = _ode_outlet(exact, 0.0, 150.0)
    assert exact.p_pa[1] == pytest.approx(ref, rel=1e-8)
    assert abs(mean.p_pa[1] / ref - 1.0) > 5e-3


def test_elevated_line_in_both_forms_within_their_gravity_approximation() -> None:
    """With 1,500 m of rise both forms take the gravity term with a mean Z: measured within 3e-4 of the ODE."""
    for mode in ("mean_pressure", "integrated"):
        res = lp.solve_steady(_line(mode, dh=1500.0, m=60.0))
        assert res.p_pa[1] == pytest.approx(_ode_outlet(res, 1500.0, 60.0), rel=3e-4)


def test_cnga_pipe_law_in_closed_form() -> None:
    """Z = 1/(b1 + b2 p): b1 (p_i^2 - p_j^2) + 2/3 b2 (p_i^3 - p_j^3) = 16 R T lambda L m|m| / (pi^2 D^5 M)."""
    b1, b2 = 1.00300865, 2.96848838e-8
    res = lp.solve_steady(_line("integrated", z={"model": "cnga", "b1": b1, "b2_per_bar": b2 * 1e5}))
    pi, pj = res.p_pa
    g = res.network.gas
    k = 16 * R_J_PER_MOL_K * g.temperature_k * 0.01 * 150e3 / (np.pi**2 * 0.6**5 * g.molar_mass_kg_per_mol)
    assert b1 * (pi**2 - pj**2) + 2 / 3 * b2 * (pi**3 - pj**3) == pytest.approx(k * 150.0**2, rel=1e-10)


def test_cnga_formula_reproduces_menon() -> None:
    """Menon (2005) ex. 1.12-style check: G = 0.6, 60 F, 1000 psig: Z = 1/(1 + 1000*344400*10^1.071/520^3.825)."""
    z = ReciprocalLinearZ.cnga(0.6, (60.0 + 459.67) / 1.8)
    p = 1000.0 * 6894.757293168 + 101325.0
    expected = 1.0 / (1.0 + 1000.0 * 344400.0 * 10 ** (1.785 * 0.6) / 519.67**3.825)
    assert float(z.z(np.array([p]), 288.7)[0]) == pytest.approx(expected, rel=1e-12)


def test_constant_friction_factor_per_pipe() -> None:
    res = lp.solve_steady(_line("mean_pressure", z="ideal", m=100.0))
    assert res.friction_factor[0] == pytest.approx(0.01, rel=1e-12)
    with pytest.raises(lp.InputError, match="pipe P: law constant needs friction_factor"):
        net = _line("mean_pressure", law="constant")
        net.replace(lp.Pipe(id="P", from_node="A", to_node="B", length_km=150, inner_diameter_mm=600))
        lp.solve_steady(net)
    with pytest.raises(lp.InputError, match=r"friction_factor 0\.01 is used only by law constant"):
        net = _line("mean_pressure", law="colebrook")
        net.replace(lp.Pipe(id="P", from_node="A", to_node="B", length_km=150, inner_diameter_mm=600,
                            friction_factor=0.01))  # fmt: skip
        lp.solve_steady(net)


def test_laws_are_named_after_their_textbook_forms() -> None:
    """'nikuradse' used to be pandapipes' variant (64/Re + the rough value); the name now has to say which."""
    with pytest.raises(ValueError, match=r"nikuradse_rough.*nikuradse_pandapipes"):
        lp.Pipe(id="P", from_node="A", to_node="B", length_km=1, inner_diameter_mm=100, law="nikuradse")  # type: ignore[arg-type]
    rough = lp.solve_steady(_line("mean_pressure", law="nikuradse_rough"))
    variant = lp.solve_steady(_line("mean_pressure", law="nikuradse_pandapipes"))
    k_over_d = 0.012 / 600
    textbook = (2 * np.log10(1 / k_over_d) + 1.14) ** -2
    assert rough.friction_factor[0] == pytest.approx(textbook, rel=1e-12)
    assert variant.friction_factor[0] == pytest.approx(textbook + 64 / variant.reynolds[0], rel=1e-9)
    smooth = _line("mean_pressure", law="nikuradse_rough")
    smooth.update("P", roughness_mm=0.0)
    with pytest.raises(lp.InputError, match="pipe P: law nikuradse_rough needs roughness_mm > 0"):
        lp.compile_network(smooth)


def test_optimiser_and_simulator_agree_with_z_integrated() -> None:
    """Cross-method: the least-fuel optimum of psgp_base with Z integrated along the pipes, re-solved by the
    steady-state solver, agrees to 1e-9."""
    pytest.importorskip("casadi")
    from linepack.optimize import min_fuel, newton_check, solve_problem

    net = lp.load_default_network()
    # one gas (Z integrated along the pipe is for one gas; the shipped data's source gases mix otherwise)
    net.settings = net.settings.model_copy(update={"compressibility_along_pipe": "integrated", "mixing": "off"})
    cn = lp.compile_network(net, "psgp_base")
    res = solve_problem(cn, min_fuel(cn))
    chk = newton_check(cn, res.p_pa, res.q_kg_s, res.supply_kg_s, res.delivered_kg_s)
    assert chk.max_rel_pressure < 1e-9 and chk.max_rel_flow < 1e-9


def test_z_integrated_with_mixing_gases_is_refused_with_the_setting_named() -> None:
    net = lp.load_default_network()  # three source gases: they mix
    net.settings = net.settings.model_copy(update={"compressibility_along_pipe": "integrated"})
    with pytest.raises(lp.InputError, match=r"compressibility_along_pipe: integrated .* settings.mixing: off"):
        lp.compile_network(net, "psgp_base")
