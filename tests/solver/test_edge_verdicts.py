"""Verdicts at the edges of the input (issue 20, item 8): a compressor set below its suction bypasses instead
of being reported infeasible; a solution outside the equation of state's range says so; absurd pressures are
refused; numpy's floating-point warnings are printed on one line without source lines."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

import linepack as lp
from linepack.model.network import GasCompositionSpec


def station(p_source_barg: float, p_set_barg: float, demand_kg_s: float = 50.0) -> lp.Network:
    """Source -> 10 km pipe -> compressor (pressure mode) -> 10 km pipe -> sink."""
    net = lp.Network(
        name="station",
        settings=lp.Settings(gas="NG"),
        gas_compositions={"NG": GasCompositionSpec(mole_fractions={"CH4": 0.95, "C2H6": 0.03, "N2": 0.02})},
    )
    for n in ("S", "A", "B", "C"):
        net.add(lp.Node(id=n))
    net.add(lp.Source(id="src", node="S", mode="pressure", p_set_barg=p_source_barg))
    net.add(lp.Pipe(id="P1", **{"from": "S", "to": "A"}, length_km=10, inner_diameter_mm=500))
    net.add(lp.Compressor(id="K1", **{"from": "A", "to": "B"}, mode="pressure", p_set_barg=p_set_barg))
    net.add(lp.Pipe(id="P2", **{"from": "B", "to": "C"}, length_km=10, inner_diameter_mm=500))
    net.add(lp.Sink(id="d", node="C", demand=demand_kg_s, unit="kg/s"))
    return net


def test_a_discharge_set_point_far_below_suction_bypasses() -> None:
    """At 10 barg discharge the downstream pipe cannot carry 50 kg/s; the station does not throttle (it cannot
    lower the pressure), so it bypasses: discharge equals suction and the case solves."""
    res = lp.solve_steady(station(70.0, 10.0))
    k = res.network.edge_ids.index("K1")
    p = res.p_pa
    a, b = res.network.node_ids.index("A"), res.network.node_ids.index("B")
    assert res.converged
    assert abs(p[a] - p[b]) < 1.0  # Pa: no pressure change through the bypass
    assert any("K1 in bypass" in t for t in res.active_bounds)
    assert res.q_kg_s[k] == pytest.approx(50.0, rel=1e-9)


def test_the_same_station_compresses_when_the_set_point_is_above_suction() -> None:
    res = lp.solve_steady(station(40.0, 60.0))
    b = res.network.node_ids.index("B")
    assert (res.p_pa[b] - res.network.ambient_pa) / 1e5 == pytest.approx(60.0, abs=1e-6)
    assert not any("bypass" in t for t in res.active_bounds)


def test_a_solution_outside_the_equation_of_state_range_carries_a_warning() -> None:
    res = lp.solve_steady(station(5000.0, 5001.0))
    assert res.converged
    assert any("outside the validated range of the GERG-2008 equation of state" in w for w in res.warnings)
    plain = lp.solve_steady(station(70.0, 80.0))
    assert not any("equation of state" in w for w in plain.warnings)


def test_absurd_pressures_are_refused_at_input() -> None:
    with pytest.raises(ValueError, match="above 10,000 bar"):
        lp.Source(id="s", node="S", mode="pressure", p_set_barg=1e6)


def test_numpy_warnings_are_one_line_without_source(monkeypatch: pytest.MonkeyPatch) -> None:
    from linepack.cli import common

    def overflow() -> None:
        np.exp(np.array([1000.0]))

    runner = CliRunner()
    import typer

    demo = typer.Typer()

    @demo.command()
    def go() -> None:
        common.guard(overflow)

    with np.errstate(over="warn"):
        res = runner.invoke(demo, [])
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert lines == ["warning: overflow encountered in exp (RuntimeWarning)"], res.output
