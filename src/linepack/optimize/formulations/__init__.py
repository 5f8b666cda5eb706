"""Formulations: how a :class:`~linepack.optimize.problems.Problem` becomes a solver's model.

``nlp``: the exact nonlinear programme (casadi + IPOPT). ``enumerate``: discrete choices (expansion) by
exhaustive NLPs over candidate combinations with a capital-cost bound.
"""
