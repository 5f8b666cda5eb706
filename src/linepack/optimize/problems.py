"""Problem definitions: what is decided, within which bounds, against which objective.

A :class:`Problem` is written once against a :class:`~linepack.compile.CompiledNetwork` and knows nothing
of how it is solved; formulations (:mod:`linepack.optimize.formulations`) turn it into a solver's model.

The objective, in currency per second (or kg/s, or W, by the problem), is

``fuel_weight * sum(fuel) + power_weight * sum(P) + price . supply + shed_penalty . shed - growth_weight * L``

where ``L`` [kg/s] is the extra delivery to the capacity sinks (delivered = demand - shed + L growth).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork
from ..errors import InputError

F64 = NDArray[np.float64]

# Priority classes of load shedding, most protected first, with default penalties [USD per MMBtu not
# served] (A: ordered after Pakistan's gas allocation and curtailment priorities, domestic first).
DEFAULT_SHED_PENALTY_USD_PER_MMBTU: dict[str, float] = {
    "city_gate": 100.0,
    "power_plant": 60.0,
    "fertiliser": 40.0,
    "industry": 25.0,
    "export": 20.0,
    "other": 15.0,
}


@dataclass(frozen=True)
class Problem:
    """An optimisation problem on one compiled network (SI units; see the module docstring).

    Arrays are per source (``source_*``) or per sink (``demand``, ``shed_max``, ``shed_penalty``, ``growth``).
    """

    kind: str  # fuel | power | cost | dispatch | capacity | shed | nomination | least violation | expansion
    description: str
    objective_unit: str  # the unit of the objective value as reported
    objective_scale: float  # reported objective = raw objective * objective_scale
    fuel_weight: float  # per kg/s of fuel burnt
    power_weight: float  # per W of shaft power
    source_lo: F64  # kg/s
    source_hi: F64  # kg/s
    source_price: F64  # per kg/s supplied (currency/kg)
    demand: F64  # kg/s
    shed_max: F64  # kg/s that may be left unserved at each sink
    shed_penalty: F64  # per kg/s shed (currency/kg)
    growth: F64  # kg/s of delivery per unit of L (sums to 1 over the capacity sinks)
    growth_weight: float = 0.0  # reward per kg/s of L
    regulator_setpoint_caps: bool = True  # a regulator's set-point caps its outlet pressure
    pressure_violation_weight: float = 0.0  # > 0: node pressure limits are soft, paid per bar of violation
    # flow sources limited by a maximum send-out pressure may fall short of their nomination (as in the
    # simulator); each kg/s short costs shortfall_weight (not part of the reported objective)
    source_nominal: F64 = field(default_factory=lambda: np.zeros(0))
    shortfall_weight: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def has_growth(self) -> bool:
        return bool(np.any(self.growth != 0.0))

    @property
    def has_shedding(self) -> bool:
        return bool(np.any(self.shed_max > 0.0))


def _pressure_limited(cn: CompiledNetwork) -> NDArray[np.bool_]:
    """Flow sources with a maximum send-out pressure: they deliver less when the network pressure reaches it."""
    return ~cn.source_is_pressure & np.isfinite(cn.source_p_max_pa)


def _nominal_supply(cn: CompiledNetwork) -> tuple[F64, F64]:
    """Supply bounds with the scenario's nominations: flow sources fixed (those with a maximum send-out
    pressure between 0 and their nomination), pressure-held ones free up to capacity."""
    fixed = np.where(_pressure_limited(cn), 0.0, cn.source_inflow)
    lo = np.where(cn.source_is_pressure, np.where(cn.source_absorbs, -np.inf, 0.0), fixed)
    hi = np.where(cn.source_is_pressure, cn.source_capacity, cn.source_inflow)
    return lo.astype(float), hi.astype(float)


def _base(cn: CompiledNetwork, kind: str, description: str, unit: str, scale: float) -> Problem:
    lo, hi = _nominal_supply(cn)
    ns, nk = len(cn.source_ids), len(cn.sink_ids)
    return Problem(
        kind=kind,
        description=description,
        objective_unit=unit,
        objective_scale=scale,
        fuel_weight=0.0,
        power_weight=0.0,
        source_lo=lo,
        source_hi=hi,
        source_price=np.zeros(ns),
        demand=cn.sink_demand.astype(float).copy(),
        shed_max=np.zeros(nk),
        shed_penalty=np.zeros(nk),
        growth=np.zeros(nk),
    )


def min_fuel(cn: CompiledNetwork, objective: str = "fuel", fuel_price_usd_per_mmbtu: float = 0.0) -> Problem:
    """Optimal gas flow: demands and nominated supplies fixed; compressors and regulators are decisions.

    ``objective``: ``fuel`` (kg/s burnt, reported in MMSCFD), ``power`` (shaft MW) or ``cost`` (fuel cost in
    USD/day at ``fuel_price_usd_per_mmbtu`` on the gas's gross heating value).
    """
    if objective == "fuel":
        mmscfd = cn.gas.basis.kg_s_to_mmscfd(1.0)
        p = _base(cn, "fuel", "minimum compressor fuel for the scenario's demands and nominations", "MMSCFD", mmscfd)
        return _with_shortfall(cn, replace(p, fuel_weight=1.0), 1.0)
    if objective == "power":
        p = _base(cn, "power", "minimum compressor shaft power for the scenario's demands and nominations", "MW", 1e-6)
        return _with_shortfall(cn, replace(p, power_weight=1.0), FUEL_W_PER_KG_S)
    if objective == "cost":
        usd_per_kg = _usd_per_kg(cn, fuel_price_usd_per_mmbtu, "fuel_price_usd_per_mmbtu")
        p = _base(cn, "cost", "minimum compressor fuel cost", "USD/day", 86400.0)
        return _with_shortfall(cn, replace(p, fuel_weight=usd_per_kg), max(usd_per_kg, 1e-9))
    raise InputError(f"optimal gas flow: objective must be fuel, power or cost (got '{objective}')")


# shaft power worth one kg/s of fuel (a gas turbine at 35 % on 47 MJ/kg): converts the shortfall weight
FUEL_W_PER_KG_S = 0.35 * 47e6
SHORTFALL_FACTOR = 100.0  # a kg/s of nomination not delivered weighs as much as this many kg/s of fuel


def _with_shortfall(cn: CompiledNetwork, p: Problem, per_kg_s_of_fuel: float) -> Problem:
    """Pressure-limited flow sources deliver their nomination unless the network cannot take it."""
    nominal = np.where(_pressure_limited(cn), cn.source_inflow, 0.0)
    return replace(p, source_nominal=nominal, shortfall_weight=SHORTFALL_FACTOR * per_kg_s_of_fuel)


def _usd_per_kg(cn: CompiledNetwork, usd_per_mmbtu: float, what: str) -> float:
    hhv = cn.gas.basis.hhv_j_per_kg
    if hhv is None:
        raise InputError(f"{what}: a price per MMBtu needs the gas heating value; give the network a gas composition")
    if usd_per_mmbtu < 0:
        raise InputError(f"{what} must be >= 0 (got {usd_per_mmbtu})")
    return usd_per_mmbtu * hhv / 1.055056e9  # 1 MMBtu = 1.055056 GJ


def file_prices(cn: CompiledNetwork) -> dict[str, float]:
    """The supply prices the network file gives (``Source.price_usd_per_mmbtu``), USD/MMBtu by source id."""
    given = cn.source_price_usd_per_mmbtu
    if len(given) != len(cn.source_ids):
        return {}
    return {sid: float(v) for sid, v in zip(cn.source_ids, given, strict=True) if np.isfinite(v)}


def dispatch(
    cn: CompiledNetwork,
    price_usd_per_mmbtu: Mapping[str, float] | None,
    fuel_price_usd_per_mmbtu: float,
    supply_min_mmscfd: Mapping[str, float] | None = None,
    supply_max_mmscfd: Mapping[str, float] | None = None,
) -> Problem:
    """Least-cost supply: every source free between its minimum and its capacity at its unit price.

    Prices, minimum supplies and flexible demands come from the network file (``Source.price_usd_per_mmbtu``,
    ``supply_min``; ``Sink.demand_min``/``demand_max`` with ``value_usd_per_mmbtu``), overridden by the
    arguments. A sink with a demand range is served anywhere in it, each MMBtu it does not get costing its
    value (so that gas goes where it is worth more than it costs); other demands stay fixed. Compressors are
    decisions; the cost includes the fuel the compressors burn.
    """
    prices = {**file_prices(cn), **dict(price_usd_per_mmbtu or {})}
    missing = [s for s in cn.source_ids if s not in prices]
    if missing:
        raise InputError(
            f"dispatch: no price for source(s) {', '.join(missing)}; give price_usd_per_mmbtu in the network file or "
            "--price SOURCE=USD_PER_MMBTU"
        )
    p = _base(cn, "dispatch", "least-cost supply mix (supply plus compressor fuel)", "USD/day", 86400.0)
    price = np.array([_usd_per_kg(cn, prices[s], f"price of {s}") for s in cn.source_ids])
    file_min = cn.source_min_kg_s if len(cn.source_min_kg_s) == len(cn.source_ids) else np.zeros(len(cn.source_ids))
    lo = np.where(cn.source_absorbs, -np.inf, file_min)
    hi = cn.source_capacity.astype(float).copy()
    for mapping, arr in ((supply_min_mmscfd, lo), (supply_max_mmscfd, hi)):
        for sid, val in (mapping or {}).items():
            k = _source_index(cn, sid)
            arr[k] = val / cn.source_basis[k].kg_s_to_mmscfd(1.0)
    bad = [cn.source_ids[k] for k in np.flatnonzero(lo > hi)]
    if bad:
        raise InputError(f"dispatch: minimum supply above maximum for {', '.join(bad)}; lower the minimum")
    demand, shed_max, shed_penalty = _flexible_demand(cn)
    return replace(
        p,
        source_lo=lo,
        source_hi=hi,
        source_price=price,
        fuel_weight=_usd_per_kg(cn, fuel_price_usd_per_mmbtu, "fuel price"),
        demand=demand,
        shed_max=shed_max,
        shed_penalty=shed_penalty,
    )


def _flexible_demand(cn: CompiledNetwork) -> tuple[F64, F64, F64]:
    """Demands of dispatch: sinks with a range are served between its ends, the gas they do not get valued at
    their ``value_usd_per_mmbtu`` (demand = the top of the range, shed up to its width at that value)."""
    nk = len(cn.sink_ids)
    demand = cn.sink_demand.astype(float).copy()
    shed_max, penalty = np.zeros(nk), np.zeros(nk)
    if len(cn.sink_demand_max_kg_s) != nk:
        return demand, shed_max, penalty
    ranged = cn.sink_demand_max_kg_s > cn.sink_demand_min_kg_s * (1 + 1e-12)
    no_value = [cn.sink_ids[k] for k in np.flatnonzero(ranged & ~np.isfinite(cn.sink_value_usd_per_mmbtu))]
    if no_value:
        raise InputError(
            f"dispatch: sink(s) {', '.join(no_value)} have a demand range but no value_usd_per_mmbtu; give the value "
            "of the gas to them (or remove demand_min/demand_max)"
        )
    for k in np.flatnonzero(ranged):
        demand[k] = cn.sink_demand_max_kg_s[k]
        shed_max[k] = cn.sink_demand_max_kg_s[k] - cn.sink_demand_min_kg_s[k]
        penalty[k] = _usd_per_kg(cn, float(cn.sink_value_usd_per_mmbtu[k]), f"value of {cn.sink_ids[k]}")
    return demand, shed_max, penalty


def _source_index(cn: CompiledNetwork, sid: str) -> int:
    if sid not in cn.source_ids:
        raise InputError(f"no source '{sid}' in scenario {cn.scenario}; sources: {', '.join(cn.source_ids)}")
    return cn.source_ids.index(sid)


def _sink_index(cn: CompiledNetwork, key: str) -> list[int]:
    """Sinks named by sink id or by node id."""
    hits = [k for k, sid in enumerate(cn.sink_ids) if sid == key or cn.node_ids[cn.sink_node[k]] == key]
    if not hits:
        raise InputError(f"no sink or sink node '{key}' in scenario {cn.scenario}; sinks: {', '.join(cn.sink_ids)}")
    return hits


def capacity(cn: CompiledNetwork, sinks: Sequence[str], fuel_weight: float = 0.0) -> Problem:
    """Largest deliverable flow to ``sinks`` (ids of sinks or their nodes), shared in proportion to their demand.

    Other demands stay fixed; every source is free between 0 and its capacity; compressors are decisions.
    The objective is the total delivered to the chosen sinks (maximised).
    """
    if not sinks:
        raise InputError("capacity: name at least one sink (for example KASUR.demand LAHORE.demand)")
    idx = sorted({k for key in sinks for k in _sink_index(cn, key)})
    base = cn.sink_demand[idx]
    growth = np.zeros(len(cn.sink_ids))
    growth[idx] = base / base.sum() if base.sum() > 0 else 1.0 / len(idx)
    demand = cn.sink_demand.astype(float).copy()
    demand[idx] = 0.0
    mmscfd = cn.gas.basis.kg_s_to_mmscfd(1.0)
    names = ", ".join(cn.sink_ids[k] for k in idx)
    p = _base(cn, "capacity", f"largest delivery to {names}", "MMSCFD", -mmscfd)
    lo = np.where(cn.source_absorbs, -np.inf, 0.0)
    return replace(
        p,
        demand=demand,
        growth=growth,
        growth_weight=1.0,
        fuel_weight=fuel_weight,
        source_lo=lo,
        source_hi=cn.source_capacity.astype(float).copy(),
    )


def shed(cn: CompiledNetwork, penalty_usd_per_mmbtu: Mapping[str, float] | None = None) -> Problem:
    """Load shedding: serve as much as the scenario's supply allows, cutting the cheapest priority class first.

    Each sink may be cut down to zero at the penalty of its category (``DEFAULT_SHED_PENALTY_USD_PER_MMBTU``
    unless given); supplies stay as nominated (pressure-held sources up to capacity); compressors are
    decisions; fuel costs nothing next to the penalties (a tie-breaker of 1e-6 of the smallest penalty).
    """
    pen = dict(DEFAULT_SHED_PENALTY_USD_PER_MMBTU)
    for cat, val in (penalty_usd_per_mmbtu or {}).items():
        if cat not in pen:
            raise InputError(f"shed: unknown priority class '{cat}'; classes: {', '.join(pen)}")
        if val <= 0:
            raise InputError(f"shed: penalty of {cat} must be > 0 (got {val})")
        pen[cat] = float(val)
    p = _base(cn, "shed", "least-penalty load shedding by priority class", "USD/day", 86400.0)
    per_kg = np.array([_usd_per_kg(cn, pen[c], f"penalty of {c}") for c in cn.sink_category])
    tie = 1e-6 * float(per_kg.min()) if len(per_kg) else 0.0
    return replace(p, shed_max=cn.sink_demand.astype(float).copy(), shed_penalty=per_kg, fuel_weight=tie)


def nomination(cn: CompiledNetwork) -> Problem:
    """GasLib nomination feasibility: find compressor and control-valve settings meeting every bound.

    Supplies and demands are the nomination's; the objective is the compressor power (a feasible point
    with the least power, so that the settings are unique); control valves are free between their inlet
    pressure and the node bounds (their set-point does not cap the outlet).
    """
    p = _base(cn, "nomination", "nomination feasibility (least compressor power among feasible settings)", "MW", 1e-6)
    return _with_shortfall(cn, replace(p, power_weight=1.0, regulator_setpoint_caps=False), FUEL_W_PER_KG_S)


def least_violation(cn: CompiledNetwork) -> Problem:
    """The nomination with soft pressure limits: the settings that violate the node pressure limits least
    (sum of the violations in bar). Zero means the nomination is feasible; otherwise it names the limits that
    cannot be met together within the model and by how much."""
    p = _base(cn, "least violation", "nomination with soft pressure limits (least total violation)", "bar", 1.0)
    return replace(p, pressure_violation_weight=1.0, regulator_setpoint_caps=False)
