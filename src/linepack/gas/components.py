"""The 21 components of AGA Report No. 8 / GERG-2008 and their constant properties.

All arrays are in the AGA8 order (``COMPONENTS``), which is also the order pyaga8 and the NIST
AGA8 code use. Units are SI: kg/mol for molar masses, J/mol for molar heating values, K and Pa
for critical constants.

Sources
-------
* Molar masses: ISO 6976:2016, Table 1 (computed there from the IUPAC 2007 atomic weights
  H 1.00794, C 12.0107, N 14.0067, O 15.9994, S 32.065); molar mass of air 28.96546 g/mol.
* Ideal-gas molar gross (superior) and net (inferior) heating values at the combustion reference
  temperatures 15, 15.55 (60 F), 20 and 25 C: ISO 6976:2016, Table 3.
* Summation factors ``s = sqrt(1 - Z)`` at 101.325 kPa and the metering reference temperatures
  0, 15, 15.55 (60 F) and 20 C: ISO 6976:2016, Table 2 for the alkanes, N2, CO2 and H2O. For
  H2, He, O2, CO, H2S and Ar the values here are *derived*, not transcribed: ``s = sign(1 - Z)
  sqrt(|1 - Z|)`` from the GERG-2008 pure-fluid Z at 101.325 kPa (pyaga8), rounded to 4 decimals.
  Z > 1 (H2, He) gives a negative summation factor, the convention ISO 6976:2016 uses for these
  gases. The CH4..nC4, N2 and CO2 table values agree with the same GERG-2008 derivation within
  1e-3 (n-butane 9.8e-4, propane 6.6e-4, the others <= 5.1e-4; tests/gas/test_gas_components.py);
  ISO 6976:2016 does not define s exactly as sqrt(1 - Z) of the pure gas.
* Critical temperature and pressure: the reference equations of state as implemented in CoolProp
  6 (Setzmann-Wagner methane, Span-Wagner CO2, ...), rounded; used only for pseudo-critical
  properties (Kay's rule), where their precision is irrelevant.
"""

from __future__ import annotations

import difflib
import re
from typing import Final

import numpy as np
from numpy.typing import NDArray

from linepack.errors import InputError

#: Canonical component names in the AGA8 order.
COMPONENTS: Final[tuple[str, ...]] = (
    "CH4", "N2", "CO2", "C2H6", "C3H8", "iC4H10", "nC4H10", "iC5H12", "nC5H12", "nC6H14",
    "nC7H16", "nC8H18", "nC9H20", "nC10H22", "H2", "O2", "CO", "H2O", "H2S", "He", "Ar",
)  # fmt: skip

N_COMPONENTS: Final[int] = len(COMPONENTS)

#: Attribute names of ``pyaga8.Composition`` in the AGA8 order.
PYAGA8_NAMES: Final[tuple[str, ...]] = (
    "methane", "nitrogen", "carbon_dioxide", "ethane", "propane", "isobutane", "n_butane",
    "isopentane", "n_pentane", "hexane", "heptane", "octane", "nonane", "decane", "hydrogen",
    "oxygen", "carbon_monoxide", "water", "hydrogen_sulfide", "helium", "argon",
)  # fmt: skip

#: Molar gas constant used by ISO 6976:2016 [J/(mol K)] (CODATA 2010).
R_ISO6976: Final[float] = 8.3144621

#: Molar mass of dry air, ISO 6976:2016 [kg/mol].
MOLAR_MASS_AIR_KG_PER_MOL: Final[float] = 28.96546e-3

#: Compression factor of dry air at 101.325 kPa, ISO 6976:2016, keyed by metering temperature [K].
Z_AIR: Final[dict[float, float]] = {
    273.15: 0.999419,
    288.15: 0.999595,
    288.705556: 0.999601,
    293.15: 0.999645,
}

#: Metering reference temperatures [K] of the summation-factor columns (0, 15, 15.55 = 60 F, 20 C).
SUMMATION_TEMPERATURES_K: Final[tuple[float, ...]] = (273.15, 288.15, 288.705556, 293.15)

#: Combustion reference temperatures [K] of the heating-value columns (15, 15.55 = 60 F, 20, 25 C).
COMBUSTION_TEMPERATURES_K: Final[tuple[float, ...]] = (288.15, 288.705556, 293.15, 298.15)

#: Pressure at which the summation factors are defined [Pa].
SUMMATION_PRESSURE_PA: Final[float] = 101325.0

# Molar mass [g/mol], ISO 6976:2016.
_MOLAR_MASS_G = (
    16.04246, 28.0134, 44.0095, 30.06904, 44.09562, 58.1222, 58.1222, 72.14878, 72.14878, 86.17536,
    100.20194, 114.22852, 128.2551, 142.28168, 2.01588, 31.9988, 28.0101, 18.01528, 34.08088,
    4.002602, 39.948,
)  # fmt: skip

# Ideal-gas gross molar heating value [kJ/mol] at 15, 15.55, 20, 25 C, ISO 6976:2016 Table 3.
_GROSS_KJ = (
    (891.51, 891.46, 891.05, 890.58),  # CH4
    (0.0, 0.0, 0.0, 0.0),  # N2
    (0.0, 0.0, 0.0, 0.0),  # CO2
    (1562.14, 1562.06, 1561.42, 1560.69),  # C2H6
    (2221.10, 2220.99, 2220.13, 2219.17),  # C3H8
    (2870.58, 2870.45, 2869.39, 2868.20),  # iC4H10
    (2879.76, 2879.63, 2878.58, 2877.40),  # nC4H10
    (3531.68, 3531.52, 3530.25, 3528.83),  # iC5H12
    (3538.60, 3538.45, 3537.19, 3535.77),  # nC5H12
    (4198.24, 4198.06, 4196.60, 4194.95),  # nC6H14
    (4857.18, 4856.98, 4855.31, 4853.43),  # nC7H16
    (5516.01, 5515.78, 5513.90, 5511.80),  # nC8H18
    (6175.82, 6175.56, 6173.48, 6171.15),  # nC9H20
    (6834.90, 6834.62, 6832.33, 6829.77),  # nC10H22
    (286.15, 286.15, 285.99, 285.83),  # H2
    (0.0, 0.0, 0.0, 0.0),  # O2
    (282.91, 282.91, 282.95, 282.98),  # CO
    (44.431, 44.408, 44.222, 44.013),  # H2O (enthalpy of condensation)
    (562.38, 562.38, 562.19, 562.01),  # H2S
    (0.0, 0.0, 0.0, 0.0),  # He
    (0.0, 0.0, 0.0, 0.0),  # Ar
)

# Ideal-gas net molar heating value [kJ/mol] at 15, 15.55, 20, 25 C, ISO 6976:2016 Table 3.
_NET_KJ = (
    (802.69, 802.69, 802.65, 802.60),  # CH4
    (0.0, 0.0, 0.0, 0.0),  # N2
    (0.0, 0.0, 0.0, 0.0),  # CO2
    (1428.84, 1428.83, 1428.74, 1428.64),  # C2H6
    (2043.37, 2043.35, 2043.23, 2043.11),  # C3H8
    (2648.42, 2648.40, 2648.26, 2648.12),  # iC4H10
    (2657.60, 2657.58, 2657.45, 2657.32),  # nC4H10
    (3265.08, 3265.06, 3264.89, 3264.73),  # iC5H12
    (3272.00, 3271.98, 3271.83, 3271.67),  # nC5H12
    (3887.21, 3887.19, 3887.01, 3886.84),  # nC6H14
    (4501.72, 4501.69, 4501.49, 4501.30),  # nC7H16
    (5116.11, 5116.08, 5115.87, 5115.66),  # nC8H18
    (5731.49, 5731.46, 5731.22, 5730.99),  # nC9H20
    (6346.14, 6346.11, 6345.85, 6345.59),  # nC10H22
    (241.72, 241.72, 241.76, 241.81),  # H2
    (0.0, 0.0, 0.0, 0.0),  # O2
    (282.91, 282.91, 282.95, 282.98),  # CO
    (0.0, 0.0, 0.0, 0.0),  # H2O
    (517.95, 517.95, 517.97, 517.99),  # H2S
    (0.0, 0.0, 0.0, 0.0),  # He
    (0.0, 0.0, 0.0, 0.0),  # Ar
)

# Summation factor s at 101.325 kPa and 0, 15, 15.55, 20 C (see the module docstring for sources).
_SUMMATION = (
    (0.04886, 0.04452, 0.04437, 0.04317),  # CH4      ISO 6976:2016
    (0.0214, 0.0170, 0.0169, 0.0156),  # N2           ISO 6976:2016
    (0.0821, 0.0752, 0.0749, 0.0730),  # CO2          ISO 6976:2016
    (0.0997, 0.0919, 0.0916, 0.0895),  # C2H6         ISO 6976:2016
    (0.1465, 0.1344, 0.1340, 0.1308),  # C3H8         ISO 6976:2016
    (0.1885, 0.1722, 0.1717, 0.1673),  # iC4H10       ISO 6976:2016
    (0.2022, 0.1840, 0.1834, 0.1785),  # nC4H10       ISO 6976:2016
    (0.2458, 0.2251, 0.2244, 0.2189),  # iC5H12       ISO 6976:2016
    (0.2586, 0.2361, 0.2354, 0.2295),  # nC5H12       ISO 6976:2016
    (0.3319, 0.3001, 0.2990, 0.2907),  # nC6H14       ISO 6976:2016
    (0.4076, 0.3668, 0.3654, 0.3547),  # nC7H16       ISO 6976:2016
    (0.4845, 0.4346, 0.4329, 0.4198),  # nC8H18       ISO 6976:2016
    (0.5617, 0.5030, 0.5010, 0.4856),  # nC9H20       ISO 6976:2016
    (0.6713, 0.5991, 0.5967, 0.5778),  # nC10H22      ISO 6976:2016
    (-0.0248, -0.0244, -0.0244, -0.0243),  # H2       GERG-2008 derived
    (0.0316, 0.0281, 0.0280, 0.0270),  # O2           GERG-2008 derived
    (0.0258, 0.0217, 0.0215, 0.0203),  # CO           GERG-2008 derived
    (0.2646, 0.2345, 0.2345, 0.2191),  # H2O          ISO 6976:2016 (hypothetical vapour)
    (0.1006, 0.0923, 0.0920, 0.0898),  # H2S          GERG-2008 derived
    (-0.0232, -0.0225, -0.0225, -0.0223),  # He       GERG-2008 derived
    (0.0310, 0.0276, 0.0275, 0.0265),  # Ar           GERG-2008 derived
)

#: Where each component's summation factors come from ("ISO 6976:2016" or "GERG-2008 derived").
SUMMATION_FACTOR_SOURCE: Final[tuple[str, ...]] = tuple(
    "GERG-2008 derived" if name in {"H2", "O2", "CO", "H2S", "He", "Ar"} else "ISO 6976:2016" for name in COMPONENTS
)

# Critical temperature [K] and pressure [Pa] (reference EOS values as in CoolProp 6).
_CRITICAL = (
    (190.564, 4.5992e6),  # CH4
    (126.192, 3.3958e6),  # N2
    (304.1282, 7.3773e6),  # CO2
    (305.322, 4.8722e6),  # C2H6
    (369.89, 4.2512e6),  # C3H8
    (407.81, 3.629e6),  # iC4H10
    (425.125, 3.796e6),  # nC4H10
    (460.35, 3.3782e6),  # iC5H12
    (469.70, 3.3675e6),  # nC5H12
    (507.82, 3.0441e6),  # nC6H14
    (541.23, 2.7738e6),  # nC7H16
    (568.74, 2.4836e6),  # nC8H18
    (594.55, 2.2819e6),  # nC9H20
    (617.70, 2.1013e6),  # nC10H22
    (33.145, 1.2964e6),  # H2
    (154.599, 5.0464e6),  # O2
    (132.86, 3.4982e6),  # CO
    (647.096, 22.064e6),  # H2O
    (373.10, 8.9989e6),  # H2S
    (5.1953, 0.22832e6),  # He
    (150.687, 4.8630e6),  # Ar
)


def _readonly(values: object) -> NDArray[np.float64]:
    array = np.array(values, dtype=np.float64)
    array.flags.writeable = False
    return array


#: Molar mass M_j [kg/mol], shape (21,).
MOLAR_MASS_KG_PER_MOL: Final[NDArray[np.float64]] = _readonly(np.array(_MOLAR_MASS_G) * 1e-3)
#: Ideal gross molar heating value [J/mol], shape (21, 4): columns COMBUSTION_TEMPERATURES_K.
GROSS_HEATING_VALUE_J_PER_MOL: Final[NDArray[np.float64]] = _readonly(np.array(_GROSS_KJ) * 1e3)
#: Ideal net molar heating value [J/mol], shape (21, 4): columns COMBUSTION_TEMPERATURES_K.
NET_HEATING_VALUE_J_PER_MOL: Final[NDArray[np.float64]] = _readonly(np.array(_NET_KJ) * 1e3)
#: Summation factor s [-], shape (21, 4): columns SUMMATION_TEMPERATURES_K.
SUMMATION_FACTOR: Final[NDArray[np.float64]] = _readonly(_SUMMATION)
#: Critical temperature [K], shape (21,).
CRITICAL_TEMPERATURE_K: Final[NDArray[np.float64]] = _readonly([c[0] for c in _CRITICAL])
#: Critical pressure [Pa], shape (21,).
CRITICAL_PRESSURE_PA: Final[NDArray[np.float64]] = _readonly([c[1] for c in _CRITICAL])

_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "CH4": ("methane", "c1"),
    "N2": ("nitrogen",),
    "CO2": ("carbondioxide",),
    "C2H6": ("ethane", "c2"),
    "C3H8": ("propane", "c3", "npropane"),
    "iC4H10": ("isobutane", "ibutane", "ic4", "2methylpropane"),
    "nC4H10": ("nbutane", "butane", "nc4"),
    "iC5H12": ("isopentane", "ipentane", "ic5", "2methylbutane"),
    "nC5H12": ("npentane", "pentane", "nc5"),
    "nC6H14": ("nhexane", "hexane", "nc6", "c6"),
    "nC7H16": ("nheptane", "heptane", "nc7", "c7"),
    "nC8H18": ("noctane", "octane", "nc8", "c8"),
    "nC9H20": ("nnonane", "nonane", "nc9", "c9"),
    "nC10H22": ("ndecane", "decane", "nc10", "c10"),
    "H2": ("hydrogen",),
    "O2": ("oxygen",),
    "CO": ("carbonmonoxide",),
    "H2O": ("water",),
    "H2S": ("hydrogensulfide", "hydrogensulphide"),
    "He": ("helium",),
    "Ar": ("argon",),
}


def _normalise_key(name: str) -> str:
    """Lower-case a component name and drop spaces, hyphens, underscores and dots."""
    return re.sub(r"[\s\-_.]", "", name).lower()


_LOOKUP: Final[dict[str, int]] = {}
for _index, _canonical in enumerate(COMPONENTS):
    _LOOKUP[_normalise_key(_canonical)] = _index
    _LOOKUP[_normalise_key(PYAGA8_NAMES[_index])] = _index
    for _alias in _ALIASES[_canonical]:
        _LOOKUP[_normalise_key(_alias)] = _index


def component_index(name: str, context: str = "gas") -> int:
    """Return the AGA8 index (0..20) of a component given by name or alias, case-insensitive.

    Accepted are the canonical formula (``"iC4H10"``), the common name (``"isobutane"``,
    ``"i-butane"``), short forms (``"C1"``, ``"iC4"``, ``"nC4"``) and the pyaga8 attribute names.
    Spaces, hyphens, underscores and dots are ignored.

    Raises:
        InputError: unknown name; the message lists the valid names and a close match.
    """
    key = _normalise_key(str(name))
    if key in _LOOKUP:
        return _LOOKUP[key]
    close = difflib.get_close_matches(key, list(_LOOKUP), n=1, cutoff=0.6)
    hint = ""
    if close:
        hint = f" Did you mean {COMPONENTS[_LOOKUP[close[0]]]!r}?"
    raise InputError(
        f"{context}: unknown component {name!r}.{hint} Valid components (AGA8 order): "
        f"{', '.join(COMPONENTS)}; common names such as 'methane', 'i-butane', 'nitrogen' "
        "and short forms such as 'C1', 'iC4', 'nC4' are accepted too"
    )


def canonical_name(name: str) -> str:
    """Return the canonical AGA8 formula name (``"C2H6"``) of a component name or alias."""
    return COMPONENTS[component_index(name)]


def aliases() -> dict[str, tuple[str, ...]]:
    """Return, for each canonical component name, the extra (normalised) aliases accepted."""
    return dict(_ALIASES)


def _closest_column(value_k: float, columns: tuple[float, ...], what: str, tol_k: float = 0.01) -> int:
    for j, t in enumerate(columns):
        if abs(value_k - t) <= tol_k:
            return j
    allowed = ", ".join(f"{t:.4f} K ({t - 273.15:.2f} C)" for t in columns)
    raise InputError(f"{what} {value_k:.4f} K is not tabulated in ISO 6976:2016; use one of {allowed}")


def summation_factor_column(t_k: float) -> int:
    """Index into ``SUMMATION_FACTOR`` columns for the metering temperature ``t_k`` [K]."""
    return _closest_column(t_k, SUMMATION_TEMPERATURES_K, "metering reference temperature")


def heating_value_column(t_k: float) -> int:
    """Index into the heating-value columns for the combustion reference temperature ``t_k`` [K]."""
    return _closest_column(t_k, COMBUSTION_TEMPERATURES_K, "combustion reference temperature")


def z_air(t_k: float, p_pa: float) -> float:
    """Compression factor of dry air at a metering reference state (ISO 6976:2016 values).

    Z_air(T, p) = 1 - (p / 101325 Pa) * (1 - Z_air(T, 101325 Pa))

    Units: T in K, p in Pa. The tabulated values are for T = 0, 15, 15.55 (60 F), 20 C at
    101.325 kPa (ISO 6976:2016, Table 1); other pressures are scaled linearly in p, the
    second-virial (B) truncation, valid near atmospheric pressure (about 90 to 110 kPa).
    """
    j = summation_factor_column(t_k)
    z0 = Z_AIR[SUMMATION_TEMPERATURES_K[j]]
    return 1.0 - (p_pa / SUMMATION_PRESSURE_PA) * (1.0 - z0)
