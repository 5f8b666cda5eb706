"""Send-out targets of the terminals and stores for one step: by inventory (default) or from a plan.

:func:`share` is the default rule (A, an operator keeping the terminals' days of cover even): each terminal
sends at least its lower limit (room for a carrier, a train kept running), and the rest of the gas the grid
needs is shared in proportion to the LNG each holds above its heel, capped at what each may send out
(water filling). A store withdraws only what the terminals cannot give, and injects in its injection months
only from what they could give beyond the grid's needs.

The network's pressure-held terminal (the slack) takes whatever the network draws beyond the other targets;
its own target only decides the others' shares.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]


def share(total: float, lo: F64, hi: F64, weight: F64) -> F64:
    """Targets ``x`` with ``lo <= x <= hi`` summing to ``total`` where possible: the lower limits first
    (scaled down when they exceed ``total``), then the rest in proportion to ``weight``, capped at ``hi``."""
    lo = np.minimum(lo, hi)
    if total <= 0:
        return np.zeros_like(lo)
    base = float(np.sum(lo))
    if base >= total:
        return lo * (total / base) if base > 0 else np.zeros_like(lo)
    x = lo.copy()
    rest = total - base
    free = hi - lo > 1e-12 * max(float(np.max(hi, initial=0.0)), 1.0)
    w = np.where(free, np.maximum(weight, 0.0), 0.0)
    if not np.any(w > 0):
        w = np.where(free, 1.0, 0.0)
    for _ in range(len(x) + 1):
        if rest <= 0 or not np.any(free):
            break
        ww = np.where(free, w, 0.0)
        if float(np.sum(ww)) <= 0:
            ww = free.astype(float)
        add = rest * ww / float(np.sum(ww))
        room = hi - x
        take = np.minimum(add, room)
        x += take
        rest -= float(np.sum(take))
        free = free & (hi - x > 1e-12 * max(float(np.max(hi, initial=0.0)), 1.0))
    return x


@dataclass(frozen=True)
class Targets:
    """One step's targets [kg/s]: terminal send-outs, store withdrawals and injections."""

    terminal: F64
    withdrawal: F64
    injection: F64


class InventoryDispatch:
    """The default rule (see the module docstring)."""

    name = "by inventory"

    def targets(self, k: int, need_kg_s: float, lo: F64, hi: F64, usable: F64, w_max: F64, j_max: F64,
                j_ask: F64) -> Targets:
        """``need_kg_s``: what the grid needs from terminals and stores (demand + fuel - fixed supplies);
        ``lo``, ``hi``, ``usable``: terminal limits and LNG above the heels; ``w_max``: store withdrawal
        limits; ``j_max``, ``j_ask``: store injection limits and the injections asked for (within them)."""
        cap = float(np.sum(hi))
        short = max(need_kg_s - cap, 0.0)
        withdraw = share(short, np.zeros_like(w_max), w_max, w_max) if len(w_max) else w_max
        spare = max(cap - need_kg_s, 0.0)
        inject = share(min(spare, float(np.sum(j_ask))), np.zeros_like(j_ask), j_ask, j_ask) if len(j_ask) else j_ask
        total = need_kg_s + float(np.sum(inject)) - float(np.sum(withdraw))
        return Targets(share(total, lo, hi, usable), withdraw, inject)


class PlanDispatch:
    """Targets from a plan: send-out of every terminal and withdrawal/injection of every store per step
    [kg/s], arrays of shape (steps, terminals) and (steps, stores); held within the step's limits."""

    name = "plan"

    def __init__(self, terminal: F64, withdrawal: F64, injection: F64) -> None:
        self.terminal, self.withdrawal, self.injection = terminal, withdrawal, injection

    def targets(self, k: int, need_kg_s: float, lo: F64, hi: F64, usable: F64, w_max: F64, j_max: F64,
                j_ask: F64) -> Targets:
        return Targets(
            np.clip(self.terminal[k], np.minimum(lo, hi), hi),
            np.clip(self.withdrawal[k], 0.0, w_max) if len(w_max) else w_max,
            np.clip(self.injection[k], 0.0, j_max) if len(j_max) else j_max,
        )
