"""Cases that only change demands, inflows and capacities, applied to the compiled base's arrays.

A study case is an overlay on the base scenario; the general path composes it, builds the scenario view
(validating every patched component) and compiles it (about a millisecond for the PSGP system). Most cases
of a Monte Carlo study or a demand sweep change only sink demands, source inflows and capacities and the
demand and supply scales: for those, the compiled base is copied with those arrays recomputed by the same
arithmetic as :func:`linepack.compile.compile_view` (the same floating-point values), after the same checks
their fields have (finite, >= 0, inflow not above capacity). Anything else (an outage, another field, a value
that fails a check) goes the general way, which also words the error.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork
from ..model.components import Sink, Source, SourceMode
from ..quality.spec import Q_SMOOTH_FRACTION
from .cases import CaseSpec

if TYPE_CHECKING:
    from .evaluate import BaseCase

F64 = NDArray[np.float64]
SINK_FIELDS = frozenset({"demand"})
SOURCE_FIELDS = frozenset({"inflow", "capacity"})


class ArrayOverlay:
    """The base's sinks and sources by id, with their flows in kg/s before scaling (built once per worker)."""

    def __init__(self, base: BaseCase) -> None:
        view = base.network.view(base.resolved)
        cn = base.cn
        self.base = base
        self.sinks: list[Sink] = view.of_type(Sink)
        self.sources: list[Source] = view.of_type(Source)
        self.ok = tuple(k.id for k in self.sinks) == cn.sink_ids and tuple(s.id for s in self.sources) == cn.source_ids
        self.sink_pos = {k.id: i for i, k in enumerate(self.sinks)}
        self.source_pos = {s.id: i for i, s in enumerate(self.sources)}

    def _sink_kg_s(self, k: Sink, demand: float) -> float:
        return self.base.cn.gas.basis.to_kg_s(demand, k.unit, f"sink {k.id}")

    def apply(self, case: CaseSpec) -> CompiledNetwork | None:
        """The compiled case, or None when it needs the general path."""
        if not self.ok or case.disable or case.enable or not (0 < case.demand_scale <= 100):
            return None
        if not (0 < case.supply_scale <= 100):
            return None
        demand_of: dict[int, float] = {}
        inflow_of: dict[int, float] = {}
        capacity_of: dict[int, float] = {}
        for cid, fld, value in case.patches:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return None
            v = float(value)
            if not (math.isfinite(v) and v >= 0.0):
                return None
            if fld in SINK_FIELDS and cid in self.sink_pos:
                demand_of[self.sink_pos[cid]] = v
            elif fld in SOURCE_FIELDS and cid in self.source_pos:
                (inflow_of if fld == "inflow" else capacity_of)[self.source_pos[cid]] = v
            else:
                return None
        cn, resolved = self.base.cn, self.base.resolved
        demand_scale = resolved.demand_scale * case.demand_scale
        supply_scale = resolved.supply_scale * case.supply_scale
        sink_demand = (
            np.array([self._sink_kg_s(k, demand_of.get(i, k.demand)) * demand_scale for i, k in enumerate(self.sinks)])
            if (demand_of or demand_scale != resolved.demand_scale)
            else cn.sink_demand
        )
        inflow, capacity = cn.source_inflow, cn.source_capacity
        if inflow_of or capacity_of or supply_scale != resolved.supply_scale:
            inflow, capacity = inflow.copy(), capacity.copy()
            for i, s in enumerate(self.sources):
                f_in = inflow_of.get(i, s.inflow)
                f_cap = capacity_of.get(i, s.capacity)
                if f_in is not None and f_cap is not None and f_in > f_cap * (1 + 1e-12):
                    return None  # the source's own check fails: the general path words it
                basis = cn.source_basis[i]
                inflow[i] = (
                    basis.to_kg_s(f_in, s.unit, f"source {s.id}") * supply_scale
                    if s.mode == SourceMode.FLOW and f_in is not None
                    else 0.0
                )
                capacity[i] = basis.to_kg_s(f_cap, s.unit, f"source {s.id}") if f_cap is not None else np.inf
        quality = cn.quality
        if quality is not None:  # the blending width follows the compiled flows (see compile_quality)
            reference = float(max(np.sum(sink_demand), np.sum(inflow), 0.0))
            quality = replace(quality, q_smooth_kg_s=Q_SMOOTH_FRACTION * max(reference, 1e-3))
        return replace(
            cn,
            scenario=f"case {case.case_id}",
            sink_demand=sink_demand,
            source_inflow=inflow,
            source_capacity=capacity,
            quality=quality,
        )
