"""Solve a day-ahead problem: warm start from the simulated default day, rounds to the simulator's friction
and Z, station on/off, the elastic solve of an infeasible day.

1. The default day (every set-point at its scenario or profile value) is simulated on the optimiser's grid
   (:func:`.grid.build_grid`); its states and set-points are IPOPT's starting point.
2. The NLP (:class:`~linepack.optimize.formulations.transient_nlp.DayModel`) is solved with the lagged
   friction terms and the Z offsets of the current point (:mod:`.friction`, :mod:`.symbolic`); the point
   moves to the solution and the NLP is re-solved (warm-started, with its multipliers) until the friction
   terms change by less than ``DaySpec.friction_tol``: the solution then solves the simulator's equations.
3. Stations that may be switched off: a station running at almost no power through a whole period is tried
   off (bypassed); the pattern is kept when the re-solved day is no worse.
4. When IPOPT finds no feasible day, the same model is solved with the delivery minima, the deliveries and
   the end-of-day linepack made elastic (each violation paid far above any other term): the violations
   that remain, with their hours, and the limits binding then are the verdict (:func:`.run.infeasibility_verdict`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...errors import ConvergenceError
from ..formulations.transient_nlp import DayModel
from ..limits import P_FLOOR_PA
from .friction import LaggedFriction, friction_change, frozen_threshold_kg_s, lagged_friction
from .problem import CompCode, DayProblem, RegCode
from .symbolic import ZModel

F64 = NDArray[np.float64]
SUCCESS = ("Solve_Succeeded", "Solved_To_Acceptable_Level")
W_ELASTIC = 1e4  # elastic solve: weight of a violation against the objective's scale
FLOW_FLOOR = 1e-3  # flows are compared relative to max(|q|, FLOW_FLOOR x the reference flow)
PIN_MARGIN = 1e-3  # a pinned start-of-step flow keeps this relative distance from the regime threshold (well beyond
# the simulator's Newton tolerance on flows, so that the replay takes the same regime: 1e-6 did not, on PSGP)
OFF_POWER_FRACTION = 0.01  # a station below this fraction of its maximum power through a period is tried off
Z_RANGE = 1.1  # the Z series covers up to this factor above the highest pressure limit


def _spans(periods: NDArray[np.int64]) -> str:
    """Periods (0-based, increasing) as 1-based runs: "periods 1-3, 5"."""
    runs: list[str] = []
    start = prev = int(periods[0])
    for k in [*map(int, periods[1:]), -2]:
        if k != prev + 1:
            runs.append(f"{start + 1}" if start == prev else f"{start + 1}-{prev + 1}")
            start = k
        prev = k
    return ("period " if len(periods) == 1 else "periods ") + ", ".join(runs)


@dataclass(frozen=True)
class Point:
    """Where the NLP's friction terms and Z offsets are evaluated: the flows and pressures of a solution."""

    friction: LaggedFriction
    dz_p: F64  # (N+1) x points
    dz_m: F64  # N x resistive edges
    dz_s: F64  # N x compressors


@dataclass(frozen=True)
class RawDay:
    """One NLP solution (SI): states at t_0..t_N, controls per period, the outputs of every step."""

    status: str
    success: bool
    iterations: int
    cpu_s: float
    point_p_pa: F64  # (N+1) x points
    edge_q_kg_s: F64  # (N+1) x edges
    held_supply_kg_s: F64  # (N+1) x held sources
    u: F64  # nu x K (SI)
    sigma_pa: F64  # deliveries x N: pressure below the minimum (elastic solve)
    sigma_lp_kg: float
    fuel_kg_s: F64  # N
    elec_w: F64  # N
    power_w: F64  # N x compressors
    linepack_kg: F64  # N
    supply_kg_s: F64  # N x sources
    ineq: F64  # N x station rows
    objective_raw: float
    shortfall_raw: float
    w: F64
    lam_g: F64
    lam_x: F64
    par: F64


@dataclass
class DaySolveLog:
    rounds: int = 0
    ipopt_iterations: int = 0
    friction_change: float = float("inf")
    switches: list[str] = field(default_factory=list)
    pinned: int = 0
    cpu_s: float = 0.0


class DaySolver:
    """Parameters, bounds and the solve loop around one :class:`DayModel`."""

    def __init__(self, prob: DayProblem, linear_solver: str = "mumps") -> None:
        self.prob = prob
        grid = prob.grid
        finite = prob.p_hi[np.isfinite(prob.p_hi)]
        p_top = Z_RANGE * float(np.max(finite)) if len(finite) else 200e5
        self.p_top = p_top
        self.zmodel = ZModel(grid.seg.cn, 0.5 * P_FLOOR_PA, p_top)
        self.model = DayModel(prob, self.zmodel, linear_solver)
        self.lay = self.model.lay
        self.res = grid.seg.cn.res_edge
        self.on = prob.comp_on0.copy()
        self.elastic = False
        self.point: Point | None = None
        self.norm = 1.0
        self.log = DaySolveLog()
        # friction regimes pinned after they flipped between rounds (1 frozen, -1 live; sign of a frozen flow)
        self.pin = np.zeros((self.lay.N, len(self.res)), dtype=np.int8)
        self.pin_sign = np.zeros((self.lay.N, len(self.res)), dtype=np.int8)
        self.q_frozen = frozen_threshold_kg_s(grid.seg.cn, grid.start.viscosity_pa_s)
        # warm rounds: IPOPT's barrier parameter at the start and whether the multipliers are passed on
        self.warm_mu_init = 1e-8
        self.warm_multipliers = True
        # a flipped regime is pinned where the new solution put it, so that the solution stays a feasible warm
        # start (pinned where it was before, the PSGP day's second round ran for minutes: its start broke the pins)
        self.pin_to_new = True

    # --- decision vector ---------------------------------------------------------------------------
    def _states(self, p: F64, q: F64, held: F64) -> F64:
        m = self.model
        return np.concatenate([p / m.p_ref, q / m.m_ref, held / m.m_ref], axis=1)

    def warm_start(self) -> F64:
        """The decision vector of the simulated default day (controls: its set-points, period means)."""
        prob, lay, model = self.prob, self.lay, self.model
        grid = prob.grid
        cn = grid.cn
        tr = grid.warm
        X = self._states(tr.point_p_pa[1:], tr.edge_q_kg_s[1:], tr.source_supply_kg_s[1:, prob.held])
        K, m = lay.K, prob.spec.substeps
        ef, et = cn.edge_from, cn.edge_to

        def per_period(a: F64) -> F64:  # N x k -> k x K
            return np.asarray(a.reshape(K, m, -1).mean(axis=1).T)

        p = tr.point_p_pa[1:]
        U = np.zeros((lay.nu, K))
        o = prob.offsets()
        if lay.nc:
            pd, ps = p[:, et[cn.comp_edge]], p[:, ef[cn.comp_edge]]
            ratio = prob.comp_code == CompCode.RATIO
            U[o[0] : o[1]] = np.where(ratio[:, None], per_period(pd / ps), per_period(pd))
        if lay.nr:
            U[o[1] : o[2]] = per_period(p[:, et[cn.reg_edge]])
        if lay.kh:
            U[o[2] : o[3]] = per_period(p[:, cn.source_node[prob.held]])
        if lay.nf:
            sup = tr.source_supply_kg_s[1:, prob.flow]
            nominal = grid.inflow_kg_s[1:, prob.flow]
            U[o[3] : o[4]] = np.where(prob.flow_free[:, None], per_period(sup), per_period(sup - nominal))
        U = np.clip(U, prob.u_lo, prob.u_hi)
        w = np.zeros(lay.nw)
        a, b, c, _ = model.offsets
        w[a:b] = X.ravel()  # step by step: the columns of the model's nxs x N state matrix
        w[b:c] = (U / model.u_scale_v[:, None]).ravel(order="F")
        return w

    def unpack_states(self, w: F64) -> tuple[F64, F64, F64]:
        """Point pressures, edge flows and held supplies at t_0..t_N [Pa, kg/s] from ``w``."""
        lay, model, grid = self.lay, self.model, self.prob.grid
        X = w[: lay.nxs * lay.N].reshape(lay.N, lay.nxs)
        p = X[:, : lay.n] * model.p_ref
        q = X[:, lay.n : lay.n + lay.m] * model.m_ref
        h = X[:, lay.n + lay.m :] * model.m_ref
        if grid.x0 is not None:
            p0, q0 = grid.x0.point_p_pa[0], grid.x0.edge_q_kg_s[0]
            h0 = grid.x0.source_supply_kg_s[0, self.prob.held]
        else:
            p0, q0, h0 = p[-1], q[-1], h[-1]
        return np.vstack([p0[None, :], p]), np.vstack([q0[None, :], q]), np.vstack([h0[None, :], h])

    # --- parameters ----------------------------------------------------------------------------------
    def point_at(self, w: F64) -> Point:
        """The friction terms and Z offsets at the states of ``w``."""
        grid = self.prob.grid
        cn = grid.seg.cn
        p, q, _ = self.unpack_states(w)
        fr = lagged_friction(cn, grid.seg.fixed_friction, grid.start.viscosity_pa_s, q[:, self.res], self.pin)
        zm = self.zmodel
        e = cn.res_edge
        pi, pj = p[1:, cn.edge_from[e]], p[1:, cn.edge_to[e]]
        pm = (2.0 / 3.0) * (pi + pj - pi * pj / (pi + pj))
        ps = p[1:, cn.edge_from[cn.comp_edge]]
        return Point(fr, zm.offset(p), zm.offset(pm), zm.offset(ps))

    def flags(self) -> tuple[F64, F64]:
        """Compressor (4 x nc per step) and regulator (3 x nr per step) state flags for every step."""
        prob, lay = self.prob, self.lay
        per = prob.grid.step_period
        nc, nr = lay.nc, lay.nr
        cf = np.zeros((lay.N, 4 * nc))
        code = prob.comp_code
        on = self.on[:, per].T  # N x nc
        cf[:, 0:nc] = (code == CompCode.PRESSURE) & on
        cf[:, nc : 2 * nc] = np.broadcast_to(code == CompCode.RATIO, (lay.N, nc))
        cf[:, 2 * nc : 3 * nc] = ((code == CompCode.PRESSURE) & ~on) | (code == CompCode.BYPASS)
        cf[:, 3 * nc : 4 * nc] = np.broadcast_to(code == CompCode.CLOSED, (lay.N, nc))
        rf = np.zeros((lay.N, 3 * nr))
        rc = prob.reg_code
        rf[:, 0:nr] = rc == RegCode.PRESSURE
        rf[:, nr : 2 * nr] = rc == RegCode.OPEN
        rf[:, 2 * nr : 3 * nr] = rc == RegCode.CLOSED
        return cf, rf

    def parameters(self, pt: Point) -> F64:
        prob, lay, model = self.prob, self.lay, self.model
        grid = prob.grid
        mr = model.m_ref
        fr = pt.friction
        cf, rf = self.flags()
        steps = np.concatenate(
            [
                prob.demand / mr,
                prob.inflow / mr,
                fr.lam0,
                fr.beta,
                fr.qa0 / mr,
                fr.eps / mr,
                fr.a / mr,
                fr.b,
                fr.frozen,
                fr.lin,
                cf,
                rf,
                (1.0 / prob.dt)[:, None],
                pt.dz_p[1:],
                pt.dz_p[:-1],
                pt.dz_m,
                pt.dz_s,
            ],
            axis=1,
        )
        assert steps.shape[1] == lay.npar
        x0 = np.zeros(lay.nxs)
        if grid.x0 is not None:
            held0 = grid.x0.source_supply_kg_s[:1, prob.held]
            x0 = self._states(grid.x0.point_p_pa[:1], grid.x0.edge_q_kg_s[:1], held0)[0]
        w = prob.spec.weights
        wc, wf, wu, wl = w.get("cost", 0.0), w.get("fuel", 0.0), w.get("unserved", 0.0), w.get("linepack", 0.0)
        c_shed = (wc + wu) * prob.shed_penalty
        w_sigma = w_lp = 0.0
        if self.elastic:
            big = W_ELASTIC * self.norm
            # per kg/s shed for an hour, per per-unit pressure below a minimum for an hour, per linepack fraction
            c_shed = c_shed + big / (mr * 3600.0)
            w_sigma = w_lp = big
        target = prob.lp_target_kg if np.isfinite(prob.lp_target_kg) else -1e30
        return np.concatenate(
            [
                steps.ravel(),
                x0,
                (wc * prob.price_supply).ravel(),
                wf / 1000.0 + wc * prob.price_fuel,
                wc * prob.price_elec,
                c_shed,
                prob.shortfall_weight,
                [wl / 1000.0, w_sigma, w_lp, target],
                prob.u_init / model.u_scale_v,
                [1.0 if model.periodic else 0.0],
            ]
        )

    # --- bounds ------------------------------------------------------------------------------------
    def bounds(self) -> tuple[F64, F64, F64, F64]:
        prob, lay, model = self.prob, self.lay, self.model
        grid = prob.grid
        cn = grid.seg.cn
        N, K, n = lay.N, lay.K, lay.n
        pr, mr = model.p_ref, model.m_ref
        p_hi = np.minimum(prob.p_hi, self.p_top)
        lo_s = np.concatenate([prob.p_lo / pr, np.full(lay.m, -np.inf), prob.supply_lo / mr])
        hi_s = np.concatenate([p_hi / pr, np.full(lay.m, np.inf), prob.supply_hi / mr])
        LO = np.tile(lo_s[:, None], (1, N))
        HI = np.tile(hi_s[:, None], (1, N))
        cf, rf = self.flags()
        nc, nr = lay.nc, lay.nr
        run = (cf[:, 0:nc] + cf[:, nc : 2 * nc]).T > 0.5  # nc x N
        if nc:
            qmax = np.where(np.isfinite(grid.cn.comp_flow_max), grid.cn.comp_flow_max, np.inf) / mr
            rows = n + cn.comp_edge
            LO[rows] = np.where(run, 0.0, -np.inf)
            HI[rows] = np.where(run, qmax[:, None], np.inf)
        run_r = rf[:, 0:nr].T > 0.5
        if nr:
            qmax_r = np.where(np.isfinite(grid.cn.reg_flow_max), grid.cn.reg_flow_max, np.inf) / mr
            rows = n + cn.reg_edge
            LO[rows] = np.where(run_r, 0.0, -np.inf)
            HI[rows] = np.where(run_r, qmax_r[:, None], np.inf)
        # pinned friction regimes: the start-of-step flow stays on its side of the simulator's threshold
        for i, j in zip(*np.nonzero(self.pin), strict=True):
            col = i - 1 if i > 0 else (N - 1 if model.periodic else -1)
            if col < 0:
                continue
            r = n + int(self.res[j])
            thr = self.q_frozen[j] / mr
            if self.pin[i, j] < 0:
                LO[r, col] = max(LO[r, col], -thr * (1 - PIN_MARGIN))
                HI[r, col] = min(HI[r, col], thr * (1 - PIN_MARGIN))
            elif self.pin_sign[i, j] > 0:
                LO[r, col] = max(LO[r, col], thr * (1 + PIN_MARGIN))
            else:
                HI[r, col] = min(HI[r, col], -thr * (1 + PIN_MARGIN))
        ulo = prob.u_lo / model.u_scale_v[:, None]
        uhi = prob.u_hi / model.u_scale_v[:, None]
        if self.elastic:
            o = prob.offsets()[4]
            uhi = uhi.copy()
            uhi[o:] = np.maximum(prob.demand.reshape(K, prob.spec.substeps, -1).min(axis=1).T / mr, 0.0)
        lp_free = self.elastic and np.isfinite(prob.lp_target_kg)
        lbx = np.concatenate([LO.ravel(order="F"), ulo.ravel(order="F"), np.zeros(lay.nd * N), [0.0]])
        sig_hi = np.full(lay.nd * N, np.inf if self.elastic else 0.0)
        ubx = np.concatenate([HI.ravel(order="F"), uhi.ravel(order="F"), sig_hi, [np.inf if lp_free else 0.0]])
        # constraints: equations, station rows (free where the station does not run), deliveries, ramps, end
        lbg_in = np.zeros((lay.n_in, N))
        if nc:
            lbg_in[0:nc] = np.where(run, 0.0, -np.inf)
            lbg_in[nc : 2 * nc] = np.where(run & np.isfinite(grid.cn.comp_ratio_max)[:, None], 0.0, -np.inf)
            lbg_in[2 * nc : 3 * nc] = np.where(run & np.isfinite(grid.cn.comp_power_max_w)[:, None], 0.0, -np.inf)
        if nr:
            lbg_in[3 * nc :] = np.where(run_r, 0.0, -np.inf)
        R = np.tile((prob.ramp / model.u_scale_v)[:, None], (1, K))
        if nc:
            # a set-point ramps only between periods the station runs in
            first = self.on[:, -1:] if model.periodic else np.ones((nc, 1), dtype=bool)
            prev = np.concatenate([first, self.on[:, :-1]], axis=1)
            R[0:nc] = np.where(self.on & prev, R[0:nc], np.inf)
        lp_lo = 0.0 if np.isfinite(prob.lp_target_kg) else -np.inf
        lbg = np.concatenate([np.zeros(lay.nxs * N), lbg_in.ravel(order="F"), np.zeros(lay.nd * N),
                              (-R).ravel(order="F"), [lp_lo]])  # fmt: skip
        ubg = np.concatenate([np.zeros(lay.nxs * N), np.full(lay.n_in * N, np.inf), np.full(lay.nd * N, np.inf),
                              R.ravel(order="F"), [np.inf]])  # fmt: skip
        return lbx, ubx, lbg, ubg

    # --- IPOPT ------------------------------------------------------------------------------------
    def ipopt_options(self, warm: bool) -> dict[str, Any]:
        spec = self.prob.spec
        opts: dict[str, Any] = {
            "tol": spec.ipopt_tol,
            "constr_viol_tol": 1e-9,
            # an "acceptable" stop keeps the same feasibility (IPOPT's default there is 1e-2): the replay checks it
            "acceptable_tol": 10.0 * spec.ipopt_tol,
            "acceptable_constr_viol_tol": 1e-9,
            "acceptable_iter": 5,
            "max_iter": spec.max_iter,
            "max_cpu_time": spec.max_cpu_s,
            "print_level": 0,
            "mu_strategy": "adaptive",
            "bound_relax_factor": 1e-10,
            "linear_solver": self.model.linear_solver,
            "sb": "yes",
        }
        if self.model.linear_solver == "mumps":
            opts["mumps_pivot_order"] = 3  # SCOTCH: measured the fastest ordering on these multi-step systems
        if warm:
            opts.update({"warm_start_init_point": "yes", "mu_init": self.warm_mu_init, "warm_start_bound_push": 1e-10,
                         "warm_start_slack_bound_push": 1e-10, "warm_start_mult_bound_push": 1e-10})  # fmt: skip
        return opts

    def solve_once(self, w0: F64, pt: Point, lam: tuple[F64, F64] | None) -> RawDay:
        model, lay = self.model, self.lay
        par = self.parameters(pt)
        lbx, ubx, lbg, ubg = self.bounds()
        args: dict[str, Any] = {"x0": np.clip(w0, lbx, ubx), "p": par, "lbx": lbx, "ubx": ubx, "lbg": lbg, "ubg": ubg}
        if lam is not None:
            args["lam_g0"], args["lam_x0"] = lam
        solver = model.solver if lam is None else model.warm_solver
        t0 = time.process_time()
        out = solver(**args)
        cpu = time.process_time() - t0
        st = solver.stats()
        status = str(st["return_status"])
        w = np.asarray(out["x"]).ravel()
        success = status in SUCCESS
        if not success and status == "Search_Direction_Becomes_Too_Small":
            g = np.asarray(out["g"]).ravel()
            success = max(float(np.max(lbg - g, initial=0.0)), float(np.max(g - ubg, initial=0.0))) < 1e-7
        fuel, elec, power, lp, sup, ineq = model.eval_fn(w, par)
        raw, short = model.raw_fn(w, par)
        pp, qq, hh = self.unpack_states(w)
        _, b, c, d = model.offsets
        iters = int(st.get("iter_count", 0))
        self.log.ipopt_iterations += iters
        self.log.cpu_s += cpu
        return RawDay(
            status=status,
            success=success,
            iterations=iters,
            cpu_s=cpu,
            point_p_pa=pp,
            edge_q_kg_s=qq,
            held_supply_kg_s=hh,
            u=w[b:c].reshape(lay.K, lay.nu).T * model.u_scale_v[:, None],
            sigma_pa=w[c:d].reshape(lay.N, lay.nd).T * model.p_ref,
            sigma_lp_kg=float(w[d]),
            fuel_kg_s=np.asarray(fuel).ravel(),
            elec_w=np.asarray(elec).ravel(),
            power_w=np.asarray(power).T.reshape(lay.N, lay.nc),
            linepack_kg=np.asarray(lp).ravel(),
            supply_kg_s=np.asarray(sup).T,
            ineq=np.asarray(ineq).T.reshape(lay.N, lay.n_in),
            objective_raw=float(raw),
            shortfall_raw=float(short),
            w=w,
            lam_g=np.asarray(out["lam_g"]).ravel(),
            lam_x=np.asarray(out["lam_x"]).ravel(),
            par=par,
        )

    # --- rounds -----------------------------------------------------------------------------------
    def rounds(self, w0: F64, lam: tuple[F64, F64] | None = None) -> RawDay:
        """Rounds from ``w0`` until the friction terms settle (see the module docstring). A segment whose
        frozen/live regime flips between rounds is pinned to the regime of the new solution, its start-of-step
        flow bounded to that side of the simulator's threshold, so that the rounds settle."""
        spec = self.prob.spec
        grid = self.prob.grid
        klin_d = 16.0 * np.pi * grid.start.viscosity_pa_s * grid.seg.cn.diameter_m
        pt = self.point or self.point_at(w0)
        raw: RawDay | None = None
        change = float("inf")
        for _ in range(spec.max_rounds):
            raw = self.solve_once(w0, pt, lam)
            self.log.rounds += 1
            if not raw.success:
                break
            q = raw.edge_q_kg_s[:, self.res]
            new = self.point_at(raw.w)
            change, flipped = friction_change(pt.friction, new.friction, q, FLOW_FLOOR * self.model.m_ref, klin_d)
            flip = flipped & (self.pin == 0)
            if np.any(flip) and change >= spec.friction_tol:
                regime = (new if self.pin_to_new else pt).friction.frozen[flip]
                self.pin[flip] = np.where(regime > 0.5, 1, -1).astype(np.int8)
                self.pin_sign[flip] = np.where(q[:-1][flip] >= 0, 1, -1).astype(np.int8)
                self.log.pinned = int(np.count_nonzero(self.pin))
                new = self.point_at(raw.w)
            pt = new
            w0, lam = raw.w, ((raw.lam_g, raw.lam_x) if self.warm_multipliers else None)
            if change < spec.friction_tol:
                break
        assert raw is not None
        self.point = pt
        self.log.friction_change = change
        if raw.success and change >= spec.friction_tol:
            raise ConvergenceError(
                f"day-ahead optimisation: the lagged friction factors still change by {change:.1e} after "
                f"{spec.max_rounds} rounds (tolerance {spec.friction_tol:g})",
                ["raise max_rounds, or use shorter time steps (friction lags one step)"],
            )
        return raw

    def set_norm(self, w0: F64) -> None:
        """Objective scale: the default day's objective (so IPOPT sees an objective of order 1)."""
        self.point = self.point or self.point_at(w0)
        self.norm = 1.0
        raw, short = self.model.raw_fn(w0, self.parameters(self.point))
        self.norm = max(abs(float(raw)), 1e-3 * abs(float(short)), 1e-6)

    def solve(self) -> RawDay:
        """Warm start, rounds, station on/off (see the module docstring)."""
        w0 = self.warm_start()
        self.set_norm(w0)
        self.model.build(self.norm, self.ipopt_options(False), self.ipopt_options(True))
        raw = self.rounds(w0)
        if raw.success and np.any(self.prob.comp_switchable):
            raw = self._switching(raw)
        return raw

    def _switching(self, raw: RawDay) -> RawDay:
        """Try off every running switchable station that stays below ``OFF_POWER_FRACTION`` of its maximum power
        through a period; keep the pattern when the re-solved day is no worse (one pass)."""
        prob, lay = self.prob, self.lay
        cn = prob.grid.cn
        K, m = lay.K, prob.spec.substeps
        if not lay.nc:
            return raw
        power = raw.power_w.reshape(K, m, lay.nc).max(axis=1).T  # nc x K
        cap = np.where(np.isfinite(cn.comp_power_max_w), cn.comp_power_max_w, np.maximum(power.max(axis=1), 1.0))
        off = prob.comp_switchable[:, None] & self.on & (power < OFF_POWER_FRACTION * cap[:, None])
        if not np.any(off):
            return raw
        saved = (self.on.copy(), self.point, self.pin.copy(), self.pin_sign.copy(), self.log.friction_change)
        self.on = self.on & ~off
        self.point = None
        try:  # from the day before, its multipliers and its pinned regimes
            trial = self.rounds(raw.w, (raw.lam_g, raw.lam_x) if self.warm_multipliers else None)
        except ConvergenceError:
            trial = None
        total = raw.objective_raw + raw.shortfall_raw
        better = trial is not None and trial.objective_raw + trial.shortfall_raw <= total + 1e-9 * abs(total)
        if trial is not None and trial.success and better:
            for i in np.flatnonzero(off.any(axis=1)):
                self.log.switches.append(f"{cn.edge_ids[cn.comp_edge[i]]} off in {_spans(np.flatnonzero(off[i]))}")
            return trial
        self.on, self.point, self.pin, self.pin_sign, self.log.friction_change = saved
        return raw

    def solve_elastic(self) -> RawDay:
        """The elastic solve of an infeasible day (see the module docstring)."""
        self.elastic = True
        self.point = None
        self.pin[:] = 0
        w0 = self.warm_start()
        self.model.build(self.norm, self.ipopt_options(False), self.ipopt_options(True))
        return self.rounds(w0)
