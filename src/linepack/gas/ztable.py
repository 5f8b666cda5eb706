"""Piecewise cubic Hermite tables of Z(p) at one temperature, with verified interpolation error.

A table stores, on a uniform pressure grid ``p_i = p_min + i h``, the exact values Z_i and slopes
(dZ/dp)_i of an equation of state and interpolates with the cubic Hermite polynomial on each
interval. The grid is refined by doubling until the interpolant matches the equation of state at
every interval mid-point within ``tolerance``. For a cubic Hermite interpolant the error term
``Z''''(xi) (p - p_i)^2 (p - p_i+1)^2 / 4!`` is largest at the mid-point, so the mid-point check
bounds the error on the whole interval up to the variation of Z'''' inside one interval.

Evaluation is vectorised: index arithmetic on the uniform grid, a gather of four coefficients and a
Horner evaluation; no search, no Python loop over points.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from linepack.errors import InputError

#: Signature of the exact evaluator: pressures [Pa] at one temperature -> (Z, dZ/dp [1/Pa]).
PointEvaluator = Callable[[NDArray[np.float64], float], tuple[NDArray[np.float64], NDArray[np.float64]]]


@dataclass(frozen=True)
class ZTable:
    """Cubic Hermite table of Z(p) at temperature ``t_k`` over ``p_min_pa``..``p_max_pa``.

    Attributes:
        t_k: temperature [K].
        p_min_pa, p_max_pa: tabulated absolute-pressure range [Pa].
        n_intervals: number of grid intervals (grid step ``(p_max - p_min) / n_intervals``).
        max_error_z: largest |Z_table - Z_eos| found at the interval mid-points [-].
        max_error_dz_dp: largest |dZ/dp_table - dZ/dp_eos| at the interval mid-points [1/Pa].
    """

    t_k: float
    p_min_pa: float
    p_max_pa: float
    n_intervals: int
    max_error_z: float
    max_error_dz_dp: float
    _c0: NDArray[np.float64]
    _c1: NDArray[np.float64]
    _c2: NDArray[np.float64]
    _c3: NDArray[np.float64]

    @property
    def step_pa(self) -> float:
        """Grid step h [Pa]."""
        return (self.p_max_pa - self.p_min_pa) / self.n_intervals

    def evaluate(
        self, p_pa: NDArray[np.float64], need_derivative: bool = True
    ) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
        """Interpolated Z and dZ/dp [1/Pa] at pressures inside the table range (not checked here).

        Z(p) = c0 + c1 s + c2 s^2 + c3 s^3, s = (p - p_i)/h in [0, 1];
        dZ/dp = (c1 + 2 c2 s + 3 c3 s^2) / h.
        """
        h = self.step_pa
        u = p_pa - self.p_min_pa
        u *= 1.0 / h
        i = u.astype(np.intp)
        np.clip(i, 0, self.n_intervals - 1, out=i)
        s = u
        s -= i
        c1 = self._c1[i]
        c2 = self._c2[i]
        c3 = self._c3[i]
        z = c3 * s
        z += c2
        z *= s
        z += c1
        z *= s
        z += self._c0[i]
        if not need_derivative:
            return z, None
        dz = c3  # reuse the gathered buffers: dz = ((3 c3 s) + 2 c2) s + c1, then / h
        dz *= 3.0
        dz *= s
        c2 *= 2.0
        dz += c2
        dz *= s
        dz += c1
        dz *= 1.0 / h
        return z, dz


def _hermite_coefficients(
    z: NDArray[np.float64], dz: NDArray[np.float64], h: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    z0, z1 = z[:-1], z[1:]
    m0, m1 = dz[:-1] * h, dz[1:] * h
    c2 = 3.0 * (z1 - z0) - 2.0 * m0 - m1
    c3 = 2.0 * (z0 - z1) + m0 + m1
    return z0.copy(), m0.copy(), c2, c3


def build_table(
    evaluator: PointEvaluator,
    t_k: float,
    p_min_pa: float,
    p_max_pa: float,
    tolerance: float,
    label: str,
    n_start: int = 64,
    n_max: int = 1 << 14,
) -> ZTable:
    """Tabulate Z(p) at ``t_k`` by grid doubling until the mid-point error is <= ``tolerance``.

    Raises:
        InputError: the tolerance is not reached with ``n_max`` intervals; Z(p) is then not smooth
            at this temperature (typically a two-phase region or a jump between density roots).
    """
    n = n_start
    p = np.linspace(p_min_pa, p_max_pa, n + 1)
    z, dz = evaluator(p, t_k)
    while True:
        h = (p_max_pa - p_min_pa) / n
        p_mid = 0.5 * (p[:-1] + p[1:])
        z_mid, dz_mid = evaluator(p_mid, t_k)
        c0, c1, c2, c3 = _hermite_coefficients(z, dz, h)
        z_interp = c0 + 0.5 * (c1 + 0.5 * (c2 + 0.5 * c3))
        dz_interp = (c1 + c2 + 0.75 * c3) / h
        err_z = float(np.max(np.abs(z_interp - z_mid)))
        err_dz = float(np.max(np.abs(dz_interp - dz_mid)))
        if err_z <= tolerance:
            return ZTable(t_k, p_min_pa, p_max_pa, n, err_z, err_dz, c0, c1, c2, c3)
        if 2 * n > n_max:
            worst = float(p_mid[int(np.argmax(np.abs(z_interp - z_mid)))])
            raise InputError(
                f"{label}: Z(p) at T = {t_k:.3f} K cannot be tabulated to {tolerance:g} with {n} intervals "
                f"(error {err_z:.2e} near p = {worst / 1e6:.4f} MPa); the state is probably two-phase or "
                "near the critical point; raise the temperature, narrow the pressure range or use the "
                "direct (untabulated) evaluation"
            )
        # interleave the mid-points: the refined grid reuses every evaluation already made
        p_new = np.empty(2 * n + 1)
        z_new = np.empty(2 * n + 1)
        dz_new = np.empty(2 * n + 1)
        p_new[0::2], p_new[1::2] = p, p_mid
        z_new[0::2], z_new[1::2] = z, z_mid
        dz_new[0::2], dz_new[1::2] = dz, dz_mid
        p, z, dz = p_new, z_new, dz_new
        n *= 2
