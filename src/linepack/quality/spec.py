"""The compiled gas-quality data of a scenario: the source gases, energy and volume demands, limits, blending.

Built by :func:`compile_quality` at compile time and kept on the :class:`~linepack.compile.CompiledNetwork`
(struct-of-arrays, SI units), so that the steady solver, the transient and the optimiser read the same
arrays. Nothing here depends on a solution.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..gas.composition import GasComposition
from ..gas.conditions import ISO_15C, NORMAL_0C, US_60F, StandardConditions
from ..gas.gas_set import GasSet
from ..gas.iso6976 import density_kg_per_m3, mass_heating_value_j_per_kg
from ..gas.quality import reference_conditions
from ..model.components import FlowUnit, Sink, Source, SourceMode
from ..units import FlowBasis

if TYPE_CHECKING:
    from ..model.network import NetworkView

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


#: Flow (fraction of the network's reference flow) over which a pipe's gas changes ends when its flow reverses. A
#: pipe that carries much less than this (a nearly still pipe, whose gas a steady state does not define) sees a
#: flow-weighted blend of its two ends' gases in its hydraulic properties; without the blend, the fixed point of flows
#: and gas can sit exactly at a reversal and the outer iteration cycles (seen on the PSGP gwadar_ip case).
Q_SMOOTH_FRACTION = 1e-3


class SinkKind(IntEnum):
    """What a demand is fixed in."""

    MASS = 0  # kg/s
    VOLUME = 1  # standard volume: the mass follows the density of the delivered gas
    ENERGY = 2  # gross calorific energy: the mass follows the calorific value of the delivered gas


#: Metering reference of each volume unit (the unit's definition, independent of settings.quality_reference).
VOLUME_REFERENCE: dict[FlowUnit, StandardConditions] = {
    FlowUnit.SM3_H: ISO_15C,
    FlowUnit.SM3_D: ISO_15C,
    FlowUnit.NM3_H: NORMAL_0C,
    FlowUnit.MMSCFD: US_60F,
}
VOLUME_REFS: tuple[StandardConditions, ...] = (ISO_15C, US_60F, NORMAL_0C)
_VOLUME_REFS = VOLUME_REFS


#: standard densities and calorific values of the pure source gases per gas set, sink kinds and metering references
#: (the gas set is held, so its id is not reused while the entry lives)
_PURE_BASIS: dict[tuple[object, ...], tuple[GasSet, F64]] = {}


@dataclass(frozen=True)
class QualitySpec:
    """Gas-quality arrays of a compiled scenario (per source and per sink, SI units).

    Attributes:
        gas_set: the distinct gases the in-service sources supply (plus the network gas).
        reference_name, reference: reference conditions of calorific values, Wobbe indices and energy units.
        mixing: True when the hydraulics carry mixtures (several gases in service and settings.mixing auto).
        fallback_gas: gas of stagnant parts that no flow reaches (the network gas).
        source_gas: gas of every source (index into ``gas_set``).
        source_share: molar share of the gas of a blending source (mode share) in its node's outflow; NaN
            for other sources.
        sink_kind: :class:`SinkKind` of every sink.
        sink_basis: what the compiled mass demand (``CompiledNetwork.sink_demand``) was converted with: the network
            gas's standard density [kg/m^3] at the unit's metering reference for volume demands, its gross
            calorific value [J/kg] for energy demands (NaN for mass demands). A demand in kg/s times the ratio of
            the delivered gas's value to this one is the mass that carries the same volume or energy, whatever
            scaling (scenario, profile) the compiled demand has.
        sink_volume_ref: metering reference of a volume demand (index into ``VOLUME_REFS``: 15 C, 60 F, 0 C).
        sink_gcv_min_mj_m3, sink_wobbe_min_mj_m3, sink_wobbe_max_mj_m3: limits at ``reference`` (NaN: none).
        sink_h2_max: highest hydrogen mole fraction [-] (NaN: none).
        q_smooth_kg_s: flow [kg/s] over which a pipe's gas changes ends when its flow reverses
            (:data:`Q_SMOOTH_FRACTION` of the compiled demand or fixed inflow, whichever is larger); kept with the
            compiled network so that every solver of it (steady, transient, optimiser, a re-solve of its settings)
            blends alike.
    """

    gas_set: GasSet
    reference_name: str
    reference: StandardConditions
    mixing: bool
    fallback_gas: int
    source_gas: I64
    source_share: F64
    sink_kind: I64
    sink_basis: F64
    sink_volume_ref: I64
    sink_gcv_min_mj_m3: F64
    sink_wobbe_min_mj_m3: F64
    sink_wobbe_max_mj_m3: F64
    sink_h2_max: F64
    q_smooth_kg_s: float = 1e-3

    @property
    def volume_references(self) -> tuple[StandardConditions, ...]:
        return _VOLUME_REFS

    @property
    def sink_limited(self) -> NDArray[np.bool_]:
        """Whether each sink has any quality limit (GCV, Wobbe or hydrogen)."""
        return np.asarray(
            np.isfinite(self.sink_gcv_min_mj_m3)
            | np.isfinite(self.sink_wobbe_min_mj_m3)
            | np.isfinite(self.sink_wobbe_max_mj_m3)
            | np.isfinite(self.sink_h2_max),
            dtype=bool,
        )

    @property
    def has_limits(self) -> bool:
        return bool(np.any(self.sink_limited))

    @property
    def has_share_sources(self) -> bool:
        return bool(np.any(np.isfinite(self.source_share)))

    def restrict(self, keep_src: NDArray[np.bool_], keep_snk: NDArray[np.bool_]) -> QualitySpec:
        """The same data for the kept sources and sinks."""
        return replace(
            self,
            source_gas=self.source_gas[keep_src],
            source_share=self.source_share[keep_src],
            sink_kind=self.sink_kind[keep_snk],
            sink_basis=self.sink_basis[keep_snk],
            sink_volume_ref=self.sink_volume_ref[keep_snk],
            sink_gcv_min_mj_m3=self.sink_gcv_min_mj_m3[keep_snk],
            sink_wobbe_min_mj_m3=self.sink_wobbe_min_mj_m3[keep_snk],
            sink_wobbe_max_mj_m3=self.sink_wobbe_max_mj_m3[keep_snk],
            sink_h2_max=self.sink_h2_max[keep_snk],
        )

    def delivered_basis(self, y_sink: F64) -> F64:
        """:attr:`sink_basis` of the gas each sink receives (gas mass fractions ``y_sink``, one row per sink): its
        standard density for volume demands, its gross calorific value per kg for energy demands."""
        out = np.array(self.sink_basis, dtype=float, copy=True)
        vol = self.sink_kind == SinkKind.VOLUME
        en = self.sink_kind == SinkKind.ENERGY
        if not (np.any(vol) or np.any(en)):
            return out
        gs = self.gas_set
        x = gs.components(gs.mole_from_mass(np.asarray(y_sink, dtype=float)))
        for r, ref in enumerate(_VOLUME_REFS):  # three metering references, not a loop over sinks
            sel = vol & (self.sink_volume_ref == r)
            if np.any(sel):
                out[sel] = density_kg_per_m3(x[sel], ref)
        if np.any(en):
            out[en] = mass_heating_value_j_per_kg(x[en], self.reference.combustion_t_k, True)
        return out

    def sink_mass_range_kg_s(self, compiled_kg_s: F64) -> tuple[F64, F64]:
        """The least and the most mass [kg/s] each sink can draw, whatever mixture of the gases in service it
        receives: a volume demand scales with the standard density, an energy demand with the inverse of the
        calorific value per kg, and both are bounded by the gases supplied alone (the calorific value per kg mixes
        linearly in mass fractions; the density, up to the compression factor at standard conditions, which is why
        the bounds are widened by 1 %)."""
        compiled = np.asarray(compiled_kg_s, dtype=float)
        lo, hi = compiled.copy(), compiled.copy()
        for g in self.used_gases():  # the few source gases, not the sinks
            m = self.sink_mass_pure_kg_s(int(g), compiled)
            lo, hi = np.minimum(lo, m), np.maximum(hi, m)
        variable = self.sink_kind != SinkKind.MASS
        return np.where(variable, lo * 0.99, lo), np.where(variable, hi * 1.01, hi)

    def used_gases(self) -> NDArray[np.int64]:
        """The gases the sources supply (every gas of the set when there is no source)."""
        return np.unique(self.source_gas) if len(self.source_gas) else np.arange(self.gas_set.k)

    def sink_mass_pure_kg_s(self, g: int, compiled_kg_s: F64) -> F64:
        """:meth:`sink_mass_kg_s` of every sink receiving gas ``g`` alone (the same arithmetic; the pure gas's standard
        densities and calorific values are kept per gas set, sink kinds and metering references: a study's cases
        differ only in their demands)."""
        key = (id(self.gas_set), g, self.sink_kind.tobytes(), self.sink_volume_ref.tobytes(), self.reference)
        hit = _PURE_BASIS.get(key)
        if hit is None or hit[0] is not self.gas_set:
            if len(_PURE_BASIS) > 64:
                _PURE_BASIS.clear()
            y = np.zeros((len(self.sink_kind), self.gas_set.k))
            y[:, g] = 1.0
            hit = _PURE_BASIS[key] = (self.gas_set, self.delivered_basis(y))
        out = np.array(compiled_kg_s, dtype=float, copy=True)
        vol = self.sink_kind == SinkKind.VOLUME
        en = self.sink_kind == SinkKind.ENERGY
        new = hit[1]
        out[vol] *= new[vol] / self.sink_basis[vol]
        out[en] *= self.sink_basis[en] / new[en]
        return out

    def sink_mass_kg_s(self, y_sink: F64, compiled_kg_s: F64) -> F64:
        """Mass demand [kg/s] of every sink with the gas it receives (gas mass fractions ``y_sink``, one row per
        sink), from its compiled demand ``compiled_kg_s`` (converted with :attr:`sink_basis`): volume demands take
        the same standard volume of the delivered gas (x rho_delivered / rho_basis), energy demands the same energy
        (x H_basis / H_delivered); mass demands are unchanged."""
        out = np.array(compiled_kg_s, dtype=float, copy=True)
        vol = self.sink_kind == SinkKind.VOLUME
        en = self.sink_kind == SinkKind.ENERGY
        if not (np.any(vol) or np.any(en)):
            return out
        new = self.delivered_basis(y_sink)
        out[vol] *= new[vol] / self.sink_basis[vol]
        out[en] *= self.sink_basis[en] / new[en]
        return out

def _sink_kind(sink: Sink, basis: FlowBasis) -> tuple[SinkKind, float, int]:
    """Kind, network-gas conversion value and metering reference of a sink's demand unit."""
    u = sink.unit
    if u == FlowUnit.KG_S:
        return SinkKind.MASS, float("nan"), 0
    if u in VOLUME_REFERENCE:
        ref = VOLUME_REFERENCE[u]
        rho = {ISO_15C: basis.density_15c_kg_m3, US_60F: basis.density_60f_kg_m3, NORMAL_0C: basis.density_0c_kg_m3}
        return SinkKind.VOLUME, rho[ref], _VOLUME_REFS.index(ref)
    return SinkKind.ENERGY, float(basis.hhv_j_per_kg or "nan"), 0


def _nan(v: float | None, factor: float = 1.0) -> float:
    return float("nan") if v is None else float(v) * factor


def compile_quality(
    view: NetworkView,
    network_gas: GasComposition | None,
    basis: FlowBasis,
    sources: list[Source],
    sinks: list[Sink],
    reference_flow_kg_s: float = 1.0,
) -> QualitySpec | None:
    """The quality arrays of a scenario view; None when no gas of the network has a composition."""
    network = view.network
    st = network.settings

    def composition(name: str) -> GasComposition:
        return GasComposition.from_mole_fractions(name, network.gas_compositions[name].mole_fractions)

    src_comp: list[GasComposition | None] = [
        composition(s.gas) if s.gas is not None and s.gas != st.gas else network_gas for s in sources
    ]
    if network_gas is None and all(c is None for c in src_comp):
        return None
    distinct = {c.name for c in src_comp if c is not None}
    shares = [s.id for s in sources if s.mode == SourceMode.SHARE]
    if shares and st.mixing == "off":
        raise InputError(
            f"source(s) {', '.join(shares)}: mode share blends a gas into the passing flow, which needs the gas "
            "mixtures tracked; set settings.mixing: auto or give these sources mode flow"
        )
    mixing = st.mixing == "auto" and (
        bool(shares)
        or len(distinct) > 1
        or (len(distinct) == 1 and network_gas is not None and distinct != {network_gas.name})
    )
    missing = [s.id for s, c in zip(sources, src_comp, strict=True) if c is None]
    if missing and mixing:
        raise InputError(
            f"source(s) {', '.join(missing)}: no gas composition, but the network mixes gases "
            "(other sources supply their own); give settings.gas a composition, give these sources a gas, "
            "or set settings.mixing: off"
        )
    if not mixing:
        # the hydraulics carry the network gas everywhere, and so does the quality of every node; the sources'
        # own gases only convert their volume and energy units
        if network_gas is None:
            return None
        src_comp = [network_gas] * len(sources)
    gases: list[GasComposition] = []
    index: dict[tuple[float, ...], int] = {}

    def gas_index(c: GasComposition) -> int:
        key = c.fractions_tuple
        if key not in index:
            index[key] = len(gases)
            gases.append(c)
        return index[key]

    source_gas = np.array([gas_index(c) for c in src_comp if c is not None], dtype=np.int64)
    if network_gas is not None and (not gases or not mixing):
        gas_index(network_gas)
    # stagnant parts take the network gas when a source supplies it, else the first source's gas (an extra gas that
    # no source supplies would only widen the composition space of the property tables)
    fallback = index.get(network_gas.fractions_tuple, 0) if network_gas is not None else 0
    kinds, bases, vrefs = zip(*[_sink_kind(k, basis) for k in sinks], strict=True) if sinks else ((), (), ())
    return QualitySpec(
        gas_set=GasSet.of(gases),
        reference_name=st.quality_reference,
        reference=reference_conditions(st.quality_reference),
        mixing=mixing,
        fallback_gas=fallback,
        source_gas=source_gas,
        source_share=np.array([_nan(s.share_mol_pct, 0.01) for s in sources]),
        sink_kind=np.array(kinds, dtype=np.int64),
        sink_basis=np.array(bases, dtype=float),
        sink_volume_ref=np.array(vrefs, dtype=np.int64),
        sink_gcv_min_mj_m3=np.array([_nan(k.gcv_min_mj_m3) for k in sinks]),
        sink_wobbe_min_mj_m3=np.array([_nan(k.wobbe_min_mj_m3) for k in sinks]),
        sink_wobbe_max_mj_m3=np.array([_nan(k.wobbe_max_mj_m3) for k in sinks]),
        sink_h2_max=np.array([_nan(k.h2_max_mol_pct, 0.01) for k in sinks]),
        q_smooth_kg_s=Q_SMOOTH_FRACTION * max(reference_flow_kg_s, 1e-3),
    )
