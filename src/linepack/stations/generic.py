r"""A generic pipeline centrifugal compressor map, scaled from a design point (for studies without vendor maps).

Pipeline compressors (one casing, one to three impellers, driven by two-shaft gas turbines or motors) follow
the fan laws closely: at speed ratio :math:`s = n / n_d`, flow and head scale as :math:`Q = s \varphi Q_d` and
:math:`H = s^2 \psi(\varphi) H_d`, the efficiency as :math:`\eta(\varphi)` (Kurz and Ohanian 2003, "Modeling
turbomachinery in pipeline simulations", PSIG 0302; GPSA Engineering Data Book, section 13, fig. 13-41). The shape
used here (A: typical of published pipeline compressor maps):

* head :math:`\psi(\varphi) = 0.733 + 1.206 \varphi - 0.939 \varphi^2`: 12 % above design head at the surge
  line (:math:`\varphi = 0.65`), 65 % of it at the choke end (:math:`\varphi = 1.35`);
* efficiency :math:`\eta(\varphi) = \eta_{peak} - 0.7316 + 1.547 \varphi - 0.8163 \varphi^2` (0.85 at the design
  point, 0.78 at surge, 0.72 at choke for :math:`\eta_{peak}` = 0.85), 2 % lower at half speed (Reynolds
  number effect);
* speeds from 50 % to 105 % of design (the power-turbine range of two-shaft pipeline gas turbines).

In (n, Q) the head is exactly of the GasLib polynomial form (terms in n^2, n Q and Q^2), so the fit of the
tabulated lines is exact for the head; the efficiency is fitted.
"""

from __future__ import annotations

from typing import Any

import numpy as np

PHI_SURGE = 0.65
PHI_CHOKE = 1.35
_PSI = (0.733, 1.206, -0.939)
_ETA = (0.1193, 1.547, -0.8163)  # at a peak efficiency of 0.85


def centrifugal_curves(
    design_flow_m3_s: float,
    design_head_kj_per_kg: float,
    design_speed_rpm: float,
    *,
    peak_efficiency: float = 0.85,
    speed_fractions: tuple[float, ...] = (0.5, 0.65, 0.8, 0.95, 1.05),
    points: int = 7,
) -> list[dict[str, Any]]:
    """Speed lines (``curves`` of a turbo map) of the generic pipeline compressor scaled to a design point.

    >>> lines = centrifugal_curves(4.0, 48.0, 5200.0)
    >>> [round(x, 1) for x in (lines[-1]["speed_rpm"], lines[-1]["head_kj_per_kg"][0], lines[-1]["flow_m3_s"][0])]
    [5460.0, 59.3, 2.7]
    """
    out = []
    phi = np.linspace(PHI_SURGE, PHI_CHOKE, points)
    psi = _PSI[0] + _PSI[1] * phi + _PSI[2] * phi * phi
    eta0 = _ETA[0] + _ETA[1] * phi + _ETA[2] * phi * phi + (peak_efficiency - 0.85)
    for s in speed_fractions:
        eta = eta0 * (1.0 - 0.04 * (1.0 - s))
        out.append(
            {
                "speed_rpm": round(s * design_speed_rpm, 6),
                "flow_m3_s": [round(float(x), 6) for x in s * phi * design_flow_m3_s],
                "head_kj_per_kg": [round(float(x), 6) for x in s * s * psi * design_head_kj_per_kg],
                "efficiency": [round(float(x), 6) for x in eta],
            }
        )
    return out
