"""Steady-state equations of a compiled network and their analytic, vectorised Jacobian.

Unknowns ``x = [p (every node, Pa), q (every edge, kg/s), s (supply of each pressure-held source, kg/s)]``,
all scaled (per-unit) so that Newton is well conditioned. Equations:

* node balance: ``sum(q in) - sum(q out) - fuel + fixed inflow - demand + s = 0`` at every node;
* one law per edge: pipes and resistors
  ``p_i^2 - exp(s_h) p_j^2 - Z k1 (lambda L_e/D + zeta) q|q| = 0`` with ``k1 = 16 R T / (pi^2 D^4 M)``,
  ``s_h = 2 g dh M / (Z R T)``, ``L_e = L (exp(s_h) - 1)/s_h`` and Z at the mean pressure
  ``p_m = 2/3 (p_i + p_j - p_i p_j/(p_i + p_j))`` (Menon 2005, eq. 2.29 with elevation); with
  ``settings.compressibility_along_pipe: integrated`` the law is ``Z_m [Pi(p_i) - exp(s_h) Pi(p_j) - k1 (...) q|q|]``
  with Z integrated along the pipe (:mod:`linepack.hydraulics.z_integral`);
  compressors, regulators, valves by their control mode (see :class:`ControlState`);
* ``p = p_set`` at every pressure-held source node.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import IntEnum

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode, RegMode, friction_law_of, z_at
from ..hydraulics import compressor_power_w, darcy_friction
from ..hydraulics.z_integral import pressure_function
from ..quality.properties import GasProps
from ..units import G_M_PER_S2, R_J_PER_MOL_K
from .components import components
from .linear import SchurSolver, SparseLU, laplacian_backend
from .passive import LinearisedNetwork, squared_pressure_scale
from .sparsity import CscAssembler, SchurPlan
from .station_rows import StationRows, StationTerms, initial_configs

F64 = NDArray[np.float64]
DROOP = 1e-7  # pressure droop of shared pressure controls at the reference flow, fraction of reference pressure
FIXED_LOSS_SMOOTHING = 1e-3  # flow (fraction of the reference flow) over which a fixed loss changes sign
TIE_RESISTANCE = 1e-9  # pressure drop across a tie at the reference flow, as a fraction of the reference pressure
LINEARISED_ROUNDS = 4  # rounds of the linearised start of a passive network (SteadySystem.linearised_start)
RE_LAMINAR_LINEAR = 1.0  # below this Reynolds number the friction term is evaluated in its linear laminar form


def user_comp_target(cn: CompiledNetwork) -> F64:
    """Every compressor's set-point in its own (user) mode: Pa, ratio, W or kg/s; 0 for bypass and off."""
    cm = cn.comp_mode
    n = len(cm)
    suction = cn.comp_p_suction_set_pa if len(cn.comp_p_suction_set_pa) == n else np.full(n, np.nan)
    flow = cn.comp_flow_set if len(cn.comp_flow_set) == n else np.full(n, np.nan)
    target = np.select(
        [cm == CompMode.PRESSURE, cm == CompMode.SUCTION, cm == CompMode.RATIO, cm == CompMode.POWER,
         cm == CompMode.FLOW],
        [cn.comp_p_set_pa, suction, cn.comp_ratio_set, cn.comp_power_set_w, flow],
        default=0.0,
    )  # fmt: skip
    return np.asarray(target, dtype=float)


def user_reg_target(cn: CompiledNetwork) -> F64:
    """Every regulator's set-point in its own (user) mode: Pa (pressure) or kg/s (flow); 0 for open and closed."""
    rm = cn.reg_mode
    flow = cn.reg_flow_set if len(cn.reg_flow_set) == len(rm) else np.full(len(rm), np.nan)
    return np.asarray(
        np.where(rm == RegMode.PRESSURE, cn.reg_p_set_pa, np.where(rm == RegMode.FLOW, flow, 0.0)), dtype=float
    )


class SourceBound(IntEnum):
    """The limit a source is held at (NONE: its own control mode)."""

    NONE = 0
    CAPACITY = 1  # a pressure-held source at its capacity: its pressure falls below the set-point
    SHUT_IN = 2  # the network pressure is above what the source can deliver against: no supply
    PRESSURE_LIMIT = 3  # a flow source held at its maximum send-out pressure: delivers less than its inflow


@dataclass(frozen=True)
class ControlState:
    """The equation in force for every controlled element (modes change as bounds become active)."""

    comp_mode: NDArray[np.int64]
    comp_target: F64  # Pa (pressure), ratio, W (power) or kg/s (flow), by mode
    reg_mode: NDArray[np.int64]
    reg_target: F64  # Pa (pressure) or kg/s (flow)
    src_pressure: NDArray[np.bool_]  # source holds its node pressure
    src_inflow: F64  # kg/s for sources in flow mode
    src_p_target: F64  # Pa held by pressure-held sources (set-point, or maximum send-out pressure)
    src_bound: NDArray[np.int64]  # SourceBound: which limit of the source is active
    # compressors running from `to` to `from` (bidirectional stations compressing backwards); None: none
    comp_reverse: NDArray[np.bool_] | None = None
    # configuration each station with units runs (CompiledNetwork.stations order); None: the initial choice
    station_config: NDArray[np.int64] | None = None

    def configs(self, cn: CompiledNetwork) -> NDArray[np.int64]:
        """The configuration every station with units runs (its initial one when the state has none)."""
        if self.station_config is not None:
            return self.station_config
        assert cn.stations is not None
        return initial_configs(cn.stations)

    @staticmethod
    def initial(cn: CompiledNetwork) -> ControlState:
        return ControlState(
            comp_mode=cn.comp_mode.copy(),
            comp_target=user_comp_target(cn),
            reg_mode=cn.reg_mode.copy(),
            reg_target=user_reg_target(cn),
            src_pressure=cn.source_is_pressure.copy(),
            src_inflow=cn.source_inflow.copy(),
            src_p_target=np.where(cn.source_is_pressure, cn.source_p_set_pa, np.nan),
            src_bound=np.zeros(len(cn.source_ids), dtype=np.int64),
            comp_reverse=np.zeros(len(cn.comp_edge), dtype=bool),
            station_config=initial_configs(cn.stations) if cn.stations is not None else None,
        )

    def reverse(self) -> NDArray[np.bool_]:
        """Which compressors run backwards (an all-False array when none)."""
        return np.zeros(len(self.comp_mode), dtype=bool) if self.comp_reverse is None else self.comp_reverse

    def with_(self, **kw: object) -> ControlState:
        return replace(self, **kw)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ResistiveState:
    """Per pipe / resistor quantities at a solution (for results and checks)."""

    p_in: F64
    p_out: F64
    p_mean: F64
    z: F64
    lambda_friction: F64  # Darcy friction of the pipe law (0 for resistors)
    lambda_equivalent: F64  # friction + zeta D / L_e: satisfies the law in its plain form
    reynolds: F64
    exp_s: F64
    length_eff: F64


def _g_and_dg(s: F64) -> tuple[F64, F64]:
    """g(s) = (e^s - 1)/s and g'(s), with a series near s = 0."""
    small = np.abs(s) < 1e-5
    ss = np.where(small, 1.0, s)
    g = np.where(small, 1.0 + s / 2.0 + s * s / 6.0, np.expm1(ss) / ss)
    dg = np.where(small, 0.5 + s / 3.0, (np.exp(ss) * ss - np.expm1(ss)) / (ss * ss))
    return g, dg


class SteadySystem:
    """Residual and Jacobian for one control state, one (lagged) viscosity field and one state of the gas.

    ``props`` gives the gas of every pipe, compressor and node (:class:`linepack.quality.properties.GasProps`;
    default: the network gas everywhere).
    """

    def __init__(
        self,
        cn: CompiledNetwork,
        state: ControlState,
        mu_res: F64,
        p_ref: float,
        m_ref: float,
        props: GasProps | None = None,
    ) -> None:
        self.cn = cn
        self.state = state
        self.mu = mu_res
        self.props = props if props is not None else GasProps.uniform_of(cn)
        self.p_ref = p_ref
        self.m_ref = m_ref
        n, m = cn.n_nodes, cn.n_edges
        self.psrc = np.flatnonzero(state.src_pressure)
        self.n, self.m, self.k = n, m, len(self.psrc)
        self.size = n + m + self.k
        self.xscale = np.concatenate([np.full(n, p_ref), np.full(m, m_ref), np.full(self.k, m_ref)])
        gas = cn.gas
        molar_mass = self.props.res_molar_mass
        self.RT = R_J_PER_MOL_K * (gas.temperature_k if cn.res_temperature_k is None else cn.res_temperature_k)
        # compressor suction temperature of the power law [K] (non-isothermal: each station's own)
        self.t_suction = gas.temperature_k if cn.comp_suction_temperature_k is None else cn.comp_suction_temperature_k
        self.k1 = 16.0 * self.RT / (np.pi**2 * cn.diameter_m**4 * molar_mass)
        self.a_h = 2.0 * G_M_PER_S2 * cn.dh_m * molar_mass / self.RT  # s_h = a_h / Z
        self.rel_rough = cn.roughness_m / cn.diameter_m
        fr = cn.res_is_pipe
        self.law_groups = [(int(c), np.flatnonzero(fr & (cn.law == c))) for c in np.unique(cn.law[fr])]
        fixed = np.zeros(n)
        np.add.at(fixed, cn.source_node, np.where(state.src_pressure, 0.0, state.src_inflow))
        np.subtract.at(fixed, cn.sink_node, cn.sink_demand)
        self.fixed_injection = fixed
        # equation scale of every edge row
        escale = np.full(m, p_ref)
        escale[cn.res_edge] = p_ref**2
        escale[cn.block_edge] = m_ref
        cm = state.comp_mode
        ce = cn.comp_edge
        escale[ce[(cm == CompMode.FLOW) | (cm == CompMode.OFF)]] = m_ref
        escale[ce[cm == CompMode.POWER]] = np.maximum(state.comp_target[cm == CompMode.POWER], 1e6)
        escale[ce[cm == CompMode.MAP_FLOW]] = m_ref
        escale[ce[cm == CompMode.MAP_HEAD]] = 1.0
        rm = state.reg_mode
        escale[cn.reg_edge[(rm == RegMode.CLOSED) | (rm == RegMode.FLOW)]] = m_ref
        self.fscale = np.concatenate([np.full(n, m_ref), escale, np.full(self.k, p_ref)])
        self._lu = SparseLU()
        self.linear = SchurSolver()  # the Schur complement's solver (may be shared by the systems of one solve)
        self._x_jac: F64 | None = None  # the point of the last Jacobian (for the passive column scale)
        self._assembler: CscAssembler | None = None  # the Jacobian's pattern, fixed for this control state
        self._schur: SchurPlan | None = None
        self._resistive_cache: tuple[F64, tuple[F64, F64, F64, F64]] | None = None
        # compressor ends in the direction each one compresses (a bidirectional station may run backwards)
        rev = state.reverse()
        ef_c, et_c = cn.edge_from[ce], cn.edge_to[ce]
        self.c_suction = np.where(rev, et_c, ef_c).astype(np.int64)
        self.c_discharge = np.where(rev, ef_c, et_c).astype(np.int64)
        self.c_sign = np.where(rev, -1.0, 1.0)
        # stations with units: their maps and drivers give power, fuel and limits (solvers.station_rows)
        self.stations = (
            StationRows(cn, state.comp_mode, state.configs(cn), self.props) if cn.stations is not None else None
        )
        self.comp_droop, self.reg_droop, self.src_droop = self._droops()

    def _droops(self) -> tuple[F64, F64, F64]:
        """Droop [Pa per kg/s] of pressure controls that share a node (directly or through ties).

        Two stations holding the same node at the same set-point leave their split of the flow
        undetermined (J singular). Like the droop of real parallel stations, each then holds
        ``p = p_set - droop * q`` (a station holding its suction: ``p = p_set + droop * q``) with a droop of
        DROOP of the reference pressure at the reference flow: equal set-points share the flow equally, and
        the pressure moves by less than 1e-6 relative.
        """
        cn, st = self.cn, self.state
        n = cn.n_nodes
        t = cn.tie_edge
        _, group = components(n, cn.edge_from[t], cn.edge_to[t])
        cm = st.comp_mode
        comp_ctrl = (cm == CompMode.PRESSURE) | (cm == CompMode.SUCTION)
        comp_node = np.where(cm == CompMode.SUCTION, self.c_suction, self.c_discharge)  # the node each one holds
        reg_ctrl = st.reg_mode == RegMode.PRESSURE
        held = st.src_pressure
        nodes = np.concatenate([comp_node[comp_ctrl], cn.edge_to[cn.reg_edge[reg_ctrl]], cn.source_node[held]])
        count = np.bincount(group[nodes], minlength=int(group.max(initial=0)) + 1)
        droop = DROOP * self.p_ref / self.m_ref
        shared = count[group] > 1  # per node
        comp = np.where(comp_ctrl & shared[comp_node], droop, 0.0)
        reg = np.where(reg_ctrl & shared[cn.edge_to[cn.reg_edge]], droop, 0.0)
        src = np.where(held & shared[cn.source_node], droop, 0.0)
        return comp, reg, src[self.psrc]

    # --- unpacking --------------------------------------------------------------------------------
    def split(self, x: F64) -> tuple[F64, F64, F64]:
        y = x * self.xscale
        return y[: self.n], y[self.n : self.n + self.m], y[self.n + self.m :]

    def pack(self, p: F64, q: F64, s: F64) -> F64:
        return np.concatenate([p, q, s]) / self.xscale

    # --- physics pieces ---------------------------------------------------------------------------
    def resistive(self, p: F64, q_all: F64) -> tuple[F64, F64, F64, F64, ResistiveState]:
        """Law residual and its derivatives for pipes and resistors."""
        cn = self.cn
        e = cn.res_edge
        pi, pj, q = p[cn.edge_from[e]], p[cn.edge_to[e]], q_all[e]
        psum = pi + pj
        psum_safe = np.where(np.abs(psum) < 1.0, 1.0, psum)
        pm = (2.0 / 3.0) * (psum - pi * pj / psum_safe)
        dpm_dpi = (2.0 / 3.0) * (1.0 - (pj / psum_safe) ** 2)
        dpm_dpj = (2.0 / 3.0) * (1.0 - (pi / psum_safe) ** 2)
        z, dz = self.props.z_res(pm)
        T = cn.gas.temperature_k
        if cn.z_integrated:
            # gravity term (p/Z)^2 = beta Pi(p), beta taken at the mean pressure (1/Z for constant Z); one gas only
            # (compile refuses Z integrated along the pipe when gases mix)
            Pm, dPm = pressure_function(cn.gas.compressibility, pm, T)
            u = (pm / z) ** 2
            du = 2.0 * (pm / z) * (1.0 / z - pm * dz / (z * z))
            b_grav = u / Pm
            db_grav = (du * Pm - u * dPm) / (Pm * Pm)
        else:
            b_grav, db_grav = 1.0 / z, -dz / (z * z)
        s = self.a_h * b_grav
        E = np.exp(s)
        g, dg = _g_and_dg(s)
        L, D = cn.length_m, cn.diameter_m
        Le = L * g
        aq = np.abs(q)
        re = np.maximum(4.0 * aq / (np.pi * D * self.mu), 1e-8)
        lam = np.zeros_like(q)
        dlam = np.zeros_like(q)
        for code, sel in self.law_groups:
            lam[sel], dlam[sel] = darcy_friction(
                friction_law_of(code),
                re[sel],
                self.rel_rough[sel],
                D[sel],
                cn.efficiency[sel],
                mu_pa_s=self.mu[sel],
                fixed=cn.friction_fixed[sel] if len(cn.friction_fixed) else None,
            )
        # friction term phi = (lam Le/D + zeta) q|q| and d phi/dq
        coef = lam * Le / D + cn.zeta
        phi = coef * q * aq
        dphi = 2.0 * coef * aq + dlam * re * aq * Le / D
        lin = cn.res_is_pipe & (re < RE_LAMINAR_LINEAR)  # laminar, linear in q: lam q|q| = 16 pi D mu q
        if np.any(lin):
            lam_lin_q = 16.0 * np.pi * D[lin] * self.mu[lin]
            phi[lin] = lam_lin_q * q[lin] * Le[lin] / D[lin] + cn.zeta[lin] * q[lin] * aq[lin]
            dphi[lin] = lam_lin_q * Le[lin] / D[lin] + 2.0 * cn.zeta[lin] * aq[lin]
        k1 = self.k1
        dE_dpm = E * self.a_h * db_grav
        dLe_dpm = L * dg * self.a_h * db_grav
        dphi_dpm = lam * dLe_dpm / D * q * aq
        if np.any(lin):
            dphi_dpm[lin] = 16.0 * np.pi * self.mu[lin] * q[lin] * dLe_dpm[lin]
        z_report = z
        if cn.z_integrated:
            # Z varying along the pipe (linepack.hydraulics.z_integral): Pi(p_i) - E Pi(p_j) = k1 phi, scaled by the
            # mean-pressure Z so that a constant Z gives the mean-pressure law exactly
            Pi_i, dPi_i = pressure_function(cn.gas.compressibility, pi, T)
            Pi_j, dPi_j = pressure_function(cn.gas.compressibility, pj, T)
            G = Pi_i - E * Pi_j - k1 * phi
            F = z * G
            dF_dpm = dz * G + z * (-Pi_j * dE_dpm - k1 * dphi_dpm)
            dF_dpi = z * dPi_i + dF_dpm * dpm_dpi
            dF_dpj = -z * E * dPi_j + dF_dpm * dpm_dpj
            den = Pi_i - E * Pi_j
            # the effective mean Z of the friction term: p_i^2 - E p_j^2 = Z_eff k1 phi at the solution
            with np.errstate(divide="ignore", invalid="ignore"):
                z_report = np.where(np.abs(den) > 1e-9 * np.abs(Pi_i), (pi * pi - E * pj * pj) / den, z)
        else:
            F = pi * pi - E * pj * pj - z * k1 * phi
            dF_dpm = -pj * pj * dE_dpm - dz * k1 * phi - z * k1 * dphi_dpm
            dF_dpi = 2.0 * pi + dF_dpm * dpm_dpi
            dF_dpj = -2.0 * E * pj + dF_dpm * dpm_dpj
        dF_dq = -z * k1 * dphi
        with np.errstate(divide="ignore", invalid="ignore"):
            lam_eq = np.where(aq > 0, phi / (q * aq) * D / Le, lam + cn.zeta * D / Le)
        state = ResistiveState(pi, pj, pm, z_report, lam, lam_eq, re, E, Le)
        return F, dF_dpi, dF_dpj, dF_dq, state

    def _resistive_at(self, x: F64, p: F64, q: F64) -> tuple[F64, F64, F64, F64]:
        """:meth:`resistive` at the unknowns ``x``, kept for the next call at the same point.

        Newton evaluates the residual at a new point and then the Jacobian at that same point; the pipe
        laws and their derivatives are computed once for both.
        """
        cached = self._resistive_cache
        if cached is not None and np.array_equal(cached[0], x):
            return cached[1]
        Fr, dpi, dpj, dq, _ = self.resistive(p, q)
        self._resistive_cache = (x.copy(), (Fr, dpi, dpj, dq))
        return Fr, dpi, dpj, dq

    def z_suction(self, p_pa: F64) -> tuple[F64, F64]:
        """Z and dZ/dp [1/Pa] at compressor suction pressures (a subclass may use a faster table)."""
        if self.cn.comp_suction_temperature_k is not None:  # non-isothermal: at each station's suction temperature
            z, dz = self.cn.gas.compressibility.z_and_dz_dp(p_pa, self.cn.comp_suction_temperature_k)
            return np.asarray(z, dtype=float), np.asarray(dz, dtype=float)
        return self.props.z_comp(p_pa)

    def station_terms(
        self, p: F64, q_all: F64, derivatives: bool = True, limits: bool = False
    ) -> StationTerms | None:
        """Power, fuel and limits of the stations with units at ``(p, q)`` (None without such stations), in the
        direction each station compresses (derivatives with respect to that direction's flow, its suction and
        its discharge pressure); their capacity and head margin are complete for stations at a map limit, or
        for all with ``limits``."""
        if self.stations is None:
            return None
        k = self.stations.k
        ce = self.cn.comp_edge[k]
        q_st = q_all[ce] * self.c_sign[k]
        return self.stations.terms(q_st, p[self.c_suction[k]], p[self.c_discharge[k]], derivatives, limits)

    def compressor_power(self, p: F64, q_all: F64, derivatives: bool = True) -> tuple[F64, F64, F64, F64]:
        """Shaft power [W] of every compressor and its derivatives (Z at suction included); stations with units
        from their maps.

        Suction and discharge are taken in the direction each station compresses; ``dP/dq`` is with respect
        to the edge flow ``q`` (positive from ``from`` to ``to``). Without thermodynamic data (no isentropic
        exponent: only electric stations without power limit, see :mod:`linepack.compile`) the power is not
        computed and is 0 here (stations with units have their own)."""
        cn = self.cn
        ce = cn.comp_edge
        ps, pd, q = p[self.c_suction], p[self.c_discharge], q_all[ce] * self.c_sign
        if cn.gas.kappa is None:
            zero = np.zeros(len(ce))
            return zero, zero, zero, zero
        z, dz = self.z_suction(ps)
        props = self.props
        P, dP_dq, dP_dps, dP_dpd = compressor_power_w(
            q, ps, pd, self.t_suction, z, props.comp_molar_mass, props.comp_kappa, cn.comp_eta_is
        )
        dP_dps = dP_dps + P / z * dz
        P, dP_dq, dP_dps, dP_dpd = (np.array(v, dtype=float) for v in (P, dP_dq, dP_dps, dP_dpd))
        t = self.station_terms(p, q_all, derivatives)
        if t is not None:
            st = self.stations
            assert st is not None
            mine = ~st.rescue
            k = st.k[mine]
            P[k], dP_dq[k], dP_dps[k], dP_dpd[k] = t.power[mine], *(d[mine] for d in t.d_power)
        live = 1.0 - self.cn.comp_active_arc if len(self.cn.comp_active_arc) else 1.0  # active arcs: no power
        return (
            np.asarray(P * live, float),
            np.asarray(dP_dq * live, float) * self.c_sign,
            np.asarray(dP_dps * live, float),
            np.asarray(dP_dpd * live, float),
        )

    def compressor_fuel(self, p: F64, q_all: F64, derivatives: bool = True) -> tuple[F64, F64, F64, F64]:
        """Fuel gas [kg/s] burnt by every compressor's driver (drawn at its suction) and its derivatives (d/dq of
        the edge flow, d/dp_s, d/dp_d in the direction it compresses): shaft power over driver efficiency and
        heating value, or for stations with units their drivers' energy rate at their loads."""
        P, dP_dq, dP_dps, dP_dpd = self.compressor_power(p, q_all, derivatives)
        ff = self.fuel_factor()
        fuel, d_q, d_ps, d_pd = ff * P, ff * dP_dq, ff * dP_dps, ff * dP_dpd
        t = self.station_terms(p, q_all, derivatives)
        if t is not None:
            k = self.stations.k  # type: ignore[union-attr]
            fuel[k], (d_q[k], d_ps[k], d_pd[k]) = t.fuel, t.d_fuel
            d_q[k] *= self.c_sign[k]
        return fuel, d_q, d_ps, d_pd

    def fuel_by_node(self, p: F64, q_all: F64) -> F64:
        """Fuel gas [kg/s] drawn at every node by the compressors at the state ``(p, q)``."""
        fuel = np.zeros(self.n)
        if len(self.cn.comp_edge):
            np.add.at(fuel, self.c_suction, np.maximum(self.compressor_fuel(p, q_all, False)[0], 0.0))
        return fuel

    def fuel_factor(self) -> F64:
        """Fuel mass flow per watt of shaft power for every compressor (0 when none is burnt)."""
        cn = self.cn
        lhv = self.props.comp_fuel_lhv_j_per_kg
        active = ~np.isin(self.state.comp_mode, (CompMode.BYPASS, CompMode.OFF))
        return np.where(cn.comp_gas_driven & active, 1.0 / (cn.comp_eta_driver * lhv), 0.0)

    # --- residual and Jacobian ------------------------------------------------------------------
    def _assemble(self, x: F64, with_jacobian: bool) -> tuple[F64, sp.csc_matrix | None]:
        cn, st = self.cn, self.state
        n, m = self.n, self.m
        p, q, s = self.split(x)
        rows: list[NDArray[np.int64]] = []
        cols: list[NDArray[np.int64]] = []
        vals: list[F64] = []

        if self._assembler is None:  # the systems of one solve share their patterns (same control state)
            shared = self.linear.plans.get(("J", *self._pattern_key()))
            self._assembler = shared if isinstance(shared, CscAssembler) else None
        collect = self._assembler is None  # the pattern is found once; later calls only gather the values

        def add(r: NDArray[np.int64], c: NDArray[np.int64], v: F64) -> None:
            if collect:
                rows.append(np.asarray(r, dtype=np.int64))
                cols.append(np.asarray(c, dtype=np.int64))
            vals.append(np.broadcast_to(np.asarray(v, dtype=float), np.shape(r)))

        ef, et = cn.edge_from, cn.edge_to
        eall = np.arange(m)
        # node balance
        bal = self.fixed_injection.copy()
        np.add.at(bal, et, q)
        np.subtract.at(bal, ef, q)
        if self.k:
            np.add.at(bal, cn.source_node[self.psrc], s)
        ce = cn.comp_edge
        P = dP_dq = dP_dps = dP_dpd = np.zeros(len(ce))
        cs, cd = self.c_suction, self.c_discharge
        if len(ce):
            P, dP_dq, dP_dps, dP_dpd = self.compressor_power(p, q, with_jacobian)
            fuel, df_dq, df_dps, df_dpd = self.compressor_fuel(p, q, with_jacobian)
            np.subtract.at(bal, cs, fuel)
        if with_jacobian:
            add(et, n + eall, np.ones(m))
            add(ef, n + eall, -np.ones(m))
            if self.k:
                add(cn.source_node[self.psrc], n + m + np.arange(self.k), np.ones(self.k))
            if len(ce):
                add(cs, n + ce, -df_dq)
                add(cs, cs, -df_dps)
                add(cs, cd, -df_dpd)
        F_edge = np.zeros(m)
        r0 = n
        # pipes and resistors
        e = cn.res_edge
        if len(e):
            Fr, dpi, dpj, dq = self._resistive_at(x, p, q)
            F_edge[e] = Fr
            if with_jacobian:
                add(r0 + e, ef[e], dpi)
                add(r0 + e, et[e], dpj)
                add(r0 + e, n + e, dq)
        # ties (open valves, short pipes) and blocks (closed valves); a tie carries a vanishing resistance
        # (TIE_RESISTANCE: 1e-9 of the reference pressure at the reference flow) so that flows in loops of
        # ties, which no pressure difference can determine, split evenly instead of leaving J singular
        t = cn.tie_edge
        eps = TIE_RESISTANCE * self.p_ref / self.m_ref
        F_edge[t] = p[ef[t]] - p[et[t]] - eps * q[t]
        b = cn.block_edge
        F_edge[b] = q[b]
        # fixed pressure-loss resistors: p_i - p_j = dp q / sqrt(q^2 + q_s^2), the loss turning smoothly with
        # the flow direction over |q| ~ q_s = FIXED_LOSS_SMOOTHING of the reference flow
        fl = cn.fixed_loss_edge
        if len(fl):
            qs = FIXED_LOSS_SMOOTHING * self.m_ref
            qf = q[fl]
            root = np.sqrt(qf * qf + qs * qs)
            F_edge[fl] = p[ef[fl]] - p[et[fl]] - cn.fixed_loss_pa * qf / root
            if with_jacobian:
                add(r0 + fl, ef[fl], np.ones(len(fl)))
                add(r0 + fl, et[fl], -np.ones(len(fl)))
                add(r0 + fl, n + fl, -cn.fixed_loss_pa * qs * qs / root**3)
        if with_jacobian:
            add(r0 + t, ef[t], np.ones(len(t)))
            add(r0 + t, et[t], -np.ones(len(t)))
            add(r0 + t, n + t, np.full(len(t), -eps))
            add(r0 + b, n + b, np.ones(len(b)))
        # compressors
        if len(ce):
            # each law in the station's own direction: suction cs, discharge cd, flow qc = sign * q
            cm, tgt, sgn = st.comp_mode, st.comp_target, self.c_sign
            ps, pd, qc = p[cs], p[cd], q[ce] * sgn
            droop = self.comp_droop
            cap = margin = np.zeros(len(ce))
            d_cap = d_margin = (cap, cap, cap)
            sterm = self.station_terms(p, q, with_jacobian)
            if sterm is not None:
                k = self.stations.k  # type: ignore[union-attr]
                cap, margin = cap.copy(), margin.copy()
                cap[k], margin[k] = sterm.cap, sterm.margin
                d_cap = tuple(np.zeros(len(ce)) for _ in range(3))  # type: ignore[assignment]
                d_margin = tuple(np.zeros(len(ce)) for _ in range(3))  # type: ignore[assignment]
                for j in range(3):
                    d_cap[j][k], d_margin[j][k] = sterm.d_cap[j], sterm.d_margin[j]
            Fc = np.select(
                [
                    cm == CompMode.PRESSURE,
                    cm == CompMode.SUCTION,
                    cm == CompMode.RATIO,
                    cm == CompMode.POWER,
                    cm == CompMode.FLOW,
                    cm == CompMode.BYPASS,
                    cm == CompMode.MAP_FLOW,
                    cm == CompMode.MAP_HEAD,
                ],
                [
                    pd - tgt + droop * qc,
                    ps - tgt - droop * qc,
                    pd - tgt * ps,
                    P - tgt,
                    qc - tgt,
                    ps - pd,
                    qc - cap,
                    margin,
                ],
                default=q[ce],
            )
            F_edge[ce] = Fc
            if with_jacobian:
                one = np.ones(len(ce))
                sel = cm == CompMode.PRESSURE
                add(r0 + ce[sel], cd[sel], one[sel])
                add(r0 + ce[sel], n + ce[sel], droop[sel] * sgn[sel])
                sel = cm == CompMode.SUCTION
                add(r0 + ce[sel], cs[sel], one[sel])
                add(r0 + ce[sel], n + ce[sel], -droop[sel] * sgn[sel])
                sel = cm == CompMode.RATIO
                add(r0 + ce[sel], cd[sel], one[sel])
                add(r0 + ce[sel], cs[sel], -tgt[sel])
                sel = cm == CompMode.POWER
                add(r0 + ce[sel], n + ce[sel], dP_dq[sel])
                add(r0 + ce[sel], cs[sel], dP_dps[sel])
                add(r0 + ce[sel], cd[sel], dP_dpd[sel])
                sel = cm == CompMode.FLOW
                add(r0 + ce[sel], n + ce[sel], sgn[sel])
                sel = cm == CompMode.OFF
                add(r0 + ce[sel], n + ce[sel], one[sel])
                sel = cm == CompMode.BYPASS
                add(r0 + ce[sel], cs[sel], one[sel])
                add(r0 + ce[sel], cd[sel], -one[sel])
                sel = cm == CompMode.MAP_FLOW
                add(r0 + ce[sel], n + ce[sel], sgn[sel] * (one[sel] - d_cap[0][sel]))
                add(r0 + ce[sel], cs[sel], -d_cap[1][sel])
                add(r0 + ce[sel], cd[sel], -d_cap[2][sel])
                sel = cm == CompMode.MAP_HEAD
                add(r0 + ce[sel], n + ce[sel], sgn[sel] * d_margin[0][sel])
                add(r0 + ce[sel], cs[sel], d_margin[1][sel])
                add(r0 + ce[sel], cd[sel], d_margin[2][sel])
        # regulators
        re_ = cn.reg_edge
        if len(re_):
            rm, tgt = st.reg_mode, st.reg_target
            pin, pout, qr = p[ef[re_]], p[et[re_]], q[re_]
            F_edge[re_] = np.select(
                [rm == RegMode.PRESSURE, rm == RegMode.OPEN, rm == RegMode.FLOW],
                [pout - tgt + self.reg_droop * qr, pin - pout, qr - tgt],
                default=qr,
            )
            if with_jacobian:
                one = np.ones(len(re_))
                sel = rm == RegMode.PRESSURE
                add(r0 + re_[sel], et[re_[sel]], one[sel])
                add(r0 + re_[sel], n + re_[sel], self.reg_droop[sel])
                sel = rm == RegMode.OPEN
                add(r0 + re_[sel], ef[re_[sel]], one[sel])
                add(r0 + re_[sel], et[re_[sel]], -one[sel])
                sel = (rm == RegMode.FLOW) | (rm == RegMode.CLOSED)
                add(r0 + re_[sel], n + re_[sel], one[sel])
        # pressure-held sources
        F_src = p[cn.source_node[self.psrc]] - st.src_p_target[self.psrc] + self.src_droop * s
        if with_jacobian and self.k:
            add(n + m + np.arange(self.k), cn.source_node[self.psrc], np.ones(self.k))
            add(n + m + np.arange(self.k), n + m + np.arange(self.k), self.src_droop)
        F = np.concatenate([bal, F_edge, F_src]) / self.fscale
        if not with_jacobian:
            return F, None
        if self._assembler is None:
            shape = (self.size, self.size)
            self._assembler = CscAssembler(np.concatenate(rows), np.concatenate(cols), shape, self.xscale, self.fscale)
            self.linear.plans[("J", *self._pattern_key())] = self._assembler
        return F, self._assembler.matrix(np.concatenate(vals))

    def residual(self, x: F64) -> F64:
        return self._assemble(x, False)[0]

    def jacobian(self, x: F64) -> sp.csc_matrix:
        self._x_jac = x
        J = self._assemble(x, True)[1]
        assert J is not None
        return J

    def factorize(self, jac: sp.spmatrix) -> Callable[[F64], F64 | None] | None:
        """Factorise ``jac`` after eliminating the flows of pipes and resistors; return a solve function.

        Each pipe law involves only its own flow, so its rows and flow columns form a diagonal block D.
        With K the remaining unknowns (pressures, other flows, source supplies), the reduced system
        ``(J_KK - J_KR D^-1 J_RK) dx_K = rhs_K - J_KR D^-1 rhs_R`` is about a third of the size, with the
        pattern of the node graph; then ``dx_R = D^-1 (rhs_R - J_RK dx_K)``. Flows whose law has a zero
        derivative (a resistor at exactly zero flow) stay in K.
        """
        planned, fast = self._factorize_planned(jac)
        if planned:
            return fast
        J = sp.csr_matrix(jac)
        cand = self.n + self.cn.res_edge
        d = np.asarray(J[cand, cand]).ravel()
        keep = np.abs(d) > 1e-300
        R = cand[keep]
        inv_d = 1.0 / d[keep]
        mask = np.ones(self.size, dtype=bool)
        mask[R] = False
        K = np.flatnonzero(mask)
        JK = J[K]
        JKK, JKR = JK[:, K], JK[:, R]
        JRK = J[R][:, K]
        S = JKK - JKR @ sp.diags(inv_d) @ JRK
        solve_k = self._lu.factor(S)
        if solve_k is None:
            return None
        return _back_substitution(self.size, K, R, solve_k, JKR, JRK, inv_d)

    def _factorize_planned(self, jac: sp.spmatrix) -> tuple[bool, Callable[[F64], F64 | None] | None]:
        """:meth:`factorize` through the index maps of :class:`SchurPlan` (found once per pattern of J).

        ``(False, None)`` when the plan does not apply (a pattern without a diagonal J_RR, or a pipe law with
        a zero flow derivative: that flow then stays in K, in the general path).
        """
        if not sp.isspmatrix_csc(jac):
            return False, None
        plan = self._schur
        if plan is None or not plan.matches(jac):
            key = ("S", *self._pattern_key())
            shared = self.linear.plans.get(key)
            if isinstance(shared, SchurPlan) and shared.matches(jac):
                plan = self._schur = shared
            else:
                R = self.n + self.cn.res_edge
                mask = np.ones(self.size, dtype=bool)
                mask[R] = False
                built = SchurPlan.build(jac, R, np.flatnonzero(mask))
                if built is None:
                    return False, None
                plan = self._schur = built
                self.linear.plans[key] = built
        if not np.all(np.abs(jac.data[plan.d_slot]) > 1e-300):
            return False, None
        S, inv_d, JKR, JRK = plan.reduce(jac.data)
        solve_k = self.linear.factor_schur(S, self.n, self.cn.source_node[self.psrc], self._passive_scale())
        if solve_k is None:
            return True, None
        return True, _back_substitution(self.size, plan.k_index, plan.r_index, solve_k, JKR, JRK, inv_d)

    def _pattern_key(self) -> tuple[object, ...]:
        """What fixes the Jacobian's pattern and scaling: the network, the control modes and the scales (systems
        of one solve with the same key share the assembly and Schur maps kept by :attr:`linear`). The network enters
        by its incidence matrix, which the variants of one network made with ``dataclasses.replace`` share (the
        gas rounds of a mixed solve change demands and properties, never the pattern)."""
        st = self.state
        return (
            id(self.cn.incidence),
            type(self).__name__,
            st.comp_mode.tobytes(),
            st.reg_mode.tobytes(),
            st.src_pressure.tobytes(),
            self.fscale.tobytes(),
            self.xscale.tobytes(),
        )

    def _passive_scale(self) -> Callable[[], F64] | None:
        """For a passive system (only pipes and resistors, held sources without droop): the column scale of the
        squared-pressure form at the last Jacobian's point (:func:`.passive.squared_pressure_scale`)."""
        x = self._x_jac
        if x is None or self.m != len(self.cn.res_edge) or self.k == 0 or np.any(self.src_droop):
            return None
        cn, n = self.cn, self.n
        p_pu = x[:n]

        def scale() -> F64:
            z_mean = float(np.mean(z_at(cn, np.array([float(np.mean(p_pu)) * self.p_ref]))[0]))
            c = squared_pressure_scale(p_pu, cn.elevation_m, cn.gas.molar_mass_kg_per_mol, cn.gas.temperature_k, z_mean)
            return np.ones(n) if c is None else c

        return scale

    def linearised_start(self, rounds: int = LINEARISED_ROUNDS) -> tuple[F64, F64, F64] | None:
        """A starting point ``(p, q, s)`` for a passive network (pipes and resistors fed by pressure-held sources
        without droop; None for any other): the flows and pressures of the pipe laws linearised about a flow,
        ``p_i^2 - E p_j^2 = r_e q`` with the secant resistance ``r_e = Z k1 (lambda L_e/D + zeta) |q_e|`` of the
        full law (friction at that flow), solved as a weighted Laplacian in squared pressures with the held
        pressures as Dirichlet conditions (:class:`.passive.LinearisedNetwork`). The first round linearises about
        each pipe's flow for a 10 % pressure drop, each later one about the mean of the last two rounds' flows
        (Wood and Charles 1972, the linear theory method). Only the start: Newton then solves the exact system,
        and its answer does not depend on this point."""
        cn, st, n, m = self.cn, self.state, self.n, self.m
        if m == 0 or m != len(cn.res_edge) or self.k == 0 or np.any(self.src_droop):
            return None
        held = cn.source_node[self.psrc].astype(np.int64)
        if len(np.unique(held)) != self.k or self.k >= n:
            return None
        p_held = st.src_p_target[self.psrc]
        p_flat = np.full(n, float(np.max(p_held)))
        z_mean = float(np.mean(z_at(cn, p_flat[:1])[0]))
        c = squared_pressure_scale(
            np.ones(n), cn.elevation_m, cn.gas.molar_mass_kg_per_mol, cn.gas.temperature_k, z_mean
        )
        if c is None:
            return None
        e_phi = 1.0 / c
        net = LinearisedNetwork(
            cn.edge_from,
            cn.edge_to,
            held,
            p_held**2 * e_phi[held],
            self.fixed_injection,
            e_phi,
            laplacian_backend(self.linear.name, n - self.k, self.linear),
        )
        e = cn.res_edge
        D = cn.diameter_m
        floor = 1e-9 * self.m_ref

        def resistance(p: F64, q_abs: F64) -> F64:
            q_all = np.zeros(m)
            q_all[e] = np.maximum(q_abs, floor)
            rs = self.resistive(p, q_all)[4]
            r = np.empty(m)
            r[e] = rs.z * self.k1 * rs.lambda_equivalent * rs.length_eff / D * np.maximum(q_abs, floor)
            return r

        # a flow for 10 % pressure drop at the held pressure (lambda = 0.01): the scale of the first linearisation
        q_abs = np.sqrt(0.19 * p_flat[0] ** 2 / (self.k1 * 0.01 * cn.length_m / D))
        p, out = p_flat, None
        for k in range(rounds):
            r = resistance(p, q_abs)
            if not np.all(np.isfinite(r)) or not np.all(r > 0.0):
                return None
            out = net.solve(r)
            if out is None:
                return None
            v, q, _s = out
            p = np.sqrt(np.maximum(v / e_phi, (0.05 * p_flat) ** 2))
            q_abs = 0.5 * (q_abs + np.abs(q[e])) if k else np.abs(q[e])
        assert out is not None
        v, q, s = out
        return p, q, s

    def solve_linear(self, jac: sp.spmatrix, rhs: F64) -> F64 | None:
        """One linear step ``jac dx = rhs`` through :meth:`factorize`."""
        solve = self.factorize(jac)
        return None if solve is None else solve(rhs)

    def max_step(self, x: F64, dx: F64) -> float:
        """Largest step keeping every pressure above 5 % of its current value and, on networks with stations
        with units, below ten times the highest (a nearly singular Jacobian, e.g. a station beyond what its units
        can do, must not send a pressure to values no gas model covers). Networks without units keep the step
        rule they had before (the ceiling changed the path of GasLib-582 cool with its sources' gases mixed, at
        10 % of the load in the continuation, into a failure)."""
        xp, dxp = x[: self.n], dx[: self.n]
        limit = 1.0
        neg = dxp < 0
        if np.any(neg):
            limit = min(limit, float(np.min(0.95 * xp[neg] / -dxp[neg])))
        ceiling = 10.0 * float(np.max(xp, initial=0.0)) if self.stations is not None else 0.0
        pos = dxp > 0
        if ceiling > 0 and np.any(pos):
            limit = min(limit, float(np.min((ceiling - xp[pos]) / dxp[pos])))
        return float(min(1.0, max(limit, 1e-8)))


def _back_substitution(
    size: int,
    K: NDArray[np.int64],
    R: NDArray[np.int64],
    solve_k: Callable[[F64], F64 | None],
    JKR: sp.spmatrix,
    JRK: sp.spmatrix,
    inv_d: F64,
) -> Callable[[F64], F64 | None]:
    """The solve of the full system from the factorised Schur complement on K (flows R eliminated):
    ``dx_K = S^-1 (rhs_K - J_KR D^-1 rhs_R)``, then ``dx_R = D^-1 (rhs_R - J_RK dx_K)``."""

    def solve(rhs: F64) -> F64 | None:
        dx_k = solve_k(rhs[K] - JKR @ (rhs[R] * inv_d))
        if dx_k is None:
            return None
        dx = np.empty(size)
        dx[K] = dx_k
        dx[R] = (rhs[R] - JRK @ dx_k) * inv_d
        return dx if np.all(np.isfinite(dx)) else None

    return solve
