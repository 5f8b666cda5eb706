"""A monthly supply plan as a linear programme on HiGHS (a MILP when cargo slots are chosen), verified by replay.

Daily variables: each terminal's send-out ``s`` and end-of-day inventory ``I``; each store's withdrawal ``w``,
injection ``j`` and working gas ``G``; each delivery's unserved gas ``u`` (kilotonnes a day inside). Rows:

- tanks, per terminal and day: ``I_d = I_{d-1} + U_d - s_d - B`` (boil-off burnt), ``- s_d + r_d - B`` with
  recovered boil-off ``r_d <= B`` (sent out) or ``- s_d`` (reliquefied); ``heel <= I_d <= capacity``;
  ``s_d - r_d <=`` regasification; unloading ``U_d`` from the berth model of :mod:`.berths` (the schedule's
  arrivals, or the chosen slots);
- stores: ``G_d = G_{d-1} + j_d - w_d``, rates below the outer lines of the (concave) fill curves at the start of
  the day;
- the grid, per day: ``sum s + sum w + fields = sum (demand - u) + sum j + fuel_d``;
- the network: ``s_{i,d} <=`` what the steady model took from terminal ``i`` on day ``d`` when the plan asked
  for more (cuts learnt by replay, below);
- slots (MILP): each movable cargo arrives on exactly one day of its window, berths not over-occupied.

Objective (USD): the value of lost load of every unserved MMBtu (by class: the priority order), the terminals'
cost of gas (objective ``cost``), a small penalty on flared boil-off and a small reward for gas kept in the
tanks (so the plan draws from terminals that need room and keeps stocks up).

Verification: the plan is replayed in the supply simulation (steady network each day, terminals sending the
planned amounts, the swing terminal taking the difference). Where the network took less from a terminal than
planned, that amount becomes a cut; the compressor fuel of the replay replaces the estimate; the plan is solved
again, until the replayed inventories match the plan (to ``inventory_tol`` of each tank) or the rounds run out.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError, LinepackError
from ..model.network import Network
from ..optimize.formulations.milp import _Builder  # the sparse LP/MILP builder of the optimisation layer
from ..study.shedding import SHED_ORDER
from .berths import Berths, CargoLog
from .coupling import SteadyCoupler
from .dispatch import PlanDispatch
from .horizon import Horizon, HorizonOptions
from .lng import j_to_mmbtu
from .model import BoilOffFate, SupplyChain
from .results import SupplyResult
from .schedule import Cargo

F64 = NDArray[np.float64]
KT = 1e6  # kg per kilotonne (the LP's unit of mass)
DAY = 86400.0
EPS_FLARE = 1e-3  # USD per kg flared (tie-break)
EPS_STOCK = 1e-4  # USD per kg kept in a tank per day, per unit fill (tie-break)
EPS_EARLY = 1e-4  # relative extra value of lost load per day earlier (tie-break)
EPS_SPLIT = 1e-3  # USD per kg sent away from the network's own split (tie-break)
EPS_UNLOAD = 1e-3  # USD per kg unloaded a day earlier, per fraction of the month (tie-break: no demurrage)


@dataclass(frozen=True)
class PlanOptions:
    objective: str = "unserved"  # unserved (value of lost load) or cost (plus the terminals' cost of gas)
    slots: bool = False  # choose arrival days of the cargoes within +- window_days (MILP)
    window_days: int = 2
    rounds: int = 8  # plan-replay rounds
    inventory_tol: float = 0.01  # replayed inventories within this fraction of each tank
    time_limit_s: float = 120.0
    mip_gap: float = 1e-4

    def check(self) -> None:
        if self.objective not in ("unserved", "cost"):
            raise InputError(f"plan objective '{self.objective}': choose unserved or cost")
        if self.window_days < 0 or self.rounds < 1:
            raise InputError("plan: window_days must be >= 0 and rounds >= 1")


@dataclass
class MonthlyPlan:
    """The plan (daily, kg/s and kg) and its verification by replay."""

    start: datetime
    days: int
    terminal_ids: tuple[str, ...]
    store_ids: tuple[str, ...]
    sink_ids: tuple[str, ...]
    sink_categories: tuple[str, ...]
    send_out_kg_s: F64  # (days, terminals)
    inventory_kg: F64  # (days, terminals), end of day
    withdrawal_kg_s: F64
    injection_kg_s: F64
    unserved_kg_s: F64  # (days, sinks)
    cargoes: list[Cargo]  # as planned (arrivals moved when slots were chosen)
    objective_usd: float  # the LP's objective, tie-breaks included
    unserved_usd: float  # value of lost load of the planned unserved gas
    gas_cost_usd: float  # cost of the gas sent out (objective cost)
    status: str
    rounds: int
    replay: SupplyResult
    max_inventory_gap: float  # largest |plan - replay| inventory over the month, fraction of the tank
    unserved_mismatch_days: list[str]  # days the replay curtails where the plan does not
    cuts: int
    solve_s: float
    notes: list[str] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return not self.unserved_mismatch_days and self.max_inventory_gap <= 0.01 + 1e-12

    def day(self, d: int) -> str:
        return (self.start + timedelta(days=d)).date().isoformat()


def unloading_profile(h: Horizon, cargoes: list[Cargo], edges: F64) -> dict[str, F64]:
    """LNG each terminal's carriers unload per step with unlimited room [kg] (the berth model of the run)."""
    out = {}
    for t in h.chain.terminals:
        props = h.props[f"{t.temperature_c:g}"]
        lng = props[t.lng]
        mine = [i for i, c in enumerate(cargoes) if c.terminal == t.id]
        rho = {i: props.get(cargoes[i].lng or "", lng).density_kg_m3 for i in mine}

        logs = {i: CargoLog(i, (cargoes[i].arrival - h.options.start).total_seconds(),
                            status="cancelled" if cargoes[i].cancelled else "due") for i in mine}
        b = Berths(t.berths, t.berthing_h * 3600.0, t.unberthing_h * 3600.0,
                   {i: cargoes[i].volume_m3 * rho[i] for i in mine},
                   {i: t.unloading_m3_per_h / 3600.0 * rho[i] for i in mine}, logs)
        u = np.zeros(len(edges) - 1)
        for k in range(len(edges) - 1):
            b.arrive(float(edges[k + 1]))
            u[k], _ = b.unload(float(edges[k]), float(edges[k + 1]), np.inf, commit=True)
        out[t.id] = u
    return out


def _occupancy(t_arr: float, berth_s: float, unload_s: float, unberth_s: float, edges: F64) -> F64:
    """Fraction of each step a carrier arriving at ``t_arr`` to a free berth occupies it."""
    a, b = t_arr, t_arr + berth_s + unload_s + unberth_s
    return np.clip(np.minimum(edges[1:], b) - np.maximum(edges[:-1], a), 0.0, None) / np.diff(edges)


def natural_shares(h: Horizon) -> F64:
    """Each terminal's send-out per day [kg/s] when all of them push at their send-out pressure without limit
    (the split the network itself makes; steady states of each day's demand). Plans stay near it unless
    something is gained: a split far from it needs pressures the terminals may not have."""
    from ..solvers.steady import solve_steady

    cp = h.coupler
    assert isinstance(cp, SteadyCoupler), "plans use steady network states"
    cn = cp.cn
    term = cp.links.terminal_source
    pressing = term[np.isfinite(cp.hold_pa[term])]
    held = cn.source_is_pressure.copy()
    held[pressing] = True
    p_set = np.where(np.isin(np.arange(len(held)), pressing), cp.hold_pa, cn.source_p_set_pa)
    inflow = np.where(held | cp.linked, 0.0, cn.source_inflow)
    out = np.zeros((len(h.edges) - 1, len(term)))
    prev = None
    for d in range(len(h.edges) - 1):
        trial = replace(cn, sink_demand=np.where(cp.injection_sink, 0.0, h.demand[d]), source_inflow=inflow,
                        source_is_pressure=held, source_p_set_pa=p_set,
                        source_capacity=np.where(held, np.inf, cn.source_capacity))
        try:
            res = solve_steady(trial, options=cp.options, initial=prev)
        except LinepackError:
            out[d] = np.nan
            continue
        prev = res
        supply = cp._on_full(res, res.source_supply_kg_s, "source")
        out[d] = supply[term]
    return out


class _Lp:
    """The plan's LP/MILP for one round (see the module docstring)."""

    def __init__(self, h: Horizon, cargoes: list[Cargo], opts: PlanOptions, fuel_kg_s: F64, netcap_kg_s: F64,
                 shares_kg_s: F64) -> None:
        self.h, self.opts = h, opts
        chain, cn = h.chain, h.coupler.cn
        edges = h.edges
        D = len(edges) - 1
        self.D = D
        terms, stores = chain.terminals, h.stores
        nt, ns, nk = len(terms), len(stores), len(cn.sink_ids)
        props = [h.props[f"{t.temperature_c:g}"][t.lng] for t in terms]
        self.props = props
        b = _Builder()
        dem = h.demand * DAY / KT  # (D, K) kt/day
        fixed = float(np.sum(h.coupler.fixed_inflow)) * DAY / KT
        hhv = cn.gas.basis.hhv_j_per_kg or 0.0
        voll = chain.economics.value_of_lost_load_usd_per_mmbtu
        usd_per_kt_unserved = np.array([voll.get(c, 0.0) for c in cn.sink_category]) * j_to_mmbtu(hhv * KT)
        # unserved gas per delivery and day (injection sinks carry no demand here)
        keep = ~h.coupler.injection_sink
        # (gas short earlier weighs a little more: with nothing else to choose between, serve now, not later)
        early = 1.0 + EPS_EARLY * (D - np.arange(D)) / D
        self.u = b.add(D * nk, 0.0, np.where(keep[None, :], dem, 0.0).ravel(),
                       (early[:, None] * usd_per_kt_unserved[None, :]).ravel())
        # terminals
        self.s: list[NDArray[np.int64]] = []
        self.inv: list[NDArray[np.int64]] = []
        self.rec: list[NDArray[np.int64]] = []
        self.unl: list[NDArray[np.int64]] = []
        self._cum_rows: dict[str, int] = {}
        self.y: dict[int, tuple[list[int], F64]] = {}
        fixed_u = unloading_profile(h, [c if not self._movable(c) else replace(c, cancelled=True) for c in cargoes],
                                    edges)
        for i, t in enumerate(terms):
            lng = props[i]
            cap = t.tank_m3 * lng.density_kg_m3 / KT
            heel = t.heel_m3 * lng.density_kg_m3 / KT
            i0 = t.start_m3 * lng.density_kg_m3 / KT
            boil = t.boil_off_pct_per_day / 100.0 * cap
            regas = lng.mmscfd_to_kg_s(t.regas_max_mmscfd) * DAY / KT
            cost = 0.0
            if opts.objective == "cost":
                cost = float(t.cost_usd_per_mmbtu * j_to_mmbtu(lng.hhv_j_per_kg * KT))
            s = b.add(D, 0.0, netcap_kg_s[:, i] * DAY / KT, cost)
            inv = b.add(D, heel, cap, -EPS_STOCK * KT / max(cap, 1e-9))
            rec = b.add(D, 0.0, boil if t.boil_off_fate == BoilOffFate.SEND_OUT else 0.0, -EPS_FLARE * KT)
            # unloaded LNG: no more by day d than the berth model lets the carriers unload up to d (a carrier
            # waits at its berth while the tank is full); earlier is worth a little more
            unl = b.add(D, 0.0, np.inf, -EPS_UNLOAD * KT * (D - np.arange(D)) / D)
            self.s.append(s)
            self.inv.append(inv)
            self.rec.append(rec)
            self.unl.append(unl)
            # distance from the network's own split: dev >= |s - share| (a tie-break, see natural_shares)
            share = shares_kg_s[:, i] * DAY / KT
            ok = np.isfinite(share)
            dev = b.add(D, 0.0, np.inf, EPS_SPLIT * KT)
            b.rows_(int(np.sum(ok)), [(dev[ok], 1.0), (s[ok], -1.0)], -share[ok], np.inf)
            b.rows_(int(np.sum(ok)), [(dev[ok], 1.0), (s[ok], 1.0)], share[ok], np.inf)
            removed = 0.0 if t.boil_off_fate == BoilOffFate.RELIQUEFIED else boil
            # regasified liquid within the trains: s - rec <= regas
            b.rows_(D, [(s, 1.0), (rec, -1.0)], -np.inf, regas)
            # tank: I_d - I_{d-1} + s_d - rec_d - U_d = - removed
            b.rows_(1, [(inv[0:1], 1.0), (s[0:1], 1.0), (rec[0:1], -1.0), (unl[0:1], -1.0)], i0 - removed,
                    i0 - removed)
            if D > 1:
                b.rows_(D - 1, [(inv[1:], 1.0), (inv[:-1], -1.0), (s[1:], 1.0), (rec[1:], -1.0), (unl[1:], -1.0)],
                        -removed, -removed)
            # cumulative unloading: sum_{d' <= d} U_d' <= what the (fixed) carriers could unload by d
            self._cum_rows[t.id] = len(b.rlo)
            cum = np.cumsum(fixed_u[t.id] / KT)
            for d in range(D):
                b.rows.append(np.full(d + 1, len(b.rlo), dtype=np.int64))
                b.cols.append(unl[: d + 1].astype(np.int64))
                b.vals.append(np.ones(d + 1))
                b.rlo.append(-np.inf)
                b.rhi.append(float(cum[d]))
        # movable cargoes (slots): binaries per candidate day
        if opts.slots:
            self._slots(b, cargoes, edges)
        # stores
        self.w, self.j, self.g = [], [], []
        for st in stores:
            per = cn.gas.basis.density_60f_kg_m3 * 28316.846592 / KT  # kt per MMSCF
            capg = st.working_gas_mmscf * per
            w = b.add(D, 0.0, st.max_withdrawal_mmscfd * per)
            inj_ok = st.injection_sink is not None
            month = [(h.options.start + timedelta(seconds=float(e))).month for e in edges[:-1]]
            j_hi = np.array([st.injection_target_mmscfd * per if (inj_ok and m in st.injection_months) else 0.0
                             for m in month])
            j = b.add(D, 0.0, j_hi)
            g = b.add(D, 0.0, capg)
            g0 = st.initial_fill * capg
            b.rows_(1, [(g[0:1], 1.0), (j[0:1], -1.0), (w[0:1], 1.0)], g0, g0)
            if D > 1:
                b.rows_(D - 1, [(g[1:], 1.0), (g[:-1], -1.0), (j[1:], -1.0), (w[1:], 1.0)], 0.0, 0.0)
            # rate limits: below each segment line of the fill curves, at the start-of-day fill
            for curve, var, rmax in ((st.withdrawal_curve, w, st.max_withdrawal_mmscfd * per),
                                     (st.injection_curve, j, st.max_injection_mmscfd * per)):
                for (f0, c0), (f1, c1) in itertools.pairwise(curve):
                    slope = (c1 - c0) / (f1 - f0) * rmax / capg
                    icpt = (c0 - (c1 - c0) / (f1 - f0) * f0) * rmax
                    b.rows_(1, [(var[0:1], 1.0)], -np.inf, icpt + slope * g0)
                    if D > 1:
                        b.rows_(D - 1, [(var[1:], 1.0), (g[:-1], -slope)], -np.inf, icpt)
            self.w.append(w)
            self.j.append(j)
            self.g.append(g)
        # the grid, per day
        for d in range(D):
            tm: list[tuple[NDArray[np.int64], Any]] = [(np.array([s[d]]), 1.0) for s in self.s]
            tm += [(np.array([w[d]]), 1.0) for w in self.w]
            tm += [(np.array([j[d]]), -1.0) for j in self.j]
            tm += [(self.u[d * nk:(d + 1) * nk], np.ones(nk))]
            need = float(np.sum(dem[d][keep])) + fuel_kg_s[d] * DAY / KT - fixed
            cols = np.concatenate([np.atleast_1d(c) for c, _ in tm])
            vals = np.concatenate([np.broadcast_to(np.asarray(v, float), np.atleast_1d(c).shape) for c, v in tm])
            b.rows.append(np.full(len(cols), len(b.rlo), dtype=np.int64))
            b.cols.append(cols.astype(np.int64))
            b.vals.append(vals)
            b.rlo.append(need)
            b.rhi.append(need)
        self.b = b
        self.nt, self.ns, self.nk = nt, ns, nk

    def _movable(self, c: Cargo) -> bool:
        return self.opts.slots and not c.cancelled

    def _slots(self, b: _Builder, cargoes: list[Cargo], edges: F64) -> None:
        h = self.h
        start = h.options.start
        terms = {t.id: k for k, t in enumerate(h.chain.terminals)}
        occ_rows: dict[str, list[tuple[int, F64]]] = {t.id: [] for t in h.chain.terminals}
        for ci, c in enumerate(cargoes):
            if not self._movable(c):
                continue
            t = h.chain.terminals[terms[c.terminal]]
            lng = h.props[f"{t.temperature_c:g}"][c.lng or t.lng]
            t_arr = (c.arrival - start).total_seconds()
            cand = [t_arr + k * DAY for k in range(-self.opts.window_days, self.opts.window_days + 1)
                    if 0 <= t_arr + k * DAY < edges[-1]]
            if not cand:
                continue
            ys = b.add(len(cand), 0.0, 1.0, 0.0, integer=True)
            b.rows.append(np.full(len(ys), len(b.rlo), dtype=np.int64))
            b.cols.append(ys)
            b.vals.append(np.ones(len(ys)))
            b.rlo.append(1.0)
            b.rhi.append(1.0)
            mass = c.volume_m3 * lng.density_kg_m3
            rate = t.unloading_m3_per_h / 3600.0 * lng.density_kg_m3
            profiles = []
            for a, y in zip(cand, ys, strict=True):
                s0 = a + t.berthing_h * 3600.0
                u = np.clip(np.minimum(edges[1:], s0 + mass / rate) - np.maximum(edges[:-1], s0), 0.0, None) * rate
                profiles.append(u / KT)
                occ_rows[t.id].append((int(y), _occupancy(a, t.berthing_h * 3600.0, mass / rate,
                                                          t.unberthing_h * 3600.0, edges)))
            self.y[ci] = ([int(v) for v in ys], np.array(cand))
            # the chosen slot's unloading raises the cumulative limits: sum U - sum_a y_a cum_a(d) <= fixed cum(d)
            r0 = self._cum_rows[t.id]
            for y, prof in zip(ys, profiles, strict=True):
                cum = np.cumsum(prof)
                nz = np.flatnonzero(cum)
                b.rows.append((r0 + nz).astype(np.int64))
                b.cols.append(np.full(len(nz), int(y), dtype=np.int64))
                b.vals.append(-cum[nz])
        for t in h.chain.terminals:
            items = occ_rows[t.id]
            if not items:
                continue
            D = len(edges) - 1
            for d in range(D):
                cols = np.array([y for y, occ in items if occ[d] > 0], dtype=np.int64)
                if len(cols):
                    vals = np.array([occ[d] for _, occ in items if occ[d] > 0])
                    b.rows.append(np.full(len(cols), len(b.rlo), dtype=np.int64))
                    b.cols.append(cols)
                    b.vals.append(vals)
                    b.rlo.append(-np.inf)
                    b.rhi.append(float(t.berths))

    def solve(self) -> tuple[str, F64, float]:
        status, x, obj, _, _ = self.b.solve(self.opts.mip_gap, self.opts.time_limit_s)
        return status, x, obj

    def values(self, x: F64) -> tuple[F64, F64, F64, F64, F64]:
        """Send-out, inventories, withdrawal, injection and unserved gas of a solution (kg/s and kg)."""
        D = self.D
        s = np.stack([x[c] for c in self.s], axis=1) * KT / DAY
        inv = np.stack([x[c] for c in self.inv], axis=1) * KT
        w = np.stack([x[c] for c in self.w], axis=1) * KT / DAY if self.w else np.zeros((D, 0))
        j = np.stack([x[c] for c in self.j], axis=1) * KT / DAY if self.j else np.zeros((D, 0))
        return s, inv, w, j, x[self.u].reshape(D, -1) * KT / DAY

    def arrivals(self, x: F64, cargoes: list[Cargo]) -> list[Cargo]:
        """The schedule with each movable cargo at its chosen slot (in order of arrival)."""
        out = list(cargoes)
        for ci, (ys, cand) in self.y.items():
            t_new = self.h.options.start + timedelta(seconds=float(cand[int(np.argmax(x[ys]))]))
            out[ci] = replace(cargoes[ci], arrival=t_new + timedelta(hours=cargoes[ci].delay_h))
        return sorted(out, key=lambda c: c.scheduled_arrival)


@dataclass
class _State:
    """What the rounds of a plan carry: the network cuts, the fuel estimate, the rounds done."""

    fuel: F64
    netcap: F64
    shares: F64
    cuts: int = 0
    rounds: int = 0
    notes: list[str] = field(default_factory=list)


def _rounds(h: Horizon, cargoes: list[Cargo], opts: PlanOptions, st: _State, limit: int) -> tuple[Any, ...]:
    """Plan-replay rounds on a fixed schedule (an LP each) until the replay matches or ``limit`` rounds."""
    chain, network, start, D = h.chain, h.network, h.options.start, len(h.edges) - 1
    best: tuple[Any, ...] | None = None
    for _ in range(limit):
        st.rounds += 1
        lp = _Lp(h, cargoes, opts, st.fuel, st.netcap, st.shares)
        status, x, obj = lp.solve()
        if "no solution" in status or not len(x):
            raise InputError(f"plan: HiGHS found no plan ({status}); the tanks cannot take the cargoes as "
                             "scheduled (move or cancel one) or the month is infeasible in another way")
        s, inv, w, j, u = lp.values(x)
        replay = Horizon(chain, network, cargoes, h.options, h.scenario, h.profile).run(PlanDispatch(s, w, j))
        cap = np.array([t.tank_m3 * lp.props[i].density_kg_m3 for i, t in enumerate(chain.terminals)])
        gap = float(np.max(np.abs(replay.inventory_kg - inv) / cap[None, :], initial=0.0))
        short_plan = u.sum(axis=1) * DAY
        short_replay = (replay.unserved_kg_s * replay.dt_s[:, None]).sum(axis=1)
        tol = 1e-6 * (h.demand.sum(axis=1) * DAY)
        mismatch = [(start + timedelta(days=d)).date().isoformat() for d in range(D)
                    if short_replay[d] > short_plan[d] + max(tol[d], 1e-3 * short_plan[d])]
        best = (s, inv, w, j, u, list(cargoes), obj, status, replay, gap, mismatch)
        st.fuel = replay.fuel_kg_s.copy()
        if gap <= opts.inventory_tol and not mismatch:
            break
        # cuts: where the network took less from a terminal than planned
        sent = replay.sent_kg / DAY
        new = (sent < s - 1e-6 * np.maximum(s, 1.0)) & (s > 0) & (sent < st.netcap - 1e-6)
        if np.any(new):
            st.netcap = np.where(new, sent, st.netcap)
            st.cuts += int(np.sum(new))
            st.notes.append(f"round {st.rounds}: {int(np.sum(new))} terminal-day(s) limited by the network")
    assert best is not None
    return best


def _unserved_usd(h: Horizon, u: F64) -> float:
    cn = h.coupler.cn
    voll = h.chain.economics.value_of_lost_load_usd_per_mmbtu
    per_kg = np.array([voll.get(c, 0.0) for c in cn.sink_category]) * j_to_mmbtu(cn.gas.basis.hhv_j_per_kg or 0.0)
    return float(np.sum(u * DAY * per_kg[None, :]))


def plan_month(chain: SupplyChain, network: Network, cargoes: list[Cargo], start: datetime, days: int,
               scenario: str | None = None, options: PlanOptions | None = None) -> MonthlyPlan:
    """Plan daily send-out (and, with ``slots``, cargo arrival days) over ``days`` and verify it by replay.

    With ``slots``: the rounds first run on the given arrivals (learning the network's cuts), then one MILP
    moves the arrivals within their windows with those cuts, and rounds refine the send-out for the new
    arrivals; the moved plan is kept only when its replay serves more (by value of lost load)."""
    opts = options or PlanOptions()
    opts.check()
    if days < 1 or days > 400:
        raise InputError(f"plan: --days {days}: give 1 to 400 days (daily steps)")
    t_cpu = time.process_time()
    h = Horizon(chain, network, cargoes, HorizonOptions(start, float(days), 24.0, "steady"), scenario)
    D, nt = len(h.edges) - 1, len(chain.terminals)
    first = h.run()  # the simulation as it would go without a plan: its fuel is the first estimate
    st = _State(first.fuel_kg_s.copy(), np.full((D, nt), np.inf), natural_shares(h))
    fixed = replace(opts, slots=False)
    best = _rounds(h, list(cargoes), fixed, st, opts.rounds)
    if opts.slots:
        lp = _Lp(h, list(cargoes), opts, st.fuel, st.netcap, st.shares)
        status, x, _ = lp.solve()
        st.rounds += 1
        if "no solution" not in status and len(x):
            moved = lp.arrivals(x, cargoes)
            before = {c.vessel: c.arrival for c in cargoes}
            n_moved = sum(c.arrival != before.get(c.vessel) for c in moved)
            h2 = Horizon(chain, network, moved, h.options, scenario)
            alt = _rounds(h2, moved, fixed, st, opts.rounds)
            def lost(b: tuple[Any, ...]) -> float:
                rep: SupplyResult = b[8]
                return float(np.sum(rep.unserved_kg_s * rep.dt_s[:, None]))

            if lost(alt) < lost(best) - 1e-9 * max(lost(best), 1.0) or (alt[10] == [] and best[10] != []):
                best = alt
                st.notes.append(f"cargo slots moved (MILP): {n_moved} arrival(s) changed")
            else:
                st.notes.append("cargo slots: moving arrivals did not reduce unserved gas in the replay; the "
                                "schedule is kept")
    s, inv, w, j, u, planned, obj, status, replay, gap_max, mismatch = best
    gas_cost = float(sum(t.cost_usd_per_mmbtu * j_to_mmbtu(h.props[f"{t.temperature_c:g}"][t.lng].hhv_j_per_kg)
                         * float(np.sum(s[:, i])) * DAY for i, t in enumerate(chain.terminals)))
    cn = h.coupler.cn
    return MonthlyPlan(start, D, tuple(t.id for t in chain.terminals), tuple(x.id for x in h.stores),
                       cn.sink_ids, cn.sink_category, s, inv, w, j, u, planned, float(obj), _unserved_usd(h, u),
                       gas_cost, status, st.rounds, replay, gap_max, mismatch, st.cuts, time.process_time() - t_cpu,
                       st.notes)


def plan_table(plan: MonthlyPlan) -> list[dict[str, Any]]:
    """One row per day: planned send-out per terminal (MMSCFD of its LNG), unserved (MMSCF), replayed
    inventories' largest gap (fraction of the tank)."""
    rep = plan.replay
    rows = []
    order = {c: k for k, c in enumerate(SHED_ORDER)}
    for d in range(plan.days):
        row: dict[str, Any] = {"day": plan.day(d)}
        for i, tid in enumerate(plan.terminal_ids):
            row[f"send_out_mmscfd:{tid}"] = float(rep.lng_mmscf(plan.send_out_kg_s[d, i] * DAY, i))
            row[f"inventory_m3:{tid}"] = float(rep.m3(plan.inventory_kg[d, i], i))
            row[f"replay_inventory_m3:{tid}"] = float(rep.m3(rep.inventory_kg[d, i], i))
        row["unserved_mmscf"] = float(rep.gas_mmscf(plan.unserved_kg_s[d].sum() * DAY))
        row["replay_unserved_mmscf"] = float(rep.gas_mmscf((rep.unserved_kg_s[d] * rep.dt_s[d]).sum()))
        cats = sorted({plan.sink_categories[k] for k in np.flatnonzero(plan.unserved_kg_s[d] > 1e-9)},
                      key=lambda c: order.get(c, -1))
        row["curtailed_classes"] = ", ".join(cats)
        rows.append(row)
    return rows
