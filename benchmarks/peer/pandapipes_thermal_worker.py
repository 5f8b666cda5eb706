"""Solve exchange-format networks with pandapipes' heat-transfer pipeflow (runs inside the pandapipes venv only).

Usage (called by ``benchmarks/peer/thermal_crosscheck.py``, never imported by linepack):
    python pandapipes_thermal_worker.py CASES.json RESULTS.json

Each case is the isothermal exchange format of ``benchmarks/peer/exchange.py`` plus, per pipe, ``u_w_m2k`` and
``ground_k`` (referred to the inner diameter: the pipe's outer diameter is set to the inner one, because pandapipes
multiplies its coefficient by pi times the outer diameter), ``sections`` (pandapipes' internal sections per pipe),
the ext grid temperature ``source_k``, the gas heat capacity ``cp_j_kg_k`` and the calculation ``mode``
(``sequential``: hydraulics at the junctions' temperature, then heat; ``bidirectional``: coupled).
"""

from __future__ import annotations

import json
import sys
import warnings

import numpy as np

warnings.filterwarnings("ignore")

import pandapipes as pp  # noqa: E402
from pandapipes.component_models.component_toolbox import p_correction_height_air  # noqa: E402
from pandapipes_worker import add_exchange_fluid  # noqa: E402  (this script's directory, run as a script)


def build(case: dict) -> tuple[object, np.ndarray]:
    net = pp.create_empty_network(fluid=None)
    add_exchange_fluid(net, case, case["cp_j_kg_k"])
    heights = np.array([n["height_m"] for n in case["nodes"]], dtype=float)
    p_amb_bar = np.asarray(p_correction_height_air(heights), dtype=float)
    p_guess = max(e["p_abs_pa"] for e in case["ext_grids"]) / 1e5
    t0 = case["source_k"]
    idx = np.asarray(pp.create_junctions(net, len(heights), pn_bar=p_guess, tfluid_k=t0, height_m=heights))
    pipes = case["pipes"]
    d_mm = np.array([p["diameter_m"] for p in pipes]) * 1e3
    pp.create_pipes_from_parameters(
        net,
        idx[[p["from"] for p in pipes]],
        idx[[p["to"] for p in pipes]],
        length_km=np.array([p["length_m"] for p in pipes]) / 1e3,
        inner_diameter_mm=d_mm,
        outer_diameter_mm=d_mm,
        k_mm=np.array([p["roughness_m"] for p in pipes]) * 1e3,
        loss_coefficient=np.array([p["zeta"] for p in pipes]),
        u_w_per_m2k=np.array([p["u_w_m2k"] for p in pipes]),
        text_k=np.array([p["ground_k"] for p in pipes]),
        sections=case["sections"],
    )
    for e in case["ext_grids"]:
        p_gauge = e["p_abs_pa"] / 1e5 - p_amb_bar[e["node"]]
        pp.create_ext_grid(net, idx[e["node"]], p_bar=p_gauge, t_k=t0, type="pt")
    sinks = case.get("sinks", [])
    pp.create_sinks(net, idx[[s["node"] for s in sinks]], mdot_kg_per_s=np.array([s["mdot"] for s in sinks]))
    return net, p_amb_bar


def main() -> None:
    with open(sys.argv[1]) as fh:
        cases = json.load(fh)["cases"]
    out = []
    for case in cases:
        net, p_amb_bar = build(case)
        try:
            pp.pipeflow(
                net,
                mode=case["mode"],
                friction_model=case["friction"],
                tol_p=case.get("tol", 1e-10),
                tol_m=case.get("tol", 1e-10),
                tol_T=case.get("tol", 1e-10),
                tol_res=case.get("tol", 1e-10),
                max_iter_hyd=300,
                max_iter_therm=300,
                max_iter_bidirect=300,
                tolerance_colebrook=1e-12,
                max_iter_colebrook=100,
                ambient_temperature=float(np.mean([p["ground_k"] for p in case["pipes"]])),
            )
        except Exception as exc:  # pandapipes raises when it does not converge
            out.append({"name": case["name"], "converged": False, "error": f"{type(exc).__name__}: {exc}"})
            continue
        p_abs = (net.res_junction.p_bar.values + p_amb_bar) * 1e5
        out.append(
            {
                "name": case["name"],
                "converged": bool(net.converged),
                "p_abs_pa": p_abs.tolist(),
                "t_k": net.res_junction.t_k.values.tolist(),
                "pipe_mdot_kg_s": net.res_pipe.mdot_from_kg_per_s.values.tolist(),
            }
        )
    with open(sys.argv[2], "w") as fh:
        json.dump({"results": out, "pandapipes": pp.__version__}, fh)


if __name__ == "__main__":
    main()
