"""Inventory balances (exact over a year), boil-off, the hand-computable run-down to the heel, berth conflicts."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from supply_helpers import small_chain, small_network

from linepack.supply.horizon import HorizonOptions, run_horizon
from linepack.supply.lng import LngProperties
from linepack.supply.schedule import Cargo, generate

START = datetime(2026, 1, 1)


def test_inventory_balance_over_a_year_of_steps() -> None:
    # a year of daily steps with cargoes every ~4.6 days (berth queues and full tanks included) and boil-off
    chain = small_chain(boil_off_pct_per_day=0.15, boil_off_fate="send_out")
    chain = chain.model_validate({**chain.model_dump(), "contracts": [{
        "id": "C", "terminals": ["T1"], "cargoes_per_year": 80, "vessel_m3": 140000.0, "start": "2020-01-01",
        "arrival_spread_days": 3.0}]})
    net = small_network(400.0)
    res = run_horizon(chain, net, generate(chain, START, 365, seed=3), HorizonOptions(START, 365, 24))
    assert res.n_steps == 365
    assert np.max(res.balance_error()) < 1e-9
    # the same balance step by step: unloaded = sent + lost + change of inventory
    inv = np.concatenate([res.inventory0_kg[None, :], res.inventory_kg])
    step = res.unloaded_kg - res.sent_kg - res.lost_kg - np.diff(inv, axis=0)
    assert np.max(np.abs(step)) < 1e-9 * res.capacity_kg.max()
    assert res.grid_balance_error() < 1e-9
    # more cargoes than the city takes: carriers queue for room in the tank, and the balance still closes
    assert sum(g.status == "unloaded" for g in res.logs) > 40
    assert max(r["wait_h"] for r in res.cargo_table() if r["wait_h"] == r["wait_h"]) > 24.0


def test_boil_off_exact_without_send_out() -> None:
    # no demand: the terminal sends nothing and its tank loses exactly 0.15 % of the full tank a day
    chain = small_chain(boil_off_pct_per_day=0.15, boil_off_fate="fuel")
    net = small_network(0.0)
    res = run_horizon(chain, net, [], HorizonOptions(START, 30, 24))
    lng = res.lng[0]
    per_day = 0.0015 * 150000.0 * lng.density_kg_m3
    expected = 100000.0 * lng.density_kg_m3 - per_day * np.arange(1, 31)
    assert np.allclose(res.inventory_kg[:, 0], expected, rtol=1e-12, atol=0)
    assert np.allclose(res.lost_kg[:, 0], per_day, rtol=1e-12)
    assert np.all(res.sent_kg == 0.0)


def test_run_down_to_the_heel_agrees_with_arithmetic() -> None:
    # one terminal, one city, a constant 300 MMSCFD: the heel is reached after (I0 - heel) / D and the city is
    # short of D for the rest of the horizon (hourly steps, steady states: no linepack, no fuel)
    chain = small_chain(initial_m3=20000.0)
    net = small_network(300.0)
    res = run_horizon(chain, net, [], HorizonOptions(START, 3, 1.0, "steady"))
    lng: LngProperties = res.lng[0]
    d = res.demand_kg_s[0, 0]
    usable = (20000.0 - 5000.0) * lng.density_kg_m3
    t_heel = usable / d
    k = int(t_heel // 3600.0)
    uns = res.unserved_kg_s[:, 0] * 3600.0
    assert np.all(uns[:k] < 1e-6 * d)
    assert abs(uns[k] - (d * 3600.0 * (k + 1) - usable)) < 1e-6 * d * 3600.0
    assert np.allclose(uns[k + 1:], d * 3600.0, rtol=1e-9)
    assert abs(uns.sum() - (d * 3 * 86400.0 - usable)) < 1e-6 * d * 3600.0
    first_short = res.delivery_table()[0]["first_short"]
    assert first_short == (START + timedelta(hours=k)).isoformat(timespec="minutes")
    assert abs(res.inventory_kg[-1, 0] - 5000.0 * lng.density_kg_m3) < 1e-6  # at the heel, to the gram


def test_berth_conflict_second_ship_waits() -> None:
    # two ships due the same day at a one-berth terminal: the second berths when the first has unloaded and left
    chain = small_chain(initial_m3=10000.0)
    net = small_network(300.0)
    day = START + timedelta(days=1)
    cargoes = [Cargo("A", "T1", day + timedelta(hours=2), 60000.0), Cargo("B", "T1", day + timedelta(hours=3), 60000.0)]
    res = run_horizon(chain, net, cargoes, HorizonOptions(START, 5, 1.0, "steady"))
    rows = {r["vessel"]: r for r in res.cargo_table()}
    a, b = rows["A"], rows["B"]
    assert a["wait_h"] == 0.0 and a["status"] == b["status"] == "unloaded"
    # A: berths 02:00, unloads from 14:00 for 6 h (60,000 m3 at 10,000 m3/h), leaves the berth 6 h later
    assert a["unload_start"] == (day + timedelta(hours=14)).isoformat(timespec="minutes")
    assert a["unload_end"] == (day + timedelta(hours=20)).isoformat(timespec="minutes")
    assert b["berthed"] == (day + timedelta(hours=26)).isoformat(timespec="minutes")
    assert abs(b["wait_h"] - 23.0) < 1e-9
    assert np.max(res.balance_error()) < 1e-9


def test_cargo_of_another_lng_mixes_in_the_tank() -> None:
    # a lean cargo into a tank of richer LNG: the tank's composition moves between the two, by moles, and the
    # send-out composition (for the gas-quality feature) follows; the balance stays exact in kilograms
    base = small_chain(initial_m3=40000.0)
    chain = base.model_validate({**base.model_dump(), "lng_compositions": {
        "LEAN": {"mole_fractions": {"CH4": 0.97, "C2H6": 0.03}}}})
    net = small_network(300.0)
    cargo = Cargo("L", "T1", START + timedelta(hours=1), 100000.0, lng="LEAN")
    res = run_horizon(chain, net, [cargo], HorizonOptions(START, 3, 24))
    ch4 = res.composition[:, 0, 0]
    assert abs(ch4[0] - 0.92) > 1e-3 and 0.92 < ch4[-1] < 0.97
    assert res.send_out_composition(2, 0).fraction("CH4") == ch4[2]
    assert np.max(res.balance_error()) < 1e-9


def test_demand_beyond_what_the_grid_carries_is_curtailed_to_its_limit() -> None:
    # a full tank, but 50 km of 30 in from 70 barg carry about 1,430 MMSCFD: asking 3,000 or 6,000 gives no steady
    # state; the step is curtailed (by priority) to the largest load that has one, the same for both demands
    chain = small_chain(trains=30, train_max_mmscfd=1000.0, tank_m3=1.5e6, initial_m3=1.4e6)
    served = []
    for demand in (3000.0, 6000.0):
        res = run_horizon(chain, small_network(demand), [], HorizonOptions(START, 1, 24))
        assert res.status == ["curtailed"]
        assert "curtailed to what the grid carries (the terminals have gas to spare)" in res.actions[0]
        assert res.grid_balance_error() < 1e-9
        served.append(float(res.gas_mmscf(res.served_kg_s[0, 0] * 86400.0)))
    assert 1300.0 < served[0] < 1500.0
    assert abs(served[0] - served[1]) < 1e-3 * served[0]


def test_psgp_month_on_the_mixing_default_runs_with_one_gas_and_its_grid_ledger_closes() -> None:
    # the embedded network mixes its sources' gases (issue 12); the supply ledger books MMSCF of one gas, so a
    # supply run carries one gas in the hydraulics and leaves the user's network as it was
    import linepack
    from linepack.supply.horizon import Horizon
    from linepack.supply.model import default_supply_chain

    chain = default_supply_chain()
    net = linepack.load_default_network()
    assert net.settings.mixing == "auto"
    horizon = Horizon(chain, net, generate(chain, START, 31), HorizonOptions(START, 31, 24))
    assert horizon.network.settings.mixing == "off" and net.settings.mixing == "auto"
    res = horizon.run()
    assert res.grid_balance_error() < 1e-9 and np.max(res.balance_error()) < 1e-9
