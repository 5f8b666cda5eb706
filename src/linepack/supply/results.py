"""The result of a supply run: inventories, send-out, deliveries and cargoes per step, with its tables.

Amounts per step are kilograms over the step (``*_kg``), rates kilograms per second (``*_kg_s``); tables
convert at the edge: LNG in m3 (at the tank's density), gas in MMSCF / MMSCFD at 60 F (the terminal's LNG
for terminals, the network gas for deliveries and stores), energy in GWh on the gross heating value of the
network gas. Every table reconciles on its stated basis:

- terminal: ``LNG unloaded = sent out + boil-off lost + change of inventory`` (kg, exact);
- store: ``injected - withdrawn = change of working gas``;
- grid, per step: ``terminals + stores + fields = served + store injection + compressor fuel`` (steady
  states: the change of linepack between steps is reported, not in the balance);
- deliveries: ``demand = served + unserved``.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..io.atomic import atomic_write_bytes
from ..units import FlowBasis
from .berths import CargoLog
from .lng import MMSCF_M3, LngProperties, j_to_gwh
from .model import LngTerminal, Storage
from .schedule import Cargo
from .terminal import StepLimits, TerminalSim

if TYPE_CHECKING:
    from .coupling import StepOutcome
    from .horizon import Horizon
    from .storage import StorageSim

F64 = NDArray[np.float64]
DAY = 86400.0


@dataclass
class SupplyResult:
    """A supply run (see the module docstring for units and bases)."""

    chain_name: str
    network_name: str
    scenario: str
    start: datetime
    edges_s: F64
    terminals: list[LngTerminal]
    lng: list[LngProperties]
    stores: list[Storage]
    sink_ids: tuple[str, ...]
    sink_categories: tuple[str, ...]
    sink_nodes: tuple[str, ...]
    injection_sink: NDArray[np.bool_]
    field_ids: tuple[str, ...]
    field_pos: NDArray[np.int64]  # positions of the other sources among the scenario's sources
    basis: FlowBasis
    cargoes: list[Cargo]
    # terminals (steps, terminals)
    inventory_kg: F64
    sent_kg: F64
    liquid_kg: F64
    boil_off_kg: F64
    recovered_kg: F64
    lost_kg: F64
    unloaded_kg: F64
    waiting: NDArray[np.int64]
    capacity_kg: F64
    heel_kg: F64
    hi_kg: F64
    composition: F64  # (steps, terminals, 21): tank LNG mole fractions at the end of each step (AGA8 order)
    # stores (steps, stores)
    store_kg: F64
    withdrawn_kg: F64
    injected_kg: F64
    # deliveries (steps, sinks)
    demand_kg_s: F64
    served_kg_s: F64
    p_barg: F64
    below_min: NDArray[np.bool_]
    # system (steps)
    linepack_kg: F64
    fuel_kg_s: F64
    field_kg_s: F64  # (steps, fields)
    status: list[str]
    actions: list[list[str]]
    inventory0_kg: F64 = field(default_factory=lambda: np.zeros(0))
    store0_kg: F64 = field(default_factory=lambda: np.zeros(0))
    logs: list[CargoLog] = field(default_factory=list)
    cpu_s: float = 0.0
    wall_s: float = 0.0
    solves: int = 0
    dispatch: str = "by inventory"
    network_mode: str = "steady"
    linepack0_kg: float = np.nan  # at the start (transient runs)

    # ------------------------------------------------------------------ building
    @staticmethod
    def empty(h: Horizon, n: int) -> SupplyResult:
        cn = h.coupler.cn
        nt, ns, nk = len(h.chain.terminals), len(h.stores), len(cn.sink_ids)
        fields_ = np.flatnonzero(~h.coupler.linked)
        z = lambda *shape: np.zeros(shape)  # noqa: E731
        return SupplyResult(
            chain_name=h.chain.name, network_name=cn.name, scenario=cn.scenario, start=h.options.start,
            edges_s=h.edges.copy(), terminals=list(h.chain.terminals),
            lng=[h.props[f"{t.temperature_c:g}"][t.lng] for t in h.chain.terminals], stores=list(h.stores),
            sink_ids=cn.sink_ids, sink_categories=cn.sink_category,
            sink_nodes=tuple(cn.node_ids[i] for i in cn.sink_node), injection_sink=h.coupler.injection_sink.copy(),
            field_ids=tuple(cn.source_ids[i] for i in fields_), field_pos=fields_.astype(np.int64),
            basis=cn.gas.basis, cargoes=list(h.cargoes),
            inventory_kg=z(n, nt), sent_kg=z(n, nt), liquid_kg=z(n, nt), boil_off_kg=z(n, nt),
            recovered_kg=z(n, nt), lost_kg=z(n, nt), unloaded_kg=z(n, nt),
            waiting=np.zeros((n, nt), dtype=np.int64), capacity_kg=z(n, nt), heel_kg=z(n, nt), hi_kg=z(n, nt),
            composition=z(n, nt, 21),
            store_kg=z(n, ns), withdrawn_kg=z(n, ns), injected_kg=z(n, ns),
            demand_kg_s=z(n, nk), served_kg_s=z(n, nk), p_barg=np.full((n, nk), np.nan),
            below_min=np.zeros((n, nk), dtype=bool), linepack_kg=np.full(n, np.nan), fuel_kg_s=z(n),
            field_kg_s=z(n, len(fields_)), status=[""] * n, actions=[[] for _ in range(n)],
        )

    def record(self, k: int, terms: list[TerminalSim], booked: list[dict[str, float]], stores: list[StorageSim],
               withdrawn: F64, injected: F64, demand: F64, out: StepOutcome, lim: list[StepLimits]) -> None:
        for j, (t, b) in enumerate(zip(terms, booked, strict=True)):
            self.inventory_kg[k, j] = t.inventory_kg
            self.sent_kg[k, j], self.liquid_kg[k, j] = b["sent"], b["liquid"]
            self.boil_off_kg[k, j], self.recovered_kg[k, j], self.lost_kg[k, j] = (
                b["boil_off"], b["recovered"], b["lost"])
            self.unloaded_kg[k, j] = b["unloaded"]
            self.waiting[k, j] = t.waiting()
            self.capacity_kg[k, j], self.heel_kg[k, j] = t.capacity_kg, t.heel_kg
            self.hi_kg[k, j] = lim[j].hi_kg
            self.composition[k, j] = t.composition.mole_fractions
        for j, s in enumerate(stores):
            self.store_kg[k, j] = s.gas_kg
        if len(stores):
            self.withdrawn_kg[k], self.injected_kg[k] = withdrawn, injected
        self.demand_kg_s[k] = np.where(self.injection_sink, 0.0, demand)
        self.served_kg_s[k] = np.where(self.injection_sink, 0.0, out.served_kg_s)
        self.p_barg[k], self.below_min[k] = out.p_sink_barg, out.below_min
        self.linepack_kg[k], self.fuel_kg_s[k] = out.linepack_kg, out.fuel_kg_s
        self.field_kg_s[k] = out.supply_kg_s[self.field_pos]
        self.status[k], self.actions[k] = out.status, list(out.actions)

    def finish(self, terms: list[TerminalSim], cpu_s: float, wall_s: float, solves: int) -> None:
        self.logs = sorted((log for t in terms for log in t.logs.values()), key=lambda g: g.index)
        self.cpu_s, self.wall_s, self.solves = cpu_s, wall_s, solves

    # ------------------------------------------------------------------ basics
    @property
    def n_steps(self) -> int:
        return len(self.edges_s) - 1

    @property
    def dt_s(self) -> F64:
        return np.diff(self.edges_s)

    def time_at(self, t_s: float) -> datetime:
        return self.start + timedelta(seconds=float(t_s))

    def month_of(self, t_s: float) -> int:
        return self.time_at(t_s).month

    @property
    def unserved_kg_s(self) -> F64:
        return np.maximum(self.demand_kg_s - self.served_kg_s, 0.0)

    def m3(self, kg: Any, j: int) -> Any:
        """LNG volume of terminal ``j`` [m3] (at its tank's density at the start of the run)."""
        return kg / self.lng[j].density_kg_m3

    def lng_mmscf(self, kg: Any, j: int) -> Any:
        return kg * self.lng[j].gas_m3_60f_per_kg / MMSCF_M3

    def gas_mmscf(self, kg: Any) -> Any:
        return kg / (self.basis.density_60f_kg_m3 * MMSCF_M3)

    def gas_gwh(self, kg: Any) -> Any:
        return j_to_gwh(kg * (self.basis.hhv_j_per_kg or math.nan))

    def send_out_composition(self, k: int, j: int) -> Any:
        """The composition terminal ``j`` sent out in step ``k`` (its tank's, boil-off included): a
        :class:`linepack.gas.GasComposition` for the gas-quality feature."""
        from ..gas.composition import GasComposition

        return GasComposition(f"{self.terminals[j].id} send-out", self.composition[k, j])

    def days_of_cover(self) -> F64:
        """LNG above the heel at the end of each step, in days of the terminal's nominal send-out."""
        nominal = np.array([lng.mmscfd_to_kg_s(t.nominal_mmscfd or t.regas_max_mmscfd) * DAY
                            for t, lng in zip(self.terminals, self.lng, strict=True)])
        return np.maximum(self.inventory_kg - self.heel_kg, 0.0) / nominal[None, :]

    def balance_error(self) -> F64:
        """Per terminal: |unloaded - sent - lost - (I_end - I_start)| / max(unloaded, I_start) over the run."""
        lhs = self.unloaded_kg.sum(axis=0)
        rhs = self.sent_kg.sum(axis=0) + self.lost_kg.sum(axis=0) + self.inventory_kg[-1] - self.inventory0_kg
        scale = np.maximum(np.maximum(lhs, self.inventory0_kg), 1.0)
        return np.abs(lhs - rhs) / scale

    def linepack_change_kg(self) -> F64:
        """Change of linepack in each step (transient runs; zeros for steady states, which have no storage)."""
        if self.network_mode != "transient":
            return np.zeros(self.n_steps)
        return np.diff(np.concatenate([[self.linepack0_kg], self.linepack_kg]))

    def grid_balance_error(self) -> float:
        """Largest step error of ``terminals + stores + fields = served + injection + fuel + change of
        linepack``, relative to the step's demand."""
        dt = self.dt_s[:, None]
        supply = self.sent_kg.sum(axis=1) + self.withdrawn_kg.sum(axis=1) + (self.field_kg_s * dt).sum(axis=1)
        use = ((self.served_kg_s * dt).sum(axis=1) + self.injected_kg.sum(axis=1)
               + self.fuel_kg_s * self.dt_s + self.linepack_change_kg())
        ok = np.array([s != "failed" for s in self.status])
        scale = np.maximum((self.demand_kg_s * dt).sum(axis=1), 1.0)
        return float(np.max(np.abs(supply - use)[ok] / scale[ok], initial=0.0))

    # ------------------------------------------------------------------ tables
    def at_heel(self) -> NDArray[np.bool_]:
        """Steps that end with a terminal at its heel (no LNG left to send out)."""
        return self.inventory_kg <= self.heel_kg + 1e-6 * self.capacity_kg

    def terminal_table(self) -> list[dict[str, Any]]:
        """One row per terminal; reconciles: unloaded = sent + lost + (end - start) in m3 of the tank's LNG."""
        rows = []
        cover = self.days_of_cover()
        at_heel = self.at_heel()
        for j, t in enumerate(self.terminals):
            k_min = int(np.argmin(cover[:, j]))
            done = [g for g in self.logs if self.cargoes[g.index].terminal == t.id and g.status == "unloaded"]
            waits = [(g.berthed_s - g.arrival_s) / 3600.0 for g in self.logs
                     if self.cargoes[g.index].terminal == t.id and not math.isnan(g.berthed_s)]
            days = float(np.sum(self.dt_s)) / DAY
            rows.append({
                "terminal": t.id,
                "cargoes_unloaded": len(done),
                "unloaded_m3": float(self.m3(self.unloaded_kg[:, j].sum(), j)),
                "sent_out_m3": float(self.m3(self.sent_kg[:, j].sum(), j)),
                "boil_off_lost_m3": float(self.m3(self.lost_kg[:, j].sum(), j)),
                "start_m3": float(self.m3(self.inventory0_kg[j], j)),
                "end_m3": float(self.m3(self.inventory_kg[-1, j], j)),
                "sent_out_mmscf": float(self.lng_mmscf(self.sent_kg[:, j].sum(), j)),
                "mean_send_out_mmscfd": float(self.lng_mmscf(self.sent_kg[:, j].sum(), j)) / days,
                "min_days_of_cover": float(cover[k_min, j]),
                "min_cover_at": self.time_at(self.edges_s[k_min + 1]).isoformat(timespec="minutes")
                .replace("T00:00", ""),
                "steps_at_heel": int(np.sum(at_heel[:, j])),
                "carrier_wait_h": float(np.sum(waits)) if waits else 0.0,
            })
        return rows

    def delivery_table(self) -> list[dict[str, Any]]:
        """One row per delivery; demand = served + unserved (MMSCF and GWh of the network gas)."""
        dt = self.dt_s[:, None]
        dem, srv = self.demand_kg_s * dt, self.served_kg_s * dt
        uns = np.maximum(dem - srv, 0.0)
        rows = []
        short = uns > 1e-9 * np.maximum(dem, 1e-12)
        for k, sid in enumerate(self.sink_ids):
            if self.injection_sink[k]:
                continue
            first = np.flatnonzero(short[:, k])
            rows.append({
                "delivery": sid, "node": self.sink_nodes[k], "category": self.sink_categories[k],
                "demand_mmscf": float(self.gas_mmscf(dem[:, k].sum())),
                "served_mmscf": float(self.gas_mmscf(srv[:, k].sum())),
                "unserved_mmscf": float(self.gas_mmscf(uns[:, k].sum())),
                "unserved_gwh": float(self.gas_gwh(uns[:, k].sum())),
                "unserved_share": float(uns[:, k].sum() / dem[:, k].sum()) if dem[:, k].sum() > 0 else 0.0,
                "steps_short": int(np.sum(short[:, k])),
                "first_short": self.time_at(self.edges_s[first[0]]).isoformat(timespec="minutes") if len(first)
                else "",
                "steps_below_min_pressure": int(np.sum(self.below_min[:, k])),
                "min_pressure_barg": float(np.nanmin(self.p_barg[:, k])) if np.any(np.isfinite(self.p_barg[:, k]))
                else math.nan,
            })
        return rows

    def category_table(self) -> list[dict[str, Any]]:
        """Unserved energy per consumer class, in the curtailment order (lowest priority first)."""
        from ..study.shedding import SHED_ORDER

        rows = self.delivery_table()
        out = []
        for cat in SHED_ORDER:
            sel = [r for r in rows if r["category"] == cat]
            if sel:
                dem = sum(r["demand_mmscf"] for r in sel)
                uns = sum(r["unserved_mmscf"] for r in sel)
                out.append({"category": cat, "demand_mmscf": dem, "unserved_mmscf": uns,
                            "unserved_gwh": sum(r["unserved_gwh"] for r in sel),
                            "unserved_share": uns / dem if dem > 0 else 0.0})
        return out

    def store_table(self) -> list[dict[str, Any]]:
        rows = []
        for j, s in enumerate(self.stores):
            rows.append({
                "store": s.id, "start_mmscf": float(self.gas_mmscf(self.store0_kg[j])),
                "injected_mmscf": float(self.gas_mmscf(self.injected_kg[:, j].sum())),
                "withdrawn_mmscf": float(self.gas_mmscf(self.withdrawn_kg[:, j].sum())),
                "end_mmscf": float(self.gas_mmscf(self.store_kg[-1, j])),
                "min_fill": float(np.min(self.store_kg[:, j], initial=self.store0_kg[j])
                                  / (s.working_gas_mmscf * self.basis.density_60f_kg_m3 * MMSCF_M3)),
            })
        return rows

    def cargo_table(self) -> list[dict[str, Any]]:
        rows = []
        for g in self.logs:
            c = self.cargoes[g.index]
            j = next(i for i, t in enumerate(self.terminals) if t.id == c.terminal)

            def at(t_s: float) -> str:
                return "" if math.isnan(t_s) else self.time_at(t_s).isoformat(timespec="minutes")

            rows.append({
                "vessel": c.vessel, "terminal": c.terminal, "contract": c.contract or "",
                "scheduled": c.scheduled_arrival.isoformat(timespec="minutes"),
                "arrival": c.arrival.isoformat(timespec="minutes"), "delay_h": c.delay_h,
                "berthed": at(g.berthed_s), "unload_start": at(g.unload_start_s), "unload_end": at(g.unload_end_s),
                "wait_h": (g.berthed_s - g.arrival_s) / 3600.0 if not math.isnan(g.berthed_s) else math.nan,
                "volume_m3": c.volume_m3, "unloaded_m3": float(self.m3(g.unloaded_kg, j)), "status": g.status,
            })
        return rows

    def events(self) -> list[tuple[str, str]]:
        """Stock-outs (a terminal at its heel), curtailment spells and failed steps, in time order."""
        out: list[tuple[float, str]] = []
        at_heel = self.at_heel()
        for j, t in enumerate(self.terminals):
            prev = False
            for k in range(self.n_steps):
                if at_heel[k, j] and not prev:
                    out.append((self.edges_s[k + 1], f"{t.id} ran down to its heel"))
                if prev and not at_heel[k, j]:
                    out.append((self.edges_s[k + 1], f"{t.id} has LNG again"))
                prev = bool(at_heel[k, j])
        short = np.any(self.unserved_kg_s > 1e-9 * np.maximum(self.demand_kg_s, 1e-12), axis=1)
        prev = False
        for k in range(self.n_steps):
            if short[k] and not prev:
                who = [self.sink_ids[i] for i in np.flatnonzero(self.unserved_kg_s[k] > 1e-9 * self.demand_kg_s[k])]
                out.append((self.edges_s[k], f"demand curtailed ({', '.join(who)})"))
            if prev and not short[k]:
                out.append((self.edges_s[k], "every delivery served again"))
            prev = bool(short[k])
            if self.status[k] == "failed":
                out.append((self.edges_s[k], "no steady state: " + "; ".join(self.actions[k][-1:])))
        out.sort(key=lambda e: e[0])
        return [(self.time_at(t).isoformat(timespec="minutes"), text) for t, text in out]

    # ------------------------------------------------------------------ files
    def timeseries_columns(self) -> dict[str, Any]:
        """One column per quantity and element, one row per step (SI amounts and the usual units)."""
        cols: dict[str, Any] = {
            "time": [self.time_at(t).isoformat(timespec="minutes") for t in self.edges_s[:-1]],
            "t_start_s": self.edges_s[:-1], "t_end_s": self.edges_s[1:],
            "linepack_kg": self.linepack_kg, "fuel_kg_s": self.fuel_kg_s, "status": list(self.status),
        }
        cover = self.days_of_cover()
        for j, t in enumerate(self.terminals):
            cols[f"inventory_m3:{t.id}"] = self.m3(self.inventory_kg[:, j], j)
            cols[f"inventory_kg:{t.id}"] = self.inventory_kg[:, j]
            cols[f"send_out_mmscfd:{t.id}"] = self.lng_mmscf(self.sent_kg[:, j], j) / (self.dt_s / DAY)
            for name in ("sent", "liquid", "boil_off", "recovered", "lost", "unloaded"):
                cols[f"{name}_kg:{t.id}"] = getattr(self, f"{name}_kg")[:, j]
            cols[f"days_of_cover:{t.id}"] = cover[:, j]
            cols[f"carriers_waiting:{t.id}"] = self.waiting[:, j]
        for j, s in enumerate(self.stores):
            cols[f"working_gas_mmscf:{s.id}"] = self.gas_mmscf(self.store_kg[:, j])
            cols[f"withdrawn_kg:{s.id}"] = self.withdrawn_kg[:, j]
            cols[f"injected_kg:{s.id}"] = self.injected_kg[:, j]
        for k, sid in enumerate(self.sink_ids):
            if self.injection_sink[k]:
                continue
            cols[f"demand_kg_s:{sid}"] = self.demand_kg_s[:, k]
            cols[f"served_kg_s:{sid}"] = self.served_kg_s[:, k]
            cols[f"p_barg:{sid}"] = self.p_barg[:, k]
        for i, fid in enumerate(self.field_ids):
            cols[f"supply_kg_s:{fid}"] = self.field_kg_s[:, i]
        return cols

    def save(self, path: str | Path) -> list[Path]:
        """Write the run: ``.parquet`` (time series; cargoes in ``<stem>_cargoes.parquet``; needs pyarrow) or
        ``.nc`` (netCDF-3, needs only SciPy; cargoes as variables). Files are written atomically."""
        p = Path(path)
        if p.suffix.lower() == ".parquet":
            return self._save_parquet(p)
        if p.suffix.lower() == ".nc":
            self._save_netcdf(p)
            return [p]
        raise InputError(f"result file {p}: unknown format '{p.suffix}'; use .parquet or .nc")

    def _save_parquet(self, p: Path) -> list[Path]:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise InputError(f"result file {p}: Parquet needs pyarrow; pip install 'linepack[transient]' or use "
                             ".nc") from None

        def write(table: Any, target: Path) -> None:
            sink = pa.BufferOutputStream()
            pq.write_table(table, sink)
            atomic_write_bytes(target, sink.getvalue().to_pybytes())

        cols = self.timeseries_columns()
        write(pa.table({k: pa.array(v) for k, v in cols.items()}), p)
        cargo = self.cargo_table()
        second = p.with_name(f"{p.stem}_cargoes.parquet")
        if cargo:
            write(pa.table({k: pa.array([r[k] for r in cargo]) for k in cargo[0]}), second)
            return [p, second]
        return [p]

    def _save_netcdf(self, p: Path) -> None:
        from scipy.io import netcdf_file

        buf = io.BytesIO()
        f = netcdf_file(buf, "w", version=2)
        f.title = f"linepack supply run: {self.chain_name} on {self.network_name}, scenario {self.scenario}"
        f.start = self.start.isoformat(timespec="minutes")
        f.terminal_ids = ",".join(t.id for t in self.terminals)
        f.store_ids = ",".join(s.id for s in self.stores)
        f.sink_ids = ",".join(s for s, inj in zip(self.sink_ids, self.injection_sink, strict=True) if not inj)
        f.field_ids = ",".join(self.field_ids)
        f.vessels = ",".join(self.cargoes[g.index].vessel for g in self.logs)
        f.cargo_status = ",".join(g.status for g in self.logs)
        keep = ~self.injection_sink
        from ..gas.components import COMPONENTS

        f.component_names = ",".join(COMPONENTS)
        dims = {"component": len(COMPONENTS), "time": self.n_steps, "edge": len(self.edges_s),
                "terminal": len(self.terminals),
                "store": len(self.stores), "sink": int(np.sum(keep)), "field": len(self.field_ids),
                "cargo": len(self.logs)}
        for name, size in dims.items():
            f.createDimension(name, size)

        def var(name: str, dims_: tuple[str, ...], data: Any, units: str, long: str) -> None:
            if any(dims[d] == 0 for d in dims_):
                return
            arr = np.asarray(data)
            v = f.createVariable(name, "i4" if arr.dtype.kind in "ib" else "f8", dims_)
            v[:] = arr.astype(np.int32) if arr.dtype.kind in "ib" else arr
            v.units, v.long_name = units, long

        var("time_edges", ("edge",), self.edges_s, "s", "step boundaries from the start")
        var("inventory", ("time", "terminal"), self.inventory_kg, "kg", "LNG in the tanks at the end of the step")
        var("inventory_start", ("terminal",), self.inventory0_kg, "kg", "LNG in the tanks at the start")
        for name, long in (("sent", "gas sent out"), ("liquid", "LNG regasified"), ("boil_off", "boil-off gas"),
                           ("recovered", "boil-off sent out"), ("lost", "boil-off burnt or flared"),
                           ("unloaded", "LNG unloaded from carriers")):
            var(name, ("time", "terminal"), getattr(self, f"{name}_kg"), "kg", f"{long} in the step")
        var("days_of_cover", ("time", "terminal"), self.days_of_cover(), "d", "LNG above heel / nominal send-out")
        var("tank_composition", ("time", "terminal", "component"), self.composition, "mol/mol",
            "LNG in the tanks at the end of the step (AGA8 components, see the component_names attribute)")
        var("carriers_waiting", ("time", "terminal"), self.waiting, "1", "carriers waiting for a berth")
        var("working_gas", ("time", "store"), self.store_kg, "kg", "working gas at the end of the step")
        var("withdrawn", ("time", "store"), self.withdrawn_kg, "kg", "gas withdrawn in the step")
        var("injected", ("time", "store"), self.injected_kg, "kg", "gas injected in the step")
        var("demand", ("time", "sink"), self.demand_kg_s[:, keep], "kg/s", "demand asked for")
        var("served", ("time", "sink"), self.served_kg_s[:, keep], "kg/s", "demand served")
        var("pressure", ("time", "sink"), self.p_barg[:, keep], "barg", "delivery pressure")
        var("field_supply", ("time", "field"), self.field_kg_s, "kg/s", "supply of the other sources")
        var("linepack", ("time",), self.linepack_kg, "kg", "gas in the pipes (steady state of the step)")
        var("fuel", ("time",), self.fuel_kg_s, "kg/s", "compressor fuel gas")
        var("cargo_arrival", ("cargo",), [g.arrival_s for g in self.logs], "s", "arrival after any delay")
        var("cargo_berthed", ("cargo",), [g.berthed_s for g in self.logs], "s", "berthed (NaN: never)")
        var("cargo_unloaded", ("cargo",), [g.unloaded_kg for g in self.logs], "kg", "LNG unloaded")
        f.flush()
        data = buf.getvalue()
        f.close()
        atomic_write_bytes(p, data)
