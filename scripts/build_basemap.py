"""Build the offline base layer of the web map from Natural Earth (public domain).

Input: ``countries-50m.json`` of the npm package ``world-atlas`` 2.x (Natural Earth 4.1.0 admin-0 countries
as TopoJSON), e.g. ``npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz``.
Output: ``src/linepack/web/static/basemap.geojson``: the countries clipped to the region of the embedded
network (Iran to western China, Arabian Sea to Kazakhstan), simplified and rounded to 0.001 deg; and, from
``countries-110m.json``, ``world.geojson``: every country at 1:110m, simplified to 0.1 deg, the coarse
layer shown for uploaded networks elsewhere.

Usage::

    python scripts/build_basemap.py package/countries-50m.json src/linepack/web/static/basemap.geojson
    python scripts/build_basemap.py --world package/countries-110m.json src/linepack/web/static/world.geojson
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


WORLD = (-180.0, -90.0, 180.0, 90.0)
WORLD_TOLERANCE_DEG = 0.1


def build(
    topo: dict[str, Any], bbox: tuple[float, float, float, float] = BBOX, tol: float = TOLERANCE_DEG, nd: int = 3
) -> dict[str, Any]:
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
                ring = clip_ring(ring_coords(arcs, refs), bbox)
                if len(ring) < 3:
                    continue
                ring = simplify(np.vstack([ring, ring[:1]]), tol)
                if len(ring) < 4:
                    continue
                rings.append([[round(float(x), nd), round(float(y), nd)] for x, y in ring])
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
    scale = "1:50m" if bbox != WORLD else "1:110m"
    return {
        "type": "FeatureCollection",
        "source": f"Natural Earth {scale} admin-0 countries v4.1.0 (public domain) via world-atlas 2.0.2",
        "bbox": list(bbox),
        "features": features,
    }


def main(argv: list[str]) -> int:
    world = argv[:1] == ["--world"]
    argv = argv[1:] if world else argv
    if len(argv) != 2:
        print(__doc__)
        return 2
    topo = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    doc = build(topo, WORLD, WORLD_TOLERANCE_DEG, 2) if world else build(topo)
    Path(argv[1]).write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{argv[1]}: {len(doc['features'])} countries, {Path(argv[1]).stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
