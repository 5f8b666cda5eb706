"""A bounded load test on loopback: 50 concurrent clients each request a solve (while 12 more download results
and profiles); none fails, and the server still answers afterwards. No timing assertions (the machine is
shared)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from webclient import get, post

CLIENTS = 50
READERS = 12


def test_fifty_concurrent_solves(server):
    scenarios = ["psgp_base", "tapi", "gwadar_ip", "psgp_42in_alt", "central_asia_hypothetical"]
    start = threading.Barrier(CLIENTS, timeout=60)

    def client(k: int) -> tuple[int, str, bool]:
        start.wait()
        r = post(server.url, "/api/solve", {"network": "psgp", "scenario": scenarios[k % len(scenarios)]}, timeout=300)
        doc = r.json()
        return r.status, doc.get("scenario", doc.get("error", "")), bool(doc.get("converged"))

    def reader(k: int) -> int:  # downloads and profiles share the cached results meanwhile
        start_readers.wait()
        if k % 3 == 2:
            body = {"network": "psgp", "scenario": "tapi", "route": ["KARACHI", "LAHORE"]}
            return post(server.url, "/api/profile", body, timeout=300).status
        fmt = ("json", "geojson")[k % 3]
        return get(server.url, f"/api/download/{fmt}?network=psgp&scenario=tapi", timeout=300).status

    start_readers = threading.Barrier(READERS, timeout=60)
    health: list[int] = []

    def probe() -> None:  # the event loop keeps answering while the solves run
        for _ in range(5):
            health.append(get(server.url, "/api/health", timeout=120).status)

    with ThreadPoolExecutor(max_workers=CLIENTS + READERS + 1) as pool:
        futures = [pool.submit(client, k) for k in range(CLIENTS)]
        readers = [pool.submit(reader, k) for k in range(READERS)]
        prober = pool.submit(probe)
        results = [f.result(timeout=600) for f in futures]
        read_status = [f.result(timeout=600) for f in readers]
        prober.result(timeout=600)
    assert read_status == [200] * READERS
    assert [r[0] for r in results] == [200] * CLIENTS, results
    assert all(conv for _, _, conv in results)
    assert [r[1] for r in results] == [scenarios[k % len(scenarios)] for k in range(CLIENTS)]
    assert health == [200] * 5
    after = post(server.url, "/api/solve", {"network": "psgp", "scenario": "psgp_base"})
    assert after.status == 200 and after.json()["converged"]
    assert get(server.url, "/api/health").json() == {"ok": True}
