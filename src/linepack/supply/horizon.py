"""A supply run over a horizon (hours to a year): inventories stepped together with the network.

Every step ``[t0, t1)``:

1. each terminal books the carriers arriving and gives its send-out limits (:mod:`.terminal`), each store its
   withdrawal and injection limits (:mod:`.storage`);
2. the dispatch rule sets targets (:mod:`.dispatch`): what the grid needs from LNG and storage is the step's
   demand plus the compressor fuel of the previous step less the fixed supplies (fields);
3. the network solves the step (:mod:`.coupling`) and says what each terminal and store actually sent and
   what each delivery received (curtailed by priority when gas is short);
4. the terminals and stores book the step with those amounts, exactly.

The run never modifies the network or the supply chain. ``progress(done, total)`` is called after every step.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..gas.composition import GasComposition
from ..model.network import Network
from ..transient.profiles import Profile
from .coupling import SteadyCoupler, StepOutcome
from .coupling_transient import TransientCoupler
from .demand import step_demand
from .dispatch import InventoryDispatch, PlanDispatch
from .lng import LngProperties
from .model import SupplyChain, check_against
from .results import SupplyResult
from .schedule import Cargo, check_schedule
from .storage import StorageSim
from .terminal import TerminalSim

F64 = NDArray[np.float64]
Progress = Callable[[int, int], None]
MAX_STEPS = 400_000


@dataclass
class Trace:
    """A run's step inputs, outcomes and network states, so that another run of the same horizon can reuse
    the steps it shares with it from the start (a Monte Carlo draw is the base run until its first change)."""

    keys: list[tuple[F64, ...]] = field(default_factory=list)
    outcomes: list[StepOutcome] = field(default_factory=list)
    snaps: list[tuple[object, ...]] = field(default_factory=list)


@dataclass(frozen=True)
class HorizonOptions:
    """Length and resolution of a run, and how the network is solved in each step (``steady`` states or a
    ``transient`` with pipes cut into segments of ``segment_km``, in internal steps of ``internal_dt_h``)."""

    start: datetime
    days: float = 31.0
    step_h: float = 24.0
    network: str = "steady"
    segment_km: float = 10.0
    internal_dt_h: float | None = None

    def edges_s(self) -> F64:
        if not (self.days > 0 and np.isfinite(self.days)):
            raise InputError(f"--days {self.days}: give a positive number of days")
        if not (self.step_h > 0 and np.isfinite(self.step_h)):
            raise InputError(f"--step {self.step_h}: give a positive step in hours (24 for daily, 1 for hourly)")
        horizon = self.days * 86400.0
        dt = self.step_h * 3600.0
        n = int(np.ceil(horizon / dt - 1e-9))
        if n > MAX_STEPS:
            raise InputError(f"{n} steps of {self.step_h:g} h over {self.days:g} days: at most {MAX_STEPS:,}; "
                             "use a longer step")
        return np.minimum(np.arange(n + 1) * dt, horizon)


def lng_properties(chain: SupplyChain, network: Network, names: set[str], temperature_k: float) -> dict[
        str, LngProperties]:
    out = {}
    for name in sorted(names):
        spec = chain.lng_compositions.get(name) or network.gas_compositions.get(name)
        if spec is None:
            raise InputError(f"LNG composition '{name}' is in neither the supply file nor the network")
        out[name] = LngProperties.of(GasComposition.from_mole_fractions(name, spec.mole_fractions), temperature_k)
    return out


def one_gas(network: Network) -> Network:
    """The network with ``settings.mixing: off``: supply runs carry one gas in the hydraulics.

    The horizon's accounting (send-out, deliveries and the grid balance in MMSCF of the network gas) and its
    couplers assume one gas; with the sources' own gases mixed the hydraulics would deliver other volumes
    than the ledger books (see docs/supply.md, limits).
    """
    if network.settings.mixing == "off":
        return network
    out = network.copy()
    out.settings = network.settings.model_copy(update={"mixing": "off"})
    return out


class Horizon:
    """A prepared run: the network compiled and linked, the schedule checked (see :func:`run_horizon`)."""

    def __init__(self, chain: SupplyChain, network: Network, cargoes: list[Cargo], options: HorizonOptions,
                 scenario: str | None = None, profile: Profile | None = None) -> None:
        network = one_gas(network)
        self.chain, self.network, self.options = chain, network, options
        self.scenario = scenario or chain.network_scenario or network.default_scenario
        self.cargoes = list(cargoes)
        stores = chain.active_storages()
        self._link_problems()
        links = {
            "terminal_source": tuple(t.source for t in chain.terminals),
            "store_source": tuple(s.withdrawal_source for s in stores),
            "store_sink": tuple(s.injection_sink or "" for s in stores),
        }
        hold = {t.source: t.send_out_pressure_barg for t in chain.terminals if t.send_out_pressure_barg is not None}
        if options.network == "steady":
            self.coupler: SteadyCoupler | TransientCoupler = SteadyCoupler(network, self.scenario, links,
                                                                           hold_barg=hold)
        elif options.network == "transient":
            self.coupler = TransientCoupler(network, self.scenario, links, hold, options.segment_km,
                                            options.internal_dt_h)
        else:
            raise InputError(f"network mode '{options.network}': choose steady or transient")
        cn = self.coupler.cn
        names = {t.lng for t in chain.terminals} | {c.lng for c in self.cargoes if c.lng}
        temps = {t.temperature_c for t in chain.terminals}
        self.props: dict[str, dict[str, LngProperties]] = {
            f"{tc:g}": lng_properties(chain, network, names, tc + 273.15) for tc in temps}
        problems = check_schedule(self.cargoes, chain, None, "schedule", set(chain.lng_compositions)
                                  | set(network.gas_compositions))
        if problems:
            raise InputError(problems)
        self.edges = options.edges_s()
        self.profile = profile
        self.demand = step_demand(cn.sink_demand, cn.sink_category, cn.sink_ids, chain.demand, options.start,
                                  self.edges, profile)
        self.stores = stores

    def _link_problems(self) -> None:
        from ..compile import compile_network

        if self.scenario not in self.network.scenarios and self.scenario is not None:
            raise InputError(f"scenario '{self.scenario}' is not in the network; scenarios are "
                             f"{', '.join(self.network.scenarios)}")
        cn = compile_network(self.network, self.scenario)
        problems = check_against(self.chain, self.network, cn.source_ids, cn.sink_ids)
        if problems:
            raise InputError(problems)

    def run(self, dispatch: InventoryDispatch | PlanDispatch | None = None, progress: Progress | None = None,
            cargoes: list[Cargo] | None = None, record: Trace | None = None, reuse: Trace | None = None
            ) -> SupplyResult:
        """Run the horizon (with ``cargoes`` instead of the schedule it was made with, e.g. a perturbed one
        of the same cargoes). ``record`` collects the steps; with ``reuse``, the steps whose inputs equal those
        of the recorded run (from the first step on) take its outcomes instead of solving the network again,
        and the network continues from its recorded state at the first step that differs."""
        t_cpu, t_wall = time.process_time(), time.perf_counter()
        if cargoes is not None:
            self.cargoes = list(cargoes)
        chain, cn = self.chain, self.coupler.cn
        self.coupler.reset()
        rule = dispatch or InventoryDispatch()
        terms = [TerminalSim(t, self.props[f"{t.temperature_c:g}"][t.lng], self.cargoes,
                             self.props[f"{t.temperature_c:g}"], self.options.start) for t in chain.terminals]
        stores = [StorageSim(s, cn.gas.basis) for s in self.stores]
        n, ns = len(self.edges) - 1, len(stores)
        rec = SupplyResult.empty(self, n)
        rec.inventory0_kg = np.array([t.inventory_kg for t in terms])
        rec.store0_kg = np.array([s.gas_kg for s in stores])
        fixed_need = float(np.sum(self.coupler.fixed_inflow))
        fuel = 0.0
        same = True  # every step so far equals the recorded run's
        for k in range(n):
            t0, t1 = float(self.edges[k]), float(self.edges[k + 1])
            dt = t1 - t0
            lim = [t.prepare(t0, t1) for t in terms]
            lo = np.array([x.lo_kg for x in lim]) / dt
            hi = np.array([x.hi_kg for x in lim]) / dt
            usable = np.array([x.usable_kg for x in lim])
            wj = [s.limits(dt) for s in stores]
            w_max = np.array([w for w, _ in wj]) / dt
            j_max = np.array([j for _, j in wj]) / dt
            month = rec.month_of(t0)
            j_ask = np.array([min(s.mmscfd_to_kg_s(s.spec.injection_target_mmscfd), jm)
                              if month in s.spec.injection_months else 0.0 for s, jm in zip(stores, j_max,
                                                                                           strict=True)])
            demand = self.demand[k]
            need = float(np.sum(demand)) + fuel - fixed_need
            tg = rule.targets(k, need, lo, hi, usable, w_max, j_max, j_ask)
            d_all = demand.copy()
            if ns:
                sinks = self.coupler.links.store_sink
                d_all[sinks[sinks >= 0]] += tg.injection[sinks >= 0]
            key = (d_all, np.concatenate([lo, np.zeros(ns)]), np.concatenate([hi, w_max]),
                   np.concatenate([tg.terminal, tg.withdrawal]))
            if same and reuse is not None and k < len(reuse.keys) and all(
                    np.array_equal(a, b) for a, b in zip(key, reuse.keys[k], strict=True)):
                out = reuse.outcomes[k]
            else:
                if same and reuse is not None and k > 0:
                    self.coupler.restore(reuse.snaps[k - 1])
                same = False
                out = self.coupler.step(*key, t0, t1)
            if record is not None:
                record.keys.append(tuple(a.copy() for a in key))
                record.outcomes.append(out)
                record.snaps.append(self.coupler.snapshot())
            sent = out.supply_kg_s[self.coupler.links.terminal_source] * dt
            booked = [t.commit(float(s)) for t, s in zip(terms, sent, strict=True)]
            withdrawn = out.supply_kg_s[self.coupler.links.store_source] * dt if ns else np.zeros(0)
            injected = np.zeros(ns)
            if ns:
                sinks = self.coupler.links.store_sink
                injected[sinks >= 0] = out.served_kg_s[sinks[sinks >= 0]] * dt
            for s, w, j in zip(stores, withdrawn, injected, strict=True):
                s.commit(float(w), float(j))
            fuel = out.fuel_kg_s
            rec.record(k, terms, booked, stores, withdrawn, injected, demand, out, lim)
            if progress is not None:
                progress(k + 1, n)
        for t in terms:
            t.finish()
        rec.network_mode = self.coupler.mode
        rec.linepack0_kg = getattr(self.coupler, "linepack0_kg", np.nan)
        rec.dispatch = rule.name
        rec.finish(terms, time.process_time() - t_cpu, time.perf_counter() - t_wall, self.coupler.solves)
        return rec


def run_horizon(chain: SupplyChain, network: Network, cargoes: list[Cargo], options: HorizonOptions,
                scenario: str | None = None, profile: Profile | None = None,
                dispatch: InventoryDispatch | PlanDispatch | None = None, progress: Progress | None = None
                ) -> SupplyResult:
    """Run the supply chain with its network over the horizon of ``options`` (see the module docstring)."""
    return Horizon(chain, network, cargoes, options, scenario, profile).run(dispatch, progress)
