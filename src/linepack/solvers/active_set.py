"""The control rules of compressors, regulators and sources: which equation each one obeys at a solution.

A controlled element holds its set-point as far as its limits allow; the steady state is the solution whose
every element is in the mode its own rules give at that solution. After each converged Newton solve,
:class:`ActiveSet` checks every element against those rules and moves the ones that are inconsistent; the
steady-state solver re-solves until nothing moves. Because the rules are checked in full at the end (each
mode's exit conditions, not only the ways into it), the answer does not depend on the path: the final
state is consistent whichever states were visited, so where the physics has one solution the solver
returns it.

Compressor station (held quantity: discharge or suction pressure, ratio, power or flow; limits: ratio,
power, flow; the station only raises pressure and, unless ``bidirectional``, has a check valve):

* running at its set-point or at a limit: the tightest of {set-point, maximum ratio, maximum power,
  maximum flow} is the one in force (another that is exceeded takes over); a ratio below 1 means the
  set-point asks for no compression: **bypass**; a reverse flow: **closed** (a bidirectional station
  turns round and compresses the other way);
* in bypass (ratio 1): back to its set-point as soon as the set-point asks for compression (discharge below
  it, suction above it, a ratio or power above 1 or 0, a flow below it); a reverse flow closes the check
  valve (a bidirectional station turns round);
* closed (no flow): re-opens when gas would flow forward through it (discharge below suction: bypass) or
  when its set-point could be served by compressing forward (discharge below what its set-point and its
  ratio limit allow at that suction): this is the rule whose absence let a station stay closed after a
  transient reverse flow during the iterations.

Regulator (held quantity: outlet pressure or flow; it never raises the pressure and blocks reverse flow):
holding, fully open (inlet below what it should hold), at its maximum flow, or closed (reverse flow), with
the exits of each checked the same way. Sources: capacity, shut-in and maximum send-out pressure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode, RegMode
from ..quality.properties import GasProps
from .diagnostics import islands
from .equations import ControlState, SourceBound, SteadySystem, user_comp_target, user_reg_target
from .station_bounds import MAP_MODES, chosen_configs, full_driver_power

F64 = NDArray[np.float64]
TOL = 1e-7  # relative tolerance of the rules (a state within it of its switching point is consistent)
DAMP_AFTER = 6  # after this many switches of one element, elements are switched one at a time
FAR_ABOVE = 0.05  # a flow source this far above its maximum send-out pressure is shut in rather than held there
CONF_SIZE = 1e-3  # the size of a configuration change (others go first when the rounds are damped)
_RUNNING = (CompMode.PRESSURE, CompMode.SUCTION, CompMode.RATIO, CompMode.POWER, CompMode.FLOW)
_CONTROLLED = _RUNNING
_ON = (*_RUNNING, CompMode.MAP_FLOW, CompMode.MAP_HEAD)  # running: held, or at a limit (stations with units: theirs)


@dataclass(frozen=True)
class Move:
    """A change of one element's control mode, with the relative size of the inconsistency it removes."""

    size: float
    kind: str  # comp | reg | src | conf (the configuration ``mode`` of station ``k`` with units)
    k: int
    mode: int
    target: float = 0.0
    reverse: bool = False


def _overshoot(held: int, target: float, ps: float, pd: float, qc: float, power: float) -> float:
    """How far past ``target`` the held quantity is (> 0: more compression than the target wants)."""
    if held == CompMode.PRESSURE:
        return pd / target - 1.0
    if held == CompMode.SUCTION:
        return 1.0 - ps / target
    if held == CompMode.RATIO:
        return (pd / ps) / target - 1.0
    if held == CompMode.POWER:
        return power / max(target, 1.0) - 1.0
    return qc / target - 1.0  # FLOW


def _wants_compression(user: int, target: float, ps: float, pd: float, qc: float) -> float:
    """At ratio 1 (bypass): how much the set-point asks for compression (> TOL: it does)."""
    if user == CompMode.PRESSURE:
        return 1.0 - pd / target
    if user == CompMode.SUCTION:
        return ps / target - 1.0
    if user == CompMode.RATIO:
        return target - 1.0
    if user == CompMode.POWER:
        return 1.0 if target > 0 else 0.0
    return 1.0 - qc / target  # FLOW


def _would_push(user: int, target: float, ratio_max: float, ps: float, pd: float) -> float:
    """A closed station: how far its discharge ``pd`` is below what it would produce at suction ``ps`` (> TOL:
    starting would push gas forward). Power limits do not bind at zero flow."""
    if user == CompMode.PRESSURE:
        reach = min(target, ratio_max * ps)
    elif user == CompMode.SUCTION:
        reach = ratio_max * ps if ps > target * (1 + TOL) else ps
    elif user == CompMode.RATIO:
        reach = min(target, ratio_max) * ps
    elif user == CompMode.POWER:
        reach = ratio_max * ps if target > 0 else ps
    else:  # FLOW
        reach = ratio_max * ps
    return reach / pd - 1.0


class ActiveSet:
    """Switches controlled elements between their set-point and the bound that limits them."""

    def __init__(self, cn: CompiledNetwork) -> None:
        self.cn = cn
        self.n_st = len(cn.stations) if cn.stations is not None else 0
        self.switches = np.zeros(len(cn.comp_edge) + len(cn.reg_edge) + len(cn.source_ids) + self.n_st, dtype=int)
        self.comp_user_target = user_comp_target(cn)
        self.reg_user_target = user_reg_target(cn)
        # stations with units (solvers.station_bounds): station of every compressor (-1: none), and per round
        # their head margins, flow capacities and drivers' full power at the solution being judged
        self.station_of = cn.stations.station_of(len(cn.comp_edge)) if cn.stations is not None else None
        self._units: tuple[F64, F64, F64] | None = None
        self.rescued: set[int] = set()  # stations with units held at their drivers' full power once already

    def _offset(self, kind: str) -> int:
        nc, nr, ns = len(self.cn.comp_edge), len(self.cn.reg_edge), len(self.cn.source_ids)
        return {"comp": 0, "reg": nc, "src": nc + nr, "conf": nc + nr + ns}[kind]

    # --- compressors ---------------------------------------------------------------------------------
    def _compressor_moves(
        self, state: ControlState, p: F64, q: F64, power: F64, m_ref: float, limits_only: bool
    ) -> list[Move]:
        cn = self.cn
        out: list[Move] = []
        rev_all = state.reverse()
        for k, e in enumerate(cn.comp_edge):
            user = int(cn.comp_mode[k])
            if user not in _CONTROLLED:
                continue
            mode, tgt, rev = int(state.comp_mode[k]), float(state.comp_target[k]), bool(rev_all[k])
            a, b = int(cn.edge_from[e]), int(cn.edge_to[e])
            s_node, d_node = (b, a) if rev else (a, b)
            ps, pd = float(p[s_node]), float(p[d_node])
            qc = float(q[e]) * (-1.0 if rev else 1.0)
            t_user = float(self.comp_user_target[k])
            both_ways = bool(cn.comp_bidirectional[k]) if len(cn.comp_bidirectional) else False
            move = None
            if mode in _ON:
                move = self._running(k, user, t_user, mode, tgt, rev, ps, pd, qc, float(power[k]), m_ref,
                                     both_ways, limits_only)  # fmt: skip
            elif limits_only:
                continue
            elif mode == CompMode.BYPASS:
                if qc < -TOL * m_ref:
                    move = (
                        Move(-qc / m_ref, "comp", k, user, t_user, not rev)
                        if both_ways
                        else Move(-qc / m_ref, "comp", k, CompMode.OFF)
                    )
                else:
                    want = _wants_compression(user, t_user, ps, pd, qc)
                    if want > TOL:
                        move = self._start(k, user, t_user, ps, want, rev)
            elif mode == CompMode.OFF:
                move = self._closed(k, user, t_user, float(p[a]), float(p[b]), both_ways)
            if move is not None:
                out.append(move)
        return out

    def _running(
        self, k: int, user: int, t_user: float, mode: int, tgt: float, rev: bool, ps: float, pd: float, qc: float,
        power: float, m_ref: float, both_ways: bool, limits_only: bool,
    ) -> Move | None:  # fmt: skip
        cn = self.cn
        if not limits_only and qc < -TOL * m_ref:
            if both_ways:
                return Move(-qc / m_ref, "comp", k, user, t_user, not rev)
            return Move(-qc / m_ref, "comp", k, CompMode.OFF)
        if not limits_only and pd < ps * (1.0 - TOL):
            return Move(1.0 - pd / ps, "comp", k, CompMode.BYPASS, 0.0, rev)
        if limits_only and mode == CompMode.PRESSURE and tgt == t_user and ps > t_user * (1.0 + TOL) and pd > 0 <= qc:
            # on a failed iterate too: a discharge set-point below the suction cannot be held by compressing
            return Move(ps / t_user - 1.0, "comp", k, CompMode.BYPASS, 0.0, rev)
        at_limit = {
            int(CompMode.RATIO): "ratio",
            int(CompMode.POWER): "power",
            int(CompMode.FLOW): "flow",
            int(CompMode.MAP_FLOW): "map_flow",
            int(CompMode.MAP_HEAD): "map_head",
        }
        active = "set" if (mode == user and tgt == t_user) else at_limit.get(mode, "set")
        limits: dict[str, tuple[int, float, float]] = {
            "ratio": (CompMode.RATIO, float(cn.comp_ratio_max[k]), (pd / ps) / cn.comp_ratio_max[k] - 1.0),
            "power": (CompMode.POWER, float(cn.comp_power_max_w[k]), power / cn.comp_power_max_w[k] - 1.0),
            "flow": (CompMode.FLOW, float(cn.comp_flow_max[k]), qc / cn.comp_flow_max[k] - 1.0),
        }
        js = int(self.station_of[k]) if self.station_of is not None else -1
        if js >= 0 and self._units is not None:  # the limits of its units (solvers.station_bounds)
            margin, cap = float(self._units[0][js]), float(self._units[1][js])
            limits["map_head"] = (CompMode.MAP_HEAD, 0.0, -margin)
            if margin >= -TOL and not limits_only:  # flow limits wait for a converged solution
                limits["map_flow"] = (CompMode.MAP_FLOW, 0.0, qc / max(cap, 1e-9 * m_ref) - 1.0)
            rescued = mode == CompMode.POWER and user != CompMode.POWER and not np.isfinite(cn.comp_power_max_w[k])
            if rescued and not limits_only:
                # out of the rescue below: onto the map limit that binds, else back to the set-point
                bind = max(("map_head", "map_flow"), key=lambda key: limits.get(key, (0, 0.0, -np.inf))[2])
                if bind in limits and limits[bind][2] > TOL:
                    return Move(1.0, "comp", k, limits[bind][0], 0.0, rev)
                return Move(1.0, "comp", k, user, t_user, rev)
        if not limits_only:
            limits["set"] = (user, t_user, _overshoot(user, t_user, ps, pd, qc, power))
        others = {key: v for key, v in limits.items() if key != active}
        if not others:
            return None
        worst = max(others, key=lambda key: others[key][2])
        new_mode, new_target, size = others[worst]
        if size > TOL and js >= 0 and self._units is not None:
            if worst == "map_flow" and user == CompMode.PRESSURE and ps >= t_user * (1 - 1e-9):
                # more flow than its units pass, with a set-point the suction already meets: the bypass holds it
                return Move(size, "comp", k, CompMode.BYPASS, 0.0, rev)
            if limits_only and worst in ("map_head", "map_flow") and k not in self.rescued:
                # a failed iterate (far from the answer) asks more head than the units make: the station is held
                # at its drivers' full power (like a station's power limit) rather than on its map's edge, which
                # ties its pressures to each other; once Newton converges the map limit or the set-point takes
                # over (above). Once per station and solve: a station rescued before goes onto the map limit
                self.rescued.add(k)
                return Move(size, "comp", k, CompMode.POWER, float(self._units[2][js]), rev)
        if size > TOL:
            return Move(size, "comp", k, new_mode, new_target, rev)
        return None

    def _start(self, k: int, user: int, t_user: float, ps: float, size: float, rev: bool) -> Move:
        """A station starting to compress: at its set-point, or directly at its maximum ratio when the set-point
        is out of its reach at the present suction pressure (which saves a solve that cannot succeed)."""
        r_max = float(self.cn.comp_ratio_max[k])
        need = t_user / ps if user == CompMode.PRESSURE else (t_user if user == CompMode.RATIO else 0.0)
        if need > r_max * (1.0 + TOL):
            return Move(size, "comp", k, CompMode.RATIO, r_max, rev)
        return Move(size, "comp", k, user, t_user, rev)

    def _closed(self, k: int, user: int, t_user: float, p_from: float, p_to: float, both_ways: bool) -> Move | None:
        """A closed station re-opens when either flow through it or compression would start forward (or, when
        bidirectional, backwards)."""
        cn = self.cn
        r_max = float(cn.comp_ratio_max[k])
        best: Move | None = None
        for rev in (False, True) if both_ways else (False,):
            ps, pd = (p_to, p_from) if rev else (p_from, p_to)
            cand: Move | None = None
            if pd < ps * (1.0 - TOL):
                cand = Move(1.0 - pd / ps, "comp", k, CompMode.BYPASS, 0.0, rev)
            else:
                push = _would_push(user, t_user, r_max, ps, pd)
                cand = self._start(k, user, t_user, ps, push, rev) if push > TOL else None
            if cand is not None and (best is None or cand.size > best.size):
                best = cand
        return best

    # --- regulators ----------------------------------------------------------------------------------
    def _regulator_moves(self, state: ControlState, p: F64, q: F64, m_ref: float, limits_only: bool) -> list[Move]:
        cn = self.cn
        out: list[Move] = []
        for k, e in enumerate(cn.reg_edge):
            user = int(cn.reg_mode[k])
            if user not in (RegMode.PRESSURE, RegMode.FLOW):
                continue
            mode, tgt = int(state.reg_mode[k]), float(state.reg_target[k])
            pin, pout, qr = float(p[cn.edge_from[e]]), float(p[cn.edge_to[e]]), float(q[e])
            t_user = float(self.reg_user_target[k])
            q_max = float(cn.reg_flow_max[k])
            holding = mode == user and tgt == t_user
            move: Move | None = None
            if mode in (RegMode.PRESSURE, RegMode.FLOW, RegMode.OPEN) and qr < -TOL * m_ref:
                move = Move(-qr / m_ref, "reg", k, RegMode.CLOSED)
            elif mode in (RegMode.PRESSURE, RegMode.FLOW) and pin < pout * (1.0 - TOL):
                move = Move(1.0 - pin / pout, "reg", k, RegMode.OPEN)
            elif mode in (RegMode.PRESSURE, RegMode.FLOW, RegMode.OPEN):
                cands: list[Move] = []
                if not (mode == RegMode.FLOW and tgt == q_max):
                    cands.append(Move(qr / q_max - 1.0, "reg", k, RegMode.FLOW, q_max))
                if not holding:  # past what the set-point wants: hold it
                    past = pout / t_user - 1.0 if user == RegMode.PRESSURE else qr / t_user - 1.0
                    cands.append(Move(past, "reg", k, user, t_user))
                worst = max(cands, key=lambda c: c.size, default=None)
                if worst is not None and worst.size > TOL:
                    move = worst
            elif mode == RegMode.CLOSED and pin > pout * (1.0 + TOL):
                # gas would pass forward: unless the outlet is already at (or above) a pressure set-point
                push = 1.0 - pout / t_user if user == RegMode.PRESSURE else pin / pout - 1.0
                if push > TOL:
                    move = Move(push, "reg", k, user, t_user)
            if move is not None and (not limits_only or move.mode in (RegMode.OPEN, RegMode.FLOW)):
                out.append(move)
        return out

    # --- sources -------------------------------------------------------------------------------------
    def _source_moves(self, state: ControlState, p: F64, supply: F64, m_ref: float, limits_only: bool) -> list[Move]:
        """Capacity, no gas taken back, maximum send-out pressure (one source changes per round: sources
        interact strongly, one at capacity makes the others supply more)."""
        cn = self.cn
        out: list[Move] = []
        sb = state.src_bound
        for k in range(len(cn.source_ids)):
            pn = p[cn.source_node[k]]
            cap, b = cn.source_capacity[k], sb[k]
            scale = max(abs(supply[k]), 1e-3 * m_ref)
            cand: tuple[float, SourceBound] | None = None
            if cn.source_is_pressure[k]:
                pset = cn.source_p_set_pa[k]
                if b == SourceBound.NONE and supply[k] > cap * (1 + 1e-9) + 1e-9 * m_ref:
                    cand = ((supply[k] - cap) / scale, SourceBound.CAPACITY)
                elif not cn.source_absorbs[k] and b == SourceBound.NONE and supply[k] < -TOL * m_ref:
                    cand = (-supply[k] / scale, SourceBound.SHUT_IN)  # a limit too: it cannot take gas back
                elif limits_only:
                    pass
                elif b == SourceBound.CAPACITY and pn > pset * (1 + 1e-9):
                    cand = (pn / pset - 1.0, SourceBound.NONE)
                elif b == SourceBound.SHUT_IN and pn < pset * (1 - 1e-9):
                    cand = (1.0 - pn / pset, SourceBound.NONE)
            elif np.isfinite(cn.source_p_max_pa[k]):
                pmax, nominal = cn.source_p_max_pa[k], cn.source_inflow[k]
                if b == SourceBound.NONE and pn > pmax * (1 + 1e-9):
                    # far above its limit the source would take gas back at it: shut it in first (it comes
                    # back at its limit if the network pressure then falls below it)
                    far = pn > pmax * (1 + FAR_ABOVE)
                    cand = (pn / pmax - 1.0, SourceBound.SHUT_IN if far else SourceBound.PRESSURE_LIMIT)
                elif limits_only:
                    pass
                elif b == SourceBound.PRESSURE_LIMIT and supply[k] > nominal * (1 + 1e-9):
                    cand = ((supply[k] - nominal) / scale, SourceBound.NONE)
                elif b == SourceBound.PRESSURE_LIMIT and supply[k] < -TOL * m_ref:
                    cand = (-supply[k] / scale, SourceBound.SHUT_IN)
                elif b == SourceBound.SHUT_IN and pn < pmax * (1 - 1e-9):
                    cand = (1.0 - pn / pmax, SourceBound.PRESSURE_LIMIT)
            if cand is not None:
                out.append(Move(float(cand[0]), "src", k, int(cand[1])))
        return out

    def _keeps_reference(self, state: ControlState, move: Move) -> bool:
        """A source that is the last pressure reference of its island is never shut in (the island's excess
        supply is then reported as a violation); it may reach its capacity, which makes the case infeasible
        and is diagnosed as supply below demand."""
        cn = self.cn
        k = move.k
        if not (state.src_pressure[k] and move.mode == SourceBound.SHUT_IN):
            return True
        _, labels = islands(cn, state)
        held = state.src_pressure
        refs = np.bincount(labels[cn.source_node[held]], minlength=int(labels.max()) + 1)
        return bool(refs[labels[cn.source_node[k]]] > 1)

    # --- one round -----------------------------------------------------------------------------------
    def moves(
        self, state: ControlState, sys: SteadySystem, x: F64, limits_only: bool = False, exclude: tuple[Move, ...] = ()
    ) -> list[Move]:
        """The changes of control mode that the rules ask for at the solution ``x`` (none: consistent).

        ``limits_only`` (used on a failed Newton iterate) only moves elements onto limits they exceed
        (compressor ratio, power, flow; regulator fully open or at its maximum flow; source capacity, maximum
        send-out pressure, no gas taken back), never releases, bypasses or closes them. Every compressor and
        regulator that is inconsistent moves at once, with the source whose inconsistency is largest (sources
        taking back gas they cannot take are shut in first, alone); once an element has switched DAMP_AFTER
        times, only the single largest change is made per round, so that interacting elements settle instead of
        cycling. Moves in ``exclude`` (tried from this solution without success) are left out.
        """
        cn = self.cn
        p, q, s = sys.split(x)
        m_ref = sys.m_ref
        power = sys.compressor_power(p, q)[0] if len(cn.comp_edge) else np.zeros(0)
        self._units = None
        if cn.stations is not None:
            terms = sys.station_terms(p, q, False, limits=True)
            assert terms is not None
            self._units = (terms.margin, terms.capacity, full_driver_power(cn, state.configs(cn)))
        supply = np.where(state.src_pressure, 0.0, state.src_inflow)
        supply[sys.psrc] = s
        skip = {(mv.kind, mv.k, mv.mode, mv.target, mv.reverse) for mv in exclude}

        def kept(found: list[Move]) -> list[Move]:
            return [mv for mv in found if (mv.kind, mv.k, mv.mode, mv.target, mv.reverse) not in skip]

        edge_moves = kept(self._compressor_moves(state, p, q, power, m_ref, limits_only))
        edge_moves += kept(self._regulator_moves(state, p, q, m_ref, limits_only))
        src_moves = sorted(kept(self._source_moves(state, p, supply, m_ref, limits_only)), key=lambda mv: -mv.size)
        taking_back = [mv for mv in src_moves if mv.mode == SourceBound.SHUT_IN and state.src_pressure[mv.k]]
        if taking_back:
            # pressure-held sources taking gas back they cannot take shape the whole solution: shut them in
            # first (keeping a reference in every island), before judging other elements at such a solution
            out: list[Move] = []
            for mv in taking_back:
                if self._keeps_reference(self._apply(state, out), mv):
                    out.append(mv)
            if out:
                return out
        provisional = self._apply(state, edge_moves) if edge_moves else state
        src_pick = next((mv for mv in src_moves if self._keeps_reference(provisional, mv)), None)
        moves = edge_moves + ([src_pick] if src_pick is not None else [])
        if cn.stations is not None:
            onto_map = [mv for mv in moves if mv.kind == "comp" and mv.mode in MAP_MODES]
            if onto_map and not limits_only:
                # stations going onto a limit of their units go alone: their rows tie flow and pressures
                # together, and solved with other changes at once they often leave Newton without a descent
                moves = onto_map
            moves += kept(self._config_moves(provisional, p, q, limits_only, bool(moves), sys.props))
        if moves and int(self.switches.max(initial=0)) >= DAMP_AFTER:
            moves = [max(moves, key=lambda mv: mv.size)]
        return moves

    def _config_moves(
        self, state: ControlState, p: F64, q: F64, limits_only: bool, others: bool, props: GasProps | None = None
    ) -> list[Move]:
        """Stations with units told no configuration run the cheapest that can do the job
        (:func:`.station_bounds.chosen_configs`); while other elements still change, only a station whose
        configuration cannot do the job changes it; on a failed iterate, to the one that passes the most gas."""
        how = "rescue" if limits_only else ("grow" if others else "rule")
        current = state.configs(self.cn)
        chosen, _ = chosen_configs(self.cn, state, p, q, how, props)
        return [Move(CONF_SIZE, "conf", int(s), int(chosen[s])) for s in np.flatnonzero(chosen != current)]

    def apply(self, state: ControlState, moves: list[Move]) -> ControlState:
        """``state`` with ``moves`` made (and counted)."""
        for mv in moves:
            self.switches[mv.k + self._offset(mv.kind)] += 1
        return self._apply(state, moves)

    def cycling_texts(self) -> list[str]:
        """The elements that switched most often (for the message when the rounds run out)."""
        cn = self.cn
        ids = [cn.edge_ids[e] for e in cn.comp_edge] + [cn.edge_ids[e] for e in cn.reg_edge] + list(cn.source_ids)
        ids += [f"{sid} (configuration)" for sid in (cn.stations.ids if cn.stations is not None else ())]
        order = [int(i) for i in np.argsort(-self.switches, kind="stable") if self.switches[i] >= DAMP_AFTER][:8]
        if not order:
            order = [int(i) for i in np.argsort(-self.switches, kind="stable") if self.switches[i] > 0][:3]
        if not order:
            return []
        listed = ", ".join(f"{ids[i]} ({self.switches[i]} switches)" for i in order)
        return [f"elements that kept changing mode: {listed}"]

    def preview(self, state: ControlState, moves: list[Move]) -> ControlState:
        """``state`` with ``moves`` made, without counting them."""
        return self._apply(state, moves)

    def forget(self, moves: list[Move]) -> None:
        """Uncount ``moves`` (abandoned: their solve failed and the previous state is taken up again)."""
        for mv in moves:
            self.switches[mv.k + self._offset(mv.kind)] -= 1

    def update(
        self, state: ControlState, sys: SteadySystem, x: F64, limits_only: bool = False
    ) -> tuple[ControlState, bool]:
        """:meth:`moves` made at once: the new state and whether anything changed."""
        moves = self.moves(state, sys, x, limits_only)
        return (self.apply(state, moves), True) if moves else (state, False)

    def _apply(self, state: ControlState, moves: list[Move]) -> ControlState:
        cn = self.cn
        cm, ct = state.comp_mode.copy(), state.comp_target.copy()
        rev = state.reverse().copy()
        rm, rt = state.reg_mode.copy(), state.reg_target.copy()
        sp_, si = state.src_pressure.copy(), state.src_inflow.copy()
        pt, sb = state.src_p_target.copy(), state.src_bound.copy()
        sc = state.station_config.copy() if state.station_config is not None else None
        for mv in moves:
            k = mv.k
            if mv.kind == "conf":
                assert sc is not None and cn.stations is not None
                sc[k] = mv.mode
                kc = int(cn.stations.comp_k[k])
                if cm[kc] in MAP_MODES:  # its limits are those of the new configuration: checked next round
                    cm[kc], ct[kc] = int(cn.comp_mode[kc]), float(self.comp_user_target[kc])
            elif mv.kind == "comp":
                cm[k], ct[k], rev[k] = mv.mode, mv.target, mv.reverse
            elif mv.kind == "reg":
                rm[k], rt[k] = mv.mode, mv.target
            else:
                sb[k] = mv.mode
                if mv.mode == SourceBound.CAPACITY:
                    sp_[k], si[k] = False, float(cn.source_capacity[k])
                elif mv.mode == SourceBound.SHUT_IN:
                    sp_[k], si[k] = False, 0.0
                elif mv.mode == SourceBound.PRESSURE_LIMIT:
                    sp_[k], si[k], pt[k] = True, 0.0, float(cn.source_p_max_pa[k])
                elif cn.source_is_pressure[k]:
                    sp_[k], si[k], pt[k] = True, 0.0, float(cn.source_p_set_pa[k])
                else:
                    sp_[k], si[k] = False, float(cn.source_inflow[k])
        return ControlState(
            comp_mode=cm, comp_target=ct, reg_mode=rm, reg_target=rt, src_pressure=sp_, src_inflow=si,
            src_p_target=pt, src_bound=sb, comp_reverse=rev, station_config=sc,
        )  # fmt: skip


def resolve_shared_set_points(cn: CompiledNetwork, state: ControlState) -> ControlState:
    """A starting state in which no two pressure controls hold one node (or nodes tied by open valves and short
    pipes) at different set-points.

    Holding one node at two pressures has no solution; physically the higher one wins: a pressure-held source
    with a lower send-out pressure is shut in, a station holding a lower discharge is closed and a regulator
    with a lower outlet set-point closes. Only the starting state is changed: the control rules then confirm
    or release each of these choices like any other.
    """
    n = cn.n_nodes
    t = cn.tie_edge
    if not (len(cn.comp_edge) or len(cn.reg_edge)) and int(np.sum(state.src_pressure)) < 2:
        return state
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    adj = sp.coo_matrix((np.ones(len(t)), (cn.edge_from[t], cn.edge_to[t])), shape=(n, n))
    _, group = connected_components(adj, directed=False)
    rev = state.reverse()
    discharge = np.where(rev, cn.edge_from[cn.comp_edge], cn.edge_to[cn.comp_edge])
    comp_hold = state.comp_mode == CompMode.PRESSURE
    reg_hold = state.reg_mode == RegMode.PRESSURE
    src_hold = state.src_pressure
    top = np.full(int(group.max(initial=0)) + 1, -np.inf)
    np.maximum.at(top, group[discharge[comp_hold]], state.comp_target[comp_hold])
    np.maximum.at(top, group[cn.edge_to[cn.reg_edge[reg_hold]]], state.reg_target[reg_hold])
    np.maximum.at(top, group[cn.source_node[src_hold]], state.src_p_target[src_hold])
    low = 1.0 - 1e-6
    comp_off = comp_hold & (state.comp_target < top[group[discharge]] * low)
    reg_off = reg_hold & (state.reg_target < top[group[cn.edge_to[cn.reg_edge]]] * low)
    src_off = src_hold & ~cn.source_absorbs & (state.src_p_target < top[group[cn.source_node]] * low)
    if not (comp_off.any() or reg_off.any() or src_off.any()):
        return state
    cm, ct = state.comp_mode.copy(), state.comp_target.copy()
    cm[comp_off], ct[comp_off] = CompMode.OFF, 0.0
    rm, rt = state.reg_mode.copy(), state.reg_target.copy()
    rm[reg_off], rt[reg_off] = RegMode.CLOSED, 0.0
    sp_, si, sb = state.src_pressure.copy(), state.src_inflow.copy(), state.src_bound.copy()
    sp_[src_off], si[src_off], sb[src_off] = False, 0.0, SourceBound.SHUT_IN
    return state.with_(comp_mode=cm, comp_target=ct, reg_mode=rm, reg_target=rt, src_pressure=sp_, src_inflow=si,
                       src_bound=sb)  # fmt: skip


def start_at_send_out_limits(cn: CompiledNetwork, state: ControlState) -> ControlState:
    """A starting state in which flow sources with a maximum send-out pressure hold that pressure (they deliver
    what the network takes, as they do once it is reached) instead of forcing their nomination in.

    A nomination forced into a network whose pressure is above the source's limit raises every pressure (a
    line from a terminal that would be shut in can push the network far above any set-point), and the
    control rounds then start from a state far from the answer. From the limit the rules move each such
    source to its nomination (when the network takes more), or shut it in (when it would take gas back).
    Only sources in their own mode are changed; the final state is decided by the rules alone.
    """
    lim = (~cn.source_is_pressure & np.isfinite(cn.source_p_max_pa) & (state.src_bound == SourceBound.NONE)
           & (cn.source_inflow > 0))  # fmt: skip
    if not lim.any():
        return state
    sp_, si = state.src_pressure.copy(), state.src_inflow.copy()
    pt, sb = state.src_p_target.copy(), state.src_bound.copy()
    sp_[lim], si[lim], pt[lim], sb[lim] = True, 0.0, cn.source_p_max_pa[lim], SourceBound.PRESSURE_LIMIT
    return state.with_(src_pressure=sp_, src_inflow=si, src_p_target=pt, src_bound=sb)
