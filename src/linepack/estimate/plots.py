"""Plots of estimates against readings and of the leak statistics (matplotlib, imported when called)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_write_bytes
from .dynamic_results import DynamicEstimate
from .leakdetect import LeakReport


def _pyplot():  # type: ignore[no-untyped-def]
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError("plots need matplotlib: pip install 'linepack[plot]'") from None
    return plt


def _save(fig, path: Path) -> None:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    atomic_write_bytes(path, buf.getvalue())


def plot_fit(res: DynamicEstimate, path: str | Path, tags: list[str] | None = None, confidence: float = 0.95) -> None:
    """Readings (dots) against the estimate (line, with its interval) for up to six meters."""
    plt = _pyplot()
    b = res.bound
    names = tags or [t for t in b.tags if not t.endswith(".W")][:6]
    unknown = [t for t in names if t not in b.tags]
    if unknown:
        raise InputError(f"plot: no tag {', '.join(unknown)} in meter set {b.meters.name}")
    z = res.start.z_of(confidence)
    hours = res.times_s / 3600.0
    fig, axes = plt.subplots(len(names), 1, figsize=(9, 2.2 * len(names)), sharex=True, squeeze=False)
    for ax, tag in zip(axes[:, 0], names, strict=True):
        i = b.tags.index(tag)
        u = b.units[i]
        meas = (res.measured[:, i] - u.offset) / u.factor
        est = (res.fitted[:, i] - u.offset) / u.factor
        sd = res.fitted_sigma[:, i] / abs(u.factor)
        ax.plot(hours, meas, ".", ms=2, color="0.5", label="reading")
        rej = res.gated[:, i]
        if np.any(rej):
            ax.plot(hours[rej], meas[rej], "x", color="red", ms=4, label="rejected")
        ax.plot(hours, est, color="C0", lw=1.2, label="estimate")
        ax.fill_between(hours, est - z * sd, est + z * sd, color="C0", alpha=0.25, lw=0, label=f"{confidence:.0%}")
        ax.set_ylabel(f"{tag}\n[{b.meters.meters[i].unit}]", fontsize=8)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=7, ncol=4, loc="upper right")
    axes[-1, 0].set_xlabel("hours from the start")
    fig.suptitle(f"{res.network.name}: readings and estimates", fontsize=10)
    fig.tight_layout()
    _save(fig, Path(path))
    plt.close(fig)


def plot_leaks(rep: LeakReport, path: str | Path) -> None:
    """The model-based statistic of every watched section and the mass balance, with thresholds and alarms."""
    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    t0 = float(rep.estimate.times_s[0])
    names = [s.name for s in rep.sections]
    if rep.windows:
        hours = np.array([w.t_end_s - t0 for w in rep.windows]) / 3600.0
        u = np.array([w.u for w in rep.windows])
        for s, name in enumerate(names):
            if name in rep.watched:
                ax1.step(hours, u[:, s], where="pre", lw=1, label=name)
        ax1.axhline(rep.z_model, color="red", ls="--", lw=1, label="threshold")
    ax1.set_ylabel("model-based statistic [sigma]")
    ax1.legend(fontsize=7, ncol=3)
    if rep.balances:
        hours = np.array([w.t_end_s - t0 for w in rep.balances]) / 3600.0
        zb = np.array([w.imbalance / np.where(w.sigma > 0, w.sigma, np.inf) for w in rep.balances])
        tested = {lim.section for lim in rep.limits if lim.method == "mass balance"}
        for s, sc in enumerate(rep.sections):
            if sc.name in tested:
                ax2.step(hours, zb[:, s], where="pre", lw=1, label=sc.name, marker=".")
        ax2.axhline(rep.z_balance, color="red", ls="--", lw=1, label="threshold")
    ax2.set_ylabel("mass balance [sigma]")
    ax2.set_xlabel("hours from the start")
    ax2.legend(fontsize=7, ncol=3)
    for a in rep.alarms:
        for ax in (ax1, ax2):
            ax.axvline(a.t_s / 3600.0, color="red", alpha=0.3)
    for ax in (ax1, ax2):
        ax.axvspan(0, rep.options.reference_hours, color="0.9", zorder=0)
        ax.grid(alpha=0.3)
    fig.suptitle(f"{rep.estimate.network.name}: leak statistics (grey: reference period)", fontsize=10)
    fig.tight_layout()
    _save(fig, Path(path))
    plt.close(fig)
