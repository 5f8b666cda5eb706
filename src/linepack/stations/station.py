r"""A compressor station running one configuration: its units' operating points, power, fuel and limits.

Given the station's throughput ``m`` [kg/s], suction and discharge pressures, and a configuration of S serial
stages of parallel units:

* stages share the pressure ratio equally, :math:`r_j = r^{1/S}` (matched speeds of machines in series), and
  the gas is cooled back to the suction temperature between stages (the station is isothermal, as the network;
  GasLib's station model is too: Rose et al. 2016, Math. Meth. Oper. Res. 83:409-444);
* each stage's suction state is real gas: :math:`\rho = p M / (Z R T)` and the isentropic head
  :math:`h = \frac{Z R T}{M}\frac{\kappa}{\kappa-1}(r_j^{(\kappa-1)/\kappa} - 1)` with Z at that stage's suction
  pressure (GasLib's definition of the adiabatic head, which its maps are fitted to);
* the parallel units of a stage share the volume flow :math:`V = m/\rho` at an equal fraction t of their
  flow ranges (load sharing at equal distance from surge, as station controllers do):
  :math:`Q_i = Q_{lo,i} + t (Q_{hi,i} - Q_{lo,i})`. Below t = 0 every unit sits on its surge limit and the
  anti-surge valves recycle the difference; above t = 1 the stage is beyond its capacity (the solver then
  holds the station at that capacity). Asked for more head than they make (no flow range left) the units
  share in proportion to their surge flows;
* each unit's speed, efficiency and shaft power follow from its map (:mod:`.envelope`); its driver's energy
  input :math:`E = e_0 + e_1 P + e_2 P^2`, as fuel :math:`E / LHV` for gas-fired drivers.

The station's flow capacity at given pressures is the smallest over its stages of :math:`\rho \sum Q_{hi}`; its
head margin the smallest of its units'. Every output is complex-step safe in (m, p_s, p_d): one call with
``m + i h`` (or a pressure) gives the exact derivatives the Newton Jacobian needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..units import R_J_PER_MOL_K
from .drivers import available_power_w, energy_w
from .envelope import envelope, unit_power
from .eval_kernel import compiled_station
from .poly import rmax, rwhere
from .units import CompiledStations

Arr = NDArray[Any]
F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
# the complex step through the compiled model agrees with numpy's to 1e-12 but not bit for bit (numpy's SIMD
# complex multiply fuses the multiply-add, its complex division scales by a reciprocal): the Jacobian's complex
# evaluations (about one in fifty of a transient's) stay in numpy, so that no result depends on numba
COMPLEX_COMPILED = False
KERNEL_UNIT_FIELDS = ("kind", "head", "eta", "surge", "choke", "n_min", "n_max", "q_sn", "h_sn", "q_cx", "h_cx", "h_sx",
                      "flow_per_rpm", "ratio_max", "torque_max_nm", "eta_piston", "q_ref", "power_w", "energy",
                      "gas_fired")  # fmt: skip
# (p [Pa], T [K], station of each point) -> (Z, dZ/dp [1/Pa]): each station's own suction gas
ZFunction = Callable[[F64, F64, I64], tuple[F64, F64]]


@dataclass(frozen=True)
class SuctionGas:
    """The gas entering each station (one row per station of :class:`CompiledStations`)."""

    t_k: F64
    molar_mass: F64  # kg/mol
    kappa: F64
    lhv_j_per_kg: F64  # inf where no gas-fired driver can burn it (no heating value)
    z: ZFunction


def z_lifted(z: ZFunction, p: Any, t_k: F64, station: I64) -> Arr:
    """Z at (possibly complex) pressures of the gas of ``station`` (per point): the real model, extended to first
    order in the imaginary part."""
    pr = np.real(p).astype(float)
    zr, dz = z(pr, t_k, station)
    if np.iscomplexobj(p):
        return np.asarray(zr + dz * (p - pr))
    return np.asarray(zr)


def isentropic_head(z: Any, t_k: Any, molar_mass: Any, kappa: Any, ratio: Any) -> Arr:
    """Real-gas isentropic head [J/kg] at suction compressibility z for a pressure ratio (GasLib's H_ad)."""
    x = (kappa - 1.0) / kappa
    return np.asarray(z * R_J_PER_MOL_K * t_k / molar_mass / x * np.expm1(x * np.log(ratio)))


@dataclass(frozen=True)
class StationEval:
    """Stations (or candidate configurations, one slot each) at one point. Arrays per slot, then per unit."""

    slot_config: I64
    power_w: Arr  # shaft power of the running units
    energy_w: Arr  # energy input of their drivers (fuel LHV, electricity or steam)
    fuel_kg_s: Arr  # gas burnt (gas-fired drivers)
    recycle_kg_s: Arr  # gas recycled by anti-surge valves (sum over units)
    flow_cap_kg_s: Arr  # largest throughput at these pressures
    flow_cap_row_kg_s: Arr  # the same with the slope of envelope.flat where it does not move with the head
    head_margin: Arr  # > 0 while every unit can make its head
    over_capacity: Arr  # throughput / flow capacity (> 1: beyond)
    # per running unit
    pair_slot: I64
    pair_unit: I64
    pair_stage: I64
    p_in_pa: Arr
    rho: Arr
    head_asked: Arr  # J/kg, from the stage's pressures
    head: Arr  # J/kg the unit makes (above the asked head when throttled)
    q_m3_s: Arr  # actual inlet volume flow through the unit, recycle included
    q_net_m3_s: Arr  # of which passes on to the network
    speed_rpm: Arr
    efficiency: Arr
    unit_power_w: Arr
    power_avail_w: Arr
    unit_energy_w: Arr
    unit_fuel_kg_s: Arr
    q_lo: Arr
    q_hi: Arr
    hi_code: I64
    unit_margin: Arr


def _group_min(values: Arr, groups: I64, n: int) -> Arr:
    """Per group, the value with the smallest real part (complex-step safe)."""
    order = np.lexsort((np.real(values), groups))
    first = np.ones(len(order), dtype=bool)
    first[1:] = groups[order][1:] != groups[order][:-1]
    out = np.full(n, np.inf + 0.0 * np.sum(values[:0]), dtype=values.dtype)
    out[groups[order][first]] = values[order][first]
    return out


def config_pairs(cs: CompiledStations, slot_config: I64) -> tuple[I64, I64, I64, I64]:
    """The running units of each slot's configuration: per pair its slot, unit, stage and the slot's stage count."""
    cf = cs.configs
    order = np.argsort(cf.pair_config, kind="stable")
    counts = np.bincount(cf.pair_config, minlength=len(cf))
    starts = np.concatenate([[0], np.cumsum(counts)])
    per = counts[slot_config]
    pair_slot = np.repeat(np.arange(len(slot_config)), per)
    offs = np.arange(int(per.sum())) - np.repeat(np.cumsum(per) - per, per)
    pair = order[starts[slot_config][pair_slot] + offs]
    return pair_slot, cf.pair_unit[pair], cf.pair_stage[pair], cf.n_stages[slot_config][pair_slot]


def stage_inlet_pa(ps: Any, ratio: Any, pair_slot: I64, stage: I64, n_stages: I64) -> Arr:
    """Inlet pressure of every pair's stage [Pa]: the station ratio shared equally by its stages."""
    return np.asarray(ps[pair_slot] * ratio ** (stage / n_stages))


def _pairs(cs: CompiledStations, slot_station: I64, slot_config: I64) -> tuple[I64, I64, I64, I64, I64, I64]:
    """:func:`config_pairs` with each pair's (slot, stage) group and the sorted group keys (slot * 16 + stage),
    kept per compiled stations for the slots asked (a solver asks for the same few again and again)."""
    cache: dict[bytes, tuple[I64, I64, I64, I64, I64, I64]] = cs.__dict__.setdefault("_pair_cache", {})
    key = np.asarray(slot_station, dtype=np.int64).tobytes() + b"|" + np.asarray(slot_config, dtype=np.int64).tobytes()
    hit = cache.get(key)
    if hit is not None:
        return hit
    pair_slot, idx, stage, n_stages = config_pairs(cs, slot_config)
    keys, g = np.unique(pair_slot * 16 + stage, return_inverse=True)
    out = (pair_slot, idx, stage, n_stages, g.astype(np.int64), keys)
    for a in out:
        a.flags.writeable = False
    if len(cache) > 256:
        cache.clear()
    cache[key] = out
    return out


def _evaluate_compiled(
    kernel: Callable[..., None], cs: CompiledStations, slot_config: I64, st: I64, pair_slot: I64, idx: I64,
    stage: I64, g: I64, keys: I64, need: NDArray[np.bool_], m: Arr, p_in: Arr, rho: Arr, h: Arr, r_stage: Arr,
    gas: SuctionGas,
) -> StationEval:  # fmt: skip
    """:func:`evaluate` from the stage states on, in one compiled call (:mod:`.eval_kernel`)."""
    un = cs.units
    units = cs.__dict__.get("_kernel_units")
    if units is None:  # the unit arrays in the kernel's order, gathered once per compiled stations
        units = tuple(getattr(un, name) for name in KERNEL_UNIT_FIELDS)
        cs.__dict__["_kernel_units"] = units
    cplx = any(np.iscomplexobj(v) for v in (m, h, rho, r_stage))
    dt = np.complex128 if cplx else np.float64
    n_pair, n_slot, ng = len(idx), len(slot_config), len(keys)
    h_, rho_, r_, m_ = (np.ascontiguousarray(v, dtype=dt) for v in (h, rho, r_stage, m))
    pair = np.empty((12, n_pair), dtype=dt)
    code = np.empty(n_pair, dtype=np.int64)
    slot = np.empty((8, n_slot), dtype=dt)
    work = np.empty((4, ng), dtype=dt)
    lhv = np.ascontiguousarray(gas.lhv_j_per_kg[st], dtype=float)
    kernel(idx, pair_slot, g, keys // 16, need, h_, rho_, r_, m_, lhv, *units,
           pair[0], pair[1], code, pair[2], pair[3], pair[4], pair[5], pair[6], pair[7], pair[8], pair[9], pair[10],
           pair[11], slot, work[:2], work[2:])  # fmt: skip
    lo, hi, margin, q_run, q_net, p_unit, h_unit, n_unit, eta, p_av, e_unit, fuel = pair[:12]
    return StationEval(
        slot_config=np.asarray(slot_config, dtype=np.int64),
        power_w=slot[0],
        energy_w=slot[1],
        fuel_kg_s=slot[2],
        recycle_kg_s=slot[3],
        flow_cap_kg_s=slot[4],
        flow_cap_row_kg_s=slot[5],
        head_margin=slot[6],
        over_capacity=slot[7],
        pair_slot=pair_slot.astype(np.int64),
        pair_unit=idx.astype(np.int64),
        pair_stage=stage.astype(np.int64),
        p_in_pa=p_in,
        rho=rho,
        head_asked=h,
        head=h_unit,
        q_m3_s=q_run,
        q_net_m3_s=q_net,
        speed_rpm=n_unit,
        efficiency=eta,
        unit_power_w=p_unit,
        power_avail_w=p_av,
        unit_energy_w=e_unit,
        unit_fuel_kg_s=fuel,
        q_lo=lo,
        q_hi=hi,
        hi_code=code,
        unit_margin=margin,
    )


def evaluate(
    cs: CompiledStations,
    gas: SuctionGas,
    slot_station: I64,
    slot_config: I64,
    m: Any,
    ps: Any,
    pd: Any,
    limits: NDArray[np.bool_] | bool = True,
) -> StationEval:
    """Evaluate configurations ``slot_config`` of stations ``slot_station`` at throughputs m [kg/s] and
    suction/discharge pressures [Pa] (arrays per slot, real or complex).

    ``limits`` (per slot, or for all): whether the flow capacity and head margin must include the drivers'
    power limits (a root solve per unit). Without, power and fuel are still exact wherever the stage's units are
    identical (their load sharing does not depend on the limits); capacity and margin are then not complete."""
    cf, un = cs.configs, cs.units
    n_slot = len(slot_config)
    m, ps, pd = (np.asarray(v) for v in (m, ps, pd))
    pair_slot, idx, stage, n_stages, g, keys = _pairs(cs, slot_station, slot_config)
    st = slot_station[pair_slot]
    t_k, mm, kap = gas.t_k[st], gas.molar_mass[st], gas.kappa[st]
    ratio = pd[pair_slot] / ps[pair_slot]
    p_in = stage_inlet_pa(ps, ratio, pair_slot, stage, n_stages)
    r_stage = ratio ** (1.0 / n_stages)
    z = z_lifted(gas.z, p_in, t_k, st)
    rho = p_in * mm / (z * R_J_PER_MOL_K * t_k)
    h = isentropic_head(z, t_k, mm, kap, r_stage)
    lim = np.asarray(limits, dtype=bool)
    if lim.ndim == 0:  # one value for all slots (np.broadcast_to is slow for these short arrays)
        lim = np.full(n_slot, bool(lim))
    elif lim.shape != (n_slot,):
        lim = np.broadcast_to(lim, (n_slot,))
    need = lim[pair_slot] | ~cf.uniform[slot_config][pair_slot]
    real = not any(np.iscomplexobj(v) for v in (m, h, rho, r_stage))
    kernel = compiled_station() if len(idx) and (real or COMPLEX_COMPILED) else None
    if kernel is not None:
        return _evaluate_compiled(kernel, cs, slot_config, st, pair_slot, idx, stage, g, keys, need, m, p_in, rho,
                                  h, r_stage, gas)  # fmt: skip
    env = envelope(un, idx, h, rho, r_stage, need)
    # load sharing within each (slot, stage)
    ng = len(keys)
    dt = np.result_type(env.lo, m, ps, pd, complex if np.iscomplexobj(env.lo) else float)
    sum_lo = np.zeros(ng, dtype=dt)
    sum_hi = np.zeros(ng, dtype=dt)
    np.add.at(sum_lo, g, env.lo)
    np.add.at(sum_hi, g, env.hi)
    vol = m[pair_slot] / rho  # the stage's volume flow at its suction
    span = sum_hi[g] - sum_lo[g]
    tiny = 1e-9 * un.q_ref[idx]
    open_ = np.real(span) > tiny  # the stage's units have a flow range at this head (else: beyond its head)
    frac = (vol - sum_lo[g]) / rwhere(open_, span, 1.0 + 0.0 * span)
    recycling = np.real(vol - sum_lo[g]) < 0.0
    q_prop = env.lo * vol / rwhere(np.real(sum_lo[g]) > tiny, sum_lo[g], tiny + 0.0 * sum_lo[g])
    q_share = rwhere(open_, env.lo + frac * (env.hi - env.lo), q_prop)
    q_run = rwhere(recycling, env.lo, q_share)
    q_net = rwhere(recycling, q_prop, q_share)
    p_unit, h_unit, n_unit, eta = unit_power(un, idx, q_run, h, rho)
    with np.errstate(invalid="ignore"):
        # a turbo unit asked for a head its speed line cannot reach on the rising branch of a head curve linear in
        # the speed has no speed (root at -inf, its complex step inf): no available power either (NaN, as the
        # compiled path gives without a warning; reported as such, never used by the solver's rows)
        p_av = available_power_w(un.power_w[idx], n_unit)
    e_unit = energy_w(un.energy[idx], p_unit)
    fuel = np.where(un.gas_fired[idx], 1.0, 0.0) * e_unit / gas.lhv_j_per_kg[st]
    recycle = rho * (q_run - q_net)
    cap_g = np.zeros(ng, dtype=dt)
    np.add.at(cap_g, g, rho * env.hi)
    slot_of_group = keys // 16
    cap = _group_min(cap_g, slot_of_group, n_slot)
    cap_row_g = cap_g.copy()
    np.add.at(cap_row_g, g, rho * env.flat)
    cap_row = _group_min(cap_row_g, slot_of_group, n_slot)
    margin = _group_min(env.head_margin, pair_slot, n_slot)

    def per_slot(v: Arr) -> Arr:
        out = np.zeros(n_slot, dtype=np.result_type(v, float))
        np.add.at(out, pair_slot, v)
        return out

    safe_cap = rwhere(np.real(cap) > 1e-12, cap, 1e-12 + 0.0 * cap)
    return StationEval(
        slot_config=np.asarray(slot_config, dtype=np.int64),
        power_w=per_slot(p_unit),
        energy_w=per_slot(e_unit),
        fuel_kg_s=per_slot(fuel),
        recycle_kg_s=per_slot(rmax(recycle, 0.0)),
        flow_cap_kg_s=cap,
        flow_cap_row_kg_s=cap_row,
        head_margin=margin,
        over_capacity=m / safe_cap,
        pair_slot=pair_slot.astype(np.int64),
        pair_unit=idx.astype(np.int64),
        pair_stage=stage.astype(np.int64),
        p_in_pa=p_in,
        rho=rho,
        head_asked=h,
        head=h_unit,
        q_m3_s=q_run,
        q_net_m3_s=q_net,
        speed_rpm=n_unit,
        efficiency=eta,
        unit_power_w=p_unit,
        power_avail_w=p_av,
        unit_energy_w=e_unit,
        unit_fuel_kg_s=fuel,
        q_lo=env.lo,
        q_hi=env.hi,
        hi_code=env.hi_code,
        unit_margin=env.head_margin,
    )
