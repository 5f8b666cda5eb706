"""Monte Carlo cases: demand per sink class, LNG terminal availability (cargo delays), field decline.

Every case draws from its own generator, seeded by ``SeedSequence(seed, spawn_key=(case_id,))``: case
``i`` is the same whatever the number of cases, workers or the order they run in.

The distribution parameters are data (:class:`MonteCarloModel`, readable from YAML/JSON with
``--model FILE``); the defaults below are modelling assumptions (A) except where a source is named.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..compile import CompiledNetwork
from ..errors import InputError
from ..model.components import Sink, Source, SourceMode
from ..model.errors import describe_validation_error
from ..model.network import Network
from .cases import CaseSpec, PatchValue
from .generators import is_terminal


class DemandClass(BaseModel):
    """Demand of one sink class as a multiplier on the base demand: normal, truncated at ``min_factor``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    mean: float = Field(default=1.0, gt=0, description="mean multiplier on the base demand")
    cv: float = Field(default=0.1, ge=0, le=2, description="coefficient of variation (std / mean)")
    min_factor: float = Field(default=0.0, ge=0, description="lower truncation of the multiplier")


class TerminalModel(BaseModel):
    """LNG terminal availability: with probability ``p_cargo_delay`` a cargo is late and send-out falls
    to a fraction drawn uniformly in [``delayed_low``, ``delayed_high``] of the base."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    p_cargo_delay: float = Field(default=0.1, ge=0, le=1)
    delayed_low: float = Field(default=0.3, ge=0, le=1)
    delayed_high: float = Field(default=0.7, ge=0, le=1)


class FieldDecline(BaseModel):
    """Domestic field decline over ``years``: an annual rate drawn uniformly in [low, high] per field."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    rate_low: float = Field(default=0.05, ge=0, lt=1)
    rate_high: float = Field(default=0.12, ge=0, lt=1)
    years: float = Field(default=1.0, ge=0)


class MonteCarloModel(BaseModel):
    """All distributions of a Monte Carlo study."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    demand: dict[str, DemandClass] = Field(
        default_factory=lambda: {
            "city_gate": DemandClass(cv=0.10),  # A: weather-driven winter spread
            "power_plant": DemandClass(cv=0.20),  # A: dispatch-driven
            "fertiliser": DemandClass(cv=0.05),  # A: baseload feedstock
            "industry": DemandClass(cv=0.10),  # A
            "export": DemandClass(cv=0.05),  # A
            "other": DemandClass(cv=0.10),  # A
        },
        description="sink category -> distribution of its demand multiplier",
    )
    terminals: TerminalModel = Field(default_factory=TerminalModel)  # A
    # decline centred near the 9.5 %/yr depletion reported for Pakistani fields (S:R37); spread A
    fields: FieldDecline = Field(default_factory=FieldDecline)

    @staticmethod
    def load(path: str | Path) -> MonteCarloModel:
        p = Path(path)
        if not p.exists():
            raise InputError(f"--model {p}: file not found; give a YAML or JSON file of Monte Carlo distributions")
        from ..io.native import load_document

        doc: Any = load_document(p, "Monte Carlo model (YAML or JSON)")
        try:
            return MonteCarloModel.model_validate(doc or {})
        except ValidationError as exc:
            raise InputError(describe_validation_error(f"--model {p}", MonteCarloModel, exc)) from None


def montecarlo(
    network: Network, cn: CompiledNetwork, n_cases: int, seed: int, model: MonteCarloModel | None = None
) -> list[CaseSpec]:
    """``n_cases`` random cases of the base scenario ``cn`` of ``network``."""
    if n_cases < 1:
        raise InputError(f"--cases {n_cases}: give a positive number of cases")
    m = model or MonteCarloModel()
    in_service = set(cn.sink_ids) | set(cn.source_ids)
    sinks = [c for c in network.components() if isinstance(c, Sink) and c.id in in_service]
    sources = [c for c in network.components() if isinstance(c, Source) and c.id in in_service]
    terminals = [s for s in sources if is_terminal(s)]
    fields = [s for s in sources if not is_terminal(s) and s.mode == SourceMode.FLOW and s.inflow]
    missing = sorted({s.category.value for s in sinks} - set(m.demand))
    if missing:
        raise InputError(f"Monte Carlo model: no demand distribution for sink categories {', '.join(missing)}")
    mean = np.array([m.demand[s.category.value].mean for s in sinks])
    sd = mean * np.array([m.demand[s.category.value].cv for s in sinks])
    lo = np.array([m.demand[s.category.value].min_factor for s in sinks])
    tm, fd = m.terminals, m.fields
    cases = []
    for i in range(n_cases):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i,)))
        f_dem = np.maximum(rng.normal(mean, sd), lo)
        late = rng.random(len(terminals)) < tm.p_cargo_delay
        f_term = np.where(late, rng.uniform(tm.delayed_low, tm.delayed_high, len(terminals)), 1.0)
        rate = rng.uniform(fd.rate_low, fd.rate_high, len(fields))
        f_field = (1.0 - rate) ** fd.years
        patches: list[tuple[str, str, PatchValue]] = [
            (s.id, "demand", float(s.demand * f)) for s, f in zip(sinks, f_dem, strict=True)
        ]
        for s, f in zip(terminals, f_term, strict=True):
            if f < 1.0:
                if s.mode == SourceMode.FLOW and s.inflow is not None:
                    patches.append((s.id, "inflow", float(s.inflow * f)))
                elif s.capacity is not None:
                    patches.append((s.id, "capacity", float(s.capacity * f)))
        patches += [(s.id, "inflow", float((s.inflow or 0.0) * f)) for s, f in zip(fields, f_field, strict=True)]
        params = (
            [(f"demand:{s.id}", float(f)) for s, f in zip(sinks, f_dem, strict=True)]
            + [(f"terminal:{s.id}", float(f)) for s, f in zip(terminals, f_term, strict=True)]
            + [(f"field:{s.id}", float(f)) for s, f in zip(fields, f_field, strict=True)]
        )
        n_late = int(np.sum(late))
        label = f"draw {i} (seed {seed}; {n_late} late cargo{'es' if n_late != 1 else ''})"
        cases.append(CaseSpec(i, label, patches=tuple(patches), params=tuple(params)))
    return cases
