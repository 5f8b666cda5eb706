"""The sourced Pakistan Stream design facts (../shared/data/psgp/DATASET.md, sections 1, 2.1 and 5).

* 56 in, about 1,100 km from a 70 barg send-out: roughly 700-800 MMSCFD without compression (S: R11);
* up to about 2,000 MMSCFD with compression (S: R11);
* 42 in at 1.2 bcf/d needs about five compressor stations (S: R07).

Assumption carried by all three (D, DATASET section 5): delivery at Kasur at no less than 58.7 barg, the
arrival pressure of the data set's unassisted 0.8 bcfd check.
"""

from __future__ import annotations

import itertools

import pytest

pytest.importorskip("casadi")

from linepack.compile import compile_network
from linepack.optimize import capacity, newton_check, solve_problem
from linepack.optimize.corridor import SITES, psgp_corridor

ORDER = ("PORT_QASIM", "NAWABSHAH", "QADIRPUR", "MULTAN", "SAHIWAL")  # the build order along the line


def _capacity(diameter_in: int, stations: tuple[str, ...]) -> float:
    cn = compile_network(psgp_corridor(diameter_in, stations))
    res = solve_problem(cn, capacity(cn, ["KASUR.delivery"]))
    chk = newton_check(cn, res.p_pa, res.q_kg_s, res.supply_kg_s, res.delivered_kg_s)
    assert chk.max_rel_pressure < 1e-6 and chk.max_rel_flow < 1e-6
    return res.objective


def test_56in_without_compression_carries_700_to_800_mmscfd() -> None:
    cap = _capacity(56, ())
    assert 700.0 <= cap <= 800.0


def test_56in_with_the_three_planned_stations_carries_about_2000_mmscfd() -> None:
    # psgp_base's stations: CS1 (Port Qasim), CS2 (Qadirpur), CS3 (Multan) with their data-set ratings
    cap = _capacity(56, ("PORT_QASIM", "QADIRPUR", "MULTAN"))
    assert 1800.0 <= cap <= 2300.0


def test_42in_at_1_2_bcfd_needs_about_five_stations() -> None:
    assert set(ORDER) == set(SITES)
    caps = [_capacity(42, ORDER[:k]) for k in range(6)]
    assert all(b > a for a, b in itertools.pairwise(caps))  # each station adds capacity
    needed = next(k for k, c in enumerate(caps) if c >= 1200.0)
    assert needed in (4, 5)
