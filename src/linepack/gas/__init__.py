"""Natural-gas properties: composition, ISO 6976 quality, compressibility and viscosity models.

SI units throughout (Pa absolute, K, kg/mol, J/mol, Pa s); non-SI units appear only in names.
"""

from linepack.gas.aga8 import Aga8Detail, Gerg2008
from linepack.gas.components import (
    COMPONENTS,
    MOLAR_MASS_AIR_KG_PER_MOL,
    canonical_name,
    component_index,
)
from linepack.gas.composition import GasComposition, mixture
from linepack.gas.compressibility import (
    MODEL_NAMES,
    CompressibilityModel,
    ConstantZ,
    IdealGas,
    LinearZ,
    Papay,
    ReciprocalLinearZ,
    make_compressibility,
)
from linepack.gas.conditions import ISO_15C, NORMAL_0C, US_60F, US_60F_14_73, StandardConditions
from linepack.gas.viscosity import (
    VISCOSITY_MODEL_NAMES,
    ConstantViscosity,
    LeeGonzalezEakin,
    ViscosityModel,
    make_viscosity,
)
from linepack.gas.ztable import ZTable

__all__ = [
    "COMPONENTS",
    "ISO_15C",
    "MODEL_NAMES",
    "MOLAR_MASS_AIR_KG_PER_MOL",
    "NORMAL_0C",
    "US_60F",
    "US_60F_14_73",
    "VISCOSITY_MODEL_NAMES",
    "Aga8Detail",
    "CompressibilityModel",
    "ConstantViscosity",
    "ConstantZ",
    "GasComposition",
    "Gerg2008",
    "IdealGas",
    "LeeGonzalezEakin",
    "LinearZ",
    "Papay",
    "ReciprocalLinearZ",
    "StandardConditions",
    "ViscosityModel",
    "ZTable",
    "canonical_name",
    "component_index",
    "make_compressibility",
    "make_viscosity",
    "mixture",
]
