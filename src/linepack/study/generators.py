"""Study generators: N-1 / N-2 contingencies and parameter sweeps (Monte Carlo in :mod:`.montecarlo`).

Generators look at the compiled base scenario (what is in service) and return case specifications with
ids 0..n-1 in a fixed order, so the same command always gives the same cases.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ..compile import CompiledNetwork, EdgeKind
from ..errors import InputError
from ..model.components import Sink, Source
from ..model.network import Network
from .cases import CaseSpec, PatchValue

OUTAGE_KINDS: dict[str, str] = {
    "pipe": "pipes",
    "compressor": "compressor stations",
    "unit": "compressor units (one machine of a station with units; the station runs on with the others)",
    "regulator": "regulators",
    "source": "sources and terminals",
}


def outage_candidates(cn: CompiledNetwork, kinds: tuple[str, ...] = ("pipe", "compressor", "source")) -> list[str]:
    """Ids of the in-service elements of the given kinds, in network order."""
    unknown = [k for k in kinds if k not in OUTAGE_KINDS]
    if unknown:
        raise InputError(f"outage kinds {', '.join(unknown)} are not known; choose from {', '.join(OUTAGE_KINDS)}")
    ids: list[str] = []
    edge_kind = {"pipe": EdgeKind.PIPE, "compressor": EdgeKind.COMPRESSOR, "regulator": EdgeKind.REGULATOR}
    for kind in kinds:
        if kind == "source":
            ids += list(cn.source_ids)
        elif kind == "unit":
            ids += list(cn.stations.units.ids) if cn.stations is not None else []
        else:
            ids += [cn.edge_ids[e] for e in np.flatnonzero(cn.edge_kind == edge_kind[kind])]
    return ids


def n_minus_k(
    cn: CompiledNetwork, k: int = 1, kinds: tuple[str, ...] = ("pipe", "compressor", "source")
) -> list[CaseSpec]:
    """Every combination of ``k`` outages among the candidates (N-1: each one alone), plus case 0 = base."""
    if k not in (1, 2):
        raise InputError(f"--order {k}: only N-1 and N-2 are supported; give 1 or 2")
    ids = outage_candidates(cn, kinds)
    cases = [CaseSpec(0, "base case")]
    for combo in itertools.combinations(ids, k):
        cases.append(CaseSpec(len(cases), " + ".join(combo) + " out", disable=combo))
    return cases


@dataclass(frozen=True)
class SweepAxis:
    """One swept parameter: ``key`` and its values.

    ``key`` is ``demand_scale`` or ``supply_scale`` (multipliers on every demand / fixed supply of the
    base), ``demand:<category>`` (multiplier on the demand of one sink class, e.g. ``demand:power_plant``),
    or ``<component id>.<field>`` (the field set to each value, in the field's own unit, e.g.
    ``CS2.p_set_barg``).
    """

    key: str
    values: tuple[float, ...]

    @staticmethod
    def parse(text: str) -> SweepAxis:
        """``KEY=START:STOP:N`` (N evenly spaced values) or ``KEY=V1,V2,...``."""
        if "=" not in text:
            raise InputError(f"--param '{text}': write KEY=START:STOP:N or KEY=V1,V2,... (e.g. demand_scale=0.8:1.2:9)")
        key, spec = text.split("=", 1)
        try:
            if ":" in spec:
                a, b, n = spec.split(":")
                if int(n) < 1:
                    raise ValueError
                values = tuple(float(v) for v in np.linspace(float(a), float(b), int(n)))
            else:
                values = tuple(float(v) for v in spec.split(","))
        except ValueError:
            raise InputError(
                f"--param '{text}': values must be START:STOP:N (N a positive integer) or a comma list of numbers"
            ) from None
        return SweepAxis(key.strip(), values)


Overlay = tuple[dict[str, float], list[tuple[str, str, PatchValue]]]


def _axis_overlay(network: Network, key: str, value: float) -> Overlay:
    """The scale factors and field patches that set ``key`` to ``value``."""
    if key in ("demand_scale", "supply_scale"):
        if value <= 0:
            raise InputError(f"--param {key}: values must be > 0 (got {value:g})")
        return {key: value}, []
    if key.startswith("demand:"):
        cat = key.split(":", 1)[1]
        sinks = [c for c in network.components() if isinstance(c, Sink) and c.category.value == cat]
        if not sinks:
            cats = sorted({c.category.value for c in network.components() if isinstance(c, Sink)})
            raise InputError(f"--param {key}: no sink of category '{cat}'; categories are {', '.join(cats)}")
        return {}, [(s.id, "demand", s.demand * value) for s in sinks]
    if "." not in key:
        raise InputError(f"--param {key}: give demand_scale, supply_scale, demand:<category> or <component id>.<field>")
    cid, fld = key.rsplit(".", 1)
    comp = network.find(cid)
    if comp is None:
        raise InputError(f"--param {key}: no component '{cid}'; give <component id>.<field>, e.g. CS2.p_set_barg")
    if fld not in type(comp).model_fields:
        raise InputError(
            f"--param {key}: {comp.kind} {cid} has no field '{fld}'; fields are {', '.join(type(comp).model_fields)}"
        )
    return {}, [(cid, fld, value)]


def sweep(network: Network, axes: list[SweepAxis]) -> list[CaseSpec]:
    """The grid of one or two axes (the first varies slowest)."""
    if not 1 <= len(axes) <= 2:
        raise InputError("a sweep takes one or two --param axes")
    cases: list[CaseSpec] = []
    for values in itertools.product(*(a.values for a in axes)):
        scales = {"demand_scale": 1.0, "supply_scale": 1.0}
        patches: list[tuple[str, str, PatchValue]] = []
        for axis, v in zip(axes, values, strict=True):
            factors, more = _axis_overlay(network, axis.key, v)
            patches += more
            for k, f in factors.items():
                scales[k] *= f
        label = ", ".join(f"{a.key}={v:g}" for a, v in zip(axes, values, strict=True))
        params = tuple((a.key, float(v)) for a, v in zip(axes, values, strict=True))
        cases.append(
            CaseSpec(
                len(cases),
                label,
                patches=tuple(patches),
                params=params,
                demand_scale=scales["demand_scale"],
                supply_scale=scales["supply_scale"],
            )
        )
    return cases


def is_terminal(source: Source) -> bool:
    """An LNG terminal: its id or gas name mentions LNG or FSRU (the rule for files without a class field)."""
    text = f"{source.id} {source.gas or ''} {source.name}".upper()
    return "LNG" in text or "FSRU" in text
