"""One LNG terminal over a run: tank inventory, boil-off, berths and unloading, send-out limits.

Everything is in kilograms and seconds inside. A step from ``t0`` to ``t1`` has two halves:

1. :meth:`TerminalSim.prepare` -- carriers arriving join the berth queue; the berth timeline gives the LNG the
   carriers could unload in the step if the tank had room (``U_max``); the boil-off ``B`` of the step
   (constant heat ingress: ``boil_off_pct_per_day`` of the full tank a day, never more than the tank holds);
   and the send-out limits of the step. LNG that may be sent out::

       A = min(regas_max dt, I0 - B_rem + min(U_max, room0) - heel)       room0 = capacity - I0 + B_rem

   (``B_rem`` is the boil-off that leaves the tank: all of it unless it is reliquefied). Unloading that
   needs more room than the tank has asks for a send-out of at least ``U_max - room0`` (make room).
2. :meth:`TerminalSim.commit` -- with the send-out the network took, ``S`` (gas, kg), the boil-off
   recovered into the send-out is ``R = min(B, S)`` when its fate is ``send_out`` (0 otherwise), the liquid
   regasified ``S_liq = S - R``, the boil-off lost (burnt or flared) ``L = B - R`` (0 when reliquefied), the
   carriers unload ``U = min(U_max, room0 + S_liq)`` in order of their unloading start, and::

       I1 = I0 - B_rem + U - S_liq        so that        U = S + L + (I1 - I0)   exactly.

A carrier that cannot unload everything in a step stays at its berth; the next carrier berths when the
berth is free (``unberthing_h`` after the end of unloading) and unloads after ``berthing_h``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from ..gas.composition import GasComposition
from .berths import Berths, CargoLog
from .lng import LngProperties, mix_liquids
from .model import BoilOffFate, LngTerminal
from .schedule import Cargo

H = 3600.0
DAY = 86400.0


@dataclass(frozen=True)
class StepLimits:
    """Send-out limits of one terminal for one step (gas into the grid, kg over the step)."""

    lo_kg: float  # at least this (make room for a carrier, or keep a train running)
    hi_kg: float  # at most this (regasification trains and LNG above the heel)
    usable_kg: float  # LNG above the heel after the unloading of the step (dispatch weight)
    boil_off_kg: float
    unload_max_kg: float


@dataclass
class TerminalSim:
    """Mutable state of one terminal during a run."""

    spec: LngTerminal
    lng: LngProperties  # the tank's LNG at the start
    cargoes: list[Cargo]  # the run's whole schedule (shared)
    props_of: dict[str, LngProperties]  # composition name -> properties (cargo compositions)
    start: datetime

    def __post_init__(self) -> None:
        self.composition: GasComposition = self.lng.composition
        self.rho = self.lng.density_kg_m3
        self.inventory_kg = self.spec.start_m3 * self.rho
        mine = [i for i, c in enumerate(self.cargoes) if c.terminal == self.spec.id]
        logs = {i: CargoLog(i, (self.cargoes[i].arrival - self.start).total_seconds(),
                            status="cancelled" if self.cargoes[i].cancelled else "due") for i in mine}
        self.berths = Berths(
            self.spec.berths, self.spec.berthing_h * H, self.spec.unberthing_h * H,
            {i: self.cargoes[i].volume_m3 * self.cargo_props(i).density_kg_m3 for i in mine},
            {i: self.spec.unloading_m3_per_h / H * self.cargo_props(i).density_kg_m3 for i in mine}, logs,
        )
        self._pending: tuple[float, float, float, float, float] | None = None

    @property
    def logs(self) -> dict[int, CargoLog]:
        return self.berths.logs

    # ---------------------------------------------------------------- properties
    def cargo_props(self, i: int) -> LngProperties:
        c = self.cargoes[i]
        return self.props_of[c.lng] if c.lng is not None else self.lng

    @property
    def heel_kg(self) -> float:
        return self.spec.heel_m3 * self.rho

    @property
    def capacity_kg(self) -> float:
        return self.spec.tank_m3 * self.rho

    def regas_max_kg_s(self) -> float:
        return self.lng.mmscfd_to_kg_s(self.spec.regas_max_mmscfd)

    def train_min_kg_s(self) -> float:
        return self.lng.mmscfd_to_kg_s(self.spec.train_min_mmscfd)

    def nominal_kg_s(self) -> float:
        return self.lng.mmscfd_to_kg_s(self.spec.nominal_mmscfd or self.spec.regas_max_mmscfd)

    def inventory_m3(self) -> float:
        return self.inventory_kg / self.rho

    # ---------------------------------------------------------------- step
    def prepare(self, t0: float, t1: float) -> StepLimits:
        """Limits of the step [t0, t1) (call :meth:`commit` next)."""
        dt = t1 - t0
        self.berths.arrive(t1)
        boil = min(self.spec.boil_off_pct_per_day / 100.0 * self.capacity_kg * dt / DAY, self.inventory_kg)
        removed = 0.0 if self.spec.boil_off_fate == BoilOffFate.RELIQUEFIED else boil
        unload_max, _ = self.berths.unload(t0, t1, np.inf, commit=False)
        room0 = max(self.capacity_kg - self.inventory_kg + removed, 0.0)
        after = self.inventory_kg - removed + min(unload_max, room0)
        avail = max(min(self.regas_max_kg_s() * dt, after - self.heel_kg), 0.0)
        lo = min(max(unload_max - room0, 0.0), avail)
        if self.spec.must_run and avail > 0:
            lo = max(lo, min(self.train_min_kg_s() * dt, avail))
        recover = boil if self.spec.boil_off_fate == BoilOffFate.SEND_OUT else 0.0
        self._pending = (t0, t1, boil, removed, room0)
        usable = max(after - self.heel_kg, 0.0)
        return StepLimits(lo + recover if lo > 0 else 0.0, avail + recover, usable, boil, unload_max)

    def commit(self, sent_kg: float) -> dict[str, float]:
        """Book the step with the gas the network took (``sent_kg``); returns the step's amounts (kg)."""
        assert self._pending is not None, "prepare() first"
        t0, t1, boil, removed, room0 = self._pending
        self._pending = None
        fate = self.spec.boil_off_fate
        recovered = min(boil, sent_kg) if fate == BoilOffFate.SEND_OUT else 0.0
        liquid = sent_kg - recovered
        lost = 0.0 if fate == BoilOffFate.RELIQUEFIED else boil - recovered
        unloaded, parts_ = self.berths.unload(t0, t1, room0 + liquid, commit=True)
        before = self.inventory_kg - removed - liquid
        if unloaded > 0:
            parts = [(self.composition, max(before, 0.0))]
            parts += [(self.cargo_props(i).composition, kg) for i, kg in parts_]
            mixed = mix_liquids(f"{self.spec.id} tank", parts)
            if not np.allclose(mixed.mole_fractions, self.composition.mole_fractions, rtol=0, atol=1e-12):
                self.composition = mixed
                self.rho = LngProperties.of(mixed, self.lng.temperature_k).density_kg_m3
        self.inventory_kg = before + unloaded
        return {"sent": sent_kg, "liquid": liquid, "boil_off": boil, "recovered": recovered, "lost": lost,
                "unloaded": unloaded}

    def waiting(self) -> int:
        return self.berths.waiting()

    def finish(self) -> None:
        """Statuses at the end of the run."""
        self.berths.finish()
