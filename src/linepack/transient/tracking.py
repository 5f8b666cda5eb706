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
import scipy.sparse as sp
from numpy.typing import NDArray

from ..quality.mixing import upwind_blend
from .discretise import SegmentedNetwork
from .tracking_kernel import substeps_function

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
        initial_mass: (n_points, K) mass of each gas held at every point at the start [kg] (``mass`` is the current
            one).
        supplied, delivered, burnt, leaked: (K,) mass of each gas that entered from the sources, left at the
            deliveries (and with sources taking gas back), was burnt as compressor fuel and was lost through leaks
            since the start [kg].
        substeps: explicit sub-steps taken in the last step.
    """

    seg: SegmentedNetwork
    initial_mass: F64
    source_y: F64
    compiled: bool = True  # use the compiled sub-steps when numba is installed (same results to rounding)
    supplied: F64 = field(init=False)
    delivered: F64 = field(init=False)
    burnt: F64 = field(init=False)
    leaked: F64 = field(init=False)
    substeps: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self._mass = np.ascontiguousarray(np.asarray(self.initial_mass, dtype=float).T)  # (K, n): gas-major
        k = self._mass.shape[0]
        self.supplied = np.zeros(k)
        self.delivered = np.zeros(k)
        self.burnt = np.zeros(k)
        self.leaked = np.zeros(k)
        seg = self.seg
        cn = seg.cn
        n_seg = seg.n_segments
        k_in = np.arange(n_seg) - seg.pipe_seg_start[seg.seg_pipe]
        nseg = seg.pipe_nseg[seg.seg_pipe]
        ef, et = cn.edge_from[:n_seg], cn.edge_to[:n_seg]
        # the point beyond each end of a segment along its pipe (-1 at the pipe's end nodes: junctions)
        self._before = np.where(k_in >= 1, np.roll(ef, 1), -1).astype(np.int64)
        self._after = np.where(k_in <= nseg - 2, np.roll(et, -1), -1).astype(np.int64)
        self.initial_holdup = self._mass.sum(axis=1).copy()

    @classmethod
    def start(cls, seg: SegmentedNetwork, point_mass_kg: F64, y_point: F64, source_y: F64) -> QualityTracker:
        """A tracker holding ``point_mass_kg`` at every point with gas mass fractions ``y_point`` (n_points, K)."""
        return cls(seg, np.asarray(point_mass_kg)[:, None] * y_point, np.asarray(source_y, dtype=float))

    # --- state ----------------------------------------------------------------------------------------
    @property
    def mass(self) -> F64:
        """(n_points, K) mass of each gas held at every point [kg] (a view)."""
        return np.asarray(self._mass.T)

    @property
    def point_mass(self) -> F64:
        return np.asarray(self._mass.sum(axis=0))

    def fractions(self) -> F64:
        """Gas mass fractions at every point, (n_points, K) (equal shares at a point that holds no gas)."""
        y = np.clip(self._mass, 0.0, None)
        total = y.sum(axis=0)
        k = self._mass.shape[0]
        return np.asarray(np.where(total > 0, y / np.where(total > 0, total, 1.0), 1.0 / k).T)

    def fractions_at(self, points: NDArray[np.int64]) -> F64:
        """:meth:`fractions` of ``points`` only, (len(points), K): the same operations on their columns."""
        y = np.clip(self._mass[:, points], 0.0, None)
        total = y.sum(axis=0)
        k = self._mass.shape[0]
        return np.asarray(np.where(total > 0, y / np.where(total > 0, total, 1.0), 1.0 / k).T)

    def fractions_t(self) -> F64:
        """Gas mass fractions at every point, gas-major (K, n_points)."""
        y = np.clip(self._mass, 0.0, None)
        total = y.sum(axis=0)
        k = self._mass.shape[0]
        return np.asarray(np.where(total > 0, y / np.where(total > 0, total, 1.0), 1.0 / k))

    def edge_fractions(self, q_edge: F64, q_smooth: float) -> F64:
        """The gas every edge carries: its upstream point's (blended over ``q_smooth`` near zero flow)."""
        cn = self.seg.cn
        y = self.fractions()
        theta = upwind_blend(q_edge, q_smooth)[:, None]
        return np.asarray(theta * y[cn.edge_from] + (1.0 - theta) * y[cn.edge_to])

    def holdup(self) -> F64:
        """Mass of each gas in the network [kg], (K,)."""
        return np.asarray(self._mass.sum(axis=1))

    def balance_error(self) -> F64:
        """Per gas: |holdup - initial - supplied + delivered + burnt + leaked| / max(initial holdup, supplied) [-]."""
        err = self.holdup() - self.initial_holdup - self.supplied + self.delivered + self.burnt + self.leaked
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
        leak_kg_s: F64 | None = None,
    ) -> None:
        """Move the gases over a step of ``dt`` seconds with the (end-of-step) flows of every edge, supplies of
        every source, demands of every sink, fuel of every compressor and the leaks drawn at every point
        (``leak_kg_s``, None: no leak) [kg/s].

        Arrays are held gas-major, (K, n), so that every operation runs over the long axis."""
        seg = self.seg
        cn = seg.cn
        n = cn.n_nodes
        q = np.asarray(q_edge, dtype=float)
        supply = np.asarray(supply_kg_s, dtype=float)
        has_comp = len(cn.comp_edge) > 0
        # what leaves each point other than through the edges: demands, fuel, sources taking gas back
        fuel_at = np.bincount(cn.edge_from[cn.comp_edge], weights=fuel_kg_s, minlength=n) if has_comp else None
        draw = np.bincount(cn.sink_node, weights=demand_kg_s, minlength=n)
        draw += np.bincount(cn.source_node, weights=np.maximum(-supply, 0.0), minlength=n)
        if fuel_at is not None:
            draw += fuel_at
        leak_at = None if leak_kg_s is None or not np.any(leak_kg_s) else np.asarray(leak_kg_s, dtype=float)
        if leak_at is not None:
            draw += leak_at
        k = self._mass.shape[0]
        src_in = self.source_y.T * np.maximum(supply, 0.0)  # (K, n_sources)
        inject = np.zeros((k, n))
        for j in range(k):  # a loop over the K gases
            inject[j] = np.bincount(cn.source_node, weights=src_in[j], minlength=n)
        fwd = q >= 0.0
        upwind = np.where(fwd, cn.edge_from, cn.edge_to)
        downwind = np.where(fwd, cn.edge_to, cn.edge_from)
        aq = np.abs(q)
        m_edges = len(q)
        out_edges = np.bincount(upwind, weights=aq, minlength=n)
        out_rate = out_edges + draw
        net = np.bincount(downwind, weights=aq, minlength=n) - out_edges + inject.sum(axis=0) - draw
        m0 = self._mass.sum(axis=0)
        m_low = np.minimum(m0, m0 + dt * net)
        with np.errstate(divide="ignore", invalid="ignore"):
            nu = np.where(m_low > 0, out_rate * dt / m_low, np.where(out_rate > 0, np.inf, 0.0))
        nu_max = float(np.max(nu, initial=0.0))
        if not np.isfinite(nu_max):
            raise ValueError("quality tracking: a point empties within one step; shorten the time step")
        n_sub = max(1, int(np.ceil(nu_max / CFL)))
        h = dt / n_sub
        n_seg = seg.n_segments
        uu = np.where(fwd[:n_seg], self._before, self._after)
        kernel = substeps_function() if self.compiled else None
        if kernel is not None:
            fuel_h0 = fuel_at * h if fuel_at is not None else np.zeros(n)
            leak_h0 = leak_at * h if leak_at is not None else np.zeros(n)
            kernel(
                self._mass, n_sub, h, upwind, downwind, aq, n_seg, uu, draw * h, inject * h, fuel_h0, leak_h0,
                self.supplied, self.delivered, self.burnt, self.leaked,
            )  # fmt: skip
            self.substeps = n_sub
            return
        # transfer operator (edges -> points): a face's flux leaves its upwind point and enters its downwind point
        T = sp.csc_matrix(
            (np.concatenate([aq, -aq]), (np.tile(np.arange(m_edges), 2), np.concatenate([downwind, upwind]))),
            shape=(m_edges, n),
        )
        u, d = upwind[:n_seg], downwind[:n_seg]
        limited = np.flatnonzero((uu >= 0) & (aq[:n_seg] > 0))
        u_l, d_l, uu_l, aq_l = u[limited], d[limited], uu[limited], aq[limited]
        injected = inject.sum(axis=1) * h
        inject_h = inject * h
        draw_h = draw * h
        fuel_h = fuel_at * h if fuel_at is not None else None
        leak_h = leak_at * h if leak_at is not None else None
        for _ in range(n_sub):  # explicit sub-steps (a loop over time, not over components)
            m = self._mass.sum(axis=0)
            y = self._mass / np.where(m > 0, m, 1.0)
            face = y[:, upwind]
            # flux-limited correction on the segments across which the gas changes
            jump = y[:, d_l] - y[:, u_l]
            moving = np.flatnonzero(np.abs(jump).max(axis=0) > 1e-14)
            if len(moving):
                j_m = jump[:, moving]
                big = np.abs(j_m) > 1e-14
                with np.errstate(divide="ignore", invalid="ignore"):
                    r = np.where(big, (y[:, u_l[moving]] - y[:, uu_l[moving]]) / j_m, np.inf)
                phi = np.where(big, superbee(r), 2.0).min(axis=0)
                mu = m[u_l[moving]]
                nu_e = np.minimum(np.where(mu > 0, aq_l[moving] * h / np.where(mu > 0, mu, 1.0), 1.0), 1.0)
                face[:, limited[moving]] += 0.5 * (1.0 - nu_e) * phi * j_m
            taken = draw_h * y
            self._mass += (face @ T) * h + inject_h - taken
            self.supplied += injected
            taken_total = taken.sum(axis=1)
            if fuel_h is not None:
                burnt = y @ fuel_h
                self.burnt += burnt
                taken_total = taken_total - burnt
            if leak_h is not None:
                leaked = y @ leak_h
                self.leaked += leaked
                taken_total = taken_total - leaked
            self.delivered += taken_total
        self.substeps = n_sub
