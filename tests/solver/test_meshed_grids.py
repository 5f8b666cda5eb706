"""Meshed synthetic grids (with and without compressor stations) solve and balance."""

from __future__ import annotations

import numpy as np
import pytest

import linepack as lp
from linepack.synthetic import lattice_network


@pytest.mark.parametrize(("n_side", "compressors", "seed"), [(8, 0, 0), (15, 2, 1), (30, 4, 2)])
def test_lattice_solves_and_balances(n_side: int, compressors: int, seed: int) -> None:
    net = lattice_network(n_side, seed=seed, compressors=compressors)
    res = lp.solve_steady(net)
    assert res.converged and res.iterations <= 25
    cn = res.network
    bal = res.node_injection_kg_s() + cn.incidence @ res.q_kg_s
    np.subtract.at(bal, cn.edge_from[cn.comp_edge], res.comp_fuel_kg_s)
    assert np.max(np.abs(bal)) < 1e-7 * res.throughput_kg_s()
    assert np.all(res.p_pa > 0)


def test_unreachable_compressor_set_points_end_at_their_limits() -> None:
    """A set-point needing a ratio far above the maximum: the station ends at its maximum ratio."""
    net = lattice_network(12, seed=3, compressors=2, load_kg_s_per_sink=60.0)
    for cid in ("CS0", "CS1"):
        comp = net.find(cid)
        assert isinstance(comp, lp.Compressor)
        net.replace(comp.model_copy(update={"p_set_barg": 150.0, "ratio_max": 1.3}))
    res = lp.solve_steady(net)
    assert sum("at maximum ratio (1.30)" in b for b in res.active_bounds) == 2
    assert np.allclose(res.comp_ratio(), 1.3, rtol=1e-9)
