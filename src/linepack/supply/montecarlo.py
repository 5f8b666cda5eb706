"""Monte Carlo of cargo delays and cancellations over a month, and the value of extra terminals or storage.

Draw ``i`` perturbs the schedule with its own generator, ``SeedSequence(seed, spawn_key=(i,))``: each cargo is
cancelled with its contract's ``p_cancel``, else late with ``p_delay`` by an exponential delay of mean
``delay_mean_days`` (cargoes without a contract: :class:`linepack.supply.schedule.Disruption`, A). The same
perturbed schedule is run on the base supply chain and on each variant (common random numbers), so the
variants' differences are the effect of the variant, not of other draws. A draw gives the unserved gas of every
delivery over the month and its days short; the tables give per delivery the probability of a shortfall and
its size (mean, 95th percentile), and per variant the expected unserved energy avoided and its value at the
supply file's value of lost load.

Draws run on a local process pool (one per core by default); a draw's result does not depend on the number
of workers or the order in which draws run.
"""

from __future__ import annotations

import json
import multiprocessing
import signal
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..model.network import Network
from ..study.shedding import SHED_ORDER
from .horizon import Horizon, HorizonOptions, Trace
from .lng import MMSCF_M3, j_to_gwh, j_to_mmbtu
from .model import SupplyChain
from .schedule import Cargo, perturb

F64 = NDArray[np.float64]
Progress = Callable[[int, int], None]
SHORT_TOL = 1e-6  # a delivery is short in a step when more than this fraction of its demand is unserved


@dataclass(frozen=True)
class McContext:
    """What every worker needs (picklable: documents, not objects)."""

    chain_json: str
    network_json: str
    scenario: str | None
    cargoes: tuple[Cargo, ...]
    start: datetime
    days: float
    step_h: float
    network_mode: str
    variants: tuple[str, ...]
    seed: int


@dataclass
class Draws:
    """Results of many draws for one variant (rows: draws)."""

    unserved_kg: F64  # (draws, sinks) over the month
    short_steps: NDArray[np.int64]  # (draws, sinks)
    heel_steps: NDArray[np.int64]  # (draws, terminals): steps ending at the heel
    late: NDArray[np.int64]  # cargoes late in the draw
    cancelled: NDArray[np.int64]
    failed_steps: NDArray[np.int64]  # steps without a network solution (their demand counted as unserved)


@dataclass
class McResult:
    """A Monte Carlo study of one month (see the module docstring)."""

    draws: int
    seed: int
    start: datetime
    days: float
    sink_ids: tuple[str, ...]
    sink_nodes: tuple[str, ...]
    sink_categories: tuple[str, ...]
    demand_kg: F64  # per sink over the month
    terminal_ids: tuple[str, ...]
    gas_kg_per_mmscf: float
    hhv_j_per_kg: float
    voll_usd_per_mmbtu: dict[str, float]
    results: dict[str, Draws]  # variant name ("base" first) -> draws
    variant_cost_musd_per_year: dict[str, float | None]
    network_mode: str
    cpu_s: float = 0.0  # this process and the workers (their start-up included)
    wall_s: float = 0.0
    notes: list[str] = field(default_factory=list)

    def _usd(self, kg: F64) -> F64:
        per = np.array([self.voll_usd_per_mmbtu.get(c, 0.0) for c in self.sink_categories])
        return np.asarray(kg * per * j_to_mmbtu(self.hhv_j_per_kg), dtype=float)

    def city_table(self, variant: str = "base") -> list[dict[str, Any]]:
        """Per delivery: probability of any shortfall in the month, unserved gas (mean, 95th percentile, the
        mean over the draws that have one), mean days short; grouped by node ('city')."""
        r = self.results[variant]
        rows = []
        for k, sid in enumerate(self.sink_ids):
            u = r.unserved_kg[:, k]
            short = u > SHORT_TOL * max(self.demand_kg[k], 1e-12)
            rows.append({
                "delivery": sid, "city": self.sink_nodes[k], "category": self.sink_categories[k],
                "p_shortfall": float(np.mean(short)),
                "mean_unserved_mmscf": float(np.mean(u)) / self.gas_kg_per_mmscf,
                "p95_unserved_mmscf": float(np.percentile(u, 95)) / self.gas_kg_per_mmscf,
                "mean_if_short_mmscf": float(np.mean(u[short])) / self.gas_kg_per_mmscf if np.any(short) else 0.0,
                "mean_unserved_gwh": float(j_to_gwh(float(np.mean(u)) * self.hhv_j_per_kg)),
                "mean_short_steps": float(np.mean(r.short_steps[:, k])),
                "mean_unserved_share": float(np.mean(u)) / self.demand_kg[k] if self.demand_kg[k] > 0 else 0.0,
            })
        order = {c: i for i, c in enumerate(SHED_ORDER)}
        rows.sort(key=lambda x: (-float(x["p_shortfall"]), -float(x["mean_unserved_mmscf"]),
                                 order.get(str(x["category"]), 0)))
        return rows

    def variant_table(self) -> list[dict[str, Any]]:
        """Per variant: expected unserved energy, probability of any shortfall, and what it saves against the
        base with the same draws (energy and value of lost load per month, against its cost per month)."""
        base = self.results["base"]
        b_usd = self._usd(base.unserved_kg).sum(axis=1)
        rows = []
        for name, r in self.results.items():
            usd = self._usd(r.unserved_kg).sum(axis=1)
            any_short = np.any(r.unserved_kg > SHORT_TOL * np.maximum(self.demand_kg, 1e-12)[None, :], axis=1)
            saved_gwh = float(j_to_gwh(np.mean(base.unserved_kg.sum(axis=1) - r.unserved_kg.sum(axis=1))
                                       * self.hhv_j_per_kg))
            cost = self.variant_cost_musd_per_year.get(name)
            rows.append({
                "variant": name,
                "p_any_shortfall": float(np.mean(any_short)),
                "mean_unserved_gwh": float(j_to_gwh(np.mean(r.unserved_kg.sum(axis=1)) * self.hhv_j_per_kg)),
                "p95_unserved_gwh": float(j_to_gwh(np.percentile(r.unserved_kg.sum(axis=1), 95) * self.hhv_j_per_kg)),
                "saved_gwh_per_month": saved_gwh,
                "saved_musd_per_month": float(np.mean(b_usd - usd)) / 1e6,
                "saved_musd_p5_p95": (float(np.percentile(b_usd - usd, 5)) / 1e6,
                                      float(np.percentile(b_usd - usd, 95)) / 1e6),
                "cost_musd_per_month": cost / 12.0 if cost is not None else None,
                "mean_heel_terminal_steps": float(np.mean(r.heel_steps.sum(axis=1))),
            })
        return rows

    def draw_table(self) -> dict[str, Any]:
        """One row per draw and variant (for Parquet/CSV): counts and unserved gas per delivery [kg]."""
        cols: dict[str, list[Any]] = {"variant": [], "draw": [], "late": [], "cancelled": [], "failed_steps": []}
        for sid in self.sink_ids:
            cols[f"unserved_kg:{sid}"] = []
        for name, r in self.results.items():
            for i in range(self.draws):
                cols["variant"].append(name)
                cols["draw"].append(i)
                cols["late"].append(int(r.late[i]))
                cols["cancelled"].append(int(r.cancelled[i]))
                cols["failed_steps"].append(int(r.failed_steps[i]))
                for k, sid in enumerate(self.sink_ids):
                    cols[f"unserved_kg:{sid}"].append(float(r.unserved_kg[i, k]))
        return cols


# ---------------------------------------------------------------------- workers
_WORKER: dict[str, Any] = {}


def _horizons(ctx: McContext) -> tuple[SupplyChain, dict[str, Horizon]]:
    from .model import _validate

    network = Network.from_dict(json.loads(ctx.network_json), source="Monte Carlo network")
    chain = _validate(json.loads(ctx.chain_json), "Monte Carlo supply chain")
    opts = HorizonOptions(ctx.start, ctx.days, ctx.step_h, ctx.network_mode)
    out = {"base": Horizon(chain, network, list(ctx.cargoes), opts, ctx.scenario)}
    for name in ctx.variants:
        v_chain, v_scenario = chain.with_variant(name)
        out[name] = Horizon(v_chain, network, list(ctx.cargoes), opts, v_scenario or ctx.scenario)
    return chain, out


def _init(ctx: McContext) -> None:
    c0 = time.process_time()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER["ctx"] = ctx
    _WORKER["chain"], _WORKER["h"] = _horizons(ctx)
    _WORKER["traces"] = _traces(ctx, _WORKER["h"])
    _WORKER["init_cpu"] = time.process_time() - c0


def _traces(ctx: McContext, horizons: dict[str, Horizon]) -> dict[str, Trace]:
    """The undisturbed month of every variant, recorded (draws reuse its steps until their first change)."""
    traces = {}
    for name, h in horizons.items():
        traces[name] = Trace()
        h.run(cargoes=list(ctx.cargoes), record=traces[name])
    return traces


def run_draws(ctx: McContext, chain: SupplyChain, horizons: dict[str, Horizon], ids: list[int],
              traces: dict[str, Trace] | None = None) -> dict[str, dict[str, Any]]:
    """Draws ``ids`` on every variant: unserved gas per delivery, steps short, terminal steps at the heel."""
    out: dict[str, dict[str, Any]] = {}
    for i in ids:
        rng = np.random.default_rng(np.random.SeedSequence(ctx.seed, spawn_key=(i,)))
        cargoes = perturb(list(ctx.cargoes), chain, rng)
        late = sum(1 for c, c0 in zip(cargoes, ctx.cargoes, strict=True) if c.delay_h > c0.delay_h)
        cancelled = sum(1 for c, c0 in zip(cargoes, ctx.cargoes, strict=True) if c.cancelled and not c0.cancelled)
        for name, h in horizons.items():
            res = h.run(cargoes=cargoes, reuse=traces[name] if traces else None)
            dt = res.dt_s[:, None]
            uns = res.unserved_kg_s * dt
            keep = ~res.injection_sink
            short = res.unserved_kg_s > SHORT_TOL * np.maximum(res.demand_kg_s, 1e-12)
            row = out.setdefault(name, {"ids": [], "u": [], "s": [], "h": [], "late": [], "cancel": [], "fail": []})
            row["ids"].append(i)
            row["u"].append(uns.sum(axis=0)[keep])
            row["s"].append(short.sum(axis=0)[keep])
            row["h"].append(res.at_heel().sum(axis=0))
            row["late"].append(late)
            row["cancel"].append(cancelled)
            row["fail"].append(sum(1 for st in res.status if st == "failed"))
    return out


def _worker_run(ids: list[int]) -> tuple[dict[str, dict[str, Any]], float]:
    """Draws ``ids`` and the CPU time they took in this worker (its start-up counted with its first batch)."""
    c0 = time.process_time()
    out = run_draws(_WORKER["ctx"], _WORKER["chain"], _WORKER["h"], ids, _WORKER["traces"])
    return out, time.process_time() - c0 + _WORKER.pop("init_cpu", 0.0)


def _context() -> Any:
    if "forkserver" in multiprocessing.get_all_start_methods():
        mp = multiprocessing.get_context("forkserver")
        mp.set_forkserver_preload(["linepack.supply.montecarlo"])
        return mp
    return None


def monte_carlo(chain: SupplyChain, network: Network, cargoes: list[Cargo], start: datetime, days: float,
                draws: int, seed: int = 1, scenario: str | None = None, variants: tuple[str, ...] = (),
                network_mode: str = "steady", step_h: float = 24.0, workers: int = 1, batch: int = 10,
                progress: Progress | None = None) -> McResult:
    """Run ``draws`` perturbed months on the base chain and each variant (see the module docstring)."""
    if draws < 1:
        raise InputError(f"--draws {draws}: give a positive number of draws")
    if workers < 1:
        raise InputError(f"--workers {workers}: give 1 or more")
    unknown = [v for v in variants if v not in chain.variants]
    if unknown:
        raise InputError([f"variant '{v}' is not in the supply file; variants: {', '.join(chain.variants) or 'none'}"
                          for v in unknown])
    t_cpu, t_wall = time.process_time(), time.perf_counter()
    ctx = McContext(json.dumps(chain.model_dump(mode="json")), json.dumps(network.to_dict()), scenario,
                    tuple(cargoes), start, days, step_h, network_mode, tuple(variants), seed)
    chain_, horizons = _horizons(ctx)  # also checks every variant before any worker starts
    chunks = [list(range(a, min(a + batch, draws))) for a in range(0, draws, batch)]
    parts: list[dict[str, dict[str, Any]]] = []
    done = 0
    worker_cpu = 0.0
    if workers == 1 or len(chunks) == 1:
        traces = _traces(ctx, horizons)
        for ids in chunks:
            parts.append(run_draws(ctx, chain_, horizons, ids, traces))
            done += len(ids)
            if progress:
                progress(done, draws)
    else:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_init, initargs=(ctx,))
        pending = list(reversed(chunks))
        running: set[Future[Any]] = set()
        try:
            while pending or running:
                while pending and len(running) < 2 * workers:
                    running.add(pool.submit(_worker_run, pending.pop()))
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    part, cpu = fut.result()
                    worker_cpu += cpu
                    parts.append(part)
                    done += len(next(iter(part.values()))["ids"])
                    if progress:
                        progress(done, draws)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    results: dict[str, Draws] = {}
    for name in ["base", *variants]:
        rows = sorted(((i, p[name]["u"][k], p[name]["s"][k], p[name]["h"][k], p[name]["late"][k],
                        p[name]["cancel"][k], p[name]["fail"][k]) for p in parts for k, i in enumerate(p[name]["ids"])),
                      key=lambda r: r[0])
        results[name] = Draws(np.array([r[1] for r in rows]), np.array([r[2] for r in rows], dtype=np.int64),
                              np.array([r[3] for r in rows], dtype=np.int64), np.array([r[4] for r in rows]),
                              np.array([r[5] for r in rows]), np.array([r[6] for r in rows], dtype=np.int64))
    h = horizons["base"]
    cn = h.coupler.cn
    keep = ~h.coupler.injection_sink
    demand = (h.demand * np.diff(h.edges)[:, None]).sum(axis=0)[keep]
    return McResult(
        draws, seed, start, days, tuple(np.array(cn.sink_ids)[keep]),
        tuple(cn.node_ids[i] for i in cn.sink_node[keep]), tuple(np.array(cn.sink_category)[keep]), demand,
        tuple(t.id for t in chain.terminals), cn.gas.basis.density_60f_kg_m3 * MMSCF_M3,
        cn.gas.basis.hhv_j_per_kg or 0.0, dict(chain.economics.value_of_lost_load_usd_per_mmbtu), results,
        {"base": None, **{v: chain.variants[v].cost_musd_per_year for v in variants}}, network_mode,
        time.process_time() - t_cpu + worker_cpu, time.perf_counter() - t_wall,
    )


def delay_sensitivity(chain: SupplyChain, network: Network, cargoes: list[Cargo], start: datetime, days: float,
                      delay_days: float = 3.0, scenario: str | None = None, network_mode: str = "steady",
                      progress: Progress | None = None) -> list[dict[str, Any]]:
    """Each cargo of the schedule late by ``delay_days`` alone: who loses gas and how much (one run a cargo).

    Rows (one per cargo, largest loss first): the cargo, the terminal, the unserved gas it causes (MMSCF,
    GWh) and the deliveries that lose most, with the first day short."""
    from .schedule import delayed

    h = Horizon(chain, network, cargoes, HorizonOptions(start, days, 24.0, network_mode), scenario)
    base = h.run()
    base_u = (base.unserved_kg_s * base.dt_s[:, None]).sum(axis=0)
    rows: list[dict[str, Any]] = []
    for n, c in enumerate(cargoes):
        if c.cancelled:
            continue
        res = h.run(cargoes=delayed(cargoes, n, delay_days))
        u = (res.unserved_kg_s * res.dt_s[:, None]).sum(axis=0) - base_u
        keep = ~res.injection_sink
        order = np.argsort(-u)
        who = [f"{res.sink_ids[k]} {res.gas_mmscf(u[k]):.0f}" for k in order if keep[k] and u[k] > 1e-6 * max(
            base.demand_kg_s[:, k].mean() * 86400, 1.0)][:4]
        short = np.flatnonzero(np.any(res.unserved_kg_s > base.unserved_kg_s + 1e-9, axis=1))
        row: dict[str, Any] = {
            "vessel": c.vessel, "terminal": c.terminal, "arrival": c.arrival.isoformat(timespec="minutes"),
            "unserved_mmscf": float(res.gas_mmscf(max(float(np.sum(u[keep])), 0.0))),
            "unserved_gwh": float(res.gas_gwh(max(float(np.sum(u[keep])), 0.0))),
            "hurt": ", ".join(who), "first_short": res.time_at(res.edges_s[short[0]]).date().isoformat()
            if len(short) else "",
        }
        rows.append(row)
        if progress:
            progress(n + 1, len(cargoes))
    rows.sort(key=lambda r: -float(r["unserved_mmscf"]))
    return rows
