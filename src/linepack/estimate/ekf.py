"""One step of the extended Kalman filter over the implicit transient model (the linear algebra).

Filter state ``z = (p, theta)``: the pressure at every point of the estimator's grid and the boundary
parameters. One implicit Euler step ``F(x_{k+1}; p_k, theta) = 0`` (the transient solver's equations) maps
the state to all unknowns ``x_{k+1}`` (pressures, flows, supplies). Linearised with the step's own Jacobian J::

    dx_{k+1} = M_p dp_k + M_theta dtheta,   M_. = -J^-1 dF/d.

The model error is a random mass flow ``w`` at every point over the step; in the implicit step it acts
exactly as a change ``w dt / (V drho/dp)`` of the start-of-step pressure, so it is added to the pressure
covariance before the step. The readings of step k+1 are functions of ``x_{k+1}`` and theta, hence of the
state before the step: ``Z = dh/dz``. With ``P`` the covariance of z before the step (random walk and model
error added) and R that of the meters::

    S = Z P Z' + R                          (innovation covariance)
    C = Phi P Z'                            (covariance of the new state with the readings)
    P_new = Phi P Phi' - C S^-1 C'

with ``Phi = [[A, B], [0, I]]``, A and B the pressure rows of M_p and M_theta. Any linear function
``f = L x_{k+1} + L_theta theta`` of the new unknowns gets its posterior mean shift and variance the same way
(:func:`functional_update`); that is how flows, supplies and linepack are reported with sigmas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

F64 = NDArray[np.float64]


@dataclass
class Transition:
    """The linearised step: sensitivities of the new unknowns (physical units, rows = all unknowns)."""

    m_z: F64  # size x (n_p + n_theta): to the start-of-step pressures, then the parameters
    n_p: int

    @property
    def a(self) -> F64:
        return self.m_z[: self.n_p, : self.n_p]

    @property
    def b(self) -> F64:
        return self.m_z[: self.n_p, self.n_p :]

    def propagate(self, p: F64) -> F64:
        """``Phi P Phi'`` by blocks."""
        n_p = self.n_p
        a, b = self.a, self.b
        ppp, ppt, ptt = p[:n_p, :n_p], p[:n_p, n_p:], p[n_p:, n_p:]
        v = a @ ppt + b @ ptt
        u = a @ ppp + b @ ppt.T
        out = np.empty_like(p)
        out[:n_p, :n_p] = u @ a.T + v @ b.T
        out[:n_p, n_p:] = v
        out[n_p:, :n_p] = v.T
        out[n_p:, n_p:] = ptt
        return out

    def apply_phi(self, m: F64) -> F64:
        """``Phi m`` for a matrix ``m`` with n_z rows."""
        n_p = self.n_p
        out = m.copy()
        out[:n_p] = self.a @ m[:n_p] + self.b @ m[n_p:]
        return out


@dataclass
class Update:
    """What one update found: innovations, their covariance, the gain and the new covariance."""

    valid: NDArray[np.bool_]  # readings used (finite and inside the gate)
    gated: NDArray[np.bool_]  # readings rejected by the gate
    nu: F64  # innovations of the used readings
    s_inv: F64
    z_rows: F64  # Z of the used readings
    pz: F64  # P Z' (prior covariance times the used rows)
    gain: F64  # K = C S^-1 (n_z x used)
    dz: F64  # state correction
    p_prior: F64  # P before the step
    p_new: F64
    nis: float  # normalised innovation squared
    normalised: F64  # per reading: nu / sqrt(S_ii) (NaN: not used)


def update(p: F64, tr: Transition, z_all: F64, y: F64, h: F64, r_var: F64, gate: float) -> Update:
    """The Kalman update of the state covariance ``p`` with the readings ``y`` (NaN: none) against the prediction
    ``h``; readings further than ``gate`` sigmas from it are rejected (then the update is repeated once)."""
    finite = np.isfinite(y)
    gated = np.zeros(len(y), dtype=bool)
    normalised = np.full(len(y), np.nan)
    for _ in range(2):
        valid = finite & ~gated
        zr = z_all[valid]
        pz = p @ zr.T
        s = zr @ pz + np.diag(r_var[valid])
        nu = (y - h)[valid]
        sd = np.sqrt(np.maximum(np.diag(s), 1e-300))
        normalised[:] = np.nan
        normalised[valid] = nu / sd
        far = valid & (np.abs(np.nan_to_num(normalised)) > gate)
        if gate <= 0 or not np.any(far):
            break
        gated |= far
    s = 0.5 * (s + s.T)
    s_inv = np.linalg.inv(s) if len(nu) else np.zeros((0, 0))
    c = tr.apply_phi(pz)
    gain = c @ s_inv
    dz = gain @ nu
    p_new = tr.propagate(p) - gain @ c.T
    p_new = 0.5 * (p_new + p_new.T)
    nis = float(nu @ s_inv @ nu) if len(nu) else 0.0
    return Update(valid, gated, nu, np.asarray(s_inv, dtype=float), zr, pz, gain, dz, p, p_new, nis, normalised)


def measurement_rows(hx: sp.csr_matrix, ht: F64, tr: Transition) -> F64:
    """``Z = dh/dz`` of every meter."""
    z = np.asarray(hx @ tr.m_z)
    z[:, tr.n_p :] += ht
    return z


def functional_update(l_x: sp.csr_matrix, l_theta: F64 | None, tr: Transition, up: Update) -> tuple[F64, F64]:
    """Posterior shift (to add to the predicted value) and variance of ``f = l_x x_{k+1} + l_theta theta``."""
    f = np.asarray(l_x @ tr.m_z)
    if l_theta is not None:
        f[:, tr.n_p :] += l_theta
    prior = np.sum((f @ up.p_prior) * f, axis=1)
    cross = f @ up.pz
    cs = cross @ up.s_inv
    shift = cs @ up.nu
    var = prior - np.sum(cs * cross, axis=1)
    return shift, np.maximum(var, 0.0)


def state_shift(tr: Transition, up: Update) -> F64:
    """Posterior correction of all the new unknowns ``x_{k+1}`` (physical units)."""
    return np.asarray(tr.m_z @ (up.pz @ (up.s_inv @ up.nu)))
