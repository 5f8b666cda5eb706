"""Running the application: on a socket bound here (so port 0 picks a free port and the printed address is
the real one), in the foreground (``linepack serve``) or in a background thread (tests, notebooks)."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from typing import Any

import uvicorn

from ..errors import InputError
from .guards import DEFAULT_HEADER_TIMEOUT_S, protocol_with


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port``; :class:`InputError` when the address cannot be used."""
    if not 0 <= port <= 65535:
        raise InputError(f"--port {port}: give a port between 1 and 65535 (0 picks a free one)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError(f"--host {host}: cannot resolve the address ({exc.strerror})") from None
    family, _, _, _, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as exc:
        sock.close()
        raise InputError(
            f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port (0 picks a free one)"
        ) from None
    sock.listen(512)
    sock.set_inheritable(True)
    return sock


def address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def _config(app: Any, log_level: str, header_timeout_s: float = DEFAULT_HEADER_TIMEOUT_S) -> uvicorn.Config:
    """Connections: at most 256 at once (503 beyond), 5 s keep-alive, request heads of at most 64 kB that
    must arrive within ``header_timeout_s`` (:class:`~.guards.GuardedH11Protocol`)."""
    return uvicorn.Config(
        app,
        log_level=log_level,
        access_log=False,
        http=protocol_with(header_timeout_s),
        limit_concurrency=256,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=5,
        h11_max_incomplete_event_size=64 * 1024,
        lifespan="on",
    )


def run(
    app: Any, sock: socket.socket, log_level: str = "warning", header_timeout_s: float = DEFAULT_HEADER_TIMEOUT_S
) -> None:
    """Serve until interrupted (Ctrl-C)."""
    uvicorn.Server(_config(app, log_level, header_timeout_s)).run(sockets=[sock])


class BackgroundServer:
    """The application served from a thread on loopback; ``url`` is set once it answers."""

    def __init__(
        self, app: Any, host: str = "127.0.0.1", port: int = 0, header_timeout_s: float = DEFAULT_HEADER_TIMEOUT_S
    ) -> None:
        self.sock = bind(host, port)
        self.url = address(self.sock)
        self.server = uvicorn.Server(_config(app, "warning", header_timeout_s))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> BackgroundServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the web server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()
