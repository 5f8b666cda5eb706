"""Validity ranges of the compressibility models, and the warning a result carries when it leaves them.

A solve that converges at pressures where the equation of state was never fitted or validated gives
numbers without meaning; the result then says so instead of looking like any other answer.

Ranges (absolute pressure, temperature):

- GERG-2008 (Kunz & Wagner 2012; ISO 20765-2): normal range 90..450 K up to 35 MPa, extended range up to
  700 K and 70 MPa.
- AGA8 DETAIL (AGA Report No. 8 Part 1, 2017): pipeline-quality gas 250..450 K up to 70 MPa in this
  implementation's accepted range (AGA8's own normal range is up to 17.5 MPa for the lowest uncertainty).
- Papay (1968) correlation: roughly 1.2 <= T_r <= 3 and p_r up to 8 to 15 (see
  :class:`~linepack.gas.compressibility.Papay`); warned above p_r = 15 or outside the T_r range.
- Ideal gas, constant Z, linear Z: simplifications the user chose; they carry no validated range, and
  the same 70 MPa bound (no transmission pipeline operates above it) marks where they stop meaning much.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Upper absolute pressure of every model's validated range [Pa] (see the module docstring).
P_MAX_PA = 70.0e6
#: GERG-2008 normal-range upper pressure [Pa]; above it the extended-range uncertainty applies.
P_NORMAL_GERG_PA = 35.0e6


def _label(model: Any) -> str:
    return {
        "Gerg2008": "GERG-2008",
        "Aga8Detail": "AGA8 DETAIL",
        "Papay": "Papay",
        "IdealGas": "ideal gas",
        "ConstantZ": "constant Z",
        "LinearZ": "linear Z",
    }.get(type(model).__name__, type(model).__name__)


def range_warnings(model: Any, p_pa: Any, t_k: float, where: list[str] | None = None) -> list[str]:
    """Warnings when absolute pressures ``p_pa`` [Pa] (at nodes named by ``where``) or the temperature
    ``t_k`` [K] leave the validated range of the compressibility ``model``; empty inside it."""
    p = np.asarray(p_pa, dtype=float)
    out: list[str] = []
    if p.size:
        k = int(np.argmax(p))
        at = f" at {where[k]}" if where is not None and k < len(where) else ""
        name = _label(model)
        p_pc = getattr(model, "p_pc_pa", None) if name == "Papay" else None
        if p_pc and p[k] > 15.0 * float(p_pc) and p[k] <= P_MAX_PA:
            out.append(
                f"pressure {p[k] / 1e5:,.0f} bar(a){at} is above 15 times the pseudo-critical pressure, outside the "
                "range of the Papay correlation; choose gerg2008"
            )
        if p[k] > P_MAX_PA:
            out.append(
                f"pressure {p[k] / 1e5:,.0f} bar(a){at} is above {P_MAX_PA / 1e5:,.0f} bar, outside the validated "
                f"range of the {name} equation of state; the solution there is an extrapolation without meaning: "
                "check the set-points and their units"
            )
        elif name == "GERG-2008" and p[k] > P_NORMAL_GERG_PA:
            out.append(
                f"pressure {p[k] / 1e5:,.0f} bar(a){at} is above {P_NORMAL_GERG_PA / 1e5:,.0f} bar, in the extended "
                "range of GERG-2008 (larger uncertainty of Z)"
            )
    t_pc = getattr(model, "t_pc_k", None)
    if _label(model) == "Papay" and t_pc:
        tr = t_k / float(t_pc)
        if not 1.2 <= tr <= 3.0:
            out.append(
                f"reduced temperature {tr:.2f} is outside the Papay correlation's range 1.2..3; choose gerg2008"
            )
    return out
