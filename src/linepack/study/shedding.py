"""Unserved demand of a case that has no steady state: reference take-over, islands, priority curtailment.

Until the optimisation layer's priority load shedding is available, a failed case is re-solved after
three steps, each an overlay on the case (never a change to the network):

1. an island without a pressure reference (the reference terminal is out, or a spur is cut) gets one:
   its largest remaining source with a maximum send-out pressure takes over as the reference at that
   pressure (A: terminals operate that way when the lead terminal trips);
2. an island that still has no reference is dropped: its demand is unserved (its supply lost);
3. if the network still has no steady state, demand is curtailed class by class in :data:`SHED_ORDER`
   (A: interruptible loads first, city gates last, after Pakistan's gas load-management priorities, in
   which domestic and commercial consumers are served first): the first class whose removal makes the
   case solvable is bisected to the largest fraction that still solves.

"Solvable" means the steady-state solver converges; delivery pressures below their minimum are
reported as violations of the curtailed case, not curtailed further.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..compile import CompiledNetwork, compile_view
from ..errors import LinepackError
from ..model.components import Sink
from ..model.network import Network
from ..model.scenario import ResolvedScenario, Scenario, compose
from ..results import SteadyResult
from ..solvers.diagnostics import islands
from ..solvers.equations import ControlState
from ..units import BAR_PA

SHED_ORDER: tuple[str, ...] = ("other", "export", "industry", "power_plant", "fertiliser", "city_gate")  # A
BISECTION_STEPS = 6  # curtailed fraction to within 1/64 of the class demand


@dataclass(frozen=True)
class ShedOutcome:
    """The solved, curtailed case and what was done to reach it."""

    result: SteadyResult
    dropped_sinks: tuple[str, ...]  # in islands without supply: fully unserved
    served_fraction: dict[str, float]  # sink category -> fraction of its demand served
    actions: tuple[str, ...]


Solver = Callable[[CompiledNetwork], SteadyResult]


def _try(network: Network, resolved: ResolvedScenario, solve: Solver) -> SteadyResult | None:
    try:
        return solve(compile_view(network.view(resolved)))
    except LinepackError:
        return None


def _reference_overlay(cn: CompiledNetwork) -> tuple[Scenario, list[str], list[str]]:
    """Promote a source to pressure reference in unreferenced islands; drop islands with none to promote."""
    state = ControlState.initial(cn)
    n, labels = islands(cn, state)
    has_ref = np.zeros(n, dtype=bool)
    has_ref[labels[cn.source_node[cn.source_is_pressure]]] = True
    patches: dict[str, dict[str, object]] = {}
    disable: list[str] = []
    actions: list[str] = []
    dropped: list[str] = []
    src_island = labels[cn.source_node]
    for isl in np.flatnonzero(~has_ref):
        cand = np.flatnonzero((src_island == isl) & np.isfinite(cn.source_p_max_pa) & (cn.source_capacity > 0))
        if len(cand):
            k = int(cand[np.argmax(cn.source_capacity[cand])])
            sid = cn.source_ids[k]
            p_set = float((cn.source_p_max_pa[k] - cn.ambient_pa) / BAR_PA)
            patches[sid] = {"mode": "pressure", "p_set_barg": p_set}
            actions.append(f"{sid} takes over as pressure reference at {p_set:.1f} barg")
            continue
        members = set(np.flatnonzero(labels == isl).tolist())
        sinks = [cn.sink_ids[k] for k in range(len(cn.sink_ids)) if int(cn.sink_node[k]) in members]
        sources = [cn.source_ids[k] for k in range(len(cn.source_ids)) if int(cn.source_node[k]) in members]
        edges = [cn.edge_ids[e] for e in range(cn.n_edges) if int(cn.edge_from[e]) in members]
        disable += sinks + sources + edges
        dropped += sinks
        nodes = ", ".join(cn.node_ids[i] for i in sorted(members))
        lost = f"; supply lost: {', '.join(sources)}" if sources else ""
        actions.append(
            f"island cut off from every pressure reference dropped ({nodes}): "
            f"{', '.join(sinks) or 'no demand'} unserved{lost}"
        )
    return Scenario(disable=disable, set=patches), dropped, actions


def shed(network: Network, resolved: ResolvedScenario, solve: Solver) -> ShedOutcome | None:
    """The case ``resolved`` made solvable by the steps above, or None when even that fails."""
    try:
        cn = compile_view(network.view(resolved))
    except LinepackError:
        return None
    overlay, dropped, actions = _reference_overlay(cn)
    current = compose(resolved, overlay, resolved.name) if actions else resolved
    res = _try(network, current, solve) if actions else None
    served: dict[str, float] = {}
    if res is not None:
        return ShedOutcome(res, tuple(dropped), served, tuple(actions))
    # priority curtailment: demand field values as the case has them, scaled per class
    sinks = [c for c in network.components() if isinstance(c, Sink) and c.id in cn.sink_ids and c.id not in dropped]
    demand = {s.id: float(current.patches.get(s.id, {}).get("demand", s.demand)) for s in sinks}
    cats = [c for c in SHED_ORDER if any(s.category.value == c and demand[s.id] > 0 for s in sinks)]

    def with_fractions(frac: dict[str, float]) -> ResolvedScenario:
        patch = {s.id: {"demand": demand[s.id] * frac.get(s.category.value, 1.0)} for s in sinks}
        return compose(current, Scenario(set=patch), resolved.name)

    frac: dict[str, float] = {}
    for cat in cats:
        frac[cat] = 0.0
        res = _try(network, with_fractions(frac), solve)
        if res is None:
            actions.append(f"all {cat} demand curtailed: still no steady state")
            continue
        lo, hi = 0.0, 1.0
        best = res
        for _ in range(BISECTION_STEPS):
            mid = 0.5 * (lo + hi)
            trial = _try(network, with_fractions({**frac, cat: mid}), solve)
            if trial is None:
                hi = mid
            else:
                lo, best = mid, trial
        frac[cat] = lo
        actions.append(f"{cat} demand curtailed to {lo:.0%}")
        return ShedOutcome(best, tuple(dropped), frac, tuple(actions))
    return None
