"""Compressor unit maps with their operating points (needs the optional extra ``linepack[plot]``).

A turbo unit: speed lines from minimum to maximum speed between the surge and the choke line, efficiency islands,
the driver's power limit at the unit's suction density, and the operating point (the head asked by the station
when the unit is throttled, and the net flow when it recycles). A piston unit: its envelope in the same plane
(flows at minimum and maximum speed, the head of its ratio and torque limits at the suction state, the driver's
power limit).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_write_bytes
from ..stations.drivers import available_power_w
from ..stations.envelope import unit_efficiency, unit_speed
from ..stations.mapdata import corner_flow
from ..stations.points import UnitPoints
from ..stations.poly import line, poly2
from ..stations.units import CompiledStations


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError("plotting needs matplotlib: pip install 'linepack[plot]'") from None
    return plt


def _turbo(ax: Any, cs: CompiledStations, u: int, rho: float | None) -> None:
    un = cs.units
    head, eta = un.head[u], un.eta[u]
    speeds = np.linspace(un.n_min[u], un.n_max[u], 6)
    for n in speeds:
        q0, q1 = corner_flow(head, un.surge[u], n), corner_flow(head, un.choke[u], n)
        if not (np.isfinite(q0) and np.isfinite(q1) and q1 > q0):
            continue
        q = np.linspace(q0, q1, 60)
        ax.plot(q, poly2(head, n, q) / 1e3, color="0.35", lw=1)
        ax.annotate(f"{n:.0f}/min", (q1, poly2(head, n, q1) / 1e3), fontsize=7, color="0.3", xytext=(3, 0),
                    textcoords="offset points")  # fmt: skip
    qs = np.linspace(un.q_sn[u], un.q_sx[u], 50)
    ax.plot(qs, line(un.surge[u], qs) / 1e3, color="tab:red", lw=2, label="surge line")
    qc = np.linspace(un.q_cn[u], un.q_cx[u], 50)
    ax.plot(qc, line(un.choke[u], qc) / 1e3, color="tab:purple", lw=2, label="choke line")
    q_grid = np.linspace(0.9 * un.q_sn[u], 1.05 * un.q_cx[u], 120)
    h_grid = np.linspace(0.8 * min(un.h_cn[u], un.h_sn[u]), 1.08 * un.h_sx[u], 120)
    Q, H = np.meshgrid(q_grid, h_grid)
    idx = np.full(Q.size, u)
    n = np.real(unit_speed(un, idx, Q.ravel(), H.ravel())).reshape(Q.shape)
    e = np.real(unit_efficiency(un, idx, n.ravel(), Q.ravel())).reshape(Q.shape)
    inside = (n >= un.n_min[u]) & (n <= un.n_max[u]) & (line(un.surge[u], Q) >= H) & (line(un.choke[u], Q) <= H)
    e = np.where(inside, e, np.nan)
    if np.any(np.isfinite(e)):
        lo, hi = np.nanmin(e), np.nanmax(e)
        levels = np.arange(np.floor(lo * 50) / 50, hi, 0.02)
        if len(levels) > 1:
            cs_ = ax.contour(Q, H / 1e3, e, levels=levels, cmap="viridis", linewidths=0.8)
            ax.clabel(cs_, fontsize=6, fmt="%.2f")
    if rho is not None and rho > 0:
        pts = []
        for n_ in np.linspace(un.n_min[u], un.n_max[u], 40):
            q0, q1 = corner_flow(head, un.surge[u], n_), corner_flow(head, un.choke[u], n_)
            if not (np.isfinite(q0) and np.isfinite(q1) and q1 > q0):
                continue
            q = np.linspace(q0, q1, 200)
            h = poly2(head, n_, q)
            p = rho * q * h / np.clip(poly2(eta, n_, q), 0.05, 1.0)
            over = np.flatnonzero(p > available_power_w(un.power_w[u], n_))
            if len(over):
                pts.append((q[over[0]], h[over[0]] / 1e3))
        if pts:
            ax.plot(*zip(*pts, strict=True), color="tab:orange", ls="--", lw=1.5, label="driver power limit")


def _piston(ax: Any, cs: CompiledStations, u: int, rho: float | None, p_in: float | None) -> None:
    un = cs.units
    q0, q1 = un.flow_per_rpm[u] * un.n_min[u], un.flow_per_rpm[u] * un.n_max[u]
    top = 1.0
    ax.axvline(q0, color="tab:red", lw=2, label="minimum speed")
    ax.axvline(q1, color="0.35", lw=2, label="maximum speed")
    if rho is not None and p_in is not None and rho > 0:
        rt = p_in / rho  # Z R T / M
        kappa = 1.3
        x = (kappa - 1) / kappa
        h_ratio = rt / x * (un.ratio_max[u] ** x - 1.0) / 1e3
        ax.axhline(h_ratio, color="tab:purple", lw=2, label=f"ratio {un.ratio_max[u]:g}")
        top = h_ratio * 1.2
        if np.isfinite(un.torque_max_nm[u]):
            h_t = un.torque_max_nm[u] * 2 * np.pi * un.eta_piston[u] / (rho * un.flow_per_rpm[u] * 60.0) / 1e3
            ax.axhline(h_t, color="tab:brown", ls=":", label="torque limit")
        q = np.linspace(q0, q1, 50)
        p_av = available_power_w(un.power_w[u], q / un.flow_per_rpm[u])
        ax.plot(q, p_av * un.eta_piston[u] / (rho * q) / 1e3, color="tab:orange", ls="--", label="driver power limit")
    ax.set_xlim(0.8 * q0, 1.1 * q1)
    ax.set_ylim(0, top)


def draw_unit(ax: Any, cs: CompiledStations, u: int, points: UnitPoints | None = None) -> None:
    """Draw unit ``u`` (its row in ``cs.units``) on matplotlib axes, with its operating point when given."""
    un = cs.units
    rho = p_in = None
    if points is not None and np.isfinite(points.flow_m3_s[u]):
        p_in = float(points.p_suction_bar[u]) * 1e5
        rho = float(points.rho_kg_m3[u])
    if un.kind[u] == 0:
        _turbo(ax, cs, u, rho)
    else:
        _piston(ax, cs, u, rho, p_in)
    title = f"{un.ids[u]}  ({un.map_name[u]})"
    if points is not None and np.isfinite(points.flow_m3_s[u]):
        q, h, ha = points.flow_m3_s[u], points.head_kj_per_kg[u], points.head_asked_kj_per_kg[u]
        ax.plot([q], [h], "o", color="black", ms=8, zorder=5, label="operating point")
        if h > ha * (1 + 1e-6):
            ax.annotate("", (q, ha), (q, h), arrowprops={"arrowstyle": "->", "color": "black"})
            ax.plot([q], [ha], "x", color="black", ms=7, label="head asked (throttled)")
        title += (
            f"\n{points.state[u]}; {points.speed_rpm[u]:.0f}/min, eta {points.efficiency[u]:.3f}, "
            f"{points.power_mw[u]:.2f} of {points.power_avail_mw[u]:.2f} MW"
        )
    elif points is not None:
        title += f"\n{points.state[u]}"
    ax.set_title(title, fontsize=8)
    ax.set_xlabel("actual inlet volume flow [m3/s]")
    ax.set_ylabel("isentropic head [kJ/kg]")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=6, loc="upper right")


def plot_unit_maps(
    cs: CompiledStations,
    path: str | Path,
    units: list[int] | None = None,
    points: UnitPoints | None = None,
    title: str | None = None,
) -> None:
    """Write a PNG with the maps of ``units`` (rows of ``cs.units``; default all), operating points when given."""
    plt = _pyplot()
    chosen = list(range(len(cs.units))) if units is None else units
    if not chosen:
        raise InputError("no compressor unit to plot")
    cols = min(3, len(chosen))
    rows = -(-len(chosen) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.5 * cols, 4.6 * rows), dpi=100, squeeze=False)
    for ax, u in zip(axes.ravel(), chosen, strict=False):
        draw_unit(ax, cs, u, points)
    for ax in axes.ravel()[len(chosen) :]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())
