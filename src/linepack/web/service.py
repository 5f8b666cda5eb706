"""The server's state: the networks it knows (the embedded PSGP and uploads), a bounded pool that runs
solves off the event loop, and a small cache of recent results for profiles and downloads.

Every solve request really solves (the result then replaces the cached one); profiles and downloads reuse
the cached result of the same network and scenario, or solve when there is none.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..errors import InputError
from ..model.network import Network
from ..results import SteadyResult

T = TypeVar("T")
DEFAULT_TOKEN = "psgp"


class BusyError(Exception):
    """More solves are waiting than the server accepts; the client should retry later."""


@dataclass
class NetworkEntry:
    token: str
    label: str
    network: Network
    origin: str  # "embedded", "file" (given to `linepack serve`) or "upload"
    warnings: tuple[str, ...] = ()

    def describe(self) -> dict[str, Any]:
        net = self.network
        return {
            "token": self.token,
            "label": self.label,
            "name": net.name,
            "origin": self.origin,
            "default_scenario": net.default_scenario,
            "scenarios": [{"name": n, "description": s.description} for n, s in net.scenarios.items()],
            "warnings": list(self.warnings),
        }

    def scenario(self, name: Any) -> str | None:
        """A scenario name of this network (None: the default, or the network as written when it has none)."""
        if name in (None, ""):
            return self.network.default_scenario
        if not isinstance(name, str) or name not in self.network.scenarios:
            valid = ", ".join(self.network.scenarios) or "none (solved as written)"
            shown = str(name)[:60]
            raise InputError(f"scenario '{shown}' is not defined in {self.label}; available scenarios: {valid}")
        return name


@dataclass
class Service:
    """Networks, results and the solve pool of one server."""

    workers: int = 2
    max_pending: int = 200
    max_uploads: int = 16
    cache_size: int = 32
    _networks: OrderedDict[str, NetworkEntry] = field(default_factory=OrderedDict)
    _results: OrderedDict[tuple[str, str | None], SteadyResult] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # a cached result is shared between requests; its gas model holds one equation-of-state object, so work
    # on cached results (profiles, downloads) runs one at a time. Solves build their own and run in parallel.
    _shared_lock: threading.Lock = field(default_factory=threading.Lock)
    _pending: int = 0
    _pool: ThreadPoolExecutor | None = None

    def __post_init__(self) -> None:
        from ..io.native import load_default_network

        self._networks[DEFAULT_TOKEN] = NetworkEntry(
            DEFAULT_TOKEN, "Pakistan Stream (embedded)", load_default_network(), "embedded"
        )
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="linepack-solve")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    # --- networks -------------------------------------------------------------------------------
    def networks(self) -> list[dict[str, Any]]:
        with self._lock:
            return [e.describe() for e in self._networks.values()]

    def entry(self, token: Any) -> NetworkEntry:
        with self._lock:
            e = self._networks.get(token) if isinstance(token, str) else None
        if e is None:
            raise InputError(f"network '{str(token)[:40]}' is not known to this server; choose one from the list")
        return e

    def add(self, label: str, network: Network, warnings: tuple[str, ...], origin: str = "upload") -> NetworkEntry:
        token = secrets.token_hex(8)
        entry = NetworkEntry(token, label, network, origin, warnings)
        with self._lock:
            self._networks[token] = entry
            uploads = [t for t, e in self._networks.items() if e.origin == "upload"]
            for old in uploads[: max(0, len(uploads) - self.max_uploads)]:
                del self._networks[old]
                for key in [k for k in self._results if k[0] == old]:
                    del self._results[key]
        return entry

    # --- results --------------------------------------------------------------------------------
    def remember(self, entry: NetworkEntry, scenario: str | None, result: SteadyResult) -> None:
        with self._lock:
            self._results[(entry.token, scenario)] = result
            self._results.move_to_end((entry.token, scenario))
            while len(self._results) > self.cache_size:
                self._results.popitem(last=False)

    def cached(self, entry: NetworkEntry, scenario: str | None) -> SteadyResult | None:
        with self._lock:
            return self._results.get((entry.token, scenario))

    # --- the pool -------------------------------------------------------------------------------
    async def run_on_cached(self, fn: Callable[..., T], *args: Any) -> T:
        """Like :meth:`run`, for work that reads a cached (shared) result."""

        def locked() -> T:
            with self._shared_lock:
                return fn(*args)

        return await self.run(locked)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` in the solve pool; :class:`BusyError` when ``max_pending`` are running or waiting.

        A request that gives up (its time limit, a disconnect) cancels its work if it has not started; work
        already running counts against the bound until it really ends (its solve has the same time cap)."""
        assert self._pool is not None
        with self._lock:
            if self._pending >= self.max_pending:
                raise BusyError(
                    f"{self._pending} solves or uploads are running or waiting (the limit); try again shortly"
                )
            self._pending += 1
        try:
            fut = self._pool.submit(fn, *args)
        except BaseException:
            self._release()
            raise
        fut.add_done_callback(lambda _f: self._release())
        return await asyncio.wrap_future(fut)

    def _release(self) -> None:
        with self._lock:
            self._pending -= 1
