"""A transient run driven step by step from outside: the boundary values are set before each step.

:func:`linepack.transient.solve_transient` runs a whole horizon from a profile; a supply run needs more:
what the terminals may send depends on their tanks, which depend on what the network took in the steps
before. :class:`TransientStepper` starts at the steady state of the boundary values at ``t = 0`` (exactly as
``solve_transient`` does), then :meth:`TransientStepper.advance` integrates one step with the boundary set
by :meth:`TransientStepper.set_boundary` (demands, inflows, send-out pressures, source capacities) and
returns the time integrals of every source's supply and the compressor fuel over the step, so that what a
terminal sent is known exactly even when the step had to be split. :meth:`checkpoint` and :meth:`restore`
let the caller try a step again with other boundary values (for priority curtailment).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode
from ..errors import ConvergenceError
from ..solvers.active_set import ActiveSet
from ..solvers.equations import ControlState, SourceBound
from ..solvers.newton import NewtonOptions
from ..solvers.steady import SteadyOptions, solve_steady
from ..units import BAR_PA
from .discretise import segment_network
from .profiles import Boundary, Schedule, constant_profile
from .solve import TransientOptions, _advance, _initial_guess, _rest_state, _steady_controls, _viscosity
from .step import Run

F64 = NDArray[np.float64]


class LiveSchedule(Schedule):
    """A schedule whose boundary values are whatever was set last."""

    def __init__(self, cn: CompiledNetwork) -> None:
        super().__init__(cn, constant_profile())
        self.current = self.base

    def at(self, t_s: float) -> Boundary:
        return self.current


@dataclass(frozen=True)
class StepIntegrals:
    """What happened over one step: time integrals [kg] and the state at its end."""

    supply_kg: F64  # per source
    fuel_kg: float
    p_node_pa: F64  # network nodes at the end of the step
    linepack_kg: float  # at the end of the step
    iterations: int


class TransientStepper:
    """See the module docstring. ``cn`` carries the boundary values at ``t = 0``."""

    def __init__(self, cn: CompiledNetwork, options: TransientOptions | None = None) -> None:
        opts = options or TransientOptions()
        opts.check()
        self.opts = opts
        self.schedule = LiveSchedule(cn)
        steady = solve_steady(cn, options=SteadyOptions(tolerance=min(opts.tolerance, 1e-10), probe_supply=False))
        if steady.network.n_nodes != cn.n_nodes:
            raise ConvergenceError("transient start: the steady state left parts of the network out (no supply "
                                   "reaches them); the transient needs every node")
        seg = segment_network(cn, opts.segment_length_m)
        self.seg = seg
        sets = np.concatenate([cn.source_p_set_pa[cn.source_is_pressure], cn.comp_p_set_pa, cn.reg_p_set_pa])
        sets = sets[np.isfinite(sets)]
        p_ref = float(np.max(sets)) if len(sets) else 50.0 * BAR_PA
        m_ref = max(float(np.sum(cn.sink_demand)), float(np.sum(cn.source_inflow)), 1.0)
        mu_base = _viscosity(cn, steady.p_mean_pa)
        mu = np.concatenate([mu_base[seg.seg_pipe], mu_base[seg.n_pipes:]])
        run = Run(seg, self.schedule, opts, mu, seg.fixed_friction, p_ref, m_ref)
        run.state = _steady_controls(seg.cn, steady)
        run.sys = run._system(run.state)
        x = _initial_guess(seg, steady, run.sys)
        active = ActiveSet(seg.cn)
        sopts = NewtonOptions(tolerance=min(opts.tolerance, 1e-12), max_iterations=60, max_time_s=600.0)
        for _ in range(20):
            run.sys.set_boundary(run.state, cn.sink_demand)
            out = _rest_state(run, x, sopts)
            if not out.converged and out.residual_norms[-1] > opts.tolerance:
                raise ConvergenceError(f"transient start: the steady state on {seg.n_segments} segments did not "
                                       f"converge ({out.message})")
            x = out.x
            new_state, changed = active.update(run.state, run.sys, x)
            if not changed:
                break
            x = run.set_state(new_state, x)
        self.run, self.x = run, x
        self.rho_old, _ = run.sys.density(x[: run.sys.n] * p_ref)
        self.n0 = seg.base.n_nodes

    # ------------------------------------------------------------------ boundary
    def set_boundary(self, demand_kg_s: F64, inflow_kg_s: F64, capacity_kg_s: F64) -> None:
        """Boundary values of the next steps: demand per sink, inflow of the flow sources and every source's
        capacity (the sources holding a pressure stay those of ``cn``, at its set-points)."""
        run = self.run
        base = self.schedule.base
        held = run.cn.source_is_pressure
        self.schedule.current = Boundary(np.asarray(demand_kg_s, dtype=float), np.where(held, 0.0, inflow_kg_s),
                                         base.src_p_set_pa, base.comp_target, base.reg_p_set_pa)
        cap = np.asarray(capacity_kg_s, dtype=float)
        run.cn = replace(run.cn, source_capacity=cap)
        st = run.state
        at_cap = st.src_bound == SourceBound.CAPACITY
        if np.any(at_cap):
            run.state = st.with_(src_inflow=np.where(at_cap, cap, st.src_inflow))
            run.sys.state = run.state

    def release_controls(self) -> None:
        """Compressors the control rules closed or bypassed in earlier steps get their own control mode back
        (a fresh decision at each outside step: the rules close a compressor but never reopen it)."""
        run = self.run
        st = run.state
        stuck = np.isin(st.comp_mode, (CompMode.OFF, CompMode.BYPASS)) & (run.cn.comp_mode != st.comp_mode)
        if not np.any(stuck):
            return
        fresh = ControlState.initial(run.cn)
        new = st.with_(comp_mode=np.where(stuck, fresh.comp_mode, st.comp_mode),
                       comp_target=np.where(stuck, fresh.comp_target, st.comp_target))
        self.x = run.set_state(new, self.x)

    # ------------------------------------------------------------------ steps
    def checkpoint(self) -> tuple[object, ...]:
        r = self.run
        return (self.x, self.rho_old, r.cn, r.state, r.sys, r.integral_kg, r.mu, r.fixed, r.volume)

    def restore(self, saved: tuple[object, ...]) -> None:
        r = self.run
        (self.x, self.rho_old, r.cn, r.state, r.sys, r.integral_kg, r.mu, r.fixed, r.volume) = saved  # type: ignore
        r.sys.state = r.state

    def _sub(self, t0: float, t1: float, depth: int) -> tuple[bool, F64, float, int]:
        run = self.run
        saved = self.checkpoint()
        # _advance books the step (run.commit) and returns the densities that are the next step's old storage
        x_new, rho_new, ok, iters, _ = _advance(run, self.x, t0, t1, self.rho_old, 0)
        if ok:
            self.x, self.rho_old = x_new, rho_new
            fuel = float(np.sum(run.fuel(x_new))) if len(run.cn.comp_edge) else 0.0
            return True, run.supply(x_new) * (t1 - t0), fuel * (t1 - t0), iters
        self.restore(saved)  # a failed step may have moved the control state: start the halves from the start
        if depth <= 0:
            return False, np.zeros(0), 0.0, iters
        tm = 0.5 * (t0 + t1)
        ok_a, sa, fa, ia = self._sub(t0, tm, depth - 1)
        if not ok_a:
            return False, np.zeros(0), 0.0, iters + ia
        ok_b, sb, fb, ib = self._sub(tm, t1, depth - 1)
        return ok_b, (sa + sb) if ok_b else np.zeros(0), fa + fb, iters + ia + ib

    def advance(self, t0: float, t1: float, internal_dt_s: float | None = None) -> StepIntegrals | None:
        """Integrate from ``t0`` to ``t1`` (in internal steps of at most ``internal_dt_s``, halved where Newton
        fails); None when the step cannot be solved (the state is then undefined: :meth:`restore`)."""
        h = min(internal_dt_s or (t1 - t0), t1 - t0)
        n = max(int(np.ceil((t1 - t0) / h - 1e-9)), 1)
        edges = np.linspace(t0, t1, n + 1)
        supply = np.zeros(len(self.run.cn.source_ids))
        fuel, iters = 0.0, 0
        for a, b in itertools.pairwise(edges):
            ok, s, f, it = self._sub(float(a), float(b), self.opts.max_halvings)
            iters += it
            if not ok:
                return None
            supply += s
            fuel += f
        run = self.run
        p = self.x[: run.sys.n] * run.p_ref
        if float(np.min(p)) < self.opts.min_pressure_pa:
            return None
        lp = float(np.sum(self.seg.volume_m3 * self.rho_old))
        return StepIntegrals(supply, fuel, p[: self.n0].copy(), lp, iters)

    def state(self) -> ControlState:
        return self.run.state
