"""Evaluate cases against a base scenario compiled and solved once per worker process.

Every worker keeps the parsed network, the resolved base overlay and the base solution in a cache keyed
by the study context; a case is then its overlay composed onto the base at compile time (about a
millisecond for the PSGP system) and a steady solve warm-started from the base solution. A case that
fails is recorded with its diagnosis (and, when enabled, its unserved demand from :mod:`.shedding`);
nothing a case does can stop the batch.
"""

from __future__ import annotations

import json
import time
import traceback
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from ..compile import CompiledNetwork, EdgeKind, compile_view
from ..errors import ConvergenceError, InfeasibleError, InputError, LinepackError
from ..gas.iso6976 import density_kg_per_m3
from ..model.network import Network
from ..model.scenario import ResolvedScenario, Scenario, compose, resolve
from ..quality.spec import VOLUME_REFS, SinkKind
from ..results import SteadyResult
from ..solvers.steady import SteadyOptions, solve_steady
from ..units import BAR_PA
from .cases import CaseSpec, StudyContext
from .fastpatch import ArrayOverlay
from .shedding import shed

EDGE_TYPE = {k.value: k.name.lower() for k in EdgeKind}

CASE_COLUMNS: dict[str, str] = {
    "case_id": "int64",
    "label": "string",
    "disabled": "string",
    "params": "string",
    "status": "string",
    "error": "string",
    "message": "string",
    "diagnosis": "string",
    "actions": "string",
    "iterations": "int64",
    "n_violations": "int64",
    "violations": "string",
    "demand_mmscfd": "float64",
    "unserved_mmscfd": "float64",
    "min_delivery_margin_bar": "float64",
    "worst_delivery": "string",
    "min_delivered_gcv_mj_m3": "float64",
    "min_delivered_wobbe_mj_m3": "float64",
    "max_delivered_h2_mol_pct": "float64",
    "energy_delivered_mw": "float64",
    "wall_ms": "float64",
    "cpu_ms": "float64",
}
ELEMENT_COLUMNS: dict[str, str] = {
    "case_id": "int64",
    "element_type": "string",
    "element_id": "string",
    "p_barg": "float64",
    "p_out_barg": "float64",
    "flow_kg_s": "float64",
    "flow_mmscfd": "float64",
    "demand_mmscfd": "float64",
    "unserved_mmscfd": "float64",
    "margin_bar": "float64",
    "violation": "bool",
    "power_mw": "float64",
    "gcv_mj_m3": "float64",
    "wobbe_mj_m3": "float64",
    "h2_mol_pct": "float64",
    "energy_mw": "float64",
}


@dataclass(frozen=True)
class BaseCase:
    """The base scenario of a study, as each worker holds it."""

    network: Network
    resolved: ResolvedScenario
    cn: CompiledNetwork
    result: SteadyResult
    options: SteadyOptions


_CACHE: dict[str, BaseCase] = {}


def base_case(ctx: StudyContext) -> BaseCase:
    """The compiled and solved base of ``ctx`` (cached per process)."""
    hit = _CACHE.get(ctx.key)
    if hit is not None:
        return hit
    network = Network.from_dict(json.loads(ctx.network_json), source="study network")
    resolved = resolve(network.scenarios, ctx.base_scenario)
    for i, doc in enumerate(ctx.overlays):
        resolved = compose(resolved, Scenario.model_validate(json.loads(doc)), f"{resolved.name}+overlay{i + 1}")
    known = {f.name for f in fields(SteadyOptions)}
    opts = SteadyOptions(**{k: v for k, v in ctx.options if k in known})  # type: ignore[arg-type]
    cn = compile_view(network.view(resolved))
    result = solve_steady(cn, options=opts)
    base = BaseCase(network, resolved, cn, result, opts)
    _CACHE.clear()  # one study per process at a time
    _CACHE[ctx.key] = base
    return base


_OVERLAYS: dict[int, ArrayOverlay] = {}


def array_overlay(base: BaseCase) -> ArrayOverlay:
    """The :class:`ArrayOverlay` of ``base`` (built once per worker and base)."""
    hit = _OVERLAYS.get(id(base))
    if hit is None or hit.base is not base:
        _OVERLAYS.clear()
        hit = _OVERLAYS[id(base)] = ArrayOverlay(base)
    return hit


def _solver(base: BaseCase) -> Any:
    def solve(cn: CompiledNetwork) -> SteadyResult:
        try:
            return solve_steady(cn, options=base.options, initial=base.result)
        except InfeasibleError:
            raise
        except ConvergenceError:  # a warm start can mislead Newton: retry from the cold start
            return solve_steady(cn, options=base.options)

    return solve


@dataclass
class _Table:
    """Columns of one batch (lists of numpy arrays, concatenated at the end)."""

    spec: dict[str, str]

    def __post_init__(self) -> None:
        self.parts: dict[str, list[Any]] = {k: [] for k in self.spec}

    def add(self, **cols: Any) -> None:
        n = max(len(np.atleast_1d(v)) for v in cols.values() if not isinstance(v, str | int | float | bool))
        for k, kind in self.spec.items():
            v = cols.get(k)
            if v is None:
                v = np.full(n, np.nan) if kind == "float64" else [""] * n if kind == "string" else np.zeros(n)
            elif isinstance(v, str | int | float | bool | np.floating | np.integer | np.bool_):
                v = [v] * n
            self.parts[k].append(np.asarray(v, dtype=object if kind == "string" else kind))

    def columns(self) -> dict[str, np.ndarray]:
        out = {}
        for k, kind in self.spec.items():
            arrays = self.parts[k]
            dtype = object if kind == "string" else kind
            out[k] = np.concatenate(arrays).astype(dtype) if arrays else np.zeros(0, dtype=dtype)
        return out


def _bar(p_pa: np.ndarray, cn: CompiledNetwork) -> np.ndarray:
    return (np.asarray(p_pa, dtype=float) - cn.ambient_pa) / BAR_PA


def _element_rows(
    table: _Table,
    case_id: int,
    res: SteadyResult,
    requests: dict[str, Request],
    dropped: tuple[str, ...],
) -> dict[str, Any]:
    """One row per node, edge, source and sink of a solved case; returns the case summary fields."""
    cn = res.network
    p = _bar(res.p_pa, cn)
    p_min = _bar(cn.p_min_pa, cn)
    node_margin = p - p_min
    # the violations are the result's own (linepack.violations): the same set as `linepack run` and the web
    violated = {(v.kind, v.component_id) for v in res.violation_records}
    node_viol = np.array([("node", n) in violated for n in cn.node_ids], dtype=bool)
    table.add(
        case_id=case_id,
        element_type="node",
        element_id=list(cn.node_ids),
        p_barg=p,
        margin_bar=node_margin,
        violation=node_viol,
    )
    ef, et = p[cn.edge_from], p[cn.edge_to]
    kinds = [EDGE_TYPE[int(k)] for k in cn.edge_kind]
    margin = np.full(cn.n_edges, np.nan)
    maop = _bar(cn.maop_pa, cn)
    margin[cn.res_edge] = maop - np.maximum(ef[cn.res_edge], et[cn.res_edge])
    power = np.full(cn.n_edges, np.nan)
    power[cn.comp_edge] = res.comp_power_w / 1e6
    qual = res.quality
    table.add(
        case_id=case_id,
        element_type=kinds,
        element_id=list(cn.edge_ids),
        p_barg=ef,
        p_out_barg=et,
        flow_kg_s=res.q_kg_s,
        flow_mmscfd=res.edge_mmscfd(),
        margin_bar=margin,
        violation=np.array(
            [(k, i) in violated for k, i in zip(kinds, cn.edge_ids, strict=True)], dtype=bool
        ),
        power_mw=power,
    )
    src_factor = np.array([b.kg_s_to_mmscfd(1.0) for b in cn.source_basis])
    nan_src = np.full(len(cn.source_ids), np.nan)
    table.add(
        case_id=case_id,
        element_type="source",
        element_id=list(cn.source_ids),
        p_barg=p[cn.source_node],
        flow_kg_s=res.source_supply_kg_s,
        flow_mmscfd=res.source_supply_kg_s * src_factor,
        violation=np.array([("source", i) in violated for i in cn.source_ids], dtype=bool),
        gcv_mj_m3=qual.source.gcv_mj_m3 if qual is not None else nan_src,
        wobbe_mj_m3=qual.source.wobbe_mj_m3 if qual is not None else nan_src,
        h2_mol_pct=qual.source.h2_mol_pct if qual is not None else nan_src,
        energy_mw=qual.source_energy_mw if qual is not None else nan_src,
    )
    sink_p = p[cn.sink_node]
    s_margin = sink_p - _bar(cn.sink_p_min_pa, cn)
    delivered = res.sink_mmscfd()
    # what each sink asked for, in MMSCFD of the gas it receives (a volume or energy demand asks for the same volume
    # or energy whatever the gas: a leaner gas needs more volume)
    wanted = np.array([_wanted_mmscfd(res, k, requests.get(sid)) for k, sid in enumerate(cn.sink_ids)])
    nan_snk = np.full(len(cn.sink_ids), np.nan)
    table.add(
        case_id=case_id,
        element_type="sink",
        element_id=list(cn.sink_ids),
        p_barg=sink_p,
        flow_kg_s=cn.sink_demand,
        flow_mmscfd=delivered,
        demand_mmscfd=wanted,
        unserved_mmscfd=np.maximum(wanted - delivered, 0.0),
        margin_bar=s_margin,
        violation=np.array([("delivery", i) in violated for i in cn.sink_ids], dtype=bool),
        gcv_mj_m3=qual.sink.gcv_mj_m3 if qual is not None else nan_snk,
        wobbe_mj_m3=qual.sink.wobbe_mj_m3 if qual is not None else nan_snk,
        h2_mol_pct=qual.sink.h2_mol_pct if qual is not None else nan_snk,
        energy_mw=qual.sink_energy_mw if qual is not None else nan_snk,
    )
    lost = [_lost_mmscfd(cn, requests[s]) for s in dropped]
    if dropped:
        table.add(
            case_id=case_id,
            element_type="sink",
            element_id=list(dropped),
            flow_kg_s=np.zeros(len(dropped)),
            flow_mmscfd=np.zeros(len(dropped)),
            demand_mmscfd=lost,
            unserved_mmscfd=lost,
            violation=np.ones(len(dropped), bool),
        )
    summary: dict[str, Any] = {
        "iterations": res.iterations,
        "n_violations": len(res.violation_records),
        "violations": "\n".join(res.violations),
        "demand_mmscfd": float(np.sum(wanted) + sum(lost)),
        "unserved_mmscfd": float(np.sum(np.maximum(wanted - delivered, 0.0)) + sum(lost)),
        "violated": bool(res.violation_records),  # a pressure, capacity or gas-quality limit (popped below)
    }
    if qual is not None and len(cn.sink_ids):
        summary["min_delivered_gcv_mj_m3"] = float(np.min(qual.sink.gcv_mj_m3))
        summary["min_delivered_wobbe_mj_m3"] = float(np.min(qual.sink.wobbe_mj_m3))
        summary["max_delivered_h2_mol_pct"] = float(np.max(qual.sink.h2_mol_pct))
        summary["energy_delivered_mw"] = float(np.sum(qual.sink_energy_mw))
    finite = np.isfinite(s_margin)
    if finite.any():
        k = np.flatnonzero(finite)[int(np.argmin(s_margin[finite]))]
        summary["min_delivery_margin_bar"] = float(s_margin[k])
        summary["worst_delivery"] = cn.sink_ids[k]
    return summary


Request = tuple[int, float, int]  # (SinkKind, amount in kg/s, standard m^3/s or W, volume metering reference)


def _requests(cn: CompiledNetwork) -> dict[str, Request]:
    """What every sink of a compiled case asks for, independent of the gas: kg/s, standard m^3/s or W."""
    q = cn.quality
    if q is None:
        return {sid: (int(SinkKind.MASS), float(d), 0) for sid, d in zip(cn.sink_ids, cn.sink_demand, strict=True)}
    out: dict[str, Request] = {}
    for k, sid in enumerate(cn.sink_ids):
        kind, d, b = int(q.sink_kind[k]), float(cn.sink_demand[k]), float(q.sink_basis[k])
        amount = d / b if kind == SinkKind.VOLUME else d * b if kind == SinkKind.ENERGY else d
        out[sid] = (kind, amount, int(q.sink_volume_ref[k]))
    return out


def _wanted_mmscfd(res: SteadyResult, k: int, request: Request | None) -> float:
    """Sink ``k``'s request in MMSCFD of the gas it receives in ``res`` (its delivered MMSCFD when unknown): a volume
    or energy demand asks for the same volume or energy whatever the gas, so a leaner gas is wanted in more volume."""
    delivered = float(res.sink_mmscfd()[k])
    cn = res.network
    served = float(cn.sink_demand[k])
    if request is None:
        return delivered
    if served <= 0:
        return _lost_mmscfd(cn, request)
    kind, amount, vref = request
    mass = amount
    qual = res.quality
    if qual is not None and kind == SinkKind.VOLUME:
        ref = VOLUME_REFS[vref]
        mass = amount * float(density_kg_per_m3(qual.node_x[cn.sink_node[k]], ref))
    elif qual is not None and kind == SinkKind.ENERGY:
        mass = amount / (float(qual.sink.gcv_mj_kg[k]) * 1e6)
    return delivered * mass / served


def _lost_mmscfd(cn: CompiledNetwork, request: Request) -> float:
    """An unserved request in MMSCFD of the network gas."""
    kind, amount, vref = request
    b = cn.gas.basis
    if kind == SinkKind.VOLUME:
        rho = (b.density_15c_kg_m3, b.density_60f_kg_m3, b.density_0c_kg_m3)[vref]
        return float(b.kg_s_to_mmscfd(amount * rho))
    if kind == SinkKind.ENERGY and b.hhv_j_per_kg:
        return float(b.kg_s_to_mmscfd(amount / b.hhv_j_per_kg))
    return float(b.kg_s_to_mmscfd(amount))


def _problems(exc: BaseException) -> list[str]:
    if isinstance(exc, ConvergenceError):
        return exc.diagnosis
    if isinstance(exc, InputError):
        return exc.problems
    return []


def evaluate_case(base: BaseCase, case: CaseSpec, cases: _Table, elements: _Table, shed_failed: bool) -> None:
    """Solve one case and append its case row and element rows."""
    t0, c0 = time.perf_counter(), time.process_time()
    solve = _solver(base)
    row: dict[str, Any] = {
        "case_id": case.case_id,
        "label": case.label,
        "disabled": ",".join(case.disable),
        "params": case.params_json(),
        "status": "failed",
        "iterations": 0,
    }
    res: SteadyResult | None = None
    dropped: tuple[str, ...] = ()
    requests: dict[str, Request] = {}
    try:
        resolved: ResolvedScenario | None = None
        cn = array_overlay(base).apply(case)  # demands, inflows, capacities: the base's arrays patched
        if cn is None:
            resolved = compose(base.resolved, case.overlay(), f"case {case.case_id}")
            cn = compile_view(base.network.view(resolved))
        requests = _requests(cn)
        try:
            res = solve(cn)
            row["status"] = "ok"
        except LinepackError as exc:
            row.update(error=type(exc).__name__, message=str(exc).split("\n")[0], diagnosis="\n".join(_problems(exc)))
            if shed_failed and resolved is None:
                resolved = compose(base.resolved, case.overlay(), f"case {case.case_id}")
            outcome = shed(base.network, resolved, solve) if shed_failed and resolved is not None else None
            if outcome is not None:
                res, dropped = outcome.result, outcome.dropped_sinks
                row.update(status="shed", actions="\n".join(outcome.actions))
    except LinepackError as exc:  # the case itself is invalid (a bad patch, an unknown id)
        row.update(error=type(exc).__name__, message=str(exc).split("\n")[0], diagnosis="\n".join(_problems(exc)))
    except Exception as exc:  # a bug must not stop the study: record it with where it happened
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        row.update(status="error", error=type(exc).__name__, message=f"{exc} ({tb.filename}:{tb.lineno})")
    if res is not None:
        summary = _element_rows(elements, case.case_id, res, requests, dropped)
        if summary.pop("violated") and row["status"] == "ok":
            row["status"] = "violation"
        row.update(summary)
    row["wall_ms"] = (time.perf_counter() - t0) * 1e3
    row["cpu_ms"] = (time.process_time() - c0) * 1e3
    cases.add(**{k: [v] if not isinstance(v, list) else v for k, v in row.items()})


def run_cases(ctx: StudyContext, specs: list[CaseSpec]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Evaluate a batch of cases; returns the columns of its case rows and of its element rows."""
    base = base_case(ctx)
    cases, elements = _Table(CASE_COLUMNS), _Table(ELEMENT_COLUMNS)
    for case in specs:
        evaluate_case(base, case, cases, elements, ctx.shed)
    return cases.columns(), elements.columns()
