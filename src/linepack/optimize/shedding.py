"""Load shedding in two stages: how much each sink gets, then how the network runs to deliver exactly that.

Stage 1 is the shedding problem itself (:func:`~linepack.optimize.problems.shed`): the least penalty for
the gas not delivered. Its compression is left almost free (fuel weighs next to nothing against the
penalties), so its network state is one of many equally good ones: when nothing needs shedding it may run
every station hard. Stage 2 fixes the deliveries of stage 1 and runs the network at the least compressor fuel
for them (:func:`~linepack.optimize.problems.min_fuel` on those deliveries), which makes the plan unique
and leaves no compression that is not needed. The reported objective, costs and binding constraints (the
marginal penalty of each limit) are those of stage 1; the decisions and the state are those of stage 2.

Shedding is always possible down to no delivery, so stage 1 must always give a plan: it starts from a
point that asks for what the supplies can give (:func:`~linepack.optimize.solve._shed_start`); when its
coefficient fixed point does not settle (a nearly flat state, e.g. at ten times the demand), its deliveries
are still the optimum's and stage 2 (a well-posed problem) gives the exact state for them.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..compile import CompiledNetwork
from ..errors import ConvergenceError
from .problems import Problem, min_fuel
from .results import OptimizationResult
from .solve import OptimizeOptions, solve_nlp

RELAX = 1e-9  # stage 2 delivers stage 1's partial deliveries times (1 - RELAX): stage 1's point stays feasible
#: with gases mixing, stage 2's gas (taken afresh from its flows) differs from stage 1's by the gas fixed point's
#: tolerance, which moves the mass a volume or energy demand draws: a wider margin keeps stage 1's point feasible
RELAX_MIXING = 1e-6


def solve_shed(cn: CompiledNetwork, problem: Problem, options: OptimizeOptions) -> OptimizationResult:
    """The two-stage shedding plan (see the module docstring)."""
    first = solve_nlp(cn, problem, replace(options, accept_unconverged=True))
    # sinks the first stage served in full stay served in full; the others get its deliveries, a hair less
    served = first.shed_kg_s <= 1e-7 * np.maximum(problem.demand, 1e-12)
    # where gases mix, the optimum's deliveries are masses of the gas delivered, the problem's demands those of the
    # compiled basis (volume and energy demands are converted with the delivered gas, see .quality_limits): the
    # second stage is given the first's deliveries on the problem's basis, and converts them again with its gas
    mixing = cn.quality is not None and cn.quality.mixing
    f1 = _conversion(problem.demand, first.delivered_kg_s + first.shed_kg_s) if mixing else 1.0
    relax = RELAX_MIXING if mixing else RELAX
    delivered = np.where(served, problem.demand, first.delivered_kg_s / f1 * (1.0 - relax))
    mmscfd = cn.gas.basis.kg_s_to_mmscfd(1.0)
    # the least-fuel problem of the same network (supplies as nominated, flow sources short of their
    # nomination only when their send-out pressure limits them, as in the simulator), at those deliveries
    base = min_fuel(cn)
    second_problem = replace(
        base,
        description="least compressor fuel for the deliveries of the shedding plan",
        demand=delivered,
        source_lo=problem.source_lo,
        source_hi=problem.source_hi,
    )
    start = (first.p_pa.copy(), first.q_kg_s.copy(), first.supply_kg_s.copy())
    try:
        second = solve_nlp(cn, second_problem, options, start=start, stations_from=first)
    except ConvergenceError:
        if not first.success:
            raise
        return replace(first, notes=(*first.notes, "the least-fuel second stage did not converge; the state shown is "
                                     "the shedding optimum's own"))  # fmt: skip
    fuel1, fuel2 = (max(float(np.sum(r.comp_fuel_kg_s)) * mmscfd, 0.0) for r in (first, second))
    # what was shed: the demand converted with the gas the second stage delivers, less what it delivers
    f2 = _conversion(delivered, second.delivered_kg_s, f1) if mixing else 1.0
    shed_kg_s = problem.demand * f2 - second.delivered_kg_s
    if mixing:
        shed_kg_s = np.maximum(shed_kg_s, 0.0)
    note = (
        f"two stages: the shedding optimum ({_fmt(first)}), then the least compressor fuel for exactly its "
        f"deliveries: {fuel2:.2f} MMSCFD of fuel (the first stage's state burnt {fuel1:.2f})"
    )
    if not first.success:
        note += f"; the first stage's {first.message} (its deliveries are used)"
    return replace(
        second,
        kind=problem.kind,
        description=problem.description,
        objective=first.objective,
        objective_unit=first.objective_unit,
        delivered_kg_s=second.delivered_kg_s,
        shed_kg_s=shed_kg_s,
        binding=first.binding,
        costs=_penalty(problem, shed_kg_s),
        iterations=first.iterations + second.iterations,
        outer_iterations=first.outer_iterations + second.outer_iterations,
        solve_time_s=first.solve_time_s + second.solve_time_s,
        notes=(*first.notes, note),
    )


def _fmt(res: OptimizationResult) -> str:
    return f"{res.objective:,.0f} {res.objective_unit}"


def _conversion(basis: np.ndarray, converted: np.ndarray, default: float | np.ndarray = 1.0) -> np.ndarray:
    """Per sink, the factor from demands on the compiled basis to masses of the delivered gas (``default`` where
    the basis is 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(basis > 0, converted / np.where(basis > 0, basis, 1.0), default), dtype=float)


def _penalty(problem: Problem, shed_kg_s: np.ndarray) -> dict[str, float]:
    shed = np.maximum(shed_kg_s, 0.0)
    return {"unserved gas penalty": float(problem.shed_penalty @ shed) * 86400.0}
