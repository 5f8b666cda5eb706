r"""Flow-dependent empirical gas-pipeline equations as an equivalent Darcy friction factor.

Panhandle A, Panhandle B and IGT have transmission factors that are powers of the flow
(Menon 2005, ch. 2). With :math:`F = 2/\sqrt\lambda` (Darcy ``lambda``) the equivalent friction
factor is :math:`\lambda = 4/F^2`. Inserted in the isothermal pipe law
:math:`p_1^2 - p_2^2 = \lambda L\,16 Z R T\,m|m|/(\pi^2 D^5 M)` these give back the published flow
equations, exponents included (for example Panhandle A: :math:`F = a X^{0.07305}` yields
:math:`Q \propto (T_b/P_b)^{1.0788} (\Delta p^2)^{0.5394} D^{2.6182} G^{-0.4606}`).

Panhandle A/B: F depends on the flow group :math:`X = Q_b G / D` (US customary: standard ft^3/day
per inch) with :math:`Q_b` the volume flow at the base conditions (:math:`T_b, P_b`) and G the
specific gravity. For an ideal gas at base conditions :math:`Q_b G = m R T_b/(P_b M_{air})`,
whatever the gas, and :math:`m/D = \pi\mu Re/4`, so

.. math:: X = \frac{\pi \mu R T_b}{4 P_b M_{air}}\,Re\ [\mathrm{m^3/s\ per\ m}]

The conversion needs the viscosity used to form Re: pass the same ``mu_pa_s`` that gave Re and
the law is exactly the published Panhandle equation. The base conditions are fixed at
:data:`~linepack.hydraulics.constants.PANHANDLE_BASE_T_K`,
:data:`~linepack.hydraulics.constants.PANHANDLE_BASE_P_PA` (in the published equations the
mass flow depends weakly on the base chosen, as :math:`(T_b/P_b)^{0.079}` for Panhandle A).

IGT: F is a power of the Reynolds number itself, :math:`F = 4.619\,Re^{0.1}`, which reproduces
the IGT distribution equation :math:`Q \propto D^{8/3} (\Delta p^2)^{5/9} G^{-4/9} \mu^{-1/9}`.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from .constants import (
    DAY_S,
    FOOT_M,
    GAS_CONSTANT_J_PER_MOL_K,
    INCH_M,
    MOLAR_MASS_AIR_KG_PER_MOL,
    PANHANDLE_BASE_P_PA,
    PANHANDLE_BASE_T_K,
)

F64 = NDArray[np.float64]

#: Panhandle A: F = 7.2111 (Q G / D)^0.07305, Q in standard ft^3/day, D in inches (Menon 2005).
PANHANDLE_A_COEFFICIENT: Final[float] = 7.2111
PANHANDLE_A_EXPONENT: Final[float] = 0.07305
#: Panhandle B: F = 16.70 (Q G / D)^0.01961, same units (Menon 2005). Menon's SI form,
#: F = 19.08 (Q G / D)^0.01961 with Q in m^3/day and D in mm, is the same law:
#: 19.08 = 16.70 * (25.4 / 0.3048^3)^0.01961 (likewise Panhandle A: 11.85 = 7.2111 * 897^0.07305).
PANHANDLE_B_COEFFICIENT: Final[float] = 16.70
PANHANDLE_B_EXPONENT: Final[float] = 0.01961
#: IGT: F = 4.619 Re^0.1 (SI Reynolds number, Re = 4|m|/(pi D mu)).
IGT_COEFFICIENT: Final[float] = 4.619
IGT_EXPONENT: Final[float] = 0.1

#: (standard ft^3/day per inch) per (standard m^3/s per m).
_USCS_FLOW_GROUP_PER_SI: Final[float] = DAY_S * INCH_M / FOOT_M**3
#: X_uscs = _FLOW_GROUP_PER_RE_MU * mu * Re.
_FLOW_GROUP_PER_RE_MU: Final[float] = (
    np.pi * GAS_CONSTANT_J_PER_MOL_K * PANHANDLE_BASE_T_K
    / (4.0 * PANHANDLE_BASE_P_PA * MOLAR_MASS_AIR_KG_PER_MOL)
    * _USCS_FLOW_GROUP_PER_SI
)


def panhandle_flow_group(re: npt.ArrayLike, mu_pa_s: npt.ArrayLike) -> F64:
    r"""Panhandle flow group X = Q_b G / D [standard ft^3/day per inch] from Re and viscosity.

    .. math:: X = \frac{\pi\mu R T_b}{4 P_b M_{air}} Re \times \frac{86400 \cdot 0.0254}{0.3048^3}

    with :math:`T_b = 288.7` K, :math:`P_b = 101325` Pa, ideal gas at base conditions.

    Args:
        re: Reynolds number [-].
        mu_pa_s: dynamic viscosity used to form Re [Pa s].

    Returns:
        X [ft^3/(day in)].

    Reference: Menon, E. S. (2005), "Gas Pipeline Hydraulics", CRC Press, ch. 2 (Reynolds number
    in terms of the standard flow rate).
    """
    return np.asarray(_FLOW_GROUP_PER_RE_MU * np.asarray(mu_pa_s) * np.asarray(re), dtype=np.float64)


def _power_law(re: F64, scale: F64 | float, coefficient: float, exponent: float) -> tuple[F64, F64]:
    """lambda = 4 / (coefficient * (scale*Re)^exponent)^2 and its derivative in Re."""
    f = coefficient * (scale * re) ** exponent
    lam = 4.0 / f**2
    dlam = -2.0 * exponent * lam / re
    return lam, dlam


def panhandle_a(re: F64, mu_pa_s: F64 | float) -> tuple[F64, F64]:
    r"""Panhandle A equation as an equivalent Darcy friction factor.

    .. math:: F = 7.2111\,X^{0.07305},\quad \lambda = 4/F^2,\quad
              \frac{d\lambda}{dRe} = -2(0.07305)\frac{\lambda}{Re}

    X from :func:`panhandle_flow_group`. The pipeline efficiency is applied by
    :func:`~linepack.hydraulics.darcy_friction`.

    Args:
        re: Reynolds number [-], > 0.
        mu_pa_s: viscosity used to form Re [Pa s].

    Returns:
        (lambda [-], dlambda/dRe [-]).

    Validity: large-diameter, high-pressure transmission lines in partially turbulent flow,
    Re about 5e6 to 1.1e7 (Menon 2005); the usual efficiency is E = 0.90-0.95.

    Reference: Menon, E. S. (2005), "Gas Pipeline Hydraulics", CRC Press, ch. 2.

    >>> lam, _ = panhandle_a(np.array([1.0e7]), 1.1e-5)
    >>> round(float(lam[0]), 5)
    0.00797
    """
    return _power_law(re, _FLOW_GROUP_PER_RE_MU * mu_pa_s, PANHANDLE_A_COEFFICIENT, PANHANDLE_A_EXPONENT)


def panhandle_b(re: F64, mu_pa_s: F64 | float) -> tuple[F64, F64]:
    r"""Panhandle B (revised Panhandle) equation as an equivalent Darcy friction factor.

    .. math:: F = 16.70\,X^{0.01961},\quad \lambda = 4/F^2,\quad
              \frac{d\lambda}{dRe} = -2(0.01961)\frac{\lambda}{Re}

    X from :func:`panhandle_flow_group`.

    Args:
        re: Reynolds number [-], > 0.
        mu_pa_s: viscosity used to form Re [Pa s].

    Returns:
        (lambda [-], dlambda/dRe [-]).

    Validity: large-diameter, high-pressure transmission lines in fully turbulent flow,
    Re about 4e6 to 4e7 (Menon 2005); the usual efficiency is E = 0.88-0.94.

    Reference: Menon, E. S. (2005), "Gas Pipeline Hydraulics", CRC Press, ch. 2.

    >>> lam, _ = panhandle_b(np.array([1.0e7]), 1.1e-5)
    >>> round(float(lam[0]), 5)
    0.0078
    """
    return _power_law(re, _FLOW_GROUP_PER_RE_MU * mu_pa_s, PANHANDLE_B_COEFFICIENT, PANHANDLE_B_EXPONENT)


def igt(re: F64) -> tuple[F64, F64]:
    r"""IGT distribution equation as an equivalent Darcy friction factor.

    .. math:: F = 4.619\,Re^{0.1},\quad \lambda = \frac{4}{4.619^2}Re^{-0.2},\quad
              \frac{d\lambda}{dRe} = -0.2\frac{\lambda}{Re}

    (a smooth-pipe power law, close to Blasius'). Gives the IGT equation
    :math:`Q \propto D^{8/3}(\Delta p^2)^{5/9} G^{-4/9}\mu^{-1/9}` with E = 1.

    Args:
        re: Reynolds number [-], > 0.

    Returns:
        (lambda [-], dlambda/dRe [-]).

    Validity: smooth-pipe turbulent flow in distribution and small transmission lines;
    for large rough pipes it underestimates friction.

    Reference: Institute of Gas Technology distribution equation, as given by Menon, E. S. (2005),
    "Gas Pipeline Hydraulics", CRC Press, ch. 2.

    >>> lam, _ = igt(np.array([1.0e6]))
    >>> round(float(lam[0]), 5)
    0.01183
    """
    return _power_law(re, 1.0, IGT_COEFFICIENT, IGT_EXPONENT)
