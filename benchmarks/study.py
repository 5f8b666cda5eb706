"""Study throughput: Monte Carlo cases of the PSGP system on the local pool and on Dask.

Run: python benchmarks/study.py [--cases 10000] [--dask-cases 2000] [--workers 2]
Prints a table: backend, workers, cases, wall time, cases/s, mean wall and CPU time inside a case
(compile + solve + rows) and per-case overhead (dispatch, transfer, Parquet writes, worker start-up,
amortised), then the Dask 2-worker / 1-worker throughput ratio. Cases are Monte Carlo draws of psgp_base (default
distributions, seed 0) without curtailment (--no-shed), so every case is one steady-state evaluation.

Goals (issue 5): 10,000 cases in under 60 s on the 2-core machine; two Dask workers at least 1.6x one.
The machine may be shared: check `uptime` (load average) and read the numbers as pessimistic if loaded.
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

import linepack as lp
from linepack.solvers.steady import solve_steady
from linepack.study.cases import StudyContext
from linepack.study.evaluate import BaseCase, base_case, run_cases
from linepack.study.montecarlo import montecarlo
from linepack.study.run import RunStats, run_study
from linepack.study.store import ResultStore


def _run(
    ctx: StudyContext, n: int, workers: int, dask: bool, out: Path
) -> tuple[RunStats, float, float, dict[str, str], float]:
    net = lp.load_default_network()
    cases = montecarlo(net, base_case(ctx).cn, n, seed=0)
    shutil.rmtree(out, ignore_errors=True)
    c0 = time.process_time()
    stats = run_study(
        ctx, cases, {"kind": "montecarlo", "benchmark": True}, out, workers=workers, dask=dask, progress=False
    )
    parent_cpu_ms = (time.process_time() - c0) / n * 1e3
    con = ResultStore(out).connect()
    mean_ms, cpu_ms = con.execute("SELECT avg(wall_ms), avg(cpu_ms) FROM cases").fetchone()
    rows = con.execute("SELECT status, count(*), avg(cpu_ms) FROM cases GROUP BY status").fetchall()
    status = {str(k): f"{int(c)} ({float(ms):.1f} ms CPU)" for k, c, ms in rows}
    return stats, float(mean_ms), float(cpu_ms), status, parent_cpu_ms


def _worker_machinery(ctx: StudyContext, base: BaseCase, n: int = 200) -> str:
    """CPU of a worker's study machinery per case, measured in this process: a batch's cases unpickled, evaluated
    (run_cases: the cases themselves and the row tables) and its columns pickled back, minus the CPU inside the
    cases; and the Parquet write of those columns (what the parent does per batch)."""
    net = lp.load_default_network()
    specs = list(montecarlo(net, base.cn, n, seed=1))
    run_cases(ctx, specs[:20])  # warm: the worker's kernels and caches
    blob = pickle.dumps(specs)
    c0 = time.process_time()
    cols, elements = run_cases(ctx, pickle.loads(blob))
    back = pickle.dumps((cols, elements))
    total = time.process_time() - c0
    in_case = float(np.sum(cols["cpu_ms"])) / 1e3
    with tempfile.TemporaryDirectory() as tmp:
        store = ResultStore(Path(tmp) / "s")
        store.open({"kind": "benchmark"}, ctx.key, n, resume=False, overwrite=True)
        store.write_batch(*pickle.loads(back))  # warm: the first write imports pyarrow's Parquet writer (0.3-1 s)
        c1 = time.process_time()
        store.write_batch(*pickle.loads(back))
        write = time.process_time() - c1
    return (
        f"worker machinery (in this process, {n} cases): in-case CPU {in_case / n * 1e3:.2f} ms/case, batch "
        f"unpickle + rows + pickle {(total - in_case) / n * 1e3:.2f} ms/case, "
        f"Parquet write {write / n * 1e3:.2f} ms/case"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cases", type=int, default=10000, help="cases of the local-pool run")
    ap.add_argument("--dask-cases", type=int, default=2000, help="cases of each Dask run (1 and 2 workers)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()
    net = lp.load_default_network()
    ctx = StudyContext.from_network(net, "psgp_base", shed=False)
    base = base_case(ctx)
    t0 = time.perf_counter()
    for _ in range(10):
        solve_steady(base.cn, options=base.options)
    cold_ms = (time.perf_counter() - t0) / 10 * 1e3
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"PSGP psgp_base: one cold steady solve {cold_ms:.1f} ms; load average at start {load:.2f} on "
        f"{os.cpu_count()} cores"
    )
    print(_worker_machinery(ctx, base))
    runs: list[tuple[str, int, bool, int]] = [("local pool", args.workers, False, args.cases)]
    if not args.no_dask:
        runs += [("dask LocalCluster", 1, True, args.dask_cases), ("dask LocalCluster", 2, True, args.dask_cases)]
    head = (
        f"{'backend':18s} {'workers':>7s} {'cases':>6s} {'wall s':>8s} {'cases/s':>8s} {'in-case ms':>10s} "
        f"{'in-case cpu ms':>14s} {'overhead ms':>11s} {'parent cpu':>10s}  statuses (count, mean in-case CPU)"
    )
    print(head)
    rates: dict[tuple[str, int], float] = {}
    cpu: dict[tuple[str, int], tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, workers, dask, n in runs:
            stats, mean_ms, cpu_ms, status, parent_ms = _run(
                ctx, n, workers, dask, Path(tmp) / f"{name}-{workers}".replace(" ", "_")
            )
            overhead = stats.wall_s * workers / n * 1e3 - mean_ms
            rates[(name, workers)] = stats.cases_per_s
            cpu[(name, workers)] = (cpu_ms, cpu_ms + max(overhead, 0.0))
            st = ", ".join(f"{k} {v}" for k, v in sorted(status.items()))
            print(
                f"{name:18s} {workers:7d} {n:6d} {stats.wall_s:8.1f} {stats.cases_per_s:8.1f} {mean_ms:10.1f} "
                f"{cpu_ms:14.1f} {overhead:11.1f} {parent_ms:10.2f}  {st}"
            )
    if not args.no_dask:
        ratio = rates[("dask LocalCluster", 2)] / rates[("dask LocalCluster", 1)]
        print(f"Dask throughput, 2 workers / 1 worker: {ratio:.2f}x (goal >= 1.6x)")
    est = args.cases / rates[("local pool", args.workers)]
    print(f"local pool: {args.cases} cases in {est:.1f} s (goal < 60 s); load average at end {os.getloadavg()[0]:.2f}")
    in_case, with_overhead = cpu[("local pool", args.workers)]
    for what, ms in (("in-case CPU alone (a lower bound)", in_case), ("in-case CPU + overhead", with_overhead)):
        print(
            f"projection from {what}, {ms:.1f} ms a case: {args.cases} cases on {args.workers} otherwise idle "
            f"cores in about {args.cases * ms / args.workers / 1e3:.0f} s"
        )


if __name__ == "__main__":
    main()
