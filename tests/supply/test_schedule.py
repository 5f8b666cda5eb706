"""Cargo schedules: files with every problem named by its line, the contract generator, perturbations."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from supply_helpers import small_chain

from linepack.errors import InputError
from linepack.supply.schedule import generate, perturb, read_schedule, schedule_csv, schedule_from_text

START = datetime(2026, 1, 1)
HEADER = "vessel,terminal,arrival,volume_m3,lng,contract,status,delay_h\n"


def _problems(tmp_path: Path, text: str, name: str = "s.csv") -> list[str]:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_schedule(p, small_chain(), START, {"LNG"})
    return exc.value.problems


def test_bad_schedule_names_every_line(tmp_path: Path) -> None:
    text = HEADER + "\n".join([
        "A,T1,2026-01-02T06:00,140000,LNG,,,",     # line 2: fine
        "B,T1,2026-01-05,160000,,,,",              # line 3: larger than the tank takes above its heel
        "C,T1,2026-01-04,100000,,,,",              # line 4: before the previous arrival
        "D,T1,2025-12-30,100000,,,,",              # line 5: before the start (and out of order)
        "E,T1,2026-01-08,-5,,,,",                  # line 6: negative volume
        "F,T9,2026-01-09,100000,,,,",              # line 7: no such terminal
        "G,T1,2026-01-10,100000,XLNG,,,",          # line 8: unknown composition
        "H,T1,01/11/2026,100000,,,,",              # line 9: not a date
    ]) + "\n"
    problems = _problems(tmp_path, text)
    joined = "\n".join(problems)
    assert "s.csv line 3: cargo of 160,000 m3 is larger than terminal T1 can take (150,000 m3 tank less 5,000 m3 " \
           "heel = 145,000 m3)" in joined
    assert "s.csv line 4: arrival 2026-01-04 00:00 is before the previous cargo's (2026-01-05 00:00)" in joined
    assert "s.csv line 5: arrival 2025-12-30 00:00 is before the start of the run (2026-01-01 00:00)" in joined
    assert "s.csv line 6: volume_m3 must be positive (got -5)" in joined
    assert "s.csv line 7: terminal 'T9' does not exist; terminals are T1" in joined
    assert "s.csv line 8: lng 'XLNG' is not a composition" in joined
    assert "s.csv line 9: '01/11/2026' is not a date-time" in joined
    assert not any("line 2" in p for p in problems)


def test_yaml_schedule_errors_name_the_line(tmp_path: Path) -> None:
    text = (
        "cargoes:\n"
        "- {vessel: A, terminal: T1, arrival: '2026-01-02', volume_m3: 140000}\n"
        "- vessel: B\n"
        "  terminal: NOPE\n"
        "  arrival: '2026-01-03'\n"
        "  volume_m3: 1000\n"
    )
    problems = _problems(tmp_path, text, "s.yaml")
    assert problems == [
        "s.yaml line 3: terminal 'NOPE' does not exist; terminals are T1",
    ]


def test_csv_shape_errors(tmp_path: Path) -> None:
    assert "header lacks volume_m3" in _problems(tmp_path, "vessel,terminal,arrival\nA,T1,2026-01-02\n")[0]
    assert _problems(tmp_path, HEADER + "A,T1,2026-01-02\n") == [
        "s.csv line 2: the line has 3 fields, the header 8"]
    assert "empty schedule" in _problems(tmp_path, "# nothing\n")[0]


def test_generator_and_round_trip() -> None:
    chain = small_chain()
    chain = chain.model_validate({**chain.model_dump(), "contracts": [
        {"id": "Q", "terminals": ["T1"], "cargoes_per_month": 4, "vessel_m3": 140000.0, "start": "2020-01-01",
         "offset_days": 1.0},
        {"id": "OLD", "terminals": ["T1"], "cargoes_per_month": 1, "vessel_m3": 100000.0, "start": "2017-01-01",
         "end": "2022-06-30"},
    ]})
    cargoes = generate(chain, START, 31)
    # 4 a month: every 7.6 days from day 1 (the 5th would arrive on day 31.4, after the horizon); OLD has ended
    assert [c.contract for c in cargoes] == ["Q"] * 4
    assert cargoes[0].arrival == datetime(2026, 1, 2)
    assert all(np.diff([c.arrival.timestamp() for c in cargoes]) > 0)
    again = schedule_from_text(schedule_csv(cargoes), "x.csv", chain, START)
    assert [(c.vessel, c.arrival, c.volume_m3) for c in again] == [(c.vessel, c.arrival, c.volume_m3) for c in cargoes]


def test_perturbation_is_seeded_and_keeps_cargo_identity() -> None:
    chain = small_chain()
    chain = chain.model_validate({**chain.model_dump(), "contracts": [
        {"id": "Q", "terminals": ["T1"], "cargoes_per_month": 6, "vessel_m3": 140000.0, "start": "2020-01-01",
         "p_delay": 0.5, "delay_mean_days": 2.0, "p_cancel": 0.2}]})
    base = generate(chain, START, 31)
    a = perturb(base, chain, np.random.default_rng(7))
    b = perturb(base, chain, np.random.default_rng(7))
    assert a == b
    assert [c.vessel for c in a] == [c.vessel for c in base]
    assert any(c.cancelled for c in a) and any(c.delay_h > 0 for c in a)
    for c, c0 in zip(a, base, strict=True):
        assert c.scheduled_arrival == c0.scheduled_arrival
