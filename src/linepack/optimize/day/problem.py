"""The day-ahead problem on its grid: decisions per control period, their bounds and ramps, the limits of the
state at every point and step, and the objective's prices and weights (SI units; money in USD).

Controls (one column per control period, rows in this order):

* one per compressor: the discharge pressure [Pa] of a station in pressure control, the ratio of one in
  ratio control (stations the scenario has in bypass or closed stay so; their row is unused);
* one per regulator in pressure control: the outlet pressure [Pa];
* one per pressure-held source: its send-out pressure [Pa] (it supplies what the network draws, up to its
  capacity);
* one per flow source: its send-out [kg/s] when it is free (``DaySpec.free_supply``), else the shortfall
  from its nomination (<= 0; only sources with a maximum send-out pressure may fall short, at a penalty);
* one per sink: the gas not delivered [kg/s] (0 unless shedding is allowed).

A pressure-controlled station that may be switched off runs or is bypassed for whole control periods
(``comp_on``); it is handed to the simulator as a set-point below its suction pressure when off, which
the simulator's control rules turn into a bypass, exactly as the model assumes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

from ...compile import CompiledNetwork, CompMode, RegMode
from ...errors import InputError
from ...units import BAR_PA
from ..economics import J_PER_MMBTU
from ..limits import P_FLOOR_PA, node_limits
from ..problems import SHORTFALL_FACTOR
from .grid import DayGrid
from .prices import flat_prices
from .spec import DaySpec, EndMode, StartMode

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
J_PER_MWH = 3.6e9


class CompCode(IntEnum):
    PRESSURE = 0  # discharge pressure scheduled
    RATIO = 1  # ratio scheduled
    BYPASS = 2  # fixed by the scenario
    CLOSED = 3


class RegCode(IntEnum):
    PRESSURE = 0  # outlet pressure scheduled
    OPEN = 1
    CLOSED = 2


@dataclass(frozen=True)
class DayProblem:
    """See the module docstring. Per-step arrays have one row per step 1..N; control arrays one column per
    period. ``p_lo``/``p_hi`` bound every point of the segmented network at every step (``*_why`` name the
    limit); delivery minima are kept apart (``deliv_*``) so that an infeasible day can relax them."""

    grid: DayGrid
    spec: DaySpec
    comp_code: I64
    comp_switchable: NDArray[np.bool_]
    comp_on0: NDArray[np.bool_]  # nc x K: initial running pattern (the default day's)
    reg_code: I64
    held: I64  # pressure-held sources (indices into source ids), in the simulator's order
    flow: I64  # flow sources
    flow_free: NDArray[np.bool_]
    u_lo: F64  # nu x K
    u_hi: F64
    u_init: F64  # nu: in force before the first period (ramp anchor)
    ramp: F64  # nu: largest change between consecutive periods (inf: none)
    u_labels: tuple[str, ...]
    u_units: tuple[str, ...]
    p_lo: F64
    p_hi: F64
    p_lo_why: tuple[str, ...]
    p_hi_why: tuple[str, ...]
    deliv_node: I64
    deliv_p_min: F64
    deliv_label: tuple[str, ...]
    supply_lo: F64  # held sources
    supply_hi: F64
    demand: F64  # N x sinks
    inflow: F64  # N x flow sources (nomination; 0 where free)
    dt: F64  # N
    shed_max: F64  # sinks x K
    price_supply: F64  # N x sources [USD/kg]
    price_fuel: F64  # N [USD/kg]
    price_elec: F64  # N [USD/J]
    shed_penalty: F64  # sinks [USD/kg]
    shortfall_weight: F64  # flow sources [objective units per kg short]
    lp_target_kg: float  # nan: no end constraint
    hhv_j_per_kg: float

    @property
    def cn(self) -> CompiledNetwork:
        return self.grid.seg.cn

    @property
    def sizes(self) -> tuple[int, int, int, int, int]:
        cn = self.grid.cn
        return len(cn.comp_edge), len(cn.reg_edge), len(self.held), len(self.flow), len(cn.sink_ids)

    @property
    def nu(self) -> int:
        return int(sum(self.sizes))

    def offsets(self) -> tuple[int, int, int, int, int]:
        """First row of each control block: compressors, regulators, held sources, flow sources, sheds."""
        nc, nr, kh, nf, _ = self.sizes
        return 0, nc, nc + nr, nc + nr + kh, nc + nr + kh + nf


def _point_limits(grid: DayGrid, send_out_max: F64) -> tuple[F64, F64, list[str], list[str]]:
    """Pressure limits of every point but the delivery minima: the base network's node limits (send-out
    pressures at their maximum, regulator set-points free) and the pipe MAOP at interior points."""
    cn = grid.cn
    base = replace(
        cn,
        source_p_set_pa=np.where(cn.source_is_pressure, send_out_max, cn.source_p_set_pa),
        sink_p_min_pa=np.full(len(cn.sink_ids), np.nan),
    )
    lim = node_limits(base, regulator_setpoint_caps=False)
    seg = grid.seg
    n0, npts = base.n_nodes, seg.n_points
    lo = np.full(npts, P_FLOOR_PA)
    hi = np.full(npts, np.inf)
    lo_why = ["absolute pressure floor 1 bar a"] * npts
    hi_why = [""] * npts
    lo[:n0], hi[:n0] = np.maximum(lim.lo_pa, P_FLOOR_PA), lim.hi_pa
    lo_why[:n0], hi_why[:n0] = list(lim.lo_why), list(lim.hi_why)
    owner = np.repeat(np.arange(seg.n_pipes), seg.pipe_nseg + 1)
    for k in np.flatnonzero(seg.pipe_points >= n0):
        i, j = int(seg.pipe_points[k]), int(owner[k])
        maop = float(base.maop_pa[j])
        if np.isfinite(maop) and maop < hi[i]:
            hi[i], hi_why[i] = maop, f"pipe {base.edge_ids[j]} MAOP"
    return lo, hi, lo_why, hi_why


def make_problem(grid: DayGrid, spec: DaySpec) -> DayProblem:
    """The :class:`DayProblem` of ``spec`` on ``grid``."""
    cn = grid.cn
    nc, nr, nk = len(cn.comp_edge), len(cn.reg_edge), len(cn.sink_ids)
    K, N, m = spec.n_periods, spec.n_steps, spec.substeps
    period_h = spec.period_s / 3600.0
    held = np.flatnonzero(cn.source_is_pressure)
    flow = np.flatnonzero(~cn.source_is_pressure)
    unknown = [s for s in spec.free_supply if s != "*" and s not in cn.source_ids]
    if unknown:
        raise InputError(f"free supply: no source {', '.join(unknown)}; sources: {', '.join(cn.source_ids)}")
    free = np.array([("*" in spec.free_supply) or (cn.source_ids[k] in spec.free_supply) for k in flow], dtype=bool)
    comp_ids = [cn.edge_ids[e] for e in cn.comp_edge]
    bad_run = [c for c in spec.must_run if c not in comp_ids]
    if bad_run:
        raise InputError(f"must-run: no compressor {', '.join(bad_run)}; compressors: {', '.join(comp_ids)}")
    code = np.select(
        [cn.comp_mode == CompMode.PRESSURE, cn.comp_mode == CompMode.RATIO, cn.comp_mode == CompMode.BYPASS],
        [CompCode.PRESSURE, CompCode.RATIO, CompCode.BYPASS],
        default=CompCode.CLOSED,
    ).astype(np.int64)
    # a station the simulator closes at the start (its discharge side above its set-point, no flow) stays in its
    # user mode: running with a flow >= 0 and its set-point free, it is closed whenever the set-point is the
    # discharge pressure at zero flow, and it may open later in the day as the simulator's control rules open it.
    # A ratio or power station closed at the start stays closed (its law would force compression).
    closed0 = np.asarray(grid.start.state.comp_mode) == CompMode.OFF
    code = np.where(closed0 & (code != CompCode.PRESSURE), CompCode.CLOSED, code).astype(np.int64)
    switchable = (code == CompCode.PRESSURE) & spec.switch_off & ~np.isin(comp_ids, spec.must_run)
    rcode = np.select(
        [cn.reg_mode == RegMode.PRESSURE, cn.reg_mode == RegMode.OPEN],
        [RegCode.PRESSURE, RegCode.OPEN],
        default=RegCode.CLOSED,
    ).astype(np.int64)

    # send-out pressure of held sources: up to the highest of the scenario's and the day's set-points
    send_max = np.fmax.reduce(np.vstack([grid.src_p_set_pa, cn.source_p_set_pa[None, :]]), axis=0)
    send_max = np.where(cn.source_is_pressure, send_max, np.nan)
    send_max = np.where(np.isfinite(cn.source_p_max_pa) & cn.source_is_pressure,
                        np.fmin(send_max, cn.source_p_max_pa), send_max)  # fmt: skip
    p_lo, p_hi, lo_why, hi_why = _point_limits(grid, send_max)
    # delivery minima apart (relaxed on an infeasible day)
    fin = np.flatnonzero(np.isfinite(cn.sink_p_min_pa))
    dn = cn.sink_node[fin].astype(np.int64)
    dmin = cn.sink_p_min_pa[fin].astype(float)
    dlab = [f"delivery {cn.sink_ids[k]} minimum pressure" for k in fin]

    # controls
    ef, et = cn.edge_from, cn.edge_to
    x0 = grid.x0
    start_p = x0.point_p_pa[0] if x0 is not None else grid.warm.point_p_pa[0]
    nu = nc + nr + len(held) + len(flow) + nk
    u_lo = np.zeros((nu, K))
    u_hi = np.zeros((nu, K))
    u_init = np.zeros(nu)
    ramp = np.full(nu, np.inf)
    labels: list[str] = []
    units: list[str] = []
    for k, e in enumerate(cn.comp_edge):
        d = int(et[e])
        if code[k] == CompCode.RATIO:
            u_lo[k], u_hi[k] = 1.0, cn.comp_ratio_max[k]
            u_init[k] = start_p[d] / start_p[int(ef[e])]
            ramp[k] = spec.ramp_ratio_per_h * period_h
            units.append("ratio")
        else:
            u_lo[k], u_hi[k] = p_lo[d], min(p_hi[d], 1e9)
            u_init[k] = start_p[d]
            ramp[k] = spec.ramp_bar_per_h * period_h * BAR_PA
            units.append("Pa")
        labels.append(f"compressor {cn.edge_ids[e]}")
    o = nc
    for k, e in enumerate(cn.reg_edge):
        d = int(et[e])
        u_lo[o + k], u_hi[o + k] = p_lo[d], min(p_hi[d], 1e9)
        u_init[o + k] = start_p[d]
        ramp[o + k] = spec.ramp_bar_per_h * period_h * BAR_PA
        labels.append(f"regulator {cn.edge_ids[e]}")
        units.append("Pa")
    o += nr
    for j, s in enumerate(held):
        i = int(cn.source_node[s])
        u_lo[o + j], u_hi[o + j] = p_lo[i], send_max[s]
        u_init[o + j] = start_p[i]
        ramp[o + j] = spec.ramp_bar_per_h * period_h * BAR_PA
        labels.append(f"source {cn.source_ids[s]} send-out pressure")
        units.append("Pa")
    o += len(held)
    # nominations at the step ends; a period's shortfall cannot exceed its smallest nomination
    inflow_steps = grid.inflow_kg_s[1:, :][:, flow]
    supply0 = grid.warm.source_supply_kg_s[0]
    for j, s in enumerate(flow):
        cap = cn.source_capacity[s]
        if free[j]:
            u_lo[o + j], u_hi[o + j] = 0.0, cap if np.isfinite(cap) else 1e9
            u_init[o + j] = supply0[s]
            if np.isfinite(cap):
                ramp[o + j] = spec.ramp_supply_fraction_per_h * cap * period_h
            labels.append(f"source {cn.source_ids[s]} send-out")
        else:
            # a nominated supply falls short only where the network cannot take it within its pressure limits
            # (its maximum send-out pressure, or its node's limits): the shortfall is paid far above fuel
            u_lo[o + j] = -np.maximum(inflow_steps[:, j].reshape(K, m).min(axis=1), 0.0)
            u_hi[o + j] = 0.0
            labels.append(f"source {cn.source_ids[s]} shortfall")
        units.append("kg/s")
    o += len(flow)
    dem_steps = grid.demand_kg_s[1:, :]
    shed_max = dem_steps.reshape(K, m, nk).min(axis=1).T if spec.allow_shed else np.zeros((nk, K))
    shed_max = np.maximum(shed_max, 0.0)
    for k in range(nk):
        u_lo[o + k], u_hi[o + k] = 0.0, shed_max[k]
        labels.append(f"sink {cn.sink_ids[k]} unserved")
        units.append("kg/s")
    bad = [labels[i] for i in range(nu) if np.any(u_lo[i] > u_hi[i] * (1 + 1e-12) + 1e-12)]
    if bad:
        raise InputError([f"day-ahead optimisation: the limits of {b} cross (check its node limits)" for b in bad])

    # initial running pattern: stations bypassed (not closed) in the default day through a whole period start off
    power = grid.default_day.comp_power_w
    on0 = np.ones((nc, K), dtype=bool)
    if nc and len(power) == N + 1:
        # bypassed (no power, no pressure lift) through a whole period; a station closed by its non-return valve
        # (no flow, discharge above suction) is not bypassed: it keeps running at zero flow
        pts = grid.warm.point_p_pa[1:]
        lift = np.abs(pts[:, cn.edge_to[cn.comp_edge]] - pts[:, cn.edge_from[cn.comp_edge]])
        idle = ((power[1:] <= 0.0) & (lift < 1e-3 * BAR_PA)).reshape(K, m, nc).all(axis=1).T
        on0 = ~(idle & switchable[:, None])

    # prices and weights
    hhv = cn.gas.basis.hhv_j_per_kg
    needs_hhv = spec.weights.get("cost", 0) > 0 or spec.weights.get("unserved", 0) > 0 or spec.allow_shed
    if hhv is None:
        if needs_hhv:
            raise InputError(
                "cost and unserved-gas objectives need the gas heating value; give the network a composition"
            )
        hhv = 0.0
    usd_per_kg = hhv / J_PER_MMBTU  # x USD/MMBtu
    prices = spec.prices or flat_prices()
    t_steps = grid.times_s[1:]
    price_supply = prices.supply_usd_per_mmbtu(cn.source_ids, t_steps) * usd_per_kg
    price_fuel = prices.fuel_usd_per_mmbtu(t_steps) * usd_per_kg
    price_elec = prices.electricity_usd_per_mwh(t_steps) / J_PER_MWH
    pen_table = dict(spec.shed_penalty_usd_per_mmbtu)
    unknown_cat = [c for c in pen_table if c not in {*cn.sink_category, "city_gate", "power_plant", "fertiliser",
                                                     "industry", "export", "other"}]  # fmt: skip
    if unknown_cat:
        raise InputError(f"shed penalty: unknown priority class {', '.join(unknown_cat)}")
    shed_pen = np.array([pen_table.get(c, pen_table.get("other", 15.0)) for c in cn.sink_category]) * usd_per_kg
    w = spec.weights
    per_kg_fuel = max(
        w.get("fuel", 0.0) / 1000.0,
        w.get("cost", 0.0) * float(np.max(price_fuel, initial=0.0)),
        w.get("unserved", 0.0) * float(np.min(shed_pen, initial=0.0)) * 1e-3,
        w.get("linepack", 0.0) / 1000.0,
        1e-12,
    )
    shortfall = np.full(len(flow), SHORTFALL_FACTOR * per_kg_fuel)

    if spec.start == StartMode.PERIODIC or spec.end == EndMode.FREE:
        target = float("nan")
    elif spec.end == EndMode.TARGET:
        target = float(spec.end_target_kg)
    else:
        target = float(grid.default_day.linepack_kg[0])
    dt = np.diff(grid.times_s)
    held_cap = cn.source_capacity[held]
    held_lo = np.where(cn.source_absorbs[held], -np.inf, 0.0)
    return DayProblem(
        grid=grid,
        spec=spec,
        comp_code=code,
        comp_switchable=switchable,
        comp_on0=on0,
        reg_code=rcode,
        held=held.astype(np.int64),
        flow=flow.astype(np.int64),
        flow_free=free,
        u_lo=u_lo,
        u_hi=u_hi,
        u_init=u_init,
        ramp=ramp,
        u_labels=tuple(labels),
        u_units=tuple(units),
        p_lo=p_lo,
        p_hi=p_hi,
        p_lo_why=tuple(lo_why),
        p_hi_why=tuple(hi_why),
        deliv_node=dn,
        deliv_p_min=dmin,
        deliv_label=tuple(dlab),
        supply_lo=held_lo.astype(float),
        supply_hi=held_cap.astype(float),
        demand=dem_steps.copy(),
        inflow=np.where(free[None, :], 0.0, inflow_steps),
        dt=dt,
        shed_max=shed_max,
        price_supply=price_supply,
        price_fuel=price_fuel,
        price_elec=price_elec,
        shed_penalty=shed_pen,
        shortfall_weight=shortfall,
        lp_target_kg=target,
        hhv_j_per_kg=float(hhv),
    )
