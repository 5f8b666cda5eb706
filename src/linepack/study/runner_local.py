"""Run a study on a local process pool (all cores by default); one worker runs in this process."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

import numpy as np

from .cases import CaseSpec, StudyContext
from .evaluate import base_case, run_cases

Sink = Callable[[dict[str, np.ndarray], dict[str, np.ndarray]], None]

_CTX: StudyContext | None = None


def _end_with_parent() -> None:
    """End this worker as soon as the process that started the pool dies (even by SIGKILL), instead of
    computing on as an orphan: a daemon thread waits on the parent's sentinel (a pipe that the system
    closes when the parent exits)."""
    parent = multiprocessing.parent_process()
    sentinel = getattr(parent, "sentinel", None)
    if sentinel is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])
        os._exit(3)

    threading.Thread(target=watch, name="linepack-parent-watch", daemon=True).start()


def _init(ctx: StudyContext) -> None:
    global _CTX
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled by the parent, which stops the pool
    _end_with_parent()
    _CTX = ctx
    base_case(ctx)  # compile and solve the base once per worker, before the first batch


def _run(batch: list[CaseSpec]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    assert _CTX is not None, "worker not initialised"
    return run_cases(_CTX, batch)


def run_local(ctx: StudyContext, batches: list[list[CaseSpec]], workers: int, on_batch: Sink) -> None:
    """Evaluate ``batches`` on ``workers`` processes, calling ``on_batch`` (in this process) as each finishes.

    At most two batches per worker are in flight, so an interrupted study loses little work.
    """
    if workers <= 1:
        for batch in batches:
            on_batch(*run_cases(ctx, batch))
        return
    pending = list(reversed(batches))
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_init, initargs=(ctx,))
    running: set[Future[Any]] = set()
    try:
        while pending or running:
            while pending and len(running) < 2 * workers:
                running.add(pool.submit(_run, pending.pop()))
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                on_batch(*fut.result())
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)  # an interrupt does not wait for batches in flight
        raise
    pool.shutdown(wait=True)


def _context() -> Any:
    """Workers forked from a clean server process (never from this one, whose progress-bar thread may hold
    locks at the moment of a fork); the platform default where there is no forkserver."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        mp = multiprocessing.get_context("forkserver")
        mp.set_forkserver_preload(["linepack.study.evaluate"])
        return mp
    return None
