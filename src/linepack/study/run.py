"""Run a study end to end: open the store, skip stored cases, dispatch batches, store as they finish."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .cases import CaseSpec, StudyContext
from .progress import StudyProgress
from .runner_dask import run_dask
from .runner_local import run_local
from .store import ResultStore, batches, cpu_count, default_batch_size


@dataclass(frozen=True)
class RunStats:
    """What one invocation did."""

    n_cases: int
    skipped: int  # already stored (resumed)
    computed: int
    wall_s: float
    workers: int
    backend: str

    @property
    def cases_per_s(self) -> float:
        return self.computed / self.wall_s if self.wall_s > 0 else float("nan")


def fingerprint(ctx: StudyContext, study: dict[str, Any], cases: list[CaseSpec]) -> str:
    """Identifies a study: the network, the base, the settings and the exact cases."""
    h = hashlib.sha256(ctx.key.encode())
    h.update(json.dumps(study, sort_keys=True, default=str).encode())
    h.update(repr(cases).encode())
    return h.hexdigest()[:20]


def run_study(
    ctx: StudyContext,
    cases: list[CaseSpec],
    study: dict[str, Any],
    output: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    dask: bool = False,
    resume: bool = False,
    overwrite: bool = False,
    batch_size: int | None = None,
    progress: bool = True,
) -> RunStats:
    """Evaluate ``cases`` into the store at ``output`` (see :mod:`.store`); returns what was done.

    ``workers`` defaults to every core; ``scheduler`` (an address) or ``dask`` (a LocalCluster of
    ``workers`` processes) use Dask instead of the local process pool (with a scheduler, the batch size
    and the reported worker count follow from ``workers`` and the cluster's threads). Results are the
    same either way.
    """
    store = ResultStore(output)
    store.open(study, fingerprint(ctx, study, cases), len(cases), resume=resume, overwrite=overwrite)
    try:
        return _run_open(store, ctx, cases, workers, scheduler, dask, batch_size, progress)
    finally:
        store.close()


def _run_open(
    store: ResultStore,
    ctx: StudyContext,
    cases: list[CaseSpec],
    workers: int | None,
    scheduler: str | None,
    dask: bool,
    batch_size: int | None,
    progress: bool,
) -> RunStats:
    done = store.done_ids()
    todo = [c for c in cases if c.case_id not in done]
    n_workers = workers or cpu_count()
    size = batch_size or default_batch_size(len(todo), n_workers)
    parts = batches(todo, size)
    backend = "dask" if (scheduler or dask) else "local"
    t0 = time.perf_counter()
    with StudyProgress(len(cases), len(cases) - len(todo), enabled=progress) as bar:

        def on_batch(case_cols: dict[str, np.ndarray], element_cols: dict[str, np.ndarray]) -> None:
            store.write_batch(case_cols, element_cols)
            bar.advance(len(case_cols["case_id"]))

        if parts:
            if backend == "dask":
                n_workers = run_dask(ctx, parts, on_batch, scheduler=scheduler, local_workers=n_workers)
            else:
                run_local(ctx, parts, n_workers, on_batch)
    return RunStats(len(cases), len(cases) - len(todo), len(todo), time.perf_counter() - t0, n_workers, backend)
