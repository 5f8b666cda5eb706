"""How a day-ahead result is shown: the schedule table, the comparison with the default day, the replay check,
the binding limits by hour; the schedule as a table file (CSV, Parquet, netCDF) and a PNG.

Display units: pressures in barg, send-outs and cuts in MMSCFD of each source's or sink's gas basis, ratios
as they are, power in MW, gas in tonnes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rich.console import Console
from rich.text import Text

from ...console_tables import compact_table
from ...errors import InputError
from ...io.atomic import atomic_write_bytes
from ...units import BAR_PA
from .problem import CompCode
from .replay import REPLAY_TOL
from .run import DayFigures, DayResult, fmt_hhmm

F64 = NDArray[np.float64]


def _mmscfd_per_kg_s(res: DayResult, kind: str, k: int) -> float:
    cn = res.prob.grid.cn
    basis = cn.source_basis[k] if kind == "source" else cn.gas.basis
    return float(basis.kg_s_to_mmscfd(1.0))


def schedule_columns(res: DayResult) -> dict[str, F64]:
    """The schedule per control period as named columns (units in the names): period start [h], every
    decision in display units, station power [MW] and running flag, fuel [t] and linepack at the period end
    [t], the lowest delivery margin [bar] and the replay's agreement."""
    prob, raw = res.prob, res.raw
    cn = prob.grid.cn
    K, m = prob.spec.n_periods, prob.spec.substeps
    amb = cn.ambient_pa
    cols: dict[str, F64] = {"start_h": np.arange(K, dtype=float) * (prob.spec.period_s / 3600.0)}
    o = prob.offsets()
    for j, label in enumerate(prob.u_labels):
        kind, eid = label.split(" ")[0], label.split(" ")[1]
        u = raw.u[j]
        if j < o[1]:
            if prob.comp_code[j] == CompCode.RATIO:
                cols[f"ratio:{eid}"] = u.copy()
            elif prob.comp_code[j] == CompCode.PRESSURE:
                cols[f"p_set_barg:{eid}"] = np.where(res.on[j], (u - amb) / BAR_PA, np.nan)
            cols[f"running:{eid}"] = res.on[j].astype(float)
        elif prob.u_units[j] == "Pa":
            cols[f"p_set_barg:{eid}"] = (u - amb) / BAR_PA
        elif label.endswith("shortfall"):
            s = int(prob.flow[j - o[3]])
            cols[f"shortfall_mmscfd:{eid}"] = -u * _mmscfd_per_kg_s(res, "source", s)
        elif label.endswith("send-out"):
            s = int(prob.flow[j - o[3]])
            cols[f"supply_mmscfd:{eid}"] = u * _mmscfd_per_kg_s(res, "source", s)
        elif kind == "sink":
            k = j - o[4]
            if np.any(prob.u_hi[j] > 0):
                cols[f"unserved_mmscfd:{eid}"] = u * _mmscfd_per_kg_s(res, "sink", k)
    power = raw.power_w.reshape(K, m, -1)
    for i, e in enumerate(cn.comp_edge):
        cols[f"power_mw:{cn.edge_ids[e]}"] = power[:, :, i].mean(axis=1) / 1e6
    sup = raw.supply_kg_s.reshape(K, m, -1).mean(axis=1)
    for s, sid in enumerate(cn.source_ids):
        cols[f"supply_mean_mmscfd:{sid}"] = sup[:, s] * _mmscfd_per_kg_s(res, "source", s)
    cols["fuel_t"] = (raw.fuel_kg_s * prob.dt).reshape(K, m).sum(axis=1) / 1e3
    cols["linepack_end_t"] = raw.linepack_kg.reshape(K, m)[:, -1] / 1e3
    if len(prob.deliv_node):
        marg = raw.point_p_pa[1:, prob.deliv_node] - prob.deliv_p_min[None, :]
        cols["lowest_margin_bar"] = marg.reshape(K, m, -1).min(axis=(1, 2)) / BAR_PA
    if res.replay is not None:
        cols["replay_p_rel"] = res.replay.p_rel.copy()
        cols["replay_q_rel"] = res.replay.q_rel.copy()
    return cols


def _header(key: str) -> str:
    """A column key as a short two-line header: the element id, then the quantity and unit."""
    units = {
        "p_set_barg": "",
        "ratio": "\nratio",
        "power_mw": "\nMW",
        "supply_mean_mmscfd": "\nMMSCFD",
        "supply_mmscfd": "\nsend-out",
        "shortfall_mmscfd": "\nshort",
        "unserved_mmscfd": "\nunserved",
    }
    if ":" in key:
        kind, eid = key.split(":", 1)
        return eid + units.get(kind, "")
    return {"fuel_t": "fuel\nt", "linepack_end_t": "linepack\nt", "lowest_margin_bar": "margin\nbar"}.get(key, key)


def _fmt(v: float, digits: int = 1) -> str:
    if abs(v) < 0.5 * 10.0**-digits:
        v = 0.0  # no "-0.0"
    return "-" if not np.isfinite(v) else f"{v:,.{digits}f}"


def print_day_report(res: DayResult, out: Console, *, binding: bool = True) -> None:
    """The schedule per station and supply, the comparison with the default day, the replay check and the
    limits binding by hour (or, for an infeasible day, the verdict)."""
    prob, spec = res.prob, res.spec
    cn = prob.grid.cn
    weights = ", ".join(f"{k} x {v:g}" for k, v in spec.weights.items() if v > 0)
    say = lambda s, style="": out.print(Text(s, style=style), highlight=False, soft_wrap=True)  # noqa: E731
    say(
        f"day-ahead optimisation: {cn.name}, scenario {cn.scenario}, profile {prob.grid.profile.name}; "
        f"{spec.horizon_s / 3600:g} h in {spec.n_periods} periods of {spec.period_s / 60:g} min, "
        f"steps of {spec.step_s / 60:g} min, {prob.grid.seg.n_segments} segments "
        f"(<= {spec.segment_length_m / 1e3:g} km); "
        f"start {spec.start.value}, objective {weights}"
    )
    for note in res.notes:
        say(f"note: {note}", "yellow")
    log = res.log
    say(
        f"IPOPT: {res.raw.status}; {log.rounds} solve(s), {log.ipopt_iterations} iterations, friction rounds settled "
        f"to {log.friction_change:.1e}; {res.cpu_s:.1f} s CPU in all"
    )
    if not res.feasible:
        say("no feasible schedule: the day cannot be run within its limits", "bold red")
        for v in res.verdict:
            say(f"  {v}", "red")
        say("the elastic schedule below shows the least violation; limits binding in it are listed by hour")
    cols = schedule_columns(res)
    K = spec.n_periods
    hours = [fmt_hhmm(float(h) * 3600.0) for h in cols["start_h"]]
    groups = (
        ("Set-points (barg)", ("p_set_barg:", "ratio:")),
        ("Per period", ("power_mw:", "supply_mean_mmscfd:", "supply_mmscfd:", "shortfall_mmscfd:",
                        "unserved_mmscfd:", "fuel_t", "linepack_end_t", "lowest_margin_bar")),
    )  # fmt: skip
    for title, prefixes in groups:
        keys = [c for c in cols if c.startswith(prefixes)]
        if not keys:
            continue
        table = compact_table(title, "from", [(_header(c), "num") for c in keys])
        for i in range(K):
            cells = []
            for key in keys:
                val = float(cols[key][i])
                off = key.startswith("p_set_barg:") and not np.isfinite(val) and f"running:{key[11:]}" in cols
                cells.append("off" if off else _fmt(val, 3 if key.startswith("ratio") else 1))
            table.add_row(hours[i], *cells)
        out.print(table)

    cmp = compact_table("Against the default day", "", [("optimised", "num"), ("default", "num")])
    o, d = res.optimised, res.default

    def row(name: str, a: float, b: float, digits: int = 1) -> None:
        cmp.add_row(name, _fmt(a, digits), _fmt(b, digits))

    row("fuel gas t", o.fuel_t, d.fuel_t, 2)
    row("energy cost kUSD", o.energy_cost_usd / 1e3, d.energy_cost_usd / 1e3)
    row("unserved t", o.unserved_t, d.unserved_t)
    row("lowest margin bar", o.lowest_margin_bar, d.lowest_margin_bar, 2)
    row("linepack start t", o.linepack_start_t, d.linepack_start_t)
    row("linepack end t", o.linepack_end_t, d.linepack_end_t)
    row("linepack swing t", o.swing_t, d.swing_t)
    out.print(cmp)
    say(f"lowest delivery margin: optimised {o.lowest_margin_at}; default {d.lowest_margin_at}")
    _say_basis(res, say)
    if res.replay is not None:
        rp = res.replay
        verdict = "agrees" if rp.agrees else "DOES NOT AGREE"
        say(
            f"replay in the transient simulator: {verdict} (largest relative difference {rp.worst:.1e}: pressures "
            f"{float(np.max(rp.p_rel)):.1e}, flows {float(np.max(rp.q_rel)):.1e}; tolerance {REPLAY_TOL:g})",
            "green" if rp.agrees else "bold red",
        )
    if binding:
        lim = res.binding()
        say("Binding limits by hour:", "bold")
        k = 0
        while k < K:  # consecutive periods with the same limits on one line
            j = k
            while j + 1 < K and lim[j + 1] == lim[k]:
                j += 1
            if lim[k]:
                span = f"{fmt_hhmm(k * spec.period_s)}-{fmt_hhmm((j + 1) * spec.period_s)}"
                say(f"  {span}  " + "; ".join(lim[k]))
            k = j + 1
        if not any(lim):
            say("  none")
    for s in res.log.switches:
        say(f"station switched: {s}")


def _say_basis(res: DayResult, say: Any) -> None:
    grid = res.prob.grid
    if grid.default_day.completed:
        return
    say(f"the default day stopped early ({grid.default_day.message}); its totals hold its last state", "yellow")


def save_schedule(res: DayResult, path: str | Path) -> Path:
    """Write the schedule table (:func:`schedule_columns`): ``.csv``, ``.parquet`` (pyarrow) or ``.nc``
    (xarray + netCDF4); written to a temporary file and renamed."""
    path = Path(path)
    cols = schedule_columns(res)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        keys = list(cols)
        lines = [",".join(keys)]
        for i in range(len(cols["start_h"])):
            lines.append(",".join(repr(float(cols[k][i])) for k in keys))
        atomic_write_bytes(path, ("\n".join(lines) + "\n").encode())
        return path
    if suffix == ".parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise InputError("Parquet output needs pyarrow: pip install 'linepack[transient]'") from None
        import io

        buf = io.BytesIO()
        pq.write_table(pa.table({k: np.asarray(v) for k, v in cols.items()}), buf)
        atomic_write_bytes(path, buf.getvalue())
        return path
    if suffix == ".nc":
        try:
            import xarray as xr
        except ImportError:
            raise InputError("netCDF output needs xarray: pip install 'linepack[data]'") from None
        ds = xr.Dataset(
            {k: (("period",), np.asarray(v)) for k, v in cols.items() if k != "start_h"},
            coords={"period": cols["start_h"] * 3600.0},
            attrs={"title": f"linepack day-ahead schedule: {res.prob.grid.cn.name}", "period_units": "s"},
        )
        data = ds.to_netcdf()
        atomic_write_bytes(path, bytes(data) if data is not None else b"")
        return path
    raise InputError(f"schedule file {path}: use .csv, .parquet or .nc")


def plot_day(res: DayResult, path: str | Path) -> None:
    """PNG with three panels against time [h]: set-points (barg) and send-outs, system linepack (optimised and
    default), delivery pressures against their minima (optimised solid, default dotted)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError("plotting needs matplotlib: pip install 'linepack[plot]'") from None
    import io

    prob, raw = res.prob, res.raw
    grid = prob.grid
    cn = grid.cn
    amb = cn.ambient_pa
    t_h = grid.times_s / 3600.0
    cols = schedule_columns(res)
    K = prob.spec.n_periods
    edges = np.arange(K + 1) * prob.spec.period_s / 3600.0
    fig, (a1, a2, a3) = plt.subplots(3, 1, figsize=(11, 11), dpi=100, sharex=True)
    for key, v in cols.items():
        if key.startswith("p_set_barg:"):
            a1.step(edges, np.concatenate([v, v[-1:]]), where="post", lw=1.4, label=key.split(":", 1)[1])
    a1.set_ylabel("set-point [barg]")
    a1.legend(fontsize=7, ncol=3)
    a1.set_title("Set-points per control period")
    lp = np.concatenate([[res.optimised.linepack_start_t * 1e3], raw.linepack_kg]) / 1e3
    a2.plot(t_h, lp, lw=1.8, label="optimised")
    dd = grid.default_day
    a2.plot(dd.times_s / 3600.0, dd.linepack_kg / 1e3, lw=1.2, ls=":", label="default set-points")
    a2.set_ylabel("linepack [t]")
    a2.legend(fontsize=8)
    for j, node in enumerate(prob.deliv_node):
        (line,) = a3.plot(t_h, (raw.point_p_pa[:, node] - amb) / BAR_PA, lw=1.4, label=cn.node_ids[int(node)])
        a3.plot(dd.times_s / 3600.0, (dd.node_p_pa[:, node] - amb) / BAR_PA, lw=0.9, ls=":", color=line.get_color())
        a3.axhline((prob.deliv_p_min[j] - amb) / BAR_PA, color=line.get_color(), ls="--", lw=0.7)
    a3.set_ylabel("delivery pressure [barg]")
    a3.set_xlabel("time [h]")
    a3.legend(fontsize=7, ncol=3)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    atomic_write_bytes(Path(path), buf.getvalue())


def figures_dict(f: DayFigures) -> dict[str, float | str]:
    return {
        "fuel_t": f.fuel_t,
        "energy_cost_usd": f.energy_cost_usd,
        "unserved_t": f.unserved_t,
        "lowest_margin_bar": f.lowest_margin_bar,
        "lowest_margin_at": f.lowest_margin_at,
        "linepack_start_t": f.linepack_start_t,
        "linepack_end_t": f.linepack_end_t,
        "linepack_swing_t": f.swing_t,
    }
