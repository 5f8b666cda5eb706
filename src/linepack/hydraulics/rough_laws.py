"""Darcy friction factors that depend on the pipe only, not on the flow.

Nikuradse's rough-pipe law (in the variant pandapipes uses, with its laminar term), the AGA
fully-turbulent law and the Weymouth equation written as an equivalent Darcy friction factor.
Each function takes numpy arrays of equal shape and returns (lambda [-], dlambda/dRe [-]).

Transmission factor and Darcy friction factor: Menon (2005) writes the general flow equation with
the transmission factor :math:`F = 2/\\sqrt{\\lambda}` (``lambda`` the Darcy factor; equivalently
:math:`F = 1/\\sqrt{f_{Fanning}}`, since :math:`f_{Fanning} = \\lambda/4`). Hence
:math:`\\lambda = 4/F^2`. Check: with this F, Menon's form of Colebrook,
:math:`F = -4\\log_{10}(k/(3.7D) + 1.255F/Re)`, is the Darcy Colebrook-White equation exactly.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray

from .constants import INCH_M

F64 = NDArray[np.float64]

#: Weymouth transmission factor F = 11.18 D^(1/6), D in inches (Menon 2005, US customary units).
WEYMOUTH_F_COEFFICIENT: Final[float] = 11.18


def nikuradse_pandapipes(re: F64, rel_roughness: F64) -> tuple[F64, F64]:
    r"""Nikuradse rough-pipe law plus the Hagen-Poiseuille term, as pandapipes/STANET use it.

    .. math:: \lambda = \frac{64}{Re} + \left(2\log_{10}\frac{D}{k} + 1.14\right)^{-2},\qquad
              \frac{d\lambda}{dRe} = -\frac{64}{Re^2}

    This is the variant of pandapipes' ``"nikuradse"`` friction model, which the pandapipes/STANET
    reference cases (suffix ``_N``) were computed with; it is applied at every Reynolds number, so
    it needs no laminar-turbulent blend (:math:`\lambda Re^2 = 64 Re + c Re^2` is smooth through
    zero flow). The pure Nikuradse law is the second term alone, recovered for Re -> infinity.

    Args:
        re: Reynolds number [-], > 0.
        rel_roughness: relative roughness k/D [-], > 0 (k = 0 is not defined for this law).

    Returns:
        (lambda [-], dlambda/dRe [-]).

    Validity: fully rough turbulent flow (Re * k/D above about 1e3 to 2e3); below that it
    underestimates friction compared with Colebrook-White.

    Reference: Nikuradse, J. (1933), "Stroemungsgesetze in rauhen Rohren", VDI-Forschungsheft 361;
    pandapipes (e2nIEE/pandapipes), friction model "nikuradse".

    >>> lam, _ = nikuradse_pandapipes(np.array([1.0e6]), np.array([1.0e-4]))
    >>> round(float(lam[0]), 6)
    0.012034
    """
    rough = (1.14 - 2.0 * np.log10(rel_roughness)) ** -2
    lam = 64.0 / re + rough
    dlam = -64.0 / re**2
    return lam, dlam


def nikuradse_rough(re: F64, rel_roughness: F64) -> tuple[F64, F64]:
    r"""Nikuradse's rough-pipe law, the textbook form (fully rough turbulent flow).

    .. math:: \frac{1}{\sqrt\lambda} = 2\log_{10}\frac{D}{k} + 1.14,\qquad \frac{d\lambda}{dRe} = 0

    Unlike :func:`nikuradse_pandapipes` it has no laminar term: :func:`~linepack.hydraulics.friction.darcy_friction`
    applies Hagen-Poiseuille below Re 2000 and its blend up to 4000, as for the other turbulent laws.

    Args:
        re: Reynolds number [-] (not used; kept for a uniform signature).
        rel_roughness: relative roughness k/D [-], > 0.

    Returns:
        (lambda [-], dlambda/dRe [-] = 0).

    Validity: fully rough flow, Re k/D above about 1e3 to 2e3 (Moody); below, Colebrook-White.

    Reference: Nikuradse, J. (1933), "Stroemungsgesetze in rauhen Rohren", VDI-Forschungsheft 361;
    Schlichting, H. (1979), "Boundary-Layer Theory", 7th ed., eq. 20.33.

    >>> lam, _ = nikuradse_rough(np.array([1.0e6]), np.array([1.0e-4]))
    >>> round(float(lam[0]), 6)
    0.01197
    """
    lam = (1.14 - 2.0 * np.log10(rel_roughness)) ** -2 + 0.0 * re
    return lam, np.zeros_like(lam)


def aga_fully_turbulent(re: F64, rel_roughness: F64) -> tuple[F64, F64]:
    r"""AGA fully turbulent (rough-pipe) law as an equivalent Darcy friction factor.

    AGA NB-13 (Menon 2005, ch. 2): :math:`F = 4\log_{10}(3.7 D/k)`; with :math:`\lambda = 4/F^2`

    .. math:: \frac{1}{\sqrt\lambda} = 2\log_{10}\frac{3.7 D}{k},\qquad \frac{d\lambda}{dRe} = 0

    (the fully rough limit of Colebrook-White). The AGA partially turbulent branch with the drag
    factor is not included.

    Args:
        re: Reynolds number [-] (not used; kept for a uniform signature).
        rel_roughness: relative roughness k/D [-], > 0.

    Returns:
        (lambda [-], dlambda/dRe [-] = 0).

    Validity: fully turbulent flow, Re above the smooth-rough transition, roughly
    Re > 560 / (k/D) (Moody); elsewhere it underestimates friction.

    Reference: AGA NB-13 committee report, "Steady flow in gas pipelines" (1965), as given by Menon,
    E. S. (2005), "Gas Pipeline Hydraulics", CRC Press, ch. 2.

    >>> lam, _ = aga_fully_turbulent(np.array([1.0e7]), np.array([1.0e-4]))
    >>> round(float(lam[0]), 6)
    0.01198
    """
    lam = (2.0 * np.log10(3.7 / rel_roughness)) ** -2 + 0.0 * re
    return lam, np.zeros_like(lam)


def weymouth(re: F64, diameter_m: F64) -> tuple[F64, F64]:
    r"""Weymouth equation as an equivalent Darcy friction factor.

    Menon (2005) gives the Weymouth transmission factor :math:`F = 11.18\,d^{1/6}` with d the inner
    diameter in inches; with :math:`\lambda = 4/F^2`

    .. math:: \lambda = \frac{4}{11.18^2\,(D/0.0254\,\mathrm{m})^{1/3}}
              \approx \frac{0.032}{d_{in}^{1/3}},\qquad \frac{d\lambda}{dRe} = 0

    (the classic Weymouth friction factor). Inserted in the isothermal pipe law it gives the
    Weymouth flow equation :math:`Q \propto D^{8/3}`.

    Args:
        re: Reynolds number [-] (not used; kept for a uniform signature).
        diameter_m: inner diameter D [m], > 0.

    Returns:
        (lambda [-], dlambda/dRe [-] = 0).

    Validity: fully turbulent, high-pressure, high-flow transmission lines; it overestimates
    friction (is conservative) for large diameters, D > about 0.5 m (Menon 2005).

    Reference: Weymouth, T. R. (1912), Trans. ASME 34; Menon, E. S. (2005), "Gas Pipeline
    Hydraulics", CRC Press, ch. 2 (transmission factor form).

    >>> lam, _ = weymouth(np.array([1.0e7]), np.array([0.34]))
    >>> round(float(lam[0]), 6)
    0.013478
    """
    lam = 4.0 / (WEYMOUTH_F_COEFFICIENT**2 * np.cbrt(diameter_m / INCH_M)) + 0.0 * re
    return lam, np.zeros_like(lam)
