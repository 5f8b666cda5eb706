"""The results store: Parquet parts written atomically per batch, a manifest, and DuckDB views.

Layout of a study folder::

    manifest.json            what the study is (kind, generator settings, network fingerprint, case count)
    elements/<part>.parquet  one row per case and element (node, edge, source, sink)
    cases/<part>.parquet     one row per case (status, diagnosis, summary numbers)

A batch writes its elements part first and its cases part last, each atomically (temporary file, then
rename), so a case counts as done exactly when its row is in a cases part. Resuming skips those cases
and deletes element parts whose cases part was never written.
"""

from __future__ import annotations

import io
import json
import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_write_bytes, atomic_write_text
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

    # --- opening -------------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def manifest(self) -> dict[str, Any]:
        if not self.manifest_path.exists():
            raise InputError(f"{self.path}: no study here (manifest.json missing); give the --output of a study")
        return dict(json.loads(self.manifest_path.read_text(encoding="utf-8")))

    def open(self, study: dict[str, Any], fingerprint: str, n_cases: int, resume: bool, overwrite: bool) -> None:
        """Create the store, or check that it holds the same study when resuming."""
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
            return
        if self.path.exists() and any(self.path.iterdir()) and not (self.path / "cases").exists():
            raise InputError(f"{self.path}: folder is not empty and is not a study; give another --output")
        for sub in ("cases", "elements"):
            (self.path / sub).mkdir(parents=True, exist_ok=True)
        doc = {"format": FORMAT, "fingerprint": fingerprint, "n_cases": n_cases, "study": study}
        atomic_write_text(self.manifest_path, json.dumps(doc, indent=2, sort_keys=True) + "\n")

    def _drop_orphans(self) -> None:
        done = {f.name for f in (self.path / "cases").glob("*.parquet")}
        for f in (self.path / "elements").glob("*.parquet"):
            if f.name not in done:
                f.unlink()

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
        table = pa.concat_tables([pq.read_table(f) for f in files])
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
