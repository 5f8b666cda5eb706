"""Sketch of the steady solver's temperature unknowns: node energy-balance residuals and their Jacobian blocks.

Not wired into :mod:`linepack.solvers` yet (issue 13 continues there once the gas-quality coupling of issue 12
has landed). It states the equations a joint Newton (or an outer loop) would add, in the form the steady
solver assembles its own: one residual per node, vectorised, with sparse Jacobian blocks with respect to the
node temperatures T, the edge flows q and the node pressures p.

Residual of node n (enthalpy flows entering minus the mixed enthalpy they leave with):

    R_n = sum_{e into n} m_e [h(p_n, T_out,e) - h(p_n, T_n)] + sum_{s at n} m_s [h(p_n, T_s) - h(p_n, T_n)]

with m_e = |q_e| and "into n" decided by the sign of q_e (upwinding). A node nothing flows into gets
R_n = c_ref (T_n - T_fallback,n) so the system stays regular (its temperature is its pipes' ground temperature).
T_out,e is the edge's outlet temperature as a function of its upstream node temperature:

* pipe: the analytic exponential solution (:func:`~linepack.thermal.pipe_temperature.analytic_temperature`)
  with cp and mu_JT *lagged* (taken at a given state, as the steady solver lags the viscosity), so that the
  Jacobian blocks below are the exact derivatives of the residual as defined;
* valve, short pipe: T_out = T_up; resistor: isenthalpic, h(p_down, T_out) = h(p_up, T_up);
* compressor (with its after-cooler) and regulator (with its preheater): the station maps of
  :mod:`linepack.thermal.stations`; their derivatives by a vectorised central difference (a few edges).

At a solution for fixed (p, q) these equations give the temperatures of
:func:`~linepack.thermal.network_temperatures.network_temperatures` (the tests compare the two); in the
coupled solve the pipe laws would read each pipe's mean temperature (``AnalyticTemperature.mean_k``) for
their density, Z and viscosity, and the blocks dR/dq, dR/dp couple the energy rows to the hydraulic unknowns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from linepack.gas.thermo import RealGasThermo
from linepack.hydraulics.constants import STANDARD_GRAVITY_M_S2
from linepack.thermal.inputs import ThermalInputs
from linepack.thermal.network_temperatures import COMPRESSOR, PIPE, REGULATOR, RESISTOR, STAGNANT_KG_S
from linepack.thermal.pipe_temperature import analytic_temperature
from linepack.thermal.stations import after_cooler, compressor_discharge, regulator_throttle

F64 = NDArray[np.float64]
Idx = NDArray[Any]
#: Reference heat capacity of the regularising rows of nodes without inflow [J/(kg K)] times 1 kg/s.
C_REF_W_K = 2500.0
#: Relative step of the central differences through stations.
STATION_STEP_K = 1e-3


@dataclass(frozen=True)
class LaggedPipeProperties:
    """cp [J/(kg K)] and mu_JT [K/Pa] of every edge (used on pipes), frozen for one Newton iteration."""

    cp_j_kg_k: F64
    joule_thomson_k_pa: F64


class EnergyEquations:
    """Node energy-balance residuals R(T, p, q) of a compiled network and their Jacobian blocks (sketch).

    Args:
        cn: the :class:`~linepack.compile.CompiledNetwork`.
        inputs: the resolved thermal inputs of its scenario.
        thermo: real-gas properties of its gas.
    """

    def __init__(self, cn: Any, inputs: ThermalInputs, thermo: RealGasThermo) -> None:
        self.cn = cn
        self.thermo = thermo
        self.inputs = inputs
        n_edges = len(cn.edge_ids)
        pos = {e: i for i, e in enumerate(cn.edge_ids)}
        self.kind = np.asarray(cn.edge_kind, dtype=np.int64)
        self.length = np.full(n_edges, np.nan)
        self.diameter = np.full(n_edges, np.nan)
        self.length[cn.res_edge] = cn.length_m
        self.diameter[cn.res_edge] = cn.diameter_m
        self.u = np.zeros(n_edges)
        self.ground = np.full(n_edges, np.nan)
        pipes = np.array([pos[i] for i in inputs.pipe_ids], dtype=np.int64)
        self.u[pipes] = inputs.pipe_u_w_m2k
        self.ground[pipes] = inputs.pipe_ground_k
        self.comp_edge = np.array([pos[i] for i in inputs.compressor_ids], dtype=np.int64)
        self.reg_edge = np.array([pos[i] for i in inputs.regulator_ids], dtype=np.int64)
        self.dz = np.asarray(cn.elevation_m)[cn.edge_to] - np.asarray(cn.elevation_m)[cn.edge_from]
        src = {s: i for i, s in enumerate(inputs.source_ids)}
        self.source_t = np.array([inputs.source_t_k[src[s]] for s in cn.source_ids])
        n_nodes = cn.n_nodes
        ends = np.concatenate([cn.edge_from[pipes], cn.edge_to[pipes]])
        grounds = np.concatenate([inputs.pipe_ground_k, inputs.pipe_ground_k])
        count = np.bincount(ends, minlength=n_nodes)
        mean = float(np.mean(inputs.pipe_ground_k)) if pipes.size else 288.15
        self.fallback = np.where(count > 0, np.bincount(ends, grounds, n_nodes) / np.maximum(count, 1), mean)

    # ------------------------------------------------------------------ edge maps
    def _orient(self, p: F64, q: F64) -> tuple[Idx, Idx, F64, F64]:
        up = np.where(q >= 0, self.cn.edge_from, self.cn.edge_to)
        down = np.where(q >= 0, self.cn.edge_to, self.cn.edge_from)
        sign = np.where(q >= 0, 1.0, -1.0)
        return up, down, np.abs(q), sign

    def outlet(self, t: F64, p: F64, q: F64, lag: LaggedPipeProperties) -> tuple[F64, F64, F64, F64, F64]:
        """Outlet temperature of every edge and its derivatives with respect to T_up, m, p_up and p_down
        (nan/0 for stagnant edges)."""
        up, down, m, sign = self._orient(p, q)
        n = q.size
        t_out = np.full(n, np.nan)
        d_tin, d_m, d_pup, d_pdown = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
        flowing = m > STAGNANT_KG_S
        t_in = t[up]
        pipes = np.flatnonzero(flowing & (self.kind == PIPE))
        if pipes.size:
            cp, mu = lag.cp_j_kg_k[pipes], lag.joule_thomson_k_pa[pipes]
            length = self.length[pipes]
            kappa = self.u[pipes] * np.pi * self.diameter[pipes] / (m[pipes] * cp)
            sin = sign[pipes] * self.dz[pipes] / length
            a = mu * (p[down[pipes]] - p[up[pipes]]) / length - STANDARD_GRAVITY_M_S2 * sin / cp
            r = analytic_temperature(t_in[pipes], self.ground[pipes], length, kappa, a)
            t_out[pipes] = r.outlet_k
            d_tin[pipes] = r.d_outlet_d_inlet
            d_m[pipes] = r.d_outlet_d_kappa * (-kappa / m[pipes])
            d_pup[pipes] = r.d_outlet_d_gradient * (-mu / length)
            d_pdown[pipes] = r.d_outlet_d_gradient * (mu / length)
        same = np.flatnonzero(flowing & ((self.kind == 3) | (self.kind == 5)))
        t_out[same] = t_in[same]
        d_tin[same] = 1.0
        res = np.flatnonzero(flowing & (self.kind == RESISTOR))
        if res.size:
            th = self.thermo
            h_in = th.enthalpy_j_kg(p[up[res]], t_in[res])
            t_out[res] = th.temperature_from_enthalpy(p[down[res]], h_in, t_in[res])
            s_in = th.state(p[up[res]], t_in[res])
            s_out = th.state(p[down[res]], t_out[res])
            d_tin[res] = s_in.cp_j_kg_k / s_out.cp_j_kg_k
            d_pup[res] = -s_in.cp_j_kg_k * s_in.joule_thomson_k_pa / s_out.cp_j_kg_k
            d_pdown[res] = s_out.joule_thomson_k_pa
        stations = np.flatnonzero(flowing & ((self.kind == COMPRESSOR) | (self.kind == REGULATOR)))
        if stations.size:
            t_out[stations] = self._stations(stations, t_in[stations], p, m, up, down)
            for arr, bump in ((d_tin, "t"), (d_m, "m"), (d_pup, "pu"), (d_pdown, "pd")):
                arr[stations] = self._station_derivative(stations, t_in[stations], p, m, up, down, bump)
        return t_out, d_tin, d_m * sign, d_pup, d_pdown

    def _stations(self, edges: Idx, t_in: F64, p: F64, m: F64, up: Idx, down: Idx) -> F64:
        out = np.empty(edges.size)
        inputs = self.inputs
        for kind_code in (COMPRESSOR, REGULATOR):  # two vectorised calls, one per station type
            sel = np.flatnonzero(self.kind[edges] == kind_code)
            if sel.size == 0:
                continue
            e = edges[sel]
            if kind_code == COMPRESSOR:
                j = _index(self.comp_edge, e)
                c = compressor_discharge(
                    self.thermo,
                    p[up[e]],
                    t_in[sel],
                    np.maximum(p[down[e]], p[up[e]]),
                    inputs.compressor_efficiency[j],
                    path="polytropic" if bool(np.any(inputs.compressor_polytropic[j])) else "isentropic",
                )
                t = c.t_discharge_k
                has = inputs.has_cooler[j]
                if np.any(has):
                    set_k = np.where(np.isnan(inputs.cooler_t_set_k[j]), np.inf, inputs.cooler_t_set_k[j])
                    cooled = after_cooler(
                        self.thermo,
                        p[down[e]],
                        t,
                        m[e],
                        set_k,
                        np.where(has, inputs.cooler_duty_max_w[j], 0.0),
                        strict=False,
                    )
                    t = np.where(has, cooled.t_outlet_k, t)
                out[sel] = t
            else:
                j = _index(self.reg_edge, e)
                r = regulator_throttle(
                    self.thermo,
                    p[up[e]],
                    t_in[sel],
                    np.minimum(p[down[e]], p[up[e]]),
                    m[e],
                    inputs.preheat_t_min_k[j],
                    inputs.preheat_duty_max_w[j],
                )
                out[sel] = r.t_outlet_k
        return out

    def _station_derivative(self, edges: Idx, t_in: F64, p: F64, m: F64, up: Idx, down: Idx, what: str) -> F64:
        """Central difference of the station outlet temperature in one of its inputs (vectorised)."""
        if what == "t":
            h = STATION_STEP_K
            return (
                self._stations(edges, t_in + h, p, m, up, down) - self._stations(edges, t_in - h, p, m, up, down)
            ) / (2 * h)
        if what == "m":
            dm = 1e-6 * np.maximum(m[edges], 1.0)
            mp, mm = m.copy(), m.copy()
            mp[edges] += dm
            mm[edges] -= dm
            return (self._stations(edges, t_in, p, mp, up, down) - self._stations(edges, t_in, p, mm, up, down)) / (
                2 * dm
            )
        node = up[edges] if what == "pu" else down[edges]
        dp = 1e-6 * p[node]
        pp, pm = p.copy(), p.copy()
        pp[node] += dp
        pm[node] -= dp
        return (self._stations(edges, t_in, pp, m, up, down) - self._stations(edges, t_in, pm, m, up, down)) / (2 * dp)

    # ------------------------------------------------------------------ residual and blocks
    def residual(self, t: F64, p: F64, q: F64, supply: F64, lag: LaggedPipeProperties) -> F64:
        """R(T, p, q) [W], one entry per node (see the module docstring)."""
        return self._assemble(t, p, q, supply, lag, jacobian=False)[0]

    def jacobians(
        self, t: F64, p: F64, q: F64, supply: F64, lag: LaggedPipeProperties
    ) -> tuple[F64, sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
        """(R, dR/dT [W/K], dR/dq [J/kg], dR/dp [W/Pa]) as sparse n_nodes x n_nodes / n_edges / n_nodes blocks."""
        r, jt, jq, jp = self._assemble(t, p, q, supply, lag, jacobian=True)
        assert jt is not None and jq is not None and jp is not None
        return r, jt, jq, jp

    def _assemble(
        self, t: F64, p: F64, q: F64, supply: F64, lag: LaggedPipeProperties, jacobian: bool
    ) -> tuple[F64, sp.csr_matrix | None, sp.csr_matrix | None, sp.csr_matrix | None]:
        cn, th = self.cn, self.thermo
        n, n_edges = cn.n_nodes, q.size
        up, down, m, sign = self._orient(p, q)
        flowing = np.flatnonzero(m > STAGNANT_KG_S)
        t_out, d_tin, d_m, d_pup, d_pdown = self.outlet(t, p, q, lag)
        e = flowing
        node_state = th.state(p, t)
        out_state = th.state(p[down[e]], t_out[e])
        h_node = node_state.enthalpy_j_kg
        h_out = out_state.enthalpy_j_kg
        src = np.flatnonzero(supply > 0)
        src_node = np.asarray(cn.source_node)[src]
        src_state = th.state(p[src_node], self.source_t[src])
        r: F64 = np.bincount(down[e], m[e] * (h_out - h_node[down[e]]), n).astype(np.float64)
        r += np.bincount(src_node, supply[src] * (src_state.enthalpy_j_kg - h_node[src_node]), n)
        mass_in = np.bincount(down[e], m[e], n) + np.bincount(src_node, supply[src], n)
        dead = mass_in <= STAGNANT_KG_S
        r[dead] = C_REF_W_K * (t[dead] - self.fallback[dead])
        if not jacobian:
            return r, None, None, None
        live = ~dead
        cp_out = out_state.cp_j_kg_k
        dh_dp_out = -cp_out * out_state.joule_thomson_k_pa
        dh_dp_node = -node_state.cp_j_kg_k * node_state.joule_thomson_k_pa
        keep = live[down[e]]
        # dR/dT: -M_n cp_n on the diagonal, m_e cp_out dT_out/dT_up to the upstream node
        rows = np.concatenate([np.arange(n), down[e][keep]])
        cols = np.concatenate([np.arange(n), up[e][keep]])
        diag = np.where(live, -mass_in * node_state.cp_j_kg_k, C_REF_W_K)
        vals = np.concatenate([diag, (m[e] * cp_out * d_tin[e])[keep]])
        jt = sp.csr_matrix((vals, (rows, cols)), shape=(n, n))
        # dR/dq: d/dq of m_e [h_out - h_n]; m = |q| so dm/dq = sign
        dq = sign[e] * (h_out - h_node[down[e]]) + m[e] * cp_out * d_m[e]
        jq = sp.csr_matrix((dq[keep], (down[e][keep], e[keep])), shape=(n, n_edges))
        # dR/dp: through h(p_n, .) of every stream at node n, and through T_out(p_up, p_down)
        rows_p = [down[e][keep], down[e][keep], down[e][keep]]
        cols_p = [down[e][keep], up[e][keep], down[e][keep]]
        vals_p = [
            (m[e] * (dh_dp_out - dh_dp_node[down[e]]))[keep],
            (m[e] * cp_out * d_pup[e])[keep],
            (m[e] * cp_out * d_pdown[e])[keep],
        ]
        src_keep = live[src_node]
        rows_p.append(src_node[src_keep])
        cols_p.append(src_node[src_keep])
        src_dh = -src_state.cp_j_kg_k * src_state.joule_thomson_k_pa
        vals_p.append((supply[src] * (src_dh - dh_dp_node[src_node]))[src_keep])
        jp = sp.csr_matrix((np.concatenate(vals_p), (np.concatenate(rows_p), np.concatenate(cols_p))), shape=(n, n))
        return r, jt, jq, jp

    def lag_at(self, t: F64, p: F64, q: F64, previous: LaggedPipeProperties | None = None) -> LaggedPipeProperties:
        """cp and mu_JT of every edge at its mean state: mean pressure and, with a previous lag, the mean of its
        inlet and outlet temperatures (else its inlet temperature); the lag point of the sweep."""
        up, down, _, _ = self._orient(p, q)
        t_mean = t[up]
        if previous is not None:
            t_out = self.outlet(t, p, q, previous)[0]
            t_mean = np.where(np.isfinite(t_out), 0.5 * (t[up] + t_out), t[up])
        state = self.thermo.state(0.5 * (p[up] + p[down]), t_mean)
        return LaggedPipeProperties(state.cp_j_kg_k, state.joule_thomson_k_pa)

    def solve_temperatures(self, p: F64, q: F64, supply: F64, t0: F64, tol_k: float = 1e-9) -> tuple[F64, int]:
        """Newton on R(T) = 0 for fixed (p, q), re-lagging the pipe properties each iteration (a demonstration of
        the blocks; the flow-order sweep is the production path for fixed hydraulics). Returns (T, iterations)."""
        from scipy.sparse.linalg import spsolve

        t = t0.astype(np.float64).copy()
        lag = self.lag_at(t, p, q)
        for it in range(1, 31):
            lag = self.lag_at(t, p, q, lag)
            r, jt, _, _ = self.jacobians(t, p, q, supply, lag)
            step = spsolve(jt.tocsc(), -r)
            t = t + step
            if float(np.max(np.abs(step))) < tol_k:
                return t, it
        return t, 30


def _index(table: Idx, values: Idx) -> Idx:
    """Positions of ``values`` in ``table`` (all present)."""
    order = np.argsort(table)
    return order[np.searchsorted(table[order], values)]
