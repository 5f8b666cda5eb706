"""Optimisation and planning on the steady-state physics of linepack.

Problems (:mod:`.problems`) are defined once against a compiled network; formulations
(:mod:`.formulations`) solve them. casadi (IPOPT) is imported only when a problem is solved, so
``import linepack.optimize`` works without the ``optimize`` extra.
"""

from .problems import Problem, capacity, dispatch, least_violation, min_fuel, nomination, shed
from .results import Binding, OptimizationResult
from .settings import CrossCheck, newton_check, settings_network
from .solve import OptimizeOptions, solve_problem

__all__ = [
    "Binding",
    "CrossCheck",
    "OptimizationResult",
    "OptimizeOptions",
    "Problem",
    "capacity",
    "dispatch",
    "least_violation",
    "min_fuel",
    "newton_check",
    "nomination",
    "settings_network",
    "shed",
    "solve_problem",
]
