"""The transient simulator's lagged friction factor, as parameters of the day-ahead NLP.

The simulator (:meth:`linepack.transient.equations.TransientSystem.freeze_friction`) holds the Darcy
friction factor of a segment at its value for the flow at the start of the step ("frozen"), except where
that flow is slow (Re < ``RE_FROZEN_MIN``: laminar and transitional), where the law is evaluated at the
current flow ("live"); below Re = ``RE_LAMINAR_LINEAR`` the friction term is written in its linear laminar
form. The optimiser writes each segment's friction term ``lambda q|q|`` around a point (flow ``q0``, factor
``lambda0`` and ``beta = d ln lambda / d ln |q|`` from the simulator's own
:func:`linepack.hydraulics.darcy_friction`):

* frozen: ``lambda = lambda0 ((q_old^2 + e^2) / (q0_old^2 + e^2))^(b/2)``, a power of the start-of-step
  flow (smoothed over ``e``, half the flow at ``RE_FROZEN_MIN``; ``b = beta (q0_old^2 + e^2) / q0_old^2`` so
  that the slope is the law's), times ``q|q|`` of the current flow;
* live: ``lambda q|q| = a q + b q|q|`` with ``b = lambda0 (1 + beta)``, ``a = -beta lambda0 |q0|``: the value
  and slope of ``lambda(q) q|q|`` at ``q0``, exact for laminar flow (``beta = -1``) and smooth through 0.

Both match the simulator's value and first derivative at the point. The point is moved to each solution
until the factors no longer change: at that fixed point the NLP's friction is the simulator's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ...compile import CompiledNetwork, friction_law_of
from ...hydraulics import darcy_friction
from ...solvers.equations import RE_LAMINAR_LINEAR
from ...transient.equations import RE_FROZEN_MIN

F64 = NDArray[np.float64]
RE_CLAMP = 1e-8  # the simulator's floor of the Reynolds number


@dataclass(frozen=True)
class LaggedFriction:
    """Per step (rows 1..N) and resistive edge (columns): the point of each friction term.

    Frozen segments (``frozen`` 1): ``lam0`` [-], ``beta`` [-] (the exponent of the smoothed form), ``qa0``
    = sqrt(q_old^2 + e^2) [kg/s], ``eps`` = e [kg/s]. Live segments (``frozen`` 0, ``lin`` 0): ``a`` [kg/s]
    and ``b`` [-] of ``a q + b q|q|``.
    ``lin`` 1: the linear laminar law (Re < 1). ``lam_exact`` is the factor itself (for the convergence test).
    """

    lam0: F64
    beta: F64
    qa0: F64
    eps: F64
    a: F64
    b: F64
    frozen: F64
    lin: F64
    lam_exact: F64


def _law_groups(cn: CompiledNetwork, fixed_friction: F64) -> list[tuple[int, NDArray[np.int64]]]:
    """Resistive edges by friction law: pipes only, without a fixed friction factor (as the simulator)."""
    fr = np.asarray(cn.res_is_pipe, dtype=bool) & ~np.isfinite(fixed_friction)
    return [(int(c), np.flatnonzero(fr & (cn.law == c))) for c in np.unique(cn.law[fr])]


def _lambda(cn: CompiledNetwork, groups: list[tuple[int, NDArray[np.int64]]], mu: F64, q: F64) -> tuple[F64, F64]:
    """Friction factor and beta = d ln lambda / d ln |q| at flows ``q`` (rows x resistive edges), with the
    simulator's clamp of the Reynolds number."""
    D = cn.diameter_m
    rel = cn.roughness_m / D
    lam = np.zeros_like(q)
    beta = np.zeros_like(q)
    for code, sel in groups:
        if not len(sel):
            continue
        re = np.maximum(4.0 * np.abs(q[:, sel]) / (np.pi * D[sel] * mu[sel]), RE_CLAMP)
        lv, dv = darcy_friction(friction_law_of(code), re, rel[sel], D[sel], cn.efficiency[sel], mu_pa_s=mu[sel])
        lam[:, sel] = lv
        beta[:, sel] = dv * re / lv
    return lam, beta


def lagged_friction(
    cn: CompiledNetwork, fixed_friction: F64, mu: F64, q_res: F64, pinned: NDArray[np.int8] | None = None
) -> LaggedFriction:
    """The point of every step's friction terms from the flows ``q_res`` [kg/s] of the resistive edges at the
    times t_0..t_N (rows). ``pinned`` (steps x edges): 1 forces the frozen regime, -1 the live one, 0 lets the
    start-of-step flow decide as the simulator does (a pinned entry's flow is bounded to its regime)."""
    groups = _law_groups(cn, fixed_friction)
    q_old, q_cur = q_res[:-1], q_res[1:]
    D = cn.diameter_m
    q_frozen_min = frozen_threshold_kg_s(cn, mu)
    slow = np.abs(q_old) < q_frozen_min  # Re(q_old) < RE_FROZEN_MIN, as the simulator decides
    if pinned is not None:
        slow = np.where(pinned > 0, False, np.where(pinned < 0, True, slow))
    lam_o, beta_o = _lambda(cn, groups, mu, q_old)
    lam_c, beta_c = _lambda(cn, groups, mu, q_cur)
    eps = 0.5 * q_frozen_min * np.ones_like(q_old)
    q_laminar = RE_LAMINAR_LINEAR * np.pi * D * mu / 4.0
    lin = (np.abs(q_cur) < q_laminar) & np.asarray(cn.res_is_pipe, dtype=bool)
    has_law = np.zeros(q_res.shape[1], dtype=bool)
    for _, sel in groups:
        has_law[sel] = True
    frozen = ~slow & has_law & ~lin
    live = slow & has_law & ~lin
    q_eff = np.maximum(np.abs(q_cur), RE_CLAMP * np.pi * D * mu / 4.0)
    qa0 = np.sqrt(q_old * q_old + eps * eps)
    # the power of the smoothed flow whose slope at q_old is the law's: beta (qa0 / q_old)^2
    with np.errstate(divide="ignore", invalid="ignore"):
        beta_s = np.where(frozen, beta_o * (qa0 * qa0) / np.maximum(q_old * q_old, 1e-300), 0.0)
    return LaggedFriction(
        lam0=np.where(frozen, lam_o, 0.0),
        beta=beta_s,
        qa0=qa0,
        eps=eps,
        a=np.where(live, -beta_c * lam_c * q_eff, 0.0),
        b=np.where(live, lam_c * (1.0 + beta_c), 0.0),
        frozen=frozen.astype(float),
        lin=lin.astype(float),
        lam_exact=np.where(frozen, lam_o, np.where(live, lam_c, 0.0)),
    )


def frozen_threshold_kg_s(cn: CompiledNetwork, mu: F64) -> F64:
    """The flow of every resistive edge below which the simulator evaluates the friction law at the current flow
    (Re = ``RE_FROZEN_MIN``) [kg/s]."""
    return np.asarray(RE_FROZEN_MIN * np.pi * cn.diameter_m * mu / 4.0, dtype=float)


def _effective(fr: LaggedFriction, q_res: F64, klin_d: F64) -> F64:
    """The friction term of the forms ``fr`` at the flows ``q_res`` as an effective factor lambda = term/(q|q|)."""
    q_old, q_cur = q_res[:-1], q_res[1:]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        qa = np.sqrt(q_old * q_old + fr.eps * fr.eps)
        frozen = fr.lam0 * (qa / fr.qa0) ** fr.beta
        aq = np.abs(q_cur)
        live = fr.a / aq + fr.b
        lin = klin_d / aq
    return np.where(fr.frozen > 0.5, frozen, np.where(fr.lin > 0.5, lin, live))


def friction_change(
    before: LaggedFriction, after: LaggedFriction, q_res: F64, q_floor_kg_s: float, klin_d: F64
) -> tuple[float, NDArray[np.bool_]]:
    """How far the friction terms the NLP used (``before``) are from the simulator's at the flows of its solution
    (``after``), as the relative flow error they imply: half the relative difference of the effective factors
    (a turbulent pipe's flow goes as lambda^-1/2), scaled by ``|q| / q_floor`` for flows below ``q_floor``
    (whose friction barely moves any pressure). ``klin_d`` = 16 pi mu D, the laminar term's factor times |q|.

    Returns the largest error and the mask of the (step, edge) entries whose frozen/live regime changed."""
    used = _effective(before, q_res, klin_d)
    exact = _effective(after, q_res, klin_d)
    weight = np.minimum(1.0, np.abs(q_res[1:]) / q_floor_kg_s)
    has = (before.frozen + after.frozen + before.lin + after.lin + np.abs(before.b) + np.abs(after.b)) > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = np.where(has & (exact > 0) & (weight > 0), 0.5 * np.abs(used - exact) / exact * weight, 0.0)
    diff = np.nan_to_num(diff, nan=np.inf, posinf=np.inf)
    flipped = (before.frozen != after.frozen) & ~(before.lin + after.lin > 0)
    return float(np.max(diff, initial=0.0)), flipped
