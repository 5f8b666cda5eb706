"""The linearised start of passive networks (SteadySystem.linearised_start): only the start changes, not the answer."""

from __future__ import annotations

import numpy as np
import pytest

import linepack as lp
from linepack.solvers import equations
from linepack.solvers.equations import ControlState, SteadySystem
from linepack.synthetic import lattice_network


def _system(cn: lp.CompiledNetwork) -> SteadySystem:
    state = ControlState.initial(cn)
    mu = np.full(len(cn.res_edge), 1.1e-5)
    return SteadySystem(cn, state, mu, 7e6, 100.0)


def test_start_balances_every_node_and_holds_the_sources() -> None:
    cn = lp.compile_network(lattice_network(12, seed=4))
    sys = _system(cn)
    start = sys.linearised_start()
    assert start is not None
    p, q, s = start
    bal = sys.fixed_injection + cn.incidence @ q
    np.add.at(bal, cn.source_node[sys.psrc], s)
    assert np.max(np.abs(bal)) < 1e-9 * float(np.sum(cn.sink_demand))
    held = cn.source_node[sys.psrc]
    assert np.allclose(p[held], sys.state.src_p_target[sys.psrc], rtol=1e-12)
    assert np.all(p > 0)


def test_no_start_for_networks_with_stations() -> None:
    cn = lp.compile_network(lattice_network(12, seed=4, compressors=2))
    assert _system(cn).linearised_start() is None


@pytest.mark.parametrize(("n_side", "seed"), [(10, 0), (25, 3)])
def test_same_answer_as_from_the_flow_split(monkeypatch: pytest.MonkeyPatch, n_side: int, seed: int) -> None:
    """Newton from the linearised laws and from the conductance-weighted flow split reach the same state."""
    net = lattice_network(n_side, seed=seed)
    new = lp.solve_steady(net)
    monkeypatch.setattr(equations.SteadySystem, "linearised_start", lambda self, rounds=0: None)
    old = lp.solve_steady(net)
    assert new.iterations <= old.iterations
    assert np.max(np.abs(new.p_pa / old.p_pa - 1.0)) < 1e-9
    assert np.max(np.abs(new.q_kg_s - old.q_kg_s)) < 1e-7 * float(np.max(np.abs(old.q_kg_s)))


@pytest.mark.parametrize("backend", ["pardiso", "cholmod"])
def test_cholesky_start_matches_the_lu_start(monkeypatch: pytest.MonkeyPatch, backend: str) -> None:
    """From LAPLACIAN_SPD_MIN_SIZE free nodes on the start's Laplacians go to a Cholesky backend: same start."""
    from linepack.solvers import linear

    if not linear.available_backends()[backend]:
        pytest.skip(f"{backend} is not installed")
    cn = lp.compile_network(lattice_network(12, seed=4))
    lu = _system(cn).linearised_start()
    monkeypatch.setattr(linear, "LAPLACIAN_SPD_MIN_SIZE", 0)
    sys = _system(cn)
    sys.linear = linear.SchurSolver(backend)
    chol = sys.linearised_start()
    assert lu is not None and chol is not None
    for a, b in zip(lu, chol, strict=True):
        assert np.allclose(a, b, rtol=1e-9, atol=1e-9 * float(np.max(np.abs(a))))
