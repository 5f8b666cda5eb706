"""Steady state estimation: weighted least squares by Gauss-Newton on the solver's own equations.

Unknowns are the boundary parameters theta (:mod:`.parameters`); the network equations hold exactly
(the state is the solver's solution at theta). Each Gauss-Newton iteration

1. solves the steady equations at theta (damped Newton, warm-started: the solver's residual and Jacobian),
2. forms the sensitivity ``S = dx/dtheta = -J^-1 dF/dtheta`` with that Jacobian, and the measurement Jacobian
   ``H = dh/dx S + dh/dtheta``,
3. takes the least-squares step of ``min ||W^1/2 (z - h - H dtheta)||`` (SVD of the column-scaled matrix, which
   is also the observability test), with a backtracking line search on the weighted cost.

At the solution the covariance of theta is ``C = (H^T W H)^-1`` and that of the state ``S C S^T``; the
chi-square test and the largest normalised residual find and remove bad meters (:mod:`.baddata`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, compile_network
from ..errors import ConvergenceError, InputError
from ..model.network import Network
from ..solvers.steady import SteadyOptions, solve_steady
from ..units import BAR_PA
from .baddata import ChiSquare, chi_square, gross_error, normalised_residuals
from .measurements import MeasurementModel
from .meters import BoundMeters, MeterSet, bind
from .model import SteadyModel
from .observability import Observability, analyse, unobservable_error
from .parameters import BoundaryParameters, ParamKind
from .results import MeterFit, SteadyEstimate, Suspect
from .validate import MeterSeries

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Pseudo:
    """Pseudo-measurements: assumed values for what the meters leave open (the scenario's value, with a sigma).

    ``demand_rel`` and ``inflow_rel`` are fractions of the scenario's flow (with a floor of 1 % of the
    network's throughput), ``pressure_bar`` the sigma of an assumed set-point pressure.
    """

    demand_rel: float = 0.3
    inflow_rel: float = 0.3
    pressure_bar: float = 2.0
    ratio: float = 0.1
    power_rel: float = 0.3
    everywhere: bool = False  # False: only for the parameters the meters do not determine

    def sigma(self, params: BoundaryParameters, theta0: F64, m_ref: float) -> F64:
        k = params.kind
        floor = 0.01 * m_ref
        sig = np.empty(params.n)
        flow = (k == ParamKind.DEMAND) | (k == ParamKind.INFLOW)
        rel = np.where(k == ParamKind.DEMAND, self.demand_rel, self.inflow_rel)
        sig[flow] = np.maximum(rel[flow] * np.abs(theta0[flow]), floor)
        units = np.array(params.units)
        pres = ~flow & (units == "Pa")
        sig[pres] = self.pressure_bar * BAR_PA
        sig[~flow & (units == "-")] = self.ratio
        sig[~flow & (units == "W")] = np.maximum(self.power_rel * np.abs(theta0[~flow & (units == "W")]), 1e5)
        rest = ~flow & (units == "kg/s")
        sig[rest] = np.maximum(self.inflow_rel * np.abs(theta0[rest]), floor)
        return sig


@dataclass(frozen=True)
class WlsOptions:
    """Settings of :func:`estimate_steady`."""

    tolerance: float = 1e-10  # on the largest parameter step, in units of the parameters' scales
    max_iterations: int = 40
    alpha: float = 0.01  # level of the chi-square test
    lnr_threshold: float = 3.0  # a normalised residual above this identifies a bad meter
    max_bad: int = 5  # meters removed at most
    viscosity_rel_tol: float = 1e-6


@dataclass
class _Fit:
    theta: F64
    x: F64
    sens: F64
    h: F64
    jac: F64  # H: meters x params
    iterations: int
    converged: bool


class _Problem:
    """One weighted least-squares problem: model, readings and pseudo rows."""

    def __init__(self, model: SteadyModel, mm: MeasurementModel, y: F64, sigma: F64, use: NDArray[np.bool_],
                 prior_idx: NDArray[np.int64], prior_val: F64, prior_sig: F64, opts: WlsOptions) -> None:
        self.model, self.mm, self.y, self.sigma, self.use = model, mm, y, sigma, use
        self.prior_idx, self.prior_val, self.prior_sig = prior_idx, prior_val, prior_sig
        self.opts = opts

    def evaluate(self, theta: F64, x0: F64) -> tuple[F64, F64]:
        x = self.model.solve(theta, x0)
        p, q, s = self.model.sys.split(x)
        h, _, _ = self.mm.evaluate(self.model.sys, p, q, s, theta, jacobian=False)
        return x, h

    def weighted(self, theta: F64, h: F64) -> F64:
        u = self.use
        r = (self.y[u] - h[u]) / self.sigma[u]
        rp = (self.prior_val - theta[self.prior_idx]) / self.prior_sig
        return np.concatenate([r, rp])

    def jacobian(self, theta: F64, x: F64) -> tuple[F64, F64, F64]:
        """S (dx/dtheta), H (all meters) and the weighted, column-scaled matrix of the used rows."""
        model = self.model
        sens = model.sensitivity(x)
        p, q, s = model.sys.split(x)
        _, hx, ht = self.mm.evaluate(model.sys, p, q, s, theta)
        assert hx is not None and ht is not None
        H = np.asarray(hx @ sens) + ht
        scale = model.params.scale
        prior_rows = np.zeros((len(self.prior_idx), model.params.n))
        prior_rows[np.arange(len(self.prior_idx)), self.prior_idx] = 1.0 / self.prior_sig
        a = np.vstack([H[self.use] / self.sigma[self.use, None], prior_rows]) * scale[None, :]
        return sens, H, a

    def solve(self, theta: F64, x: F64, check: bool) -> tuple[_Fit, Observability | None]:
        model, opts = self.model, self.opts
        x, h = self.evaluate(theta, x)
        cost = float(np.sum(self.weighted(theta, h) ** 2))
        scale = model.params.scale
        obs: Observability | None = None
        converged = False
        it = 0
        for it in range(1, opts.max_iterations + 1):
            sens, H, a = self.jacobian(theta, x)
            if check and it == 1:
                obs = analyse(a, sens, model.params, model.cn, model.sys.p_ref, model.sys.m_ref)
                if not obs.observable:
                    return _Fit(theta, x, sens, h, H, it, False), obs
            u_, s_, vt = np.linalg.svd(a, full_matrices=False)
            keep = s_ > 1e-12 * s_[0]
            b = self.weighted(theta, h)
            ub = u_[:, keep].T @ b
            step = scale * (vt[keep].T @ (ub / s_[keep]))
            predicted = float(np.sum(ub * ub))  # decrease of the cost the linear model promises
            if (float(np.max(np.abs(step / scale), initial=0.0)) < opts.tolerance
                    or predicted <= 1e-13 * cost or predicted < 1e-26):
                converged = True
                break
            alpha = 1.0
            while alpha > 1e-4:
                trial = theta + alpha * step
                try:
                    x_t, h_t = self.evaluate(trial, x)
                except ConvergenceError:
                    alpha *= 0.5
                    continue
                c_t = float(np.sum(self.weighted(trial, h_t) ** 2))
                if c_t <= cost - 1e-4 * alpha * predicted:
                    break
                alpha *= 0.5
            else:
                break  # no descent along the Gauss-Newton direction: at the minimum to rounding
            theta, x, h, cost = trial, x_t, h_t, c_t
        sens, H, a = self.jacobian(theta, x)
        return _Fit(theta, x, sens, h, H, it, converged), obs


class SteadyEstimator:
    """Weighted least-squares estimation of steady states of one network with one meter set.

    The scenario's steady solution (``solve_steady``) gives the control modes (which boundary value each element
    sets), the viscosity and the starting point; every estimate starts from it afresh, so an estimate never
    depends on the ones before.
    """

    def __init__(
        self,
        network: Network | CompiledNetwork,
        meters: MeterSet,
        scenario: str | None = None,
        options: WlsOptions | None = None,
    ) -> None:
        self.options = options or WlsOptions()
        cn = network if isinstance(network, CompiledNetwork) else compile_network(network, scenario)
        self.base = solve_steady(cn, options=SteadyOptions(tolerance=1e-11))
        self.cn = self.base.network
        self.meters = meters
        self.bound = bind(meters, self.cn)
        self.p_ref, self.m_ref = base_scales(self.cn, self.base.p_pa, self.base.q_kg_s)

    def model(self) -> SteadyModel:
        return SteadyModel.from_result(self.base, self.p_ref, self.m_ref)

    def estimate(
        self, readings_si: F64, sigma_si: F64, *, pseudo: Pseudo | None = None, label: str = ""
    ) -> SteadyEstimate:
        """Estimate from one reading per meter (``readings_si``, SI, NaN where a meter has none) with standard
        uncertainties ``sigma_si``.

        Raises :class:`InputError` when the meters do not determine the state (naming what is missing; pass
        ``pseudo`` to assume scenario values there instead) and :class:`ConvergenceError` when no state fits.
        """
        opts, bound, cn, meters = self.options, self.bound, self.cn, self.meters
        y = np.asarray(readings_si, dtype=float)
        sig = np.asarray(sigma_si, dtype=float)
        if y.shape != (bound.n,) or sig.shape != (bound.n,):
            raise InputError(f"give one reading and one sigma per meter ({bound.n}); got {y.shape} and {sig.shape}")
        bad_sigma = [bound.tags[i] for i in np.flatnonzero(np.isfinite(y) & ~(sig > 0))]
        if bad_sigma:
            raise InputError(f"meter(s) {', '.join(bad_sigma)}: the standard uncertainty must be > 0")
        use = np.isfinite(y)
        if not np.any(use):
            raise InputError("no meter has a reading; nothing to estimate from")
        model = self.model()
        m_ref = self.m_ref
        mm = MeasurementModel.build(bound, model.sys, model.params)
        theta = _start(model, mm, y, use)
        x = model.pack(self.base)
        none = np.zeros(0, dtype=np.int64)
        prior_idx, prior_val, prior_sig = none, np.zeros(0), np.zeros(0)
        theta_scn = model.theta0()
        if pseudo is not None and pseudo.everywhere:
            prior_idx = np.arange(model.params.n)
            prior_val, prior_sig = theta_scn.copy(), pseudo.sigma(model.params, theta_scn, m_ref)
        suspects: list[Suspect] = []
        removed = np.zeros(bound.n, dtype=bool)
        warnings: list[str] = []
        while True:
            prob = _Problem(model, mm, y, sig, use & ~removed, prior_idx, prior_val, prior_sig, opts)
            fit, obs = prob.solve(theta, x, check=True)
            if obs is not None and not obs.observable:
                if pseudo is not None and not pseudo.everywhere and len(prior_idx) == 0:
                    prior_idx = np.array(obs.unobservable_params, dtype=np.int64)
                    prior_val = theta_scn[prior_idx]
                    prior_sig = pseudo.sigma(model.params, theta_scn, m_ref)[prior_idx]
                    continue
                raise unobservable_error(obs, model.params, cn, meters.name)
            if model.refresh_viscosity(fit.x) > opts.viscosity_rel_tol:
                fit, _ = prob.solve(fit.theta, fit.x, check=False)  # at the viscosity of the estimate
            theta, x = fit.theta, fit.x
            if not fit.converged:
                warnings.append(f"Gauss-Newton stopped after {fit.iterations} iterations without meeting its "
                                "tolerance")
            cov, rank = _covariance(prob, fit)
            used = use & ~removed
            r = y - fit.h
            hch = np.einsum("ij,jk,ik->i", fit.jac, cov, fit.jac)
            rw = np.concatenate([r[used] / sig[used], (prior_val - theta[prior_idx]) / prior_sig])
            test = chi_square(rw, rank, opts.alpha)
            rn_all = np.full(bound.n, np.nan)
            rn, critical = normalised_residuals(r[used], sig[used], hch[used])
            rn_all[used] = rn
            if test.passed or len(suspects) >= opts.max_bad:
                break
            if not np.any(np.isfinite(rn)) or np.nanmax(rn) < opts.lnr_threshold:
                largest = float(np.nanmax(rn)) if np.any(np.isfinite(rn)) else float("nan")
                warnings.append(
                    f"the chi-square test failed but no single meter stands out (largest normalised residual "
                    f"{largest:.2f} < {opts.lnr_threshold:g}): the readings may not be of a steady state, or several "
                    "meters are off"
                )
                break
            worst = int(np.flatnonzero(used)[int(np.nanargmax(rn))])
            err = float(gross_error(r[worst : worst + 1], sig[worst : worst + 1], hch[worst : worst + 1])[0])
            u = bound.units[worst]
            suspects.append(Suspect(bound.tags[worst], float(np.nanmax(rn)), err,
                                    f"{err / u.factor:+.4g} {bound.meters.meters[worst].unit}"))
            removed[worst] = True
            if not np.any(use & ~removed):
                break
        if len(suspects) >= opts.max_bad and not test.passed:
            warnings.append(f"{opts.max_bad} meters removed and the chi-square test still fails; check the readings")
        return _result(model, bound, fit, cov, y, sig, use, removed, rn_all, critical_mask(used, critical, bound.n),
                       test, suspects, obs, [model.params.names[i] for i in prior_idx], warnings, label)

    def estimate_window(
        self, series: MeterSeries, start_s: float, end_s: float, *, pseudo: Pseudo | None = None
    ) -> SteadyEstimate:
        """Estimate from the mean readings of ``series`` between ``start_s`` and ``end_s`` (seconds from the series
        start, inclusive); averaging n readings divides a meter's random uncertainty by sqrt(n), not its
        systematic one."""
        k0 = int(np.ceil(start_s / series.dt_s - 1e-9))
        k1 = int(np.floor(end_s / series.dt_s + 1e-9)) + 1
        k0, k1 = max(k0, 0), min(k1, series.n_times)
        if k1 <= k0:
            raise InputError(
                f"the window {series.format_time(start_s)} to {series.format_time(end_s)} holds no time of the data "
                f"({series.format_time(0.0)} to {series.format_time(float(series.times_s[-1]))})"
            )
        mean, n = series.window_mean(k0, k1)
        if not np.any(np.isfinite(mean)):
            raise InputError(f"no usable reading between {series.format_time(start_s)} and "
                             f"{series.format_time(end_s)}")
        sigma = self.bound.sigma_si(mean, np.maximum(n, 1.0))
        first, last = float(series.times_s[k0]), float(series.times_s[k1 - 1])
        label = f"{series.format_time(first)} to {series.format_time(last)}"
        return self.estimate(mean, sigma, pseudo=pseudo, label=label)


def estimate_steady(
    network: Network | CompiledNetwork,
    meters: MeterSet,
    readings_si: F64,
    sigma_si: F64,
    scenario: str | None = None,
    *,
    options: WlsOptions | None = None,
    pseudo: Pseudo | None = None,
    label: str = "",
) -> SteadyEstimate:
    """One steady estimate (see :class:`SteadyEstimator`)."""
    return SteadyEstimator(network, meters, scenario, options).estimate(readings_si, sigma_si, pseudo=pseudo,
                                                                        label=label)


def base_scales(cn: CompiledNetwork, p_pa: F64, q_kg_s: F64) -> tuple[float, float]:
    """Reference pressure and flow of a solved state (the scaling of the unknowns)."""
    p_ref = float(np.max(p_pa)) if len(p_pa) else 50.0 * BAR_PA
    m_ref = float(max(np.sum(cn.sink_demand), np.max(np.abs(q_kg_s), initial=0.0), 1e-3))
    return p_ref, m_ref


def critical_mask(used: NDArray[np.bool_], critical: NDArray[np.bool_], n: int) -> NDArray[np.bool_]:
    out = np.zeros(n, dtype=bool)
    out[np.flatnonzero(used)[critical]] = True
    return out


def _start(model: SteadyModel, mm: MeasurementModel, y: F64, use: NDArray[np.bool_]) -> F64:
    """Scenario values, with the parameters a meter reads directly (deliveries, supplies) taken from it."""
    theta = model.theta0()
    direct = use & (mm.theta >= 0)
    theta[mm.theta[direct]] = y[direct]
    return theta


def _covariance(prob: _Problem, fit: _Fit) -> tuple[F64, int]:
    _, _, a = prob.jacobian(fit.theta, fit.x)
    _, s, vt = np.linalg.svd(a, full_matrices=False)
    keep = s > 1e-12 * s[0]
    scale = prob.model.params.scale
    inv = (vt[keep].T / s[keep] ** 2) @ vt[keep]
    return inv * scale[:, None] * scale[None, :], int(np.sum(keep))


def _result(
    model: SteadyModel,
    bound: BoundMeters,
    fit: _Fit,
    cov: F64,
    y: F64,
    sig: F64,
    use: NDArray[np.bool_],
    removed: NDArray[np.bool_],
    rn: F64,
    critical: NDArray[np.bool_],
    test: ChiSquare,
    suspects: list[Suspect],
    obs: Observability | None,
    pseudo: list[str],
    warnings: list[str],
    label: str,
) -> SteadyEstimate:
    cn, sys, params = model.cn, model.sys, model.params
    p, q, s = sys.split(fit.x)
    sens = fit.sens
    var_x = np.einsum("ij,jk,ik->i", sens, cov, sens)
    sd_x = np.sqrt(np.maximum(var_x, 0.0))
    n, m = sys.n, sys.m
    theta = fit.theta
    sd_t = np.sqrt(np.maximum(np.diag(cov), 0.0))
    supply = np.where(sys.state.src_pressure, 0.0, sys.state.src_inflow).astype(float)
    supply_sd = np.zeros(len(cn.source_ids))
    supply[sys.psrc] = s
    supply_sd[sys.psrc] = sd_x[n + m :]
    inflow = params.kind == ParamKind.INFLOW
    supply_sd[params.element[inflow]] = sd_t[inflow]
    demand = np.zeros(len(cn.sink_ids))
    demand_sd = np.zeros(len(cn.sink_ids))
    dem = params.kind == ParamKind.DEMAND
    demand[params.element[dem]] = theta[dem]
    demand_sd[params.element[dem]] = sd_t[dem]
    hch = np.einsum("ij,jk,ik->i", fit.jac, cov, fit.jac)
    status = []
    for i in range(bound.n):
        if not use[i]:
            status.append("no reading")
        elif removed[i]:
            status.append("bad (removed)")
        elif critical[i]:
            status.append("critical")
        else:
            status.append("used")
    meters = MeterFit(bound.tags, y.copy(), sig.copy(), fit.h.copy(), np.sqrt(np.maximum(hch, 0.0)), rn,
                      tuple(status))
    if obs is None:  # pragma: no cover (the first solve always analyses)
        raise AssertionError("observability not analysed")
    return SteadyEstimate(
        network=cn, bound=bound, params=params, converged=fit.converged, iterations=fit.iterations, theta=theta.copy(),
        theta_cov=cov, p_pa=p.copy(), p_sigma_pa=sd_x[:n].copy(), q_kg_s=q.copy(), q_sigma_kg_s=sd_x[n : n + m].copy(),
        supply_kg_s=supply, supply_sigma_kg_s=supply_sd, demand_kg_s=demand, demand_sigma_kg_s=demand_sd,
        meters=meters, chi2=test, suspects=tuple(suspects), observability=replace(obs), pseudo=tuple(pseudo),
        warnings=tuple(warnings), label=label,
    )
