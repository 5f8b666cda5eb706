"""Run a study on Dask distributed: a running scheduler (``--scheduler ADDRESS``) or a LocalCluster.

What moves over the network: the study context (the network as a JSON document, the base scenario
name and options) once per worker (scattered with ``broadcast=True``); then per batch a list of
:class:`~linepack.study.cases.CaseSpec` (about a hundred bytes a case) to the worker and the batch's
columns back (about 100 element rows of 12 columns per PSGP case, roughly 10 kB before compression).
Workers compile and solve the base once and keep it in memory. Workers need linepack installed in
the same version as the client.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import numpy as np

from ..errors import InputError
from .cases import CaseSpec, StudyContext
from .evaluate import run_cases

Sink = Callable[[dict[str, np.ndarray], dict[str, np.ndarray]], None]


def _distributed() -> Any:
    try:
        import dask.distributed as dd
    except ImportError:
        raise InputError(
            "--scheduler and --dask need Dask distributed; install the cluster extra: pip install 'linepack[cluster]'"
        ) from None
    return dd


def run_dask(
    ctx: StudyContext,
    batches: list[list[CaseSpec]],
    on_batch: Sink,
    scheduler: str | None = None,
    local_workers: int = 2,
) -> int:
    """Evaluate ``batches`` on Dask; ``scheduler`` None starts a LocalCluster of ``local_workers`` processes
    (one thread each, talking over TCP on the loopback interface). Returns the number of worker threads."""
    dd = _distributed()
    with ExitStack() as stack:
        if scheduler is None:
            cluster = stack.enter_context(
                dd.LocalCluster(
                    n_workers=local_workers,
                    threads_per_worker=1,
                    processes=True,
                    protocol="tcp",
                    host="127.0.0.1",
                    dashboard_address=":0",
                )
            )
            client = stack.enter_context(dd.Client(cluster))
        else:
            try:
                client = stack.enter_context(dd.Client(scheduler, timeout="10s"))
            except (OSError, TimeoutError) as exc:
                raise InputError(
                    f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc}); start it with "
                    "`dask scheduler` and give its address, e.g. tcp://10.0.0.5:8786"
                ) from None
        ctx_f = client.scatter(ctx, broadcast=True)
        threads = max(1, sum(client.nthreads().values()))
        window = 2 * threads
        pending = list(reversed(batches))
        running = dd.as_completed([])
        for _ in range(min(window, len(pending))):
            running.add(client.submit(run_cases, ctx_f, pending.pop(), pure=False))
        for fut in running:
            on_batch(*fut.result())
            fut.release()
            if pending:
                running.add(client.submit(run_cases, ctx_f, pending.pop(), pure=False))
    return threads
