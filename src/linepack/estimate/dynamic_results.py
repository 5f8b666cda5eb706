"""The frozen result of dynamic estimation: estimates and sigmas through time, and the fit of every meter."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork
from ..io.atomic import atomic_write_text
from ..transient.discretise import SegmentedNetwork
from ..units import BAR_PA
from .meters import BoundMeters
from .parameters import BoundaryParameters
from .results import SteadyEstimate
from .validate import Issue

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class DynamicEstimate:
    """Estimates at every SCADA time (rows; row 0 is the steady start), SI units, one-sigma uncertainties.

    ``fitted`` is the posterior estimate of what each meter should read; ``innovation`` the reading's distance
    from the prediction in predicted sigmas (NaN: no reading); ``gated`` marks readings rejected as outliers;
    ``nis`` the normalised innovation squared of each step (chi-square with ``n_used`` degrees of freedom when
    the model and the stated uncertainties are right).
    """

    network: CompiledNetwork
    bound: BoundMeters
    params: BoundaryParameters
    seg: SegmentedNetwork
    start: SteadyEstimate
    times_s: F64
    time_labels: tuple[str, ...]
    dt_s: float
    p_pa: F64
    p_sigma_pa: F64
    q_kg_s: F64  # every element (pipes: at the inlet)
    q_sigma_kg_s: F64
    q_out_kg_s: F64  # pipes at the outlet
    q_out_sigma_kg_s: F64
    supply_kg_s: F64
    supply_sigma_kg_s: F64
    demand_kg_s: F64
    demand_sigma_kg_s: F64
    theta: F64
    theta_sigma: F64
    linepack_kg: F64
    linepack_sigma_kg: F64
    measured: F64
    fitted: F64
    fitted_sigma: F64
    innovation: F64
    gated: NDArray[np.bool_]
    nis: F64
    n_used: NDArray[np.int64]
    issues: tuple[Issue, ...]
    warnings: tuple[str, ...]
    cpu_s: float
    wall_s: float

    def __post_init__(self) -> None:
        for v in self.__dict__.values():
            if isinstance(v, np.ndarray):
                v.setflags(write=False)

    @property
    def n_times(self) -> int:
        return len(self.times_s)

    @property
    def p_barg(self) -> F64:
        return (self.p_pa - self.network.ambient_pa) / BAR_PA

    def suspect_meters(self, share: float = 0.05) -> list[tuple[str, float, str]]:
        """Meters whose readings were rejected as outliers in more than ``share`` of the steps, or that validation
        flagged: (tag, share rejected, why)."""
        out: list[tuple[str, float, str]] = []
        steps = max(self.n_times - 1, 1)
        flagged = {i.tag: i.detail for i in self.issues if i.kind in ("stuck", "range")}
        for i, tag in enumerate(self.bound.tags):
            rej = float(self.gated[1:, i].sum()) / steps
            why = []
            if rej > share:
                why.append(f"{rej:.0%} of its readings rejected as outliers (mean normalised innovation "
                           f"{np.nanmean(self.innovation[1:, i][self.gated[1:, i]]):+.1f})")
            if tag in flagged:
                why.append(flagged[tag])
            if why:
                out.append((tag, rej, "; ".join(why)))
        return out

    def consistency(self) -> float:
        """Mean NIS per reading (about 1 when the filter's stated uncertainty is right)."""
        used = self.n_used[1:]
        return float(np.sum(self.nis[1:]) / max(int(np.sum(used)), 1))

    def to_dict(self) -> dict[str, Any]:
        cn, b = self.network, self.bound

        def col(a: F64) -> list[float | None]:
            return [None if not math.isfinite(v) else round(float(v), 6) for v in a]

        return {
            "kind": "dynamic estimate",
            "network": cn.name,
            "scenario": cn.scenario,
            "dt_s": self.dt_s,
            "times": list(self.time_labels),
            "consistency_nis_per_reading": self.consistency(),
            "nodes": {nid: {"p_barg": col(self.p_barg[:, i]), "sigma_bar": col(self.p_sigma_pa[:, i] / BAR_PA)}
                      for i, nid in enumerate(cn.node_ids)},
            "edges": {eid: {"q_kg_s": col(self.q_kg_s[:, e]), "sigma_kg_s": col(self.q_sigma_kg_s[:, e])}
                      for e, eid in enumerate(cn.edge_ids)},
            "sinks": {sid: {"demand_kg_s": col(self.demand_kg_s[:, k]), "sigma_kg_s": col(self.demand_sigma_kg_s[:, k])}
                      for k, sid in enumerate(cn.sink_ids)},
            "sources": {sid: {"supply_kg_s": col(self.supply_kg_s[:, k]),
                              "sigma_kg_s": col(self.supply_sigma_kg_s[:, k])} for k, sid in enumerate(cn.source_ids)},
            "linepack_kg": col(self.linepack_kg),
            "linepack_sigma_kg": col(self.linepack_sigma_kg),
            "meters": {tag: {"unit": b.meters.meters[i].unit,
                             "measured": col(np.array([b.units[i].from_si(v) for v in self.measured[:, i]])),
                             "estimated": col(np.array([b.units[i].from_si(v) for v in self.fitted[:, i]])),
                             "sigma": col(self.fitted_sigma[:, i] / abs(b.units[i].factor)),
                             "rejected": [bool(g) for g in self.gated[:, i]]}
                       for i, tag in enumerate(b.tags)},
            "suspect_meters": [{"tag": t, "rejected_share": r, "why": w} for t, r, w in self.suspect_meters()],
            "warnings": list(self.warnings),
        }

    def save(self, path: str | Path) -> None:
        """Write as JSON (atomically)."""
        atomic_write_text(path, json.dumps(self.to_dict()) + "\n")
