"""What protects the web server from slow, hostile or vanished clients.

- :class:`SecurityHeaders`: Content-Security-Policy, ``X-Content-Type-Options: nosniff`` and the other
  headers on every response (pages, static files, errors, refusals), unless a handler set its own.
- :class:`RequestTimeout`: a request that has not started its answer after ``timeout_s`` (reading the
  body included, so a client sending its body slowly is cut off too) is answered 503 with
  ``Retry-After``; the solve behind it is bounded by the same time (the solver's own time cap).
- :class:`GuardedH11Protocol`: the HTTP protocol of the server with a deadline on request headers: a
  connection that has not sent a complete request head within ``header_timeout_s`` of its first byte
  (or of opening) is closed, so slow clients cannot hold connections open for ever.
- :func:`is_disconnect`: a client that went away is not an internal error and is not logged as one.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

DEFAULT_REQUEST_TIMEOUT_S = 60.0
DEFAULT_HEADER_TIMEOUT_S = 10.0
RETRY_AFTER_S = 5


def security_headers(tiles_origin: str | None) -> dict[str, str]:
    img = "'self' data:" + (f" {tiles_origin}" if tiles_origin else "")
    return {
        "Content-Security-Policy": (
            f"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src {img}; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }


class SecurityHeaders:
    """Add ``headers`` to every HTTP response that does not carry them already."""

    def __init__(self, app: Any, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def send_json(send: Any, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    data = json.dumps(body).encode()
    hdrs = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    hdrs += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": hdrs})
    await send({"type": "http.response.body", "body": data})


class RequestTimeout:
    """Answer 503 (with ``Retry-After``) when the application has not started answering within ``timeout_s``."""

    def __init__(self, app: Any, timeout_s: float) -> None:
        self.app, self.timeout_s = app, timeout_s

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await asyncio.wait_for(self.app(scope, receive, watched_send), self.timeout_s)
        except TimeoutError:
            if started:
                raise
            error = f"the request took longer than the server's limit of {self.timeout_s:g} s"
            problems = [error + "; try again later, or run large cases with the command line (linepack run)"]
            await send_json(send, 503, {"error": error, "problems": problems}, {"Retry-After": str(RETRY_AFTER_S)})


def is_disconnect(exc: BaseException) -> bool:
    """Whether ``exc`` only says that the client went away (nothing to answer, nothing to log)."""
    from starlette.requests import ClientDisconnect

    names = {"ClientDisconnect", "BrokenResourceError", "ClosedResourceError", "EndOfStream"}
    return isinstance(exc, ClientDisconnect | ConnectionError) or type(exc).__name__ in names


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request head (see the module docstring)."""

    header_timeout_s: float = DEFAULT_HEADER_TIMEOUT_S

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.header_timeout_s, self._too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _too_slow(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            self._arm()
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def protocol_with(header_timeout_s: float) -> type[GuardedH11Protocol]:
    """A :class:`GuardedH11Protocol` class with its own header deadline."""
    return type("GuardedH11ProtocolWithTimeout", (GuardedH11Protocol,), {"header_timeout_s": header_timeout_s})
