"""The network in a supply run as a transient: linepack packs and drafts between steps (hourly detail).

:class:`TransientCoupler` integrates the gas-flow equations over each step with
:class:`linepack.transient.stepper.TransientStepper` (implicit Euler, pipes in segments). Every terminal holds
its send-out pressure up to what its tank allows in the step (its capacity); the split between terminals
follows the hydraulics (the dispatch targets steer stores only); stores withdraw and fields supply at fixed
rates. What the grid draws beyond the supplies comes out of the linepack, so a short step no longer means
curtailment at once: only when a delivery would end the step below its minimum pressure (or the network
would run empty) is demand curtailed, by priority class as in the steady coupler, to the smallest amount that
keeps every delivery at its minimum (a bracketing search, 1e-3 of the demand or 0.05 bar); a delivery already
below its minimum at the start of a step (the network could not be held up in the step before) must not fall
further, and is reported below its minimum, not curtailed to nothing.

Each step balances exactly on the basis ``supplies = served + fuel + change of linepack`` (time integrals over
the step).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork
from ..errors import ConvergenceError, InputError
from ..model.network import Network
from ..transient.solve import TransientOptions
from ..transient.stepper import StepIntegrals, TransientStepper
from ..units import BAR_PA
from .coupling import SteadyCoupler, StepOutcome

F64 = NDArray[np.float64]
MARGIN_TOL_BAR = 0.05
CUT_TOL = 1e-3
MAX_TRIES = 12


class TransientCoupler:
    """Transient network steps of one scenario (see the module docstring)."""

    mode = "transient"

    def __init__(self, network: Network, scenario: str | None, links_of: dict[str, tuple[str, ...]],
                 hold_barg: dict[str, float] | None = None, segment_km: float = 10.0,
                 internal_dt_h: float | None = None) -> None:
        self.steady = SteadyCoupler(network, scenario, links_of, hold_barg=hold_barg)
        self.cn: CompiledNetwork = self.steady.cn
        self.links = self.steady.links
        self.linked = self.steady.linked
        self.injection_sink = self.steady.injection_sink
        self.fixed_inflow = self.steady.fixed_inflow
        self.options = TransientOptions(segment_length_m=segment_km * 1e3, output_interval_s=0.0)
        self.internal_dt_s = internal_dt_h * 3600.0 if internal_dt_h else None
        self.stepper: TransientStepper | None = None
        self.cut_prev = 0.0
        self.linepack0_kg = np.nan
        self.solves = 0
        cn = self.cn
        term = self.links.terminal_source
        self.held = cn.source_is_pressure.copy()
        pressing = term[np.isfinite(self.steady.hold_pa[term])]
        self.held[pressing] = True
        self.p_set = np.where(self.held, np.where(np.isin(np.arange(len(self.held)), pressing),
                                                  self.steady.hold_pa, cn.source_p_set_pa), cn.source_p_set_pa)
        p_min = (cn.sink_p_min_pa - cn.ambient_pa) / BAR_PA
        self.p_min_barg = p_min
        self.watch = np.isfinite(p_min) & ~self.injection_sink

    def reset(self) -> None:
        self.steady.reset()
        self.stepper, self.cut_prev, self.linepack0_kg = None, 0.0, np.nan

    def snapshot(self) -> tuple[object, ...]:
        """The state a step leaves for the next: the stepper (and where it was), the last curtailment."""
        st = self.stepper
        return (st, st.checkpoint() if st is not None else None, self.cut_prev, self.linepack0_kg)

    def restore(self, snap: tuple[object, ...]) -> None:
        st, saved, self.cut_prev, self.linepack0_kg = snap  # type: ignore[assignment]
        self.stepper = st  # type: ignore[assignment]
        if st is not None and saved is not None:
            st.restore(saved)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ helpers
    def _arrays(self, hi: F64, target: F64) -> tuple[F64, F64]:
        cn = self.cn
        idx = self.links.linked_sources
        inflow = self.steady.fixed_inflow.copy()
        inflow[idx] = np.minimum(target, hi)
        cap = np.where(self.held, cn.source_capacity, np.inf)
        cap[idx] = hi
        return np.where(self.held, 0.0, inflow), cap

    def _start(self, demand: F64, lo: F64, hi: F64, target: F64) -> None:
        """The state at t = 0: the steady coupler's first step (curtailed when gas is short), then the steady
        state of that demand with every terminal holding its send-out pressure up to its limit."""
        from dataclasses import replace

        first = self.steady.step(demand, lo, hi, target)
        inflow, cap = self._arrays(hi, target)
        cn0 = replace(self.cn, sink_demand=first.served_kg_s, source_inflow=inflow, source_is_pressure=self.held,
                      source_p_set_pa=self.p_set, source_capacity=cap)
        self.stepper = TransientStepper(cn0, self.options)
        self.linepack0_kg = float(np.sum(self.stepper.seg.volume_m3 * self.stepper.rho_old))

    def _margin(self, res: StepIntegrals, demand: F64) -> float:
        """The smallest margin over the deliveries with demand of their end pressure above their minimum (or,
        for one that started the step below its minimum, above its pressure at the start: no further fall)."""
        p_sink = (res.p_node_pa[self.cn.sink_node] - self.cn.ambient_pa) / BAR_PA
        sel = self.watch & (demand > 0)
        floor = np.minimum(self.p_min_barg, self.p_start)
        return float(np.min(p_sink[sel] - floor[sel], initial=np.inf))

    def _try(self, d0: F64, cut: float, t0: float, t1: float, inflow: F64, cap: F64
             ) -> tuple[StepIntegrals | None, F64]:
        assert self.stepper is not None
        d, _ = self.steady.curtail(d0, cut) if cut > 0 else (d0, [])
        self.stepper.set_boundary(d, inflow, cap)
        self.solves += 1
        return self.stepper.advance(t0, t1, self.internal_dt_s), d

    # ------------------------------------------------------------------ one step
    def step(self, demand: F64, lo: F64, hi: F64, target: F64, t0: float, t1: float) -> StepOutcome:
        if self.stepper is None:
            try:
                self._start(demand, lo, hi, target)
            except (ConvergenceError, InputError) as exc:
                raise ConvergenceError(f"supply run, transient start: {str(exc).splitlines()[0]}") from None
        assert self.stepper is not None
        self.stepper.release_controls()
        inflow, cap = self._arrays(hi, target)
        run = self.stepper.run
        p_now = self.stepper.x[: run.sys.n] * run.p_ref
        self.p_start = (p_now[self.cn.sink_node] - self.cn.ambient_pa) / BAR_PA
        d0 = np.asarray(demand, dtype=float)
        total = float(np.sum(d0[~self.injection_sink])) or 1.0
        saved = self.stepper.checkpoint()
        tried: dict[float, tuple[StepIntegrals | None, F64, float]] = {}

        after: dict[float, tuple[object, ...]] = {}  # the network's state at the end of each try that solved

        def attempt(cut: float) -> float:
            self.stepper.restore(saved)  # type: ignore[union-attr]
            res, d = self._try(d0, cut, t0, t1, inflow, cap)
            m = self._margin(res, d) if res is not None else -np.inf
            tried[cut] = (res, d, m)
            if res is not None:
                after[cut] = self.stepper.checkpoint()  # type: ignore[union-attr]
            return m

        actions: list[str] = []
        m0 = attempt(0.0)
        cut = 0.0
        if m0 < -1e-9:
            lo_c, hi_c = 0.0, float(np.sum(d0))
            m_lo, m_hi = m0, None
            guess = self.cut_prev if 0 < self.cut_prev < hi_c else min(0.05 * total, hi_c)
            m_g = attempt(guess)
            if m_g >= 0:
                hi_c, m_hi = guess, m_g
            else:
                lo_c, m_lo = guess, m_g
                m_hi = attempt(hi_c)
            if m_hi is not None and m_hi < 0:
                cut = hi_c  # not even every delivery curtailed holds the pressures: keep the most that solves
                actions.append("deliveries below their minimum pressure even with all demand curtailed")
            else:
                side = 0
                for _ in range(MAX_TRIES):
                    if hi_c - lo_c <= CUT_TOL * total or (m_hi is not None and m_hi <= MARGIN_TOL_BAR):
                        break
                    if np.isfinite(m_lo) and m_hi is not None and m_hi > m_lo:
                        w_lo = 0.5 if side == 1 else 1.0  # Illinois: halve the weight of a side kept twice
                        w_hi = 0.5 if side == -1 else 1.0
                        c = (lo_c * m_hi * w_hi - hi_c * m_lo * w_lo) / (m_hi * w_hi - m_lo * w_lo)
                        c = min(max(c, lo_c + 0.02 * (hi_c - lo_c)), hi_c - 0.02 * (hi_c - lo_c))
                    else:
                        c = 0.5 * (lo_c + hi_c)
                    m = attempt(c)
                    if m >= 0:
                        hi_c, m_hi, side = c, m, -1
                    else:
                        lo_c, m_lo, side = c, m, 1
                cut = hi_c
        res, d, m = tried[cut]
        if res is None:
            self.stepper.restore(saved)
            zero = np.zeros(len(self.cn.sink_ids))
            self.cut_prev = cut
            return StepOutcome(np.zeros(len(self.cn.source_ids)), zero, 0.0, np.nan, np.full(len(zero), np.nan),
                               np.zeros(len(zero), dtype=bool), "failed",
                               [*actions, "the transient step has no solution even with demand curtailed"])
        if list(tried)[-1] != cut:
            self.stepper.restore(after[cut])  # the accepted try was not the last one: back to its end state
        self.cut_prev = cut
        dt = t1 - t0
        p_sink = (res.p_node_pa[self.cn.sink_node] - self.cn.ambient_pa) / BAR_PA
        below = self.watch & (d > 0) & (p_sink < self.p_min_barg - 1e-6)
        status = "curtailed" if cut > 0 else "solved"
        if cut > 0:
            actions += self.steady.curtail(d0, cut)[1]
        return StepOutcome(res.supply_kg / dt, d, res.fuel_kg / dt, res.linepack_kg, p_sink, below, status, actions,
                           (), res.iterations)
