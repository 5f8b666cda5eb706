"""The web server under hostile and careless clients (issue 20, items 1 and 9): a hostile upload is refused
while the health check keeps answering; every response carries the security headers; slow clients are cut
off; the queue is bounded (503 with Retry-After); disconnects are not internal errors; temporary folders
never outlive their server. No timing assertions beyond generous deadlines for "still answers"."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from webclient import get, post

from linepack.web import payload
from linepack.web.app import create_app
from linepack.web.server import BackgroundServer
from linepack.web.uploads import TEMP_PREFIX, remove_stale_temp_roots


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    body = "".join("  " + line + "\n" for line in lines)
    return f"format: linepack-network/1\nname: bomb\nmeta:\n{body}nodes: [{{id: A}}]\n"


def test_hostile_upload_is_refused_while_health_keeps_answering(server) -> None:
    """A 1 kB alias bomb once took 5 GB and froze the server (health check dead); now it is refused with 422
    and every health probe made meanwhile answers."""
    deep = "[" * 100_000 + "]" * 100_000
    bombs = [
        {"files": [{"name": "bomb.yaml", "text": billion_laughs()}]},
        {"files": [{"name": "deep.json", "text": deep}]},
    ]
    answers: list[int] = []
    stop = threading.Event()

    def probe() -> None:
        while not stop.is_set():
            answers.append(get(server.url, "/api/health", timeout=30).status)
            time.sleep(0.01)

    t = threading.Thread(target=probe, daemon=True)
    t.start()
    try:
        replies = [post(server.url, "/api/upload", b, timeout=120) for b in bombs for _ in range(3)]
    finally:
        stop.set()
        t.join(timeout=60)
    assert [r.status for r in replies] == [422] * 6
    assert "alias bomb" in replies[0].json()["problems"][0]
    assert "nested more than" in replies[3].json()["problems"][0]
    assert answers and set(answers) == {200}
    assert get(server.url, "/api/health").json() == {"ok": True}
    assert not list(Path(server.app_tmp).iterdir())


@pytest.mark.parametrize(
    "path", ["/", "/static/app.js", "/static/app.css", "/api/health", "/api/nothing", "/static/missing.js"]
)
def test_every_response_carries_the_security_headers(server, path: str) -> None:
    r = get(server.url, path)
    assert "default-src 'self'" in r.headers["content-security-policy"], (path, r.status)
    assert r.headers["x-content-type-options"] == "nosniff"
    refused = get(server.url, path, headers={"Host": "evil.example"})
    assert refused.status == 400 and refused.headers["x-content-type-options"] == "nosniff"


@pytest.fixture
def slow_solves(monkeypatch: pytest.MonkeyPatch):
    """Solves that sleep first (to fill the queue or pass the time limit); the original is kept as __wrapped__."""
    original = payload.solve_payload

    def install(seconds: float) -> None:
        def slow(entry, scenario, time_limit_s=120.0):
            time.sleep(seconds)
            return original(entry, scenario, time_limit_s)

        monkeypatch.setattr(payload, "solve_payload", slow)

    return install


def test_a_full_queue_answers_503_with_retry_after(slow_solves) -> None:
    slow_solves(1.5)
    app = create_app(workers=1, max_queue=2)
    with BackgroundServer(app) as srv:
        replies: list = []

        def one(scenario: str) -> None:
            replies.append(post(srv.url, "/api/solve", {"network": "psgp", "scenario": scenario}, timeout=120))

        # five different solves (the same solve asked while it runs is shared, below)
        scenarios = ("psgp_base", "tapi", "gwadar_ip", "psgp_42in_alt", "central_asia_hypothetical")
        threads = [threading.Thread(target=one, args=(sc,)) for sc in scenarios]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        codes = sorted(r.status for r in replies)
        assert codes.count(200) >= 2 and 503 in codes, codes
        busy = next(r for r in replies if r.status == 503)
        assert busy.headers["retry-after"].isdigit() and busy.json()["error"] == "server busy"
        assert busy.headers["x-content-type-options"] == "nosniff"
        # once the queue drained the server takes work again
        assert post(srv.url, "/api/solve", {"network": "psgp", "scenario": "psgp_base"}).status == 200


def test_the_same_solve_asked_while_it_runs_is_shared(slow_solves) -> None:
    """Five clients ask the same solve at once with room for two in the queue: one solve answers them all."""
    slow_solves(1.5)
    with BackgroundServer(create_app(workers=1, max_queue=2)) as srv:
        replies: list = []

        def one() -> None:
            replies.append(post(srv.url, "/api/solve", {"network": "psgp", "scenario": "psgp_base"}, timeout=120))

        threads = [threading.Thread(target=one) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert [r.status for r in replies] == [200] * 5
        assert len({r.json()["scenario"] for r in replies}) == 1


def test_a_request_beyond_the_time_limit_answers_503(slow_solves) -> None:
    slow_solves(3.0)
    with BackgroundServer(create_app(request_timeout_s=1.0)) as srv:
        r = post(srv.url, "/api/solve", {"network": "psgp", "scenario": "psgp_base"}, timeout=60)
        assert r.status == 503 and "limit of 1 s" in r.json()["error"]
        assert r.headers["retry-after"].isdigit()
        assert get(srv.url, "/api/health").status == 200


def _connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=30)


def test_slow_clients_are_cut_off(caplog: pytest.LogCaptureFixture) -> None:
    with BackgroundServer(create_app(request_timeout_s=2.0), header_timeout_s=1.0) as srv:
        # a request head that never ends (slowloris): the connection is closed after the head deadline
        head = _connect(srv.url)
        head.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        t0 = time.monotonic()
        assert head.recv(100) == b""  # closed by the server, no answer
        assert time.monotonic() - t0 < 25
        head.close()
        # a body that never comes: answered 503 at the request time limit
        body = _connect(srv.url)
        body.sendall(
            b"POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n{\"files\": "
        )
        answer = body.recv(4096)
        assert answer.startswith(b"HTTP/1.1 503"), answer[:80]
        body.close()
        # a client that sends part of its body and hangs up is not an internal error
        with caplog.at_level(logging.DEBUG, logger="linepack.web"):
            gone = _connect(srv.url)
            gone.sendall(
                b"POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100000\r\n\r\n{\"files\": ["
            )
            time.sleep(0.3)
            gone.close()
            time.sleep(0.5)
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
        assert get(srv.url, "/api/health").status == 200


def test_temporary_folders_of_killed_servers_are_removed(tmp_path: Path) -> None:
    # a folder of a server that was killed (its process id no longer runs), one of a running server (ours)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f"{TEMP_PREFIX}{dead.stdout.strip()}-abc"
    (stale / "upload-x").mkdir(parents=True)
    (stale / "upload-x" / "network.net").write_text("<network/>")
    live = tmp_path / f"{TEMP_PREFIX}{os.getpid()}-def"
    live.mkdir()
    other = tmp_path / "linepack-web-notapid"
    other.mkdir()
    assert remove_stale_temp_roots(tmp_path) == [stale]
    assert not stale.exists() and live.exists() and other.exists()


def test_the_server_removes_its_temporary_folder_when_it_stops() -> None:
    app = create_app()
    root = Path(app.state.tmp_root)
    assert root.parent == Path(tempfile.gettempdir()) and root.name.startswith(f"{TEMP_PREFIX}{os.getpid()}-")
    with BackgroundServer(app):
        assert root.exists()
    assert not root.exists()
