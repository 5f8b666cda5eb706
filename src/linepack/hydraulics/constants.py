"""Physical constants and fixed parameters of the hydraulics package (SI).

The package keeps its own copy of the few constants it needs so that the hot loop imports nothing
but numpy.
"""

from __future__ import annotations

from typing import Final

#: Molar gas constant [J/(mol K)] (CODATA 2018, exact).
GAS_CONSTANT_J_PER_MOL_K: Final[float] = 8.314462618
#: Standard acceleration of gravity [m/s^2] (exact by definition).
STANDARD_GRAVITY_M_S2: Final[float] = 9.80665
#: Molar mass of dry air [kg/mol] used to turn a specific gravity into a molar mass, M = SG * M_air.
MOLAR_MASS_AIR_KG_PER_MOL: Final[float] = 0.0289647

#: Reynolds number up to which every blended law is laminar, lambda = 64/Re (Hagen-Poiseuille).
RE_LAMINAR: Final[float] = 2000.0
#: Reynolds number from which every blended law equals its turbulent formula.
RE_TURBULENT: Final[float] = 4000.0

#: Inch [m], foot [m] and day [s] (exact), for the US-customary constants of the empirical laws.
INCH_M: Final[float] = 0.0254
FOOT_M: Final[float] = 0.3048
DAY_S: Final[float] = 86400.0

#: Base (standard) temperature [K] and pressure [Pa] to which the flow group Q*G/D of the
#: Panhandle A/B transmission factors refers (60 F, 1 atm: the base of the reference values these
#: laws are validated against).
PANHANDLE_BASE_T_K: Final[float] = 288.7
PANHANDLE_BASE_P_PA: Final[float] = 101325.0
#: Gas dynamic viscosity [Pa s] assumed by :func:`~linepack.hydraulics.darcy_friction` to turn a
#: Reynolds number back into the Panhandle flow group when the caller does not pass ``mu_pa_s``.
PANHANDLE_REFERENCE_VISCOSITY_PA_S: Final[float] = 1.1e-5
