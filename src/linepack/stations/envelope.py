r"""One unit at a required head: its operating head, speed, efficiency, power and the flows it can pass.

Turbo compressor (map region R between the surge line, the choke line and the speed limits, in the plane of
actual inlet volume flow Q and isentropic head H). Asked for the head ``h`` at flow ``Q``:

* its head is :math:`H_u = \max(h, H_{low}(Q))`, :math:`H_{low}(Q) = \max(H(n_{min}, Q), H_{choke}(Q))`: below
  the lower edge of R (minimum speed, choke) it cannot make so little head and runs on that edge, the
  difference throttled by the station's discharge valve;
* it passes flows from :math:`Q_{lo}(h) = \max(Q_{surge}(h), Q_{sn})` (surge line; left of it the anti-surge valve
  recycles gas, :math:`Q_{sn}` the flow where minimum speed meets surge) to
  :math:`Q_{hi}(h) = \min(Q(n_{max}, h), Q_{cx}, Q_{power}(h))`: maximum speed, the choke end of the
  maximum-speed line, or the driver's available power
  :math:`\rho Q H_u / \eta(n_u, Q) = P_{av}(n_u)`;
* speed :math:`n_u` solves :math:`H(n, Q) = H_u` on the branch where H rises with n; efficiency
  :math:`\eta(n_u, Q)` from its polynomial (held within [0.05, 1] outside the fitted region).

Piston compressor: :math:`Q = k n` with :math:`k = (1 - loss) V / 60`, from :math:`k n_{min}` to :math:`k n_{max}`
or the driver's power; its head is the required head; limits also on the stage ratio and on the shaft torque
:math:`M = \rho k H 60 / (2 \pi \eta)` (independent of speed).

``head_margin`` is positive while the unit can make the head at all (the flow interval is not empty and the
ratio and torque are within limits) and crosses zero at the limit, continuously (below the lowest corner of
the map, where neither end of the flow interval moves, it keeps falling slightly with the head): it is what the
solver holds at zero when the station is at its maximum head. Complex-step safe throughout (:mod:`.poly`).

References: Schmidt, Steinbach, Willert (2015), "High detail stationary optimization models for gas networks",
Optim. Eng. 16:131-164, section 3 (compressor machines); Koch et al. (2015), "Evaluating Gas Network
Capacities", SIAM, ch. 2; GPSA Engineering Data Book, section 13.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .drivers import available_power_w
from .poly import in_n, in_q, line, poly2, rmax, rmin, root, rwhere
from .power_kernel import compiled_bracket, compiled_newton
from .units import UnitArrays

Arr = NDArray[Any]
I64 = NDArray[np.int64]

# limit codes of a unit's largest flow
HI_MAX_SPEED, HI_CHOKE, HI_DRIVER, HI_PISTON_SPEED = 0, 1, 2, 3
ETA_FLOOR = 0.05
FLAT_SLOPE = 0.05  # margin per unit of head (relative to the surge head at maximum speed) below the map's corners
FLAT_CAP_SLOPE = 1.0  # the same for the capacity row, in units of q_ref: as steep as the map's own edges
STEP = 1e-30  # complex step (Squire and Trapp 1998)


def head_floor(u: UnitArrays, idx: I64, q: Any) -> Arr:
    """Lowest head a turbo unit makes at flow q: the minimum-speed line or the choke line [J/kg] (beyond the
    choke end of the maximum-speed line, the head there: the unit is past its capacity)."""
    return rmax(poly2(u.head[idx], u.n_min[idx], q), line(u.choke[idx], rmin(q, u.q_cx[idx])))


def unit_head(u: UnitArrays, idx: I64, q: Any, h: Any) -> Arr:
    """The head the unit makes when ``h`` is asked at flow ``q`` (turbo: throttled up to its lower edge)."""
    turbo = u.kind[idx] == 0
    return rwhere(turbo, rmax(h, head_floor(u, idx, q)), rmax(h, 0.0))


def unit_speed(u: UnitArrays, idx: I64, q: Any, h_unit: Any) -> Arr:
    """Speed [1/min] at flow q and the unit's head (turbo: root of the head polynomial; piston: q / k)."""
    a, b, c0 = in_n(u.head[idx], q)
    n_turbo, _ = root(a, b, c0, h_unit, +1)
    per_rpm = np.where(u.flow_per_rpm[idx] > 0, u.flow_per_rpm[idx], 1.0)
    return rwhere(u.kind[idx] == 0, n_turbo, np.asarray(q) / per_rpm)


def unit_efficiency(u: UnitArrays, idx: I64, n: Any, q: Any) -> Arr:
    """Isentropic efficiency at (n, q), held within [ETA_FLOOR, 1]."""
    eta = rmin(rmax(poly2(u.eta[idx], n, q), ETA_FLOOR), 1.0)
    return rwhere(u.kind[idx] == 0, eta, u.eta_piston[idx] + 0.0 * np.asarray(q))


def in_map(u: UnitArrays, idx: I64, n: Any, q: Any) -> tuple[Arr, Arr]:
    """The nearest point of the map region on the speed line: speed held within its limits, then the flow
    within that speed line's surge and choke flows (turbo; a piston's flow within its speed range)."""
    n_c = rmin(rmax(n, u.n_min[idx]), u.n_max[idx])
    a, b, c0 = in_q(u.head[idx], n_c)
    s = u.surge[idx]
    c = u.choke[idx]
    q_s, _ = root(a - s[:, 2], b - s[:, 1], c0 - s[:, 0], 0.0, -1)
    q_c, _ = root(a - c[:, 2], b - c[:, 1], c0 - c[:, 0], 0.0, -1)
    q_c = rwhere(np.real(q_c) > np.real(q_s), q_c, q_s)
    q_t = rmin(rmax(q, q_s), q_c)
    return n_c, rwhere(u.kind[idx] == 0, q_t, q)


def unit_power(u: UnitArrays, idx: I64, q: Any, h: Any, rho: Any) -> tuple[Arr, Arr, Arr, Arr]:
    """(shaft power [W], the unit's head [J/kg], speed [1/min], efficiency) at flow q [m3/s] and asked head h.

    Off its map (a solver's iterate, or a station asked beyond its limits before they are enforced) the
    efficiency is that of the nearest point of the map, so the power grows with the flow and head asked
    instead of with a polynomial extrapolated far from where it was fitted."""
    hu = unit_head(u, idx, q, h)
    n = unit_speed(u, idx, q, hu)
    n_c, q_c = in_map(u, idx, n, q)
    eta = unit_efficiency(u, idx, n_c, q_c)
    return rho * q * hu / eta, hu, n, eta


def _power_gap(u: UnitArrays, idx: I64, q: Any, h: Any, rho: Any) -> Arr:
    p, _, n, _ = unit_power(u, idx, q, h, rho)
    return np.asarray(p - available_power_w(u.power_w[idx], n))


def power_flow(u: UnitArrays, idx: I64, h: Any, rho: Any, q_top: Any) -> Arr:
    """The flow at which the unit's power reaches its driver's available power, at asked head h.

    Regula falsi (Illinois variant: bracketing, superlinear) on the real parts between a vanishing flow and
    ``q_top``, then one Newton step in the (possibly complex) inputs with the real slope at the root: the
    imaginary part is then the implicit derivative of the root (the complex step passes through the solve).
    ``inf`` where even ``q_top`` needs less than the available power; the vanishing flow where even that needs
    more.
    """
    hr, rr = np.real(h), np.real(rho)
    top = np.real(q_top).astype(float)
    fast = compiled_bracket()
    if fast is not None:  # the same loop compiled (stations.power_kernel: the same bracket, bit for bit)
        x, a = np.empty(len(idx)), np.empty(len(idx))
        flags = np.empty(len(idx), dtype=np.int64)
        fast(np.asarray(idx, dtype=np.int64), np.asarray(hr, dtype=float), np.asarray(rr, dtype=float), top,
             u.q_ref, u.kind, u.head, u.eta, u.surge, u.choke, u.n_min, u.n_max, u.q_cx, u.flow_per_rpm,
             u.eta_piston, u.power_w, x, a, flags)  # fmt: skip
        step = compiled_newton()
        if step is not None and not np.iscomplexobj(h) and not np.iscomplexobj(rho):
            q = np.empty(len(idx))  # real heads and densities: the Newton step compiled too
            step(np.asarray(idx, dtype=np.int64), np.asarray(hr, dtype=float), np.asarray(rr, dtype=float), x, a,
                 flags, u.kind, u.head, u.eta, u.surge, u.choke, u.n_min, u.n_max, u.q_cx, u.flow_per_rpm,
                 u.eta_piston, u.power_w, q)  # fmt: skip
            return q
        return _newton_step(u, idx, h, rho, hr, rr, x, a, flags == 1, flags == 2)
    a = np.full(len(idx), 1e-6) * u.q_ref[idx]
    b = np.maximum(top, a * 2.0)
    ga, gb = _power_gap(u, idx, a, hr, rr).real, _power_gap(u, idx, b, hr, rr).real
    free = gb <= 0.0
    stuck = ~free & (ga >= 0.0)
    ga = np.where(free | stuck, -1.0, ga)
    gb = np.where(free | stuck, 1.0, gb)
    side = np.zeros(len(idx), dtype=int)
    x = 0.5 * (a + b)
    for _ in range(100):
        x = (a * gb - b * ga) / (gb - ga)
        x = np.where(np.isfinite(x) & (x > a) & (x < b), x, 0.5 * (a + b))
        gx = _power_gap(u, idx, x, hr, rr).real
        right = gx > 0.0  # the root is left of x: x becomes the upper end
        # Illinois: an end kept twice in a row has its value halved (no one-sided stalling)
        ga, gb = (
            np.where(right, np.where(side == 1, ga * 0.5, ga), gx),
            np.where(right, gx, np.where(side == -1, gb * 0.5, gb)),
        )
        a, b = np.where(right, a, x), np.where(right, x, b)
        side = np.where(right, 1, -1)
        if np.all((b - a <= 1e-13 * np.maximum(top, 1e-9)) | (np.abs(gx) <= 1e-12 * (1.0 + np.abs(rr * x * hr)))):
            break
    return _newton_step(u, idx, h, rho, hr, rr, x, a, free, stuck)


def _newton_step(
    u: UnitArrays, idx: I64, h: Any, rho: Any, hr: Any, rr: Any, x: Arr, a: Arr, free: Arr, stuck: Arr
) -> Arr:
    """The Newton step of :func:`power_flow` from the bracketed root ``x`` (complex: carries the derivative)."""
    slope = np.imag(_power_gap(u, idx, x + 1j * STEP, hr, rr)) / STEP
    slope = np.where(np.abs(slope) > 0, slope, 1.0)
    q = x - _power_gap(u, idx, x, h, rho) / slope
    q = rwhere(stuck, a + 0.0 * q, q)
    return rwhere(free, np.inf + 0.0 * q, q)


@dataclass(frozen=True)
class Envelope:
    """Flows a unit can pass at its asked head, why the largest is limited, and its head margin."""

    lo: Arr  # m3/s: smallest flow without recycling
    hi: Arr  # m3/s: largest flow
    hi_code: I64  # HI_* code of what limits hi
    head_margin: Arr  # > 0: the unit can make the head; 0 at its head limit
    flat: Arr  # m3/s: a slope added to hi where hi does not move with the head (see envelope), for rows only


def envelope(
    u: UnitArrays, idx: I64, h: Any, rho: Any, stage_ratio: Any, with_power: NDArray[np.bool_] | None = None
) -> Envelope:
    """The envelope of units ``idx`` at asked heads h [J/kg], suction densities rho [kg/m3] and stage ratios.

    ``with_power`` (default: all) says for which units the driver's power limit is found (a root solve, the
    costly part); for the others the largest flow ignores it (what load sharing among identical units and the
    power of a unit do not need)."""
    turbo = u.kind[idx] == 0
    q_surge, _ = root(u.surge[idx, 2], u.surge[idx, 1], u.surge[idx, 0], h, +1)
    a, b, c0 = in_q(u.head[idx], u.n_max[idx])
    q_nmax, _ = root(a, b, c0, h, -1)
    lo_t = rmax(q_surge, u.q_sn[idx])
    hi_t = rmin(q_nmax, u.q_cx[idx])
    code_t = np.where(np.real(q_nmax) < u.q_cx[idx], HI_MAX_SPEED, HI_CHOKE)
    k = u.flow_per_rpm[idx]
    lo_p = k * u.n_min[idx]
    hi_p = k * u.n_max[idx]
    lo = rwhere(turbo, lo_t, lo_p + 0.0 * lo_t)
    hi0 = rwhere(turbo, hi_t, hi_p + 0.0 * hi_t)
    if with_power is None or np.all(with_power):
        q_pow = power_flow(u, idx, h, rho, hi0)
    else:
        q_pow = np.inf + 0.0 * hi0
        if np.any(with_power):
            w = np.flatnonzero(with_power)
            q_pow[w] = power_flow(u, idx[w], np.asarray(h)[w], np.asarray(rho)[w], hi0[w])
    hi = rmin(hi0, q_pow)
    code = np.where(np.real(q_pow) < np.real(hi0), HI_DRIVER, np.where(turbo, code_t, HI_PISTON_SPEED))
    # where the largest flow does not move with the head (below the choke end of the maximum-speed line, or
    # power-limited while throttled on the lower edge of the map) a station held at its capacity would leave its
    # discharge pressure undetermined: the solver's row takes this small slope in addition (a root found
    # there is not a solution: the capacity check of solvers.station_bounds names the station)
    h_choke = np.where(code == HI_CHOKE, u.h_cx[idx], -np.inf) + 0.0 * hi
    h_t = rwhere(code == HI_DRIVER, head_floor(u, idx, rmin(hi, u.q_cx[idx])), h_choke)
    flat = rwhere(turbo, FLAT_CAP_SLOPE * u.q_ref[idx] * rmax(h_t - h, 0.0) / np.maximum(u.h_sx[idx], 1.0), 0.0 * hi)
    margin = (hi - lo) / u.q_ref[idx]
    # below the corners of the map's lower part (surge at minimum speed, choke at maximum speed) neither end
    # of the flow range moves with the head: a small slope there keeps the margin strictly falling with the
    # head, so the row that holds a station at its maximum head never has a flat (singular) start
    h_flat = np.minimum(u.h_sn[idx], u.h_cx[idx])
    margin = margin + rwhere(turbo, FLAT_SLOPE * rmax(h_flat - h, 0.0) / np.maximum(u.h_sx[idx], 1.0), 0.0 * margin)
    if np.any(~turbo):
        torque = rho * k * rmax(h, 0.0) * 60.0 / (2.0 * np.pi * u.eta_piston[idx])
        with np.errstate(divide="ignore", invalid="ignore"):
            m_ratio = 1.0 - stage_ratio / np.where(turbo, 1.0, u.ratio_max[idx])
            m_torque = 1.0 - torque / np.where(np.isfinite(u.torque_max_nm[idx]), u.torque_max_nm[idx], np.inf)
        piston_margin = rmin(rmin(margin, m_ratio), m_torque)
        margin = rwhere(turbo, margin, piston_margin)
    return Envelope(np.asarray(lo), np.asarray(hi), code.astype(np.int64), np.asarray(margin), np.asarray(flat))
