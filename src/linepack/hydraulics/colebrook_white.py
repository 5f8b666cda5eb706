"""Turbulent Darcy friction factor of the Colebrook-White family.

Colebrook-White (implicit, solved by Newton) and its two explicit approximations used in gas
practice, Swamee-Jain and Hofer. Every function takes numpy arrays of equal shape and returns the
Darcy friction factor ``lambda`` [-] and its derivative ``dlambda/dRe`` [-], element by element,
without Python loops over elements.

These are the *turbulent* formulas only. :func:`linepack.hydraulics.darcy_friction` adds the
laminar branch, the laminar-turbulent blend and the pipeline efficiency.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]

_LN10: Final[float] = float(np.log(10.0))
#: Newton steps on x = lambda^-1/2, started from Swamee-Jain. Measured against 10 steps over
#: 2e3 <= Re <= 1e10, 0 <= k/D <= 0.05: largest relative difference in lambda 4e-5 after 1 step,
#: 8e-11 after 2, 7e-16 after 3, 0 after 4. Four steps: converged to machine precision.
COLEBROOK_NEWTON_STEPS: Final[int] = 4


def swamee_jain(re: F64, rel_roughness: F64) -> tuple[F64, F64]:
    r"""Swamee-Jain explicit approximation of Colebrook-White.

    .. math:: \lambda = \frac{0.25}{\left[\log_{10}\left(\frac{k/D}{3.7}
              + \frac{5.74}{Re^{0.9}}\right)\right]^2}

    Args:
        re: Reynolds number [-], > 0.
        rel_roughness: relative roughness k/D [-], >= 0.

    Returns:
        (lambda [-], dlambda/dRe [-]).

    Validity: 5e3 <= Re <= 1e8 and 1e-6 <= k/D <= 1e-2. Measured deviation from Colebrook-White
    there: at most 2.8 % (at Re = 5e3, k/D = 1e-2), at most 1.6 % for k/D <= 1e-3.

    Reference: Swamee, P. K. and Jain, A. K. (1976), "Explicit equations for pipe-flow problems",
    J. Hydraulics Division ASCE 102(HY5), 657-664.

    >>> lam, dlam = swamee_jain(np.array([1.0e5]), np.array([1.0e-4]))
    >>> round(float(lam[0]), 5)
    0.01845
    """
    u = rel_roughness / 3.7 + 5.74 * re**-0.9
    log_u = np.log10(u)
    lam = 0.25 / log_u**2
    du = -0.9 * 5.74 * re**-1.9
    dlam = -0.5 / log_u**3 * du / (u * _LN10)
    return lam, dlam


def hofer(re: F64, rel_roughness: F64) -> tuple[F64, F64]:
    r"""Hofer (1973) explicit approximation of Colebrook-White (German gas practice).

    .. math:: \lambda = \left[2\log_{10}\left(\frac{4.518}{Re}\log_{10}\frac{Re}{7}
              + \frac{k}{3.71 D}\right)\right]^{-2}

    Args:
        re: Reynolds number [-], > 7.
        rel_roughness: relative roughness k/D [-], >= 0.

    Returns:
        (lambda [-], dlambda/dRe [-]).

    Validity: turbulent flow, Re >= 4e3, the range of Colebrook-White. Measured deviation from
    Colebrook-White for 4e3 <= Re <= 1e8, 1e-6 <= k/D <= 1e-2: at most 2.0 % (near Re = 6.5e3,
    k/D = 1e-2), at most 1.1 % for k/D <= 1e-3. The roughness term uses 3.71, not 3.7.

    Reference: Hofer, P. (1973), explicit form of the Prandtl-Colebrook law used in German gas-network
    calculation practice; Colebrook (1939) for the law it approximates.

    >>> lam, dlam = hofer(np.array([1.0e5]), np.array([1.0e-4]))
    >>> round(float(lam[0]), 5)
    0.01858
    """
    log_re7 = np.log10(re / 7.0)
    u = 4.518 * log_re7 / re + rel_roughness / 3.71
    log_u = np.log10(u)
    lam = 0.25 / log_u**2
    du = 4.518 / re**2 * (1.0 / _LN10 - log_re7)
    dlam = -0.5 / log_u**3 * du / (u * _LN10)
    return lam, dlam


def colebrook(re: F64, rel_roughness: F64, roughness_divisor: float = 3.7) -> tuple[F64, F64]:
    r"""Colebrook-White Darcy friction factor, solved by a fixed number of Newton steps.

    .. math:: \frac{1}{\sqrt\lambda} = -2\log_{10}\left(\frac{k/D}{a}
              + \frac{2.51}{Re\sqrt\lambda}\right),\qquad a = 3.7

    ``a = 3.7`` is the usual form (Moody's chart, the fluids library). German practice
    ("Prandtl-Colebrook" in DVGW work sheets, STANET, pandapipes) writes ``a = 3.71``; the two differ
    by at most about 0.1 % in lambda (7e-4 at k/D = 2e-3, Re = 2e6).

    Solved for :math:`x = \lambda^{-1/2}` from the Swamee-Jain value with
    :data:`COLEBROOK_NEWTON_STEPS` vectorised Newton steps (the residual is concave and increasing
    in x, so Newton converges monotonically after the first step); converged to better than 1e-12
    relative for 2e3 <= Re <= 1e10 and 0 <= k/D <= 0.05. The derivative follows from the implicit
    function theorem:

    .. math:: \frac{d\lambda}{dRe} = -2x^{-3}\frac{dx}{dRe},\quad
              \frac{dx}{dRe} = \frac{c\,b\,x/(u\,Re)}{1 + c\,b/u},\quad
              b = \frac{2.51}{Re},\ u = \frac{k/D}{3.7} + b x,\ c = \frac{2}{\ln 10}

    Args:
        re: Reynolds number [-], > 0 (call it for turbulent flow, Re >= 2e3).
        rel_roughness: relative roughness k/D [-], >= 0 (0: hydraulically smooth).
        roughness_divisor: the constant a [-] (3.7, or 3.71 for the Prandtl-Colebrook form).

    Returns:
        (lambda [-], dlambda/dRe [-]).

    Validity: turbulent flow, Re >= 4e3, any k/D up to about 0.05 (Moody's chart).

    Reference: Colebrook, C. F. (1939), "Turbulent flow in pipes, with particular reference to the
    transition region between the smooth and rough pipe laws", J. Institution of Civil Engineers
    11(4), 133-156.

    >>> lam, dlam = colebrook(np.array([1.0e5]), np.array([1.0e-4]))
    >>> round(float(lam[0]), 12)
    0.018513866077
    """
    a = rel_roughness / roughness_divisor
    b = 2.51 / re
    c = 2.0 / _LN10
    # start: x = 1/sqrt(lambda) of Swamee-Jain, 2 |log10(k/(3.7 D) + 5.74 Re^-0.9)| (no derivative needed)
    x = 2.0 * np.abs(np.log10(rel_roughness / 3.7 + 5.74 * re**-0.9))
    for _ in range(COLEBROOK_NEWTON_STEPS):
        u = a + b * x
        x = x - (x + 2.0 * np.log10(u)) / (1.0 + c * b / u)
    u = a + b * x
    lam = 1.0 / x**2
    dx = c * b * x / (u * re) / (1.0 + c * b / u)
    dlam = -2.0 / x**3 * dx
    return lam, dlam
