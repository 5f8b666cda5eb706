"""Finite-difference check of every block of the steady-state Jacobian, in every control mode."""

from __future__ import annotations

import numpy as np
import pytest
from tests.conftest import every_component_network

from linepack.compile import CompMode, RegMode, compile_network
from linepack.solvers.equations import ControlState, SteadySystem


def _system(
    comp_mode: CompMode, reg_mode: RegMode, z_model: str = "gerg2008", reverse: bool = False
) -> tuple[SteadySystem, np.ndarray]:
    cn = compile_network(every_component_network(z_model))
    st = ControlState.initial(cn)
    target = {
        CompMode.PRESSURE: cn.comp_p_set_pa[0],
        CompMode.SUCTION: 40e5,
        CompMode.RATIO: 1.3,
        CompMode.POWER: 5e6,
        CompMode.FLOW: 40.0,
        CompMode.BYPASS: 0.0,
        CompMode.OFF: 0.0,
        CompMode.MAP_FLOW: 0.0,  # C1 has units: its flow capacity, and its head margin, are equations
        CompMode.MAP_HEAD: 0.0,
    }[comp_mode]
    rtarget = {RegMode.PRESSURE: cn.reg_p_set_pa[0], RegMode.FLOW: 30.0}.get(reg_mode, 0.0)
    st = st.with_(
        comp_mode=np.array([comp_mode]),
        comp_target=np.array([target]),
        reg_mode=np.array([reg_mode]),
        reg_target=np.array([rtarget]),
        comp_reverse=np.array([reverse]),
    )
    rng = np.random.default_rng(7)
    mu = np.full(len(cn.res_edge), 1.1e-5)
    sys = SteadySystem(cn, st, mu, p_ref=70e5, m_ref=60.0)
    p = rng.uniform(30e5, 75e5, cn.n_nodes)
    q = rng.uniform(-30.0, 60.0, cn.n_edges)
    q[0] = 1e-7  # a pipe at (almost) zero flow: laminar branch
    q[1] = 0.0  # ... and at exactly zero flow
    s = rng.uniform(10.0, 80.0, sys.k)
    return sys, sys.pack(p, q, s)


def _fd_jacobian(sys: SteadySystem, x: np.ndarray) -> np.ndarray:
    n = len(x)
    J = np.zeros((n, n))
    for j in range(n):
        h = 1e-6 * max(1.0, abs(x[j]))
        xp, xm = x.copy(), x.copy()
        xp[j] += h
        xm[j] -= h
        J[:, j] = (sys.residual(xp) - sys.residual(xm)) / (2 * h)
    return J


BLOCKS = ("node balance", "edge laws", "source pressures")


@pytest.mark.parametrize("comp_mode", list(CompMode))
@pytest.mark.parametrize("reg_mode", list(RegMode))
def test_jacobian_matches_finite_differences(comp_mode: CompMode, reg_mode: RegMode) -> None:
    _check(*_system(comp_mode, reg_mode))


@pytest.mark.parametrize("comp_mode", list(CompMode))
def test_jacobian_of_a_station_compressing_backwards(comp_mode: CompMode) -> None:
    """A bidirectional station running from `to` to `from`: every law in its own direction."""
    _check(*_system(comp_mode, RegMode.PRESSURE, reverse=True))


def _check(sys: SteadySystem, x: np.ndarray) -> None:
    J = sys.jacobian(x).toarray()
    Jfd = _fd_jacobian(sys, x)
    n, m = sys.n, sys.m
    rows = {"node balance": slice(0, n), "edge laws": slice(n, n + m), "source pressures": slice(n + m, None)}
    cols = {"p": slice(0, n), "q": slice(n, n + m), "s": slice(n + m, None)}
    for rname, rs in rows.items():
        for cname, cs in cols.items():
            a, b = J[rs, cs], Jfd[rs, cs]
            if a.size == 0:
                continue
            scale = max(1.0, float(np.max(np.abs(b))))
            err = float(np.max(np.abs(a - b))) / scale
            assert err < 2e-5, f"block ({rname}, {cname}) differs from finite differences by {err:.2e}"


@pytest.mark.parametrize("z_model", ["ideal", "linear", "papay", "aga8_detail", "gerg2008"])
def test_jacobian_with_every_compressibility_model(z_model: str) -> None:
    if z_model == "linear":
        from linepack.model.components import CompressibilitySpec

        net = every_component_network("ideal")
        net.settings = net.settings.model_copy(
            update={"compressibility": CompressibilitySpec(model="linear", offset=1.0, slope_per_bar=-0.0022)}
        )
        cn = compile_network(net)
        st = ControlState.initial(cn)
        sys = SteadySystem(cn, st, np.full(len(cn.res_edge), 1.1e-5), 70e5, 60.0)
        rng = np.random.default_rng(3)
        x = sys.pack(rng.uniform(30e5, 75e5, cn.n_nodes), rng.uniform(-30, 60, cn.n_edges), rng.uniform(10, 80, sys.k))
    else:
        sys, x = _system(CompMode.POWER, RegMode.PRESSURE, z_model)
    J = sys.jacobian(x).toarray()
    Jfd = _fd_jacobian(sys, x)
    err = np.max(np.abs(J - Jfd)) / max(1.0, np.max(np.abs(Jfd)))
    assert err < 2e-5
