"""Shared fixtures of the non-isothermal (thermal) tests: the PSGP reference gas and its real-gas properties."""

from __future__ import annotations

import pytest

from linepack.gas import GasComposition
from linepack.gas.thermo import RealGasThermo

#: RLNG_QATAR_TYPICAL of the embedded PSGP network (src/linepack/data/psgp.yaml, gas_compositions; tag A).
PSGP_LNG = {"CH4": 0.9, "C2H6": 0.065, "C3H8": 0.022, "iC4H10": 0.004, "nC4H10": 0.005, "N2": 0.004}
#: CoolProp fluid names of the same components, in the same order.
COOLPROP_NAMES = ("Methane", "Ethane", "Propane", "IsoButane", "n-Butane", "Nitrogen")


@pytest.fixture(scope="session")
def lng() -> GasComposition:
    return GasComposition.from_mole_fractions("RLNG_QATAR_TYPICAL", PSGP_LNG)


@pytest.fixture(scope="session")
def thermo(lng: GasComposition) -> RealGasThermo:
    """GERG-2008 properties of the PSGP gas; the (p, T) table is built once per test session."""
    return RealGasThermo(lng)
