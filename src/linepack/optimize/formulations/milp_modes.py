"""Operating modes as binaries of the MILP (:mod:`.milp`): valves open or closed, control valves and compressor
stations active, bypassed or closed (:class:`~linepack.optimize.modes.ModeSpace`).

Per valve a binary ``o`` (open): ``|q| <= Qmax o`` and ``|pi_i - pi_j| <= M (1 - o)`` (squared pressures).
Per control valve or station binaries ``a`` (active) and ``y`` (bypass), ``a + y <= 1`` (neither: closed):
``-Qmax y <= q <= q_max a + Qmax y``; active: outlet below inlet (control valve) or ``pi_s <= pi_d <= r_max^2 pi_s``
with the station's power plane (station), each relaxed by ``M (1 - a)``; bypass: ``|pi_i - pi_j| <= M (1 - y)``.
A decision group takes exactly one option (binaries ``d``), whose states bound the element binaries. No-good
cuts exclude earlier choices. ``M`` is the squared-pressure span of the two ends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...compile import CompiledNetwork
from ..modes import ModeSpace

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def add_mode_rows(
    b: Any,
    cn: CompiledNetwork,
    space: ModeSpace,
    PI: I64,
    Q: I64,
    Wp: I64,
    hi2: F64,
    Qm: float,
    m_ref: float,
    plane: Any,
    cuts: Sequence[Mapping[int, str]] = (),
) -> dict[int, tuple[str, I64]]:
    """Binaries and rows of the modes; returns, per free edge, its kind and its binary columns (``o`` for
    valves, ``(a, y)`` for control valves and stations) to read the choice from the solution.

    ``plane(k)`` gives the power plane ``(c0, cq, cs, cd)`` [W; W per kg/s, per Pa^2] of compressor index ``k``
    at the reference point (``plane.pr2``: Pa^2 per unit of ``PI``; ``plane.w_ref``: W per unit of ``Wp``);
    ``cuts`` are earlier choices (edge: state) that may not be taken again."""
    ef, et = cn.edge_from, cn.edge_to
    cols: dict[int, tuple[str, I64]] = {}
    # valves
    for e in space.valves:
        o = b.add(1, 0.0, 1.0, integer=True)
        big = float(hi2[ef[e]] + hi2[et[e]])
        b.rows_(1, [(Q[[e]], 1.0), (o, -Qm)], -np.inf, 0.0)
        b.rows_(1, [(Q[[e]], 1.0), (o, Qm)], 0.0, np.inf)
        b.rows_(1, [(PI[[ef[e]]], 1.0), (PI[[et[e]]], -1.0), (o, big)], -np.inf, big)
        b.rows_(1, [(PI[[ef[e]]], 1.0), (PI[[et[e]]], -1.0), (o, -big)], -big, np.inf)
        cols[e] = ("valve", o)
    # control valves and stations
    comp_pos = {int(e): k for k, e in enumerate(cn.comp_edge)}
    reg_pos = {int(e): k for k, e in enumerate(cn.reg_edge)}
    for e in (*space.regulators, *space.compressors):
        a = b.add(1, 0.0, 1.0, integer=True)
        y = b.add(1, 0.0, 1.0, integer=True)
        both = np.concatenate([a, y])
        b.rows_(1, [(a, 1.0), (y, 1.0)], -np.inf, 1.0)
        big = float(hi2[ef[e]] + hi2[et[e]])
        if e in comp_pos:
            k = comp_pos[e]
            qmax = min(float(cn.comp_flow_max[k]) / m_ref, Qm)
        else:
            k = reg_pos[e]
            qmax = min(float(cn.reg_flow_max[k]) / m_ref, Qm)
        b.rows_(1, [(Q[[e]], 1.0), (y, Qm)], 0.0, np.inf)
        b.rows_(1, [(Q[[e]], 1.0), (a, -qmax), (y, -Qm)], -np.inf, 0.0)
        # bypass: equal pressures
        b.rows_(1, [(PI[[ef[e]]], 1.0), (PI[[et[e]]], -1.0), (y, big)], -np.inf, big)
        b.rows_(1, [(PI[[ef[e]]], 1.0), (PI[[et[e]]], -1.0), (y, -big)], -big, np.inf)
        if e in comp_pos:
            r2 = float(cn.comp_ratio_max[k]) ** 2 if np.isfinite(cn.comp_ratio_max[k]) else 1e6
            bigr = float(hi2[et[e]] + r2 * hi2[ef[e]])
            b.rows_(1, [(PI[[et[e]]], 1.0), (PI[[ef[e]]], -1.0), (a, -big)], -big, np.inf)  # pi_d >= pi_s
            b.rows_(1, [(PI[[ef[e]]], r2), (PI[[et[e]]], -1.0), (a, -bigr)], -bigr, np.inf)  # pi_d <= r^2 pi_s
            c0, cq, cs, cd = plane(k)
            pr2, wr = plane.pr2, plane.w_ref
            mp = (abs(c0) + abs(cq) * Qm * m_ref + (abs(cs) * hi2[ef[e]] + abs(cd) * hi2[et[e]]) * pr2) / wr
            b.rows_(1, [(Wp[[k]], 1.0), (Q[[e]], -cq * m_ref / wr), (PI[[ef[e]]], -cs * pr2 / wr),
                        (PI[[et[e]]], -cd * pr2 / wr), (a, -mp)], c0 / wr - mp, np.inf)  # fmt: skip
            wmax = cn.comp_power_max_w[k] / plane.w_ref if np.isfinite(cn.comp_power_max_w[k]) else mp
            b.rows_(1, [(Wp[[k]], 1.0), (a, -wmax)], -np.inf, 0.0)
        else:
            b.rows_(1, [(PI[[ef[e]]], 1.0), (PI[[et[e]]], -1.0), (a, -big)], -big, np.inf)  # outlet <= inlet
        cols[e] = ("active", both)
    # combined decisions: exactly one option per group, its states bounding the element binaries
    for g in space.groups:
        d = b.add(len(g.options), 0.0, 1.0, integer=True)
        b.rows_(1, [(d[[j]], 1.0) for j in range(len(g.options))], 1.0, 1.0)
        for j, (_, states) in enumerate(g.options):
            for e, allowed in states.items():
                if e not in cols:
                    continue
                kind, c = cols[e]
                if kind == "valve":
                    if allowed == ("open",):
                        b.rows_(1, [(c, 1.0), (d[[j]], -1.0)], 0.0, np.inf)  # o >= d
                    elif allowed == ("closed",):
                        b.rows_(1, [(c, 1.0), (d[[j]], 1.0)], -np.inf, 1.0)  # o <= 1 - d
                    continue
                a_, y_ = c[[0]], c[[1]]
                if "active" not in allowed:
                    b.rows_(1, [(a_, 1.0), (d[[j]], 1.0)], -np.inf, 1.0)
                if "bypass" not in allowed:
                    b.rows_(1, [(y_, 1.0), (d[[j]], 1.0)], -np.inf, 1.0)
                if "closed" not in allowed:
                    b.rows_(1, [(a_, 1.0), (y_, 1.0), (d[[j]], -1.0)], 0.0, np.inf)
    # no-good cuts: at least one element in another state than in each earlier choice
    for cut in cuts:
        terms: list[tuple[I64, float]] = []
        rhs = 1.0
        for e, state in cut.items():
            if e not in cols:
                continue
            kind, c = cols[e]
            if kind == "valve":
                on = state == "open"
                terms.append((c, -1.0 if on else 1.0))
                rhs -= 1.0 if on else 0.0
            else:
                a_, y_ = c[[0]], c[[1]]
                if state == "active":
                    terms.append((a_, -1.0))
                    rhs -= 1.0
                elif state == "bypass":
                    terms.append((y_, -1.0))
                    rhs -= 1.0
                else:  # closed: a + y >= 1 breaks it
                    terms += [(a_, 1.0), (y_, 1.0)]
        if terms:
            b.rows_(1, terms, rhs, np.inf)
    return cols


def read_modes(x: F64, cols: Mapping[int, tuple[str, I64]]) -> dict[int, str]:
    """The state of every free edge in the MILP solution ``x``."""
    out: dict[int, str] = {}
    for e, (kind, c) in cols.items():
        if kind == "valve":
            out[e] = "open" if x[c[0]] > 0.5 else "closed"
        else:
            out[e] = "active" if x[c[0]] > 0.5 else ("bypass" if x[c[1]] > 0.5 else "closed")
    return out
