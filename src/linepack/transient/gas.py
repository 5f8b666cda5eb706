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

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ..quality.coupling import Q_SMOOTH_FRACTION, gas_state, source_mass_fractions
from ..quality.properties import GasProps
from .tracking import QualityTracker

if TYPE_CHECKING:
    from ..compile import CompiledNetwork
    from ..results import SteadyResult
    from .discretise import SegmentedNetwork
    from .profiles import Boundary

F64 = NDArray[np.float64]


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
        self.q_smooth = Q_SMOOTH_FRACTION * m_ref
        self.m_ref = m_ref
        self.absolute = absolute
        self.tracker: QualityTracker | None = None
        self.y_point: F64 | None = None
        self.y_edge: F64 | None = None
        self._last_q: F64 | None = None
        self._last_supply: F64 | None = None

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
        assert self.y_point is not None and self.y_edge is not None
        gs = self.gases
        return GasProps.mixed(cn, gs.mole_from_mass(self.y_point), gs.mole_from_mass(self.y_edge))

    # --- every step -----------------------------------------------------------------------------------------
    def boundary(self, cn: CompiledNetwork, b: Boundary) -> Boundary:
        """``b`` with volume and energy demands converted with the gas delivered now, and the inflow of every
        blending source for the flows of the last step."""
        assert self.y_point is not None
        demand = self.spec.sink_mass_kg_s(self.y_point[cn.sink_node], b.demand_kg_s)
        demand = np.where(self.absolute, b.demand_kg_s, demand)
        inflow = b.inflow_kg_s
        blend = np.isfinite(self.spec.source_share)
        if np.any(blend) and self._last_q is not None and self._last_supply is not None:
            g = gas_state(cn, self._last_q, self._last_supply, self.m_ref)
            inflow = np.where(blend, g.share_inflow_kg_s, b.inflow_kg_s)
        return replace(b, demand_kg_s=demand, inflow_kg_s=np.asarray(inflow, dtype=float))

    def advance(self, cn: CompiledNetwork, dt: float, q_edge: F64, supply: F64, demand: F64, fuel: F64) -> GasProps:
        """Move the gases over a converged step and return the property layer for the next step."""
        assert self.tracker is not None
        self.tracker.advance(dt, q_edge, supply, demand, fuel)
        self._last_q, self._last_supply = q_edge, supply
        self.y_point = self.tracker.fractions()
        self.y_edge = self.tracker.edge_fractions(q_edge, self.q_smooth)
        return self._props(cn)

    def density_old(self, volume_m3: F64) -> F64:
        """The point densities [kg/m^3] that the tracked masses give (the old storage of the next step)."""
        assert self.tracker is not None
        return np.asarray(self.tracker.point_mass / volume_m3)
