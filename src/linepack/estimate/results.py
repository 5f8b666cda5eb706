"""Frozen results of steady state estimation, and their file form (JSON)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import norm

from ..compile import CompiledNetwork
from ..io.atomic import atomic_write_text
from ..units import BAR_PA
from .baddata import ChiSquare
from .meters import BoundMeters
from .observability import Observability
from .parameters import BoundaryParameters

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Suspect:
    """A meter identified as carrying a gross error (removed from the estimate)."""

    tag: str
    normalised_residual: float
    error_si: float  # estimated size of the error, SI
    error_text: str  # in the tag's unit


@dataclass(frozen=True)
class MeterFit:
    """Per meter: the reading, the estimate of what it should read, and the residual (SI)."""

    tags: tuple[str, ...]
    measured: F64  # NaN: no reading
    sigma: F64
    estimated: F64
    estimated_sigma: F64
    normalised_residual: F64  # NaN: not used or critical
    status: tuple[str, ...]  # used, critical, bad (removed), no reading, pseudo

    def __post_init__(self) -> None:
        for v in (self.measured, self.sigma, self.estimated, self.estimated_sigma, self.normalised_residual):
            v.setflags(write=False)


@dataclass(frozen=True)
class SteadyEstimate:
    """The weighted least-squares estimate of a steady state, with its uncertainty.

    Sigmas are one standard deviation of the linearised estimate; :meth:`interval` gives confidence intervals.
    """

    network: CompiledNetwork
    bound: BoundMeters
    params: BoundaryParameters
    converged: bool
    iterations: int
    theta: F64
    theta_cov: F64
    p_pa: F64
    p_sigma_pa: F64
    q_kg_s: F64
    q_sigma_kg_s: F64
    supply_kg_s: F64
    supply_sigma_kg_s: F64
    demand_kg_s: F64
    demand_sigma_kg_s: F64
    meters: MeterFit
    chi2: ChiSquare
    suspects: tuple[Suspect, ...]
    observability: Observability
    pseudo: tuple[str, ...] = ()  # parameters held near an assumed value (pseudo-measurements)
    warnings: tuple[str, ...] = field(default=())
    label: str = ""  # what was estimated (time window)

    def __post_init__(self) -> None:
        for v in self.__dict__.values():
            if isinstance(v, np.ndarray):
                v.setflags(write=False)

    @property
    def theta_sigma(self) -> F64:
        return np.sqrt(np.maximum(np.diag(self.theta_cov), 0.0))

    @property
    def p_barg(self) -> F64:
        return (self.p_pa - self.network.ambient_pa) / BAR_PA

    @staticmethod
    def z_of(confidence: float) -> float:
        return float(norm.ppf(0.5 + confidence / 2.0))

    def interval(self, value: F64, sigma: F64, confidence: float = 0.95) -> tuple[F64, F64]:
        z = self.z_of(confidence)
        return value - z * sigma, value + z * sigma

    def to_dict(self, confidence: float = 0.95) -> dict[str, Any]:
        cn, b = self.network, self.bound
        z = self.z_of(confidence)

        def num(x: float) -> float | None:
            return None if not math.isfinite(x) else float(x)

        meters = []
        for i, tag in enumerate(self.meters.tags):
            u = b.units[i]
            meters.append({
                "tag": tag,
                "what": b.describe(i),
                "unit": b.meters.meters[i].unit,
                "measured": num(u.from_si(self.meters.measured[i])),
                "sigma": num(self.meters.sigma[i] / u.factor),
                "estimated": num(u.from_si(self.meters.estimated[i])),
                "estimated_sigma": num(self.meters.estimated_sigma[i] / u.factor),
                "normalised_residual": num(self.meters.normalised_residual[i]),
                "status": self.meters.status[i],
            })
        return {
            "kind": "steady estimate",
            "network": cn.name,
            "scenario": cn.scenario,
            "label": self.label,
            "converged": self.converged,
            "iterations": self.iterations,
            "confidence": confidence,
            "chi_square": {"value": self.chi2.value, "dof": self.chi2.dof, "p_value": self.chi2.p_value,
                           "alpha": self.chi2.alpha, "passed": self.chi2.passed},
            "observable": self.observability.observable,
            "suspects": [{"tag": s.tag, "normalised_residual": s.normalised_residual, "error": s.error_text}
                         for s in self.suspects],
            "pseudo_measurements": list(self.pseudo),
            "warnings": list(self.warnings),
            "nodes": [{"id": nid, "p_barg": float(self.p_barg[i]), "sigma_bar": float(self.p_sigma_pa[i] / BAR_PA),
                       "half_width_bar": float(z * self.p_sigma_pa[i] / BAR_PA)} for i, nid in enumerate(cn.node_ids)],
            "edges": [{"id": eid, "q_kg_s": float(self.q_kg_s[e]), "sigma_kg_s": float(self.q_sigma_kg_s[e])}
                      for e, eid in enumerate(cn.edge_ids)],
            "sources": [{"id": sid, "supply_kg_s": float(self.supply_kg_s[k]),
                         "sigma_kg_s": float(self.supply_sigma_kg_s[k])} for k, sid in enumerate(cn.source_ids)],
            "sinks": [{"id": sid, "demand_kg_s": float(self.demand_kg_s[k]),
                       "sigma_kg_s": float(self.demand_sigma_kg_s[k])} for k, sid in enumerate(cn.sink_ids)],
            "parameters": [{"name": self.params.names[i], "unit": self.params.units[i], "value": float(self.theta[i]),
                            "sigma": float(self.theta_sigma[i])} for i in range(self.params.n)],
            "meters": meters,
        }

    def save(self, path: str | Path) -> None:
        """Write the estimate as JSON (atomically)."""
        atomic_write_text(path, json.dumps(self.to_dict(), indent=1) + "\n")
