"""Bound tightening before the piecewise-linear pipe law (issue 16, GasLib-582 nominations): a low-pressure
branch whose flow is a fraction of its pipe's range must not be declared infeasible by the chord error."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import linepack as lp
from linepack.compile import compile_network
from linepack.errors import InfeasibleError
from linepack.optimize.formulations.milp import MilpOptions, solve_milp
from linepack.optimize.formulations.milp_bounds import tighten
from linepack.optimize.problems import nomination

from .networks import base


def _trunk_with_low_pressure_branch() -> lp.Network:
    """A 60 barg trunk feeding, through a regulator, a 10 km DN150 rough pipe to a sink held at 1-3.1 barg
    taking 0.3 kg/s; the pipe's inlet node allows 1-85 barg but is tied by a short pipe to a node allowed
    1-3.1 barg (GasLib-582's distribution zones: sinks at 2.01-4.11 bar behind control valves, tied to inner
    nodes allowed 1-85 barg)."""
    net = base("low-branch")
    net.add(lp.Node(id="S", p_max_barg=85))
    net.add(lp.Node(id="A", p_max_barg=85, p_min_barg=40))
    net.add(lp.Node(id="B", p_max_barg=85, p_min_barg=1))
    net.add(lp.Node(id="C", p_max_barg=3.1, p_min_barg=1))
    net.add(lp.Source(id="S.s", node="S", mode="pressure", p_set_barg=60, absorbs=True))
    net.add(lp.Pipe(id="P1", from_node="S", to_node="A", length_km=50, inner_diameter_mm=600))
    net.add(lp.Sink(id="A.d", node="A", demand=100, unit="kg/s"))
    net.add(lp.Node(id="B0", p_max_barg=3.1, p_min_barg=1))
    net.add(lp.Regulator(id="R", from_node="A", to_node="B", mode="pressure", p_set_barg=3.0))
    net.add(lp.ShortPipe(id="SP", from_node="B", to_node="B0"))
    net.add(lp.Pipe(id="P2", from_node="B", to_node="C", length_km=10, inner_diameter_mm=150, roughness_mm=0.5))
    net.add(lp.Sink(id="C.d", node="C", demand=0.3, unit="kg/s"))
    return net


def test_a_leaf_pipe_gets_its_demand_and_a_pressure_window_propagates() -> None:
    # nodes 0 -(e0)- 1 -(e1)- 2 ; demand 0.3 at node 2, supply free at node 0; A q = net with A[from] = -1
    inc = sp.csc_matrix(np.array([[-1.0, 0.0], [1.0, -1.0], [0.0, 1.0]]))
    bd = tighten(
        inc, np.array([-10.0, 0.0, 0.3]), np.array([0.0, 0.0, 0.3]), np.zeros(3), np.array([1e3, 1e3, 100.0]),
        np.full(2, -5.0), np.full(2, 5.0),
        np.array([1]), np.array([1]), np.array([2]), np.array([2.0]), np.array([1.0]),
        np.array([0]), np.array([1]),
    )  # fmt: skip
    assert bd.q_lo[1] == pytest.approx(0.3) and bd.q_hi[1] == pytest.approx(0.3)
    # the pipe law with node 2 at most 100: node 1 at most 100 + 2 * 0.09, and the tie carries it to node 0
    assert bd.pi_hi[1] == pytest.approx(100.18) and bd.pi_hi[0] == pytest.approx(100.18)


def test_low_pressure_branch_is_feasible_in_the_milp_only_with_tightening() -> None:
    net = _trunk_with_low_pressure_branch()
    cn = compile_network(net, None)
    with pytest.raises(InfeasibleError):  # the chord through 0 over a range set by 1-85 barg
        solve_milp(cn, nomination(cn), MilpOptions(breakpoints=9, rounds=1, tighten=False))
    sol = solve_milp(cn, nomination(cn), MilpOptions(breakpoints=9, rounds=2))
    c = cn.node_ids.index("C")
    p_c_barg = sol.p_pa[c] / 1e5 - 1.01325
    assert 1.0 - 1e-6 <= p_c_barg <= 3.1 + 1e-6
    assert sol.q_kg_s[cn.edge_ids.index("P2")] == pytest.approx(0.3, rel=1e-6)


def test_fixed_loss_resistors_only_in_the_relaxation() -> None:
    """GasLib-4197's fixed-loss resistors (refcases/gaslib README: 28 resistors) used to stop its screening."""
    from linepack.errors import InputError

    net = _trunk_with_low_pressure_branch()
    net.add(lp.Node(id="D", p_max_barg=85, p_min_barg=45))
    net.add(lp.Resistor(id="FL", from_node="S", to_node="D", pressure_loss_bar=2.0))
    net.add(lp.Sink(id="D.d", node="D", demand=20, unit="kg/s"))
    cn = compile_network(net, None)
    with pytest.raises(InputError, match="fixed-loss"):
        solve_milp(cn, nomination(cn), MilpOptions(breakpoints=9, rounds=1))
    sol = solve_milp(cn, nomination(cn), MilpOptions(breakpoints=9, rounds=1, relaxation=True))
    s, d = cn.node_ids.index("S"), cn.node_ids.index("D")
    hi = (85.0 + 1.01325) * 1e5  # both ends' upper limits, Pa
    assert abs(sol.p_pa[s] ** 2 - sol.p_pa[d] ** 2) <= 2.0e5 * 2 * hi * (1 + 1e-6)  # the relaxed law
    assert sol.q_kg_s[cn.edge_ids.index("FL")] == pytest.approx(20.0, rel=1e-6)
