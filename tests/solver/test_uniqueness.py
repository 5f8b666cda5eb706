"""One steady state per operating mode: the answer does not depend on the path the solver took (issue 16).

Property: adding components that carry no flow (dead-end pipes, closed valves, sources the network holds shut
in) changes nothing else in the solution, beyond 1e-9 relative. Each such component changes the solver's
initial guess, scales and control rounds, so a control rule that depends on the path shows up here: before
the rules were completed, a station closed by a reverse flow met on the way stayed closed (``gwadar_ip``).
"""

from __future__ import annotations

import numpy as np
import pytest

import linepack as lp

REL = 1e-9


def _compare(res: lp.SteadyResult, base: lp.SteadyResult) -> tuple[float, float, float]:
    """Largest relative differences of pressures, flows and supplies on the components of ``base``."""
    cn, bn = res.network, base.network
    i = [cn.node_ids.index(n) for n in bn.node_ids]
    e = [cn.edge_ids.index(x) for x in bn.edge_ids]
    k = [cn.source_ids.index(x) for x in bn.source_ids]
    floor = 1e-9 * base.throughput_kg_s()
    dp = float(np.max(np.abs(res.p_pa[i] / base.p_pa - 1.0)))
    dq = float(np.max(np.abs(res.q_kg_s[e] - base.q_kg_s) / np.maximum(np.abs(base.q_kg_s), floor)))
    ds = float(np.max(np.abs(res.source_supply_kg_s[k] - base.source_supply_kg_s)
                      / np.maximum(np.abs(base.source_supply_kg_s), floor)))  # fmt: skip
    return dp, dq, ds


def _with_idle_components(net: lp.Network, base: lp.SteadyResult, rng: np.random.Generator, n: int) -> list[str]:
    """Add ``n`` random components that the solution of ``base`` leaves without flow; return what was added."""
    cn = base.network
    nodes = list(cn.node_ids)
    added = []
    for j in range(n):
        kind = rng.choice(["dead_end", "closed_valve", "shut_in_pressure", "shut_in_flow", "line_to_shut_in"])
        at = str(rng.choice(nodes))
        p_here = float(base.p_barg[cn.node_index(at)])
        if kind == "dead_end":
            net.add(lp.Node(id=f"X{j}", elevation_m=float(rng.uniform(0, 300))))
            net.add(lp.Pipe(id=f"XP{j}", from_node=at, to_node=f"X{j}", length_km=float(rng.uniform(1, 80)),
                            inner_diameter_mm=float(rng.uniform(200, 900))))  # fmt: skip
        elif kind == "closed_valve":
            other = str(rng.choice([x for x in nodes if x != at]))
            net.add(lp.Valve(id=f"XV{j}", from_node=at, to_node=other, open=False))
        elif kind == "shut_in_pressure":  # a terminal whose send-out pressure is well below the network's
            net.add(lp.Source(id=f"XS{j}", node=at, mode="pressure", p_set_barg=0.5 * p_here, capacity=500.0))
        elif kind == "shut_in_flow":  # a field that cannot push against the network (maximum send-out pressure)
            net.add(lp.Source(id=f"XF{j}", node=at, mode="flow", inflow=float(rng.uniform(50, 900)),
                              p_max_barg=0.6 * p_here))  # fmt: skip
        else:  # a new line ending at a terminal that the network holds shut in (the gwadar_ip pattern)
            net.add(lp.Node(id=f"X{j}", elevation_m=float(rng.uniform(0, 300))))
            net.add(lp.Pipe(id=f"XP{j}", from_node=at, to_node=f"X{j}", length_km=float(rng.uniform(50, 400)),
                            inner_diameter_mm=1000.0))  # fmt: skip
            net.add(lp.Source(id=f"XS{j}", node=f"X{j}", mode="flow", inflow=float(rng.uniform(200, 1500)),
                              p_max_barg=0.7 * p_here))  # fmt: skip
        added.append(f"{kind} at {at}")
    return added


@pytest.mark.parametrize("seed", range(6))
def test_idle_components_change_nothing_else_on_the_pakistan_stream(seed: int) -> None:
    net = lp.load_default_network()
    base = lp.solve_steady(net, "psgp_base")
    rng = np.random.default_rng(seed)
    added = _with_idle_components(net, base, rng, int(rng.integers(1, 4)))
    res = lp.solve_steady(net, "psgp_base")
    dp, dq, ds = _compare(res, base)
    assert max(dp, dq, ds) < REL, f"{added}: pressures {dp:.1e}, flows {dq:.1e}, supplies {ds:.1e}"


@pytest.mark.parametrize("scenario", ["gwadar_ip", "central_asia_hypothetical"])
def test_extensions_that_carry_no_gas_give_the_psgp_base_solution(scenario: str) -> None:
    """The README's scenario table: Gwadar/IP and the Central Asia line are shut in, so on the existing system
    and the PSGP they give exactly psgp_base (before the control rules were completed, SSGC_CS and
    SNGPL_CS_SDQ stayed closed, compression rose by about 35 % and Lahore lost 2.9 bar)."""
    net = lp.load_default_network()
    base = lp.solve_steady(net, "psgp_base")
    res = lp.solve_steady(net, scenario)
    assert max(_compare(res, base)) < REL
    assert not [b for b in res.active_bounds if "closed" in b]
    assert float(np.sum(res.comp_power_w)) == pytest.approx(float(np.sum(base.comp_power_w)), rel=REL)


def test_a_station_closed_by_a_reverse_flow_on_the_way_reopens() -> None:
    """The rule itself: a closed station whose set-point it could serve by compressing forward re-opens. A
    warm start that carries the station closed must end where a cold start does."""
    net = lp.load_default_network()
    base = lp.solve_steady(net, "psgp_base")
    cn = base.network
    k = [cn.edge_ids[e] for e in cn.comp_edge].index("SSGC_CS")
    mode = base.control.comp_mode.copy()
    mode[k] = lp.compile.CompMode.OFF
    closed = base.control.with_(comp_mode=mode)
    forced = lp.SteadyResult(**{**base.__dict__, "control": closed})
    res = lp.solve_steady(net, "psgp_base", initial=forced)
    assert max(_compare(res, base)) < REL
