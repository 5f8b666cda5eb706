"""The per-collection scenario view gives the general view's components, in the same order, and leaves every
problem to the general path (which words it)."""

from __future__ import annotations

import pytest

import linepack as lp
from linepack.model.network import Network
from linepack.synthetic import lattice_network


def _general(net: Network, scenario: str | None, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    with monkeypatch.context() as m:
        m.setattr(Network, "_view_by_collection", lambda self, resolved: None)
        return list(net.view(scenario).components)


def test_same_components_in_the_same_order(monkeypatch: pytest.MonkeyPatch) -> None:
    psgp = lp.load_default_network()
    for name in [None, *psgp.scenarios]:
        fast = psgp.view(name)
        assert list(fast.components) == _general(psgp, name, monkeypatch), name
    grid = lattice_network(6, seed=2, compressors=2)
    assert psgp._view_by_collection is not None
    assert list(grid.view(None).components) == _general(grid, None, monkeypatch)
    cn_fast = lp.compile_network(grid, use_default=False)
    assert cn_fast.edge_ids == tuple(c.id for c in _general(grid, None, monkeypatch) if hasattr(c, "from_node"))


def test_problems_take_the_general_path() -> None:
    grid = lattice_network(4, seed=2)
    pipe = next(iter(grid.collections["pipes"].values()))
    grid.replace(pipe.model_copy(update={"to_node": "NOWHERE"}))
    with pytest.raises(lp.InputError, match="unknown node 'NOWHERE'"):
        grid.view(None)
