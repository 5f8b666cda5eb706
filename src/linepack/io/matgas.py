"""MATGAS, the MATLAB-style format of GasModels.jl (``.m``): read and write, so networks move between
linepack and GasModels.

Format (GasModels' data-format documentation): scalars ``mgc.temperature = 288.7;`` and tables
``mgc.junction = [ ... ];`` one row per component, columns in the documented order (or as named by a
``%column_names%`` line). Only SI, not per-unit, is read as is; per-unit files (``is_per_unit = 1``) are
scaled by ``base_pressure``, ``base_length`` and ``base_flow``; US customary files are refused (convert them
with GasModels first). Pressures are absolute [Pa], lengths and diameters [m], flows [kg/s], power [W].

Mapping (read):

- ``junction`` -> Node (p_min/p_max to barg with the ambient 1.01325 bar; lat/lon); ``junction_type`` 1 (a
  slack) adds a Source held at ``p_nominal`` that may take gas back (``absorbs``), GasModels' slack;
- ``pipe`` -> Pipe with law ``constant`` and the file's ``friction_factor`` (GasModels' constant Darcy factor;
  linepack applies Hagen-Poiseuille below Re 2000, as for every law, so that zero flow stays regular);
  ``p_max`` -> maop_barg;
- ``compressor`` -> Compressor in mode pressure at ``outlet_p_max`` (the highest discharge allowed), with
  ``c_ratio_max``, ``power_max``, ``flow_max`` and ``inlet_p_min`` as its limits (GasModels decides the
  ratio by optimisation; a simulation needs a control);
- ``receipt`` -> Source, fixed inflow ``injection_nominal`` up to ``injection_max``; ``delivery`` ->
  Sink, ``withdrawal_nominal``; ``transfer`` -> Sink (or Source when its nominal withdrawal is negative);
- ``short_pipe`` -> ShortPipe; ``valve`` -> Valve (open); ``resistor`` -> Resistor (``drag``, and
  ``diameter`` when the file has that column); ``regulator`` -> Regulator at ``design_outlet_pressure``
  (fully open without one);
- ``status`` 0 -> ``in_service: false``; gas: ``gas_molar_mass`` (else ``gas_specific_gravity`` x the molar
  mass of air), ``temperature``, ``compressibility_factor`` (model constant), ``specific_heat_capacity_ratio``;
  MATGAS has no heating value: compressor fuel uses an assumed LHV of 47.1 MJ/kg.

What MATGAS cannot hold is folded or lost on writing: a pipe's efficiency E and loss coefficient zeta go
into its friction factor (f = (f + zeta D/L) / E^2, f the pipe's constant factor, or for other laws the fully
rough Nikuradse factor of its roughness), the compressibility becomes the constant Z at the highest
set-point or limit, elevations, gas compositions, pipe laws other than constant and scenarios are not
written. A network with law constant, a constant Z, flows in kg/s and no elevation round-trips to the same
solution.

Writing takes one scenario of a native network (every flow in kg/s; pressure-held sources become slack
junctions with a dispatchable receipt) and keeps linepack's string ids in a ``mgc.component_names`` table
(``%column_names% table id name``), which GasModels carries as extra data and which reading restores.
"""

from __future__ import annotations

import math
import re
import shlex
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..model.errors import suggest
from ..model.network import Network
from .atomic import atomic_write_text

AMBIENT_BAR = 1.01325
MOLAR_MASS_AIR_KG_PER_MOL = 0.0289647
LHV_ASSUMED_MJ_PER_KG = 47.1  # A: lean natural gas (about 90 % methane), lower heating value
COLUMNS: dict[str, tuple[str, ...]] = {
    "junction": ("id", "p_min", "p_max", "p_nominal", "junction_type", "status", "pipeline_name", "edi_id", "lat",
                 "lon"),
    "pipe": ("id", "fr_junction", "to_junction", "diameter", "length", "friction_factor", "p_min", "p_max", "status",
             "is_bidirectional", "pipeline_name", "num_spatial_discretization_points"),
    "compressor": ("id", "fr_junction", "to_junction", "c_ratio_min", "c_ratio_max", "power_max", "flow_min",
                   "flow_max", "inlet_p_min", "inlet_p_max", "outlet_p_min", "outlet_p_max", "status",
                   "operating_cost", "directionality"),
    "short_pipe": ("id", "fr_junction", "to_junction", "status", "is_bidirectional"),
    "resistor": ("id", "fr_junction", "to_junction", "drag", "status", "is_bidirectional"),
    "regulator": ("id", "fr_junction", "to_junction", "reduction_factor_min", "reduction_factor_max", "flow_min",
                  "flow_max", "status", "discharge_coefficient", "design_flow_rate", "design_inlet_pressure",
                  "design_outlet_pressure"),
    "valve": ("id", "fr_junction", "to_junction", "status", "flow_coefficient"),
    "receipt": ("id", "junction_id", "injection_min", "injection_max", "injection_nominal", "is_dispatchable",
                "status", "offer_price"),
    "delivery": ("id", "junction_id", "withdrawal_min", "withdrawal_max", "withdrawal_nominal", "is_dispatchable",
                 "status", "bid_price"),
    "transfer": ("id", "junction_id", "withdrawal_min", "withdrawal_max", "withdrawal_nominal", "is_dispatchable",
                 "status"),
}  # fmt: skip
PREFIX = {"junction": "J", "pipe": "P", "compressor": "C", "short_pipe": "SP", "resistor": "X", "regulator": "RG",
          "valve": "V", "receipt": "R", "delivery": "D", "transfer": "T"}  # fmt: skip
NOT_READ = ("storage", "ne_pipe", "ne_compressor")

# --- parsing --------------------------------------------------------------------------------------

_ASSIGN = re.compile(r"^\s*mgc\.(\w+)\s*=\s*(.*)$")


def _value(token: str) -> Any:
    if token.startswith("'") and token.endswith("'"):
        return token[1:-1]
    try:
        return float(token) if any(c in token for c in ".eE") or token.lower() in ("inf", "-inf", "nan") else int(token)
    except ValueError:
        return token


def _row(line: str) -> list[Any]:
    lexer = shlex.shlex(line.replace("\t", " ").replace(",", " "), posix=False)
    lexer.whitespace_split = True
    lexer.quotes = "'"
    return [_value(t) for t in lexer]


def parse_matgas(text: str, source: str = "MATGAS") -> dict[str, Any]:
    """The scalars and tables of a MATGAS document: ``{name: value}`` and ``{table: [dict per row]}``."""
    data: dict[str, Any] = {}
    lines = text.splitlines()
    names: list[str] | None = None
    i = 0
    while i < len(lines):
        raw = lines[i].strip()
        i += 1
        if raw.startswith("%column_names%"):
            names = raw[len("%column_names%") :].split()
            continue
        if raw.startswith("%") or not raw or raw.startswith("function"):
            continue
        m = _ASSIGN.match(raw)
        if m is None:
            raise InputError(f"{source}: line {i}: expected 'mgc.NAME = VALUE;', got '{raw[:60]}'")
        key, rest = m.group(1), m.group(2).strip()
        if rest[:1] in "[{":
            close = "]" if rest[0] == "[" else "}"
            body, start = [rest[1:]], i
            while close not in body[-1]:
                if i >= len(lines):
                    raise InputError(f"{source}: line {start}: table mgc.{key} is not closed with '{close}'")
                body.append(lines[i])
                i += 1
            text_rows = "\n".join(body).split(close)[0]
            rows = [_row(r) for r in re.split(r"[;\n]", text_rows) if r.strip() and not r.strip().startswith("%")]
            cols = names or list(COLUMNS.get(key, ()))
            table = []
            for n, r in enumerate(rows, start=1):
                if len(r) > len(cols):
                    raise InputError(
                        f"{source}: mgc.{key} row {n} has {len(r)} values but {len(cols)} known columns; name them "
                        "with a %column_names% line"
                    )
                table.append(dict(zip(cols, r, strict=False)))
            data[key] = table
            names = None
        else:
            data[key] = _value(rest.rstrip(";").strip())
    return data


# --- reading --------------------------------------------------------------------------------------


def _barg(p_pa: Any) -> float | None:
    if p_pa is None or not isinstance(p_pa, int | float) or not math.isfinite(p_pa):
        return None
    return float(p_pa) / 1e5 - AMBIENT_BAR


def read_matgas(path: str | Path) -> Network:
    """A native network from a MATGAS file (mapping rules in the module docstring)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{p}: file not found; give the path of a MATGAS .m file") from None
    return from_matgas(parse_matgas(text, p.name), source=p.name)


def _scale(data: dict[str, Any]) -> tuple[float, float, float]:
    units = str(data.get("units", "si")).lower()
    if units != "si":
        raise InputError(f"units '{units}' are not read; convert the file to SI (units = 'si') with GasModels first")
    if int(data.get("is_per_unit", 0) or 0) != 1:
        return 1.0, 1.0, 1.0
    missing = [k for k in ("base_pressure", "base_length", "base_flow") if k not in data]
    if missing:
        raise InputError(f"a per-unit file needs {', '.join(missing)}")
    return float(data["base_pressure"]), float(data["base_length"]), float(data["base_flow"])


def from_matgas(data: dict[str, Any], source: str = "MATGAS") -> Network:
    """A native network from parsed MATGAS data (see :func:`parse_matgas`)."""
    try:
        pb, lb, fb = _scale(data)
    except InputError as exc:
        raise InputError([f"{source}: {m}" for m in exc.problems]) from None
    names = {(str(r.get("table")), int(r.get("id", 0))): str(r.get("name")) for r in data.get("component_names", [])}

    def ident(table: str, row: dict[str, Any]) -> str:
        return names.get((table, int(row["id"])), f"{PREFIX[table]}{row['id']}")

    def node(row: dict[str, Any], key: str) -> str:
        return names.get(("junction", int(row[key])), f"J{row[key]}")

    def on(row: dict[str, Any]) -> bool:
        return int(row.get("status", 1) or 0) == 1

    molar = data.get("gas_molar_mass") or float(data.get("gas_specific_gravity", 0.6)) * MOLAR_MASS_AIR_KG_PER_MOL
    settings: dict[str, Any] = {
        "temperature_c": float(data.get("temperature", 288.15)) - 273.15,
        "molar_mass_kg_per_mol": float(molar),
        "compressibility": {"model": "constant", "z": float(data.get("compressibility_factor", 1.0))},
        "viscosity": {"model": "constant", "value_pa_s": 1.1e-5},
        "friction_law": "constant",
        # MATGAS has no heating value: compressor fuel uses a typical natural-gas LHV (assumed)
        "lower_heating_value_mj_per_kg": LHV_ASSUMED_MJ_PER_KG,
    }
    kappa = data.get("specific_heat_capacity_ratio")
    if isinstance(kappa, int | float) and 1.0 < kappa < 2.0:
        settings["heat_capacity_ratio"] = float(kappa)
    doc: dict[str, Any] = {"name": str(data.get("name", source)), "settings": settings}
    doc["meta"] = {"source": f"MATGAS file {source}"}
    skipped = [t for t in NOT_READ if data.get(t)]
    if skipped:
        doc["meta"]["not_read"] = f"tables not read (no linepack equivalent): {', '.join(skipped)}"
    nodes, sources, sinks = [], [], []
    slack: dict[str, float | None] = {}  # slack junction -> its pressure [barg]
    for r in data.get("junction", []):
        nid = ident("junction", r)
        rec: dict[str, Any] = {"id": nid, "in_service": on(r)}
        pmin, pmax = _barg(r.get("p_min", math.nan) * pb), _barg(r.get("p_max", math.nan) * pb)
        if pmin is not None and pmin >= -1.0:
            rec["p_min_barg"] = pmin
        if pmax is not None and pmax > 0:
            rec["p_max_barg"] = pmax
        lat, lon = r.get("lat"), r.get("lon")
        if isinstance(lat, int | float) and isinstance(lon, int | float) and (lat, lon) != (0, 0):
            rec["lat"], rec["lon"] = float(lat), float(lon)
        nodes.append(rec)
        if int(r.get("junction_type", 0) or 0) == 1:
            slack[nid] = _barg(float(r["p_nominal"]) * pb)
    pipes = []
    for r in data.get("pipe", []):
        d_m, f = float(r["diameter"]) * lb, float(r["friction_factor"])
        if not f > 0:
            raise InputError(f"{source}: pipe {r['id']}: friction_factor {f} must be > 0")
        rec = {"id": ident("pipe", r), "from": node(r, "fr_junction"), "to": node(r, "to_junction"),
               "length_km": float(r["length"]) * lb / 1e3, "inner_diameter_mm": d_m * 1e3,
               "friction_factor": f, "in_service": on(r)}  # fmt: skip
        if _barg(r.get("p_max", math.nan) * pb):
            rec["maop_barg"] = _barg(r["p_max"] * pb)
        pipes.append(rec)
    comps = []
    for r in data.get("compressor", []):
        rec = {"id": ident("compressor", r), "from": node(r, "fr_junction"), "to": node(r, "to_junction"),
               "mode": "pressure", "p_set_barg": _barg(float(r["outlet_p_max"]) * pb),
               "ratio_max": min(float(r["c_ratio_max"]), 10.0), "in_service": on(r)}  # fmt: skip
        if isinstance(r.get("power_max"), int | float) and 0 < r["power_max"] < 1e11:
            rec["power_max_mw"] = float(r["power_max"]) / 1e6
        if isinstance(r.get("flow_max"), int | float) and 0 < r["flow_max"] * fb < 1e9:
            rec["flow_max_kg_s"] = float(r["flow_max"]) * fb
        suction_min = _barg(r.get("inlet_p_min", math.nan) * pb)
        if suction_min is not None and suction_min >= 0:
            rec["p_suction_min_barg"] = suction_min
        comps.append(rec)
    edges: dict[str, list[dict[str, Any]]] = {"short_pipes": [], "valves": [], "resistors": [], "regulators": []}
    for table, coll in (("short_pipe", "short_pipes"), ("valve", "valves")):
        for r in data.get(table, []):
            edges[coll].append({"id": ident(table, r), "from": node(r, "fr_junction"), "to": node(r, "to_junction"),
                                "in_service": on(r)})  # fmt: skip
    for r in data.get("resistor", []):
        if not isinstance(r.get("diameter"), int | float):
            raise InputError(f"{source}: resistor {r['id']}: linepack needs its diameter (a 'diameter' column) to use "
                             "the drag factor; add the column or replace the resistor by a pipe")  # fmt: skip
        edges["resistors"].append({"id": ident("resistor", r), "from": node(r, "fr_junction"),
                                   "to": node(r, "to_junction"), "drag_coefficient": float(r["drag"]),
                                   "diameter_mm": float(r["diameter"]) * lb * 1e3, "in_service": on(r)})  # fmt: skip
    for r in data.get("regulator", []):
        rec = {"id": ident("regulator", r), "from": node(r, "fr_junction"), "to": node(r, "to_junction"),
               "in_service": on(r), "mode": "open"}  # fmt: skip
        outlet = r.get("design_outlet_pressure")
        if isinstance(outlet, int | float) and outlet > 0:
            rec.update(mode="pressure", p_set_barg=_barg(outlet * pb))
        if isinstance(r.get("flow_max"), int | float) and 0 < r["flow_max"] * fb < 1e9:
            rec["flow_max_kg_s"] = float(r["flow_max"]) * fb
        edges["regulators"].append(rec)
    held: set[str] = set()
    for r in data.get("receipt", []):
        at = node(r, "junction_id")
        rec = {"id": ident("receipt", r), "node": at, "mode": "flow", "unit": "kg/s",
               "inflow": float(r["injection_nominal"]) * fb, "in_service": on(r)}  # fmt: skip
        cap = float(r.get("injection_max", math.inf)) * fb
        if at in slack and int(r.get("is_dispatchable", 0) or 0) == 1 and at not in held:
            # the dispatchable receipt of a slack junction supplies what the network draws at its pressure
            rec.update(mode="pressure", p_set_barg=slack[at])
            del rec["inflow"]
            held.add(at)
            if math.isfinite(cap) and cap < 1e9:
                rec["capacity"] = cap
        elif math.isfinite(cap) and cap >= rec["inflow"]:
            rec["capacity"] = cap
        sources.append(rec)
    for nid, p_set in slack.items():
        if nid not in held:  # GasModels' slack: holds the pressure, takes or gives what balances the network
            sources.append({"id": f"{nid}.slack", "node": nid, "mode": "pressure", "absorbs": True,
                            "p_set_barg": p_set, "unit": "kg/s"})  # fmt: skip
    for table in ("delivery", "transfer"):
        for r in data.get(table, []):
            w = float(r["withdrawal_nominal"]) * fb
            base = {"id": ident(table, r), "node": node(r, "junction_id"), "unit": "kg/s", "in_service": on(r)}
            if w >= 0:
                sinks.append({**base, "demand": w})
            else:
                sources.append({**base, "mode": "flow", "inflow": -w})
    doc.update(nodes=nodes, pipes=pipes, compressors=comps, sources=sources, sinks=sinks, **edges)
    return Network.from_dict({k: v for k, v in doc.items() if v != []}, source=source)


# --- writing --------------------------------------------------------------------------------------


def _fmt(v: Any) -> str:
    if isinstance(v, str):
        return "'" + v.replace("'", "") + "'"
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, int | np.integer):
        return str(int(v))
    f = float(v)
    return "Inf" if f == math.inf else repr(f)


def to_matgas(network: Network, scenario: str | None = None) -> str:
    """The MATGAS text of one scenario of ``network`` (see the module docstring)."""
    from ..compile import EdgeKind, compile_network, z_at

    cn = compile_network(network, scenario)
    amb = cn.ambient_pa
    gas = cn.gas
    p_ref = np.array([float(np.nanmax(np.concatenate([cn.source_p_set_pa, cn.p_max_pa, [70e5]])))])
    z = float(z_at(cn, p_ref)[0][0])
    lines = [f"function mgc = {re.sub(r'[^A-Za-z0-9_]', '_', cn.name or 'linepack') or 'linepack'}", ""]
    kappa = network.settings.heat_capacity_ratio or 1.3
    scalars = {"gas_specific_gravity": gas.molar_mass_kg_per_mol / MOLAR_MASS_AIR_KG_PER_MOL,
               "specific_heat_capacity_ratio": kappa, "temperature": gas.temperature_k, "R": 8.314462618,
               "compressibility_factor": z, "gas_molar_mass": gas.molar_mass_kg_per_mol,
               "base_pressure": float(p_ref[0]), "base_length": 5000.0, "base_flow": 100.0, "units": "si",
               "is_per_unit": 0,
               "sound_speed": math.sqrt(z * 8.314462618 * gas.temperature_k / gas.molar_mass_kg_per_mol)}  # fmt: skip
    lines += [f"mgc.{k} = {_fmt(v)};" for k, v in scalars.items()]
    names: list[tuple[str, int, str]] = []
    jid = {nid: i + 1 for i, nid in enumerate(cn.node_ids)}
    names += [("junction", i, nid) for nid, i in jid.items()]
    held = {int(cn.source_node[k]): k for k in np.flatnonzero(cn.source_is_pressure)}
    p_hi = np.where(np.isfinite(cn.p_max_pa), cn.p_max_pa, float(p_ref[0]) * 1.5)
    p_lo = np.where(np.isfinite(cn.p_min_pa), cn.p_min_pa, amb)
    rows = []
    has_xy = bool(np.any(np.isfinite(cn.lat)))
    for i, nid in enumerate(cn.node_ids):
        nominal = cn.source_p_set_pa[held[i]] if i in held else p_hi[i]
        row = [jid[nid], p_lo[i], p_hi[i], nominal, int(i in held), 1, "linepack", ""]
        if has_xy:
            row += [cn.lat[i], cn.lon[i]] if np.isfinite(cn.lat[i]) else [0.0, 0.0]  # 0, 0: none (read back so)
        rows.append(row)
    tables: dict[str, list[list[Any]]] = {"junction": rows}

    def ends(e: Any) -> list[int]:
        return [jid[cn.node_ids[cn.edge_from[e]]], jid[cn.node_ids[cn.edge_to[e]]]]

    tables["pipe"] = []
    for k, e in enumerate(cn.res_edge):
        if not cn.res_is_pipe[k]:
            continue
        f_rough = (1.14 - 2.0 * math.log10(max(cn.roughness_m[k] / cn.diameter_m[k], 1e-12))) ** -2
        fixed = cn.friction_fixed[k] if len(cn.friction_fixed) else math.nan
        f_pipe = float(fixed) if math.isfinite(fixed) else f_rough
        f = (f_pipe + cn.zeta[k] * cn.diameter_m[k] / cn.length_m[k]) / cn.efficiency[k] ** 2
        maop = cn.maop_pa[k] if np.isfinite(cn.maop_pa[k]) else max(p_hi[cn.edge_from[e]], p_hi[cn.edge_to[e]])
        n = len(tables["pipe"]) + 1
        names.append(("pipe", n, cn.edge_ids[e]))
        tables["pipe"].append([n, *ends(e), cn.diameter_m[k], cn.length_m[k], f, amb, maop, 1, 1, "linepack", 1])
    tables["compressor"] = []
    for k, e in enumerate(cn.comp_edge):
        n = k + 1
        names.append(("compressor", n, cn.edge_ids[e]))
        pmax = cn.comp_power_max_w[k] if np.isfinite(cn.comp_power_max_w[k]) else 1e12
        fmax = cn.comp_flow_max[k] if np.isfinite(cn.comp_flow_max[k]) else 1e6
        out_max = cn.comp_p_set_pa[k] if np.isfinite(cn.comp_p_set_pa[k]) else p_hi[cn.edge_to[e]]
        in_min = cn.comp_p_suction_min_pa[k] if np.isfinite(cn.comp_p_suction_min_pa[k]) else amb
        tables["compressor"].append([n, *ends(e), 1.0, cn.comp_ratio_max[k], pmax, 0.0, fmax, in_min,
                                     p_hi[cn.edge_from[e]], amb, out_max, 1, 10.0, 2])  # fmt: skip
    for table, kind in (("short_pipe", EdgeKind.SHORT_PIPE), ("valve", EdgeKind.VALVE)):
        tables[table] = []
        for e in np.flatnonzero(cn.edge_kind == kind):
            n = len(tables[table]) + 1
            names.append((table, n, cn.edge_ids[e]))
            blocked = e in set(cn.block_edge.tolist())
            tables[table].append([n, *ends(e), 0 if blocked else 1, 1] if table == "short_pipe" else
                                 [n, *ends(e), 0 if blocked else 1, 1.0])  # fmt: skip
    tables["regulator"] = []
    for k, e in enumerate(cn.reg_edge):
        n = k + 1
        names.append(("regulator", n, cn.edge_ids[e]))
        fmax = cn.reg_flow_max[k] if np.isfinite(cn.reg_flow_max[k]) else 1e6
        outlet = cn.reg_p_set_pa[k] if np.isfinite(cn.reg_p_set_pa[k]) else 0.0
        tables["regulator"].append([n, *ends(e), 0.0, 1.0, 0.0, fmax, 1, 1.0, fmax, p_hi[cn.edge_from[e]], outlet])
    tables["receipt"], tables["delivery"] = [], []
    for k, sid in enumerate(cn.source_ids):
        n = k + 1
        names.append(("receipt", n, sid))
        cap = cn.source_capacity[k] if np.isfinite(cn.source_capacity[k]) else 1e6
        nominal = 0.0 if cn.source_is_pressure[k] else cn.source_inflow[k]
        tables["receipt"].append([n, jid[cn.node_ids[cn.source_node[k]]], 0.0, cap, nominal,
                                  int(cn.source_is_pressure[k]), 1, 0.0])  # fmt: skip
    for k, sid in enumerate(cn.sink_ids):
        n = k + 1
        names.append(("delivery", n, sid))
        d = cn.sink_demand[k]
        tables["delivery"].append([n, jid[cn.node_ids[cn.sink_node[k]]], d, d, d, 0, 1, 0.0])
    for table, rows in tables.items():
        if not rows:
            continue
        lines += ["", f"%% {table} data", f"%column_names% {' '.join(COLUMNS[table][: len(rows[0])])}"]
        lines.append(f"mgc.{table} = [")
        lines += ["  " + "\t".join(_fmt(v) for v in row) for row in rows]
        lines.append("];")
    lines += ["", "%% linepack component ids (GasModels keeps this table as extra data)",
              "%column_names% table id name", "mgc.component_names = {"]  # fmt: skip
    lines += [f"  {_fmt(t)}\t{i}\t{_fmt(nm)}" for t, i, nm in names]
    lines.append("};")
    return "\n".join(lines) + "\n"


def write_matgas(network: Network, path: str | Path, scenario: str | None = None) -> None:
    """Write one scenario of ``network`` (its default when None) as MATGAS, atomically."""
    if scenario is not None and scenario not in network.scenarios:
        raise InputError(f"scenario '{scenario}' is not defined{suggest(scenario, list(network.scenarios))}")
    atomic_write_text(path, to_matgas(network, scenario if scenario is not None else network.default_scenario))
