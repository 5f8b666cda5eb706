"""The web application under load, on loopback only: time to the first result of a new server (page, static
files, default solve, as a browser would ask for them), then rounds of N concurrent clients each requesting a
solve, with the health check's latency measured during each round.

Run: python benchmarks/web_load.py [--clients 10 50 100] [--workers 2]
Prints a table: clients, errors, wall time, solves per second, median and 95th-percentile solve latency,
worst health-check latency during the round.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from linepack.web.app import create_app
from linepack.web.server import BackgroundServer

SCENARIOS = ("psgp_base", "tapi", "gwadar_ip", "psgp_42in_alt", "central_asia_hypothetical")


def _call(url: str, method: str, path: str, body: object = None) -> tuple[int, bytes, float]:
    parts = urlsplit(url)
    assert parts.hostname == "127.0.0.1"
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    t0 = time.perf_counter()
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        payload = resp.read()
        return resp.status, payload, time.perf_counter() - t0
    finally:
        conn.close()


def first_result(url: str) -> float:
    t0 = time.perf_counter()
    for path in ("/", "/static/vendor/leaflet/leaflet.js", "/static/app.js", "/api/config", "/static/basemap.geojson",
                 "/api/networks"):
        assert _call(url, "GET", path)[0] == 200, path
    assert _call(url, "POST", "/api/solve", {"network": "psgp"})[0] == 200
    return time.perf_counter() - t0


def round_of(url: str, clients: int) -> dict[str, float]:
    barrier = threading.Barrier(clients + 1, timeout=120)
    health: list[float] = []
    stop = threading.Event()

    def client(k: int) -> tuple[int, float]:
        barrier.wait()
        status, body, dt = _call(url, "POST", "/api/solve", {"network": "psgp", "scenario": SCENARIOS[k % 5]})
        ok = status == 200 and json.loads(body).get("converged") is True
        return (0 if ok else 1), dt

    def probe() -> None:
        barrier.wait()
        while not stop.is_set():
            health.append(_call(url, "GET", "/api/health")[2])
            time.sleep(0.05)

    with ThreadPoolExecutor(max_workers=clients + 1) as pool:
        prober = pool.submit(probe)
        t0 = time.perf_counter()
        futures = [pool.submit(client, k) for k in range(clients)]
        results = [f.result() for f in futures]
        wall = time.perf_counter() - t0
        stop.set()
        prober.result()
    lat = sorted(dt for _, dt in results)
    return {
        "errors": sum(e for e, _ in results),
        "wall": wall,
        "rate": clients / wall,
        "p50": statistics.median(lat),
        "p95": lat[min(len(lat) - 1, int(0.95 * len(lat)))],
        "health": max(health) if health else float("nan"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clients", type=int, nargs="+", default=[10, 50, 100])
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    with BackgroundServer(create_app(workers=args.workers)) as srv:
        print(f"first result of a new server (page, scripts, base map, default solve): {first_result(srv.url):.2f} s")
        head = ("clients", "errors", "wall s", "solves/s", "p50 s", "p95 s", "health max s")
        print(" ".join(f"{h:>{w}s}" for h, w in zip(head, (7, 6, 7, 8, 6, 6, 12), strict=True)))
        for n in args.clients:
            r = round_of(srv.url, n)
            print(
                f"{n:7d} {int(r['errors']):6d} {r['wall']:7.2f} {r['rate']:8.1f} {r['p50']:6.2f} {r['p95']:6.2f} "
                f"{r['health']:12.3f}"
            )


if __name__ == "__main__":
    main()
