"""Dynamic-viscosity models mu(p, T, Z) of natural gas, and a factory by name.

Interface: ``mu(p_pa, t_k, z) -> ndarray`` in Pa s, with p absolute in Pa, T in K and the
compressibility factor Z (from any :class:`~linepack.gas.compressibility.CompressibilityModel`)
broadcast together. Vectorised.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Final, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from linepack.errors import InputError
from linepack.gas.composition import GasComposition

__all__ = [
    "VISCOSITY_MODEL_NAMES",
    "ConstantViscosity",
    "LeeGonzalezEakin",
    "ViscosityModel",
    "make_viscosity",
]

#: Molar gas constant (CODATA 2018, exact) [J/(mol K)].
R_MOLAR: Final[float] = 8.314462618


@runtime_checkable
class ViscosityModel(Protocol):
    """Dynamic viscosity mu(p, T, Z) [Pa s]; p absolute in Pa, T in K."""

    @property
    def name(self) -> str:
        """Model name as accepted by :func:`make_viscosity`."""
        ...

    def mu(self, p_pa: ArrayLike, t_k: ArrayLike, z: ArrayLike) -> NDArray[np.float64]:
        """Dynamic viscosity [Pa s]."""
        ...


@dataclass(frozen=True)
class ConstantViscosity:
    """Constant dynamic viscosity mu = mu_pa_s [Pa s] (natural gas: about 1.0e-5 to 1.4e-5 Pa s).

    Validity: adequate for turbulent pipeline flow, where the friction factor depends only weakly
    (through the Reynolds number) on mu; methane is 1.09e-5 Pa s at 0.1 MPa and 1.18e-5 Pa s at
    5 MPa, 288 K (CoolProp). Reference: E. S. Menon, Gas Pipeline Hydraulics (2005), ch. 2
    (Reynolds number with a constant gas viscosity).
    """

    mu_pa_s: float
    name: str = field(default="constant", init=False)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.mu_pa_s) and 0.0 < self.mu_pa_s < 1.0):
            raise InputError(
                f"viscosity model constant: mu_pa_s = {self.mu_pa_s!r} must be in (0, 1) Pa s; "
                "give the dynamic viscosity in Pa s, e.g. 1.1e-5 for natural gas"
            )

    def mu(self, p_pa: ArrayLike, t_k: ArrayLike, z: ArrayLike) -> NDArray[np.float64]:
        """mu = mu_pa_s [Pa s], broadcast to the shape of (p, T, Z)."""
        shape = np.broadcast_shapes(np.shape(p_pa), np.shape(t_k), np.shape(z))
        return np.full(shape, self.mu_pa_s)


@dataclass(frozen=True)
class LeeGonzalezEakin:
    """Lee, Gonzalez & Eakin (1966) natural-gas viscosity correlation.

    mu = 1e-7 K exp(X rho^Y)  [Pa s]   (1e-4 K exp(...) in cP in the original)
    K = (9.4 + 0.02 M) T^1.5 / (209 + 19 M + T),  X = 3.5 + 986 / T + 0.01 M,  Y = 2.4 - 0.2 X

    with T in degrees Rankine (T_R = 1.8 T_K), M the molar mass in g/mol (lb/lbmol) and rho the gas
    density in g/cm3, rho = p M / (Z R T). Inputs here: p absolute [Pa], T [K], Z [-];
    ``molar_mass_kg_per_mol`` [kg/mol].
    Validity (data base of the correlation): 100..340 F (311..444 K), 100..8000 psia (0.7..55 MPa),
    sweet natural gases; quoted standard deviation about 2.7 %. Against CoolProp (reference
    default methane viscosity model) the measured deviation for pure methane is +1.7 % at 5 MPa / 288 K,
    +2.3 % at 0.1 MPa / 288 K and +0.7 % at 12 MPa / 288 K (tests/gas/test_gas_viscosity.py).
    Reference: A. L. Lee, M. H. Gonzalez, B. E. Eakin, "The Viscosity of Natural Gases",
    J. Pet. Technol. 18 (1966) 997-1000, SPE-1340-PA.
    """

    molar_mass_kg_per_mol: float
    name: str = field(default="lee_gonzalez_eakin", init=False)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.molar_mass_kg_per_mol) and 1e-3 < self.molar_mass_kg_per_mol < 0.2):
            raise InputError(
                f"viscosity model lee_gonzalez_eakin: molar_mass_kg_per_mol = {self.molar_mass_kg_per_mol!r} "
                "must be in (0.001, 0.2) kg/mol; give the gas molar mass in kg/mol, e.g. 0.0175"
            )

    @classmethod
    def from_composition(cls, composition: GasComposition) -> LeeGonzalezEakin:
        """LGE model for the molar mass of ``composition``."""
        return cls(composition.molar_mass_kg_per_mol)

    def mu(self, p_pa: ArrayLike, t_k: ArrayLike, z: ArrayLike) -> NDArray[np.float64]:
        """Dynamic viscosity [Pa s] at p [Pa, absolute], T [K] and compressibility factor Z [-]."""
        p = np.asarray(p_pa, dtype=np.float64)
        t = np.asarray(t_k, dtype=np.float64)
        zz = np.asarray(z, dtype=np.float64)
        m_g = self.molar_mass_kg_per_mol * 1e3
        rho_g_cm3 = p * self.molar_mass_kg_per_mol / (zz * R_MOLAR * t) * 1e-3
        t_r = 1.8 * t
        k = (9.4 + 0.02 * m_g) * t_r**1.5 / (209.0 + 19.0 * m_g + t_r)
        x = 3.5 + 986.0 / t_r + 0.01 * m_g
        y = 2.4 - 0.2 * x
        return np.asarray(1e-7 * k * np.exp(x * rho_g_cm3**y))


VISCOSITY_MODEL_NAMES: Final[tuple[str, ...]] = ("constant", "lee_gonzalez_eakin")
_ALIASES: Final[dict[str, str]] = {"lge": "lee_gonzalez_eakin", "lee_gonzalez": "lee_gonzalez_eakin"}
_PARAMS: Final[dict[str, tuple[str, ...]]] = {
    "constant": ("mu_pa_s",),
    "lee_gonzalez_eakin": ("molar_mass_kg_per_mol",),
}


def make_viscosity(model: str, composition: GasComposition | None = None, **params: Any) -> ViscosityModel:
    """Build a viscosity model by name.

    * ``"constant"``: :class:`ConstantViscosity`, parameter ``mu_pa_s`` [Pa s].
    * ``"lee_gonzalez_eakin"`` (alias ``"lge"``): :class:`LeeGonzalezEakin`, parameter
      ``molar_mass_kg_per_mol`` or a ``composition``.

    Raises:
        InputError: unknown model name or parameter, missing parameter.
    """
    key = str(model).strip().lower().replace("-", "_").replace(" ", "_")
    key = _ALIASES.get(key, key)
    if key not in _PARAMS:
        raise InputError(f"viscosity model {model!r} is unknown; valid names: {', '.join(VISCOSITY_MODEL_NAMES)}")
    unknown = sorted(set(params) - set(_PARAMS[key]))
    if unknown:
        raise InputError(
            f"viscosity model {key}: unknown parameter(s) {', '.join(unknown)}; allowed: {', '.join(_PARAMS[key])}"
        )
    if key == "constant":
        if "mu_pa_s" not in params:
            raise InputError("viscosity model constant: parameter mu_pa_s is missing; give e.g. mu_pa_s=1.1e-5")
        return ConstantViscosity(float(params["mu_pa_s"]))
    if "molar_mass_kg_per_mol" in params:
        return LeeGonzalezEakin(float(params["molar_mass_kg_per_mol"]))
    if composition is None:
        raise InputError("viscosity model lee_gonzalez_eakin: needs molar_mass_kg_per_mol or a gas composition")
    return LeeGonzalezEakin.from_composition(composition)
