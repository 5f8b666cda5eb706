"""Build linepack networks from the pandapipes / STANET gas reference cases and compare the results.

Reference data: ``<shared>/refcases/pandapipes_stanet_gas/`` (its README.md gives units, provenance
and the physics). Each case folder holds the pandapipes net flattened to CSV: ``junction.csv``,
``pipe.csv``, ``valve.csv``, ``ext_grid.csv``, ``sink.csv``, ``source.csv``, ``pump.csv`` and
``fluid.json``. The reference results are STANET's: ``junction.p_stanet`` [bar, gauge relative to
the height-dependent ambient pressure p_amb(h)] and ``pipe.v_stanet`` [m/s, mean velocity, signed
from -> to].

How the pandapipes elements map to linepack:

* junction -> :class:`linepack.Node` with ``elevation_m = height_m`` (id ``j<index>``: junction
  names are not unique, e.g. the two ``aux_K1017`` of two_valves);
* pipe -> :class:`linepack.Pipe` (length, diameter, roughness ``k_mm``, ``loss_coefficient`` zeta;
  the STANET "valve pipes" carry zeta = 9000); id ``pipe<index>`` (names repeat on parallel pipes);
* valve -> :class:`linepack.Valve` with ``open = opened`` (the flattened valves all have
  loss_coefficient 0, and a linepack valve has no loss);
* ext_grid -> :class:`linepack.Source` in mode ``pressure`` with ``absorbs`` (a grid connection that
  may take gas back), the STANET gauge set-point turned into linepack gauge (see below);
* sink / source -> :class:`linepack.Sink` / :class:`linepack.Source` (mode ``flow``) with
  ``mdot_kg_per_s * scaling`` in ``kg/s``;
* fluid.json -> settings: molar mass from the normal density (0 degC, 1.01325 bar),
  constant viscosity, compressibility ``linear`` (``offset + slope * p_abs[bar]``) or constant;
  temperature = junction ``tfluid_k`` (isothermal cases: one value per case);
* suffix ``_N`` -> pipe law ``nikuradse_pandapipes`` (pandapipes variant with its 64/Re term), ``_PC`` ->
  ``prandtl_colebrook`` (Colebrook with ``k/(3.71 D)`` at every Re where it exceeds 64/Re, as STANET
  and pandapipes apply it).

Gauge pressures. STANET (and pandapipes) give gauge pressures relative to the ambient pressure at
the junction height, ``p_amb(h) = 1.01325 (1 - 0.0065 h / 288.15)^5.255`` bar, whereas linepack's
gauge pressures are relative to one network-wide ``settings.ambient_pressure_bar``. The loader
therefore converts: ``p_abs = p_stanet + p_amb(h)`` and ``p_linepack_barg = p_abs - ambient``;
the comparison converts linepack's absolute pressures back to STANET gauge at each junction.

Elevation. pandapipes adds ``rho g (h1 - h2)`` with the mean of the end densities (g = 9.81);
linepack uses the exact isothermal exponential form ``p_i^2 - exp(s) p_j^2`` with
``s = 2 g dh M / (Z R T)`` (g = 9.80665). For the height differences of these cases (at most
19 m, in square_*) the two give junction pressures within about 1e-6 bar of each other (measured with
an independent solve of the pandapipes law; mostly the g = 9.81 vs 9.80665 difference on a hydrostatic
term of 3e-3 bar), 1e-6 of the gauge pressures there.

Prandtl-Colebrook. STANET's and pandapipes' law uses ``k/(3.71 D)`` and no laminar-turbulent blend;
linepack's ``colebrook`` law uses Colebrook's ``k/(3.7 D)`` and blends with 64/Re over 2000 < Re < 4000.
The ``_PC`` cases therefore use linepack's ``prandtl_colebrook`` law, which is the STANET convention
(with ``colebrook`` instead, parallel_PC, whose pipes run at Re 2,600-4,000, misses the tolerance:
1.9e-4 > 1e-4).

Pumps: three cases (combined_networks__versatility_PC, meshed_networks__pumps_N,
strand_net__pump_N) contain pandapipes pumps, which linepack does not model; they are excluded.
"""

from __future__ import annotations

import csv
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import linepack
from linepack import Network, Node, Pipe, Settings, Sink, Source, Valve
from linepack.units import BAR_PA, R_J_PER_MOL_K

#: Repository root (parent of ``tests/``).
REPO_ROOT = Path(__file__).resolve().parents[2]

#: pandapipes snapshot the reference files were copied from (README.md of the reference folder).
PANDAPIPES_SNAPSHOT_COMMIT = "5b52494e3f3d1ca29d6cdb89eb8653f449f41d43"
#: Last commit that changed the gas-case files in pandapipes.
PANDAPIPES_CASES_COMMIT = "0cbeaa90ecb294556369bd139d61e68b07d4afc0"

#: Normal conditions of the STANET fluid density (0 degC, 1.01325 bar).
P_NORMAL_PA = 101325.0
T_NORMAL_K = 273.15
#: Ambient pressure at sea level used by STANET/pandapipes for gauge pressures [bar].
P_AMB_SEA_LEVEL_BAR = 1.01325
#: linepack's network-wide ambient pressure used by the loader [bar] (linepack's default).
LINEPACK_AMBIENT_BAR = 1.01325

#: The cases with pumps (not modelled by linepack).
PUMP_CASES = (
    "combined_networks__versatility_PC",
    "meshed_networks__pumps_N",
    "strand_net__pump_N",
)

#: pandapipes' acceptance per case: (max |1 - p/p_stanet|, max |v - v_stanet| [m/s]).
#: Source: src/pandapipes/test/stanet_comparison/test_gas_stanet.py (summarised in the reference
#: README.md: "mostly 1e-4 / 1e-2; square_PC, delta_PC, one_pipe2_N 2e-3 / 3e-2; two_valves_N
#: 1e-3 / 1e-3"); two_valves_PC is tested there with 1e-4 / 1e-3.
TOLERANCES: dict[str, tuple[float, float]] = {
    "combined_networks__parallel_N": (1e-4, 1e-2),
    "combined_networks__parallel_PC": (1e-4, 1e-2),
    "meshed_networks__delta_PC": (2e-3, 3e-2),
    "meshed_networks__square_N": (1e-4, 1e-2),
    "meshed_networks__square_PC": (2e-3, 3e-2),
    "meshed_networks__two_valves_N": (1e-3, 1e-3),
    "meshed_networks__two_valves_PC": (1e-4, 1e-3),
    "one_pipe__pipe_1_N": (1e-4, 1e-2),
    "one_pipe__pipe_1_PC": (1e-4, 1e-2),
    "one_pipe__pipe_2_N": (2e-3, 3e-2),
    "one_pipe__pipe_2_PC": (1e-4, 1e-2),
    "strand_net__two_pipes_N": (1e-4, 1e-2),
    "strand_net__two_pipes_PC": (1e-4, 1e-2),
    "t_cross__t_cross1_N": (1e-4, 1e-2),
    "t_cross__t_cross1_PC": (1e-4, 1e-2),
    "t_cross__t_cross2_N": (1e-4, 1e-2),
    "t_cross__t_cross2_PC": (1e-4, 1e-2),
    "two_pressure_junctions__H_net_N": (1e-4, 1e-2),
    "two_pressure_junctions__H_net_PC": (1e-4, 1e-2),
}

#: Known disagreements with the pandapipes tolerance, with linepack as it is: case -> reason.
KNOWN_PRESSURE_DEVIATIONS: dict[str, str] = {}

#: The 19 cases without pumps.
CASES: tuple[str, ...] = tuple(TOLERANCES)


def shared_dir() -> Path:
    """The shared folder: $LINEPACK_SHARED if set, else <repo root>/../shared."""
    env = os.environ.get("LINEPACK_SHARED")
    return Path(env) if env else REPO_ROOT.parent / "shared"


def reference_dir() -> Path:
    """``<shared>/refcases/pandapipes_stanet_gas``."""
    return shared_dir() / "refcases" / "pandapipes_stanet_gas"


def case_dir(case: str) -> Path:
    return reference_dir() / "cases" / case


def ambient_bar(height_m: float) -> float:
    """STANET/pandapipes ambient pressure at a height [bar]: 1.01325 (1 - 0.0065 h/288.15)^5.255."""
    return P_AMB_SEA_LEVEL_BAR * (1.0 - 0.0065 * height_m / 288.15) ** 5.255


def molar_mass_from_normal_density(rho_n: float) -> float:
    """Ideal-gas molar mass [kg/mol] from the density at 0 degC, 1.01325 bar [kg/m3]."""
    return rho_n * R_J_PER_MOL_K * T_NORMAL_K / P_NORMAL_PA


def _rows(folder: Path, table: str) -> list[dict[str, str]]:
    path = folder / f"{table}.csv"
    if not path.exists() or path.stat().st_size == 0:
        return []
    with path.open(newline="") as handle:
        return [r for r in csv.DictReader(handle) if r.get("in_service", "True") == "True"]


def has_pumps(folder: Path) -> bool:
    """True when the case folder lists an in-service pump."""
    return bool(_rows(folder, "pump"))


def _opt_float(text: str) -> float | None:
    return float(text) if text.strip() else None


@dataclass(frozen=True)
class StanetCase:
    """One reference case: the linepack network and the STANET results to compare with."""

    name: str
    network: Network
    friction_law: str
    node_height_m: dict[str, float]  # node id -> height [m]
    p_stanet_barg: dict[str, float]  # node id -> STANET gauge pressure (junctions that have one)
    k_stanet: dict[str, float]  # node id -> STANET compressibility factor at the junction
    v_stanet_m_s: dict[str, float]  # pipe id -> STANET mean velocity (signed from -> to)
    pipe_area_m2: dict[str, float]

    @property
    def tolerances(self) -> tuple[float, float]:
        return TOLERANCES[self.name]


def _fluid_settings(fluid: dict, temperature_k: float, law: str) -> Settings:
    props = fluid["properties"]
    comp = props["compressibility"]
    if comp["_class"] == "FluidPropertyLinear":
        z_spec: dict | str = {"model": "linear", "offset": float(comp["offset"]),
                              "slope_per_bar": float(comp["slope"])}
    elif comp["_class"] == "FluidPropertyConstant":
        z = float(comp["value"])
        z_spec = "ideal" if z == 1.0 else {"model": "constant", "z": z}
    else:  # pragma: no cover - not present in the reference set
        raise ValueError(f"unsupported compressibility {comp['_class']}")
    mu = props["viscosity"]
    if mu["_class"] != "FluidPropertyConstant":  # pragma: no cover
        raise ValueError(f"unsupported viscosity {mu['_class']}")
    return Settings(
        temperature_c=temperature_k - T_NORMAL_K,
        ambient_pressure_bar=LINEPACK_AMBIENT_BAR,
        molar_mass_kg_per_mol=molar_mass_from_normal_density(float(props["density"]["value"])),
        compressibility=z_spec,
        viscosity={"model": "constant", "value_pa_s": float(mu["value"])},
        friction_law=law,
    )


def load_case(case: str, folder: Path | None = None, *, law_pc: str = "prandtl_colebrook") -> StanetCase:
    """Build the linepack network of one case folder (see the module docstring for the mapping).

    ``law_pc``: the linepack pipe law used for the ``_PC`` cases (the report also shows ``colebrook``).
    """
    folder = folder or case_dir(case)
    if has_pumps(folder):
        raise ValueError(f"{case}: has pumps, which linepack does not model")
    law = "nikuradse_pandapipes" if case.endswith("_N") else law_pc
    junctions = _rows(folder, "junction")
    temps = {float(j["tfluid_k"]) for j in junctions}
    if len(temps) != 1:  # pragma: no cover - every case is isothermal
        raise ValueError(f"{case}: junction temperatures differ ({sorted(temps)})")
    fluid = json.loads((folder / "fluid.json").read_text())
    net = Network(name=case, description=f"pandapipes/STANET gas reference case {case}",
                  settings=_fluid_settings(fluid, temps.pop(), law))

    def nid(index: str) -> str:
        return f"j{int(float(index))}"

    height: dict[str, float] = {}
    p_stanet: dict[str, float] = {}
    k_stanet: dict[str, float] = {}
    for j in junctions:
        node_id = nid(j["index"])
        height[node_id] = float(j["height_m"])
        net.add(Node(id=node_id, name=j["name"], elevation_m=height[node_id]))
        p = _opt_float(j["p_stanet"])
        if p is not None:
            p_stanet[node_id] = p
        k = _opt_float(j["K_stanet"])
        if k is not None:
            k_stanet[node_id] = k

    v_stanet: dict[str, float] = {}
    area: dict[str, float] = {}
    for p in _rows(folder, "pipe"):
        pid = f"pipe{p['index']}"
        d = float(p["diameter_m"])
        net.add(Pipe(id=pid, name=p["name"], from_node=nid(p["from_junction"]), to_node=nid(p["to_junction"]),
                     length_km=float(p["length_km"]), inner_diameter_mm=d * 1e3,
                     roughness_mm=float(p["k_mm"]), loss_coefficient=float(p["loss_coefficient"])))
        area[pid] = math.pi * d * d / 4.0
        v = _opt_float(p["v_stanet"])
        if v is not None:
            v_stanet[pid] = v

    for v in _rows(folder, "valve"):
        if float(v["loss_coefficient"]) != 0.0:  # pragma: no cover - not present in the reference set
            raise ValueError(f"{case}: valve {v['index']} has a loss coefficient; linepack valves have none")
        net.add(Valve(id=f"valve{v['index']}", name=v["name"],
                      from_node=nid(v["from_junction"]), to_node=nid(v["to_junction"]),
                      open=v["opened"] == "True"))

    for g in _rows(folder, "ext_grid"):
        node_id = nid(g["junction"])
        p_abs = float(g["p_bar"]) + ambient_bar(height[node_id])
        net.add(Source(id=f"ext_grid{g['index']}", node=node_id, mode="pressure",
                       p_set_barg=p_abs - LINEPACK_AMBIENT_BAR, unit="kg/s", absorbs=True))
    for s in _rows(folder, "sink"):
        net.add(Sink(id=f"sink{s['index']}", name=s["name"], node=nid(s["junction"]),
                     demand=float(s["mdot_kg_per_s"]) * float(s["scaling"]), unit="kg/s"))
    for s in _rows(folder, "source"):
        net.add(Source(id=f"source{s['index']}", name=s["name"], node=nid(s["junction"]), mode="flow",
                       inflow=float(s["mdot_kg_per_s"]) * float(s["scaling"]), unit="kg/s"))
    return StanetCase(case, net, law, height, p_stanet, k_stanet, v_stanet, area)


@dataclass(frozen=True)
class Comparison:
    """Agreement of one solved case with STANET."""

    case: str
    p_diff: dict[str, float]  # node id -> |1 - p_sim_gauge / p_stanet|
    v_diff: dict[str, float]  # pipe id -> |v_sim - v_stanet| [m/s]
    p_sim_stanet_barg: dict[str, float]
    v_sim_m_s: dict[str, float]
    z_diff: dict[str, float]  # node id -> |Z_linepack(p_sim) - K_stanet|
    iterations: int

    @property
    def max_p_diff(self) -> float:
        return max(self.p_diff.values())

    @property
    def max_v_diff(self) -> float:
        return max(self.v_diff.values())


def compare(case: StanetCase, result: linepack.SteadyResult | None = None) -> Comparison:
    """Solve ``case`` (unless ``result`` is given) and compare it with STANET.

    Pressures: linepack's absolute pressure minus p_amb(h) of the junction, then pandapipes'
    criterion ``|1 - p_sim_gauge / p_stanet|``. Velocities: ``v = m / (A rho(p_m))`` with
    ``rho(p_m) = p_m M / (Z(p_m) R T)`` at linepack's mean pipe pressure
    ``p_m = 2/3 (p1 + p2 - p1 p2 / (p1 + p2))``, against ``v_stanet`` as ``|v - v_stanet|``.
    """
    res = result if result is not None else linepack.solve_steady(case.network)
    cn = res.network
    p_abs_bar = res.p_pa / BAR_PA
    p_sim: dict[str, float] = {}
    p_diff: dict[str, float] = {}
    for node_id, p_ref in case.p_stanet_barg.items():
        p_g = float(p_abs_bar[cn.node_index(node_id)]) - ambient_bar(case.node_height_m[node_id])
        p_sim[node_id] = p_g
        p_diff[node_id] = abs(1.0 - p_g / p_ref)
    gas = cn.gas
    z_diff: dict[str, float] = {}
    for node_id, k_ref in case.k_stanet.items():
        p_pa = np.array([res.p_pa[cn.node_index(node_id)]])
        z_diff[node_id] = abs(float(gas.compressibility.z(p_pa, gas.temperature_k)[0]) - k_ref)
    rt = R_J_PER_MOL_K * gas.temperature_k
    rho_m = res.p_mean_pa * gas.molar_mass_kg_per_mol / (res.z_avg * rt)
    v_sim: dict[str, float] = {}
    v_diff: dict[str, float] = {}
    res_pos = {int(e): k for k, e in enumerate(cn.res_edge)}
    for pid, v_ref in case.v_stanet_m_s.items():
        e = cn.edge_index(pid)
        k = res_pos[e]
        v = float(res.q_kg_s[e] / (case.pipe_area_m2[pid] * rho_m[k]))
        v_sim[pid] = v
        v_diff[pid] = abs(v - v_ref)
    return Comparison(case.name, p_diff, v_diff, p_sim, v_sim, z_diff, res.iterations)


# --- analytic single pipe (gas_sections_an.csv) ----------------------------------------------------

ANALYTIC_FILE = "analytic_single_pipe_gas_sections_an.csv"


@dataclass(frozen=True)
class AnalyticProfile:
    """The spreadsheet profile: positions [m], absolute pressures [Pa] and its parameters."""

    l_m: np.ndarray
    p_pa: np.ndarray
    v_m_s: np.ndarray
    rho_n: float
    p_n_pa: float
    t_n_k: float
    diameter_m: float
    temperature_k: float
    lambda_: float
    volume_flow_n_m3_s: float


def load_analytic_profile(path: Path | None = None) -> AnalyticProfile:
    path = path or reference_dir() / ANALYTIC_FILE
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    first = rows[0]
    return AnalyticProfile(
        l_m=np.array([float(r["l"]) for r in rows]),
        p_pa=np.array([float(r["p1"]) for r in rows]),
        v_m_s=np.array([float(r["v"]) for r in rows]),
        rho_n=float(first["rho"]),
        p_n_pa=float(first["pn"]),
        t_n_k=float(first["Tn"]),
        diameter_m=float(first["d"]),
        temperature_k=float(first["T"]),
        lambda_=float(first["lambda"]),
        volume_flow_n_m3_s=float(first["V"]),
    )


#: Roughness with which pandapipes reproduces lambda = 0.02455 by Nikuradse at D = 0.2091 m [mm].
ANALYTIC_ROUGHNESS_MM = 0.5
#: Viscosity for the (negligible, 64/Re ~ 1e-5) laminar term of the Nikuradse law [Pa s].
ANALYTIC_VISCOSITY_PA_S = 1.193e-5


def analytic_network(profile: AnalyticProfile) -> Network:
    """The 12 km pipe as 1 km Nikuradse sections (k = 0.5 mm), Z = 1, inlet pressure held."""
    settings = Settings(
        temperature_c=profile.temperature_k - T_NORMAL_K,
        ambient_pressure_bar=LINEPACK_AMBIENT_BAR,
        molar_mass_kg_per_mol=profile.rho_n * R_J_PER_MOL_K * profile.t_n_k / profile.p_n_pa,
        compressibility="ideal",
        viscosity={"model": "constant", "value_pa_s": ANALYTIC_VISCOSITY_PA_S},
        friction_law="nikuradse_pandapipes",
    )
    net = Network(name="analytic_single_pipe", settings=settings)
    n = len(profile.l_m)
    for i in range(n):
        net.add(Node(id=f"n{i}"))
    for i in range(n - 1):
        net.add(Pipe(id=f"s{i + 1}", from_node=f"n{i}", to_node=f"n{i + 1}",
                     length_km=(profile.l_m[i + 1] - profile.l_m[i]) / 1e3,
                     inner_diameter_mm=profile.diameter_m * 1e3, roughness_mm=ANALYTIC_ROUGHNESS_MM,
                     law="nikuradse_pandapipes"))
    net.add(Source(id="inlet", node="n0", mode="pressure", unit="kg/s",
                   p_set_barg=profile.p_pa[0] / 1e5 - LINEPACK_AMBIENT_BAR))
    net.add(Sink(id="outlet", node=f"n{n - 1}", unit="kg/s",
                 demand=profile.rho_n * profile.volume_flow_n_m3_s))
    return net


@dataclass(frozen=True)
class AnalyticComparison:
    """linepack against the spreadsheet profile."""

    l_m: np.ndarray
    p_linepack_pa: np.ndarray  # absolute, at every section end
    p_rel_diff: np.ndarray  # |1 - p_linepack / p_spreadsheet| at every section end
    v_section_m_s: np.ndarray  # linepack mean velocity of each 1 km section, m / (A rho(p_m))
    v_abs_diff: np.ndarray  # |v_section - v_spreadsheet| (spreadsheet row of the section's end)


def compare_analytic(profile: AnalyticProfile) -> AnalyticComparison:
    """Solve the sectioned pipe and compare it with the spreadsheet.

    The spreadsheet's ``v`` at row i is ``V_n p_n T / (pmean_i T_n A)`` with its own ``pmean`` column;
    it is compared, for rows i >= 1, with linepack's mean velocity of the section ending at ``l_i``
    (row 0 has no section). From row 2 on the sheet's ``pmean`` is not that section's mean pressure.
    """
    res = linepack.solve_steady(analytic_network(profile))
    cn = res.network
    n = len(profile.l_m)
    p = np.array([res.p_pa[cn.node_index(f"n{i}")] for i in range(n)])
    gas = cn.gas
    rho_m = res.p_mean_pa * gas.molar_mass_kg_per_mol / (res.z_avg * R_J_PER_MOL_K * gas.temperature_k)
    edges = [cn.edge_index(f"s{i}") for i in range(1, n)]
    pos = {int(e): k for k, e in enumerate(cn.res_edge)}
    area = math.pi * profile.diameter_m**2 / 4.0
    v = np.array([res.q_kg_s[e] / (area * rho_m[pos[e]]) for e in edges])
    return AnalyticComparison(
        profile.l_m, p, np.abs(1.0 - p / profile.p_pa), v, np.abs(v - profile.v_m_s[1:])
    )
