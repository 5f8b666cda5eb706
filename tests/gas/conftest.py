"""Shared loaders of the AGA8 / GERG-2008 reference files for the linepack.gas tests."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from linepack.gas import GasComposition

REFCASE_DIR = Path(__file__).resolve().parents[3] / "shared" / "refcases" / "aga8_gerg2008_zfactor"
PSGP_YAML = Path(__file__).resolve().parents[3] / "shared" / "data" / "psgp" / "network_draft.yaml"

AGA8_GASES = ("GulfCoast", "Amarillo", "Ekofisk", "HighN2", "HighCO2")
_PROPERTY_ROWS = ("molar_mass_g_per_mol", "relative_density", "volumetric_heating_value_MJ_per_m3")


def _require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"reference file {path} not found (shared/ is expected beside the repository)")
    return path


def read_wide_composition_csv(path: Path) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """Read a component-by-gas table: returns ({gas: {component: mol %}}, {gas: {property: value}})."""
    with _require(path).open(newline="") as handle:
        rows = list(csv.reader(handle))
    gases = rows[0][1:]
    compositions: dict[str, dict[str, float]] = {g: {} for g in gases}
    properties: dict[str, dict[str, float]] = {g: {} for g in gases}
    for row in rows[1:]:
        target = properties if row[0] in _PROPERTY_ROWS else compositions
        for gas, value in zip(gases, row[1:], strict=True):
            target[gas][row[0]] = float(value)
    return compositions, properties


@pytest.fixture(scope="session")
def aga8_test_gases() -> dict[str, GasComposition]:
    """The five AGA8 test gases (aga8_test_gases_composition_molpct.csv), as compositions."""
    compositions, _ = read_wide_composition_csv(REFCASE_DIR / "aga8_test_gases_composition_molpct.csv")
    assert tuple(compositions) == AGA8_GASES
    return {
        gas: GasComposition.from_mole_fractions(gas, {k: v / 100.0 for k, v in molpct.items()})
        for gas, molpct in compositions.items()
    }


@pytest.fixture(scope="session")
def aga8_test_gas_properties() -> dict[str, dict[str, float]]:
    """Molar mass, relative density and heating value rows of aga8_test_gases_composition_molpct.csv."""
    _, properties = read_wide_composition_csv(REFCASE_DIR / "aga8_test_gases_composition_molpct.csv")
    return properties


@pytest.fixture(scope="session")
def aga8_z_table() -> list[dict[str, str]]:
    """Rows of aga8_test_gases_Z_SI.csv (T_K, p_MPa, method, one Z column per gas)."""
    with _require(REFCASE_DIR / "aga8_test_gases_Z_SI.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def refcase_dir() -> Path:
    """shared/refcases/aga8_gerg2008_zfactor (skips the test when shared/ is absent)."""
    return _require(REFCASE_DIR)


@pytest.fixture(scope="session")
def psgp_gas_compositions() -> dict[str, dict[str, object]]:
    """The gas_compositions block of shared/data/psgp/network_draft.yaml."""
    data = yaml.safe_load(_require(PSGP_YAML).read_text())
    return dict(data["gas_compositions"])


@pytest.fixture(scope="session")
def rlng() -> GasComposition:
    """RLNG_QATAR_TYPICAL of the PSGP data set (network_draft.yaml, gas_compositions)."""
    return GasComposition.from_mole_fractions(
        "RLNG_QATAR_TYPICAL",
        {"CH4": 0.900, "C2H6": 0.065, "C3H8": 0.022, "iC4H10": 0.004, "nC4H10": 0.005, "N2": 0.004},
    )
