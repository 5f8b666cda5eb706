"""Gas-quality results of a steady state: what every node, pipe, delivery and supply carries.

:func:`steady_quality` turns a :class:`~linepack.results.SteadyResult` into a :class:`SteadyQuality`: the gas
mole fractions and ISO 6976 figures (gross and net calorific value, Wobbe index, relative density,
hydrogen fraction) at every node and in every pipe, the quality delivered to every sink and supplied by
every source, and their energy flows in MW and MMBtu/d. The energy table reconciles: with mass-based gross
calorific values (which mix linearly in mass fractions), energy supplied = energy delivered + energy
burnt as compressor fuel, to rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ..gas.conditions import StandardConditions
from ..gas.gas_set import GasSet
from ..gas.quality import QualityFigures, energy_mw, mw_to_mmbtu_per_day, quality_of

if TYPE_CHECKING:
    from ..results import SteadyResult

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class SteadyQuality:
    """Quality of a steady state (arrays per node, per pipe and resistor, per sink, per source).

    Attributes:
        reference_name, reference: reference conditions of the volumetric figures and energies.
        gas_set: the source gases; ``*_w`` are their mole fractions, ``*_x`` the 21 component mole fractions.
        node, edge, sink, source: :class:`QualityFigures` at nodes, of the gas every resistive edge carries,
            delivered to every sink (its node's gas), supplied by every source (its own gas).
        sink_energy_mw, source_energy_mw, fuel_energy_mw: gross calorific energy flows [MW].
        mixing: whether the hydraulics carried the mixtures (False: the network gas everywhere).
    """

    reference_name: str
    reference: StandardConditions
    gas_set: GasSet
    mixing: bool
    node_w: F64
    node_x: F64
    edge_w: F64
    node: QualityFigures
    edge: QualityFigures
    sink: QualityFigures
    source: QualityFigures
    sink_energy_mw: F64
    source_energy_mw: F64
    fuel_energy_mw: F64

    @property
    def sink_energy_mmbtu_d(self) -> F64:
        return mw_to_mmbtu_per_day(self.sink_energy_mw)

    @property
    def source_energy_mmbtu_d(self) -> F64:
        return mw_to_mmbtu_per_day(self.source_energy_mw)

    def energy_balance_mw(self) -> tuple[float, float, float]:
        """(supplied, delivered, fuel) [MW]; supplied = delivered + fuel in a steady state."""
        return (
            float(np.sum(self.source_energy_mw)),
            float(np.sum(self.sink_energy_mw)),
            float(np.sum(self.fuel_energy_mw)),
        )


def steady_quality(res: SteadyResult) -> SteadyQuality | None:
    """The quality of a solved steady state (None when the network gas has no composition)."""
    cn = res.network
    q = cn.quality
    if q is None:
        return None
    gs = q.gas_set
    gas = res.gas_state
    if gas is not None:
        w_node, w_edge = gas.w_node, gas.w_edge
    else:  # the network gas everywhere
        one = np.eye(gs.k)[q.fallback_gas]
        w_node = np.tile(one, (cn.n_nodes, 1))
        w_edge = np.tile(one, (cn.n_edges, 1))
    ref = q.reference
    x_node = gs.components(w_node)
    node = quality_of(x_node, ref)
    edge = quality_of(gs.components(w_edge[cn.res_edge]), ref)
    sink = quality_of(x_node[cn.sink_node], ref)
    src_w = gs.one_hot(q.source_gas)
    source = quality_of(gs.components(src_w), ref)
    supply = res.source_supply_kg_s
    # a source taking gas back (supply < 0) takes its node's gas
    src_gcv = np.where(supply >= 0, source.gcv_mj_kg, node.gcv_mj_kg[cn.source_node])
    fuel_gcv = node.gcv_mj_kg[cn.edge_from[cn.comp_edge]]
    return SteadyQuality(
        reference_name=q.reference_name,
        reference=ref,
        gas_set=gs,
        mixing=gas is not None,
        node_w=w_node,
        node_x=x_node,
        edge_w=w_edge,
        node=node,
        edge=edge,
        sink=sink,
        source=source,
        sink_energy_mw=energy_mw(cn.sink_demand, sink.gcv_mj_kg),
        source_energy_mw=energy_mw(supply, src_gcv),
        fuel_energy_mw=energy_mw(res.comp_fuel_kg_s, fuel_gcv),
    )
