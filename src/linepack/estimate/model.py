"""The steady model an estimator inverts: the solver's steady system with free boundary parameters.

``state(theta)`` is the solver's own map (damped Newton on :class:`~linepack.solvers.equations.SteadySystem`,
warm-started), and its sensitivity ``dx/dtheta = -J^-1 dF/dtheta`` reuses the solver's analytic Jacobian J
(one sparse LU, one right-hand side per parameter).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import NDArray

from ..compile import CompiledNetwork, z_at
from ..errors import ConvergenceError
from ..quality.properties import GasProps
from ..results import SteadyResult
from ..solvers.equations import ControlState, SteadySystem
from ..solvers.newton import NewtonOptions, newton
from .parameters import BoundaryParameters

F64 = NDArray[np.float64]


def viscosity_at(cn: CompiledNetwork, p_pa: F64, props: GasProps | None = None) -> F64:
    """Gas viscosity [Pa s] of every resistive edge at the mean pressure of its end pressures ``p_pa``, of the
    gas each carries (``props``: the property layer of a result with mixed gases; None: the network gas)."""
    e = cn.res_edge
    pi, pj = p_pa[cn.edge_from[e]], p_pa[cn.edge_to[e]]
    pm = (2.0 / 3.0) * (pi + pj - pi * pj / (pi + pj))
    if props is not None:
        return props.viscosity_res(pm)
    z, _ = z_at(cn, pm)
    return np.asarray(cn.gas.viscosity.mu(pm, cn.gas.temperature_k, z), dtype=float)


def set_boundary(sys: SteadySystem, state: ControlState, demand_kg_s: F64) -> None:
    """Put a control state and sink demands into ``sys`` (its fixed injections follow)."""
    cn = sys.cn
    sys.state = state
    fixed = np.zeros(sys.n)
    np.add.at(fixed, cn.source_node, np.where(state.src_pressure, 0.0, state.src_inflow))
    np.subtract.at(fixed, cn.sink_node, demand_kg_s)
    withdrawal = getattr(sys, "withdrawal", None)
    if withdrawal is not None:
        fixed -= withdrawal
    sys.fixed_injection = fixed


@dataclass
class SteadyModel:
    """A steady system whose boundary values are the parameters ``theta`` (mutable: the current theta is set)."""

    sys: SteadySystem
    params: BoundaryParameters
    base_state: ControlState
    base_demand: F64

    @staticmethod
    def from_result(result: SteadyResult, p_ref: float, m_ref: float) -> SteadyModel:
        """The model of a solved steady state: its control state (modes and active bounds), its viscosity and its
        gas (with gas quality: the mixtures of the solution, held while the boundary values move)."""
        cn = result.network
        state = result.control if isinstance(result.control, ControlState) else ControlState.initial(cn)
        props = result.props
        sys = SteadySystem(cn, state, viscosity_at(cn, result.p_pa, props), p_ref, m_ref, props)
        params = BoundaryParameters.of(cn, state, m_ref)
        return SteadyModel(sys, params, state, cn.sink_demand.copy())

    @property
    def cn(self) -> CompiledNetwork:
        return self.sys.cn

    def theta0(self) -> F64:
        return self.params.values(self.base_state, self.base_demand)

    def set_theta(self, theta: F64) -> None:
        state, demand = self.params.apply(theta, self.base_state, self.base_demand)
        set_boundary(self.sys, state, demand)

    def pack(self, result: SteadyResult) -> F64:
        sys = self.sys
        return sys.pack(result.p_pa, result.q_kg_s, result.source_supply_kg_s[sys.psrc])

    def solve(self, theta: F64, x0: F64, tolerance: float = 1e-12) -> F64:
        """The scaled unknowns at ``theta`` (Newton from ``x0``); :class:`ConvergenceError` when Newton fails."""
        self.set_theta(theta)
        sys = self.sys
        out = newton(sys.residual, sys.jacobian, x0, NewtonOptions(tolerance=tolerance, max_iterations=60),
                     sys.max_step, sys.factorize)
        if not out.converged:
            raise ConvergenceError(f"the network equations have no solution at these boundary values ({out.message})")
        return out.x

    def sensitivity(self, x: F64) -> F64:
        """``dx/dtheta`` in physical units (pressures Pa, flows kg/s per unit of each parameter), dense."""
        sys = self.sys
        p, _, _ = sys.split(x)
        jac = sp.csc_matrix(sys.jacobian(x))
        g = self.params.residual_derivative(sys, p)
        rhs = -(sp.diags(1.0 / sys.fscale) @ g).toarray()
        lu = spla.splu(jac, permc_spec="COLAMD")
        return np.asarray(lu.solve(rhs), dtype=float) * sys.xscale[:, None]

    def refresh_viscosity(self, x: F64) -> float:
        """Re-evaluate the lagged viscosity at ``x`` (as the steady solver does between its outer rounds); returns
        the largest relative change."""
        sys = self.sys
        p, _, _ = sys.split(x)
        mu = viscosity_at(self.cn, p, sys.props)
        change = float(np.max(np.abs(mu / sys.mu - 1.0), initial=0.0))
        if change > 0:
            new = SteadySystem(self.cn, sys.state, mu, sys.p_ref, sys.m_ref, sys.props)
            new.fixed_injection = sys.fixed_injection
            self.sys = new
        return change
