"""Results as labelled tables: pandas DataFrames indexed by component id, units in the column names.

pandas is an optional extra (``pip install 'linepack[data]'``); it is imported here, on first use, and never
inside a solver. The columns are those of the result-file contract (README), so a DataFrame, the JSON
file and the CSV file say the same thing:

    result = linepack.solve_steady(net)
    result.nodes        # p_bar, p_barg, injection_kg_s, elevation_m, lat, lon; index: node id
    result.pipes        # from, to, mass_flow_kg_s, p_in_bar, p_out_bar, ..., linepack_kg; index: pipe id
    result.compressors  # ratio, power_mw, fuel_kg_s, mode, ...
    result.sources, result.sinks, result.regulators, result.valves, result.short_pipes, result.resistors

With gas quality the node, pipe, source and sink tables also carry the gas figures (``gcv_mj_m3``,
``wobbe_mj_m3``, ``h2_mol_pct``, ...) and the mole fractions as ``mole_fractions_<component>`` columns.
"""

from __future__ import annotations

from typing import Any

from .errors import InputError

RESULT_TABLES = (
    "nodes",
    "pipes",
    "compressors",
    "regulators",
    "valves",
    "short_pipes",
    "resistors",
    "sources",
    "sinks",
    "compressor_units",
)


def require_pandas() -> Any:
    """The pandas module, or an :class:`InputError` saying which extra installs it."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover (pandas is in the test environment)
        raise InputError("results as DataFrames need pandas; install it with: pip install 'linepack[data]'") from None
    return pd


def require_xarray() -> Any:
    """The xarray module, or an :class:`InputError` saying which extra installs it."""
    try:
        import xarray as xr
    except ImportError:  # pragma: no cover
        raise InputError(
            "labelled transient results need xarray; install it with: pip install 'linepack[data]'"
        ) from None
    return xr


def records_frame(records: list[dict[str, Any]], columns: list[str] | None = None, index: str = "id") -> Any:
    """A DataFrame of ``records`` indexed by ``index`` (an empty one keeps the columns). A field holding a
    mapping (a gas's ``mole_fractions``) becomes one column per key, ``mole_fractions_methane`` and so on."""
    pd = require_pandas()
    if any(isinstance(v, dict) for r in records for v in r.values()):
        records = [_flat(r) for r in records]
    df = pd.DataFrame.from_records(records, columns=columns)
    if index in df.columns:
        df = df.set_index(index)
    return df


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            out.update({f"{key}_{k}": v for k, v in value.items()})
        else:
            out[key] = value
    return out


def steady_tables(doc: dict[str, Any]) -> dict[str, Any]:
    """Every result table of a steady result's contract document (``SteadyResult.to_dict()``)."""
    return {kind: records_frame(doc[kind]) for kind in RESULT_TABLES}
