"""Study folders under concurrent and careless use (issue 20, item 6): one writer at a time, a case stored twice
counts once and is repaired on resume, and workers end when the main process is killed."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow", reason="studies need the study extra")
pytest.importorskip("duckdb", reason="studies need the study extra")

import linepack as lp
from linepack.errors import InputError
from linepack.study.cases import CaseSpec, StudyContext
from linepack.study.report import build_report
from linepack.study.run import run_study
from linepack.study.store import ResultStore


@pytest.fixture(scope="module")
def ctx() -> StudyContext:
    return StudyContext.from_network(lp.load_default_network(), "psgp_base")


def _cases(n: int) -> list[CaseSpec]:
    return [CaseSpec(case_id=i, label=f"demand x{1 + 0.01 * i:.2f}", demand_scale=1 + 0.01 * i) for i in range(n)]


def test_a_second_writer_is_refused_while_the_first_holds_the_folder(ctx: StudyContext, tmp_path: Path) -> None:
    out = tmp_path / "s"
    first = ResultStore(out)
    first.open({"kind": "t"}, "f1", 3, resume=False, overwrite=False)
    try:
        for resume in (False, True):
            with pytest.raises(InputError, match=f"another linepack process \\(pid {os.getpid()}\\)"):
                run_study(ctx, _cases(3), {"kind": "t"}, out, workers=1, resume=resume, progress=False)
    finally:
        first.close()
    # released: the folder can be used again (a different study needs --overwrite)
    with pytest.raises(InputError, match="holds a different study"):
        run_study(ctx, _cases(3), {"kind": "t"}, out, workers=1, resume=True, progress=False)


def test_duplicate_case_rows_count_once_and_are_repaired_on_resume(ctx: StudyContext, tmp_path: Path) -> None:
    out = tmp_path / "dup"
    cases = _cases(4)
    run_study(ctx, cases, {"kind": "t"}, out, workers=1, batch_size=2, progress=False)
    store = ResultStore(out)
    n_elements = store.elements().num_rows
    # what two unlocked writers left behind: the same cases stored again in parts of another run
    for sub in ("cases", "elements"):
        for f in sorted((out / sub).glob("*.parquet")):
            shutil.copy(f, out / sub / f"part-zzzz{f.name[4:]}")
    assert len(list((out / "cases").glob("*.parquet"))) == 4
    assert store.cases().num_rows == 4 and store.elements().num_rows == n_elements
    con = store.connect()
    assert con.execute("SELECT count(*), count(DISTINCT case_id) FROM cases").fetchone() == (4, 4)
    summary = build_report(store, 5)[0].markdown()
    assert "4 of 4 cases stored" in summary
    stats = run_study(ctx, cases, {"kind": "t"}, out, workers=1, resume=True, progress=False)
    assert stats.computed == 0 and stats.skipped == 4
    import pyarrow.parquet as pq

    rows = sum(pq.read_table(f).num_rows for f in (out / "cases").glob("*.parquet"))
    assert rows == 4  # the copies are gone from the files themselves
    assert not any(f.name.startswith("part-zzzz") for f in (out / "cases").glob("*.parquet"))


def _descendants(pid: int) -> set[int]:
    """Process ids below ``pid`` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d.name))
    out: set[int] = set()
    stack = [pid]
    while stack:
        for c in children.get(stack.pop(), []):
            out.add(c)
            stack.append(c)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_workers_end_when_the_main_process_is_killed(tmp_path: Path) -> None:
    out = tmp_path / "killed"
    exe = shutil.which("linepack") or str(Path(sys.executable).parent / "linepack")
    cmd = [exe, "study", "montecarlo", "--cases", "400", "--seed", "1", "--workers", "2", "--batch-size", "1",
           "--no-plots", "--no-progress", "--output", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    deadline = time.time() + 180
    try:
        while time.time() < deadline and proc.poll() is None:
            if list((out / "cases").glob("*.parquet")):
                workers = _descendants(proc.pid)
                break
            time.sleep(0.05)
        assert workers, "the study did not start its workers"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.time() + 60
        while time.time() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        left = [w for w in workers if _alive(w)]
    finally:
        if proc.poll() is None:
            proc.kill()
    for w in left:  # do not leave them running whatever the outcome
        os.kill(w, signal.SIGKILL)
    assert not left, f"worker processes {left} outlived the killed study"


def test_report_of_the_store_never_double_counts(tmp_path: Path, ctx: StudyContext) -> None:
    out = tmp_path / "r"
    run_study(ctx, _cases(2), {"kind": "t"}, out, workers=1, progress=False)
    f = next((out / "cases").glob("*.parquet"))
    shutil.copy(f, out / "cases" / "part-zzzz-000009.parquet")  # a cases part copied without its elements
    store: Any = ResultStore(out)
    assert store.cases().num_rows == 2
    con = store.connect()
    assert con.execute("SELECT count(*) FROM cases").fetchone()[0] == 2
