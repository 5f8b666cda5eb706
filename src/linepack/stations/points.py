"""Every unit's operating point at a solution: speed, flow, head, efficiency, power, fuel, surge and choke margins.

One row per unit of every station with units, running or not. Surge margin is ``(Q - Q_surge) / Q`` and choke
margin ``(Q_choke - Q) / Q`` with the surge and choke flows of the unit's own speed line (how much less or more
flow it takes at its present speed before it surges or chokes; positive inside the map). A unit that makes more
head than the station asks (below the map's lower edge) is throttled by that difference; one held at its surge
line recycles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode
from ..quality.properties import GasProps, RowsZ
from .envelope import HI_CHOKE, HI_DRIVER, HI_MAX_SPEED
from .poly import in_q, root
from .station import StationEval, SuctionGas, ZFunction, evaluate
from .units import CompiledStations

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

LIMIT_TEXT = {HI_MAX_SPEED: "maximum speed", HI_CHOKE: "choke line", HI_DRIVER: "driver power", 3: "maximum speed"}


def suction_gas(cn: CompiledNetwork, props: GasProps | None = None) -> SuctionGas:
    """The gas entering each station with units: the network gas (one gas at one temperature), or with ``props``
    (the gas of every compressor when the network's gases mix, :class:`linepack.quality.properties.GasProps`)
    each station's own suction gas: its molar mass, isentropic exponent, fuel calorific value and Z (the
    mixture's, at any pressure: a stage's inlet too).
    """
    cs = cn.stations
    n = len(cs) if cs is not None else 0
    g = cn.gas
    model = g.compressibility
    if props is not None and not props.uniform and cs is not None:
        ck = cs.comp_k
        return SuctionGas(
            t_k=np.full(n, props.temperature_k),
            molar_mass=np.asarray(props.comp_molar_mass[ck], dtype=float),
            kappa=np.asarray(props.comp_kappa[ck], dtype=float),
            lhv_j_per_kg=np.asarray(props.comp_fuel_lhv_j_per_kg[ck], dtype=float),
            z=_station_z(props, ck),
        )

    t_suction = cn.comp_suction_temperature_k  # non-isothermal: each station's own suction temperature
    if t_suction is not None and cs is not None:
        t_k = np.asarray(t_suction, dtype=float)[cs.comp_k]

        def z(p: F64, t: F64, station: I64) -> tuple[F64, F64]:
            zz, dz = model.z_and_dz_dp(np.asarray(p, dtype=float), np.broadcast_to(t, np.shape(p)))
            return np.asarray(zz, dtype=float), np.asarray(dz, dtype=float)

    else:
        t_k = np.full(n, g.temperature_k)

        def z(p: F64, t: F64, station: I64) -> tuple[F64, F64]:
            zz, dz = model.z_and_dz_dp(np.asarray(p, dtype=float), float(g.temperature_k))
            return np.asarray(zz, dtype=float), np.asarray(dz, dtype=float)

    return SuctionGas(
        t_k=t_k,
        molar_mass=np.full(n, g.molar_mass_kg_per_mol),
        kappa=np.full(n, g.kappa if g.kappa is not None else np.nan),
        lhv_j_per_kg=np.full(n, g.lhv_j_per_kg if g.lhv_j_per_kg is not None else np.inf),
        z=z,
    )


def _station_z(props: GasProps, comp_k: I64) -> ZFunction:
    """Z of each station's suction gas at any pressure (``station``: the station of every point)."""
    zc = props.z_comp
    # the mixture rows of the compressors' suction nodes: the steady coupling's series (RowsZ) or the transient's
    # local expansions of the same series (LocalZ), evaluated exactly at the stage pressures
    table = zc.table if isinstance(zc, RowsZ) else getattr(zc, "series", None)
    if table is not None and hasattr(table, "evaluate") and hasattr(zc, "rows"):
        rows = np.asarray(zc.rows, dtype=np.int64)[comp_k]

        def z_rows(p: F64, t: F64, station: I64) -> tuple[F64, F64]:
            zz, dz = table.evaluate(rows[np.asarray(station, dtype=np.int64)], np.asarray(p, dtype=float))
            return np.asarray(zz, dtype=float), np.asarray(dz, dtype=float)

        return z_rows
    n_comp = len(props.comp_kappa)

    def z_each(p: F64, t: F64, station: I64) -> tuple[F64, F64]:
        # an evaluator of one pressure per compressor: one call per station present
        p = np.asarray(p, dtype=float)
        st = np.asarray(station, dtype=np.int64)
        zz, dz = np.empty_like(p), np.empty_like(p)
        for s in np.unique(st):
            at = st == s
            full = np.full(n_comp, float(np.mean(p[at])))
            for j in np.flatnonzero(at):
                full[comp_k[s]] = p[j]
                a, b = zc(full)
                zz[j], dz[j] = a[comp_k[s]], b[comp_k[s]]
        return zz, dz

    return z_each


def running(cn: CompiledNetwork, comp_mode: I64) -> NDArray[np.bool_]:
    """Stations (of ``cn.stations``) whose units run: not bypassed, not closed."""
    cs = cn.stations
    assert cs is not None
    mode = np.asarray(comp_mode)[cs.comp_k]
    return np.asarray((mode != CompMode.BYPASS) & (mode != CompMode.OFF))


@dataclass(frozen=True)
class UnitPoints:
    """Operating points of all units (one row per unit of ``cn.stations.units``; NaN where a unit stands by)."""

    unit_ids: tuple[str, ...]
    station_ids: tuple[str, ...]
    configuration: tuple[str, ...]  # the station's running configuration ("" when the station does not run)
    stage: I64  # serial stage (1-based) in that configuration; 0: standby
    state: tuple[str, ...]
    limit: tuple[str, ...]  # what limits the unit's largest flow at this head
    speed_rpm: F64
    speed_fraction: F64  # of the maximum speed
    flow_m3_s: F64  # actual inlet volume flow through the unit (recycle included)
    head_kj_per_kg: F64  # isentropic head the unit makes
    head_asked_kj_per_kg: F64  # what its stage's pressures ask (lower when throttled)
    efficiency: F64
    power_mw: F64
    power_avail_mw: F64
    load: F64  # power / available power
    energy_mw: F64  # driver energy input (fuel or electricity)
    fuel_kg_s: F64
    recycle_kg_s: F64
    surge_margin: F64
    choke_margin: F64
    p_suction_bar: F64
    rho_kg_m3: F64  # gas density at the unit's suction

    def rows(self) -> list[dict[str, Any]]:
        """Plain records (for JSON, CSV and tables)."""
        out = []
        for i, uid in enumerate(self.unit_ids):
            out.append(
                {
                    "id": uid,
                    "station": self.station_ids[i],
                    "configuration": self.configuration[i],
                    "stage": int(self.stage[i]),
                    "state": self.state[i],
                    "limit": self.limit[i],
                    "speed_rpm": self.speed_rpm[i],
                    "speed_fraction": self.speed_fraction[i],
                    "flow_m3_s": self.flow_m3_s[i],
                    "head_kj_per_kg": self.head_kj_per_kg[i],
                    "head_asked_kj_per_kg": self.head_asked_kj_per_kg[i],
                    "efficiency": self.efficiency[i],
                    "power_mw": self.power_mw[i],
                    "power_avail_mw": self.power_avail_mw[i],
                    "load": self.load[i],
                    "energy_mw": self.energy_mw[i],
                    "fuel_kg_s": self.fuel_kg_s[i],
                    "recycle_kg_s": self.recycle_kg_s[i],
                    "surge_margin": self.surge_margin[i],
                    "choke_margin": self.choke_margin[i],
                    "p_suction_bar": self.p_suction_bar[i],
                    "rho_kg_m3": self.rho_kg_m3[i],
                }
            )
        return out


def _state(ev: StationEval, i: int, cs: CompiledStations) -> str:
    u = int(ev.pair_unit[i])
    un = cs.units
    h, ha = float(np.real(ev.head[i])), float(np.real(ev.head_asked[i]))
    n = float(np.real(ev.speed_rpm[i]))
    rec = float(np.real(ev.rho[i] * (ev.q_m3_s[i] - ev.q_net_m3_s[i])))
    q, hi = float(np.real(ev.q_m3_s[i])), float(np.real(ev.q_hi[i]))
    words = []
    if rec > 1e-6 * max(q, 1e-9) * float(np.real(ev.rho[i])):
        words.append("recycling at the surge line" if un.kind[u] == 0 else "recycling at minimum speed")
    if h > ha * (1 + 1e-6) + 1e-9:
        words.append("throttled at minimum speed" if n <= un.n_min[u] * (1 + 1e-6) else "throttled at the choke line")
    if q >= hi * (1 - 1e-6):
        words.append(f"at {LIMIT_TEXT[int(ev.hi_code[i])]}")
    if n > un.n_max[u] * (1 + 1e-6):
        words.append("beyond maximum speed")
    return ", ".join(words) or "in the map"


def station_ends(
    cn: CompiledNetwork, p_pa: F64, q_kg_s: F64, reverse: NDArray[np.bool_] | None = None
) -> tuple[F64, F64, F64]:
    """Per station with units: its throughput, suction and discharge pressure in the direction it compresses
    (``reverse``, per compressor: a bidirectional station running from its ``to`` to its ``from``)."""
    cs = cn.stations
    assert cs is not None
    ce = cn.comp_edge[cs.comp_k]
    rev = np.zeros(len(ce), dtype=bool) if reverse is None else np.asarray(reverse, dtype=bool)[cs.comp_k]
    a, b = cn.edge_from[ce], cn.edge_to[ce]
    p = np.asarray(p_pa, dtype=float)
    m = np.asarray(q_kg_s, dtype=float)[ce] * np.where(rev, -1.0, 1.0)
    return m, p[np.where(rev, b, a)], p[np.where(rev, a, b)]


def pair_columns(cs: CompiledStations, ev: StationEval) -> dict[str, F64]:
    """The numeric columns of :class:`UnitPoints` for every running unit of ``ev`` (its pairs, in pair order)."""
    un = cs.units
    idx = ev.pair_unit
    h = np.real(ev.head)
    q = np.real(ev.q_m3_s)
    n_run = np.real(ev.speed_rpm)
    a, b, c0 = in_q(un.head[idx], n_run)
    q_surge, _ = root(a - un.surge[idx, 2], b - un.surge[idx, 1], c0 - un.surge[idx, 0], 0.0, -1)
    q_choke, _ = root(a - un.choke[idx, 2], b - un.choke[idx, 1], c0 - un.choke[idx, 0], 0.0, -1)
    turbo = un.kind[idx] == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        surge = np.where(turbo, (q - q_surge) / q, np.nan)
        choke = np.where(turbo, (q_choke - q) / q, np.nan)
    return {
        "surge_margin": surge,
        "choke_margin": choke,
        "speed_rpm": np.real(ev.speed_rpm),
        "flow_m3_s": q,
        "head_kj_per_kg": h / 1e3,
        "head_asked_kj_per_kg": np.real(ev.head_asked) / 1e3,
        "efficiency": np.real(ev.efficiency),
        "power_mw": np.real(ev.unit_power_w) / 1e6,
        "power_avail_mw": np.real(ev.power_avail_w) / 1e6,
        "energy_mw": np.real(ev.unit_energy_w) / 1e6,
        "fuel_kg_s": np.real(ev.unit_fuel_kg_s),
        "recycle_kg_s": np.maximum(np.real(ev.rho * (ev.q_m3_s - ev.q_net_m3_s)), 0.0),
        "p_suction_bar": np.real(ev.p_in_pa) / 1e5,
        "rho_kg_m3": np.real(ev.rho),
    }


def unit_points(
    cn: CompiledNetwork,
    p_pa: F64,
    q_kg_s: F64,
    comp_mode: I64,
    config: I64 | None = None,
    reverse: NDArray[np.bool_] | None = None,
    props: GasProps | None = None,
) -> UnitPoints | None:
    """The operating points of every unit at pressures ``p_pa`` (per node), flows ``q_kg_s`` (per edge) and
    compressor modes; ``config`` is each station's running configuration (None: chosen by the rule of
    :mod:`.choice` at this point); ``reverse`` which compressors run backwards (bidirectional stations); ``props``
    the gas of every compressor when the network's gases mix (default: the network gas)."""
    cs = cn.stations
    if cs is None:
        return None
    from .choice import choose

    gas = suction_gas(cn, props)
    m, ps, pd = station_ends(cn, p_pa, q_kg_s, reverse)
    if config is None:
        config = choose(cs, gas, m, ps, pd).config
    run = running(cn, comp_mode) & (m > 0.0)
    n_u = len(cs.units)
    nan = np.full(n_u, np.nan)
    cols: dict[str, F64] = {
        k: nan.copy()
        for k in (
            "speed_rpm",
            "flow_m3_s",
            "head_kj_per_kg",
            "head_asked_kj_per_kg",
            "efficiency",
            "power_mw",
            "power_avail_mw",
            "energy_mw",
            "fuel_kg_s",
            "recycle_kg_s",
            "surge_margin",
            "choke_margin",
            "p_suction_bar",
            "rho_kg_m3",
        )
    }
    stage = np.zeros(n_u, dtype=np.int64)
    state = ["standby"] * n_u
    limit = [""] * n_u
    conf = [""] * n_u
    for s in np.flatnonzero(~running(cn, comp_mode)):
        for u in np.flatnonzero(cs.units.station == s):
            state[u] = "stopped (station bypassed or closed)"
    slots = np.flatnonzero(run)
    if len(slots):
        ev = evaluate(cs, gas, slots, config[slots], m[slots], ps[slots], pd[slots])
        idx = ev.pair_unit
        for name, values in pair_columns(cs, ev).items():
            cols[name][idx] = values
        stage[idx] = ev.pair_stage + 1
        for i, u in enumerate(idx):
            state[u] = _state(ev, i, cs)
            limit[u] = LIMIT_TEXT[int(ev.hi_code[i])]
            conf[u] = cs.configs.ids[int(ev.slot_config[ev.pair_slot[i]])]
    with np.errstate(divide="ignore", invalid="ignore"):
        load = cols["power_mw"] / cols["power_avail_mw"]
        frac = cols["speed_rpm"] / cs.units.n_max
    return UnitPoints(
        unit_ids=cs.units.ids,
        station_ids=tuple(cs.ids[s] for s in cs.units.station),
        configuration=tuple(conf),
        stage=stage,
        state=tuple(state),
        limit=tuple(limit),
        speed_fraction=frac,
        load=load,
        **cols,
    )
