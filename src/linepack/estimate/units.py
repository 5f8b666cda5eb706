"""Units of SCADA readings: each unit is a linear map to SI, ``si = factor * value + offset``.

Pressures go to Pa absolute (gauge units add the network's ambient pressure), flows to kg/s (volume and
energy units through the gas's standard densities and gross heating value, :class:`linepack.units.FlowBasis`),
power to W.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..errors import InputError
from ..model.components import FlowUnit
from ..units import BAR_PA, FlowBasis

PSI_PA = 6894.757293168361


class Quantity(StrEnum):
    """What a meter measures."""

    PRESSURE = "pressure"
    FLOW = "flow"
    POWER = "power"


@dataclass(frozen=True)
class UnitMap:
    """``si = factor * value + offset``."""

    factor: float
    offset: float = 0.0

    def to_si(self, value: float) -> float:
        return self.factor * value + self.offset

    def from_si(self, si: float) -> float:
        return (si - self.offset) / self.factor


_PRESSURE_ABS = {"Pa": 1.0, "kPa": 1e3, "MPa": 1e6, "bar": BAR_PA, "bara": BAR_PA, "psia": PSI_PA}
_PRESSURE_GAUGE = {"barg": BAR_PA, "kPag": 1e3, "MPag": 1e6, "psig": PSI_PA}
_POWER = {"W": 1.0, "kW": 1e3, "MW": 1e6}
_MASS_FLOW = {"kg/s": 1.0, "kg/h": 1.0 / 3600.0, "t/h": 1000.0 / 3600.0, "t/d": 1000.0 / 86400.0}


def units_of(quantity: Quantity) -> tuple[str, ...]:
    """The unit names accepted for ``quantity``."""
    if quantity == Quantity.PRESSURE:
        return (*_PRESSURE_GAUGE, *_PRESSURE_ABS)
    if quantity == Quantity.POWER:
        return tuple(_POWER)
    return (*_MASS_FLOW, *(u.value for u in FlowUnit if u != FlowUnit.KG_S))


def unit_map(quantity: Quantity, unit: str, ambient_pa: float, basis: FlowBasis, who: str) -> UnitMap:
    """The map of ``unit`` to SI for ``quantity``; an :class:`InputError` naming ``who`` when the unit is unknown
    or measures something else."""
    if quantity == Quantity.PRESSURE:
        if unit in _PRESSURE_ABS:
            return UnitMap(_PRESSURE_ABS[unit])
        if unit in _PRESSURE_GAUGE:
            return UnitMap(_PRESSURE_GAUGE[unit], ambient_pa)
    elif quantity == Quantity.POWER:
        if unit in _POWER:
            return UnitMap(_POWER[unit])
    else:
        if unit in _MASS_FLOW:
            return UnitMap(_MASS_FLOW[unit])
        try:
            flow_unit = FlowUnit(unit)
        except ValueError:
            flow_unit = None
        if flow_unit is not None:
            return UnitMap(basis.to_kg_s(1.0, flow_unit, who))
    other = [q.value for q in Quantity if q != quantity and unit in units_of(q)]
    what = f"a {other[0]} unit, not a {quantity.value} unit" if other else "not a known unit"
    raise InputError(f"{who}: unit '{unit}' is {what}; use one of {', '.join(units_of(quantity))}")
