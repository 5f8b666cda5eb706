"""Gas composition (mole fractions of the 21 AGA8 components) and its composition-derived properties."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from linepack.errors import InputError
from linepack.gas import iso6976
from linepack.gas.components import COMPONENTS, N_COMPONENTS, component_index
from linepack.gas.conditions import ISO_15C, NORMAL_0C, US_60F, StandardConditions
from linepack.gas.ideal_gas import ideal_heat_capacity_ratio

__all__ = ["ISO_15C", "NORMAL_0C", "US_60F", "GasComposition", "StandardConditions"]

#: International Table British thermal unit [J].
BTU_IT_J: Final[float] = 1055.05585262
#: One cubic foot [m3].
CUBIC_FOOT_M3: Final[float] = 0.028316846592


@dataclass(frozen=True, eq=False)
class GasComposition:
    """A named natural-gas composition: mole fractions of the 21 AGA8 components.

    Attributes:
        name: label used in messages, e.g. ``"RLNG_QATAR_TYPICAL"``.
        mole_fractions: read-only array of shape (21,) in the AGA8 order (sums to 1).
        component_names: the canonical names of the 21 components, in the same order.

    Build one with :meth:`from_mole_fractions`. Instances compare and hash by name and fractions.
    """

    name: str
    mole_fractions: NDArray[np.float64]
    component_names: tuple[str, ...] = field(default=COMPONENTS)

    def __post_init__(self) -> None:
        x = np.array(self.mole_fractions, dtype=np.float64).reshape(-1)
        if x.shape != (N_COMPONENTS,):
            raise InputError(
                f"gas {self.name}: mole_fractions has {x.size} entries (must be {N_COMPONENTS}, AGA8 order); "
                "build the composition with GasComposition.from_mole_fractions"
            )
        if tuple(self.component_names) != COMPONENTS:
            raise InputError(
                f"gas {self.name}: component_names must be the AGA8 order {COMPONENTS}; "
                "build the composition with GasComposition.from_mole_fractions"
            )
        _check_fractions(self.name, x, 1e-9)
        x.flags.writeable = False
        object.__setattr__(self, "mole_fractions", x)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_mole_fractions(cls, name: str, fractions: Mapping[str, float], tolerance: float = 1e-4) -> GasComposition:
        """Build a composition from ``{component name or alias: mole fraction}``.

        Component names are case-insensitive and may be formulas, common names or short forms
        (``"CH4"``, ``"methane"``, ``"C1"``; ``"iC4H10"``, ``"i-butane"``, ``"iC4"``; ...). Components
        not given are zero. Fractions within ``tolerance`` of summing to 1 are normalised to 1.

        Raises:
            InputError: unknown or repeated component, negative / NaN / infinite fraction, or a sum
                off 1 by more than ``tolerance``. All problems are reported together.
        """
        problems: list[str] = []
        x = np.zeros(N_COMPONENTS, dtype=np.float64)
        seen: dict[int, str] = {}
        for key, value in fractions.items():
            try:
                index = component_index(key, context=f"gas {name}")
            except InputError as error:
                problems.extend(error.problems)
                continue
            if index in seen:
                problems.append(
                    f"gas {name}: component {COMPONENTS[index]} given twice "
                    f"(as {seen[index]!r} and {key!r}); "
                    "give each component once"
                )
                continue
            seen[index] = key
            try:
                x[index] = float(value)
            except (TypeError, ValueError):
                problems.append(
                    f"gas {name}: mole fraction of {key} is {value!r}, not a number; give a number in [0, 1]"
                )
                x[index] = math.nan
        if problems:
            raise InputError(problems)
        _check_fractions(name, x, tolerance)
        return cls(name=name, mole_fractions=x / x.sum())

    # ------------------------------------------------------------------ identity
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GasComposition):
            return NotImplemented
        return self.name == other.name and bool(np.array_equal(self.mole_fractions, other.mole_fractions))

    def __hash__(self) -> int:
        return hash((self.name, self.fractions_tuple))

    def __repr__(self) -> str:
        parts = ", ".join(f"{k}: {v:.6g}" for k, v in self.as_dict().items())
        return f"GasComposition({self.name!r}, {{{parts}}})"

    @property
    def fractions_tuple(self) -> tuple[float, ...]:
        """Mole fractions as a hashable tuple of 21 floats in the AGA8 order."""
        return tuple(float(v) for v in self.mole_fractions)

    def as_dict(self, include_zero: bool = False) -> dict[str, float]:
        """Mole fractions keyed by canonical component name (non-zero ones unless ``include_zero``)."""
        return {
            n: float(v)
            for n, v in zip(self.component_names, self.mole_fractions, strict=True)
            if include_zero or v != 0.0
        }

    def fraction(self, component: str) -> float:
        """Mole fraction of one component, given by any accepted name or alias."""
        return float(self.mole_fractions[component_index(component, context=f"gas {self.name}")])

    # ------------------------------------------------------------------ properties
    @property
    def molar_mass_kg_per_mol(self) -> float:
        """Molar mass M = sum x_j M_j [kg/mol] (ISO 6976:2016 component molar masses)."""
        return float(iso6976.molar_mass_kg_per_mol(self.mole_fractions))

    def z_standard(self, reference: StandardConditions = ISO_15C) -> float:
        """Compression factor at the metering reference state, ISO 6976 summation-factor method [-].

        Z = 1 - (p/p0) (sum x_j s_j(T))^2; see :func:`linepack.gas.iso6976.z_standard`.
        Valid for metering temperatures 0, 15, 15.55 (60 F), 20 C near atmospheric pressure.
        """
        return float(iso6976.z_standard(self.mole_fractions, reference))

    def relative_density(self, reference: StandardConditions = ISO_15C) -> float:
        """Real-gas relative density d = (M/M_air) Z_air/Z_gas at the reference state [-] (ISO 6976:2016)."""
        return float(iso6976.relative_density(self.mole_fractions, reference))

    def density_standard_kg_per_m3(self, reference: StandardConditions = ISO_15C) -> float:
        """Real-gas density rho = p M/(Z R T) at the reference state [kg/m3] (ISO 6976:2016)."""
        return float(iso6976.density_kg_per_m3(self.mole_fractions, reference))

    def gross_heating_value_mj_per_m3(self, reference: StandardConditions = ISO_15C) -> float:
        """Real-gas volumetric gross (superior) heating value [MJ/m3] (ISO 6976:2016).

        H_s,v = H_s,molar(t1) p/(Z R T): metering at ``reference.t_k``/``reference.p_pa``,
        combustion at ``reference.combustion_t_k`` (ISO_15C: 15/15 C; US_60F: 60/60 F; NORMAL_0C:
        25 C combustion / 0 C metering).
        """
        return float(iso6976.volumetric_heating_value_j_per_m3(self.mole_fractions, reference, True)) / 1e6

    def net_heating_value_mj_per_m3(self, reference: StandardConditions = ISO_15C) -> float:
        """Real-gas volumetric net (inferior) heating value [MJ/m3] (ISO 6976:2016); see the gross one."""
        return float(iso6976.volumetric_heating_value_j_per_m3(self.mole_fractions, reference, False)) / 1e6

    def gross_heating_value_j_per_kg(self, combustion_t_k: float = 298.15) -> float:
        """Mass-based gross heating value H_s,m = H_s,molar(t1)/M [J/kg] (ISO 6976:2016; t1 default 25 C)."""
        return float(iso6976.mass_heating_value_j_per_kg(self.mole_fractions, combustion_t_k, True))

    def net_heating_value_j_per_kg(self, combustion_t_k: float = 298.15) -> float:
        """Mass-based net heating value H_i,m = H_i,molar(t1)/M [J/kg] (ISO 6976:2016, default t1 = 25 C)."""
        return float(iso6976.mass_heating_value_j_per_kg(self.mole_fractions, combustion_t_k, False))

    def gross_heating_value_j_per_mol(self, combustion_t_k: float = 298.15) -> float:
        """Ideal-gas molar gross heating value sum x_j H_s,j(t1) [J/mol] (ISO 6976:2016 Table 3)."""
        return float(iso6976.molar_heating_value_j_per_mol(self.mole_fractions, combustion_t_k, True))

    def wobbe_index_mj_per_m3(self, reference: StandardConditions = ISO_15C) -> float:
        """Gross real-gas Wobbe index W = H_s,v / sqrt(d) [MJ/m3] at the reference state (ISO 6976:2016)."""
        return float(iso6976.wobbe_index_j_per_m3(self.mole_fractions, reference, True)) / 1e6

    def gross_heating_value_btu_per_scf(self, reference: StandardConditions = US_60F) -> float:
        """Gross real-gas heating value in Btu(IT) per standard cubic foot (default 60 F / 14.696 psia)."""
        j_per_m3 = float(iso6976.volumetric_heating_value_j_per_m3(self.mole_fractions, reference, True))
        return j_per_m3 * CUBIC_FOOT_M3 / BTU_IT_J

    def pseudo_critical(self) -> tuple[float, float]:
        """Pseudo-critical temperature [K] and pressure [Pa] by Kay's rule (sum x_j Tc_j, sum x_j pc_j)."""
        t_pc, p_pc = iso6976.pseudo_critical(self.mole_fractions)
        return float(t_pc), float(p_pc)

    def ideal_heat_capacity_ratio(self, t_k: ArrayLike) -> NDArray[np.float64]:
        """Ideal-gas kappa0 = cp0/(cp0 - R) at T [K] from the GERG-2008 ideal part (60..1000 K).

        See :func:`linepack.gas.ideal_gas.ideal_heat_capacity_ratio`.
        """
        return ideal_heat_capacity_ratio(self.fractions_tuple, t_k)


def _check_fractions(name: str, x: NDArray[np.float64], tolerance: float) -> None:
    problems: list[str] = []
    for index in np.flatnonzero(~np.isfinite(x)):
        problems.append(
            f"gas {name}: mole fraction of {COMPONENTS[index]} is {x[index]} "
            "(must be a finite number in [0, 1]); "
            "fix or remove the entry"
        )
    for index in np.flatnonzero(np.isfinite(x) & (x < 0)):
        problems.append(
            f"gas {name}: mole fraction of {COMPONENTS[index]} is {x[index]:g} (must be >= 0); "
            "give mole fractions, not differences or corrections"
        )
    if problems:
        raise InputError(problems)
    total = float(x.sum())
    if abs(total - 1.0) > tolerance:
        hint = "normalise the composition"
        if abs(total - 100.0) <= 100.0 * max(tolerance, 1e-3):
            hint = "the values look like mol %; divide them by 100"
        raise InputError(
            f"gas {name}: mole fractions sum to {total:.6g} (must be 1 within {_short(tolerance)}); {hint}"
        )


def _short(value: float) -> str:
    """Compact number format for messages: 0.0001 -> '1e-4', 0.01 -> '0.01'."""
    if value == 0.0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:g}"
    mantissa, exponent = f"{value:e}".split("e")
    return f"{float(mantissa):g}e{int(exponent)}"


def mixture(name: str, parts: Mapping[GasComposition, float] | list[tuple[GasComposition, float]]) -> GasComposition:
    """Molar mixture of compositions: ``x = sum_k w_k x_k / sum_k w_k`` (weights = molar flows, >= 0)."""
    items = list(parts.items()) if isinstance(parts, Mapping) else list(parts)
    weights = np.array([w for _, w in items], dtype=np.float64)
    if items == [] or not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
        raise InputError(
            f"gas {name}: mixture weights {weights.tolist()} must be finite, >= 0 and not all zero; "
            "give the molar flow of each stream"
        )
    stacked = np.stack([c.mole_fractions for c, _ in items])
    return GasComposition(name=name, mole_fractions=weights @ stacked / weights.sum())
