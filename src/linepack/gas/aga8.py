"""AGA8 DETAIL and GERG-2008 compressibility factor through pyaga8, tabulated for fast evaluation.

pyaga8 (the Rust port of the NIST AGA8 code) evaluates one state per call (pressure in kPa, density
in mol/L). A network solver needs Z and dZ/dp for hundreds of thousands of pressures at one or a
few temperatures, so each model tabulates Z(p) per temperature once (:mod:`linepack.gas.ztable`,
cubic Hermite with exact slopes, grid refined until the mid-point error is <= ``tolerance``) and
evaluates the table vectorised.

Measured accuracy of the tabulated path (defaults: 0.01..20 MPa, tolerance 1e-9): against direct
pyaga8 calls at 8 points per grid interval, for the five AGA8 test gases at 250, 273.15, 293.15,
313.15, 333.15 and 400 K, both methods: max |Z_table - Z_pyaga8| = 1.0e-9 and max |dZ/dp error|
= 6e-7 of max |dZ/dp| (64 to 256 intervals per table, about 2 ms to build one). With more than
``max_exact_temperatures`` distinct temperatures in one call, Z is interpolated in T between tables
on a ``temperature_step_k`` = 1 K grid (4-point Lagrange): measured max |dZ| = 7e-9 and dZ/dp error
5e-7 of max |dZ/dp| at random (p, T) in 0.01..20 MPa x 270..340 K. The NIST five-gas x 12-state
Z table is reproduced within its rounding (5e-7) by both paths (tests/gas/test_gas_aga8_models.py).
Evaluation cost: about 40 ns per point for Z and dZ/dp (5e5 points in about 20 ms).
Outside the table pressure range the model calls pyaga8 directly per point (``out_of_range="direct"``,
default) or raises InputError (``out_of_range="error"``); p <= 0 or NaN always raises.

References:
    AGA Report No. 8, Part 1 (DETAIL, 2017) and Part 2 (GERG-2008, 2017), American Gas Association.
    O. Kunz, W. Wagner, J. Chem. Eng. Data 57 (2012) 3032-3091 (GERG-2008).
    pyaga8 0.1.18, https://github.com/equinor/pyaga8.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from typing import Final, Literal

import numpy as np
import pyaga8
from numpy.typing import ArrayLike, NDArray

from linepack.errors import InputError
from linepack.gas.composition import GasComposition
from linepack.gas.ideal_gas import pyaga8_composition
from linepack.gas.ztable import ZTable, build_table

Method = Literal["detail", "gerg2008"]
OutOfRange = Literal["direct", "error"]

#: Temperature range accepted by each method [K] (AGA8 Part 1 / Part 2 extended ranges).
TEMPERATURE_RANGE_K: Final[dict[str, tuple[float, float]]] = {
    "detail": (143.0, 673.0),
    "gerg2008": (90.0, 700.0),
}
_CACHE_SIZE: Final[int] = 2048
_TABLE_CACHE: OrderedDict[tuple[object, ...], ZTable] = OrderedDict()


class _PointEvaluator:
    """Direct pyaga8 evaluation of Z and dZ/dp, one state per call."""

    def __init__(self, method: Method, composition: GasComposition) -> None:
        self.method = method
        self.label = f"{_NAMES[method]} model of gas {composition.name}"
        self._eos: pyaga8.Detail | pyaga8.Gerg2008 = pyaga8.Detail() if method == "detail" else pyaga8.Gerg2008()
        self._eos.set_composition(pyaga8_composition(composition.fractions_tuple))

    def point(self, p_pa: float, t_k: float) -> tuple[float, float]:
        """Z and dZ/dp [1/Pa] at one state.

        From the density D [mol/L] solved by pyaga8 and dp/dD [kPa L/mol]:
        Z = p / (D R T) and dZ/dp = (Z/p) (1 - p / (D dp/dD)).
        """
        eos = self._eos
        p_kpa = p_pa / 1000.0
        eos.temperature = t_k
        eos.pressure = p_kpa
        try:
            if self.method == "detail":
                eos.calc_density()
            else:
                eos.calc_density(0)
            eos.calc_properties()
        except (ValueError, RuntimeError) as error:
            raise InputError(
                f"{self.label}: pyaga8 failed at p = {p_pa:g} Pa, T = {t_k:g} K ({error}); "
                "check that the state is a single-phase gas within the method's range"
            ) from error
        z = float(eos.z)
        d = float(eos.d)
        dp_dd = float(eos.dp_dd)
        if not (np.isfinite(z) and d > 0 and dp_dd > 0):
            raise InputError(
                f"{self.label}: no stable gas state at p = {p_pa:g} Pa, T = {t_k:g} K "
                f"(Z = {z}, dp/dD = {dp_dd}); "
                "the state is probably two-phase; raise the temperature or lower the pressure"
            )
        dz_dp_per_kpa = (z / p_kpa) * (1.0 - p_kpa / (d * dp_dd))
        return z, dz_dp_per_kpa / 1000.0

    def many(self, p_pa: NDArray[np.float64], t_k: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Z and dZ/dp at many pressures and one temperature (loop over pyaga8 calls)."""
        z = np.empty(p_pa.shape)
        dz = np.empty(p_pa.shape)
        for i, p in enumerate(p_pa.flat):
            z.flat[i], dz.flat[i] = self.point(float(p), t_k)
        return z, dz


_NAMES: Final[dict[str, str]] = {"detail": "aga8_detail", "gerg2008": "gerg2008"}


class _Aga8Model:
    """Shared implementation of :class:`Aga8Detail` and :class:`Gerg2008`."""

    method: Method = "detail"

    def __init__(
        self,
        composition: GasComposition,
        *,
        p_min_pa: float = 1.0e4,
        p_max_pa: float = 2.0e7,
        tolerance: float = 1.0e-9,
        out_of_range: OutOfRange = "direct",
        max_exact_temperatures: int = 8,
        temperature_step_k: float = 1.0,
    ) -> None:
        """Set up the model; tables are built lazily, per temperature, on first evaluation.

        Args:
            composition: the gas.
            p_min_pa, p_max_pa: tabulated absolute-pressure range [Pa] (default 0.01..20 MPa).
            tolerance: required max |Z_table - Z_eos| at the interval mid-points (default 1e-9).
            out_of_range: ``"direct"`` (pyaga8 call per point outside the table) or ``"error"``.
            max_exact_temperatures: up to this many distinct temperatures in one call get an exact
                table each; beyond, Z is interpolated in T between tables on a grid.
            temperature_step_k: step of that temperature grid [K] (default 1 K).

        Instances hold a pyaga8 state object and are not thread-safe.
        """
        self.name: str = _NAMES[self.method]
        self.composition = composition
        label = f"{self.name} model of gas {composition.name}"
        if not (0.0 < p_min_pa < p_max_pa and np.isfinite(p_max_pa)):
            raise InputError(
                f"{label}: table range p_min_pa = {p_min_pa!r}, p_max_pa = {p_max_pa!r} is invalid; "
                "give 0 < p_min_pa < p_max_pa in Pa (absolute), e.g. 1e4 and 2e7"
            )
        if not (0.0 < tolerance < 1e-3):
            raise InputError(f"{label}: tolerance {tolerance!r} must be in (0, 1e-3); use e.g. 1e-9")
        if out_of_range not in ("direct", "error"):
            raise InputError(f"{label}: out_of_range {out_of_range!r} is not 'direct' or 'error'; pick one of the two")
        if not (temperature_step_k > 0.0 and max_exact_temperatures >= 1):
            raise InputError(
                f"{label}: temperature_step_k ({temperature_step_k!r}) must be > 0 and "
                f"max_exact_temperatures ({max_exact_temperatures!r}) >= 1"
            )
        self.p_min_pa = float(p_min_pa)
        self.p_max_pa = float(p_max_pa)
        self.tolerance = float(tolerance)
        self.out_of_range: OutOfRange = out_of_range
        self.max_exact_temperatures = int(max_exact_temperatures)
        self.temperature_step_k = float(temperature_step_k)
        self.t_min_k, self.t_max_k = TEMPERATURE_RANGE_K[self.method]
        self._evaluator = _PointEvaluator(self.method, composition)
        self._label = label

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.composition.name!r}, p = {self.p_min_pa:g}..{self.p_max_pa:g} Pa, "
            f"tolerance = {self.tolerance:g})"
        )

    # ------------------------------------------------------------------ tables
    def table(self, t_k: float) -> ZTable:
        """The (cached) Z(p) table at temperature ``t_k`` [K]; built on first use."""
        t = round(float(t_k), 9)
        key = (self.method, self.composition.fractions_tuple, t, self.p_min_pa, self.p_max_pa, self.tolerance)
        table = _TABLE_CACHE.get(key)
        if table is None:
            table = build_table(self._evaluator.many, t, self.p_min_pa, self.p_max_pa, self.tolerance, self._label)
            _TABLE_CACHE[key] = table
            if len(_TABLE_CACHE) > _CACHE_SIZE:
                _TABLE_CACHE.popitem(last=False)
        else:
            _TABLE_CACHE.move_to_end(key)
        return table

    # ------------------------------------------------------------------ public evaluation
    def z(self, p_pa: ArrayLike, t_k: ArrayLike) -> NDArray[np.float64]:
        """Compressibility factor Z(p, T) [-] from the tables (pressures in Pa absolute, T in K)."""
        z, _ = self._evaluate(p_pa, t_k, need_derivative=False)
        return z

    def z_and_dz_dp(self, p_pa: ArrayLike, t_k: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Z(p, T) [-] and dZ/dp at constant T [1/Pa] from the tables."""
        z, dz = self._evaluate(p_pa, t_k, need_derivative=True)
        assert dz is not None
        return z, dz

    def z_direct(self, p_pa: ArrayLike, t_k: ArrayLike) -> NDArray[np.float64]:
        """Z from direct pyaga8 calls, one per element (slow reference path, no table)."""
        return self.z_and_dz_dp_direct(p_pa, t_k)[0]

    def z_and_dz_dp_direct(self, p_pa: ArrayLike, t_k: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Z and dZ/dp [1/Pa] from direct pyaga8 calls, one per element (slow reference path)."""
        p, t = np.broadcast_arrays(*self._checked(p_pa, t_k))
        z = np.empty(p.shape)
        dz = np.empty(p.shape)
        for i in range(p.size):
            z.flat[i], dz.flat[i] = self._evaluator.point(float(p.flat[i]), float(t.flat[i]))
        return z, dz

    # ------------------------------------------------------------------ internals
    def _checked(self, p_pa: ArrayLike, t_k: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Validate p and T each on its own (no broadcasting); element indices refer to the given arrays."""
        p = np.asarray(p_pa, dtype=np.float64)
        t = np.asarray(t_k, dtype=np.float64)
        bad_t = ~(np.isfinite(t) & (t >= self.t_min_k) & (t <= self.t_max_k))
        if np.any(bad_t):
            index = int(np.flatnonzero(bad_t.ravel())[0])
            raise InputError(
                f"{self._label}: temperature {float(t.ravel()[index]):g} K (element {index}) is outside "
                f"{self.t_min_k:g}..{self.t_max_k:g} K; give an absolute temperature in kelvin within "
                "the method's range"
            )
        bad_p = ~(np.isfinite(p) & (p > 0.0))
        if np.any(bad_p):
            index = int(np.flatnonzero(bad_p.ravel())[0])
            raise InputError(
                f"{self._label}: pressure {float(p.ravel()[index]):g} Pa (element {index}) is not a "
                "positive finite absolute pressure; give absolute pressures in Pa (check the solver "
                "for negative or NaN iterates)"
            )
        return p, t

    def _evaluate(
        self, p_pa: ArrayLike, t_k: ArrayLike, need_derivative: bool
    ) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
        p, t = self._checked(p_pa, t_k)
        shape = np.broadcast_shapes(p.shape, t.shape)
        if math.prod(shape) == 0:
            return np.empty(shape), (np.empty(shape) if need_derivative else None)
        if t.size == 1 or float(t.min()) == float(t.max()):
            # hot path: one temperature, all pressures inside the table
            pf = np.broadcast_to(p, shape).ravel()
            if float(pf.min()) >= self.p_min_pa and float(pf.max()) <= self.p_max_pa:
                z1, dz1 = self.table(float(t.flat[0])).evaluate(pf, need_derivative)
                return z1.reshape(shape), (None if dz1 is None else dz1.reshape(shape))
        pf = np.broadcast_to(p, shape).ravel()
        tf = np.broadcast_to(t, shape).ravel()
        z = np.empty(pf.size)
        dz = np.empty(pf.size) if need_derivative else None
        inside = (pf >= self.p_min_pa) & (pf <= self.p_max_pa)
        unique, inverse = np.unique(tf, return_inverse=True)
        if unique.size <= self.max_exact_temperatures:
            for k, t_value in enumerate(unique):  # loop over the few distinct temperatures, not over points
                idx = np.flatnonzero((inverse.ravel() == k) & inside)
                self._fill(self.table(float(t_value)), pf, idx, z, dz)
        else:
            self._fill_temperature_grid(pf, tf, inside, z, dz)
        if not bool(np.all(inside)):
            self._outside(pf, tf, inside, z, dz)
        return z.reshape(shape), (None if dz is None else dz.reshape(shape))

    @staticmethod
    def _fill(
        table: ZTable,
        pf: NDArray[np.float64],
        idx: NDArray[np.intp],
        z: NDArray[np.float64],
        dz: NDArray[np.float64] | None,
    ) -> None:
        if idx.size == 0:
            return
        zi, dzi = table.evaluate(pf[idx], dz is not None)
        z[idx] = zi
        if dz is not None:
            dz[idx] = dzi

    def at_temperatures(self, t_k: ArrayLike) -> Callable[[NDArray[np.float64]], tuple[NDArray[np.float64], ...]]:
        """Z(p) and dZ/dp [1/Pa] of points each at its own fixed temperature ``t_k`` [K]: the same interpolation as
        :meth:`z_and_dz_dp` (4-point Lagrange in T between the tables of :meth:`_fill_temperature_grid`, or the exact
        tables of a few distinct temperatures), with the tables and weights chosen once for these temperatures (the
        pipes of a non-isothermal solve keep their temperatures over a hydraulic solve)."""
        tf = np.asarray(t_k, dtype=np.float64).ravel()
        unique = np.unique(tf)
        if unique.size <= self.max_exact_temperatures:
            groups = [(self.table(float(t)), np.flatnonzero(tf == t), np.ones(int(np.sum(tf == t)))) for t in unique]
        else:
            j, weights = _lagrange4(tf, self.temperature_step_k)
            groups = []
            for node in np.unique(np.concatenate([j + m for m in (-1, 0, 1, 2)])):
                offset = node - j
                idx = np.flatnonzero((offset >= -1) & (offset <= 2))
                groups.append((self.table(float(node) * self.temperature_step_k), idx, _pick(weights, offset, idx)))

        def evaluate(p_pa: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
            pf = np.asarray(p_pa, dtype=np.float64).ravel()
            outside = float(pf.min(initial=1.0)) < self.p_min_pa or float(pf.max(initial=1.0)) > self.p_max_pa
            if pf.size != tf.size or outside:
                return self.z_and_dz_dp(pf, tf)
            z = np.zeros(pf.size)
            dz = np.zeros(pf.size)
            for table, idx, w in groups:
                zi, dzi = table.evaluate(pf[idx], True)
                z[idx] += w * zi
                dz[idx] += w * np.asarray(dzi)
            return z, dz

        return evaluate

    def _fill_temperature_grid(
        self,
        pf: NDArray[np.float64],
        tf: NDArray[np.float64],
        inside: NDArray[np.bool_],
        z: NDArray[np.float64],
        dz: NDArray[np.float64] | None,
    ) -> None:
        """4-point Lagrange interpolation in T between tables at T_k = k * temperature_step_k.

        Z(p, T) = sum_{m=-1..2} w_m(s) Z(p, T_{j+m}), j = floor(T/dT), s = T/dT - j, with the cubic
        Lagrange weights on the nodes -1, 0, 1, 2.
        """
        z[inside] = 0.0
        if dz is not None:
            dz[inside] = 0.0
        j, weights = _lagrange4(tf, self.temperature_step_k)
        j_inside = j[inside]
        nodes: NDArray[np.int64] = np.unique(np.concatenate([j_inside + m for m in (-1, 0, 1, 2)]))
        for node in nodes:
            table = self.table(float(node) * self.temperature_step_k)
            offset = node - j  # = m in -1..2 where this node is used
            use = inside & (offset >= -1) & (offset <= 2)
            idx = np.flatnonzero(use)
            zi, dzi = table.evaluate(pf[idx], dz is not None)
            w = _pick(weights, offset, idx)
            z[idx] += w * zi
            if dz is not None and dzi is not None:
                dz[idx] += w * dzi

    def _outside(
        self,
        pf: NDArray[np.float64],
        tf: NDArray[np.float64],
        inside: NDArray[np.bool_],
        z: NDArray[np.float64],
        dz: NDArray[np.float64] | None,
    ) -> None:
        idx = np.flatnonzero(~inside)
        if self.out_of_range == "error":
            value = pf[idx[0]]
            raise InputError(
                f"{self._label}: pressure {value:g} Pa is outside the tabulated range "
                f"{self.p_min_pa:g}..{self.p_max_pa:g} Pa; widen p_min_pa/p_max_pa "
                "or pass out_of_range='direct'"
            )
        for i in idx:  # rare: direct pyaga8 calls for the few out-of-table points only
            zi, dzi = self._evaluator.point(float(pf[i]), float(tf[i]))
            z[i] = zi
            if dz is not None:
                dz[i] = dzi


def _pick(
    weights: tuple[NDArray[np.float64], ...], offset: NDArray[np.int64], idx: NDArray[np.intp]
) -> NDArray[np.float64]:
    """Weight w_m[idx] with m = offset[idx] (in -1..2), vectorised."""
    stacked = np.stack([w[idx] for w in weights])  # (4, n)
    return stacked[offset[idx] + 1, np.arange(idx.size)]


class Aga8Detail(_Aga8Model):
    """AGA8 Part 1 DETAIL characterisation equation (2017 edition, via pyaga8), tabulated in p.

    Z(p, T, x) from the DETAIL equation of state (Starling & Savidge 1992; AGA Report No. 8 Part 1,
    2017), tabulated per temperature over ``p_min_pa``..``p_max_pa`` (default 0.01..20 MPa).
    Validity: the AGA8 DETAIL range, normal range 250..450 K up to 70 MPa for pipeline-quality gas
    (143..673 K accepted here). Measured table error: about 1e-9 in Z with the default
    tolerance, see the module docstring. dZ/dp in 1/Pa.
    """

    method: Method = "detail"


class Gerg2008(_Aga8Model):
    """GERG-2008 equation of state (AGA8 Part 2, ISO 20765-2; via pyaga8), tabulated in p.

    Z(p, T, x) from the multi-fluid Helmholtz-energy mixture model of Kunz & Wagner (2012), gas-phase
    density root (pyaga8 ``calc_density(0)``), tabulated per temperature over
    ``p_min_pa``..``p_max_pa`` (default 0.01..20 MPa). Validity: 90..450 K up to 35 MPa normal
    range (extended to 700 K / 70 MPa). Measured table error: see the module docstring. dZ/dp in 1/Pa.
    """

    method: Method = "gerg2008"


def _lagrange4(t_k: NDArray[np.float64], step_k: float) -> tuple[NDArray[np.int64], tuple[NDArray[np.float64], ...]]:
    """The grid index ``j = floor(T/dT)`` and the cubic Lagrange weights ``w_m(s)``, ``s = T/dT - j``, on the
    nodes ``j + m``, m = -1, 0, 1, 2 (temperatures in K, ``step_k`` the grid step dT)."""
    u = t_k / step_k
    j = np.floor(u).astype(np.int64)
    s = u - j
    weights = (
        -s * (s - 1.0) * (s - 2.0) / 6.0,
        (s + 1.0) * (s - 1.0) * (s - 2.0) / 2.0,
        -(s + 1.0) * s * (s - 2.0) / 2.0,
        (s + 1.0) * s * (s - 1.0) / 6.0,
    )
    return j, weights
