"""Steady-state speed: linepack against pandapipes on the same grids (interleaved), the linear-solver backends
side by side, and linepack alone at 100,000 and 1,000,000 junctions with peak memory.

Run from the repository root:  python -m benchmarks.steady_vs_pandapipes [--rounds 3] [--quick] [--skip-large]

* Both tools solve the same network with the physics they share (benchmarks/peer/exchange.py); pandapipes runs
  in its own virtual environment (benchmarks/peer/crosscheck.py creates it) as a timing service, and the two
  tools alternate within every round (linepack first in odd rounds, pandapipes first in even ones), so that a
  change of the machine's load hits both. Times are CPU seconds of the process doing the work
  (``time.process_time``), medians over the rounds.
* Like for like: before a ratio is printed, the states are compared (every junction pressure and pipe flow);
  a ratio is printed only when the pressures agree to 1e-4 (the cross-check's target), else the row says how
  far apart the states are.
* linepack "end to end" = compile + solve, from the editable network to the result; pandapipes' ``pipeflow``
  builds its own internal arrays on every call, so its time is end to end in the same sense. The network
  objects themselves (linepack ``Network``, pandapipes ``net``) are built once, outside the clock; their build
  times are printed for information.
* Backends: every installed linear-solver backend on every grid (linepack.solvers.linear).
* Large grids: a fresh process per run (generation, compile, solve, peak resident memory), ideal gas.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import linepack as lp
from linepack.model.components import PipeLaw
from linepack.solvers.linear import available_backends
from linepack.synthetic import lattice_network

from .peer.crosscheck import GASLIB_LARGE, REPO, WORKER, passive_gaslib, peer_python
from .peer.exchange import export_case, pandapipes_physics

SAME_STATE = 1e-4  # largest relative pressure difference for "the same state"


@dataclass
class Case:
    name: str
    net: lp.Network
    junctions: int = 0
    build_s: float = 0.0
    lp_compile: list[float] = field(default_factory=list)
    lp_solve: list[float] = field(default_factory=list)
    pp_solve: list[float] = field(default_factory=list)
    pp_build: list[float] = field(default_factory=list)
    lp_iters: int = 0
    pp_iters: int = -1
    dp: float = float("nan")
    dq: float = float("nan")
    pp_error: str = ""
    backends: dict[str, tuple[float, int, str]] = field(default_factory=dict)


class Peer:
    """The pandapipes timing service (benchmarks/peer/pandapipes_worker.py --serve) in its own venv."""

    def __init__(self, py: Path, cases: list[dict[str, Any]]) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        path = Path(self.tmp.name) / "cases.json"
        path.write_text(json.dumps({"cases": cases}))
        self.proc = subprocess.Popen(
            [str(py), str(WORKER), "--serve", str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.version = json.loads(self._line())["pandapipes"]

    def _line(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the pandapipes worker stopped")
        return line

    def run(self, k: int, state: bool = False) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"case": k, "state": state}) + "\n")
        self.proc.stdin.flush()
        return dict(json.loads(self._line()))

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self.tmp.cleanup()


def grid(n_side: int, stations: int) -> lp.Network:
    return pandapipes_physics(
        lattice_network(n_side, seed=n_side + stations, compressors=stations), PipeLaw.NIKURADSE_PANDAPIPES
    )


def time_linepack(net: lp.Network, backend: str | None = None) -> tuple[float, float, lp.SteadyResult]:
    """CPU seconds of compile and of solve (a fresh compile: nothing cached between runs)."""
    gc.collect()
    c0 = time.process_time()
    cn = lp.compile_network(net)
    c1 = time.process_time()
    res = lp.solve_steady(cn, options=lp.SteadyOptions(linear_solver=backend))
    c2 = time.process_time()
    return c1 - c0, c2 - c1, res


def compare(res: lp.SteadyResult, peer: dict[str, Any]) -> tuple[float, float]:
    p_peer = np.asarray(peer["p_abs_pa"])
    dp = float(np.max(np.abs(res.p_pa / p_peer - 1.0)))
    q_lp = res.q_kg_s[res.network.res_edge]
    q_pp = np.asarray(peer["pipe_mdot_kg_s"])
    dq = float(np.max(np.abs(q_lp - q_pp))) / max(float(np.max(np.abs(q_lp))), 1e-9)
    return dp, dq


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def cases_of(args: argparse.Namespace) -> list[Case]:
    sizes = [int(s) for s in args.sizes.split(",")]
    out = []
    for n_side in sizes:
        for stations in (0, 4):
            t0 = time.process_time()
            net = grid(n_side, stations)
            out.append(Case(f"lattice {n_side}x{n_side}, {stations} stations", net, build_s=time.process_time() - t0))
    gaslib = Path(os.environ.get("LINEPACK_SHARED", REPO.parent / "shared")) / "refcases" / "gaslib"
    if not args.quick and gaslib.is_dir():
        for name, net_f, scn_f in GASLIB_LARGE:
            net = pandapipes_physics(passive_gaslib(gaslib / net_f, gaslib / scn_f), PipeLaw.NIKURADSE_PANDAPIPES)
            out.append(Case(f"{name} (passive)", net))
    return out


def against_pandapipes(args: argparse.Namespace) -> list[Case]:
    cases = cases_of(args)
    exported, runnable = [], []
    for case in cases:
        try:
            _, _, res = time_linepack(case.net)
        except lp.LinepackError as exc:
            print(f"{case.name}: linepack finds no steady state: {str(exc).splitlines()[0]}")
            continue
        case.junctions, case.lp_iters = res.network.n_nodes, res.iterations
        exported.append(export_case(case.name, res.network, res))
        runnable.append((case, res))
    peer = Peer(peer_python(args.venv), exported)
    print(f"pandapipes {peer.version}; {args.rounds} interleaved rounds; CPU seconds", flush=True)
    try:
        for k, (case, res) in enumerate(runnable):  # the like-for-like check (state) and a warm-up of both tools
            st = peer.run(k, state=True)
            if not st.get("converged"):
                case.pp_error = st.get("error", "did not converge")[:70]
                continue
            case.pp_iters = int(st["iterations"])
            case.dp, case.dq = compare(res, st)
        for r in range(args.rounds):
            for k, (case, _) in enumerate(runnable):
                if case.pp_error:
                    continue
                order = ("lp", "pp") if r % 2 == 0 else ("pp", "lp")
                for who in order:
                    if who == "lp":
                        tc, ts, _ = time_linepack(case.net)
                        case.lp_compile.append(tc)
                        case.lp_solve.append(ts)
                    else:
                        ans = peer.run(k)
                        case.pp_solve.append(ans["solve_cpu_s"])
                        case.pp_build.append(ans["build_cpu_s"])
            print(f"  round {r + 1} done", flush=True)
    finally:
        peer.close()
    return [c for c, _ in runnable]


def print_peer_table(cases: list[Case]) -> None:
    head = (
        f"{'case':34s} {'junctions':>9s} {'lp it':>5s} {'pp it':>5s} {'max dp':>8s} {'compile':>8s} {'solve':>8s} "
        f"{'lp e2e':>8s} {'pp':>8s} {'pp/lp solve':>11s} {'pp/lp e2e':>9s}"
    )
    print("\n" + head)
    for c in cases:
        pre = f"{c.name:34s} {c.junctions:9d} {c.lp_iters:5d}"
        if c.pp_error:
            print(f"{pre}  pandapipes: {c.pp_error}")
            continue
        comp, solve, pp = med(c.lp_compile), med(c.lp_solve), med(c.pp_solve)
        e2e = med([a + b for a, b in zip(c.lp_compile, c.lp_solve, strict=True)])
        same = c.dp <= SAME_STATE
        rs = f"{pp / solve:11.1f}" if same else f"{'n/a':>11s}"
        re_ = f"{pp / e2e:9.1f}" if same else f"{'n/a':>9s}"
        note = "" if same else f"  states differ: max |p/p_pp - 1| {c.dp:.1e}, flows {c.dq:.1e}: no ratio"
        print(f"{pre} {c.pp_iters:5d} {c.dp:8.1e} {comp:8.3f} {solve:8.3f} {e2e:8.3f} {pp:8.3f} {rs} {re_}{note}")
    print(
        "(build of the network objects, outside the clock, CPU s: "
        + ", ".join(
            f"{c.name.split(',')[0]} lp {c.build_s:.2f} / pp {med(c.pp_build):.2f}" for c in cases if c.pp_build
        )
        + ")"
    )


def backend_table(cases: list[Case], rounds: int) -> None:
    names = [b for b, ok in available_backends().items() if ok] + ["pardiso_lu"] * available_backends()["pardiso"]
    print(f"\nlinear-solver backends, linepack solve CPU s (median of {rounds}; interleaved by round)")
    print(f"{'case':34s} " + " ".join(f"{b:>11s}" for b in names))
    for c in cases:
        times: dict[str, list[float]] = {b: [] for b in names}
        iters: dict[str, int] = {}
        for _ in range(rounds):
            for b in names:
                try:
                    _, ts, res = time_linepack(c.net, b)
                except lp.LinepackError:
                    continue
                times[b].append(ts)
                iters[b] = res.iterations
        cells = [f"{med(times[b]):7.3f}/{iters.get(b, -1):<3d}" for b in names]
        print(f"{c.name:34s} " + " ".join(f"{x:>11s}" for x in cells))
    print(
        "(solve CPU s / Newton iterations; every backend reaches the same state: tests/solver/test_linear_backends.py)"
    )


def alone(n_side: int, backend: str) -> dict[str, Any]:
    """linepack alone in a fresh process: generation, compile and solve CPU time, peak resident memory."""
    code = (
        "import gc, json, resource, time, linepack as lp\n"
        "from linepack.synthetic import lattice_network\n"
        "c = time.process_time\n"
        f"t0 = c(); net = lattice_network({n_side}, seed=1, z_model='ideal'); t1 = c()\n"
        "cn = lp.compile_network(net); t2 = c()\n"
        "del net; gc.collect()  # the editable network is not needed by the solver\n"
        f"opts = lp.SteadyOptions(linear_solver={backend!r}, max_time_s=3600)\n"
        "res = lp.solve_steady(cn, options=opts); t3 = c()\n"
        "print(json.dumps({'generate_s': t1 - t0, 'compile_s': t2 - t1, 'solve_s': t3 - t2,\n"
        "  'iterations': res.iterations, 'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=7200)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def large_table(sides: list[int], backends: list[str]) -> None:
    print(
        f"\n{'linepack alone (fresh process)':34s} {'backend':>10s} {'junctions':>9s} {'iters':>5s} {'generate':>8s} "
        f"{'compile':>8s} {'solve':>8s} {'c+s':>8s} {'peak MB':>8s}"
    )
    for n_side in sides:
        for b in backends:
            r = alone(n_side, b)
            label = f"lattice {n_side}x{n_side}"
            if "error" in r:
                print(f"{label:34s} {b:>10s} {n_side * n_side:9d} failed: {r['error'][:80]}")
                continue
            print(
                f"{label:34s} {b:>10s} {n_side * n_side:9d} {r['iterations']:5.0f} {r['generate_s']:8.2f} "
                f"{r['compile_s']:8.2f} {r['solve_s']:8.2f} {r['compile_s'] + r['solve_s']:8.2f} {r['peak_mb']:8.0f}",
                flush=True,
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sizes", default="71,141", help="lattice sides for the pandapipes comparison")
    ap.add_argument(
        "--venv", type=Path, default=Path(os.environ.get("LINEPACK_PANDAPIPES_VENV", REPO / ".venv-pandapipes"))
    )
    ap.add_argument("--quick", action="store_true", help="lattices only (no GasLib), no backend table")
    ap.add_argument("--skip-large", action="store_true", help="skip the 100k and 1M linepack-only runs")
    ap.add_argument("--large", default="317,1000", help="lattice sides of the linepack-only runs")
    ap.add_argument("--large-backends", default="auto", help="comma-separated backends for the large runs")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start (shared)")
    print("backends installed: " + ", ".join(b for b, ok in available_backends().items() if ok))
    cases = against_pandapipes(args)
    print_peer_table(cases)
    if not args.quick:
        backend_table(cases, args.rounds)
    if not args.skip_large:
        large_table([int(s) for s in args.large.split(",")], args.large_backends.split(","))
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
