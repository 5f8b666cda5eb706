"""Friction factors, pipe laws and compressor physics (SI, vectorised over numpy arrays).

- :mod:`.friction`: :class:`FrictionLaw`, :func:`darcy_friction` (lambda and dlambda/dRe for the
  network solver), :func:`reynolds_number`.
- :mod:`.colebrook_white`, :mod:`.rough_laws`, :mod:`.empirical_laws`: the turbulent formulas.
- :mod:`.pipe_law`: coefficients of the general isothermal pipe law with elevation.
- :mod:`.pipe_flow`: single-pipe flow and outlet pressure (reference calculations).
- :mod:`.compressor`: isentropic head, shaft power with derivatives, fuel, discharge temperature.
"""

from __future__ import annotations

from .colebrook_white import colebrook, hofer, swamee_jain
from .compressor import (
    compressor_power_w,
    discharge_temperature_k,
    fuel_mass_flow_kg_s,
    isentropic_head_j_per_kg,
)
from .constants import (
    GAS_CONSTANT_J_PER_MOL_K,
    MOLAR_MASS_AIR_KG_PER_MOL,
    PANHANDLE_REFERENCE_VISCOSITY_PA_S,
    RE_LAMINAR,
    RE_TURBULENT,
    STANDARD_GRAVITY_M_S2,
)
from .empirical_laws import igt, panhandle_a, panhandle_b, panhandle_flow_group
from .friction import FrictionLaw, darcy_friction, darcy_friction_by_code, reynolds_number
from .pipe_flow import pipe_flow_rate, pressure_drop_outlet, standard_volume_flow
from .pipe_law import (
    effective_length_m,
    elevation_exponent,
    ideal_gas_density_kg_m3,
    pipe_law_coefficients,
)
from .rough_laws import aga_fully_turbulent, nikuradse_pandapipes, weymouth

__all__ = [
    "GAS_CONSTANT_J_PER_MOL_K",
    "MOLAR_MASS_AIR_KG_PER_MOL",
    "PANHANDLE_REFERENCE_VISCOSITY_PA_S",
    "RE_LAMINAR",
    "RE_TURBULENT",
    "STANDARD_GRAVITY_M_S2",
    "FrictionLaw",
    "aga_fully_turbulent",
    "colebrook",
    "compressor_power_w",
    "darcy_friction",
    "darcy_friction_by_code",
    "discharge_temperature_k",
    "effective_length_m",
    "elevation_exponent",
    "fuel_mass_flow_kg_s",
    "hofer",
    "ideal_gas_density_kg_m3",
    "igt",
    "isentropic_head_j_per_kg",
    "nikuradse_pandapipes",
    "panhandle_a",
    "panhandle_b",
    "panhandle_flow_group",
    "pipe_flow_rate",
    "pipe_law_coefficients",
    "pressure_drop_outlet",
    "reynolds_number",
    "standard_volume_flow",
    "swamee_jain",
    "weymouth",
]
