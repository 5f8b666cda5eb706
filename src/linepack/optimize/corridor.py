"""The Pakistan Stream trunk line alone, as a study network: one send-out, one delivery, stations at chosen sites.

Geometry (segment lengths, node elevations, roughness, efficiency, MAOP) and the gas are taken from the
embedded default network's PSGP pipes PSGP-01 .. PSGP-08 (1,123.6 km, D: DATASET section 5). The diameter
is a study choice: 42, 48 or 56 inch nominal with the data set's walls (19, 22, 25 mm, A: DATASET 2.7).
Station sites are the five of the 42 inch design (S:R07 five stations; sites A): Port Qasim (head),
Nawabshah, Qadirpur, Multan, Sahiwal, rated like the default network's stations there (CS1,
CS_NAWABSHAH, CS2, CS3, CS_SAHIWAL of scenario psgp_42in_alt: ratio and power A) unless a
:class:`StationSpec` is given.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..compile import CompiledNetwork, compile_network
from ..errors import InputError
from ..io.native import load_default_network
from ..model.components import Compressor, Node, Pipe, Sink, Source
from ..model.network import Network
from ..stations.fallback import without_units
from .economics import SECONDS_PER_YEAR, Economics
from .expansion import Option

if TYPE_CHECKING:
    from .formulations.milp import Switch

# node ids of the default network along the PSGP, and the segment ids between them
CHAIN: tuple[str, ...] = (
    "CS1_PQ",
    "HYDERABAD",
    "NAWABSHAH",
    "SAWAN",
    "QADIRPUR_S",
    "SADIQABAD",
    "MULTAN_S",
    "SAHIWAL",
    "KASUR",
)
SEGMENTS: tuple[str, ...] = tuple(f"PSGP-0{k}" for k in range(1, 9))
SITES: dict[str, str] = {  # station site -> chain node
    "PORT_QASIM": "CS1_PQ",
    "NAWABSHAH": "NAWABSHAH",
    "QADIRPUR": "QADIRPUR_S",
    "MULTAN": "MULTAN_S",
    "SAHIWAL": "SAHIWAL",
}
WALL_MM: dict[int, float] = {42: 19.0, 48: 22.0, 56: 25.0}  # A: DATASET 2.7
SITE_STATION: dict[str, str] = {  # site -> the default network's station there (scenario psgp_42in_alt)
    "PORT_QASIM": "CS1",
    "NAWABSHAH": "CS_NAWABSHAH",
    "QADIRPUR": "CS2",
    "MULTAN": "CS3",
    "SAHIWAL": "CS_SAHIWAL",
}
# D: DATASET section 5, single-line check: 56 in from a 70 barg send-out carries ~0.8 bcfd over 1,100 km and
# arrives at 58.7 barg, which the data set aligns with R11's "700-800 MMSCFD without compression"
DELIVERY_MIN_BARG = 58.7


@dataclass(frozen=True)
class StationSpec:
    """A compressor station of the study (overrides the default network's ratings at every site)."""

    ratio_max: float = 1.6
    power_max_mw: float | None = None  # None: unlimited (the study sizes the station)
    p_discharge_max_barg: float = 99.0
    isentropic_efficiency: float = 0.8
    driver_efficiency: float = 0.35


@functools.lru_cache(maxsize=1)
def _default_network() -> Network:
    """The embedded default network, parsed once (only read here, never modified)."""
    return load_default_network()


def inner_diameter_mm(nominal_in: int) -> float:
    if nominal_in not in WALL_MM:
        raise InputError(f"corridor: diameter must be one of {sorted(WALL_MM)} inch (got {nominal_in})")
    return nominal_in * 25.4 - 2.0 * WALL_MM[nominal_in]


def psgp_corridor(
    diameter_in: int = 56,
    stations: Sequence[str] = (),
    *,
    send_out_barg: float = 70.0,
    delivery_min_barg: float = DELIVERY_MIN_BARG,
    flow_mmscfd: float = 1000.0,
    station: StationSpec | None = None,
) -> Network:
    """The PSGP trunk as its own network: a pressure-held send-out at Port Qasim (``send_out_barg``, A: FSRU
    send-out as in the default network) and one delivery at Kasur of ``flow_mmscfd`` with a minimum pressure
    ``delivery_min_barg``, with compressor stations at ``stations`` (names of :data:`SITES`)."""
    unknown = [s for s in stations if s not in SITES]
    if unknown:
        raise InputError(f"corridor: unknown station site(s) {', '.join(unknown)}; sites: {', '.join(SITES)}")
    base = _default_network()
    # the data set's one-machine ratings (CS1-CS3 run units in the default network: stations.fallback)
    rated = {c.id: c for c in without_units(base).view("psgp_42in_alt").of_type(Compressor)}

    def spec_of(site: str) -> StationSpec:
        if station is not None:
            return station
        c = rated[SITE_STATION[site]]
        return StationSpec(
            c.ratio_max, c.power_max_mw, c.p_set_barg or 99.0, c.isentropic_efficiency, c.driver_efficiency
        )

    net = Network(
        name=f"psgp_corridor_{diameter_in}in",
        description=f"PSGP trunk alone, {diameter_in} in, stations: {', '.join(stations) or 'none'}",
        settings=base.settings,
        gas_compositions=base.gas_compositions,
    )
    d_mm = inner_diameter_mm(diameter_in)
    at_site = {SITES[s]: s for s in stations}
    prev_out = None
    for k, nid in enumerate(CHAIN):
        node = base.find(nid)
        assert isinstance(node, Node)
        suction = nid
        net.add(Node(id=suction, name=node.name, elevation_m=node.elevation_m, lat=node.lat, lon=node.lon))
        out = suction
        if nid in at_site:
            out = f"{nid}_D"
            spec = spec_of(at_site[nid])
            net.add(
                Node(id=out, name=f"{node.name} discharge", elevation_m=node.elevation_m, lat=node.lat, lon=node.lon)
            )
            net.add(
                Compressor(
                    id=f"CS_{at_site[nid]}",
                    **{"from": suction, "to": out},
                    mode="pressure",
                    p_set_barg=spec.p_discharge_max_barg,
                    ratio_max=spec.ratio_max,
                    power_max_mw=spec.power_max_mw,
                    isentropic_efficiency=spec.isentropic_efficiency,
                    driver="gas_turbine",
                    driver_efficiency=spec.driver_efficiency,
                )
            )
        if prev_out is not None:
            seg = base.find(SEGMENTS[k - 1])
            assert isinstance(seg, Pipe)
            net.add(
                Pipe(
                    id=seg.id,
                    **{"from": prev_out, "to": suction},
                    length_km=seg.length_km,
                    inner_diameter_mm=d_mm,
                    nominal_diameter_in=diameter_in,
                    roughness_mm=seg.roughness_mm,
                    efficiency=seg.efficiency,
                    maop_barg=seg.maop_barg,
                )
            )
        prev_out = out
    net.add(Source(id="SEND_OUT", node=CHAIN[0], mode="pressure", p_set_barg=send_out_barg, unit="MMSCFD"))
    net.add(Sink(id="KASUR.delivery", node=CHAIN[-1], demand=flow_mmscfd, unit="MMSCFD", p_min_barg=delivery_min_barg))
    return net


def study_options(
    flow_mmscfd: float,
    diameters: Sequence[int] = (42, 48, 56),
    sites: Sequence[str] = tuple(SITES),
    econ: Economics | None = None,
    *,
    send_out_barg: float = 70.0,
    delivery_min_barg: float = DELIVERY_MIN_BARG,
    ratio_max: float = 1.6,
) -> list[Option]:
    """Expansion options of the PSGP trunk: every diameter with every subset of station sites.

    Stations are sized by the optimum (no power limit, ratio at most ``ratio_max``, A); fixed capital is the
    pipe (inch-km) plus the station sites; compression is costed per MW of the power the option needs.
    """
    e = econ or Economics.default()
    length_km = sum(_segment_lengths())
    spec = StationSpec(ratio_max=ratio_max, power_max_mw=None)
    options = []
    for d in diameters:
        inner_diameter_mm(d)
        for k in range(len(sites) + 1):
            for combo in itertools.combinations(sites, k):
                cap = e.pipe_capital_usd(d, length_km) + k * e.station_fixed_usd
                name = f"{d} in, " + (f"{k} station{'s' if k > 1 else ''} ({', '.join(combo)})" if k else "no station")

                def build(d: int = d, combo: tuple[str, ...] = combo) -> CompiledNetwork:
                    net = psgp_corridor(
                        d,
                        combo,
                        send_out_barg=send_out_barg,
                        delivery_min_barg=delivery_min_barg,
                        flow_mmscfd=flow_mmscfd,
                        station=spec,
                    )
                    return compile_network(net)

                options.append(Option(name, (f"{d}in", *combo), cap, build, sized_compression=True))
    return options


def _segment_lengths() -> list[float]:
    base = _default_network()
    out = []
    for sid in SEGMENTS:
        seg = base.find(sid)
        assert isinstance(seg, Pipe)
        out.append(seg.length_km)
    return out


def study_superstructure(
    flow_mmscfd: float,
    diameters: Sequence[int] = (42, 48, 56),
    sites: Sequence[str] = tuple(SITES),
    econ: Economics | None = None,
    *,
    send_out_barg: float = 70.0,
    delivery_min_barg: float = DELIVERY_MIN_BARG,
    ratio_max: float = 1.6,
) -> tuple[CompiledNetwork, list[Switch]]:
    """The PSGP study as one network for the MILP: every segment once per diameter (parallel pipes, ids
    ``PSGP-0k@Din`` beyond the first diameter), a station at every site; binaries: one diameter (required
    group ``diameter``) and each station (a straight junction when not built). Costs as :func:`study_options`."""
    from .formulations.milp import Switch

    e = econ or Economics.default()
    if not diameters:
        raise InputError("corridor: give at least one diameter")
    spec = StationSpec(ratio_max=ratio_max, power_max_mw=None)
    net = psgp_corridor(
        diameters[0], tuple(sites), send_out_barg=send_out_barg, delivery_min_barg=delivery_min_barg,
        flow_mmscfd=flow_mmscfd, station=spec,
    )  # fmt: skip
    base_pipes = [c for c in net.collections["pipes"].values() if isinstance(c, Pipe)]
    pipe_ids: dict[int, list[str]] = {diameters[0]: [p.id for p in base_pipes]}
    for d in diameters[1:]:
        pipe_ids[d] = []
        for p in base_pipes:
            pid = f"{p.id}@{d}in"
            upd = {"id": pid, "inner_diameter_mm": inner_diameter_mm(d), "nominal_diameter_in": d}
            net.add(p.model_copy(update=upd))
            pipe_ids[d].append(pid)
    cn = compile_network(net)
    pos = {eid: k for k, eid in enumerate(cn.edge_ids)}
    length_km = sum(_segment_lengths())
    per_s = e.annualised_usd_per_year(1.0) / SECONDS_PER_YEAR
    switches = [
        Switch(f"{d}in", tuple(pos[i] for i in pipe_ids[d]), e.pipe_capital_usd(d, length_km) * per_s, "diameter")
        for d in diameters
    ]
    switches += [Switch(s, (pos[f"CS_{s}"],), e.station_fixed_usd * per_s, None, "bypass") for s in sites]
    return cn, switches
