"""ISO 6976:2016 calculations of molar mass, compression factor, density, relative density,
heating values and Wobbe index from composition.

All functions take mole fractions ``x`` of shape ``(..., 21)`` in the AGA8 order and are vectorised
over the leading axes. Heating values are those of the *real* gas at the metering reference state
(ISO 6976 "real-gas" values), the molar values being ideal-gas values (ISO 6976:2016, clause 6).

Reference: ISO 6976:2016, Natural gas - Calculation of calorific values, density, relative density
and Wobbe indices from composition. Validity: natural gases as defined in the standard (methane-rich,
metering reference states near atmospheric pressure, mixtures with ``Z_mix >= 0.9``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from linepack.gas import components as comp
from linepack.gas.conditions import StandardConditions


def _x(fractions: ArrayLike) -> NDArray[np.float64]:
    return np.asarray(fractions, dtype=np.float64)


def molar_mass_kg_per_mol(fractions: ArrayLike) -> NDArray[np.float64]:
    """Molar mass of the mixture [kg/mol].

    M = sum_j x_j M_j, with M_j from ISO 6976:2016 Table 1. Exact for any composition.
    """
    return np.asarray(_x(fractions) @ comp.MOLAR_MASS_KG_PER_MOL)


def z_standard(fractions: ArrayLike, reference: StandardConditions) -> NDArray[np.float64]:
    """Compression factor Z of the gas at the metering reference state (summation-factor method).

    Z = 1 - (p / p0) * (sum_j x_j s_j(T))^2, p0 = 101.325 kPa

    Units: T = reference.t_k [K] must be 0, 15, 15.55 (60 F) or 20 C; p = reference.p_pa [Pa].
    The summation factors s_j are defined at p0 (ISO 6976:2016 Table 2, eq. for Z_mix); other
    pressures scale the virial term linearly, valid for about 90 to 110 kPa. Validity: as
    ISO 6976:2016 (natural gases with Z >= 0.9 at the reference state).
    Reference: ISO 6976:2016, clause 5 and Table 2.
    """
    j = comp.summation_factor_column(reference.t_k)
    s_sum = _x(fractions) @ comp.SUMMATION_FACTOR[:, j]
    return np.asarray(1.0 - (reference.p_pa / comp.SUMMATION_PRESSURE_PA) * s_sum**2)


def relative_density(fractions: ArrayLike, reference: StandardConditions) -> NDArray[np.float64]:
    """Real-gas relative density (specific gravity) d = rho_gas / rho_air at the reference state [-].

    d = (M / M_air) * Z_air(T, p) / Z_gas(T, p)

    M_air = 28.96546 g/mol and Z_air from ISO 6976:2016. Validity: as :func:`z_standard` (metering
    at 0, 15, 15.55 or 20 C near 101.325 kPa). Reference: ISO 6976:2016, clause 8.
    """
    m = molar_mass_kg_per_mol(fractions)
    z_gas = z_standard(fractions, reference)
    z_a = comp.z_air(reference.t_k, reference.p_pa)
    return np.asarray(m / comp.MOLAR_MASS_AIR_KG_PER_MOL * z_a / z_gas)


def density_kg_per_m3(fractions: ArrayLike, reference: StandardConditions) -> NDArray[np.float64]:
    """Real-gas density at the metering reference state [kg/m3].

    rho = p M / (Z R T), R = 8.3144621 J/(mol K). Validity: as :func:`z_standard`.
    Reference: ISO 6976:2016, clause 8.
    """
    m = molar_mass_kg_per_mol(fractions)
    z = z_standard(fractions, reference)
    return np.asarray(reference.p_pa * m / (z * comp.R_ISO6976 * reference.t_k))


def molar_heating_value_j_per_mol(
    fractions: ArrayLike, combustion_t_k: float, gross: bool = True
) -> NDArray[np.float64]:
    """Ideal-gas molar gross (superior) or net (inferior) heating value [J/mol].

    H = sum_j x_j H_j(t1), t1 = combustion reference temperature (15, 15.55, 20 or 25 C; InputError
    otherwise). Ideal-gas values, exact for any mixture of the 21 components.
    Reference: ISO 6976:2016, clause 6 and Table 3.
    """
    j = comp.heating_value_column(combustion_t_k)
    table = comp.GROSS_HEATING_VALUE_J_PER_MOL if gross else comp.NET_HEATING_VALUE_J_PER_MOL
    return np.asarray(_x(fractions) @ table[:, j])


def mass_heating_value_j_per_kg(fractions: ArrayLike, combustion_t_k: float, gross: bool = True) -> NDArray[np.float64]:
    """Mass-based gross or net heating value [J/kg]: H_m = H_molar / M.

    Validity: as :func:`molar_heating_value_j_per_mol`. Reference: ISO 6976:2016, clause 7.
    """
    return np.asarray(
        molar_heating_value_j_per_mol(fractions, combustion_t_k, gross) / molar_mass_kg_per_mol(fractions)
    )


def volumetric_heating_value_j_per_m3(
    fractions: ArrayLike, reference: StandardConditions, gross: bool = True
) -> NDArray[np.float64]:
    """Real-gas volumetric gross or net heating value [J/m3] at the reference metering state.

    H_v = H_molar(t1) * p / (Z R T), with t1 = reference.combustion_t_k, (T, p) the metering state
    and Z the compression factor from :func:`z_standard`. Validity: as :func:`z_standard` and
    :func:`molar_heating_value_j_per_mol`. Reference: ISO 6976:2016, clause 8.
    """
    h = molar_heating_value_j_per_mol(fractions, reference.combustion_t_k, gross)
    z = z_standard(fractions, reference)
    return np.asarray(h * reference.p_pa / (z * comp.R_ISO6976 * reference.t_k))


def wobbe_index_j_per_m3(
    fractions: ArrayLike, reference: StandardConditions, gross: bool = True
) -> NDArray[np.float64]:
    """Real-gas Wobbe index W = H_v / sqrt(d) [J/m3] (gross by default).

    H_v from :func:`volumetric_heating_value_j_per_m3`, d from :func:`relative_density`, both at the
    same reference conditions. Validity: as those two functions. Reference: ISO 6976:2016, clause 9.
    """
    hv = volumetric_heating_value_j_per_m3(fractions, reference, gross)
    return np.asarray(hv / np.sqrt(relative_density(fractions, reference)))


def pseudo_critical(fractions: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Pseudo-critical temperature [K] and pressure [Pa] by Kay's rule.

    T_pc = sum_j x_j T_c,j, p_pc = sum_j x_j p_c,j

    Reference: W. B. Kay, Ind. Eng. Chem. 28 (1936) 1014. Validity: sweet natural gases; for sour
    gas (CO2 + H2S above a few %) a Wichert-Aziz correction is normally applied (not done here).
    """
    x = _x(fractions)
    return np.asarray(x @ comp.CRITICAL_TEMPERATURE_K), np.asarray(x @ comp.CRITICAL_PRESSURE_PA)
