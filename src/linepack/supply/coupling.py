"""The network in a supply run: one steady state per step, with the terminals' send-out limits as capacities.

:class:`SteadyCoupler` compiles the network scenario once and, at every step, solves a copy of the compiled
arrays (``dataclasses.replace``: demands, inflows, capacities) warm-started from the previous step's solution,
so a step costs a few Newton iterations, not a compile. The terminals and stores linked to network sources
send out their targets (flow-mode sources) or what the network draws (the pressure-held source, the slack);
then:

1. the slack is solved without its limit; gas it would send beyond what its tank allows (``hi``) is moved to
   terminals and stores with room left (those not held back by their send-out pressure), and what is still
   missing is curtailed: store injection first, then demand class by class in the priority order of
   :data:`linepack.study.shedding.SHED_ORDER` (pro rata within a class), then solved again, until the slack
   is within its limit (to 1e-9 of the demand);
2. a slack with no LNG left hands the pressure reference to the terminal with the most to send;
3. fixed supplies above what the grid takes (fields in a low-demand step) are turned down pro rata;
4. a step without a steady state with every demand served (the network cannot carry it) is curtailed by
   priority until it has one (bisection on the total curtailment, then the steps above); one without a steady
   state even then goes to the priority shedding of :func:`linepack.study.shedding.shed`, as a scenario
   overlay of the step.

The steady state has no storage: linepack is a state of each step (reported), and its change between steps
is not in a step's balance (``supply = served + fuel`` per step).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode, compile_view
from ..errors import ConvergenceError, InputError, LinepackError
from ..model.components import Sink, Source, SourceMode
from ..model.network import Network
from ..model.scenario import ResolvedScenario, Scenario, compose, resolve
from ..results import SteadyResult
from ..solvers.equations import ControlState
from ..solvers.steady import SteadyOptions, solve_steady
from ..study.shedding import SHED_ORDER, shed
from ..units import BAR_PA

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
REL_TOL = 1e-9  # slack above its limit, fraction of the demand
OVER_TOL = 1e-7  # curtailed beyond need, fraction of the demand
MAX_ROUNDS = 16
GRID_TOL = 1e-4  # curtailment to the grid's limit (no steady state with less), fraction of the demand
RAISE_ROUNDS = 3


@dataclass(frozen=True)
class Links:
    """Where the supply chain meets the network: source and sink positions in the compiled scenario."""

    terminal_source: I64
    store_source: I64
    store_sink: I64  # -1: the store cannot inject

    @property
    def linked_sources(self) -> I64:
        return np.concatenate([self.terminal_source, self.store_source]).astype(np.int64)


@dataclass
class StepOutcome:
    """The network in one step (arrays over the compiled scenario's sources and sinks)."""

    supply_kg_s: F64
    served_kg_s: F64  # per sink, including store injection sinks (their injection)
    fuel_kg_s: float
    linepack_kg: float
    p_sink_barg: F64
    below_min: NDArray[np.bool_]
    status: str  # solved, curtailed, shed, failed
    actions: list[str] = field(default_factory=list)
    violations: tuple[str, ...] = ()
    iterations: int = 0


def _released(res: SteadyResult) -> SteadyResult:
    """``res`` as a warm start with its closed or bypassed compressors back in their own control mode (the
    control rules close a compressor but never reopen it; each step decides afresh)."""
    st = res.control
    if not isinstance(st, ControlState):
        return res
    cn = res.network
    stuck = np.isin(st.comp_mode, (CompMode.OFF, CompMode.BYPASS)) & (cn.comp_mode != st.comp_mode)
    if not np.any(stuck):
        return res
    fresh = ControlState.initial(cn)
    return replace(res, control=st.with_(comp_mode=np.where(stuck, fresh.comp_mode, st.comp_mode),
                                         comp_target=np.where(stuck, fresh.comp_target, st.comp_target)))


def _ids_map(sub: tuple[str, ...], full: tuple[str, ...]) -> I64:
    pos = {k: i for i, k in enumerate(full)}
    return np.array([pos[k] for k in sub], dtype=np.int64)


class SteadyCoupler:
    """Steady-state network steps of one scenario (see the module docstring)."""

    mode = "steady"

    def __init__(self, network: Network, scenario: str | None, links_of: dict[str, tuple[str, ...]],
                 options: SteadyOptions | None = None, hold_barg: dict[str, float] | None = None) -> None:
        self.network = network
        self.resolved: ResolvedScenario = resolve(network.scenarios, scenario or network.default_scenario)
        view = network.view(self.resolved)
        self.cn: CompiledNetwork = compile_view(view)
        self._components = {c.id: c for c in view.components}  # the scenario's own (added, patched)
        cn = self.cn
        self.options = options or SteadyOptions(probe_supply=False, max_time_s=30.0)
        pos_src = {k: i for i, k in enumerate(cn.source_ids)}
        pos_snk = {k: i for i, k in enumerate(cn.sink_ids)}
        self.links = Links(
            np.array([pos_src[s] for s in links_of["terminal_source"]], dtype=np.int64),
            np.array([pos_src[s] for s in links_of["store_source"]], dtype=np.int64),
            np.array([pos_snk[s] if s else -1 for s in links_of["store_sink"]], dtype=np.int64),
        )
        linked = np.zeros(len(cn.source_ids), dtype=bool)
        linked[self.links.linked_sources] = True
        self.linked = linked
        self.injection_sink = np.zeros(len(cn.sink_ids), dtype=bool)
        self.injection_sink[self.links.store_sink[self.links.store_sink >= 0]] = True
        self.fixed_inflow = np.where(cn.source_is_pressure | linked, 0.0, cn.source_inflow)
        # send-out pressure of each source when it holds the pressure (its set-point, else its p_max)
        self.hold_pa = np.where(np.isfinite(cn.source_p_set_pa), cn.source_p_set_pa, cn.source_p_max_pa)
        for sid, p_barg in (hold_barg or {}).items():
            self.hold_pa[pos_src[sid]] = p_barg * BAR_PA + cn.ambient_pa
        self.rank = np.array([SHED_ORDER.index(c) if c in SHED_ORDER else 0 for c in cn.sink_category])
        # the swing terminal: a terminal holds the pressure when the scenario's reference is one of them
        held_term = [k for k in self.links.terminal_source if cn.source_is_pressure[k]]
        self.swing: int | None = int(held_term[0]) if held_term and not np.any(cn.source_is_pressure & ~linked) \
            else None
        self.swing0 = self.swing
        self.prev: SteadyResult | None = None
        self.fuel_prev = 0.0
        self.solves = 0
        self._last_error: LinepackError = ConvergenceError("no solve yet")

    def reset(self) -> None:
        """Back to the start of a run (the same run gives the same answer whatever ran before it)."""
        self.swing, self.prev, self.fuel_prev = self.swing0, None, 0.0

    def snapshot(self) -> tuple[object, ...]:
        """The state a step leaves for the next (to continue a run from a recorded step)."""
        return (self.swing, self.prev, self.fuel_prev)

    def restore(self, snap: tuple[object, ...]) -> None:
        self.swing, self.prev, self.fuel_prev = snap  # type: ignore[assignment]

    # ------------------------------------------------------------------ helpers
    def _solve(self, cn: CompiledNetwork) -> SteadyResult:
        self.solves += 1
        if self.prev is not None:
            try:
                return solve_steady(cn, options=self.options, initial=_released(self.prev))
            except ConvergenceError:
                pass  # a warm start can mislead Newton: the cold start decides
        return solve_steady(cn, options=self.options)

    def _on_full(self, res: SteadyResult, values: F64, which: str) -> F64:
        ids = res.network.source_ids if which == "source" else res.network.sink_ids
        full = self.cn.source_ids if which == "source" else self.cn.sink_ids
        if ids == full:
            return np.asarray(values, dtype=float)
        out = np.zeros(len(full))
        out[_ids_map(ids, full)] = values
        return out

    def curtail(self, demand: F64, amount: float) -> tuple[F64, list[str]]:
        """``demand`` less ``amount`` [kg/s]: store injection first, then by class (lowest priority first)."""
        d = demand.copy()
        notes: list[str] = []
        groups = [("store injection", self.injection_sink)]
        groups += [(cat, (self.rank == r) & ~self.injection_sink) for r, cat in enumerate(SHED_ORDER)]
        for label, sel in groups:
            if amount <= 0:
                break
            have = float(np.sum(d[sel]))
            if have <= 0:
                continue
            cut = min(amount, have)
            d[sel] *= 1.0 - cut / have
            amount -= cut
            notes.append(f"{label} curtailed by {cut / have:.1%}")
        return d, notes

    # ------------------------------------------------------------------ one step
    def step(self, demand: F64, lo: F64, hi: F64, target: F64, t0: float = 0.0, t1: float = 0.0) -> StepOutcome:
        """Solve one step. ``demand`` per sink (store injection sinks: the injection asked for); ``lo``,
        ``hi``, ``target`` per linked source (terminals then stores) [kg/s]; the step's times do not matter.

        When the scenario's pressure reference is a terminal, the terminals send their targets against their
        send-out pressure and one of them holds that pressure (the reference, which sends what the others do
        not): the one that needs the most pressure to push its target, found by handing the reference to any
        terminal the network cannot take its target from."""
        cn = self.cn
        idx = self.links.linked_sources
        term = self.links.terminal_source
        n_src = len(cn.source_ids)
        hi_all = np.full(n_src, np.inf)
        hi_all[idx] = hi
        inflow = self.fixed_inflow.copy()
        inflow[idx] = np.minimum(target, hi)
        wanted = inflow.copy()
        held = cn.source_is_pressure.copy()
        p_set = cn.source_p_set_pa.copy()
        p_max = cn.source_p_max_pa.copy()
        is_term = np.zeros(n_src, dtype=bool)
        is_term[term] = True
        actions: list[str] = []
        ref: int | None = None
        if self.swing is not None:
            pressing = term[np.isfinite(self.hold_pa[term])]
            held[term] = False
            p_max[pressing] = self.hold_pa[pressing]
            ref = int(self.swing0) if self.swing0 is not None else int(self.swing)  # the scenario's reference
            if hi_all[ref] <= 0 and np.any(hi_all[pressing] > 0):
                ref = int(pressing[np.argmax(hi_all[pressing])])
                actions.append(f"{cn.source_ids[ref]} holds the send-out pressure (the scenario's reference "
                               "has no LNG to send)")
            held[ref], p_set[ref] = True, self.hold_pa[ref]
        d = np.asarray(demand, dtype=float).copy()
        total = float(np.sum(d[~self.injection_sink])) or 1.0
        # more fixed inflow than the grid takes (a reference cannot take gas back): the terminals' and stores'
        # targets come down first, then the fields
        over = float(np.sum(inflow[~held])) - float(np.sum(d)) - self.fuel_prev
        if over > REL_TOL * total and not np.any(held & ~self.linked):
            for sel in (~held & self.linked, ~held & ~self.linked):
                have = float(np.sum(inflow[sel]))
                if have > 0 and over > 0:
                    cut_in = min(over, have)
                    inflow[sel] *= 1.0 - cut_in / have
                    over -= cut_in
                    if not np.any(self.linked & sel):
                        actions.append(f"fields turned down by {cut_in / have:.1%} (the grid takes less)")
            wanted = np.where(self.linked, inflow, wanted)
        d0 = d.copy()

        def solve(held_: NDArray[np.bool_], p_set_: F64, inflow_: F64, d_: F64) -> tuple[SteadyResult, F64] | None:
            elastic_ = held_ & self.linked
            trial = replace(cn, sink_demand=d_, source_inflow=np.where(held_, 0.0, inflow_), source_is_pressure=held_,
                            source_p_set_pa=p_set_, source_p_max_pa=p_max,
                            source_capacity=np.where(elastic_, np.inf,
                                                     np.where(held_, cn.source_capacity, np.maximum(hi_all, inflow_))))
            try:
                r = self._solve(trial)
            except (ConvergenceError, InputError) as exc:
                self._last_error = exc
                return None
            return r, self._on_full(r, r.source_supply_kg_s, "source")

        # the largest curtailment that makes sense: beyond it the references would have to take gas back
        total_d0 = float(np.sum(d0))
        cut_max = max(total_d0 - max(float(np.sum(inflow[~held])) - self.fuel_prev, 0.0), 0.0)
        cut = lo_cut = 0.0
        got = solve(held, p_set, inflow, d)
        if got is None:
            # no steady state with every demand served: curtailed by priority until the grid carries it, starting
            # from what the references' limits leave unserved
            ref_cap = float(np.sum(np.where(self.linked, hi_all, cn.source_capacity)[held]))
            cut_min = min(max(total_d0 - (float(np.sum(inflow[~held])) - self.fuel_prev) - ref_cap, 0.0), cut_max)
            found = self._feasible_cut(lambda c: solve(held, p_set, inflow, self.curtail(d0, c)[0]), cut_min,
                                       cut_max, total)
            if found is None:
                return self._shed(d, inflow, held, p_set, p_max, hi_all, actions, self._last_error)
            lo_cut, cut, got = found
            d = self.curtail(d0, cut)[0]
            actions.append("no steady state with every demand served: curtailed until the grid carries it")
        res, supply = got
        # 1. the reference terminal: handed to a terminal the network cannot take its target from, as long as that
        #    lowers what is missing (gas beyond the reference's limit plus targets not taken)
        switches = 0

        def missing(held_: NDArray[np.bool_], inflow_: F64, supply_: F64) -> tuple[float, NDArray[np.bool_]]:
            lim = ~held_ & is_term & (supply_ < inflow_ * (1 - 1e-9) - 1e-9)
            over = max(float(np.sum((supply_ - hi_all)[held_ & self.linked])), 0.0)
            return over + float(np.sum((inflow_ - supply_)[lim])), lim

        def settle_reference() -> None:
            nonlocal ref, held, p_set, inflow, res, supply, switches
            miss, lim = missing(held, inflow, supply)
            # candidates: terminals the network takes part of their target from (one it takes nothing from is cut
            # off by pressure, e.g. a terminal far from the grid's supply hub, and cannot help by holding it)
            cand = lim & (supply > 0.01 * inflow)
            while ref is not None and np.any(cand) and switches < len(term):
                k = int(np.argmax(np.where(cand, inflow - supply, -np.inf)))
                h2, ps2, in2 = held.copy(), p_set.copy(), inflow.copy()
                in2[ref] = wanted[ref]  # the former reference sends its own target again
                h2[ref], h2[k], ps2[k] = False, True, self.hold_pa[k]
                switches += 1
                trial = solve(h2, ps2, in2, d)
                if trial is None:
                    break
                miss2, lim2 = missing(h2, in2, trial[1])
                if miss2 >= miss * (1 - 1e-6) - 1e-12:
                    break
                actions.append(f"{cn.source_ids[k]} holds the send-out pressure (the network cannot take its target "
                               "otherwise)")
                ref, held, p_set, inflow, (res, supply), miss, lim = k, h2, ps2, in2, trial, miss2, lim2
                cand = lim & (supply > 0.01 * inflow)

        settle_reference()
        # 2. gas the reference would send beyond its limit goes to terminals and stores with room (a few rounds:
        #    a terminal asked for more may turn out to be held back by its send-out pressure)
        for _ in range(RAISE_ROUNDS):
            excess = float(np.sum((supply - hi_all)[held & self.linked]))
            if excess <= REL_TOL * total:
                break
            lim = ~held & is_term & (supply < inflow * (1 - 1e-9) - 1e-9)
            room = np.where(~held & self.linked & ~lim, np.maximum(hi_all - inflow, 0.0), 0.0)
            if float(np.sum(room)) <= REL_TOL * total:
                break
            in2 = inflow + room * min(excess / float(np.sum(room)), 1.0)
            trial = solve(held, p_set, in2, d)
            if trial is None:
                break
            actions.append("terminals and stores with gas to spare send more")
            inflow, (res, supply) = in2, trial
            wanted = np.where(self.linked, inflow, wanted)
            settle_reference()
        # 3. what is still missing is curtailed by priority: secant steps on the total curtailment, kept within
        #    a bracket; a trial without a steady state counts as too little curtailment (the grid cannot carry it)
        hi_cut = cut_max
        history: list[tuple[float, float]] = []
        for it in range(MAX_ROUNDS):
            excess = float(np.sum((supply - hi_all)[held & self.linked]))
            if excess <= REL_TOL * total and (cut == 0.0 or excess >= -OVER_TOL * total):
                break
            if excess > 0:
                lo_cut = max(lo_cut, cut)
            else:
                hi_cut = min(hi_cut, cut)
            if excess <= 0 and hi_cut - lo_cut <= GRID_TOL * total:
                actions.append("curtailed to what the grid carries (the terminals have gas to spare)")
                break
            if it == MAX_ROUNDS - 1:
                actions.append(f"curtailment not settled after {MAX_ROUNDS} rounds (off by {excess:.3g} kg/s)")
                break
            history.append((cut, excess))
            if len(history) >= 2 and history[-1][1] != history[-2][1]:
                (c0, e0), (c1, e1) = history[-2], history[-1]
                trial_cut = c1 - e1 * (c1 - c0) / (e1 - e0)
            else:
                trial_cut = cut + excess
            if not lo_cut < trial_cut < hi_cut:
                trial_cut = 0.5 * (lo_cut + hi_cut)
            while (got := solve(held, p_set, inflow, self.curtail(d0, trial_cut)[0])) is None:
                lo_cut = trial_cut
                if hi_cut - lo_cut <= GRID_TOL * total:
                    break
                trial_cut = 0.5 * (lo_cut + hi_cut)
            if got is None:
                if excess > 0:  # no state with enough curtailment is known
                    return self._shed(self.curtail(d0, hi_cut)[0], inflow, held, p_set, p_max, hi_all, actions,
                                      self._last_error)
                actions.append("curtailed to what the grid carries (the terminals have gas to spare)")
                break  # the state at hi_cut (the current one) is the least curtailment the grid carries
            cut, (res, supply) = trial_cut, got
            d = self.curtail(d0, cut)[0]
        status = "curtailed" if cut > 0 else "solved"
        if cut > 0:
            actions += self.curtail(d0, cut)[1]
        if ref is not None:
            self.swing = ref
        assert res is not None
        self.prev = res
        return self._outcome(res, d, status, actions)

    def _feasible_cut(self, solve_at: Callable[[float], tuple[SteadyResult, F64] | None], cut_min: float,
                      cut_max: float, total: float) -> tuple[float, float, tuple[SteadyResult, F64]] | None:
        """The least total curtailment in ``[cut_min, cut_max]`` (to a sixty-fourth of the range) at which the
        step has a steady state: a curtailment known to have none (the lower end of the bracket), that one and its
        state; None when not even ``cut_max`` has one."""
        if cut_min > 0 and (got := solve_at(cut_min)) is not None:
            return 0.0, cut_min, got
        top = solve_at(cut_max)
        if top is None:
            return None
        lo, hi, best = cut_min, cut_max, top
        while hi - lo > max((cut_max - cut_min) / 64.0, REL_TOL * total):
            mid = 0.5 * (lo + hi)
            got = solve_at(mid)
            if got is None:
                lo = mid
            else:
                hi, best = mid, got
        return lo, hi, best

    def _outcome(self, res: SteadyResult, served: F64, status: str, actions: list[str]) -> StepOutcome:
        cn = self.cn
        supply = self._on_full(res, res.source_supply_kg_s, "source")
        p_sink = np.full(len(cn.sink_ids), np.nan)
        p_nodes = dict(zip(res.network.node_ids, res.p_pa, strict=True))
        for k, node in enumerate(cn.sink_node):
            p = p_nodes.get(cn.node_ids[node])
            if p is not None:
                p_sink[k] = (p - cn.ambient_pa) / BAR_PA
        p_min = (cn.sink_p_min_pa - cn.ambient_pa) / BAR_PA
        below = np.isfinite(p_min) & np.isfinite(p_sink) & (p_sink < p_min - 1e-6) & (served > 0)
        fuel = float(np.sum(res.comp_fuel_kg_s)) if len(res.comp_fuel_kg_s) else 0.0
        self.fuel_prev = fuel
        return StepOutcome(supply, served, fuel, float(np.sum(res.pipe_linepack_kg())), p_sink, below, status,
                           actions, res.violations, res.iterations)

    # ------------------------------------------------------------------ fallback
    def _overlay(self, d: F64, inflow: F64, held: NDArray[np.bool_], p_set: F64, p_max: F64, cap: F64
                 ) -> Scenario:
        """The step as a scenario overlay on the base (for the priority shedding, which compiles cases)."""
        cn = self.cn
        comps = self._components
        patches: dict[str, dict[str, object]] = {}
        for k in self.links.linked_sources:
            src = comps[cn.source_ids[k]]
            assert isinstance(src, Source)
            per = cn.source_basis[k].to_kg_s(1.0, src.unit, f"source {src.id}")
            limit = float(cap[k]) / per
            if held[k]:
                patches[src.id] = {"mode": SourceMode.PRESSURE.value, "capacity": limit, "inflow": None,
                                   "p_set_barg": float((p_set[k] - cn.ambient_pa) / BAR_PA)}
            else:
                patches[src.id] = {"mode": SourceMode.FLOW.value, "capacity": limit, "p_set_barg": None,
                                   "inflow": min(float(inflow[k]) / per, limit)}
                if np.isfinite(p_max[k]):
                    patches[src.id]["p_max_barg"] = float((p_max[k] - cn.ambient_pa) / BAR_PA)
        for k, sid in enumerate(cn.sink_ids):
            snk = comps[sid]
            assert isinstance(snk, Sink)
            per = cn.gas.basis.to_kg_s(1.0, snk.unit, f"sink {sid}")
            patches[sid] = {"demand": float(d[k]) / per}
        return Scenario(set=patches)

    def _shed(self, d: F64, inflow: F64, held: NDArray[np.bool_], p_set: F64, p_max: F64, cap: F64,
              actions: list[str], exc: LinepackError) -> StepOutcome:
        cn = self.cn
        why = str(exc).splitlines()[0]
        step = compose(self.resolved, self._overlay(d, inflow, held, p_set, p_max, cap), self.resolved.name)
        outcome = shed(self.network, step, self._solve)
        if outcome is None:
            zero = np.zeros(len(cn.sink_ids))
            return StepOutcome(np.zeros(len(cn.source_ids)), zero, 0.0, np.nan, np.full(len(zero), np.nan),
                               np.zeros(len(zero), dtype=bool), "failed", [*actions, f"no steady state: {why}"])
        res = outcome.result
        served = self._on_full(res, res.network.sink_demand, "sink")
        self.prev = res
        return self._outcome(res, served, "shed", [*actions, f"no steady state ({why}):", *outcome.actions])
