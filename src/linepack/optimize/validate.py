"""Nomination validation with discrete decisions: is there an operating mode (valves open or closed, control
valves and stations active, bypassed or closed) and continuous settings that meet every limit?

The search, within a CPU time budget, each step recorded with its outcome and time:

1. the supply-demand balance of every island (:mod:`.verdicts`), which no setting can change;
2. the exact NLP in the modes as given (valves as in the file, stations and control valves free in their
   own direction);
3. MILP screening (:mod:`.formulations.milp_modes`): the piecewise-linear model with every valve, control
   valve and station mode a binary, within the .cdf's combined decisions when given, its flow ranges narrowed
   by bound tightening (:mod:`.formulations.milp_bounds`) and each pipe law widened by its interpolation error
   (a relaxation of the law at the frozen coefficients). When the MILP is infeasible, no discrete choice makes
   that model feasible, and the search says so; when it stops at the time limit, it says that instead;
4. the exact NLP in each mode the MILP chooses, the next choice excluded by a no-good cut, up to
   ``max_choices``;
5. when nothing is feasible, the least total violation of the pressure limits (soft limits), bounded too.

Every answer is local (IPOPT) or approximate (the MILP's piecewise-linear law): "infeasible" comes with
what was searched, not as a proof.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from ..compile import CompiledNetwork, compile_network
from ..errors import InfeasibleError, InputError, LinepackError
from ..model.network import Network
from .formulations.milp import MilpOptions, solve_milp
from .modes import ModeSpace, gaslib_mode_space, mode_space, with_modes
from .problems import least_violation, nomination
from .results import OptimizationResult
from .solve import OptimizeOptions, solve_nlp
from .verdicts import supply_verdicts


@dataclass(frozen=True)
class Attempt:
    """One step of the search: what was tried, how it ended, CPU seconds."""

    what: str
    outcome: str
    cpu_s: float


@dataclass(frozen=True)
class Validation:
    """The outcome of :func:`validate_nomination`."""

    feasible: bool
    result: OptimizationResult | None  # the feasible optimum, or the least-violation settings, or None
    modes: dict[str, str]  # element id -> state of the mode found feasible (empty: as given)
    attempts: tuple[Attempt, ...]
    cpu_s: float
    notes: tuple[str, ...] = field(default_factory=tuple)


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0]


def validate_nomination(
    network: Network,
    case: object | None = None,
    scenario: str | None = None,
    time_limit_s: float = 120.0,
    max_choices: int = 4,
    milp: MilpOptions | None = None,
) -> Validation:
    """Search for a feasible operating mode and settings of ``network``'s nomination (see the module docstring).

    ``case``: a GaslibCase whose .cdf decisions restrict the modes (None: every mode free). ``time_limit_s``:
    CPU seconds for the whole search (each step gets what is left)."""
    t0 = time.process_time()
    attempts: list[Attempt] = []

    def left() -> float:
        return time_limit_s - (time.process_time() - t0)

    def record(what: str, outcome: str, since: float) -> None:
        attempts.append(Attempt(what, outcome, time.process_time() - since))

    def done(feasible: bool, res: OptimizationResult | None, modes: dict[str, str], *notes: str) -> Validation:
        return Validation(feasible, res, modes, tuple(attempts), time.process_time() - t0, notes)

    cn = compile_network(network, scenario)
    problem = nomination(cn)
    s = time.process_time()
    lines = supply_verdicts(cn, problem)
    if lines:
        record("supply-demand balance of every island", "infeasible: " + "; ".join(lines), s)
        return done(False, None, {})
    record("supply-demand balance of every island", "balanced", s)

    s = time.process_time()
    try:
        res = solve_nlp(cn, problem, OptimizeOptions(time_limit_s=max(left(), 1.0)))
        record("exact NLP in the modes as given", "feasible", s)
        return done(True, res, {})
    except LinepackError as exc:
        record("exact NLP in the modes as given", f"no feasible point ({_first_line(exc)})", s)

    space = gaslib_mode_space(cn, case) if case is not None else mode_space(cn)
    what = (
        f"MILP screening: {len(space.valves)} valves, {len(space.regulators)} control valves and "
        f"{len(space.compressors)} stations free"
        + (f", within {len(space.groups)} groups of combined decisions" if space.groups else "")
    )
    cuts: list[dict[int, str]] = []
    # a relaxation (each pipe law widened by its interpolation error) on tightened flow ranges: an infeasible
    # MILP then excludes every mode for the frozen coefficients, instead of reflecting the chord error
    mopt = milp or MilpOptions(breakpoints=9, rounds=1, relaxation=True)
    for choice in range(1, max_choices + 1):
        if left() <= 1.0:
            record(what, "stopped: time limit", time.process_time())
            break
        s = time.process_time()
        try:
            sol = solve_milp(cn, problem, replace(mopt, time_limit_s=max(left(), 1.0)), modes=space, mode_cuts=cuts)
        except InfeasibleError as exc:
            if "Time limit" in str(exc):  # HiGHS stopped before finding a point or proving there is none
                verdict = "stopped at the time limit: no mode found, none excluded (not a proof)"
            elif choice == 1:
                verdict = (
                    "infeasible: no choice of these modes makes the piecewise-linear relaxation feasible "
                    "(pipe laws widened by their interpolation error, at the frozen coefficients)"
                )
            else:
                verdict = f"no further choice ({_first_line(exc)})"

            record(what if choice == 1 else f"MILP screening, choice {choice}", verdict, s)
            break
        except InputError as exc:
            record(what, f"not applicable ({_first_line(exc)})", s)
            break
        record(what if choice == 1 else f"MILP screening, choice {choice}", f"a mode found ({sol.status})", s)
        cuts.append(dict(sol.modes))
        named = {cn.edge_ids[e]: st for e, st in sol.modes.items()}
        s = time.process_time()
        try:
            mode_net = with_modes(network, cn, sol.modes)
            mcn = compile_network(mode_net, scenario)
            res = solve_nlp(mcn, nomination(mcn), OptimizeOptions(time_limit_s=max(left(), 1.0)))
            record(f"exact NLP in the MILP's mode {choice}", "feasible", s)
            return done(True, res, named, _mode_note(named))
        except LinepackError as exc:
            record(f"exact NLP in the MILP's mode {choice}", f"no feasible point ({_first_line(exc)})", s)

    s = time.process_time()
    if left() <= 1.0:
        return done(False, None, {})
    try:
        soft = solve_nlp(cn, least_violation(cn), OptimizeOptions(time_limit_s=max(left(), 1.0)))
        record("least total violation of the pressure limits (modes as given)", f"{soft.objective:,.3g} bar", s)
        return done(False, soft, {})
    except LinepackError as exc:
        record("least total violation of the pressure limits (modes as given)", f"stopped ({_first_line(exc)})", s)
    return done(False, None, {})


def _mode_note(named: dict[str, str]) -> str:
    closed = sorted(k for k, v in named.items() if v == "closed")
    bypass = sorted(k for k, v in named.items() if v == "bypass")
    parts = [f"{len(named)} elements' modes chosen by the MILP"]
    if closed:
        parts.append(f"closed: {', '.join(closed[:12])}{' ...' if len(closed) > 12 else ''}")
    if bypass:
        parts.append(f"bypassed: {', '.join(bypass[:12])}{' ...' if len(bypass) > 12 else ''}")
    return "; ".join(parts)


def mode_space_of(cn: CompiledNetwork, case: object | None) -> ModeSpace:
    """The modes :func:`validate_nomination` searches for ``cn`` (with a GaslibCase's .cdf groups)."""
    return gaslib_mode_space(cn, case) if case is not None else mode_space(cn)
