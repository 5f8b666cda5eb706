"""Plausibility of a network's numbers: the common unit mistakes, flagged with the likely fix.

Schemas reject what is impossible (a negative diameter); these checks flag what is possible but almost
certainly a unit slip, and say what the value would be in the unit the field expects:

- a diameter written in inches or metres in a millimetre field (``inner_diameter_mm: 42`` or ``1.0668``);
- a length written in metres in a kilometre field, or a length shorter than the straight line between the
  pipe's two ends (when both nodes have coordinates);
- a pressure in bar absolute where gauge is expected (a set-point exactly one atmosphere above the MAOP it
  must respect), or in psi (a value above 250 barg);
- a demand far out of scale: larger than any transmission system carries, or about a thousand times the
  other deliveries of the network.

They are warnings, not errors: ``linepack validate`` prints them with the fix; a solve is not stopped.
The checks read the user's own numbers (per component, in the units of the file), so a message quotes
exactly what was written.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from .components import Compressor, Node, Pipe, Regulator, Sink, Source
from .network import Network

INCH_MM = 25.4
# Transmission and distribution pipes: about DN 25 (1 in) to DN 1,600 (64 in).
DIAMETER_MM_PLAUSIBLE = (20.0, 1700.0)
# Longest single pipes between two nodes of a transmission model (subsea lines are about 1,200 km).
LENGTH_KM_MAX = 2500.0
# Above this a gauge pressure is most likely psi (1,000 psig is 69 barg; the highest onshore MAOPs are ~150 barg).
PRESSURE_BARG_MAX = 250.0
PSI_PER_BAR = 14.503773773
# Largest deliveries: a whole export corridor carries about 5,000 MMSCFD (55 bcm/y).
DEMAND_MMSCFD_MAX = 6000.0
DEMAND_KG_S_MAX = 1500.0
# One delivery this many times the median of the others looks like a slip of a thousand.
DEMAND_RATIO_SUSPICIOUS = 300.0
EARTH_RADIUS_KM = 6371.0
# Node coordinates are often approximate (a town's centre): only a pipe well shorter than the straight line is flagged.
SHORTER_THAN_STRAIGHT = 0.7


@dataclass(frozen=True)
class Finding:
    """One implausible value: the component, the field, the value and the likely fix."""

    component: str
    field: str
    value: float
    message: str

    def __str__(self) -> str:
        return self.message


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance on a sphere of radius 6,371 km between two points given in degrees (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2.0 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _diameter(p: Pipe, median_mm: float) -> list[Finding]:
    """A diameter far below the plausible range, or below a fifth of the network's median under 100 mm
    (a 24 written for 24 in among 600 mm pipes), or above any gas pipeline."""
    d = p.inner_diameter_mm
    lo, hi = DIAMETER_MM_PLAUSIBLE
    if d > hi:
        return [
            Finding(
                p.id,
                "inner_diameter_mm",
                d,
                f"pipe {p.id}: inner_diameter_mm {d:g} is larger than any gas "
                f"pipeline (about {hi:g} mm at most); check the unit (the field is in millimetres)",
            )
        ]
    if d >= lo and not (d < 100.0 and d < median_mm / 5.0):
        return []
    as_m, as_in = d * 1000.0, d * INCH_MM
    if d <= 2.0 and lo <= as_m <= hi:
        fix = f"if it is {d:g} m, write {as_m:g}"
    elif lo <= as_in <= hi:
        fix = f"if it is {d:g} in, write {as_in:.1f}"
    else:
        fix = "check the unit"
    return [
        Finding(
            p.id,
            "inner_diameter_mm",
            d,
            f"pipe {p.id}: inner_diameter_mm {d:g} is implausibly small for a "
            f"gas pipe of this network (median {median_mm:g} mm; the field is in millimetres); {fix}",
        )
    ]


def _length(p: Pipe, nodes: dict[str, Node]) -> list[Finding]:
    length = p.length_km
    a, b = nodes.get(p.from_node), nodes.get(p.to_node)
    straight = None
    if a is not None and b is not None and None not in (a.lat, a.lon, b.lat, b.lon):
        straight = great_circle_km(a.lat, a.lon, b.lat, b.lon)  # type: ignore[arg-type]
    if straight is not None and straight > 1.0:
        if length > 20.0 * straight and 0.9 * straight <= length / 1000.0 <= 3.0 * straight:
            return [
                Finding(
                    p.id,
                    "length_km",
                    length,
                    f"pipe {p.id}: length_km {length:g} is {length / straight:.0f} "
                    f"times the {straight:.1f} km between {p.from_node} and {p.to_node}; if it is "
                    f"{length:g} m, write {length / 1000.0:g}",
                )
            ]
        if length < SHORTER_THAN_STRAIGHT * straight:
            return [
                Finding(
                    p.id,
                    "length_km",
                    length,
                    f"pipe {p.id}: length_km {length:g} is shorter than the "
                    f"{straight:.1f} km straight line between {p.from_node} and {p.to_node} (from their "
                    "lat/lon); correct the length or the coordinates",
                )
            ]
        return []
    if length > LENGTH_KM_MAX:
        return [
            Finding(
                p.id,
                "length_km",
                length,
                f"pipe {p.id}: length_km {length:g} is longer than any single "
                f"pipeline section; if it is {length:g} m, write {length / 1000.0:g}",
            )
        ]
    return []


def _pressure(who: str, fld: str, value: float | None) -> list[Finding]:
    if value is None or value <= PRESSURE_BARG_MAX:
        return []
    return [
        Finding(
            who.split()[-1],
            fld,
            value,
            f"{who}: {fld} {value:g} is above {PRESSURE_BARG_MAX:g} barg, "
            f"beyond gas transmission; if it is {value:g} psig, write {value / PSI_PER_BAR:.1f}",
        )
    ]


def _absolute_vs_gauge(
    who: str, fld: str, value: float | None, limit: float | None, limit_name: str, ambient_bar: float
) -> list[Finding]:
    """A set-point exceeding a limit by about one atmosphere: written in bar absolute, not barg."""
    if value is None or limit is None:
        return []
    excess = value - limit
    if 0.5 * ambient_bar <= excess <= 1.5 * ambient_bar:
        return [
            Finding(
                who.split()[-1],
                fld,
                value,
                f"{who}: {fld} {value:g} is {excess:.2f} bar above "
                f"{limit_name} {limit:g} barg, about one atmosphere: if it is bar absolute, write "
                f"{value - ambient_bar:.2f} (barg = bar absolute - {ambient_bar:g})",
            )
        ]
    return []


def _demands(network: Network) -> list[Finding]:
    sinks = [s for s in network.collections["sinks"].values() if isinstance(s, Sink)]
    found: list[Finding] = []
    for s in sinks:
        big = (s.unit.value == "MMSCFD" and s.demand > DEMAND_MMSCFD_MAX) or (
            s.unit.value == "kg/s" and s.demand > DEMAND_KG_S_MAX
        )
        if big:
            found.append(
                Finding(
                    s.id,
                    "demand",
                    s.demand,
                    f"sink {s.id}: demand {s.demand:g} {s.unit.value} is "
                    "more than a whole export corridor carries; check the unit (a factor of 1,000?)",
                )
            )
    by_unit: dict[str, list[Sink]] = {}
    for s in sinks:
        by_unit.setdefault(s.unit.value, []).append(s)
    for unit, group in by_unit.items():
        if len(group) < 3:
            continue
        for s in group:
            others = [o.demand for o in group if o is not s and o.demand > 0]
            if not others or s.id in {f.component for f in found}:
                continue
            median = statistics.median(others)
            if median > 0 and s.demand > DEMAND_RATIO_SUSPICIOUS * median:
                found.append(
                    Finding(
                        s.id,
                        "demand",
                        s.demand,
                        f"sink {s.id}: demand {s.demand:g} {unit} is "
                        f"{s.demand / median:.0f} times the median delivery ({median:g} {unit}); a slip "
                        f"of a thousand? ({s.demand / 1000.0:g} {unit})",
                    )
                )
    return found


def plausibility_findings(network: Network) -> list[Finding]:
    """Every implausible value of the network as written (base components and scenario additions)."""
    nodes: dict[str, Node] = {n.id: n for n in network.nodes.values() if isinstance(n, Node)}
    maop_at: dict[str, float] = {n.id: n.p_max_barg for n in nodes.values() if n.p_max_barg is not None}
    for c in network.collections["pipes"].values():
        if isinstance(c, Pipe) and c.maop_barg is not None:
            for end in (c.from_node, c.to_node):
                maop_at[end] = min(maop_at.get(end, math.inf), c.maop_barg)
    amb = network.settings.ambient_pressure_bar
    diameters = [c.inner_diameter_mm for c in network.collections["pipes"].values() if isinstance(c, Pipe)]
    median_mm = statistics.median(diameters) if diameters else 0.0
    found: list[Finding] = []
    for c in network.components():
        if isinstance(c, Pipe):
            found += _diameter(c, median_mm) + _length(c, nodes) + _pressure(f"pipe {c.id}", "maop_barg", c.maop_barg)
        elif isinstance(c, Node):
            found += _pressure(f"node {c.id}", "p_max_barg", c.p_max_barg)
            found += _pressure(f"node {c.id}", "p_min_barg", c.p_min_barg)
        elif isinstance(c, Compressor | Regulator):
            found += _pressure(f"{c.kind} {c.id}", "p_set_barg", c.p_set_barg)
            found += _absolute_vs_gauge(
                f"{c.kind} {c.id}", "p_set_barg", c.p_set_barg, maop_at.get(c.to_node), f"the MAOP at {c.to_node}", amb
            )
        elif isinstance(c, Source):
            found += _pressure(f"source {c.id}", "p_set_barg", c.p_set_barg)
            found += _absolute_vs_gauge(
                f"source {c.id}", "p_set_barg", c.p_set_barg, maop_at.get(c.node), f"the MAOP at {c.node}", amb
            )
        elif isinstance(c, Sink):
            found += _pressure(f"sink {c.id}", "p_min_barg", c.p_min_barg)
            found += _absolute_vs_gauge(
                f"sink {c.id}", "p_min_barg", c.p_min_barg, maop_at.get(c.node), f"the MAOP at {c.node}", amb
            )
    return found + _demands(network)
