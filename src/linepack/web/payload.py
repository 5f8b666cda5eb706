"""What the page receives for one solved scenario, and the download files. Runs in the solve pool."""

from __future__ import annotations

import json
from typing import Any

from ..results import SteadyResult
from ..solvers.steady import solve_steady
from . import tables
from .geo import network_geojson
from .service import NetworkEntry

DOWNLOAD_FORMATS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
}


def solve(entry: NetworkEntry, scenario: str | None, time_limit_s: float = 120.0) -> SteadyResult:
    """Solve one scenario within ``time_limit_s`` (the server's per-request limit)."""
    from ..solvers.steady import SteadyOptions

    return solve_steady(entry.network, scenario, SteadyOptions(max_time_s=time_limit_s))


def result_payload(entry: NetworkEntry, result: SteadyResult) -> dict[str, Any]:
    """Summary, map layer, tables and the default-route profile of one result."""
    route = tables.default_route(result)
    return {
        "network": entry.token,
        "label": entry.label,
        "scenario": result.network.scenario,
        "converged": result.converged,
        "iterations": result.iterations,
        "message": result.message,
        "totals": tables.totals(result),
        "geojson": network_geojson(result.network, result),
        "deliveries": tables.deliveries(result),
        "compressors": tables.compressors(result),
        "units": tables.units(result),
        "supplies": tables.supplies(result),
        "violations": tables.violation_rows(result),
        "active_bounds": list(result.active_bounds),
        "warnings": list(result.warnings),
        "profile": tables.profile(result, route) if route else None,
        "nodes": list(result.network.node_ids),
    }


def layout_payload(entry: NetworkEntry, scenario: str | None) -> dict[str, Any]:
    """The map layer of a scenario without results (for a scenario that has no solution)."""
    from ..compile import compile_network

    cn = compile_network(entry.network, scenario)
    return {"network": entry.token, "scenario": cn.scenario, "geojson": network_geojson(cn), "nodes": list(cn.node_ids)}


def solve_payload(
    entry: NetworkEntry, scenario: str | None, time_limit_s: float = 120.0
) -> tuple[SteadyResult, dict[str, Any]]:
    result = solve(entry, scenario, time_limit_s)
    return result, result_payload(entry, result)


def download_text(result: SteadyResult, fmt: str) -> str:
    """The result as JSON (the result-file contract), CSV (one table) or GeoJSON (the map layer)."""
    if fmt == "json":
        return json.dumps(result.to_dict(), indent=2) + "\n"
    if fmt == "csv":
        return result.to_csv_text()
    if fmt == "geojson":
        return json.dumps(network_geojson(result.network, result), indent=1) + "\n"
    raise ValueError(fmt)
