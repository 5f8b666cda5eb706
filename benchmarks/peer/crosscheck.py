"""Cross-validation of linepack against pandapipes on the same networks with the same physics.

Run from the repository root:  python -m benchmarks.peer.crosscheck [--venv DIR] [--quick]

Creates (once) a separate virtual environment with pandapipes (never a linepack dependency), builds each
case in both tools with the physics they share (the linear compressibility pandapipes uses, constant
viscosity, the same friction law, the same temperature, pandapipes' height-dependent ambient pressure
handled through absolute pressures), and compares every node pressure and pipe flow. Exit code 1 when a
pressure differs by more than 1e-4 relative.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

import linepack as lp
from linepack.model.components import PipeLaw
from linepack.synthetic import lattice_network

from .exchange import export_case, pandapipes_physics

REPO = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("pandapipes_worker.py")
PANDAPIPES_VERSION = "0.16.0"
TOLERANCE = 1e-4


def peer_python(venv: Path) -> Path:
    """The pandapipes interpreter, creating its virtual environment on first use."""
    py = venv / "bin" / "python"
    if not py.exists():
        print(f"creating {venv} with pandapipes {PANDAPIPES_VERSION} (first run only)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", f"pandapipes=={PANDAPIPES_VERSION}"], check=True)
    return py


def run_peer(py: Path, cases: list[dict], repeats: int = 0) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "cases.json", Path(tmp) / "results.json"
        src.write_text(json.dumps({"cases": cases}))
        subprocess.run([str(py), str(WORKER), str(src), str(dst), "--repeats", str(repeats)], check=True)
        return list(json.loads(dst.read_text())["results"])


GASLIB_LARGE = (
    ("GasLib-582", "GasLib-582/GasLib-582-v2.net", "GasLib-582/nomination_cool_2866_scale_0.95_from_paminco.scn"),
    ("GasLib-4197", "GasLib-4197/GasLib-4197.net", "GasLib-4197/nomination_mild_0006.scn"),
)
GASLIB_PASSIVE = (
    ("GasLib-11", "GasLib-11/GasLib-11.net", "GasLib-11/GasLib-11.scn"),
    ("GasLib-134", "GasLib-134/GasLib-134-v2.net", "GasLib-134/Nominations-134-v2_2014-12-01.scn"),
)


def passive_gaslib(net_file: Path, scn_file: Path) -> lp.Network:
    """A GasLib instance without active elements: compressor stations, control valves and fixed-loss resistors
    become short pipes, drag resistors 1 m pipes with their loss coefficient (both tools model those alike)."""
    from linepack.io.gaslib import read_gaslib
    from linepack.model.components import Compressor, Pipe, Regulator, Resistor, ShortPipe

    net = read_gaslib(net_file, scn_file, fixed_loss="short_pipe").network
    for c in list(net.components()):
        if isinstance(c, Compressor | Regulator) or (isinstance(c, Resistor) and c.drag_coefficient is None):
            net.remove(c.id)
            net.add(ShortPipe(id=c.id, from_node=c.from_node, to_node=c.to_node, name="was " + c.kind))
        elif isinstance(c, Resistor):  # a drag resistor as a 1 m pipe with the same loss coefficient
            net.remove(c.id)
            net.add(
                Pipe(
                    id=c.id,
                    from_node=c.from_node,
                    to_node=c.to_node,
                    length_km=0.001,
                    inner_diameter_mm=c.diameter_mm,
                    roughness_mm=0.012,
                    loss_coefficient=c.drag_coefficient,
                    name="was resistor",
                )
            )
    return net


def crosscheck_cases(quick: bool) -> list[tuple[str, lp.Network]]:
    # passive grids: pandapipes' compressor does not hold its ratio when it is one of several stations
    # feeding a meshed grid (measured: two of four stations at ratio ~1.0 instead of the set 1.06-1.09)
    sizes = [(10, 0), (23, 0)] if quick else [(10, 0), (23, 0), (71, 0), (100, 0)]
    cases = []
    for law in (PipeLaw.NIKURADSE_PANDAPIPES, PipeLaw.PRANDTL_COLEBROOK):
        for n, comp in sizes:
            net = pandapipes_physics(lattice_network(n, seed=n + comp, compressors=comp), law)
            cases.append((f"lattice {n}x{n}, {comp} stations, {law.value}", net))
    shared = Path(os.environ.get("LINEPACK_SHARED", REPO.parent / "shared")) / "refcases" / "gaslib"
    if shared.is_dir():
        for name, net_f, scn_f in GASLIB_PASSIVE:
            for law in (PipeLaw.NIKURADSE_PANDAPIPES, PipeLaw.PRANDTL_COLEBROOK):
                net = pandapipes_physics(passive_gaslib(shared / net_f, shared / scn_f), law)
                cases.append((f"{name} (passive), {law.value}", net))
    return cases


def compare(name: str, res: lp.SteadyResult, peer: dict) -> tuple[float, float]:
    p_peer = np.asarray(peer["p_abs_pa"])
    dp = float(np.max(np.abs(res.p_pa / p_peer - 1.0)))
    q_lp = res.q_kg_s[res.network.res_edge]
    q_peer = np.asarray(peer["pipe_mdot_kg_s"])
    scale = max(float(np.max(np.abs(q_lp))), 1e-9)
    dq = float(np.max(np.abs(q_lp - q_peer))) / scale
    return dp, dq


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--venv", type=Path, default=Path(os.environ.get("LINEPACK_PANDAPIPES_VENV", REPO / ".venv-pandapipes"))
    )
    ap.add_argument("--quick", action="store_true", help="small grids only")
    args = ap.parse_args()
    py = peer_python(args.venv)
    named = crosscheck_cases(args.quick)
    results, exported = [], []
    for name, net in named:
        res = lp.solve_steady(net, options=lp.SteadyOptions(tolerance=1e-12))
        results.append(res)
        exported.append(export_case(name, res.network, res))
    peers = run_peer(py, exported)
    worst = 0.0
    print(f"{'case':48s} {'junctions':>9s} {'max |p/p_pp - 1|':>17s} {'max |dq|/q':>11s} {'ok':>4s}")
    for (name, _), res, peer in zip(named, results, peers, strict=True):
        dp, dq = compare(name, res, peer)
        worst = max(worst, dp)
        ok = dp <= TOLERANCE and peer["converged"]
        print(f"{name:48s} {res.network.n_nodes:9d} {dp:17.2e} {dq:11.2e} {'yes' if ok else 'NO':>4s}")
    print(f"worst pressure difference {worst:.2e} (target {TOLERANCE:.0e})")
    return 0 if worst <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
