"""The web application (Starlette): the page, its static files, and a small JSON API.

API (every body and answer is JSON unless said otherwise):

- ``GET  /api/networks``                      the networks this server knows, with their scenarios
- ``POST /api/solve``    ``{network, scenario}``  solve; summary, map layer, tables, corridor profile
- ``POST /api/layout``   ``{network, scenario}``  the map layer without results (when a scenario has no solution)
- ``POST /api/profile``  ``{network, scenario, route: [node, ...]}``  pressure along a user-picked route
- ``GET  /api/download/{json|csv|geojson}?network=&scenario=``  the result as a file
- ``POST /api/upload``   ``{files: [{name, text}, ...]}``  a native or GasLib network; errors name component
  and field
- ``GET  /api/health``
- ``GET  /supply``, ``GET /api/supply?days=&variant=&network=``  LNG terminal inventories over time
  (:mod:`linepack.web.supply`)

Errors answer ``{"error": short text, "problems": [one line per problem]}`` with 400 (bad request), 413 (body
too large), 415 (a POST body that is not application/json), 422 (invalid network or scenario), 409 (no
solution: infeasible or not converged), 503 with ``Retry-After`` (busy: more solves waiting than the queue
holds, or a request beyond the time limit). Host headers other than loopback names get 400. Every response
carries the security headers (:mod:`.guards`); a client that disconnects is not logged as an error.
Later views (transient time slider, N-1 criticality) add their routes through ``extra_routes``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
from collections.abc import AsyncIterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import ConvergenceError, InputError
from ..model.network import Network
from . import payload
from .guards import (
    DEFAULT_REQUEST_TIMEOUT_S,
    RETRY_AFTER_S,
    RequestTimeout,
    SecurityHeaders,
    is_disconnect,
    security_headers,
)
from .service import BusyError, NetworkEntry, Service
from .supply import supply_routes
from .uploads import load_upload, new_temp_root, parse_files

log = logging.getLogger("linepack.web")

DEFAULT_MAX_UPLOAD_BYTES = 8 * 1024 * 1024
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
MAX_REQUEST_BYTES = 64 * 1024  # solve, profile: small JSON documents
# solves and uploads accepted at once: tens of users of the page at a time; a PSGP solve takes a fraction of a
# second, so a full queue drains well within the request time limit
DEFAULT_MAX_QUEUE = 64


class ApiError(Exception):
    def __init__(self, status: int, error: str, problems: Sequence[str] = ()) -> None:
        super().__init__(error)
        self.status, self.error, self.problems = status, error, list(problems) or [error]


def static_dir() -> Path:
    return Path(str(resources.files("linepack.web").joinpath("static")))


async def read_json(request: Request, limit: int) -> Any:
    """The request body as JSON, refused with 413 beyond ``limit`` bytes (checked while reading).

    The Content-Type must be application/json: a page of another site cannot send that without a CORS
    preflight, which this server does not grant, so it cannot make the browser post here."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise ApiError(415, f"send the request body as application/json (got '{ctype[:40] or 'none'}')")
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ApiError(400, "bad Content-Length header")
        if int(declared) > limit:
            raise ApiError(413, f"request body of {int(declared)} bytes is above the limit of {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"request body is above the limit of {limit} bytes")
        chunks.append(chunk)
    try:
        return json.loads(b"".join(chunks).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, f"request body is not valid UTF-8 JSON: {exc}") from None


def create_app(
    *,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    workers: int = 2,
    tiles_url: str | None = None,
    networks: Sequence[tuple[str, Network]] = (),
    allowed_hosts: Sequence[str] | None = LOOPBACK_NAMES,
    extra_routes: Sequence[BaseRoute] = (),
    request_timeout_s: float = DEFAULT_REQUEST_TIMEOUT_S,
    max_queue: int | None = None,
) -> Starlette:
    """Build the application. ``tiles_url``: an online tile layer offered as an option (off by default);
    ``networks``: (label, network) pairs offered beside the embedded one, the first shown at start;
    ``allowed_hosts``: the Host header values accepted (loopback names by default, against DNS rebinding;
    None accepts any, for a server on another address); ``request_timeout_s``: the longest a request may
    take (its solve is capped to it); ``max_queue``: solves and uploads running or waiting at once (default
    :data:`DEFAULT_MAX_QUEUE`, or 8 per worker if more), 503 with Retry-After beyond."""
    queue = max_queue if max_queue is not None else max(DEFAULT_MAX_QUEUE, 8 * workers)
    service = Service(workers=workers, max_pending=queue)
    initial = [service.add(label, net, (), origin="file").token for label, net in networks][:1]
    tmp_root = new_temp_root()
    tiles_origin = _origin(tiles_url) if tiles_url else None
    headers = security_headers(tiles_origin)
    static = static_dir()

    # solves under way, by (what, network, scenario): requests that want the same answer while it is being solved
    # wait for that one solve instead of each starting their own (the answer depends on nothing else)
    in_flight: dict[tuple[str, str, str | None], asyncio.Future[Any]] = {}

    async def _once(what: str, fn: Any, entry: NetworkEntry, scenario: str | None) -> Any:
        key = (what, entry.token, scenario)
        if key in in_flight:
            return await asyncio.shield(in_flight[key])
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        in_flight[key] = done
        try:
            value = await service.run(fn, entry, scenario, request_timeout_s)
        except BaseException as exc:  # those waiting get the same answer (a request given up: busy, try again)
            gone = BusyError("the solve this request waited for was given up (its first request's time limit)")
            done.set_exception(exc if isinstance(exc, Exception) else gone)
            done.exception()  # retrieved here: no warning when nobody else waited
            raise
        finally:
            if in_flight.get(key) is done:
                del in_flight[key]
        done.set_result(value)
        return value

    async def _solve(entry: NetworkEntry, scenario: str | None) -> Any:
        cached = service.cached(entry, scenario)
        if cached is not None:
            return cached
        result = await _once("result", payload.solve, entry, scenario)
        service.remember(entry, scenario, result)
        return result

    async def index(request: Request) -> Response:
        return FileResponse(static / "index.html", headers=headers)

    async def config(request: Request) -> Response:
        return JSONResponse(
            {
                "tiles_url": tiles_url,
                "max_upload_bytes": max_upload_bytes,
                "initial_network": initial[0] if initial else "psgp",
                "views": ["steady"],
            }
        )

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def list_networks(request: Request) -> Response:
        return JSONResponse({"networks": service.networks()})

    async def solve(request: Request) -> Response:
        doc = _obj(await read_json(request, MAX_REQUEST_BYTES))
        entry = service.entry(doc.get("network", "psgp"))
        scenario = entry.scenario(doc.get("scenario"))
        result, body = await _once("solve", payload.solve_payload, entry, scenario)
        service.remember(entry, scenario, result)
        return JSONResponse(body)

    async def layout(request: Request) -> Response:
        doc = _obj(await read_json(request, MAX_REQUEST_BYTES))
        entry = service.entry(doc.get("network", "psgp"))
        scenario = entry.scenario(doc.get("scenario"))
        return JSONResponse(await service.run(payload.layout_payload, entry, scenario))

    async def profile(request: Request) -> Response:
        from .tables import profile as make_profile

        doc = _obj(await read_json(request, MAX_REQUEST_BYTES))
        entry = service.entry(doc.get("network", "psgp"))
        scenario = entry.scenario(doc.get("scenario"))
        route = doc.get("route")
        if not isinstance(route, list) or not all(isinstance(r, str) for r in route) or not 2 <= len(route) <= 50:
            raise ApiError(400, "route must be a list of 2 to 50 node ids")
        result = await _solve(entry, scenario)
        return JSONResponse(await service.run_on_cached(make_profile, result, route))

    async def download(request: Request) -> Response:
        fmt = request.path_params["fmt"]
        if fmt not in payload.DOWNLOAD_FORMATS:
            raise ApiError(404, f"unknown download format '{fmt[:20]}'; use json, csv or geojson")
        entry = service.entry(request.query_params.get("network", "psgp"))
        scenario = entry.scenario(request.query_params.get("scenario"))
        result = await _solve(entry, scenario)
        text = await service.run_on_cached(payload.download_text, result, fmt)
        fname = f"linepack-{_safe(entry.network.name or 'network')}-{_safe(scenario or 'as_written')}.{fmt}"
        return Response(
            text,
            media_type=payload.DOWNLOAD_FORMATS[fmt],
            headers={**headers, "Content-Disposition": f'attachment; filename="{fname}"'},
        )

    async def upload(request: Request) -> Response:
        files = parse_files(await read_json(request, max_upload_bytes))
        try:
            parsed = await service.run(load_upload, files, tmp_root)
        except InputError as exc:
            n = len(exc.problems)
            what = ", ".join(f.name for f in files)
            raise ApiError(422, f"{what}: {n} problem{'s' if n > 1 else ''} found", exc.problems) from None
        entry = service.add(parsed.label, parsed.network, parsed.warnings)
        return JSONResponse(entry.describe())

    async def on_error(request: Request, exc: Exception) -> Response:
        if is_disconnect(exc):  # the client went away: nobody to answer, nothing wrong here
            log.debug("client disconnected during %s", request.url.path)
            return Response(status_code=400)
        extra: dict[str, str] = {}
        if isinstance(exc, ApiError):
            status, error, problems = exc.status, exc.error, exc.problems
        elif isinstance(exc, InputError):
            status, error, problems = 422, "invalid input", exc.problems
        elif isinstance(exc, ConvergenceError):
            status, error, problems = 409, str(exc).splitlines()[0], exc.diagnosis or [str(exc)]
        elif isinstance(exc, BusyError):
            status, error, problems = 503, "server busy", [str(exc)]
            extra = {"Retry-After": str(RETRY_AFTER_S)}
        else:
            log.exception("internal error on %s", request.url.path)
            status, error = 500, f"internal error: {type(exc).__name__}; this is a bug in linepack, please report it"
            problems = [error]
        return JSONResponse({"error": error, "problems": problems}, status_code=status, headers={**headers, **extra})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            service.close()
            shutil.rmtree(tmp_root, ignore_errors=True)

    routes: list[BaseRoute] = [
        Route("/", index),
        Route("/api/config", config),
        Route("/api/health", health),
        Route("/api/networks", list_networks),
        Route("/api/solve", solve, methods=["POST"]),
        Route("/api/layout", layout, methods=["POST"]),
        Route("/api/profile", profile, methods=["POST"]),
        Route("/api/download/{fmt}", download),
        Route("/api/upload", upload, methods=["POST"]),
        *supply_routes(static, headers, service),
        *extra_routes,
        Mount("/static", app=StaticFiles(directory=static), name="static"),
    ]
    middleware = [Middleware(SecurityHeaders, headers=headers)]
    if allowed_hosts:
        middleware.append(Middleware(HostCheck, allowed=frozenset(allowed_hosts)))
    middleware.append(Middleware(RequestTimeout, timeout_s=request_timeout_s))
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={Exception: on_error, ApiError: on_error, InputError: on_error,
                            ConvergenceError: on_error, BusyError: on_error},
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.tmp_root = tmp_root
    return app


class HostCheck:
    """Refuse (400) HTTP requests whose Host header, port removed, is not one of ``allowed``."""

    def __init__(self, app: Any, allowed: frozenset[str]) -> None:
        self.app, self.allowed = app, allowed

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1").strip().lower()
            name = host.rpartition("]")[0] + "]" if host.startswith("[") else host.partition(":")[0]
            if name not in self.allowed:
                await PlainTextResponse("invalid Host header", status_code=400)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _obj(doc: Any) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise ApiError(400, "request body must be a JSON object")
    return doc


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)[:60]


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "a").replace("{z}", "0").replace("{x}", "0").replace("{y}", "0"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"--tiles {url}: give an http(s) tile URL template such as https://host/{{z}}/{{x}}/{{y}}.png")
    host = parts.netloc.replace("a.", "*.", 1) if "{s}" in url else parts.netloc
    return f"{parts.scheme}://{host}"


tile_origin = _origin  # public name: `linepack serve` checks --tiles before it takes the port
