"""The LPG terminal (stock, dispatch, stock-outs) and an underground store on the grid."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from supply_helpers import LNG, small_chain

from linepack.errors import InputError
from linepack.model.network import Network
from linepack.supply.horizon import HorizonOptions, run_horizon
from linepack.supply.lpg import Parcel, run_lpg
from linepack.supply.model import LpgTerminal, SupplyChain
from linepack.supply.storage import curve_factor

START = datetime(2026, 1, 1)
SPEC = LpgTerminal(id="G", storage_t=5000.0, min_stock_t=250.0, initial_t=1000.0, offtake_t_per_d=100.0,
                   trucks_per_day=14, truck_t=10.0, pumping_t_per_h=250.0, berthing_h=6.0, unberthing_h=3.0)


def test_lpg_stock_out_and_recovery() -> None:
    # 750 t above the kept-back stock at 100 t/d lasts 7.5 days; a 3,900 t parcel discharged on day 11 (index 10)
    # ends the stock-out
    res = run_lpg(SPEC, [Parcel("P1", START + timedelta(days=10), 3900.0)], START, 20)
    assert res.balance_error() < 1e-12
    assert np.flatnonzero(res.stock_out).tolist() == [7, 8, 9]
    assert abs(res.dispatched_t[7] - 50.0) < 1e-9 and res.dispatched_t[8] == 0.0 and res.dispatched_t[10] == 100.0
    assert abs(res.summary()["unmet_t"] - 250.0) < 1e-9
    assert res.events()[0] == ("2026-01-08T00:00", "G stock-out: offtake not met")
    assert res.stock_t.min() >= 250.0 - 1e-9


def test_lpg_loading_limit_and_bad_parcels() -> None:
    spec = SPEC.model_copy(update={"trucks_per_day": 5})
    res = run_lpg(spec, [], START, 3)
    assert np.all(res.loading_short) and not np.any(res.stock_out)
    assert np.allclose(res.dispatched_t, 50.0)
    with pytest.raises(InputError) as exc:
        run_lpg(SPEC, [Parcel("BIG", START, 6000.0), Parcel("NEG", START, -1.0)], START, 3)
    assert exc.value.problems[0].startswith("LPG parcel BIG: 6000 t is larger than terminal G's storage")
    assert "LPG parcel NEG: tonnes must be positive" in exc.value.problems[1]


def _net_with_store() -> Network:
    doc = {
        "format": "linepack-network/1",
        "settings": {"temperature_c": 15.0, "gas": "LNG", "compressibility": "papay"},
        "gas_compositions": {"LNG": {"mole_fractions": LNG}},
        "nodes": [{"id": "T"}, {"id": "C"}],
        "pipes": [{"id": "P", "from": "T", "to": "C", "length_km": 50.0, "inner_diameter_mm": 730.0}],
        "sources": [{"id": "T.supply", "node": "T", "mode": "pressure", "p_set_barg": 70.0},
                    {"id": "S.out", "node": "C", "mode": "flow", "inflow": 0.0, "capacity": 1000.0}],
        "sinks": [{"id": "C.demand", "node": "C", "demand": 300.0, "category": "industry"},
                  {"id": "S.in", "node": "C", "demand": 0.0, "category": "other"}],
    }
    return Network.from_dict(doc)


def test_store_withdraws_what_the_terminal_cannot_give_within_its_curve() -> None:
    base = small_chain(initial_m3=20000.0)
    chain = SupplyChain.model_validate({**base.model_dump(), "storages_in_use": ["S"], "storages": [{
        "id": "S", "withdrawal_source": "S.out", "injection_sink": "S.in", "working_gas_mmscf": 1000.0,
        "initial_fill": 0.5, "max_withdrawal_mmscfd": 200.0, "max_injection_mmscfd": 100.0}]})
    res = run_horizon(chain, _net_with_store(), [], HorizonOptions(START, 6, 24))
    w = res.gas_mmscf(res.withdrawn_kg[:, 0])  # MMSCF a day
    fill = np.concatenate([[0.5], res.store_kg[:, 0] / (1000.0 * res.basis.density_60f_kg_m3 * 28316.846592)])
    limit = np.array([curve_factor(chain.storages[0].withdrawal_curve, f) * 200.0 for f in fill[:-1]])
    assert w[0] < 1e-6 and w[2] > 0  # the tank covers day 1; the store takes over when it runs dry
    assert np.all(w <= limit + 1e-6)
    g0 = 0.5 * 1000.0 * res.basis.density_60f_kg_m3 * 28316.846592
    assert abs(g0 - res.withdrawn_kg.sum() + res.injected_kg.sum() - res.store_kg[-1, 0]) < 1e-6 * g0
    assert res.grid_balance_error() < 1e-9


def test_store_added_by_a_scenario_survives_the_shedding_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    # as in psgp_ugs, the store's source and sink exist only in a scenario's additions; when a step's own solve
    # fails the step is handed to the priority shedding as a scenario overlay, which must find them there
    from linepack.errors import ConvergenceError
    from linepack.supply.coupling import SteadyCoupler

    doc = _net_with_store().to_dict()
    store = {"sources": [s for s in doc["sources"] if s["id"] == "S.out"],
             "sinks": [s for s in doc["sinks"] if s["id"] == "S.in"]}
    doc["sources"] = [s for s in doc["sources"] if s["id"] != "S.out"]
    doc["sinks"] = [s for s in doc["sinks"] if s["id"] != "S.in"]
    doc["scenarios"] = {"with_store": {"add": store}}
    net = Network.from_dict(doc)
    original = SteadyCoupler._solve

    def fail_own_solves(self: SteadyCoupler, cn: object) -> object:
        if cn.source_ids is self.cn.source_ids:  # type: ignore[attr-defined]  # the step's own trial, not shed's
            raise ConvergenceError("forced by the test")
        return original(self, cn)  # type: ignore[arg-type]

    base = small_chain(initial_m3=20000.0)
    chain = SupplyChain.model_validate({**base.model_dump(), "storages_in_use": ["S"], "storages": [{
        "id": "S", "withdrawal_source": "S.out", "injection_sink": "S.in", "working_gas_mmscf": 1000.0,
        "initial_fill": 0.5, "max_withdrawal_mmscfd": 200.0, "max_injection_mmscfd": 100.0}]})
    normal = run_horizon(chain, net, [], HorizonOptions(START, 4, 24), scenario="with_store")
    monkeypatch.setattr(SteadyCoupler, "_solve", fail_own_solves)
    res = run_horizon(chain, net, [], HorizonOptions(START, 4, 24), scenario="with_store")
    assert set(res.status) == {"shed"}
    assert np.allclose(res.withdrawn_kg, normal.withdrawn_kg, rtol=1e-6, atol=1e-6)
    # the tank runs short: the shedding's bisection curtails to within 1/64 of the class demand, the step's own
    # curtailment exactly; over the run both serve the same gas within that step
    demand = res.demand_kg_s[:, 0]
    assert np.all(np.abs(res.served_kg_s[:, 0] - normal.served_kg_s[:, 0]) <= demand / 64.0 + 1e-9)
    assert res.unserved_kg_s[:, 0].sum() > 0
    assert res.grid_balance_error() < 1e-9
