"""The result tables the page shows: deliveries against minimum pressure and MAOP, compressors, supplies,
violations, and the pressure profile along a route. Pressures in barg, flows in MMSCFD, power in MW."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..compile import CompMode
from ..quality.limits import QUALITY_QUANTITIES
from ..results import COMP_MODE_SHORT, COMP_MODE_TEXT, SteadyResult
from ..route import PSGP_CORRIDOR, pressure_profile
from ..units import BAR_PA, MMSCF_M3
from .geo import _num, node_maop_pa, source_kind, violated_ids


def deliveries(result: SteadyResult) -> list[dict[str, Any]]:
    """Every delivery with its pressure, minimum, MAOP, margin and status (ok, below_min, above_maop); with gas
    quality also the delivered gas's GCV and Wobbe index [MJ/m3], hydrogen [mol %], energy [MW] and ``quality``
    (ok, out_of_limits; None where the delivery has no quality limit)."""
    cn = result.network
    amb = cn.ambient_pa
    maop = node_maop_pa(result.network)
    qual = result.quality
    spec = cn.quality
    broken = {v.component_id for v in result.violation_records if v.quantity in QUALITY_QUANTITIES}
    rows = []
    for k, kid in enumerate(cn.sink_ids):
        i = int(cn.sink_node[k])
        p = (result.p_pa[i] - amb) / BAR_PA
        pmin = cn.sink_p_min_pa[k]
        pmin_b = (pmin - amb) / BAR_PA if np.isfinite(pmin) else None
        mx = (maop[i] - amb) / BAR_PA if np.isfinite(maop[i]) else None
        status = "ok"
        if pmin_b is not None and p < pmin_b - 1e-9:
            status = "below_min"
        elif mx is not None and p > mx + 1e-9:
            status = "above_maop"
        rows.append(
            {
                "id": kid,
                "node": cn.node_ids[i],
                "category": cn.sink_category[k],
                "demand_mmscfd": _num(cn.gas.basis.kg_s_to_mmscfd(cn.sink_demand[k]), 1),
                "p_barg": _num(p, 2),
                "p_min_barg": None if pmin_b is None else _num(pmin_b, 1),
                "maop_barg": None if mx is None else _num(mx, 1),
                "margin_bar": None if pmin_b is None else _num(p - pmin_b, 2),
                "status": status,
            }
        )
        if qual is not None and spec is not None:
            limited = bool(spec.sink_limited[k])
            rows[-1] |= {
                "gcv_mj_m3": _num(qual.sink.gcv_mj_m3[k], 2),
                "wobbe_mj_m3": _num(qual.sink.wobbe_mj_m3[k], 2),
                "h2_mol_pct": _num(qual.sink.h2_mol_pct[k], 2),
                "energy_mw": _num(qual.sink_energy_mw[k], 0),
                "quality": ("out_of_limits" if kid in broken else "ok") if limited else None,
            }
        if result.thermal is not None:  # non-isothermal: the temperature of the gas delivered [C]
            rows[-1]["temperature_c"] = _num(float(result.thermal.node_t_k[i]) - 273.15, 1)
    return rows


# short names of the controls for the table: the terminal summary's (linepack.results.COMP_MODE_SHORT)
COMP_CONTROL_SHORT = COMP_MODE_SHORT


def _control_label(mode: CompMode, at_bound: bool) -> str:
    """Short enough for the table: "set-point", "at max power", "bypass" (the long text is in the tooltip)."""
    if at_bound and mode in (CompMode.RATIO, CompMode.POWER, CompMode.FLOW):
        return f"at max {COMP_CONTROL_SHORT[mode]}"
    return ("at bound: " if at_bound else "") + COMP_CONTROL_SHORT[mode]


def units(result: SteadyResult) -> list[dict[str, Any]]:
    """Every compressor unit's operating point (none without stations with units)."""
    pts = result.unit_points()
    if pts is None:
        return []
    rows = []
    for r in pts.rows():
        running = bool(r["stage"])
        rows.append(
            {
                "id": r["id"],
                "station": r["station"],
                "configuration": r["configuration"] or "-",
                "state": r["state"],
                "speed_rpm": _num(r["speed_rpm"], 0) if running else None,
                "flow_m3_s": _num(r["flow_m3_s"], 3) if running else None,
                "head_kj_per_kg": _num(r["head_kj_per_kg"], 2) if running else None,
                "efficiency": _num(r["efficiency"], 4) if running else None,
                "power_mw": _num(r["power_mw"], 3) if running else None,
                "power_avail_mw": _num(r["power_avail_mw"], 3) if running else None,
                "surge_pct": _num(100 * r["surge_margin"], 1) if running and np.isfinite(r["surge_margin"]) else None,
                "choke_pct": _num(100 * r["choke_margin"], 1) if running and np.isfinite(r["choke_margin"]) else None,
                "limited": running and r["state"] not in ("in the map",),
            }
        )
    return rows


def compressors(result: SteadyResult) -> list[dict[str, Any]]:
    """Every compressor station: control, suction/discharge, ratio, flow, power (and its limit), fuel."""
    cn = result.network
    amb = cn.ambient_pa
    basis = cn.gas.basis
    ratio = result.comp_ratio()
    bad = violated_ids(result)
    rows = []
    for k, e in enumerate(cn.comp_edge):
        mode = CompMode(result.comp_mode[k])
        pmax = cn.comp_power_max_w[k]
        rmax = cn.comp_ratio_max[k]
        at_bound = mode != cn.comp_mode[k]
        rows.append(
            {
                "id": cn.edge_ids[e],
                "control": _control_label(mode, at_bound),
                "control_text": ("at bound: " if at_bound else "") + COMP_MODE_TEXT[mode],
                "at_bound": bool(at_bound),
                "suction_barg": _num((result.p_pa[cn.edge_from[e]] - amb) / BAR_PA, 2),
                "discharge_barg": _num((result.p_pa[cn.edge_to[e]] - amb) / BAR_PA, 2),
                "ratio": _num(ratio[k], 3),
                "ratio_max": _num(rmax, 3) if np.isfinite(rmax) else None,
                "flow_mmscfd": _num(basis.kg_s_to_mmscfd(result.q_kg_s[e]), 1),
                "power_mw": _num(result.comp_power_w[k] / 1e6, 2),
                "power_max_mw": _num(pmax / 1e6, 1) if np.isfinite(pmax) else None,
                "fuel_mmscfd": _num(basis.kg_s_to_mmscfd(result.comp_fuel_kg_s[k]), 3),
                "violation": cn.edge_ids[e] in bad,
            }
        )
    th = result.thermal
    if th is not None:  # non-isothermal: suction, discharge (before the cooler) and outlet temperatures, cooler duty
        station = {cid: j for j, cid in enumerate(th.compressor_ids)}
        for row, e in zip(rows, cn.comp_edge, strict=True):
            j = station.get(row["id"])
            if j is None or not np.isfinite(th.comp_discharge_t_k[j]):
                continue
            row["suction_c"] = _num(float(th.edge_t_inlet_k[e]) - 273.15, 1)
            row["discharge_c"] = _num(float(th.comp_discharge_t_k[j]) - 273.15, 1)
            row["outlet_c"] = _num(float(th.edge_t_outlet_k[e]) - 273.15, 1)
            row["cooler_mw"] = _num(float(th.cooler_duty_w[j]) / 1e6, 2)
            row["over_temperature_limit"] = bool(th.comp_over_limit[j])
    return rows


def supplies(result: SteadyResult) -> list[dict[str, Any]]:
    cn = result.network
    amb = cn.ambient_pa
    names = dict(zip(cn.node_ids, cn.node_names, strict=True))
    net_basis = cn.gas.basis
    rows = []
    for k, sid in enumerate(cn.source_ids):
        b = cn.source_basis[k]
        cap = cn.source_capacity[k]
        i = int(cn.source_node[k])
        rows.append(
            {
                "id": sid,
                "node": cn.node_ids[i],
                "kind": source_kind(sid, names[cn.node_ids[i]]),
                "mode": "pressure" if cn.source_is_pressure[k] else "flow",
                # one basis with the totals (MMSCFD of the network gas, i.e. mass), so the column adds up;
                # a source of another gas also has its own-gas MMSCFD
                "supply_mmscfd": _num(net_basis.kg_s_to_mmscfd(result.source_supply_kg_s[k]), 1),
                "own_gas_mmscfd": _num(b.kg_s_to_mmscfd(result.source_supply_kg_s[k]), 1)
                if b.gas_name != net_basis.gas_name
                else None,
                "capacity_mmscfd": _num(net_basis.kg_s_to_mmscfd(cap), 1) if np.isfinite(cap) else None,
                "p_barg": _num((result.p_pa[i] - amb) / BAR_PA, 2),
            }
        )
    return rows


def totals(result: SteadyResult) -> dict[str, Any]:
    cn = result.network
    basis = cn.gas.basis
    lp = float(np.sum(result.pipe_linepack_kg()))
    return {
        "throughput_mmscfd": _num(basis.kg_s_to_mmscfd(result.throughput_kg_s()), 1),
        "demand_mmscfd": _num(basis.kg_s_to_mmscfd(result.total_demand_kg_s()), 1),
        "fuel_mmscfd": _num(basis.kg_s_to_mmscfd(float(np.sum(result.comp_fuel_kg_s))), 2),
        "power_mw": _num(float(np.sum(result.comp_power_w)) / 1e6, 1),
        "linepack_mmscf": _num(lp / basis.density_60f_kg_m3 / MMSCF_M3, 0),
        "violations": len(result.violations),
        "basis": result.balance()["basis"],
    }


def default_route(result: SteadyResult) -> list[str] | None:
    """The PSGP corridor when the network has its nodes, else None (the user picks a route)."""
    ids = set(result.network.node_ids)
    return list(PSGP_CORRIDOR) if all(w in ids for w in PSGP_CORRIDOR) else None


def profile(result: SteadyResult, route: list[str]) -> dict[str, Any]:
    """Pressure along a route (see :func:`linepack.route.pressure_profile`) with the limits at route nodes."""
    cn = result.network
    amb = cn.ambient_pa
    maop = node_maop_pa(result.network)
    pmin_node = cn.p_min_pa.copy()
    for k in range(len(cn.sink_ids)):
        i = cn.sink_node[k]
        if np.isfinite(cn.sink_p_min_pa[k]):
            pmin_node[i] = np.fmax(pmin_node[i], cn.sink_p_min_pa[k])
    pts = []
    for pt in pressure_profile(result, route):
        rec: dict[str, Any] = {"km": _num(pt.distance_km, 2), "p_barg": _num(pt.p_barg, 3), "node": pt.node}
        if pt.node is not None:
            i = cn.node_index(pt.node)
            rec["maop_barg"] = _num((maop[i] - amb) / BAR_PA, 1) if np.isfinite(maop[i]) else None
            rec["p_min_barg"] = _num((pmin_node[i] - amb) / BAR_PA, 1) if np.isfinite(pmin_node[i]) else None
        pts.append(rec)
    return {"route": list(route), "points": pts}


def violation_rows(result: SteadyResult) -> list[dict[str, str]]:
    return [{"id": v.component_id, "text": v.text} for v in result.violation_records]
