"""One implicit step of a transient run with its controls and events (the mutable state of a run).

:class:`Run` holds the segmented network after the events so far, the control state, the step system and
the time integral of the boundary flows; :meth:`Run.solve_to` solves one step with the control rules of
the steady solver (:class:`linepack.solvers.active_set.ActiveSet`) and :meth:`Run.apply` applies an event.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components

from ..compile import CompiledNetwork, CompMode, RegMode
from ..quality.properties import GasProps
from ..solvers.active_set import ActiveSet
from ..solvers.equations import ControlState, SourceBound
from ..solvers.newton import NewtonOptions, NewtonOutcome, newton
from .discretise import SegmentedNetwork
from .equations import TransientSystem
from .events import Event, apply_event
from .gas import TransientGas
from .profiles import Boundary, Schedule

if TYPE_CHECKING:
    from .solve import TransientOptions

F64 = NDArray[np.float64]


def with_boundary(cn: CompiledNetwork, b: Boundary, out: NDArray[np.bool_] | None = None) -> CompiledNetwork:
    """``cn`` with the boundary values ``b`` as its scenario values (``out``: sources taken out, no inflow)."""
    ratio = np.where(cn.comp_mode == CompMode.RATIO, b.comp_target, cn.comp_ratio_set)
    pset = np.where(cn.comp_mode == CompMode.PRESSURE, b.comp_target, cn.comp_p_set_pa)
    power = np.where(cn.comp_mode == CompMode.POWER, b.comp_target, cn.comp_power_set_w)
    inflow = np.where(cn.source_is_pressure, 0.0, b.inflow_kg_s)
    return replace(
        cn,
        sink_demand=b.demand_kg_s,
        source_inflow=inflow if out is None else np.where(out, 0.0, inflow),
        source_p_set_pa=b.src_p_set_pa,
        comp_ratio_set=ratio,
        comp_p_set_pa=pset,
        comp_power_set_w=power,
        reg_p_set_pa=b.reg_p_set_pa,
    )


def state_at(cn: CompiledNetwork, state: ControlState, b: Boundary, out: NDArray[np.bool_]) -> ControlState:
    """``state`` with the set-points of ``b`` wherever an element follows its own set-point."""
    user_c = state.comp_mode == cn.comp_mode
    ct = np.where(user_c, b.comp_target, state.comp_target)
    user_r = (state.reg_mode == RegMode.PRESSURE) & (cn.reg_mode == RegMode.PRESSURE)
    rt = np.where(user_r, b.reg_p_set_pa, state.reg_target)
    free = state.src_bound == SourceBound.NONE
    inflow = np.where(free & ~state.src_pressure, b.inflow_kg_s, state.src_inflow)
    inflow = np.where(out, 0.0, inflow)
    pt = np.where(free & state.src_pressure, b.src_p_set_pa, state.src_p_target)
    return state.with_(comp_target=ct, reg_target=rt, src_inflow=inflow, src_p_target=pt)


class Run:
    """Mutable state of one run (the network after events, control state, system, unknowns)."""

    def __init__(
        self,
        seg: SegmentedNetwork,
        schedule: Schedule,
        opts: TransientOptions,
        mu: F64,
        fixed: F64,
        p_ref: float,
        m_ref: float,
    ) -> None:
        self.seg = seg
        self.cn = seg.cn
        self.schedule = schedule
        self.opts = opts
        self.mu = mu
        self.fixed = fixed
        self.p_ref, self.m_ref = p_ref, m_ref
        self.out = np.zeros(len(seg.cn.source_ids), dtype=bool)
        self.cut = np.zeros(len(seg.cn.sink_ids), dtype=bool)  # deliveries cut off from supply and storage
        self.volume = seg.volume_m3.copy()
        self.withdrawal = np.zeros(seg.n_points)  # kg/s drawn by leaks at every point
        self.gas: TransientGas | None = None  # gas-quality tracking (mixtures), set by solve_transient
        self.props: GasProps | None = None  # the property layer of the current gas (None: the network gas)
        self.state = ControlState.initial(seg.cn)
        self.sys = self._system(self.state)
        # chord steps (the factorisation kept) while each cuts the residual 20-fold; measured on the PSGP winter
        # day: 20 % less CPU than a 5-fold criterion, which lets slow chord steps run on
        self.nopts = NewtonOptions(
            tolerance=opts.tolerance, max_iterations=opts.max_iterations, max_time_s=600.0, reuse_ratio=0.05
        )
        self.warnings: list[str] = []
        self.integral_kg = 0.0  # time integral of supply - demand - fuel - leaks over the converged steps
        self.cut_times: list[tuple[NDArray[np.bool_], float]] = []

    def supply(self, x: F64) -> F64:
        """Supply of every source [kg/s] at ``x``."""
        _, _, s = self.sys.split(x)
        st = self.sys.state
        supply = np.where(st.src_pressure, 0.0, st.src_inflow)
        supply[self.sys.psrc] = s
        return np.asarray(supply, dtype=float)

    def fuel(self, x: F64) -> F64:
        """Fuel of every compressor [kg/s] at ``x`` (as drawn in the mass balance)."""
        if not len(self.cn.comp_edge):
            return np.zeros(0)
        p, q, _ = self.sys.split(x)
        return np.asarray(self.sys.compressor_fuel(p, q, False)[0], dtype=float)

    def net_inflow(self, x: F64) -> float:
        return float(
            np.sum(self.supply(x)) - np.sum(self.sys.demand) - np.sum(self.fuel(x)) - self.leak_kg_s()
        )

    def leak_kg_s(self) -> float:
        """Total rate drawn by leaks [kg/s]."""
        return float(np.sum(self.withdrawal))

    def _system(self, state: ControlState) -> TransientSystem:
        sys = TransientSystem(
            self.cn,
            state,
            self.mu,
            self.p_ref,
            self.m_ref,
            self.volume,
            self.fixed,
            self.opts.inertia,
            self.props,
            self.opts.compiled_kernel,
        )
        sys.withdrawal = self.withdrawal if np.any(self.withdrawal) else None
        return sys

    def set_props(self, props: GasProps) -> None:
        """Carry a new state of the gas in the current system (and in systems made from now on)."""
        self.props = props
        self.sys.set_gas(props)

    def commit(self, dt: float, x: F64) -> F64:
        """Book a converged step of length ``dt`` ending at ``x``: the integral of the boundary flows, the tracked
        gases; returns the point densities that are the old storage of the next step."""
        self.integral_kg += dt * self.net_inflow(x)
        p = x[: self.sys.n] * self.p_ref
        if self.gas is None:
            return self.sys.density(p)[0]
        _, q, _ = self.sys.split(x)
        props = self.gas.advance(self.cn, dt, q, self.supply(x), self.sys.demand, self.fuel(x), self.withdrawal)
        self.set_props(props)
        return self.gas.density_old(self.volume)

    def q_res(self, x: F64) -> F64:
        """Flows of the resistive edges [kg/s] at ``x``."""
        _, q, _ = self.sys.split(x)
        return np.asarray(q[self.cn.res_edge], dtype=float)

    def repack(self, x: F64, new: TransientSystem) -> F64:
        """Unknowns of the current system, re-packed for ``new`` (pressure-held sources may differ)."""
        old = self.sys
        p, q, s = old.split(x)
        supply = np.where(old.state.src_pressure, 0.0, old.state.src_inflow)
        supply[old.psrc] = s
        return new.pack(p, q, supply[new.psrc])

    def set_state(self, state: ControlState, x: F64) -> F64:
        new = self._system(state)
        new.set_boundary(state, self.sys.demand)
        new.set_step(self.sys.dt, self.sys.rho_old, self.sys.q_old)
        x = self.repack(x, new)
        self.state, self.sys = state, new
        return x

    def _cut_off(self, event: Event) -> None:
        """Deliveries in an island with neither a supply nor pipe storage lose their gas at once: their demand
        is dropped from then on (survival time = event time) and the island keeps its pressure (a nominal
        storage volume of 1 m^3 per node)."""
        cn = self.cn
        links = np.setdiff1d(np.arange(cn.n_edges), cn.block_edge)
        adj = sp.coo_matrix(
            (np.ones(len(links)), (cn.edge_from[links], cn.edge_to[links])), shape=(cn.n_nodes, cn.n_nodes)
        )
        _, label = connected_components(adj, directed=False)
        fed = np.zeros(label.max() + 1, dtype=bool)
        fed[label[cn.source_node[~self.out]]] = True
        stored = np.bincount(label, self.volume, minlength=len(fed)) > 0
        dead = ~fed & ~stored
        newly = dead[label[cn.sink_node]] & ~self.cut
        if np.any(newly):
            self.cut |= newly
            self.volume = np.where(dead[label], 1.0, self.volume)
            names = ", ".join(cn.sink_ids[k] for k in np.flatnonzero(newly))
            self.warnings.append(
                f"{event.describe()} cuts {names} off from every supply and store; their demand is dropped"
            )
            self.cut_times.append((newly, event.time_s))

    def apply(self, event: Event, x: F64) -> F64:
        eff = apply_event(self.seg, self.cn, event)
        if eff.withdrawal is not None:
            point, rate = eff.withdrawal
            self.withdrawal = self.withdrawal.copy()
            self.withdrawal[point] += rate
        p, q, s = self.sys.split(x)
        supply = np.where(self.sys.state.src_pressure, 0.0, self.sys.state.src_inflow)
        supply[self.sys.psrc] = s
        self.cn = eff.cn
        self.mu, self.fixed = self.mu[eff.res_keep], self.fixed[eff.res_keep]
        if self.gas is not None and self.gas.y_point is not None:
            self.props = self.gas._props(self.cn)  # resistive edges may have changed (a pipe isolated)
        st = self.state
        if len(eff.sources_out):
            self.out[eff.sources_out] = True
            sp_, si, sb = st.src_pressure.copy(), st.src_inflow.copy(), st.src_bound.copy()
            sp_[eff.sources_out], si[eff.sources_out], sb[eff.sources_out] = False, 0.0, SourceBound.NONE
            st = st.with_(src_pressure=sp_, src_inflow=si, src_bound=sb)
        cm, ct = st.comp_mode.copy(), st.comp_target.copy()
        tripped = self.cn.comp_mode == CompMode.BYPASS
        cm[tripped], ct[tripped] = CompMode.BYPASS, 0.0
        st = st.with_(comp_mode=cm, comp_target=ct)
        q = q.copy()
        q[self.cn.block_edge] = 0.0
        self._cut_off(event)
        new = self._system(st)
        new.set_boundary(st, self.sys.demand)
        new.set_step(self.sys.dt, self.sys.rho_old, self.sys.q_old[eff.res_keep])
        self.state, self.sys = st, new
        return new.pack(p, q, supply[new.psrc])

    def controls(self, b: Boundary) -> tuple[ActiveSet, CompiledNetwork]:
        cur = with_boundary(self.cn, b, self.out)
        return ActiveSet(cur), cur

    def _newton(self, x: F64) -> NewtonOutcome:
        """Newton on the current step, starting from the factorisation of an earlier step when there is one
        (chord steps while the residual falls fast); a fresh Jacobian when that does not converge."""
        sys = self.sys
        sys.reused = False
        sys.allow_reuse(self.opts.reuse_factorization)
        out = newton(sys.residual, sys.jacobian, x, self.nopts, sys.max_step, sys.factorize)
        if not out.converged and sys.reused:
            sys.allow_reuse(False)
            again = newton(sys.residual, sys.jacobian, x, self.nopts, sys.max_step, sys.factorize)
            out = replace(again, iterations=again.iterations + out.iterations)
        return out

    def solve_to(
        self, x: F64, t1: float, dt: float, rho_old: F64, q_old: F64, guess: F64 | None = None
    ) -> tuple[F64, NewtonOutcome, int]:
        """Solve the step ending at ``t1`` (length ``dt``) with control-state updates."""
        b = self.schedule.at(t1)
        if self.gas is not None:
            b = self.gas.boundary(self.cn, b)
        b = replace(
            b,
            inflow_kg_s=np.where(self.out, 0.0, b.inflow_kg_s),
            demand_kg_s=np.where(self.cut, 0.0, b.demand_kg_s),
        )
        active, cur = self.controls(b)
        state = state_at(cur, self.state, b, self.out)
        if state is not self.state:
            self.state = state
            self.sys.state = state
        self.sys.set_boundary(self.state, b.demand_kg_s)
        self.sys.set_step(dt, rho_old, q_old)
        self.sys.freeze_friction(q_old if self.opts.lag_friction else None)
        iters = 0
        out = self._newton(x if guess is None or len(guess) != len(x) else guess)
        if not out.converged and guess is not None:
            out = self._newton(x)  # the extrapolated start was poor: from the last state
        iters += out.iterations
        for _ in range(self.opts.max_control_rounds):
            if not out.converged:
                break
            new_state, changed = active.update(self.state, self.sys, out.x)
            if not changed:
                break
            xn = self.set_state(state_at(cur, new_state, b, self.out), out.x)
            self.sys.set_boundary(self.state, b.demand_kg_s)
            self.sys.freeze_friction(q_old if self.opts.lag_friction else None)
            out = self._newton(xn)
            iters += out.iterations
        return out.x, out, iters
