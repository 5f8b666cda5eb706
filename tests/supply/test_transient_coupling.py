"""Supply runs with the transient network: linepack in the balance, and bridging a terminal running dry."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from supply_helpers import small_chain, small_network

from linepack.supply.horizon import HorizonOptions, run_horizon

START = datetime(2026, 1, 1)


def test_linepack_bridges_the_heel_and_balances() -> None:
    # the steady model curtails the city in the hour the tank reaches its heel; the transient drafts the 50 km
    # line first, so the first curtailment comes later, and every step balances with the change of linepack
    chain = small_chain(initial_m3=20000.0)
    net = small_network(300.0)
    steady = run_horizon(chain, net, [], HorizonOptions(START, 2, 1.0, "steady"))
    trans = run_horizon(chain, net, [], HorizonOptions(START, 2, 1.0, "transient", segment_km=10.0))
    first = lambda r: int(np.flatnonzero(r.unserved_kg_s[:, 0] > 1e-9)[0])  # noqa: E731
    assert first(trans) > first(steady)
    assert trans.grid_balance_error() < 1e-8
    assert np.max(trans.balance_error()) < 1e-9
    # the draft: linepack falls after the heel, and the city is never below its minimum pressure
    k = first(steady)
    assert trans.linepack_kg[k + 1] < trans.linepack_kg[k - 1]
    assert not np.any(trans.below_min)
    # what the city missed equals what the terminal could not send, less the linepack drafted
    sent = trans.sent_kg.sum()
    served = (trans.served_kg_s[:, 0] * trans.dt_s).sum()
    assert abs(sent - served - (trans.linepack_kg[-1] - trans.linepack0_kg)) < 1e-6 * served
