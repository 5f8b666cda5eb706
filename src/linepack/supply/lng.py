"""LNG as a liquid: density from its composition, and conversions between liquid volume, mass, gas and energy.

The density follows the revised Klosek-McKinley method of ISO 6578 (and the GIIGNL LNG custody transfer
handbook): ideal mixing of the pure-component molar volumes at the liquid temperature, less a correction
for the mixing of methane with the heavier components and nitrogen::

    V_mix = sum_i x_i V_i(T) - [k1(M, T) + (k2(M, T) - k1(M, T)) x_N2 / 0.0425] x_CH4       [dm3/mol]
    rho   = M_mix / V_mix                                                                    [kg/m3]

with ``V_i`` the saturated molar volumes and ``k1``, ``k2`` the correction factors tabulated in ISO 6578
(as a function of the mixture's molar mass M in g/mol and the temperature T in K). Validity: 93.15-133.15 K,
M 16-30 g/mol, methane above 60 %, nitrogen up to 4 %; ISO 6578 states an uncertainty of about 0.1 % in
that range. Components other than the light alkanes to hexane and nitrogen are not covered by the tables
(LNG has none above traces: carbon dioxide, water and sulphur are removed before liquefaction).

Boil-off is taken to have the composition of the tank (no weathering), so a tank's composition changes only
when a cargo of another composition is unloaded (molar mixing, :func:`mix_liquids`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..gas.components import COMPONENTS
from ..gas.composition import BTU_IT_J, CUBIC_FOOT_M3, US_60F, GasComposition

F64 = NDArray[np.float64]

# ISO 6578 tables (as tabulated in the standard; also in the GIIGNL LNG custody transfer handbook)
_T_K: Final = np.array([93.15, 98.15, 103.15, 108.15, 113.15, 118.15, 123.15, 128.15, 133.15])
_M_G: Final = np.arange(16.0, 31.0)
# saturated molar volumes [dm3/mol] at _T_K
_V: Final[dict[str, F64]] = {
    "CH4": np.array([0.035771, 0.036315, 0.036891, 0.037500, 0.038149, 0.038839, 0.039580, 0.040375, 0.041237]),
    "C2H6": np.array([0.046324, 0.046716, 0.047116, 0.047524, 0.047942, 0.048369, 0.048806, 0.049253, 0.049711]),
    "C3H8": np.array([0.060731, 0.061164, 0.061602, 0.062046, 0.062497, 0.062953, 0.063417, 0.063887, 0.064364]),
    "nC4H10": np.array([0.074997, 0.075459, 0.075926, 0.076398, 0.076875, 0.077359, 0.077849, 0.078342, 0.078843]),
    "iC4H10": np.array([0.076384, 0.076868, 0.077356, 0.077851, 0.078352, 0.078859, 0.079374, 0.079896, 0.080425]),
    "nC5H12": np.array([0.089498, 0.090016, 0.090536, 0.091058, 0.091583, 0.092111, 0.092642, 0.093177, 0.093715]),
    "iC5H12": np.array([0.089576, 0.090107, 0.090642, 0.091179, 0.091721, 0.092267, 0.092817, 0.093372, 0.093930]),
    "nC6H14": np.array([0.10273, 0.10326, 0.10380, 0.10434, 0.10489, 0.10545, 0.10602, 0.10659, 0.10716]),
    "N2": np.array([0.038408, 0.039949, 0.041788, 0.044014, 0.047019, 0.051022, 0.055897, 0.061767, 0.069064]),
}
# correction factors [1e-3 dm3/mol]; rows: molar mass 16..30 g/mol, columns: _T_K
_K1: Final = np.array([
    [-0.01, -0.01, -0.01, -0.01, -0.01, -0.01, -0.01, -0.01, -0.01],
    [0.13, 0.15, 0.16, 0.18, 0.21, 0.24, 0.28, 0.33, 0.38],
    [0.25, 0.29, 0.33, 0.37, 0.41, 0.47, 0.56, 0.66, 0.76],
    [0.37, 0.41, 0.45, 0.51, 0.58, 0.67, 0.76, 0.87, 1.01],
    [0.47, 0.52, 0.59, 0.67, 0.76, 0.86, 0.98, 1.01, 1.30],
    [0.55, 0.62, 0.70, 0.79, 0.89, 1.00, 1.13, 1.29, 1.45],
    [0.64, 0.72, 0.81, 0.90, 1.01, 1.17, 1.32, 1.52, 1.71],
    [0.72, 0.82, 0.92, 1.02, 1.15, 1.33, 1.53, 1.68, 1.84],
    [0.81, 0.92, 1.04, 1.16, 1.30, 1.47, 1.66, 1.87, 2.13],
    [0.88, 1.00, 1.12, 1.25, 1.41, 1.58, 1.78, 2.00, 2.27],
    [0.95, 1.07, 1.19, 1.33, 1.50, 1.68, 1.89, 2.13, 2.41],
    [1.01, 1.13, 1.26, 1.41, 1.58, 1.78, 1.99, 2.24, 2.53],
    [1.06, 1.18, 1.32, 1.47, 1.64, 1.84, 2.06, 2.32, 2.62],
    [1.11, 1.23, 1.37, 1.54, 1.72, 1.92, 2.15, 2.42, 2.73],
    [1.16, 1.29, 1.43, 1.60, 1.79, 2.00, 2.24, 2.51, 2.83],
])  # fmt: skip
_K2: Final = np.array([
    [0.00, -0.01, -0.01, -0.01, -0.02, -0.03, -0.04, -0.05, -0.07],
    [0.11, 0.15, 0.21, 0.29, 0.46, 0.68, 0.91, 1.21, 1.60],
    [0.26, 0.32, 0.39, 0.53, 0.67, 0.84, 1.05, 1.34, 1.80],
    [0.40, 0.47, 0.57, 0.71, 0.88, 1.13, 1.39, 1.76, 2.22],
    [0.56, 0.62, 0.71, 0.86, 1.06, 1.33, 1.62, 2.03, 2.45],
    [0.67, 0.76, 0.87, 1.01, 1.16, 1.48, 1.85, 2.26, 2.79],
    [0.78, 0.90, 1.01, 1.16, 1.27, 1.65, 2.09, 2.51, 3.13],
    [0.88, 1.03, 1.15, 1.30, 1.42, 1.85, 2.33, 2.81, 3.49],
    [0.98, 1.13, 1.27, 1.45, 1.60, 2.06, 2.58, 3.11, 3.74],
    [1.07, 1.22, 1.38, 1.61, 1.89, 2.28, 2.73, 3.29, 3.97],
    [1.15, 1.31, 1.50, 1.74, 2.04, 2.44, 2.92, 3.48, 4.19],
    [1.22, 1.40, 1.61, 1.87, 2.19, 2.60, 3.10, 3.71, 4.46],
    [1.31, 1.50, 1.72, 1.99, 2.33, 2.77, 3.31, 3.95, 4.74],
    [1.38, 1.59, 1.83, 2.12, 2.48, 2.95, 3.51, 4.19, 5.03],
    [1.47, 1.68, 1.93, 2.24, 2.63, 3.12, 3.72, 4.45, 5.34],
])  # fmt: skip
_INDEX = {name: COMPONENTS.index(name) for name in _V}
TRACE: Final = 1e-6  # mole fraction below which an uncovered component is ignored
MMSCF_M3: Final = 1e6 * CUBIC_FOOT_M3  # one million standard cubic feet [m3]


def _bilinear(table: F64, m_g: float, t_k: float) -> float:
    """Bilinear interpolation of an ISO 6578 correction table at molar mass ``m_g`` and temperature ``t_k``."""
    i = int(np.clip(np.searchsorted(_M_G, m_g) - 1, 0, len(_M_G) - 2))
    j = int(np.clip(np.searchsorted(_T_K, t_k) - 1, 0, len(_T_K) - 2))
    u = (m_g - _M_G[i]) / (_M_G[i + 1] - _M_G[i])
    v = (t_k - _T_K[j]) / (_T_K[j + 1] - _T_K[j])
    return float(
        (1 - u) * (1 - v) * table[i, j] + u * (1 - v) * table[i + 1, j] + (1 - u) * v * table[i, j + 1]
        + u * v * table[i + 1, j + 1]
    )


def lng_density_kg_m3(composition: GasComposition, temperature_k: float) -> float:
    """Density of saturated LNG [kg/m3] by the revised Klosek-McKinley method (ISO 6578).

    Equation in the module docstring. Valid for 93.15-133.15 K, mixture molar mass 16-30 g/mol, methane
    above 60 mol % and nitrogen up to 4 mol %; reference: ISO 6578:2017 (and the GIIGNL LNG custody transfer
    handbook, which uses the same tables). Raises :class:`InputError` outside that range or for components
    the tables do not cover.

    >>> from linepack.gas.composition import GasComposition
    >>> round(lng_density_kg_m3(GasComposition.from_mole_fractions("C1", {"CH4": 1.0}), 111.67), 1)
    422.6
    """
    x = composition.mole_fractions
    covered = np.zeros(len(x), dtype=bool)
    covered[list(_INDEX.values())] = True
    other = [f"{COMPONENTS[i]} {x[i]:.2%}" for i in np.flatnonzero(~covered & (x > TRACE))]
    problems = []
    if other:
        problems.append(
            f"LNG {composition.name}: {', '.join(other)} not covered by the ISO 6578 density tables (methane to "
            "hexane and nitrogen); LNG holds none of them above traces, so remove them from the composition"
        )
    if not _T_K[0] <= temperature_k <= _T_K[-1]:
        problems.append(
            f"LNG {composition.name}: temperature {temperature_k - 273.15:.1f} C is outside the ISO 6578 range "
            f"({_T_K[0] - 273.15:.0f} to {_T_K[-1] - 273.15:.0f} C); LNG is stored near -160 C"
        )
    m_g = composition.molar_mass_kg_per_mol * 1e3
    if not _M_G[0] <= m_g <= _M_G[-1]:
        problems.append(f"LNG {composition.name}: molar mass {m_g:.2f} g/mol is outside 16-30 g/mol (ISO 6578)")
    x_ch4, x_n2 = x[_INDEX["CH4"]], x[_INDEX["N2"]]
    if x_ch4 < 0.6 or x_n2 > 0.045:
        problems.append(
            f"LNG {composition.name}: methane {x_ch4:.1%} and nitrogen {x_n2:.1%}: the method needs methane "
            "above 60 % and nitrogen up to 4 %"
        )
    if problems:
        raise InputError(problems)
    v_ideal = sum(x[i] * float(np.interp(temperature_k, _T_K, _V[name])) for name, i in _INDEX.items())
    k1, k2 = _bilinear(_K1, m_g, temperature_k), _bilinear(_K2, m_g, temperature_k)
    v_mix = v_ideal - (k1 + (k2 - k1) * x_n2 / 0.0425) * x_ch4 * 1e-3
    return float(m_g / v_mix)


@dataclass(frozen=True)
class LngProperties:
    """One LNG composition at its storage temperature: liquid density and what a kilogram holds as gas.

    ``gas_m3_60f_per_kg`` is the standard gas volume at 60 F / 14.696 psia per kg (the MMSCF basis), and
    ``hhv_j_per_kg`` the gross heating value at 25 C combustion (ISO 6976).
    """

    name: str
    composition: GasComposition
    temperature_k: float
    density_kg_m3: float
    gas_m3_60f_per_kg: float
    hhv_j_per_kg: float

    @staticmethod
    def of(composition: GasComposition, temperature_k: float) -> LngProperties:
        return LngProperties(
            composition.name,
            composition,
            temperature_k,
            lng_density_kg_m3(composition, temperature_k),
            1.0 / composition.density_standard_kg_per_m3(US_60F),
            composition.gross_heating_value_j_per_kg(),
        )

    def kg_to_m3(self, kg: float | F64) -> float | F64:
        """Liquid volume [m3] of ``kg`` of this LNG."""
        return kg / self.density_kg_m3

    def m3_to_kg(self, m3: float | F64) -> float | F64:
        return m3 * self.density_kg_m3

    def kg_to_mmscf(self, kg: float | F64) -> float | F64:
        """Gas volume [million standard cubic feet, 60 F] of ``kg``."""
        return kg * self.gas_m3_60f_per_kg / MMSCF_M3

    def mmscfd_to_kg_s(self, mmscfd: float) -> float:
        return mmscfd * MMSCF_M3 / self.gas_m3_60f_per_kg / 86400.0

    def expansion_ratio(self) -> float:
        """Standard gas volume (60 F) per volume of liquid [-] (about 600 for LNG)."""
        return self.density_kg_m3 * self.gas_m3_60f_per_kg


def mix_liquids(name: str, parts: list[tuple[GasComposition, float]]) -> GasComposition:
    """Composition of liquids mixed in a tank: molar mixing of ``(composition, mass kg)`` parts."""
    from ..gas.composition import mixture

    return mixture(name, [(c, kg / c.molar_mass_kg_per_mol) for c, kg in parts if kg > 0])


def j_to_gwh(j: float | F64) -> float | F64:
    return j / 3.6e12


def j_to_mmbtu(j: float | F64) -> float | F64:
    return j / (BTU_IT_J * 1e6)
