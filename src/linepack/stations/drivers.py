r"""Compressor drivers at a station's ambient temperature: available shaft power and energy input.

A :class:`~linepack.model.stations.DriverSpec` becomes two quadratics, evaluated once per station at its
ambient temperature ``T`` (Celsius) when the network is compiled:

* available shaft power against speed, :math:`P_{av}(n) = a_0 + a_1 n + a_2 n^2` [W, n in 1/min]. GasLib's
  polynomial :math:`P(n, T) = \sum_{i,j} b_{i+3j} n^i T^j` [kW] collapses to its speed coefficients at T; the
  rated form gives a constant :math:`P_r (1 - d (T - T_r))`, capped at ``power_max_mw``. Gas turbines lose
  about 0.7 % of their power per K above the ISO rating of 15 C (the air is thinner, the compressor of the
  turbine moves less mass): Saravanamuttoo et al., Gas Turbine Theory, 6th ed. (2009), ch. 9; GE GER-3567H
  (Brooks 2000), fig. 9.
* energy taken for a shaft power P, :math:`E(P) = e_0 + e_1 P + e_2 P^2` [W]: fuel (on the lower heating
  value) for gas-fired drivers, electricity for motors. GasLib's ``energy_rate_fun`` in kW, or the Willans
  line :math:`E = f_0 P_r / \eta_r + (1 - f_0) P / \eta(T)`: a no-load energy, a fraction :math:`f_0` of the
  full-load input at the rating (a property of the machine), and an incremental rate that follows the thermal
  efficiency at the ambient temperature, :math:`\eta(T) = \eta_r (1 - h (T - T_r))`; at the rating, full load
  takes :math:`P_r / \eta_r`. A Willans line is what part-load heat-rate data of gas turbines follow (the
  GasLib drives have :math:`f_0` = 0.18 (GasLib-11) to 0.55 (GasLib-4197 drive_1)).

Validity: between the speed limits of the compressor and within the ambient range of the rating data; the
energy line is not defined above the available power (a driver cannot deliver more).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..model.stations import DEFAULT_DERATE_PER_K, DEFAULT_NO_LOAD_FRACTION, GAS_FIRED, DriverSpec

F64 = NDArray[np.float64]

DRIVER_KINDS: tuple[str, ...] = ("gas_turbine", "gas_engine", "electric_motor", "steam_turbine")


@dataclass(frozen=True)
class DriverCurves:
    """One driver at one ambient temperature: ``power_w`` (a0, a1, a2) in W over rpm, ``energy`` (e0, e1, e2)
    giving the energy input in W for a shaft power in W, its kind code and whether it burns network gas."""

    power_w: F64
    energy: F64
    kind: int
    gas_fired: bool


def driver_curves(spec: DriverSpec, ambient_c: float, speed_range_rpm: tuple[float, float]) -> DriverCurves:
    """The driver's available power and energy quadratics at ``ambient_c`` [Celsius]; ``speed_range_rpm`` is
    the speed range of the compressor it drives (the full load of a speed-dependent power curve is its highest
    power in that range).

    >>> from linepack.model.stations import DriverSpec
    >>> gt = DriverSpec(kind="gas_turbine", rated_power_mw=15.0, derate_per_k=0.007, thermal_efficiency=0.35)
    >>> round(driver_curves(gt, 45.0, (3000.0, 6000.0)).power_w[0] / 1e6, 2)  # 15 MW less 0.7 %/K over 30 K
    11.85
    >>> c = driver_curves(gt, 15.0, (3000.0, 6000.0))
    >>> round((c.energy[0] + c.energy[1] * c.power_w[0]) / c.power_w[0], 3)  # at the rating: 1 / 0.35
    2.857
    """
    t = float(ambient_c)
    if spec.power_coefficients is not None:
        b = np.asarray(spec.power_coefficients, dtype=float)
        a = np.array([b[i] + b[i + 3] * t + b[i + 6] * t * t for i in range(3)]) if len(b) == 9 else b.copy()
        power = a * 1e3
    else:
        assert spec.rated_power_mw is not None
        derate = spec.derate_per_k if spec.derate_per_k is not None else DEFAULT_DERATE_PER_K[spec.kind]
        rated = spec.rated_power_mw * 1e6
        cap = (spec.power_max_mw if spec.power_max_mw is not None else spec.rated_power_mw) * 1e6
        avail = min(rated * (1.0 - derate * (t - spec.rating_temperature_c)), cap)
        power = np.array([max(avail, 0.0), 0.0, 0.0])
    if spec.energy_rate_coefficients is not None:
        e = np.asarray(spec.energy_rate_coefficients, dtype=float)
        energy = np.array([e[0] * 1e3, e[1], e[2] * 1e-3])
    else:
        assert spec.thermal_efficiency is not None
        f0 = spec.no_load_fuel_fraction
        if f0 is None:
            f0 = DEFAULT_NO_LOAD_FRACTION[spec.kind]
        eta = spec.thermal_efficiency * (1.0 - spec.efficiency_derate_per_k * (t - spec.rating_temperature_c))
        eta = max(eta, 1e-3)
        p_rated = max(_rated_power_w(spec, speed_range_rpm), 1.0)
        energy = np.array([f0 * p_rated / spec.thermal_efficiency, (1.0 - f0) / eta, 0.0])
    return DriverCurves(power, energy, DRIVER_KINDS.index(spec.kind), spec.kind in GAS_FIRED)


def _rated_power_w(spec: DriverSpec, speed_range_rpm: tuple[float, float]) -> float:
    """Full-load power at the rating temperature: the rated power, or the polynomial's best in the speed range."""
    if spec.rated_power_mw is not None:
        return spec.rated_power_mw * 1e6
    assert spec.power_coefficients is not None
    b = np.asarray(spec.power_coefficients, dtype=float)
    t = spec.rating_temperature_c
    a = np.array([b[i] + b[i + 3] * t + b[i + 6] * t * t for i in range(3)]) if len(b) == 9 else b
    n = np.linspace(speed_range_rpm[0], speed_range_rpm[1], 101)
    return float(np.max(available_power_w(a * 1e3, n)))


def available_power_w(power_w: F64, n_rpm: object) -> NDArray[np.generic]:
    """``a0 + a1 n + a2 n^2`` for coefficient rows ``power_w[..., 3]`` (complex-step safe)."""
    n = np.asarray(n_rpm)
    return np.asarray(power_w[..., 0] + n * (power_w[..., 1] + n * power_w[..., 2]))


def available_power_dn(power_w: F64, n_rpm: object) -> NDArray[np.generic]:
    n = np.asarray(n_rpm)
    return np.asarray(power_w[..., 1] + 2.0 * n * power_w[..., 2])


def energy_w(energy: F64, p_w: object) -> NDArray[np.generic]:
    """Energy input [W] for shaft powers ``p_w`` [W] (complex-step safe)."""
    p = np.asarray(p_w)
    return np.asarray(energy[..., 0] + p * (energy[..., 1] + p * energy[..., 2]))
