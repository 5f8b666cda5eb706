"""Compressor units' loops compiled (numba, optional extra ``kernel``), with the numpy code of :mod:`.envelope` as
the reference and fallback: the bracketing loop of a unit's driver-power limit (:func:`.envelope.power_flow`)
and a unit's operating point at real flows (:func:`.envelope.unit_power`, the residual's station evaluations).

Finding the flow at which a unit's shaft power reaches its driver's available power is a regula falsi of about a
dozen steps, each one evaluation of the unit's power at a flow: its head on the map's lower edge, its speed (a
root of the head polynomial), the nearest map point (two more roots) and its efficiency. In numpy each step is
some hundred calls over arrays of a few units, so per-call overhead sets its cost (about 2 ms a solve, several
solves per steady state with units at their limits). The kernel does the same arithmetic, in the same order,
unit by unit (every operation is an IEEE add, multiply, divide or square root, each rounded once, and numba
fuses none of them without ``fastmath``), with the same stopping rule over the whole batch: the same flows to
the last bit (tests/stations/test_station_kernel.py). Only real evaluations are compiled; the complex-step slope and
the Newton step that carries the derivatives stay in numpy.

Loaded by :class:`linepack.lazy_kernel.LazyKernel` once a process has done enough solves to repay numba's
import (``LINEPACK_KERNEL``: ``numpy`` never, ``numba`` at once); compiled code is cached on disk.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..lazy_kernel import LazyKernel

F64 = NDArray[np.float64]
ETA_FLOOR = 0.05  # as envelope.ETA_FLOOR


def _root(a: float, b: float, c0: float, value: float, s: float) -> float:
    """:func:`.poly.root` for one real polynomial (the same operations)."""
    cc = c0 - value
    d = b * b - 4.0 * a * cc
    beyond = d < 0.0
    sq = math.sqrt(-d if beyond else d) * (-1.0 if beyond else 1.0)
    num = -b + s * sq
    den = -b - s * sq
    if den * den >= num * num and not beyond:
        return 2.0 * cc / (1.0 if den == 0.0 else den)
    return num / (2.0 * (1e-300 if a == 0.0 else a))


def _rmax(a: float, b: float) -> float:
    return a if a >= b else b


def _rmin(a: float, b: float) -> float:
    return a if a <= b else b


def _point(
    k: int,
    q: float,
    h: float,
    rho: float,
    head: F64,
    eta: F64,
    surge: F64,
    choke: F64,
    n_min: F64,
    n_max: F64,
    q_cx: F64,
    turbo: NDArray[np.bool_],
    flow_per_rpm: F64,
    eta_piston: F64,
) -> tuple[float, float, float, float]:
    """Shaft power [W], head [J/kg], speed [1/min] and efficiency of unit k at flow q [m3/s], asked head h,
    suction density rho (:func:`.envelope.unit_power`, real)."""
    c = head[k]
    # unit_head: throttled up to the map's lower edge (head_floor)
    if turbo[k]:
        nn = n_min[k]
        r0 = c[0, 0] + nn * (c[1, 0] + nn * c[2, 0])
        r1 = c[0, 1] + nn * (c[1, 1] + nn * c[2, 1])
        r2 = c[0, 2] + nn * (c[1, 2] + nn * c[2, 2])
        at_min = r0 + q * (r1 + q * r2)
        qq = _rmin(q, q_cx[k])
        ch = choke[k]
        on_choke = ch[0] + qq * (ch[1] + qq * ch[2])
        hu = _rmax(h, _rmax(at_min, on_choke))
    else:
        hu = _rmax(h, 0.0)
    # unit_speed
    a = c[2, 0] + q * (c[2, 1] + q * c[2, 2])
    b = c[1, 0] + q * (c[1, 1] + q * c[1, 2])
    c0 = c[0, 0] + q * (c[0, 1] + q * c[0, 2])
    n_turbo = _root(a, b, c0, hu, 1.0)
    per_rpm = flow_per_rpm[k] if flow_per_rpm[k] > 0 else 1.0
    n = n_turbo if turbo[k] else q / per_rpm
    # in_map
    n_c = _rmin(_rmax(n, n_min[k]), n_max[k])
    r0 = c[0, 0] + n_c * (c[1, 0] + n_c * c[2, 0])
    r1 = c[0, 1] + n_c * (c[1, 1] + n_c * c[2, 1])
    r2 = c[0, 2] + n_c * (c[1, 2] + n_c * c[2, 2])
    s = surge[k]
    ch = choke[k]
    q_s = _root(r2 - s[2], r1 - s[1], r0 - s[0], 0.0, -1.0)
    q_c = _root(r2 - ch[2], r1 - ch[1], r0 - ch[0], 0.0, -1.0)
    q_c = q_c if q_c > q_s else q_s
    q_t = _rmin(_rmax(q, q_s), q_c)
    q_m = q_t if turbo[k] else q
    # unit_efficiency
    e = eta[k]
    e0 = e[0, 0] + n_c * (e[1, 0] + n_c * e[2, 0])
    e1 = e[0, 1] + n_c * (e[1, 1] + n_c * e[2, 1])
    e2 = e[0, 2] + n_c * (e[1, 2] + n_c * e[2, 2])
    eff = _rmin(_rmax(e0 + q_m * (e1 + q_m * e2), ETA_FLOOR), 1.0)
    if not turbo[k]:
        eff = eta_piston[k] + 0.0 * q_m
    return rho * q * hu / eff, hu, n, eff


def _gap(
    k: int,
    q: float,
    h: float,
    rho: float,
    head: F64,
    eta: F64,
    surge: F64,
    choke: F64,
    n_min: F64,
    n_max: F64,
    q_cx: F64,
    turbo: NDArray[np.bool_],
    flow_per_rpm: F64,
    eta_piston: F64,
    power_w: F64,
) -> float:
    """Shaft power minus available power of unit k (:func:`.drivers.available_power_w`, real)."""
    p, _, n, _ = _point(k, q, h, rho, head, eta, surge, choke, n_min, n_max, q_cx, turbo, flow_per_rpm, eta_piston)
    pw = power_w[k]
    return p - (pw[0] + n * (pw[1] + n * pw[2]))


def _unit_power_py(
    q: F64,
    h: F64,
    rho: F64,
    head: F64,
    eta: F64,
    surge: F64,
    choke: F64,
    n_min: F64,
    n_max: F64,
    q_cx: F64,
    turbo: NDArray[np.bool_],
    flow_per_rpm: F64,
    eta_piston: F64,
) -> tuple[F64, F64, F64, F64]:
    """:func:`.envelope.unit_power` of every unit at real flows, heads and densities (the same values)."""
    u = len(q)
    p, hu, n, eff = np.empty(u), np.empty(u), np.empty(u), np.empty(u)
    for k in range(u):
        p[k], hu[k], n[k], eff[k] = _point(
            k, q[k], h[k], rho[k], head, eta, surge, choke, n_min, n_max, q_cx, turbo, flow_per_rpm, eta_piston
        )
    return p, hu, n, eff


def _bracket_py(
    a: F64,
    b: F64,
    ga: F64,
    gb: F64,
    top: F64,
    h: F64,
    rho: F64,
    head: F64,
    eta: F64,
    surge: F64,
    choke: F64,
    n_min: F64,
    n_max: F64,
    q_cx: F64,
    turbo: NDArray[np.bool_],
    flow_per_rpm: F64,
    eta_piston: F64,
    power_w: F64,
) -> F64:
    """The Illinois regula falsi of :func:`.envelope.power_flow` (its loop, the same stopping rule over the batch);
    returns the last iterate per unit. ``a``, ``b``, ``ga``, ``gb`` are updated in place."""
    u = len(a)
    x = np.empty(u)
    side = np.zeros(u, dtype=np.int64)
    for i in range(u):
        x[i] = 0.5 * (a[i] + b[i])
    for _ in range(100):
        done = True
        for i in range(u):
            xi = (a[i] * gb[i] - b[i] * ga[i]) / (gb[i] - ga[i])
            if not (math.isfinite(xi) and xi > a[i] and xi < b[i]):
                xi = 0.5 * (a[i] + b[i])
            gx = _gap(
                i, xi, h[i], rho[i], head, eta, surge, choke, n_min, n_max, q_cx, turbo, flow_per_rpm,
                eta_piston, power_w,
            )  # fmt: skip
            if gx > 0.0:  # the root is left of x: x becomes the upper end
                if side[i] == 1:
                    ga[i] = ga[i] * 0.5
                gb[i] = gx
                b[i] = xi
                side[i] = 1
            else:
                ga[i] = gx
                if side[i] == -1:
                    gb[i] = gb[i] * 0.5
                a[i] = xi
                side[i] = -1
            x[i] = xi
            t = top[i]
            scale = t if (t >= 1e-9 or t != t) else 1e-9  # np.maximum(top, 1e-9)
            if not (b[i] - a[i] <= 1e-13 * scale or abs(gx) <= 1e-12 * (1.0 + abs(rho[i] * xi * h[i]))):
                done = False
        if done:
            break
    return x


def _compile_helpers(numba: Any) -> None:
    glb = globals()  # the helpers compiled in place, so that the compiled loops call compiled code
    for name in ("_root", "_rmax", "_rmin", "_point", "_gap"):
        if not hasattr(glb[name], "py_func"):
            glb[name] = numba.njit(cache=True, nogil=True)(glb[name])


def _build_bracket(numba: Any) -> Callable[..., F64]:
    _compile_helpers(numba)
    return numba.njit(cache=True, nogil=True)(_bracket_py)


def _build_unit_power(numba: Any) -> Callable[..., tuple[F64, F64, F64, F64]]:
    _compile_helpers(numba)
    return numba.njit(cache=True, nogil=True)(_unit_power_py)


compiled_bracket = LazyKernel(_build_bracket, warm_calls=150)
"""The compiled :func:`_bracket_py` (a :class:`linepack.lazy_kernel.LazyKernel`: None until worth loading)."""
compiled_unit_power = LazyKernel(_build_unit_power, warm_calls=1000)
"""The compiled :func:`_unit_power_py` (as :data:`compiled_bracket`)."""
