"""``linepack serve``: the local web application (needs the extra: pip install 'linepack[web]')."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import InputError


def serve(
    file: Annotated[
        Path | None,
        typer.Argument(help="a network to show first (.yaml, .json or GasLib .net); the embedded PSGP stays offered"),
    ] = None,
    host: Annotated[
        str, typer.Option(help="address to listen on; only loopback unless you give another one explicitly")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port (0 picks a free one)")] = 8765,
    max_upload_mb: Annotated[float, typer.Option(help="largest upload accepted, in MB")] = 8.0,
    workers: Annotated[int, typer.Option(help="solves run at the same time (a thread pool)")] = 2,
    max_queue: Annotated[
        int | None,
        typer.Option(
            help="solves and uploads running or waiting at once (default 64, or 8 per worker if "
            "more); "
            "503 with Retry-After beyond"
        ),
    ] = None,
    request_timeout: Annotated[
        float, typer.Option(help="longest time a request may take, in s (its solve is capped to it); 503 beyond")
    ] = 60.0,
    tiles: Annotated[
        str | None,
        typer.Option(
            help="optional online tile layer, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; "
            "the built-in offline base map is always there"
        ),
    ] = None,
) -> None:
    """Start the web application: the network on a map, scenarios, results, profiles, uploads, downloads."""
    from .common import err, guard, network_from, out

    def go() -> None:
        if not 0 < max_upload_mb <= 1024:
            raise InputError(f"--max-upload-mb {max_upload_mb}: give a size above 0 and at most 1024 MB")
        if not 1 <= workers <= 64:
            raise InputError(f"--workers {workers}: give 1 to 64")
        if max_queue is not None and not 1 <= max_queue <= 10_000:
            raise InputError(f"--max-queue {max_queue}: give 1 to 10000")
        if not 1 <= request_timeout <= 3600:
            raise InputError(f"--request-timeout {request_timeout}: give 1 to 3600 seconds")
        try:
            from ..web.app import LOOPBACK_NAMES, create_app, tile_origin
            from ..web.server import address, bind, is_loopback, run
        except ImportError as exc:
            raise InputError(
                f"the web application needs the optional extra ({exc.name} is missing): pip install 'linepack[web]'"
            ) from None
        if tiles is not None:
            tile_origin(tiles)  # every option is checked before the port is taken (a busy port is not the answer)
        networks = [(file.name, network_from(file))] if file is not None else []
        sock = bind(host, port)
        app = create_app(
            max_upload_bytes=int(max_upload_mb * 1024 * 1024),
            workers=workers,
            tiles_url=tiles,
            networks=networks,
            allowed_hosts=LOOPBACK_NAMES if is_loopback(host) else None,
            request_timeout_s=request_timeout,
            max_queue=max_queue,
        )
        if not is_loopback(host):
            err.print(
                f"[yellow]warning:[/] listening on {host}: other machines can reach this server; it has no login",
                highlight=False,
            )
        out.print(f"linepack web application at {address(sock)} (Ctrl-C stops it)", highlight=False)
        run(app, sock)

    guard(go)
