r"""Compressor map specs -> coefficient arrays in SI, tabulated speed lines fitted, every map checked.

A turbo map becomes ``head[i, j]`` [J/kg] and ``eta[i, j]`` [-] with ``f(n, Q) = sum head[i, j] n^i Q^j``
(n in 1/min, Q actual inlet m3/s), surge and choke lines ``H = s0 + s1 Q + s2 Q^2`` [J/kg] and the speed
limits. Tabulated speed lines are fitted by linear least squares in scaled variables ``n / n_max``,
``Q / Q_max`` (the conditioning of the raw monomials is poor); the surge and choke lines by least squares
through the first and last point of each speed line, as GasLib built its coefficients from measurements
(Schmidt et al. 2017). The fitted head must reproduce every tabulated point within ``fit_tolerance``.

Every map is checked where it will be used: on the maximum-speed line the surge flow must lie left of the choke
flow with positive head, and the efficiency there must lie in (0, 1]; otherwise :class:`InputError` names the
map and what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..model.stations import PistonMapSpec, SpeedCurve, TurboMapSpec
from .poly import in_q, line, poly2, root

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class MapData:
    """One map in SI arrays (turbo fields zero for a piston map and the reverse)."""

    name: str
    kind: int  # 0 turbo, 1 piston
    head: F64  # (3, 3) J/kg
    eta: F64  # (3, 3)
    surge: F64  # (3,) J/kg
    choke: F64  # (3,) J/kg
    n_min: float  # 1/min
    n_max: float
    flow_per_rpm: float  # piston: m3/s per 1/min
    ratio_max: float  # piston (inf for turbo)
    torque_max_nm: float  # piston (inf without limit)
    eta_piston: float
    q_ref: float  # m3/s: turbo: flow at maximum speed on the surge line; piston: flow at maximum speed
    fit_error: float  # largest relative head error of a fitted map at its tabulated points (0: given coefficients)
    corners: tuple[float, ...] = (np.nan,) * 8  # turbo: q_sn, h_sn, q_cn, h_cn, q_sx, h_sx, q_cx, h_cx (m3/s, J/kg)


TURBO, PISTON = 0, 1


def _matrix(c: list[float], scale: float = 1.0) -> F64:
    """GasLib's 9 coefficients (k = 1 + i + 3 j) as a (3, 3) array [i, j]."""
    a = np.asarray(c, dtype=float).reshape(3, 3).T  # reshape gives [j, i]
    return np.asarray(a * scale, dtype=float)


def _design(n: F64, q: F64) -> F64:
    return np.stack([n**i * q**j for j in range(3) for i in range(3)], axis=1)  # column k = i + 3 j


def fit_surface(n: F64, q: F64, value: F64) -> F64:
    """Least-squares ``(3, 3)`` coefficients of ``sum c[i, j] n^i q^j`` through the points (scaled internally)."""
    ns, qs = float(np.max(n)), float(np.max(q))
    coef, *_ = np.linalg.lstsq(_design(n / ns, q / qs), value, rcond=None)
    c = coef.reshape(3, 3).T  # [i, j] in scaled variables
    i = np.arange(3)[:, None]
    j = np.arange(3)[None, :]
    return np.asarray(c / (ns**i * qs**j), dtype=float)


def fit_line(q: F64, h: F64) -> F64:
    """Least-squares quadratic ``h = c0 + c1 q + c2 q^2`` (a straight line through two points)."""
    qs = float(np.max(q))
    deg = min(2, len(q) - 1)
    c = np.polynomial.polynomial.polyfit(q / qs, h, deg)
    out = np.zeros(3)
    out[: deg + 1] = c / qs ** np.arange(deg + 1)
    return out


def fit_curves(name: str, curves: list[SpeedCurve], tolerance: float) -> tuple[F64, F64, F64, F64, float]:
    """Head [J/kg] and efficiency surfaces, surge and choke lines [J/kg] and the largest relative head error."""
    n = np.concatenate([np.full(len(c.flow_m3_s), c.speed_rpm) for c in curves])
    q = np.concatenate([np.asarray(c.flow_m3_s, dtype=float) for c in curves])
    h = np.concatenate([np.asarray(c.head_kj_per_kg, dtype=float) for c in curves]) * 1e3
    e = np.concatenate([np.asarray(c.efficiency, dtype=float) for c in curves])
    head = fit_surface(n, q, h)
    eta = fit_surface(n, q, e)
    err = np.abs(poly2(head, n, q) - h) / h
    worst = int(np.argmax(err))
    if err[worst] > tolerance:
        raise InputError(
            f"compressor map {name}: the fitted head misses the point at {n[worst]:g} rpm, {q[worst]:g} m3/s by "
            f"{err[worst]:.1%} (fit_tolerance {tolerance:.1%}); check that point, give more points, or raise "
            "fit_tolerance"
        )
    order = sorted(curves, key=lambda c: c.speed_rpm)
    surge = fit_line(np.array([c.flow_m3_s[0] for c in order]), np.array([c.head_kj_per_kg[0] for c in order]) * 1e3)
    choke = fit_line(np.array([c.flow_m3_s[-1] for c in order]), np.array([c.head_kj_per_kg[-1] for c in order]) * 1e3)
    return head, eta, surge, choke, float(err[worst])


def corner_flow(head: F64, lim: F64, n: float, slope: int = -1) -> float:
    """Flow where the speed line at ``n`` meets the line ``lim`` (isoline minus line has slope ``slope``)."""
    a, b, c0 = in_q(head, n)
    x, beyond = root(a - lim[2], b - lim[1], c0 - lim[0], 0.0, slope)
    return float(np.real(x)) if not bool(beyond) else float("nan")


def turbo_map(name: str, spec: TurboMapSpec) -> MapData:
    """The SI arrays of a turbo map, checked."""
    fit_error = 0.0
    if spec.curves is not None:
        head, eta, surge, choke, fit_error = fit_curves(name, spec.curves, spec.fit_tolerance)
        if spec.surge_coefficients is not None:
            surge = np.asarray(spec.surge_coefficients, dtype=float) * 1e3
        if spec.choke_coefficients is not None:
            choke = np.asarray(spec.choke_coefficients, dtype=float) * 1e3
    else:
        assert spec.head_coefficients is not None and spec.efficiency_coefficients is not None
        assert spec.surge_coefficients is not None and spec.choke_coefficients is not None
        head = _matrix(spec.head_coefficients, 1e3)
        eta = _matrix(spec.efficiency_coefficients)
        surge = np.asarray(spec.surge_coefficients, dtype=float) * 1e3
        choke = np.asarray(spec.choke_coefficients, dtype=float) * 1e3
    n_max = spec.speed_max_rpm
    q_s = corner_flow(head, surge, n_max)
    q_c = corner_flow(head, choke, n_max)
    problem = None
    if not np.isfinite(q_s) or not np.isfinite(q_c):
        problem = "the maximum-speed line does not meet the surge or the choke line"
    elif not 0.0 < q_s < q_c:
        problem = f"at maximum speed the surge flow ({q_s:.4g} m3/s) is not left of the choke flow ({q_c:.4g} m3/s)"
    else:
        h_s, h_c = float(line(surge, q_s)), float(line(choke, q_c))
        mid = 0.5 * (q_s + q_c)
        eta_mid = float(poly2(eta, n_max, mid))
        if h_s <= 0.0 or h_c <= 0.0:
            problem = (
                f"the head at maximum speed is not positive ({h_s / 1e3:.4g} kJ/kg at surge, {h_c / 1e3:.4g} at choke)"
            )
        elif not 0.0 < eta_mid <= 1.0:
            problem = f"the efficiency at maximum speed, {mid:.4g} m3/s, is {eta_mid:.3g}, outside (0, 1]"
    n_min = spec.speed_min_rpm
    q_sn, q_cn = corner_flow(head, surge, n_min), corner_flow(head, choke, n_min)
    if problem is None and not (np.isfinite(q_sn) and np.isfinite(q_cn) and 0.0 < q_sn < q_cn):
        problem = "the minimum-speed line does not cross the map between the surge and the choke line"
    if problem is not None:
        raise InputError(f"compressor map {name}: {problem}; check its coefficients or curves")
    corners = (
        q_sn,
        float(line(surge, q_sn)),
        q_cn,
        float(line(choke, q_cn)),
        q_s,
        float(line(surge, q_s)),
        q_c,
        float(line(choke, q_c)),
    )
    return MapData(
        name, TURBO, head, eta, surge, choke, n_min, n_max, 0.0, np.inf, np.inf, 1.0, q_s, fit_error, corners
    )


def piston_map(name: str, spec: PistonMapSpec) -> MapData:
    per_rpm = (1.0 - spec.volumetric_loss) * spec.displacement_m3 / 60.0
    torque = spec.torque_max_knm * 1e3 if spec.torque_max_knm is not None else np.inf
    zero33, zero3 = np.zeros((3, 3)), np.zeros(3)
    return MapData(
        name,
        PISTON,
        zero33,
        zero33,
        zero3,
        zero3,
        spec.speed_min_rpm,
        spec.speed_max_rpm,
        per_rpm,
        spec.ratio_max,
        torque,
        spec.isentropic_efficiency,
        per_rpm * spec.speed_max_rpm,
        0.0,
        (
            0.0,
            0.0,
            per_rpm * spec.speed_max_rpm,
            0.0,
            per_rpm * spec.speed_max_rpm,
            0.0,
            per_rpm * spec.speed_max_rpm,
            0.0,
        ),
    )


def map_data(name: str, spec: TurboMapSpec | PistonMapSpec) -> MapData:
    """A map spec as SI arrays; :class:`InputError` naming the map when it cannot be used."""
    return turbo_map(name, spec) if isinstance(spec, TurboMapSpec) else piston_map(name, spec)
