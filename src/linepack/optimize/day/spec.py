"""What a day-ahead optimisation decides, within which limits, against which objective (SI units inside).

A :class:`DaySpec` fixes the time grid (horizon, control period, the implicit Euler step of the transient
simulator and its segment length), how the day starts and ends, which elements are decisions, the ramp
limits and the objective. It knows nothing of how the problem is solved.

Objective terms (each multiplied by its weight, in the units given):

======================  ===========================================================================
term                    value
======================  ===========================================================================
``fuel``                compressor fuel burnt over the horizon [t]
``cost``                supply at its price + gas-driven compressor fuel at the fuel price + electric
                        compressor energy at the electricity price + unserved-gas penalties [USD]
``unserved``            unserved gas at the penalty of its priority class [USD]
``linepack``            gas in the pipes at the end of the horizon [t] (a reward: larger is better)
======================  ===========================================================================
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ...errors import InputError
from ..problems import DEFAULT_SHED_PENALTY_USD_PER_MMBTU
from .prices import PriceSeries

TERMS = ("fuel", "cost", "unserved", "linepack")
OBJECTIVES: dict[str, dict[str, float]] = {
    "fuel": {"fuel": 1.0},
    "cost": {"cost": 1.0},
    "unserved": {"unserved": 1.0},
    "linepack": {"linepack": 1.0},
}

# Ramp limits (A: assumed operating practice, no PSGP figure): how fast a dispatcher moves a set-point or a
# send-out from one control period to the next.
RAMP_BAR_PER_H = 5.0  # compressor discharge, regulator outlet and terminal send-out pressure
RAMP_RATIO_PER_H = 0.1  # compressor pressure ratio
RAMP_SUPPLY_FRACTION_PER_H = 0.25  # send-out of a flow-controlled supply, fraction of its capacity per hour


class StartMode(StrEnum):
    """Where the day starts.

    ``steady``: the steady state of the boundary values at t = 0 (the transient simulator's start);
    ``settled``: the state at midnight after ``settle_days`` days run with the default set-points (a realistic
    morning state: the simulator's daily cycle settles in two to three days);
    ``periodic``: the start is a decision equal to the end state (a repeating day);
    ``optimal``: the steady least-fuel state of the boundary values at t = 0 (``linepack optimize fuel`` on
    them): a start that keeps the limits where the default set-points' steady state does not.
    """

    STEADY = "steady"
    OPTIMAL = "optimal"
    SETTLED = "settled"
    PERIODIC = "periodic"


class EndMode(StrEnum):
    """End-of-horizon linepack: at least the start (``start``), at least a target (``target``), or free."""

    START = "start"
    TARGET = "target"
    FREE = "free"


@dataclass(frozen=True)
class DaySpec:
    """A day-ahead optimisation (see the module docstring; times in seconds, lengths in metres).

    ``step_s`` is the implicit Euler step of the transient simulator the optimiser solves exactly (a divisor
    of the control period); ``segment_length_m`` its longest pipe segment. ``free_supply``: ids of flow
    sources whose send-out is a decision between 0 and capacity ("*": every flow source); the others keep
    their nomination (those with a maximum send-out pressure may fall short of it, at a penalty, as in the
    simulator). ``switch_off``: pressure-controlled stations may be switched off (bypassed) for whole periods,
    except those in ``must_run``. ``allow_shed``: deliveries may be cut, at ``shed_penalty_usd_per_mmbtu`` per
    priority class. ``end_target_kg``: the end linepack for ``end=target``.
    """

    horizon_s: float = 86400.0
    period_s: float = 3600.0
    # the default grid: 40 km segments and 30 min steps (PSGP's hourly day in under a minute of CPU; its error
    # against the simulator's 1 km / 60 s grid is measured in docs/day-ahead.md)
    step_s: float = 1800.0
    segment_length_m: float = 40_000.0
    start: StartMode = StartMode.PERIODIC
    settle_days: int = 2
    end: EndMode = EndMode.START
    end_target_kg: float = math.nan
    weights: Mapping[str, float] = field(default_factory=lambda: dict(OBJECTIVES["fuel"]))
    allow_shed: bool = False
    shed_penalty_usd_per_mmbtu: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_SHED_PENALTY_USD_PER_MMBTU)
    )
    free_supply: tuple[str, ...] = ()
    switch_off: bool = True
    must_run: tuple[str, ...] = ()
    ramp_bar_per_h: float = RAMP_BAR_PER_H
    ramp_ratio_per_h: float = RAMP_RATIO_PER_H
    ramp_supply_fraction_per_h: float = RAMP_SUPPLY_FRACTION_PER_H
    prices: PriceSeries | None = None  # None: the flat prices of linepack/data/costs.yaml
    max_rounds: int = 12  # friction fixed point (and station on/off) rounds
    friction_tol: float = 1e-9  # relative change of the lagged friction factors that ends the rounds
    # IPOPT's optimality tolerance on the NLP scaled by the default day's objective (order 1). Feasibility
    # (the step equations the replay checks) is held to 1e-9 whatever this is; 1e-8 made the PSGP day crawl
    # through ~150 more iterations per solve, for the same objective to 4 digits (docs/day-ahead.md).
    ipopt_tol: float = 1e-5
    max_iter: int = 1500  # IPOPT iterations per solve
    max_cpu_s: float = 300.0  # IPOPT CPU time per solve

    @property
    def n_steps(self) -> int:
        return round(self.horizon_s / self.step_s)

    @property
    def n_periods(self) -> int:
        return round(self.horizon_s / self.period_s)

    @property
    def substeps(self) -> int:
        return round(self.period_s / self.step_s)

    def check(self) -> None:
        """Raise :class:`InputError` listing every inconsistent field."""
        bad: list[str] = []
        for name in ("horizon_s", "period_s", "step_s", "segment_length_m", "max_cpu_s"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0):
                bad.append(f"{name} must be a positive number (got {v!r})")
        if not bad:
            if abs(self.horizon_s / self.period_s - round(self.horizon_s / self.period_s)) > 1e-9:
                bad.append(
                    f"the horizon ({self.horizon_s / 3600:g} h) must be a whole number of control periods "
                    f"({self.period_s / 3600:g} h)"
                )
            whole = abs(self.period_s / self.step_s - round(self.period_s / self.step_s)) <= 1e-9
            if not whole or self.step_s > self.period_s:
                bad.append(
                    f"the control period ({self.period_s:g} s) must be a whole number of time steps ({self.step_s:g} s)"
                )
        unknown = [k for k in self.weights if k not in TERMS]
        if unknown:
            bad.append(f"objective: unknown term(s) {', '.join(unknown)}; terms: {', '.join(TERMS)}")
        if any(not math.isfinite(w) or w < 0 for w in self.weights.values()):
            bad.append("objective weights must be finite and >= 0 (linepack is a reward: give it a positive weight)")
        if not any(w > 0 for w in self.weights.values()):
            bad.append("objective: give at least one term a positive weight (fuel, cost, unserved or linepack)")
        if self.weights.get("unserved", 0.0) > 0 and not self.allow_shed:
            bad.append("objective 'unserved' needs shedding allowed (allow_shed=True, CLI --allow-shed)")
        for cat, v in self.shed_penalty_usd_per_mmbtu.items():
            if not (math.isfinite(v) and v > 0):
                bad.append(f"shed penalty of {cat} must be > 0 USD/MMBtu (got {v!r})")
        if self.end == EndMode.TARGET and not (math.isfinite(self.end_target_kg) and self.end_target_kg > 0):
            bad.append(f"end linepack target must be > 0 kg (got {self.end_target_kg!r}); give it in tonnes on the CLI")
        if self.start == StartMode.PERIODIC and self.end != EndMode.START:
            bad.append("a periodic day ends where it starts: the end linepack option does not apply (use end=start)")
        if self.settle_days < 1:
            bad.append(f"settle_days must be >= 1 (got {self.settle_days})")
        for name in ("ramp_bar_per_h", "ramp_ratio_per_h", "ramp_supply_fraction_per_h"):
            v = getattr(self, name)
            if not (v > 0):
                bad.append(f"{name} must be > 0 (got {v!r}; a large value means no ramp limit)")
        if self.max_rounds < 1:
            bad.append(f"max_rounds must be >= 1 (got {self.max_rounds})")
        if bad:
            raise InputError(["day-ahead optimisation: " + b for b in bad])
