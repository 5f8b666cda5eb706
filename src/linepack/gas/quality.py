"""Gas-quality figures of many compositions at once (ISO 6976:2016), and energy-flow units.

:func:`quality_of` gives, for component mole fractions ``x`` of shape (n, 21), the figures a gas company
reports and contracts on: gross and net calorific values per volume (at the metering reference state) and
per mass (at the combustion reference temperature), the gross Wobbe index, the relative density, the
standard density, the molar mass and the hydrogen fraction. Every figure is the ISO 6976:2016 real-gas
value from :mod:`linepack.gas.iso6976`; reference conditions are a :class:`StandardConditions`
(15/15 C, 60/60 F or 25/0 C, see :data:`REFERENCES`).

Energy flows: ``E = m * H_s,m`` with the mass-based gross calorific value at the combustion reference
temperature of the chosen reference; 1 MMBtu = 10^6 Btu(IT) = 1.05505585262 GJ.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from linepack.errors import InputError
from linepack.gas import iso6976
from linepack.gas.components import COMPONENTS
from linepack.gas.conditions import ISO_15C, NORMAL_0C, US_60F, StandardConditions

F64 = NDArray[np.float64]

#: Reference conditions by their name in the native format (metering / combustion).
REFERENCES: Final[dict[str, StandardConditions]] = {
    "15/15C": ISO_15C,
    "60F": US_60F,
    "25/0C": NORMAL_0C,
}
#: One MMBtu (10^6 international-table Btu) in joules.
MMBTU_J: Final[float] = 1.05505585262e9
#: Seconds per day.
DAY_S: Final[float] = 86400.0
#: One Btu(IT) per standard cubic foot in MJ/m^3 (1055.05585262 J / 0.028316846592 m^3).
BTU_PER_SCF_MJ_M3: Final[float] = 1055.05585262 / 0.028316846592 / 1e6
_H2 = COMPONENTS.index("H2")


def reference_conditions(name: str) -> StandardConditions:
    """The :class:`StandardConditions` called ``name`` in :data:`REFERENCES`."""
    try:
        return REFERENCES[name]
    except KeyError:
        raise InputError(
            f"quality reference {name!r} is unknown; use one of {', '.join(REFERENCES)} "
            "(metering/combustion temperatures: 15/15 C, 60 F, 0 C metering with 25 C combustion)"
        ) from None


@dataclass(frozen=True)
class QualityFigures:
    """ISO 6976 quality of n gases at one reference (arrays of shape (n,)).

    Attributes:
        gcv_mj_m3, ncv_mj_m3: gross / net calorific value per standard cubic metre [MJ/m^3].
        gcv_mj_kg, ncv_mj_kg: gross / net calorific value per kilogram [MJ/kg].
        wobbe_mj_m3: gross Wobbe index [MJ/m^3].
        relative_density: real-gas relative density to air [-].
        density_kg_m3: real-gas density at the metering reference state [kg/m^3].
        molar_mass_kg_per_mol: molar mass [kg/mol].
        h2_mol_pct: hydrogen [mol %].
    """

    gcv_mj_m3: F64
    ncv_mj_m3: F64
    gcv_mj_kg: F64
    ncv_mj_kg: F64
    wobbe_mj_m3: F64
    relative_density: F64
    density_kg_m3: F64
    molar_mass_kg_per_mol: F64
    h2_mol_pct: F64

    @property
    def gcv_btu_scf(self) -> F64:
        """Gross calorific value in Btu(IT) per standard cubic foot (same reference state)."""
        return np.asarray(self.gcv_mj_m3 / BTU_PER_SCF_MJ_M3)

    @property
    def wobbe_btu_scf(self) -> F64:
        """Gross Wobbe index in Btu(IT) per standard cubic foot."""
        return np.asarray(self.wobbe_mj_m3 / BTU_PER_SCF_MJ_M3)


def quality_of(x: ArrayLike, reference: StandardConditions) -> QualityFigures:
    """ISO 6976:2016 quality of the compositions ``x`` (n, 21) at ``reference`` (vectorised, exact)."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    t1 = reference.combustion_t_k
    m = iso6976.molar_mass_kg_per_mol(x)
    return QualityFigures(
        gcv_mj_m3=iso6976.volumetric_heating_value_j_per_m3(x, reference, True) / 1e6,
        ncv_mj_m3=iso6976.volumetric_heating_value_j_per_m3(x, reference, False) / 1e6,
        gcv_mj_kg=iso6976.mass_heating_value_j_per_kg(x, t1, True) / 1e6,
        ncv_mj_kg=iso6976.mass_heating_value_j_per_kg(x, t1, False) / 1e6,
        wobbe_mj_m3=iso6976.wobbe_index_j_per_m3(x, reference, True) / 1e6,
        relative_density=iso6976.relative_density(x, reference),
        density_kg_m3=iso6976.density_kg_per_m3(x, reference),
        molar_mass_kg_per_mol=m,
        h2_mol_pct=100.0 * x[:, _H2],
    )


def energy_mw(m_kg_s: ArrayLike, gcv_mj_kg: ArrayLike) -> F64:
    """Energy flow [MW] of a mass flow [kg/s] with gross calorific value [MJ/kg]: E = m H_s,m."""
    return np.asarray(np.asarray(m_kg_s, dtype=float) * np.asarray(gcv_mj_kg, dtype=float))


def mw_to_mmbtu_per_day(mw: ArrayLike) -> F64:
    """MW to MMBtu per day: E [J/s] * 86,400 s/d / 1.05505585262e9 J/MMBtu."""
    return np.asarray(np.asarray(mw, dtype=float) * 1e6 * DAY_S / MMBTU_J)
