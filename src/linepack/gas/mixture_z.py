r"""Fast compressibility Z(p, T, composition) of mixtures of a few fixed gases, with a measured error bound.

A network with K source gases carries mixtures ``w`` (mole fractions of the source gases) on the
(K-1)-simplex. Evaluating GERG-2008 (or AGA8 DETAIL) through pyaga8 costs about 10-20 us per state and
cannot be vectorised, so a Newton solve over thousands of pipes with their own mixtures needs a
surrogate. The strategy here:

1. **Composition coordinates.** ``w`` is mapped to the unit cube by stick-breaking,
   ``u_1 = w_1``, ``u_j = w_j / (1 - w_1 - ... - w_{j-1})`` (0 when the remainder is 0). Every point of the
   cube is a valid mixture (no negative mole fractions), so tensor-product interpolation in ``u`` only
   ever calls the equation of state on real gases.
2. **Per-axis graded grids.** Along each axis the nodes are Chebyshev-Lobatto points
   ``u = (1 - cos(pi i/n))/2``. They cluster at the ends of the axis, where a component present only in
   trace amounts in one of the gases makes Z vary fastest: the GERG-2008 reducing functions contain
   ``x_i x_j (x_i + x_j)/(beta^2 x_i + x_j)``, whose scale of variation is the trace mole fraction itself.
   Interpolation is by the 4-point (cubic) Lagrange polynomial of the nearest nodes on each axis (one
   sided at the ends), a tensor product over the K-1 axes (4^(K-1) grid vertices per mixture). The number
   of nodes ``n`` of each axis is the smallest of :data:`AXIS_SIZES` whose error along the binary mixing
   lines of that axis, checked against direct equation-of-state calls, is below ``composition_tolerance``
   (measured: hydrogen blends need 32-48 nodes, the natural gases of the PSGP data 8-16).
3. **Chebyshev series in pressure.** At every grid vertex, Z(p) at the network temperature is a
   Chebyshev series of degree ``d`` over ``p_min_pa``..``p_max_pa`` (interpolation at the Chebyshev points
   of the first kind; ``d`` is the smallest of :data:`DEGREES` meeting ``pressure_tolerance`` for every
   source gas and their equimolar mixture; 16-24 for natural gas over 1-150 bar at 273-318 K).
   Vertices are evaluated lazily, the first time a mixture near them is asked for, and kept.
4. **Collapse per mixture.** Z is nearly always needed for mixtures that stay fixed over many
   evaluations (a Newton solve with frozen compositions, a time step). :meth:`MixtureZ.collapse`
   combines the vertex series of each mixture once (a sparse matrix product) into its own Chebyshev
   series of Z and dZ/dp; :meth:`CollapsedZ.evaluate` then costs one Clenshaw recurrence per point,
   about as much as a single-gas table look-up.

Outside the pressure range the series is continued linearly from its end (value and slope), so Newton
iterates that stray there see a smooth function; a solution outside the range is reported by the caller.
The error against direct pyaga8 calls is measured by :func:`measure_error` (random mixtures and
pressures) and, for a solved network, by the caller over the pipes' own states.

References: GERG-2008: O. Kunz, W. Wagner, J. Chem. Eng. Data 57 (2012) 3032 (reducing functions,
eqs. 7.9-7.10). Chebyshev interpolation: L. N. Trefethen, Approximation Theory and Approximation
Practice (SIAM 2013), ch. 3 and 8.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from linepack.errors import InputError
from linepack.gas.aga8 import TEMPERATURE_RANGE_K, _PointEvaluator
from linepack.gas.composition import GasComposition
from linepack.gas.gas_set import GasSet
from linepack.lazy_kernel import LazyKernel

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Method = Literal["detail", "gerg2008"]

#: Candidate numbers of intervals of a composition axis (smallest that meets the tolerance is used).
AXIS_SIZES: Final[tuple[int, ...]] = (4, 6, 8, 12, 16, 24, 32, 48, 64)
#: Candidate degrees of the Chebyshev series in pressure.
DEGREES: Final[tuple[int, ...]] = (12, 16, 20, 24, 32, 40)
_CACHE: OrderedDict[tuple[object, ...], MixtureZ] = OrderedDict()
_CACHE_SIZE: Final[int] = 32


def _axis_nodes(n: int) -> F64:
    """Chebyshev-Lobatto nodes on [0, 1]: (1 - cos(pi i/n))/2, i = 0..n."""
    return np.asarray((1.0 - np.cos(np.pi * np.arange(n + 1) / n)) / 2.0)


def _lagrange4(nodes: F64, u: F64) -> tuple[I64, F64]:
    """First node index j0 and the 4 cubic Lagrange weights (n, 4) of the nodes j0..j0+3 around ``u``."""
    n = len(nodes) - 1
    i = np.clip(np.searchsorted(nodes, u, side="right") - 1, 0, n - 1)
    j0 = np.clip(i - 1, 0, n - 3).astype(np.int64)
    pts = nodes[j0[:, None] + np.arange(4)]  # (n, 4)
    w = np.ones((len(u), 4))
    for m in range(4):
        for l_ in range(4):
            if l_ != m:
                w[:, m] *= (u - pts[:, l_]) / (pts[:, m] - pts[:, l_])
    return j0, w


def stick_breaking(w: F64) -> F64:
    """Cube coordinates u (n, K-1) of mixtures w (n, K): u_j = w_j / (1 - sum_{i<j} w_i), 0 when that is 0."""
    w = np.asarray(w, dtype=float)
    rest = 1.0 - np.cumsum(w[:, :-1], axis=1) + w[:, :-1]  # 1 - sum_{i<j} w_i
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(rest > 1e-300, w[:, :-1] / rest, 0.0)
    return np.asarray(np.clip(u, 0.0, 1.0))


def from_stick_breaking(u: F64) -> F64:
    """Mixtures w (n, K) of cube coordinates u (n, K-1) (inverse of :func:`stick_breaking`)."""
    u = np.asarray(u, dtype=float)
    n, d = u.shape
    w = np.empty((n, d + 1))
    rest = np.ones(n)
    for j in range(d):  # loop over the K-1 axes, not over points
        w[:, j] = rest * u[:, j]
        rest = rest * (1.0 - u[:, j])
    w[:, d] = rest
    return w


@dataclass(frozen=True)
class CollapsedZ:
    """Chebyshev series of Z(p), dZ/dp and d2Z/dp2 for a fixed list of mixtures (rows) at one temperature.

    ``evaluate(rows, p)`` gives Z [-] and dZ/dp [1/Pa] of mixture ``rows[i]`` at pressure ``p[i]`` [Pa].
    """

    p_min_pa: float
    p_max_pa: float
    coef_z: F64  # (n_rows, d+1)
    coef_dz: F64  # (n_rows, d) series of dZ/ds, s the scaled pressure in [-1, 1]
    coef_d2z: F64  # (n_rows, d-1) series of d2Z/ds2

    @property
    def n_rows(self) -> int:
        return int(self.coef_z.shape[0])

    def evaluate(self, rows: I64, p_pa: F64, need_derivative: bool = True) -> tuple[F64, F64]:
        """Z and dZ/dp at ``p_pa`` for the mixtures ``rows`` (Clenshaw recurrence; linear continuation
        outside the pressure range)."""
        half = 0.5 * (self.p_max_pa - self.p_min_pa)
        p = np.asarray(p_pa, dtype=float)
        kernel = _compiled_series() if self.coef_z.shape[1] >= 3 and p.ndim == 1 else None
        if kernel is not None and np.shape(rows) == p.shape:  # the same arithmetic compiled (_series_py)
            z, dzds = kernel(self.coef_z, self.coef_dz, np.asarray(rows, dtype=np.int64), p, self.p_min_pa, half)
            return z, (dzds / half if need_derivative else np.zeros(0))
        s = (p - self.p_min_pa) / half - 1.0
        inside = np.clip(s, -1.0, 1.0)
        z = _clenshaw(self.coef_z.T[:, rows], inside)
        dzds = _clenshaw(self.coef_dz.T[:, rows], inside)
        out = s - inside
        if np.any(out != 0.0):
            z = z + dzds * out
        return z, (dzds / half if need_derivative else np.zeros(0))

    def evaluate3(self, rows: I64, p_pa: F64) -> tuple[F64, F64, F64]:
        """Z, dZ/dp [1/Pa] and d2Z/dp2 [1/Pa^2] (0 outside the range, where Z continues linearly)."""
        half = 0.5 * (self.p_max_pa - self.p_min_pa)
        z, dz = self.evaluate(rows, p_pa)
        s = (np.asarray(p_pa, dtype=float) - self.p_min_pa) / half - 1.0
        d2 = np.where(np.abs(s) <= 1.0, _clenshaw(self.coef_d2z.T[:, rows], np.clip(s, -1.0, 1.0)), 0.0)
        return z, dz, d2 / (half * half)


class LocalZ:
    """Z(p) and dZ/dp of many points, each with the series of its own mixture, by a quadratic Taylor expansion
    about a centre pressure that follows the point.

    ``Z(p) = Z_c + Z1_c (p - p_c) + Z2_c (p - p_c)^2 / 2`` (Z1, Z2 the first and second derivatives in p); a point
    is re-centred (one Clenshaw evaluation) when ``|p - p_c|`` exceeds ``step_pa`` or when its mixture's series
    changed (:meth:`invalidate`). With ``step_pa`` = 0.3 bar the truncation error ``|Z3| step^3 / 6`` is below
    1e-8 for natural gas and hydrogen blends at pipeline pressures (third derivative |Z3| < 5e-22 /Pa^3 over
    1-150 bar). Between re-centrings an evaluation costs a handful of array operations: the fast path of the
    transient, whose pressures move little per step.
    """

    def __init__(self, series: CollapsedZ, rows: I64, step_pa: float = 0.3e5) -> None:
        self.series = series
        self.rows = np.asarray(rows, dtype=np.int64)
        self.step_pa = float(step_pa)
        n = len(self.rows)
        self.pc = np.full(n, np.nan)
        self.z0 = np.zeros(n)
        self.z1 = np.zeros(n)
        self.z2 = np.zeros(n)

    def invalidate(self, members: NDArray[np.bool_] | None = None) -> None:
        """Force the given members (all when None) to re-centre at their next evaluation."""
        if members is None:
            self.pc[:] = np.nan
        else:
            self.pc[members] = np.nan

    def _offset(self, p: F64) -> F64:
        """``p - p_c`` after re-centring the members that moved too far (or whose centre is unset)."""
        dp = p - self.pc
        if not (float(np.max(np.abs(dp), initial=0.0)) <= self.step_pa):  # also NaN centres
            far = ~(np.abs(dp) <= self.step_pa)
            idx = np.flatnonzero(far)
            z, dz, d2 = self.series.evaluate3(self.rows[idx], p[idx])
            self.pc[idx], self.z0[idx], self.z1[idx], self.z2[idx] = p[idx], z, dz, d2
            dp = p - self.pc
        return dp

    def __call__(self, p_pa: F64) -> tuple[F64, F64]:
        p = np.asarray(p_pa, dtype=float)
        dp = self._offset(p)
        t = self.z2 * dp
        return self.z0 + dp * (self.z1 + 0.5 * t), self.z1 + t

    def value(self, p_pa: F64) -> F64:
        p = np.asarray(p_pa, dtype=float)
        dp = self._offset(p)
        return np.asarray(self.z0 + dp * (self.z1 + 0.5 * self.z2 * dp))


def _clenshaw(c_t: F64, s: F64) -> F64:
    """sum_k c_t[k, i] T_k(s_i) for every point i (Clenshaw; a loop over the degree, vectorised over the points).

    ``c_t`` holds the series degree-major, (d+1, n): each step of the recurrence reads one contiguous row (a
    gather ``coef.T[:, rows]`` builds it in that layout, several times faster than columns of ``coef[rows]``)."""
    deg = c_t.shape[0] - 1
    if deg == 0:
        return np.asarray(c_t[0] * np.ones_like(s))
    kernel = _compiled_clenshaw()
    same_shape = s.ndim == 1 and c_t.ndim == 2 and c_t.shape[1] == s.shape[0]
    if kernel is not None and same_shape and s.dtype == np.float64 and c_t.dtype == np.float64:
        return np.asarray(kernel(c_t, s))
    b1 = np.zeros_like(s)
    b2 = np.zeros_like(s)
    two_s = 2.0 * s
    for k in range(deg, 0, -1):
        b1, b2 = c_t[k] + two_s * b1 - b2, b1
    return np.asarray(c_t[0] + s * b1 - b2)


def _clenshaw_py(c_t: F64, s: F64) -> F64:
    """:func:`_clenshaw` point by point (the same operations in the same order: the same values bit for bit)."""
    deg = c_t.shape[0] - 1
    out = np.empty(s.shape[0])
    for i in range(s.shape[0]):
        two_s = 2.0 * s[i]
        b1 = 0.0
        b2 = 0.0
        for k in range(deg, 0, -1):
            b1, b2 = c_t[k, i] + two_s * b1 - b2, b1
        out[i] = c_t[0, i] + s[i] * b1 - b2
    return out


def _series_py(coef_z: F64, coef_dz: F64, rows: I64, p: F64, p_min: float, half: float) -> tuple[F64, F64]:
    """:meth:`CollapsedZ.evaluate` point by point (Z and dZ/ds; the same operations in the same order, series of
    degree 1 or more): the same values bit for bit."""
    n = p.shape[0]
    z = np.empty(n)
    dz = np.empty(n)
    out = np.empty(n)
    beyond = False
    for i in range(n):
        s = (p[i] - p_min) / half - 1.0
        inside = -1.0 if s < -1.0 else s  # np.clip: NaN stays NaN
        inside = 1.0 if inside > 1.0 else inside
        out[i] = s - inside
        if out[i] != 0.0:
            beyond = True
        two_s = 2.0 * inside
        r = rows[i]
        b1 = 0.0
        b2 = 0.0
        for k in range(coef_z.shape[1] - 1, 0, -1):
            b1, b2 = coef_z[r, k] + two_s * b1 - b2, b1
        z[i] = coef_z[r, 0] + inside * b1 - b2
        b1 = 0.0
        b2 = 0.0
        for k in range(coef_dz.shape[1] - 1, 0, -1):
            b1, b2 = coef_dz[r, k] + two_s * b1 - b2, b1
        dz[i] = coef_dz[r, 0] + inside * b1 - b2
    if beyond:  # linear continuation outside the range (applied to every point, as the numpy path does)
        for i in range(n):
            z[i] = z[i] + dz[i] * out[i]
    return z, dz


_compiled_series = LazyKernel(lambda numba: numba.njit(cache=True, nogil=True)(_series_py), warm_calls=2000)
_compiled_clenshaw = LazyKernel(lambda numba: numba.njit(cache=True, nogil=True)(_clenshaw_py), warm_calls=4000)


def _stencil_py(w: F64, perm: I64, nodes: F64, n_nodes: I64, strides: I64, flat: I64, wt: F64) -> None:
    """:meth:`MixtureZ.stencils` (K > 1) for the mixtures ``w`` (n, K): the grid vertices ``flat`` (n, 4^(K-1))
    and weights ``wt``, from the axes' nodes ``nodes[j, :n_nodes[j]]``; the same operations in the same order as
    :func:`stick_breaking` and :func:`_lagrange4` (cumulative sum, clip, search, products)."""
    n, k = w.shape
    lw = np.empty(4)
    for r in range(n):
        flat[r, 0] = 0
        wt[r, 0] = 1.0
        size = 1
        csum = 0.0
        for j in range(k - 1):
            wj = w[r, perm[j]]
            csum = csum + wj
            rest = 1.0 - csum + wj
            u = wj / rest if rest > 1e-300 else 0.0
            if u < 0.0:
                u = 0.0
            elif u > 1.0:
                u = 1.0
            m_nodes = n_nodes[j]
            nn = m_nodes - 1
            if u != u:
                cnt = m_nodes  # NaN sorts last (np.searchsorted)
            else:
                cnt = 0
                while cnt < m_nodes and nodes[j, cnt] <= u:
                    cnt += 1
            i = min(max(cnt - 1, 0), nn - 1)
            j0 = min(max(i - 1, 0), nn - 3)
            for m in range(4):
                val = 1.0
                for l_ in range(4):
                    if l_ != m:
                        val *= (u - nodes[j, j0 + l_]) / (nodes[j, j0 + m] - nodes[j, j0 + l_])
                lw[m] = val
            for old in range(size - 1, -1, -1):
                f = flat[r, old]
                wv = wt[r, old]
                for m in range(3, -1, -1):
                    flat[r, old * 4 + m] = f + (j0 + m) * strides[j]
                    wt[r, old * 4 + m] = wv * lw[m]
            size *= 4


def _weighted_rows_py(rows: I64, wt: F64, coef: F64, out: F64) -> None:
    """``out[i] = sum_v wt[i, v] coef[rows[i, v]]``, summed in the stencil's order from 0 (as the CSR product of
    :meth:`MixtureZ.collapse` runs through a row)."""
    n, v = rows.shape
    d = coef.shape[1]
    for i in range(n):
        for c in range(d):
            out[i, c] = 0.0
        for jj in range(v):
            a = wt[i, jj]
            r = rows[i, jj]
            for c in range(d):
                out[i, c] += a * coef[r, c]


_compiled_stencil = LazyKernel(lambda numba: numba.njit(cache=True, nogil=True)(_stencil_py), warm_calls=200)
_compiled_weighted = LazyKernel(lambda numba: numba.njit(cache=True, nogil=True)(_weighted_rows_py), warm_calls=200)


def _cheb_derivative_matrix(deg: int) -> F64:
    """D (deg+1, deg) with c' = c @ D the Chebyshev coefficients of the derivative d/ds."""
    D = np.zeros((deg + 1, max(deg, 1)))
    for k in range(deg + 1):
        e = np.zeros(deg + 1)
        e[k] = 1.0
        d = np.polynomial.chebyshev.chebder(e)
        D[k, : len(d)] = d
    return D


class MixtureZ:
    """Z(p, w) of mixtures of the gases of a :class:`GasSet` at one temperature (see the module docstring).

    Args:
        gases: the K source gases.
        t_k: temperature [K].
        method: ``"gerg2008"`` or ``"detail"`` (AGA8 DETAIL).
        p_min_pa: lowest absolute pressure of the series [Pa].
        p_max_pa: highest absolute pressure of the series [Pa].
        composition_tolerance: target of the interpolation error in composition along each axis [-].
        pressure_tolerance: target of the series error in pressure [-].

    Use :func:`mixture_z` to get a cached instance. Not thread-safe (it holds pyaga8 state objects).
    """

    def __init__(
        self,
        gases: GasSet,
        t_k: float,
        method: Method = "gerg2008",
        *,
        p_min_pa: float = 1.0e5,
        p_max_pa: float = 1.5e7,
        composition_tolerance: float = 2.5e-7,
        pressure_tolerance: float = 1.0e-8,
    ) -> None:
        t_lo, t_hi = TEMPERATURE_RANGE_K[method]
        if not (t_lo <= t_k <= t_hi):
            raise InputError(f"mixture Z ({method}): temperature {t_k:g} K is outside {t_lo:g}..{t_hi:g} K")
        if not (0.0 < p_min_pa < p_max_pa and math.isfinite(p_max_pa)):
            raise InputError(f"mixture Z: pressure range {p_min_pa!r}..{p_max_pa!r} Pa is invalid; give 0 < min < max")
        self.gases = gases
        # axis order: gases with hydrogen first, then by distance of their molar mass from the mean. The first
        # axes separate one gas from the rest; the gas whose mixing is hardest to interpolate (hydrogen) then has
        # an axis of its own instead of appearing on every axis (see _choose_axis)
        m = gases.molar_mass_kg_per_mol
        h2 = gases.hydrogen_fraction(np.eye(gases.k))
        self._perm = np.lexsort((-np.abs(m - m.mean()), -h2)).astype(np.int64)
        self.t_k = float(t_k)
        self.method: Method = method
        self.p_min_pa = float(p_min_pa)
        self.p_max_pa = float(p_max_pa)
        self.composition_tolerance = float(composition_tolerance)
        self.pressure_tolerance = float(pressure_tolerance)
        self.direct_calls = 0
        self.degree = self._choose_degree()
        s = np.cos(np.pi * (np.arange(self.degree + 1) + 0.5) / (self.degree + 1))
        self._s_nodes = s
        self._p_nodes = self.p_min_pa + (self.p_max_pa - self.p_min_pa) * (s + 1.0) / 2.0
        # coefficients from values at the Chebyshev points of the first kind (a fixed linear map)
        self._fit = np.linalg.pinv(np.polynomial.chebyshev.chebvander(s, self.degree))
        self._deriv = _cheb_derivative_matrix(self.degree)
        self._deriv2 = self._deriv @ _cheb_derivative_matrix(self.degree - 1)
        self.axis_sizes = tuple(self._choose_axis(j) for j in range(gases.k - 1))
        self._axis_nodes = [_axis_nodes(n) for n in self.axis_sizes]
        self._n_nodes = np.array([len(a) for a in self._axis_nodes], dtype=np.int64)
        self._nodes_2d = np.zeros((len(self._axis_nodes), int(self._n_nodes.max(initial=1))))
        for j, a in enumerate(self._axis_nodes):
            self._nodes_2d[j, : len(a)] = a
        self._strides = np.array([int(np.prod([n + 1 for n in self.axis_sizes[j + 1 :]])) for j in range(gases.k - 1)])
        self._vertex_row: dict[int, int] = {}
        self._vertex_coef: list[F64] = []  # per built vertex: the Chebyshev series of Z(p)
        self._coef_matrix: F64 | None = None  # the same as one array
        grid = int(np.prod([n + 1 for n in self.axis_sizes]))
        # vertex -> row as an array when the grid is small enough (a look-up without Python loops), else the dict
        self._dense_rows: I64 | None = np.full(grid, -1, dtype=np.int64) if grid <= 5_000_000 else None

    # --- direct evaluation ------------------------------------------------------------------------------
    def _evaluator(self, w: F64) -> _PointEvaluator:
        x = np.clip(self.gases.components(w[None, :])[0], 0.0, None)
        comp = GasComposition("mixture", x / x.sum())
        return _PointEvaluator(self.method, comp)

    def direct(self, w: F64, p_pa: F64) -> F64:
        """Z from direct pyaga8 calls: mixture ``w[i]`` at ``p_pa[i]`` (slow reference path)."""
        w = np.atleast_2d(np.asarray(w, dtype=float))
        p = np.broadcast_to(np.asarray(p_pa, dtype=float), (len(w),))
        out = np.empty(len(w))
        keys, inverse = np.unique(np.round(w, 15), axis=0, return_inverse=True)
        for k in range(len(keys)):  # one equation-of-state object per distinct mixture (reference path)
            ev = self._evaluator(keys[k])
            for i in np.flatnonzero(inverse.ravel() == k):
                out[i] = ev.point(float(p[i]), self.t_k)[0]
                self.direct_calls += 1
        return out

    def _series_at(self, w: F64) -> F64:
        """Chebyshev coefficients of Z(p) for the mixture ``w`` (direct calls at the Chebyshev points)."""
        ev = self._evaluator(w)
        z = np.array([ev.point(float(p), self.t_k)[0] for p in self._p_nodes])
        self.direct_calls += len(z)
        return np.asarray(self._fit @ z)

    # --- construction-time choices --------------------------------------------------------------------
    def _choose_degree(self) -> int:
        k = self.gases.k
        checks = [np.eye(k)[i] for i in range(k)] + ([np.full(k, 1.0 / k)] if k > 1 else [])
        p_test = np.linspace(self.p_min_pa, self.p_max_pa, 41)
        s_test = 2.0 * (p_test - self.p_min_pa) / (self.p_max_pa - self.p_min_pa) - 1.0
        exact = [self.direct(np.tile(w, (len(p_test), 1)), p_test) for w in checks]
        for deg in DEGREES:
            s = np.cos(np.pi * (np.arange(deg + 1) + 0.5) / (deg + 1))
            nodes = self.p_min_pa + (self.p_max_pa - self.p_min_pa) * (s + 1.0) / 2.0
            worst = 0.0
            for w, z_exact in zip(checks, exact, strict=True):
                z_nodes = self.direct(np.tile(w, (len(nodes), 1)), nodes)
                c = np.polynomial.chebyshev.chebfit(s, z_nodes, deg)
                worst = max(worst, float(np.max(np.abs(np.polynomial.chebyshev.chebval(s_test, c) / z_exact - 1.0))))
            if worst <= self.pressure_tolerance:
                return deg
        return DEGREES[-1]

    def _choose_axis(self, j: int) -> int:
        """Nodes of axis j: the binary lines of gas j with each later gas, checked at two pressures."""
        k = self.gases.k
        t_test = np.unique(
            np.concatenate(
                [np.linspace(0.0, 1.0, 61), np.geomspace(1e-4, 3e-2, 12), 1.0 - np.geomspace(1e-4, 3e-2, 12)]
            )
        )
        pressures = (self.p_max_pa, 0.5 * (self.p_min_pa + self.p_max_pa))
        lines = []
        for m in range(j + 1, k):
            a, b = np.eye(k)[self._perm[j]], np.eye(k)[self._perm[m]]
            exact = [
                self.direct(np.outer(t_test, a) + np.outer(1.0 - t_test, b), np.full(len(t_test), p)) for p in pressures
            ]
            lines.append((a, b, exact))
        for n in AXIS_SIZES:
            nodes = _axis_nodes(n)
            j0, wts = _lagrange4(nodes, t_test)
            worst = 0.0
            for a, b, exact in lines:
                for p, z_exact in zip(pressures, exact, strict=True):
                    z_nodes = self.direct(np.outer(nodes, a) + np.outer(1.0 - nodes, b), np.full(len(nodes), p))
                    z_int = np.sum(wts * z_nodes[j0[:, None] + np.arange(4)], axis=1)
                    worst = max(worst, float(np.max(np.abs(z_int / z_exact - 1.0))))
            if worst <= self.composition_tolerance:
                return n
        return AXIS_SIZES[-1]

    # --- interpolation ------------------------------------------------------------------------------------
    def stencils(self, w: F64) -> tuple[I64, F64]:
        """Grid vertices (n, V) and interpolation weights (n, V) of the mixtures ``w`` (n, K), V = 4^(K-1), in a
        fixed order (the tensor product of the axes' stencils); the vertices are built here when new."""
        w = np.atleast_2d(np.asarray(w, dtype=float))
        n = len(w)
        kernel = _compiled_stencil() if self.gases.k > 1 else None
        if kernel is not None:  # the same stencils compiled (bit for bit: tests/gas/test_mixture_z_kernel.py)
            v = 4 ** (self.gases.k - 1)
            flat, wt = np.empty((n, v), dtype=np.int64), np.empty((n, v))
            kernel(np.ascontiguousarray(w), self._perm, self._nodes_2d, self._n_nodes, self._strides.astype(np.int64),
                   flat, wt)  # fmt: skip
            return self._rows_of(flat), wt
        flat = np.zeros((n, 1), dtype=np.int64)
        wt = np.ones((n, 1))
        if self.gases.k > 1:
            u = stick_breaking(w[:, self._perm])
            for j, nodes in enumerate(self._axis_nodes):  # loop over the K-1 axes
                j0, lw = _lagrange4(nodes, u[:, j])
                idx = j0[:, None] + np.arange(4)  # (n, 4)
                flat = (flat[:, :, None] + idx[:, None, :] * self._strides[j]).reshape(n, -1)
                wt = (wt[:, :, None] * lw[:, None, :]).reshape(n, -1)
        return self._rows_of(flat), wt

    def _vertex_mixture(self, flat: int) -> F64:
        if self.gases.k == 1:
            return np.ones(1)
        u = np.array(
            [
                self._axis_nodes[j][(flat // self._strides[j]) % (self.axis_sizes[j] + 1)]
                for j in range(self.gases.k - 1)
            ]
        )
        w_sorted = from_stick_breaking(u[None, :])[0]
        w = np.empty_like(w_sorted)
        w[self._perm] = w_sorted
        return w

    def _rows_of(self, flat: I64) -> I64:
        """Rows of the vertex table for grid vertices ``flat`` (vertices built on first use)."""
        if self._dense_rows is not None:
            rows = self._dense_rows[flat]
            if np.all(rows >= 0):
                return np.asarray(rows)
            missing = np.unique(flat[rows < 0])
        else:
            missing = np.unique(flat)
            missing = missing[[int(v) not in self._vertex_row for v in missing]]
        for v in missing.tolist():  # new grid vertices only: each built once, whatever order they come in
            row = len(self._vertex_coef)
            self._vertex_row[v] = row
            if self._dense_rows is not None:
                self._dense_rows[v] = row
            self._vertex_coef.append(self._series_at(self._vertex_mixture(v)))
        if len(missing) or self._coef_matrix is None:
            self._coef_matrix = np.array(self._vertex_coef)
        if self._dense_rows is not None:
            return np.asarray(self._dense_rows[flat])
        unique = np.unique(flat)
        lookup = np.array([self._vertex_row[int(v)] for v in unique], dtype=np.int64)
        return np.asarray(lookup[np.searchsorted(unique, flat)])

    def collapse(self, w: F64) -> CollapsedZ:
        """Series of Z(p) for each mixture of ``w`` (n, K), ready for fast evaluation.

        The weighted sum over each mixture's stencil runs in the stencil's fixed order (one batched product), so a
        mixture's series (hence every result) does not depend on which mixtures were asked for before (the order
        the grid vertices were built in). The derivative series follow from the Z series by the Chebyshev
        differentiation matrices."""
        rows, wt = self.stencils(w)
        assert self._coef_matrix is not None
        n, v = rows.shape
        weighted = _compiled_weighted()
        if weighted is not None:  # the same sums in the same order, compiled
            coef = np.empty((n, self._coef_matrix.shape[1]))
            weighted(rows, wt, self._coef_matrix, coef)
            return CollapsedZ(self.p_min_pa, self.p_max_pa, coef, coef @ self._deriv, coef @ self._deriv2)
        # a sparse (n x vertices) matrix with each row's entries in the stencil's order: the product sums them in
        # that order (the CSR kernel runs through a row as stored), without an (n, V, degree) temporary
        weights = sp.csr_matrix(
            (wt.ravel(), rows.ravel(), np.arange(0, n * v + 1, v, dtype=np.int64)),
            shape=(n, len(self._coef_matrix)),
        )
        weights.has_sorted_indices = True  # keep the stored order (nothing here needs sorted column indices)
        coef = np.asarray(weights @ self._coef_matrix)
        return CollapsedZ(self.p_min_pa, self.p_max_pa, coef, coef @ self._deriv, coef @ self._deriv2)

    def z(self, w: F64, p_pa: F64) -> F64:
        """Z of mixtures ``w[i]`` at ``p_pa[i]`` (builds and collapses on the fly; for one-off use)."""
        w = np.atleast_2d(np.asarray(w, dtype=float))
        cz = self.collapse(w)
        return cz.evaluate(np.arange(len(w)), np.broadcast_to(np.asarray(p_pa, dtype=float), (len(w),)), False)[0]

    @property
    def n_vertices(self) -> int:
        """Grid vertices built so far (each costs ``degree + 1`` direct calls)."""
        return len(self._vertex_coef)

    def describe(self) -> str:
        axes = " x ".join(str(n) for n in self.axis_sizes) or "none"
        return (
            f"{self.method} for {self.gases.k} gas(es) at {self.t_k:.2f} K: Chebyshev degree {self.degree} in "
            f"pressure over {self.p_min_pa / 1e5:g}-{self.p_max_pa / 1e5:g} bar, composition axes {axes} intervals, "
            f"{self.n_vertices} vertices built, {self.direct_calls} direct calls"
        )


def mixture_z(
    gases: GasSet,
    t_k: float,
    method: Method = "gerg2008",
    *,
    p_min_pa: float = 1.0e5,
    p_max_pa: float = 1.5e7,
) -> MixtureZ:
    """A cached :class:`MixtureZ` (one per gas set, temperature, method and pressure range in the process)."""
    key = (method, round(float(t_k), 9), p_min_pa, p_max_pa, tuple(g.fractions_tuple for g in gases.gases))
    model = _CACHE.get(key)
    if model is None or model.gases.names != gases.names:
        model = MixtureZ(gases, t_k, method, p_min_pa=p_min_pa, p_max_pa=p_max_pa)
        _CACHE[key] = model
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    return model


@dataclass(frozen=True)
class ErrorReport:
    """Largest relative error of the surrogate against direct equation-of-state calls at given states."""

    n_states: int
    max_relative_error: float
    mean_relative_error: float
    worst_pressure_pa: float
    worst_mixture: tuple[float, ...]

    def text(self) -> str:
        return (
            f"{self.n_states} states: max |Z/Z_direct - 1| = {self.max_relative_error:.2e}, "
            f"mean {self.mean_relative_error:.2e} (worst at {self.worst_pressure_pa / 1e5:.1f} bar)"
        )


def measure_error(model: MixtureZ, w: F64, p_pa: F64) -> ErrorReport:
    """Compare :meth:`MixtureZ.z` with direct calls at the states ``(w[i], p_pa[i])``."""
    w = np.atleast_2d(np.asarray(w, dtype=float))
    p = np.broadcast_to(np.asarray(p_pa, dtype=float), (len(w),))
    fast = model.z(w, p)
    exact = model.direct(w, p)
    err = np.abs(fast / exact - 1.0)
    k = int(np.argmax(err))
    return ErrorReport(len(w), float(err[k]), float(np.mean(err)), float(p[k]), tuple(float(v) for v in w[k]))


def random_mixtures(k: int, n: int, rng: np.random.Generator) -> F64:
    """``n`` mixtures of ``k`` gases spread over the simplex, with many near its faces and corners (where trace
    components make Z vary fastest): a third uniform (Dirichlet(1)), a third sparse (Dirichlet(0.2)), a third
    with one gas below 3 %."""
    a = rng.dirichlet(np.ones(k), size=n // 3)
    b = rng.dirichlet(np.full(k, 0.2), size=n // 3)
    c = rng.dirichlet(np.ones(k), size=n - 2 * (n // 3))
    if k > 1:
        j = rng.integers(0, k, size=len(c))
        small = rng.uniform(0.0, 0.03, size=len(c))
        c = c * ((1.0 - small) / (1.0 - c[np.arange(len(c)), j]))[:, None]
        c[np.arange(len(c)), j] = small
    w = np.concatenate([a, b, c])
    return np.asarray(w / w.sum(axis=1, keepdims=True))
