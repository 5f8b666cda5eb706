"""GasTranSim.jl benchmark inputs (../shared/refcases/gastransim_transient) as linepack networks and profiles.

Mapping (README of the reference folder): ideal gas with R_g T = a^2 = 8.314 T / (0.02896 G) (the molar
mass is set so that linepack's R gives the same a^2), a constant Darcy friction factor per pipe, the slack
node as a pressure-held source whose pressure follows ``boundary_pslack``, every ``boundary_nonslack_flow``
node as a sink whose withdrawal [kg/s] follows the series (negative: injection), compressors in ratio
(control type 0) or discharge-pressure control (type 1)
following ``boundary_compressor``, without limits (GasTranSim applies none), no fuel.

Node storage (``ghost_dx``): GasTranSim's explicit scheme lumps a *full* cell of every adjacent pipe onto
a node (``_assemble_pipe_contributions_to_node`` in its ``src/core/time_integration.jl`` adds
``dx * area / dt`` per pipe; its comment: "can adjust with dx/2 for ghost point if needed"), while its
interior points hold one cell each: a pipe of length L stores the gas of L + dx, half a cell more at each
end than the pipe holds. On a coarse grid this is a large difference (8-node: dx 8.6-10 km on pipes of
10-80 km, 19 % more gas in the network) and it changes the transient, not the steady state. When
``ghost_dx`` gives GasTranSim's dx per pipe, the adapter adds that storage as a dead-end pipe of length
dx/2 and the pipe's diameter at each pipe end (it carries only the flow that fills it, so it acts as a
node volume of dx/2 * area). GasTranSim's grid is read from its own output (:func:`gastransim_grid`).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import linepack as lp
from linepack.transient import Profile
from linepack.units import BAR_PA, R_J_PER_MOL_K

AMB_BAR = 1.01325


@dataclass(frozen=True)
class Case:
    network: lp.Network
    profile: Profile
    fixed_friction: dict[str, float]
    temperature_k: float
    gravity: float


def _series(d: dict) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(d["time"], dtype=float)
    v = np.asarray(d["value"], dtype=float)
    # GasTranSim series may repeat a time for a jump; make times strictly increasing by a tiny shift
    for i in range(1, len(t)):
        if t[i] <= t[i - 1]:
            t[i] = t[i - 1] + 1e-6
    return t, v


def gastransim_grid(state_file: Path) -> dict[str, float]:
    """GasTranSim's cell length dx [m] per pipe id, from the pipe profiles of a state it saved
    (``initial_pipe_pressure``: pressures at its grid points 0, dx, ..., L)."""
    prof = json.loads(state_file.read_text())["initial_pipe_pressure"]
    return {k: float(np.diff(np.asarray(v["distance"], dtype=float)).mean()) for k, v in prof.items()}


def load_case(
    folder: Path, params: str = "params.json", bc: str = "bc.json", ghost_dx: dict[str, float] | None = None
) -> Case:
    net_js = json.loads((folder / "network.json").read_text())
    par = json.loads((folder / params).read_text())["simulation_params"]
    bcs = json.loads((folder / bc).read_text())
    t_k = float(par["Temperature (K):"])
    g = float(par["Gas specific gravity (G):"])
    molar_mass = 0.02896 * g * R_J_PER_MOL_K / 8.314
    settings = lp.Settings(
        temperature_c=t_k - 273.15,
        ambient_pressure_bar=AMB_BAR,
        molar_mass_kg_per_mol=molar_mass,
        compressibility={"model": "ideal"},  # type: ignore[arg-type]
        viscosity={"model": "constant", "value_pa_s": 1.1e-5},  # type: ignore[arg-type]
        heat_capacity_ratio=float(par.get("Specific heat capacity ratio", 1.4)),
    )
    net = lp.Network(name=folder.name, settings=settings)
    slack = {k for k, n in net_js["nodes"].items() if int(n.get("slack_bool", 0)) == 1}
    for k in net_js["nodes"]:
        net.add(lp.Node(id=f"n{k}", elevation_m=0.0))
    fixed: dict[str, float] = {}
    for k, p in net_js["pipes"].items():
        pid = f"p{k}"
        net.add(
            lp.Pipe(
                id=pid,
                **{"from": f"n{p['from_node']}", "to": f"n{p['to_node']}"},
                length_km=float(p["length"]) / 1e3,
                inner_diameter_mm=float(p["diameter"]) * 1e3,
            )
        )
        fixed[pid] = float(p["friction_factor"])
        if ghost_dx is not None:
            for end in ("from_node", "to_node"):
                sid = f"ghost_{pid}_{end[0]}"
                net.add(lp.Node(id=f"{sid}_end", elevation_m=0.0))
                net.add(
                    lp.Pipe(
                        id=sid,
                        **{"from": f"n{p[end]}", "to": f"{sid}_end"},
                        length_km=ghost_dx[k] / 2e3,
                        inner_diameter_mm=float(p["diameter"]) * 1e3,
                    )
                )
                fixed[sid] = float(p["friction_factor"])
    comp_bc = bcs.get("boundary_compressor", {})
    comp_kind: dict[str, str] = {}
    for k, c in (net_js.get("compressors") or {}).items():
        t, v = _series(comp_bc[k])
        ctype = set(comp_bc[k].get("control_type", [0]))
        if ctype not in ({0}, {1}):
            raise ValueError(f"compressor {k}: control types {ctype} are not mapped (0 ratio, 1 discharge pressure)")
        kw = {"from": f"n{c['from_node']}", "to": f"n{c['to_node']}", "driver": "electric", "ratio_max": 10.0}
        if ctype == {0}:
            kw.update(mode="ratio", ratio_set=float(v[0]))
            comp_kind[k] = "ratio"
        else:
            kw.update(mode="pressure", p_set_barg=float(v[0]) / BAR_PA - AMB_BAR)
            comp_kind[k] = "p_set_pa"
        net.add(lp.Compressor(id=f"c{k}", **kw))
    t_all: list[np.ndarray] = []
    cols: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for k, d in bcs.get("boundary_pslack", {}).items():
        t, v = _series(d)
        net.add(lp.Source(id=f"s{k}", node=f"n{k}", mode="pressure", p_set_barg=v[0] / BAR_PA - AMB_BAR))
        cols[f"p_set_pa:s{k}"] = (t, v)
        t_all.append(t)
    for k in slack - set(bcs.get("boundary_pslack", {})):
        raise ValueError(f"slack node {k} without a pressure series")
    for k, d in bcs.get("boundary_nonslack_flow", {}).items():
        t, v = _series(d)
        net.add(lp.Sink(id=f"d{k}", node=f"n{k}", demand=max(float(v[0]), 0.0), unit="kg/s"))
        cols[f"demand_kg_s:d{k}"] = (t, v)
        t_all.append(t)
    for k, d in comp_bc.items():
        t, v = _series(d)
        cols[f"{comp_kind[k]}:c{k}"] = (t, v)
        t_all.append(t)
    times = np.unique(np.concatenate(t_all))
    profile = Profile(folder.name, times, {key: np.interp(times, t, v) for key, (t, v) in cols.items()})
    return Case(net, profile, fixed, t_k, g)


def read_csv(path: Path) -> dict[str, np.ndarray]:
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    return {k: np.array([float(r[k]) if r[k] != "" else np.nan for r in rows]) for k in rows[0]}
