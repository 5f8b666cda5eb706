"""Study plots (matplotlib, the ``plot`` extra): criticality bar chart and delivery-pressure histograms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from .store import ResultStore


def _save(fig: Any, out: Path, dpi: int) -> None:
    """Save a figure atomically (the PNG is rendered in memory, then written by rename)."""
    import io

    from ..io.atomic import atomic_write_bytes

    buf = io.BytesIO()
    fig.savefig(buf, dpi=dpi, format=out.suffix.lstrip(".").lower() or "png")
    atomic_write_bytes(out, buf.getvalue())

def _plt() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError("plots need matplotlib; install the plot extra: pip install 'linepack[plot]'") from None
    return plt


def criticality_chart(store: ResultStore, path: str | Path, top: int = 20) -> Path | None:
    """Horizontal bars per outage: unserved demand (MMSCFD) and worst delivery shortfall (bar)."""
    con = store.connect()
    rows = con.execute(
        """SELECT disabled, status, coalesce(unserved_mmscfd, 0), coalesce(least(min_delivery_margin_bar, 0), 0)
           FROM cases WHERE disabled <> ''
             AND (status IN ('shed', 'failed', 'error') OR min_delivery_margin_bar < -1e-6)
           ORDER BY CASE WHEN status IN ('failed', 'error') THEN 0 ELSE 1 END, 3 DESC, 4 ASC, case_id LIMIT ?""",
        [top],
    ).fetchall()
    if not rows:
        return None
    plt = _plt()
    labels = [r[0] for r in rows][::-1]
    unserved = np.array([r[2] for r in rows])[::-1]
    short = -np.array([r[3] for r in rows])[::-1]
    failed = np.array([r[1] in ("failed", "error") for r in rows])[::-1]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 0.35 * len(rows) + 1.6), sharey=True)
    y = np.arange(len(rows))
    ax1.barh(y, unserved, color=np.where(failed, "0.6", "tab:red"))
    for k in np.flatnonzero(failed):
        ax1.text(0, y[k], " no steady state", va="center", fontsize=8)
    ax1.set_yticks(y, labels, fontsize=8)
    ax1.set_xlabel("unserved demand [MMSCFD]")
    ax2.barh(y, short, color="tab:orange")
    ax2.set_xlabel("worst delivery pressure below minimum [bar]")
    fig.suptitle("Critical outages")
    fig.tight_layout()
    out = Path(path)
    _save(fig, out, 120)
    plt.close(fig)
    return out


def delivery_histograms(store: ResultStore, path: str | Path) -> Path | None:
    """One histogram of delivery pressure per sink over all solved cases, with its minimum marked."""
    con = store.connect()
    rows = con.execute(
        "SELECT element_id, list(p_barg), max(p_barg - margin_bar) FROM elements WHERE element_type = 'sink' "
        "AND p_barg IS NOT NULL AND NOT isnan(p_barg) GROUP BY element_id ORDER BY element_id"
    ).fetchall()
    if not rows:
        return None
    plt = _plt()
    n = len(rows)
    cols = min(4, n)
    nrows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(nrows, cols, figsize=(3.2 * cols, 2.4 * nrows), squeeze=False)
    for ax, (sid, values, p_min) in zip(axes.flat, rows, strict=False):
        ax.hist(np.asarray(values, dtype=float), bins=30, color="tab:blue")
        if p_min is not None and np.isfinite(p_min):
            ax.axvline(p_min, color="tab:red", lw=1)
        ax.set_title(sid, fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.supxlabel("delivery pressure [barg] (red: minimum)")
    fig.tight_layout()
    out = Path(path)
    _save(fig, out, 110)
    plt.close(fig)
    return out


def unserved_histogram(store: ResultStore, path: str | Path) -> Path | None:
    """Histogram of unserved demand per case (cases with a solution; zero included)."""
    con = store.connect()
    rows = con.execute("SELECT coalesce(unserved_mmscfd, 0) FROM cases WHERE status IN ('ok', 'violation', 'shed')")
    values = np.array([r[0] for r in rows.fetchall()], dtype=float)
    if len(values) == 0:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    ax.hist(values, bins=40, color="tab:red")
    share = float(np.mean(values > 0.05))
    ax.set_title(f"Unserved demand per case ({share:.1%} of {len(values)} cases with some)", fontsize=10)
    ax.set_xlabel("unserved demand [MMSCFD]")
    ax.set_ylabel("cases")
    fig.tight_layout()
    out = Path(path)
    _save(fig, out, 110)
    plt.close(fig)
    return out
