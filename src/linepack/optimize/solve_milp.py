"""Solve a :class:`Problem` with the piecewise-linear MILP (HiGHS) and return an :class:`OptimizationResult`.

The MILP's pressures and flows satisfy the piecewise-linear pipe law, not the simulator's; the difference is
what :func:`~linepack.optimize.settings.newton_check` measures when the MILP's control settings are handed to
the steady Newton solver (the interpolation error of ``q|q|``, see
:mod:`linepack.optimize.formulations.milp`). With ``polish=True`` the exact NLP is solved afterwards and its
result returned, with the MILP's objective and its distance from the exact optimum as notes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from ..compile import CompiledNetwork
from .formulations.milp import MilpOptions, MilpSolution, solve_milp
from .problems import Problem
from .results import OptimizationResult
from .settings import CrossCheck, newton_check, settings_network
from .solve import OptimizeOptions, solve_problem


def delivered_of(problem: Problem, sol: MilpSolution) -> np.ndarray:
    return problem.demand - sol.shed_kg_s + sol.growth_kg_s * problem.growth


def milp_result(cn: CompiledNetwork, problem: Problem, sol: MilpSolution) -> OptimizationResult:
    """The MILP solution as an optimisation result (no binding constraints: a MILP has no useful duals)."""
    dl = delivered_of(problem, sol)
    settings = settings_network(cn, sol.p_pa, sol.q_kg_s, sol.supply_kg_s, dl)
    day = 86400.0
    costs: dict[str, float] = {}
    if np.any(problem.source_price):
        costs["supply"] = float(problem.source_price @ sol.supply_kg_s) * day
    if problem.fuel_weight and problem.kind in ("cost", "dispatch"):
        costs["compressor fuel"] = float(problem.fuel_weight * sol.comp_fuel_kg_s.sum()) * day
    if problem.has_shedding:
        costs["unserved gas penalty"] = float(problem.shed_penalty @ sol.shed_kg_s) * day
    return OptimizationResult(
        network=cn,
        settings=settings,
        kind=problem.kind,
        description=problem.description,
        formulation=f"milp (HiGHS, piecewise-linear pipe law, {sol.breakpoints} breakpoints)",
        success=True,
        status=sol.status,
        message=f"optimal within the piecewise-linear model (MIP gap {sol.mip_gap:.1e})",
        objective=sol.objective_raw * problem.objective_scale,
        objective_unit=problem.objective_unit,
        p_pa=sol.p_pa,
        q_kg_s=sol.q_kg_s,
        supply_kg_s=sol.supply_kg_s,
        delivered_kg_s=dl,
        shed_kg_s=sol.shed_kg_s,
        growth_kg_s=sol.growth_kg_s,
        comp_power_w=sol.comp_power_w,
        comp_fuel_kg_s=sol.comp_fuel_kg_s,
        binding=(),
        costs=costs,
        iterations=sol.nodes,
        outer_iterations=sol.rounds,
        coefficient_change=float("nan"),
        solve_time_s=sol.solve_time_s,
        notes=problem.notes + sol.notes,
    )


def milp_newton_check(res: OptimizationResult) -> CrossCheck:
    """:func:`newton_check` of a MILP result: its control settings solved by the steady Newton solver.

    Pressure-held sources get no capacity limit in the check: their supply closes the mass balance, and the
    MILP's linearised compressor fuel differs a little from the simulator's, which would otherwise make a
    source sitting at its capacity infeasible by that difference (reported in the supplies of ``steady``)."""
    cn = res.network
    free = replace(cn, source_capacity=np.where(cn.source_is_pressure, np.inf, cn.source_capacity))
    return newton_check(free, res.p_pa, res.q_kg_s, res.supply_kg_s, res.delivered_kg_s)


def solve_problem_milp(
    cn: CompiledNetwork,
    problem: Problem,
    options: MilpOptions | None = None,
    polish: bool = False,
    nlp_options: OptimizeOptions | None = None,
) -> OptimizationResult:
    """Solve ``problem`` by the MILP; with ``polish`` re-solve it exactly by the NLP and report the gap."""
    sol = solve_milp(cn, problem, options)
    res = milp_result(cn, problem, sol)
    if not polish:
        return res
    exact = solve_problem(cn, problem, nlp_options)
    dp = float(np.max(np.abs(exact.p_pa - sol.p_pa) / exact.p_pa, initial=0.0))
    rel = abs(res.objective - exact.objective) / max(abs(exact.objective), 1e-300)
    note = (
        f"polished by the exact NLP: the MILP's objective {res.objective:,.6g} {res.objective_unit} is "
        f"{rel:.2%} from the exact optimum {exact.objective:,.6g}; pressures differ by up to {dp:.2%}"
        f" (MILP {sol.solve_time_s:.2f} s, NLP {exact.solve_time_s:.2f} s)"
    )
    return replace(
        exact,
        formulation=f"{res.formulation}, polished by the exact NLP",
        notes=exact.notes + sol.notes + (note,),
        solve_time_s=sol.solve_time_s + exact.solve_time_s,
    )


TRUST_OBJECTIVE = 0.05  # a MILP objective further than this (relative) from its exact evaluation is not trusted
TRUST_PRESSURE = 0.01  # ... or pressures further than this from the simulator's, relative


def exact_objective(problem: Problem, res: OptimizationResult, steady: Any) -> float:
    """The problem's objective (as reported) for the state the steady solver finds with an optimum's settings:
    the exact-physics value of the decisions, with the simulator's fuel and power and the optimum's supplies
    and deliveries (which the settings fix)."""
    raw = (
        problem.fuel_weight * float(np.sum(steady.comp_fuel_kg_s))
        + problem.power_weight * float(np.nansum(steady.comp_power_w))
        + float(problem.source_price @ steady.source_supply_kg_s)
        + float(problem.shed_penalty @ res.shed_kg_s)
        - problem.growth_weight * res.growth_kg_s
    )
    return raw * problem.objective_scale


def milp_assessment(problem: Problem, res: OptimizationResult, check: CrossCheck) -> tuple[str, ...]:
    """How far a MILP answer is from the exact physics, and whether it can be trusted.

    The MILP's decisions are solved by the steady-state solver (``check``); the objective of that exact state
    is compared with the MILP's own objective, and its pressures with the MILP's. Beyond TRUST_OBJECTIVE of
    the objective or TRUST_PRESSURE of the pressures, or with limits violated in the exact state, the MILP
    answer is said not to be trusted (use the NLP, or ``--polish``)."""
    exact = exact_objective(problem, res, check.steady)
    scale = max(abs(exact), abs(res.objective), 1e-300)
    err = abs(res.objective - exact)
    rel = err / scale
    text = (
        f"approximation error: the MILP's objective {res.objective:,.4g} {res.objective_unit}; the same decisions "
        f"under the exact physics (steady-state solver) give {exact:,.4g} {res.objective_unit}, a difference of "
        f"{err:,.3g} ({rel:.1%}); pressures differ by up to {check.max_rel_pressure:.1e}, flows by "
        f"{check.max_rel_flow:.1e}"
    )
    reasons = []
    if rel > TRUST_OBJECTIVE:
        reasons.append(f"its objective is off by {rel:.0%}")
    if check.max_rel_pressure > TRUST_PRESSURE:
        reasons.append(f"its pressures are off by up to {check.max_rel_pressure:.1%}")
    if check.steady.violations:
        reasons.append(f"the exact state violates {len(check.steady.violations)} limit(s)")
    if not reasons:
        return (text,)
    warning = (
        "WARNING: this MILP answer is not to be trusted: " + "; ".join(reasons) + " (the piecewise-linear model's "
        "error is of the order of the answer); solve with --formulation nlp, or add --polish"
    )
    return (text, warning)
