"""Gas-quality tracking: cost against the single-gas solves, and the error of the mixture-Z surrogate.

    python benchmarks/quality.py             # every row (several minutes on a shared machine)
    python benchmarks/quality.py --quick     # steady rows only, a smaller lattice, a 2-h transient

Goals (issue 12): PSGP steady state with mixing in at most 2x the single-gas solve; the 20,000-junction lattice
with four source gases in at most 3x; the PSGP winter day with quality tracking in at most 1.3x the transient
without it. CPU time (``time.process_time``), each pair run alternately ``--repeats`` times; the table gives the
median and the minimum of each and the ratio of the medians. "cold" includes building the mixture-Z tables (the
first solve of a gas set and temperature in a process); later solves reuse them ("warm").

The second table measures Z of the surrogate against direct GERG-2008 calls (pyaga8) at the states of the runs:
every pipe's mean pressure and gas of the PSGP steady state, a sample of the lattice's pipes, every segment of
the transient at its last snapshot, and random mixtures of the gases at random pressures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import linepack as lp
from linepack.gas import mixture_z as mzm
from linepack.model.components import Settings
from linepack.model.network import GasCompositionSpec
from linepack.quality.properties import mixture_model
from linepack.synthetic import lattice_network
from linepack.transient import TransientOptions, solve_transient, winter_day_profile

FOUR_GASES = {
    "RLNG": {"CH4": 0.9, "C2H6": 0.065, "C3H8": 0.022, "iC4H10": 0.004, "nC4H10": 0.005, "N2": 0.004},
    "SUI": {"CH4": 0.894, "C2H6": 0.006, "C3H8": 0.002, "N2": 0.068, "CO2": 0.03},
    "MARI": {"CH4": 0.72, "CO2": 0.1, "N2": 0.18},
    "NORTH_SEA": {"CH4": 0.836, "C2H6": 0.0747, "C3H8": 0.0206, "nC4H10": 0.0056, "N2": 0.0487, "CO2": 0.0144},
}


def with_mixing(net: lp.Network, mode: str) -> lp.Network:
    net.settings = Settings(**{**net.settings.model_dump(), "mixing": mode})
    return net


def four_gas_lattice(n_side: int, mode: str = "auto", flat: bool = True) -> lp.Network:
    """The benchmark lattice (``lattice_network(n_side, seed=1, compressors=4)``) whose six sources supply four
    gases: the two pressure-held corners RLNG and Sui-type gas, the four inflows Mari, North Sea, RLNG, Sui."""
    net = lattice_network(n_side, seed=1, compressors=4)
    if flat:
        for nd in list(net.nodes.values()):
            net.replace(nd.model_copy(update={"elevation_m": 0.0}))
    for name, fr in FOUR_GASES.items():
        net.gas_compositions[name] = GasCompositionSpec(mole_fractions=fr, provenance="A: benchmark gas")
    gas_of = {"REF0": "RLNG", "REF1": "SUI", "IN0": "MARI", "IN1": "NORTH_SEA", "IN2": "RLNG", "IN3": "SUI"}
    for src in list(net.collections["sources"].values()):
        net.replace(src.model_copy(update={"gas": gas_of[src.id]}))
    return with_mixing(net, mode)


def cpu(fn: Callable[[], object]) -> float:
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def pair(name: str, single: Callable[[], object], mixed: Callable[[], object], repeats: int, goal: float) -> None:
    t_single, t_mixed = [], []
    cold = cpu(mixed)  # the first mixed solve of the process builds the mixture-Z tables
    for _ in range(repeats):
        t_single.append(cpu(single))
        t_mixed.append(cpu(mixed))
    ms, mm = statistics.median(t_single), statistics.median(t_mixed)
    verdict = "met" if mm / ms <= goal else "NOT met"
    print(
        f"{name:44s} {ms:8.3f} {min(t_single):8.3f} {mm:8.3f} {min(t_mixed):8.3f} {cold:8.3f} "
        f"{mm / ms:6.2f} {goal:5.1f} {verdict}"
    )


def steady_rows(lattice_side: int, repeats: int) -> None:
    for sc in ("psgp_base", "tapi"):
        one = lp.compile_network(with_mixing(lp.load_default_network(), "off"), sc)
        mix = lp.compile_network(lp.load_default_network(), sc)
        mzm._CACHE.clear()
        pair(f"PSGP {sc} steady (3 gases)", lambda one=one: lp.solve_steady(one), lambda mix=mix: lp.solve_steady(mix),
             repeats, 2.0)  # fmt: skip
    one = lp.compile_network(four_gas_lattice(lattice_side, "off"))
    mix = lp.compile_network(four_gas_lattice(lattice_side))
    mzm._CACHE.clear()
    pair(
        f"lattice {lattice_side}x{lattice_side} ({one.n_nodes:,} junctions, 4 gases)",
        lambda: lp.solve_steady(one),
        lambda: lp.solve_steady(mix),
        repeats,
        3.0,
    )


def transient_row(hours: float, repeats: int) -> None:
    opts = TransientOptions(horizon_s=hours * 3600.0, dt_s=60.0, segment_length_m=1000.0, output_interval_s=3600.0)
    prof = winter_day_profile()
    one = lp.compile_network(with_mixing(lp.load_default_network(), "off"), "psgp_base")
    mix = lp.compile_network(lp.load_default_network(), "psgp_base")
    pair(
        f"PSGP winter day {hours:g} h, 60 s, 1 km (tracking)",
        lambda: solve_transient(one, profile=prof, options=opts),
        lambda: solve_transient(mix, profile=prof, options=opts),
        repeats,
        1.3,
    )


def error_rows(lattice_side: int, hours: float) -> None:
    print()
    print(f"{'states (Z surrogate against direct GERG-2008)':56s} {'states':>7s} {'max rel':>9s} {'mean rel':>9s}")
    res = lp.solve_steady(lp.load_default_network(), "psgp_base")
    report("PSGP psgp_base: every pipe at its mean pressure", res)
    lat = lp.solve_steady(four_gas_lattice(lattice_side))
    report(f"lattice {lattice_side}x{lattice_side}: 2,000 pipes sampled", lat, sample=2000)
    opts = TransientOptions(horizon_s=hours * 3600.0, dt_s=60.0, segment_length_m=1000.0, output_interval_s=3600.0)
    tr = solve_transient(lp.load_default_network(), profile=winter_day_profile(), options=opts)
    w, p = tr.segment_states()
    mz = mixture_model(tr.seg.cn)
    assert mz is not None
    rng = np.random.default_rng(0)
    pick = rng.choice(len(p), size=min(2000, len(p)), replace=False)
    print_report(f"PSGP winter day {hours:g} h: 2,000 segments at the end", mzm.measure_error(mz, w[pick], p[pick]))
    for k in (3, 4):
        gs = lat.network.quality.gas_set if k == 4 else res.network.quality.gas_set  # type: ignore[union-attr]
        model = mzm.mixture_z(gs, res.network.gas.temperature_k)
        wr = mzm.random_mixtures(k, 1500, rng)
        pr = rng.uniform(model.p_min_pa, model.p_max_pa, 1500)
        print_report(f"random mixtures of the {k} gases, 1-150 bar", mzm.measure_error(model, wr, pr))


def report(label: str, res: lp.SteadyResult, sample: int | None = None) -> None:
    cn = res.network
    mz = mixture_model(cn)
    assert mz is not None and res.gas_state is not None
    w = res.gas_state.w_edge[cn.res_edge]
    p = res.p_mean_pa
    if sample is not None and len(p) > sample:
        pick = np.random.default_rng(1).choice(len(p), size=sample, replace=False)
        w, p = w[pick], p[pick]
    print_report(label, mzm.measure_error(mz, w, p))


def print_report(label: str, rep: mzm.ErrorReport) -> None:
    print(f"{label:56s} {rep.n_states:7d} {rep.max_relative_error:9.1e} {rep.mean_relative_error:9.1e}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    side = 71 if args.quick else 141
    hours = 2.0 if args.quick else 24.0
    print(
        f"{'case':44s} {'1 gas s':>8s} {'min':>8s} {'mixed s':>8s} {'min':>8s} {'cold s':>8s} {'ratio':>6s} "
        f"{'goal':>5s}"
    )
    steady_rows(side, args.repeats)
    transient_row(hours, max(1, args.repeats - 1) if not args.quick else args.repeats)
    error_rows(side, hours)
    print("\nCPU seconds; medians over the repeats, run alternately; the machine may be shared (see docs/quality.md).")


if __name__ == "__main__":
    main()
