"""An underground gas store over a run: working gas, rate limits from the fill, exact inventory balance.

The store holds pipeline gas (the network's gas; kilograms inside, MMSCF at 60 F at the edges). Over a step
of length ``dt`` with fill ``f = G / G_max`` at its start (explicit in the fill), the rates are limited by::

    withdrawal <= min(c_w(f) W_max, G / dt)             injection <= min(c_i(f) J_max, (G_max - G) / dt)

with ``c_w``, ``c_i`` the piecewise-linear curves of the storage file, and the working gas moves by
``G1 = G0 + (injection - withdrawal) dt`` exactly. Cushion gas is never withdrawn (reported only).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..units import FlowBasis
from .lng import MMSCF_M3
from .model import Storage


def curve_factor(curve: list[tuple[float, float]], fill: float) -> float:
    """The factor of a [fill, factor] curve at ``fill`` (piecewise linear, held beyond the ends)."""
    xs = np.array([p[0] for p in curve])
    ys = np.array([p[1] for p in curve])
    return float(np.interp(fill, xs, ys))


@dataclass
class StorageSim:
    """Mutable state of one store during a run."""

    spec: Storage
    basis: FlowBasis  # the network gas (MMSCF <-> kg)

    def __post_init__(self) -> None:
        self.kg_per_mmscf = self.basis.density_60f_kg_m3 * MMSCF_M3
        self.capacity_kg = self.spec.working_gas_mmscf * self.kg_per_mmscf
        self.gas_kg = self.spec.initial_fill * self.capacity_kg

    def mmscfd_to_kg_s(self, mmscfd: float) -> float:
        return mmscfd * self.kg_per_mmscf / 86400.0

    @property
    def fill(self) -> float:
        return self.gas_kg / self.capacity_kg

    def limits(self, dt: float) -> tuple[float, float]:
        """(withdrawal, injection) limits over a step of ``dt`` seconds [kg]."""
        f = self.fill
        w = min(curve_factor(self.spec.withdrawal_curve, f) * self.mmscfd_to_kg_s(self.spec.max_withdrawal_mmscfd)
                * dt, self.gas_kg)
        j = 0.0
        if self.spec.injection_sink is not None:
            j = min(curve_factor(self.spec.injection_curve, f) * self.mmscfd_to_kg_s(self.spec.max_injection_mmscfd)
                    * dt, self.capacity_kg - self.gas_kg)
        return max(w, 0.0), max(j, 0.0)

    def commit(self, withdrawn_kg: float, injected_kg: float) -> None:
        self.gas_kg = self.gas_kg + injected_kg - withdrawn_kg
