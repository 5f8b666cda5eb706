"""Expansion planning: choose among candidate projects at least annualised cost (capital plus fuel).

Formulation: exhaustive NLPs over the combinations of candidates with a capital-cost bound. Every option
(a combination) is a network; its operating cost comes from the exact NLP (minimum fuel cost, with the
compression it needs sized by the optimum when the option sizes its stations). Options are evaluated in
order of fixed capital; once the annualised fixed capital of the next option alone reaches the best total
found, every remaining option is dearer (fuel and sized compression cost >= 0) and is skipped. The result
is the exact optimum over the candidate set (each option's NLP being solved to its local optimum).
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..compile import CompiledNetwork, compile_network
from ..errors import InputError, LinepackError
from ..io.atomic import atomic_write_text
from ..model.components import Compressor, Pipe, Source
from ..model.network import Network
from ..model.scenario import Scenario
from .economics import SECONDS_PER_YEAR, Economics
from .problems import min_fuel
from .results import OptimizationResult
from .solve import solve_problem


@dataclass(frozen=True)
class Option:
    """One combination of candidates: a network to operate and its fixed capital."""

    id: str
    choices: tuple[str, ...]
    capital_usd: float  # fixed capital (pipes, station sites, rated compression, terminals)
    build: Callable[[], CompiledNetwork]
    sized_compression: bool = False  # compression capital per MW of the optimum's power (stations unrated)


@dataclass(frozen=True)
class Evaluated:
    option: Option
    feasible: bool
    reason: str
    capital_usd: float = float("nan")  # fixed plus sized compression
    compression_mw: float = 0.0
    fuel_usd_per_year: float = float("nan")
    annual_usd: float = float("nan")
    tariff_usd_per_mmbtu: float = float("nan")
    result: OptimizationResult | None = None


@dataclass(frozen=True)
class ExpansionResult:
    evaluated: tuple[Evaluated, ...]  # in order of annual cost (infeasible and skipped last)
    skipped: tuple[Option, ...]  # pruned by the capital bound
    economics: Economics
    flow_mmscfd: float
    solve_time_s: float
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def best(self) -> Evaluated:
        feas = [e for e in self.evaluated if e.feasible]
        if not feas:
            raise InputError("expansion: no candidate combination meets the demand; add candidates or lower it")
        return feas[0]

    def to_dict(self) -> dict[str, Any]:
        def num(x: float) -> float | None:
            return float(x) if np.isfinite(x) else None

        return {
            "format": "linepack-expansion/1",
            "flow_mmscfd": self.flow_mmscfd,
            "solve_time_s": self.solve_time_s,
            "best": self.best.option.id if any(e.feasible for e in self.evaluated) else None,
            "options": [
                {
                    "id": e.option.id,
                    "choices": list(e.option.choices),
                    "feasible": e.feasible,
                    "reason": e.reason,
                    "capital_usd": num(e.capital_usd),
                    "compression_mw": e.compression_mw,
                    "fuel_usd_per_year": num(e.fuel_usd_per_year),
                    "annual_usd": num(e.annual_usd),
                    "tariff_usd_per_mmbtu": num(e.tariff_usd_per_mmbtu),
                }
                for e in self.evaluated
            ],
            "skipped_by_capital_bound": [o.id for o in self.skipped],
            "economics": [{"parameter": n, "tag": t, "source": s} for n, t, s in self.economics.tags],
            "notes": list(self.notes),
        }

    def to_json(self, path: str | Path) -> None:
        atomic_write_text(path, json.dumps(self.to_dict(), indent=1) + "\n")


def evaluate(option: Option, econ: Economics) -> Evaluated:
    """Operate one option at least fuel cost (plus sized compression capital) and cost it."""
    try:
        cn = option.build()
    except LinepackError as exc:
        return Evaluated(option, False, f"does not compile: {exc}")
    hhv = cn.gas.basis.hhv_j_per_kg
    if hhv is None:
        raise InputError("expansion: costs need the gas heating value; give the network a gas composition")
    prob = min_fuel(cn, "cost", econ.fuel_usd_per_mmbtu)
    w_power = econ.power_capital_usd_per_w_s() if option.sized_compression else 0.0
    prob = replace(
        prob,
        kind="expansion",
        description="least annual fuel cost (plus annualised sized compression)",
        objective_unit="USD/year",
        objective_scale=SECONDS_PER_YEAR,
        fuel_weight=econ.fuel_usd_per_kg(hhv) * econ.load_factor,
        power_weight=w_power,
    )
    try:
        res = solve_problem(cn, prob)
    except LinepackError as exc:
        head = str(exc).splitlines()[0]
        return Evaluated(option, False, f"infeasible: {head}")
    fuel_year = float(np.sum(res.comp_fuel_kg_s)) * prob.fuel_weight * SECONDS_PER_YEAR
    mw = float(np.sum(res.comp_power_w)) / 1e6 if option.sized_compression else 0.0
    capital = option.capital_usd + econ.compression_usd_per_mw * mw
    annual = econ.annualised_usd_per_year(capital) + fuel_year
    flow = float(np.sum(res.delivered_kg_s))
    tariff = econ.levelised_tariff_usd_per_mmbtu(annual, flow, hhv) if flow > 0 else float("nan")
    return Evaluated(option, True, "feasible", capital, mw, fuel_year, annual, tariff, res)


def plan(options: Sequence[Option], econ: Economics, flow_mmscfd: float, notes: Sequence[str] = ()) -> ExpansionResult:
    """Evaluate ``options`` cheapest fixed capital first, skipping those the capital bound rules out."""
    t0 = time.perf_counter()
    order = sorted(options, key=lambda o: o.capital_usd)
    done: list[Evaluated] = []
    skipped: list[Option] = []
    best = np.inf
    for opt in order:
        if econ.annualised_usd_per_year(opt.capital_usd) >= best:
            skipped.append(opt)
            continue
        ev = evaluate(opt, econ)
        done.append(ev)
        if ev.feasible:
            best = min(best, ev.annual_usd)
    done.sort(key=lambda e: (not e.feasible, e.annual_usd if e.feasible else e.option.capital_usd))
    return ExpansionResult(tuple(done), tuple(skipped), econ, flow_mmscfd, time.perf_counter() - t0, tuple(notes))


# --- candidates from a network's own components ---------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A project: components (ids in the network, out of service in the base scenario) put in service."""

    id: str
    enable: tuple[str, ...]
    group: str | None = None  # at most one candidate of a group (exactly one if the group is required)
    capital_usd: float | None = None  # None: from the components and the cost parameters


def candidate_capital_usd(network: Network, cand: Candidate, econ: Economics) -> float:
    """Pipes by inch-km, compressor stations by site plus rated MW, terminals (sources) by capacity."""
    if cand.capital_usd is not None:
        return cand.capital_usd
    total = 0.0
    for cid in cand.enable:
        comp = network.find(cid)
        if comp is None:
            raise InputError(f"candidate {cand.id}: no component '{cid}' in the network; name an existing id")
        if isinstance(comp, Pipe):
            d_in = comp.nominal_diameter_in or comp.inner_diameter_mm / 25.4
            total += econ.pipe_capital_usd(d_in, comp.length_km)
        elif isinstance(comp, Compressor):
            if comp.power_max_mw is None:
                raise InputError(
                    f"candidate {cand.id}: compressor {cid} has no power_max_mw to cost; give it or capital_usd"
                )
            total += econ.station_capital_usd(comp.power_max_mw)
        elif isinstance(comp, Source):
            if comp.capacity is None or comp.unit.value != "MMSCFD":
                raise InputError(
                    f"candidate {cand.id}: source {cid} needs a capacity in MMSCFD to cost; give it or capital_usd"
                )
            total += econ.terminal_capital_usd(comp.capacity)
    return total


def scenario_options(
    network: Network,
    base_scenario: str | None,
    candidates: Sequence[Candidate],
    econ: Economics,
    required_groups: Sequence[str] = (),
    max_options: int = 4096,
) -> list[Option]:
    """Every admissible combination of ``candidates`` as an option compiled from ``base_scenario`` plus them."""
    ids = [c.id for c in candidates]
    if len(set(ids)) != len(ids):
        raise InputError("expansion: candidate ids must be unique")
    groups: dict[str, list[Candidate]] = {}
    singles: list[Candidate] = []
    for c in candidates:
        (groups.setdefault(c.group, []) if c.group else singles).append(c)
    missing = [g for g in required_groups if g not in groups]
    if missing:
        raise InputError(f"expansion: required group(s) {', '.join(missing)} have no candidate")
    axes: list[list[Candidate | None]] = [[None, c] for c in singles]
    for g, members in groups.items():
        axes.append(list(members) if g in required_groups else [None, *members])
    count = int(np.prod([len(a) for a in axes])) if axes else 1
    if count > max_options:
        raise InputError(f"expansion: {count} combinations exceed the limit of {max_options}; group the candidates")
    costs = {c.id: candidate_capital_usd(network, c, econ) for c in candidates}
    if base_scenario is not None and base_scenario not in network.scenarios:
        raise InputError(f"expansion: no scenario '{base_scenario}'; scenarios: {', '.join(network.scenarios)}")
    options = []
    for combo in itertools.product(*axes):
        chosen = [c for c in combo if c is not None]
        name = "+".join(c.id for c in chosen) or "(nothing built)"
        enable = [cid for c in chosen for cid in c.enable]

        def build(enable: list[str] = enable, name: str = name) -> CompiledNetwork:
            sc = Scenario(description=f"expansion option {name}", base=base_scenario, enable=enable)
            scenarios = {**network.scenarios, "__expansion__": sc}
            view_net = _with_scenarios(network, scenarios)
            return compile_network(view_net, "__expansion__")

        options.append(Option(name, tuple(c.id for c in chosen), sum(costs[c.id] for c in chosen), build))
    return options


def _with_scenarios(network: Network, scenarios: dict[str, Scenario]) -> Network:
    import copy

    net = copy.copy(network)
    net.scenarios = scenarios
    return net
