"""Unit conversions at the edges of linepack (inside, everything is SI)."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InputError
from .model.components import FlowUnit

BAR_PA = 1.0e5
R_J_PER_MOL_K = 8.314462618
G_M_PER_S2 = 9.80665
ZERO_C_K = 273.15
FT3_M3 = 0.028316846592
SECONDS_PER_DAY = 86400.0
MMSCF_M3 = 1.0e6 * FT3_M3
MMBTU_J = 1.05505585262e9  # 10^6 Btu (IT)


def barg_to_pa(p_barg: float, ambient_bar: float) -> float:
    """Gauge pressure [barg] to absolute [Pa]."""
    return (p_barg + ambient_bar) * BAR_PA


def celsius_to_k(t_c: float) -> float:
    return t_c + ZERO_C_K


@dataclass(frozen=True)
class FlowBasis:
    """What a gas needs for flow-unit conversions: standard densities and the gross heating value."""

    gas_name: str
    density_15c_kg_m3: float  # 15 C, 101325 Pa
    density_60f_kg_m3: float  # 60 F, 14.696 psia
    density_0c_kg_m3: float  # 0 C, 101325 Pa
    hhv_j_per_kg: float | None  # gross heating value, None when unknown

    def to_kg_s(self, value: float, unit: FlowUnit, who: str) -> float:
        """Convert ``value`` in ``unit`` to kg/s; ``who`` names the component for error messages."""
        if unit == FlowUnit.KG_S:
            return value
        if unit == FlowUnit.SM3_H:
            return value / 3600.0 * self.density_15c_kg_m3
        if unit == FlowUnit.SM3_D:
            return value / SECONDS_PER_DAY * self.density_15c_kg_m3
        if unit == FlowUnit.NM3_H:
            return value / 3600.0 * self.density_0c_kg_m3
        if unit == FlowUnit.MMSCFD:
            return value * MMSCF_M3 / SECONDS_PER_DAY * self.density_60f_kg_m3
        if self.hhv_j_per_kg is None:
            raise InputError(
                f"{who}: unit {unit.value} needs the gas heating value, but gas '{self.gas_name}' has no composition; "
                "give a composition or use a mass or volume unit"
            )
        if unit == FlowUnit.MW:
            return value * 1.0e6 / self.hhv_j_per_kg
        if unit == FlowUnit.GJ_D:
            return value * 1.0e9 / SECONDS_PER_DAY / self.hhv_j_per_kg
        if unit == FlowUnit.MMBTU_D:
            return value * MMBTU_J / SECONDS_PER_DAY / self.hhv_j_per_kg
        raise InputError(f"{who}: unknown flow unit {unit}")  # pragma: no cover (enum is exhaustive)

    def kg_s_to_mmscfd(self, m_kg_s: float) -> float:
        return m_kg_s / self.density_60f_kg_m3 * SECONDS_PER_DAY / MMSCF_M3
