"""Compressibility-factor models Z(p, T) behind one protocol, and a factory by name.

Every model gives Z [-] and its pressure derivative at constant temperature dZ/dp [1/Pa] for
absolute pressures ``p_pa`` [Pa] and temperatures ``t_k`` [K] (arrays broadcast together; ``t_k``
may be a scalar). Evaluation is vectorised.

Models: :class:`IdealGas`, :class:`ConstantZ`, :class:`LinearZ` (pandapipes), :class:`ReciprocalLinearZ`
(the CNGA form 1/(b1 + b2 p)), :class:`Papay`,
:class:`~linepack.gas.aga8.Aga8Detail` and :class:`~linepack.gas.aga8.Gerg2008` (pyaga8, tabulated).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Final, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from linepack.errors import InputError
from linepack.gas.aga8 import Aga8Detail, Gerg2008
from linepack.gas.composition import GasComposition

__all__ = [
    "MODEL_NAMES",
    "Aga8Detail",
    "CompressibilityModel",
    "ConstantZ",
    "Gerg2008",
    "IdealGas",
    "LinearZ",
    "Papay",
    "ReciprocalLinearZ",
    "make_compressibility",
]

#: Pascal per bar.
PA_PER_BAR: Final[float] = 1.0e5


@runtime_checkable
class CompressibilityModel(Protocol):
    """Z(p, T) and dZ/dp; pressures absolute in Pa, temperatures in K, dZ/dp in 1/Pa.

    ``name`` is read-only here so that immutable (frozen) models satisfy the protocol.
    """

    @property
    def name(self) -> str:
        """Model name as accepted by :func:`make_compressibility`."""
        ...

    def z(self, p_pa: NDArray[np.float64], t_k: NDArray[np.float64] | float) -> NDArray[np.float64]:
        """Compressibility factor Z [-]."""
        ...

    def z_and_dz_dp(
        self, p_pa: NDArray[np.float64], t_k: NDArray[np.float64] | float
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Z [-] and dZ/dp at constant T [1/Pa]."""
        ...


def _broadcast(p_pa: ArrayLike, t_k: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    p, t = np.broadcast_arrays(np.asarray(p_pa, dtype=np.float64), np.asarray(t_k, dtype=np.float64))
    return p, t


def _shape(p_pa: ArrayLike, t_k: ArrayLike) -> tuple[int, ...]:
    return np.broadcast_shapes(np.shape(p_pa), np.shape(t_k))


@dataclass(frozen=True)
class IdealGas:
    """Ideal gas: Z = 1, dZ/dp = 0 (pV = nRT).

    Validity: low pressure only; for natural gas at ambient temperature Z stays within 1 % of 1 below
    about 0.5 MPa. Reference: any thermodynamics text, e.g. Poling, Prausnitz & O'Connell, The
    Properties of Gases and Liquids, 5th ed. (2001), ch. 4.
    """

    name: str = field(default="ideal", init=False)

    def z(self, p_pa: ArrayLike, t_k: ArrayLike) -> NDArray[np.float64]:
        """Z = 1 [-], broadcast to the shape of (p, T)."""
        return np.ones(_shape(p_pa, t_k))

    def z_and_dz_dp(self, p_pa: ArrayLike, t_k: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Z = 1 [-] and dZ/dp = 0 [1/Pa]."""
        shape = _shape(p_pa, t_k)
        return np.ones(shape), np.zeros(shape)


@dataclass(frozen=True)
class ConstantZ:
    """Constant compressibility factor: Z = z_value, dZ/dp = 0.

    Units: Z dimensionless. A fixed Z (e.g. a station-average value, a common textbook assumption
    such as Z = 0.9) is only valid near the state it was chosen for. Reference: e.g. E. S. Menon,
    Gas Pipeline Hydraulics (2005), ch. 1, where an average Z is used in the flow equations.
    """

    z_value: float
    name: str = field(default="constant", init=False)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.z_value) and 0.0 < self.z_value < 5.0):
            raise InputError(
                f"compressibility model constant: z = {self.z_value!r} must be a finite number in (0, 5); "
                "give the compressibility factor, e.g. 0.9"
            )

    def z(self, p_pa: ArrayLike, t_k: ArrayLike) -> NDArray[np.float64]:
        """Z = z_value [-]."""
        return np.full(_shape(p_pa, t_k), self.z_value)

    def z_and_dz_dp(self, p_pa: ArrayLike, t_k: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Z = z_value [-] and dZ/dp = 0 [1/Pa]."""
        shape = _shape(p_pa, t_k)
        return np.full(shape, self.z_value), np.zeros(shape)


@dataclass(frozen=True)
class LinearZ:
    """Z linear in absolute pressure, the pandapipes "linear" compressibility model.

    Z = offset + slope_per_bar * p / (1e5 Pa/bar), dZ/dp = slope_per_bar / 1e5 [1/Pa]

    with p absolute in Pa. Example: offset = 1, slope_per_bar = -0.0022 (the pandapipes
    natural-gas default). Temperature is ignored. Validity: the pressure range the line was fitted
    to; typically within 1-2 % of AGA8 up to about 70 bar at ambient temperature.
    Reference: pandapipes documentation, "Fluid properties: compressibility, linear"
    (Lohmeier et al., Sustainability 12 (2020) 9899).
    """

    offset: float
    slope_per_bar: float
    name: str = field(default="linear", init=False)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.offset) and math.isfinite(self.slope_per_bar)):
            raise InputError(
                f"compressibility model linear: offset {self.offset!r} and slope_per_bar "
                f"{self.slope_per_bar!r} must be finite numbers; e.g. offset=1, slope_per_bar=-0.0022"
            )

    def z(self, p_pa: ArrayLike, t_k: ArrayLike) -> NDArray[np.float64]:
        """Z = offset + slope_per_bar * p_bar [-]."""
        p, _ = _broadcast(p_pa, t_k)
        return self.offset + self.slope_per_bar * (p / PA_PER_BAR)

    def z_and_dz_dp(self, p_pa: ArrayLike, t_k: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Z [-] and dZ/dp = slope_per_bar / 1e5 [1/Pa]."""
        p, _ = _broadcast(p_pa, t_k)
        z = self.offset + self.slope_per_bar * (p / PA_PER_BAR)
        return z, np.full(p.shape, self.slope_per_bar / PA_PER_BAR)


@dataclass(frozen=True)
class Papay:
    """Papay (1968) explicit correlation of the Standing-Katz chart.

    Z = 1 - 3.52 p_r / 10^(0.9813 T_r) + 0.274 p_r^2 / 10^(0.8157 T_r)
    dZ/dp = [-3.52 / 10^(0.9813 T_r) + 0.548 p_r / 10^(0.8157 T_r)] / p_pc

    with p_r = p / p_pc, T_r = T / T_pc (pseudo-reduced, e.g. Kay's rule). Units: p, p_pc in Pa
    absolute; T, T_pc in K. Validity: sweet natural gas, roughly 1.2 <= T_r <= 3 and p_r <= 8 to 15
    (errors grow fast near T_r = 1); measured against GERG-2008 on the five AGA8 test gases at
    273..333 K and 0.1..12 MPa the measured deviation is at most 2.1 % for four of them and 5.1 % for
    the rich Ekofisk gas (T_r = 1.32 at 273 K) (tests/gas/test_gas_compressibility.py).
    Reference: J. Papay, "A termelestechnologiai parameterek valtozasa a gazlelepk muvelese
    soran", OGIL Musz. Tud. Kozl., Budapest (1968) 267-273; as quoted by T. Ahmed, Reservoir
    Engineering Handbook, 4th ed. (2010), eq. 2-35.
    """

    t_pc_k: float
    p_pc_pa: float
    name: str = field(default="papay", init=False)

    def __post_init__(self) -> None:
        if not (self.t_pc_k > 0 and self.p_pc_pa > 0 and math.isfinite(self.t_pc_k * self.p_pc_pa)):
            raise InputError(
                f"compressibility model papay: t_pc_k = {self.t_pc_k!r} K and p_pc_pa = {self.p_pc_pa!r} Pa "
                "must be finite and > 0; give pseudo-critical temperature in K and pressure in Pa"
            )

    @classmethod
    def from_composition(cls, composition: GasComposition) -> Papay:
        """Papay model with Kay's-rule pseudo-critical properties of ``composition``."""
        t_pc, p_pc = composition.pseudo_critical()
        return cls(t_pc, p_pc)

    def z(self, p_pa: ArrayLike, t_k: ArrayLike) -> NDArray[np.float64]:
        """Z [-] by the Papay correlation."""
        p, t = _broadcast(p_pa, t_k)
        pr = p / self.p_pc_pa
        tr = t / self.t_pc_k
        return 1.0 - 3.52 * pr * 10.0 ** (-0.9813 * tr) + 0.274 * pr**2 * 10.0 ** (-0.8157 * tr)

    def z_and_dz_dp(self, p_pa: ArrayLike, t_k: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Z [-] and dZ/dp [1/Pa] by the Papay correlation."""
        p, t = _broadcast(p_pa, t_k)
        pr = p / self.p_pc_pa
        tr = t / self.t_pc_k
        a = 3.52 * 10.0 ** (-0.9813 * tr)
        b = 0.274 * 10.0 ** (-0.8157 * tr)
        return 1.0 - a * pr + b * pr**2, (-a + 2.0 * b * pr) / self.p_pc_pa


#: Pascal per psi, and the standard atmosphere the CNGA formula's gauge pressures refer to.
PA_PER_PSI: Final[float] = 6894.757293168
P_ATM_PA: Final[float] = 101325.0


@dataclass(frozen=True)
class ReciprocalLinearZ:
    """Z reciprocal-linear in absolute pressure, the form of the CNGA equation:

    Z = 1 / (b1 + b2 p),  dZ/dp = -b2 Z^2

    with p absolute in Pa and b2 in 1/Pa. The California Natural Gas Association (CNGA) formula
    (Menon 2005, eq. 1.34) gives, for gas gravity G (air = 1) and temperature T,

    Z = 1 / (1 + p_psig 344400 10^(1.785 G) / T_R^3.825),  T_R in degrees Rankine,

    that is ``b2 = 344400 10^(1.785 G) / (T_R^3.825 * 6894.757 Pa/psi)`` and ``b1 = 1 - b2 p_atm``
    (:meth:`cnga`). Published steady-state references use this form with their own b1, b2 (e.g.
    GasSteadySim's "simple CNGA": b1 = 1.00300865, b2 = 2.96848838e-8 1/Pa). Its virtue: rho = p M (b1 + b2 p)
    / (R T) is a quadratic in p, and the pipe law integrates in closed form
    (:mod:`linepack.hydraulics.z_integral`). Validity (CNGA): natural gas, average pressure above 100 psig,
    G 0.55-0.9; within a few per cent of the Standing-Katz chart there.

    >>> z = ReciprocalLinearZ.cnga(0.6, 288.15)
    >>> round(float(z.z(np.array([70e5]), 288.15)[0]), 4)
    0.8566
    """

    b1: float
    b2_per_pa: float
    name: str = field(default="cnga", init=False)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.b1) and math.isfinite(self.b2_per_pa) and self.b1 > 0):
            raise InputError(
                f"compressibility model cnga: b1 = {self.b1!r} must be > 0 and b2 = {self.b2_per_pa!r} finite; "
                "e.g. b1 = 1.003, b2_per_bar = 0.00297"
            )

    @classmethod
    def cnga(cls, gravity: float, t_k: float) -> ReciprocalLinearZ:
        """The CNGA formula's coefficients for gas gravity ``gravity`` (air = 1) at ``t_k`` [K]."""
        if not (0.3 < gravity < 2.0 and 150.0 < t_k < 700.0):
            raise InputError(
                f"compressibility model cnga: gas gravity {gravity:.3f} and temperature {t_k:.1f} K outside the "
                "formula's range (G 0.55-0.9, ambient temperatures); give b1 and b2_per_bar instead"
            )
        b2 = 344400.0 * 10.0 ** (1.785 * gravity) / ((1.8 * t_k) ** 3.825 * PA_PER_PSI)
        return cls(1.0 - b2 * P_ATM_PA, b2)

    def z(self, p_pa: ArrayLike, t_k: ArrayLike) -> NDArray[np.float64]:
        """Z = 1 / (b1 + b2 p) [-]."""
        p, _ = _broadcast(p_pa, t_k)
        return 1.0 / (self.b1 + self.b2_per_pa * p)

    def z_and_dz_dp(self, p_pa: ArrayLike, t_k: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Z [-] and dZ/dp = -b2 Z^2 [1/Pa]."""
        z = self.z(p_pa, t_k)
        return z, -self.b2_per_pa * z * z


#: Valid model names of :func:`make_compressibility` (aliases in ``_MODEL_ALIASES``).
MODEL_NAMES: Final[tuple[str, ...]] = ("ideal", "constant", "linear", "cnga", "papay", "aga8_detail", "gerg2008")
_MODEL_ALIASES: Final[dict[str, str]] = {
    "ideal_gas": "ideal",
    "constant_z": "constant",
    "linear_z": "linear",
    "aga8": "aga8_detail",
    "detail": "aga8_detail",
    "aga8detail": "aga8_detail",
    "gerg": "gerg2008",
    "gerg_2008": "gerg2008",
}
_PARAMS: Final[dict[str, tuple[str, ...]]] = {
    "ideal": (),
    "constant": ("z",),
    "linear": ("offset", "slope_per_bar"),
    "cnga": ("b1", "b2_per_bar", "gravity", "t_k"),
    "papay": ("t_pc_k", "p_pc_pa"),
    "aga8_detail": (
        "p_min_pa", "p_max_pa", "tolerance", "out_of_range", "max_exact_temperatures", "temperature_step_k",
    ),
    "gerg2008": (
        "p_min_pa", "p_max_pa", "tolerance", "out_of_range", "max_exact_temperatures", "temperature_step_k",
    ),
}  # fmt: skip


def make_compressibility(model: str, composition: GasComposition | None = None, **params: Any) -> CompressibilityModel:
    """Build a compressibility model by name.

    Names (case-insensitive, ``-`` and spaces read as ``_``):
      * ``"ideal"``: :class:`IdealGas`, no parameters.
      * ``"constant"``: :class:`ConstantZ`, parameter ``z``.
      * ``"linear"``: :class:`LinearZ`, parameters ``slope_per_bar`` and ``offset`` (default 1).
      * ``"cnga"``: :class:`ReciprocalLinearZ`, parameters ``b1`` (default 1) and ``b2_per_bar``, or ``gravity``
        and ``t_k`` (the CNGA formula).
      * ``"papay"``: :class:`Papay`, parameters ``t_pc_k`` and ``p_pc_pa``, or a ``composition``
        (Kay's rule).
      * ``"aga8_detail"`` / ``"gerg2008"``: :class:`Aga8Detail` / :class:`Gerg2008`, need a
        ``composition``; optional table parameters ``p_min_pa``, ``p_max_pa``, ``tolerance``,
        ``out_of_range``, ``max_exact_temperatures``, ``temperature_step_k``.

    Raises:
        InputError: unknown model name or parameter, missing composition or parameter.
    """
    key = str(model).strip().lower().replace("-", "_").replace(" ", "_")
    key = _MODEL_ALIASES.get(key, key)
    if key not in _PARAMS:
        raise InputError(f"compressibility model {model!r} is unknown; valid names: {', '.join(MODEL_NAMES)}")
    unknown = sorted(set(params) - set(_PARAMS[key]))
    if unknown:
        allowed = ", ".join(_PARAMS[key]) or "none"
        raise InputError(f"compressibility model {key}: unknown parameter(s) {', '.join(unknown)}; allowed: {allowed}")
    if key == "ideal":
        return IdealGas()
    if key == "constant":
        if "z" not in params:
            raise InputError("compressibility model constant: parameter z is missing; give e.g. z=0.9")
        return ConstantZ(float(params["z"]))
    if key == "linear":
        if "slope_per_bar" not in params:
            raise InputError(
                "compressibility model linear: parameter slope_per_bar is missing; give e.g. slope_per_bar=-0.0022"
            )
        return LinearZ(float(params.get("offset", 1.0)), float(params["slope_per_bar"]))
    if key == "cnga":
        if "b2_per_bar" in params:
            return ReciprocalLinearZ(float(params.get("b1", 1.0)), float(params["b2_per_bar"]) / PA_PER_BAR)
        if "gravity" in params and "t_k" in params:
            return ReciprocalLinearZ.cnga(float(params["gravity"]), float(params["t_k"]))
        raise InputError("compressibility model cnga: give b1 and b2_per_bar, or gravity and t_k (CNGA formula)")
    if key == "papay":
        if "t_pc_k" in params or "p_pc_pa" in params:
            if not ("t_pc_k" in params and "p_pc_pa" in params):
                raise InputError(
                    "compressibility model papay: give both t_pc_k and p_pc_pa, or neither and a composition"
                )
            return Papay(float(params["t_pc_k"]), float(params["p_pc_pa"]))
        if composition is None:
            raise InputError("compressibility model papay: needs t_pc_k and p_pc_pa or a gas composition (Kay's rule)")
        return Papay.from_composition(composition)
    if composition is None:
        raise InputError(f"compressibility model {key}: needs a gas composition; pass composition=GasComposition")
    if key == "aga8_detail":
        return Aga8Detail(composition, **params)
    return Gerg2008(composition, **params)
