r"""Polynomials of compressor maps and their roots, vectorised and complex-step safe.

A map quantity of a turbo compressor is a polynomial in the speed n and the actual inlet volume flow Q:

.. math:: f(n, Q) = \sum_{i=0}^{2}\sum_{j=0}^{2} c_{ij}\, n^i Q^j

with the coefficients of one unit stored as ``c[..., i, j]`` (GasLib's ``n_isoline_coeff_k`` is
``c[i, j]`` with ``k = 1 + i + 3 j``). A line of the map (surge, choke) is ``f(Q) = c_0 + c_1 Q + c_2 Q^2``.

Every function takes real or complex arrays: the steady solver differentiates a station by the complex
step (Squire and Trapp, SIAM Review 40(1), 1998), ``f'(x) = Im f(x + i h) / h`` with ``h = 1e-30``, which
is exact to rounding if every operation is analytic. Branches are therefore chosen on real parts only
(:func:`rmax`, :func:`rmin`, :func:`rwhere`), never with ``abs`` or comparisons of complex values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

Arr = NDArray[Any]  # float64 or complex128


def rwhere(cond: Arr, a: Any, b: Any) -> Arr:
    """``np.where`` on a real condition (the condition must come from real parts)."""
    return np.where(cond, a, b)


def rmax(a: Any, b: Any) -> Arr:
    """Elementwise maximum chosen on the real parts (complex-step safe)."""
    a, b = np.asarray(a), np.asarray(b)
    return np.where(np.real(a) >= np.real(b), a, b)


def rmin(a: Any, b: Any) -> Arr:
    """Elementwise minimum chosen on the real parts (complex-step safe)."""
    a, b = np.asarray(a), np.asarray(b)
    return np.where(np.real(a) <= np.real(b), a, b)


def poly2(c: Arr, n: Any, q: Any) -> Arr:
    """``sum c[..., i, j] n^i q^j`` for a 3 x 3 coefficient array (broadcast over leading axes)."""
    n, q = np.asarray(n), np.asarray(q)
    rows = c[..., 0, :] + n[..., None] * (c[..., 1, :] + n[..., None] * c[..., 2, :])  # coefficients of q^j
    return np.asarray(rows[..., 0] + q * (rows[..., 1] + q * rows[..., 2]))


def poly2_dn(c: Arr, n: Any, q: Any) -> Arr:
    """Partial derivative of :func:`poly2` with respect to n."""
    n, q = np.asarray(n), np.asarray(q)
    rows = c[..., 1, :] + 2.0 * n[..., None] * c[..., 2, :]
    return np.asarray(rows[..., 0] + q * (rows[..., 1] + q * rows[..., 2]))


def poly2_dq(c: Arr, n: Any, q: Any) -> Arr:
    """Partial derivative of :func:`poly2` with respect to q."""
    n, q = np.asarray(n), np.asarray(q)
    rows = c[..., 0, :] + n[..., None] * (c[..., 1, :] + n[..., None] * c[..., 2, :])
    return np.asarray(rows[..., 1] + 2.0 * q * rows[..., 2])


def in_q(c: Arr, n: Any) -> tuple[Arr, Arr, Arr]:
    """Coefficients (a, b, c0) of ``f(n, Q) = a Q^2 + b Q + c0`` at speed n."""
    n = np.asarray(n)
    rows = c[..., 0, :] + n[..., None] * (c[..., 1, :] + n[..., None] * c[..., 2, :])
    return rows[..., 2], rows[..., 1], rows[..., 0]


def in_n(c: Arr, q: Any) -> tuple[Arr, Arr, Arr]:
    """Coefficients (a, b, c0) of ``f(n, Q) = a n^2 + b n + c0`` at flow Q."""
    q = np.asarray(q)
    cols = c[..., :, 0] + q[..., None] * (c[..., :, 1] + q[..., None] * c[..., :, 2])
    return cols[..., 2], cols[..., 1], cols[..., 0]


def line(c: Arr, q: Any) -> Arr:
    """``c0 + c1 q + c2 q^2`` (a surge or choke line) for coefficients ``c[..., 3]``."""
    q = np.asarray(q)
    return np.asarray(c[..., 0] + q * (c[..., 1] + q * c[..., 2]))


def line_dq(c: Arr, q: Any) -> Arr:
    return np.asarray(c[..., 1] + 2.0 * np.asarray(q) * c[..., 2])


def root(a: Any, b: Any, c0: Any, value: Any, slope: int) -> tuple[Arr, Arr]:
    r"""The root x of ``a x^2 + b x + c0 = value`` where the polynomial has the slope sign ``slope``.

    With ``D = b^2 - 4 a (c0 - value)`` the root of slope ``sigma sqrt(D)`` is
    ``(-b + sigma sqrt D)/(2a) = 2 (c0 - value)/(-b - sigma sqrt D)``; the form without cancellation is
    taken, so a linear polynomial (a = 0) gives its one root. Where D < 0 (the value lies beyond the
    vertex) the root continues past the vertex with ``sqrt D`` replaced by ``-sqrt(-D)``: continuous and
    monotone in ``value``, so a solver that wanders there is led back. Returns (x, beyond) where ``beyond``
    marks the continued roots. Complex-step safe.
    """
    cc = c0 - value
    D = b * b - 4.0 * a * cc
    beyond = np.real(D) < 0.0
    sq = np.sqrt(np.where(beyond, -D, D)) * np.where(beyond, -1.0, 1.0)
    s = float(slope)
    num = -b + s * sq
    den = -b - s * sq
    rd, rn = np.real(den), np.real(num)
    use_den = (rd * rd >= rn * rn) & ~beyond
    safe_a = np.where(np.real(a) == 0.0, 1e-300, a)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # only in the form not taken
        x = np.where(use_den, 2.0 * cc / np.where(rd == 0.0, 1.0, den), num / (2.0 * safe_a))
    return np.asarray(x), beyond
