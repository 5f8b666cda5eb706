"""Frozen steady-state results and their file forms (JSON contract, CSV)."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .compile import CompiledNetwork, CompMode, EdgeKind, RegMode, z_at, z_res_at
from .errors import InputError
from .io.atomic import atomic_write_text
from .stations.points import UnitPoints, unit_points
from .units import BAR_PA, R_J_PER_MOL_K
from .violations import Violation

F64 = NDArray[np.float64]

COMP_MODE_TEXT = {
    CompMode.PRESSURE: "discharge pressure set-point",
    CompMode.SUCTION: "suction pressure set-point",
    CompMode.RATIO: "ratio",
    CompMode.POWER: "power",
    CompMode.FLOW: "flow",
    CompMode.BYPASS: "bypass",
    CompMode.OFF: "off (closed)",
    CompMode.MAP_FLOW: "flow capacity of its units",
    CompMode.MAP_HEAD: "most head of its units",
}
# short names of the controls for tables (terminal and web); the long texts are COMP_MODE_TEXT
COMP_MODE_SHORT = {
    CompMode.PRESSURE: "set-point",
    CompMode.SUCTION: "suction set-point",
    CompMode.RATIO: "ratio",
    CompMode.POWER: "power",
    CompMode.FLOW: "flow",
    CompMode.BYPASS: "bypass",
    CompMode.OFF: "off",
    CompMode.MAP_FLOW: "units' capacity",
    CompMode.MAP_HEAD: "units' head",
}
REG_MODE_TEXT = {
    RegMode.PRESSURE: "outlet set-point",
    RegMode.OPEN: "fully open",
    RegMode.CLOSED: "closed",
    RegMode.FLOW: "flow limit",
}


@dataclass(frozen=True)
class SteadyResult:
    """The solution of one steady-state case. Arrays are read-only and in SI units."""

    network: CompiledNetwork
    converged: bool
    iterations: int
    outer_iterations: int
    message: str
    residual_norms: tuple[float, ...]
    p_pa: F64  # per node
    q_kg_s: F64  # per edge
    source_supply_kg_s: F64  # per source
    # per resistive edge (pipes, then resistors)
    z_avg: F64
    friction_factor: F64
    reynolds: F64
    p_mean_pa: F64
    # per compressor
    comp_power_w: F64
    comp_fuel_kg_s: F64
    comp_mode: NDArray[np.int64]
    reg_mode: NDArray[np.int64]
    active_bounds: tuple[str, ...]
    violations: tuple[str, ...]
    warnings: tuple[str, ...]
    # the control state the solution is consistent with (solvers.equations.ControlState); lets a related
    # case warm-start from this one (solve_steady(..., initial=result))
    control: Any = None
    # the violations as records (component, quantity, value, limit, text): the one list every report reads
    violation_records: tuple[Violation, ...] = ()
    # the gas the hydraulics used (quality.properties.GasProps) and, when mixtures were tracked, the gas state the
    # final flows imply (quality.coupling.GasState); None for results built by older code paths
    props: Any = None
    gas_state: Any = None
    # non-isothermal solve (issue 13): linepack.thermal.network_temperatures.NetworkTemperatures of the final
    # hydraulics (node and pipe-end temperatures, station duties); None: isothermal
    thermal: Any = None

    def __post_init__(self) -> None:
        for value in self.__dict__.values():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    # --- derived quantities -------------------------------------------------------------------
    @property
    def p_barg(self) -> F64:
        return (self.p_pa - self.network.ambient_pa) / BAR_PA

    def node_injection_kg_s(self) -> F64:
        """Supply minus demand at every node (compressor fuel not included)."""
        cn = self.network
        inj = np.zeros(cn.n_nodes)
        np.add.at(inj, cn.source_node, self.source_supply_kg_s)
        np.subtract.at(inj, cn.sink_node, cn.sink_demand)
        return inj

    def comp_reverse(self) -> NDArray[np.bool_]:
        """Which compressors compress backwards (from ``to`` to ``from``: bidirectional stations)."""
        rev = getattr(self.control, "comp_reverse", None)
        return np.zeros(len(self.network.comp_edge), dtype=bool) if rev is None else np.asarray(rev, dtype=bool)

    def comp_suction_node(self) -> NDArray[np.int64]:
        """Node index of every compressor's suction (where its fuel is drawn): ``from``, or ``to`` backwards."""
        cn = self.network
        ce = cn.comp_edge
        return np.where(self.comp_reverse(), cn.edge_to[ce], cn.edge_from[ce]).astype(np.int64)

    def comp_ratio(self) -> F64:
        """Compression ratio discharge / suction of every compressor, in the direction it compresses."""
        cn = self.network
        ce = cn.comp_edge
        rev = self.comp_reverse()
        p_from, p_to = self.p_pa[cn.edge_from[ce]], self.p_pa[cn.edge_to[ce]]
        return np.where(rev, p_from / p_to, p_to / p_from)

    def molar_mass_res(self) -> F64:
        """Molar mass [kg/mol] of the gas in every pipe and resistor (the network gas unless mixtures were tracked)."""
        if self.props is not None:
            return np.asarray(self.props.res_molar_mass, dtype=float)
        return np.full(len(self.network.res_edge), self.network.gas.molar_mass_kg_per_mol)

    def res_temperature_k(self) -> F64:
        """Gas temperature [K] that the law of every pipe and resistor used: its mean temperature in a non-isothermal
        solve, else the network temperature."""
        cn = self.network
        if cn.res_temperature_k is not None:
            return np.asarray(cn.res_temperature_k, dtype=float)
        return np.full(len(cn.res_edge), cn.gas.temperature_k)

    @cached_property
    def quality(self) -> Any:
        """Gas quality at nodes, in pipes, delivered and supplied, with energy flows
        (:class:`linepack.quality.results.SteadyQuality`; None when the network gas has no composition)."""
        from .quality.results import steady_quality

        return steady_quality(self)

    def pipe_linepack_kg(self) -> F64:
        """Gas mass stored in each pipe at the steady state: rho(p_m) * volume."""
        cn = self.network
        rho = self.p_mean_pa * self.molar_mass_res() / (self.z_avg * R_J_PER_MOL_K * self.res_temperature_k())
        vol = np.pi * cn.diameter_m**2 / 4.0 * cn.length_m
        return np.where(cn.res_is_pipe, rho * vol, 0.0)

    def unit_points(self) -> UnitPoints | None:
        """Operating point of every compressor unit (None when no station has units): speed, flow, head,
        efficiency, power, fuel, recycle, surge and choke margins (:mod:`linepack.stations.points`)."""
        cn = self.network
        if cn.stations is None:
            return None
        config = getattr(self.control, "station_config", None)
        return unit_points(cn, self.p_pa, self.q_kg_s, self.comp_mode, config, self.comp_reverse(), self.props)

    def throughput_kg_s(self) -> float:
        return float(np.sum(self.source_supply_kg_s))

    def total_demand_kg_s(self) -> float:
        return float(np.sum(self.network.sink_demand))

    def balance(self) -> dict[str, Any]:
        """The gas balance on one basis, so the figures add up: supply = demand + compressor fuel.

        Mass (kg/s) is the basis; the MMSCFD figures are that mass as standard volume of the network gas
        (``settings.gas``, 60 F and 14.696 psia), named in ``basis``. A source of another gas delivers a
        different standard volume for the same mass: its own-gas MMSCFD are in the sources table
        (``supply_mmscfd``), not summed here. Returns ``basis``, ``supply``, ``demand``, ``fuel`` and
        ``closure`` (supply - demand - fuel, round-off only) in kg/s and MMSCFD.
        """
        basis = self.network.gas.basis
        supply = float(np.sum(self.source_supply_kg_s))
        demand = float(np.sum(self.network.sink_demand))
        fuel = float(np.sum(self.comp_fuel_kg_s))
        closure = supply - demand - fuel
        out: dict[str, Any] = {
            "basis": f"mass; MMSCFD of the network gas {basis.gas_name} at 60 F and 14.696 psia",
        }
        for name, value in (("supply", supply), ("demand", demand), ("fuel", fuel), ("closure", closure)):
            out[f"{name}_kg_s"] = value
            out[f"{name}_mmscfd"] = basis.kg_s_to_mmscfd(value)
        return out

    # --- labelled tables (pandas) ---------------------------------------------------------------
    def table(self, kind: str) -> Any:
        """One result table as a pandas DataFrame indexed by id, the columns of the result-file contract with
        units in their names: ``nodes``, ``pipes``, ``compressors``, ``regulators``, ``valves``,
        ``short_pipes``, ``resistors``, ``sources``, ``sinks``. Needs pandas (``linepack[data]``)."""
        from .frames import RESULT_TABLES, records_frame
        from .model.errors import suggest

        if kind not in RESULT_TABLES:
            raise InputError(
                f"unknown result table '{kind}'{suggest(kind, list(RESULT_TABLES))}; "
                f"choose one of {', '.join(RESULT_TABLES)}"
            )
        return records_frame(self.to_dict()[kind])

    def tables(self) -> dict[str, Any]:
        """Every result table (see :meth:`table`) by name."""
        from .frames import steady_tables

        return steady_tables(self.to_dict())

    @property
    def nodes(self) -> Any:
        """Nodes: p_bar (absolute), p_barg, injection_kg_s, elevation_m, lat, lon; index: node id."""
        return self.table("nodes")

    @property
    def pipes(self) -> Any:
        """Pipes: from, to, mass_flow_kg_s, p_in_bar, p_out_bar, length_m, diameter_m, ..., linepack_kg."""
        return self.table("pipes")

    @property
    def compressors(self) -> Any:
        """Compressor stations: from, to, mass_flow_kg_s, ratio, power_mw, fuel_kg_s, mode."""
        return self.table("compressors")

    @property
    def regulators(self) -> Any:
        return self.table("regulators")

    @property
    def valves(self) -> Any:
        return self.table("valves")

    @property
    def short_pipes(self) -> Any:
        return self.table("short_pipes")

    @property
    def resistors(self) -> Any:
        return self.table("resistors")

    @property
    def sources(self) -> Any:
        """Sources: node, supply_kg_s, supply_mmscfd (at the source's own gas), gas, supply_mmscfd_network_gas
        (on the basis of :meth:`balance`, so the column adds up)."""
        return self.table("sources")

    @property
    def sinks(self) -> Any:
        """Sinks: node, demand_kg_s, demand_mmscfd (at the network gas, on the basis of :meth:`balance`), p_barg,
        p_min_barg; with gas quality also the delivered gas's figures (gcv_mj_m3, wobbe_mj_m3, h2_mol_pct, ...),
        demand_mmscfd_delivered_gas (standard volume of the gas received), energy_mw and energy_mmbtu_d."""
        return self.table("sinks")

    # --- result file contract -----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The result as documented in README.md (the result-file contract)."""
        cn = self.network
        gas = cn.gas
        pb = self.p_pa / BAR_PA
        inj = self.node_injection_kg_s()
        nodes = [
            {
                "id": nid,
                "p_bar": pb[i],
                "p_barg": pb[i] - cn.ambient_pa / BAR_PA,
                "injection_kg_s": inj[i],
                "elevation_m": cn.elevation_m[i],
                "lat": None if math.isnan(cn.lat[i]) else cn.lat[i],
                "lon": None if math.isnan(cn.lon[i]) else cn.lon[i],
            }
            for i, nid in enumerate(cn.node_ids)
        ]
        th = self.thermal
        if th is not None:  # non-isothermal: the gas temperature of every node (isothermal output unchanged)
            for i, rec in enumerate(nodes):
                rec["temperature_c"] = float(th.node_t_k[i]) - 273.15
        t_res = self.res_temperature_k()
        ef, et = cn.edge_from, cn.edge_to
        lp = self.pipe_linepack_kg()
        v_in = self.inlet_velocity_m_s()
        molar = self.molar_mass_res()
        qual = self.quality
        if qual is not None:
            for i, rec in enumerate(nodes):
                rec.update(_figures(qual.node, i))
                rec["mole_fractions"] = _fractions(qual.node_x[i])
        pipes, resistors = [], []
        for k, e in enumerate(cn.res_edge):
            i, j = ef[e], et[e]
            rec = {
                "id": cn.edge_ids[e],
                "from": cn.node_ids[i],
                "to": cn.node_ids[j],
                "mass_flow_kg_s": self.q_kg_s[e],
                "p_in_bar": pb[i],
                "p_out_bar": pb[j],
                "length_m": cn.length_m[k],
                "diameter_m": cn.diameter_m[k],
                "elevation_change_m": cn.dh_m[k],
                "friction_factor": self.friction_factor[k],
                "z_avg": self.z_avg[k],
                "temperature_k": float(t_res[k]),
                "molar_mass_kg_per_mol": molar[k],
                "reynolds": self.reynolds[k],
                "velocity_in_m_s": v_in[k],
                "linepack_kg": lp[k],
            }
            if qual is not None:
                rec.update(_figures(qual.edge, k))
            if cn.res_is_pipe[k]:
                pipes.append(rec)
            else:
                resistors.append(
                    {kk: rec[kk] for kk in ("id", "from", "to", "mass_flow_kg_s", "p_in_bar", "p_out_bar")}
                )
        for e in cn.fixed_loss_edge:
            i, j = ef[e], et[e]
            resistors.append(
                {
                    "id": cn.edge_ids[e],
                    "from": cn.node_ids[i],
                    "to": cn.node_ids[j],
                    "mass_flow_kg_s": self.q_kg_s[e],
                    "p_in_bar": pb[i],
                    "p_out_bar": pb[j],
                }
            )
        ratio = self.comp_ratio()
        rev = self.comp_reverse()
        suction = self.comp_suction_node()
        compressors = [
            {
                "id": cn.edge_ids[e],
                "from": cn.node_ids[ef[e]],
                "to": cn.node_ids[et[e]],
                "mass_flow_kg_s": self.q_kg_s[e],
                "ratio": ratio[k],
                "power_mw": self.comp_power_w[k] / 1e6,
                "fuel_kg_s": self.comp_fuel_kg_s[k],
                "suction": cn.node_ids[suction[k]],
                "direction": "backward" if rev[k] else "forward",
                "mode": COMP_MODE_TEXT[CompMode(self.comp_mode[k])],
            }
            for k, e in enumerate(cn.comp_edge)
        ]
        regulators = [
            {
                "id": cn.edge_ids[e],
                "from": cn.node_ids[ef[e]],
                "to": cn.node_ids[et[e]],
                "mass_flow_kg_s": self.q_kg_s[e],
                "p_in_bar": pb[ef[e]],
                "p_out_bar": pb[et[e]],
                "mode": REG_MODE_TEXT[RegMode(self.reg_mode[k])],
            }
            for k, e in enumerate(cn.reg_edge)
        ]
        if th is not None:
            _station_temperatures(th, cn, compressors, regulators)
        valves, short_pipes = [], []
        open_edges = set(cn.tie_edge.tolist())
        for e in np.flatnonzero((cn.edge_kind == EdgeKind.VALVE) | (cn.edge_kind == EdgeKind.SHORT_PIPE)):
            rec = {
                "id": cn.edge_ids[e],
                "from": cn.node_ids[ef[e]],
                "to": cn.node_ids[et[e]],
                "mass_flow_kg_s": self.q_kg_s[e],
            }
            if cn.edge_kind[e] == EdgeKind.VALVE:
                rec["open"] = bool(e in open_edges)
                valves.append(rec)
            else:
                short_pipes.append(rec)
        sources = [
            {
                "id": sid,
                "node": cn.node_ids[cn.source_node[k]],
                "supply_kg_s": self.source_supply_kg_s[k],
                "supply_mmscfd": cn.source_basis[k].kg_s_to_mmscfd(self.source_supply_kg_s[k]),
                "gas": cn.source_basis[k].gas_name,
                "supply_mmscfd_network_gas": gas.basis.kg_s_to_mmscfd(self.source_supply_kg_s[k]),
            }
            for k, sid in enumerate(cn.source_ids)
        ]
        sinks = [
            {
                "id": kid,
                "node": cn.node_ids[cn.sink_node[k]],
                "demand_kg_s": cn.sink_demand[k],
                "demand_mmscfd": gas.basis.kg_s_to_mmscfd(cn.sink_demand[k]),
                "p_barg": pb[cn.sink_node[k]] - cn.ambient_pa / BAR_PA,
                "p_min_barg": (cn.sink_p_min_pa[k] - cn.ambient_pa) / BAR_PA,
            }
            for k, kid in enumerate(cn.sink_ids)
        ]
        quality_doc: dict[str, Any] | None = None
        if qual is not None:
            q = cn.quality
            assert q is not None
            for k, rec in enumerate(sources):
                rec["gas"] = qual.gas_set.names[q.source_gas[k]]
                rec.update(_figures(qual.source, k))
                rec["energy_mw"] = qual.source_energy_mw[k]
                rec["energy_mmbtu_d"] = qual.source_energy_mmbtu_d[k]
            delivered_mmscfd = self.sink_mmscfd()
            for k, rec in enumerate(sinks):
                rec.update(_figures(qual.sink, k))
                rec["mole_fractions"] = _fractions(qual.node_x[cn.sink_node[k]])
                rec["demand_mmscfd_delivered_gas"] = delivered_mmscfd[k]
                rec["energy_mw"] = qual.sink_energy_mw[k]
                rec["energy_mmbtu_d"] = qual.sink_energy_mmbtu_d[k]
            supplied, delivered, fuel = qual.energy_balance_mw()
            quality_doc = {
                "reference": qual.reference_name,
                "mixing": qual.mixing,
                "gases": {g.name: g.as_dict() for g in qual.gas_set.gases},
                "energy_supplied_mw": supplied,
                "energy_delivered_mw": delivered,
                "energy_fuel_mw": fuel,
            }
        doc: dict[str, Any] = {
            "converged": self.converged,
            "iterations": self.iterations,
            "scenario": cn.scenario,
            "network": cn.name,
            "message": self.message,
            "gas": {
                "name": gas.name,
                "molar_mass_kg_per_mol": gas.molar_mass_kg_per_mol,
                "temperature_k": gas.temperature_k,
                "compressibility": getattr(gas.compressibility, "name", ""),
            },
            "throughput_kg_s": self.throughput_kg_s(),
            "balance": self.balance(),
            "linepack_kg": float(np.sum(lp)),
            "nodes": nodes,
            "pipes": pipes,
            "compressors": compressors,
            "regulators": regulators,
            "valves": valves,
            "short_pipes": short_pipes,
            "resistors": resistors,
            "sources": sources,
            "sinks": sinks,
            "compressor_units": units.rows() if (units := self.unit_points()) is not None else [],
            "active_bounds": list(self.active_bounds),
            "violations": list(self.violations),
            "warnings": list(self.warnings),
        }
        if quality_doc is not None:
            doc["quality"] = quality_doc
        return _clean(doc)

    def edge_mmscfd(self) -> F64:
        """Flow of every edge in MMSCFD of the gas it carries (60 F / 14.696 psia)."""
        cn = self.network
        qual = self.quality
        factor = cn.gas.basis.kg_s_to_mmscfd(1.0)
        if qual is None or not qual.mixing:
            return np.asarray(self.q_kg_s * factor)
        from .gas.conditions import US_60F
        from .gas.iso6976 import density_kg_per_m3
        from .units import MMSCF_M3, SECONDS_PER_DAY

        rho60 = density_kg_per_m3(qual.gas_set.components(qual.edge_w), US_60F)
        return np.asarray(self.q_kg_s / rho60 * SECONDS_PER_DAY / MMSCF_M3)

    def sink_mmscfd(self) -> F64:
        """Demand of every sink in MMSCFD of the gas it receives (60 F / 14.696 psia)."""
        cn = self.network
        qual = self.quality
        if qual is None or not qual.mixing:
            return np.array([cn.gas.basis.kg_s_to_mmscfd(m) for m in cn.sink_demand])
        from .gas.conditions import US_60F
        from .gas.iso6976 import density_kg_per_m3
        from .units import MMSCF_M3, SECONDS_PER_DAY

        rho60 = density_kg_per_m3(qual.node_x[cn.sink_node], US_60F)
        return np.asarray(cn.sink_demand / rho60 * SECONDS_PER_DAY / MMSCF_M3)

    def inlet_velocity_m_s(self) -> F64:
        """Mean gas velocity [m/s] at the inlet (``from`` end) of every pipe and resistor, Z at that pressure."""
        cn = self.network
        p_in = self.p_pa[cn.edge_from[cn.res_edge]]
        if self.props is not None:
            z, _ = self.props.z_res(p_in)
        else:
            z, _ = z_at(cn, p_in) if cn.res_temperature_k is None else z_res_at(cn, p_in)
        rho = p_in * self.molar_mass_res() / (z * R_J_PER_MOL_K * self.res_temperature_k())
        area = np.pi * cn.diameter_m**2 / 4.0
        return np.asarray(self.q_kg_s[cn.res_edge] / (rho * area), dtype=float)

    def to_json(self, path: str | Path) -> None:
        atomic_write_text(path, json.dumps(self.to_dict(), indent=2) + "\n")

    def to_csv_text(self) -> str:
        """One table: a row per node, pipe, compressor, regulator, valve, source and sink."""
        doc = self.to_dict()
        cols = [
            "kind",
            "id",
            "from",
            "to",
            "node",
            "p_bar",
            "p_barg",
            "p_in_bar",
            "p_out_bar",
            "mass_flow_kg_s",
            "injection_kg_s",
            "supply_kg_s",
            "demand_kg_s",
            "ratio",
            "power_mw",
            "fuel_kg_s",
            "mode",
            "length_m",
            "diameter_m",
            "elevation_change_m",
            "friction_factor",
            "z_avg",
            "temperature_k",
            "molar_mass_kg_per_mol",
            "linepack_kg",
            "station",
            "configuration",
            "state",
            "speed_rpm",
            "flow_m3_s",
            "head_kj_per_kg",
            "efficiency",
            "power_avail_mw",
            "recycle_kg_s",
            "surge_margin",
            "choke_margin",
        ]
        if self.thermal is not None:  # non-isothermal: temperatures and duties (isothermal columns unchanged)
            cols += [
                "temperature_c",
                "suction_temperature_c",
                "discharge_temperature_c",
                "inlet_temperature_c",
                "outlet_temperature_c",
                "cooler_duty_mw",
                "preheater_duty_mw",
            ]
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        from .frames import RESULT_TABLES

        for kind in RESULT_TABLES:
            for rec in doc[kind]:
                w.writerow({"kind": kind[:-1], **rec})
        return buf.getvalue()

    def save(self, path: str | Path) -> None:
        """Write the result as .json or .csv (by suffix), atomically."""
        p = Path(path)
        if p.suffix.lower() == ".json":
            self.to_json(p)
        elif p.suffix.lower() == ".csv":
            atomic_write_text(p, self.to_csv_text())
        else:
            raise InputError(f"{p}: unknown result file type '{p.suffix}'; use .json or .csv")


def _station_temperatures(th: Any, cn: CompiledNetwork, compressors: list[Any], regulators: list[Any]) -> None:
    """Add the temperatures [C] and duties [MW] of a non-isothermal result to the station records (in place)."""
    edge = {eid: i for i, eid in enumerate(cn.edge_ids)}
    kelvin = 273.15
    comp = {cid: j for j, cid in enumerate(th.compressor_ids)}
    for rec in compressors:
        j = comp.get(rec["id"])
        if j is None:
            continue
        e = edge[rec["id"]]
        rec["suction_temperature_c"] = float(th.edge_t_inlet_k[e]) - kelvin
        rec["discharge_temperature_c"] = float(th.comp_discharge_t_k[j]) - kelvin  # before the after-cooler
        rec["outlet_temperature_c"] = float(th.edge_t_outlet_k[e]) - kelvin
        rec["cooler_duty_mw"] = float(th.cooler_duty_w[j]) / 1e6
        rec["over_discharge_limit"] = bool(th.comp_over_limit[j])
    reg = {rid: j for j, rid in enumerate(th.regulator_ids)}
    for rec in regulators:
        j = reg.get(rec["id"])
        if j is None:
            continue
        e = edge[rec["id"]]
        rec["inlet_temperature_c"] = float(th.edge_t_inlet_k[e]) - kelvin
        rec["outlet_temperature_c"] = float(th.edge_t_outlet_k[e]) - kelvin
        rec["preheater_duty_mw"] = float(th.preheater_duty_w[j]) / 1e6


_FIGURES = ("gcv_mj_m3", "ncv_mj_m3", "gcv_mj_kg", "wobbe_mj_m3", "relative_density", "h2_mol_pct")


def _figures(figs: Any, i: int) -> dict[str, float]:
    """The quality figures of entry ``i`` (a linepack.gas.quality.QualityFigures) for the result file."""
    return {name: float(getattr(figs, name)[i]) for name in _FIGURES}


def _fractions(x: F64) -> dict[str, float]:
    """Non-zero component mole fractions by canonical name."""
    from .gas.components import COMPONENTS

    return {c: float(v) for c, v in zip(COMPONENTS, x, strict=True) if v > 0.0}


def _clean(obj: Any) -> Any:
    """Plain Python types for JSON (numpy scalars to float/int, NaN to None)."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.bool_ | bool):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating | float):
        f = float(obj)
        return None if math.isnan(f) or math.isinf(f) else f
    return obj
