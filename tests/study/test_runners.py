"""Study execution: identical results on the local pool and on Dask, resuming after a kill, failing cases.

Reference: the embedded PSGP network (psgp_base), whose N-1 study has outages that solve, outages that
need curtailment and outages with no steady state.
"""

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
from linepack.study.evaluate import base_case
from linepack.study.generators import n_minus_k
from linepack.study.montecarlo import montecarlo
from linepack.study.run import run_study
from linepack.study.store import ResultStore


@pytest.fixture(scope="module")
def ctx() -> StudyContext:
    return StudyContext.from_network(lp.load_default_network(), "psgp_base")


def _source_outages(ctx: StudyContext) -> list[CaseSpec]:
    """Base, EETL out (reference take-over and curtailment), PGPC and Tabeer out (curtailment), Sui out (ok)."""
    return n_minus_k(base_case(ctx).cn, 1, ("source",))[:5]


def test_local_pool_and_dask_local_cluster_give_identical_results(
    ctx: StudyContext, tmp_path: Path, identical: Any
) -> None:
    pytest.importorskip("dask.distributed")
    cases = _source_outages(ctx)
    study = {"kind": "n-1"}
    run_study(ctx, cases, study, tmp_path / "local", workers=2, batch_size=2, progress=False)
    stats = run_study(ctx, cases, study, tmp_path / "dask", workers=2, dask=True, batch_size=3, progress=False)
    assert stats.backend == "dask" and stats.computed == len(cases)
    a, b = ResultStore(tmp_path / "local"), ResultStore(tmp_path / "dask")
    assert a.cases().num_rows == len(cases)
    # solved and curtailed cases both; psgp_base's Mari line runs above its MAOP, so solved cases count it
    assert set(a.cases().column("status").to_pylist()) >= {"violation", "shed"}
    identical(a.cases(), b.cases())
    identical(a.elements(), b.elements())
    # and the same as one worker in this process
    run_study(ctx, cases, study, tmp_path / "inline", workers=1, progress=False)
    identical(a.elements(), ResultStore(tmp_path / "inline").elements())


def test_killed_study_resumes_without_recomputing(tmp_path: Path, identical: Any) -> None:
    """A study process killed (SIGKILL) part-way resumes and ends with the results of an uninterrupted run."""
    out = tmp_path / "killed"
    exe = shutil.which("linepack") or str(Path(sys.executable).parent / "linepack")
    cmd = [
        exe,
        "study",
        "montecarlo",
        "--cases",
        "40",
        "--seed",
        "3",
        "--workers",
        "1",
        "--batch-size",
        "1",
        "--no-shed",
        "--no-plots",
        "--no-progress",
        "--output",
        str(out),
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if len(list((out / "cases").glob("*.parquet"))) >= 3:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stored = ResultStore(out).done_ids()
    assert 3 <= len(stored) < 40, proc.stderr.read().decode() if proc.stderr else ""
    # an element part left without its cases part (killed between the two writes) is dropped on resume
    orphan = out / "elements" / "part-orphan-000001.parquet"
    orphan.write_bytes(next((out / "elements").glob("*.parquet")).read_bytes())
    done = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{40 - len(stored)} cases computed ({len(stored)} already stored)" in done.stdout.replace("\n", " ")
    assert not orphan.exists()
    full = tmp_path / "full"
    ref = subprocess.run([*cmd[:-1], str(full)], capture_output=True, text=True, env=env, timeout=300)
    assert ref.returncode == 0, ref.stderr
    identical(ResultStore(out).cases(), ResultStore(full).cases())
    identical(ResultStore(out).elements(), ResultStore(full).elements())


def test_interrupted_in_process_study_resumes(
    ctx: StudyContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, identical: Any
) -> None:
    net = lp.load_default_network()
    cases = montecarlo(net, base_case(ctx).cn, 10, seed=1)
    study = {"kind": "montecarlo", "seed": 1}
    real = ResultStore.write_batch
    calls = {"n": 0}

    def dying(self: ResultStore, c: dict, e: dict) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        real(self, c, e)

    monkeypatch.setattr(ResultStore, "write_batch", dying)
    with pytest.raises(KeyboardInterrupt):
        run_study(ctx, cases, study, tmp_path / "s", workers=2, batch_size=2, progress=False)
    monkeypatch.setattr(ResultStore, "write_batch", real)
    assert len(ResultStore(tmp_path / "s").done_ids()) == 4
    with pytest.raises(InputError, match="--resume"):
        run_study(ctx, cases, study, tmp_path / "s", workers=1, progress=False)
    with pytest.raises(InputError, match="different study"):
        run_study(ctx, cases[:5], study, tmp_path / "s", workers=1, resume=True, progress=False)
    stats = run_study(ctx, cases, study, tmp_path / "s", workers=1, resume=True, progress=False)
    assert (stats.skipped, stats.computed) == (4, 6)
    run_study(ctx, cases, study, tmp_path / "ref", workers=1, progress=False)
    identical(ResultStore(tmp_path / "s").elements(), ResultStore(tmp_path / "ref").elements())


def test_infeasible_and_invalid_cases_are_recorded_while_the_rest_complete(tmp_path: Path) -> None:
    ctx = StudyContext.from_network(lp.load_default_network(), "psgp_base", shed=False)
    cases = [
        CaseSpec(0, "base"),
        CaseSpec(1, "triple demand", demand_scale=3.0),  # far beyond the supply: infeasible
        CaseSpec(2, "bad patch", patches=(("CS2", "p_set_barg", -5.0),)),  # an invalid value
        CaseSpec(3, "CS1 out", disable=("CS1",)),
    ]
    run_study(ctx, cases, {"kind": "custom"}, tmp_path / "s", workers=1, progress=False)
    con = ResultStore(tmp_path / "s").connect()
    rows = {r[0]: r[1:] for r in con.execute("SELECT case_id, status, error, diagnosis, message FROM cases").fetchall()}
    # the same violations as `linepack run` (psgp_base: the Mari field line above its MAOP), MAOP included
    assert rows[0][0] == "violation" and rows[3][0] in ("ok", "violation")
    run = lp.solve_steady(lp.load_default_network(), "psgp_base")
    stored = con.execute("SELECT violations, n_violations FROM cases WHERE case_id = 0").fetchone()
    assert stored == ("\n".join(run.violations), len(run.violations)) and any("MAOP" in v for v in run.violations)
    flagged = con.execute("SELECT element_id FROM elements WHERE case_id = 0 AND violation ORDER BY element_id")
    assert [r[0] for r in flagged.fetchall()] == sorted(v.component_id for v in run.violation_records)
    pytest.importorskip("pandas")
    store = ResultStore(tmp_path / "s")
    cases_df, elements_df = store.cases_frame(), store.elements_frame()
    assert list(cases_df.index) == [0, 1, 2, 3] and cases_df.loc[1, "status"] == "failed"
    sink = elements_df.loc[(0, "LAHORE.demand")]
    assert sink["element_type"] == "sink" and sink["p_barg"] > 30.0
    assert rows[1][:2] == ("failed", "InfeasibleError")
    assert "supply below demand" in rows[1][2]
    assert rows[2][:2] == ("failed", "InputError")
    assert "p_set_barg" in rows[2][2] and "CS2" in rows[2][2]
    n_el = con.execute("SELECT count(DISTINCT case_id) FROM elements").fetchone()[0]
    assert n_el == 2  # element rows only for cases with a solution


def test_curtailment_estimates_unserved_demand(tmp_path: Path) -> None:
    ctx = StudyContext.from_network(lp.load_default_network(), "psgp_base")
    cases = [
        CaseSpec(0, "PGPC out", disable=("PGPC_FSRU.supply",)),
        CaseSpec(1, "Quetta spur out", disable=("SSGC-QTA",)),
    ]
    run_study(ctx, cases, {"kind": "n-1"}, tmp_path / "s", workers=1, progress=False)
    con = ResultStore(tmp_path / "s").connect()
    status, unserved, actions = con.execute(
        "SELECT status, unserved_mmscfd, actions FROM cases WHERE case_id = 0"
    ).fetchone()
    assert status == "shed" and unserved > 0 and "curtailed" in actions
    # the shortfall is taken first from the lowest priority class present (industry: the Kasur load)
    first = con.execute(
        "SELECT element_id FROM elements WHERE case_id = 0 AND element_type = 'sink' AND unserved_mmscfd > 0"
    ).fetchall()
    assert ("KASUR.demand",) in first and ("KARACHI.demand",) not in first
    # a cut spur: Quetta's whole demand is unserved and its island dropped
    q = con.execute(
        "SELECT demand_mmscfd, unserved_mmscfd FROM elements WHERE case_id = 1 AND element_id = 'QUETTA.demand'"
    ).fetchone()
    assert q[0] > 0 and q[1] == pytest.approx(q[0])


def test_ctrl_c_stores_finished_batches_and_points_to_resume(tmp_path: Path) -> None:
    # far more cases than can finish before the signal, however fast or loaded the machine is
    out = tmp_path / "int"
    exe = shutil.which("linepack") or str(Path(sys.executable).parent / "linepack")
    cmd = [exe, "study", "montecarlo", "--cases", "20000", "--workers", "2", "--batch-size", "1", "--no-shed",
           "--no-plots", "--no-progress", "--output", str(out)]  # fmt: skip
    # its own process group, signalled as a whole, like Ctrl-C in a terminal (workers get SIGINT too)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if len(list((out / "cases").glob("*.parquet"))) >= 2:
            break
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stdout + stderr
    assert "interrupted:" in stdout and "--resume" in stdout and "Traceback" not in stdout + stderr
    stored = len(ResultStore(out).done_ids())
    assert f"{stored} of 20000 cases are stored" in stdout.replace("\n", " ")


def test_unit_outages_are_contingencies(tmp_path: Path) -> None:
    """CS1 runs two of its three units: one unit out changes nothing; two out leave one unit at its gas
    turbine's full summer power (less flow); all three out bypass the station, also from the warm start."""
    ctx = StudyContext.from_network(lp.load_default_network(), "psgp_base")
    units = n_minus_k(base_case(ctx).cn, 1, ("unit",))
    assert [c.disable for c in units[1:4]] == [("CS1-A",), ("CS1-B",), ("CS1-C",)]
    cases = [
        units[0],
        units[1],
        CaseSpec(2, "two out", disable=("CS1-A", "CS1-B")),
        CaseSpec(3, "all out", disable=("CS1-A", "CS1-B", "CS1-C")),
    ]
    run_study(ctx, cases, {"kind": "custom"}, tmp_path / "s", workers=1, progress=False)
    con = ResultStore(tmp_path / "s").connect()
    rows = con.execute(
        "SELECT case_id, p_out_barg, flow_kg_s, power_mw FROM elements WHERE element_id = 'CS1' ORDER BY case_id"
    ).fetchall()
    (_, p0, q0, w0), (_, p1, q1, w1), (_, p2, q2, w2), (_, _, q3, w3) = rows
    assert (p1, q1, w1) == pytest.approx((p0, q0, w0), rel=1e-6)
    assert w2 == pytest.approx(12.375, rel=1e-6) and p2 < p0 - 1.0 and q2 < q0
    assert w3 == 0.0 and q3 < 0.0  # bypassed: gas runs back through the station's bypass
    notes = con.execute("SELECT status FROM cases ORDER BY case_id").fetchall()
    assert all(n[0] in ("ok", "violation") for n in notes)
