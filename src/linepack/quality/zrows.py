"""Z series of the gases of a network's points and pipes, kept across solves of a changing gas state.

One table of Chebyshev series (:class:`~linepack.gas.mixture_z.CollapsedZ`): a row per node (or transient
point), then a slot per resistive edge, used when the edge carries a blend of its two ends' gases (near zero
flow): its series is the same blend of its ends' series. A node's row is rebuilt only when its mixture moved by
more than ``drift`` (mole fraction) since it was built, so an outer iteration or a time step that changes the gas
in a few places pays for those places only.
|dZ/dw| < 0.25 for natural gases and hydrogen blends at pipeline pressures, so a drift tolerance ``d`` adds at
most ``0.25 d`` to the error of Z.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ..gas.mixture_z import CollapsedZ

if TYPE_CHECKING:
    from ..compile import CompiledNetwork

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


class ZRowCache:
    """Series per node and per blended resistive edge of one network (see the module docstring)."""

    def __init__(self, collapse: Callable[[F64], CollapsedZ], cn: CompiledNetwork, k: int, drift: float) -> None:
        self.collapse = collapse
        self.drift = float(drift)
        self.n_nodes = cn.n_nodes
        self.n_res = len(cn.res_edge)
        cap = self.n_nodes + self.n_res
        self.w_t = np.full((k, cap), np.nan)  # the mixture each row's series was built for (gas-major)
        probe = collapse(np.eye(k)[:1])
        self.series = CollapsedZ(
            probe.p_min_pa,
            probe.p_max_pa,
            np.zeros((cap, probe.coef_z.shape[1])),
            np.zeros((cap, probe.coef_dz.shape[1])),
            np.zeros((cap, probe.coef_d2z.shape[1])),
        )

    def fits(self, cn: CompiledNetwork) -> bool:
        return cn.n_nodes == self.n_nodes and len(cn.res_edge) == self.n_res

    def update(
        self, cn: CompiledNetwork, w_t: F64, theta: F64, own: I64, w_own: F64 | None = None
    ) -> tuple[I64, NDArray[np.bool_]]:
        """Rows of the resistive edges and the rows rebuilt, for gas-major node mixtures ``w_t`` (K, n), the
        resistive edges' upwind weights ``theta`` (1: from-node's gas, 0: to-node's) and the edges ``own`` that
        carry a blend (0 < theta < 1: nearly still pipes, see :func:`linepack.quality.mixing.upwind_blend`).

        A blending edge's series is the same blend of its two ends' series, ``theta Z_from + (1 - theta) Z_to``:
        continuous (with its slope) through a reversal like the blend of the gases, and nothing to build (its
        molar mass, from ``w_own``, stays the blended gas's; ``w_own`` is not needed here)."""
        n = self.n_nodes
        e = cn.res_edge
        rows_res = np.where(theta == 1.0, cn.edge_from[e], cn.edge_to[e]).astype(np.int64)
        rows_res[own] = n + own
        drift = np.abs(w_t - self.w_t[:, :n]).max(axis=0)
        stale_nodes = np.flatnonzero(~(drift <= self.drift))  # also rows never built (NaN)
        if len(stale_nodes):
            want = w_t[:, stale_nodes].T
            part = self.collapse(want)
            self.series.coef_z[stale_nodes] = part.coef_z
            self.series.coef_dz[stale_nodes] = part.coef_dz
            self.series.coef_d2z[stale_nodes] = part.coef_d2z
            self.w_t[:, stale_nodes] = w_t[:, stale_nodes]
        stale = np.zeros(n + self.n_res, dtype=bool)
        stale[stale_nodes] = True
        if len(own):
            a, b = cn.edge_from[e[own]], cn.edge_to[e[own]]
            th = theta[own][:, None]
            for coef in (self.series.coef_z, self.series.coef_dz, self.series.coef_d2z):
                coef[n + own] = th * coef[a] + (1.0 - th) * coef[b]
            stale[n + own] = True
        return rows_res, stale
