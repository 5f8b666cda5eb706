"""The tag map: which SCADA tag measures what, where, in which unit and how accurately.

A meter set is a YAML/JSON document (``format: linepack-meters/1``) or a CSV table with one row per tag::

    format: linepack-meters/1
    name: PSGP corridor meters
    meters:
      - {tag: PQ.P, quantity: pressure, element: PQ_HUB, unit: barg, sigma: 0.05, provenance: A}
      - {tag: CS1.Q, quantity: flow, element: CS1, unit: MMSCFD, sigma_pct: 0.5}
      - {tag: PSGP-02.QIN, quantity: flow, element: PSGP-02, end: from, unit: kg/s, sigma_pct: 0.5}
      - {tag: CS1.SUC, quantity: pressure, element: CS1, end: suction, unit: barg, sigma: 0.05}

``element`` is a node (pressure), a pipe or any other element (flow; ``end: from | to`` says which end of a
pipe the meter sits on, ``suction | discharge`` which side of a station a pressure is read), a source (its
supply), a sink (its delivery) or a compressor (power, or its throughput as flow). ``sigma`` is the standard
uncertainty of one reading in the tag's unit, ``sigma_pct`` a part in percent of the reading (the two
add in quadrature; below 1 % of ``max``, or one unit of the tag without a ``max``, the percentage no longer
shrinks: a meter's zero stability); ``systematic`` is a standard uncertainty that averaging does not reduce
(calibration). ``min``/``max`` bound a plausible reading (outside: flagged and not used).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..compile import CompiledNetwork, EdgeKind
from ..errors import InputError
from ..io.atomic import atomic_write_text
from .units import Quantity, UnitMap, unit_map, units_of

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
FORMAT = "linepack-meters/1"


class MeterEnd(StrEnum):
    FROM = "from"
    TO = "to"
    SUCTION = "suction"
    DISCHARGE = "discharge"


class Meter(BaseModel):
    """One SCADA tag."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)

    tag: str = Field(min_length=1, max_length=200, description="SCADA tag name, as in the data file")
    quantity: Quantity = Field(description="pressure, flow or power")
    element: str = Field(min_length=1, description="node, pipe, station, source or sink id")
    end: MeterEnd | None = Field(default=None, description="pipe end (from/to) or station side (suction/discharge)")
    unit: str = Field(min_length=1, description="unit of the readings")
    sigma: float = Field(default=0.0, ge=0, description="standard uncertainty of one reading, in the tag's unit")
    sigma_pct: float = Field(default=0.0, ge=0, le=100, description="standard uncertainty, percent of the reading")
    systematic: float = Field(default=0.0, ge=0, description="standard uncertainty not reduced by averaging (unit)")
    min: float | None = Field(default=None, description="lowest plausible reading (unit)")
    max: float | None = Field(default=None, description="highest plausible reading (unit)")
    provenance: str = Field(default="", description="S (sourced), D (derived) or A (assumed), with references")
    description: str = ""

    @model_validator(mode="after")
    def _checks(self) -> Meter:
        if self.sigma == 0.0 and self.sigma_pct == 0.0:
            raise ValueError("give its accuracy: sigma (in its unit) or sigma_pct (percent of reading), > 0")
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise ValueError(f"min ({self.min}) must be below max ({self.max})")
        if self.unit not in units_of(self.quantity):
            raise ValueError(f"unit '{self.unit}' is not a {self.quantity.value} unit; use one of "
                             f"{', '.join(units_of(self.quantity))}")
        return self


@dataclass(frozen=True)
class MeterSet:
    """A named list of meters (tags unique)."""

    name: str
    meters: tuple[Meter, ...]
    notes: str = ""

    def __post_init__(self) -> None:
        seen: set[str] = set()
        dup = sorted({m.tag for m in self.meters if m.tag in seen or seen.add(m.tag)})  # type: ignore[func-returns-value]
        if dup:
            raise InputError(
                f"meter set {self.name}: tag(s) {', '.join(dup)} appear more than once; tags must be unique"
            )

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(m.tag for m in self.meters)

    def without(self, tags: set[str] | frozenset[str]) -> MeterSet:
        return MeterSet(self.name, tuple(m for m in self.meters if m.tag not in tags), self.notes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "name": self.name,
            **({"notes": self.notes} if self.notes else {}),
            "meters": [m.model_dump(mode="json", exclude_defaults=True) for m in self.meters],
        }

    def save(self, path: str | Path) -> None:
        """Write as YAML (.yaml/.yml), JSON (.json) or CSV (.csv), atomically."""
        import json

        import yaml

        p = Path(path)
        suffix = p.suffix.lower()
        if suffix == ".csv":
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(CSV_COLUMNS)
            for m in self.meters:
                d = m.model_dump(mode="json")
                w.writerow(["" if d[c] is None else d[c] for c in CSV_COLUMNS])
            atomic_write_text(p, buf.getvalue())
        elif suffix == ".json":
            atomic_write_text(p, json.dumps(self.to_dict(), indent=1) + "\n")
        elif suffix in (".yaml", ".yml"):
            atomic_write_text(p, yaml.safe_dump(self.to_dict(), sort_keys=False, width=200))
        else:
            raise InputError(f"meter set {p}: unknown format '{suffix}'; use .yaml, .json or .csv")


CSV_COLUMNS = ("tag", "quantity", "element", "end", "unit", "sigma", "sigma_pct", "systematic", "min", "max",
               "provenance", "description")


def _meters_from_rows(rows: list[dict[str, Any]], source: str) -> tuple[Meter, ...]:
    problems: list[str] = []
    meters: list[Meter] = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            problems.append(f"{source}: meter {i + 1} is not a mapping of fields")
            continue
        try:
            meters.append(Meter(**row))
        except ValidationError as exc:
            who = f"{source}: meter {row.get('tag', i + 1)}"
            for e in exc.errors():
                field = ".".join(str(x) for x in e["loc"]) or "meter"
                msg = e["msg"].removeprefix("Value error, ")
                problems.append(f"{who}: {field}: {msg}" + (f" (got {e['input']!r})" if field != "meter" else ""))
        except TypeError as exc:
            problems.append(f"{source}: meter {i + 1}: {exc}")
    if problems:
        raise InputError(problems)
    return tuple(meters)


def meter_set_from_dict(doc: Any, source: str = "meter set") -> MeterSet:
    if not isinstance(doc, dict):
        raise InputError(f"{source}: expected a mapping with format, name and meters")
    unknown = set(doc) - {"format", "name", "notes", "meters"}
    if unknown:
        raise InputError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}; allowed: format, name, notes, meters")
    if doc.get("format") != FORMAT:
        raise InputError(f"{source}: format must be '{FORMAT}' (got {doc.get('format')!r})")
    rows = doc.get("meters")
    if not isinstance(rows, list) or not rows:
        raise InputError(f"{source}: meters must be a non-empty list")
    return MeterSet(str(doc.get("name") or source), _meters_from_rows(rows, source), str(doc.get("notes") or ""))


def load_meter_set(path: str | Path) -> MeterSet:
    """Read a meter set from YAML, JSON or CSV (by suffix); every problem is listed, naming the tag."""
    from ..io.limits import read_input_text
    from ..io.native import parse_document

    p = Path(path)
    text = read_input_text(p, "meter set (tag map)")
    if p.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip() for h in reader.fieldnames or []]
        unknown = [h for h in header if h not in CSV_COLUMNS]
        missing = [h for h in ("tag", "quantity", "element", "unit") if h not in header]
        if unknown or missing:
            raise InputError(
                f"{p}: " + "; ".join(
                    ([f"unknown column(s) {', '.join(unknown)}"] if unknown else [])
                    + ([f"missing column(s) {', '.join(missing)}"] if missing else [])
                ) + f"; the columns are {', '.join(CSV_COLUMNS)}"
            )
        rows = [{k.strip(): v.strip() for k, v in r.items() if v is not None and v.strip() != ""} for r in reader]
        return MeterSet(p.stem, _meters_from_rows(rows, p.name))
    return meter_set_from_dict(parse_document(text, str(p)), p.name)


def default_meter_set_path(name: str) -> Path:
    """A meter set shipped with linepack (``linepack/data/scada/<name>``)."""
    from importlib import resources

    return Path(str(resources.files("linepack.data").joinpath("scada", name)))


class MeterKind(IntEnum):
    NODE_PRESSURE = 0
    EDGE_FLOW = 1
    SOURCE_FLOW = 2
    SINK_FLOW = 3
    COMP_POWER = 4


@dataclass(frozen=True)
class BoundMeters:
    """A meter set resolved on one compiled network: what each tag reads, in SI.

    ``index`` is a node (NODE_PRESSURE), an edge (EDGE_FLOW), a source, a sink or a compressor (position in
    ``comp_edge``); ``at_end`` is True for a pipe flow read at the pipe's to-end.
    """

    meters: MeterSet
    cn: CompiledNetwork
    kind: I64
    index: I64
    at_end: NDArray[np.bool_]
    units: tuple[UnitMap, ...]

    @property
    def n(self) -> int:
        return len(self.kind)

    @property
    def tags(self) -> tuple[str, ...]:
        return self.meters.tags

    def sigma_si(self, value_si: F64, n_avg: F64 | float = 1.0) -> F64:
        """Standard uncertainty [SI] of the mean of ``n_avg`` readings around ``value_si`` (per meter)."""
        sig = np.array([m.sigma for m in self.meters.meters]) * self.factors
        pct = np.array([m.sigma_pct for m in self.meters.meters]) / 100.0
        syst = np.array([m.systematic for m in self.meters.meters]) * self.factors
        reading = np.abs(np.asarray(value_si, dtype=float) - self.offsets)
        rel = pct * np.maximum(reading, self.zero_floor_si())
        return np.sqrt((sig * sig + rel * rel) / np.asarray(n_avg, dtype=float) + syst * syst)

    def zero_floor_si(self) -> F64:
        """The reading below which ``sigma_pct`` no longer shrinks (zero stability) [SI]: 1 % of the meter's ``max``
        when given, else one unit of the tag."""
        return np.array([abs(0.01 * m.max) if m.max else 1.0 for m in self.meters.meters]) * np.abs(self.factors)

    @property
    def factors(self) -> F64:
        return np.array([u.factor for u in self.units])

    @property
    def offsets(self) -> F64:
        return np.array([u.offset for u in self.units])

    def range_si(self) -> tuple[F64, F64]:
        """Plausible range of every meter [SI] (-inf/inf where not given)."""
        lo = np.array([-np.inf if m.min is None else u.to_si(m.min) for m, u in zip(self.meters.meters, self.units,
                                                                                     strict=True)])
        hi = np.array([np.inf if m.max is None else u.to_si(m.max) for m, u in zip(self.meters.meters, self.units,
                                                                                   strict=True)])
        return lo, hi

    def describe(self, i: int) -> str:
        m = self.meters.meters[i]
        end = f" ({m.end.value})" if m.end is not None else ""
        return f"{m.quantity.value} at {m.element}{end}"


def bind(meters: MeterSet, cn: CompiledNetwork) -> BoundMeters:
    """Resolve every meter on ``cn``; every problem (unknown element, wrong end, element not in service) is listed."""
    node = {k: i for i, k in enumerate(cn.node_ids)}
    edge = {k: i for i, k in enumerate(cn.edge_ids)}
    source = {k: i for i, k in enumerate(cn.source_ids)}
    sink = {k: i for i, k in enumerate(cn.sink_ids)}
    comp = {cn.edge_ids[e]: c for c, e in enumerate(cn.comp_edge)}
    kinds: list[int] = []
    idx: list[int] = []
    at_end: list[bool] = []
    units: list[UnitMap] = []
    problems: list[str] = []
    for m in meters.meters:
        who = f"tag {m.tag}"
        try:
            units.append(unit_map(m.quantity, m.unit, cn.ambient_pa, cn.gas.basis, who))
        except InputError as exc:
            problems.extend(exc.problems)
            units.append(UnitMap(1.0))
        kind, index, end = -1, -1, False
        el = m.element
        if m.quantity == Quantity.PRESSURE:
            if el in node:
                kind, index = MeterKind.NODE_PRESSURE, node[el]
            elif el in edge:
                e = edge[el]
                if m.end in (MeterEnd.FROM, MeterEnd.SUCTION):
                    kind, index = MeterKind.NODE_PRESSURE, int(cn.edge_from[e])
                elif m.end in (MeterEnd.TO, MeterEnd.DISCHARGE):
                    kind, index = MeterKind.NODE_PRESSURE, int(cn.edge_to[e])
                else:
                    problems.append(f"{who}: a pressure on element {el} needs end: suction/from or discharge/to")
                    kind = -2
            elif el in source:
                kind, index = MeterKind.NODE_PRESSURE, int(cn.source_node[source[el]])
            elif el in sink:
                kind, index = MeterKind.NODE_PRESSURE, int(cn.sink_node[sink[el]])
        elif m.quantity == Quantity.FLOW:
            if el in edge:
                kind, index = MeterKind.EDGE_FLOW, edge[el]
                is_pipe = cn.edge_kind[index] == EdgeKind.PIPE
                if m.end in (MeterEnd.SUCTION, MeterEnd.DISCHARGE) or (m.end is not None and not is_pipe):
                    problems.append(f"{who}: end '{m.end.value}' does not apply to a flow through {el}; give "
                                    "end: from or to for a pipe, no end otherwise")
                end = m.end == MeterEnd.TO
            elif el in source:
                kind, index = MeterKind.SOURCE_FLOW, source[el]
            elif el in sink:
                kind, index = MeterKind.SINK_FLOW, sink[el]
        elif el in comp:
            kind, index = MeterKind.COMP_POWER, comp[el]
        elif el in edge or el in node:
            problems.append(f"{who}: power is measured at a compressor station; {el} is not one")
            kind = -2
        if kind == -1:
            problems.append(
                f"{who}: no {_what(m.quantity)} '{el}' in scenario {cn.scenario} of network {cn.name}; check the id "
                "(`linepack describe`), or the scenario (an element out of service cannot be metered)"
            )
        kinds.append(int(kind))
        idx.append(int(index))
        at_end.append(bool(end))
    if problems:
        raise InputError(problems)
    return BoundMeters(meters, cn, np.array(kinds, dtype=np.int64), np.array(idx, dtype=np.int64),
                       np.array(at_end, dtype=bool), tuple(units))


def _what(q: Quantity) -> str:
    return {
        Quantity.PRESSURE: "node, station, source or sink",
        Quantity.FLOW: "pipe, element, source or sink",
        Quantity.POWER: "compressor station",
    }[q]
