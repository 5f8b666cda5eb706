"""Gas temperatures of a transient run: the energy equation on the transient's segment grid, with ground heat exchange.

Energy balance of the gas in a pipe (enthalpy form, kinetic energy neglected, the friction dissipation cancelled
against the friction work of the quasi-steady momentum balance, as in the steady model of
:mod:`linepack.thermal.pipe_temperature`), with h = h(p, T), dh = cp dT - cp mu_JT dp:

    rho cp (dT/dt + v dT/dx) = (1 + rho cp mu_JT) dp/dt + rho cp mu_JT v dp/dx - rho g v sin(theta) - (4 U / D)(T - T_g)

(Chaczykowski 2010, *Transient flow in natural gas pipeline: the effect of pipeline thermal model*, Appl. Math.
Model. 34, eq. 3, without the soil's own heat capacity). It is discretised on the transient's segments (the grid of
:func:`linepack.transient.discretise.segment_network`) by backward Euler in time between stored snapshots, and
exactly in space within each segment: with the segment's previous temperature T_old(x) (the quadratic through its end
temperatures with its mean) the time derivative is a second "ground", so per unit length

    m cp dT/dx = -(U + c) pi D (T - T*) + m cp (mu_JT dp/dx - g sin(theta) / cp),   c = (rho cp D / 4 + C_w) / dt,
    T*(x) = (U T_g + c T_old(x) + (1 + rho cp mu_JT)(dp/dt) D / 4) / (U + c)

which is the steady equation with an effective U and a ground temperature quadratic along the segment (solved
exactly by the analytic profile of T minus a quadratic): each time step is one steady sweep of the
segmented network (:func:`linepack.thermal.network_temperatures.network_temperatures`: node mixing on enthalpy,
compressors with their real-gas path and coolers, regulators with preheaters). rho and cp are lagged at the previous
step's state. C_w is the heat capacity of the steel wall per unit of inner surface, at the gas temperature (the film
between gas and wall is thin at pipeline Reynolds numbers): for a 700 mm pipe the wall stores about as much heat as
the gas at 70 bar, so it halves the temperature swings of packing and drafting. With dt -> infinity it is the steady
sweep: the **quasi-steady** update (``method="quasi_steady"``), which neglects the gas's heat capacity and the
pressure's time derivative and so follows the flows instantly; the difference of the two is the quasi-steady error
(measured in docs/thermal.md and tests/thermal).

Scope: the hydraulics of the run are those of the transient solve (at ``settings.temperature_c``); the temperatures
are computed for those hydraulics and do not feed back on densities (one-way coupling), with the caloric properties
of the network gas (``settings.gas``; a run that tracks several gases gets the temperatures of that one gas).
Neglected: the heat capacity of the soil (its thermal transient: hours to days), axial conduction.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from linepack.errors import InputError
from linepack.thermal.inputs import ThermalInputs, thermal_inputs
from linepack.thermal.network_temperatures import _thermo_for, network_temperatures

F64 = NDArray[np.float64]
#: Volumetric heat capacity of carbon steel [J/(m3 K)] (A: 7850 kg/m3 x 460 J/(kg K); Incropera, Table A.1).
STEEL_RHO_C_J_M3K = 3.6e6
#: Steel wall thickness as a fraction of the inner diameter (A; the same assumption as the heat-transfer inputs).
STEEL_WALL_FRACTION = 0.01
Method = Literal["full", "quasi_steady"]
METHODS = ("full", "quasi_steady")


@dataclass(frozen=True)
class TransientTemperatures:
    """Temperatures of a transient run at its snapshot times (SI: K, W, s).

    Attributes:
        method: ``full`` (the energy equation with the gas's heat capacity) or ``quasi_steady``.
        times_s: the times [s] (the run's snapshot times).
        node_ids: the network's nodes (the first columns of ``point_t_k``).
        point_t_k: temperature at every point of the segment grid (nodes first, then the pipes' interior points) [K].
        segment_t_k: mean temperature of every segment [K].
        sink_ids, sink_t_k: deliveries and the temperature of the gas they receive [K].
        compressor_ids, comp_discharge_t_k, cooler_duty_w: compressor discharge temperature (before the
            after-cooler) [K] and cooler duty [W].
        regulator_ids, preheater_duty_w: regulator preheater duty [W].
        heat_to_ground_w: heat all pipes give the ground [W] at every time.
    """

    method: str
    times_s: F64
    node_ids: tuple[str, ...]
    point_t_k: F64
    segment_t_k: F64
    sink_ids: tuple[str, ...]
    sink_t_k: F64
    compressor_ids: tuple[str, ...]
    comp_discharge_t_k: F64
    cooler_duty_w: F64
    regulator_ids: tuple[str, ...]
    preheater_duty_w: F64
    heat_to_ground_w: F64

    def __post_init__(self) -> None:
        for value in self.__dict__.values():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    @property
    def node_t_k(self) -> F64:
        """Temperature at every node of the network [K] (n_times x nodes)."""
        return self.point_t_k[:, : len(self.node_ids)]

    def to_csv_text(self) -> str:
        """Delivery temperatures [C], station duties [MW] and the heat to the ground [MW] per time, as CSV."""
        head = ["time_h"] + [f"{s}_temperature_c" for s in self.sink_ids]
        head += [f"{c}_discharge_temperature_c" for c in self.compressor_ids]
        head += [f"{c}_cooler_duty_mw" for c in self.compressor_ids]
        head += [f"{r}_preheater_duty_mw" for r in self.regulator_ids] + ["heat_to_ground_mw"]
        cols = [
            self.times_s[:, None] / 3600.0,
            self.sink_t_k - 273.15,
            self.comp_discharge_t_k - 273.15,
            self.cooler_duty_w / 1e6,
            self.preheater_duty_w / 1e6,
            self.heat_to_ground_w[:, None] / 1e6,
        ]
        table = np.hstack([c.reshape(len(self.times_s), -1) for c in cols])
        lines = [",".join(head)] + [",".join(f"{v:.6g}" for v in row) for row in table]
        return "\n".join(lines) + "\n"


def _segment_inputs(seg: Any, inputs: ThermalInputs) -> tuple[ThermalInputs, F64, F64]:
    """The thermal inputs of the segmented network (each segment with its pipe's U and ground temperature), and
    those U [W/(m2 K)] and ground temperatures [K] per segment."""
    base = seg.base
    pos = {pid: i for i, pid in enumerate(inputs.pipe_ids)}
    j = np.array([pos.get(base.edge_ids[p], -1) for p in range(seg.n_pipes)], dtype=np.int64)
    if np.any(j < 0):
        missing = [base.edge_ids[p] for p in np.flatnonzero(j < 0)]
        raise InputError(f"transient temperatures: pipes {', '.join(missing)} have no thermal inputs")
    u = inputs.pipe_u_w_m2k[j[seg.seg_pipe]]
    ground = inputs.pipe_ground_k[j[seg.seg_pipe]]
    seg_ids = tuple(seg.cn.edge_ids[: seg.n_segments])
    seg_inputs = dataclasses.replace(
        inputs,
        pipe_ids=seg_ids,
        pipe_u_w_m2k=u,
        pipe_u_computed=np.zeros(len(seg_ids), dtype=bool),
        pipe_ground_k=ground,
    )
    return seg_inputs, u, ground


def transient_temperatures(
    network: Any,
    result: Any,
    method: Method = "full",
    scenario: str | None = None,
    *,
    wall_heat_capacity: bool = True,
    initial_point_t_k: F64 | None = None,
) -> TransientTemperatures:
    """Temperatures of a transient run (module docstring), at its snapshot times.

    Args:
        network: the :class:`~linepack.model.network.Network` that was run (its thermal inputs: ground temperatures,
            U, source temperatures, coolers, preheaters; its thermal mode need not be non-isothermal).
        result: its :class:`~linepack.transient.results.TransientResult`; the energy equation steps from snapshot to
            snapshot (run with an output interval of one step for the full time resolution).
        method: ``full`` or ``quasi_steady``.
        scenario: the scenario that was run (default: the network's default scenario).
        wall_heat_capacity: the steel wall stores heat at the gas temperature (a thin wall of 1 % of the diameter,
            rho c = 3.6e6 J/(m3 K)); False: the gas alone.
        initial_point_t_k: temperature of every point at the first snapshot [K] (default: the steady energy balance
            of the first snapshot's hydraulics).

    Raises:
        InputError: an unknown method, a gas without composition, or a run with fewer than one snapshot.
    """
    if method not in METHODS:
        raise InputError(f"transient temperatures: method must be one of {', '.join(METHODS)} (got {method!r})")
    seg = result.seg
    cn, base = seg.cn, seg.base
    if cn.gas.composition is None:
        raise InputError(
            "transient temperatures: settings.gas names no composition (only a molar mass); the real-gas enthalpy "
            "needs the gas composition; set settings.gas"
        )
    times_all = np.asarray(result.times_s)
    snap_t = np.asarray(result.snapshot_times_s)
    if snap_t.size == 0:
        raise InputError("transient temperatures: the run stored no snapshot; give it an output interval")
    step_of = np.clip(np.searchsorted(times_all, snap_t - 1e-9), 0, times_all.size - 1)
    inputs = thermal_inputs(network.view(scenario if scenario is not None else network.default_scenario))
    seg_inputs, u, ground = _segment_inputs(seg, inputs)
    thermo = _thermo_for(cn.gas.composition)
    n_seg, n_pipes = seg.n_segments, seg.n_pipes
    other_base = np.arange(n_pipes, base.n_edges)  # non-pipe edges of the base network, in seg.edge_map order
    other_seg = seg.edge_map[other_base]
    diameter = cn.diameter_m[:n_seg]
    wall_c = STEEL_RHO_C_J_M3K * STEEL_WALL_FRACTION * diameter if wall_heat_capacity else np.zeros(n_seg)
    length = cn.length_m[:n_seg]
    ef, et = cn.edge_from[:n_seg], cn.edge_to[:n_seg]
    sink_node = np.asarray(base.sink_node, dtype=np.int64)
    n_t = snap_t.size
    n_c, n_r = len(seg_inputs.compressor_ids), len(seg_inputs.regulator_ids)
    point_t = np.full((n_t, cn.n_nodes), np.nan)
    seg_t = np.full((n_t, n_seg), np.nan)
    dis = np.full((n_t, n_c), np.nan)
    cool = np.zeros((n_t, n_c))
    pre = np.zeros((n_t, n_r))
    heat = np.zeros(n_t)
    lagged: F64 | None = None
    # previous step: temperature at each segment's from and to end and its mean [K], its mean pressure [Pa]
    t_from = t_to = t_avg = p_old = None
    for n in range(n_t):  # time steps: each one steady sweep of the segmented network, vectorised within it
        i = int(step_of[n])
        p = np.asarray(result.point_p_pa[n], dtype=float)
        q = np.zeros(cn.n_edges)
        q[:n_seg] = result.segment_q_kg_s[n]
        q[other_seg] = result.edge_q_kg_s[i][other_base]
        supply = np.asarray(result.source_supply_kg_s[i], dtype=float)
        p_mean = 0.5 * (p[ef] + p[et])
        forward = q[:n_seg] >= 0
        step_inputs, gradient = seg_inputs, None
        if n and method == "full":
            assert t_from is not None and t_to is not None and t_avg is not None and p_old is not None
            dt = float(snap_t[n] - snap_t[n - 1])
            state = thermo.state(p_old, t_avg)
            rho_cp = state.density_kg_m3 * state.cp_j_kg_k
            c = (rho_cp * diameter / 4.0 + wall_c) / dt  # gas and wall heat capacity per unit of pi D
            u_eff = u + c
            dpdt = (p_mean - p_old) / dt
            # the previous profile along the flow: the quadratic through its end temperatures with its mean
            t_in_old = np.where(forward, t_from, t_to)
            t_out_old = np.where(forward, t_to, t_from)
            p2 = (3.0 * (t_in_old + t_out_old) - 6.0 * t_avg) / length**2
            p1 = (t_out_old - t_in_old) / length - p2 * length
            pressure = (1.0 + rho_cp * state.joule_thomson_k_pa) * dpdt * diameter / 4.0
            t_star = (u * ground + c * t_in_old + pressure) / u_eff
            g1, g2 = np.zeros(cn.n_edges), np.zeros(cn.n_edges)
            g1[:n_seg], g2[:n_seg] = c / u_eff * p1, c / u_eff * p2
            gradient = (g1, g2)
            step_inputs = dataclasses.replace(seg_inputs, pipe_u_w_m2k=u_eff, pipe_ground_k=t_star)
        if n == 0 and initial_point_t_k is not None:
            pt = np.asarray(initial_point_t_k, dtype=float)
            if pt.shape != (cn.n_nodes,):
                raise InputError(f"initial_point_t_k: expected {cn.n_nodes} point temperatures, got shape {pt.shape}")
            point_t[0] = pt
            t_from, t_to = pt[ef].copy(), pt[et].copy()
            t_avg = 0.5 * (t_from + t_to)
        else:
            sweep = network_temperatures(cn, p, q, supply, step_inputs, thermo, lagged, gradient)
            lagged = np.asarray(sweep.edge_t_outlet_k)
            t_in_new = np.asarray(sweep.edge_t_inlet_k[:n_seg], dtype=float)
            t_out_new = np.asarray(sweep.edge_t_outlet_k[:n_seg], dtype=float)
            # a stagnant segment: the (effective) ground along it
            g_in = np.asarray(step_inputs.pipe_ground_k, dtype=float)
            g_out, g_avg = g_in.copy(), g_in.copy()
            if gradient is not None:
                g_out = g_in + gradient[0][:n_seg] * length + gradient[1][:n_seg] * length**2
                g_avg = g_in + gradient[0][:n_seg] * length / 2.0 + gradient[1][:n_seg] * length**2 / 3.0
            assert sweep.edge_t_mean_k is not None
            mean_new = np.asarray(sweep.edge_t_mean_k[:n_seg], dtype=float)
            t_avg = np.where(np.isfinite(mean_new), mean_new, g_avg)
            t_in_new = np.where(np.isfinite(t_in_new), t_in_new, g_in)
            t_out_new = np.where(np.isfinite(t_out_new), t_out_new, g_out)
            t_from = np.where(forward, t_in_new, t_out_new)
            t_to = np.where(forward, t_out_new, t_in_new)
            point_t[n] = sweep.node_t_k
            dis[n] = sweep.comp_discharge_t_k
            cool[n] = sweep.cooler_duty_w
            pre[n] = sweep.preheater_duty_w
        assert t_avg is not None
        seg_t[n] = t_avg
        heat[n] = float(np.sum(u * np.pi * diameter * length * (seg_t[n] - ground)))
        p_old = p_mean
    return TransientTemperatures(
        method,
        snap_t.copy(),
        tuple(base.node_ids),
        point_t,
        seg_t,
        tuple(base.sink_ids),
        point_t[:, sink_node],
        tuple(seg_inputs.compressor_ids),
        dis,
        cool,
        tuple(seg_inputs.regulator_ids),
        pre,
        heat,
    )
