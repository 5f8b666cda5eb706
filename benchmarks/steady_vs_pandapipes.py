"""Steady-state speed: linepack against pandapipes on the same synthetic grids, and linepack alone at scale.

Run from the repository root:  python -m benchmarks.steady_vs_pandapipes [--repeats 5] [--skip-large]

For each grid: wall time of the solve alone (median of the repeats after a warm-up run, both tools in one
invocation, each in its own process), Newton iterations, the ratio pandapipes/linepack, and the floor: the
Newton iterations times one sparse factorisation and solve of linepack's Jacobian at the solution. Then
linepack alone on 100,000 and 1,000,000 junctions: time and peak memory (each in a fresh process).
pandapipes runs in its own virtual environment (see benchmarks/peer/crosscheck.py).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import linepack as lp
from linepack.model.components import PipeLaw
from linepack.synthetic import lattice_network

from .peer.crosscheck import GASLIB_LARGE, REPO, passive_gaslib, peer_python, run_peer
from .peer.exchange import export_case, pandapipes_physics


def median_time(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def floor_time(res: lp.SteadyResult, repeats: int) -> float:
    """Iterations x one linear step (reduction, factorisation and solve) of the Jacobian at the solution."""
    from linepack.solvers.equations import ControlState, SteadySystem
    from linepack.solvers.steady import _scales

    cn = res.network
    pr, mr = _scales(cn)
    sys_ = SteadySystem(cn, ControlState.initial(cn), np.full(len(cn.res_edge), 1.1e-5), pr, mr)
    x = sys_.pack(res.p_pa, res.q_kg_s, res.source_supply_kg_s[sys_.psrc])
    jac = sys_.jacobian(x)
    rhs = np.ones(jac.shape[0])
    one = median_time(lambda: sys_.solve_linear(jac, rhs), repeats)
    return res.iterations * one


def grid(n_side: int, stations: int) -> lp.Network:
    return pandapipes_physics(lattice_network(n_side, seed=n_side + stations, compressors=stations), PipeLaw.NIKURADSE)


def alone(n_side: int) -> dict[str, float]:
    """linepack alone in a fresh process: solve time and peak resident memory."""
    code = (
        "import json, resource, time, linepack as lp\n"
        "from linepack.synthetic import lattice_network\n"
        f"net = lattice_network({n_side}, seed=1, z_model='ideal')\n"
        "t0 = time.perf_counter(); cn = lp.compile_network(net); t1 = time.perf_counter()\n"
        "res = lp.solve_steady(cn); t2 = time.perf_counter()\n"
        "print(json.dumps({'compile_s': t1 - t0, 'solve_s': t2 - t1, 'iterations': res.iterations,\n"
        "  'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=3600)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument(
        "--venv", type=Path, default=Path(os.environ.get("LINEPACK_PANDAPIPES_VENV", REPO / ".venv-pandapipes"))
    )
    ap.add_argument("--skip-large", action="store_true", help="skip the 100k and 1M linepack-only runs")
    args = ap.parse_args()
    py = peer_python(args.venv)
    rows = []
    cases = []
    for n_side in (23, 71, 141):
        for stations in (0, 4):
            net = grid(n_side, stations)
            cn = lp.compile_network(net)
            res = lp.solve_steady(cn)
            t_lp = median_time(lambda cn=cn: lp.solve_steady(cn), args.repeats)
            name = f"lattice {n_side}x{n_side}, {stations} stations"
            cases.append(export_case(name, cn, res))
            rows.append((name, cn.n_nodes, res.iterations, t_lp, floor_time(res, args.repeats)))
    gaslib = Path(os.environ.get("LINEPACK_SHARED", REPO.parent / "shared")) / "refcases" / "gaslib"
    for name, net_f, scn_f in GASLIB_LARGE if gaslib.is_dir() else ():
        net = pandapipes_physics(passive_gaslib(gaslib / net_f, gaslib / scn_f), PipeLaw.NIKURADSE)
        cn = lp.compile_network(net)
        try:
            res = lp.solve_steady(cn)
        except lp.LinepackError as exc:
            print(f"{name} (passive): linepack finds no steady state: {str(exc).splitlines()[0]}")
            continue
        t_lp = median_time(lambda cn=cn: lp.solve_steady(cn), args.repeats)
        cases.append(export_case(f"{name} (passive)", cn, res))
        rows.append((f"{name} (passive)", cn.n_nodes, res.iterations, t_lp, floor_time(res, args.repeats)))
    peers = run_peer(py, cases, repeats=args.repeats)
    print(f"{'case':32s} {'junctions':>9s} {'lp iters':>8s} {'lp s':>8s} {'floor s':>8s} {'pp s':>8s} {'pp/lp':>7s}")
    for (name, n, it, t_lp, t_floor), peer in zip(rows, peers, strict=True):
        t_pp = peer["solve_s"]
        if t_pp is None:
            print(
                f"{name:32s} {n:9d} {it:8d} {t_lp:8.3f} {t_floor:8.3f}  pandapipes: {peer.get('error', 'failed')[:60]}"
            )
            continue
        print(f"{name:32s} {n:9d} {it:8d} {t_lp:8.3f} {t_floor:8.3f} {t_pp:8.3f} {t_pp / t_lp:7.1f}")
    if not args.skip_large:
        print(f"\n{'linepack alone':32s} {'junctions':>9s} {'iters':>8s} {'solve s':>8s} {'peak MB':>8s}")
        for n_side in (317, 1000):
            r = alone(n_side)
            if "error" in r:
                print(f"{'lattice ' + str(n_side) + 'x' + str(n_side):32s} {n_side * n_side:9d} failed: {r['error']}")
            else:
                print(
                    f"{'lattice ' + str(n_side) + 'x' + str(n_side):32s} {n_side * n_side:9d} {r['iterations']:8.0f} "
                    f"{r['solve_s']:8.2f} {r['peak_mb']:8.0f}"
                )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nmachine: {os.cpu_count()} cores; peak RSS of this process {peak:.0f} MB")


if __name__ == "__main__":
    main()
