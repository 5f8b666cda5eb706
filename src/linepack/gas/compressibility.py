"""Compressibility-factor models Z(p, T) behind one protocol, and a factory by name.

Every model gives Z [-] and its pressure derivative at constant temperature dZ/dp [1/Pa] for
absolute pressures ``p_pa`` [Pa] and temperatures ``t_k`` [K] (arrays broadcast together; ``t_k``
may be a scalar). Evaluation is vectorised.

Models: :class:`IdealGas`, :class:`ConstantZ`, :class:`LinearZ` (pandapipes), :class:`Papay`,
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


#: Valid model names of :func:`make_compressibility` (aliases in ``_MODEL_ALIASES``).
MODEL_NAMES: Final[tuple[str, ...]] = ("ideal", "constant", "linear", "papay", "aga8_detail", "gerg2008")
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
