"""Time-varying boundary conditions: demand and supply profiles and set-points over time.

A :class:`Profile` is a table of piecewise-linear time series. Each column is named ``kind:target``:

==================  ==================================================  ======================
kind                target                                              value
==================  ==================================================  ======================
``demand``          sink id, sink category (``city_gate`` ...) or ``*``  multiplier of the demand
``demand_kg_s``     sink id                                             demand [kg/s]
``supply``          source id (flow-mode source)                        multiplier of the inflow
``supply_kg_s``     source id (flow-mode source)                        inflow [kg/s]
``p_set_barg``      pressure source, compressor or regulator id         set-point [barg]
``p_set_pa``        pressure source, compressor or regulator id         set-point [Pa absolute]
``ratio``           compressor id (ratio control)                       pressure ratio [-]
==================  ==================================================  ======================

Profiles are read from CSV (first column ``time_h`` or ``time_s``) or Parquet (same columns; needs the
optional extra ``linepack[transient]``), or built in (:func:`builtin_profile`). Between the given times
values are interpolated linearly; before the first and after the last they are held.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode
from ..errors import InputError
from ..solvers.equations import ControlState
from ..units import BAR_PA

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

KINDS = ("demand", "demand_kg_s", "supply", "supply_kg_s", "p_set_barg", "p_set_pa", "ratio")

# Winter-day demand shape (A, assumed): hourly multipliers of the scenario demand, hours 0..24 (the value at
# 24 h equals 0 h). City gates (residential and commercial heating and cooking in the Pakistani winter):
# low at night, a morning peak 07-09 h and a larger evening peak 18-21 h. Power plants: night minimum,
# a midday plateau and an evening peak 18-22 h. Industry and fertiliser: flat. Each shape has a daily mean
# of 1.0, so the day's delivered volume equals the scenario's steady demand and the pipeline packs at night
# and drafts at the peaks.
_CITY = [0.62, 0.58, 0.56, 0.56, 0.60, 0.75, 1.05, 1.38, 1.42, 1.22, 1.02, 0.95,
         0.92, 0.90, 0.90, 0.95, 1.08, 1.30, 1.48, 1.52, 1.42, 1.18, 0.92, 0.72]  # fmt: skip
_POWER = [0.78, 0.74, 0.72, 0.72, 0.76, 0.85, 0.96, 1.04, 1.08, 1.08, 1.06, 1.05,
          1.04, 1.04, 1.04, 1.06, 1.12, 1.22, 1.30, 1.32, 1.26, 1.12, 0.96, 0.84]  # fmt: skip


def _normalised(shape: list[float]) -> F64:
    a = np.asarray(shape + shape[:1], dtype=float)
    return a / np.mean(a[:-1])


WINTER_DAY_SHAPES: dict[str, F64] = {
    "city_gate": _normalised(_CITY),
    "power_plant": _normalised(_POWER),
}


@dataclass(frozen=True)
class Profile:
    """Piecewise-linear time series, one per column ``kind:target`` (times in seconds from the start)."""

    name: str
    times_s: F64
    columns: Mapping[str, F64]

    def __post_init__(self) -> None:
        t = np.asarray(self.times_s, dtype=float)
        if t.ndim != 1 or len(t) == 0 or not np.all(np.isfinite(t)):
            raise InputError(f"profile {self.name}: times must be a non-empty list of finite numbers")
        if np.any(np.diff(t) <= 0):
            raise InputError(f"profile {self.name}: times must increase strictly (check the time column)")
        for key, v in self.columns.items():
            kind = key.split(":", 1)[0]
            if ":" not in key or kind not in KINDS:
                raise InputError(
                    f"profile {self.name}: column '{key}' is not 'kind:target' with kind one of {', '.join(KINDS)}"
                )
            if len(v) != len(t) or not np.all(np.isfinite(v)):
                raise InputError(f"profile {self.name}: column '{key}' needs {len(t)} finite values")


def constant_profile() -> Profile:
    """No change: every boundary condition stays at its scenario value."""
    return Profile("constant", np.array([0.0]), {})


def winter_day_profile(hours: float = 24.0) -> Profile:
    """The built-in 24-hour winter-day demand (shapes in :data:`WINTER_DAY_SHAPES`, assumed, A), repeated
    to cover ``hours``."""
    days = max(1, int(np.ceil(hours / 24.0)))
    t_h = np.arange(24 * days + 1, dtype=float)
    cols = {f"demand:{cat}": np.concatenate([s[:-1]] * days + [s[-1:]]) for cat, s in WINTER_DAY_SHAPES.items()}
    return Profile("winter_day", t_h * 3600.0, cols)


BUILTIN = {"winter_day": winter_day_profile, "constant": lambda hours=24.0: constant_profile()}


def builtin_profile(name: str, hours: float = 24.0) -> Profile:
    if name not in BUILTIN:
        raise InputError(f"unknown built-in profile '{name}'; choose one of {', '.join(BUILTIN)} or give a file")
    return BUILTIN[name](hours)


def _from_table(name: str, header: list[str], data: dict[str, F64]) -> Profile:
    tcol = header[0]
    if tcol not in ("time_h", "time_s"):
        raise InputError(f"profile {name}: the first column must be time_h or time_s (got '{tcol}')")
    t = data[tcol] * (3600.0 if tcol == "time_h" else 1.0)
    return Profile(name, t, {k: data[k] for k in header[1:]})


def read_profile(path: str | Path) -> Profile:
    """Read a profile from CSV or Parquet (by suffix)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"profile file {path} not found; give a CSV or Parquet file or a built-in name")
    if path.suffix.lower() == ".parquet":
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise InputError(
                f"profile {path}: reading Parquet needs pyarrow; pip install 'linepack[transient]' or use CSV"
            ) from None
        table = pq.read_table(path)
        header = list(table.column_names)
        data = {c: np.asarray(table.column(c).to_numpy(), dtype=float) for c in header}
        return _from_table(path.name, header, data)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh) if r and not r[0].lstrip().startswith("#")]
    if len(rows) < 2:
        raise InputError(f"profile {path}: needs a header row and at least one data row")
    header = [h.strip() for h in rows[0]]
    vals: list[list[float]] = []
    for i, r in enumerate(rows[1:], start=2):
        if len(r) != len(header):
            raise InputError(f"profile {path}: row {i} has {len(r)} values, the header has {len(header)}")
        try:
            vals.append([float(v) for v in r])
        except ValueError:
            raise InputError(f"profile {path}: row {i} has a value that is not a number: {r}") from None
    arr = np.asarray(vals, dtype=float)
    return _from_table(path.name, header, {h: arr[:, j] for j, h in enumerate(header)})


@dataclass(frozen=True)
class Boundary:
    """Boundary values in force at one time (SI)."""

    demand_kg_s: F64  # per sink
    inflow_kg_s: F64  # per source (flow-mode sources)
    src_p_set_pa: F64  # per source (pressure-held sources)
    comp_target: F64  # per compressor: Pa for pressure control, ratio for ratio control, W for power
    reg_p_set_pa: F64  # per regulator


@dataclass(frozen=True)
class _Series:
    field: str
    index: I64
    times: F64
    values: F64
    scale: bool


class Schedule:
    """A profile bound to a compiled network: :meth:`at` gives the boundary values at any time."""

    def __init__(self, cn: CompiledNetwork, profile: Profile) -> None:
        self.cn = cn
        self.profile = profile
        comp_base = ControlState.initial(cn).comp_target  # each compressor's target in its own mode
        self.base = Boundary(
            cn.sink_demand.copy(),
            cn.source_inflow.copy(),
            cn.source_p_set_pa.copy(),
            np.asarray(comp_base, dtype=float),
            cn.reg_p_set_pa.copy(),
        )
        t = np.asarray(profile.times_s, dtype=float)
        series: list[_Series] = []
        problems: list[str] = []
        # generic columns first, specific ids last so that they win
        keys = sorted(profile.columns, key=lambda k: (k.split(":", 1)[1] in cn.sink_ids, k))
        comp_ids = [cn.edge_ids[e] for e in cn.comp_edge]
        reg_ids = [cn.edge_ids[e] for e in cn.reg_edge]
        for key in keys:
            kind, target = key.split(":", 1)
            v = np.asarray(profile.columns[key], dtype=float)
            if kind in ("demand", "demand_kg_s"):
                if target == "*" and kind == "demand":
                    idx = np.arange(len(cn.sink_ids))
                elif target in cn.sink_ids:
                    idx = np.array([cn.sink_ids.index(target)])
                elif kind == "demand" and target in set(cn.sink_category) | {"city_gate", "power_plant"}:
                    idx = np.flatnonzero(np.array(cn.sink_category) == target)
                else:
                    problems.append(f"profile column '{key}': no sink or sink category '{target}' in the scenario")
                    continue
                if np.any(v < 0) and kind == "demand":
                    problems.append(f"profile column '{key}': demand multipliers must be >= 0")
                series.append(_Series("demand_kg_s", idx, t, v, kind == "demand"))
            elif kind in ("supply", "supply_kg_s"):
                if target not in cn.source_ids:
                    problems.append(f"profile column '{key}': no source '{target}' in the scenario")
                    continue
                k = cn.source_ids.index(target)
                if cn.source_is_pressure[k]:
                    problems.append(
                        f"profile column '{key}': source {target} holds a pressure; give p_set_barg:{target}"
                    )
                    continue
                series.append(_Series("inflow_kg_s", np.array([k]), t, v, kind == "supply"))
            elif kind in ("p_set_barg", "p_set_pa", "ratio"):
                vv = v * BAR_PA + cn.ambient_pa if kind == "p_set_barg" else v
                if kind != "ratio" and target in cn.source_ids:
                    k = cn.source_ids.index(target)
                    if not cn.source_is_pressure[k]:
                        problems.append(f"profile column '{key}': source {target} is flow-controlled")
                        continue
                    series.append(_Series("src_p_set_pa", np.array([k]), t, vv, False))
                elif target in comp_ids:
                    k = comp_ids.index(target)
                    want = CompMode.RATIO if kind == "ratio" else CompMode.PRESSURE
                    if cn.comp_mode[k] != want:
                        problems.append(
                            f"profile column '{key}': compressor {target} is not in {want.name.lower()} control"
                        )
                        continue
                    series.append(_Series("comp_target", np.array([k]), t, vv, False))
                elif kind != "ratio" and target in reg_ids:
                    series.append(_Series("reg_p_set_pa", np.array([reg_ids.index(target)]), t, vv, False))
                else:
                    problems.append(f"profile column '{key}': no element '{target}' that takes this set-point")
        if problems:
            raise InputError(problems)
        self.series = series

    def at(self, t_s: float) -> Boundary:
        """Boundary values at time ``t_s`` [s]."""
        b = self.base
        out = {
            "demand_kg_s": b.demand_kg_s.copy(),
            "inflow_kg_s": b.inflow_kg_s.copy(),
            "src_p_set_pa": b.src_p_set_pa.copy(),
            "comp_target": b.comp_target.copy(),
            "reg_p_set_pa": b.reg_p_set_pa.copy(),
        }
        base = {k: getattr(b, k) for k in out}
        for s in self.series:
            val = float(np.interp(t_s, s.times, s.values))
            out[s.field][s.index] = base[s.field][s.index] * val if s.scale else val
        return Boundary(**out)
