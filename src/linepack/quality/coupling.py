"""Coupling of gas quality with the flow solution: the gas state that a set of flows implies.

For edge flows and source supplies, :func:`gas_state` computes from scratch (never from an earlier state,
so a flow that reversed leaves no stale gas behind):

1. the gas at every node and edge (:func:`linepack.quality.mixing.mix_nodes`);
2. the mass each demand takes with the gas it receives (volume and energy demands, see
   :meth:`linepack.quality.spec.QualitySpec.sink_mass_kg_s`);
3. the inflow of every blending source (mode share): the molar flow that makes its gas the share
   ``r`` of what leaves the node, ``n_s = r/(1 - r) n_pass``, with ``n_pass`` the molar inflow from the node's
   other sources and pipes, capped at the source's capacity.

The steady solver alternates Newton solves (gas state frozen) with this map until the gas state computed
from a solution reproduces that solution's equations to the Newton tolerance (see
:func:`linepack.solvers.steady.solve_steady`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ..gas.gas_set import GasSet
from .mixing import Mix, mix_nodes, upwind_blend
from .properties import GasProps, RowsZ, mixture_model
from .zrows import ZRowCache

if TYPE_CHECKING:
    from ..compile import CompiledNetwork

F64 = NDArray[np.float64]



@dataclass(frozen=True)
class GasState:
    """The network's gas for given flows: mixtures, demands in kg/s and blending inflows.

    Attributes:
        mix: gas mass fractions at nodes and edges.
        w_node, w_edge: gas mole fractions at nodes and edges.
        sink_demand_kg_s: mass demand of every sink with its delivered gas.
        share_inflow_kg_s: inflow of every blending source (NaN for the others).
        share_capped: blending sources held at their capacity.
    """

    mix: Mix
    w_node: F64
    w_edge: F64
    sink_demand_kg_s: F64
    share_inflow_kg_s: F64
    share_capped: NDArray[np.bool_]


class Anderson:
    """Anderson acceleration (type II, depth ``depth``) of the fixed point ``u = G(u)`` of the gas state.

    The map from a gas state to the gas state that the resulting flows imply is not always a contraction: near a
    pipe whose flow sits at a reversal its gas switches ends and plain iteration can cycle (seen on the PSGP
    gwadar_ip case). Anderson mixing combines the last iterates so that such cycles converge, and speeds up the
    linear convergence of the regular cases. Reference: H. F. Walker, P. Ni, "Anderson acceleration for
    fixed-point iterations", SIAM J. Numer. Anal. 49 (2011) 1715-1735.
    """

    def __init__(self, depth: int = 5) -> None:
        self.depth = depth
        self.u: list[F64] = []
        self.g: list[F64] = []

    def reset(self) -> None:
        self.u.clear()
        self.g.clear()

    def next(self, u: F64, g: F64) -> F64:
        """The next input from the last input ``u`` and its image ``g = G(u)``."""
        self.u.append(u)
        self.g.append(g)
        if len(self.u) > self.depth + 1:
            self.u.pop(0)
            self.g.pop(0)
        if len(self.u) < 2:
            return g
        f = [gi - ui for gi, ui in zip(self.g, self.u, strict=True)]
        dF = np.stack([f[i + 1] - f[i] for i in range(len(f) - 1)], axis=1)
        dG = np.stack([self.g[i + 1] - self.g[i] for i in range(len(f) - 1)], axis=1)
        gamma, *_ = np.linalg.lstsq(dF, f[-1], rcond=None)
        return np.asarray(g - dG @ gamma)


def to_vector(state: GasState) -> F64:
    """The gas state as one vector (node and edge gas mass fractions, relative demands and blending inflows)."""
    parts = [state.mix.y_node.ravel(), state.mix.y_edge.ravel(), state.sink_demand_kg_s]
    fin = np.isfinite(state.share_inflow_kg_s)
    return np.concatenate([*parts, state.share_inflow_kg_s[fin]])


def from_vector(template: GasState, v: F64, gases: GasSet) -> GasState:
    """The gas state of a vector of :func:`to_vector` (fractions clipped to >= 0 and normalised)."""
    n, k = template.mix.y_node.shape
    m = template.mix.y_edge.shape[0]
    y_node = _normalised(v[: n * k].reshape(n, k))
    y_edge = _normalised(v[n * k : (n + m) * k].reshape(m, k))
    o = (n + m) * k
    ns = len(template.sink_demand_kg_s)
    demand = v[o : o + ns].copy()
    share = template.share_inflow_kg_s.copy()
    fin = np.isfinite(share)
    share[fin] = v[o + ns :]
    mix = Mix(y_node, y_edge, template.mix.inflow_kg_s, template.mix.stagnant)
    return GasState(
        mix, gases.mole_from_mass(y_node), gases.mole_from_mass(y_edge), demand, share, template.share_capped
    )


def _normalised(y: F64) -> F64:
    y = np.clip(y, 0.0, None)
    return np.asarray(y / np.maximum(y.sum(axis=1, keepdims=True), 1e-300))


def change(old: GasState, new: GasState, flow_floor: float = 1e-12) -> float:
    """Largest change of a gas mass fraction at a node or in an edge, or change of a demand or blending inflow
    relative to the larger of itself and ``flow_floor`` [kg/s]."""
    d = float(np.max(np.abs(new.mix.y_node - old.mix.y_node), initial=0.0))
    d = max(d, float(np.max(np.abs(new.mix.y_edge - old.mix.y_edge), initial=0.0)))
    dm = np.abs(new.sink_demand_kg_s - old.sink_demand_kg_s) / np.maximum(np.abs(old.sink_demand_kg_s), flow_floor)
    d = max(d, float(np.max(dm, initial=0.0)))
    fin = np.isfinite(new.share_inflow_kg_s)
    if np.any(fin):
        a, b = old.share_inflow_kg_s[fin], new.share_inflow_kg_s[fin]
        d = max(d, float(np.max(np.abs(b - a) / np.maximum(np.abs(a), flow_floor))))
    return d


def source_mass_fractions(cn: CompiledNetwork) -> F64:
    q = cn.quality
    assert q is not None
    return q.gas_set.one_hot(q.source_gas)


def gas_state(
    cn: CompiledNetwork, q_edge: F64, supply_kg_s: F64, m_ref: float = 0.0, q_smooth: F64 | float | None = None
) -> GasState:
    """The gas state implied by edge flows ``q_edge`` [kg/s] and source supplies ``supply_kg_s`` [kg/s]; an edge's gas
    is its upstream node's, blended over ``q_smooth`` [kg/s] near zero flow (default: the compiled network's
    ``quality.q_smooth_kg_s``; ``m_ref`` is not used)."""
    q = cn.quality
    assert q is not None
    gs = q.gas_set
    y_src = source_mass_fractions(cn)
    fallback = np.eye(gs.k)[q.fallback_gas]
    mix = mix_nodes(
        cn.n_nodes,
        cn.edge_from,
        cn.edge_to,
        q_edge,
        cn.source_node,
        supply_kg_s,
        y_src,
        fallback,
        q.q_smooth_kg_s if q_smooth is None else q_smooth,
    )
    w_node = gs.mole_from_mass(mix.y_node)
    w_edge = gs.mole_from_mass(mix.y_edge)
    demand = q.sink_mass_kg_s(mix.y_node[cn.sink_node], cn.sink_demand)
    share = np.full(len(cn.source_ids), np.nan)
    capped = np.zeros(len(cn.source_ids), dtype=bool)
    blend = np.flatnonzero(np.isfinite(q.source_share))
    if len(blend):
        share[blend], capped[blend] = _share_inflows(cn, q_edge, supply_kg_s, mix, blend)
    return GasState(mix, w_node, w_edge, demand, share, capped)


def _share_inflows(
    cn: CompiledNetwork, q_edge: F64, supply: F64, mix: Mix, blend: NDArray[np.int64]
) -> tuple[F64, NDArray[np.bool_]]:
    q = cn.quality
    assert q is not None
    gs = q.gas_set
    m_edge = gs.molar_mass(gs.mole_from_mass(mix.y_edge))
    into = np.where(q_edge > 0, cn.edge_to, cn.edge_from)
    n_in = np.bincount(into, weights=np.abs(q_edge) / m_edge, minlength=cn.n_nodes)  # mol/s from the pipes
    m_src = gs.molar_mass_kg_per_mol[q.source_gas]
    is_blend = np.isfinite(q.source_share)
    others = np.where(is_blend, 0.0, np.maximum(supply, 0.0) / m_src)
    n_in = n_in + np.bincount(cn.source_node, weights=others, minlength=cn.n_nodes)
    r = q.source_share[blend]
    n_blend = r / (1.0 - r) * n_in[cn.source_node[blend]]
    m = n_blend * m_src[blend]
    cap = cn.source_capacity[blend]
    capped = m > cap
    return np.minimum(m, cap), capped


def apply(cn: CompiledNetwork, state: GasState) -> CompiledNetwork:
    """``cn`` with the demands and blending inflows of ``state`` as its scenario values. The demands are now
    converted with the delivered gas, and the quality data says so (its ``sink_basis``), so that solving the
    returned network again (a warm start from a result, a study case) converts them once, not twice."""
    from dataclasses import replace

    q = cn.quality
    assert q is not None
    inflow = cn.source_inflow
    if np.any(np.isfinite(state.share_inflow_kg_s)):
        inflow = np.where(np.isfinite(state.share_inflow_kg_s), state.share_inflow_kg_s, cn.source_inflow)
    quality = replace(q, sink_basis=q.delivered_basis(state.mix.y_node[cn.sink_node]))
    return replace(cn, sink_demand=state.sink_demand_kg_s, source_inflow=inflow, quality=quality)


def props_of(cn: CompiledNetwork, state: GasState) -> GasProps:
    """The property layer of the gas state (node and edge gases as the state gives them)."""
    return GasProps.mixed(cn, state.w_node, state.w_edge, state)


class SteadyGas:
    """The gas side of the steady solver's outer iteration.

    Every round takes the gas that the last flows imply (:func:`gas_state`; round 1: the initial guess's flows),
    accelerated by :class:`Anderson`. The
    reversals of every pipe's flow between rounds are counted for the diagnosis of an iteration that does not
    settle (:meth:`restless`).
    """

    def __init__(self, cn: CompiledNetwork, m_ref: float) -> None:
        self.cn = cn
        self.m_ref = m_ref
        self.q_smooth = cn.quality.q_smooth_kg_s if cn.quality is not None else 0.0
        self.accel = Anderson()
        mz = mixture_model(cn)
        assert cn.quality is not None
        # Z series per node gas, rebuilt where a node's mixture moved by more than 1e-10 since the last round (adds
        # at most 2.5e-11 to the error of Z)
        self.rows = ZRowCache(mz.collapse, cn, cn.quality.gas_set.k, 1e-10) if mz is not None else None
        self._sign: NDArray[np.int64] | None = None
        self.flips = np.zeros(cn.n_edges, dtype=np.int64)

    def props(self, state: GasState, q_edge: F64) -> GasProps:
        """The property layer of a gas state whose edge gases were blended at the flows ``q_edge``."""
        cn = self.cn
        if self.rows is None:
            return GasProps.mixed(cn, state.w_node, state.w_edge, state)
        e = cn.res_edge
        theta = upwind_blend(q_edge[e], self.q_smooth)
        own = np.flatnonzero((theta != 1.0) & (theta != 0.0))
        rows_res, _ = self.rows.update(cn, np.ascontiguousarray(state.w_node.T), theta, own, state.w_edge[e[own]])
        series = self.rows.series
        rows_comp = cn.edge_from[cn.comp_edge].astype(np.int64)
        z = (RowsZ(series, rows_res), RowsZ(series, rows_comp), RowsZ(series, np.arange(cn.n_nodes)))
        return GasProps.mixed(cn, state.w_node, state.w_edge, state, z=z)

    def implied(self, q_edge: F64, supply: F64) -> GasState:
        """The gas state of the flows ``q_edge`` and supplies ``supply`` [kg/s]."""
        return gas_state(self.cn, q_edge, supply, self.m_ref)

    def next(self, used: GasState | None, implied: GasState, q_edge: F64, reset: bool) -> GasState:
        """The gas state for the next round: ``implied``, accelerated over the last rounds unless ``reset`` (the
        control state changed: the last rounds say nothing about the new map)."""
        sign = np.sign(q_edge).astype(np.int64)
        if self._sign is not None:
            self.flips += (sign != self._sign) & (sign != 0) & (self._sign != 0)
        self._sign = sign
        if used is None or reset:
            self.accel.reset()
            return implied
        assert self.cn.quality is not None
        return from_vector(implied, self.accel.next(to_vector(used), to_vector(implied)), self.cn.quality.gas_set)

    def settled(self, used: GasState, implied: GasState, tolerance: float = 1e-13) -> bool:
        """True when the gas a solution implies is the gas it was solved with, within ``tolerance`` (mass
        fractions; flows relative to the larger of themselves and 1e-9 of the reference flow): the fixed point,
        whatever the residual's last digits."""
        return change(used, implied, 1e-9 * self.m_ref) <= tolerance

    def moved(self, used: GasState, implied: GasState, tolerance: float = 1e-6) -> bool:
        """True when the gas a solution implies differs from the one it was solved with by more than
        ``tolerance`` in some mass fraction or relative flow: a decision taken with ``used`` (a control bound)
        may not hold for the gas the flows carry."""
        return change(used, implied, 1e-9 * self.m_ref) > tolerance

    def restless(self) -> list[str]:
        """Diagnosis of an outer iteration that did not settle: the pipes whose flow kept reversing."""
        cn = self.cn
        e = cn.res_edge
        worst = e[np.argsort(-self.flips[e], kind="stable")]
        worst = worst[self.flips[worst] >= 2][:8]
        if not len(worst):
            return []
        ids = ", ".join(cn.edge_ids[i] for i in worst)
        return [
            f"the flows of {ids} kept reversing as the gas in the network changed: where flows are small against "
            "the gravity head of the gas (meshed parts with elevation differences), the flow and the mixture decide "
            "each other and this outer iteration does not settle; set settings.mixing: off to solve with one gas"
        ]
