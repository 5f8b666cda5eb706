"""Steady-state solve times of linepack alone (the pandapipes comparison belongs to the GasLib/benchmark issue).

Run: python benchmarks/steady_state.py [--repeats 5]
Prints a table: case, junctions, elements, Newton iterations, compile time and median solve time.
"""

from __future__ import annotations

import argparse
import statistics
import time

import linepack as lp
from linepack.synthetic import lattice_network


def _median_time(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm-up (tables, caches)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    net = lp.load_default_network()
    cases: list[tuple[str, lp.Network, str | None]] = [(f"PSGP {s}", net, s) for s in ("psgp_base", "tapi")]
    for n_side, comp in ((23, 0), (23, 4), (71, 0), (71, 4)):
        cases.append(
            (f"lattice {n_side}x{n_side}, {comp} stations", lattice_network(n_side, seed=1, compressors=comp), None)
        )
    print(f"{'case':34s} {'junctions':>9s} {'elements':>9s} {'iters':>6s} {'compile s':>10s} {'solve s':>9s}")
    for name, network, scenario in cases:
        t_compile = _median_time(
            lambda network=network, scenario=scenario: lp.compile_network(network, scenario), args.repeats
        )
        cn = lp.compile_network(network, scenario)
        res = lp.solve_steady(cn)
        t_solve = _median_time(lambda cn=cn: lp.solve_steady(cn), args.repeats)
        print(f"{name:34s} {cn.n_nodes:9d} {cn.n_edges:9d} {res.iterations:6d} {t_compile:10.3f} {t_solve:9.3f}")


if __name__ == "__main__":
    main()
