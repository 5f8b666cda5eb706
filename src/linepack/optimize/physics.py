"""The steady-state physics as the optimiser sees it: the exact pipe law with its coefficients frozen.

The simulator's pipe law (:mod:`linepack.solvers.equations`) is

``F = p_i^2 - E p_j^2 - Z k1 (lambda L_e/D + zeta) q|q| = 0``

with ``E = exp(s_h)`` (elevation), Z at the mean pressure and the friction factor ``lambda(Re)``. The
optimiser writes it around a point ``(p_i0, p_j0, q0)`` as

``p_i^2 - E0 p_j^2 - C0 q|q| + a_i (p_i - p_i0) + a_j (p_j - p_j0) + a_q (q - q0) = 0``

where ``E0``, ``C0`` are evaluated by the simulator's own functions at the point (so the value equals F
there) and the ``a`` terms make the first derivatives equal the simulator's exact Jacobian there (so Z's
and lambda's dependence on pressure and flow is seen by the optimiser). The point is then moved to the
optimiser's solution until nothing changes (a sequential, SQP-like fixed point; the viscosity is lagged as
in the simulator). At that fixed point the pressures and flows satisfy the simulator's equations exactly
and the KKT conditions hold with the exact constraint Jacobian. The compressor power uses Z at suction the
same way (value and slope at the point). Reference: Menon (2005), "Gas Pipeline Hydraulics", eq. 2.29.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, z_at
from ..quality.properties import GasProps
from ..solvers.equations import ControlState, SteadySystem
from ..units import R_J_PER_MOL_K

F64 = NDArray[np.float64]
LAMINAR_RE = 2300.0  # below this Reynolds number the friction term gets a linear part (see FrozenPhysics.at)


def viscosity_at(cn: CompiledNetwork, p_pa: F64, props: GasProps | None = None) -> F64:
    """Dynamic viscosity [Pa s] of every pipe/resistor at the mean pressure of its end pressures ``p_pa``
    (``props``: the gas of every pipe when gas mixtures are tracked)."""
    e = cn.res_edge
    pi, pj = p_pa[cn.edge_from[e]], p_pa[cn.edge_to[e]]
    pm = (2.0 / 3.0) * (pi + pj - pi * pj / (pi + pj))
    if props is not None:
        return props.viscosity_res(pm)
    z, _ = z_at(cn, pm)
    return np.asarray(cn.gas.viscosity.mu(pm, cn.gas.temperature_k, z), dtype=float)


@dataclass(frozen=True)
class FrozenPhysics:
    """Coefficients of the pipe law and of compressor power at one operating point (SI units).

    ``exp_s`` [-] and ``c_pa2_s2_per_kg2`` [Pa^2 s^2/kg^2] per pipe/resistor (order of ``cn.res_edge``), the
    slope corrections ``a_i``, ``a_j`` [Pa] and ``a_q`` [Pa^2 s/kg] and the point (``p_i0``, ``p_j0``, ``q0``);
    ``head_coef_j_per_kg`` = Z_s R T / M / x per compressor at suction pressure ``ps0``, with slope
    ``dhead_dps`` [J/kg/Pa], so that the shaft power is ``P = q head (r^x - 1) / eta_is``, ``x = (kappa-1)/kappa``.
    """

    exp_s: F64
    c_pa2_s2_per_kg2: F64
    c_lin_pa2_s_per_kg: F64  # laminar pipes: friction term C_lin q (0 for turbulent ones)
    a_i: F64
    a_j: F64
    a_q: F64
    p_i0: F64
    p_j0: F64
    q0: F64
    head_coef_j_per_kg: F64
    dhead_dps: F64
    ps0: F64
    q_comp: F64  # station flows at the point [kg/s]
    law_residual: float  # largest relative error of pressure or flow implied by the pipe law's residual here
    x_exponent: float
    viscosity_pa_s: F64
    p_nodes_pa: F64 = field(default_factory=lambda: np.zeros(0))  # every node's pressure at the point
    x_exponents: F64 | None = None  # per compressor (its suction gas), when gas mixtures are tracked

    @staticmethod
    def at(
        cn: CompiledNetwork, p_pa: F64, q_kg_s: F64, q_floor_kg_s: float = 1e-3, props: GasProps | None = None
    ) -> FrozenPhysics:
        """Evaluate the coefficients at pressures ``p_pa`` (per node) and flows ``q_kg_s`` (per edge);
        ``q_floor_kg_s`` is the flow below which flow errors are measured absolutely (see law_residual); ``props``
        the gas of every pipe and compressor when gas mixtures are tracked (default: the network gas)."""
        mu = viscosity_at(cn, p_pa, props)
        sys = SteadySystem(cn, ControlState.initial(cn), mu, 1.0, 1.0, props)
        F, dpi, dpj, dq, rs = sys.resistive(p_pa, q_kg_s)
        e = cn.res_edge
        pi0, pj0, q0 = p_pa[cn.edge_from[e]], p_pa[cn.edge_to[e]], q_kg_s[e]
        # the friction term Phi = Z k1 (lambda L_e/D + zeta) q|q| at the point, written as C q|q| in turbulent
        # flow; in laminar flow (Re < LAMINAR_RE, lambda ~ 1/Re: Phi ~ linear in q) as C_lin q + C q|q| with C
        # the coefficient at Re = LAMINAR_RE, so that a pipe at rest is stiff near q = 0 but still grows like a
        # turbulent pipe when the optimiser sends flow through it
        phi = pi0 * pi0 - rs.exp_s * pj0 * pj0 - F
        lam = rs.reynolds < LAMINAR_RE
        aq0 = np.abs(q0)
        c_exact = rs.z * sys.k1 * rs.lambda_equivalent * rs.length_eff / cn.diameter_m
        if cn.z_integrated:  # the law's value at the point (Z integrated along the pipe), written as C q|q|
            with np.errstate(divide="ignore", invalid="ignore"):
                c_exact = np.where(aq0 > 0, phi / (q0 * np.where(aq0 > 0, aq0, 1.0)), c_exact)
        c = c_exact
        c_lin = np.zeros_like(q0)
        if np.any(lam):
            q_t = LAMINAR_RE * np.pi * cn.diameter_m * mu / 4.0
            p_full = p_pa
            q_full = q_kg_s.copy()
            q_full[e[lam]] = q_t[lam]
            _, _, _, _, rs_t = sys.resistive(p_full, q_full)
            c_t = rs_t.z * sys.k1 * rs_t.lambda_equivalent * rs_t.length_eff / cn.diameter_m
            c = np.where(lam, c_t, c_exact)
            with np.errstate(divide="ignore", invalid="ignore"):
                c_lin = np.where(lam, np.where(aq0 > 0, (phi - c * q0 * aq0) / np.where(aq0 > 0, q0, 1.0), -dq), 0.0)
        ps = p_pa[cn.edge_from[cn.comp_edge]]
        if props is None:
            kappa = cn.gas.kappa if cn.gas.kappa is not None else 1.3
            x = (kappa - 1.0) / kappa
            zs, dzs = z_at(cn, ps)
            head = zs * R_J_PER_MOL_K * cn.gas.temperature_k / cn.gas.molar_mass_kg_per_mol / x
            x_each = None
        else:
            x_each = (props.comp_kappa - 1.0) / props.comp_kappa
            x = float(np.mean(x_each)) if len(x_each) else 0.3
            zs, dzs = props.z_comp(ps)
            head = zs * R_J_PER_MOL_K * cn.gas.temperature_k / props.comp_molar_mass / x_each
        return FrozenPhysics(
            exp_s=np.asarray(rs.exp_s, float),
            c_pa2_s2_per_kg2=np.asarray(c, float),
            a_i=np.asarray(dpi - 2.0 * pi0, float),
            a_j=np.asarray(dpj + 2.0 * rs.exp_s * pj0, float),
            a_q=np.asarray(dq + 2.0 * c * aq0 + c_lin, float),
            c_lin_pa2_s_per_kg=np.asarray(c_lin, float),
            p_i0=pi0.copy(),
            p_j0=pj0.copy(),
            q0=q0.copy(),
            head_coef_j_per_kg=np.asarray(head, float),
            dhead_dps=np.asarray(head * dzs / zs, float),
            ps0=ps.copy(),
            q_comp=q_kg_s[cn.comp_edge].copy(),
            law_residual=_implied_error(F, dpi, dq, pi0, q0, q_floor_kg_s),
            x_exponent=float(x),
            viscosity_pa_s=mu,
            p_nodes_pa=np.asarray(p_pa, dtype=float).copy(),
            x_exponents=x_each,
        )

    def head_change(self, other: FrozenPhysics, q_floor_kg_s: float = 0.0) -> float:
        """Largest relative change of the compression head against ``other`` over stations carrying more than
        ``q_floor_kg_s`` (an idle station's head does not enter the equations)."""
        if not self.head_coef_j_per_kg.size:
            return 0.0
        dh = np.abs(self.head_coef_j_per_kg / other.head_coef_j_per_kg - 1.0)
        return float(np.max(np.where(np.abs(self.q_comp) > q_floor_kg_s, dh, 0.0)))


def _implied_error(F: F64, dF_dpi: F64, dF_dq: F64, pi: F64, q: F64, q_floor: float) -> float:
    """How far the point is from satisfying the pipe law: the larger of ``|F| / p_i^2`` (about twice the
    relative pressure error) and the relative flow change that would cancel the residual,
    ``|F / dF_dq| / max(|q|, q_floor)``, the largest over pipes. The second is what the flows' accuracy
    depends on: a lightly loaded turbulent pipe turns a small residual into a large flow error, a pipe at rest
    in laminar flow (stiff in q) into almost none."""
    if F.size == 0:
        return 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        dp = np.abs(F) / np.maximum(pi * pi, 1.0)
        dq = np.abs(F) / np.maximum(np.abs(dF_dq), 1e-300) / np.maximum(np.abs(q), q_floor)
    return float(np.max(np.maximum(dp, dq)))
