r"""Coefficients of the general isothermal gas pipe law with elevation.

.. math:: p_{in}^2 - e^s p_{out}^2 = \lambda\,K\,m|m|,\qquad
          K = \frac{16 Z R T L_e}{\pi^2 D^5 M},\qquad
          s = \frac{2 g\,\Delta h\,M}{Z R T},\qquad L_e = L\frac{e^s - 1}{s}

m mass flow [kg/s] (positive from inlet to outlet), Delta h = h_out - h_in [m], Z and T mean
values along the pipe. Steady, isothermal, kinetic energy change neglected (see
:func:`~linepack.hydraulics.pipe_flow.pipe_flow_rate` for the optional kinetic term).

Reference: Menon, E. S. (2005), "Gas Pipeline Hydraulics", CRC Press, ch. 2 (general flow
equation, elevation adjustment and equivalent length).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from .constants import GAS_CONSTANT_J_PER_MOL_K, STANDARD_GRAVITY_M_S2

F64 = NDArray[np.float64]


def elevation_exponent(
    dh_m: npt.ArrayLike, t_k: npt.ArrayLike, z: npt.ArrayLike, molar_mass_kg_per_mol: npt.ArrayLike
) -> F64:
    r"""Elevation exponent s of the isothermal pipe law.

    .. math:: s = \frac{2 g\,\Delta h\,M}{Z R T}

    Args:
        dh_m: outlet height minus inlet height [m].
        t_k: mean gas temperature [K].
        z: mean compressibility factor [-].
        molar_mass_kg_per_mol: gas molar mass [kg/mol].

    Returns:
        s [-].

    Validity: isothermal gas column with constant Z (Menon 2005, ch. 2).

    >>> round(float(elevation_exponent(100.0, 288.15, 0.9, 0.018)), 6)
    0.016373
    """
    g = STANDARD_GRAVITY_M_S2
    return np.asarray(
        2.0 * g * np.asarray(dh_m) * np.asarray(molar_mass_kg_per_mol)
        / (np.asarray(z) * GAS_CONSTANT_J_PER_MOL_K * np.asarray(t_k)),
        dtype=np.float64,
    )


def effective_length_m(length_m: npt.ArrayLike, s: npt.ArrayLike) -> F64:
    r"""Equivalent length of an inclined pipe.

    .. math:: L_e = L\,\frac{e^s - 1}{s}\quad (L_e = L \text{ for } s = 0)

    Evaluated with ``expm1`` (a series for |s| < 1e-8), so it is accurate and smooth through s = 0.

    Args:
        length_m: pipe length L [m].
        s: elevation exponent [-] (:func:`elevation_exponent`).

    Returns:
        L_e [m].

    >>> round(float(effective_length_m(1000.0, 0.02)), 6)
    1010.067001
    """
    s_a = np.asarray(s, dtype=np.float64)
    small = np.abs(s_a) < 1e-8
    s_safe = np.where(small, 1.0, s_a)
    factor = np.where(small, 1.0 + 0.5 * s_a, np.expm1(s_safe) / s_safe)
    return np.asarray(np.asarray(length_m) * factor, dtype=np.float64)


def pipe_law_coefficients(
    length_m: npt.ArrayLike,
    diameter_m: npt.ArrayLike,
    t_k: npt.ArrayLike,
    z: npt.ArrayLike,
    molar_mass_kg_per_mol: npt.ArrayLike,
    dh_m: npt.ArrayLike = 0.0,
) -> tuple[F64, F64]:
    r"""Coefficients (K, e^s) of :math:`p_{in}^2 - e^s p_{out}^2 = \lambda K m|m|`.

    .. math:: K = \frac{16 Z R T L_e}{\pi^2 D^5 M}\ [\mathrm{Pa^2\,s^2/kg^2}]

    Args:
        length_m: pipe length [m].
        diameter_m: inner diameter [m].
        t_k: mean gas temperature [K].
        z: mean compressibility factor [-].
        molar_mass_kg_per_mol: gas molar mass [kg/mol].
        dh_m: outlet height minus inlet height [m].

    Returns:
        (K [Pa^2 s^2 / kg^2], e^s [-]).
    """
    s = elevation_exponent(dh_m, t_k, z, molar_mass_kg_per_mol)
    l_e = effective_length_m(length_m, s)
    d = np.asarray(diameter_m, dtype=np.float64)
    k = (
        16.0 * np.asarray(z) * GAS_CONSTANT_J_PER_MOL_K * np.asarray(t_k) * l_e
        / (np.pi**2 * d**5 * np.asarray(molar_mass_kg_per_mol))
    )
    return np.asarray(k, dtype=np.float64), np.exp(s)


def ideal_gas_density_kg_m3(
    p_pa: npt.ArrayLike, t_k: npt.ArrayLike, molar_mass_kg_per_mol: npt.ArrayLike, z: npt.ArrayLike = 1.0
) -> F64:
    r"""Gas density from the real-gas law.

    .. math:: \rho = \frac{p M}{Z R T}

    Args:
        p_pa: absolute pressure [Pa].
        t_k: temperature [K].
        molar_mass_kg_per_mol: molar mass [kg/mol].
        z: compressibility factor [-] (1: ideal gas, the usual choice at standard conditions).

    Returns:
        density [kg/m^3].

    >>> round(float(ideal_gas_density_kg_m3(101325.0, 288.15, 0.62 * 0.0289647)), 4)
    0.7595
    """
    return np.asarray(
        np.asarray(p_pa) * np.asarray(molar_mass_kg_per_mol)
        / (np.asarray(z) * GAS_CONSTANT_J_PER_MOL_K * np.asarray(t_k)),
        dtype=np.float64,
    )
