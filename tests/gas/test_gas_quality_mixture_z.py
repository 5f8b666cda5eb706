"""Gas quality against the published tables: vectorised ISO 6976 figures and the mixture-Z surrogate.

References (refcases/aga8_gerg2008_zfactor, README there): the five AGA8 test gases with their heating values
and their GERG-2008 Z table (AGA Report No. 8 / NIST TESTDATA), and the ISO 20765-2 printed GERG-2008 values
of gases 1-6 (gases 4 and 5 carry hydrogen).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from linepack.gas import ISO_15C, NORMAL_0C, US_60F, GasComposition, StandardConditions
from linepack.gas.gas_set import GasSet
from linepack.gas.mixture_z import MixtureZ, measure_error, random_mixtures
from linepack.gas.quality import BTU_PER_SCF_MJ_M3, REFERENCES, quality_of

AGA8_GASES = ("GulfCoast", "Amarillo", "Ekofisk", "HighN2", "HighCO2")  # the table's column order

ISO_NAMES = {
    "Methane": "CH4", "Nitrogen": "N2", "CO2": "CO2", "Ethane": "C2H6", "Propane": "C3H8", "n-Butane": "nC4H10",
    "Isobutane": "iC4H10", "n-Pentane": "nC5H12", "Isopentane": "iC5H12", "n-Hexane": "nC6H14",
    "n-Heptane": "nC7H16", "n-Octane": "nC8H18", "n-Nonane": "nC9H20", "n-Decane": "nC10H22", "Hydrogen": "H2",
    "Oxygen": "O2", "CO": "CO", "Water": "H2O", "H2S": "H2S", "Helium": "He", "Argon": "Ar",
}  # fmt: skip


def _iso_gases(refcase_dir: Path) -> dict[str, GasComposition]:
    with (refcase_dir / "iso20765_gases1to6_composition_molefrac.csv").open(newline="") as handle:
        rows = [r for r in csv.reader(handle)]
    names = rows[0][1:]
    out: dict[str, dict[str, float]] = {g: {} for g in names}
    for row in rows[1:]:
        if row[0] in ISO_NAMES:
            for g, v in zip(names, row[1:], strict=True):
                if float(v) > 0:
                    out[g][ISO_NAMES[row[0]]] = float(v)
    return {g: GasComposition.from_mole_fractions(g, fr) for g, fr in out.items()}


def _states(w: np.ndarray, p_pa: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Every mixture at every pressure."""
    return np.repeat(w, len(p_pa), axis=0), np.tile(np.asarray(p_pa), len(w))


def test_quality_figures_match_the_aga8_heating_values(
    aga8_test_gases: dict[str, GasComposition], aga8_test_gas_properties: dict[str, dict[str, float]]
) -> None:
    """The vectorised figures of all five gases at once against the table (0 C metering, 15 C combustion, the
    conditions test_gas_composition infers for that column) and the table's relative density."""
    x = np.array([aga8_test_gases[g].mole_fractions for g in AGA8_GASES])
    ref = StandardConditions(273.15, 101325.0, "0 C / 15 C", combustion_t_k=288.15)
    f = quality_of(x, ref)
    for k, gas in enumerate(AGA8_GASES):
        props = aga8_test_gas_properties[gas]
        assert f.gcv_mj_m3[k] == pytest.approx(props["volumetric_heating_value_MJ_per_m3"], rel=1e-4), gas
        assert f.molar_mass_kg_per_mol[k] * 1e3 == pytest.approx(props["molar_mass_g_per_mol"], rel=1e-5), gas
        # Wobbe = GCV / sqrt(relative density); net below gross by the water's latent heat
        assert f.wobbe_mj_m3[k] == pytest.approx(f.gcv_mj_m3[k] / np.sqrt(f.relative_density[k]), rel=1e-14)
        assert 0.88 < f.ncv_mj_m3[k] / f.gcv_mj_m3[k] < 0.92
        assert f.h2_mol_pct[k] == 0.0


def test_quality_figures_agree_with_the_composition_class(refcase_dir: Path) -> None:
    """ISO 20765 gases 1-5 (hydrogen in 4 and 5) at the three references: the vectorised path and the
    per-gas path of linepack.gas give the same numbers."""
    gases = [g for name, g in _iso_gases(refcase_dir).items() if name != "Gas6"]  # Gas6: 5 % water, liquid
    x = np.array([g.mole_fractions for g in gases])
    for name, ref in REFERENCES.items():
        f = quality_of(x, ref)
        for k, g in enumerate(gases):
            assert f.gcv_mj_m3[k] == pytest.approx(g.gross_heating_value_mj_per_m3(ref), rel=1e-12), (name, g.name)
            assert f.relative_density[k] == pytest.approx(g.relative_density(ref), rel=1e-12)
            assert f.gcv_mj_kg[k] * 1e6 == pytest.approx(g.gross_heating_value_j_per_kg(ref.combustion_t_k), rel=1e-12)
    f = quality_of(x, US_60F)
    assert f.h2_mol_pct[3] == pytest.approx(20.0) and f.h2_mol_pct[4] == pytest.approx(10.0)
    assert f.gcv_btu_scf[0] == pytest.approx(f.gcv_mj_m3[0] / BTU_PER_SCF_MJ_M3)
    assert REFERENCES["15/15C"] == ISO_15C and REFERENCES["60F"] == US_60F
    assert REFERENCES["25/0C"].t_k == NORMAL_0C.t_k and REFERENCES["25/0C"].combustion_t_k == 298.15


@pytest.mark.parametrize("t_k", [273.15, 293.15, 313.15, 333.15])
def test_mixture_z_reproduces_the_aga8_gerg2008_table(
    t_k: float, aga8_test_gases: dict[str, GasComposition], aga8_z_table: list[dict[str, str]]
) -> None:
    """The surrogate over the five AGA8 gases, evaluated at each pure gas, against the table's GERG-2008 Z
    (printed to 6 decimals): measured 4.4e-7 at most; and mixtures of them against direct GERG-2008 within the
    1e-6 goal."""
    gs = GasSet.of([aga8_test_gases[g] for g in AGA8_GASES])
    model = MixtureZ(gs, t_k, p_min_pa=0.9e5, p_max_pa=1.3e7)
    z_of = model.collapse(np.eye(gs.k))
    rows = [r for r in aga8_z_table if r["method"] == "GERG2008" and float(r["T_K"]) == t_k]
    assert len(rows) == 3
    for r in rows:
        p = float(r["p_MPa"]) * 1e6
        z, _ = z_of.evaluate(np.arange(gs.k), np.full(gs.k, p))
        np.testing.assert_allclose(z, [float(r[g]) for g in AGA8_GASES], rtol=0, atol=1e-6)
    report = measure_error(model, *_states(random_mixtures(gs.k, 6, np.random.default_rng(7)), [1e6, 6e6, 12e6]))
    assert report.max_relative_error < 1e-6


def test_mixture_z_of_hydrogen_bearing_gases(refcase_dir: Path) -> None:
    """ISO 20765 gases 1, 4 (20 % H2) and 5 (10 % H2, He, Ar, H2S) at their gas-phase states on the 300, 350
    and 400 K isotherms: the surrogate (to 30 MPa) at each pure gas against the printed Z (5 digits), and their
    mixtures against direct GERG-2008 within the 1e-6 goal. Measured: every printed Z within its last digit."""
    iso = _iso_gases(refcase_dir)
    names = ("Gas1", "Gas4", "Gas5")
    gs = GasSet.of([iso[n] for n in names])
    with (refcase_dir / "iso20765_printed_values_gases1to6.csv").open(newline="") as handle:
        printed = [r for r in csv.DictReader(handle) if r["gas"] in names and float(r["T_K"]) in (300.0, 350.0, 400.0)]
    assert {(r["gas"], float(r["T_K"])) for r in printed} >= {("Gas4", 300.0), ("Gas5", 300.0), ("Gas1", 350.0)}
    worst = 0.0
    for t_k in sorted({float(r["T_K"]) for r in printed}):
        model = MixtureZ(gs, t_k, p_min_pa=1e5, p_max_pa=3e7)
        z_of = model.collapse(np.eye(gs.k))
        for r in (r for r in printed if float(r["T_K"]) == t_k):
            k = names.index(r["gas"])
            z, _ = z_of.evaluate(np.array([k]), np.array([float(r["p_MPa"]) * 1e6]))
            printed_digits = len(r["Z"].split(".")[1])  # half a unit of the last printed digit, plus the 4e-6 the
            tolerance = 0.5 * 10.0**-printed_digits + 4e-6  # README's independent check found
            assert z[0] == pytest.approx(float(r["Z"]), abs=tolerance), (r["gas"], t_k)
        w = random_mixtures(gs.k, 5, np.random.default_rng(3))
        report = measure_error(model, *_states(w, [5e6, 1.5e7, 2.5e7]))
        worst = max(worst, report.max_relative_error)
    assert worst < 1e-6
