"""Monte Carlo of cargo delays and cancellations: reproducible draws, reused steps equal to solved ones."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from supply_helpers import small_chain, small_network

from linepack.supply.horizon import Horizon, HorizonOptions, Trace
from linepack.supply.montecarlo import McContext, monte_carlo, run_draws
from linepack.supply.schedule import generate

START = datetime(2026, 1, 1)


def _chain():  # type: ignore[no-untyped-def]
    c = small_chain(initial_m3=60000.0)
    return c.model_validate({**c.model_dump(), "contracts": [{
        "id": "Q", "terminals": ["T1"], "cargoes_per_month": 5, "vessel_m3": 130000.0, "start": "2020-01-01",
        "offset_days": 1.5, "p_delay": 0.5, "delay_mean_days": 3.0, "p_cancel": 0.15}],
        "variants": {"bigger": {"set": {"T1": {"tank_m3": 250000.0, "initial_m3": 160000.0}}}}})


def test_draws_are_reproducible_and_independent_of_workers() -> None:
    chain, net = _chain(), small_network(300.0)
    cargoes = generate(chain, START, 15)
    a = monte_carlo(chain, net, cargoes, START, 15, 8, seed=5, variants=("bigger",), workers=1, batch=4)
    b = monte_carlo(chain, net, cargoes, START, 15, 8, seed=5, variants=("bigger",), workers=2, batch=4)
    for name in ("base", "bigger"):
        assert np.array_equal(a.results[name].unserved_kg, b.results[name].unserved_kg)
        assert np.array_equal(a.results[name].late, b.results[name].late)
    base, big = a.results["base"], a.results["bigger"]
    assert np.any(base.unserved_kg > 0)  # delays and cancellations do cause shortfalls here
    # the same draws on a larger tank never lose more gas (common random numbers)
    assert np.all(big.unserved_kg.sum(axis=1) <= base.unserved_kg.sum(axis=1) + 1e-6)
    rows = {r["variant"]: r for r in a.variant_table()}
    assert rows["bigger"]["saved_gwh_per_month"] >= 0 and rows["base"]["saved_gwh_per_month"] == 0
    city = a.city_table()[0]
    assert city["delivery"] == "C.demand" and 0 < city["p_shortfall"] <= 1


def test_reused_steps_give_the_solved_answer() -> None:
    # a draw that reuses the undisturbed run's steps until its first change equals the same draw solved in full
    chain, net = _chain(), small_network(300.0)
    cargoes = generate(chain, START, 20)
    ctx = McContext(chain.model_dump_json(), "", None, tuple(cargoes), START, 20, 24.0, "steady", (), 9)
    horizons = {"base": Horizon(chain, net, cargoes, HorizonOptions(START, 20, 24.0, "steady"))}
    trace = Trace()
    horizons["base"].run(cargoes=cargoes, record=trace)
    fast = run_draws(ctx, chain, horizons, list(range(4)), {"base": trace})
    slow = run_draws(ctx, chain, horizons, list(range(4)), None)
    assert np.array_equal(np.array(fast["base"]["u"]), np.array(slow["base"]["u"]))

