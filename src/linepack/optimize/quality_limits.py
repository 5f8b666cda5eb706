"""Gas quality in the optimiser: the gas fixed point and the delivery quality limits as cuts on the supplies.

Formulation (a choice, documented in docs/quality.md and docs/optimize.md):

* **The gas is held per NLP solve.** Each solve of the exact NLP (:mod:`.formulations.nlp`) sees the gas of every
  pipe (molar mass, Z: through the frozen pipe-law coefficients of :mod:`.physics`), of every compressor
  (isentropic exponent, fuel calorific value) and the mass each volume or energy demand takes with the gas it
  receives. After each solve the gas is taken afresh from its flows (:func:`linepack.quality.coupling.gas_state`:
  the simulator's mixing), in the same fixed point as the pipe-law coefficients; at the fixed point the optimum
  satisfies the simulator's coupled equations, which the Newton cross-check confirms.
* **Quality limits are linear cuts on the source supplies.** The delivered quality (Wobbe index, gross calorific
  value, hydrogen fraction) is a nonlinear function of the dispatch (the mixing at every node is bilinear in flows
  and compositions: a pooling problem, nonconvex). Each round linearises the quality of every delivery with a limit
  in the supplies: ``Q(s) ~ Q(s0) + g (s - s0)``, with ``g`` from the coupled steady solve at the optimiser's
  settings, re-solved with each free supply moved by a small step (finite differences through the simulator's own
  mixing; the step is taken downwards, so that the pressure-held sources supply more, which also linearises a
  dispatch where one of them supplies nothing). The cut ``Q(s0) + g (s - s0) >= limit`` (or ``<=``) enters the
  next NLP as a linear constraint on the supplies, replacing the last round's. At convergence the optimum meets
  the limits as the simulator computes them; a limit no dispatch can meet is named before any solve
  (:func:`linepack.quality.limits.unmeetable`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork
from ..errors import InfeasibleError, LinepackError
from ..quality import limits
from ..quality.coupling import GasState, SteadyGas
from ..quality.properties import GasProps
from ..solvers.steady import SteadyOptions, solve_steady
from .problems import Problem

F64 = NDArray[np.float64]
#: Relative step of a supply for the finite-difference sensitivity of delivered quality.
FD_STEP = 1e-3
#: The optimum's gas is settled when the gas its flows imply differs from the gas it was solved with by less than
#: this (mass fraction, or relative demand): the NLP's flows carry errors of about 1e-12 of the reference flow, which
#: reach the gas of nearly still pipes amplified; the Newton cross-check then agrees to about 1e-9.
SETTLED = 1e-10


class OptimizerGas:
    """The gas held by the optimiser's NLP, updated from each solution (see the module docstring)."""

    def __init__(self, cn: CompiledNetwork, problem: Problem, m_ref: float, q: F64, supply: F64) -> None:
        self.cn = cn
        self.base_problem = problem
        self.coupling = SteadyGas(cn, m_ref)
        self.m_ref = m_ref
        self.state: GasState = self.coupling.implied(q, supply)
        self.props: GasProps = self.coupling.props(self.state, q)
        self.problem = self._problem()
        self.cuts: tuple[F64, F64, tuple[str, ...]] | None = None
        self._last_cuts: tuple[F64, F64] | None = None
        q_spec = cn.quality
        assert q_spec is not None
        self.limited = q_spec.has_limits and bool(np.any(problem.source_hi > problem.source_lo))

    @staticmethod
    def start(cn: CompiledNetwork, problem: Problem, m_ref: float, q: F64, supply: F64) -> OptimizerGas | None:
        """The gas of a problem on a network whose gases mix (None when one gas flows everywhere). Raises
        InfeasibleError for a quality limit that no source's gas can meet."""
        q_spec = cn.quality
        if q_spec is None or not q_spec.mixing:
            return None
        hopeless = limits.unmeetable(cn)
        if hopeless and bool(np.any(problem.source_hi > problem.source_lo)):
            raise InfeasibleError(f"{problem.kind} on scenario {cn.scenario}: a quality limit cannot be met", hopeless)
        return OptimizerGas(cn, problem, m_ref, q, supply)

    def _problem(self) -> Problem:
        """The problem with its demands (and shed and growth amounts) converted with the delivered gas."""
        base = self.base_problem
        compiled = self.cn.sink_demand
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(compiled > 0, self.state.sink_demand_kg_s / compiled, 1.0)
        return replace(
            base, demand=base.demand * factor, shed_max=base.shed_max * factor, growth=base.growth * factor
        )

    def update(self, q: F64, supply: F64) -> bool:
        """Take the gas that an optimum's flows and supplies imply (Anderson-accelerated over the rounds); True when
        it is the gas the optimum was solved with (the fixed point)."""
        implied = self.coupling.implied(q, supply)
        if self.coupling.settled(self.state, implied, SETTLED):
            return True
        self.state = self.coupling.next(self.state, implied, q, False)
        self.props = self.coupling.props(self.state, q)
        self.problem = self._problem()
        return False

    def cuts_moved(self) -> bool:
        """True when the cuts changed since the last call (beyond 1e-9 relative)."""
        if self.cuts is None:
            return False
        A, b, _ = self.cuts
        last = self._last_cuts
        self._last_cuts = (A.copy(), b.copy())
        if last is None or last[0].shape != A.shape:
            return True
        scale = max(float(np.max(np.abs(b), initial=0.0)), 1e-12)
        return bool(np.max(np.abs(b - last[1]), initial=0.0) > 1e-9 * scale or not np.allclose(A, last[0], rtol=1e-9))

    def refresh_cuts(self, p: F64, q: F64, supply: F64, delivered: F64) -> float:
        """Linearise the delivered quality of every limited delivery at the optimiser's settings (p, q, supplies,
        deliveries); returns the largest relative violation of a limit there (0: all met)."""
        if not self.limited:
            return 0.0
        from .settings import settings_network

        net = settings_network(self.cn, p, q, supply, delivered)
        opts = SteadyOptions(tolerance=1e-11)
        try:
            base = solve_steady(net, options=opts)
        except LinepackError:
            return 0.0
        q0, labels, worst = _limit_values(self.cn, base)
        free = np.flatnonzero((self.base_problem.source_hi > self.base_problem.source_lo) & ~net.source_is_pressure)
        grads = np.zeros((len(q0), len(self.cn.source_ids)))
        for j in free.tolist():  # a loop over the free flow sources (a few), each one coupled steady solve
            # a step down (the pressure-held sources then supply more) unless the supply is too small for one: at
            # a dispatch where a held source supplies nothing, a step up would only make it take gas back and show
            # no change of the gas
            step = FD_STEP * max(float(supply[j]), 1e-3 * self.m_ref)
            if supply[j] > 2.0 * step:
                step = -step
            moved = replace(net, source_inflow=np.where(np.arange(len(supply)) == j, supply + step, supply))
            try:
                res = solve_steady(moved, options=opts, initial=base)
            except LinepackError:
                continue
            grads[:, j] = (_limit_values(self.cn, res)[0][:, 0] - q0[:, 0]) / step
        # sign Q(s) <= sign limit (sign +1: an upper limit, -1: a lower one), linearised at the supplies s0:
        # (sign g) s <= sign (limit - Q0 + g s0)
        sign = q0[:, 1]
        A = sign[:, None] * grads
        b = sign * (q0[:, 2] - q0[:, 0] + grads @ supply)
        self.cuts = (A, b, labels)
        return worst


def _limit_values(cn: CompiledNetwork, res: object) -> tuple[F64, tuple[str, ...], float]:
    """Rows (value, sign, limit) of every declared limit at a solution (sign +1: value <= limit, -1: value >=
    limit), their labels, and the largest relative violation."""
    q = cn.quality
    qual = getattr(res, "quality", None)
    assert q is not None
    rows: list[tuple[float, float, float]] = []
    labels: list[str] = []
    worst = 0.0
    if qual is None:
        return np.zeros((0, 3)), (), 0.0
    for k, sid in enumerate(cn.sink_ids):
        checks = (
            (qual.sink.wobbe_mj_m3[k], -1.0, q.sink_wobbe_min_mj_m3[k], f"delivery {sid} minimum Wobbe index"),
            (qual.sink.wobbe_mj_m3[k], 1.0, q.sink_wobbe_max_mj_m3[k], f"delivery {sid} maximum Wobbe index"),
            (qual.sink.gcv_mj_m3[k], -1.0, q.sink_gcv_min_mj_m3[k], f"delivery {sid} minimum calorific value"),
            (qual.sink.h2_mol_pct[k], 1.0, 100.0 * q.sink_h2_max[k], f"delivery {sid} maximum hydrogen"),
        )
        for value, sign, limit, label in checks:
            if not np.isfinite(limit):
                continue
            rows.append((float(value), sign, float(limit)))
            labels.append(label)
            worst = max(worst, sign * (value - limit) / max(abs(limit), 1e-12))
    return np.array(rows, dtype=float).reshape(-1, 3), tuple(labels), worst


