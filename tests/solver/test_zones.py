"""Pressure zones: dead parts left out, floating zones and control loops refused with their names."""

from __future__ import annotations

import re

import numpy as np
import pytest
from test_controls import barg, line, pipe

import linepack as lp
from linepack.solvers.equations import ControlState
from linepack.solvers.zones import control_loops, pressure_zones
from linepack.subnetwork import restrict


def _reg(rid: str, a: str, b: str, p: float = 40.0) -> lp.Regulator:
    return lp.Regulator(id=rid, **{"from": a, "to": b}, p_set_barg=p)


def _comp(cid: str, a: str, b: str, p: float = 70.0) -> lp.Compressor:
    return lp.Compressor(id=cid, **{"from": a, "to": b}, p_set_barg=p)


def test_restrict_with_everything_kept_is_the_same_network() -> None:
    net = line(pipe("P1", "A", "B"), _comp("CS", "B", "C"), pipe("P2", "C", "Z"))
    cn = lp.compile_network(net)
    same = restrict(cn, np.ones(cn.n_nodes, bool), np.ones(cn.n_edges, bool))
    a, b = lp.solve_steady(cn), lp.solve_steady(same)
    np.testing.assert_array_equal(a.p_pa, b.p_pa)
    np.testing.assert_array_equal(a.q_kg_s, b.q_kg_s)


def test_restrict_refuses_an_edge_without_its_nodes() -> None:
    cn = lp.compile_network(line(pipe("P1", "A", "B"), pipe("P2", "B", "Z")))
    keep = np.array([True, True, False])
    with pytest.raises(ValueError, match="kept edge"):
        restrict(cn, keep, np.ones(cn.n_edges, bool))


def test_dead_end_behind_a_closed_valve_is_left_out_with_a_warning() -> None:
    net = line(pipe("P1", "A", "B"), pipe("P2", "B", "Z"))
    net.add(lp.Node(id="D1"))
    net.add(lp.Node(id="D2"))
    net.add(lp.Valve(id="V", **{"from": "B", "to": "D1"}, open=False))
    net.add(pipe("P3", "D1", "D2"))
    res = lp.solve_steady(net)
    assert "D1" not in res.network.node_ids and "P3" not in res.network.edge_ids
    assert any("left out 2 node(s)" in w and "D1" in w and "P3" in w for w in res.warnings), res.warnings
    # the rest is the same as without the dead end
    ref = lp.solve_steady(line(pipe("P1", "A", "B"), pipe("P2", "B", "Z")))
    assert barg(res, "Z") == pytest.approx(barg(ref, "Z"), rel=1e-12)


def test_zone_behind_a_regulator_with_no_way_in_is_dead() -> None:
    # D is upstream of a regulator that points into the network: no gas can reach D
    net = line(pipe("P1", "A", "B"), pipe("P2", "B", "Z"))
    net.add(lp.Node(id="D"))
    net.add(_reg("R", "D", "B"))
    cn = lp.compile_network(net)
    zones = pressure_zones(cn, ControlState.initial(cn))
    assert zones.dead[zones.label[cn.node_index("D")]]
    res = lp.solve_steady(net)
    assert "D" not in res.network.node_ids and "R" not in res.network.edge_ids


def test_demand_that_no_supply_can_reach_is_infeasible() -> None:
    net = line(pipe("P1", "A", "B"), pipe("P2", "B", "Z"))
    net.add(lp.Node(id="D"))
    net.add(_reg("R", "D", "B"))
    net.add(lp.Sink(id="D.demand", node="D", demand=1.0, unit="kg/s"))
    with pytest.raises(lp.InfeasibleError, match=r"no supply can reach D\.demand"):
        lp.solve_steady(net)


def test_fixed_inflow_drained_only_by_a_station_floats() -> None:
    # E feeds a fixed inflow into the suction of a pressure-controlled station: nothing sets E's pressure
    net = line(pipe("P1", "A", "B"), pipe("P2", "B", "Z"))
    net.add(lp.Node(id="E"))
    net.add(_comp("CS", "E", "B"))
    net.add(lp.Source(id="E.supply", node="E", mode="flow", inflow=5.0, unit="kg/s"))
    with pytest.raises(lp.TopologyError, match=r"zone of 1 node\(s\) E is set by nothing.*CS, which holds its"):
        lp.solve_steady(net)
    # the fix the message names: a pressure-held source in that zone
    net.replace(lp.Source(id="E.supply", node="E", mode="pressure", p_set_barg=50.0, unit="kg/s"))
    res = lp.solve_steady(net)
    assert barg(res, "B") == pytest.approx(70.0, abs=1e-9)


def test_station_and_regulator_in_a_loop_of_ties_are_found() -> None:
    # CS pushes B -> C, R lets C back down to B, and nothing else: the circulating flow is undetermined
    net = line(pipe("P1", "A", "B"), _comp("CS", "B", "C", p=60.0), _reg("R", "C", "B2", p=55.0), pipe("P2", "B", "Z"))
    net.add(lp.ShortPipe(id="S", **{"from": "B2", "to": "B"}))
    cn = lp.compile_network(net)
    loops = control_loops(cn, ControlState.initial(cn))
    assert [sorted(cn.edge_ids[e] for e in loop) for loop in loops] == [["CS", "R"]]
    # the solve cannot settle the loop: whatever it ends with names both elements
    with pytest.raises(lp.LinepackError) as info:
        lp.solve_steady(net)
    text = str(info.value)
    assert re.search(r"\bCS\b", text) and re.search(r"\bR\b", text), text


def test_parallel_stations_are_not_a_loop() -> None:
    net = line(pipe("P1", "A", "B"), _comp("CS1", "B", "C"), _comp("CS2", "B", "C"), pipe("P2", "C", "Z"))
    cn = lp.compile_network(net)
    assert control_loops(cn, ControlState.initial(cn)) == []


def test_a_network_without_edges_solves() -> None:
    net = line(pipe("P1", "A", "Z"))
    net.remove("P1")
    net.remove("Z.demand")
    net.remove("Z")
    net.add(lp.Sink(id="A.demand", node="A", demand=5.0, unit="kg/s"))
    res = lp.solve_steady(net)
    assert barg(res, "A") == pytest.approx(60.0) and res.source_supply_kg_s[0] == pytest.approx(5.0)
