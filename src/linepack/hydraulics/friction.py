r"""Darcy friction factor of every pipe law, with its derivative in Re, for the network solver.

One entry point, :func:`darcy_friction`, returns ``lambda`` and ``dlambda/dRe`` for a whole array
of pipes sharing one :class:`FrictionLaw` (:func:`darcy_friction_by_code` handles an array of law
codes). It is the friction factor of the general isothermal pipe law

.. math:: p_{in}^2 - e^s p_{out}^2 = \lambda\,L_e\,\frac{16 Z R T}{\pi^2 D^5 M}\,m|m|,\qquad
          Re = \frac{4|m|}{\pi D \mu}

Structure of every law except NIKURADSE_PANDAPIPES (which carries its own laminar term) and PRANDTL_COLEBROOK
(the STANET / pandapipes convention: lambda = max(64/Re, Colebrook with k/(3.71 D)), no blend, so
that those tools' results are reproduced in the transition range):

* Re <= 2000: Hagen-Poiseuille, :math:`\lambda = 64/Re`.
* 2000 < Re < 4000: :math:`\lambda = (1-w)\,64/Re + w\,\lambda_t(Re)` with the smoothstep
  :math:`w = 3t^2 - 2t^3`, :math:`t = (Re-2000)/2000`. Both ends join with equal value and slope,
  so :math:`\lambda` and :math:`\lambda Re^2` (proportional to :math:`\lambda m|m|`) are C1, and
  :math:`\lambda Re^2 = 64 Re` near zero flow, so :math:`\lambda m|m|` is C1 through m = 0.
* Re >= 4000: the turbulent law :math:`\lambda_t`.

``d(lambda Re^2)/dRe`` (the sign of the pipe's conductance) stays positive in the blend band
when the turbulent law is not far below the laminar value there: measured positive for COLEBROOK,
PRANDTL_COLEBROOK, SWAMEE_JAIN, HOFER, IGT, PANHANDLE_A and NIKURADSE_PANDAPIPES over D 0.05-1.4 m,
k/D 1e-6-1e-2. Laws that give a small lambda at Re = 4000, far below 64/Re, make ``lambda Re^2``
dip slightly inside the band (measured: WEYMOUTH for D above about 0.54 m, AGA for k/D below
about 8e-5, PANHANDLE_B always; the most negative slope of lambda Re^2 found is -60, against 64
for laminar flow). Outside 2000 < Re < 4000 every law is monotone.

Pipeline efficiency E (0 < E <= 1): :math:`\lambda_{eff} = \lambda/E^2` (the transmission factor
:math:`F = 2/\sqrt\lambda` is multiplied by E). For PANHANDLE_A, PANHANDLE_B and IGT, whose
published equations multiply the *flow* by E, the turbulent part is evaluated at Re/E,
:math:`\lambda_{eff} = [(1-w)64/Re + w\,\lambda_t(Re/E)]/E^2`, so that at fixed pressures the (turbulent)
mass flow is exactly E times the E = 1 flow, as in the published equations (applying E to F alone
would scale their flow by :math:`E^{1/(1-b)}`, 0.66 % less at E = 0.92 for Panhandle A).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Final

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from ..errors import InputError
from .colebrook_white import colebrook, hofer, swamee_jain
from .constants import PANHANDLE_REFERENCE_VISCOSITY_PA_S, RE_LAMINAR, RE_TURBULENT
from .empirical_laws import igt, panhandle_a, panhandle_b
from .rough_laws import aga_fully_turbulent, nikuradse_pandapipes, nikuradse_rough, weymouth

F64 = NDArray[np.float64]


class FrictionLaw(IntEnum):
    """Pipe friction laws; the integer values are stable codes for compiled arrays."""

    #: Colebrook-White (default); turbulent range Re >= 4e3, any roughness.
    COLEBROOK = 0
    #: 64/Re + Nikuradse's rough-pipe value at every Re: the variant pandapipes and STANET call "nikuradse".
    NIKURADSE_PANDAPIPES = 1
    #: Swamee-Jain explicit Colebrook approximation; 5e3 <= Re <= 1e8, 1e-6 <= k/D <= 1e-2.
    SWAMEE_JAIN = 2
    #: Hofer (1973) explicit Colebrook approximation (German practice); turbulent Re.
    HOFER = 3
    #: Weymouth; fully turbulent transmission lines.
    WEYMOUTH = 4
    #: Panhandle A; partially turbulent, Re about 5e6 to 1.1e7.
    PANHANDLE_A = 5
    #: Panhandle B; fully turbulent, Re about 4e6 to 4e7.
    PANHANDLE_B = 6
    #: IGT distribution equation; smooth-pipe turbulent flow.
    IGT = 7
    #: AGA fully turbulent (rough-pipe) law.
    AGA = 8
    #: Colebrook-White with k/(3.71 D) (German "Prandtl-Colebrook"; STANET/pandapipes "_PC" cases).
    PRANDTL_COLEBROOK = 9
    #: Nikuradse's rough-pipe law (textbook form), 1/sqrt(lambda) = 2 log10(D/k) + 1.14; fully rough flow.
    NIKURADSE_ROUGH = 10
    #: A given Darcy friction factor per pipe (``fixed``), as published benchmarks and optimisation models use.
    CONSTANT = 11

    @classmethod
    def parse(cls, law: FrictionLaw | str | int) -> FrictionLaw:
        """A law from a member, its code or its name (case-insensitive; '-' and ' ' read as '_').

        >>> FrictionLaw.parse("swamee-jain")
        <FrictionLaw.SWAMEE_JAIN: 2>
        """
        if isinstance(law, cls):
            return law
        if isinstance(law, str):
            key = law.strip().upper().replace("-", "_").replace(" ", "_")
            if key in cls.__members__:
                return cls[key]
            if key == "NIKURADSE":
                raise InputError(
                    "friction law: 'nikuradse' names two laws; use nikuradse_rough (the textbook rough-pipe law) or "
                    "nikuradse_pandapipes (64/Re + the rough value at every Re, as pandapipes and STANET)"
                )
        elif isinstance(law, int | np.integer) and int(law) in cls._value2member_map_:
            return cls(int(law))
        names = ", ".join(m.name.lower() for m in cls)
        raise InputError(f"friction law: unknown law {law!r}; use one of {names}")


#: Laws whose published flow equation multiplies the flow by the efficiency E.
_FLOW_EFFICIENCY_LAWS: Final[frozenset[FrictionLaw]] = frozenset(
    {FrictionLaw.PANHANDLE_A, FrictionLaw.PANHANDLE_B, FrictionLaw.IGT}
)

_Turbulent = Callable[[F64, F64, F64, F64], tuple[F64, F64]]
_TURBULENT: Final[dict[FrictionLaw, _Turbulent]] = {
    FrictionLaw.COLEBROOK: lambda re, rr, d, mu: colebrook(re, rr),
    FrictionLaw.SWAMEE_JAIN: lambda re, rr, d, mu: swamee_jain(re, rr),
    FrictionLaw.HOFER: lambda re, rr, d, mu: hofer(re, rr),
    FrictionLaw.WEYMOUTH: lambda re, rr, d, mu: weymouth(re, d),
    FrictionLaw.PANHANDLE_A: lambda re, rr, d, mu: panhandle_a(re, mu),
    FrictionLaw.PANHANDLE_B: lambda re, rr, d, mu: panhandle_b(re, mu),
    FrictionLaw.IGT: lambda re, rr, d, mu: igt(re),
    FrictionLaw.AGA: lambda re, rr, d, mu: aga_fully_turbulent(re, rr),
    FrictionLaw.PRANDTL_COLEBROOK: lambda re, rr, d, mu: colebrook(re, rr, 3.71),
    FrictionLaw.NIKURADSE_ROUGH: lambda re, rr, d, mu: nikuradse_rough(re, rr),
}


def reynolds_number(m_kg_s: npt.ArrayLike, d_m: npt.ArrayLike, mu_pa_s: npt.ArrayLike) -> F64:
    r"""Reynolds number of pipe flow from the mass flow.

    .. math:: Re = \frac{\rho v D}{\mu} = \frac{4|m|}{\pi D \mu}

    Args:
        m_kg_s: mass flow [kg/s] (sign ignored).
        d_m: inner diameter [m], > 0.
        mu_pa_s: dynamic viscosity [Pa s], > 0.

    Returns:
        Re [-], >= 0.

    >>> round(float(reynolds_number(100.0, 1.0, 1.1e-5)), 1)
    11574905.0
    """
    m = np.asarray(m_kg_s, dtype=np.float64)
    return np.asarray(4.0 * np.abs(m) / (np.pi * np.asarray(d_m) * np.asarray(mu_pa_s)), dtype=np.float64)


def _smoothstep(re: F64) -> tuple[F64, F64]:
    """Blend weight w(Re) (0 laminar, 1 turbulent) and dw/dRe."""
    width = RE_TURBULENT - RE_LAMINAR
    t = np.clip((re - RE_LAMINAR) / width, 0.0, 1.0)
    w = t * t * (3.0 - 2.0 * t)
    dw = 6.0 * t * (1.0 - t) / width
    return w, dw


def darcy_friction(
    law: FrictionLaw | str,
    re: npt.ArrayLike,
    rel_roughness: npt.ArrayLike,
    diameter_m: npt.ArrayLike,
    efficiency: npt.ArrayLike = 1.0,
    *,
    mu_pa_s: npt.ArrayLike = PANHANDLE_REFERENCE_VISCOSITY_PA_S,
    fixed: npt.ArrayLike | None = None,
) -> tuple[F64, F64]:
    r"""Darcy friction factor and its derivative with respect to Re, vectorised.

    See the module docstring for the laminar branch, the C1 blend over 2000 < Re < 4000 and how
    the efficiency enters; the turbulent formulas and their validity ranges are in
    :mod:`~linepack.hydraulics.colebrook_white`, :mod:`~linepack.hydraulics.rough_laws` and
    :mod:`~linepack.hydraulics.empirical_laws`. Arguments broadcast against each other.

    Args:
        law: a :class:`FrictionLaw` or its name.
        re: Reynolds number 4|m|/(pi D mu) [-], > 0 (the caller clamps it, e.g. to >= 1e-8).
        rel_roughness: relative roughness k/D [-]; > 0 for the Nikuradse laws and AGA, >= 0 otherwise.
        diameter_m: inner diameter [m] (used by WEYMOUTH).
        efficiency: pipeline efficiency E [-], 0 < E <= 1 (1: none).
        mu_pa_s: viscosity [Pa s] used to form ``re``; only PANHANDLE_A/B use it, to recover the
            flow group Q*G/D of their transmission factor. Default
            :data:`~linepack.hydraulics.constants.PANHANDLE_REFERENCE_VISCOSITY_PA_S`.
        fixed: for CONSTANT, the Darcy friction factor of each pipe [-] (its turbulent value: below Re 4000 the
            laminar branch and blend apply as for every law, so that zero flow stays regular).

    Returns:
        (lambda [-], dlambda/dRe [-]) with the broadcast shape of the inputs. The derivative is at
        fixed k/D, D, E and mu.

    Reference: Hagen-Poiseuille for the laminar branch; the turbulent laws as cited in their
    modules (Colebrook 1939, Swamee and Jain 1976, Hofer 1973, Nikuradse 1933, Menon 2005, AGA NB-13).

    Examples:
        >>> lam, dlam = darcy_friction("colebrook", [1.0e3, 1.0e5], 1.0e-4, 0.5)
        >>> [round(float(v), 6) for v in lam]
        [0.064, 0.018514]
    """
    law = FrictionLaw.parse(law)
    re_a, rr, d, e, mu = (
        np.asarray(x, dtype=np.float64)
        for x in np.broadcast_arrays(re, rel_roughness, diameter_m, efficiency, mu_pa_s)
    )
    inv_e2 = 1.0 / (e * e)
    if law is FrictionLaw.NIKURADSE_PANDAPIPES:
        lam, dlam = nikuradse_pandapipes(re_a, rr)
        return lam * inv_e2, dlam * inv_e2
    if law is FrictionLaw.PRANDTL_COLEBROOK:
        # STANET / pandapipes convention: Colebrook (k/3.71 D) down to where Hagen-Poiseuille exceeds
        # it, no transition blend (continuous, with a kink at the crossing near Re ~ 1,000-1,400).
        lam_c, dlam_c = colebrook(np.maximum(re_a, 500.0), rr, 3.71)
        dlam_c = np.where(re_a < 500.0, 0.0, dlam_c)
        lam_lam = 64.0 / re_a
        use_lam = lam_lam >= lam_c
        lam = np.where(use_lam, lam_lam, lam_c)
        dlam = np.where(use_lam, -64.0 / (re_a * re_a), dlam_c)
        return lam * inv_e2, dlam * inv_e2

    flow_scaled = law in _FLOW_EFFICIENCY_LAWS
    re_t = re_a / e if flow_scaled else re_a
    clamped = re_t < RE_LAMINAR
    if law is FrictionLaw.CONSTANT:
        if fixed is None:
            raise InputError("friction law constant: give the friction factor of every pipe (fixed=...)")
        lam_t = np.broadcast_to(np.asarray(fixed, dtype=np.float64), re_a.shape).astype(np.float64)
        dlam_t = np.zeros_like(lam_t)
    else:
        lam_t, dlam_t = _TURBULENT[law](np.maximum(re_t, RE_LAMINAR), rr, d, mu)
    if flow_scaled:
        dlam_t = dlam_t / e
    dlam_t = np.where(clamped, 0.0, dlam_t)

    lam_lam = 64.0 / re_a
    dlam_lam = -64.0 / (re_a * re_a)
    w, dw = _smoothstep(re_a)
    lam = (1.0 - w) * lam_lam + w * lam_t
    dlam = (1.0 - w) * dlam_lam + w * dlam_t + dw * (lam_t - lam_lam)
    return lam * inv_e2, dlam * inv_e2


def darcy_friction_by_code(
    law_code: npt.ArrayLike,
    re: npt.ArrayLike,
    rel_roughness: npt.ArrayLike,
    diameter_m: npt.ArrayLike,
    efficiency: npt.ArrayLike = 1.0,
    *,
    mu_pa_s: npt.ArrayLike = PANHANDLE_REFERENCE_VISCOSITY_PA_S,
    fixed: npt.ArrayLike | None = None,
) -> tuple[F64, F64]:
    """:func:`darcy_friction` for pipes with different laws, given as integer :class:`FrictionLaw` codes.

    One vectorised call per distinct law present (at most 10), never a loop over pipes.

    Args:
        law_code: integer FrictionLaw codes [-], one per pipe.

    The other arguments (re, rel_roughness, diameter_m, efficiency, mu_pa_s, fixed) are as in
    :func:`darcy_friction`.

    Returns:
        (lambda [-], dlambda/dRe [-]) with the broadcast shape of the inputs.

    Examples:
        >>> lam, _ = darcy_friction_by_code([0, 8], [1.0e7, 1.0e7], 1.0e-4, 0.5)
        >>> [round(float(v), 6) for v in lam]
        [0.012166, 0.01198]
    """
    fix = np.nan if fixed is None else fixed
    arrays = np.broadcast_arrays(law_code, re, rel_roughness, diameter_m, efficiency, mu_pa_s, fix)
    code = np.asarray(arrays[0]).astype(np.int64)
    re_a, rr, d, e, mu, fx = (np.asarray(x, dtype=np.float64) for x in arrays[1:])
    lam = np.empty(code.shape, dtype=np.float64)
    dlam = np.empty(code.shape, dtype=np.float64)
    for value in np.unique(code):
        sel = code == value
        law = FrictionLaw.parse(int(value))
        given = None if fixed is None else fx[sel]
        lam[sel], dlam[sel] = darcy_friction(law, re_a[sel], rr[sel], d[sel], e[sel], mu_pa_s=mu[sel], fixed=given)
    return lam, dlam
