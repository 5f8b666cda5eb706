r"""Gas-quality tracking in transients: a conservative, flux-limited upwind scheme on the pipe segments.

The state is the mass of each of the K source gases held at every storage point of the segmented network
(``M_k`` [kg], shape ``(n_points, K)``). Over an implicit time step the hydraulics give the end-of-step
flows ``q`` of every segment and edge, the supplies, demands and compressor fuel; the masses move with those
flows (the implicit Euler step takes them constant over the step):

.. math:: \frac{dM_i}{dt} = \sum_{e \to i} |q_e| Y_e - \sum_{e \leftarrow i} |q_e| Y_e
          + \sum_{s \in i} m_s y_s - (d_i + f_i) Y_i

with ``Y = M / sum(M)`` the gas mass fractions, ``y_s`` a source's gas, ``d`` the demands and ``f`` the fuel
drawn at the point. Each face value is the Sweby flux-limited upwind value

.. math:: Y_e = Y_u + \tfrac12 (1 - \nu_e)\,\phi(r_e)\,(Y_d - Y_u), \qquad
          r = \frac{Y_u - Y_{uu}}{Y_d - Y_u}, \qquad \nu_e = \frac{|q_e|\,\Delta t}{m_u}

(u the upwind point, d the downwind point, uu the point upwind of u along the same pipe; ``phi`` the
superbee limiter, one value per face: the smallest over the gases, so that the face fractions still sum to
1). Second order where the gas changes smoothly, no new extrema at fronts, so a front stays within a few
segments over the length of a pipeline. At junctions (points with other than two segments) and across
compressors, valves and regulators (no volume) the face value is the upwind point's gas (complete mixing at
the node). The step is divided into ``ceil(max nu / 0.9)`` explicit sub-steps.

**Conservation.** Every flux leaves one point and enters another in the same amount, so each gas (and each
of the 21 components) is conserved exactly up to rounding: the change of the network's holdup of a gas
equals the time integral of what the sources supplied minus what the deliveries and the fuel took.
The total mass of every point after a step is ``m + dt * (net inflow)``, the implicit Euler mass balance of
the hydraulics; the solver takes the point densities of the next step from these masses, so the hydraulic
and the transported inventories stay equal to the Newton tolerance.

References: P. K. Sweby, "High resolution schemes using flux limiters for hyperbolic conservation laws",
SIAM J. Numer. Anal. 21 (1984) 995-1011; R. J. LeVeque, Finite Volume Methods for Hyperbolic Problems
(CUP 2002), ch. 6.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..quality.mixing import upwind_blend
from .discretise import SegmentedNetwork

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

#: Largest mass Courant number of a sub-step.
CFL = 0.9


def superbee(r: F64) -> F64:
    """Superbee limiter phi(r) = max(0, min(2r, 1), min(r, 2)) (Roe 1985); 0 for r <= 0."""
    return np.asarray(np.maximum(0.0, np.maximum(np.minimum(2.0 * r, 1.0), np.minimum(r, 2.0))))


@dataclass
class QualityTracker:
    """Masses of the K source gases at every point of a segmented network, moved step by step.

    Attributes:
        seg: the segmented network.
        mass: (n_points, K) mass of each gas held at every point [kg].
        supplied, delivered, burnt: (K,) mass of each gas that entered from the sources, left at the deliveries
            (and with sources taking gas back), and was burnt as compressor fuel since the start [kg].
        substeps: explicit sub-steps taken in the last step.
    """

    seg: SegmentedNetwork
    mass: F64
    source_y: F64
    supplied: F64 = field(init=False)
    delivered: F64 = field(init=False)
    burnt: F64 = field(init=False)
    substeps: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        k = self.mass.shape[1]
        self.supplied = np.zeros(k)
        self.delivered = np.zeros(k)
        self.burnt = np.zeros(k)
        seg = self.seg
        cn = seg.cn
        n_seg = seg.n_segments
        k_in = np.arange(n_seg) - seg.pipe_seg_start[seg.seg_pipe]
        nseg = seg.pipe_nseg[seg.seg_pipe]
        ef, et = cn.edge_from[:n_seg], cn.edge_to[:n_seg]
        # the point beyond each end of a segment along its pipe (-1 at the pipe's end nodes: junctions)
        self._before = np.where(k_in >= 1, np.roll(ef, 1), -1).astype(np.int64)
        self._after = np.where(k_in <= nseg - 2, np.roll(et, -1), -1).astype(np.int64)
        self.initial_holdup = self.mass.sum(axis=0).copy()

    @classmethod
    def start(cls, seg: SegmentedNetwork, point_mass_kg: F64, y_point: F64, source_y: F64) -> QualityTracker:
        """A tracker holding ``point_mass_kg`` at every point with gas mass fractions ``y_point`` (n_points, K)."""
        return cls(seg, np.asarray(point_mass_kg)[:, None] * y_point, np.asarray(source_y, dtype=float))

    # --- state ----------------------------------------------------------------------------------------
    @property
    def point_mass(self) -> F64:
        return np.asarray(self.mass.sum(axis=1))

    def fractions(self) -> F64:
        """Gas mass fractions at every point, (n_points, K) (equal shares at a point that holds no gas)."""
        y = np.clip(self.mass, 0.0, None)
        total = y.sum(axis=1, keepdims=True)
        k = self.mass.shape[1]
        return np.asarray(np.where(total > 0, y / np.where(total > 0, total, 1.0), 1.0 / k))

    def edge_fractions(self, q_edge: F64, q_smooth: float) -> F64:
        """The gas every edge carries: its upstream point's (blended over ``q_smooth`` near zero flow)."""
        cn = self.seg.cn
        y = self.fractions()
        theta = upwind_blend(q_edge, q_smooth)[:, None]
        return np.asarray(theta * y[cn.edge_from] + (1.0 - theta) * y[cn.edge_to])

    def holdup(self) -> F64:
        """Mass of each gas in the network [kg], (K,)."""
        return np.asarray(self.mass.sum(axis=0))

    def balance_error(self) -> F64:
        """Per gas: |holdup - initial - supplied + delivered + burnt| / max(initial holdup, supplied) [-]."""
        err = self.holdup() - self.initial_holdup - self.supplied + self.delivered + self.burnt
        scale = np.maximum(np.maximum(self.initial_holdup, self.supplied), 1e-300)
        return np.asarray(np.abs(err) / scale)

    # --- one step -------------------------------------------------------------------------------------
    def advance(
        self,
        dt: float,
        q_edge: F64,
        supply_kg_s: F64,
        demand_kg_s: F64,
        fuel_kg_s: F64,
    ) -> None:
        """Move the gases over a step of ``dt`` seconds with the (end-of-step) flows of every edge, supplies of
        every source, demands of every sink and fuel of every compressor [kg/s]."""
        seg = self.seg
        cn = seg.cn
        n = cn.n_nodes
        q = np.asarray(q_edge, dtype=float)
        supply = np.asarray(supply_kg_s, dtype=float)
        # what leaves each point other than through the edges: demands, fuel, sources taking gas back
        draw = np.bincount(cn.sink_node, weights=demand_kg_s, minlength=n)
        if len(cn.comp_edge):
            draw += np.bincount(cn.edge_from[cn.comp_edge], weights=fuel_kg_s, minlength=n)
        draw += np.bincount(cn.source_node, weights=np.maximum(-supply, 0.0), minlength=n)
        fuel_at = np.bincount(cn.edge_from[cn.comp_edge], weights=fuel_kg_s, minlength=n) if len(cn.comp_edge) else None
        k = self.mass.shape[1]
        src_in = np.maximum(supply, 0.0)[:, None] * self.source_y
        inject = np.stack([np.bincount(cn.source_node, weights=src_in[:, j], minlength=n) for j in range(k)], axis=1)
        upwind = np.where(q >= 0.0, cn.edge_from, cn.edge_to)
        downwind = np.where(q >= 0.0, cn.edge_to, cn.edge_from)
        aq = np.abs(q)
        out_rate = np.bincount(upwind, weights=aq, minlength=n) + draw
        net = np.bincount(downwind, weights=aq, minlength=n) - np.bincount(upwind, weights=aq, minlength=n)
        net += inject.sum(axis=1) - draw
        m0 = self.point_mass
        m_low = np.minimum(m0, m0 + dt * net)
        with np.errstate(divide="ignore", invalid="ignore"):
            nu = np.where(m_low > 0, out_rate * dt / m_low, np.where(out_rate > 0, np.inf, 0.0))
        nu_max = float(np.max(nu, initial=0.0))
        if not np.isfinite(nu_max):
            raise ValueError("quality tracking: a point empties within one step; shorten the time step")
        n_sub = max(1, int(np.ceil(nu_max / CFL)))
        h = dt / n_sub
        n_seg = seg.n_segments
        for _ in range(n_sub):  # explicit sub-steps (a loop over time, not over components)
            y = self.fractions()
            m = self.point_mass
            face = y[upwind].copy()
            # flux-limited correction on the pipe segments
            qs = q[:n_seg]
            u, d = upwind[:n_seg], downwind[:n_seg]
            uu = np.where(qs >= 0.0, self._before, self._after)
            lim = (uu >= 0) & (aq[:n_seg] > 0)
            if np.any(lim):
                idx = np.flatnonzero(lim)
                yu, yd, yuu = y[u[idx]], y[d[idx]], y[uu[idx]]
                jump = yd - yu
                with np.errstate(divide="ignore", invalid="ignore"):
                    r = np.where(np.abs(jump) > 1e-14, (yu - yuu) / jump, np.inf)
                phi = np.min(np.where(np.abs(jump) > 1e-14, superbee(r), 2.0), axis=1)
                nu_e = np.where(m[u[idx]] > 0, aq[idx] * h / m[u[idx]], 1.0)
                face[idx] += (0.5 * (1.0 - np.minimum(nu_e, 1.0)) * phi)[:, None] * jump
            flux = aq[:, None] * face * h
            change = inject * h - (draw * h)[:, None] * y
            for j in range(k):  # a loop over the K gases, not over points or edges
                change[:, j] += np.bincount(downwind, weights=flux[:, j], minlength=n)
                change[:, j] -= np.bincount(upwind, weights=flux[:, j], minlength=n)
            self.mass += change
            self.supplied += inject.sum(axis=0) * h
            taken = (draw * h)[:, None] * y
            if fuel_at is not None:
                burnt = (fuel_at * h)[:, None] * y
                self.burnt += burnt.sum(axis=0)
                taken = taken - burnt
            self.delivered += taken.sum(axis=0)
        self.substeps = n_sub
