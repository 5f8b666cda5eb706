"""Stations with units on a network whose gases mix (issues 12 and 21 together): each station compresses and burns
the gas it takes in, not the network gas.

Reference network: the embedded PSGP data (psgp_base), whose three source gases mix by default; CS1 takes in
RLNG from Port Qasim, CS2 and CS3 the mixture of RLNG and the Sindh field gases downstream.
"""

from __future__ import annotations

import numpy as np

import linepack as lp
from linepack.stations.points import suction_gas
from linepack.stations.station import isentropic_head


def test_each_station_runs_on_its_own_suction_gas() -> None:
    res = lp.solve_steady(lp.load_default_network())
    cn, props = res.network, res.props
    assert cn.quality is not None and cn.quality.mixing and not props.uniform
    cs = cn.stations
    assert cs is not None
    own, network = suction_gas(cn, props), suction_gas(cn)
    k = cs.comp_k
    np.testing.assert_array_equal(own.kappa, props.comp_kappa[k])
    np.testing.assert_array_equal(own.molar_mass, props.comp_molar_mass[k])
    np.testing.assert_array_equal(own.lhv_j_per_kg, props.comp_fuel_lhv_j_per_kg[k])
    # the gas differs from the network gas where the sources' gases have mixed in (CS2, CS3)
    assert np.max(np.abs(own.molar_mass / network.molar_mass - 1.0)) > 1e-3
    # Z of a station's gas at its suction pressure is the property layer's Z of that compressor
    ce = cn.comp_edge[k]
    ps = res.p_pa[cn.edge_from[ce]]
    z_all, _ = props.z_comp(res.p_pa[cn.edge_from[cn.comp_edge]])
    z_own, _ = own.z(ps, own.t_k, np.arange(len(cs)))
    np.testing.assert_allclose(z_own, z_all[k], rtol=1e-12)
    # each running unit makes the isentropic head of its station's gas at its stage ratio, and the units' power adds
    # up to the station power the hydraulics used
    pts = res.unit_points()
    assert pts is not None
    pd = res.p_pa[cn.edge_to[ce]]
    for s in range(len(cs)):
        run = np.flatnonzero((cs.units.station == s) & (pts.stage > 0))
        assert len(run)
        n_st = int(np.max(pts.stage[run]))
        assert n_st == 1
        h = isentropic_head(z_own[s], own.t_k[s], own.molar_mass[s], own.kappa[s], pd[s] / ps[s]) / 1e3
        np.testing.assert_allclose(pts.head_asked_kj_per_kg[run], h, rtol=1e-9)
        np.testing.assert_allclose(float(np.sum(pts.power_mw[run])), res.comp_power_w[k[s]] / 1e6, rtol=1e-9)
