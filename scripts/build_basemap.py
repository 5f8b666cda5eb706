"""Build the offline base layer of the web map from Natural Earth (public domain).

Input: ``countries-50m.json`` of the npm package ``world-atlas`` 2.x (Natural Earth 4.1.0 admin-0 countries
as TopoJSON), e.g. ``npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz``.
Output: ``src/linepack/web/static/basemap.geojson``: the countries clipped to the region of the embedded
network (Iran to western China, Arabian Sea to Kazakhstan), simplified and rounded to 0.001 deg.

Usage::

    python scripts/build_basemap.py package/countries-50m.json src/linepack/web/static/basemap.geojson
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

# lon_min, lat_min, lon_max, lat_max: Pakistan, Iran, Afghanistan, Turkmenistan, Central Asia, Arabian Sea coast
BBOX = (40.0, 14.0, 88.0, 50.0)
TOLERANCE_DEG = 0.006  # Douglas-Peucker tolerance (about 0.6 km)

Ring = list[tuple[float, float]]


def decode_arcs(topo: dict[str, Any]) -> list[np.ndarray]:
    """Delta-decoded, de-quantised arcs of a TopoJSON topology (lon, lat in degrees)."""
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        a = np.cumsum(np.asarray(arc, dtype=float), axis=0)
        arcs.append(np.column_stack([a[:, 0] * sx + tx, a[:, 1] * sy + ty]))
    return arcs


def ring_coords(arcs: list[np.ndarray], refs: list[int]) -> np.ndarray:
    parts = []
    for i, r in enumerate(refs):
        a = arcs[r] if r >= 0 else arcs[~r][::-1]
        parts.append(a if i == 0 else a[1:])
    return np.vstack(parts)


def clip_ring(ring: np.ndarray, bbox: tuple[float, float, float, float]) -> np.ndarray:
    """Sutherland-Hodgman clip of a closed ring against an axis-aligned box."""
    x0, y0, x1, y1 = bbox
    pts = [tuple(p) for p in ring]
    for axis, bound, keep_above in ((0, x0, True), (0, x1, False), (1, y0, True), (1, y1, False)):
        if not pts:
            break
        out: list[tuple[float, float]] = []

        def inside(
            p: tuple[float, float], axis: int = axis, bound: float = bound, keep_above: bool = keep_above
        ) -> bool:
            return p[axis] >= bound if keep_above else p[axis] <= bound

        prev = pts[-1]
        for cur in pts:
            if inside(cur):
                if not inside(prev):
                    out.append(_cross(prev, cur, axis, bound))
                out.append(cur)
            elif inside(prev):
                out.append(_cross(prev, cur, axis, bound))
            prev = cur
        pts = out
    return np.asarray(pts, dtype=float).reshape(-1, 2)


def _cross(a: tuple[float, float], b: tuple[float, float], axis: int, bound: float) -> tuple[float, float]:
    t = (bound - a[axis]) / (b[axis] - a[axis])
    return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))


def simplify(ring: np.ndarray, tol: float) -> np.ndarray:
    """Douglas-Peucker simplification keeping the first and last point."""
    if len(ring) < 4:
        return ring
    keep = np.zeros(len(ring), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        a, b = ring[i], ring[j]
        seg = b - a
        pts = ring[i + 1 : j] - a
        norm = float(np.hypot(*seg))
        d = np.abs(seg[0] * pts[:, 1] - seg[1] * pts[:, 0]) / norm if norm > 0 else np.hypot(pts[:, 0], pts[:, 1])
        k = int(np.argmax(d))
        if d[k] > tol:
            keep[i + 1 + k] = True
            stack.extend([(i, i + 1 + k), (i + 1 + k, j)])
    return ring[keep]


def build(topo: dict[str, Any]) -> dict[str, Any]:
    arcs = decode_arcs(topo)
    features = []
    for geom in topo["objects"]["countries"]["geometries"]:
        polys = geom.get("arcs") or []
        if geom["type"] == "Polygon":
            polys = [polys]
        out_polys = []
        for poly in polys:
            rings = []
            for refs in poly:
                ring = clip_ring(ring_coords(arcs, refs), BBOX)
                if len(ring) < 3:
                    continue
                ring = simplify(np.vstack([ring, ring[:1]]), TOLERANCE_DEG)
                if len(ring) < 4:
                    continue
                rings.append([[round(float(x), 3), round(float(y), 3)] for x, y in ring])
            if rings:
                out_polys.append(rings)
        if out_polys:
            features.append(
                {
                    "type": "Feature",
                    "properties": {"name": geom.get("properties", {}).get("name", "")},
                    "geometry": {"type": "MultiPolygon", "coordinates": out_polys},
                }
            )
    return {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:50m admin-0 countries v4.1.0 (public domain) via world-atlas 2.0.2",
        "bbox": list(BBOX),
        "features": features,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    topo = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    doc = build(topo)
    Path(argv[1]).write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{argv[1]}: {len(doc['features'])} countries, {Path(argv[1]).stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
