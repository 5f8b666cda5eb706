r"""Compressor station physics: isentropic head, shaft power with derivatives, fuel, discharge temperature.

Ideal-gas isentropic compression with a constant isentropic exponent kappa and the suction
compressibility Z (GPSA Engineering Data Book, section 13; Menon 2005, compressor stations):

.. math:: H_{is} = \frac{Z_s R T_s}{M}\frac{\kappa}{\kappa-1}\left(r^{(\kappa-1)/\kappa} - 1\right),
          \qquad r = p_d/p_s

Validity: single-stage (or per-stage) compression of a gas far from its critical point,
kappa > 1 and roughly constant over the stage.
The functions do not reject r < 1 or m < 0: they return the same formulas (a negative head or
power) and the caller must constrain the station (bypass, recycle, minimum flow).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from .constants import GAS_CONSTANT_J_PER_MOL_K

F64 = NDArray[np.float64]


def _a(x: npt.ArrayLike) -> F64:
    return np.asarray(x, dtype=np.float64)


def isentropic_head_j_per_kg(
    p_suction_pa: npt.ArrayLike,
    p_discharge_pa: npt.ArrayLike,
    t_suction_k: npt.ArrayLike,
    z_suction: npt.ArrayLike,
    molar_mass: npt.ArrayLike,
    kappa: npt.ArrayLike,
) -> F64:
    r"""Isentropic (adiabatic) head of a compressor.

    .. math:: H_{is} = \frac{Z_s R T_s}{M}\frac{\kappa}{\kappa-1}\left(r^{(\kappa-1)/\kappa} - 1\right)

    :math:`r^{x} - 1` is evaluated as ``expm1(x ln r)``: exactly 0 for r = 1, accurate near it.

    Args:
        p_suction_pa: suction pressure, absolute [Pa], > 0.
        p_discharge_pa: discharge pressure, absolute [Pa], > 0.
        t_suction_k: suction temperature [K].
        z_suction: compressibility factor at suction [-].
        molar_mass: gas molar mass [kg/mol].
        kappa: isentropic exponent cp/cv [-], > 1.

    Returns:
        head [J/kg].

    Reference: GPSA Engineering Data Book, section 13 (Compressors and Expanders); Menon, E. S.
    (2005), "Gas Pipeline Hydraulics", CRC Press, chapter on compressor stations.

    >>> round(float(isentropic_head_j_per_kg(5.0e6, 7.0e6, 298.15, 0.9, 0.018, 1.3)), 1)
    43366.9
    """
    k = _a(kappa)
    x = (k - 1.0) / k
    log_r = np.log(_a(p_discharge_pa) / _a(p_suction_pa))
    zrt_m = _a(z_suction) * GAS_CONSTANT_J_PER_MOL_K * _a(t_suction_k) / _a(molar_mass)
    return np.asarray(zrt_m / x * np.expm1(x * log_r), dtype=np.float64)


def compressor_power_w(
    m_kg_s: npt.ArrayLike,
    p_suction_pa: npt.ArrayLike,
    p_discharge_pa: npt.ArrayLike,
    t_suction_k: npt.ArrayLike,
    z_suction: npt.ArrayLike,
    molar_mass: npt.ArrayLike,
    kappa: npt.ArrayLike,
    isentropic_efficiency: npt.ArrayLike,
    mechanical_efficiency: npt.ArrayLike = 1.0,
) -> tuple[F64, F64, F64, F64]:
    r"""Shaft power of a compressor and its partial derivatives.

    .. math:: P = \frac{m H_{is}}{\eta_{is}\eta_{mech}},\qquad
              \frac{\partial P}{\partial m} = \frac{H_{is}}{\eta_{is}\eta_{mech}},

    .. math:: \frac{\partial P}{\partial p_s} = -\frac{m}{\eta_{is}\eta_{mech}}
              \frac{Z_s R T_s}{M}\frac{r^{(\kappa-1)/\kappa}}{p_s},\qquad
              \frac{\partial P}{\partial p_d} = \frac{m}{\eta_{is}\eta_{mech}}
              \frac{Z_s R T_s}{M}\frac{r^{(\kappa-1)/\kappa}}{p_d}

    The derivatives treat Z_s, T_s, kappa and the efficiencies as constants (Z's own pressure
    dependence is left to the caller). At r = 1 the power is exactly 0 (the pressure derivatives
    are not); at m = 0 the power and its pressure derivatives are 0.

    Args:
        m_kg_s: mass flow through the compressor [kg/s] (>= 0 for a running unit).
        p_suction_pa: suction pressure, absolute [Pa].
        p_discharge_pa: discharge pressure, absolute [Pa].
        t_suction_k: suction temperature [K].
        z_suction: compressibility at suction [-].
        molar_mass: gas molar mass [kg/mol].
        kappa: isentropic exponent [-], > 1.
        isentropic_efficiency: eta_is [-], 0 < eta_is <= 1.
        mechanical_efficiency: eta_mech [-], 0 < eta_mech <= 1.

    Returns:
        (P [W], dP/dm [J/kg], dP/dp_s [W/Pa], dP/dp_d [W/Pa]).

    Reference: GPSA Engineering Data Book, section 13; Menon, E. S. (2005), "Gas Pipeline
    Hydraulics", CRC Press, chapter on compressor stations.

    >>> p, dp_dm, dp_dps, dp_dpd = compressor_power_w(100.0, 5.0e6, 7.0e6, 298.15, 0.9, 0.018, 1.3, 0.8)
    >>> round(float(p) / 1e6, 4)
    5.4209
    """
    k = _a(kappa)
    x = (k - 1.0) / k
    ps = _a(p_suction_pa)
    pd = _a(p_discharge_pa)
    m = _a(m_kg_s)
    eta = _a(isentropic_efficiency) * _a(mechanical_efficiency)
    zrt_m = _a(z_suction) * GAS_CONSTANT_J_PER_MOL_K * _a(t_suction_k) / _a(molar_mass)
    log_r = np.log(pd / ps)
    head = zrt_m / x * np.expm1(x * log_r)
    r_x = np.exp(x * log_r)
    power = m * head / eta
    dp_dm = head / eta
    dp_dps = -m / eta * zrt_m * r_x / ps
    dp_dpd = m / eta * zrt_m * r_x / pd
    return (
        np.asarray(power, dtype=np.float64),
        np.asarray(dp_dm, dtype=np.float64),
        np.asarray(dp_dps, dtype=np.float64),
        np.asarray(dp_dpd, dtype=np.float64),
    )


def fuel_mass_flow_kg_s(
    power_w: npt.ArrayLike,
    driver_efficiency: npt.ArrayLike,
    lower_heating_value_j_per_kg: npt.ArrayLike,
) -> tuple[F64, F64]:
    r"""Fuel gas burnt by the compressor driver (gas turbine or gas engine).

    .. math:: m_{fuel} = \frac{P}{\eta_{driver}\,LHV},\qquad
              \frac{dm_{fuel}}{dP} = \frac{1}{\eta_{driver}\,LHV}

    Multiply the second value by the power derivatives of :func:`compressor_power_w` to get the
    fuel derivatives (chain rule).

    Args:
        power_w: shaft power delivered by the driver [W].
        driver_efficiency: thermal efficiency of the driver on LHV basis [-], 0 < eta <= 1.
        lower_heating_value_j_per_kg: fuel lower heating value [J/kg].

    Returns:
        (fuel mass flow [kg/s], dfuel/dP [kg/J]).

    Reference: GPSA Engineering Data Book, section 15 (Prime Movers); Menon, E. S. (2005),
    "Gas Pipeline Hydraulics", CRC Press, chapter on compressor stations.

    >>> fuel, dfuel = fuel_mass_flow_kg_s(10.0e6, 0.35, 47.0e6)
    >>> round(float(fuel), 4)
    0.6079
    """
    factor = 1.0 / (_a(driver_efficiency) * _a(lower_heating_value_j_per_kg))
    return np.asarray(_a(power_w) * factor, dtype=np.float64), np.asarray(
        factor * np.ones_like(_a(power_w)), dtype=np.float64
    )


def discharge_temperature_k(
    t_suction_k: npt.ArrayLike,
    p_suction_pa: npt.ArrayLike,
    p_discharge_pa: npt.ArrayLike,
    kappa: npt.ArrayLike,
    isentropic_efficiency: npt.ArrayLike = 1.0,
) -> F64:
    r"""Discharge temperature of a compressor stage.

    .. math:: T_d = T_s\left(1 + \frac{r^{(\kappa-1)/\kappa} - 1}{\eta_{is}}\right)

    Args:
        t_suction_k: suction temperature [K].
        p_suction_pa: suction pressure, absolute [Pa].
        p_discharge_pa: discharge pressure, absolute [Pa].
        kappa: isentropic exponent [-], > 1.
        isentropic_efficiency: eta_is [-] (1: isentropic discharge temperature).

    Returns:
        discharge temperature [K] (equal to the suction temperature at r = 1).

    Validity: ideal-gas stage with constant kappa (no aftercooling).

    Reference: GPSA Engineering Data Book, section 13; Menon, E. S. (2005), "Gas Pipeline
    Hydraulics", CRC Press, chapter on compressor stations.

    >>> round(float(discharge_temperature_k(298.15, 5.0e6, 7.0e6, 1.3, 0.8)), 2)
    328.24
    """
    k = _a(kappa)
    x = (k - 1.0) / k
    rise = np.expm1(x * np.log(_a(p_discharge_pa) / _a(p_suction_pa))) / _a(isentropic_efficiency)
    return np.asarray(_a(t_suction_k) * (1.0 + rise), dtype=np.float64)
