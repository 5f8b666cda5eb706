"""Tests of GasComposition and the ISO 6976 properties against the sourced reference data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from CoolProp.CoolProp import PropsSI

from linepack.errors import InputError
from linepack.gas import (
    ISO_15C,
    MOLAR_MASS_AIR_KG_PER_MOL,
    NORMAL_0C,
    US_60F,
    GasComposition,
    Gerg2008,
    StandardConditions,
    mixture,
)
from linepack.gas.components import COMPONENTS
from linepack.gas.ideal_gas import _cp0_direct

# ---------------------------------------------------------------------------------------------- input


def test_from_mole_fractions_aliases_and_order() -> None:
    gas = GasComposition.from_mole_fractions("G", {"methane": 0.9, "C2": 0.05, "nitrogen": 0.05})
    assert gas.mole_fractions.shape == (21,)
    assert gas.component_names == COMPONENTS
    assert gas.fraction("CH4") == pytest.approx(0.9)
    assert gas.fraction("ethane") == pytest.approx(0.05)
    assert gas.as_dict() == pytest.approx({"CH4": 0.9, "N2": 0.05, "C2H6": 0.05})


def test_normalised_within_tolerance() -> None:
    gas = GasComposition.from_mole_fractions("G", {"CH4": 0.95, "N2": 0.04995})
    assert gas.mole_fractions.sum() == pytest.approx(1.0, abs=1e-15)
    assert gas.fraction("N2") == pytest.approx(0.04995 / 0.99995)


def test_sum_off_is_error_with_value_and_fix() -> None:
    with pytest.raises(InputError) as info:
        GasComposition.from_mole_fractions("RLNG", {"CH4": 0.9, "C2H6": 0.03})
    message = str(info.value)
    assert "gas RLNG" in message and "sum to 0.93" in message and "(must be 1 within 1e-4)" in message
    assert "normalise the composition" in message


def test_mol_percent_hint() -> None:
    with pytest.raises(InputError, match="look like mol %; divide them by 100"):
        GasComposition.from_mole_fractions("P", {"CH4": 90.0, "N2": 10.0})


def test_negative_fraction_is_error() -> None:
    with pytest.raises(InputError, match=r"gas G: mole fraction of N2 is -0.01 \(must be >= 0\)"):
        GasComposition.from_mole_fractions("G", {"CH4": 1.01, "N2": -0.01})


def test_nan_fraction_is_error() -> None:
    with pytest.raises(InputError, match="mole fraction of CO2 is nan"):
        GasComposition.from_mole_fractions("G", {"CH4": 1.0, "CO2": math.nan})


def test_non_numeric_fraction_is_error() -> None:
    with pytest.raises(InputError, match="not a number"):
        GasComposition.from_mole_fractions("G", {"CH4": "lots"})  # type: ignore[dict-item]


def test_unknown_component_with_suggestion() -> None:
    with pytest.raises(InputError) as info:
        GasComposition.from_mole_fractions("G", {"CH4": 0.9, "ethan": 0.1})
    assert "gas G: unknown component 'ethan'" in str(info.value)
    assert "Did you mean 'C2H6'" in str(info.value)


def test_all_problems_reported_together() -> None:
    with pytest.raises(InputError) as info:
        GasComposition.from_mole_fractions("G", {"CH4": 0.9, "metane": 0.05, "C1": 0.05, "xx": 0.0})
    assert len(info.value.problems) == 3  # 'metane' unknown, 'C1' duplicates CH4, 'xx' unknown


def test_immutable_hashable_equal() -> None:
    a = GasComposition.from_mole_fractions("G", {"CH4": 0.9, "N2": 0.1})
    b = GasComposition.from_mole_fractions("G", {"nitrogen": 0.1, "methane": 0.9})
    assert a == b and hash(a) == hash(b)
    assert a != GasComposition.from_mole_fractions("H", {"CH4": 0.9, "N2": 0.1})
    with pytest.raises(ValueError):
        a.mole_fractions[0] = 0.5
    with pytest.raises(AttributeError):
        a.name = "other"  # type: ignore[misc]


def test_direct_construction_checks_length() -> None:
    with pytest.raises(InputError, match="21"):
        GasComposition("G", np.ones(3) / 3)


def test_mixture_of_two_gases() -> None:
    a = GasComposition.from_mole_fractions("A", {"CH4": 1.0})
    b = GasComposition.from_mole_fractions("B", {"N2": 1.0})
    mix = mixture("AB", [(a, 3.0), (b, 1.0)])
    assert mix.fraction("CH4") == pytest.approx(0.75) and mix.fraction("N2") == pytest.approx(0.25)
    with pytest.raises(InputError, match="mixture weights"):
        mixture("AB", [(a, -1.0), (b, 1.0)])


def test_standard_conditions_constants() -> None:
    assert ISO_15C.t_k == 288.15 and ISO_15C.p_pa == 101325.0
    assert pytest.approx(288.7055556, abs=1e-7) == US_60F.t_k
    assert pytest.approx(14.696 * 6894.757293168, rel=1e-12) == US_60F.p_pa
    assert (NORMAL_0C.t_k, NORMAL_0C.p_pa) == (273.15, 101325.0)
    with pytest.raises(InputError, match="p_pa must be a finite number > 0"):
        StandardConditions(288.15, -1.0, "bad")


def test_unsupported_reference_temperature() -> None:
    gas = GasComposition.from_mole_fractions("G", {"CH4": 1.0})
    with pytest.raises(InputError, match=r"metering reference temperature 300\.0000 K"):
        gas.z_standard(StandardConditions(300.0, 101325.0, "30 C"))


# ------------------------------------------------------------------------------- ISO 6976 properties


def test_methane_iso6976_values() -> None:
    """Pure methane at 15 C / 101.325 kPa: Z = 1 - 0.04452^2, H_s,molar(15 C) = 891.51 kJ/mol."""
    gas = GasComposition.from_mole_fractions("CH4", {"CH4": 1.0})
    z = 1 - 0.04452**2
    assert gas.z_standard(ISO_15C) == pytest.approx(z, abs=1e-12)
    assert gas.molar_mass_kg_per_mol == pytest.approx(16.04246e-3, rel=1e-12)
    rho = 101325.0 * 16.04246e-3 / (z * 8.3144621 * 288.15)
    assert gas.density_standard_kg_per_m3(ISO_15C) == pytest.approx(rho, rel=1e-12)
    hv = 891.51e3 * 101325.0 / (z * 8.3144621 * 288.15) / 1e6
    assert gas.gross_heating_value_mj_per_m3(ISO_15C) == pytest.approx(hv, rel=1e-12)
    d = 16.04246 / 28.96546 * 0.999595 / z
    assert gas.relative_density(ISO_15C) == pytest.approx(d, rel=1e-12)
    assert gas.wobbe_index_mj_per_m3(ISO_15C) == pytest.approx(hv / math.sqrt(d), rel=1e-12)
    assert gas.gross_heating_value_j_per_kg() == pytest.approx(890.58e3 / 16.04246e-3, rel=1e-12)
    assert gas.net_heating_value_j_per_kg() == pytest.approx(802.60e3 / 16.04246e-3, rel=1e-12)
    assert gas.net_heating_value_mj_per_m3(ISO_15C) < gas.gross_heating_value_mj_per_m3(ISO_15C)


def test_aga8_test_gases_molar_mass(
    aga8_test_gases: dict[str, GasComposition], aga8_test_gas_properties: dict[str, dict[str, float]]
) -> None:
    """Molar mass vs refcases/aga8_gerg2008_zfactor/aga8_test_gases_composition_molpct.csv.

    The file gives 4 decimals in g/mol; ISO 6976:2016 molar masses reproduce them within 1.2e-4 g/mol.
    """
    for gas in aga8_test_gases:
        expected = aga8_test_gas_properties[gas]["molar_mass_g_per_mol"]
        assert aga8_test_gases[gas].molar_mass_kg_per_mol * 1e3 == pytest.approx(expected, abs=1.2e-4), gas


def test_aga8_test_gases_relative_density(
    aga8_test_gases: dict[str, GasComposition], aga8_test_gas_properties: dict[str, dict[str, float]]
) -> None:
    """Relative density vs refcases/aga8_gerg2008_zfactor/aga8_test_gases_composition_molpct.csv.

    The README does not state the conditions of this column. The values are the real-gas relative
    density at 0 C / 101.325 kPa (the AGA8 GROSS-method input): the ideal M/M_air is 0.2 % lower,
    while the ISO 6976:2016 real-gas value at NORMAL_0C agrees within 1.3e-4 relative (measured
    max 1.1e-4; the AGA8 1994 tables use their own air molar mass and Z).
    """
    for gas in aga8_test_gases:
        expected = aga8_test_gas_properties[gas]["relative_density"]
        assert aga8_test_gases[gas].relative_density(NORMAL_0C) == pytest.approx(expected, rel=1.3e-4), gas


def test_aga8_test_gases_heating_value(
    aga8_test_gases: dict[str, GasComposition], aga8_test_gas_properties: dict[str, dict[str, float]]
) -> None:
    """Volumetric heating value vs refcases/aga8_gerg2008_zfactor/aga8_test_gases_composition_molpct.csv.

    The README does not state the reference conditions of this column. Among the ISO 6976
    combustion temperatures, real-gas gross values at 0 C / 101.325 kPa metering reproduce it best
    with a 15 C combustion reference (max deviation 4.8e-5 relative, compared here with 1e-4);
    with 25 C combustion the values are 0.10 % lower, which is also checked, so this test states the
    inferred conditions rather than documented ones.
    """
    reference = StandardConditions(273.15, 101325.0, "0 C metering / 15 C combustion", combustion_t_k=288.15)
    for gas in aga8_test_gases:
        expected = aga8_test_gas_properties[gas]["volumetric_heating_value_MJ_per_m3"]
        composition = aga8_test_gases[gas]
        assert composition.gross_heating_value_mj_per_m3(reference) == pytest.approx(expected, rel=1e-4), gas
        ratio_25c = composition.gross_heating_value_mj_per_m3(NORMAL_0C) / expected
        assert ratio_25c == pytest.approx(1 - 1.05e-3, abs=1e-4), gas


def test_z_standard_vs_gerg2008(aga8_test_gases: dict[str, GasComposition]) -> None:
    """ISO 6976 summation-factor Z at 101.325 kPa vs GERG-2008 for the five AGA8 test gases.

    Gases of refcases/aga8_gerg2008_zfactor/aga8_test_gases_composition_molpct.csv.

    Measured max |dZ|: 4.8e-5 at 15 C and 7.2e-5 at 0 C (High CO2), within the 1e-4 expected of
    the summation-factor approximation.
    """
    for reference in (ISO_15C, NORMAL_0C):
        for gas, composition in aga8_test_gases.items():
            z_gerg = Gerg2008(composition).z_direct(np.array([reference.p_pa]), reference.t_k)[0]
            assert composition.z_standard(reference) == pytest.approx(z_gerg, abs=1e-4), gas


def _psgp_gas(compositions: dict[str, dict[str, object]], name: str) -> tuple[GasComposition, dict[str, float]]:
    data = compositions[name]
    fractions = {k: float(v) for k, v in data.items() if k in COMPONENTS}  # type: ignore[arg-type]
    numbers = {k: float(v) for k, v in data.items() if isinstance(v, int | float)}
    return GasComposition.from_mole_fractions(name, fractions), numbers


def test_rlng_against_psgp_dataset(psgp_gas_compositions: dict[str, dict[str, object]]) -> None:
    """RLNG_QATAR_TYPICAL of shared/data/psgp/network_draft.yaml: HHV 41.4 MJ/Sm3, 1111 Btu/scf, SG 0.621.

    * 1111 Btu/scf: gross real-gas at 60 F / 14.696 psia (60 F combustion) gives 1111.5 Btu/scf.
    * 41.4 MJ/Sm3: the same value in MJ/m3 (41.41); at 15 C / 15 C ISO conditions it is 41.50, so
      the data set's "Sm3" is the 60 F base (or 15 C metering with 25 C combustion: 41.45).
    * SG 0.621 is the ideal-gas ratio M/M_air = 0.6214; the real-gas relative density is 0.6227,
      0.27 % higher, so it is compared with 0.002.
    """
    gas, data = _psgp_gas(psgp_gas_compositions, "RLNG_QATAR_TYPICAL")
    assert gas.gross_heating_value_btu_per_scf(US_60F) == pytest.approx(data["HHV_Btu_scf"], abs=1.0)
    assert gas.gross_heating_value_mj_per_m3(US_60F) == pytest.approx(data["HHV_MJ_Sm3"], abs=0.05)
    assert gas.gross_heating_value_mj_per_m3(ISO_15C) == pytest.approx(data["HHV_MJ_Sm3"], abs=0.1)
    assert gas.molar_mass_kg_per_mol / MOLAR_MASS_AIR_KG_PER_MOL == pytest.approx(data["SG"], abs=1e-3)
    assert gas.relative_density(US_60F) == pytest.approx(data["SG"], abs=2e-3)


def test_pk_system_gas_against_psgp_dataset(psgp_gas_compositions: dict[str, dict[str, object]]) -> None:
    """PK_SYSTEM_GAS_SUI_TYPE of shared/data/psgp/network_draft.yaml: 921 Btu/scf, SG 0.616, Wobbe 1173.

    Gross at 60 F / 14.696 psia: 920.3 Btu/scf; ideal SG 0.6158; Wobbe with the ideal SG 1172.8
    Btu/scf (with the real-gas relative density 1171.9).
    """
    gas, data = _psgp_gas(psgp_gas_compositions, "PK_SYSTEM_GAS_SUI_TYPE")
    hv = gas.gross_heating_value_btu_per_scf(US_60F)
    assert hv == pytest.approx(data["HHV_Btu_scf"], abs=1.0)
    assert gas.gross_heating_value_mj_per_m3(US_60F) == pytest.approx(data["HHV_MJ_Sm3"], abs=0.05)
    sg_ideal = gas.molar_mass_kg_per_mol / MOLAR_MASS_AIR_KG_PER_MOL
    assert sg_ideal == pytest.approx(data["SG"], abs=1e-3)
    assert hv / math.sqrt(sg_ideal) == pytest.approx(data["Wobbe_Btu_scf"], abs=1.0)
    assert hv / math.sqrt(gas.relative_density(US_60F)) == pytest.approx(data["Wobbe_Btu_scf"], abs=2.0)


def test_pseudo_critical_kay(rlng: GasComposition) -> None:
    t_pc, p_pc = rlng.pseudo_critical()
    x = rlng.mole_fractions
    from linepack.gas.components import CRITICAL_PRESSURE_PA, CRITICAL_TEMPERATURE_K

    assert t_pc == pytest.approx(float(x @ CRITICAL_TEMPERATURE_K))
    assert p_pc == pytest.approx(float(x @ CRITICAL_PRESSURE_PA))
    assert 195.0 < t_pc < 215.0 and 4.5e6 < p_pc < 4.7e6


# ------------------------------------------------------------------------------- heat capacity ratio


def test_ideal_kappa_methane_vs_coolprop() -> None:
    """Ideal-gas kappa of methane (GERG-2008 ideal part) vs CoolProp's ideal-gas cp0 within 2e-4."""
    gas = GasComposition.from_mole_fractions("CH4", {"CH4": 1.0})
    t = np.array([250.0, 288.15, 320.0, 400.0])
    kappa = gas.ideal_heat_capacity_ratio(t)
    for ti, ki in zip(t, kappa, strict=True):
        cp0 = PropsSI("CP0MOLAR", "T", ti, "P", 101325.0, "Methane")
        r = 8.314462618
        assert ki == pytest.approx(cp0 / (cp0 - r), rel=2e-4)


def test_ideal_kappa_spline_accuracy(rlng: GasComposition) -> None:
    """The cp0 spline matches direct pyaga8 (zero density) at off-grid temperatures within 1e-8 relative."""
    t = np.linspace(200.3, 450.7, 37)
    r = 8.314472
    kappa_direct = (cp := _cp0_direct(rlng.fractions_tuple, t)) / (cp - r)
    np.testing.assert_allclose(rlng.ideal_heat_capacity_ratio(t), kappa_direct, rtol=1e-8)
    assert rlng.ideal_heat_capacity_ratio(288.15).shape == ()
    with pytest.raises(InputError, match=r"outside 60\.\.1000 K"):
        rlng.ideal_heat_capacity_ratio(np.array([300.0, 15.0]))
