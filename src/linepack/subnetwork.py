"""Part of a compiled network: the same arrays restricted to chosen nodes and edges.

Used to leave out parts of a network that take no part in a solve (dead ends that no supply reaches), without
compiling the network again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from .compile import CompiledNetwork

BoolArray = NDArray[np.bool_]


def _positions(edges: NDArray[np.int64], keep_edge: BoolArray, new_pos: NDArray[np.int64]) -> NDArray[np.int64]:
    return new_pos[edges[keep_edge[edges]]].astype(np.int64)


def restrict(cn: CompiledNetwork, keep_node: BoolArray, keep_edge: BoolArray) -> CompiledNetwork:
    """``cn`` with only the nodes in ``keep_node`` and the edges in ``keep_edge`` (both boolean masks);
    sources and sinks stay with their nodes. Every kept edge must join two kept nodes. Every per-compressor
    (``comp_*``), per-regulator (``reg_*``), per-source (``source_*``) and per-sink (``sink_*``) array is
    restricted with its element."""
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

    mask_of = {"comp_": keep_comp, "reg_": keep_reg, "source_": keep_src, "sink_": keep_snk}
    per_element: dict[str, Any] = {
        name: value[mask_of[name[: name.index("_") + 1]]]
        for name, value in vars(cn).items()
        if name.startswith(tuple(mask_of))
        and name not in ("comp_edge", "reg_edge", "source_node", "sink_node")
        and isinstance(value, np.ndarray)
        and len(value) == len(mask_of[name[: name.index("_") + 1]])
    }
    return replace(
        cn,
        **per_element,
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
        friction_fixed=cn.friction_fixed[keep_res] if len(cn.friction_fixed) == len(keep_res) else cn.friction_fixed,
        comp_edge=_positions(cn.comp_edge, keep_edge, edge_new),
        reg_edge=_positions(cn.reg_edge, keep_edge, edge_new),
        tie_edge=_positions(cn.tie_edge, keep_edge, edge_new),
        block_edge=_positions(cn.block_edge, keep_edge, edge_new),
        source_ids=pick(cn.source_ids, keep_src),
        source_node=node_new[cn.source_node[keep_src]].astype(np.int64),
        source_basis=tuple(b for b, k in zip(cn.source_basis, keep_src, strict=True) if k),
        sink_ids=pick(cn.sink_ids, keep_snk),
        sink_node=node_new[cn.sink_node[keep_snk]].astype(np.int64),
        sink_category=pick(cn.sink_category, keep_snk),
        incidence=incidence,
        stations=cn.stations.restrict(keep_comp) if cn.stations is not None else None,
        quality=None if cn.quality is None else cn.quality.restrict(keep_src, keep_snk),
    )
