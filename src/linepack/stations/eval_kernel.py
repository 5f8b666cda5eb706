"""The station model's units, load sharing, power, fuel and limits in one compiled call (numba, optional extra
``kernel``), with :func:`linepack.stations.station.evaluate`'s numpy code as the reference and fallback.

:func:`~linepack.stations.station.evaluate` works on arrays of a few units (three PSGP stations, nine units):
in numpy every one of its several hundred small-array calls costs more in overhead than in arithmetic, about a
millisecond per evaluation, and a transient step makes about seven of them. Here, after the stage states
(inlet pressures, Z, densities, asked heads: a dozen numpy calls that stay in :mod:`.station`), everything else
runs per unit in one loop: the envelope (surge, maximum speed, choke, the driver's power limit by the same
regula falsi and Newton step as :mod:`.power_kernel`), the equal-distance-from-surge load sharing of each stage,
the unit's operating point, power, driver energy and fuel, and the per-station capacities, head margins and sums.

Sums and minima run in the order of ``np.add.at`` and ``np.lexsort`` and the arithmetic is the same sequence of
IEEE operations, so for real inputs the results are the numpy path's bit for bit
(``tests/stations/test_eval_kernel.py``): the steady solver takes it too, with unchanged results. The kernel is
written once for real and complex numbers (branches on real parts only) and runs the complex step of the Newton
Jacobian to 1e-12 of numpy's, but not bit for bit (numpy's SIMD complex multiply fuses the multiply-add and its
complex division scales by a reciprocal), so those evaluations stay in numpy unless
``linepack.stations.station.COMPLEX_COMPILED`` is set (rare in a transient: chord steps reuse the factorisation).

``LINEPACK_KERNEL=numpy`` keeps the numpy path; ``auto`` takes the kernel once numba is loaded (a transient) or
after a study's worth of calls (:class:`linepack.lazy_kernel.LazyKernel`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..lazy_kernel import LazyKernel
from . import power_kernel

Arr = NDArray[Any]
ETA_FLOOR = 0.05  # as linepack.stations.envelope
FLAT_SLOPE = 0.05
FLAT_CAP_SLOPE = 1.0
HI_MAX_SPEED, HI_CHOKE, HI_DRIVER, HI_PISTON_SPEED = 0, 1, 2, 3
STEP = 1e-30


def _rmax(a: Any, b: Any) -> Any:
    return a if a.real >= b.real else b


def _rmin(a: Any, b: Any) -> Any:
    return a if a.real <= b.real else b


def _root(a: Any, b: Any, c0: Any, value: Any, slope: float) -> Any:
    """:func:`linepack.stations.poly.root` on one real or complex number."""
    cc = c0 - value
    d = b * b - 4.0 * a * cc
    beyond = d.real < 0.0
    sq = np.sqrt(-d if beyond else d) * (-1.0 if beyond else 1.0)
    num = -b + slope * sq
    den = -b - slope * sq
    rd, rn = den.real, num.real
    if (rd * rd >= rn * rn) and not beyond:
        return 2.0 * cc / (den * 0.0 + 1.0 if rd == 0.0 else den)
    safe_a = a * 0.0 + 1e-300 if a.real == 0.0 else a
    return num / (2.0 * safe_a)


def _poly2(c: Arr, n: Any, q: Any) -> Any:
    r0 = c[0, 0] + n * (c[1, 0] + n * c[2, 0])
    r1 = c[0, 1] + n * (c[1, 1] + n * c[2, 1])
    r2 = c[0, 2] + n * (c[1, 2] + n * c[2, 2])
    return r0 + q * (r1 + q * r2)


def _head_floor(i: int, q: Any, head: Arr, choke: Arr, n_min: Arr, q_cx: Arr) -> Any:
    """:func:`linepack.stations.envelope.head_floor` of unit i."""
    qm = _rmin(q, q_cx[i])
    return _rmax(_poly2(head[i], n_min[i], q), choke[i, 0] + qm * (choke[i, 1] + qm * choke[i, 2]))


def _unit_power(
    i: int, q: Any, h: Any, rho: Any, kind: Arr, head: Arr, eta: Arr, surge: Arr, choke: Arr, n_min: Arr,
    n_max: Arr, q_cx: Arr, flow_per_rpm: Arr, eta_piston: Arr,
) -> tuple[Any, Any, Any, Any]:  # fmt: skip
    """:func:`linepack.stations.envelope.unit_power` of unit i: (power, the unit's head, speed, efficiency)."""
    turbo = kind[i] == 0
    hc = head[i]
    hu = _rmax(h, _head_floor(i, q, head, choke, n_min, q_cx)) if turbo else _rmax(h, 0.0)
    a = hc[2, 0] + q * (hc[2, 1] + q * hc[2, 2])
    b = hc[1, 0] + q * (hc[1, 1] + q * hc[1, 2])
    c0 = hc[0, 0] + q * (hc[0, 1] + q * hc[0, 2])
    per_rpm = flow_per_rpm[i] if flow_per_rpm[i] > 0 else 1.0
    n = _root(a, b, c0, hu, 1.0) if turbo else q / per_rpm
    n_c = _rmin(_rmax(n, n_min[i]), n_max[i])
    r0 = hc[0, 0] + n_c * (hc[1, 0] + n_c * hc[2, 0])
    r1 = hc[0, 1] + n_c * (hc[1, 1] + n_c * hc[2, 1])
    r2 = hc[0, 2] + n_c * (hc[1, 2] + n_c * hc[2, 2])
    q_s = _root(r2 - surge[i, 2], r1 - surge[i, 1], r0 - surge[i, 0], 0.0, -1.0)
    q_c = _root(r2 - choke[i, 2], r1 - choke[i, 1], r0 - choke[i, 0], 0.0, -1.0)
    q_c = q_c if q_c.real > q_s.real else q_s
    q_in = _rmin(_rmax(q, q_s), q_c) if turbo else q
    e = _rmin(_rmax(_poly2(eta[i], n_c, q_in), ETA_FLOOR), 1.0) if turbo else eta_piston[i] + 0.0 * q
    return rho * q * hu / e, hu, n, e


def _group_min(values: Arr, groups: Arr, out: Arr) -> None:
    """Per group, the value with the smallest real part (the first of equals; NaN only when all are)."""
    found = np.zeros(len(out), dtype=np.bool_)
    for j in range(len(values)):
        k = groups[j]
        v = values[j]
        if not found[k] or v.real < out[k].real or (math.isnan(out[k].real) and not math.isnan(v.real)):
            out[k] = v
            found[k] = True
    for k in range(len(out)):
        if not found[k]:
            out[k] = math.inf


def _station_py(
    idx: Arr, pair_slot: Arr, g: Arr, slot_of_group: Arr, need: Arr, h: Arr, rho: Arr, r_stage: Arr, m: Arr,
    lhv: Arr, kind: Arr, head: Arr, eta: Arr, surge: Arr, choke: Arr, n_min: Arr, n_max: Arr, q_sn: Arr, h_sn: Arr,
    q_cx: Arr, h_cx: Arr, h_sx: Arr, flow_per_rpm: Arr, ratio_max: Arr, torque_max_nm: Arr, eta_piston: Arr,
    q_ref: Arr, power_w: Arr, energy: Arr, gas_fired: Arr,
    lo: Arr, hi: Arr, hi_code: Arr, margin: Arr, q_run: Arr, q_net: Arr, p_unit: Arr, h_unit: Arr, n_unit: Arr,
    eff: Arr, p_av: Arr, e_unit: Arr, fuel: Arr, slot_out: Arr, sums: Arr, caps: Arr,
) -> None:  # fmt: skip
    """The station model from the stage states on (see the module docstring); per pair outputs, per slot
    ``slot_out`` rows (power, energy, fuel, recycle, capacity, capacity of the row, head margin, over capacity),
    ``sums`` (2, groups) and ``caps`` (2, groups) as work arrays of the inputs' type."""
    n_pair = len(idx)
    hi0 = np.empty_like(h)
    code_t = np.empty(n_pair, dtype=np.int64)
    # the flows each unit passes at its asked head, without the driver's power limit
    for j in range(n_pair):
        i = idx[j]
        hj = h[j]
        q_surge = _root(surge[i, 2], surge[i, 1], surge[i, 0], hj, 1.0)
        hc = head[i]
        nx = n_max[i]
        r0 = hc[0, 0] + nx * (hc[1, 0] + nx * hc[2, 0])
        r1 = hc[0, 1] + nx * (hc[1, 1] + nx * hc[2, 1])
        r2 = hc[0, 2] + nx * (hc[1, 2] + nx * hc[2, 2])
        q_nmax = _root(r2, r1, r0, hj, -1.0)
        code_t[j] = HI_MAX_SPEED if q_nmax.real < q_cx[i] else HI_CHOKE
        if kind[i] == 0:
            lo[j] = _rmax(q_surge, q_sn[i])
            hi0[j] = _rmin(q_nmax, q_cx[i])
        else:
            lo[j] = flow_per_rpm[i] * n_min[i] + 0.0 * q_surge
            hi0[j] = flow_per_rpm[i] * n_max[i] + 0.0 * q_surge
    # the drivers' power limits, where asked for: the bracket and Newton step of stations.power_kernel
    w = np.flatnonzero(need)
    q_pow = np.empty_like(h)
    for j in range(n_pair):
        q_pow[j] = math.inf + 0.0 * hi0[j]
    if len(w):
        iw = idx[w].astype(np.int64)
        hr = np.empty(len(w))
        rr = np.empty(len(w))
        top = np.empty(len(w))
        for t in range(len(w)):
            hr[t] = h[w[t]].real
            rr[t] = rho[w[t]].real
            top[t] = hi0[w[t]].real
        x = np.empty(len(w))
        a = np.empty(len(w))
        flags = np.empty(len(w), dtype=np.int64)
        _bracket(iw, hr, rr, top, q_ref, kind, head, eta, surge, choke, n_min, n_max, q_cx, flow_per_rpm,
                 eta_piston, power_w, x, a, flags)  # fmt: skip
        for t in range(len(w)):
            j = w[t]
            i = iw[t]
            gs = _cgap(i, x[t] + 1j * STEP, hr[t], rr[t], kind, head, eta, surge, choke, n_min, n_max, q_cx,
                       flow_per_rpm, eta_piston, power_w)  # fmt: skip
            slope = gs.imag / STEP
            if not abs(slope) > 0:
                slope = 1.0
            pg, _, ng, _ = _unit_power(i, x[t] + 0.0 * h[j], h[j], rho[j], kind, head, eta, surge, choke, n_min,
                                       n_max, q_cx, flow_per_rpm, eta_piston)  # fmt: skip
            pw = power_w[i]
            gx = pg - (pw[0] + ng * (pw[1] + ng * pw[2]))
            qj = x[t] - gx / slope
            if flags[t] == 2:
                qj = a[t] + 0.0 * qj
            if flags[t] == 1:
                qj = math.inf + 0.0 * qj
            q_pow[j] = qj
    # envelope: the largest flow, what limits it, the head margin and the capacity row's slope
    flat = np.empty_like(h)
    for j in range(n_pair):
        i = idx[j]
        turbo = kind[i] == 0
        hj = h[j]
        hi[j] = _rmin(hi0[j], q_pow[j])
        code = HI_DRIVER if q_pow[j].real < hi0[j].real else (code_t[j] if turbo else HI_PISTON_SPEED)
        hi_code[j] = code
        h_choke = (h_cx[i] if code == HI_CHOKE else -math.inf) + 0.0 * hi[j]
        h_t = _head_floor(i, _rmin(hi[j], q_cx[i]), head, choke, n_min, q_cx) if code == HI_DRIVER else h_choke
        sx = max(h_sx[i], 1.0)
        flat[j] = FLAT_CAP_SLOPE * q_ref[i] * _rmax(h_t - hj, 0.0) / sx if turbo else 0.0 * hi[j]
        mg = (hi[j] - lo[j]) / q_ref[i]
        h_flat = min(h_sn[i], h_cx[i])
        mg = mg + (FLAT_SLOPE * _rmax(h_flat - hj, 0.0) / sx if turbo else 0.0 * mg)
        if not turbo:
            k = flow_per_rpm[i]
            torque = rho[j] * k * _rmax(hj, 0.0) * 60.0 / (2.0 * np.pi * eta_piston[i])
            m_ratio = 1.0 - r_stage[j] / ratio_max[i]
            tmax = torque_max_nm[i] if math.isfinite(torque_max_nm[i]) else math.inf
            m_torque = 1.0 - torque / tmax
            mg = _rmin(_rmin(mg, m_ratio), m_torque)
        margin[j] = mg
    # load sharing within each (slot, stage) at equal distance from surge
    sums[:, :] = 0.0
    for j in range(n_pair):
        sums[0, g[j]] += lo[j]
        sums[1, g[j]] += hi[j]
    caps[:, :] = 0.0
    for j in range(n_pair):
        i = idx[j]
        gj = g[j]
        s_lo = sums[0, gj]
        vol = m[pair_slot[j]] / rho[j]
        span = sums[1, gj] - s_lo
        tiny = 1e-9 * q_ref[i]
        open_ = span.real > tiny
        frac = (vol - s_lo) / (span if open_ else 1.0 + 0.0 * span)
        recycling = (vol - s_lo).real < 0.0
        q_prop = lo[j] * vol / (s_lo if s_lo.real > tiny else tiny + 0.0 * s_lo)
        q_share = lo[j] + frac * (hi[j] - lo[j]) if open_ else q_prop
        q_run[j] = lo[j] if recycling else q_share
        q_net[j] = q_prop if recycling else q_share
        pu, hu, nu, eu = _unit_power(i, q_run[j], h[j], rho[j], kind, head, eta, surge, choke, n_min, n_max, q_cx,
                                     flow_per_rpm, eta_piston)  # fmt: skip
        p_unit[j], h_unit[j], n_unit[j], eff[j] = pu, hu, nu, eu
        pw = power_w[i]
        p_av[j] = pw[0] + nu * (pw[1] + nu * pw[2])
        en = energy[i]
        e_unit[j] = en[0] + pu * (en[1] + pu * en[2])
        fuel[j] = (1.0 if gas_fired[i] else 0.0) * e_unit[j] / lhv[j]
        caps[0, gj] += rho[j] * hi[j]
    for k in range(caps.shape[1]):
        caps[1, k] = caps[0, k]
    for j in range(n_pair):
        caps[1, g[j]] += rho[j] * flat[j]
    # per slot: sums over its units, the smallest capacity over its stages, the smallest margin over its units
    slot_out[:, :] = 0.0
    for j in range(n_pair):
        s = pair_slot[j]
        slot_out[0, s] += p_unit[j]
        slot_out[1, s] += e_unit[j]
        slot_out[2, s] += fuel[j]
        slot_out[3, s] += _rmax(rho[j] * (q_run[j] - q_net[j]), 0.0)
    _group_min(caps[0], slot_of_group, slot_out[4])
    _group_min(caps[1], slot_of_group, slot_out[5])
    _group_min(margin, pair_slot, slot_out[6])
    for s in range(slot_out.shape[1]):
        cap = slot_out[4, s]
        slot_out[7, s] = m[s] / (cap if cap.real > 1e-12 else 1e-12 + 0.0 * cap)


_bracket: Any = None
_cgap: Any = None


def _build(numba: Any) -> Any:
    global _bracket, _cgap, _rmax, _rmin, _root, _poly2, _head_floor, _unit_power, _group_min
    if power_kernel.compiled_bracket() is None:  # LINEPACK_KERNEL=numpy (numba itself is loaded here)
        return None
    _bracket, _cgap = power_kernel._compiled["bracket"], power_kernel._cgap
    jit = numba.njit(cache=True, nogil=True, error_model="numpy")
    _rmax, _rmin, _root, _poly2 = jit(_rmax), jit(_rmin), jit(_root), jit(_poly2)
    _head_floor, _unit_power, _group_min = jit(_head_floor), jit(_unit_power), jit(_group_min)
    return jit(_station_py)


compiled_station = LazyKernel(_build, warm_calls=200)
