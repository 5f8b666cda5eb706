r"""Single-pipe reference calculations: flow from pressures and outlet pressure from flow.

Not used in the network solver's Newton loop; they solve the same general isothermal pipe law
(:mod:`~linepack.hydraulics.pipe_law`) for one unknown, for whole arrays of pipes at once, and are
what the validation tests and users call.

Optional kinetic-energy term (``kinetic_energy=True``): integrating the steady momentum equation
:math:`dp + G^2 d(1/\rho) + \lambda G|G|/(2 D \rho)\,dx = 0` for an isothermal gas
(:math:`p/\rho = ZRT/M`, G = m/A) over a horizontal pipe gives

.. math:: p_{in}^2 - p_{out}^2 = \frac{16 Z R T}{\pi^2 D^4 M}\left[\lambda\frac{L}{D} m|m|
          + m^2 \ln\frac{p_{in}^2}{p_{out}^2}\right]

(the "full isothermal" equation of Crane TP-410 and Menon 2005). With elevation the term is added
to the elevation-corrected law with L replaced by L_e, an approximation (exact for dh = 0).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from ..errors import ConvergenceError
from .friction import FrictionLaw, darcy_friction, reynolds_number
from .pipe_law import effective_length_m, elevation_exponent, pipe_law_coefficients

F64 = NDArray[np.float64]

#: Convergence tolerance on ln(Re) of the flow solve (relative flow error, after the last step).
FLOW_SOLVE_TOL: Final[float] = 1e-13
#: Iteration cap of the flow solve (measured: 2 to 7 Newton steps, fewer for the power laws).
FLOW_SOLVE_MAX_ITER: Final[int] = 100
#: Re floor used when a flow is zero (the network solver's clamp).
_RE_FLOOR: Final[float] = 1e-8


def pipe_flow_rate(
    p_in_pa: npt.ArrayLike,
    p_out_pa: npt.ArrayLike,
    length_m: npt.ArrayLike,
    diameter_m: npt.ArrayLike,
    roughness_m: npt.ArrayLike,
    t_k: npt.ArrayLike,
    z: npt.ArrayLike,
    molar_mass_kg_per_mol: npt.ArrayLike,
    mu_pa_s: npt.ArrayLike,
    law: FrictionLaw | str = FrictionLaw.COLEBROOK,
    efficiency: npt.ArrayLike = 1.0,
    dh_m: npt.ArrayLike = 0.0,
    *,
    kinetic_energy: bool = False,
    friction_factor: npt.ArrayLike | None = None,
) -> F64:
    r"""Mass flow through pipes from their end pressures (general isothermal pipe law).

    Solves :math:`p_{in}^2 - e^s p_{out}^2 = \lambda(Re) K m|m|` (see
    :mod:`~linepack.hydraulics.pipe_law`) for m. With Re = c|m|, c = 4/(pi D mu), this is
    :math:`Re^2(\lambda(Re) + \kappa) = c^2|\Delta|/K` (:math:`\kappa` the kinetic term, 0 by
    default), solved by vectorised Newton steps in ln Re using ``dlambda/dRe`` from
    :func:`~linepack.hydraulics.darcy_friction`; stops when every step is below
    :data:`FLOW_SOLVE_TOL` (relative change of the flow).

    Args:
        p_in_pa: inlet pressure, absolute [Pa], > 0.
        p_out_pa: outlet pressure, absolute [Pa], > 0.
        length_m: pipe length [m].
        diameter_m: inner diameter [m].
        roughness_m: absolute roughness k [m].
        t_k: mean gas temperature [K].
        z: mean compressibility factor [-].
        molar_mass_kg_per_mol: gas molar mass [kg/mol].
        mu_pa_s: dynamic viscosity [Pa s].
        law: friction law (:class:`~linepack.hydraulics.FrictionLaw` or its name).
        efficiency: pipeline efficiency E [-].
        dh_m: outlet height minus inlet height [m].
        kinetic_energy: include the kinetic-energy (acceleration) term, see the module docstring.
        friction_factor: Darcy friction factor of each pipe for law constant [-].

    Returns:
        mass flow [kg/s], positive from inlet to outlet; 0 where the pressures balance; NaN where the
        kinetic term makes the law unsolvable (choked flow).

    Raises:
        ConvergenceError: if some pipe did not converge within :data:`FLOW_SOLVE_MAX_ITER` steps.

    Validity: steady isothermal flow, constant mean Z and T; subsonic flow.

    Reference: Menon, E. S. (2005), "Gas Pipeline Hydraulics", CRC Press, ch. 2.

    >>> m = pipe_flow_rate(9.0e6, 2.0e6, 160.0e3, 0.34, 4.57e-5, 277.15, 1.0, 0.02007, 1.1e-5)
    >>> round(float(m), 2)
    30.26
    """
    p1, p2, length, d, k_r, t, zz, mm, mu, e, dh = (
        np.asarray(x, dtype=np.float64)
        for x in np.broadcast_arrays(
            p_in_pa, p_out_pa, length_m, diameter_m, roughness_m, t_k, z, molar_mass_kg_per_mol,
            mu_pa_s, efficiency, dh_m,
        )
    )
    k_coef, exp_s = pipe_law_coefficients(length, d, t, zz, mm, dh)
    delta = p1 * p1 - exp_s * p2 * p2
    sign = np.sign(delta)
    if kinetic_energy:
        l_e = effective_length_m(length, elevation_exponent(dh, t, zz, mm))
        kappa = sign * d / l_e * np.log(p1 * p1 / (p2 * p2))
    else:
        kappa = np.zeros_like(delta)
    c_re = 4.0 / (np.pi * d * mu)
    target = c_re * c_re * np.abs(delta) / k_coef
    zero = target == 0.0
    log_target = np.log(np.where(zero, 1.0, target))
    rr = k_r / d

    re_turb = np.sqrt(np.exp(log_target) / np.maximum(0.015 + kappa, 1e-3))
    u = np.where(re_turb > 3000.0, np.log(np.maximum(re_turb, 1e-300)), log_target - np.log(64.0))
    step = np.full_like(u, np.inf)
    for _ in range(FLOW_SOLVE_MAX_ITER):
        re = np.exp(u)
        lam, dlam = darcy_friction(law, re, rr, d, e, mu_pa_s=mu, fixed=friction_factor)
        total = lam + kappa
        bad = total <= 0.0
        total = np.where(bad, 1.0, total)
        phi = np.log(total) + 2.0 * u - log_target
        dphi = np.maximum(re * dlam / total + 2.0, 0.25)
        step = np.where(zero | bad, 0.0, np.clip(phi / dphi, -3.0, 3.0))
        u = u - step
        if np.all(np.abs(step) < FLOW_SOLVE_TOL):
            break
    else:
        worst = int(np.argmax(np.abs(step)))
        raise ConvergenceError(
            f"pipe_flow_rate: the flow of pipe index {worst} did not converge in {FLOW_SOLVE_MAX_ITER} "
            f"Newton steps (last ln Re step {float(step.flat[worst]):.3g}); check the pipe data and law"
        )
    choked = (lam + kappa) <= 0.0
    m = sign * np.exp(u) / c_re
    return np.where(zero, 0.0, np.where(choked, np.nan, m))


def pressure_drop_outlet(
    p_in_pa: npt.ArrayLike,
    m_kg_s: npt.ArrayLike,
    length_m: npt.ArrayLike,
    diameter_m: npt.ArrayLike,
    roughness_m: npt.ArrayLike,
    t_k: npt.ArrayLike,
    z: npt.ArrayLike,
    molar_mass_kg_per_mol: npt.ArrayLike,
    mu_pa_s: npt.ArrayLike,
    law: FrictionLaw | str = FrictionLaw.COLEBROOK,
    efficiency: npt.ArrayLike = 1.0,
    dh_m: npt.ArrayLike = 0.0,
    *,
    kinetic_energy: bool = False,
    friction_factor: npt.ArrayLike | None = None,
) -> F64:
    r"""Outlet pressure of pipes from the inlet pressure and the mass flow.

    .. math:: p_{out} = \sqrt{\left(p_{in}^2 - \lambda K m|m|\right) e^{-s}}

    With ``kinetic_energy=True`` the law of the module docstring is solved for
    :math:`q = p_{out}^2` by Newton steps from the friction-only value (the residual is convex and
    increasing on the subsonic branch, so the steps converge monotonically to it); stops at a
    relative change below 1e-14 or after 50 steps.

    Args:
        p_in_pa: inlet pressure, absolute [Pa].
        m_kg_s: mass flow [kg/s], positive from inlet to outlet.

    The other arguments (length_m, diameter_m, roughness_m, t_k, z, molar_mass_kg_per_mol, mu_pa_s, law,
    efficiency, dh_m, kinetic_energy) are as in :func:`pipe_flow_rate`.

    Returns:
        outlet pressure, absolute [Pa]; NaN where the flow cannot pass (the outlet pressure would
        fall to zero, or choked flow with the kinetic term).

    Reference: Menon, E. S. (2005), "Gas Pipeline Hydraulics", CRC Press, ch. 2.

    >>> p2 = pressure_drop_outlet(9.0e6, 30.26, 160.0e3, 0.34, 4.57e-5, 277.15, 1.0, 0.02007, 1.1e-5)
    >>> round(float(p2) / 1e6, 3)
    2.004
    """
    p1, m, length, d, k_r, t, zz, mm, mu, e, dh = (
        np.asarray(x, dtype=np.float64)
        for x in np.broadcast_arrays(
            p_in_pa, m_kg_s, length_m, diameter_m, roughness_m, t_k, z, molar_mass_kg_per_mol,
            mu_pa_s, efficiency, dh_m,
        )
    )
    k_coef, exp_s = pipe_law_coefficients(length, d, t, zz, mm, dh)
    re = np.maximum(reynolds_number(m, d, mu), _RE_FLOOR)
    lam, _ = darcy_friction(law, re, k_r / d, d, e, mu_pa_s=mu, fixed=friction_factor)
    friction = lam * k_coef * m * np.abs(m)
    q = (p1 * p1 - friction) / exp_s
    if kinetic_energy:
        l_e = effective_length_m(length, elevation_exponent(dh, t, zz, mm))
        c_kin = k_coef * d / l_e * m * m
        q = np.where(q > 0.0, q, np.nan)
        for _ in range(50):
            res = exp_s * q - p1 * p1 + friction + c_kin * np.log(p1 * p1 / q)
            slope = exp_s - c_kin / q
            new_q = np.where(slope > 0.0, q - res / slope, np.nan)
            new_q = np.where(new_q > 0.0, new_q, np.nan)
            done = np.abs(new_q - q) <= 1e-14 * np.abs(q)
            q = new_q
            if np.all(done | np.isnan(q)):
                break
    return np.where(q > 0.0, np.sqrt(np.where(q > 0.0, q, 1.0)), np.nan)


def standard_volume_flow(m_kg_s: npt.ArrayLike, density_std_kg_m3: npt.ArrayLike) -> F64:
    r"""Volume flow at standard (base) conditions.

    .. math:: Q_{std} = m / \rho_{std}

    Args:
        m_kg_s: mass flow [kg/s].
        density_std_kg_m3: gas density at the standard conditions [kg/m^3] (for example
            :func:`~linepack.hydraulics.pipe_law.ideal_gas_density_kg_m3` at 288.15 K, 101325 Pa).

    Returns:
        standard volume flow [m^3/s at standard conditions].

    >>> float(standard_volume_flow(76.0, 0.76))
    100.0
    """
    return np.asarray(np.asarray(m_kg_s, dtype=np.float64) / np.asarray(density_std_kg_m3), dtype=np.float64)
