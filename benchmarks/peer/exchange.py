"""linepack networks in the exchange format read by ``pandapipes_worker.py`` (SI, absolute pressures).

Only what both tools model identically is exported: pipes (friction, minor losses, elevation), open
valves and short pipes, compressors at a fixed ratio of absolute pressures, pressure-held sources
(pandapipes ext_grids), fixed inflows and demands, one gas with a linear (or constant) compressibility and
a constant viscosity. Anything else is refused with a message.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import linepack as lp
from linepack.compile import LAWS, CompiledNetwork, CompMode
from linepack.model.components import CompressibilitySpec, PipeLaw, ViscositySpec

PANDAPIPES_FRICTION = {PipeLaw.NIKURADSE_PANDAPIPES: "nikuradse", PipeLaw.PRANDTL_COLEBROOK: "colebrook"}


def pandapipes_physics(
    net: lp.Network, law: PipeLaw = PipeLaw.NIKURADSE_PANDAPIPES, viscosity_pa_s: float = 1.1e-5
) -> lp.Network:
    """A copy of ``net`` whose settings use physics pandapipes has: linear Z (1 - 0.0022 p[bar]), constant
    viscosity, the network gas's molar mass, and a pandapipes friction law on every pipe."""
    doc = net.to_dict()
    m = lp.compile_network(net, use_default=False).gas.molar_mass_kg_per_mol
    settings = net.settings.model_copy(
        update={
            "gas": None,
            "molar_mass_kg_per_mol": m,
            "compressibility": CompressibilitySpec(model="linear", offset=1.0, slope_per_bar=-0.0022),
            "viscosity": ViscositySpec(model="constant", value_pa_s=viscosity_pa_s),
            "friction_law": law,
            "heat_capacity_ratio": net.settings.heat_capacity_ratio or 1.3,
            "lower_heating_value_mj_per_kg": net.settings.lower_heating_value_mj_per_kg or 47.0,
        }
    )
    doc["settings"] = settings.model_dump(mode="json", exclude_defaults=True)
    doc.pop("gas_compositions", None)
    for p in doc.get("pipes", []):
        p.pop("law", None)
        p.pop("efficiency", None)
    for s in doc.get("sources", []):
        s.pop("gas", None)
    return lp.Network.from_dict(doc)


def export_case(name: str, cn: CompiledNetwork, result: lp.SteadyResult | None = None) -> dict[str, Any]:
    """The exchange-format case of a compiled network (compressors take their ratio from ``result``)."""
    gas = cn.gas
    z = gas.compressibility
    zname = getattr(z, "name", "")
    if zname == "linear":
        comp = {"offset": float(z.offset), "slope_per_bar": float(z.slope_per_bar)}
    elif zname in ("ideal",):
        comp = {"offset": 1.0, "slope_per_bar": 0.0}
    else:
        raise ValueError(f"{name}: compressibility {zname} has no pandapipes counterpart; use linear or ideal")
    mu = getattr(gas.viscosity, "mu_pa_s", None)
    if mu is None:
        raise ValueError(f"{name}: pandapipes needs a constant viscosity")
    laws = {LAWS[int(c)] for c in np.unique(cn.law[cn.res_is_pipe])}
    if len(laws) != 1 or next(iter(laws)) not in PANDAPIPES_FRICTION:
        raise ValueError(f"{name}: pipe laws {laws} are not one pandapipes friction model")
    if np.any(~cn.res_is_pipe):
        raise ValueError(f"{name}: resistors are not exported")
    if np.any(cn.efficiency != 1.0):
        raise ValueError(f"{name}: pipeline efficiency has no pandapipes counterpart")
    if len(cn.reg_edge):
        raise ValueError(f"{name}: regulators are not exported")
    ef, et = cn.edge_from, cn.edge_to
    pipes = [
        {
            "from": int(ef[e]),
            "to": int(et[e]),
            "length_m": float(cn.length_m[k]),
            "diameter_m": float(cn.diameter_m[k]),
            "roughness_m": float(cn.roughness_m[k]),
            "zeta": float(cn.zeta[k]),
        }
        for k, e in enumerate(cn.res_edge)
    ]
    ties = [{"from": int(ef[e]), "to": int(et[e])} for e in cn.tie_edge]
    comps = []
    for k, e in enumerate(cn.comp_edge):
        if result is not None:
            ratio = float(result.comp_ratio()[k])
        elif cn.comp_mode[k] == CompMode.RATIO:
            ratio = float(cn.comp_ratio_set[k])
        else:
            raise ValueError(f"{name}: compressor {cn.edge_ids[e]} needs a ratio (solve first)")
        comps.append({"from": int(ef[e]), "to": int(et[e]), "ratio": ratio})
    # closed valves carry no flow: they are simply not exported
    if result is not None and any(
        " at capacity" in b or " shut in" in b or "send-out" in b for b in result.active_bounds
    ):
        raise ValueError(f"{name}: a source is at one of its limits, which pandapipes does not model")
    ext = [
        {"node": int(cn.source_node[k]), "p_abs_pa": float(cn.source_p_set_pa[k])}
        for k in np.flatnonzero(cn.source_is_pressure)
    ]
    sources = [
        {"node": int(cn.source_node[k]), "mdot": float(cn.source_inflow[k])}
        for k in np.flatnonzero(~cn.source_is_pressure)
    ]
    sinks = [{"node": int(cn.sink_node[k]), "mdot": float(cn.sink_demand[k])} for k in range(len(cn.sink_ids))]
    return {
        "name": name,
        "temperature_k": float(gas.temperature_k),
        "molar_mass_kg_per_mol": float(gas.molar_mass_kg_per_mol),
        "viscosity_pa_s": float(mu),
        "compressibility": comp,
        "friction": PANDAPIPES_FRICTION[next(iter(laws))],
        "nodes": [{"height_m": float(h)} for h in cn.elevation_m],
        "pipes": pipes,
        "ties": ties,
        "compressors": comps,
        "ext_grids": ext,
        "sources": sources,
        "sinks": sinks,
    }
