"""Expansion planning as one MILP (HiGHS) over a superstructure, then the choice verified by the exact NLP.

The superstructure is the network with every candidate in service; each candidate project is a binary
that switches its edges (:class:`~linepack.optimize.formulations.milp.Switch`): a pipe not built carries no
flow and its law is relaxed by big-M; a station not built is removed, or (PSGP study) becomes a straight
junction. The objective is the expansion problem's: annualised capital of the chosen candidates + fuel at
the load factor (+ annualised compression per MW of shaft power when stations are sized). Branch and bound
replaces the enumeration of combinations. The chosen combination is then operated by the exact NLP
(:func:`~linepack.optimize.expansion.evaluate`), whose annual cost is the one reported; the notes give the
MILP's own estimate and how far it is from the exact one.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..compile import CompiledNetwork, compile_network
from ..errors import InfeasibleError, InputError
from ..model.components import Compressor, Pipe
from ..model.network import Network
from ..model.scenario import Scenario
from .economics import SECONDS_PER_YEAR, Economics
from .expansion import Candidate, Evaluated, ExpansionResult, Option, _with_scenarios, candidate_capital_usd, evaluate
from .formulations.milp import MilpOptions, MilpSolution, Switch, solve_milp
from .problems import Problem, min_fuel


def expansion_problem(cn: CompiledNetwork, econ: Economics, sized_compression: bool) -> Problem:
    """Least annual fuel cost (plus annualised sized compression), per second, as in :func:`evaluate`."""
    hhv = cn.gas.basis.hhv_j_per_kg
    if hhv is None:
        raise InputError("expansion: costs need the gas heating value; give the network a gas composition")
    prob = min_fuel(cn, "cost", econ.fuel_usd_per_mmbtu)
    return replace(
        prob,
        kind="expansion",
        description="least annualised capital + fuel cost",
        objective_unit="USD/year",
        objective_scale=SECONDS_PER_YEAR,
        fuel_weight=econ.fuel_usd_per_kg(hhv) * econ.load_factor,
        power_weight=econ.power_capital_usd_per_w_s() if sized_compression else 0.0,
    )


def plan_milp(
    cn: CompiledNetwork,
    switches: Sequence[Switch],
    required_groups: Sequence[str],
    options: Sequence[Option],
    econ: Economics,
    flow_mmscfd: float,
    notes: Sequence[str] = (),
    sized_compression: bool = False,
    milp_options: MilpOptions | None = None,
    alternatives: int = 3,
) -> ExpansionResult:
    """Choose the candidates by one MILP on the superstructure ``cn``; verify the choice with the exact NLP.

    ``options`` are the enumeration's options (one per combination); the one whose choices equal the MILP's
    is evaluated by :func:`evaluate` (exact physics). The piecewise-linear costs are approximate, so the
    ``alternatives`` best MILP combinations (each found after cutting off the previous ones) are all costed
    by the NLP and the cheapest exact one is reported."""
    t0 = time.perf_counter()
    prob = expansion_problem(cn, econ, sized_compression)
    found: list[tuple[str, ...]] = []
    done: list[Evaluated] = []
    summaries: list[str] = []
    first_notes: tuple[str, ...] = ()
    for _ in range(max(1, alternatives)):
        try:
            sol = solve_milp(cn, prob, milp_options, switches, required_groups, exclude=found)
        except InfeasibleError:
            break  # no further combination is feasible in the MILP
        first_notes = first_notes or sol.notes
        found.append(sol.chosen)
        chosen = set(sol.chosen)
        match = [o for o in options if set(o.choices) == chosen]
        if not match:
            raise InputError(f"expansion MILP: chose {', '.join(sorted(chosen)) or 'nothing'}, which is not an option")
        ev = evaluate(match[0], econ)
        done.append(ev)
        summaries.append(_summary(sol, sol.objective_raw * SECONDS_PER_YEAR, ev.annual_usd, cn, ev.result))
    if not done:
        raise InfeasibleError("expansion MILP: no combination of candidates is feasible in the piecewise-linear model")
    done.sort(key=lambda e: (not e.feasible, e.annual_usd if e.feasible else e.option.capital_usd))
    extra = [
        *notes,
        *first_notes,
        f"MILP screening: the {len(done)} best combinations of the MILP (no-good cuts) operated and costed by the "
        "exact NLP; the cheapest exact one is reported",
        *summaries,
    ]
    return ExpansionResult(tuple(done), (), econ, flow_mmscfd, time.perf_counter() - t0, tuple(extra))


def _summary(sol: MilpSolution, milp_annual: float, exact_annual: float, cn: CompiledNetwork, res: object) -> str:
    text = (
        f"MILP: chose {' + '.join(sol.chosen) or 'nothing'} in {sol.solve_time_s:.2f} s ({sol.rounds} rounds, "
        f"{sol.nodes} branch-and-bound nodes, gap {sol.mip_gap:.1e}); its annual cost {milp_annual / 1e6:,.2f} M USD/y"
    )
    if np.isfinite(exact_annual):
        text += f" is {abs(milp_annual / exact_annual - 1.0):.2%} from the exact NLP's {exact_annual / 1e6:,.2f}"
    p_exact = getattr(res, "p_pa", None)
    net = getattr(res, "network", None)
    if p_exact is not None and net is not None:
        idx = {nid: k for k, nid in enumerate(cn.node_ids)}
        common = [(k, idx[nid]) for k, nid in enumerate(net.node_ids) if nid in idx]
        if common:
            a = np.array([p_exact[k] for k, _ in common])
            b = np.array([sol.p_pa[j] for _, j in common])
            text += f"; pressures differ by up to {float(np.max(np.abs(b / a - 1.0))):.2%}"
    return text


def candidate_switches(
    network: Network, base_scenario: str | None, candidates: Sequence[Candidate], econ: Economics
) -> tuple[CompiledNetwork, list[Switch]]:
    """The superstructure of a candidates file: ``base_scenario`` with every candidate in service."""
    if base_scenario is not None and base_scenario not in network.scenarios:
        raise InputError(f"expansion: no scenario '{base_scenario}'; scenarios: {', '.join(network.scenarios)}")
    enable = [cid for c in candidates for cid in c.enable]
    sc = Scenario(description="expansion superstructure (every candidate)", base=base_scenario, enable=enable)
    view = _with_scenarios(network, {**network.scenarios, "__superstructure__": sc})
    cn = compile_network(view, "__superstructure__")
    pos = {eid: k for k, eid in enumerate(cn.edge_ids)}
    switches = []
    for c in candidates:
        edges = []
        for cid in c.enable:
            comp = network.find(cid)
            if not isinstance(comp, Pipe | Compressor) or cid not in pos:
                raise InputError(
                    f"candidate {c.id}: component {cid} is not a pipe or compressor station; the MILP formulation "
                    "switches pipes and stations only (use --formulation nlp)"
                )
            edges.append(pos[cid])
        cost = econ.annualised_usd_per_year(candidate_capital_usd(network, c, econ)) / SECONDS_PER_YEAR
        switches.append(Switch(c.id, tuple(edges), cost, c.group))
    return cn, switches
