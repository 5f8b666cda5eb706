"""Pipes -> segments: a compiled network whose pipes are cut into short segments (the transient grid).

Every pipe of length L is cut into ``n = ceil(L / segment_length)`` equal segments. The segment ends
inside a pipe become new nodes ("points", named ``<pipe id>#<k>``, k = 1..n-1) with linearly
interpolated elevation; each segment is an ordinary pipe edge of the segmented
:class:`~linepack.compile.CompiledNetwork`, so the steady residual, the control rules and the
sparse Jacobian of :mod:`linepack.solvers.equations` apply to it unchanged.

Storage (staggered, finite volume): the gas of a segment is lumped half onto each of its two end
points, so every point (network node or interior point) holds a volume ``V_k = sum A L_s / 2`` over its
adjacent segments, and the linepack is ``sum_k V_k rho(p_k)``. The discrete mass balance of every point
(``V_k d rho_k / dt = inflow - outflow``) then makes the change of the system linepack equal the integral
of the boundary flows exactly (to the Newton tolerance).

Segment edge order: all segments of pipe 0, then of pipe 1, ..., then the non-pipe edges in their
original order. Segment laws: local loss coefficients (``zeta``) are spread over the segments in
proportion to length; a constant Darcy friction factor (``fixed_friction``, as in published transient
benchmarks) enters each segment as the loss ``lambda L_s / D``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from ..compile import CompiledNetwork, EdgeKind
from ..errors import InputError

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclass(frozen=True)
class SegmentedNetwork:
    """A compiled network with its pipes cut into segments, and the map back to the original network.

    Attributes:
        base: the original compiled network.
        cn: the segmented compiled network (nodes = base nodes then interior points; edges = segments
            then the base's non-pipe edges).
        n_pipes: number of pipes of ``base`` (its first ``n_pipes`` edges and resistive edges).
        pipe_nseg: segments per pipe.
        pipe_seg_start: index of each pipe's first segment (segments of pipe j: start..start+nseg-1).
        seg_pipe: pipe index of each segment.
        seg_x0_m, seg_x1_m: position of each segment's ends along its pipe [m].
        pipe_points: point (node) indices along each pipe, concatenated: pipe j's points are
            ``pipe_points[pipe_point_start[j]:pipe_point_start[j] + pipe_nseg[j] + 1]`` (from node first).
        pipe_point_start: see ``pipe_points``.
        point_x_m: position along its pipe of every entry of ``pipe_points`` [m].
        volume_m3: storage volume of every point of ``cn`` [m^3].
        seg_volume_m3: volume of every segment [m^3].
        fixed_friction: Darcy friction factor of every resistive edge of ``cn`` (NaN: its friction law).
        edge_map: position in ``cn`` of every base edge that is not a pipe (-1 for pipes).
    """

    base: CompiledNetwork
    cn: CompiledNetwork
    n_pipes: int
    pipe_nseg: I64
    pipe_seg_start: I64
    seg_pipe: I64
    seg_x0_m: F64
    seg_x1_m: F64
    pipe_points: I64
    pipe_point_start: I64
    point_x_m: F64
    volume_m3: F64
    seg_volume_m3: F64
    fixed_friction: F64
    edge_map: I64

    @property
    def n_segments(self) -> int:
        return len(self.seg_pipe)

    @property
    def n_points(self) -> int:
        return self.cn.n_nodes

    def pipe_first_segment(self) -> I64:
        """Edge index in ``cn`` of the first segment of every pipe (its inlet flow)."""
        return self.pipe_seg_start

    def pipe_last_segment(self) -> I64:
        """Edge index in ``cn`` of the last segment of every pipe (its outlet flow)."""
        return self.pipe_seg_start + self.pipe_nseg - 1


def segment_network(
    cn: CompiledNetwork,
    segment_length_m: float,
    fixed_friction: Mapping[str, float] | None = None,
) -> SegmentedNetwork:
    """Cut every pipe of ``cn`` into segments of at most ``segment_length_m`` metres.

    ``fixed_friction`` maps pipe ids to a constant Darcy friction factor that replaces the pipe's
    friction law (used by the published benchmarks, which fix lambda). Raises :class:`InputError` for a
    non-positive segment length or an unknown pipe id.
    """
    if not np.isfinite(segment_length_m) or segment_length_m <= 0:
        raise InputError(f"segment length must be > 0 m (got {segment_length_m!r}); give e.g. 1000 m")
    is_pipe_edge = cn.edge_kind == EdgeKind.PIPE
    n_pipes = int(np.count_nonzero(is_pipe_edge))
    if n_pipes == 0:
        raise InputError(
            f"scenario {cn.scenario} has no pipe in service: nothing stores gas, so there is no transient; "
            "use the steady solver (linepack run)"
        )
    if not np.all(is_pipe_edge[:n_pipes]) or not np.all(cn.res_edge[:n_pipes] == np.arange(n_pipes)):
        raise InputError("compiled network: pipes must be the first edges (recompile with linepack.compile)")
    fixed = np.full(len(cn.res_edge), np.nan)
    for pid, lam in (fixed_friction or {}).items():
        k = cn.edge_index(pid)
        if k >= n_pipes:
            raise InputError(f"fixed_friction: {pid} is not a pipe; give pipe ids only")
        if not (0 < lam < 1):
            raise InputError(f"fixed_friction: pipe {pid} friction factor must be in (0, 1) (got {lam!r})")
        fixed[k] = lam
    if len(cn.friction_fixed):  # pipes of law constant: their friction factor is fixed the same way
        own = np.isnan(fixed[:n_pipes]) & np.isfinite(cn.friction_fixed[:n_pipes])
        fixed[:n_pipes][own] = cn.friction_fixed[:n_pipes][own]

    L = cn.length_m[:n_pipes]
    nseg = np.maximum(1, np.ceil(L / segment_length_m - 1e-9)).astype(np.int64)
    n_seg = int(nseg.sum())
    seg_start = np.concatenate([[0], np.cumsum(nseg)[:-1]]).astype(np.int64)
    seg_pipe = np.repeat(np.arange(n_pipes), nseg)
    k_in_pipe = np.arange(n_seg) - seg_start[seg_pipe]
    ls = L[seg_pipe] / nseg[seg_pipe]
    x0 = k_in_pipe * ls
    x1 = x0 + ls

    # points: base nodes, then the interior points of each pipe
    n0 = cn.n_nodes
    n_int = nseg - 1
    int_start = n0 + np.concatenate([[0], np.cumsum(n_int)[:-1]]).astype(np.int64)
    n_points = n0 + int(n_int.sum())
    ef_pipe, et_pipe = cn.edge_from[:n_pipes], cn.edge_to[:n_pipes]
    # from-point of segment k of pipe j: from node if k == 0, else interior point k-1
    seg_from = np.where(k_in_pipe == 0, ef_pipe[seg_pipe], int_start[seg_pipe] + k_in_pipe - 1)
    seg_to = np.where(k_in_pipe == nseg[seg_pipe] - 1, et_pipe[seg_pipe], int_start[seg_pipe] + k_in_pipe)

    # interior point attributes
    int_pipe = np.repeat(np.arange(n_pipes), n_int)
    int_k = np.arange(int(n_int.sum())) - (int_start[int_pipe] - n0) + 1  # 1..n-1
    frac = int_k / nseg[int_pipe]
    elev = cn.elevation_m
    int_elev = elev[ef_pipe[int_pipe]] + frac * (elev[et_pipe[int_pipe]] - elev[ef_pipe[int_pipe]])
    int_ids = tuple(f"{cn.edge_ids[j]}#{k}" for j, k in zip(int_pipe.tolist(), int_k.tolist(), strict=True))
    lat_i = cn.lat[ef_pipe[int_pipe]] + frac * (cn.lat[et_pipe[int_pipe]] - cn.lat[ef_pipe[int_pipe]])
    lon_i = cn.lon[ef_pipe[int_pipe]] + frac * (cn.lon[et_pipe[int_pipe]] - cn.lon[ef_pipe[int_pipe]])
    nan_i = np.full(len(int_pipe), np.nan)

    # edges: segments then the other edges
    other = np.arange(n_pipes, cn.n_edges)
    edge_map = np.full(cn.n_edges, -1, dtype=np.int64)
    edge_map[other] = n_seg + other - n_pipes

    def remap(e: I64) -> I64:
        return np.asarray(edge_map[e], dtype=np.int64)

    efrom = np.concatenate([seg_from, cn.edge_from[other]]).astype(np.int64)
    eto = np.concatenate([seg_to, cn.edge_to[other]]).astype(np.int64)
    n_e = len(efrom)
    seg_ids = tuple(f"{cn.edge_ids[j]}/{k}" for j, k in zip(seg_pipe.tolist(), k_in_pipe.tolist(), strict=True))
    kinds = np.concatenate([np.full(n_seg, EdgeKind.PIPE, dtype=np.int8), cn.edge_kind[other]])

    # resistive arrays: segments then resistors
    r_res = np.arange(n_pipes, len(cn.res_edge))  # resistors in base res arrays

    def res_arr(a: F64 | I64, seg_values: F64 | I64) -> F64:
        return np.concatenate([seg_values, a[r_res]])

    elev_all = np.concatenate([elev, int_elev])
    dh = elev_all[seg_to] - elev_all[seg_from]
    frac_len = ls / L[seg_pipe]
    zeta_seg = cn.zeta[seg_pipe] * frac_len
    lam_fixed = fixed[seg_pipe]
    D = cn.diameter_m[seg_pipe]
    zeta_seg = np.where(np.isfinite(lam_fixed), zeta_seg + np.nan_to_num(lam_fixed) * ls / D, zeta_seg)

    rows = np.concatenate([efrom, eto])
    cols = np.concatenate([np.arange(n_e), np.arange(n_e)])
    vals = np.concatenate([-np.ones(n_e), np.ones(n_e)])
    incidence = sp.csr_matrix((vals, (rows, cols)), shape=(n_points, n_e))

    seg_cn = replace(
        cn,
        node_ids=cn.node_ids + int_ids,
        node_names=cn.node_names + int_ids,
        elevation_m=elev_all,
        lat=np.concatenate([cn.lat, lat_i]),
        lon=np.concatenate([cn.lon, lon_i]),
        p_min_pa=np.concatenate([cn.p_min_pa, nan_i]),
        p_max_pa=np.concatenate([cn.p_max_pa, nan_i]),
        edge_ids=seg_ids + tuple(cn.edge_ids[e] for e in other),
        edge_names=seg_ids + tuple(cn.edge_names[e] for e in other),
        edge_kind=kinds,
        edge_from=efrom,
        edge_to=eto,
        fixed_loss_edge=remap(cn.fixed_loss_edge),
        res_edge=np.concatenate([np.arange(n_seg), remap(cn.res_edge[r_res])]).astype(np.int64),
        res_is_pipe=np.concatenate([np.ones(n_seg, bool), cn.res_is_pipe[r_res]]),
        length_m=res_arr(cn.length_m, ls),
        diameter_m=res_arr(cn.diameter_m, D),
        roughness_m=res_arr(cn.roughness_m, cn.roughness_m[seg_pipe]),
        efficiency=res_arr(cn.efficiency, cn.efficiency[seg_pipe]),
        law=np.concatenate([cn.law[seg_pipe], cn.law[r_res]]).astype(np.int64),
        zeta=res_arr(cn.zeta, zeta_seg),
        dh_m=res_arr(cn.dh_m, dh),
        maop_pa=res_arr(cn.maop_pa, cn.maop_pa[seg_pipe]),
        nominal_diameter_in=res_arr(cn.nominal_diameter_in, cn.nominal_diameter_in[seg_pipe]),
        friction_fixed=np.full(n_seg + len(r_res), np.nan),  # carried by zeta (fixed_friction, below)
        z_integrated=False,  # segments of a kilometre: Z at each segment's mean pressure
        comp_edge=remap(cn.comp_edge),
        reg_edge=remap(cn.reg_edge),
        tie_edge=remap(cn.tie_edge),
        block_edge=remap(cn.block_edge),
        incidence=incidence,
    )

    area = np.pi * D**2 / 4.0
    seg_vol = area * ls
    volume = np.zeros(n_points)
    np.add.at(volume, seg_from, 0.5 * seg_vol)
    np.add.at(volume, seg_to, 0.5 * seg_vol)

    # points along each pipe (from node, interior points, to node)
    pp_start = np.concatenate([[0], np.cumsum(nseg + 1)[:-1]]).astype(np.int64)
    pipe_points = np.empty(int((nseg + 1).sum()), dtype=np.int64)
    point_x = np.empty(len(pipe_points))
    for_seg = pp_start[seg_pipe] + k_in_pipe  # position of each segment's from-point
    pipe_points[for_seg] = seg_from
    point_x[for_seg] = x0
    last = pp_start + nseg
    pipe_points[last] = et_pipe
    point_x[last] = L
    fixed_res = np.concatenate([lam_fixed, np.full(len(r_res), np.nan)])
    return SegmentedNetwork(
        base=cn,
        cn=seg_cn,
        n_pipes=n_pipes,
        pipe_nseg=nseg,
        pipe_seg_start=seg_start,
        seg_pipe=seg_pipe.astype(np.int64),
        seg_x0_m=x0,
        seg_x1_m=x1,
        pipe_points=pipe_points,
        pipe_point_start=pp_start,
        point_x_m=point_x,
        volume_m3=volume,
        seg_volume_m3=seg_vol,
        fixed_friction=fixed_res,
        edge_map=edge_map,
    )
