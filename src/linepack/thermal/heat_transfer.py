"""Overall heat-transfer coefficient of a buried pipe: wall and coating layers in series with the soil.

Per unit length of pipe, the steady heat flow from the gas to the ground surface passes through
resistances in series [K m / W]:

* the inner film (optional): ``R_f = 1 / (h_i pi D_i)``;
* each cylindrical layer j (steel wall, coating, insulation, concrete weight coat) between radii
  r_j and r_{j+1}: ``R_j = ln(r_{j+1} / r_j) / (2 pi k_j)``;
* the soil, for a cylinder of outer diameter D_o with its axis at depth H below an isothermal ground
  surface, in a semi-infinite medium of conductivity k_s: ``R_s = arccosh(2 H / D_o) / (2 pi k_s)``
  (the exact conduction shape factor S = 2 pi / arccosh(2H/D) per unit length).

The overall coefficient is referred to the inner wall area (the convention of pipeline simulators):
``U = 1 / (pi D_i sum R)`` [W/(m^2 K)], so the heat lost per unit length is ``q' = U pi D_i (T - T_g)``,
where T_g is the *undisturbed* ground temperature at the pipe's depth far from the pipe.

Validity: steady conduction (no soil moisture migration, no seasonal transient of the soil), uniform
soil, H > D_o / 2 (the pipe is covered); the ground surface at the ground temperature (for a deep pipe
the difference between the surface and the depth temperature is absorbed in T_g). Pipeline design
practice gives U of 1-5 W/(m^2 K) for buried gas lines, dominated by the soil term.

References:
    H. S. Carslaw, J. C. Jaeger, Conduction of Heat in Solids, 2nd ed., Oxford 1959 (buried cylinder).
    T. L. Bergman, A. S. Lavine, F. P. Incropera, D. P. DeWitt, Fundamentals of Heat and Mass Transfer,
    7th ed., Wiley 2011, Table 4.1 case 1 (S = 2 pi L / cosh^-1(2z/D)) and eq. 3.33 (cylindrical wall).
    M. Mohitpour, H. Golshan, A. Murray, Pipeline Design and Construction, 3rd ed., ASME 2007, ch. 3.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from linepack.errors import InputError

F64 = NDArray[np.float64]


def _a(x: npt.ArrayLike) -> F64:
    return np.asarray(x, dtype=np.float64)


def soil_resistance_k_m_w(
    outer_diameter_m: npt.ArrayLike, axis_depth_m: npt.ArrayLike, soil_conductivity_w_mk: npt.ArrayLike
) -> F64:
    r"""Thermal resistance per unit length of the soil around a buried cylinder [K m/W].

    .. math:: R_s = \frac{\operatorname{arccosh}(2H/D_o)}{2\pi k_s}

    Args:
        outer_diameter_m: outer diameter of the pipe with its coatings D_o [m].
        axis_depth_m: depth of the pipe axis below the ground surface H [m], > D_o/2.
        soil_conductivity_w_mk: soil thermal conductivity k_s [W/(m K)] (dry sand 0.3, moist soil 1-2.5).

    Validity: steady conduction in a uniform semi-infinite soil with an isothermal surface.
    Reference: Carslaw and Jaeger (1959); Bergman et al. (2011), Table 4.1 case 1.

    >>> round(float(soil_resistance_k_m_w(1.422, 1.5 + 0.711, 1.5)), 4)
    0.1911
    """
    d, h, k = np.broadcast_arrays(_a(outer_diameter_m), _a(axis_depth_m), _a(soil_conductivity_w_mk))
    return np.asarray(np.arccosh(2.0 * h / d) / (2.0 * np.pi * k), dtype=np.float64)


def layer_resistance_k_m_w(
    inner_diameter_m: npt.ArrayLike, thickness_m: npt.ArrayLike, conductivity_w_mk: npt.ArrayLike
) -> F64:
    r"""Thermal resistance per unit length of a cylindrical layer [K m/W].

    .. math:: R = \frac{\ln\big((D + 2t)/D\big)}{2\pi k}

    Args:
        inner_diameter_m: inner diameter of the layer D [m].
        thickness_m: layer thickness t [m], >= 0.
        conductivity_w_mk: layer conductivity k [W/(m K)] (carbon steel ~45-50, FBE/3LPE coating ~0.2-0.4,
            concrete weight coat ~1-1.5).

    Reference: Bergman et al. (2011), eq. 3.33.

    >>> round(float(layer_resistance_k_m_w(1.4, 0.003, 0.3)), 6)
    0.002269
    """
    d, t, k = np.broadcast_arrays(_a(inner_diameter_m), _a(thickness_m), _a(conductivity_w_mk))
    return np.asarray(np.log1p(2.0 * t / d) / (2.0 * np.pi * k), dtype=np.float64)


def _layers(values: npt.ArrayLike) -> F64:
    """Layer data as an array whose first axis counts layers (rows: one value per pipe, or a scalar)."""
    arr = _a(values)
    if arr.size == 0:
        return np.zeros((0, 1))
    return arr.reshape(1) if arr.ndim == 0 else arr


def overall_u_buried_w_m2k(
    inner_diameter_m: npt.ArrayLike,
    layer_thickness_m: npt.ArrayLike,
    layer_conductivity_w_mk: npt.ArrayLike,
    cover_depth_m: npt.ArrayLike,
    soil_conductivity_w_mk: npt.ArrayLike,
    inner_film_w_m2k: npt.ArrayLike | None = None,
) -> F64:
    r"""Overall heat-transfer coefficient of buried pipes, referred to the inner diameter [W/(m^2 K)].

    .. math:: U = \Big[\pi D_i \Big(\frac{1}{h_i \pi D_i} + \sum_j \frac{\ln(r_{j+1}/r_j)}{2\pi k_j}
              + \frac{\operatorname{arccosh}(2H/D_o)}{2\pi k_s}\Big)\Big]^{-1},\quad H = c + D_o/2

    Vectorised over pipes: ``inner_diameter_m``, ``cover_depth_m`` and ``soil_conductivity_w_mk`` are arrays of
    n pipes (or scalars); ``layer_thickness_m`` and ``layer_conductivity_w_mk`` are (n_layers, n) arrays (or
    sequences of n_layers arrays), innermost layer first; a zero thickness is a missing layer.

    Args:
        inner_diameter_m: inner (flow) diameter D_i [m].
        layer_thickness_m: thickness of each layer [m] (steel wall, coating, ...), innermost first.
        layer_conductivity_w_mk: conductivity of each layer [W/(m K)].
        cover_depth_m: soil cover c from the ground surface to the top of the outermost layer [m], > 0
            (the axis lies at H = c + D_o/2).
        soil_conductivity_w_mk: soil conductivity k_s [W/(m K)].
        inner_film_w_m2k: inner film coefficient h_i [W/(m^2 K)] (None: neglected; at pipeline Reynolds
            numbers it is 300-2000 W/(m^2 K), well below 1 % of the soil resistance).

    Returns:
        U [W/(m^2 K)] per pipe.

    Validity: see the module docstring. Reference: Carslaw and Jaeger (1959); Bergman et al. (2011).

    Example: a 56 in line (D_i = 1.372 m, 25 mm steel, 3 mm 3LPE), 1.2 m cover, soil 1.5 W/(m K):

    >>> round(float(overall_u_buried_w_m2k(1.372, [0.025, 0.003], [45.0, 0.3], 1.2, 1.5)), 3)
    1.314
    """
    di = _a(inner_diameter_m)
    thickness = _layers(layer_thickness_m)
    conductivity = _layers(layer_conductivity_w_mk)
    if thickness.shape[0] != conductivity.shape[0]:
        raise InputError(
            f"buried pipe heat transfer: {thickness.shape[0]} layer thicknesses but {conductivity.shape[0]} "
            "conductivities; give one conductivity per layer"
        )
    if np.any(thickness < 0) or np.any(conductivity <= 0):
        raise InputError("buried pipe heat transfer: layer thicknesses must be >= 0 and conductivities > 0")
    total = np.zeros(
        np.broadcast_shapes(di.shape, np.shape(cover_depth_m), np.shape(soil_conductivity_w_mk), thickness.shape[1:])
    )
    d = np.broadcast_to(di, total.shape).astype(np.float64)
    if inner_film_w_m2k is not None:
        total = total + 1.0 / (_a(inner_film_w_m2k) * np.pi * d)
    for t, k in zip(thickness, conductivity, strict=True):
        total = total + layer_resistance_k_m_w(d, t, k)
        d = d + 2.0 * t
    cover = _a(cover_depth_m)
    if np.any(cover <= 0) or np.any(_a(soil_conductivity_w_mk) <= 0):
        raise InputError("buried pipe heat transfer: cover depth and soil conductivity must be > 0")
    total = total + soil_resistance_k_m_w(d, cover + 0.5 * d, soil_conductivity_w_mk)
    return np.asarray(1.0 / (np.pi * np.broadcast_to(di, total.shape) * total), dtype=np.float64)
