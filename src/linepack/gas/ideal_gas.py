"""Ideal-gas isobaric heat capacity and heat-capacity ratio of a mixture (GERG-2008 ideal part).

The ideal-gas part of GERG-2008 (Kunz & Wagner 2012, eq. 7.6 and Table A3.1, cp0 of Jaeschke &
Schley 1995) is evaluated through pyaga8 at zero density, where its residual part vanishes and
``cp0 = cv0 + R``. It is evaluated exactly at each distinct temperature asked for and cached per
composition and temperature: networks here are isothermal or have few temperatures, so this is cheaper
than tabulating a spline (which also cost SciPy's interpolation module, ~0.3 s, at every start-up).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

import numpy as np
import pyaga8
from numpy.typing import ArrayLike, NDArray

from linepack.errors import InputError
from linepack.gas.components import PYAGA8_NAMES

#: Lower and upper temperature of the tabulated range [K] (GERG-2008 ideal part: 60..1000 K).
T_MIN_K: Final[float] = 60.0
T_MAX_K: Final[float] = 1000.0
#: Molar gas constant of GERG-2008 [J/(mol K)].
R_GERG: Final[float] = 8.314472


def pyaga8_composition(fractions: tuple[float, ...]) -> pyaga8.Composition:
    """Build a ``pyaga8.Composition`` from 21 mole fractions in the AGA8 order."""
    composition = pyaga8.Composition()
    for attribute, value in zip(PYAGA8_NAMES, fractions, strict=True):
        setattr(composition, attribute, float(value))
    return composition


def _cp0_direct(fractions: tuple[float, ...], t_k: NDArray[np.float64]) -> NDArray[np.float64]:
    """cp0 [J/(mol K)] from pyaga8 GERG-2008 at zero density, one call per temperature."""
    gerg = pyaga8.Gerg2008()
    gerg.set_composition(pyaga8_composition(fractions))
    out = np.empty(t_k.shape, dtype=np.float64)
    gerg.d = 0.0
    for i, t in enumerate(t_k.flat):
        gerg.temperature = float(t)
        gerg.calc_properties()
        out.flat[i] = gerg.cp
    return out


@lru_cache(maxsize=256)
def _cp0_at(fractions: tuple[float, ...], t_k: float) -> float:
    return float(_cp0_direct(fractions, np.array([t_k]))[0])


def ideal_cp_j_per_mol_k(fractions: tuple[float, ...], t_k: ArrayLike) -> NDArray[np.float64]:
    """Ideal-gas molar isobaric heat capacity cp0 of the mixture [J/(mol K)].

    cp0(T) = sum_j x_j cp0_j(T), GERG-2008 ideal-gas part (Kunz & Wagner, J. Chem. Eng. Data 57
    (2012) 3032, eq. 7.6; pure-fluid cp0 of Jaeschke & Schley, Int. J. Thermophys. 16 (1995) 1381).
    Validity: 60 K <= T <= 1000 K (InputError outside). Evaluated exactly (pyaga8, about 3 us a call) at each
    distinct temperature of ``t_k``, cached per composition and temperature (an isothermal network needs one).
    """
    t = np.asarray(t_k, dtype=np.float64)
    if not np.all(np.isfinite(t)) or np.any(t < T_MIN_K) or np.any(t > T_MAX_K):
        bad = t[~(np.isfinite(t) & (t >= T_MIN_K) & (t <= T_MAX_K))].ravel()[0]
        raise InputError(
            f"ideal-gas heat capacity: temperature {bad!r} K is outside {T_MIN_K:g}..{T_MAX_K:g} K; "
            "give an absolute temperature in kelvin within the GERG-2008 ideal-gas range"
        )
    key = tuple(float(v) for v in fractions)
    values, inverse = np.unique(t, return_inverse=True)
    cp = np.array([_cp0_at(key, float(v)) for v in values], dtype=np.float64)
    return np.asarray(cp[inverse].reshape(t.shape))


def ideal_heat_capacity_ratio(fractions: tuple[float, ...], t_k: ArrayLike) -> NDArray[np.float64]:
    """Ideal-gas heat-capacity ratio kappa0 = cp0 / cv0 = cp0 / (cp0 - R) [-].

    cp0 from :func:`ideal_cp_j_per_mol_k` (GERG-2008 ideal part), R = 8.314472 J/(mol K).
    Validity: 60..1000 K; the real-gas isentropic exponent differs at pipeline pressures.
    """
    cp = ideal_cp_j_per_mol_k(fractions, t_k)
    return np.asarray(cp / (cp - R_GERG))
