"""Infeasibility that needs no NLP to see, said in one line before any NLP runs.

Every island of the network (the parts joined by elements that can carry flow in the problem's own
modes) must balance: what its sources can supply at most equals what its sinks must take at least plus the
compressor fuel (never negative), and what its sources must supply at least cannot exceed what its sinks
can take plus fuel, when fuel is bounded (no station). When an island cannot balance, no setting of
compressors and valves changes that, and the optimiser says so at once instead of letting IPOPT search for
a point that does not exist.
"""

from __future__ import annotations

import numpy as np

from ..compile import CompiledNetwork
from ..errors import InfeasibleError
from ..solvers.diagnostics import islands, names
from ..solvers.equations import ControlState
from .problems import Problem

TOL = 1e-9  # relative


def supply_verdicts(cn: CompiledNetwork, problem: Problem) -> list[str]:
    """One line per island that cannot balance whatever the settings (empty: nothing seen)."""
    n, labels = islands(cn, ControlState.initial(cn))
    basis = cn.gas.basis
    src_isl, snk_isl = labels[cn.source_node], labels[cn.sink_node]
    growth_free = problem.has_growth
    out = []
    for isl in range(n):
        src, snk = src_isl == isl, snk_isl == isl
        if not (src.any() or snk.any()):
            continue
        most = float(np.sum(problem.source_hi[src]))
        least = float(np.sum(problem.source_lo[src]))
        need = float(np.sum(problem.demand[snk] - problem.shed_max[snk]))
        take = float(np.sum(problem.demand[snk]))
        stations = bool(np.any(labels[cn.edge_from[cn.comp_edge]] == isl))
        nodes = [cn.node_ids[i] for i in np.flatnonzero(labels == isl)]
        where = "the network" if n == 1 else f"the island of {names(nodes, 3)}"
        if np.isfinite(most) and need > most * (1 + TOL) + 1e-12:
            fuel = " plus compressor fuel" if stations else ""
            out.append(
                f"supply below demand in {where}: its sources can give at most {basis.kg_s_to_mmscfd(most):,.0f} "
                f"MMSCFD but its sinks must take {basis.kg_s_to_mmscfd(need):,.0f} MMSCFD{fuel}; no settings can "
                "balance it: shed load (linepack optimize shed) or add supply"
            )
        elif not growth_free and not stations and np.isfinite(least) and least > take * (1 + TOL) + 1e-12:
            out.append(
                f"supply above demand in {where}: its sources must give at least {basis.kg_s_to_mmscfd(least):,.0f} "
                f"MMSCFD but its sinks can take only {basis.kg_s_to_mmscfd(take):,.0f} MMSCFD; no settings can "
                "balance it: lower the fixed inflows or let a source take gas back (absorbs)"
            )
    return out


def check_before_solving(cn: CompiledNetwork, problem: Problem) -> None:
    """Raise :class:`InfeasibleError` with one line per island that cannot balance (see the module docstring)."""
    problems = supply_verdicts(cn, problem)
    if problems:
        raise InfeasibleError(f"{problem.kind} on scenario {cn.scenario} is infeasible before any NLP", problems)
