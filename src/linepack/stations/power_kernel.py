"""Compiled bracketing of a unit's driver power limit (numba, optional extra ``kernel``), with the numpy loop of
:func:`linepack.stations.envelope.power_flow` as the reference and fallback.

:func:`~linepack.stations.envelope.power_flow` finds, per unit, the flow at which the unit's shaft power reaches
its driver's available power, by regula falsi (Illinois) on the real parts, then one complex Newton step that
carries the derivative. The bracketing takes about a dozen evaluations of the unit's power on arrays of a few
units; in numpy each is some sixty calls, so call overhead, not arithmetic, is its cost (a third of a transient
step on the PSGP network with station units). The kernel here runs the same loop in one compiled call: the same
operations in the same order on the real parts (only +, -, *, /, sqrt and comparisons, which IEEE 754 rounds
the same in both), the same stopping rule over all units at once, so it returns the same bracket bit for bit
(tests/stations/test_power_kernel.py). The Newton step after it is compiled too where the heads and densities
are real (every evaluation but the Jacobian's complex step): its slope by the complex step on the unit model
written for complex flows (:func:`_cgap`); complex inputs keep the numpy step.

``LINEPACK_KERNEL=numpy`` keeps the numpy loop (as for the transient kernels, :mod:`linepack.transient.kernel`).
"""

from __future__ import annotations

import cmath
import math
import os
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
ENV = "LINEPACK_KERNEL"
ETA_FLOOR = 0.05  # the same floor as linepack.stations.envelope.ETA_FLOOR (checked by the tests)
STEP = 1e-30  # the complex step of linepack.stations.envelope
_compiled: dict[str, Any] = {}
_calls = [0]
CALLS_BEFORE_COMPILING = 200  # calls of the numpy loop before numba is imported for this kernel alone


def _rmax(a: float, b: float) -> float:
    return a if a >= b else b


def _rmin(a: float, b: float) -> float:
    return a if a <= b else b


def _root(a: float, b: float, c0: float, value: float, slope: float) -> float:
    """:func:`linepack.stations.poly.root` on real numbers (the same operations in the same order)."""
    cc = c0 - value
    d = b * b - 4.0 * a * cc
    beyond = d < 0.0
    sq = math.sqrt(-d if beyond else d) * (-1.0 if beyond else 1.0)
    num = -b + slope * sq
    den = -b - slope * sq
    use_den = (den * den >= num * num) and not beyond
    if use_den:
        return 2.0 * cc / (1.0 if den == 0.0 else den)
    safe_a = 1e-300 if a == 0.0 else a
    return num / (2.0 * safe_a)


def _poly2(c: F64, n: float, q: float) -> float:
    """:func:`linepack.stations.poly.poly2` for one 3 x 3 coefficient array."""
    r0 = c[0, 0] + n * (c[1, 0] + n * c[2, 0])
    r1 = c[0, 1] + n * (c[1, 1] + n * c[2, 1])
    r2 = c[0, 2] + n * (c[1, 2] + n * c[2, 2])
    return r0 + q * (r1 + q * r2)


def _gap(
    i: int,
    q: float,
    h: float,
    rho: float,
    kind: I64,
    head: F64,
    eta: F64,
    surge: F64,
    choke: F64,
    n_min: F64,
    n_max: F64,
    q_cx: F64,
    flow_per_rpm: F64,
    eta_piston: F64,
    power_w: F64,
) -> float:
    """Real part of :func:`linepack.stations.envelope._power_gap` for unit ``i``: shaft power minus available."""
    turbo = kind[i] == 0
    hc = head[i]
    # unit_head (head_floor: the minimum-speed line or the choke line)
    qm = _rmin(q, q_cx[i])
    floor = _rmax(_poly2(hc, n_min[i], q), choke[i, 0] + qm * (choke[i, 1] + qm * choke[i, 2]))
    hu = _rmax(h, floor) if turbo else _rmax(h, 0.0)
    # unit_speed (in_n: the head polynomial in n at flow q)
    a = hc[2, 0] + q * (hc[2, 1] + q * hc[2, 2])
    b = hc[1, 0] + q * (hc[1, 1] + q * hc[1, 2])
    c0 = hc[0, 0] + q * (hc[0, 1] + q * hc[0, 2])
    n_turbo = _root(a, b, c0, hu, 1.0)
    per_rpm = flow_per_rpm[i] if flow_per_rpm[i] > 0 else 1.0
    n = n_turbo if turbo else q / per_rpm
    # in_map: speed within its limits, then the flow within that speed line's surge and choke flows
    n_c = _rmin(_rmax(n, n_min[i]), n_max[i])
    r0 = hc[0, 0] + n_c * (hc[1, 0] + n_c * hc[2, 0])
    r1 = hc[0, 1] + n_c * (hc[1, 1] + n_c * hc[2, 1])
    r2 = hc[0, 2] + n_c * (hc[1, 2] + n_c * hc[2, 2])
    q_s = _root(r2 - surge[i, 2], r1 - surge[i, 1], r0 - surge[i, 0], 0.0, -1.0)
    q_c = _root(r2 - choke[i, 2], r1 - choke[i, 1], r0 - choke[i, 0], 0.0, -1.0)
    q_c = q_c if q_c > q_s else q_s
    q_t = _rmin(_rmax(q, q_s), q_c)
    q_in = q_t if turbo else q
    # unit_efficiency
    e = _rmin(_rmax(_poly2(eta[i], n_c, q_in), ETA_FLOOR), 1.0)
    e = e if turbo else eta_piston[i] + 0.0 * q
    power = rho * q * hu / e
    pw = power_w[i]
    return power - (pw[0] + n * (pw[1] + n * pw[2]))


def _bracket_py(
    idx: I64,
    h: F64,
    rho: F64,
    top: F64,
    q_ref: F64,
    kind: I64,
    head: F64,
    eta: F64,
    surge: F64,
    choke: F64,
    n_min: F64,
    n_max: F64,
    q_cx: F64,
    flow_per_rpm: F64,
    eta_piston: F64,
    power_w: F64,
    x_out: F64,
    a_out: F64,
    flags: NDArray[np.int64],
) -> None:
    """The regula falsi of :func:`linepack.stations.envelope.power_flow` over units ``idx`` (real heads ``h``,
    densities ``rho``, upper flows ``top``): the root into ``x_out``, the lower end into ``a_out``, and per unit
    ``flags`` 1 (free: even ``top`` needs less than the available power), 2 (stuck) or 0."""
    k = len(idx)
    a = np.empty(k)
    b = np.empty(k)
    ga = np.empty(k)
    gb = np.empty(k)
    side = np.zeros(k, dtype=np.int64)
    x = np.empty(k)
    for j in range(k):
        i = idx[j]
        a[j] = 1e-6 * q_ref[i]
        b[j] = max(top[j], a[j] * 2.0) if not (math.isnan(top[j]) or math.isnan(a[j])) else math.nan
        ga[j] = _gap(i, a[j], h[j], rho[j], kind, head, eta, surge, choke, n_min, n_max, q_cx, flow_per_rpm,
                     eta_piston, power_w)  # fmt: skip
        gb[j] = _gap(i, b[j], h[j], rho[j], kind, head, eta, surge, choke, n_min, n_max, q_cx, flow_per_rpm,
                     eta_piston, power_w)  # fmt: skip
        free = gb[j] <= 0.0
        stuck = (not free) and ga[j] >= 0.0
        flags[j] = 1 if free else (2 if stuck else 0)
        if free or stuck:
            ga[j] = -1.0
            gb[j] = 1.0
        x[j] = 0.5 * (a[j] + b[j])
    for _ in range(100):
        done = True
        for j in range(k):
            i = idx[j]
            xj = (a[j] * gb[j] - b[j] * ga[j]) / (gb[j] - ga[j])
            if not (math.isfinite(xj) and xj > a[j] and xj < b[j]):
                xj = 0.5 * (a[j] + b[j])
            x[j] = xj
            gx = _gap(i, xj, h[j], rho[j], kind, head, eta, surge, choke, n_min, n_max, q_cx, flow_per_rpm,
                      eta_piston, power_w)  # fmt: skip
            if gx > 0.0:  # the root is left of x: x becomes the upper end
                if side[j] == 1:
                    ga[j] = ga[j] * 0.5
                gb[j] = gx
                b[j] = xj
                side[j] = 1
            else:
                ga[j] = gx
                if side[j] == -1:
                    gb[j] = gb[j] * 0.5
                a[j] = xj
                side[j] = -1
            tol_top = top[j] if top[j] >= 1e-9 or math.isnan(top[j]) else 1e-9
            ok = (b[j] - a[j] <= 1e-13 * tol_top) or (abs(gx) <= 1e-12 * (1.0 + abs(rho[j] * xj * h[j])))
            if not ok:
                done = False
        if done:
            break
    for j in range(k):
        x_out[j] = x[j]
        a_out[j] = a[j]


def _croot(a: complex, b: complex, c0: complex, value: complex, slope: float) -> complex:
    """:func:`linepack.stations.poly.root` on complex numbers (branches on real parts, as there)."""
    cc = c0 - value
    d = b * b - 4.0 * a * cc
    beyond = d.real < 0.0
    sq = cmath.sqrt(-d if beyond else d) * (-1.0 if beyond else 1.0)
    num = -b + slope * sq
    den = -b - slope * sq
    rd, rn = den.real, num.real
    if (rd * rd >= rn * rn) and not beyond:
        return 2.0 * cc / (1.0 + 0.0j if rd == 0.0 else den)
    safe_a = 1e-300 + 0.0j if a.real == 0.0 else a
    return num / (2.0 * safe_a)


def _cmax(a: complex, b: complex) -> complex:
    return a if a.real >= b.real else b


def _cmin(a: complex, b: complex) -> complex:
    return a if a.real <= b.real else b


def _cpoly2(c: F64, n: complex, q: complex) -> complex:
    r0 = c[0, 0] + n * (c[1, 0] + n * c[2, 0])
    r1 = c[0, 1] + n * (c[1, 1] + n * c[2, 1])
    r2 = c[0, 2] + n * (c[1, 2] + n * c[2, 2])
    return r0 + q * (r1 + q * r2)


def _cgap(
    i: int,
    q: complex,
    h: float,
    rho: float,
    kind: I64,
    head: F64,
    eta: F64,
    surge: F64,
    choke: F64,
    n_min: F64,
    n_max: F64,
    q_cx: F64,
    flow_per_rpm: F64,
    eta_piston: F64,
    power_w: F64,
) -> complex:
    """:func:`_gap` at a complex flow (the complex step of :func:`linepack.stations.envelope.power_flow`)."""
    turbo = kind[i] == 0
    hc = head[i]
    hz = h + 0.0j
    qm = _cmin(q, q_cx[i] + 0.0j)
    floor = _cmax(_cpoly2(hc, n_min[i] + 0.0j, q), choke[i, 0] + qm * (choke[i, 1] + qm * choke[i, 2]))
    hu = _cmax(hz, floor) if turbo else _cmax(hz, 0.0j)
    a = hc[2, 0] + q * (hc[2, 1] + q * hc[2, 2])
    b = hc[1, 0] + q * (hc[1, 1] + q * hc[1, 2])
    c0 = hc[0, 0] + q * (hc[0, 1] + q * hc[0, 2])
    n_turbo = _croot(a, b, c0, hu, 1.0)
    per_rpm = flow_per_rpm[i] if flow_per_rpm[i] > 0 else 1.0
    n = n_turbo if turbo else q / per_rpm
    n_c = _cmin(_cmax(n, n_min[i] + 0.0j), n_max[i] + 0.0j)
    r0 = hc[0, 0] + n_c * (hc[1, 0] + n_c * hc[2, 0])
    r1 = hc[0, 1] + n_c * (hc[1, 1] + n_c * hc[2, 1])
    r2 = hc[0, 2] + n_c * (hc[1, 2] + n_c * hc[2, 2])
    q_s = _croot(r2 - surge[i, 2], r1 - surge[i, 1], r0 - surge[i, 0], 0.0j, -1.0)
    q_c = _croot(r2 - choke[i, 2], r1 - choke[i, 1], r0 - choke[i, 0], 0.0j, -1.0)
    q_c = q_c if q_c.real > q_s.real else q_s
    q_t = _cmin(_cmax(q, q_s), q_c)
    q_in = q_t if turbo else q
    e = _cmin(_cmax(_cpoly2(eta[i], n_c, q_in), ETA_FLOOR + 0.0j), 1.0 + 0.0j)
    e = e if turbo else eta_piston[i] + 0.0 * q
    power = rho * q * hu / e
    pw = power_w[i]
    return power - (pw[0] + n * (pw[1] + n * pw[2]))


def _newton_py(
    idx: I64,
    h: F64,
    rho: F64,
    x: F64,
    a: F64,
    flags: NDArray[np.int64],
    kind: I64,
    head: F64,
    eta: F64,
    surge: F64,
    choke: F64,
    n_min: F64,
    n_max: F64,
    q_cx: F64,
    flow_per_rpm: F64,
    eta_piston: F64,
    power_w: F64,
    q_out: F64,
) -> None:
    """The Newton step of :func:`linepack.stations.envelope._newton_step` from the bracketed roots ``x`` at real
    heads and densities: the slope by the complex step, as there."""
    for j in range(len(idx)):
        i = idx[j]
        g = _cgap(i, x[j] + 1j * STEP, h[j], rho[j], kind, head, eta, surge, choke, n_min, n_max, q_cx,
                  flow_per_rpm, eta_piston, power_w)  # fmt: skip
        slope = g.imag / STEP
        if not abs(slope) > 0:
            slope = 1.0
        gx = _gap(i, x[j], h[j], rho[j], kind, head, eta, surge, choke, n_min, n_max, q_cx, flow_per_rpm,
                  eta_piston, power_w)  # fmt: skip
        q = x[j] - gx / slope
        if flags[j] == 2:
            q = a[j] + 0.0 * q
        if flags[j] == 1:
            q = math.inf + 0.0 * q
        q_out[j] = q


def compiled_bracket() -> Callable[..., None] | None:
    """The compiled :func:`_bracket_py`, or None when numba is not installed or ``LINEPACK_KERNEL=numpy``; also
    None (the numpy loop, the same result) until it pays: importing numba costs about 0.35 s CPU, more than a
    steady solve spends here, so the kernel is taken once numba is loaded anyway (a transient's kernels) or after
    :data:`CALLS_BEFORE_COMPILING` calls in the process (studies, long runs)."""
    if os.environ.get(ENV, "auto").strip().lower() == "numpy":
        return None
    if "bracket" not in _compiled:
        _calls[0] += 1
        if "numba" not in sys.modules and _calls[0] <= CALLS_BEFORE_COMPILING:
            return None
        try:
            import numba
        except ImportError:
            _compiled["bracket"] = None
        else:
            jit = numba.njit(cache=True, nogil=True, error_model="numpy")
            global _rmax, _rmin, _root, _poly2, _gap, _croot, _cmax, _cmin, _cpoly2, _cgap
            _rmax, _rmin, _root, _poly2 = jit(_rmax), jit(_rmin), jit(_root), jit(_poly2)
            _croot, _cmax, _cmin, _cpoly2 = jit(_croot), jit(_cmax), jit(_cmin), jit(_cpoly2)
            _gap, _cgap = jit(_gap), jit(_cgap)
            _compiled["bracket"] = jit(_bracket_py)
            _compiled["newton"] = jit(_newton_py)
    return _compiled["bracket"]


def compiled_newton() -> Callable[..., None] | None:
    """The compiled :func:`_newton_py` (available with :func:`compiled_bracket`)."""
    return _compiled.get("newton") if compiled_bracket() is not None else None
