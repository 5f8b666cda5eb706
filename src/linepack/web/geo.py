"""GeoJSON of a solved network: pipes as lines with their results, stations and supply/delivery points as markers.

Only components with coordinates (``lat``/``lon`` on both end nodes) can be drawn; the count of those left
out is reported in the collection's ``skipped`` member so the page can say so.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from ..compile import EdgeKind, z_at
from ..report import node_maop_pa
from ..results import SteadyResult
from ..units import BAR_PA, R_J_PER_MOL_K

# Design velocity used for the utilisation colouring: 20 m/s is a common upper limit for gas transmission
# lines (noise and erosion; e.g. IGEM/TD/1 guidance). An assumption of the view, not of the physics.
DESIGN_VELOCITY_M_S = 20.0

_TERMINAL = re.compile(r"lng|fsru|terminal|regas", re.IGNORECASE)
_FIELD = re.compile(r"field|gas ?field|wells?\b", re.IGNORECASE)
_VIOLATION = re.compile(r"^(node|delivery|pipe|source|compressor|regulator|sink)\s+(\S+?):")


def source_kind(source_id: str, name: str) -> str:
    """Marker class of a supply: ``terminal`` (LNG/FSRU), ``field`` or ``entry`` (border or hub entry)."""
    text = f"{source_id} {name}"
    if _TERMINAL.search(text):
        return "terminal"
    if _FIELD.search(text):
        return "field"
    return "entry"


def violated_ids(result: SteadyResult) -> dict[str, list[str]]:
    """Component id -> the violation texts naming it (texts start with ``<kind> <id>:``)."""
    out: dict[str, list[str]] = {}
    for text in result.violations:
        m = _VIOLATION.match(text)
        if m:
            out.setdefault(m.group(2), []).append(text)
    return out


def _num(x: float, nd: int = 3) -> float | None:
    f = float(x)
    return None if math.isnan(f) or math.isinf(f) else round(f, nd)


def end_velocities_m_s(result: SteadyResult) -> tuple[np.ndarray, np.ndarray]:
    """Mean gas velocity [m/s] at both ends of every pipe/resistor: v = q / (rho(p, Z) A), rho = p M / (Z R T)."""
    cn = result.network
    gas = cn.gas
    area = np.pi * cn.diameter_m**2 / 4.0
    q = result.q_kg_s[cn.res_edge]
    out = []
    for ends in (cn.edge_from[cn.res_edge], cn.edge_to[cn.res_edge]):
        p = result.p_pa[ends]
        z, _ = z_at(cn, p)
        rho = p * gas.molar_mass_kg_per_mol / (z * R_J_PER_MOL_K * gas.temperature_k)
        out.append(np.abs(q) / (rho * area))
    return out[0], out[1]


def network_geojson(result: SteadyResult) -> dict[str, Any]:
    """A FeatureCollection: ``pipe`` lines, and ``compressor``, ``terminal``, ``field``, ``entry``,
    ``delivery`` and ``junction`` points, each with the results a tooltip shows (pressures in barg, flows in
    MMSCFD)."""
    cn = result.network
    amb = cn.ambient_pa
    basis = cn.gas.basis
    p_barg = (result.p_pa - amb) / BAR_PA
    has_xy = np.isfinite(cn.lat) & np.isfinite(cn.lon)
    bad = violated_ids(result)
    maop_node = node_maop_pa(result)
    feats: list[dict[str, Any]] = []
    skipped = 0

    def xy(i: int) -> list[float]:
        return [round(float(cn.lon[i]), 5), round(float(cn.lat[i]), 5)]

    v_from, v_to = end_velocities_m_s(result)
    for k, e in enumerate(cn.res_edge):
        if not cn.res_is_pipe[k]:
            continue
        i, j = int(cn.edge_from[e]), int(cn.edge_to[e])
        if not (has_xy[i] and has_xy[j]):
            skipped += 1
            continue
        q = float(result.q_kg_s[e])
        vmax = max(float(v_from[k]), float(v_to[k]))
        maop = cn.maop_pa[k]
        pmax_end = max(p_barg[i], p_barg[j])
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [xy(i), xy(j)]},
                "properties": {
                    "kind": "pipe",
                    "id": cn.edge_ids[e],
                    "name": cn.edge_names[e],
                    "from": cn.node_ids[i],
                    "to": cn.node_ids[j],
                    "length_km": _num(cn.length_m[k] / 1e3, 1),
                    "diameter_mm": _num(cn.diameter_m[k] * 1e3, 1),
                    "nominal_in": _num(cn.nominal_diameter_in[k], 0),
                    "flow_mmscfd": _num(basis.kg_s_to_mmscfd(abs(q)), 1),
                    "reversed": q < 0,
                    "p_in_barg": _num(p_barg[i], 2),
                    "p_out_barg": _num(p_barg[j], 2),
                    "p_mean_barg": _num((result.p_mean_pa[k] - amb) / BAR_PA, 2),
                    "maop_barg": _num((maop - amb) / BAR_PA, 1) if np.isfinite(maop) else None,
                    "maop_use": _num((pmax_end * BAR_PA + amb) / maop, 3) if np.isfinite(maop) else None,
                    "velocity_m_s": _num(vmax, 2),
                    "utilisation": _num(vmax / DESIGN_VELOCITY_M_S, 3),
                    "violations": bad.get(cn.edge_ids[e], []),
                },
            }
        )

    ratio = result.comp_ratio()
    for k, e in enumerate(cn.comp_edge):
        i, j = int(cn.edge_from[e]), int(cn.edge_to[e])
        at = i if has_xy[i] else j
        if not has_xy[at]:
            skipped += 1
            continue
        pmax = cn.comp_power_max_w[k]
        feats.append(
            _point(
                xy(at),
                kind="compressor",
                id=cn.edge_ids[e],
                name=cn.edge_names[e],
                suction_barg=_num(p_barg[i], 2),
                discharge_barg=_num(p_barg[j], 2),
                ratio=_num(ratio[k], 3),
                power_mw=_num(result.comp_power_w[k] / 1e6, 2),
                power_max_mw=_num(pmax / 1e6, 1) if np.isfinite(pmax) else None,
                fuel_mmscfd=_num(basis.kg_s_to_mmscfd(result.comp_fuel_kg_s[k]), 2),
                flow_mmscfd=_num(basis.kg_s_to_mmscfd(result.q_kg_s[e]), 1),
                violations=bad.get(cn.edge_ids[e], []),
            )
        )

    marked = np.zeros(cn.n_nodes, dtype=bool)
    names = dict(zip(cn.node_ids, cn.node_names, strict=True))
    for k, sid in enumerate(cn.source_ids):
        i = int(cn.source_node[k])
        if not has_xy[i]:
            skipped += 1
            continue
        marked[i] = True
        cap = cn.source_capacity[k]
        b = cn.source_basis[k]
        feats.append(
            _point(
                xy(i),
                kind=source_kind(sid, names[cn.node_ids[i]]),
                id=sid,
                name=names[cn.node_ids[i]],
                node=cn.node_ids[i],
                mode="pressure" if cn.source_is_pressure[k] else "flow",
                supply_mmscfd=_num(b.kg_s_to_mmscfd(result.source_supply_kg_s[k]), 1),
                capacity_mmscfd=_num(b.kg_s_to_mmscfd(cap), 1) if np.isfinite(cap) else None,
                p_barg=_num(p_barg[i], 2),
                violations=bad.get(sid, []),
            )
        )
    for k, kid in enumerate(cn.sink_ids):
        i = int(cn.sink_node[k])
        if not has_xy[i]:
            skipped += 1
            continue
        marked[i] = True
        pmin = cn.sink_p_min_pa[k]
        feats.append(
            _point(
                xy(i),
                kind="delivery",
                id=kid,
                name=names[cn.node_ids[i]],
                node=cn.node_ids[i],
                category=cn.sink_category[k],
                demand_mmscfd=_num(basis.kg_s_to_mmscfd(cn.sink_demand[k]), 1),
                p_barg=_num(p_barg[i], 2),
                p_min_barg=_num((pmin - amb) / BAR_PA, 1) if np.isfinite(pmin) else None,
                maop_barg=_num((maop_node[i] - amb) / BAR_PA, 1) if np.isfinite(maop_node[i]) else None,
                violations=bad.get(kid, []) + bad.get(cn.node_ids[i], []),
            )
        )
    connected = np.zeros(cn.n_nodes, dtype=bool)
    active = np.isin(cn.edge_kind, (EdgeKind.PIPE,))
    connected[cn.edge_from[active]] = True
    connected[cn.edge_to[active]] = True
    for i in np.flatnonzero(has_xy & ~marked & connected).tolist():
        nid = cn.node_ids[i]
        feats.append(
            _point(
                xy(i),
                kind="junction",
                id=nid,
                name=names[nid],
                p_barg=_num(p_barg[i], 2),
                maop_barg=_num((maop_node[i] - amb) / BAR_PA, 1) if np.isfinite(maop_node[i]) else None,
                violations=bad.get(nid, []),
            )
        )
    return {"type": "FeatureCollection", "features": feats, "skipped": skipped}


def _point(coords: list[float], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": coords}, "properties": props}
