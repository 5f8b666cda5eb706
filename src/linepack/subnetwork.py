"""Part of a compiled network: the same arrays restricted to chosen nodes and edges.

Used to leave out parts of a network that take no part in a solve (dead ends that no supply reaches), without
compiling the network again.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from .compile import CompiledNetwork

BoolArray = NDArray[np.bool_]


def _positions(edges: NDArray[np.int64], keep_edge: BoolArray, new_pos: NDArray[np.int64]) -> NDArray[np.int64]:
    return new_pos[edges[keep_edge[edges]]].astype(np.int64)


def restrict(cn: CompiledNetwork, keep_node: BoolArray, keep_edge: BoolArray) -> CompiledNetwork:
    """``cn`` with only the nodes in ``keep_node`` and the edges in ``keep_edge`` (both boolean masks);
    sources and sinks stay with their nodes. Every kept edge must join two kept nodes."""
    keep_node = np.asarray(keep_node, dtype=bool)
    keep_edge = np.asarray(keep_edge, dtype=bool)
    if not np.all(keep_node[cn.edge_from[keep_edge]] & keep_node[cn.edge_to[keep_edge]]):
        raise ValueError("restrict: a kept edge has an end that is left out")
    node_new = np.cumsum(keep_node) - 1
    edge_new = np.cumsum(keep_edge) - 1
    keep_res = keep_edge[cn.res_edge]
    keep_comp = keep_edge[cn.comp_edge]
    keep_reg = keep_edge[cn.reg_edge]
    keep_fixed = keep_edge[cn.fixed_loss_edge]
    keep_src = keep_node[cn.source_node]
    keep_snk = keep_node[cn.sink_node]
    efrom = node_new[cn.edge_from[keep_edge]].astype(np.int64)
    eto = node_new[cn.edge_to[keep_edge]].astype(np.int64)
    n_n, n_e = int(keep_node.sum()), int(keep_edge.sum())
    incidence = sp.csr_matrix(
        (
            np.concatenate([-np.ones(n_e), np.ones(n_e)]),
            (np.concatenate([efrom, eto]), np.concatenate([np.arange(n_e), np.arange(n_e)])),
        ),
        shape=(n_n, n_e),
    )

    def pick(values: tuple[str, ...], mask: BoolArray) -> tuple[str, ...]:
        return tuple(v for v, k in zip(values, mask, strict=True) if k)

    return replace(
        cn,
        node_ids=pick(cn.node_ids, keep_node),
        node_names=pick(cn.node_names, keep_node),
        elevation_m=cn.elevation_m[keep_node],
        lat=cn.lat[keep_node],
        lon=cn.lon[keep_node],
        p_min_pa=cn.p_min_pa[keep_node],
        p_max_pa=cn.p_max_pa[keep_node],
        edge_ids=pick(cn.edge_ids, keep_edge),
        edge_names=pick(cn.edge_names, keep_edge),
        edge_kind=cn.edge_kind[keep_edge],
        edge_from=efrom,
        edge_to=eto,
        fixed_loss_edge=_positions(cn.fixed_loss_edge, keep_edge, edge_new),
        fixed_loss_pa=cn.fixed_loss_pa[keep_fixed],
        res_edge=_positions(cn.res_edge, keep_edge, edge_new),
        res_is_pipe=cn.res_is_pipe[keep_res],
        length_m=cn.length_m[keep_res],
        diameter_m=cn.diameter_m[keep_res],
        roughness_m=cn.roughness_m[keep_res],
        efficiency=cn.efficiency[keep_res],
        law=cn.law[keep_res],
        zeta=cn.zeta[keep_res],
        dh_m=cn.dh_m[keep_res],
        maop_pa=cn.maop_pa[keep_res],
        nominal_diameter_in=cn.nominal_diameter_in[keep_res],
        comp_edge=_positions(cn.comp_edge, keep_edge, edge_new),
        comp_mode=cn.comp_mode[keep_comp],
        comp_p_set_pa=cn.comp_p_set_pa[keep_comp],
        comp_ratio_set=cn.comp_ratio_set[keep_comp],
        comp_power_set_w=cn.comp_power_set_w[keep_comp],
        comp_ratio_max=cn.comp_ratio_max[keep_comp],
        comp_power_max_w=cn.comp_power_max_w[keep_comp],
        comp_flow_max=cn.comp_flow_max[keep_comp],
        comp_p_suction_min_pa=cn.comp_p_suction_min_pa[keep_comp],
        comp_eta_is=cn.comp_eta_is[keep_comp],
        comp_gas_driven=cn.comp_gas_driven[keep_comp],
        comp_eta_driver=cn.comp_eta_driver[keep_comp],
        reg_edge=_positions(cn.reg_edge, keep_edge, edge_new),
        reg_mode=cn.reg_mode[keep_reg],
        reg_p_set_pa=cn.reg_p_set_pa[keep_reg],
        reg_flow_max=cn.reg_flow_max[keep_reg],
        tie_edge=_positions(cn.tie_edge, keep_edge, edge_new),
        block_edge=_positions(cn.block_edge, keep_edge, edge_new),
        source_ids=pick(cn.source_ids, keep_src),
        source_node=node_new[cn.source_node[keep_src]].astype(np.int64),
        source_is_pressure=cn.source_is_pressure[keep_src],
        source_absorbs=cn.source_absorbs[keep_src],
        source_p_set_pa=cn.source_p_set_pa[keep_src],
        source_p_max_pa=cn.source_p_max_pa[keep_src],
        source_inflow=cn.source_inflow[keep_src],
        source_capacity=cn.source_capacity[keep_src],
        source_basis=tuple(b for b, k in zip(cn.source_basis, keep_src, strict=True) if k),
        sink_ids=pick(cn.sink_ids, keep_snk),
        sink_node=node_new[cn.sink_node[keep_snk]].astype(np.int64),
        sink_demand=cn.sink_demand[keep_snk],
        sink_p_min_pa=cn.sink_p_min_pa[keep_snk],
        sink_category=pick(cn.sink_category, keep_snk),
        incidence=incidence,
        stations=cn.stations.restrict(keep_comp) if cn.stations is not None else None,
    )
