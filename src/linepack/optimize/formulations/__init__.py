"""Formulations: how a :class:`~linepack.optimize.problems.Problem` becomes a solver's model.

``nlp``: the exact nonlinear programme (casadi + IPOPT). Discrete choices (expansion candidates, GasLib
combined decisions) are handled around it by exhaustive search with bounds (``expansion``, ``decisions``);
a piecewise-linear MILP formulation is not written yet.
"""
