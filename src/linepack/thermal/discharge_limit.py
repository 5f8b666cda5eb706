"""The maximum discharge temperature of compressor stations as a bound of the coupled steady solve.

A station's ``discharge_temperature_max_c`` (default ``settings.thermal.discharge_temperature_max_c``) protects the
coating of the pipe it feeds: it limits the gas *leaving the station*, after its after-cooler when it has one (a
cooler holding its set-point below the limit keeps the station inside it; a cooler at its duty limit does not).

For a station with suction state (p_s, T_s) and mass flow m, the outlet temperature T_out(r) grows with the ratio
r = p_d / p_s (the real-gas compression path of :func:`linepack.thermal.stations.compressor_discharge`, then
:func:`linepack.thermal.stations.after_cooler`). The limit is therefore a largest ratio r_T with
T_out(r_T) = T_max, found per station by safeguarded regula falsi (Illinois) on [1, r_max], vectorised over the
stations. The coupled solve (:func:`linepack.thermal.coupling.solve_non_isothermal`) lowers each station's ratio
limit to r_T at the suction state of its last round; the steady solver's own control rules
(:mod:`linepack.solvers.active_set`) then hold the station on that ratio bound like on any other limit, and the
outer loop iterates until the station's outlet temperature is T_max within the coupling's tolerance. At the answer
the bound is named (``active_bounds``: "CS1 at its discharge temperature limit (60.0 C, reached at ratio
1.52) ..."); a station whose gas is already hotter than its limit at ratio 1 (no compression) cannot meet it: the
limit is then a violation (``violation_records`` quantity ``t_discharge_max``), reported like the other limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from linepack.gas.thermo import RealGasThermo
from linepack.thermal.inputs import ThermalInputs
from linepack.thermal.stations import after_cooler, compressor_discharge

F64 = NDArray[np.float64]
#: The outlet temperature at the ratio limit is found to this [K].
RATIO_TOLERANCE_K = 1e-6
#: A station's outlet above its limit by more than this [K] is a violation (below it: on the limit, the coupling's
#: own accuracy is 1e-4 K).
LIMIT_TOLERANCE_K = 1e-2
_MAX_STEPS = 60
#: Stations whose outlet is further than this below their limit [K] keep their own ratio limit for the next round.
SEARCH_MARGIN_K = 5.0


def station_outlet_temperature(
    thermo: RealGasThermo,
    inputs: ThermalInputs,
    j: NDArray[np.int64],
    p_suction_pa: F64,
    t_suction_k: F64,
    ratio: F64,
    m_kg_s: F64,
) -> F64:
    """Temperature [K] of the gas leaving stations ``j`` (indices into ``inputs.compressor_*``) at compression ratio
    ``ratio``: the compression path, then the after-cooler (set-point within its duty limit) where there is one."""
    path: Literal["isentropic", "polytropic"] = (
        "polytropic" if bool(np.any(inputs.compressor_polytropic[j])) else "isentropic"
    )
    p_d = p_suction_pa * ratio
    t = compressor_discharge(thermo, p_suction_pa, t_suction_k, p_d, inputs.compressor_efficiency[j], path=path)
    t_out = np.array(t.t_discharge_k, dtype=float)
    has = inputs.has_cooler[j]
    if np.any(has):
        set_k = np.where(np.isnan(inputs.cooler_t_set_k[j[has]]), np.inf, inputs.cooler_t_set_k[j[has]])
        cooled = after_cooler(
            thermo, p_d[has], t_out[has], m_kg_s[has], set_k, inputs.cooler_duty_max_w[j[has]], strict=False
        )
        t_out[has] = cooled.t_outlet_k
    return t_out


@dataclass(frozen=True)
class RatioLimit:
    """The compression ratio at which each station reaches its discharge temperature limit.

    Attributes:
        ratio: largest ratio keeping the outlet at or below the limit (inf: the limit does not bind below
            ``r_max``; 1.0 where even no compression exceeds it).
        unreachable: True where the gas at ratio 1 is already above the limit (it cannot be met by the station).
    """

    ratio: F64
    unreachable: NDArray[np.bool_]


def ratio_at_limit(
    thermo: RealGasThermo,
    inputs: ThermalInputs,
    j: NDArray[np.int64],
    p_suction_pa: F64,
    t_suction_k: F64,
    m_kg_s: F64,
    r_max: F64,
) -> RatioLimit:
    """The ratio r_T in [1, r_max] at which stations ``j`` reach their outlet temperature limit (module docstring).

    Args:
        thermo: real-gas properties of the gas.
        inputs: the thermal inputs (efficiencies, paths, coolers and limits of the stations).
        j: station indices into ``inputs.compressor_*``.
        p_suction_pa, t_suction_k, m_kg_s: suction pressure [Pa abs], temperature [K] and mass flow [kg/s].
        r_max: the stations' own ratio limits (searched no further).

    Returns:
        a :class:`RatioLimit`; stations without a finite limit get ``inf``.
    """
    n = j.size
    out = np.full(n, np.inf)
    unreachable = np.zeros(n, dtype=bool)
    t_max = inputs.compressor_t_max_k[j]
    live = np.flatnonzero(np.isfinite(t_max) & (m_kg_s > 0) & (p_suction_pa > 0))
    if not live.size:
        return RatioLimit(out, unreachable)
    ps, ts, m, jj, tm = p_suction_pa[live], t_suction_k[live], m_kg_s[live], j[live], t_max[live]
    hi = np.maximum(np.asarray(r_max, dtype=float)[live], 1.0)
    f_hi = station_outlet_temperature(thermo, inputs, jj, ps, ts, hi, m) - tm
    lo = np.ones_like(hi)
    f_lo = station_outlet_temperature(thermo, inputs, jj, ps, ts, lo, m) - tm
    below_at_one = f_lo >= 0  # hotter than the limit without compression
    binds = (f_hi > 0) & ~below_at_one
    unreachable[live[below_at_one]] = True
    out[live[below_at_one]] = 1.0
    idx = np.flatnonzero(binds)
    if idx.size:
        a, b, fa, fb = lo[idx], hi[idx], f_lo[idx], f_hi[idx]
        r = b.copy()
        side = np.zeros(idx.size, dtype=int)
        for _ in range(_MAX_STEPS):  # Illinois regula falsi, vectorised over the stations
            r = b - fb * (b - a) / (fb - fa)
            fr = station_outlet_temperature(thermo, inputs, jj[idx], ps[idx], ts[idx], r, m[idx]) - tm[idx]
            if np.all(np.abs(fr) <= RATIO_TOLERANCE_K):
                break
            right = fr > 0  # the root lies left of r: r replaces b
            fa = np.where(right & (side == 1), 0.5 * fa, fa)
            fb = np.where(~right & (side == -1), 0.5 * fb, fb)
            a, fa = np.where(right, a, r), np.where(right, fa, fr)
            b, fb = np.where(right, r, b), np.where(right, fr, fb)
            side = np.where(right, 1, -1)
        out[live[idx]] = r
    return RatioLimit(out, unreachable)


class DischargeLimit:
    """The discharge temperature limits of one coupled solve: each round's ratio limits, and the texts at the end.

    Args:
        cn: the compiled network (its ``comp_ratio_max`` are the stations' own ratio limits).
        inputs: its thermal inputs.
        thermo: the gas's real-gas properties.
    """

    def __init__(self, cn: Any, inputs: ThermalInputs, thermo: RealGasThermo) -> None:
        self.cn, self.inputs, self.thermo = cn, inputs, thermo
        self.user_ratio = np.array(cn.comp_ratio_max, dtype=float)
        #: the ratio limits of the next round's hydraulics: the stations' own, lowered where the temperature binds
        self.ratio_max = self.user_ratio.copy()
        self.used = self.user_ratio.copy()  # the ratio limits of the round last checked
        pos = {cid: j for j, cid in enumerate(inputs.compressor_ids)}
        self.j = np.array([pos.get(cn.edge_ids[e], -1) for e in cn.comp_edge], dtype=np.int64)
        has = self.j >= 0
        self.t_max = np.where(has, inputs.compressor_t_max_k[np.maximum(self.j, 0)], np.inf)
        self.unreachable = np.zeros(len(cn.comp_edge), dtype=bool)

    def at_bound(self, result: Any) -> NDArray[np.bool_]:
        """Stations held on a ratio limit that their discharge temperature set (below their own ratio limit)."""
        from linepack.compile import CompMode

        state = result.control
        mode = np.asarray(result.comp_mode)
        target = np.asarray(getattr(state, "comp_target", np.full(mode.size, np.nan)), dtype=float)
        lowered = self.used < self.user_ratio * (1.0 - 1e-12)
        return (mode == CompMode.RATIO) & lowered & np.isclose(target, self.used, rtol=1e-12, atol=0.0)

    def update(self, result: Any, temps: Any) -> float:
        """Check the round's answer against the limits and set the next round's ratio limits (at this round's
        suction states). Returns the largest outlet temperature error [K] of a station on its limit (or above it
        where it can meet it), which the outer loop adds to its convergence test."""
        cn = self.cn
        self.used = self.ratio_max.copy()
        e = np.asarray(cn.comp_edge, dtype=np.int64)
        up = np.asarray(temps.edge_upstream)[e] if e.size else np.zeros(0, dtype=np.int64)
        live = np.flatnonzero((up >= 0) & (self.j >= 0) & np.isfinite(self.t_max))
        if not live.size:
            return 0.0
        ee = e[live]
        t_out = np.asarray(temps.edge_t_outlet_k)[ee]
        over = t_out - self.t_max[live]
        on = self.at_bound(result)[live] & ~self.unreachable[live]
        error = np.where(on, np.abs(over), np.maximum(over, 0.0))
        error = np.where(self.unreachable[live] & (self.ratio_max[live] <= 1.0), 0.0, error)
        # the ratio at the limit is searched only where the outlet is near it (or held on it): a station far below
        # keeps its own ratio limit; if the next round takes it above the limit, the error above asks for a round more
        near = (over > -SEARCH_MARGIN_K) | on | self.unreachable[live]
        self.ratio_max[live[~near]] = self.user_ratio[live[~near]]
        self.unreachable[live[~near]] = False
        if np.any(near):
            sel, e_near = live[near], ee[near]
            p = np.asarray(result.p_pa)
            lim = ratio_at_limit(
                self.thermo,
                self.inputs,
                self.j[sel],
                p[up[sel]],
                np.asarray(temps.edge_t_inlet_k)[e_near],
                np.abs(np.asarray(result.q_kg_s)[e_near]),
                self.user_ratio[sel],
            )
            self.ratio_max[sel] = np.minimum(self.user_ratio[sel], lim.ratio)
            self.unreachable[sel] = lim.unreachable
        return float(np.max(error, initial=0.0))

    def finish(self, result: Any) -> Any:
        """The converged result with the limits named: the active bound texts of stations on their temperature
        limit, the violations of stations that cannot meet it, the flags on the temperatures, and the network's
        own ratio limits back on the result's compiled network."""
        import dataclasses

        from linepack.violations import Violation

        cn, temps = self.cn, result.thermal
        kelvin = 273.15
        on = self.at_bound(result)
        texts = list(result.active_bounds)
        n_j = len(self.inputs.compressor_ids)
        at_limit = np.zeros(n_j, dtype=bool)
        over_limit = np.zeros(n_j, dtype=bool)
        records = list(result.violation_records)
        for k, e in enumerate(cn.comp_edge):
            j = int(self.j[k])
            if j < 0 or not np.isfinite(self.t_max[k]) or temps.edge_upstream[e] < 0:
                continue
            cid, t_lim = cn.edge_ids[e], float(self.t_max[k])
            t_out = float(temps.edge_t_outlet_k[e])
            if on[k]:
                at_limit[j] = True
                old = f"{cid} at maximum ratio ({self.used[k]:.2f})"
                new = (
                    f"{cid} held at ratio 1.000 by its discharge temperature limit ({t_lim - kelvin:.1f} C), which its "
                    "suction gas already exceeds"
                    if self.unreachable[k]
                    else f"{cid} at its discharge temperature limit ({t_lim - kelvin:.1f} C, reached at ratio "
                    f"{self.used[k]:.3f})"
                )
                texts = [new + t[len(old) :] if t.startswith(old) else t for t in texts]
            if t_out > t_lim + LIMIT_TOLERANCE_K:
                over_limit[j] = True
                t_in = float(temps.edge_t_inlet_k[e])
                why = (
                    f"the gas arrives at {t_in - kelvin:.1f} C: even without compression it leaves above the limit; "
                    "cool it upstream (an after-cooler with enough duty) or raise discharge_temperature_max_c"
                    if self.unreachable[k]
                    else "raise discharge_temperature_max_c or give the station an after-cooler"
                )
                text = (
                    f"compressor {cid}: outlet temperature {t_out - kelvin:.2f} C above its discharge temperature "
                    f"limit {t_lim - kelvin:.2f} C; {why}"
                )
                records.append(Violation("compressor", cid, "t_discharge_max", t_out, t_lim, text))
        temps = dataclasses.replace(temps, comp_over_limit=over_limit, comp_at_limit=at_limit)
        network = dataclasses.replace(result.network, comp_ratio_max=self.user_ratio.copy())
        return dataclasses.replace(
            result,
            network=network,
            thermal=temps,
            active_bounds=tuple(texts),
            violation_records=tuple(records),
            violations=tuple(v.text for v in records),
        )
