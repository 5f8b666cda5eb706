"""Cross-check of linepack's non-isothermal steady state against pandapipes' heat-transfer pipeflow.

Run from the repository root:  python -m benchmarks.peer.thermal_crosscheck [--venv DIR] [--sections N]

Uses the pandapipes virtual environment of the isothermal cross-check (``benchmarks/peer/crosscheck.py``; created on
first use, never a linepack dependency). Matching physics: pandapipes' gas model (linear Z, constant viscosity,
ideal-gas density), its caloric model (constant cp, h = cp T: no Joule-Thomson), flat ground, U referred to the
inner diameter (pandapipes' outer diameter set to the inner one). pandapipes solves each pipe's temperature with the
exact exponential and its pressure drop at the arithmetic mean of the pipe's inlet and outlet temperature; linepack
at the length-averaged temperature of the exponential profile, so pandapipes' pipes are cut into ``--sections``
internal sections (its mean then converges to the length average). linepack runs its coupled solve
(:func:`linepack.thermal.coupling.solve_non_isothermal`) with pandapipes' caloric model passed as ``thermo``.

Compared: every junction temperature (target 0.05 K) and pressure (target 1e-4 relative) in pandapipes'
``bidirectional`` (coupled) mode; then linepack's own real-gas model (GERG-2008 enthalpy, Joule-Thomson) on the same
cases, to show what pandapipes' caloric model leaves out. Exit code 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

import linepack as lp
from linepack.model.components import PipeLaw
from linepack.synthetic import lattice_network
from linepack.thermal.coupling import solve_non_isothermal

from .crosscheck import REPO, peer_python
from .exchange import export_case, pandapipes_physics

WORKER = Path(__file__).with_name("pandapipes_thermal_worker.py")
T_TOLERANCE_K = 0.05
P_TOLERANCE = 1e-4
PEER_TOLERANCE = 1e-6  # pandapipes' tolerances (increments of p, mdot, T and the residual)
CP_J_KG_K = 2600.0  # constant heat capacity of both models (natural gas near 70 bar, 20 C; A)
KELVIN = 273.15
F64 = NDArray[np.float64]


class ConstantCpGas:
    """pandapipes' caloric model: h = cp T with constant cp, hence no Joule-Thomson effect (duck-typed like
    :class:`linepack.gas.thermo.RealGasThermo` for the methods the network sweep calls)."""

    def __init__(self, cp_j_kg_k: float) -> None:
        self.cp = float(cp_j_kg_k)

    def enthalpy_j_kg(self, p_pa: Any, t_k: Any) -> F64:
        return self.cp * np.array(np.broadcast_arrays(np.asarray(p_pa, dtype=float), np.asarray(t_k, dtype=float))[1])

    def temperature_from_enthalpy(self, p_pa: Any, h_j_kg: Any, t_guess_k: Any = None) -> F64:
        return (
            np.array(np.broadcast_arrays(np.asarray(p_pa, dtype=float), np.asarray(h_j_kg, dtype=float))[1]) / self.cp
        )

    def cp_j_kg_k(self, p_pa: Any, t_k: Any) -> F64:
        return np.full(np.broadcast_shapes(np.shape(p_pa), np.shape(t_k)), self.cp)

    def joule_thomson_k_pa(self, p_pa: Any, t_k: Any) -> F64:
        return np.zeros(np.broadcast_shapes(np.shape(p_pa), np.shape(t_k)))


def _gas_compositions() -> dict[str, Any]:
    """The natural gas of the synthetic lattices (``NG``)."""
    return dict(lattice_network(3, seed=3).to_dict()["gas_compositions"])


def _single_pipe() -> lp.Network:
    """80 km of 700 mm, 70 barg source of 45 C gas, 100 kg/s delivered, U = 3 W/(m2 K), ground 20 C."""
    return lp.Network.from_dict(
        {
            "format": "linepack-network/1",
            "settings": {"temperature_c": 45.0, "gas": "NG"},
            "gas_compositions": _gas_compositions(),
            "nodes": [{"id": "A"}, {"id": "B"}],
            "pipes": [{"id": "P", "from": "A", "to": "B", "length_km": 80, "inner_diameter_mm": 700}],
            "sources": [{"id": "S", "node": "A", "mode": "pressure", "p_set_barg": 70}],
            "sinks": [{"id": "K", "node": "B", "demand": 100, "unit": "kg/s"}],
        }
    )


def _grid(n: int) -> lp.Network:
    """The n x n lattice of the isothermal cross-check, flat, fed by one pressure source (its flow sources removed)."""
    doc = lattice_network(n, seed=n).to_dict()
    doc["sources"] = [s for s in doc["sources"] if s["id"] == "REF0"]
    for node in doc["nodes"]:
        node["elevation_m"] = 0.0
    for s in doc["sinks"]:
        s["demand"] = 0.6 * float(s["demand"])
    doc["settings"]["temperature_c"] = 45.0
    return lp.Network.from_dict(doc)


def thermal_case(net: lp.Network, law: PipeLaw, spread: bool) -> lp.Network:
    """pandapipes physics, non-isothermal: U 3 W/(m2 K) (or 1.5-4.5 by pipe with ``spread``), ground 20 C (or
    14-26 C), the source at 45 C."""
    doc = pandapipes_physics(net, law).to_dict()
    doc["settings"]["thermal"] = {"mode": "non_isothermal", "source_temperature_c": 45.0}
    for k, p in enumerate(doc["pipes"]):
        p["heat_transfer_coefficient_w_m2k"] = 1.5 + 3.0 * ((k * 7) % 11) / 10.0 if spread else 3.0
        p["ground_temperature_c"] = 14.0 + 12.0 * ((k * 5) % 13) / 12.0 if spread else 20.0
    return lp.Network.from_dict(doc)


def exported(name: str, net: lp.Network, res: Any, sections: int, mode: str) -> dict[str, Any]:
    case = export_case(name, res.network, res)
    from linepack.thermal.inputs import thermal_inputs

    inputs = thermal_inputs(net.view(net.default_scenario))
    pos = {pid: i for i, pid in enumerate(inputs.pipe_ids)}
    cn = res.network
    for p, e in zip(case["pipes"], cn.res_edge, strict=True):
        i = pos[cn.edge_ids[e]]
        p["u_w_m2k"] = float(inputs.pipe_u_w_m2k[i])
        p["ground_k"] = float(inputs.pipe_ground_k[i])
    # pandapipes' bidirectional loop does not reach increments of 1e-10 on the lattices (it stops with
    # PipeflowNotConverged); 1e-6 is the tightest it reaches on all cases
    case.update(source_k=45.0 + KELVIN, cp_j_kg_k=CP_J_KG_K, sections=sections, mode=mode, tol=PEER_TOLERANCE)
    return case


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--venv", type=Path, default=Path(os.environ.get("LINEPACK_PANDAPIPES_VENV", REPO / ".venv-pandapipes"))
    )
    ap.add_argument("--sections", type=int, default=64, help="pandapipes' internal sections per pipe")
    args = ap.parse_args()
    py = peer_python(args.venv)
    gas = ConstantCpGas(CP_J_KG_K)
    named = [
        ("single pipe 80 km, U 3, ground 20 C", thermal_case(_single_pipe(), PipeLaw.NIKURADSE_PANDAPIPES, False)),
        ("lattice 6x6, U 1.5-4.5, ground 14-26 C", thermal_case(_grid(6), PipeLaw.NIKURADSE_PANDAPIPES, True)),
        ("lattice 6x6, Colebrook", thermal_case(_grid(6), PipeLaw.PRANDTL_COLEBROOK, True)),
        ("lattice 10x10, U 1.5-4.5, ground 14-26 C", thermal_case(_grid(10), PipeLaw.NIKURADSE_PANDAPIPES, True)),
    ]
    opts = lp.SteadyOptions(tolerance=1e-12)
    results = [solve_non_isothermal(net, options=opts, thermo=gas) for _, net in named]
    cases = [
        exported(name, net, r, args.sections, "bidirectional") for (name, net), r in zip(named, results, strict=True)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "cases.json", Path(tmp) / "results.json"
        src.write_text(json.dumps({"cases": cases}))
        subprocess.run([str(py), str(WORKER), str(src), str(dst)], check=True)
        peers = json.loads(dst.read_text())["results"]
    ok_all = True
    print(f"pandapipes bidirectional pipeflow, {args.sections} sections per pipe; linepack coupled, pandapipes physics")
    print(f"{'case':44s} {'junctions':>9s} {'max |dT| K':>11s} {'max |p/p_pp-1|':>15s} {'T span C':>10s} {'ok':>3s}")
    for (name, _), r, peer in zip(named, results, peers, strict=True):
        if not peer.get("converged"):
            print(f"{name:44s} pandapipes did not converge: {peer.get('error', '')}")
            ok_all = False
            continue
        t_pp, p_pp = np.asarray(peer["t_k"]), np.asarray(peer["p_abs_pa"])
        dt = float(np.max(np.abs(r.thermal.node_t_k - t_pp)))
        dp = float(np.max(np.abs(r.p_pa / p_pp - 1.0)))
        span = f"{t_pp.min() - KELVIN:.1f}-{t_pp.max() - KELVIN:.1f}"
        ok = dt <= T_TOLERANCE_K and dp <= P_TOLERANCE
        ok_all &= ok
        print(f"{name:44s} {r.network.n_nodes:9d} {dt:11.2e} {dp:15.2e} {span:>10s} {'yes' if ok else 'NO':>3s}")
    print("\nlinepack's own model on the same cases (GERG-2008 enthalpy with Joule-Thomson; same U, ground, source):")
    print(f"{'case':44s} {'max |T_real - T_pp| K':>22s} {'max |p/p_pp-1|':>15s}")
    for (name, net), peer in zip(named, peers, strict=True):
        if not peer.get("converged"):
            continue
        doc = net.to_dict()
        doc["settings"]["gas"] = "NG"
        doc["gas_compositions"] = _gas_compositions()
        doc["settings"].pop("molar_mass_kg_per_mol", None)
        real = lp.solve_steady(lp.Network.from_dict(doc), options=opts)
        dt = float(np.max(np.abs(real.thermal.node_t_k - np.asarray(peer["t_k"]))))
        dp = float(np.max(np.abs(real.p_pa / np.asarray(peer["p_abs_pa"]) - 1.0)))
        print(f"{name:44s} {dt:22.3f} {dp:15.2e}")
    verdict = "met" if ok_all else "NOT met"
    print(f"\ntargets: temperatures within {T_TOLERANCE_K} K, pressures within {P_TOLERANCE:.0e}: {verdict}")
    return 0 if ok_all else 1


if __name__ == "__main__":
    raise SystemExit(main())
