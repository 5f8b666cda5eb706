"""Time-varying prices of a day-ahead optimisation: supply gas, compressor fuel gas and electricity.

A :class:`PriceSeries` is a table of piecewise-linear time series (held before the first and after the last
time), read from CSV (first column ``time_h`` or ``time_s``) or built from ``linepack/data/costs.yaml``
(:func:`flat_prices`). Columns:

=============================  =====================================================================
column                         value
=============================  =====================================================================
``supply:<source id>``         price of that source's gas [USD/MMBtu, gross heating value]
``supply:lng``                 sources whose id names LNG or an FSRU (the dispatch rule of costs.yaml)
``supply:domestic``            the other sources
``supply:*``                   every source without a more specific column
``fuel``                       gas burnt by gas-driven compressors [USD/MMBtu]
``electricity``                shaft energy of electric compressors, at their driver efficiency [USD/MWh]
=============================  =====================================================================

The cost integral over a step takes the prices at the end of the step, as the implicit Euler scheme takes
the boundary values.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ...errors import InputError
from ..economics import Economics

F64 = NDArray[np.float64]
ELECTRICITY_USD_PER_MWH = 100.0  # A: industrial electricity, an order of magnitude (no PSGP station is electric)
_FIXED = ("fuel", "electricity")


@dataclass(frozen=True)
class PriceSeries:
    """Prices over time (see the module docstring); ``times_s`` from the start of the day."""

    name: str
    times_s: F64
    columns: Mapping[str, F64]

    def __post_init__(self) -> None:
        t = np.asarray(self.times_s, dtype=float)
        if t.ndim != 1 or len(t) == 0 or not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0):
            raise InputError(f"prices {self.name}: times must be a non-empty, strictly increasing list of numbers")
        for key, v in self.columns.items():
            if key not in _FIXED and not key.startswith("supply:"):
                raise InputError(
                    f"prices {self.name}: column '{key}' is not supply:<source id|lng|domestic|*>, fuel or electricity"
                )
            arr = np.asarray(v, dtype=float)
            if arr.shape != t.shape or not np.all(np.isfinite(arr)) or np.any(arr < 0):
                raise InputError(f"prices {self.name}: column '{key}' needs {len(t)} finite values >= 0")

    def _series(self, key: str, t_s: F64) -> F64 | None:
        if key not in self.columns:
            return None
        return np.interp(t_s, self.times_s, np.asarray(self.columns[key], dtype=float))

    def supply_usd_per_mmbtu(self, source_ids: tuple[str, ...], t_s: F64) -> F64:
        """Price of every source (columns) at the times ``t_s`` (rows) [USD/MMBtu]."""
        unknown = [k[7:] for k in self.columns if k.startswith("supply:") and k[7:] not in (*source_ids, "lng",
                   "domestic", "*")]  # fmt: skip
        if unknown:
            raise InputError(
                f"prices {self.name}: no source {', '.join(unknown)}; sources: {', '.join(source_ids)} "
                "(or lng, domestic, *)"
            )
        out = np.zeros((len(t_s), len(source_ids)))
        for k, sid in enumerate(source_ids):
            kind = "lng" if ("LNG" in sid.upper() or "FSRU" in sid.upper()) else "domestic"
            for key in (f"supply:{sid}", f"supply:{kind}", "supply:*"):
                v = self._series(key, t_s)
                if v is not None:
                    out[:, k] = v
                    break
        return out

    def fuel_usd_per_mmbtu(self, t_s: F64) -> F64:
        v = self._series("fuel", t_s)
        return np.zeros(len(t_s)) if v is None else v

    def electricity_usd_per_mwh(self, t_s: F64) -> F64:
        v = self._series("electricity", t_s)
        return np.full(len(t_s), ELECTRICITY_USD_PER_MWH) if v is None else v


def flat_prices(econ: Economics | None = None) -> PriceSeries:
    """Constant prices from ``linepack/data/costs.yaml`` (LNG, domestic gas, fuel; all tagged A there) and the
    assumed electricity price :data:`ELECTRICITY_USD_PER_MWH`."""
    e = econ or Economics.default()
    one = np.array([0.0])
    return PriceSeries(
        "flat (costs.yaml)",
        one,
        {
            "supply:lng": np.array([e.lng_usd_per_mmbtu]),
            "supply:domestic": np.array([e.domestic_gas_usd_per_mmbtu]),
            "fuel": np.array([e.fuel_usd_per_mmbtu]),
            "electricity": np.array([ELECTRICITY_USD_PER_MWH]),
        },
    )


def read_prices(path: str | Path, econ: Economics | None = None) -> PriceSeries:
    """Prices from a CSV file (see the module docstring); what it does not price keeps the flat prices of
    :func:`flat_prices` (a ``supply:*`` column replaces both flat supply prices)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"price file {path} not found; give a CSV with a time_h column and price columns")
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh) if r and not r[0].lstrip().startswith("#")]
    if len(rows) < 2:
        raise InputError(f"price file {path}: needs a header row and at least one data row")
    header = [h.strip() for h in rows[0]]
    if header[0] not in ("time_h", "time_s"):
        raise InputError(f"price file {path}: the first column must be time_h or time_s (got '{header[0]}')")
    vals = []
    for i, r in enumerate(rows[1:], start=2):
        if len(r) != len(header):
            raise InputError(f"price file {path}: row {i} has {len(r)} values, the header has {len(header)}")
        try:
            vals.append([float(v) for v in r])
        except ValueError:
            raise InputError(f"price file {path}: row {i} has a value that is not a number: {r}") from None
    arr = np.asarray(vals, dtype=float)
    t = arr[:, 0] * (3600.0 if header[0] == "time_h" else 1.0)
    flat = flat_prices(econ)
    given = set(header[1:])
    # flat defaults for what the file does not price; a file's supply:* replaces both flat supply prices
    cols: dict[str, F64] = {
        k: np.full(len(t), float(v[0]))
        for k, v in flat.columns.items()
        if not (k.startswith("supply:") and "supply:*" in given)
    }
    cols.update({h: arr[:, j] for j, h in enumerate(header) if j > 0})
    return PriceSeries(path.name, t, cols)
