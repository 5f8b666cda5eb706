"""LNG density (ISO 6578 revised Klosek-McKinley) against an independent equation of state, and conversions."""

from __future__ import annotations

import pytest

from linepack.errors import InputError
from linepack.gas.composition import GasComposition
from linepack.supply.lng import LngProperties, lng_density_kg_m3, mix_liquids

CP = pytest.importorskip("CoolProp.CoolProp")

QATAR = {"CH4": 0.900, "C2H6": 0.065, "C3H8": 0.022, "iC4H10": 0.004, "nC4H10": 0.005, "N2": 0.004}


@pytest.mark.parametrize("t_k", [100.0, 111.67, 120.0])
def test_methane_against_the_reference_equation(t_k: float) -> None:
    # saturated liquid methane: Setzmann & Wagner (1991) reference equation as implemented in CoolProp (the
    # equation behind the NIST tables); ISO 6578 states about 0.1 % for its molar volumes
    ours = lng_density_kg_m3(GasComposition.from_mole_fractions("C1", {"CH4": 1.0}), t_k)
    ref = CP.PropsSI("D", "T", t_k, "Q", 0, "Methane")
    assert abs(ours / ref - 1) < 1.5e-3


@pytest.mark.parametrize("t_k", [110.0, 113.15])
def test_lean_lng_against_a_multiparameter_mixture_model(t_k: float) -> None:
    # bubble-point liquid of the data set's RLNG composition, CoolProp's mixture model (GERG-type departure)
    ours = lng_density_kg_m3(GasComposition.from_mole_fractions("Q", QATAR), t_k)
    st = CP.AbstractState("HEOS", "Methane&Ethane&Propane&IsoButane&n-Butane&Nitrogen")
    st.set_mole_fractions([0.900, 0.065, 0.022, 0.004, 0.005, 0.004])
    st.update(CP.QT_INPUTS, 0.0, t_k)
    assert abs(ours / st.rhomass() - 1) < 3e-3


def test_properties_and_mixing() -> None:
    q = GasComposition.from_mole_fractions("Q", QATAR)
    p = LngProperties.of(q, 113.15)
    assert 590 < p.expansion_ratio() < 610  # about 600 volumes of gas per volume of LNG
    assert abs(p.kg_to_mmscf(p.m3_to_kg(145000.0)) - 3.0e3) < 150  # a 145,000 m3 cargo is about 3 bcf
    lean = GasComposition.from_mole_fractions("L", {"CH4": 0.97, "C2H6": 0.03})
    mixed = mix_liquids("tank", [(q, 1e6), (lean, 1e6)])
    assert lng_density_kg_m3(lean, 113.15) < lng_density_kg_m3(mixed, 113.15) < p.density_kg_m3


def test_outside_the_method_is_an_error() -> None:
    with pytest.raises(InputError, match=r"CO2 2\.00% not covered"):
        lng_density_kg_m3(GasComposition.from_mole_fractions("X", {"CH4": 0.98, "CO2": 0.02}), 112.0)
    with pytest.raises(InputError, match="outside the ISO 6578 range"):
        lng_density_kg_m3(GasComposition.from_mole_fractions("X", {"CH4": 1.0}), 150.0)
