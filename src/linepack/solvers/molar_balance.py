"""Supply against demand in moles, before the gases are known: where every sink's request is exact in moles.

When the sources' gases mix, the mass a volume or energy demand draws depends on the gas it receives, so the
mass balance before the flows are known (:func:`linepack.solvers.steady._supply_problems_any_gas`) can only
compare the least mass any gas could draw with the supply, a wide bound (the PSGP gases' standard densities
differ by 17 %). Moles are tighter: mixing conserves them (every source supplies a fixed gas), and what a sink
draws in moles lies between what the source gases alone would draw:

* volume demand ``V`` at the metering state (p, T): ``n = p V / (Z R T)`` with ISO 6976's
  ``Z = 1 - (sum_j x_j s_j)^2``; ``sum_j x_j s_j`` is linear in the mole fractions, so a mixture's ``Z`` lies
  between the source gases' and so does ``n``;
* energy demand ``E``: ``n = E / H`` with the ideal-gas molar calorific value ``H`` linear in the mole fractions;
* mass demand ``m``: ``n = m / M`` with the molar mass ``M`` linear in the mole fractions.

So the least moles a sink can draw is the least over the source gases alone (exact, no linearisation), and a
network whose supply, in moles, falls below that least demand has no steady state whatever the mixture (the
compressors' fuel only adds to the demand). The answer is the same as the full solve's, found without solving.
Reference: ISO 6976:2016, clauses 6 and 8 (the summation-factor form of Z and the ideal molar heating value).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode
from ..topology import names
from .diagnostics import BALANCE_TOL, islands
from .equations import ControlState

F64 = NDArray[np.float64]


def least_sink_mol_s(cn: CompiledNetwork) -> F64 | None:
    """The least molar flow [mol/s] each sink of ``cn`` can draw, whatever mixture of the source gases it receives
    (None without gas quality data)."""
    q = cn.quality
    if q is None:
        return None
    least = np.full(len(cn.sink_ids), np.inf)
    for g in q.used_gases():  # the few source gases, not the sinks
        least = np.minimum(least, q.sink_mass_pure_kg_s(int(g), cn.sink_demand) / q.gas_set.molar_mass_kg_per_mol[g])
    return np.asarray(least, dtype=float)


def molar_supply_problems(cn: CompiledNetwork) -> list[str]:
    """Islands whose most supply in moles is below the least their sinks can draw (see the module text).

    Judged in the network's own control state (every source as the user gave it: pressure-held sources at their
    capacity, flow sources at their inflow), the most supply there can be: a flow source shut in or held at its
    maximum send-out pressure only supplies less. Blending sources (an inflow set by the flows) are not judged.
    """
    q = cn.quality
    if q is None or not q.mixing or q.has_share_sources or not len(cn.sink_ids):
        return []
    least = least_sink_mol_s(cn)
    assert least is not None
    state = ControlState.initial(cn)
    n, labels = islands(cn, state)
    m_src = q.gas_set.molar_mass_kg_per_mol[q.source_gas]
    fixed_mol = np.where(state.src_pressure, 0.0, state.src_inflow) / m_src
    cap_mol = np.where(state.src_pressure, cn.source_capacity, 0.0) / m_src
    # moles as standard volume of the network gas, for the words
    to_mmscfd = cn.gas.basis.kg_s_to_mmscfd(cn.gas.molar_mass_kg_per_mol)
    running = ~np.isin(state.comp_mode, (CompMode.BYPASS, CompMode.OFF)) & cn.comp_gas_driven
    burning = np.zeros(n, dtype=bool)
    burning[labels[cn.edge_from[cn.comp_edge[running]]]] = True
    problems = []
    for isl in range(n):
        src = labels[cn.source_node] == isl
        demand = float(np.sum(least[labels[cn.sink_node] == isl]))
        fixed, cap = float(np.sum(fixed_mol[src])), float(np.sum(cap_mol[src]))
        if demand > (fixed + cap) * (1.0 + BALANCE_TOL) + 1e-12:
            held = [cn.source_ids[k] for k in np.flatnonzero(src & state.src_pressure)]
            fuel_too = " (compressor fuel would add to it)" if burning[isl] else ""
            problems.append(
                f"supply below demand in moles of gas: the demand, met with any mixture of the gases supplied, "
                f"draws at least {demand * to_mmscfd:.0f} MMSCFD ({demand:.0f} mol/s) and the sources supply at most "
                f"{fixed * to_mmscfd:.0f} MMSCFD fixed plus the capacity {cap * to_mmscfd:.0f} MMSCFD of the "
                f"pressure-held source(s) {names(held) or '(none)'}; short by {(demand - fixed - cap) * to_mmscfd:.1f} "
                f"MMSCFD{fuel_too} (MMSCFD here: moles as standard volume of the network gas). Reduce demand or add "
                "supply"
            )
    return problems
