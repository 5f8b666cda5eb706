"""Solve exchange-format networks with pandapipes (runs inside the pandapipes virtual environment only).

Usage (called by linepack's cross-check and benchmark commands, never imported by linepack):
    python pandapipes_worker.py CASES.json RESULTS.json [--repeats N]
    python pandapipes_worker.py --serve CASES.json      (timing service: JSON commands on stdin, see serve())

CASES.json: {"cases": [case, ...]}, each case in SI with absolute pressures (written by
``benchmarks/peer/exchange.py``). RESULTS.json: per case the absolute junction pressures [Pa], pipe mass
flows [kg/s], Newton iterations and the wall time of ``pipeflow`` alone (median of the repeats after a
warm-up run, in this process).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")

import pandapipes as pp  # noqa: E402
from pandapipes.component_models.component_toolbox import p_correction_height_air  # noqa: E402
from pandapipes.properties.fluids import Fluid, FluidPropertyConstant, FluidPropertyLinear, _add_fluid_to_net  # noqa: E402

R = 8.314462618
P_NORMAL, T_NORMAL = 101325.0, 273.15


def add_exchange_fluid(net: object, case: dict, cp_j_kg_k: float) -> None:
    """The case's gas as a pandapipes fluid (normal density from the molar mass, constant viscosity and heat
    capacity ``cp_j_kg_k``, Z linear in pressure) added to ``net``."""
    rho_n = P_NORMAL * case["molar_mass_kg_per_mol"] / (R * T_NORMAL)
    z = case["compressibility"]
    fluid = Fluid(
        name="exchange_gas",
        fluid_type="gas",
        density=FluidPropertyConstant(rho_n),
        viscosity=FluidPropertyConstant(case["viscosity_pa_s"]),
        heat_capacity=FluidPropertyConstant(cp_j_kg_k),
        molar_mass=FluidPropertyConstant(case["molar_mass_kg_per_mol"] * 1e3),
        compressibility=FluidPropertyLinear(z["slope_per_bar"], z["offset"]),
        der_compressibility=FluidPropertyConstant(z["slope_per_bar"]),
    )
    _add_fluid_to_net(net, fluid)


def build(case: dict) -> tuple[object, np.ndarray]:
    net = pp.create_empty_network(fluid=None)
    add_exchange_fluid(net, case, 2160.0)  # isothermal: the heat capacity is not used
    t = case["temperature_k"]
    heights = np.array([n["height_m"] for n in case["nodes"]], dtype=float)
    p_amb_bar = np.asarray(p_correction_height_air(heights), dtype=float)
    p_guess = max(e["p_abs_pa"] for e in case["ext_grids"]) / 1e5
    idx = pp.create_junctions(net, len(heights), pn_bar=p_guess, tfluid_k=t, height_m=heights)
    idx = np.asarray(idx)
    pipes = case["pipes"]
    if pipes:
        pp.create_pipes_from_parameters(
            net,
            idx[[p["from"] for p in pipes]],
            idx[[p["to"] for p in pipes]],
            length_km=np.array([p["length_m"] for p in pipes]) / 1e3,
            inner_diameter_mm=np.array([p["diameter_m"] for p in pipes]) * 1e3,
            k_mm=np.array([p["roughness_m"] for p in pipes]) * 1e3,
            loss_coefficient=np.array([p["zeta"] for p in pipes]),
        )
    for v in case.get("ties", []):
        pp.create_valve(
            net, idx[v["from"]], idx[v["to"]], et="ju", inner_diameter_mm=1000.0, opened=True, loss_coefficient=0.0
        )
    for c in case.get("compressors", []):
        pp.create_compressor(net, idx[c["from"]], idx[c["to"]], pressure_ratio=c["ratio"])
    for e in case["ext_grids"]:
        p_gauge = e["p_abs_pa"] / 1e5 - p_amb_bar[e["node"]]
        pp.create_ext_grid(net, idx[e["node"]], p_bar=p_gauge, t_k=t)
    sinks = case.get("sinks", [])
    if sinks:
        pp.create_sinks(net, idx[[s["node"] for s in sinks]], mdot_kg_per_s=np.array([s["mdot"] for s in sinks]))
    sources = case.get("sources", [])
    if sources:
        pp.create_sources(net, idx[[s["node"] for s in sources]], mdot_kg_per_s=np.array([s["mdot"] for s in sources]))
    return net, p_amb_bar


def solve(net: object, case: dict) -> None:
    pp.pipeflow(
        net,
        friction_model=case["friction"],
        tol_p=case.get("tol", 1e-9),
        tol_m=case.get("tol", 1e-9),
        tol_res=1e-9,
        max_iter_hyd=200,
        tolerance_colebrook=1e-12,
        max_iter_colebrook=100,
    )


def iterations(net: object) -> int:
    """pandapipes' Newton iterations of the last pipeflow (``_internal_results['iterations_hydraulics']`` in
    0.16; the key carries the calculation mode)."""
    internal = net.get("_internal_results", {})  # type: ignore[attr-defined]
    for key, value in internal.items():
        if str(key).startswith("iterations"):
            return int(value)
    return -1


def state(net: object, p_amb_bar: np.ndarray) -> dict:
    p_abs = (net.res_junction.p_bar.values + p_amb_bar) * 1e5  # type: ignore[attr-defined]
    mdot = net.res_pipe.mdot_from_kg_per_s.values if len(net.pipe) else np.zeros(0)  # type: ignore[attr-defined]
    return {
        "converged": bool(net.converged),  # type: ignore[attr-defined]
        "iterations": iterations(net),
        "p_abs_pa": p_abs.tolist(),
        "pipe_mdot_kg_s": np.asarray(mdot, dtype=float).tolist(),
    }


def serve(cases_file: str) -> None:
    """Timing service for interleaved benchmarks: reads one JSON command a line on stdin, ``{"case": i}``,
    builds case ``i`` and solves it, and answers one JSON line with the CPU and wall times of the build and
    of ``pipeflow`` (in this process) and, with ``"state": true``, the state reached."""
    with open(cases_file) as fh:
        cases = json.load(fh)["cases"]
    print(json.dumps({"ready": True, "pandapipes": pp.__version__}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        case = cases[cmd["case"]]
        c0, w0 = time.process_time(), time.perf_counter()
        net, p_amb_bar = build(case)
        c1, w1 = time.process_time(), time.perf_counter()
        answer: dict = {"build_cpu_s": c1 - c0, "build_wall_s": w1 - w0}
        try:
            solve(net, case)
        except Exception as exc:  # pandapipes raises when it does not converge
            answer.update(converged=False, error=f"{type(exc).__name__}: {exc}", iterations=-1)
        else:
            c2, w2 = time.process_time(), time.perf_counter()
            answer.update(solve_cpu_s=c2 - c1, solve_wall_s=w2 - w1)
            if cmd.get("state"):
                answer.update(state(net, p_amb_bar))
            else:
                answer.update(converged=bool(net.converged), iterations=iterations(net))
        print(json.dumps(answer), flush=True)


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] == "--serve":
        serve(args[1])
        return
    repeats = int(args[args.index("--repeats") + 1]) if "--repeats" in args else 0
    with open(args[0]) as fh:
        cases = json.load(fh)["cases"]
    out = []
    for case in cases:
        net, p_amb_bar = build(case)
        try:
            solve(net, case)  # warm-up and the result
        except Exception as exc:  # pandapipes raises when it does not converge
            out.append(
                {
                    "name": case["name"],
                    "converged": False,
                    "error": f"{type(exc).__name__}: {exc}",
                    "iterations": -1,
                    "p_abs_pa": [float("nan")] * len(case["nodes"]),
                    "pipe_mdot_kg_s": [float("nan")] * len(case["pipes"]),
                    "solve_s": None,
                }
            )
            continue
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            solve(net, case)
            times.append(time.perf_counter() - t0)
        solve_s = statistics.median(times) if times else None
        out.append({"name": case["name"], **state(net, p_amb_bar), "solve_s": solve_s})
    with open(args[1], "w") as fh:
        json.dump({"results": out, "pandapipes": pp.__version__}, fh)


if __name__ == "__main__":
    main()
