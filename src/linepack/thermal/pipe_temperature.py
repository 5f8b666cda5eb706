r"""Gas temperature along a pipe exchanging heat with the ground: the analytic exponential approach with
Joule-Thomson and elevation terms, and an accurate coupled (p, T) integration with real-gas properties.

Steady energy balance of the gas per unit length (mass flow m > 0 from the inlet, x along the pipe,
kinetic energy neglected):

.. math:: m\,\frac{d}{dx}\big(h + g z\big) = -U \pi D\,(T - T_g)

With :math:`dh = c_p\,dT - c_p \mu_{JT}\,dp` this is

.. math:: \frac{dT}{dx} = -\kappa\,(T - T_g) + \mu_{JT}\frac{dp}{dx} - \frac{g \sin\theta}{c_p},
          \qquad \kappa = \frac{U \pi D}{m\,c_p}

(:math:`1/\kappa` is the thermal relaxation length, tens of kilometres for a transmission line). With
constant coefficients (:math:`\kappa`, :math:`\mu_{JT}\,dp/dx`, slope, :math:`c_p`, :math:`T_g`) the solution is
the exponential approach to an equilibrium offset from the ground temperature:

.. math:: T(x) = T_0 + (T_g - T_0)\,\kappa\varphi(x) + a\,\varphi(x),\quad
          \varphi(x) = \frac{1 - e^{-\kappa x}}{\kappa},\quad a = \mu_{JT}\frac{dp}{dx} - \frac{g\sin\theta}{c_p}

(Coulter and Bardon 1979; Mohitpour et al. 2007; the same form pandapipes and SIMONE use per segment).
For :math:`\kappa \to 0` (insulated pipe) :math:`\varphi \to x`; at zero flow the gas is at :math:`T_g`.

:func:`integrate_pipe` integrates the coupled pressure and temperature equations with real-gas properties
(density, cp and mu_JT varying with p and T) by the classical 4th-order Runge-Kutta scheme on ``n_steps``
uniform sub-steps, vectorised over pipes; :func:`integrate_pipe_with_error` repeats it with twice the
steps and returns the Richardson estimate of the error (tests measure the 4th-order convergence).

Neglected: the kinetic-energy and acceleration terms (at 10-20 m/s they change T by < 0.1 K over a
whole pipe and p by < 1e-4 relative), axial conduction, and the transient of the soil.

References:
    D. M. Coulter, M. F. Bardon, "Revised equation improves flowing gas temperature prediction",
    Oil & Gas Journal 77 (9), 1979, 107-108.
    M. Mohitpour, H. Golshan, A. Murray, Pipeline Design and Construction, 3rd ed., ASME 2007, ch. 3.
    A. Osiadacz, Simulation and Analysis of Gas Networks, Spon 1987, ch. 2 (energy equation of gas flow).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from linepack.errors import InputError
from linepack.hydraulics.constants import STANDARD_GRAVITY_M_S2

F64 = NDArray[np.float64]

#: Property callback of the integrator: (p [Pa], T [K]) -> (density [kg/m^3], cp [J/(kg K)], mu_JT [K/Pa]).
Properties = Callable[[F64, F64], tuple[F64, F64, F64]]


def _a(x: npt.ArrayLike) -> F64:
    return np.asarray(x, dtype=np.float64)


def relaxation_rate_per_m(
    u_w_m2k: npt.ArrayLike, diameter_m: npt.ArrayLike, m_kg_s: npt.ArrayLike, cp_j_kg_k: npt.ArrayLike
) -> F64:
    r"""Thermal relaxation rate :math:`\kappa = U\pi D / (|m| c_p)` [1/m] (inf at zero flow).

    Args:
        u_w_m2k: overall heat-transfer coefficient referred to D [W/(m^2 K)], >= 0.
        diameter_m: inner diameter D [m].
        m_kg_s: mass flow [kg/s] (its magnitude is used).
        cp_j_kg_k: isobaric heat capacity [J/(kg K)].

    >>> round(float(relaxation_rate_per_m(2.5, 1.372, 500.0, 2700.0)) * 1e3, 5)  # per km
    0.00798
    """
    num = _a(u_w_m2k) * np.pi * _a(diameter_m)
    den = np.abs(_a(m_kg_s)) * _a(cp_j_kg_k)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0.0, num / np.where(den > 0.0, den, 1.0), np.where(num > 0.0, np.inf, 0.0))
    return np.asarray(out, dtype=np.float64)


def _phi(kappa: F64, x: F64) -> tuple[F64, F64]:
    """phi = (1 - exp(-kappa x)) / kappa and psi = int_0^x phi = (x - phi) / kappa, stable at kappa -> 0 and inf."""
    finite = np.isfinite(kappa)
    kx = np.where(finite, kappa, 1.0) * x
    small = finite & (kx < 1.0e-5)
    safe = np.where(small | ~finite, 1.0, kappa)
    phi_big = -np.expm1(-kx) / safe
    psi_big = (x - phi_big) / safe
    phi_small = x * (1.0 - 0.5 * kx + kx * kx / 6.0)
    psi_small = 0.5 * x * x * (1.0 - kx / 3.0 + kx * kx / 12.0)
    phi = np.where(small, phi_small, np.where(finite, phi_big, 0.0))
    psi = np.where(small, psi_small, np.where(finite, psi_big, 0.0))
    return phi, psi


@dataclass(frozen=True)
class AnalyticTemperature:
    """Outlet and mean temperature of pipes from the analytic exponential solution, with derivatives.

    Attributes:
        outlet_k: temperature at x = L [K].
        mean_k: length-averaged temperature over the pipe [K] (what an isothermal pipe law would use).
        d_outlet_d_inlet: dT_L/dT_0 = exp(-kappa L) [-].
        d_outlet_d_ground: dT_L/dT_g = 1 - exp(-kappa L) [-].
        d_outlet_d_kappa: dT_L/dkappa [K m].
        d_outlet_d_gradient: dT_L/da [m], a = mu_JT dp/dx - g sin(theta)/cp the source term [K/m].
    """

    outlet_k: F64
    mean_k: F64
    d_outlet_d_inlet: F64
    d_outlet_d_ground: F64
    d_outlet_d_kappa: F64
    d_outlet_d_gradient: F64


def analytic_temperature(
    t_inlet_k: npt.ArrayLike,
    t_ground_k: npt.ArrayLike,
    length_m: npt.ArrayLike,
    kappa_per_m: npt.ArrayLike,
    source_k_per_m: npt.ArrayLike = 0.0,
) -> AnalyticTemperature:
    r"""Outlet and mean temperature of pipes with constant coefficients, vectorised over pipes.

    .. math:: T_L = T_0 + (T_g - T_0)(1 - e^{-\kappa L}) + a\,\varphi(L), \qquad
              \bar T = T_0 + (T_g - T_0)\Big(1 - \frac{\varphi(L)}{L}\Big) + a\,\frac{\psi(L)}{L}

    with :math:`\varphi = (1 - e^{-\kappa L})/\kappa`, :math:`\psi = (L - \varphi)/\kappa` (limits
    :math:`L` and :math:`L^2/2` as :math:`\kappa \to 0`).

    Args:
        t_inlet_k: gas temperature entering the pipe T_0 [K].
        t_ground_k: undisturbed ground temperature T_g [K].
        length_m: pipe length L [m].
        kappa_per_m: relaxation rate kappa [1/m] (:func:`relaxation_rate_per_m`; inf: zero flow).
        source_k_per_m: a = mu_JT dp/dx - g sin(theta)/cp [K/m] (:func:`source_gradient_k_per_m`; negative for
            Joule-Thomson cooling with falling pressure and for uphill flow).

    Validity: constant kappa, a and T_g along the pipe (use :func:`integrate_pipe` when cp, mu_JT or the
    pressure gradient vary much). Reference: Coulter and Bardon (1979).

    >>> r = analytic_temperature(323.15, 298.15, 100e3, 1.0e-5)
    >>> round(float(r.outlet_k) - 273.15, 4)
    34.197
    """
    t0, tg, length, kappa, a = np.broadcast_arrays(
        _a(t_inlet_k), _a(t_ground_k), _a(length_m), _a(kappa_per_m), _a(source_k_per_m)
    )
    if np.any(kappa < 0) or np.any(length <= 0):
        raise InputError("analytic pipe temperature: kappa must be >= 0 and length > 0")
    phi, psi = _phi(kappa, length)
    relax = np.where(np.isfinite(kappa), -np.expm1(-kappa * length), 1.0)
    decay = 1.0 - relax
    outlet = t0 + (tg - t0) * relax + a * phi
    mean = t0 + (tg - t0) * (1.0 - phi / length) + a * psi / length
    # dT_L/dkappa = (T_g - T_0) L e^{-kL} + a dphi/dkappa, dphi/dkappa = (L e^{-kL} - phi) / k
    with np.errstate(divide="ignore", invalid="ignore"):
        dphi = np.where(
            kappa * length < 1.0e-5,
            -0.5 * length * length + kappa * length**3 / 3.0,
            (length * decay - phi) / np.where(kappa > 0, kappa, 1.0),
        )
    dphi = np.where(np.isfinite(kappa), dphi, 0.0)
    d_kappa = np.where(np.isfinite(kappa), (tg - t0) * length * decay + a * dphi, 0.0)
    return AnalyticTemperature(
        np.asarray(outlet, dtype=np.float64),
        np.asarray(mean, dtype=np.float64),
        np.asarray(decay, dtype=np.float64),
        np.asarray(relax, dtype=np.float64),
        np.asarray(d_kappa, dtype=np.float64),
        np.asarray(phi, dtype=np.float64),
    )


def source_gradient_k_per_m(
    joule_thomson_k_pa: npt.ArrayLike,
    pressure_gradient_pa_m: npt.ArrayLike,
    sin_slope: npt.ArrayLike,
    cp_j_kg_k: npt.ArrayLike,
) -> F64:
    r"""Source term :math:`a = \mu_{JT}\,dp/dx - g\sin\theta / c_p` of the temperature equation [K/m].

    Args:
        joule_thomson_k_pa: mu_JT [K/Pa].
        pressure_gradient_pa_m: dp/dx along the flow [Pa/m] (negative: pressure falls downstream).
        sin_slope: (z_out - z_in) / L [-] (positive uphill).
        cp_j_kg_k: cp [J/(kg K)].

    >>> round(float(source_gradient_k_per_m(4.4e-6, -30.0, 0.0, 2700.0)) * 1e3, 4)  # K per km
    -0.132
    """
    return np.asarray(
        _a(joule_thomson_k_pa) * _a(pressure_gradient_pa_m) - STANDARD_GRAVITY_M_S2 * _a(sin_slope) / _a(cp_j_kg_k),
        dtype=np.float64,
    )


@dataclass(frozen=True)
class PipeProfile:
    """Pressure and temperature along pipes from :func:`integrate_pipe`.

    Attributes:
        x_m: (n_steps + 1,) positions as fractions of each pipe's length times its length [m], shape (n_steps+1, n).
        p_pa: absolute pressure at the positions [Pa], shape (n_steps + 1, n).
        t_k: temperature at the positions [K], shape (n_steps + 1, n).
        heat_to_ground_w: heat the gas loses to the ground over each pipe [W] (energy balance, n).
    """

    x_m: F64
    p_pa: F64
    t_k: F64
    heat_to_ground_w: F64

    @property
    def outlet_p_pa(self) -> F64:
        return np.asarray(self.p_pa[-1], dtype=np.float64)

    @property
    def outlet_t_k(self) -> F64:
        return np.asarray(self.t_k[-1], dtype=np.float64)


def integrate_pipe(
    properties: Properties,
    p_inlet_pa: npt.ArrayLike,
    t_inlet_k: npt.ArrayLike,
    m_kg_s: npt.ArrayLike,
    length_m: npt.ArrayLike,
    diameter_m: npt.ArrayLike,
    friction_factor: npt.ArrayLike,
    u_w_m2k: npt.ArrayLike,
    t_ground_k: npt.ArrayLike,
    elevation_change_m: npt.ArrayLike = 0.0,
    n_steps: int = 16,
) -> PipeProfile:
    r"""Pressure and temperature along pipes by classical RK4 on the coupled steady equations, vectorised.

    .. math:: \frac{dp}{dx} = -\frac{\lambda\, m |m|}{2 \rho D A^2} - \rho g \sin\theta, \qquad
              \frac{dT}{dx} = \mu_{JT}\frac{dp}{dx} - \frac{U \pi D}{m c_p}(T - T_g) - \frac{g\sin\theta}{c_p}

    Args:
        properties: callback (p, T) -> (rho [kg/m^3], cp [J/(kg K)], mu_JT [K/Pa]), vectorised, e.g.
            :func:`thermo_properties` of a :class:`~linepack.gas.thermo.RealGasThermo`.
        p_inlet_pa, t_inlet_k: state entering each pipe [Pa abs], [K].
        m_kg_s: mass flow from the inlet end [kg/s], > 0.
        length_m, diameter_m: length and inner diameter [m].
        friction_factor: Darcy friction factor lambda of each pipe [-] (held constant along the pipe).
        u_w_m2k: overall heat-transfer coefficient referred to D [W/(m^2 K)] (0: adiabatic).
        t_ground_k: ground temperature [K].
        elevation_change_m: outlet minus inlet elevation [m] (uniform slope).
        n_steps: RK4 sub-steps per pipe (the error falls as n_steps^-4; see :func:`integrate_pipe_with_error`).

    Returns:
        :class:`PipeProfile`; raises InputError if the pressure falls to zero inside a pipe (flow above the
        pipe's capacity at this inlet pressure).

    Validity: steady single-phase gas flow, kinetic energy and acceleration neglected (see the module
    docstring). Reference: Osiadacz (1987), ch. 2; Mohitpour et al. (2007), ch. 3.
    """
    p0, t0, m, length, d, lam, u, tg, dz = (
        np.asarray(v, dtype=np.float64).copy()
        for v in np.broadcast_arrays(
            _a(p_inlet_pa),
            _a(t_inlet_k),
            _a(m_kg_s),
            _a(length_m),
            _a(diameter_m),
            _a(friction_factor),
            _a(u_w_m2k),
            _a(t_ground_k),
            _a(elevation_change_m),
        )
    )
    if np.any(m <= 0) or np.any(length <= 0) or np.any(u < 0) or n_steps < 1:
        raise InputError(
            "pipe temperature integration: give m_kg_s > 0 (orient each pipe along its flow), length > 0, "
            "U >= 0 and n_steps >= 1"
        )
    area = 0.25 * np.pi * d * d
    friction = lam * m * m / (2.0 * d * area * area)
    sin_theta = dz / length
    ua = u * np.pi * d / m
    g = STANDARD_GRAVITY_M_S2

    def rhs(p: F64, t: F64) -> tuple[F64, F64]:
        good = (p > 0.0) & np.isfinite(t) & (t > 0.0)
        try:
            if not bool(np.all(good)):
                raise InputError("state outside the gas region")
            rho, cp, mu = properties(p, t)
        except InputError as error:
            bad = int(np.flatnonzero(~good)[0]) if not bool(np.all(good)) else 0
            raise InputError(
                f"pipe temperature integration: pipe {bad} leaves the gas region (p = {p[bad]:g} Pa, "
                f"T = {t[bad]:g} K): its pressure falls to zero inside the pipe, or too few steps "
                f"({n_steps}) for its gradients; lower the flow, raise the inlet pressure or raise n_steps ({error})"
            ) from error
        dpdx = -friction / rho - rho * g * sin_theta
        dtdx = mu * dpdx - (ua / cp) * (t - tg) - g * sin_theta / cp
        return dpdx, dtdx

    h = length / n_steps
    ps = np.empty((n_steps + 1, p0.size))
    ts = np.empty((n_steps + 1, p0.size))
    p, t = p0.ravel(), t0.ravel()
    hf = h.ravel()
    ps[0], ts[0] = p, t
    for k in range(n_steps):  # loop over sub-steps, vectorised over pipes
        k1p, k1t = rhs(p, t)
        k2p, k2t = rhs(p + 0.5 * hf * k1p, t + 0.5 * hf * k1t)
        k3p, k3t = rhs(p + 0.5 * hf * k2p, t + 0.5 * hf * k2t)
        k4p, k4t = rhs(p + hf * k3p, t + hf * k3t)
        p = p + hf / 6.0 * (k1p + 2.0 * k2p + 2.0 * k3p + k4p)
        t = t + hf / 6.0 * (k1t + 2.0 * k2t + 2.0 * k3t + k4t)
        if not bool(np.all(p > 0.0)):
            bad = int(np.flatnonzero(~(p > 0.0))[0])
            raise InputError(
                f"pipe temperature integration: the pressure of pipe {bad} falls to zero at "
                f"{(k + 1) * hf[bad] / 1e3:.3f} km; the flow exceeds what the pipe carries from this inlet "
                "pressure (lower the flow or raise the inlet pressure)"
            )
        ps[k + 1], ts[k + 1] = p, t
    x = np.linspace(0.0, 1.0, n_steps + 1)[:, None] * length.ravel()[None, :]
    # energy balance: heat lost = m (h_in - h_out) - m g dz, evaluated with the trapezoid-free exact form below
    # from the temperature profile (Simpson on the sub-steps) so that it closes with the enthalpy change
    heat = _heat_to_ground(ts, x, u.ravel(), d.ravel(), tg.ravel())
    shape = p0.shape
    return PipeProfile(
        x.reshape((n_steps + 1, *shape)),
        ps.reshape((n_steps + 1, *shape)),
        ts.reshape((n_steps + 1, *shape)),
        heat.reshape(shape),
    )


def _heat_to_ground(t: F64, x: F64, u: F64, d: F64, tg: F64) -> F64:
    """int_0^L U pi D (T - T_g) dx [W] by the composite trapezoid rule on the profile (Simpson when even)."""
    y = (t - tg[None, :]) * (u * np.pi * d)[None, :]
    n = t.shape[0] - 1
    h = (x[-1] - x[0]) / n
    if n % 2 == 0:
        return np.asarray(h / 3.0 * (y[0] + y[-1] + 4.0 * y[1:-1:2].sum(axis=0) + 2.0 * y[2:-1:2].sum(axis=0)))
    return np.asarray(h * (0.5 * (y[0] + y[-1]) + y[1:-1].sum(axis=0)))


def integrate_pipe_with_error(
    properties: Properties, *, n_steps: int = 16, **pipe: npt.ArrayLike
) -> tuple[PipeProfile, F64, F64]:
    """:func:`integrate_pipe` with ``2 n_steps`` steps, and the Richardson estimate of its outlet error.

    Args:
        properties: as for :func:`integrate_pipe`.
        n_steps: the coarse number of steps (the returned profile has twice as many).
        **pipe: the other keyword arguments of :func:`integrate_pipe` (p_inlet_pa, t_inlet_k, m_kg_s, ...).

    Returns:
        (profile with 2 n_steps steps, |error| of the outlet pressure [Pa], |error| of the outlet temperature [K]),
        the errors estimated as |y_2n - y_n| / 15 (RK4: the error falls 16-fold when the step halves).
    """
    coarse = integrate_pipe(properties, n_steps=n_steps, **pipe)
    fine = integrate_pipe(properties, n_steps=2 * n_steps, **pipe)
    err_p = np.abs(fine.outlet_p_pa - coarse.outlet_p_pa) / 15.0
    err_t = np.abs(fine.outlet_t_k - coarse.outlet_t_k) / 15.0
    return fine, np.asarray(err_p), np.asarray(err_t)


def thermo_properties(thermo: object) -> Properties:
    """The :data:`Properties` callback of a :class:`~linepack.gas.thermo.RealGasThermo` (table path)."""
    from linepack.gas.thermo import RealGasThermo

    if not isinstance(thermo, RealGasThermo):
        raise InputError(f"thermo_properties: expected a RealGasThermo, got {type(thermo).__name__}")

    def properties(p: F64, t: F64) -> tuple[F64, F64, F64]:
        state = thermo.state(p, t)
        return state.density_kg_m3, state.cp_j_kg_k, state.joule_thomson_k_pa

    return properties
