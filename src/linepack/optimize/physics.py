"""The steady-state physics as the optimiser sees it: the exact pipe law with its coefficients frozen.

The simulator's pipe law (:mod:`linepack.solvers.equations`) is

``p_i^2 - E p_j^2 - Z k1 (lambda L_e/D + zeta) q|q| = 0``

with ``E = exp(s_h)`` (elevation), Z at the mean pressure and the friction factor ``lambda(Re)``. The
optimiser writes it as ``p_i^2 - E p_j^2 - C q|q| = 0`` with ``E`` and ``C`` evaluated by the simulator's
own functions at a point, then re-evaluates them at the optimiser's solution until they stop changing
(successive substitution, as the simulator lags the viscosity). At that fixed point the optimiser's
pressures and flows satisfy the simulator's equations exactly; the compressor power uses Z at suction
frozen the same way. Reference: Menon (2005), "Gas Pipeline Hydraulics", eq. 2.29 with elevation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, z_at
from ..solvers.equations import ControlState, SteadySystem
from ..units import R_J_PER_MOL_K

F64 = NDArray[np.float64]


def viscosity_at(cn: CompiledNetwork, p_pa: F64) -> F64:
    """Dynamic viscosity [Pa s] of every pipe/resistor at the mean pressure of its end pressures ``p_pa``."""
    e = cn.res_edge
    pi, pj = p_pa[cn.edge_from[e]], p_pa[cn.edge_to[e]]
    pm = (2.0 / 3.0) * (pi + pj - pi * pj / (pi + pj))
    z, _ = z_at(cn, pm)
    return np.asarray(cn.gas.viscosity.mu(pm, cn.gas.temperature_k, z), dtype=float)


@dataclass(frozen=True)
class FrozenPhysics:
    """Coefficients of the pipe law and of compressor power at one operating point (SI units).

    ``exp_s`` [-] and ``c_pa2_s2_per_kg2`` [Pa^2 s^2/kg^2] per pipe/resistor (order of ``cn.res_edge``);
    ``head_coef_j_per_kg`` = Z_s R T / M / x per compressor, so that the shaft power is
    ``P = q head_coef (r^x - 1) / eta_is`` with ``x = (kappa - 1)/kappa``.
    """

    exp_s: F64
    c_pa2_s2_per_kg2: F64
    head_coef_j_per_kg: F64
    x_exponent: float
    viscosity_pa_s: F64

    @staticmethod
    def at(cn: CompiledNetwork, p_pa: F64, q_kg_s: F64) -> FrozenPhysics:
        """Evaluate the coefficients at pressures ``p_pa`` (per node) and flows ``q_kg_s`` (per edge)."""
        mu = viscosity_at(cn, p_pa)
        sys = SteadySystem(cn, ControlState.initial(cn), mu, 1.0, 1.0)
        _, _, _, _, rs = sys.resistive(p_pa, q_kg_s)
        c = rs.z * sys.k1 * rs.lambda_equivalent * rs.length_eff / cn.diameter_m
        kappa = cn.gas.kappa if cn.gas.kappa is not None else 1.3
        x = (kappa - 1.0) / kappa
        ps = p_pa[cn.edge_from[cn.comp_edge]]
        zs, _ = z_at(cn, ps)
        head = zs * R_J_PER_MOL_K * cn.gas.temperature_k / cn.gas.molar_mass_kg_per_mol / x
        return FrozenPhysics(np.asarray(rs.exp_s, float), np.asarray(c, float), np.asarray(head, float), float(x), mu)

    def change_from(self, other: FrozenPhysics) -> float:
        """Largest relative change of any coefficient against ``other``."""
        parts = [
            np.abs(self.exp_s / other.exp_s - 1.0),
            np.abs(self.c_pa2_s2_per_kg2 - other.c_pa2_s2_per_kg2) / np.maximum(np.abs(other.c_pa2_s2_per_kg2), 1e-300),
            np.abs(self.head_coef_j_per_kg / other.head_coef_j_per_kg - 1.0),
        ]
        return float(max((np.max(a) for a in parts if a.size), default=0.0))
