"""Cost of the real-gas caloric properties and the network temperatures (issue 13), with baselines side by side.

    python benchmarks/thermal.py [--points 20000] [--lattice 142]

Rows (CPU seconds, ``time.process_time``; the machine may be shared, rerun for stable numbers):

* all nine properties (Z, density, h, s, cp, cv, mu_JT, kappa, w) of the PSGP gas at N random pipeline states
  from the GERG-2008 table of ``RealGasThermo.state``, against direct pyaga8 calls (``state_direct``) and
  CoolProp's HEOS mixture (h, cp and mu_JT only, phase imposed as gas), per state;
* T(p, h) inversion at N states (table Newton);
* building the table once per gas;
* the flow-order temperature sweep of the PSGP default (and with ``--lattice 142`` the 20,164-junction lattice)
  against its isothermal steady solve (the sweep alone, for scale);
* the coupled non-isothermal steady solve (``linepack.thermal.coupling``) of the PSGP default in summer and winter
  (and of the lattice) against the isothermal solve: the goals are at most 2x (PSGP) and 2.5x (lattice).
"""

from __future__ import annotations

import argparse
import importlib
import time

import numpy as np

import linepack
from linepack.gas import GasComposition
from linepack.gas.thermo import RealGasThermo
from linepack.io.native import load_default_network
from linepack.thermal.coupling import with_thermal
from linepack.thermal.network_temperatures import steady_temperatures

LNG = {"CH4": 0.9, "C2H6": 0.065, "C3H8": 0.022, "iC4H10": 0.004, "nC4H10": 0.005, "N2": 0.004}
COOLPROP = ("Methane", "Ethane", "Propane", "IsoButane", "n-Butane", "Nitrogen")


def cpu(fn, repeat: int = 1) -> float:  # type: ignore[no-untyped-def]
    start = time.process_time()
    for _ in range(repeat):
        fn()
    return (time.process_time() - start) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=20000)
    parser.add_argument("--lattice", type=int, default=0, help="also time the N x N lattice (142: 20,164 junctions)")
    args = parser.parse_args()
    n = args.points
    rng = np.random.default_rng(1)
    p = rng.uniform(1e6, 1.2e7, n)
    t = rng.uniform(265.0, 345.0, n)
    gas = GasComposition.from_mole_fractions("lng", LNG)
    thermo = RealGasThermo(gas)
    build = cpu(lambda: thermo.state(7e6, 300.0))
    table = cpu(lambda: thermo.state(p, t), 3) / n
    k = min(n, 2000)
    direct = cpu(lambda: thermo.state_direct(p[:k], t[:k])) / k
    rows = [("properties, table (all nine)", table, 1.0), ("properties, direct pyaga8", direct, direct / table)]
    try:
        cp_module = importlib.import_module("CoolProp.CoolProp")

        state = cp_module.AbstractState("HEOS", "&".join(COOLPROP))
        state.set_mole_fractions([LNG[c] for c in ("CH4", "C2H6", "C3H8", "iC4H10", "nC4H10", "N2")])
        state.specify_phase(cp_module.iphase_gas)

        def coolprop() -> None:
            for i in range(k):
                state.update(cp_module.PT_INPUTS, p[i], t[i])
                state.hmass(), state.cpmass()
                state.first_partial_deriv(cp_module.iT, cp_module.iP, cp_module.iHmass)

        per = cpu(coolprop) / k
        rows.append(("h, cp, mu_JT, CoolProp HEOS", per, per / table))
    except ImportError:
        rows.append(("h, cp, mu_JT, CoolProp HEOS (not installed)", float("nan"), float("nan")))
    h = thermo.enthalpy_j_kg(p, t)
    rows.append(("T(p, h), table Newton", cpu(lambda: thermo.temperature_from_enthalpy(p, h, 300.0)) / n, float("nan")))
    print(f"{'per state':42s} {'CPU us':>10s} {'x table':>9s}")
    for name, value, ratio in rows:
        print(f"{name:42s} {value * 1e6:10.2f} {ratio:9.1f}")
    print(f"{'table build (once per gas)':42s} {build:10.3f} s")
    net = load_default_network()
    result = linepack.solve_steady(net, "psgp_base")
    steady_temperatures(net, result)
    solve = cpu(lambda: linepack.solve_steady(net, "psgp_base"), 5)
    sweep = cpu(lambda: steady_temperatures(net, result), 5)
    print(f"{'PSGP isothermal steady solve':42s} {solve:10.4f} s")
    print(f"{'PSGP temperature sweep (fixed hydraulics)':42s} {sweep:10.4f} s {sweep / solve:9.2f} x solve")
    for season in ("summer", "winter"):
        hot = with_thermal(net, season)
        coupled = linepack.solve_steady(hot, "psgp_base")
        t = cpu(lambda hot=hot: linepack.solve_steady(hot, "psgp_base"), 5)
        label = f"PSGP coupled non-isothermal, {season} ({coupled.outer_iterations} rounds)"
        print(f"{label:42s} {t:10.4f} s {t / solve:9.2f} x solve  (goal 2x)")
    if args.lattice:
        from linepack.synthetic import lattice_network

        lattice = lattice_network(args.lattice)
        result = linepack.solve_steady(lattice)
        steady_temperatures(lattice, result)
        solve = cpu(lambda: linepack.solve_steady(lattice))
        sweep = cpu(lambda: steady_temperatures(lattice, result))
        print(f"{'lattice isothermal steady solve':42s} {solve:10.4f} s")
        print(f"{'lattice temperature sweep':42s} {sweep:10.4f} s {sweep / solve:9.2f} x solve")
        hot = with_thermal(lattice)
        t0 = time.process_time()
        coupled = linepack.solve_steady(hot)
        t = time.process_time() - t0
        label = f"lattice coupled non-isothermal ({coupled.outer_iterations} rounds)"
        print(f"{label:42s} {t:10.4f} s {t / solve:9.2f} x solve  (goal 2.5x)")


if __name__ == "__main__":
    main()
