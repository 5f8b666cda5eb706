"""Pressure zones (graph analysis, no solver): which parts of a network have their pressure level set,
and which can receive gas.

A *zone* is a set of nodes joined by elements that tie their pressures together: pipes, resistors, short
pipes, open valves, bypassed compressors, open regulators, and compressors that hold a ratio or a power
(their outlet pressure follows their inlet). Elements that hold their *outlet* pressure or their flow
(compressors and regulators in pressure or flow control) join two zones in one direction only: they set the
pressure level of the zone downstream and leave the zone upstream to be set by something else.

* A zone is **supplied** when it holds a source, or an element in pressure or flow control feeds it from a
  supplied zone. A zone that no supply can reach carries no flow: with no demand it is a *dead* part that a
  steady solve leaves out (its pressure is not defined); with demand the case is infeasible.
* A supplied zone with no pressure-held source that no controlled element feeds is **floating**: its gas
  leaves only through elements that fix their outlet pressure, so nothing fixes its own pressure level and
  the steady-state equations are singular.

The analysis needs only the network and its control modes (:class:`Modes`, or the solver's
``ControlState``, which has the same fields): the steady solver uses it to leave out dead parts and
diagnose, and the GasLib reader uses it to place pressure references, without importing any solver.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import breadth_first_order, connected_components

from .compile import CompiledNetwork, CompMode, RegMode

BoolArray = NDArray[np.bool_]
MAX_NAMES = 8


class ModeState(Protocol):
    """What the zone analysis reads of a control state."""

    @property
    def comp_mode(self) -> NDArray[np.int64]: ...

    @property
    def reg_mode(self) -> NDArray[np.int64]: ...

    @property
    def src_pressure(self) -> NDArray[np.bool_]: ...

    @property
    def src_inflow(self) -> NDArray[np.float64]: ...


@dataclass(frozen=True)
class Modes:
    """The control modes a network is written with (the start of every solve)."""

    comp_mode: NDArray[np.int64]
    reg_mode: NDArray[np.int64]
    src_pressure: NDArray[np.bool_]
    src_inflow: NDArray[np.float64]

    @staticmethod
    def initial(cn: CompiledNetwork) -> Modes:
        return Modes(cn.comp_mode.copy(), cn.reg_mode.copy(), cn.source_is_pressure.copy(), cn.source_inflow.copy())


def names(ids: list[str] | tuple[str, ...], limit: int = MAX_NAMES) -> str:
    """Ids joined by commas, the first ``limit`` of them and how many more."""
    ids = list(ids)
    text = ", ".join(ids[:limit])
    return text + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def flow_blocked_edges(cn: CompiledNetwork, state: ModeState) -> NDArray[np.int64]:
    """Edges that carry no flow in this control state (closed valves, compressors off, closed regulators)."""
    off_c = cn.comp_edge[state.comp_mode == CompMode.OFF]
    off_r = cn.reg_edge[state.reg_mode == RegMode.CLOSED]
    return np.concatenate([cn.block_edge, off_c, off_r]).astype(np.int64)

_COMP_DECOUPLING = (CompMode.PRESSURE, CompMode.FLOW)
_REG_DECOUPLING = (RegMode.PRESSURE, RegMode.FLOW)


@dataclass(frozen=True)
class Zones:
    """Zones of a network in one control state (see the module docstring)."""

    n: int
    label: NDArray[np.int32]  # zone of every node
    controlled_edge: NDArray[np.int64]  # edges in pressure or flow control (they join zones one way)
    supplied: BoolArray  # per zone
    referenced: BoolArray  # per zone: holds a pressure-held source
    fed: BoolArray  # per zone: a controlled element from a supplied zone feeds it
    has_demand: BoolArray  # per zone

    @property
    def dead(self) -> BoolArray:
        """Zones no supply reaches and with no demand."""
        return ~self.supplied & ~self.has_demand

    @property
    def starved(self) -> BoolArray:
        """Zones no supply reaches that have demand."""
        return ~self.supplied & self.has_demand

    @property
    def floating(self) -> BoolArray:
        """Supplied zones whose pressure level nothing sets."""
        return self.supplied & ~self.referenced & ~self.fed


def pressure_zones(cn: CompiledNetwork, state: ModeState) -> Zones:
    """The zones of ``cn`` in control state ``state``."""
    blocked = np.zeros(cn.n_edges, dtype=bool)
    blocked[flow_blocked_edges(cn, state)] = True
    controlled = np.zeros(cn.n_edges, dtype=bool)
    controlled[cn.comp_edge[np.isin(state.comp_mode, _COMP_DECOUPLING)]] = True
    controlled[cn.reg_edge[np.isin(state.reg_mode, _REG_DECOUPLING)]] = True
    controlled &= ~blocked
    tie = ~blocked & ~controlled
    adj = sp.coo_matrix((np.ones(int(tie.sum())), (cn.edge_from[tie], cn.edge_to[tie])), shape=(cn.n_nodes, cn.n_nodes))
    n, label = connected_components(adj, directed=False)
    ctrl = np.flatnonzero(controlled).astype(np.int64)
    z_from, z_to = label[cn.edge_from[ctrl]], label[cn.edge_to[ctrl]]

    has_source = np.zeros(n, dtype=bool)
    supplying = state.src_pressure | (state.src_inflow > 0)
    has_source[label[cn.source_node[supplying]]] = True
    referenced = np.zeros(n, dtype=bool)
    referenced[label[cn.source_node[state.src_pressure]]] = True
    has_demand = np.zeros(n, dtype=bool)
    has_demand[label[cn.sink_node[cn.sink_demand > 0]]] = True

    # reachability from the zones holding a source, along controlled elements (from -> to); node n is a root
    rows = np.concatenate([np.full(int(has_source.sum()), n), z_from])
    cols = np.concatenate([np.flatnonzero(has_source), z_to])
    graph = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n + 1, n + 1))
    reached = breadth_first_order(graph, n, directed=True, return_predecessors=False)
    supplied = np.zeros(n + 1, dtype=bool)
    supplied[reached] = True
    supplied = supplied[:n]
    fed = np.zeros(n, dtype=bool)
    fed[z_to[supplied[z_from]]] = True
    return Zones(
        n=int(n),
        label=label.astype(np.int32),
        controlled_edge=ctrl,
        supplied=supplied,
        referenced=referenced,
        fed=fed,
        has_demand=has_demand,
    )


def _blocked(cn: CompiledNetwork, state: ModeState) -> BoolArray:
    blocked = np.zeros(cn.n_edges, dtype=bool)
    blocked[flow_blocked_edges(cn, state)] = True
    return blocked


def _loss_free(cn: CompiledNetwork, state: ModeState) -> BoolArray:
    """Edges that tie their two pressures without loss: short pipes, open valves, fixed-loss resistors,
    bypassed compressors and open regulators (blocked edges included; mask them out)."""
    tie = np.zeros(cn.n_edges, dtype=bool)
    tie[cn.tie_edge] = True
    tie[cn.fixed_loss_edge] = True
    tie[cn.comp_edge[state.comp_mode == CompMode.BYPASS]] = True
    tie[cn.reg_edge[state.reg_mode == RegMode.OPEN]] = True
    return tie


def control_loops(cn: CompiledNetwork, state: ModeState) -> list[list[int]]:
    """Loops made only of controlled elements (compressors running, regulators in pressure or flow control) and
    loss-free ties (short pipes, open valves, open regulators, bypassed compressors, fixed-loss resistors):
    nothing in such a loop depends on the flow around it, so that flow is undetermined. Each loop is given by
    its controlled elements (edge positions). Elements side by side (same inlet and outlet groups) are not
    such a loop: their droop shares the flow."""
    blocked = _blocked(cn, state)
    tie = _loss_free(cn, state) & ~blocked
    ctrl = np.zeros(cn.n_edges, dtype=bool)
    ctrl[cn.comp_edge[~np.isin(state.comp_mode, (CompMode.BYPASS, CompMode.OFF))]] = True
    ctrl[cn.reg_edge[np.isin(state.reg_mode, _REG_DECOUPLING)]] = True
    ctrl &= ~blocked
    if not ctrl.any():
        return []
    n = cn.n_nodes
    adj = sp.coo_matrix((np.ones(int(tie.sum())), (cn.edge_from[tie], cn.edge_to[tie])), shape=(n, n))
    ng, group = connected_components(adj, directed=False)
    edges = np.flatnonzero(ctrl)
    gu, gv = group[cn.edge_from[edges]], group[cn.edge_to[edges]]
    loops: list[list[int]] = []
    seen: set[int] = set()
    for k, e in enumerate(edges):
        if int(e) in seen:
            continue
        if gu[k] == gv[k]:
            loops.append([int(e)])
            seen.add(int(e))
            continue
        others = np.flatnonzero(np.arange(len(edges)) != k)
        h = sp.coo_matrix((np.ones(len(others)), (gu[others], gv[others])), shape=(ng, ng)).tocsr()
        h = h + h.T
        _, pred = breadth_first_order(h, int(gv[k]), directed=False, return_predecessors=True)
        if pred[gu[k]] < 0:
            continue  # e is a bridge: no loop through it
        pair = {(int(min(gu[j], gv[j])), int(max(gu[j], gv[j]))): int(edges[j]) for j in others}
        members, g = [int(e)], int(gu[k])
        while g != gv[k]:
            back = int(pred[g])
            members.append(pair[(min(g, back), max(g, back))])
            g = back
        seen.update(members)
        parallel = all(group[cn.edge_from[f]] == gu[k] and group[cn.edge_to[f]] == gv[k] for f in members)
        if not parallel:  # stations side by side share their flow by droop (see SteadySystem._droops)
            loops.append(members)
    return loops


def dead_parts(cn: CompiledNetwork, zones: Zones) -> tuple[BoolArray, BoolArray]:
    """Masks of the nodes and edges a steady solve keeps: every node outside dead zones, every edge between
    two kept nodes (controlled elements leaving a dead zone go with it)."""
    keep_node = ~zones.dead[zones.label]
    keep_edge = keep_node[cn.edge_from] & keep_node[cn.edge_to]
    return keep_node, keep_edge


def _zone_members(cn: CompiledNetwork, zones: Zones, z: int) -> list[str]:
    return [cn.node_ids[i] for i in np.flatnonzero(zones.label == z)]


def _drains(cn: CompiledNetwork, zones: Zones, z: int) -> list[str]:
    e = zones.controlled_edge[zones.label[cn.edge_from[zones.controlled_edge]] == z]
    return [cn.edge_ids[i] for i in e]


def loop_problems(cn: CompiledNetwork, state: ModeState) -> list[str]:
    """Loops of controlled elements and loss-free ties (see :func:`control_loops`), named."""
    return [
        f"the flow around the loop through {names([cn.edge_ids[e] for e in loop])} is undetermined: the loop "
        "holds only controlled elements and loss-free connections (short pipes, open valves, bypasses), so "
        "nothing sets how much gas circulates; close one of these elements, turn it off or put it in bypass"
        for loop in control_loops(cn, state)
    ]


LOCAL_PIPE_M = 1000.0  # pipes up to this length count as station piping for bypassed_control_problems


def bypassed_control_problems(cn: CompiledNetwork, state: ModeState) -> list[str]:
    """Controlled elements whose inlet and outlet are also joined by station piping: open valves, short pipes,
    bypassed or open elements and pipes of at most LOCAL_PIPE_M. Such a parallel path ties the pressure the
    element is asked to hold to its inlet, so how the flow splits between the element and the path is
    ill-determined (a diagnosis for a failed solve; long parallel lines of a meshed grid are normal)."""
    local = _loss_free(cn, state)
    local[cn.res_edge[cn.length_m <= LOCAL_PIPE_M]] = True
    local &= ~_blocked(cn, state)
    n = cn.n_nodes
    adj = sp.coo_matrix((np.ones(int(local.sum())), (cn.edge_from[local], cn.edge_to[local])), shape=(n, n))
    _, group = connected_components(adj, directed=False)
    ctrl = np.concatenate(
        [
            cn.comp_edge[np.isin(state.comp_mode, _COMP_DECOUPLING)],
            cn.reg_edge[np.isin(state.reg_mode, _REG_DECOUPLING)],
        ]
    )
    same = ctrl[group[cn.edge_from[ctrl]] == group[cn.edge_to[ctrl]]]
    if not len(same):
        return []
    ids = [cn.edge_ids[i] for i in same]
    return [
        f"{names(ids)}: inlet and outlet are also joined by station piping (open valves, short pipes, pipes of "
        f"at most {LOCAL_PIPE_M / 1000:g} km), which ties the pressure held to the inlet pressure; close the "
        "parallel path (a valve) or put the element in bypass/open mode"
    ]


def zone_problems(cn: CompiledNetwork, zones: Zones) -> list[str]:
    """Starved zones (demand that no supply can reach) and floating zones, named by nodes and elements."""
    problems = []
    for z in np.flatnonzero(zones.starved):
        members = _zone_members(cn, zones, int(z))
        sinks = [cn.sink_ids[k] for k in np.flatnonzero((zones.label[cn.sink_node] == z) & (cn.sink_demand > 0))]
        problems.append(
            f"no supply can reach {names(sinks)} (zone of {len(members)} node(s): {names(members)}): gas can enter "
            "it only through elements that are closed, off or point away from it; open a path or drop the demand"
        )
    for z in np.flatnonzero(zones.floating):
        members = _zone_members(cn, zones, int(z))
        drains = _drains(cn, zones, int(z))
        verb = "holds its" if len(drains) == 1 else "hold their"
        problems.append(
            f"the pressure of the zone of {len(members)} node(s) {names(members)} is set by nothing: it has no "
            f"pressure-held source and its gas leaves only through {names(drains)}, which {verb} outlet "
            "pressure or flow, not inlet; give one of its sources mode pressure, or put one of those "
            "elements in ratio, power, bypass or open mode"
        )
    return problems
