"""The frozen result of an optimisation and its JSON file form."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode, RegMode
from ..io.atomic import atomic_write_text
from ..units import BAR_PA

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Binding:
    """A limit the optimum sits on, with the improvement of the reported objective per unit it is loosened.

    ``marginal`` is the derivative of the reported objective along the optima as the limit moves (from the
    KKT sensitivity, :mod:`linepack.optimize.formulations.sensitivity`); ``multiplier`` is the solver's
    multiplier in the same units, which also holds the modelling terms of the objective the solver minimises
    (a source's weight for falling short of its nomination, tie-breaks). Where they differ, the multiplier is
    a penalty weight, not a price.
    """

    label: str
    marginal: float  # objective units (as reported) per `unit`
    unit: str
    multiplier: float = float("nan")  # the solver's multiplier, objective units per `unit`

    @property
    def penalty_driven(self) -> bool:
        """The multiplier is mostly a modelling weight: it differs from the marginal value by more than 10 %."""
        m, t = self.marginal, self.multiplier
        return bool(np.isfinite(t) and abs(t - m) > 0.1 * max(abs(t), abs(m), 1e-300) and abs(t) > 1e-9)


@dataclass(frozen=True)
class OptimizationResult:
    """An optimum (or the best point found) of one problem. Arrays are read-only, SI units."""

    network: CompiledNetwork  # the network the problem was posed on
    settings: CompiledNetwork  # the same network holding the optimum's control settings
    kind: str
    description: str
    formulation: str
    success: bool
    status: str
    message: str
    objective: float  # in objective_unit
    objective_unit: str
    p_pa: F64
    q_kg_s: F64
    supply_kg_s: F64
    delivered_kg_s: F64
    shed_kg_s: F64
    growth_kg_s: float
    comp_power_w: F64
    comp_fuel_kg_s: F64
    binding: tuple[Binding, ...]
    costs: dict[str, float]  # named cost items, USD/day unless the name says otherwise
    iterations: int  # IPOPT iterations, all rounds
    outer_iterations: int  # coefficient updates (fixed-point rounds)
    coefficient_change: float  # last relative change of the frozen coefficients
    solve_time_s: float
    notes: tuple[str, ...] = field(default_factory=tuple)
    bound_violations: tuple[str, ...] = ()  # soft-limit problems: the node limits the optimum violates
    station_configs: Any = None  # configuration each station with units runs (CompiledNetwork.stations order)

    def unit_points(self) -> Any:
        """Every compressor unit's operating point at the optimum (None without stations with units)."""
        from ..stations.points import unit_points

        if self.network.stations is None:
            return None
        return unit_points(self.network, self.p_pa, self.q_kg_s, self.settings.comp_mode, self.station_configs)

    def __post_init__(self) -> None:
        for value in self.__dict__.values():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    @property
    def p_barg(self) -> F64:
        return (self.p_pa - self.network.ambient_pa) / BAR_PA

    def mmscfd(self, m_kg_s: float) -> float:
        return self.network.gas.basis.kg_s_to_mmscfd(m_kg_s)

    def compressor_settings(self) -> list[dict[str, Any]]:
        """Per compressor: the decision (running at a discharge pressure, bypass or off) and its numbers."""
        cn, st = self.network, self.settings
        out = []
        for k, e in enumerate(cn.comp_edge):
            ps, pd = self.p_pa[cn.edge_from[e]], self.p_pa[cn.edge_to[e]]
            mode = CompMode(int(st.comp_mode[k]))
            out.append(
                {
                    "id": cn.edge_ids[e],
                    "decision": _decision(mode, ps, pd, float(self.comp_power_w[k])),
                    "suction_barg": (ps - cn.ambient_pa) / BAR_PA,
                    "discharge_barg": (pd - cn.ambient_pa) / BAR_PA,
                    "ratio": pd / ps,
                    "flow_mmscfd": self.mmscfd(float(self.q_kg_s[e])),
                    "power_mw": float(self.comp_power_w[k]) / 1e6,
                    "power_max_mw": float(cn.comp_power_max_w[k]) / 1e6,
                    "fuel_mmscfd": self.mmscfd(float(self.comp_fuel_kg_s[k])),
                }
            )
        return out

    def regulator_settings(self) -> list[dict[str, Any]]:
        cn, st = self.network, self.settings
        out = []
        for k, e in enumerate(cn.reg_edge):
            mode = RegMode(int(st.reg_mode[k]))
            out.append(
                {
                    "id": cn.edge_ids[e],
                    "decision": {RegMode.PRESSURE: "control", RegMode.OPEN: "open", RegMode.CLOSED: "closed"}.get(
                        mode, mode.name.lower()
                    ),
                    "inlet_barg": (self.p_pa[cn.edge_from[e]] - cn.ambient_pa) / BAR_PA,
                    "outlet_barg": (self.p_pa[cn.edge_to[e]] - cn.ambient_pa) / BAR_PA,
                    "flow_mmscfd": self.mmscfd(float(self.q_kg_s[e])),
                }
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        cn = self.network

        def num(x: float) -> float | None:
            return float(x) if math.isfinite(x) else None

        return {
            "format": "linepack-optimization/1",
            "network": cn.name,
            "scenario": cn.scenario,
            "problem": self.kind,
            "description": self.description,
            "formulation": self.formulation,
            "success": self.success,
            "status": self.status,
            "message": self.message,
            "objective": {"value": num(self.objective), "unit": self.objective_unit},
            "costs_usd_per_day": {k: num(v) for k, v in self.costs.items()},
            "iterations": self.iterations,
            "outer_iterations": self.outer_iterations,
            "coefficient_change": self.coefficient_change,
            "solve_time_s": self.solve_time_s,
            "compressors": self.compressor_settings(),
            "regulators": self.regulator_settings(),
            "sources": [
                {
                    "id": sid,
                    "supply_mmscfd": cn.source_basis[k].kg_s_to_mmscfd(float(self.supply_kg_s[k])),
                    "capacity_mmscfd": num(cn.source_basis[k].kg_s_to_mmscfd(float(cn.source_capacity[k]))),
                    "p_barg": float(self.p_barg[cn.source_node[k]]),
                }
                for k, sid in enumerate(cn.source_ids)
            ],
            "sinks": [
                {
                    "id": kid,
                    "category": cn.sink_category[k],
                    "delivered_mmscfd": self.mmscfd(float(self.delivered_kg_s[k])),
                    "shed_mmscfd": self.mmscfd(float(self.shed_kg_s[k])),
                    "p_barg": float(self.p_barg[cn.sink_node[k]]),
                }
                for k, kid in enumerate(cn.sink_ids)
            ],
            "binding_constraints": [
                {"constraint": b.label, "marginal": b.marginal, "unit": b.unit, "multiplier": num(b.multiplier)}
                for b in self.binding
            ],
            "nodes": {"id": list(cn.node_ids), "p_barg": [float(v) for v in self.p_barg]},
            "edges": {"id": list(cn.edge_ids), "q_kg_s": [float(v) for v in self.q_kg_s]},
            "bound_violations": list(self.bound_violations),
            "notes": list(self.notes),
        }

    def to_json(self, path: str | Path) -> None:
        """Write the result as JSON (atomically: temporary file, then rename)."""
        atomic_write_text(path, json.dumps(self.to_dict(), indent=1) + "\n")


def _decision(mode: CompMode, ps_pa: float, pd_pa: float, power_w: float) -> str:
    """What a compressor does at an optimum: off, bypass (told so, or no compression and no power), run, or run
    throttled (no compression to within 1e-6 of the suction pressure while its units turn at more than 1 kW:
    the discharge valve takes back the head they make at their lowest speed, and they burn fuel for it)."""
    if mode == CompMode.OFF:
        return "off"
    if mode == CompMode.BYPASS or (pd_pa <= ps_pa * (1 + 1e-9) and power_w <= 1.0):
        return "bypass"
    return "run (throttled)" if pd_pa <= ps_pa * (1 + 1e-6) and power_w > 1e3 else "run"
