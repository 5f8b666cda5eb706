"""Summer derating and PSGP capacity (docs/compressors.md): the flow capacity of CS1-CS3's units at
psgp_base's suction pressures and a 99 barg discharge, in summer (psgp_base) and winter air
(psgp_winter_ambient), and the tapi scenario solved with both.

Run: ``python scripts/psgp_station_capacity.py`` (about 15 s CPU).
"""

from __future__ import annotations

import time

import numpy as np

import linepack as lp
from linepack.compile import compile_network
from linepack.model.scenario import Scenario
from linepack.stations.choice import most_capable
from linepack.stations.drivers import available_power_w
from linepack.stations.points import station_ends, suction_gas
from linepack.units import BAR_PA

DISCHARGE_BARG = 99.0


def main() -> None:
    net = lp.load_default_network()
    base = lp.solve_steady(net, "psgp_base")
    print(f"Station capacity at psgp_base's suction pressures, discharge {DISCHARGE_BARG:g} barg")
    head = ("station", "season", "air C", "unit MW", "suction barg", "capacity MMSCFD", "base MMSCFD")
    print("{:8} {:7} {:>6} {:>8} {:>13} {:>16} {:>12}".format(*head))
    for season, scenario in (("summer", "psgp_base"), ("winter", "psgp_winter_ambient")):
        cn = compile_network(net, scenario)
        cs = cn.stations
        assert cs is not None
        m, ps, _ = station_ends(cn, base.p_pa, base.q_kg_s)
        pd = np.full(len(m), DISCHARGE_BARG * BAR_PA + cn.ambient_pa)
        _, cap, _ = most_capable(cs, suction_gas(cn), m, ps, pd)
        mm = cn.gas.basis.kg_s_to_mmscfd(1.0)
        for s, sid in enumerate(cs.ids):
            u = int(np.flatnonzero(cs.units.station == s)[0])
            n = np.linspace(cs.units.n_min[u], cs.units.n_max[u], 201)
            p_unit = float(np.max(np.real(available_power_w(cs.units.power_w[u], n)))) / 1e6
            print(
                f"{sid:8} {season:7} {cs.ambient_c[s]:6.0f} {p_unit:8.1f} {(ps[s] - cn.ambient_pa) / BAR_PA:13.1f} "
                f"{cap[s] * mm:16.0f} {m[s] * mm:12.0f}"
            )
    w = net.scenarios["psgp_winter_ambient"]
    net.scenarios["tapi_winter_ambient"] = Scenario(description="tapi in winter air", base="tapi", set=dict(w.set))
    print("\ntapi in summer and winter air")
    for scenario in ("tapi", "tapi_winter_ambient"):
        t0 = time.process_time()
        r = lp.solve_steady(net, scenario)
        cpu = time.process_time() - t0
        mm = r.network.gas.basis.kg_s_to_mmscfd(1.0)
        k = list(r.network.source_ids).index("GALKYNYSH.supply")
        print(
            f"{scenario}: Galkynysh {r.source_supply_kg_s[k] * mm:.0f} MMSCFD, compression "
            f"{np.nansum(r.comp_power_w) / 1e6:.1f} MW, fuel {np.sum(r.comp_fuel_kg_s) * mm:.1f} MMSCFD, "
            f"{r.iterations} iterations, {cpu:.1f} s CPU"
        )
        for b in r.active_bounds[:3]:
            print(f"  {b[:140]}")
        for v in r.violations:
            print(f"  violation: {v}")


if __name__ == "__main__":
    main()
