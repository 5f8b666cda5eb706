r"""Compressor units in the exact NLP: each running unit's flow and speed are decisions on its map.

For every station with units that the optimiser may run (mode pressure, ratio or power) and the configuration
it runs (fixed while the NLP solves; see :func:`linepack.optimize.solve.solve_problem`), each unit i of serial
stage j gets two unknowns, its actual inlet volume flow :math:`Q_i` (per unit of its reference flow) and its
speed :math:`n_i` (per unit of its maximum speed, bounded by its speed limits), and the constraints of its map:

* stage suction state as in the simulator: :math:`r_j = r^{1/S}`, :math:`p_j = p_s r^{j/S}`, Z at
  :math:`p_j` linearised at the point (value and slope, like the pipes' coefficients), :math:`\rho_j`, asked head
  :math:`h_j = \frac{Z R T}{M}\frac{\kappa}{\kappa-1}(r_j^{(\kappa-1)/\kappa} - 1)`;
* turbo: head :math:`H(n_i, Q_i) \ge h_j` (more is throttled), :math:`H \le` surge line, :math:`H \ge` choke
  line; piston: :math:`Q_i = k n_i`, stage ratio and shaft torque limits;
* power :math:`P_i = \rho_j Q_i H / \eta(n_i, Q_i) \le P_{av}(n_i)` (the driver at the ambient temperature);
* every stage passes the station's flow: :math:`\sum_i \rho_j Q_i \ge q` (more is recycled);
* fuel :math:`\sum_i (e_0 + e_1 P_i + e_2 P_i^2) / LHV` of the gas-fired drivers, drawn at the suction.

The NLP shares the flow among parallel units as it likes (the simulator shares it at equal distance from
surge, :mod:`linepack.stations.station`): for identical units both give the same split.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...compile import CompiledNetwork, CompMode
from ...quality.properties import GasProps
from ...stations.points import suction_gas
from ...stations.station import evaluate
from ...units import R_J_PER_MOL_K

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
H_SCALE = 1e4  # J/kg per unit of the head constraints
W_SCALE = 1e6  # W per unit of the power constraints


def _poly2(ca: Any, c: F64, n: Any, q: Any) -> Any:
    return sum(float(c[i, j]) * n**i * q**j for i in range(3) for j in range(3) if c[i, j] != 0.0)


def _line(c: F64, q: Any) -> Any:
    return float(c[0]) + float(c[1]) * q + float(c[2]) * q * q


class UnitBlock:
    """The unit unknowns, parameters and constraints of the stations with units that run in the NLP."""

    def __init__(
        self, cn: CompiledNetwork, configs: I64 | None, p_ref: float, m_ref: float, props: GasProps | None = None
    ) -> None:
        self.cn, self.p_ref, self.m_ref = cn, p_ref, m_ref
        self.gas = suction_gas(cn, props)  # each station's suction gas (its own when the network's gases mix)
        cs = cn.stations
        self.active = cs is not None and configs is not None
        if not self.active:
            self.n_pairs = 0
            return
        assert cs is not None and configs is not None
        self.cs = cs
        mode = cn.comp_mode[cs.comp_k]
        run = np.isin(mode, (CompMode.PRESSURE, CompMode.RATIO, CompMode.POWER))
        self.configs = np.asarray(configs, dtype=np.int64)
        cf = cs.configs
        sel = np.isin(cf.pair_config, self.configs[run]) & run[cf.station[cf.pair_config]]
        sel &= self.configs[cf.station[cf.pair_config]] == cf.pair_config
        self.pair_unit = cf.pair_unit[sel]
        self.pair_station = cf.station[cf.pair_config[sel]]
        self.pair_stage = cf.pair_stage[sel]
        self.pair_nst = cf.n_stages[cf.pair_config[sel]]
        self.run = run
        self.n_pairs = len(self.pair_unit)

    @property
    def n_vars(self) -> int:
        return 2 * self.n_pairs

    @property
    def n_par(self) -> int:
        return 3 * self.n_pairs

    def bounds(self) -> tuple[F64, F64]:
        """Bounds of the unknowns [Q per q_ref (>= 0) ..., n per n_max (speed range) ...]."""
        if not self.n_pairs:
            return np.zeros(0), np.zeros(0)
        un = self.cs.units
        u = self.pair_unit
        lo = np.concatenate([np.zeros(self.n_pairs), un.n_min[u] / un.n_max[u]])
        hi = np.concatenate([np.full(self.n_pairs, 10.0), np.ones(self.n_pairs)])
        return lo, hi

    def labels(self) -> tuple[list[str], list[str]]:
        """Lower and upper bound labels of the unknowns (the speed limits)."""
        ids = [self.cs.units.ids[u] for u in self.pair_unit]
        lo = [""] * self.n_pairs + [f"unit {i} minimum speed" for i in ids]
        hi = [""] * self.n_pairs + [f"unit {i} maximum speed" for i in ids]
        return lo, hi

    def _stage_pressures(self, p_pa: F64) -> tuple[F64, F64]:
        cn, cs = self.cn, self.cs
        ce = cn.comp_edge[cs.comp_k[self.pair_station]]
        ps, pd = p_pa[cn.edge_from[ce]], p_pa[cn.edge_to[ce]]
        ratio = np.maximum(pd / ps, 1.0)
        return ps * ratio ** (self.pair_stage / self.pair_nst), ratio ** (1.0 / self.pair_nst)

    def parameters(self, p_pa: F64) -> F64:
        """Z and dZ/dp at each unit's stage suction pressure at the point, and that pressure (per unit)."""
        if not self.n_pairs:
            return np.zeros(0)
        p_in, _ = self._stage_pressures(p_pa)
        gas = self.gas
        z, dz = gas.z(p_in, gas.t_k[self.pair_station], self.pair_station)
        return np.concatenate([z, dz * self.p_ref, p_in / self.p_ref])

    def start(self, p_pa: F64, q_kg_s: F64) -> F64:
        """Unknowns at a point: the simulator's unit flows and speeds there, within the bounds."""
        if not self.n_pairs:
            return np.zeros(0)
        cn, cs = self.cn, self.cs
        slots = np.flatnonzero(self.run)
        ce = cn.comp_edge[cs.comp_k[slots]]
        m = np.maximum(q_kg_s[ce], 1e-3 * self.m_ref)
        ps, pd = p_pa[cn.edge_from[ce]], p_pa[cn.edge_to[ce]]
        pd = np.maximum(pd, ps * 1.05)
        ev = evaluate(cs, self.gas, slots, self.configs[slots], m, ps, pd)
        q = np.zeros(self.n_pairs)
        n = np.ones(self.n_pairs)
        for i, u in enumerate(ev.pair_unit):
            j = np.flatnonzero(self.pair_unit == u)
            q[j] = float(np.real(ev.q_m3_s[i])) / cs.units.q_ref[u]
            n[j] = float(np.real(ev.speed_rpm[i])) / cs.units.n_max[u]
        lo, hi = self.bounds()
        return np.clip(np.concatenate([q, n]), lo, hi)

    def build(self, ca: Any, P: Any, Q: Any, U: Any, par: Any) -> dict[str, Any]:
        """Expressions: ``power`` and ``fuel`` per network compressor (zero where a station has no running
        units, with ``mask`` 1 where they replace the one-machine model), equalities ``eq``, inequalities
        ``ineq`` (>= 0) with their ``labels``."""
        cn = self.cn
        nc = len(cn.comp_edge)
        out: dict[str, Any] = {"power": ca.SX.zeros(nc, 1), "fuel": ca.SX.zeros(nc, 1), "mask": np.zeros(nc)}
        out["eq"], out["ineq"], out["labels"] = [], [], []
        if not self.n_pairs:
            return out
        cs, un = self.cs, self.cs.units
        gas = self.gas
        npairs = self.n_pairs
        Qs, Ns = U[:npairs], U[npairs:]
        z0, dz0, p0 = par[:npairs], par[npairs : 2 * npairs], par[2 * npairs :]
        pr, mr = self.p_ref, self.m_ref
        power_st: dict[int, Any] = {}
        fuel_st: dict[int, Any] = {}
        flow_st: dict[tuple[int, int], Any] = {}
        for i in range(npairs):
            u, s, j, S = (
                int(self.pair_unit[i]),
                int(self.pair_station[i]),
                int(self.pair_stage[i]),
                int(self.pair_nst[i]),
            )
            k = int(cs.comp_k[s])
            e = int(cn.comp_edge[k])
            ps, pd = P[int(cn.edge_from[e])], P[int(cn.edge_to[e])]
            r = pd / ps
            p_in = ps * r ** (j / S)  # per unit of p_ref
            r_s = r ** (1.0 / S)
            t_k, mm, kap = float(gas.t_k[s]), float(gas.molar_mass[s]), float(gas.kappa[s])
            z = z0[i] + dz0[i] * (p_in - p0[i])
            rho = p_in * pr * mm / (z * R_J_PER_MOL_K * t_k)
            x = (kap - 1.0) / kap
            h = z * R_J_PER_MOL_K * t_k / mm / x * (r_s**x - 1.0)
            q = Qs[i] * float(un.q_ref[u])
            n = Ns[i] * float(un.n_max[u])
            label = f"unit {un.ids[u]}"
            if un.kind[u] == 0:
                H = _poly2(ca, un.head[u], n, q)
                eta = _poly2(ca, un.eta[u], n, q)
                out["ineq"] += [
                    (H - h) / H_SCALE,
                    (_line(un.surge[u], q) - H) / H_SCALE,
                    (H - _line(un.choke[u], q)) / H_SCALE,
                ]
                out["labels"] += [f"{label} head (throttled)", f"{label} surge line", f"{label} choke line"]
            else:
                H, eta = h, float(un.eta_piston[u])
                out["eq"].append(q - float(un.flow_per_rpm[u]) * n)
                out["ineq"].append(float(un.ratio_max[u]) - r_s)
                out["labels"].append(f"{label} maximum ratio {un.ratio_max[u]:g}")
                if np.isfinite(un.torque_max_nm[u]):
                    torque = rho * float(un.flow_per_rpm[u]) * h * 60.0 / (2.0 * np.pi * eta)
                    out["ineq"].append((float(un.torque_max_nm[u]) - torque) / 1e3)
                    out["labels"].append(f"{label} maximum torque")
            p_unit = rho * q * H / eta
            a = un.power_w[u]
            p_av = float(a[0]) + float(a[1]) * n + float(a[2]) * n * n
            out["ineq"].append((p_av - p_unit) / W_SCALE)
            out["labels"].append(f"{label} driver power")
            en = un.energy[u]
            fuel = (float(en[0]) + float(en[1]) * p_unit + float(en[2]) * p_unit * p_unit) / float(gas.lhv_j_per_kg[s])
            power_st[k] = power_st.get(k, 0.0) + p_unit
            fuel_st[k] = fuel_st.get(k, 0.0) + (fuel if un.gas_fired[u] else 0.0)
            flow_st[(k, j)] = flow_st.get((k, j), 0.0) + rho * q
        for (k, _j), flow in flow_st.items():
            e = int(cn.comp_edge[k])
            out["ineq"].append(flow / mr - Q[e])
            out["labels"].append(f"station {cn.edge_ids[e]} flow through its running units")
        mask = np.zeros(nc)
        power = [0.0] * nc
        fuel_v = [0.0] * nc
        for k in power_st:
            mask[k] = 1.0
            power[k] = power_st[k]
            fuel_v[k] = fuel_st[k]
        out["power"], out["fuel"], out["mask"] = ca.vertcat(*power), ca.vertcat(*fuel_v), mask
        return out
