"""Quality limits of deliveries: violations of a solved state, and limits that no source gas can meet.

A delivery may declare a Wobbe range, a minimum gross calorific value and a maximum hydrogen fraction, all at
the network's quality reference conditions. :func:`violations` names every limit a solution breaks, in the
form of the pressure violations (``delivery <id>: <figure> <value> below its minimum <limit>``);
:func:`unmeetable` names the limits that none of the gases in service can meet, whatever the flows: the
volumetric calorific value and the hydrogen fraction of a mixture lie between those of the gases mixed
(they are linear in the mole fractions up to the compression factor at reference conditions, which is
within 0.3 % of 1), so such a limit is met by no dispatch and no mixture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..gas.quality import quality_of
from ..violations import Violation, beyond

if TYPE_CHECKING:
    from ..compile import CompiledNetwork
    from .results import SteadyQuality


#: The violation quantities of gas-quality limits (:class:`linepack.violations.Violation.quantity`).
QUALITY_QUANTITIES = frozenset({"wobbe_min", "wobbe_max", "gcv_min", "h2_max"})


def violations(cn: CompiledNetwork, quality: SteadyQuality) -> list[Violation]:
    """Every quality limit that a solution breaks, as violation records (kind ``delivery``; quantity
    ``wobbe_min``, ``wobbe_max``, ``gcv_min`` in J/m3 at the reference conditions, ``h2_max`` as a mole
    fraction). Whether a figure is beyond its limit is decided by :func:`linepack.violations.beyond`, as for
    pressures, with its relative tolerance only."""
    q = cn.quality
    if q is None or not q.has_limits:
        return []
    ref = q.reference_name
    d = quality.sink
    mj = 1e6
    checks = (
        ("wobbe_min", d.wobbe_mj_m3, q.sink_wobbe_min_mj_m3, False, "Wobbe index", "MJ/m3", mj),
        ("wobbe_max", d.wobbe_mj_m3, q.sink_wobbe_max_mj_m3, True, "Wobbe index", "MJ/m3", mj),
        ("gcv_min", d.gcv_mj_m3, q.sink_gcv_min_mj_m3, False, "gross calorific value", "MJ/m3", mj),
        ("h2_max", d.h2_mol_pct, 100.0 * q.sink_h2_max, True, "hydrogen", "mol %", 0.01),
    )
    out: list[Violation] = []
    for k, sid in enumerate(cn.sink_ids):
        for quantity, value, limit, upper, what, unit, si in checks:
            # no absolute margin (the default is the pressure tolerance in Pa): the relative tolerance alone
            if not beyond(value[k : k + 1], limit[k : k + 1], upper=upper, tolerance=0.0)[0]:
                continue
            side = "above its maximum" if upper else "below its minimum"
            where = f" ({ref})" if unit == "MJ/m3" else ""
            text = f"delivery {sid}: {what} {value[k]:.2f} {unit} {side} {limit[k]:.2f} {unit}{where}"
            out.append(Violation("delivery", sid, quantity, float(value[k] * si), float(limit[k] * si), text))
    return out


def unmeetable(cn: CompiledNetwork) -> list[str]:
    """One text per delivery limit that none of the gases supplied in the scenario can meet."""
    q = cn.quality
    if q is None or not q.has_limits or len(cn.source_ids) == 0:
        return []
    used = np.unique(q.source_gas)
    gs = q.gas_set
    f = quality_of(gs.x[used], q.reference)
    names = ", ".join(gs.names[i] for i in used)
    ref = q.reference_name
    out: list[str] = []
    w_lo, w_hi = float(np.min(f.wobbe_mj_m3)), float(np.max(f.wobbe_mj_m3))
    g_hi = float(np.max(f.gcv_mj_m3))
    h_lo = float(np.min(f.h2_mol_pct))
    for k, sid in enumerate(cn.sink_ids):
        lo, hi = q.sink_wobbe_min_mj_m3[k], q.sink_wobbe_max_mj_m3[k]
        gmin, hmax = q.sink_gcv_min_mj_m3[k], 100.0 * q.sink_h2_max[k]
        if np.isfinite(lo) and w_hi < lo:
            out.append(
                f"delivery {sid}: minimum Wobbe index {lo:.2f} MJ/m3 ({ref}) is above that of every gas supplied "
                f"({names}: at most {w_hi:.2f}); no mixture can meet it: lower the limit or add a richer supply"
            )
        if np.isfinite(hi) and w_lo > hi:
            out.append(
                f"delivery {sid}: maximum Wobbe index {hi:.2f} MJ/m3 ({ref}) is below that of every gas supplied "
                f"({names}: at least {w_lo:.2f}); no mixture can meet it: raise the limit or add a leaner supply"
            )
        if np.isfinite(gmin) and g_hi < gmin:
            out.append(
                f"delivery {sid}: minimum gross calorific value {gmin:.2f} MJ/m3 ({ref}) is above that of every gas "
                f"supplied ({names}: at most {g_hi:.2f}); no mixture can meet it: lower the limit or add a richer "
                "supply"
            )
        if np.isfinite(hmax) and h_lo > hmax:
            out.append(
                f"delivery {sid}: maximum hydrogen {hmax:.2f} mol % is below that of every gas supplied "
                f"({names}: at least {h_lo:.2f} mol %); no mixture can meet it"
            )
    return out
