"""Compiled sub-steps of the quality tracking (numba, optional extra ``kernel``), with the numpy path of
:meth:`linepack.transient.tracking.QualityTracker.advance` as the reference and fallback.

One call does all explicit sub-steps of a time step in one pass over the edges and points per sub-step:
the same flux-limited upwind faces (superbee, one limiter value per face), the same transfers, injections
and draws, so the two paths agree to rounding (tests/quality/test_tracking.py). The numpy path costs about
twenty array operations per sub-step on arrays of the network's size; compiled, a sub-step of the PSGP
grid (6,000 segments, three gases) takes tens of microseconds.

``LINEPACK_KERNEL=numpy`` forces the numpy path; numba's compiled code is cached on disk.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
ENV = "LINEPACK_KERNEL"  # "numpy" forces the numpy path; "auto" (default): numba when installed
_compiled: dict[str, Any] = {}


def _substeps_py(
    mass: F64,
    n_sub: int,
    h: float,
    upwind: I64,
    downwind: I64,
    aq: F64,
    n_seg: int,
    uu: I64,
    draw_h: F64,
    inject_h: F64,
    fuel_h: F64,
    leak_h: F64,
    supplied: F64,
    delivered: F64,
    burnt: F64,
    leaked: F64,
) -> None:
    """``n_sub`` explicit sub-steps of length ``h`` on gas-major masses ``mass`` (K, n), in place."""
    k, n = mass.shape
    m_edges = len(aq)
    y = np.zeros((k, n))
    m = np.zeros(n)
    dm = np.zeros((k, n))
    f = np.zeros(k)
    for _ in range(n_sub):
        for i in range(n):
            tot = 0.0
            for j in range(k):
                tot += mass[j, i]
            m[i] = tot
            for j in range(k):
                y[j, i] = mass[j, i] / tot if tot > 0.0 else 0.0
                dm[j, i] = 0.0
        for e in range(m_edges):
            a = aq[e]
            if a == 0.0:
                continue
            u = upwind[e]
            d = downwind[e]
            for j in range(k):
                f[j] = y[j, u]
            if e < n_seg and uu[e] >= 0:
                w = uu[e]
                big = 0.0
                for j in range(k):
                    big = max(big, abs(y[j, d] - y[j, u]))
                if big > 1e-14:
                    phi = 2.0
                    for j in range(k):
                        jump = y[j, d] - y[j, u]
                        if abs(jump) > 1e-14:
                            r = (y[j, u] - y[j, w]) / jump
                            p = max(0.0, max(min(2.0 * r, 1.0), min(r, 2.0)))
                            phi = min(phi, p)
                    mu = m[u]
                    nu = min(a * h / mu, 1.0) if mu > 0.0 else 1.0
                    c = 0.5 * (1.0 - nu) * phi
                    for j in range(k):
                        f[j] += c * (y[j, d] - y[j, u])
            for j in range(k):
                flux = a * f[j] * h
                dm[j, d] += flux
                dm[j, u] -= flux
        for j in range(k):
            taken = 0.0
            fuel = 0.0
            leak = 0.0
            added = 0.0
            for i in range(n):
                t = draw_h[i] * y[j, i]
                taken += t
                fuel += fuel_h[i] * y[j, i]
                leak += leak_h[i] * y[j, i]
                added += inject_h[j, i]
                mass[j, i] += dm[j, i] + inject_h[j, i] - t
            supplied[j] += added
            delivered[j] += taken - fuel - leak
            burnt[j] += fuel
            leaked[j] += leak


def substeps_function() -> Callable[..., None] | None:
    """The compiled sub-step function, or None (numba not installed, or ``LINEPACK_KERNEL=numpy``)."""
    if os.environ.get(ENV, "auto").lower() == "numpy":
        return None
    if "substeps" in _compiled:
        return _compiled["substeps"]
    try:
        import numba
    except ImportError:
        _compiled["substeps"] = None
        return None
    fn = numba.njit(cache=True, nogil=True)(_substeps_py)
    _compiled["substeps"] = fn
    return fn
