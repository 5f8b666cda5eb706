"""GeoJSON of a solved network: pipes as lines with their results, stations and supply/delivery points as markers.

Only components with coordinates (``lat``/``lon`` on both end nodes) can be drawn; the count of those left
out is reported in the collection's ``skipped`` member so the page can say so.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from ..compile import CompiledNetwork, z_at
from ..results import SteadyResult
from ..units import BAR_PA, R_J_PER_MOL_K

# Design velocity used for the utilisation colouring: 20 m/s is a common upper limit for gas transmission
# lines (noise and erosion; e.g. IGEM/TD/1 guidance). An assumption of the view, not of the physics.
DESIGN_VELOCITY_M_S = 20.0

_TERMINAL = re.compile(r"lng|fsru|terminal|regas", re.IGNORECASE)
_FIELD = re.compile(r"field|gas ?field|wells?\b", re.IGNORECASE)


def source_kind(source_id: str, name: str) -> str:
    """Marker class of a supply: ``terminal`` (LNG/FSRU), ``field`` or ``entry`` (border or hub entry)."""
    text = f"{source_id} {name}"
    if _TERMINAL.search(text):
        return "terminal"
    if _FIELD.search(text):
        return "field"
    return "entry"


def violated_ids(result: SteadyResult) -> dict[str, list[str]]:
    """Component id -> the texts of the result's violations naming it (:mod:`linepack.violations`)."""
    out: dict[str, list[str]] = {}
    for v in result.violation_records:
        out.setdefault(v.component_id, []).append(v.text)
    return out


def _num(x: float, nd: int = 3) -> float | None:
    f = float(x)
    return None if math.isnan(f) or math.isinf(f) else round(f, nd)


def end_velocities_m_s(result: SteadyResult) -> tuple[np.ndarray, np.ndarray]:
    """Mean gas velocity [m/s] at both ends of every pipe/resistor: v = q / (rho(p, Z) A), rho = p M / (Z R T), with
    the molar mass and Z of the gas each carries."""
    cn = result.network
    gas = cn.gas
    area = np.pi * cn.diameter_m**2 / 4.0
    q = result.q_kg_s[cn.res_edge]
    molar = result.molar_mass_res()
    out = []
    for ends in (cn.edge_from[cn.res_edge], cn.edge_to[cn.res_edge]):
        p = result.p_pa[ends]
        z, _ = z_at(cn, p) if result.props is None else result.props.z_res(p)
        rho = p * molar / (z * R_J_PER_MOL_K * gas.temperature_k)
        out.append(np.abs(q) / (rho * area))
    return out[0], out[1]


def node_maop_pa(cn: CompiledNetwork) -> np.ndarray:
    """MAOP at each node [Pa abs]: its own p_max, else the lowest MAOP of the pipes touching it (the rule of
    :func:`linepack.report.node_maop_pa`, from the compiled network alone)."""
    pipe_maop = np.full(cn.n_nodes, np.inf)
    e = cn.res_edge
    for ends in (cn.edge_from[e], cn.edge_to[e]):
        np.minimum.at(pipe_maop, ends, np.where(np.isfinite(cn.maop_pa), cn.maop_pa, np.inf))
    own = cn.p_max_pa
    return np.where(np.isfinite(own), own, np.where(np.isfinite(pipe_maop), pipe_maop, np.nan))


def network_geojson(cn: CompiledNetwork, result: SteadyResult | None = None) -> dict[str, Any]:
    """A FeatureCollection: ``pipe`` lines, and ``compressor``, ``terminal``, ``field``, ``entry``,
    ``delivery`` and ``junction`` points with their data and, given a ``result`` of ``cn``, the results a
    tooltip shows (pressures in barg, flows in MMSCFD, power in MW; with gas quality the gross calorific value
    and Wobbe index in MJ/m3 and the hydrogen in mol % of the gas in every pipe, delivered and supplied, and the
    energy delivered in MW). Without a result (a scenario that has no solution) the layer shows where everything
    is."""
    amb = cn.ambient_pa
    basis = cn.gas.basis
    has_xy = np.isfinite(cn.lat) & np.isfinite(cn.lon)
    maop_node = node_maop_pa(cn)
    names = dict(zip(cn.node_ids, cn.node_names, strict=True))
    feats: list[dict[str, Any]] = []
    skipped = 0
    solved = result is not None
    if result is not None:
        p_barg = (result.p_pa - amb) / BAR_PA
        bad = violated_ids(result)
        v_from, v_to = end_velocities_m_s(result)
        ratio = result.comp_ratio()
        qual = result.quality
    else:
        qual = None
        p_barg = np.full(cn.n_nodes, np.nan)
        bad = {}
        v_from = v_to = np.full(len(cn.res_edge), np.nan)
        ratio = np.full(len(cn.comp_edge), np.nan)

    def xy(i: int) -> list[float]:
        return [round(float(cn.lon[i]), 5), round(float(cn.lat[i]), 5)]

    def route(e: int, i: int, j: int) -> list[list[float]]:
        """The pipe's route where given (``route_lonlat``), else straight between its end nodes."""
        given = cn.pipe_routes.get(cn.edge_ids[e])
        return [[round(x, 5), round(y, 5)] for x, y in given] if given else [xy(i), xy(j)]

    def barg(p_pa: float, nd: int = 1) -> float | None:
        return _num((p_pa - amb) / BAR_PA, nd)

    for k, e in enumerate(cn.res_edge.tolist()):
        if not cn.res_is_pipe[k]:
            continue
        i, j = int(cn.edge_from[e]), int(cn.edge_to[e])
        if not (has_xy[i] and has_xy[j]):
            skipped += 1
            continue
        maop = cn.maop_pa[k]
        props: dict[str, Any] = {
            "kind": "pipe",
            "id": cn.edge_ids[e],
            "name": cn.edge_names[e],
            "from": cn.node_ids[i],
            "to": cn.node_ids[j],
            "length_km": _num(cn.length_m[k] / 1e3, 1),
            "diameter_mm": _num(cn.diameter_m[k] * 1e3, 1),
            "nominal_in": _num(cn.nominal_diameter_in[k], 0),
            "maop_barg": barg(maop),
        }
        if result is not None:
            q = float(result.q_kg_s[e])
            vmax = max(float(v_from[k]), float(v_to[k]))
            pmax_end = max(result.p_pa[i], result.p_pa[j])
            props |= {
                "flow_mmscfd": _num(basis.kg_s_to_mmscfd(abs(q)), 1),
                "reversed": q < 0,
                "p_in_barg": _num(p_barg[i], 2),
                "p_out_barg": _num(p_barg[j], 2),
                "p_mean_barg": barg(result.p_mean_pa[k], 2),
                "maop_use": _num(pmax_end / maop, 3) if np.isfinite(maop) else None,
                "velocity_m_s": _num(vmax, 2),
                "utilisation": _num(vmax / DESIGN_VELOCITY_M_S, 3),
            }
            if qual is not None:
                props |= _quality(qual.edge, k)
        props["violations"] = bad.get(cn.edge_ids[e], [])
        feats.append(
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": route(e, i, j)}, "properties": props}
        )

    for k, e in enumerate(cn.comp_edge.tolist()):
        i, j = int(cn.edge_from[e]), int(cn.edge_to[e])
        at = i if has_xy[i] else j
        if not has_xy[at]:
            skipped += 1
            continue
        pmax = cn.comp_power_max_w[k]
        props = {"kind": "compressor", "id": cn.edge_ids[e], "name": cn.edge_names[e],
                 "power_max_mw": _num(pmax / 1e6, 1)}
        if result is not None:
            props |= {
                "suction_barg": _num(p_barg[i], 2),
                "discharge_barg": _num(p_barg[j], 2),
                "ratio": _num(ratio[k], 3),
                "power_mw": _num(result.comp_power_w[k] / 1e6, 2),
                "fuel_mmscfd": _num(basis.kg_s_to_mmscfd(result.comp_fuel_kg_s[k]), 2),
                "flow_mmscfd": _num(basis.kg_s_to_mmscfd(result.q_kg_s[e]), 1),
            }
        props["violations"] = bad.get(cn.edge_ids[e], [])
        feats.append(_point(xy(at), props))

    marked = np.zeros(cn.n_nodes, dtype=bool)
    for k, sid in enumerate(cn.source_ids):
        i = int(cn.source_node[k])
        if not has_xy[i]:
            skipped += 1
            continue
        marked[i] = True
        cap = cn.source_capacity[k]
        b = cn.source_basis[k]
        nid = cn.node_ids[i]
        props = {
            "kind": source_kind(sid, names[nid]),
            "id": sid,
            "name": names[nid],
            "node": nid,
            "mode": "pressure" if cn.source_is_pressure[k] else "flow",
            "capacity_mmscfd": _num(b.kg_s_to_mmscfd(cap), 1),
        }
        if result is not None:
            props |= {
                "supply_mmscfd": _num(b.kg_s_to_mmscfd(result.source_supply_kg_s[k]), 1),
                "p_barg": _num(p_barg[i], 2),
            }
            if qual is not None:
                props |= _quality(qual.source, k)
        props["violations"] = bad.get(sid, [])
        feats.append(_point(xy(i), props))
    for k, kid in enumerate(cn.sink_ids):
        i = int(cn.sink_node[k])
        if not has_xy[i]:
            skipped += 1
            continue
        marked[i] = True
        nid = cn.node_ids[i]
        props = {
            "kind": "delivery",
            "id": kid,
            "name": names[nid],
            "node": nid,
            "category": cn.sink_category[k],
            "demand_mmscfd": _num(basis.kg_s_to_mmscfd(cn.sink_demand[k]), 1),
            "p_barg": _num(p_barg[i], 2),
            "p_min_barg": barg(cn.sink_p_min_pa[k]),
            "maop_barg": barg(maop_node[i]),
            "violations": bad.get(kid, []) + bad.get(nid, []),
        }
        if qual is not None:
            props |= _quality(qual.sink, k) | {"energy_mw": _num(qual.sink_energy_mw[k], 1)}
        feats.append(_point(xy(i), props))
    on_pipe = np.zeros(cn.n_nodes, dtype=bool)
    pipe_edges = cn.res_edge[cn.res_is_pipe]
    on_pipe[cn.edge_from[pipe_edges]] = True
    on_pipe[cn.edge_to[pipe_edges]] = True
    for i in np.flatnonzero(has_xy & ~marked & on_pipe).tolist():
        nid = cn.node_ids[i]
        props = {
            "kind": "junction",
            "id": nid,
            "name": names[nid],
            "p_barg": _num(p_barg[i], 2),
            "maop_barg": barg(maop_node[i]),
            "violations": bad.get(nid, []),
        }
        feats.append(_point(xy(i), props))
    return {"type": "FeatureCollection", "features": feats, "skipped": skipped, "solved": solved}


def _quality(figures: Any, k: int) -> dict[str, float | None]:
    """Gas-quality tooltip fields of entry ``k`` of a :class:`linepack.gas.quality.QualityFigures`."""
    return {
        "gcv_mj_m3": _num(figures.gcv_mj_m3[k], 3),
        "wobbe_mj_m3": _num(figures.wobbe_mj_m3[k], 3),
        "h2_mol_pct": _num(figures.h2_mol_pct[k], 3),
    }


def _point(coords: list[float], props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": coords}, "properties": props}
