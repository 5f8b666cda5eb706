"""Turn a study store into answers: criticality ranking, delivery-pressure distributions, summaries.

Everything is a DuckDB query over the Parquet parts, so the same numbers can be reproduced by hand
(docs/studies.md lists the queries). A report is a list of :class:`Section` tables, rendered as
Markdown (``report.md`` in the study folder) and as rich tables on the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .store import ResultStore


@dataclass(frozen=True)
class Section:
    """A titled table (rows of already formatted cells) with an optional note under it."""

    title: str
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    note: str = ""
    lines: tuple[str, ...] = field(default=())

    def markdown(self) -> str:
        out = [f"## {self.title}", ""]
        out += [f"- {line}" for line in self.lines]
        if self.lines:
            out.append("")
        if self.header:
            out.append("| " + " | ".join(self.header) + " |")
            out.append("|" + "|".join("---" for _ in self.header) + "|")
            out += ["| " + " | ".join(c.replace("|", "/") for c in r) + " |" for r in self.rows]
            if not self.rows:
                out.append("| " + " | ".join(["(none)"] + [""] * (len(self.header) - 1)) + " |")
            out.append("")
        if self.note:
            out += [self.note, ""]
        return "\n".join(out)


def _f(x: Any, fmt: str = ".1f") -> str:
    if x is None or (isinstance(x, float) and x != x):
        return "-"
    return format(x, fmt)


def _q(con: Any, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return list(con.execute(sql, list(params)).fetchall())


def summary(con: Any, manifest: dict[str, Any]) -> Section:
    study = manifest.get("study", {})
    counts = dict(_q(con, "SELECT status, count(*) FROM cases GROUP BY status"))
    total = sum(counts.values())
    lines = [
        f"network: {study.get('network', '?')}, base scenario: {study.get('base_scenario', '?')}",
        f"study: {study.get('kind', '?')} ({study.get('description', '')}), "
        f"{total} of {manifest.get('n_cases', '?')} cases stored",
        "status: " + ", ".join(f"{k} {counts.get(k, 0)}" for k in ("ok", "violation", "shed", "failed", "error")),
        "ok: solved, every limit respected; violation: solved with a limit violated (a node, delivery or suction "
        "pressure, a pipe's MAOP, a source's send-out pressure: the violations `linepack run` reports); "
        "shed: no steady state until demand was curtailed (unserved demand); failed: no steady state found even "
        "after curtailment (diagnosis recorded); error: an internal error (a bug; message recorded)",
    ]
    return Section("Summary", lines=tuple(lines))


_TELLING = ("supply below demand", "pressures pushed", "island", "cannot carry")


def _headline(diagnosis: str | None, message: str | None) -> str:
    """The most telling line of a diagnosis (a shortage or a collapse before the bound list)."""
    lines = [x for x in (diagnosis or "").split("\n") if x]
    for key in _TELLING:
        for line in lines:
            if key in line:
                return line[:200]
    return (lines[0] if lines else message or "")[:200]


def _where(con: Any, case_ids: list[int]) -> dict[int, str]:
    if not case_ids:
        return {}
    rows = _q(
        con,
        "SELECT case_id, element_id, unserved_mmscfd FROM elements WHERE element_type = 'sink' "
        "AND unserved_mmscfd > 0.05 AND list_contains(?, case_id) "
        "ORDER BY case_id, round(unserved_mmscfd, 1) DESC, element_id",
        case_ids,
    )
    out: dict[int, list[str]] = {}
    for cid, sid, u in rows:
        out.setdefault(int(cid), []).append(f"{sid} {u:.0f}")
    return {k: ", ".join(v[:4]) + (f" (+{len(v) - 4} more)" if len(v) > 4 else "") for k, v in out.items()}


def criticality(con: Any, top: int = 15) -> list[Section]:
    """Outages ranked: no steady state, then unserved demand, then the worst delivery-pressure shortfall."""
    rows = _q(
        con,
        """SELECT case_id, disabled, status, unserved_mmscfd, demand_mmscfd, min_delivery_margin_bar, worst_delivery,
                  n_violations, message, diagnosis
           FROM cases WHERE case_id > 0 OR disabled <> ''
           ORDER BY CASE status WHEN 'failed' THEN 0 WHEN 'error' THEN 0 ELSE 1 END,
                    coalesce(unserved_mmscfd, 0) DESC, coalesce(min_delivery_margin_bar, 1e9) ASC, case_id""",
    )
    where = _where(con, [int(r[0]) for r in rows if r[2] == "shed"])
    ranked = []
    for r in rows:
        cid, out_ids, status, unserved, demand, margin, worst, _nv, message, diag = r
        lost = status == "shed" and (unserved or 0.0) > 0.05
        critical = status in ("failed", "error") or lost or (margin is not None and margin < -1e-6)
        if not critical:
            continue
        if status in ("failed", "error"):
            effect = "no steady state: " + _headline(diag, message)
        elif lost:
            effect = f"unserved {unserved:.0f} MMSCFD ({unserved / demand:.0%} of demand) at {where.get(int(cid), '?')}"
        else:
            effect = f"pressure {abs(margin):.1f} bar below the minimum at {worst}"
        if lost and margin is not None and margin < -1e-6:
            effect += f"; then {worst} {abs(margin):.1f} bar below its minimum"
        ranked.append((out_ids or "(base)", status, _f(unserved, ".0f"), _f(margin), effect))
    crit = Section(
        "Critical components (ranked)",
        ("rank", "out of service", "status", "unserved MMSCFD", "worst delivery margin bar", "effect"),
        tuple((str(i + 1), *row) for i, row in enumerate(ranked[:top])),
        note=f"{len(ranked)} of {len(rows)} outages are critical (no steady state, unserved demand or a delivery "
        "pressure below its minimum); the table shows the first "
        f"{min(top, len(ranked))}. Unserved demand is estimated by priority curtailment (see docs/studies.md).",
    )
    ok = [r for r in rows if r[2] in ("ok", "violation") and (r[5] is None or r[5] >= -1e-6)]
    tight = sorted(ok, key=lambda r: r[5] if r[5] is not None else 1e9)[:5]
    tight_s = Section(
        "Tightest non-critical outages",
        ("out of service", "worst delivery", "margin bar"),
        tuple((r[1], r[6] or "-", _f(r[5])) for r in tight),
    )
    return [crit, tight_s]


def delivery_distribution(con: Any) -> Section:
    rows = _q(
        con,
        """SELECT e.element_id, count(e.p_barg), min(e.p_barg), quantile_cont(e.p_barg, 0.05),
                  quantile_cont(e.p_barg, 0.5), quantile_cont(e.p_barg, 0.95), max(e.p_barg),
                  avg(CASE WHEN e.margin_bar < -1e-6 THEN 1.0 ELSE 0.0 END),
                  avg(CASE WHEN e.unserved_mmscfd > 0.05 THEN 1.0 ELSE 0.0 END), avg(e.unserved_mmscfd)
           FROM elements e WHERE e.element_type = 'sink' GROUP BY e.element_id ORDER BY e.element_id""",
    )
    return Section(
        "Delivery pressures over all solved cases (barg)",
        ("sink", "cases", "min", "P5", "P50", "P95", "max", "P(below min)", "P(unserved)", "mean unserved MMSCFD"),
        tuple(
            (
                str(r[0]),
                str(r[1]),
                _f(r[2]),
                _f(r[3]),
                _f(r[4]),
                _f(r[5]),
                _f(r[6]),
                _f(r[7], ".1%"),
                _f(r[8], ".1%"),
                _f(r[9], ".1f"),
            )
            for r in rows
        ),
        note="Over the cases with a solution (ok, violation, shed); failed cases have no pressures.",
    )


def risk(con: Any) -> Section:
    (n, p_fail, p_shed, p_viol, e_uns, p95, worst) = _q(
        con,
        """SELECT count(*), avg(CASE WHEN status IN ('failed', 'error') THEN 1.0 ELSE 0.0 END),
                  avg(CASE WHEN status = 'shed' THEN 1.0 ELSE 0.0 END),
                  avg(CASE WHEN min_delivery_margin_bar < -1e-6 THEN 1.0 ELSE 0.0 END),
                  avg(coalesce(unserved_mmscfd, 0)), quantile_cont(coalesce(unserved_mmscfd, 0), 0.95),
                  max(unserved_mmscfd) FROM cases""",
    )[0]
    lines = (
        f"{n} draws",
        f"P(unserved demand) = {_f(p_shed, '.1%')}; expected unserved {_f(e_uns)} MMSCFD, P95 {_f(p95)}, "
        f"worst {_f(worst)} MMSCFD",
        f"P(a delivery pressure below its minimum) = {_f(p_viol, '.1%')}",
        f"P(no steady state found) = {_f(p_fail, '.1%')}",
    )
    return Section("Risk", lines=lines)


def sweep_table(con: Any, limit: int = 60) -> Section:
    rows = _q(
        con,
        "SELECT case_id, label, status, unserved_mmscfd, min_delivery_margin_bar, worst_delivery, message "
        "FROM cases ORDER BY case_id LIMIT ?",
        limit,
    )
    return Section(
        "Sweep",
        ("case", "parameters", "status", "unserved MMSCFD", "worst delivery margin bar", "worst delivery"),
        tuple((str(r[0]), r[1], r[2], _f(r[3], ".0f"), _f(r[4]), r[5] or "-") for r in rows),
    )


def build_report(store: ResultStore, top: int = 15) -> list[Section]:
    """The sections of the report that fit the study kind."""
    manifest = store.manifest()
    con = store.connect()
    kind = manifest.get("study", {}).get("kind", "")
    sections = [summary(con, manifest)]
    if kind.startswith("n-"):
        sections += criticality(con, top)
    elif kind == "montecarlo":
        sections.append(risk(con))
    elif kind == "sweep":
        sections.append(sweep_table(con))
    sections.append(delivery_distribution(con))
    return sections


def report_markdown(sections: list[Section], title: str) -> str:
    return f"# {title}\n\n" + "\n".join(s.markdown() for s in sections)
