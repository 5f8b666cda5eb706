"""The server's state: the bounded solve queue and the bounded store of uploaded networks."""

from __future__ import annotations

import asyncio
import threading

import pytest

import linepack as lp
from linepack.errors import InputError
from linepack.web.service import BusyError, Service


def test_queue_is_bounded():
    service = Service(workers=1, max_pending=1)
    gate = threading.Event()

    async def scenario() -> None:
        first = asyncio.ensure_future(service.run(gate.wait, 30))
        await asyncio.sleep(0.05)
        with pytest.raises(BusyError):
            await service.run(lambda: None)
        gate.set()
        assert await first is True
        assert await service.run(lambda: 7) == 7  # free again

    try:
        asyncio.run(scenario())
    finally:
        gate.set()
        service.close()


def test_uploaded_networks_are_bounded_and_unknown_ones_refused():
    service = Service(workers=1, max_uploads=2)
    try:
        net = lp.load_default_network()
        tokens = [service.add(f"n{k}.yaml", net, ()).token for k in range(3)]
        known = {n["token"] for n in service.networks()}
        assert known == {"psgp", tokens[1], tokens[2]}  # the oldest upload was dropped, the embedded one kept
        with pytest.raises(InputError, match="not known"):
            service.entry(tokens[0])
        with pytest.raises(InputError, match="not defined"):
            service.entry("psgp").scenario("../../etc/passwd")
        assert service.entry("psgp").scenario(None) == "psgp_base"
    finally:
        service.close()


def test_page_tables_reconcile_and_report_the_runs_violations():
    """The supplies column adds up to the throughput card on the named basis, and the violations listed are
    the result's own (the same set as `linepack run`)."""
    from linepack.web.tables import supplies, totals, violation_rows

    res = lp.solve_steady(lp.load_default_network(), "psgp_base")
    tot = totals(res)
    column = sum(r["supply_mmscfd"] for r in supplies(res))
    assert abs(column - tot["throughput_mmscfd"]) <= 0.05 * len(supplies(res)) and "network gas" in tot["basis"]
    assert [r["text"] for r in violation_rows(res)] == list(res.violations)
