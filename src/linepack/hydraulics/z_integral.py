r"""The pressure function of the isothermal pipe law with Z varying along the pipe, integrated exactly.

Steady isothermal flow in a horizontal pipe: :math:`-dp/dx = \lambda\,\rho\,v|v|/(2D)` with
:math:`\rho = pM/(ZRT)` and :math:`\rho v = 4m/(\pi D^2)`. Multiplying by :math:`\rho` and integrating from
outlet to inlet, with Z a function of p (not a mean value),

.. math:: \Pi(p_{in}) - \Pi(p_{out}) = \frac{16 R T}{\pi^2 D^5 M}\,\lambda L\,m|m|,\qquad
          \Pi(p) = \int_0^p \frac{2p'}{Z(p')}\,dp'

For constant Z, :math:`\Pi = p^2/Z` and this is the classic law :math:`p_{in}^2 - p_{out}^2 = Z k \lambda L
m|m|` evaluated at one mean Z (:mod:`.pipe_law`). With elevation, :math:`-d\Pi/dx = 2ck + (2 g \sin\theta/c)
(p/Z)^2` (:math:`c = RT/M`); :math:`(p/Z)^2 = \beta\,\Pi` with :math:`\beta` taken at the mean pressure
(:math:`\beta = 1/Z` for constant Z) makes it linear, and its solution is
:math:`\Pi(p_{in}) - e^s\,\Pi(p_{out}) = k \lambda L_e m|m|` with :math:`s = 2 g \Delta h \beta/c` and
:math:`L_e` as in :mod:`.pipe_law`. The friction term is exact for any Z(p), the gravity term to second order
in the variation of :math:`\beta` over the pipe.

:math:`\Pi` in closed form: ideal gas :math:`p^2`; constant Z :math:`p^2/Z`; linear
:math:`Z = a + b p`: :math:`(2/b)(p - (a/b)\ln(1 + bp/a))`; reciprocal linear (CNGA)
:math:`Z = 1/(b_1 + b_2 p)`: :math:`b_1 p^2 + \tfrac23 b_2 p^3`. Other models (Papay, AGA8, GERG-2008) by
Gauss-Legendre quadrature on [0, p] (``GL_NODES`` nodes; measured within 3e-11 relative of adaptive quadrature
for the tabulated GERG-2008 Z up to 120 bar, 1e-10 for a rich gas, the limit being the table's interpolation;
tests/hydraulics/test_z_integral.py). Always
:math:`d\Pi/dp = 2p/Z(p)`.

Reference: Menon, E. S. (2005), "Gas Pipeline Hydraulics", CRC Press, ch. 2 (general flow equation); for the
integral with a pressure-dependent Z: Osiadacz, A. J. (1987), "Simulation and Analysis of Gas Networks",
E. & F. N. Spon, ch. 2.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

F64 = NDArray[np.float64]

GL_NODES: Final[int] = 12
_X, _W = np.polynomial.legendre.leggauss(GL_NODES)
_X01 = 0.5 * (_X + 1.0)  # nodes on [0, 1]
_W01 = 0.5 * _W


def pressure_function(model: Any, p_pa: npt.ArrayLike, t_k: float) -> tuple[F64, F64]:
    r""":math:`\Pi(p) = \int_0^p 2p'/Z(p')\,dp'` [Pa^2] and :math:`d\Pi/dp = 2p/Z(p)` [Pa], vectorised.

    Args:
        model: a compressibility model (:mod:`linepack.gas.compressibility`).
        p_pa: absolute pressures [Pa], >= 0.
        t_k: temperature [K].

    Returns:
        (Pi [Pa^2], dPi/dp [Pa]) with the shape of ``p_pa``.

    >>> from linepack.gas import ConstantZ
    >>> pi, d = pressure_function(ConstantZ(0.9), np.array([70e5]), 288.15)
    >>> bool(np.isclose(pi[0], 70e5**2 / 0.9)), bool(np.isclose(d[0], 2 * 70e5 / 0.9))
    (True, True)
    """
    p = np.asarray(p_pa, dtype=np.float64)
    name = getattr(model, "name", "")
    z, _ = model.z_and_dz_dp(p, t_k)
    dpi = 2.0 * p / z
    if name == "ideal":
        return p * p, dpi
    if name == "constant":
        return p * p / float(model.z_value), dpi
    if name == "linear":
        a, b = float(model.offset), float(model.slope_per_bar) / 1e5
        if b == 0.0:
            return p * p / a, dpi
        x = b * p / a
        # (2/b)(p - (a/b) ln(1 + x)), written with the series where x is small (no cancellation)
        small = np.abs(x) < 1e-3
        xs = np.where(small, 0.0, x)
        exact = (2.0 / b) * (p - (a / b) * np.log1p(xs))
        series = (p * p / a) * (1.0 - (2.0 / 3.0) * x + 0.5 * x * x - 0.4 * x**3)
        return np.where(small, series, exact), dpi
    if name == "cnga":
        b1, b2 = float(model.b1), float(model.b2_per_pa)
        return b1 * p * p + (2.0 / 3.0) * b2 * p**3, dpi
    # Gauss-Legendre on [0, p]: Pi = p^2 * sum w_k 2 x_k / Z(x_k p)
    nodes = p[..., None] * _X01
    zk, _ = model.z_and_dz_dp(nodes, t_k)
    return p * p * np.sum(_W01 * 2.0 * _X01 / zk, axis=-1), dpi
