"""The supply-chain file: LNG terminals, storage sites, LPG terminals, cargo contracts, seasonal demand.

One pydantic schema per element, in the style of :mod:`linepack.model.components`: field names carry their
unit where it is not SI, every field has a description and bounds, unknown fields are errors. A supply chain
refers to a network by component id (a terminal sends out through a network source, a storage site
withdraws through a source and injects through a sink); :func:`check_against` checks those links for one
scenario. The format tag is ``linepack-supply/1``.
"""

from __future__ import annotations

import itertools
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import InputError
from ..model.components import ComponentId, Sink, Source, _f
from ..model.errors import describe_validation_error, suggest
from ..model.network import GasCompositionSpec, Network

FORMAT_TAG = "linepack-supply/1"
MONTHS = 12


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class TerminalKind(StrEnum):
    FSRU = "fsru"  # floating storage and regasification unit (ship-to-ship unloading alongside)
    ONSHORE = "onshore"  # land tanks and a jetty


class BoilOffFate(StrEnum):
    """What happens to the gas boiling off the tanks."""

    FUEL = "fuel"  # burnt on board or on site: lost to the grid
    RELIQUEFIED = "reliquefied"  # returned to the tank: no loss
    SEND_OUT = "send_out"  # compressed into the send-out; flared when the send-out is smaller than the boil-off


class LngTerminal(_Strict):
    """An LNG import terminal (FSRU or onshore) with tanks, berths and regasification trains."""

    id: ComponentId
    name: str = _f("human-readable name", default="")
    kind: TerminalKind = _f("fsru or onshore", default=TerminalKind.FSRU)
    source: str = _f("id of the network source its send-out enters the grid through")
    tank_m3: float = _f("LNG storage capacity (gross)", "m3", gt=0, le=5e6)
    heel_m3: float = _f("minimum LNG kept in the tanks (to keep them cold); no send-out below it", "m3", ge=0)
    initial_m3: float | None = _f(
        "LNG in the tanks at the start of a run (default: half way between heel and capacity)", "m3", default=None, ge=0
    )
    boil_off_pct_per_day: float = _f(
        "boil-off gas per day as a percentage of the full tank (constant heat ingress)", "%/d", default=0.15, ge=0, le=2
    )
    boil_off_fate: BoilOffFate = _f("fuel, reliquefied or send_out", default=BoilOffFate.FUEL)
    trains: int = _f("number of regasification trains", "", default=1, ge=1, le=50)
    train_max_mmscfd: float = _f("maximum send-out of one train", "MMSCFD", gt=0, le=5000)
    train_min_mmscfd: float = _f("minimum send-out of one running train (turndown)", "MMSCFD", default=0.0, ge=0)
    must_run: bool = _f(
        "keep at least one train at its minimum while LNG is above the heel (vaporisers kept warm, boil-off "
        "handled)",
        default=False,
    )
    nominal_mmscfd: float | None = _f(
        "contracted send-out; days of cover are counted at this rate (default: all trains at maximum)",
        "MMSCFD",
        default=None,
        gt=0,
    )
    berths: int = _f("berths where carriers unload at the same time", "", default=1, ge=1, le=20)
    unloading_m3_per_h: float = _f("unloading rate of one carrier", "m3/h", default=10000.0, gt=0, le=1e5)
    berthing_h: float = _f("time from a carrier reaching a free berth to the start of unloading", "h", default=12.0,
                           ge=0)
    unberthing_h: float = _f("time from the end of unloading until the berth is free", "h", default=6.0, ge=0)
    lng: str = _f("name of the LNG composition in the tanks at the start (supply file or network)")
    temperature_c: float = _f("LNG storage temperature", "degC", default=-160.0, ge=-180, le=-140)
    send_out_pressure_barg: float | None = _f(
        "send-out pressure; when given it replaces the network source's p_set_barg (pressure-held) or "
        "p_max_barg (flow)",
        "barg",
        default=None,
        gt=0,
    )
    cost_usd_per_mmbtu: float = _f("cost of gas sent out (LNG and regasification), for least-cost plans", "USD/MMBtu",
                                   default=0.0, ge=0)
    provenance: str = _f("provenance tags of the data (S/D/A with references)", default="")

    @model_validator(mode="after")
    def _consistent(self) -> LngTerminal:
        if self.heel_m3 >= self.tank_m3:
            raise ValueError(f"heel_m3 ({self.heel_m3:g}) must be below tank_m3 ({self.tank_m3:g})")
        if self.initial_m3 is not None and self.initial_m3 > self.tank_m3:
            raise ValueError(f"initial_m3 ({self.initial_m3:g}) exceeds tank_m3 ({self.tank_m3:g}); lower it")
        if self.train_min_mmscfd > self.train_max_mmscfd:
            raise ValueError(
                f"train_min_mmscfd ({self.train_min_mmscfd:g}) exceeds train_max_mmscfd ({self.train_max_mmscfd:g})"
            )
        return self

    @property
    def regas_max_mmscfd(self) -> float:
        return self.trains * self.train_max_mmscfd

    @property
    def start_m3(self) -> float:
        return self.initial_m3 if self.initial_m3 is not None else 0.5 * (self.heel_m3 + self.tank_m3)


Curve = list[tuple[float, float]]


def _check_curve(name: str, curve: Curve) -> Curve:
    if len(curve) < 2:
        raise ValueError(f"{name} needs at least two [fill, factor] points")
    fills = [p[0] for p in curve]
    if fills[0] != 0.0 or fills[-1] != 1.0 or any(b <= a for a, b in itertools.pairwise(fills)):
        raise ValueError(f"{name}: fills must increase strictly from 0 to 1 (got {fills})")
    if any(not 0.0 <= p[1] <= 1.0 for p in curve):
        raise ValueError(f"{name}: factors must lie in [0, 1] (fractions of the maximum rate)")
    return curve


class StorageKind(StrEnum):
    DEPLETED_FIELD = "depleted_field"
    AQUIFER = "aquifer"
    SALT_CAVERN = "salt_cavern"
    OTHER = "other"


class Storage(_Strict):
    """An underground (or other) gas store on the grid: withdrawal through a source, injection through a sink.

    Rates depend on the fill (working gas in store / working gas capacity) through piecewise-linear curves of
    factors on the maximum rates: a depleted field withdraws less as its pressure falls and injects less as
    it fills.
    """

    id: ComponentId
    name: str = _f("human-readable name", default="")
    kind: StorageKind = _f("depleted_field, aquifer, salt_cavern or other", default=StorageKind.DEPLETED_FIELD)
    withdrawal_source: str = _f("id of the network source the store withdraws through")
    injection_sink: str | None = _f("id of the network sink the store injects through (none: no injection)",
                                    default=None)
    working_gas_mmscf: float = _f("working gas capacity", "MMSCF", gt=0)
    cushion_gas_mmscf: float = _f("cushion gas (never withdrawn; reported only)", "MMSCF", default=0.0, ge=0)
    initial_fill: float = _f("working gas at the start as a fraction of the capacity", "", default=0.5, ge=0, le=1)
    max_withdrawal_mmscfd: float = _f("withdrawal rate at full store", "MMSCFD", gt=0)
    max_injection_mmscfd: float = _f("injection rate at empty store", "MMSCFD", default=0.0, ge=0)
    withdrawal_curve: Curve = Field(
        default_factory=lambda: [(0.0, 0.3), (0.5, 0.75), (1.0, 1.0)],
        description="[fill, factor]: withdrawal rate = factor x max_withdrawal_mmscfd (A: depleted-field shape)",
    )
    injection_curve: Curve = Field(
        default_factory=lambda: [(0.0, 1.0), (0.7, 0.85), (1.0, 0.4)],
        description="[fill, factor]: injection rate = factor x max_injection_mmscfd",
    )
    injection_months: list[int] = Field(
        default_factory=list, description="calendar months (1-12) in which the store injects when gas is spare"
    )
    injection_target_mmscfd: float = _f(
        "injection asked for in the injection months (lowest priority: only from spare supply)", "MMSCFD",
        default=0.0, ge=0,
    )
    provenance: str = _f("provenance tags of the data", default="")

    @field_validator("withdrawal_curve")
    @classmethod
    def _wc(cls, v: Curve) -> Curve:
        return _check_curve("withdrawal_curve", v)

    @field_validator("injection_curve")
    @classmethod
    def _ic(cls, v: Curve) -> Curve:
        return _check_curve("injection_curve", v)

    @field_validator("injection_months")
    @classmethod
    def _months(cls, v: list[int]) -> list[int]:
        bad = [m for m in v if not 1 <= m <= 12]
        if bad:
            raise ValueError(f"months must be 1-12 (got {bad})")
        return v


class LpgTerminal(_Strict):
    """A liquid-products (LPG) import terminal, not on the gas grid: storage, parcels, truck and rail dispatch."""

    id: ComponentId
    name: str = _f("human-readable name", default="")
    storage_t: float = _f("LPG storage capacity", "t", gt=0)
    min_stock_t: float = _f("stock kept back (unpumpable and safety stock)", "t", default=0.0, ge=0)
    initial_t: float | None = _f("stock at the start (default: half the capacity)", "t", default=None, ge=0)
    offtake_t_per_d: float = _f("daily offtake asked for by the market", "t/d", gt=0)
    trucks_per_day: int = _f("road tankers loaded per day at most", "1/d", default=0, ge=0)
    truck_t: float = _f("load of one road tanker", "t", default=10.0, gt=0)
    rail_wagons_per_day: int = _f("rail tank wagons loaded per day at most", "1/d", default=0, ge=0)
    wagon_t: float = _f("load of one rail tank wagon", "t", default=40.0, gt=0)
    berths: int = _f("berths", "", default=1, ge=1)
    pumping_t_per_h: float = _f("discharge rate of a parcel", "t/h", default=300.0, gt=0)
    berthing_h: float = _f("time from a free berth to the start of discharge", "h", default=6.0, ge=0)
    unberthing_h: float = _f("time from the end of discharge until the berth is free", "h", default=3.0, ge=0)
    parcels_per_month: float = _f("import parcels per month (schedule generator)", "1/month", default=0.0, ge=0)
    parcel_t: float = _f("size of one parcel (schedule generator)", "t", default=0.0, ge=0)
    provenance: str = _f("provenance tags of the data", default="")

    @model_validator(mode="after")
    def _consistent(self) -> LpgTerminal:
        if self.min_stock_t >= self.storage_t:
            raise ValueError(f"min_stock_t ({self.min_stock_t:g}) must be below storage_t ({self.storage_t:g})")
        if self.initial_t is not None and self.initial_t > self.storage_t:
            raise ValueError(f"initial_t ({self.initial_t:g}) exceeds storage_t ({self.storage_t:g})")
        if self.trucks_per_day * self.truck_t + self.rail_wagons_per_day * self.wagon_t <= 0:
            raise ValueError("give trucks_per_day or rail_wagons_per_day: the terminal must be able to dispatch")
        return self

    @property
    def start_t(self) -> float:
        return self.initial_t if self.initial_t is not None else 0.5 * self.storage_t


class Contract(_Strict):
    """A supply contract: cargoes to one or more terminals over a period, and how reliable they are."""

    id: ComponentId
    supplier: str = _f("seller (for reports)", default="")
    terminals: list[str] = _f("terminal ids the cargoes go to, in turn", min_length=1)
    cargoes_per_year: float | None = _f("contract quantity in cargoes per year", "1/yr", default=None, gt=0, le=1000)
    cargoes_per_month: float | None = _f("contract quantity in cargoes per month (instead of per year)", "1/month",
                                         default=None, gt=0, le=100)
    vessel_m3: float = _f("LNG delivered per cargo", "m3", gt=0, le=300000)
    start: str = _f("first day of supply (YYYY-MM-DD)")
    end: str | None = _f("last day of supply (YYYY-MM-DD; open when missing)", default=None)
    offset_days: float = _f("arrival of the first cargo after the start of a generated schedule", "d", default=0.0,
                            ge=0)
    arrival_spread_days: float = _f("generated arrivals move by up to +-half this from even spacing", "d",
                                    default=0.0, ge=0, le=60)
    lng: str | None = _f("LNG composition delivered (default: the terminal's)", default=None)
    p_delay: float = _f("probability that a cargo is late (Monte Carlo)", "", default=0.1, ge=0, le=1)
    delay_mean_days: float = _f("mean delay of a late cargo, exponential (Monte Carlo)", "d", default=2.0, ge=0)
    p_cancel: float = _f("probability that a cargo is cancelled (Monte Carlo)", "", default=0.0, ge=0, le=1)
    provenance: str = _f("provenance tags of the data", default="")

    @model_validator(mode="after")
    def _one_rate(self) -> Contract:
        if (self.cargoes_per_year is None) == (self.cargoes_per_month is None):
            raise ValueError("give either cargoes_per_year or cargoes_per_month")
        return self

    @property
    def interval_days(self) -> float:
        per_year = self.cargoes_per_year if self.cargoes_per_year is not None else 12.0 * (self.cargoes_per_month or 1)
        return 365.25 / per_year


SHED_CATEGORIES = ("city_gate", "power_plant", "fertiliser", "industry", "export", "other")


class Demand(_Strict):
    """Demand over the year as multipliers of the network scenario's demand, per sink category and month."""

    monthly: dict[str, list[float]] = Field(
        default_factory=dict, description="sink category -> 12 multipliers (January..December); missing: 1"
    )
    hourly_shapes: bool = Field(
        default=True, description="at steps shorter than a day, apply the winter-day hourly shapes"
    )
    provenance: str = Field(default="", description="provenance of the factors")

    @field_validator("monthly")
    @classmethod
    def _twelve(cls, v: dict[str, list[float]]) -> dict[str, list[float]]:
        for cat, vals in v.items():
            if cat not in SHED_CATEGORIES:
                raise ValueError(f"unknown sink category '{cat}'{suggest(cat, list(SHED_CATEGORIES))}")
            if len(vals) != MONTHS or any(not 0 <= x <= 10 for x in vals):
                raise ValueError(f"monthly[{cat}] must be 12 multipliers in [0, 10] (January..December)")
        return v


class Economics(_Strict):
    """Values for plans and studies: what unserved gas costs, by consumer class (A unless a source is given)."""

    value_of_lost_load_usd_per_mmbtu: dict[str, float] = Field(
        default_factory=lambda: {
            "city_gate": 60.0, "fertiliser": 40.0, "power_plant": 35.0, "industry": 30.0, "export": 20.0,
            "other": 15.0,
        },
        description="cost of unserved gas per class [USD/MMBtu]; also the priority order of plans",
    )
    provenance: str = Field(default="", description="provenance of the values")


class Variant(_Strict):
    """A what-if of the supply chain for studies: an extra terminal, bigger tanks, a storage site."""

    description: str = Field(default="", description="what the variant represents")
    network_scenario: str | None = Field(default=None, description="network scenario to use instead")
    set: dict[str, dict[str, Any]] = Field(default_factory=dict, description="{element id: {field: value}}")
    add_terminals: list[LngTerminal] = Field(default_factory=list, description="terminals added")
    storages: list[str] | None = Field(default=None, description="storage ids in use (default: those of the base)")
    cost_musd_per_year: float | None = Field(default=None, ge=0, description="annualised cost, for its value")
    provenance: str = Field(default="", description="provenance of the variant's data")


class SupplyChain(_Strict):
    """A whole supply-chain description (file format ``linepack-supply/1``)."""

    format: Literal["linepack-supply/1"] = "linepack-supply/1"
    name: str = ""
    description: str = ""
    network_scenario: str | None = Field(default=None, description="network scenario the chain belongs to")
    lng_compositions: dict[str, GasCompositionSpec] = Field(default_factory=dict)
    terminals: list[LngTerminal] = Field(default_factory=list)
    storages: list[Storage] = Field(default_factory=list, description="storage sites (used when listed in use)")
    storages_in_use: list[str] = Field(default_factory=list, description="storage ids active by default")
    lpg_terminals: list[LpgTerminal] = Field(default_factory=list)
    contracts: list[Contract] = Field(default_factory=list)
    demand: Demand = Field(default_factory=Demand)
    economics: Economics = Field(default_factory=Economics)
    variants: dict[str, Variant] = Field(default_factory=dict)
    references: dict[str, str] = Field(default_factory=dict)
    meta: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique(self) -> SupplyChain:
        problems = []
        for label, items in (
            ("terminal", self.terminals), ("storage", self.storages), ("LPG terminal", self.lpg_terminals),
            ("contract", self.contracts),
        ):
            ids = [x.id for x in items]
            problems += [f"{label} id '{i}' appears twice; ids must be unique" for i in sorted(set(ids))
                         if ids.count(i) > 1]
        known = {t.id for t in self.terminals}
        for c in self.contracts:
            problems += [f"contract {c.id}: terminal '{t}' is not a terminal of the file{suggest(t, sorted(known))}"
                         for t in c.terminals if t not in known]
        stores = {s.id for s in self.storages}
        problems += [f"storages_in_use: '{s}' is not a storage of the file{suggest(s, sorted(stores))}"
                     for s in self.storages_in_use if s not in stores]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def terminal(self, tid: str) -> LngTerminal:
        for t in self.terminals:
            if t.id == tid:
                return t
        raise InputError(f"no terminal '{tid}'{suggest(tid, [t.id for t in self.terminals])}")

    def active_storages(self) -> list[Storage]:
        return [s for s in self.storages if s.id in self.storages_in_use]

    def with_variant(self, name: str) -> tuple[SupplyChain, str | None]:
        """The chain with variant ``name`` applied, and the network scenario it needs (None: unchanged)."""
        if name not in self.variants:
            raise InputError(f"no variant '{name}'{suggest(name, list(self.variants))}; variants: "
                             f"{', '.join(self.variants) or 'none'}")
        v = self.variants[name]
        doc = self.model_dump(mode="python")
        by_id: dict[str, dict[str, Any]] = {x["id"]: x for coll in ("terminals", "storages", "lpg_terminals",
                                                                      "contracts") for x in doc[coll]}
        for eid, patch in v.set.items():
            if eid not in by_id:
                raise InputError(f"variant {name}: set names '{eid}', which is not an element of the supply chain")
            by_id[eid].update(patch)
        doc["terminals"] += [t.model_dump(mode="python") for t in v.add_terminals]
        if v.storages is not None:
            doc["storages_in_use"] = list(v.storages)
        doc["variants"] = {}
        return _validate(doc, f"supply chain with variant {name}"), v.network_scenario


def _validate(doc: Any, source: str) -> SupplyChain:
    if not isinstance(doc, dict):
        raise InputError(f"{source}: the top level must be a mapping with keys such as terminals and contracts")
    fmt = doc.get("format", FORMAT_TAG)
    if fmt != FORMAT_TAG:
        raise InputError(f"{source}: format '{fmt}' is not supported; this version reads '{FORMAT_TAG}'")
    try:
        return SupplyChain.model_validate(doc)
    except ValidationError as exc:
        raise InputError(describe_validation_error(source, SupplyChain, exc)) from None


def load_supply_chain(path: str | Path) -> SupplyChain:
    """Read and validate a supply-chain file (YAML or JSON)."""
    from ..io.native import parse_document

    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: file not found; give a supply-chain file (.yaml or .json, format {FORMAT_TAG})")
    return _validate(parse_document(p.read_text(encoding="utf-8"), str(p)), p.name)


def default_supply_chain() -> SupplyChain:
    """The embedded Pakistan supply chain (EETL, PGPC, Tabeer, Gwadar; LPG at Gwadar; a candidate UGS)."""
    from importlib import resources

    from ..io.native import parse_document

    text = resources.files("linepack.data").joinpath("supply_psgp.yaml").read_text(encoding="utf-8")
    return _validate(parse_document(text, "supply_psgp.yaml"), "embedded supply chain")


def check_against(chain: SupplyChain, network: Network, compiled_sources: tuple[str, ...],
                  compiled_sinks: tuple[str, ...]) -> list[str]:
    """Problems linking ``chain`` to one compiled scenario of ``network`` (its source and sink ids)."""
    problems: list[str] = []
    comps = {c.id: c for c in network.components()}
    gases = set(chain.lng_compositions) | set(network.gas_compositions)

    def need(owner: str, field: str, cid: str, kind: type, in_scenario: tuple[str, ...]) -> None:
        if cid in in_scenario:
            return
        c = comps.get(cid)
        if c is None or not isinstance(c, kind):
            ids = sorted(set(in_scenario) | {k for k, v in comps.items() if isinstance(v, kind)})
            problems.append(f"{owner}: {field} '{cid}' is not a {kind.__name__.lower()} of the network"
                            f"{suggest(cid, ids)}; choose one of {', '.join(ids)}")
        else:
            problems.append(f"{owner}: {field} '{cid}' is not in service in this scenario; choose a scenario that "
                            "enables it (linepack scenarios)")

    seen: dict[str, str] = {}
    for t in chain.terminals:
        need(f"terminal {t.id}", "source", t.source, Source, compiled_sources)
        if t.source in seen:
            problems.append(f"terminal {t.id}: source '{t.source}' is already the send-out of {seen[t.source]}")
        seen[t.source] = t.id
        if t.lng not in gases:
            problems.append(f"terminal {t.id}: lng '{t.lng}' is not a composition of the supply file or network"
                            f"{suggest(t.lng, sorted(gases))}")
    for s in chain.active_storages():
        need(f"storage {s.id}", "withdrawal_source", s.withdrawal_source, Source, compiled_sources)
        if s.injection_sink is not None:
            need(f"storage {s.id}", "injection_sink", s.injection_sink, Sink, compiled_sinks)
        if s.withdrawal_source in seen:
            problems.append(f"storage {s.id}: source '{s.withdrawal_source}' is already used by "
                            f"{seen[s.withdrawal_source]}")
        seen[s.withdrawal_source] = s.id
    for c in chain.contracts:
        if c.lng is not None and c.lng not in gases:
            problems.append(f"contract {c.id}: lng '{c.lng}' is not a composition of the supply file or network")
    return problems
