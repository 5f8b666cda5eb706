"""Gas quality in a transient run: the tracker, the property layer it feeds, delivered-gas demands and blending.

Operator splitting, one step at a time (first order, like implicit Euler itself):

1. the hydraulic step is solved with the gas of the start of the step (molar mass, Z, compressor gas of
   every point and segment) and with the point masses the tracker holds as the old storage (so the
   hydraulic and the transported inventories are the same numbers);
2. the tracker moves the gases with the step's flows (:class:`~linepack.transient.tracking.QualityTracker`);
3. the property layer takes the new gas of every point and segment for the next step.

Demands given as volume or energy take the mass that carries that volume or energy with the gas delivered at
the start of the step; blending sources (mode share) inject the share of the flow that passed their node in
the last step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ..gas.mixture_z import CollapsedZ, LocalZ
from ..lazy_kernel import LazyKernel
from ..quality.coupling import gas_state, source_mass_fractions
from ..quality.mixing import upwind_blend
from ..quality.properties import GasProps, compressor_kappa, fuel_lhv, mixture_model
from ..quality.zrows import ZRowCache
from ..units import R_J_PER_MOL_K
from .tracking import QualityTracker

if TYPE_CHECKING:
    from ..compile import CompiledNetwork
    from ..results import SteadyResult
    from .discretise import SegmentedNetwork
    from .profiles import Boundary

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

#: A point's (or a blended segment's) Z series is rebuilt when its gas mole fractions moved by more than this
#: since the last build: |dZ/dw| < 0.25 for natural gas and hydrogen blends at pipeline pressures, so the Z
#: error this caching adds stays below 2.5e-7.
DRIFT = 1e-6


def upwind_theta(q: F64, q_smooth: float) -> F64:
    """:func:`~linepack.quality.mixing.upwind_blend` of the flows ``q`` [kg/s] for one smoothing flow ``q_smooth``
    [kg/s], bit for bit, with the cubic evaluated only inside the band ``|q| < q_smooth`` (outside it the cubic
    gives exactly 1 and 0, as here; a step's flows leave nearly every edge outside it)."""
    if not q_smooth > 0.0:
        return upwind_blend(q, q_smooth)
    up, down = q >= q_smooth, q <= -q_smooth
    theta = np.where(up, 1.0, 0.0)
    band = np.flatnonzero(~(up | down))  # also NaN flows, which the cubic keeps NaN
    if len(band):  # upwind_blend's cubic, the same operations on these elements
        s = np.clip(q[band] / q_smooth, -1.0, 1.0)
        theta[band] = 0.5 + 0.75 * s - 0.25 * s**3
    return theta


def initial_point_fractions(seg: SegmentedNetwork, steady: SteadyResult) -> F64:
    """Gas mass fractions at every point from a steady state: its nodes' gas at the base nodes, and each pipe's
    gas (its upstream node's) at the pipe's interior points."""
    g = steady.gas_state
    assert g is not None
    y = np.empty((seg.cn.n_nodes, g.mix.y_node.shape[1]))
    n0 = seg.base.n_nodes
    y[:n0] = g.mix.y_node
    interior = seg.pipe_points >= n0
    owner = np.repeat(np.arange(seg.n_pipes), seg.pipe_nseg + 1)
    y[seg.pipe_points[interior]] = g.mix.y_edge[owner[interior]]
    return y


def held_props(seg: SegmentedNetwork, steady: SteadyResult, m_ref: float) -> GasProps | None:
    """The property layer of a steady state's mixtures on the points and segments of ``seg``, for a model that
    holds that gas (the dynamic estimator); None when the steady state tracked no mixtures."""
    if steady.gas_state is None or seg.cn.quality is None or not seg.cn.quality.mixing:
        return None
    gas = TransientGas(seg, m_ref, np.ones(len(seg.cn.sink_ids), dtype=bool))
    return gas.props_from_steady(seg.cn, steady)


def pipe_density(seg: SegmentedNetwork, props: GasProps, p_mean_pa: F64) -> tuple[F64, F64]:
    """Density [kg/m3] and d rho / dp [kg/m3/Pa] of every (base) pipe's gas at the pipe's mean pressure
    ``p_mean_pa`` (one per pipe), with the gas of its first segment (:class:`GasProps` of ``seg.cn``)."""
    cn = seg.cn
    first = seg.pipe_seg_start[: seg.n_pipes]
    res_pos = np.empty(cn.n_edges, dtype=np.int64)
    res_pos[cn.res_edge] = np.arange(len(cn.res_edge))
    k = res_pos[first]  # the first segments are edges 0..n_segments-1, all resistive
    p_all = np.full(len(cn.res_edge), float(np.mean(p_mean_pa)) if len(p_mean_pa) else 1e5)
    p_all[k] = p_mean_pa
    z, dz = props.z_res(p_all)
    c = props.res_molar_mass[k] / (R_J_PER_MOL_K * props.temperature_k)
    zk, dzk = z[k], dz[k]
    return c * p_mean_pa / zk, c * (1.0 / zk - p_mean_pa * dzk / (zk * zk))


class TransientGas:
    """The quality side of a transient run on the segmented network ``seg`` (mixtures tracked).

    ``absolute`` marks the sinks whose demand a profile gives in kg/s (no delivered-gas correction).
    """

    def __init__(self, seg: SegmentedNetwork, m_ref: float, absolute: NDArray[np.bool_]) -> None:
        self.seg = seg
        self.cn = seg.cn
        q = seg.cn.quality
        assert q is not None and q.mixing
        self.spec = q
        self.gases = q.gas_set
        self.q_smooth = q.q_smooth_kg_s
        self.m_ref = m_ref
        self.absolute = absolute
        self.tracker: QualityTracker | None = None
        self.y_point: F64 | None = None  # (n_points, K) gas mass fractions now (a view when gas-major)
        self.y_edge: F64 | None = None  # (n_edges, K), or None when not needed since the last step
        self._last_q: F64 | None = None
        self._last_supply: F64 | None = None
        self.mz = mixture_model(seg.cn)
        self._cache: _ZCache | None = None

    # --- the start ------------------------------------------------------------------------------------------
    def props_from_steady(self, cn: CompiledNetwork, steady: SteadyResult) -> GasProps:
        """The property layer of the steady state's gas mapped onto the points and segments."""
        y = initial_point_fractions(self.seg, steady)
        y_edge = y[cn.edge_from]  # segments and other edges carry their upstream gas (steady flows forward)
        g = steady.gas_state
        assert g is not None
        n_seg = self.seg.n_segments
        y_edge[:n_seg] = g.mix.y_edge[self.seg.seg_pipe]
        other = np.arange(self.seg.n_pipes, self.seg.base.n_edges)
        y_edge[self.seg.edge_map[other]] = g.mix.y_edge[other]
        self.y_point, self.y_edge = y, y_edge
        return self._props(cn)

    def props_from_flows(self, cn: CompiledNetwork, q_edge: F64, supply: F64) -> GasProps:
        """The property layer of the gas that the flows of the (discretised) steady state imply."""
        g = gas_state(cn, q_edge, supply, self.m_ref)
        self.y_point, self.y_edge = g.mix.y_node, g.mix.y_edge
        return self._props(cn)

    def start(self, point_mass_kg: F64, q_edge: F64, supply: F64) -> None:
        """Begin tracking from the current point fractions with the given point masses [kg], at the state with
        edge flows ``q_edge`` and source supplies ``supply`` [kg/s]."""
        assert self.y_point is not None
        self.tracker = QualityTracker.start(self.seg, point_mass_kg, self.y_point, source_mass_fractions(self.cn))
        self._last_q, self._last_supply = q_edge, supply

    def _props(self, cn: CompiledNetwork) -> GasProps:
        assert self.y_point is not None
        if self.y_edge is None:
            assert self.tracker is not None and self._last_q is not None
            self.y_edge = self.tracker.edge_fractions(self._last_q, self.q_smooth)
        gs = self.gases
        w_point, w_edge = gs.mole_from_mass(self.y_point), gs.mole_from_mass(self.y_edge)
        if self.mz is None:  # Papay or a composition-free model: cheap to evaluate directly
            return GasProps.mixed(cn, w_point, w_edge)
        if self._cache is None or self._cache.n_res != len(cn.res_edge):
            self._cache = _ZCache(self.mz.collapse, cn, w_point.shape[1])
        e = cn.res_edge
        w_res = w_edge[e]
        at_from = np.all(w_res == w_point[cn.edge_from[e]], axis=1)
        at_to = ~at_from & np.all(w_res == w_point[cn.edge_to[e]], axis=1)
        theta = np.where(at_from, 1.0, np.where(at_to, 0.0, 0.5))  # 0.5: a blend of its own
        own = np.flatnonzero(~at_from & ~at_to)
        z = self._cache.update_t(cn, np.ascontiguousarray(w_point.T), theta, own, w_res[own])
        return GasProps.mixed(cn, w_point, w_edge, z=z)

    # --- every step -----------------------------------------------------------------------------------------
    def boundary(self, cn: CompiledNetwork, b: Boundary) -> Boundary:
        """``b`` with volume and energy demands converted with the gas delivered now, and the inflow of every
        blending source for the flows of the last step."""
        assert self.y_point is not None
        demand = self.spec.sink_mass_kg_s(np.asarray(self.y_point[cn.sink_node]), b.demand_kg_s)
        demand = np.where(self.absolute, b.demand_kg_s, demand)
        inflow = b.inflow_kg_s
        blend = np.isfinite(self.spec.source_share)
        if np.any(blend) and self._last_q is not None and self._last_supply is not None:
            g = gas_state(cn, self._last_q, self._last_supply, self.m_ref)
            inflow = np.where(blend, g.share_inflow_kg_s, b.inflow_kg_s)
        return replace(b, demand_kg_s=demand, inflow_kg_s=np.asarray(inflow, dtype=float))

    def advance(
        self, cn: CompiledNetwork, dt: float, q_edge: F64, supply: F64, demand: F64, fuel: F64, leak: F64 | None = None
    ) -> GasProps:
        """Move the gases over a converged step (``leak``: kg/s drawn by leaks at every point) and return the
        property layer for the next step."""
        assert self.tracker is not None
        self.tracker.advance(dt, q_edge, supply, demand, fuel, leak)
        self._last_q, self._last_supply = q_edge, supply
        y_t = self.tracker.fractions_t()
        self.y_point = y_t.T
        self.y_edge = None
        if self.mz is None:
            self.y_edge = self.tracker.edge_fractions(q_edge, self.q_smooth)
            return self._props(cn)
        return self._props_t(cn, y_t, q_edge)

    def _props_t(self, cn: CompiledNetwork, y_t: F64, q_edge: F64) -> GasProps:
        """The property layer from gas-major point fractions ``y_t`` (K, n) and the edge flows (the per-step path:
        every operation runs over the long axis)."""
        gs = self.gases
        inv_m = 1.0 / gs.molar_mass_kg_per_mol
        n_t = y_t * inv_m[:, None]
        tot = n_t.sum(axis=0)
        w_t = n_t / tot
        m_point = 1.0 / tot  # molar mass of a mixture: 1 / sum(y_k / M_k)
        e = cn.res_edge
        ef, et = cn.edge_from[e], cn.edge_to[e]
        theta = upwind_theta(q_edge[e], self.q_smooth)
        own = np.flatnonzero((theta != 1.0) & (theta != 0.0))
        m_res = np.where(theta == 1.0, m_point[ef], m_point[et])
        w_own = np.zeros((len(own), gs.k))
        if len(own):
            th = theta[own]
            y_own = (th * y_t[:, ef[own]] + (1.0 - th) * y_t[:, et[own]]).T
            w_own = gs.mole_from_mass(y_own)
            m_res[own] = gs.molar_mass(w_own)
        if self._cache is None or self._cache.n_res != len(e):
            self._cache = _ZCache(self.mz.collapse, cn, gs.k)  # type: ignore[union-attr]
        z = self._cache.update_t(cn, w_t, theta, own, w_own)
        cf = cn.edge_from[cn.comp_edge]
        w_comp = w_t[:, cf].T
        return GasProps(
            temperature_k=cn.gas.temperature_k,
            res_molar_mass=m_res,
            comp_molar_mass=m_point[cf],
            comp_kappa=compressor_kappa(cn, gs, w_comp),
            comp_fuel_lhv_j_per_kg=fuel_lhv(cn, gs, w_comp),
            node_molar_mass=m_point,
            z_res=z[0],
            z_comp=z[1],
            z_node=z[2],
            viscosity_model=cn.gas.viscosity,
        )

    def density_old(self, volume_m3: F64) -> F64:
        """The point densities [kg/m^3] that the tracked masses give (the old storage of the next step)."""
        assert self.tracker is not None
        return np.asarray(self.tracker.point_mass / volume_m3)


_NO_EDGES = np.zeros(0, dtype=np.int64)


def _blend_rows_py(coef: F64, rows: I64, a: I64, b: I64, th: F64) -> None:
    """``coef[rows] = th coef[a] + (1 - th) coef[b]`` row by row: the same operations, in the same order, as
    numpy's on the gathered rows (so the two paths agree bit for bit)."""
    for i in range(len(rows)):
        t, u = th[i], 1.0 - th[i]
        for j in range(coef.shape[1]):
            coef[rows[i], j] = t * coef[a[i], j] + u * coef[b[i], j]


_compiled_blend = LazyKernel(lambda numba: numba.njit(cache=True, nogil=True)(_blend_rows_py), warm_calls=50)


def blend_rows(series: CollapsedZ, rows: I64, a: I64, b: I64, th: F64) -> None:
    """The Z series (value, first and second derivative coefficients) of ``rows``: the blend ``th`` of the
    series of rows ``a`` and ``1 - th`` of rows ``b`` (a blending edge's series, see
    :meth:`linepack.quality.zrows.ZRowCache.update`); compiled when numba is there, numpy otherwise, bit for
    bit the same (``tests/transient/test_step_exact.py``). Rows ``rows`` must differ from ``a`` and ``b``."""
    fn = _compiled_blend()
    for coef in (series.coef_z, series.coef_dz, series.coef_d2z):
        if fn is not None:
            fn(coef, rows, a, b, th)
        else:
            t = th[:, None]
            coef[rows] = t * coef[a] + (1.0 - t) * coef[b]


class _ZCache:
    """Z evaluators of the segments, points and compressors of a transient, kept across steps: the rows of a
    :class:`~linepack.quality.zrows.ZRowCache` (rebuilt when a mixture drifted by more than :data:`DRIFT`), each
    evaluated by a quadratic Taylor expansion (:class:`LocalZ`) re-centred when the pressure moves by more than
    0.3 bar or the row changes."""

    def __init__(self, collapse: Callable[[F64], CollapsedZ], cn: CompiledNetwork, k: int) -> None:
        self.rows = ZRowCache(collapse, cn, k, DRIFT)
        self.n_res = self.rows.n_res
        self.rows_res = np.zeros(self.n_res, dtype=np.int64)
        self.lz_res = LocalZ(self.rows.series, self.rows_res.copy())
        self.lz_node = LocalZ(self.rows.series, np.arange(cn.n_nodes, dtype=np.int64))
        self.rows_comp = cn.edge_from[cn.comp_edge].astype(np.int64)
        self.lz_comp = LocalZ(self.rows.series, self.rows_comp)

    def update_t(
        self, cn: CompiledNetwork, w_t: F64, theta: F64, own: NDArray[np.int64], w_own: F64
    ) -> tuple[LocalZ, LocalZ, LocalZ]:
        """The evaluators for gas-major point mixtures ``w_t`` (K, n), the resistive edges' upwind weights
        ``theta``, the edges ``own`` that carry a blend and their mixtures ``w_own`` (len(own), K)."""
        rows_res, stale = self.rows.update(cn, w_t, theta, _NO_EDGES, w_own)
        if len(own):  # the blending edges' rows, as ZRowCache.update builds them, in one compiled pass
            n = self.rows.n_nodes
            e = cn.res_edge[own]
            rows_res[own] = n + own
            blend_rows(self.rows.series, n + own, cn.edge_from[e], cn.edge_to[e], theta[own])
            stale[n + own] = True
        moved = stale[rows_res] | (rows_res != self.rows_res)
        self.rows_res = rows_res
        self.lz_res.rows = rows_res
        self.lz_res.invalidate(moved)
        self.lz_node.invalidate(stale[: cn.n_nodes])
        self.lz_comp.invalidate(stale[self.rows_comp])
        return self.lz_res, self.lz_comp, self.lz_node
