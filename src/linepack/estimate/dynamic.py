"""Dynamic state estimation: an extended Kalman filter over the implicit transient model.

The filter runs the transient solver's own implicit Euler step (:class:`~linepack.transient.equations.TransientSystem`,
isothermal, friction-dominated, on a grid of ``segment_length_m``) one SCADA interval at a time, with the
boundary parameters (:mod:`.parameters`: demands, supplies, set-points) as random-walk states beside the
point pressures. Each step

1. adds the random walk of the parameters to their covariance,
2. solves the implicit step from the current estimate (damped Newton, the solver's residual and Jacobian),
3. linearises it with the step's Jacobian (:mod:`.ekf`: one sparse LU, one solve per state),
4. updates the state with the readings of the step's end (innovations beyond ``gate`` sigmas are rejected
   and counted against their meter),
5. reports node pressures, flows, supplies, demands and linepack with their posterior sigmas.

Why a Kalman filter and not a moving-horizon estimator or an ensemble filter: over one SCADA interval the
gas equations are nearly linear (pressures move by fractions of a bar per minute), so the linearisation
error of an EKF is far below the meters' noise; its tangent model is free (the solver's Jacobian is
already factorised for Newton); it is deterministic (no sampling noise in the stated uncertainty, which
the coverage tests check); and it costs one step and a few dense products per interval. A moving horizon
re-solves a window of steps at every interval (tens of times the work for the same answer on a nearly
linear system), and an ensemble filter needs as many transient runs as members and gives sampled
covariances. The price of the EKF is the dense covariance (n_points + n_parameters)^2, which sets the
estimator's grid: 10 km on the Pakistan Stream system (625 points) runs an hour of 1-minute data in a few
seconds (``benchmarks/estimate.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import NDArray

from ..compile import CompiledNetwork
from ..errors import ConvergenceError, InputError
from ..model.network import Network
from ..solvers.newton import NewtonOptions, newton
from ..solvers.sparsity import SchurPlan
from ..transient.discretise import SegmentedNetwork, segment_network
from ..transient.equations import TransientSystem
from ..transient.gas import held_props
from ..units import BAR_PA
from .dynamic_results import DynamicEstimate
from .ekf import Transition, Update, functional_update, measurement_rows, state_shift, update
from .measurements import MeasurementModel
from .meters import MeterSet
from .model import set_boundary, viscosity_at
from .parameters import BoundaryParameters, ParamKind
from .results import SteadyEstimate
from .validate import MeterSeries
from .wls import SteadyEstimator

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class DynamicOptions:
    """Settings of :class:`DynamicEstimator` (random walks per square root of an hour)."""

    segment_length_m: float = 10_000.0
    demand_walk: float = 0.10  # of each demand's or inflow's scale
    pressure_walk_bar: float = 1.0  # pressure set-points
    ratio_walk: float = 0.05
    power_walk: float = 0.10  # of the power's scale
    model_noise_kg_s: float = 0.005  # model error: random injection per 1000 m^3 of storage, at 60 s steps
    gate: float = 5.0  # readings further than this many sigmas from the prediction are rejected
    init_minutes: float = 5.0  # readings averaged for the steady estimate that starts the filter
    lag_friction: bool = True  # friction factor at the start-of-step flows, as the transient solver
    newton_tolerance: float = 1e-10

    def check(self) -> None:
        bad = [f"{k} must be > 0 (got {getattr(self, k)!r})" for k in ("segment_length_m", "init_minutes")
               if not getattr(self, k) > 0]
        bad += [f"{k} must be >= 0 (got {getattr(self, k)!r})" for k in ("demand_walk", "pressure_walk_bar",
                "ratio_walk", "power_walk", "model_noise_kg_s", "gate") if not getattr(self, k) >= 0]
        if bad:
            raise InputError(["dynamic estimation options: " + b for b in bad])


@dataclass
class StepInfo:
    """What a filter step hands to its observers (leak detectors)."""

    k: int
    t_s: float
    dt_s: float
    transition: Transition
    update: Update
    x: F64  # posterior unknowns (physical)
    theta: F64
    y: F64  # readings (SI, NaN: none)
    r_var: F64
    storage: F64  # V drho/dp / dt at every point [kg/s per Pa]
    sys: TransientSystem


class Observer(Protocol):
    def step(self, info: StepInfo) -> None: ...


@contextmanager
def single_blas_thread() -> Iterator[None]:
    """Limit BLAS to one thread inside the block when ``threadpoolctl`` is installed (``linepack[estimate]``)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - depends on the environment
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


class DynamicEstimator:
    """Estimates the state of ``network`` through time from a meter set's readings (see the module docstring)."""

    def __init__(
        self,
        network: Network | CompiledNetwork,
        meters: MeterSet,
        scenario: str | None = None,
        options: DynamicOptions | None = None,
    ) -> None:
        self.options = opts = options or DynamicOptions()
        opts.check()
        self.steady = SteadyEstimator(network, meters, scenario)
        self.cn = self.steady.cn
        self.seg: SegmentedNetwork = segment_network(self.cn, opts.segment_length_m)
        self.bound = self.steady.bound
        self.p_ref, self.m_ref = self.steady.p_ref, self.steady.m_ref
        self._plan: SchurPlan | None = None

    # --- set-up ------------------------------------------------------------------------------------
    def _system(self, p_base: F64) -> TransientSystem:
        seg = self.seg
        base = self.steady.base
        state = base.control
        mu_base = viscosity_at(self.cn, p_base, base.props)
        mu = np.concatenate([mu_base[seg.seg_pipe], mu_base[seg.n_pipes :]])
        props = held_props(seg, base, self.m_ref)  # with gas quality: the base state's mixtures, held
        return TransientSystem(seg.cn, state, mu, self.p_ref, self.m_ref, seg.volume_m3, seg.fixed_friction,
                               inertia=False, props=props)

    def walk_sigma(self, params: BoundaryParameters) -> F64:
        """Random-walk sigma of every parameter per square root of a second."""
        o = self.options
        k, units = params.kind, np.array(params.units)
        rate = np.where((k == ParamKind.DEMAND) | (k == ParamKind.INFLOW), o.demand_walk * params.scale, 0.0)
        rate = np.where(units == "Pa", o.pressure_walk_bar * BAR_PA, rate)
        rate = np.where(units == "-", o.ratio_walk, rate)
        rate = np.where(units == "W", o.power_walk * params.scale, rate)
        rest = (units == "kg/s") & ~((k == ParamKind.DEMAND) | (k == ParamKind.INFLOW))
        rate = np.where(rest, o.demand_walk * params.scale, rate)
        return rate / np.sqrt(3600.0)

    def _start(
        self, sys: TransientSystem, params: BoundaryParameters, est0: SteadyEstimate
    ) -> tuple[F64, F64]:
        """The discretised steady state at the initial estimate and its covariance (through the steady
        sensitivity: the uncertainty of the start lies along the steady states)."""
        seg = self.seg
        theta = est0.theta.copy()
        state, demand = params.apply(theta, sys.state, self.cn.sink_demand)
        set_boundary(sys, state, demand)
        sys.set_step(np.inf, np.zeros(sys.n))
        sys.freeze_friction(None)
        n0 = self.cn.n_nodes
        p = np.empty(sys.n)
        p[:n0] = est0.p_pa
        owner = np.repeat(np.arange(seg.n_pipes), seg.pipe_nseg + 1)
        pi2 = est0.p_pa[self.cn.edge_from[owner]] ** 2
        pj2 = est0.p_pa[self.cn.edge_to[owner]] ** 2
        p2 = pi2 + (pj2 - pi2) * seg.point_x_m / self.cn.length_m[owner]
        inner = seg.pipe_points >= n0
        p[seg.pipe_points[inner]] = np.sqrt(np.maximum(p2[inner], 1.0))
        q = np.empty(sys.m)
        q[: seg.n_segments] = est0.q_kg_s[seg.seg_pipe]
        other = np.arange(seg.n_pipes, self.cn.n_edges)
        q[seg.edge_map[other]] = est0.q_kg_s[other]
        x0 = sys.pack(p, q, est0.supply_kg_s[sys.psrc])
        out = newton(sys.residual, sys.jacobian, x0, NewtonOptions(tolerance=1e-11, max_iterations=60),
                     sys.max_step, sys.factorize)
        if not out.converged:
            raise ConvergenceError(f"dynamic estimation: the steady state of the initial estimate on the "
                                   f"{seg.n_segments}-segment grid did not converge ({out.message})")
        jac = sp.csc_matrix(sys.jacobian(out.x))
        g = params.residual_derivative(sys, out.x[: sys.n] * self.p_ref)
        sens = np.asarray(spla.splu(jac).solve(-(sp.diags(1.0 / sys.fscale) @ g).toarray())) * sys.xscale[:, None]
        s_p = sens[: sys.n]
        c = est0.theta_cov
        n_z = sys.n + params.n
        cov = np.zeros((n_z, n_z))
        cov[: sys.n, : sys.n] = s_p @ c @ s_p.T + np.eye(sys.n) * (0.01 * BAR_PA) ** 2
        cov[: sys.n, sys.n :] = s_p @ c
        cov[sys.n :, : sys.n] = (s_p @ c).T
        cov[sys.n :, sys.n :] = c
        return out.x, cov

    # --- the run -------------------------------------------------------------------------------------
    def run(
        self,
        series: MeterSeries,
        start_s: float | None = None,
        end_s: float | None = None,
        *,
        observers: Sequence[Observer] = (),
        progress: Callable[[int, int], None] | None = None,
    ) -> DynamicEstimate:
        """Filter ``series`` from ``start_s`` to ``end_s`` (seconds from the series start; default: all of it).

        The dense algebra runs on one BLAS thread (with the optional ``threadpoolctl``): its matrices are a few
        hundred wide, where threads gain little and, on a busy machine, cost up to a hundredfold in spinning.
        """
        with single_blas_thread():
            return self._run(series, start_s, end_s, observers, progress)

    def _run(
        self,
        series: MeterSeries,
        start_s: float | None,
        end_s: float | None,
        observers: Sequence[Observer],
        progress: Callable[[int, int], None] | None,
    ) -> DynamicEstimate:
        if series.bound.meters is not self.bound.meters:
            raise InputError("the readings were prepared for another meter set; prepare them with this estimator's")
        c0, w0 = time.process_time(), time.perf_counter()
        opts = self.options
        dt = series.dt_s
        k0 = 0 if start_s is None else int(np.ceil(start_s / dt - 1e-9))
        k1 = series.n_times - 1 if end_s is None else int(np.floor(end_s / dt + 1e-9))
        k0, k1 = max(k0, 0), min(k1, series.n_times - 1)
        if k1 <= k0:
            raise InputError(f"the window from {series.format_time(k0 * dt)} to {series.format_time(k1 * dt)} holds "
                             "fewer than two SCADA intervals; give a longer window")
        n_init = max(1, round(opts.init_minutes * 60.0 / dt))
        est0 = self.steady.estimate_window(series, k0 * dt, min(k0 + n_init - 1, k1) * dt)
        sys = self._system(est0.p_pa)
        params = BoundaryParameters.of(sys.cn, sys.state, self.m_ref)
        mm = MeasurementModel.build(self.bound, sys, params, self.seg)
        x, cov = self._start(sys, params, est0)
        theta = est0.theta.copy()
        n_p = sys.n
        walk = self.walk_sigma(params) ** 2 * dt
        noise_rate = opts.model_noise_kg_s / 1000.0 * np.sqrt(60.0 / dt)  # kg/s per m^3 of storage, this step
        rec = _Recorder(self, sys, params, mm, k1 - k0 + 1)
        rec.first(series, k0, theta, cov, est0)
        nopts = NewtonOptions(tolerance=opts.newton_tolerance, max_iterations=40)
        warnings: list[str] = list(f"start: {w}" for w in est0.warnings)
        if est0.suspects:
            warnings.append("start: the steady estimate removed " + ", ".join(s.tag for s in est0.suspects))
        for step, k in enumerate(range(k0 + 1, k1 + 1), start=1):
            y = series.values[k]
            r_var = self.bound.sigma_si(y, np.maximum(series.counts[k], 1)) ** 2
            p_old = x[:n_p] * self.p_ref
            rho_old, drho_old = sys.density(p_old)
            storage = sys.volume * drho_old / dt  # kg/s per Pa of start-of-step pressure
            cov[n_p:, n_p:] += np.diag(walk)
            # the model error, V * noise_rate at each point over the step, as a start-of-step pressure error
            cov[:n_p, :n_p] += np.diag((noise_rate * dt / drho_old) ** 2)
            state, demand = params.apply(theta, sys.state, self.cn.sink_demand)
            set_boundary(sys, state, demand)
            q_res = (x[n_p : n_p + sys.m] * self.m_ref)[sys.cn.res_edge]
            sys.set_step(dt, rho_old, q_res)
            sys.freeze_friction(q_res if opts.lag_friction else None)
            out = newton(sys.residual, sys.jacobian, x, nopts, sys.max_step, sys.factorize)
            if not out.converged:
                raise ConvergenceError(f"dynamic estimation: the model step to {series.format_time(k * dt)} did not "
                                       f"converge ({out.message})", ["the estimate may have left the physical range; "
                                                                     "check the readings around that time"])
            xs = out.x
            tr = self._transition(sys, params, xs, storage)
            xp = xs * sys.xscale
            p, q, s = sys.split(xs)
            h, hx, ht = mm.evaluate(sys, p, q, s, theta)
            assert hx is not None and ht is not None
            up = update(cov, tr, measurement_rows(hx, ht, tr), y, h, r_var, opts.gate)
            xp = xp + state_shift(tr, up)
            theta = theta + up.dz[n_p:]
            cov = up.p_new
            x = xp / sys.xscale
            info = StepInfo(k, float(series.times_s[k]), dt, tr, up, xp, theta, y, r_var, storage, sys)
            rec.record(step, series, k, info, hx, ht, h)
            for ob in observers:
                ob.step(info)
            if progress is not None:
                progress(step, k1 - k0)
        return rec.result(series, est0, warnings, time.process_time() - c0, time.perf_counter() - w0)

    def _transition(self, sys: TransientSystem, params: BoundaryParameters, xs: F64, storage: F64) -> Transition:
        """Sensitivities of the step's unknowns to the start-of-step pressures and the parameters.

        The flows of the pipe segments are eliminated as the steady solver does (:class:`SchurPlan`: each segment
        law involves only its own flow); every right-hand side is zero on those rows, so the solves run on the
        reduced system of the points (one dense LU, one solve per state), and the segment flows follow.
        """
        n_p = sys.n
        jac = sp.csc_matrix(sys.jacobian(xs))
        jac.sort_indices()
        plan = self._plan
        if plan is None or not plan.matches(jac):
            r = n_p + sys.cn.res_edge
            mask = np.ones(sys.size, dtype=bool)
            mask[r] = False
            plan = SchurPlan.build(jac, r, np.flatnonzero(mask))
            if plan is None:
                raise ConvergenceError("dynamic estimation: the step Jacobian has no diagonal block of segment flows")
            self._plan = plan
        schur, inv_d, _, jrk = plan.reduce(jac.data)
        rhs = np.zeros((sys.size, n_p + params.n))
        rhs[np.arange(n_p), np.arange(n_p)] = storage / sys.fscale[:n_p]  # dF/dp_k = V drho/dp(p_k) / dt
        g = params.residual_derivative(sys, xs[:n_p] * self.p_ref)
        rhs[:, n_p:] = (sp.diags(1.0 / sys.fscale) @ g).toarray()
        k_idx, r_idx = plan.k_index, plan.r_index
        lu = sla.lu_factor(schur.toarray(), check_finite=False)
        sol = np.empty_like(rhs)
        sol[k_idx] = -sla.lu_solve(lu, rhs[k_idx], check_finite=False)
        sol[r_idx] = -(inv_d[:, None] * np.asarray(jrk @ sol[k_idx]))
        return Transition(sol * sys.xscale[:, None], n_p)


class _Recorder:
    """Collects the per-step estimates of the base network's nodes, elements, sources, sinks and meters."""

    def __init__(self, est: DynamicEstimator, sys: TransientSystem, params: BoundaryParameters,
                 mm: MeasurementModel, n_t: int) -> None:
        cn, seg = est.cn, est.seg
        self.est, self.params, self.mm = est, params, mm
        n, m = sys.n, sys.m
        n0, e0 = cn.n_nodes, cn.n_edges
        cols = np.empty(e0, dtype=np.int64)
        cols[: seg.n_pipes] = n + seg.pipe_seg_start
        cols[seg.n_pipes :] = n + seg.edge_map[np.arange(seg.n_pipes, e0)]
        out_cols = n + seg.pipe_seg_start + seg.pipe_nseg - 1
        src_pos = np.full(len(cn.source_ids), -1, dtype=np.int64)
        src_pos[sys.psrc] = np.arange(len(sys.psrc))
        rows = [np.arange(n0), cols, out_cols]
        self.n0, self.e0, self.n_pipes = n0, e0, seg.n_pipes
        src_rows = np.flatnonzero(src_pos >= 0)
        all_cols = np.concatenate([*rows, n + m + src_pos[src_rows]])
        self.lx = sp.csr_matrix((np.ones(len(all_cols)), (np.arange(len(all_cols)), all_cols)),
                                shape=(len(all_cols), sys.size))
        self.src_rows = src_rows
        self.n_t = n_t
        k_src, k_snk, k_m = len(cn.source_ids), len(cn.sink_ids), est.bound.n
        z = np.zeros
        self.times = z(n_t)
        self.p, self.p_sd = z((n_t, n0)), z((n_t, n0))
        self.q, self.q_sd = z((n_t, e0)), z((n_t, e0))
        self.q_out, self.q_out_sd = z((n_t, seg.n_pipes)), z((n_t, seg.n_pipes))
        self.supply, self.supply_sd = z((n_t, k_src)), z((n_t, k_src))
        self.demand, self.demand_sd = z((n_t, k_snk)), z((n_t, k_snk))
        self.theta, self.theta_sd = z((n_t, params.n)), z((n_t, params.n))
        self.lp, self.lp_sd = z(n_t), z(n_t)
        self.measured = np.full((n_t, k_m), np.nan)
        self.fitted, self.fitted_sd = z((n_t, k_m)), z((n_t, k_m))
        self.innovation = np.full((n_t, k_m), np.nan)
        self.gated = np.zeros((n_t, k_m), dtype=bool)
        self.nis, self.n_used = z(n_t), np.zeros(n_t, dtype=np.int64)
        self.volume = seg.volume_m3

    def _flows(self, i: int, val: F64, sd: F64, theta: F64, theta_sd: F64) -> None:
        n0, e0, npp = self.n0, self.e0, self.n_pipes
        self.p[i], self.p_sd[i] = val[:n0], sd[:n0]
        self.q[i], self.q_sd[i] = val[n0 : n0 + e0], sd[n0 : n0 + e0]
        self.q_out[i], self.q_out_sd[i] = val[n0 + e0 : n0 + e0 + npp], sd[n0 + e0 : n0 + e0 + npp]
        src = val[n0 + e0 + npp :]
        src_sd = sd[n0 + e0 + npp :]
        params = self.params
        k = params.kind
        inflow, dem = k == ParamKind.INFLOW, k == ParamKind.DEMAND
        self.supply[i, params.element[inflow]] = theta[inflow]
        self.supply_sd[i, params.element[inflow]] = theta_sd[inflow]
        self.supply[i, self.src_rows], self.supply_sd[i, self.src_rows] = src, src_sd
        self.demand[i, params.element[dem]] = theta[dem]
        self.demand_sd[i, params.element[dem]] = theta_sd[dem]
        self.theta[i], self.theta_sd[i] = theta, theta_sd

    def first(self, series: MeterSeries, k: int, theta: F64, cov: F64, est0: SteadyEstimate) -> None:
        self.times[0] = series.times_s[k]
        self.p[0], self.p_sd[0] = est0.p_pa, est0.p_sigma_pa
        self.q[0], self.q_sd[0] = est0.q_kg_s, est0.q_sigma_kg_s
        self.q_out[0], self.q_out_sd[0] = est0.q_kg_s[: self.n_pipes], est0.q_sigma_kg_s[: self.n_pipes]
        self.supply[0], self.supply_sd[0] = est0.supply_kg_s, est0.supply_sigma_kg_s
        self.demand[0], self.demand_sd[0] = est0.demand_kg_s, est0.demand_sigma_kg_s
        self.theta[0], self.theta_sd[0] = theta, np.sqrt(np.diag(cov)[-len(theta) :])
        self.measured[0] = series.values[k]
        self.fitted[0], self.fitted_sd[0] = est0.meters.estimated, est0.meters.estimated_sigma

    def record(self, i: int, series: MeterSeries, k: int, info: StepInfo, hx: sp.csr_matrix, ht: F64, h: F64) -> None:
        tr, up, sys = info.transition, info.update, info.sys
        lx = self.lx
        n_p = tr.n_p
        _, var = functional_update(lx, None, tr, up)
        val = np.asarray(lx @ info.x)  # the posterior unknowns already carry the update
        theta_sd = np.sqrt(np.maximum(np.diag(up.p_new)[n_p:], 0.0))
        self._flows(i, val, np.sqrt(var), info.theta, theta_sd)
        self.times[i] = series.times_s[k]
        p = info.x[:n_p]
        rho, drho = sys.density(p)
        self.lp[i] = float(np.sum(self.volume * rho))
        v = self.volume * drho
        self.lp_sd[i] = float(np.sqrt(max(float(v @ up.p_new[:n_p, :n_p] @ v), 0.0)))
        fit_shift, fit_var = functional_update(hx, ht, tr, up)
        self.measured[i] = info.y
        self.fitted[i], self.fitted_sd[i] = h + fit_shift, np.sqrt(fit_var)
        self.innovation[i] = up.normalised
        self.gated[i] = up.gated
        self.nis[i], self.n_used[i] = up.nis, int(up.valid.sum())

    def result(self, series: MeterSeries, est0: SteadyEstimate, warnings: list[str], cpu: float,
               wall: float) -> DynamicEstimate:
        est = self.est
        return DynamicEstimate(
            network=est.cn, bound=est.bound, params=self.params, seg=est.seg, start=est0,
            times_s=self.times, time_labels=tuple(series.format_time(t) for t in self.times), dt_s=series.dt_s,
            p_pa=self.p, p_sigma_pa=self.p_sd, q_kg_s=self.q, q_sigma_kg_s=self.q_sd, q_out_kg_s=self.q_out,
            q_out_sigma_kg_s=self.q_out_sd, supply_kg_s=self.supply, supply_sigma_kg_s=self.supply_sd,
            demand_kg_s=self.demand, demand_sigma_kg_s=self.demand_sd, theta=self.theta, theta_sigma=self.theta_sd,
            linepack_kg=self.lp, linepack_sigma_kg=self.lp_sd, measured=self.measured, fitted=self.fitted,
            fitted_sigma=self.fitted_sd, innovation=self.innovation, gated=self.gated, nis=self.nis,
            n_used=self.n_used, issues=series.issues, warnings=tuple(warnings), cpu_s=cpu, wall_s=wall,
        )
