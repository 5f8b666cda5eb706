"""Per-source gases of a GasLib network: a surrogate composition for every distinct source gas.

GasLib gives each source its gas by properties, not by composition: molar mass, gross calorific value per
normal m3 (0 C, 1.01325 bar; ISO 6976 with 25 C combustion, the exporter's convention), pseudo-critical
temperature and pressure. linepack tracks gas quality by composition (:mod:`linepack.quality`), so the reader
gives every distinct source gas a **surrogate composition** of methane, ethane, propane, n-butane, nitrogen and
carbon dioxide fitted to those four properties, each of which is linear in the mole fractions (molar mass and
the ideal-gas molar heating value exactly, the pseudo-critical point by Kay's rule, which is how the mixtures'
Papay compression factor is formed):

    minimise  sum_i w_i^2 ((a_i . x - b_i) / b_i)^2 + 1e-6 |x - x_0|^2   subject to  x >= 0,  sum x = 1

with the molar mass weighted 100 (it sets the density the hydraulics use, so it is met first), the others 1,
and x_0 a lean natural gas (90 % methane; the small pull only picks one of the compositions that fit equally
well). The calorific value target is the ideal molar value H = CV Z_n R T_n / p_n, Z_n the surrogate's
compression factor at the normal state (two passes). The residuals are reported when one exceeds 0.1 %:
GasLib's data are not always consistent with any composition (GasLib-11 gives M 18.57 kg/kmol with a normal
density of 0.785 kg/m3, which an ideal gas of that molar mass exceeds by 5 %).

The surrogates are derived data (tag D); a network with one source gas keeps today's single-gas reading
(settings from the weighted mean) and gets no surrogate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import lsq_linear

from ...gas import NORMAL_0C, GasComposition
from ...gas import components as comp
from ...model.components import Source
from ...model.network import GasCompositionSpec, Network
from .model import GasQuality

F64 = NDArray[np.float64]

#: The components of the surrogates, and the lean gas the fit leans towards among equal fits.
SURROGATE_COMPONENTS = ("CH4", "C2H6", "C3H8", "nC4H10", "N2", "CO2")
LEAN_GAS = np.array([0.90, 0.05, 0.01, 0.0, 0.02, 0.02])
REGULARISATION = 1e-6
#: Weights of the fitted properties: the molar mass (which sets the hydraulics' density) is met first.
WEIGHTS = {"molarMass": 100.0, "pseudocriticalTemperature": 1.0, "pseudocriticalPressure": 1.0, "calorificValue": 1.0}
REPORT_ABOVE = 1e-3  # a property fitted worse than 0.1 % is reported


@dataclass(frozen=True)
class SurrogateGas:
    """A fitted composition and how well it reproduces the GasLib properties (relative errors)."""

    name: str
    mole_fractions: dict[str, float]
    errors: dict[str, float]  # property -> relative error of the surrogate

    def worst(self) -> tuple[str, float]:
        key = max(self.errors, key=lambda k: abs(self.errors[k]))
        return key, self.errors[key]


def _key(q: GasQuality) -> tuple[float | None, ...]:
    return (
        q.molar_mass_kg_per_kmol,
        q.calorific_value_mj_per_m3,
        q.pseudocritical_temperature_k,
        q.pseudocritical_pressure_bar,
    )


def distinct_gases(gas: Mapping[str, GasQuality]) -> dict[tuple[float | None, ...], list[str]]:
    """The distinct source gases (by molar mass, calorific value and pseudo-critical point) -> their nodes."""
    out: dict[tuple[float | None, ...], list[str]] = {}
    for node, q in gas.items():
        out.setdefault(_key(q), []).append(node)
    return out


def fit_surrogate(q: GasQuality, name: str) -> SurrogateGas:
    """The surrogate composition of one GasLib gas (see the module docstring). Needs the molar mass; the
    calorific value and the pseudo-critical point are fitted when given."""
    idx = [comp.COMPONENTS.index(c) for c in SURROGATE_COMPONENTS]
    m_i = comp.MOLAR_MASS_KG_PER_MOL[idx] * 1e3  # kg/kmol
    hs_i = comp.GROSS_HEATING_VALUE_J_PER_MOL[idx, comp.heating_value_column(NORMAL_0C.combustion_t_k)]
    tc_i = comp.CRITICAL_TEMPERATURE_K[idx]
    pc_i = comp.CRITICAL_PRESSURE_PA[idx] / 1e5
    targets: list[tuple[str, F64, float]] = []
    assert q.molar_mass_kg_per_kmol is not None
    targets.append(("molarMass", m_i, q.molar_mass_kg_per_kmol))
    if q.pseudocritical_temperature_k is not None:
        targets.append(("pseudocriticalTemperature", tc_i, q.pseudocritical_temperature_k))
    if q.pseudocritical_pressure_bar is not None:
        targets.append(("pseudocriticalPressure", pc_i, q.pseudocritical_pressure_bar))
    z_n = 1.0
    x = LEAN_GAS.copy()
    for _ in range(2):
        rows = list(targets)
        if q.calorific_value_mj_per_m3 is not None:
            h_target = q.calorific_value_mj_per_m3 * 1e6 * z_n * comp.R_ISO6976 * NORMAL_0C.t_k / NORMAL_0C.p_pa
            rows.append(("calorificValue", hs_i, h_target))
        weight = np.array([WEIGHTS[r[0]] for r in rows])
        a = np.array([r[1] / r[2] for r in rows]) * weight[:, None]
        b = weight
        reg = np.sqrt(REGULARISATION)
        a_full = np.vstack([a, 1e3 * np.ones((1, len(idx))), reg * np.eye(len(idx))])
        b_full = np.concatenate([b, [1e3], reg * LEAN_GAS])
        x = lsq_linear(a_full, b_full, bounds=(0.0, 1.0), method="bvls").x
        x = np.where(x < 1e-12, 0.0, x)
        x = x / x.sum()
        full = np.zeros(comp.N_COMPONENTS)
        full[idx] = x
        z_n = float(GasComposition.from_mole_fractions(name, _fractions(full)).z_standard(NORMAL_0C))
    errors = {r[0]: float(r[1] @ x / r[2] - 1.0) for r in rows}
    return SurrogateGas(name, {c: float(v) for c, v in zip(SURROGATE_COMPONENTS, x, strict=True) if v > 0}, errors)


def _fractions(full: F64) -> dict[str, float]:
    return {c: float(v) for c, v in zip(comp.COMPONENTS, full, strict=True) if v > 0}


def mean_quality(gas: Mapping[str, GasQuality], weights: Mapping[str, float]) -> GasQuality:
    """The flow-weighted mean gas of the sources (the reader's settings gas), as a GasQuality."""
    from .mapping import weighted_mean

    def mean(attr: str) -> float | None:
        return weighted_mean(gas, attr, weights)

    return GasQuality(
        node="(mean)",
        temperature_c=mean("temperature_c"),
        calorific_value_mj_per_m3=mean("calorific_value_mj_per_m3"),
        norm_density_kg_per_m3=mean("norm_density_kg_per_m3"),
        molar_mass_kg_per_kmol=mean("molar_mass_kg_per_kmol"),
        pseudocritical_pressure_bar=mean("pseudocritical_pressure_bar"),
        pseudocritical_temperature_k=mean("pseudocritical_temperature_k"),
        heat_capacity_a=None,
        heat_capacity_b=None,
        heat_capacity_c=None,
    )


def assign_source_gases(
    network: Network, gas: Mapping[str, GasQuality], weights: Mapping[str, float], file: str
) -> list[str]:
    """Give every source of ``network`` the surrogate of its node's GasLib gas when the sources supply more than
    one gas (a source at a node without gas data, such as an exit that injects, gets the flow-weighted mean gas);
    returns the notes for the case's warnings. One source gas: nothing changes (the single-gas reading)."""
    with_mass = {n: q for n, q in gas.items() if q.molar_mass_kg_per_kmol is not None}
    groups = distinct_gases(with_mass)
    if len(groups) < 2:
        return []
    name_of: dict[str, str] = {}
    fitted: list[SurrogateGas] = []
    for k, nodes in enumerate(groups.values(), start=1):
        s = fit_surrogate(with_mass[nodes[0]], f"gaslib_gas_{k}")
        fitted.append(s)
        name_of.update({n: s.name for n in nodes})
    mean = fit_surrogate(mean_quality(with_mass, weights), "gaslib_mean_gas")
    notes = [
        f"{file}: the sources supply {len(groups)} different gases; each is carried with a surrogate composition "
        "fitted to its molarMass, calorificValue and pseudo-critical point (gaslib_gas_1..; sources without gas "
        "data: gaslib_mean_gas), so the hydraulics mix them (settings.mixing)"
    ]
    sources = [c for c in network.collections["sources"].values() if isinstance(c, Source)]
    used_mean = any(src.node not in name_of for src in sources)
    for s in [*fitted, *([mean] if used_mean else [])]:
        what, err = s.worst()
        nodes = [n for n, g in name_of.items() if g == s.name] or ["sources without gas data"]
        provenance = (
            f"D: surrogate of methane..n-butane, N2, CO2 fitted to the GasLib gas of {', '.join(nodes[:3])}"
            f"{' and others' if len(nodes) > 3 else ''} (linepack.io.gaslib.gases); largest relative error "
            f"{err:+.1e} ({what})"
        )
        network.gas_compositions[s.name] = GasCompositionSpec(mole_fractions=s.mole_fractions, provenance=provenance)
        if abs(err) > REPORT_ABOVE:
            notes.append(
                f"{file}: surrogate {s.name} misses the GasLib {what} by {err:+.2%} (no composition of these "
                "components fits all the given properties)"
            )
    for src in sources:
        network.replace(src.model_copy(update={"gas": name_of.get(src.node, mean.name)}))
    return notes
