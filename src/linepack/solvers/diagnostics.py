"""Diagnosis of cases that cannot be solved: islands, supply below demand, collapsing pressures."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components, maximum_bipartite_matching

from ..compile import CompiledNetwork, CompMode, EdgeKind
from ..topology import MAX_NAMES, flow_blocked_edges, names
from ..units import BAR_PA
from .equations import ControlState, SteadySystem

__all__ = ["MAX_NAMES", "flow_blocked_edges", "names"]

CONCENTRATED_SHARE = 0.5  # the three largest equations hold at least this share of the residual
EDGE_KIND_TEXT = {
    int(EdgeKind.PIPE): "pipe",
    int(EdgeKind.COMPRESSOR): "compressor",
    int(EdgeKind.REGULATOR): "regulator",
    int(EdgeKind.VALVE): "valve",
    int(EdgeKind.RESISTOR): "resistor",
    int(EdgeKind.SHORT_PIPE): "short pipe",
}


def islands(cn: CompiledNetwork, state: ControlState) -> tuple[int, NDArray[np.int32]]:
    """Connected parts of the network through edges that can carry flow."""
    keep = np.ones(cn.n_edges, dtype=bool)
    keep[flow_blocked_edges(cn, state)] = False
    ef, et = cn.edge_from[keep], cn.edge_to[keep]
    adj = sp.coo_matrix((np.ones(len(ef)), (ef, et)), shape=(cn.n_nodes, cn.n_nodes))
    n, labels = connected_components(adj, directed=False)
    return int(n), labels


def island_problems(cn: CompiledNetwork, state: ControlState) -> list[str]:
    """Islands without a pressure reference, named by their nodes."""
    n, labels = islands(cn, state)
    has_ref = np.zeros(n, dtype=bool)
    has_ref[labels[cn.source_node[state.src_pressure]]] = True
    problems = []
    for isl in np.flatnonzero(~has_ref):
        members = [cn.node_ids[i] for i in np.flatnonzero(labels == isl)]
        problems.append(
            f"island of {len(members)} node(s) without a pressure reference: {names(members)}; "
            "connect it to the network or give one of its sources mode pressure with p_set_barg"
        )
    return problems


BALANCE_TOL = 1e-7  # relative tolerance of the supply-demand balance checks


def supply_problems(
    cn: CompiledNetwork,
    state: ControlState,
    fuel_by_node_kg_s: NDArray[np.float64] | None = None,
    demand_range_kg_s: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None,
) -> list[str]:
    """Islands that cannot balance in this control state: demand above fixed supply plus the capacity of the
    pressure-held sources, or fixed supply above what is drawn with no pressure-held source to take the rest.

    What an island draws is its demand plus the fuel its compressors burn (the balance of the equations).
    The fuel is known only at a solution, and in another control state than the one judged
    (``fuel_by_node_kg_s``, per node; None before any solution), so the checks judge only what the fuel
    cannot change: demand alone above all the supply there can be (fuel only adds to it), and fixed supply
    above demand plus twice the last fuel (or above demand, where no gas-driven station runs). A state the
    optimiser found with the exact balance is therefore never rejected here.

    ``demand_range_kg_s`` (least, most) per sink replaces the compiled demands where the mass a demand draws is
    not yet known (volume and energy demands before the gas is, see :mod:`linepack.quality`): supply is short only
    for the least, in excess only for the most.
    """
    n, labels = islands(cn, state)
    problems = []
    basis = cn.gas.basis
    fuel_isl = np.zeros(n)
    if fuel_by_node_kg_s is not None:
        fuel_isl = np.bincount(labels, weights=fuel_by_node_kg_s, minlength=n).astype(float)
    running = ~np.isin(state.comp_mode, (CompMode.BYPASS, CompMode.OFF)) & cn.comp_gas_driven
    burning = np.zeros(n, dtype=bool)
    burning[labels[cn.edge_from[cn.comp_edge[running]]]] = True
    for isl in range(n):
        src = labels[cn.source_node] == isl
        snk = labels[cn.sink_node] == isl
        if demand_range_kg_s is None:
            demand = least = float(np.sum(cn.sink_demand[snk]))
        else:
            least, demand = float(np.sum(demand_range_kg_s[0][snk])), float(np.sum(demand_range_kg_s[1][snk]))
        fuel = float(fuel_isl[isl])
        fixed = float(np.sum(np.where(state.src_pressure, 0.0, state.src_inflow)[src]))
        cap = float(np.sum(np.where(state.src_pressure, cn.source_capacity, 0.0)[src]))
        held = np.flatnonzero(src & state.src_pressure)
        tol = BALANCE_TOL * max(demand, fixed) + 1e-12
        if burning[isl] and fuel_by_node_kg_s is None:
            surplus = 0.0  # the fuel can take any difference: not judged before a solution
        else:
            surplus = fixed - demand - 2.0 * fuel if burning[isl] else fixed - demand
        if not len(held) and surplus > tol:
            with_fuel = f" and twice the compressor fuel {basis.kg_s_to_mmscfd(fuel):.1f} MMSCFD" if fuel > 0 else ""
            problems.append(
                f"supply above demand: fixed inflows {basis.kg_s_to_mmscfd(fixed):.0f} MMSCFD exceed demand "
                f"{basis.kg_s_to_mmscfd(demand):.0f} MMSCFD{with_fuel} by {basis.kg_s_to_mmscfd(surplus):.1f} "
                f"MMSCFD ({surplus:.2f} kg/s) and no pressure-held source can take the difference; lower the "
                "inflows or give a source mode pressure"
            )
        if least > fixed + cap + tol:
            p_src = [cn.source_ids[k] for k in held]
            short = least - fixed - cap
            fuel_too = " (compressor fuel would add to it)" if burning[isl] else ""
            problems.append(
                f"supply below demand: demand {basis.kg_s_to_mmscfd(least):.0f} MMSCFD ({least:.1f} kg/s) "
                f"exceeds fixed supply {basis.kg_s_to_mmscfd(fixed):.0f} MMSCFD plus the capacity "
                f"{basis.kg_s_to_mmscfd(cap):.0f} MMSCFD of the pressure-held source(s) "
                f"{names(p_src) or '(none)'}; short by {basis.kg_s_to_mmscfd(short):.1f} MMSCFD "
                f"({short:.2f} kg/s){fuel_too}. Reduce demand or add supply"
            )
    return problems


def state_problems(cn: CompiledNetwork, p_pa: NDArray[np.float64], state: ControlState) -> list[str]:
    """What is wrong at a (non-converged) iterate: pressures near zero or below minimum, bounds exceeded."""
    out = []
    low = np.flatnonzero(p_pa < 1.0 * BAR_PA)
    if len(low):
        out.append(
            "pressures pushed towards zero at "
            + names([cn.node_ids[i] for i in low])
            + ": the network cannot carry the demand to these nodes; reduce demand there, raise supply "
            "pressure or add compression"
        )
    pmin = cn.p_min_pa
    below = np.flatnonzero(np.isfinite(pmin) & (p_pa < pmin))
    if len(below) and not len(low):
        out.append("pressures below their minimum at " + names([cn.node_ids[i] for i in below]))
    ce = cn.comp_edge
    if len(ce):
        ps = np.maximum(p_pa[cn.edge_from[ce]], 1.0)
        r = p_pa[cn.edge_to[ce]] / ps
        r_max = np.asarray(cn.comp_ratio_max, dtype=float).copy()
        cs = cn.stations
        if cs is not None:  # stations with units: what their maps make at this suction pressure
            from ..stations.choice import largest_ratio
            from ..stations.points import suction_gas

            r_max[cs.comp_k] = np.minimum(r_max[cs.comp_k], largest_ratio(cs, suction_gas(cn), ps[cs.comp_k]))
        hi = np.flatnonzero(r > r_max * (1 + 1e-6))
        if len(hi):
            out.append(
                "compressor set-points need ratios above the maximum at "
                + names([f"{cn.edge_ids[ce[k]]} ({r[k]:.2f} > {r_max[k]:.2f})" for k in hi])
            )
    return out


def unknown_name(sys: SteadySystem, i: int, what: str) -> str:
    """The equation (``what='row'``) or unknown (``'col'``) ``i`` of the steady system, named by component."""
    cn = sys.cn
    n, m = cn.n_nodes, cn.n_edges
    if i < n:
        return f"{'the balance of' if what == 'row' else 'the pressure at'} node {cn.node_ids[i]}"
    if i < n + m:
        kind = EDGE_KIND_TEXT.get(int(cn.edge_kind[i - n]), "element")
        return f"{'the law of' if what == 'row' else 'the flow of'} {kind} {cn.edge_ids[i - n]}"
    k = int(sys.psrc[i - n - m])
    return f"{'the set-point of' if what == 'row' else 'the supply of'} source {cn.source_ids[k]}"


def residual_concentration(sys: SteadySystem, x: NDArray[np.float64], top: int = 5) -> list[str]:
    """Where the scaled residual of a failed Newton iterate concentrates: the equations (node balances,
    element laws, source set-points) that hold most of its absolute sum, each with its share.

    A unit slip in one component (a diameter in metres, a demand a thousand times too large) leaves the
    residual in the equations next to it, so this names where to look when Newton stops. Nothing is said
    when the three largest equations hold less than half of the residual (it is spread over the network).
    """
    f = np.abs(np.asarray(sys.residual(x), dtype=float))
    if not f.size or not np.all(np.isfinite(f)) or float(np.sum(f)) <= 0.0:
        return []
    total = float(np.sum(f))
    order = np.argsort(-f, kind="stable")[:top]
    picked = [int(i) for i in order if f[i] >= 0.02 * total]
    if not picked or float(np.sum(f[order[:3]])) < CONCENTRATED_SHARE * total:
        return []  # spread over the network: no component stands out (other diagnoses say why)
    parts = [f"{unknown_name(sys, i, 'row')} ({f[i] / total:.0%})" for i in picked]
    ids = {*(cn_id for cn_id in _component_ids(sys, picked))}
    return [
        "the residual of the last Newton iterate concentrates at " + ", ".join(parts)
        + f": check the data of {names(sorted(ids))} (units of diameter and length, demand, set-points)"
    ]


def _component_ids(sys: SteadySystem, rows: list[int]) -> list[str]:
    cn = sys.cn
    n, m = cn.n_nodes, cn.n_edges
    out = []
    for i in rows:
        if i < n:
            out.append(cn.node_ids[i])
        elif i < n + m:
            out.append(cn.edge_ids[i - n])
        else:
            out.append(cn.source_ids[int(sys.psrc[i - n - m])])
    return out


def singular_problems(sys: SteadySystem, x: NDArray[np.float64]) -> list[str]:
    """Name the unknowns and equations of a structurally singular Jacobian (maximum bipartite matching).

    An equation left unmatched has no unknown of its own (for example two controls fixing one pressure);
    an unknown left unmatched is determined by no equation (for example a flow split nothing fixes).
    """
    jac = sp.csr_matrix(sys.jacobian(x))
    jac.data[:] = 1.0
    match = maximum_bipartite_matching(jac, perm_type="column")

    def name(i: int, what: str) -> str:
        return unknown_name(sys, i, what)

    rows = np.flatnonzero(match < 0)
    if not len(rows):
        return []
    used = np.zeros(jac.shape[1], dtype=bool)
    used[match[match >= 0]] = True
    cols = np.flatnonzero(~used)
    eqs = names([name(int(r), "row") for r in rows])
    unk = names([name(int(c), "col") for c in cols])
    return [
        f"the equations are structurally singular: {eqs} duplicate other equations, and {unk} are fixed "
        "by none; usually two controlled elements hold the same pressure or a controlled element has no "
        "path for its flow. Change the control mode of one of the elements named"
    ]
