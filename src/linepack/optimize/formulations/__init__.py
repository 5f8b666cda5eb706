"""Formulations: how a :class:`~linepack.optimize.problems.Problem` becomes a solver's model.

``nlp``: the exact nonlinear programme (casadi + IPOPT); discrete choices (expansion candidates, GasLib
combined decisions) handled around it by exhaustive search with bounds (``expansion``, ``decisions``).
``milp``: the same problems with a piecewise-linear pipe law in squared pressures and linearised compressor
power (HiGHS), where expansion candidates are binaries (``expansion_milp``); its answers are verified by the
steady Newton solver and, for expansion, by the exact NLP.
"""
