"""Gas quality in the embedded Pakistan Stream network: the figures of docs/quality.md.

1. The gas each city gate receives in ``psgp_base`` and after the GasPort FSRU outage (``port_qasim_outage``):
   gross calorific value, Wobbe index (60 F, the network's quality reference), the molar share of RLNG in it, and the
   OGRA limits (S:R100).
2. The hydrogen blend (``hydrogen_blend``, tagged A) against the same network without the hydrogen: compressor
   power and fuel, LNG send-out, delivered energy, the hydrogen reaching the power plants, and the transport
   capacity: the largest uniform demand scale at which every delivery keeps its minimum pressure with the Port
   Qasim slack terminal unlimited (bisection to 0.5 %), and the energy delivered there.

Run: python scripts/psgp_quality_study.py (about a minute on one core).
"""

from __future__ import annotations

import numpy as np

import linepack as lp
from linepack.gas.quality import BTU_PER_SCF_MJ_M3

CITY = "city_gate"


def _solve(net: lp.Network, scenario: str) -> lp.SteadyResult:
    return lp.solve_steady(net, scenario)


def city_gates(net: lp.Network) -> None:
    print("City-gate gas (60 F / 60 F; OGRA S:R100: CV >= 900 Btu/scf, Wobbe >= 1,121 Btu/scf)")
    rows: dict[str, list[str]] = {}
    for sc in ("psgp_base", "port_qasim_outage"):
        res = _solve(net, sc)
        q, cn = res.quality, res.network
        assert q is not None and cn.quality is not None
        rlng = [i for i, g in enumerate(q.gas_set.names) if g.startswith("RLNG")]
        share = q.node_w[:, rlng].sum(axis=1) if rlng else np.zeros(cn.n_nodes)
        for k, sid in enumerate(cn.sink_ids):
            if cn.sink_category[k] != CITY:
                continue
            rows.setdefault(sid, []).append(
                f"{q.sink.gcv_btu_scf[k]:7.1f} {q.sink.gcv_mj_m3[k]:6.2f} {q.sink.wobbe_btu_scf[k]:7.1f} "
                f"{100 * share[cn.sink_node[k]]:5.1f}"
            )
    head = "GCV Btu/scf  MJ/m3  Wobbe  RLNG mol %"
    print(f"{'city gate':20s} | psgp_base: {head} | port_qasim_outage: {head}")
    for sid, cols in rows.items():
        print(f"{sid:20s} | {cols[0]:>40s} | {cols[1] if len(cols) > 1 else '':>48s}")


def _capacity(net: lp.Network, base: str) -> tuple[float, float, str]:
    """The transport capacity: the largest demand scale (0.5 % steps) at which ``base`` solves with every delivery
    at its minimum pressure when the Port Qasim slack terminal (EETL) has no capacity limit, so that the pipes,
    not the terminals, limit it; the energy delivered there [MW]; what fails just above it."""
    lo, hi, energy, why = 0.8, 2.0, float("nan"), ""
    for _ in range(8):
        mid = 0.5 * (lo + hi)
        name = f"{base}@{mid:.4f}"
        net.add_scenario(name, base=base, demand_scale=mid, set={"EETL_FSRU.supply": {"capacity": 1e5}})
        try:
            res = _solve(net, name)
            low = [v.text for v in res.violation_records if v.quantity == "p_delivery_min"]
        except lp.LinepackError as exc:
            res, low = None, [str(exc).splitlines()[-1].lstrip("- ")]
        if res is not None and not low:
            lo = mid
            assert res.quality is not None
            energy = float(np.sum(res.quality.sink_energy_mw))
        else:
            hi, why = mid, low[0]
    return lo, energy, why


def hydrogen(net: lp.Network) -> None:
    blend = net.scenarios["hydrogen_blend"]
    net.add_scenario("no_hydrogen", base=blend.base, set=blend.set, description="hydrogen_blend without hydrogen")
    print("\nHydrogen blend (A): 10 mol % at the Port Qasim hub; power plants buy energy")
    print(f"{'':34s} {'no hydrogen':>12s} {'10 % H2':>12s}")
    figures, limits = [], []
    for sc in ("no_hydrogen", "hydrogen_blend"):
        res = _solve(net, sc)
        q, cn = res.quality, res.network
        assert q is not None
        lng = [k for k, s in enumerate(cn.source_ids) if "LNG" in s or "FSRU" in s]
        h2 = [k for k, s in enumerate(cn.source_ids) if s.startswith("PQ_H2")]
        plants = [k for k in range(len(cn.sink_ids)) if cn.sink_category[k] == "power_plant"]
        cap, cap_mw, why = _capacity(net, sc)
        limits.append(f"{sc}: above a demand scale of {cap:.3f}: {why}")
        figures.append(
            {
                "compressor power MW": float(np.sum(res.comp_power_w)) / 1e6,
                "compressor fuel kg/s": float(np.sum(res.comp_fuel_kg_s)),
                "LNG send-out MMSCFD": sum(cn.source_basis[k].kg_s_to_mmscfd(res.source_supply_kg_s[k]) for k in lng),
                "hydrogen MMSCFD": sum(cn.source_basis[k].kg_s_to_mmscfd(res.source_supply_kg_s[k]) for k in h2),
                "delivered energy MW": float(np.sum(q.sink_energy_mw)),
                "power plants' gas MMSCFD": float(np.sum(res.sink_mmscfd()[plants])),
                "max H2 at a power plant mol %": float(np.max(q.sink.h2_mol_pct[plants])),
                "lowest city-gate GCV Btu/scf": float(
                    np.min([q.sink.gcv_btu_scf[k] for k in range(len(cn.sink_ids)) if cn.sink_category[k] == CITY])
                ),
                "capacity: demand scale": cap,
                "capacity: energy delivered MW": cap_mw,
            }
        )
    for key in figures[0]:
        print(f"{key:34s} {figures[0][key]:12.2f} {figures[1][key]:12.2f}")
    print("\n".join(limits))


def main() -> None:
    net = lp.load_default_network()
    assert net.settings.quality_reference == "60F"
    print(f"(1 Btu/scf = {BTU_PER_SCF_MJ_M3:.6f} MJ/m3)")
    city_gates(net)
    hydrogen(net)


if __name__ == "__main__":
    main()
