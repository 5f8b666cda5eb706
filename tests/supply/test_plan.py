"""The monthly plan (LP on HiGHS) replayed in the simulation."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from supply_helpers import small_chain, small_network

import linepack
from linepack.supply.model import default_supply_chain
from linepack.supply.plan import PlanOptions, plan_month, plan_table
from linepack.supply.schedule import generate

pytest.importorskip("highspy")
START = datetime(2026, 1, 1)


def test_psgp_month_plan_replays_to_the_same_inventories() -> None:
    chain = default_supply_chain()
    net = linepack.load_default_network()
    plan = plan_month(chain, net, generate(chain, START, 31), START, 31)
    assert plan.status == "Optimal" and plan.verified
    rep = plan.replay
    cap = rep.capacity_kg[0]
    assert np.max(np.abs(rep.inventory_kg - plan.inventory_kg) / cap) < 0.01
    # no unserved gas in the replay on any day the plan serves everyone
    none = plan.unserved_kg_s.sum(axis=1) <= 1e-9
    replay_short = (rep.unserved_kg_s * rep.dt_s[:, None]).sum(axis=1)
    assert np.all(replay_short[none] <= 1e-6 * rep.demand_kg_s.sum(axis=1)[none] * 86400.0)
    # tanks within heel and capacity every day
    heel = np.array([t.heel_m3 * lng.density_kg_m3 for t, lng in zip(rep.terminals, rep.lng, strict=True)])
    assert np.all(plan.inventory_kg >= heel - 1e-3) and np.all(plan.inventory_kg <= cap + 1e-3)
    assert len(plan_table(plan)) == 31


def test_plan_with_a_shortfall_curtails_the_same_days_in_the_replay() -> None:
    # one terminal with 1.1 days of LNG above its heel and no cargo: the plan and its replay short the same days
    chain = small_chain(initial_m3=20000.0)
    net = small_network(300.0)
    plan = plan_month(chain, net, [], START, 4, options=PlanOptions(rounds=2))
    rep = plan.replay
    plan_short = plan.unserved_kg_s.sum(axis=1) * 86400.0
    replay_short = (rep.unserved_kg_s * rep.dt_s[:, None]).sum(axis=1)
    assert plan_short[0] < 1e-3 and plan_short[-1] > 0
    assert np.allclose(replay_short, plan_short, rtol=1e-6, atol=1.0)
    assert plan.verified
