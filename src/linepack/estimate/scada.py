"""SCADA files: a long table of readings ``time, tag, value, unit`` (CSV, gzipped CSV or Parquet).

::

    time,tag,value,unit
    2024-01-15T00:00:00,CS1.SUC,66.92,barg
    2024-01-15T00:00:00,CS1.Q,1021.4,MMSCFD
    2024-01-15T00:01:00,CS1.SUC,,barg          <- empty value: no reading (a gap)

``time`` is an ISO 8601 timestamp (``2024-01-15T06:00:00``, optionally with ``Z`` or an offset; naive
times are taken as UTC) or seconds from any origin, the same form on every row. An optional ``quality``
column marks readings the SCADA itself flagged (``bad``, ``0`` or ``false``: not used). Every other column
is an error. Files are read through the shared input limits of :mod:`linepack.io.limits` (a regular file,
at most :data:`MAX_SCADA_BYTES` or ``LINEPACK_MAX_INPUT_MB`` if larger).
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..io.atomic import atomic_write_bytes
from ..io.limits import InputLimits, read_input_bytes

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
MAX_SCADA_BYTES = 1 << 30  # 1 GiB on disk
COLUMNS = ("time", "tag", "value", "unit")
_BAD_QUALITY = {"bad", "0", "false", "invalid", "b"}


@dataclass(frozen=True)
class ScadaData:
    """Readings as columns: one entry per row of the file (``value`` NaN where the reading is missing)."""

    source: str
    time_s: F64  # seconds: POSIX (UTC) when ``iso``, else as written
    tag_code: I64
    tags: tuple[str, ...]
    value: F64
    unit_code: I64
    units: tuple[str, ...]
    iso: bool

    def __post_init__(self) -> None:
        for v in (self.time_s, self.tag_code, self.value, self.unit_code):
            v.setflags(write=False)

    @property
    def n_rows(self) -> int:
        return len(self.time_s)

    def span(self) -> tuple[float, float]:
        if not self.n_rows:
            return (math.nan, math.nan)
        return float(self.time_s.min()), float(self.time_s.max())

    def format_time(self, t_s: float) -> str:
        """An absolute time of this data set as written (ISO, or seconds)."""
        if self.iso:
            return datetime.fromtimestamp(t_s, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return f"{t_s:g} s"

    def parse_time(self, text: str) -> float:
        """A time given by a user in this data set's form: ISO for ISO data (or ``HH:MM`` on the first day),
        seconds otherwise (or ``HH:MM`` from the first reading)."""
        s = text.strip()
        try:
            if self.iso and ("-" in s or "T" in s):
                return _iso_seconds(s)
            if ":" in s:
                parts = [float(x) for x in s.split(":")]
                if len(parts) > 3:
                    raise ValueError
                offset = sum(v * f for v, f in zip(parts, (3600.0, 60.0, 1.0), strict=False))
                first = self.span()[0]
                day0 = math.floor(first / 86400.0) * 86400.0 if self.iso else first
                return day0 + offset
            return float(s.removesuffix("s"))
        except ValueError:
            raise InputError(
                f"time '{text}' is not understood; give "
                + ("an ISO time (2024-01-15T06:00) or HH:MM on the first day" if self.iso else "seconds or HH:MM")
            ) from None


def _iso_seconds(text: str) -> float:
    s = text.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    d = datetime.fromisoformat(s)
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    return d.timestamp()


def scada_limits() -> InputLimits:
    """The shared input limits (:mod:`linepack.io.limits`) with a file size of at least :data:`MAX_SCADA_BYTES`
    (SCADA exports are larger than network files; ``LINEPACK_MAX_INPUT_MB`` raises it further)."""
    lim = InputLimits.from_env()
    return replace(lim, max_file_bytes=max(lim.max_file_bytes, MAX_SCADA_BYTES))


def _open_text(path: Path) -> str:
    raw = read_input_bytes(path, "SCADA", scada_limits())
    if path.suffix.lower() == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise InputError(f"{path}: not a valid gzip file ({exc})") from None
        if len(raw) > 4 * MAX_SCADA_BYTES:
            raise InputError(f"{path}: more than {4 * MAX_SCADA_BYTES / 2**20:.0f} MB uncompressed; split it by time")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a UTF-8 text file; export the SCADA data as UTF-8 CSV") from None


def read_scada(path: str | Path) -> ScadaData:
    """Read a SCADA file (``.csv``, ``.csv.gz`` or ``.parquet``); bad rows are listed (up to 20) naming row and
    column."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: SCADA file not found; give a .csv, .csv.gz or .parquet file of time,tag,value,unit")
    columns = _read_parquet(p) if p.suffix.lower() == ".parquet" else _read_csv(p)
    return _build(p.name, columns)


def _read_parquet(p: Path) -> dict[str, list[Any]]:
    raw = read_input_bytes(p, "SCADA", scada_limits())
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(f"{p}: reading Parquet needs pyarrow; pip install 'linepack[transient]' or use CSV") from None
    try:
        import pyarrow as pa

        table = pq.read_table(pa.BufferReader(raw))
    except Exception as exc:
        raise InputError(f"{p}: not a readable Parquet file ({type(exc).__name__}: {exc})") from None
    names = [c.lower() for c in table.column_names]
    _check_header(p.name, names)
    out: dict[str, list[Any]] = {}
    for c, name in zip(table.column_names, names, strict=True):
        col = table.column(c)
        out[name] = [None if v is None else (v.isoformat() if hasattr(v, "isoformat") else v) for v in col.to_pylist()]
    return out


def _check_header(source: str, header: list[str]) -> None:
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in (*COLUMNS, "quality")]
    if missing or unknown or len(set(header)) != len(header):
        raise InputError(
            f"{source}: the columns must be time, tag, value, unit (and optionally quality); "
            + "; ".join(
                ([f"missing {', '.join(missing)}"] if missing else [])
                + ([f"unknown {', '.join(unknown)}"] if unknown else [])
                + (["a column appears twice"] if len(set(header)) != len(header) else [])
            )
        )


def _read_csv(p: Path) -> dict[str, list[Any]]:
    text = _open_text(p)
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    cols: dict[str, list[Any]] = {}
    problems: list[str] = []
    for line, row in enumerate(reader, start=1):
        if not row or (row[0].lstrip().startswith("#")):
            continue
        if header is None:
            header = [h.strip().lower() for h in row]
            _check_header(p.name, header)
            cols = {h: [] for h in header}
            continue
        if len(row) != len(header):
            problems.append(f"{p.name}: line {line} has {len(row)} fields, the header has {len(header)}")
            if len(problems) >= 20:
                break
            continue
        for h, v in zip(header, row, strict=True):
            cols[h].append(v.strip())
    if header is None:
        raise InputError(f"{p.name}: empty file; expected a header time,tag,value,unit and readings")
    if problems:
        raise InputError(problems)
    return cols


def _build(source: str, cols: dict[str, list[Any]]) -> ScadaData:
    times, tags, values, units = cols["time"], cols["tag"], cols["value"], cols["unit"]
    n = len(times)
    problems: list[str] = []
    # times: all numbers or all ISO timestamps
    t = np.empty(n)
    iso = False
    if n:
        first = times[0]
        try:
            float(first)
        except (TypeError, ValueError):
            iso = True
    for i, v in enumerate(times):
        try:
            if isinstance(v, int | float) and not isinstance(v, bool):
                if iso:
                    raise ValueError
                t[i] = float(v)
            else:
                t[i] = _iso_seconds(str(v)) if iso else float(str(v))
        except (TypeError, ValueError):
            form = "an ISO timestamp like the first row's" if iso else "a number of seconds like the first row's"
            problems.append(f"{source}: row {i + 1}: time '{v}' is not {form}")
        else:
            if not math.isfinite(t[i]):
                problems.append(f"{source}: row {i + 1}: time '{v}' is not finite")
        if len(problems) >= 20:
            break
    val = np.empty(n)
    quality = cols.get("quality")
    for i, v in enumerate(values):
        if v is None or (isinstance(v, str) and v.strip() == ""):
            val[i] = math.nan
            continue
        try:
            x = float(v)
        except (TypeError, ValueError):
            problems.append(f"{source}: row {i + 1}: value '{v}' of tag {tags[i]} is not a number (leave it empty "
                            "for a missing reading)")
            if len(problems) >= 20:
                break
            continue
        if not math.isfinite(x):
            problems.append(f"{source}: row {i + 1}: value of tag {tags[i]} is {v}; leave it empty for a missing "
                            "reading")
        val[i] = x
    for i, (g, u) in enumerate(zip(tags, units, strict=True)):
        if g is None or str(g).strip() == "" or u is None or str(u).strip() == "":
            problems.append(f"{source}: row {i + 1}: the tag and the unit must be given")
            if len(problems) >= 20:
                break
    if problems:
        raise InputError(problems[:20])
    if quality is not None:
        bad = np.array([str(q).strip().lower() in _BAD_QUALITY for q in quality], dtype=bool)
        val[bad] = math.nan
    tag_names, tag_code = np.unique(np.array([str(g).strip() for g in tags], dtype=object), return_inverse=True)
    unit_names, unit_code = np.unique(np.array([str(u).strip() for u in units], dtype=object), return_inverse=True)
    return ScadaData(source, t, tag_code.astype(np.int64), tuple(str(x) for x in tag_names), val,
                     unit_code.astype(np.int64), tuple(str(x) for x in unit_names), iso)


def scada_from_arrays(
    source: str, time_s: F64, tags: list[str] | tuple[str, ...], tag_code: I64, value: F64, units: list[str] | tuple[
        str, ...], unit_code: I64, iso: bool
) -> ScadaData:
    """A :class:`ScadaData` from columns (used by the synthetic SCADA generator)."""
    return ScadaData(source, np.asarray(time_s, float).copy(), np.asarray(tag_code, np.int64).copy(), tuple(tags),
                     np.asarray(value, float).copy(), np.asarray(unit_code, np.int64).copy(), tuple(units), iso)


def write_scada(data: ScadaData, path: str | Path, decimals: int = 6) -> Path:
    """Write the readings as CSV (``.csv``, or gzipped ``.csv.gz``) or Parquet, atomically; rows in time order."""
    p = Path(path)
    order = np.lexsort((data.tag_code, data.time_s))
    times = [data.format_time(t) if data.iso else repr(float(t)) for t in data.time_s[order]]
    tags = [data.tags[c] for c in data.tag_code[order]]
    units = [data.units[c] for c in data.unit_code[order]]
    vals = data.value[order]
    name = p.name.lower()
    if name.endswith(".parquet"):
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise InputError(f"{p}: writing Parquet needs pyarrow; pip install 'linepack[transient]'") from None
        table = pa.table({"time": times, "tag": tags, "value": pa.array(vals, mask=np.isnan(vals)), "unit": units})
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd")
        atomic_write_bytes(p, sink.getvalue().to_pybytes())
        return p
    if not (name.endswith(".csv") or name.endswith(".csv.gz")):
        raise InputError(f"{p}: write SCADA as .csv, .csv.gz or .parquet")
    buf = io.StringIO()
    buf.write("time,tag,value,unit\n")
    fmt = f"{{:.{decimals}g}}"
    for t, g, v, u in zip(times, tags, vals.tolist(), units, strict=True):
        buf.write(f"{t},{g},{'' if math.isnan(v) else fmt.format(v)},{u}\n")
    raw = buf.getvalue().encode("utf-8")
    atomic_write_bytes(p, gzip.compress(raw, compresslevel=9, mtime=0) if name.endswith(".gz") else raw)
    return p
