"""The results store: Parquet parts written atomically per batch, a manifest, and DuckDB views.

Layout of a study folder::

    manifest.json            what the study is (kind, generator settings, network fingerprint, case count)
    elements/<part>.parquet  one row per case and element (node, edge, source, sink)
    cases/<part>.parquet     one row per case (status, diagnosis, summary numbers)

A batch writes its elements part first and its cases part last, each atomically (temporary file, then
rename), so a case counts as done exactly when its row is in a cases part. Resuming skips those cases
and deletes element parts whose cases part was never written.

One process at a time writes a study folder: :meth:`ResultStore.open` takes an exclusive lock on
``.lock`` in the folder (released by :meth:`ResultStore.close`, or by the system when the process dies),
and a second run or ``--resume`` on the same folder is refused while it is held. Every case's rows are
idempotent: a case stored twice (by a version without the lock, or a copy of parts) is the same case, and
the first part holding it (by part name) owns it; resuming removes the other copies from their parts
(:meth:`ResultStore.repair_duplicates`) and reading keeps only the owner's rows.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_write_bytes, atomic_write_text, remove_stale_temporaries
from .evaluate import CASE_COLUMNS, ELEMENT_COLUMNS

FORMAT = "linepack-study/1"


def _pa() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - depends on the installation
        raise InputError("studies need pyarrow; install the study extra: pip install 'linepack[study]'") from None
    return pa, pq


def _arrow_table(cols: dict[str, np.ndarray], spec: dict[str, str]) -> Any:
    pa, _ = _pa()
    types = {"int64": pa.int64(), "float64": pa.float64(), "string": pa.string(), "bool": pa.bool_()}
    # NaN floats are stored as nulls, so that SQL aggregates skip them (a dropped sink has no pressure)
    arrays = [
        pa.array(list(cols[k]) if kind == "string" else cols[k], type=types[kind], from_pandas=kind == "float64")
        for k, kind in spec.items()
    ]
    return pa.Table.from_arrays(arrays, names=list(spec))


class ResultStore:
    """A study folder (see the module docstring)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.run = uuid.uuid4().hex[:8]
        self.seq = 0
        self._lock_fd: int | None = None

    # --- locking -------------------------------------------------------------------------------
    @property
    def lock_path(self) -> Path:
        return self.path / ".lock"

    def lock(self) -> None:
        """Take the folder's exclusive lock; :class:`InputError` when another process holds it."""
        if self._lock_fd is not None:
            return
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on POSIX: no lock
            return
        self.path.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise InputError(
                f"{self.path}: another linepack process (pid {holder}) is writing this study; wait for it to "
                "finish (or stop it), then run again with --resume; or give another --output"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._lock_fd = fd

    def close(self) -> None:
        """Release the lock (the lock file stays; it is empty of meaning without the lock)."""
        if self._lock_fd is None:
            return
        with contextlib.suppress(OSError):
            import fcntl

            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        os.close(self._lock_fd)
        self._lock_fd = None

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- opening -------------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def manifest(self) -> dict[str, Any]:
        if not self.manifest_path.exists():
            raise InputError(f"{self.path}: no study here (manifest.json missing); give the --output of a study")
        return dict(json.loads(self.manifest_path.read_text(encoding="utf-8")))

    def open(self, study: dict[str, Any], fingerprint: str, n_cases: int, resume: bool, overwrite: bool) -> None:
        """Lock the folder, then create the store, or check that it holds the same study when resuming (and
        repair what an earlier run left: element parts without their cases part, duplicate case rows,
        temporary files of interrupted writes)."""
        if self.path.exists() and not self.path.is_dir():
            raise InputError(f"{self.path}: is a file, not a folder; give a folder for the study's --output")
        if (
            self.path.exists()
            and any(p.name != ".lock" for p in self.path.iterdir())
            and not (self.path / "cases").exists()
        ):
            raise InputError(f"{self.path}: folder is not empty and is not a study; give another --output")
        self.lock()
        try:
            self._open_locked(study, fingerprint, n_cases, resume, overwrite)
        except BaseException:
            self.close()
            raise

    def _open_locked(
        self, study: dict[str, Any], fingerprint: str, n_cases: int, resume: bool, overwrite: bool
    ) -> None:
        for sub in ("", "cases", "elements"):
            remove_stale_temporaries(self.path / sub)
        exists = self.manifest_path.exists()
        if exists and overwrite:
            for sub in ("cases", "elements"):
                for f in (self.path / sub).glob("*.parquet"):
                    f.unlink()
            exists = False
        if exists:
            old = self.manifest()
            if not resume:
                raise InputError(
                    f"{self.path}: holds results of a study already; add --resume to continue it, "
                    "--overwrite to start again, or give another --output"
                )
            if old.get("fingerprint") != fingerprint:
                raise InputError(
                    f"{self.path}: holds a different study ({old.get('study', {}).get('kind', '?')}, "
                    f"{old.get('n_cases', '?')} cases); --resume needs the same command and network, "
                    "or give another --output"
                )
            self._drop_orphans()
            self.repair_duplicates()
            return
        for sub in ("cases", "elements"):
            (self.path / sub).mkdir(parents=True, exist_ok=True)
        doc = {"format": FORMAT, "fingerprint": fingerprint, "n_cases": n_cases, "study": study}
        atomic_write_text(self.manifest_path, json.dumps(doc, indent=2, sort_keys=True) + "\n")

    def _drop_orphans(self) -> None:
        done = {f.name for f in (self.path / "cases").glob("*.parquet")}
        for f in (self.path / "elements").glob("*.parquet"):
            if f.name not in done:
                f.unlink()

    def _owners(self) -> tuple[dict[int, str], dict[str, list[int]]]:
        """The owner part of each stored case (the first by name), and per part the case ids it holds."""
        _, pq = _pa()
        owner: dict[int, str] = {}
        held: dict[str, list[int]] = {}
        for f in sorted((self.path / "cases").glob("*.parquet")):
            ids = [int(x) for x in pq.read_table(f, columns=["case_id"]).column("case_id").to_pylist()]
            held[f.name] = ids
            for cid in ids:
                owner.setdefault(cid, f.name)
        return owner, held

    def repair_duplicates(self) -> int:
        """Remove every copy of a case from the parts that do not own it (elements first, then cases, each
        part rewritten atomically, so an interruption leaves a state that the next repair finishes).
        Returns the number of case rows removed. Needs the lock."""
        pa, pq = _pa()
        owner, held = self._owners()
        removed = 0
        for name, ids in held.items():
            foreign = {cid for cid in ids if owner[cid] != name}
            if not foreign and len(set(ids)) == len(ids):
                continue
            for sub in ("elements", "cases"):
                f = self.path / sub / name
                if not f.exists():
                    continue
                table = pq.read_table(f)
                cid = np.asarray(table.column("case_id").to_numpy(zero_copy_only=False))
                keep = ~np.isin(cid, list(foreign))
                if sub == "cases":  # a case twice in its own part: keep its first row
                    _, first = np.unique(cid, return_index=True)
                    once = np.zeros(len(cid), dtype=bool)
                    once[first] = True
                    keep &= once
                    removed += int((~keep).sum())
                if keep.all():
                    continue
                if not keep.any():
                    f.unlink()
                    continue
                buf = io.BytesIO()
                pq.write_table(table.filter(pa.array(keep)), buf, compression="zstd")
                atomic_write_bytes(f, buf.getvalue())
        return removed

    # --- writing -------------------------------------------------------------------------------
    def done_ids(self) -> set[int]:
        """Ids of the cases already stored."""
        _, pq = _pa()
        ids: set[int] = set()
        for f in sorted((self.path / "cases").glob("*.parquet")):
            ids.update(int(x) for x in pq.read_table(f, columns=["case_id"]).column("case_id").to_pylist())
        return ids

    def write_batch(self, cases: dict[str, np.ndarray], elements: dict[str, np.ndarray]) -> None:
        """Write one batch: its element rows, then its case rows (the commit), each atomically."""
        _, pq = _pa()
        self.seq += 1
        name = f"part-{self.run}-{self.seq:06d}.parquet"
        for sub, cols, spec in (("elements", elements, ELEMENT_COLUMNS), ("cases", cases, CASE_COLUMNS)):
            buf = io.BytesIO()
            pq.write_table(_arrow_table(cols, spec), buf, compression="zstd")
            atomic_write_bytes(self.path / sub / name, buf.getvalue())

    # --- reading -------------------------------------------------------------------------------
    def _read(self, sub: str, spec: dict[str, str]) -> Any:
        pa, pq = _pa()
        files = sorted((self.path / sub).glob("*.parquet"))
        if not files:
            return _arrow_table({k: np.zeros(0) for k in spec}, spec)
        owner, _ = self._owners()
        tables = []
        for f in files:
            t = pq.read_table(f)
            cid = np.asarray(t.column("case_id").to_numpy(zero_copy_only=False))
            mine = np.array([owner.get(int(c)) == f.name for c in cid], dtype=bool)
            if sub == "cases":  # one row per case even within a part
                _, first = np.unique(cid, return_index=True)
                once = np.zeros(len(cid), dtype=bool)
                once[first] = True
                mine &= once
            tables.append(t if mine.all() else t.filter(pa.array(mine)))
        table = pa.concat_tables(tables)
        keys = [("case_id", "ascending")]
        if sub == "elements":
            table = table.append_column("_order", pa.array(np.arange(table.num_rows)))
            table = table.sort_by([*keys, ("_order", "ascending")]).drop(["_order"])
            return table
        return table.sort_by(keys)

    def cases(self) -> Any:
        """All case rows (a pyarrow Table sorted by case id)."""
        return self._read("cases", CASE_COLUMNS)

    def elements(self) -> Any:
        """All element rows (a pyarrow Table sorted by case id, in element order within a case)."""
        return self._read("elements", ELEMENT_COLUMNS)

    def cases_frame(self) -> Any:
        """All case rows as a pandas DataFrame indexed by case id (needs pandas: ``linepack[data]``)."""
        from ..frames import require_pandas

        require_pandas()
        return self.cases().to_pandas().set_index("case_id")

    def elements_frame(self) -> Any:
        """All element rows as a pandas DataFrame indexed by (case id, element id), in element order."""
        from ..frames import require_pandas

        require_pandas()
        return self.elements().to_pandas().set_index(["case_id", "element_id"])

    def connect(self) -> Any:
        """A DuckDB connection with views ``cases`` and ``elements`` over the Parquet parts."""
        try:
            import duckdb
        except ImportError:  # pragma: no cover
            raise InputError(
                "querying a study needs duckdb; install the study extra: pip install 'linepack[study]'"
            ) from None
        con = duckdb.connect()
        owner, held = self._owners()
        if sum(len(ids) for ids in held.values()) != len(owner):  # duplicates (not yet repaired): owners only
            for sub, table in (("cases", self.cases()), ("elements", self.elements())):
                con.register(f"_{sub}_owned", table)
                con.execute(f"CREATE VIEW {sub} AS SELECT * FROM _{sub}_owned")
            return con
        for sub in ("cases", "elements"):
            glob = str(self.path / sub / "*.parquet").replace("'", "''")
            if any((self.path / sub).glob("*.parquet")):
                con.execute(f"CREATE VIEW {sub} AS SELECT * FROM read_parquet('{glob}')")
            else:
                spec = CASE_COLUMNS if sub == "cases" else ELEMENT_COLUMNS
                sql = {"int64": "BIGINT", "float64": "DOUBLE", "string": "VARCHAR", "bool": "BOOLEAN"}
                cols = ", ".join(f"{k} {sql[v]}" for k, v in spec.items())
                con.execute(f"CREATE TABLE {sub} ({cols})")
        return con


def batches(items: Iterable[Any], size: int) -> list[list[Any]]:
    """``items`` in lists of ``size``."""
    out: list[list[Any]] = []
    for item in items:
        if not out or len(out[-1]) >= size:
            out.append([])
        out[-1].append(item)
    return out


def default_batch_size(n_cases: int, workers: int) -> int:
    """Batches small enough to balance the workers and resume finely, large enough to amortise overhead."""
    return max(1, min(100, n_cases // max(1, 4 * workers)))


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
