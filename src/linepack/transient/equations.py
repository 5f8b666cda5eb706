"""Residual and analytic sparse Jacobian of one implicit time step on a segmented network.

Unknowns are those of the steady system of the segmented network (pressure at every point, mass flow in
every segment and non-pipe edge, supply of every pressure-held source). The equations are the steady
ones with one addition, the storage of every point k in the mass balance (implicit Euler):

    sum(q_in) - sum(q_out) + injections - fuel - V_k (rho(p_k) - rho_k^old) / dt = 0,
    rho(p) = p M / (Z(p) R T)                                   [kg/m^3]

with V_k the storage volume of the point [m^3] and dt the step [s]. Each segment obeys the steady pipe
law (isothermal momentum balance without inertia, friction and gravity; Menon 2005 eq. 2.29 with
elevation): p_i^2 - e^s p_j^2 = Z k1 (lambda L_e / D + zeta) q|q|. This is the standard "friction-
dominated" (parabolic) model of slow gas transients (Osiadacz 1987; Brouwer, Gasser & Herty 2011,
the ISO2 model), valid when the flow velocity is far below the speed of sound and the inertia term
d(q)/dt is small against friction: time scales of minutes and longer.

With an infinite step (``dt = inf``) the storage term vanishes and the system is the discretised
steady problem (used to start a run exactly at rest).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from ..compile import CompiledNetwork, friction_law_of, z_at
from ..hydraulics import darcy_friction
from ..hydraulics.colebrook_white import _LN10, COLEBROOK_NEWTON_STEPS
from ..hydraulics.constants import RE_LAMINAR
from ..hydraulics.friction import FrictionLaw
from ..quality.properties import GasProps
from ..solvers.equations import (
    RE_LAMINAR_LINEAR,
    TIE_RESISTANCE,
    ControlState,
    ResistiveState,
    SteadySystem,
    _g_and_dg,
)
from ..solvers.station_rows import StationRows
from ..units import G_M_PER_S2, R_J_PER_MOL_K
from .kernel import StepKernel

F64 = NDArray[np.float64]
#: laws that :func:`darcy_friction` evaluates as exactly 64/Re / E^2 below Re = RE_LAMINAR (all but the
#: Prandtl-Colebrook and Nikuradse variants, which have their own laminar rule)
_LAMINAR_BELOW_2000 = frozenset(int(f) for f in FrictionLaw) - {
    int(FrictionLaw.PRANDTL_COLEBROOK),
    int(FrictionLaw.NIKURADSE_PANDAPIPES),
}
RE_FROZEN_MIN = 1e4  # below this Reynolds number the friction factor is not lagged (laminar and transition)
_REUSE = sp.csc_matrix((1, 1))  # marker: "use the factorisation of an earlier step"


class ZFast:
    """Z(p) and dZ/dp of the network gas at its temperature: straight from the model's cached table
    (GERG-2008 / AGA8 tables, :mod:`linepack.gas.ztable`) when every pressure is inside it, else through
    :func:`linepack.compile.z_at` (same values; the table path skips per-call checks and look-ups)."""

    def __init__(self, cn: CompiledNetwork) -> None:
        self.cn = cn
        model = cn.gas.compressibility
        self.table = model.table(cn.gas.temperature_k) if hasattr(model, "table") else None

    def _inside(self, p_pa: F64) -> bool:
        t = self.table
        if t is None:
            return False
        lo, hi = float(p_pa.min()), float(p_pa.max())
        return lo >= t.p_min_pa and hi <= t.p_max_pa and np.isfinite(lo) and np.isfinite(hi)

    def __call__(self, p_pa: F64) -> tuple[F64, F64]:
        if self._inside(p_pa):
            assert self.table is not None
            z, dz = self.table.evaluate(np.array(p_pa, dtype=float), True)
            assert dz is not None
            return z, dz
        return z_at(self.cn, p_pa)

    def value(self, p_pa: F64) -> F64:
        """Z alone (same values as :meth:`__call__`, without the derivative)."""
        if self._inside(p_pa):
            assert self.table is not None
            return self.table.evaluate(np.array(p_pa, dtype=float), False)[0]
        return z_at(self.cn, p_pa)[0]


class ZOf:
    """Z(p) and dZ/dp of one group of points from a property-layer function (mixtures): ``__call__`` and ``value``
    with the interface of :class:`ZFast`."""

    def __init__(self, fn: Callable[[F64], tuple[F64, F64]]) -> None:
        self.fn = fn

    def __call__(self, p_pa: F64) -> tuple[F64, F64]:
        return self.fn(p_pa)

    def value(self, p_pa: F64) -> F64:
        return self.fn(p_pa)[0]


def colebrook_turbulent(re: F64, rel_roughness: F64, efficiency: F64) -> F64:
    """The Darcy friction factor [-] of :func:`~linepack.hydraulics.darcy_friction` for the Colebrook law at
    Reynolds numbers ``re`` >= 4,000 (fully turbulent: the laminar blend's weight is exactly 1), without the
    derivative: the same operations in the same order as :func:`~linepack.hydraulics.colebrook_white.colebrook`
    (Swamee-Jain start, :data:`~linepack.hydraulics.colebrook_white.COLEBROOK_NEWTON_STEPS` Newton steps on
    1/sqrt(lambda)) and the efficiency's 1/E^2, so the values are ``darcy_friction``'s bit for bit
    (``tests/transient/test_step_exact.py``) at half the numpy calls. Used by the frozen friction update
    of every step (segments with Re >= :data:`RE_FROZEN_MIN`).

    Reference: Colebrook (1939), as in :mod:`linepack.hydraulics.colebrook_white`."""
    a = rel_roughness / 3.7
    b = 2.51 / re
    c = 2.0 / _LN10
    x = 2.0 * np.abs(np.log10(rel_roughness / 3.7 + 5.74 * re**-0.9))
    for _ in range(COLEBROOK_NEWTON_STEPS):
        u = a + b * x
        x = x - (x + 2.0 * np.log10(u)) / (1.0 + c * b / u)
    lam = 1.0 / x**2
    return np.asarray(lam * (1.0 / (efficiency * efficiency)))


def density_kg_m3(cn: CompiledNetwork, p_pa: F64, zf: ZFast | ZOf | None = None) -> tuple[F64, F64]:
    """Gas density rho = p M / (Z R T) [kg/m^3] and d rho / dp [kg/m^3/Pa] at the network temperature.

    Valid over the range of the network's compressibility model (e.g. GERG-2008: 0.01-20 MPa).
    """
    gas = cn.gas
    c = gas.molar_mass_kg_per_mol / (R_J_PER_MOL_K * gas.temperature_k)
    z, dz = zf(p_pa) if zf is not None else z_at(cn, p_pa)
    rho = c * p_pa / z
    drho = c * (1.0 / z - p_pa * dz / (z * z))
    return rho, drho


class TransientSystem(SteadySystem):
    """One implicit Euler step ``t_old -> t_old + dt`` of a segmented network.

    ``volume_m3`` is the storage volume of every point; ``fixed_friction`` the constant Darcy friction
    factor of every resistive edge (NaN where the pipe's friction law applies). Set the step with
    :meth:`set_step` (``dt = inf`` gives the steady problem).
    """

    def __init__(
        self,
        cn: CompiledNetwork,
        state: ControlState,
        mu_res: F64,
        p_ref: float,
        m_ref: float,
        volume_m3: F64,
        fixed_friction: F64,
        inertia: bool = True,
        props: GasProps | None = None,
        use_kernel: bool = True,
    ) -> None:
        super().__init__(cn, state, mu_res, p_ref, m_ref, props)
        fixed = np.isfinite(fixed_friction)
        if np.any(fixed):
            # a fixed friction factor is carried by zeta (lambda L_s / D, see discretise); no law on top
            self.law_groups = [(c, sel[~fixed[sel]]) for c, sel in self.law_groups]
            self.law_groups = [(c, sel) for c, sel in self.law_groups if len(sel)]
        self.volume = np.asarray(volume_m3, dtype=float)
        self.dt = np.inf
        self.rho_old = np.zeros(self.n)
        self.q_old = np.zeros(len(cn.res_edge))
        self.demand = cn.sink_demand.copy()
        self._solver: Callable[[F64], F64 | None] | None = None
        self._reuse_next = False
        self.reused = False
        self.factorizations = 0
        # inertia: (p_i + p_j) L_s / A per pipe segment (0 for resistors or when inertia is off)
        area = np.pi * cn.diameter_m**2 / 4.0
        self.inertia = np.where(cn.res_is_pipe & inertia, cn.length_m / area, 0.0)
        self.resistor_lin = np.where(cn.res_is_pipe, 0.0, TIE_RESISTANCE * p_ref * p_ref / m_ref)
        self._law_groups_all = list(self.law_groups)
        self.lam_frozen: F64 | None = None
        self._frozen = np.ones(len(cn.res_edge), dtype=bool)
        self._live: list[tuple[int, NDArray[np.int64]]] = []
        self.direct_lu = True
        self._set_z()
        # constants of the value-only segment law (:meth:`_segment_law_value`)
        self._value_only = False
        self._ef_res, self._et_res = cn.edge_from[cn.res_edge], cn.edge_to[cn.res_edge]
        self._L_over_D = cn.length_m / cn.diameter_m
        self._is_pipe_res = np.asarray(cn.res_is_pipe, dtype=bool)
        self._all_pipes = bool(np.all(self._is_pipe_res))
        n_res = len(cn.res_edge)
        contiguous = n_res > 0 and np.array_equal(cn.res_edge, np.arange(cn.res_edge[0], cn.res_edge[0] + n_res))
        self._res_index: slice | NDArray[np.int64] = (
            slice(int(cn.res_edge[0]), int(cn.res_edge[0]) + n_res) if contiguous else cn.res_edge
        )
        self._inertia_dt: F64 | None = None  # inertia / dt of the step (None: steady, or no inertia)
        # laminar-linear below Re = RE_LAMINAR_LINEAR, i.e. |q| < RE_LAMINAR_LINEAR pi D mu / 4
        self._q_laminar = RE_LAMINAR_LINEAR * np.pi * cn.diameter_m * self.mu / 4.0
        self._k_lin = 16.0 * np.pi * self.mu
        self._has_resistor_lin = bool(np.any(self.resistor_lin))
        self._has_inertia = bool(np.any(self.inertia))
        self._lam_base = np.zeros(len(cn.res_edge))
        self._nan_res = np.full(len(cn.res_edge), np.nan)
        self._no_state = ResistiveState(*(self._nan_res,) * 9)
        self._fuel_state: ControlState | None = None
        self._power_cache: tuple[Any, ...] | None = None
        self._fuel = np.zeros(0)
        # compiled residual kernels (numba): Z from the network gas's table, or the mixtures' Taylor expansions
        self.kernel = StepKernel.make(self) if use_kernel else None
        self.withdrawal: F64 | None = None  # kg/s drawn at every point besides the sinks (leaks), or None

    def _set_z(self) -> None:
        """Z evaluators of the segments (``z``), points (``z_points``) and compressors (``z_comp``), and the factor
        M/(R T) of the point densities: the network gas's cached table, or the property layer's mixtures."""
        gas = self.cn.gas
        if self.props.uniform:
            self.z: ZFast | ZOf = ZFast(self.cn)
            self.z_points: ZFast | ZOf = self.z
            self.z_comp: ZFast | ZOf = self.z
            self.rho_factor: float | F64 = gas.molar_mass_kg_per_mol / (R_J_PER_MOL_K * gas.temperature_k)
        else:
            self.z = ZOf(self.props.z_res)
            self.z_points = ZOf(self.props.z_node)
            self.z_comp = ZOf(self.props.z_comp)
            self.rho_factor = self.props.node_molar_mass / (R_J_PER_MOL_K * gas.temperature_k)

    def set_gas(self, props: GasProps) -> None:
        """Carry another state of the gas (the mixtures moved by the tracking): molar masses, Z and the compressor
        gas change; the sparsity pattern, the control state and the factorisation kept for chord steps stay."""
        self.props = props
        molar_mass = props.res_molar_mass
        cn = self.cn
        self.k1 = 16.0 * self.RT / (np.pi**2 * cn.diameter_m**4 * molar_mass)
        self.a_h = 2.0 * G_M_PER_S2 * cn.dh_m * molar_mass / self.RT
        self._fuel_state = None
        self._set_z()
        if self.stations is not None:  # the stations with units compress (and burn) the gas they now take in
            self.stations = StationRows(cn, self.state.comp_mode, self.stations.configs, props)

    # --- boundary conditions of the step --------------------------------------------------------
    def set_step(self, dt: float, rho_old: F64, q_old: F64 | None = None) -> None:
        """Step length [s] (inf: steady), the point densities [kg/m^3] and the flows of the resistive edges
        [kg/s] at the start of the step."""
        self.dt = float(dt)
        self._inertia_dt = self.inertia / self.dt if np.isfinite(self.dt) and self._has_inertia else None
        self.rho_old = rho_old
        if q_old is not None:
            self.q_old = q_old

    def freeze_friction(self, q_res: F64 | None) -> None:
        """Hold the Darcy friction factor of every segment at its value for the flows ``q_res`` [kg/s] of the
        resistive edges (the start of a step) during the step; None: evaluate it at the current flows.

        The friction factor depends weakly on the Reynolds number (turbulent flow); lagging it by one step
        is a first-order error like that of implicit Euler itself, and leaves rest states unchanged.
        """
        if q_res is None or not self._law_groups_all:
            self.lam_frozen = None
            return
        cn = self.cn
        D = cn.diameter_m
        re = np.maximum(4.0 * np.abs(q_res) / (np.pi * D * self.mu), 1e-8)
        # laminar and transitional flow (nearly still gas, e.g. a shut-in line): lambda changes fast with the
        # flow there, so those segments keep the exact law (a frozen 64/Re would make the law jump); their
        # frozen value is never used (0 below)
        slow = re < RE_FROZEN_MIN
        lam = np.zeros(len(q_res))
        for code, sel in self._law_groups_all:
            sel = sel[~slow[sel]]
            if code == int(FrictionLaw.COLEBROOK):
                lam[sel] = colebrook_turbulent(re[sel], self.rel_rough[sel], cn.efficiency[sel])
                continue
            lam[sel], _ = darcy_friction(
                friction_law_of(code), re[sel], self.rel_rough[sel], D[sel], cn.efficiency[sel], mu_pa_s=self.mu[sel]
            )
        self.lam_frozen = lam
        self._live = [(c, sel[slow[sel]]) for c, sel in self._law_groups_all if np.any(slow[sel])]
        self._frozen = ~slow
        self._lam_base = np.where(self._frozen, lam, 0.0)

    def _resistive_frozen(self, p: F64, q_all: F64) -> tuple[F64, F64, F64, F64, ResistiveState]:
        """The steady segment law (:meth:`SteadySystem.resistive`, same terms and laminar limit) with the
        friction factor held at ``lam_frozen`` (so d lambda / dq = 0), and Z from the cached table."""
        assert self.lam_frozen is not None
        cn = self.cn
        e = cn.res_edge
        pi, pj, q = p[cn.edge_from[e]], p[cn.edge_to[e]], q_all[e]
        psum = pi + pj
        psum_safe = np.where(np.abs(psum) < 1.0, 1.0, psum)
        pm = (2.0 / 3.0) * (psum - pi * pj / psum_safe)
        dpm_dpi = (2.0 / 3.0) * (1.0 - (pj / psum_safe) ** 2)
        dpm_dpj = (2.0 / 3.0) * (1.0 - (pi / psum_safe) ** 2)
        z, dz = self.z(pm)
        s = self.a_h / z
        E = np.exp(s)
        g, dg = _g_and_dg(s)
        L, D = cn.length_m, cn.diameter_m
        Le = L * g
        aq = np.abs(q)
        re = 4.0 * aq / (np.pi * D * self.mu)
        lin = cn.res_is_pipe & (re < RE_LAMINAR_LINEAR)
        lam = np.where(self._frozen, self.lam_frozen, 0.0)
        dlam = np.zeros_like(lam)
        for code, sel in self._live:  # the exact law where the flow is slow (see freeze_friction)
            lam[sel], dlam[sel] = darcy_friction(
                friction_law_of(code),
                np.maximum(re[sel], 1e-8),
                self.rel_rough[sel],
                D[sel],
                cn.efficiency[sel],
                mu_pa_s=self.mu[sel],
            )
        lam = np.where(lin, 0.0, lam)  # laminar: the steady law's linear form below
        dlam = np.where(lin, 0.0, dlam)
        coef = lam * Le / D + cn.zeta
        phi = coef * q * aq
        dphi = 2.0 * coef * aq + dlam * re * aq * Le / D
        dLe_dz = L * dg * (-s / z)
        dphi_dz = lam * dLe_dz / D * q * aq
        if lin.any():  # laminar, linear in q: lambda q|q| = 16 pi D mu q
            k_lin = 16.0 * np.pi * self.mu[lin]
            phi[lin] += k_lin * q[lin] * Le[lin]
            dphi[lin] += k_lin * Le[lin]
            dphi_dz[lin] += k_lin * q[lin] * dLe_dz[lin]
        k1 = self.k1
        F = pi * pi - E * pj * pj - z * k1 * phi
        dF_dz = pj * pj * E * s / z - k1 * phi - z * k1 * dphi_dz
        dF_dpi = 2.0 * pi + dF_dz * dz * dpm_dpi
        dF_dpj = -2.0 * E * pj + dF_dz * dz * dpm_dpj
        dF_dq = -z * k1 * dphi
        state = ResistiveState(pi, pj, pm, z, lam, lam + cn.zeta * D / Le, np.maximum(re, 1e-8), E, Le)
        return F, dF_dpi, dF_dpj, dF_dq, state

    def _segment_law_value(self, p: F64, q_all: F64) -> F64:
        """The residual of :meth:`_resistive_frozen` alone (no derivatives, no state): the same terms in the
        same order, for the residual evaluations of Newton, which need no Jacobian (chord steps)."""
        assert self.lam_frozen is not None
        cn = self.cn
        q = q_all[self._res_index]
        if self.kernel is not None:  # the compiled kernel (same terms, same order: tests/transient/test_kernel.py)
            F = self.kernel.segment_law(p, q, self._lam_value(q), self._inertia_dt, self.q_old)
            if F is not None:
                return F
        pi, pj = p[self._ef_res], p[self._et_res]
        psum = pi + pj
        if float(psum.min()) >= 1.0:  # (also False for NaN) no guard needed: the same values
            pm = (2.0 / 3.0) * (psum - pi * pj / psum)
        else:
            pm = (2.0 / 3.0) * (psum - pi * pj / np.where(np.abs(psum) < 1.0, 1.0, psum))
        z = self.z.value(pm)
        s = self.a_h / z
        em1 = np.expm1(s)
        E = em1 + 1.0
        small = np.abs(s) < 1e-5
        if small.any():  # g(s) = (e^s - 1)/s with the series of _g_and_dg near 0
            g = em1 / np.where(small, 1.0, s)
            s_small = s[small]
            g[small] = 1.0 + s_small / 2.0 + s_small * s_small / 6.0
        else:
            g = em1 / s
        aq = np.abs(q)
        lam = self._lam_value(q)
        lin = aq < self._q_laminar
        if not self._all_pipes:
            lin &= self._is_pipe_res
        any_lin = bool(lin.any())
        if any_lin:
            lam = np.where(lin, 0.0, lam)
        phi = (lam * self._L_over_D * g + cn.zeta) * q * aq
        if any_lin:
            phi[lin] += self._k_lin[lin] * q[lin] * (cn.length_m[lin] * g[lin])
        F = pi * pi - E * pj * pj - z * self.k1 * phi
        if self._has_resistor_lin:
            F = F - self.resistor_lin * q
        if self._inertia_dt is not None:
            F = F - psum * self._inertia_dt * (q - self.q_old)
        return np.asarray(F, dtype=float)

    def _lam_value(self, q: F64) -> F64:
        """Friction factor of every segment in the value-only law: the frozen one, and the exact law where the
        flow is slow (see :meth:`freeze_friction`)."""
        cn = self.cn
        lam = self._lam_base
        if self._live:
            lam = lam.copy()
            for code, sel in self._live:
                # Re of the slow segments only (the same operations on their elements)
                re_s = np.maximum(4.0 * np.abs(q[sel]) / (np.pi * cn.diameter_m[sel] * self.mu[sel]), 1e-8)
                if code in _LAMINAR_BELOW_2000:
                    # below Re = 2000 these laws are Hagen-Poiseuille exactly (darcy_friction blends with
                    # weight 0): lambda = 64/Re / E^2, the same floating-point value without the call
                    lam_s = 64.0 / re_s * (1.0 / (cn.efficiency[sel] * cn.efficiency[sel]))
                    rest = re_s >= RE_LAMINAR
                    if np.any(rest):
                        sub = sel[rest]
                        lam_s[rest], _ = darcy_friction(
                            friction_law_of(code),
                            re_s[rest],
                            self.rel_rough[sub],
                            cn.diameter_m[sub],
                            cn.efficiency[sub],
                            mu_pa_s=self.mu[sub],
                        )
                    lam[sel] = lam_s
                    continue
                lam[sel], _ = darcy_friction(
                    friction_law_of(code),
                    re_s,
                    self.rel_rough[sel],
                    cn.diameter_m[sel],
                    cn.efficiency[sel],
                    mu_pa_s=self.mu[sel],
                )
        return lam

    def _resistive_at(self, x: F64, p: F64, q: F64) -> tuple[F64, F64, F64, F64]:
        """The pipe laws, evaluated every time: the steady system's cache keys on the unknowns only, but here
        the law also depends on the step (dt, the old state, frozen friction) and on whether Newton asks for
        values only."""
        Fr, dpi, dpj, dq, _ = self.resistive(p, q)
        return Fr, dpi, dpj, dq

    def resistive(self, p: F64, q_all: F64) -> tuple[F64, F64, F64, F64, ResistiveState]:
        """The steady segment law plus the inertia term ``- (p_i + p_j) (L_s / A) (q - q_old) / dt``
        (the momentum balance ``(1/A) dq/dt + dp/dx = friction + gravity`` multiplied by ``p_i + p_j``)."""
        if self._value_only and self.lam_frozen is not None:
            nan = self._nan_res
            return self._segment_law_value(p, q_all), nan, nan, nan, self._no_state
        if self.lam_frozen is None:
            F, dpi, dpj, dq, st = super().resistive(p, q_all)
        else:
            F, dpi, dpj, dq, st = self._resistive_frozen(p, q_all)
        if np.any(self.resistor_lin):
            # resistors (drag coefficient only) get a vanishing linear term, like ties, so that a resistor whose
            # flow stops (a section cut off by an event) keeps a regular Jacobian
            F = F - self.resistor_lin * q_all[self.cn.res_edge]
            dq = dq - self.resistor_lin
        if np.isfinite(self.dt) and np.any(self.inertia):
            cn = self.cn
            e = cn.res_edge
            pi, pj, q = p[cn.edge_from[e]], p[cn.edge_to[e]], q_all[e]
            c = self.inertia / self.dt
            rate = c * (q - self.q_old)
            F = F - (pi + pj) * rate
            dpi = dpi - rate
            dpj = dpj - rate
            dq = dq - (pi + pj) * c
        return F, dpi, dpj, dq, st

    def set_boundary(self, state: ControlState, demand_kg_s: F64) -> None:
        """Control targets and sink demands in force at the end of the step."""
        cn = self.cn
        self.state = state
        self.demand = demand_kg_s
        fixed = np.zeros(self.n)
        np.add.at(fixed, cn.source_node, np.where(state.src_pressure, 0.0, state.src_inflow))
        np.subtract.at(fixed, cn.sink_node, demand_kg_s)
        if self.withdrawal is not None:
            fixed -= self.withdrawal
        self.fixed_injection = fixed

    # --- storage ------------------------------------------------------------------------------------
    def density(self, p: F64) -> tuple[F64, F64]:
        """Point densities rho = p M / (Z R T) [kg/m^3] and d rho / dp [kg/m^3/Pa]."""
        if self.props.uniform:
            return density_kg_m3(self.cn, p, self.z)
        c = self.rho_factor
        z, dz = self.z_points(p)
        return c * p / z, c * (1.0 / z - p * dz / (z * z))

    def storage_rate(self, p: F64) -> F64:
        """V (rho(p) - rho_old) / dt at every point [kg/s]."""
        if not np.isfinite(self.dt):
            return np.zeros(self.n)
        rho_factor = self.rho_factor
        if self.kernel is not None:
            out = self.kernel.storage(p, self.volume, self.rho_old, rho_factor, self.dt)
            if out is not None:
                return out
        rho = rho_factor * p / self.z_points.value(p)
        return np.asarray(self.volume * (rho - self.rho_old) / self.dt, dtype=float)

    def z_suction(self, p_pa: F64) -> tuple[F64, F64]:
        """Z at compressor suction from the cached table (:class:`ZFast`) or the suction gas's mixture."""
        return self.z_comp(p_pa)

    def compressor_power(self, p: F64, q_all: F64, derivatives: bool = True) -> tuple[F64, F64, F64, F64]:
        """:meth:`SteadySystem.compressor_power`, kept for the point it was last asked at (a residual asks for it
        twice: power, then fuel; recording and the control rules again at the converged point). The power
        depends on the point, the gas and the stations' rows only (a new gas or control state makes new rows),
        so the kept arrays (read-only) are those a new call would give."""
        ce = self.cn.comp_edge
        key = (p[self.c_suction].tobytes() + p[self.c_discharge].tobytes() + q_all[ce].tobytes(), derivatives,
               id(self.props), id(self.stations))  # fmt: skip
        hit = self._power_cache
        if hit is not None and hit[0] == key and hit[1] is self.props and hit[2] is self.stations:
            return hit[3]
        out = super().compressor_power(p, q_all, derivatives)
        for v in out:
            v.flags.writeable = False
        self._power_cache = (key, self.props, self.stations, out)
        return out

    def fuel_factor(self) -> F64:
        """:meth:`SteadySystem.fuel_factor`, kept while the control state is the same object."""
        if self._fuel_state is not self.state:
            self._fuel = super().fuel_factor()
            self._fuel_state = self.state
        return self._fuel

    def residual(self, x: F64) -> F64:
        self._value_only = True
        try:
            F = super().residual(x)
        finally:
            self._value_only = False
        if np.isfinite(self.dt):
            F[: self.n] -= self.storage_rate(x[: self.n] * self.p_ref) / self.m_ref
        return F

    # --- factorisation reused across steps (chord Newton) ------------------------------------------
    def allow_reuse(self, allow: bool = True) -> None:
        """Let the next :meth:`jacobian`/:meth:`factorize` pair return the last factorisation (once)."""
        self._reuse_next = allow and self._solver is not None

    def jacobian(self, x: F64) -> sp.csc_matrix:
        if self._reuse_next:
            return _REUSE
        return self._jacobian(x)

    def factorize(self, jac: sp.spmatrix) -> Callable[[F64], F64 | None] | None:
        if jac is _REUSE:
            self._reuse_next = False
            self.reused = True
            return self._solver
        if np.isfinite(self.dt) and self.direct_lu:
            # with storage every pressure has a diagonal term: KLU factorises the whole (banded-chain) system
            # directly, cheaper than forming the Schur complement of the flows with sparse slicing
            self._solver = self._lu.factor(jac)
        else:
            self._solver = super().factorize(jac)
        self.factorizations += 1
        return self._solver

    def _jacobian(self, x: F64) -> sp.csc_matrix:
        J = super().jacobian(x)
        if not np.isfinite(self.dt):
            return J
        _, drho = self.density(x[: self.n] * self.p_ref)
        d = np.zeros(self.size)
        d[: self.n] = -self.volume * drho / self.dt * self.p_ref / self.m_ref
        return sp.csc_matrix(J + sp.diags(d, format="csc"))
