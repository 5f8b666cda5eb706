"""Controlled elements at their limits: the active-set rules, and the texts naming bounds and violations.

After each converged Newton solve, :class:`ActiveSet` checks every compressor, regulator and source
against its bounds and moves it onto the bound that limits it (or back to its set-point); the
steady-state solver re-solves until nothing changes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode, RegMode
from ..units import BAR_PA
from ..violations import find_violations
from .diagnostics import islands
from .equations import ControlState, SourceBound, SteadySystem
from .station_bounds import MAP_MODES, chosen_configs, full_driver_power, station_bound_texts

F64 = NDArray[np.float64]


def _fmt_bar(p_pa: float, cn: CompiledNetwork) -> str:
    return f"{(p_pa - cn.ambient_pa) / BAR_PA:.1f} barg"


class ActiveSet:
    """Switches controlled elements between their set-point and the bound that limits them."""

    def __init__(self, cn: CompiledNetwork) -> None:
        self.cn = cn
        self.switches = np.zeros(len(cn.comp_edge) + len(cn.reg_edge) + len(cn.source_ids), dtype=int)
        self.max_switches = 6

    def _pick(
        self, state: ControlState, candidates: list[tuple[float, int, SourceBound]]
    ) -> tuple[float, int, SourceBound] | None:
        """The largest change that keeps a pressure reference in every island.

        A source that is the last reference of its island is never shut in (the island's excess supply
        is then reported as a violation); it may reach its capacity, which makes the case infeasible
        and is diagnosed as supply below demand.
        """
        cn = self.cn
        _, labels = islands(cn, state)
        held = state.src_pressure
        refs = np.bincount(labels[cn.source_node[held]], minlength=int(labels.max()) + 1)
        for cand in sorted(candidates, reverse=True):
            _, k, new_b = cand
            removes_ref = held[k] and new_b in (SourceBound.CAPACITY, SourceBound.SHUT_IN)
            if not removes_ref or refs[labels[cn.source_node[k]]] > 1 or new_b == SourceBound.CAPACITY:
                return cand
        return None

    def update(
        self, state: ControlState, sys: SteadySystem, x: F64, limits_only: bool = False
    ) -> tuple[ControlState, bool]:
        """The control state after checking every controlled element against its bounds at ``x``.

        ``limits_only`` (used on a failed Newton iterate) only moves elements onto limits they exceed
        (compressor ratio, power, flow; source capacity), never releases them; the one switch it makes besides
        is to bypass a pressure-controlled compressor whose suction is above its discharge set-point.
        """
        cn = self.cn
        p, q, s = sys.split(x)
        cm, ct = state.comp_mode.copy(), state.comp_target.copy()
        rm, rt = state.reg_mode.copy(), state.reg_target.copy()
        sp_, si = state.src_pressure.copy(), state.src_inflow.copy()
        changed = False
        tol = 1e-7
        nc = len(cn.comp_edge)
        configs = state.configs(cn) if cn.stations is not None else None
        if nc:
            P, *_ = sys.compressor_power(p, q, False)
            terms = sys.station_terms(p, q, False, limits=True)
            st_of = cn.stations.station_of(nc) if cn.stations is not None else np.full(nc, -1)
            full_power = full_driver_power(cn, configs) if configs is not None else np.zeros(0)
            user_target = ControlState.initial(cn).comp_target
            ce = cn.comp_edge
            ps, pd, qc = p[cn.edge_from[ce]], p[cn.edge_to[ce]], q[ce]
            r = pd / ps
            user = cn.comp_mode
            for k in range(nc):
                if self.switches[k] >= self.max_switches:
                    continue
                new = (cm[k], ct[k])
                controlled = user[k] in (CompMode.PRESSURE, CompMode.RATIO, CompMode.POWER)
                if not controlled:
                    continue
                if cm[k] in (CompMode.PRESSURE, CompMode.RATIO, CompMode.POWER, CompMode.FLOW, *MAP_MODES):
                    if not limits_only and qc[k] < -tol * sys.m_ref:
                        new = (CompMode.OFF, 0.0)
                    elif not limits_only and cm[k] == CompMode.PRESSURE and r[k] < 1.0 - tol:
                        new = (CompMode.BYPASS, 0.0)
                    elif (
                        limits_only
                        and cm[k] == CompMode.PRESSURE
                        and ps[k] > cn.comp_p_set_pa[k] * (1 + tol)
                        and pd[k] > 0.0
                        and qc[k] >= 0.0
                    ):
                        # a discharge set-point below the suction pressure cannot be held by compressing:
                        # the station bypasses (checked again, and released if wrong, once Newton converges)
                        new = (CompMode.BYPASS, 0.0)
                    else:
                        viol = {
                            CompMode.RATIO: r[k] / cn.comp_ratio_max[k] - 1.0,
                            CompMode.POWER: P[k] / cn.comp_power_max_w[k] - 1.0,
                            CompMode.FLOW: qc[k] / cn.comp_flow_max[k] - 1.0,
                        }
                        js = st_of[k]
                        if terms is not None and js >= 0:  # the limits of its units (solvers.station_bounds)
                            viol[CompMode.MAP_HEAD] = -float(terms.margin[js])
                            if terms.margin[js] >= -tol and not limits_only:
                                viol[CompMode.MAP_FLOW] = qc[k] / max(float(terms.cap[js]), 1e-9 * sys.m_ref) - 1.0
                        worst = max(viol, key=lambda key: viol[key])
                        if (
                            worst == CompMode.MAP_FLOW
                            and viol[worst] > tol
                            and user[k] == CompMode.PRESSURE
                            and ps[k] >= cn.comp_p_set_pa[k] * (1 - 1e-9)
                        ):
                            # more flow than its units pass, with a set-point the suction already meets: the
                            # bypass holds it (no compression needed)
                            new = (CompMode.BYPASS, 0.0)
                        elif viol[worst] > tol and worst in MAP_MODES and limits_only:
                            # a failed iterate (far from the answer) asks more head than the units make: the
                            # station is held at its drivers' full power (like a station's power limit) rather than
                            # on its map's edge, which ties its pressures to each other; once Newton converges the
                            # map limit or the set-point takes over (below). Flow limits wait for a converged
                            # solution (at a failed iterate they mislead)
                            new = (CompMode.POWER, float(full_power[js]))
                        elif (
                            not limits_only
                            and js >= 0
                            and cm[k] == CompMode.POWER
                            and user[k] != CompMode.POWER
                            and not np.isfinite(cn.comp_power_max_w[k])
                        ):
                            # out of that rescue: onto the map limit that binds, else back to the set-point
                            bind = worst if viol[worst] > tol and worst in MAP_MODES else None
                            new = (bind, 0.0) if bind is not None else (user[k], float(user_target[k]))
                        elif viol[worst] > tol and not (worst in MAP_MODES and worst == cm[k]):
                            target = {
                                CompMode.RATIO: cn.comp_ratio_max[k],
                                CompMode.POWER: cn.comp_power_max_w[k],
                                CompMode.FLOW: cn.comp_flow_max[k],
                                CompMode.MAP_HEAD: 0.0,
                                CompMode.MAP_FLOW: 0.0,
                            }[worst]
                            new = (worst, float(target))
                        elif (
                            not limits_only
                            and cm[k] != user[k]
                            and user[k] == CompMode.PRESSURE
                            and pd[k] > cn.comp_p_set_pa[k] * (1 + tol)
                        ):
                            new = (CompMode.PRESSURE, float(cn.comp_p_set_pa[k]))
                elif (
                    not limits_only
                    and cm[k] == CompMode.BYPASS
                    and user[k] == CompMode.PRESSURE
                    and ps[k] < cn.comp_p_set_pa[k] * (1 - tol)
                ):
                    new = (CompMode.PRESSURE, float(cn.comp_p_set_pa[k]))
                if new[0] != cm[k] or (new[0] == cm[k] and new[1] != ct[k]):
                    cm[k], ct[k] = new
                    self.switches[k] += 1
                    changed = True
        nr = len(cn.reg_edge)
        if nr and not limits_only:
            re_ = cn.reg_edge
            pin, pout, qr = p[cn.edge_from[re_]], p[cn.edge_to[re_]], q[re_]
            for k in range(nr):
                if self.switches[nc + k] >= self.max_switches or cn.reg_mode[k] != RegMode.PRESSURE:
                    continue
                pset = cn.reg_p_set_pa[k]
                new_m, new_t = rm[k], rt[k]
                if rm[k] in (RegMode.PRESSURE, RegMode.FLOW):
                    if qr[k] < -tol * sys.m_ref:
                        new_m, new_t = RegMode.CLOSED, 0.0
                    elif pin[k] < pout[k] * (1 - tol):
                        new_m, new_t = RegMode.OPEN, 0.0
                    elif qr[k] > cn.reg_flow_max[k] * (1 + tol):
                        new_m, new_t = RegMode.FLOW, float(cn.reg_flow_max[k])
                    elif rm[k] == RegMode.FLOW and pout[k] > pset * (1 + tol):
                        new_m, new_t = RegMode.PRESSURE, float(pset)
                elif rm[k] == RegMode.OPEN:
                    if qr[k] < -tol * sys.m_ref:
                        new_m, new_t = RegMode.CLOSED, 0.0
                    elif pout[k] > pset * (1 + tol):
                        new_m, new_t = RegMode.PRESSURE, float(pset)
                elif rm[k] == RegMode.CLOSED and pin[k] > pout[k] * (1 + tol) and pout[k] < pset:
                    new_m, new_t = RegMode.PRESSURE, float(pset)
                if new_m != rm[k]:
                    rm[k], rt[k] = new_m, new_t
                    self.switches[nc + k] += 1
                    changed = True
        # sources: capacity, no gas taken back, maximum send-out pressure
        supply = np.where(sp_, 0.0, si)
        supply[sys.psrc] = s
        pt, sb = state.src_p_target.copy(), state.src_bound.copy()
        base = nc + nr
        # candidate changes with their relative size; one source changes per round, the largest first,
        # because sources interact strongly (one at capacity makes the others supply more)
        candidates: list[tuple[float, int, SourceBound]] = []
        for k in range(len(cn.source_ids)):
            if self.switches[base + k] >= self.max_switches:
                continue
            pn = p[cn.source_node[k]]
            cap, b = cn.source_capacity[k], sb[k]
            scale = max(abs(supply[k]), 1e-3 * sys.m_ref)
            if cn.source_is_pressure[k]:
                pset = cn.source_p_set_pa[k]
                if b == SourceBound.NONE and supply[k] > cap * (1 + 1e-9):
                    candidates.append(((supply[k] - cap) / scale, k, SourceBound.CAPACITY))
                elif (
                    not limits_only
                    and not cn.source_absorbs[k]
                    and b == SourceBound.NONE
                    and supply[k] < -tol * sys.m_ref
                ):
                    candidates.append((-supply[k] / scale, k, SourceBound.SHUT_IN))
                elif not limits_only and b == SourceBound.CAPACITY and pn > pset * (1 + 1e-9):
                    candidates.append((pn / pset - 1.0, k, SourceBound.NONE))
                elif not limits_only and b == SourceBound.SHUT_IN and pn < pset * (1 - 1e-9):
                    candidates.append((1.0 - pn / pset, k, SourceBound.NONE))
            elif np.isfinite(cn.source_p_max_pa[k]):
                pmax, nominal = cn.source_p_max_pa[k], cn.source_inflow[k]
                if b == SourceBound.NONE and pn > pmax * (1 + 1e-9):
                    candidates.append((pn / pmax - 1.0, k, SourceBound.PRESSURE_LIMIT))
                elif not limits_only and b == SourceBound.PRESSURE_LIMIT and supply[k] > nominal * (1 + 1e-9):
                    candidates.append(((supply[k] - nominal) / scale, k, SourceBound.NONE))
                elif not limits_only and b == SourceBound.PRESSURE_LIMIT and supply[k] < -tol * sys.m_ref:
                    candidates.append((-supply[k] / scale, k, SourceBound.SHUT_IN))
                elif not limits_only and b == SourceBound.SHUT_IN and pn < pmax * (1 - 1e-9):
                    candidates.append((1.0 - pn / pmax, k, SourceBound.PRESSURE_LIMIT))
        if candidates:
            # islands as they are after this round's compressor and regulator changes
            provisional = state.with_(comp_mode=cm, reg_mode=rm)
            picked = self._pick(provisional, candidates)
        else:
            picked = None
        if picked is not None:
            _, k, new_b = picked
            sb[k] = new_b
            self.switches[base + k] += 1
            changed = True
            if new_b == SourceBound.CAPACITY:
                sp_[k], si[k] = False, float(cn.source_capacity[k])
            elif new_b == SourceBound.SHUT_IN:
                sp_[k], si[k] = False, 0.0
            elif new_b == SourceBound.PRESSURE_LIMIT:
                sp_[k], si[k], pt[k] = True, 0.0, float(cn.source_p_max_pa[k])
            elif cn.source_is_pressure[k]:
                sp_[k], si[k], pt[k] = True, 0.0, float(cn.source_p_set_pa[k])
            else:
                sp_[k], si[k] = False, float(cn.source_inflow[k])
        if configs is not None and nc:
            # stations told no configuration run the cheapest that can do the job (solvers.station_bounds); while
            # other elements still change, only a station whose configuration cannot do the job changes it
            cs = cn.stations
            assert cs is not None
            how = "rescue" if limits_only else ("grow" if changed else "rule")
            chosen = chosen_configs(cn, state.with_(comp_mode=cm), p, q, how)[0]
            initial_target = ControlState.initial(cn).comp_target
            for st_ in np.flatnonzero(chosen != configs):
                k = int(cs.comp_k[st_])
                if self.switches[k] >= self.max_switches:
                    continue
                configs = configs.copy()
                configs[st_] = chosen[st_]
                if cm[k] in MAP_MODES:  # its limits are those of the new configuration: checked next round
                    cm[k], ct[k] = cn.comp_mode[k], float(initial_target[k])
                self.switches[k] += 1
                changed = True
        new_state = ControlState(cm, ct, rm, rt, sp_, si, pt, sb, configs)
        return new_state, changed


def bound_texts(
    cn: CompiledNetwork, state: ControlState, p: F64, supply: F64 | None = None, q: F64 | None = None
) -> list[str]:
    out = [] if q is None else station_bound_texts(cn, state, p, q)
    ce = cn.comp_edge
    for k, e in enumerate(ce):
        cid, m, user = cn.edge_ids[e], state.comp_mode[k], cn.comp_mode[k]
        ps, pd = p[cn.edge_from[e]], p[cn.edge_to[e]]
        if m == user or m in MAP_MODES:
            continue
        if m == CompMode.RATIO:
            out.append(
                f"{cid} at maximum ratio ({cn.comp_ratio_max[k]:.2f}); discharge {_fmt_bar(pd, cn)} "
                f"below its set-point {_fmt_bar(cn.comp_p_set_pa[k], cn)}"
            )
        elif m == CompMode.POWER:
            out.append(
                f"{cid} at maximum power ({cn.comp_power_max_w[k] / 1e6:.1f} MW); discharge "
                f"{_fmt_bar(pd, cn)} below its set-point {_fmt_bar(cn.comp_p_set_pa[k], cn)}"
            )
        elif m == CompMode.FLOW:
            out.append(f"{cid} at maximum flow ({cn.comp_flow_max[k]:.1f} kg/s)")
        elif m == CompMode.BYPASS:
            out.append(
                f"{cid} in bypass: suction {_fmt_bar(ps, cn)} is above its set-point "
                f"{_fmt_bar(cn.comp_p_set_pa[k], cn)}"
            )
        elif m == CompMode.OFF:
            out.append(f"{cid} closed: the network would push gas backwards through it")
    for k, e in enumerate(cn.reg_edge):
        rid, m = cn.edge_ids[e], state.reg_mode[k]
        if m == cn.reg_mode[k]:
            continue
        pin = p[cn.edge_from[e]]
        if m == RegMode.OPEN:
            out.append(
                f"{rid} fully open: inlet {_fmt_bar(pin, cn)} is below its set-point {_fmt_bar(cn.reg_p_set_pa[k], cn)}"
            )
        elif m == RegMode.CLOSED:
            out.append(f"{rid} closed: flow would reverse")
        elif m == RegMode.FLOW:
            out.append(f"{rid} at maximum flow ({cn.reg_flow_max[k]:.1f} kg/s)")
    for k, sid in enumerate(cn.source_ids):
        b, basis, pn = state.src_bound[k], cn.source_basis[k], p[cn.source_node[k]]
        if b == SourceBound.CAPACITY:
            cap = cn.source_capacity[k]
            out.append(
                f"{sid} at capacity ({basis.kg_s_to_mmscfd(cap):.0f} MMSCFD, {cap:.1f} kg/s); "
                f"its pressure falls to {_fmt_bar(pn, cn)} (set-point {_fmt_bar(cn.source_p_set_pa[k], cn)})"
            )
        elif b == SourceBound.SHUT_IN:
            limit = cn.source_p_set_pa[k] if cn.source_is_pressure[k] else cn.source_p_max_pa[k]
            out.append(
                f"{sid} shut in: the network holds {_fmt_bar(pn, cn)} at {cn.node_ids[cn.source_node[k]]}, above "
                f"its send-out pressure {_fmt_bar(limit, cn)}, so it supplies nothing"
            )
        elif b == SourceBound.PRESSURE_LIMIT:
            nominal = basis.kg_s_to_mmscfd(cn.source_inflow[k])
            got = "less" if supply is None else f"{basis.kg_s_to_mmscfd(supply[k]):.0f} MMSCFD"
            out.append(
                f"{sid} limited by its maximum send-out pressure {_fmt_bar(cn.source_p_max_pa[k], cn)}: "
                f"it delivers {got} of its {nominal:.0f} MMSCFD"
            )
    return out


def violations(cn: CompiledNetwork, p: F64, supply: F64, state: ControlState) -> list[str]:
    """The texts of every violated limit (computed by :func:`linepack.violations.find_violations`)."""
    return [v.text for v in find_violations(cn, p, supply, state)]
