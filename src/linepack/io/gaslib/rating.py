"""Compressor-station bounds for linepack's one-line compressor model, derived from GasLib .cs data.

* Ratio: a piston compressor gives ``maximalCompressionRatio``. A turbo compressor gives its map: the
  highest adiabatic head it can deliver is where its maximum-speed isoline H(n_max, Q) meets the surge
  line (to the left of it the machine surges); that head becomes a pressure ratio with the ideal-gas
  isentropic relation r = (1 + H (k-1)/k * M/(R T))^(k/(k-1)) at the network gas temperature (Z = 1,
  an estimate). Serial stages multiply, parallel units share the ratio (the best unit counts); the station
  takes its best configuration.
* Power: each drive's maximal power is its polynomial at the best speed within the speed range of the
  compressors it drives (gas turbines at the ambient temperature of the .scn, else 15 C); without
  coefficients, its highest measured maximal power. A configuration's power is the sum over the distinct
  drives it uses; the station takes its strongest configuration.
* Driver efficiency: shaft power over fuel energy rate e0 + e1 P + e2 P^2 at the rated power, summed over
  the drives of that configuration whose coefficients give more fuel than power (GasLib-135 has the
  placeholders 0.01, 0, 0 and many GasLib-4197 drives all zeros: those drives are left out, and a station
  with none keeps linepack's default).
* Driver: ``electric`` when every drive is an electric motor, else ``gas_turbine`` (fuel gas).
* Isentropic efficiency: the mean ``adiabaticEfficiency`` when every unit is a piston compressor; turbo
  maps give an efficiency per operating point, which one number cannot hold: linepack's default stays.
"""

from __future__ import annotations

import numpy as np

from ...units import R_J_PER_MOL_K
from .model import (
    CompressorStationData,
    Configuration,
    Drive,
    MaxPowerCurve,
    PistonCompressor,
    Stage,
    StageUnit,
    StationRating,
)
from .model import TurboCompressor as Turbo

DEFAULT_AMBIENT_C = 15.0
_RATIO_CAP = 10.0  # linepack's Compressor.ratio_max upper bound


def _poly2(c: tuple[float, ...], x: float | np.ndarray, y: float | np.ndarray) -> np.ndarray:
    """sum c[i + 3 j] x^i y^j for a 9-coefficient biquadratic."""
    out = np.zeros(np.broadcast(np.asarray(x), np.asarray(y)).shape)
    for j in range(3):
        for i in range(3):
            out = out + c[i + 3 * j] * np.asarray(x, dtype=float) ** i * np.asarray(y, dtype=float) ** j
    return out


def _quad(c: tuple[float, ...], x: float | np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return c[0] + c[1] * x + (c[2] * x * x if len(c) > 2 else 0.0)


def turbo_max_head_kj_per_kg(comp: Turbo) -> float | None:
    """Highest adiabatic head [kJ/kg] on the maximum-speed isoline that is not beyond the surge line."""
    if len(comp.n_isoline_coeffs) != 9 or comp.speed_max_per_min <= 0:
        return None
    n = comp.speed_max_per_min
    q_end = 1.0
    while q_end < 1e4 and float(_poly2(comp.n_isoline_coeffs, n, q_end)) > 0:
        q_end *= 2.0
    q = np.linspace(0.0, q_end, 4001)
    head = _poly2(comp.n_isoline_coeffs, n, q)
    if len(comp.surgeline_coeffs) >= 2:
        head = np.minimum(head, _quad(comp.surgeline_coeffs, q))
    best = float(np.max(head))
    return best if best > 0 else None


def head_to_ratio(head_kj_per_kg: float, kappa: float, molar_mass_kg_per_mol: float, temperature_k: float) -> float:
    """Ideal-gas isentropic pressure ratio for an adiabatic head (Z = 1)."""
    e = (kappa - 1.0) / kappa
    return float((1.0 + head_kj_per_kg * 1e3 * e * molar_mass_kg_per_mol / (R_J_PER_MOL_K * temperature_k)) ** (1 / e))


def drive_max_power_kw(drive: Drive, speed_range: tuple[float, float] | None, ambient_c: float) -> float | None:
    """Maximal shaft power of a drive [kW] over the speed range of the compressors it drives."""
    pc = drive.power_coeffs
    if speed_range is not None and len(pc) in (3, 9):
        n = np.linspace(speed_range[0], speed_range[1], 201)
        power = _poly2(pc, n, ambient_c) if len(pc) == 9 else _quad(pc, n)
        best = float(np.max(power))
        return best if best > 0 else None
    if drive.maximal_power:

        def distance(curve: MaxPowerCurve) -> float:
            t = curve.ambient_temperature_c
            return 0.0 if t is None else abs(t - ambient_c)

        curves = sorted(drive.maximal_power, key=distance)
        pts = [p for _, p in curves[0].points]
        return max(pts) if pts and max(pts) > 0 else None
    return None


def station_rating(
    st: CompressorStationData,
    kappa: float | None,
    molar_mass_kg_per_mol: float,
    temperature_k: float,
    ambient_c: float = DEFAULT_AMBIENT_C,
) -> StationRating:
    ratio: dict[str, float | None] = {}
    speeds: dict[str, tuple[float, float]] = {}
    drive_of: dict[str, str] = {}
    for c in st.compressors:
        drive_of[c.id] = c.drive
        lo, hi = c.speed_min_per_min, c.speed_max_per_min
        if hi > 0:
            old = speeds.get(c.drive)
            speeds[c.drive] = (min(lo, old[0]), max(hi, old[1])) if old else (lo, hi)
        if isinstance(c, PistonCompressor):
            ratio[c.id] = c.maximal_compression_ratio
        else:
            head = turbo_max_head_kj_per_kg(c)
            ratio[c.id] = (
                head_to_ratio(head, kappa, molar_mass_kg_per_mol, temperature_k)
                if head is not None and kappa is not None
                else None
            )
    drives = {d.id: d for d in st.drives}
    power = {d.id: drive_max_power_kw(d, speeds.get(d.id), ambient_c) for d in st.drives}
    configs = st.configurations or (
        Configuration("all", 1, (Stage(1, len(st.compressors), tuple(StageUnit(c.id, None) for c in st.compressors)),)),
    )
    best_ratio: float | None = None
    best_power: float | None = None
    best_drives: set[str] = set()
    for cf in configs:
        r = 1.0
        for stage in cf.stages:
            rs = [ratio[u.compressor] for u in stage.units if ratio.get(u.compressor) is not None]
            if not rs:
                r = float("nan")
                break
            r *= max(x for x in rs if x is not None)
        if r == r and (best_ratio is None or r > best_ratio):
            best_ratio = r
        used = {drive_of[u.compressor] for stage in cf.stages for u in stage.units if u.compressor in drive_of}
        pw = [power.get(d) for d in used]
        if used and all(p is not None for p in pw):
            total = float(sum(p for p in pw if p is not None))
            if best_power is None or total > best_power:
                best_power, best_drives = total, used
    eta_driver: float | None = None
    shaft = fuel = 0.0
    for d in sorted(best_drives):
        e = drives[d].energy_rate_coeffs if d in drives else ()
        p = power.get(d)
        if len(e) >= 2 and p is not None:
            f = float(_quad(e, p))
            if f > p:  # placeholder coefficients (fuel at or below the power, e.g. all zero) give nothing
                shaft, fuel = shaft + p, fuel + f
    if fuel > 0:
        eta_driver = shaft / fuel
    kinds = {d.kind for d in st.drives}
    driver = None if not kinds else ("electric" if kinds == {"electricMotor"} else "gas_turbine")
    pistons = [c for c in st.compressors if isinstance(c, PistonCompressor)]
    eta_is: float | None = None
    if st.compressors and len(pistons) == len(st.compressors):
        etas = [c.adiabatic_efficiency for c in pistons if c.adiabatic_efficiency is not None]
        if etas and 0 < float(np.mean(etas)) <= 1:
            eta_is = float(np.mean(etas))
    if best_ratio is not None:
        best_ratio = min(max(best_ratio, 1.0), _RATIO_CAP)
    return StationRating(
        ratio_max=best_ratio,
        power_max_mw=best_power / 1000.0 if best_power is not None else None,
        driver=driver,
        driver_efficiency=eta_driver,
        isentropic_efficiency=eta_is,
        ambient_temperature_c=ambient_c,
    )
