"""GasLib nomination feasibility over the combined decisions of a .cdf file.

A GasLib instance with a .cdf lists the admissible on/off/bypass states of its valves, stations and
control valves as groups of decisions; a state of the network takes one decision from each group. For each
such combination the continuous settings (station ratios, control-valve outlet pressures) are found by the
exact NLP (:func:`linepack.optimize.nomination`); the search stops at the first combination that meets
every limit (or tries them all). Exhaustive and exact over the .cdf (each NLP being local).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

from ..compile import compile_network
from ..errors import InputError, LinepackError
from ..io.gaslib import GaslibCase, apply_decision
from .problems import nomination
from .results import OptimizationResult
from .solve import OptimizeOptions, solve_problem


@dataclass(frozen=True)
class DecisionSearch:
    tried: tuple[tuple[tuple[str, ...], str], ...]  # (decision ids, outcome) in the order tried
    found: tuple[str, ...] | None  # the first feasible combination
    result: OptimizationResult | None
    combinations: int
    solve_time_s: float


def search_decisions(
    case: GaslibCase, options: OptimizeOptions | None = None, max_combinations: int = 10_000
) -> DecisionSearch:
    """Try every combination of one decision per group of ``case``'s .cdf; stop at the first feasible one."""
    groups = case.decision_groups
    if not groups:
        raise InputError("decision search: the case has no .cdf decisions; read it with cdf_path= (--decisions)")
    count = 1
    for g in groups:
        count *= len(g.decisions)
    if count > max_combinations:
        raise InputError(f"decision search: {count} combinations exceed the limit of {max_combinations}")
    t0 = time.perf_counter()
    tried: list[tuple[tuple[str, ...], str]] = []
    for combo in itertools.product(*[g.decisions for g in groups]):
        ids = tuple(f"{d.group}/{d.id}" for d in combo)
        try:
            cn = compile_network(apply_decision(case, list(ids)))
            res = solve_problem(cn, nomination(cn), options)
        except LinepackError as exc:
            tried.append((ids, str(exc).splitlines()[0]))
            continue
        tried.append((ids, "feasible"))
        return DecisionSearch(tuple(tried), ids, res, count, time.perf_counter() - t0)
    return DecisionSearch(tuple(tried), None, None, count, time.perf_counter() - t0)
