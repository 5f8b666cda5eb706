"""Networks as GIS data: GeoJSON (no extra dependency) and GeoPackage or GeoDataFrames (GeoPandas).

Every component becomes a feature with its fields as properties (the native field names, units in the
names): nodes are Points at their lat/lon; pipes are LineStrings along their ``route_lonlat`` when given,
else straight between their end nodes; other edges are straight LineStrings; sources and sinks are Points
at their node. The network's settings, gas compositions, scenarios and references travel with it (a
``linepack`` member of the GeoJSON FeatureCollection; a ``linepack_network`` attribute table in a
GeoPackage), so reading the file back gives the same network (``Network.to_dict()`` is equal).

Features of a component whose nodes have no coordinates get a null geometry (GeoJSON allows it), so
nothing is lost. Coordinates are WGS84 longitude, latitude (EPSG:4326).

    from linepack.io.geo import write_geojson, read_geojson, to_geodataframe
    write_geojson(net, "psgp.geojson")      # QGIS, geojson.io, Leaflet
    net2 = read_geojson("psgp.geojson")
    gdf = to_geodataframe(net, "pipes")       # or to_geodataframe(result, "pipes"): with the solved flows
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..model.components import COMPONENT_TYPES, TYPES_BY_KIND, Component, Edge, Node, Sink, Source
from ..model.errors import suggest
from ..model.network import COLLECTIONS, Network
from .atomic import atomic_write_text

if TYPE_CHECKING:
    from ..results import SteadyResult

META_KEY = "linepack"
META_LAYER = "linepack_network"
CRS = "EPSG:4326"


#: Component lists without a place on a map (a station's units and configurations): kept in the document.
NON_SPATIAL = ("compressor_units", "compressor_configurations")
SPATIAL = tuple(c for c in COLLECTIONS if c not in NON_SPATIAL)


def _meta(network: Network) -> dict[str, Any]:
    """Everything of the native document except the component lists that are map features."""
    doc = network.to_dict()
    return {k: v for k, v in doc.items() if k not in SPATIAL}


def _properties(comp: Component) -> dict[str, Any]:
    data = comp.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data.pop("lat", None)
    data.pop("lon", None)
    if len(data.get("route_lonlat") or []) > 2:  # the LineString holds it (two vertices stay a property)
        data.pop("route_lonlat")
    return {"kind": comp.kind, **data}


def _node_xy(node: Node | None) -> list[float] | None:
    if node is None or node.lat is None or node.lon is None:
        return None
    return [node.lon, node.lat]


def component_geometry(comp: Component, nodes: dict[str, Node]) -> dict[str, Any] | None:
    """The GeoJSON geometry of a component (None when its nodes have no coordinates)."""
    if isinstance(comp, Node):
        xy = _node_xy(comp)
        return None if xy is None else {"type": "Point", "coordinates": xy}
    if isinstance(comp, Edge):
        route = getattr(comp, "route_lonlat", None)
        if route:
            return {"type": "LineString", "coordinates": [[float(x), float(y)] for x, y in route]}
        a, b = _node_xy(nodes.get(comp.from_node)), _node_xy(nodes.get(comp.to_node))
        return None if a is None or b is None else {"type": "LineString", "coordinates": [a, b]}
    if isinstance(comp, Source | Sink):
        xy = _node_xy(nodes.get(comp.node))
        return None if xy is None else {"type": "Point", "coordinates": xy}
    return None  # pragma: no cover (every component type is handled above)


def to_geojson(network: Network) -> dict[str, Any]:
    """The network as a GeoJSON FeatureCollection (see the module docstring)."""
    nodes = {n.id: n for n in network.nodes.values() if isinstance(n, Node)}
    features = [
        {"type": "Feature", "id": c.id, "geometry": component_geometry(c, nodes), "properties": _properties(c)}
        for c in network.components()
        if c.collection in SPATIAL
    ]
    return {"type": "FeatureCollection", META_KEY: _meta(network), "features": features}


def _component_from(props: dict[str, Any], geometry: dict[str, Any] | None, where: str) -> dict[str, Any]:
    """The native record of a feature: its properties plus the fields its geometry holds."""
    kind = props.get("kind")
    if kind not in TYPES_BY_KIND:
        raise InputError(
            f"{where}: property kind '{kind}' is not a component type{suggest(str(kind), list(TYPES_BY_KIND))}; "
            f"use one of {', '.join(TYPES_BY_KIND)}"
        )
    record = {k: v for k, v in props.items() if k != "kind" and v is not None}
    gtype = (geometry or {}).get("type")
    coords = (geometry or {}).get("coordinates")
    if kind == "node" and gtype == "Point" and coords:
        record["lon"], record["lat"] = float(coords[0]), float(coords[1])
    elif kind == "pipe" and gtype == "LineString" and coords and len(coords) > 2:
        record["route_lonlat"] = [[float(x), float(y)] for x, y, *_ in coords]
    elif kind == "pipe" and "route_lonlat" in props:
        record["route_lonlat"] = props["route_lonlat"]
    return record


def from_geojson(doc: Any, source: str = "GeoJSON") -> Network:
    """A network from a FeatureCollection written by :func:`to_geojson` (or edited in a GIS: a node's
    Point sets its lat/lon, a pipe's LineString of more than two vertices its route)."""
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise InputError(f"{source}: not a GeoJSON FeatureCollection; export the network with linepack first")
    meta = doc.get(META_KEY) or {}
    if not isinstance(meta, dict):
        raise InputError(f"{source}: member '{META_KEY}' must be a mapping (settings, gas_compositions, scenarios)")
    native: dict[str, Any] = dict(meta)
    problems: list[str] = []
    for i, feat in enumerate(doc.get("features") or []):
        props = feat.get("properties") or {} if isinstance(feat, dict) else {}
        where = f"{source}: feature #{i + 1} ({props.get('id', 'no id')})"
        try:
            record = _component_from(props, feat.get("geometry"), where)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        native.setdefault(TYPES_BY_KIND[props["kind"]].collection, []).append(record)
    if problems:
        raise InputError(problems)
    return Network.from_dict(native, source=source)


def write_geojson(network: Network, path: str | Path) -> None:
    """Write the network as GeoJSON (atomically)."""
    atomic_write_text(path, json.dumps(to_geojson(network), indent=1, ensure_ascii=False) + "\n")


def read_geojson(path: str | Path) -> Network:
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{p}: file not found") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{p}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    return from_geojson(doc, source=p.name)


# --- GeoPandas -------------------------------------------------------------------------------------


def _gpd() -> Any:
    try:
        import geopandas
    except ImportError:
        raise InputError("GeoDataFrames and GeoPackage need geopandas: pip install 'linepack[gis]'") from None
    return geopandas


def _layer_records(network: Network, collection: str) -> tuple[list[dict[str, Any]], list[Any]]:
    from shapely.geometry import shape

    nodes = {n.id: n for n in network.nodes.values() if isinstance(n, Node)}
    rows, geoms = [], []
    for comp in network.collections[collection].values():
        props = _properties(comp)
        rows.append({k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in props.items()})
        geom = component_geometry(comp, nodes)
        geoms.append(None if geom is None else shape(geom))
    return rows, geoms


def to_geodataframe(source: Network | SteadyResult, layer: str = "pipes", result: SteadyResult | None = None) -> Any:
    """One layer (``nodes``, ``pipes``, ``compressors``, ..., ``sources``, ``sinks``) as a GeoDataFrame indexed by
    id in EPSG:4326. From a :class:`Network`: the components' fields, plus the values of ``result`` joined by
    id when given. From a :class:`SteadyResult`: its result table (columns of the result-file contract, units
    in the names) on the solved scenario's geometry. Needs geopandas (``linepack[gis]``)."""
    from ..results import SteadyResult as _Result

    gpd = _gpd()
    if layer not in COLLECTIONS:
        raise InputError(
            f"unknown layer '{layer}'{suggest(layer, list(COLLECTIONS))}; choose one of {', '.join(COLLECTIONS)}"
        )
    if isinstance(source, _Result):
        return _result_frame(gpd, source, layer)
    gdf = _frame(gpd, source, layer)
    if result is not None and len(gdf):
        extra = _result_frame(gpd, result, layer).drop(columns="geometry")
        extra = extra.drop(columns=[c for c in extra.columns if c in gdf.columns])
        gdf = gdf.join(extra, how="left")
    return gdf


def _frame(gpd: Any, network: Network, layer: str) -> Any:
    rows, geoms = _layer_records(network, layer)
    gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs=CRS)
    return gdf.set_index("id") if len(gdf) else gdf


def _result_frame(gpd: Any, result: SteadyResult, layer: str) -> Any:
    """A result table with geometry from the compiled network (node lat/lon, pipe routes)."""
    import math

    from shapely.geometry import LineString, Point

    cn = result.network
    xy = {
        nid: (float(cn.lon[i]), float(cn.lat[i]))
        for i, nid in enumerate(cn.node_ids)
        if not (math.isnan(cn.lat[i]) or math.isnan(cn.lon[i]))
    }
    records = result.to_dict()[layer]
    geoms: list[Any] = []
    for rec in records:
        if layer == "nodes":
            geoms.append(Point(xy[rec["id"]]) if rec["id"] in xy else None)
        elif "node" in rec:
            geoms.append(Point(xy[rec["node"]]) if rec["node"] in xy else None)
        elif rec["id"] in cn.pipe_routes:
            geoms.append(LineString(cn.pipe_routes[rec["id"]]))
        else:
            a, b = xy.get(rec["from"]), xy.get(rec["to"])
            geoms.append(LineString([a, b]) if a is not None and b is not None else None)
    gdf = gpd.GeoDataFrame(records, geometry=geoms, crs=CRS)
    return gdf.set_index("id") if len(gdf) else gdf


def write_geopackage(network: Network, path: str | Path) -> None:
    """Write the network as a GeoPackage: one layer per component collection that has components, and an
    attribute table ``linepack_network`` with settings, gases and scenarios (JSON). GDAL writes it in a
    private temporary folder; the bytes then go through :func:`linepack.io.atomic.atomic_write_bytes`, so a
    failed write leaves nothing half-written and the file gets the user's usual permissions."""
    import tempfile

    from .atomic import atomic_write_bytes

    gpd = _gpd()
    with tempfile.TemporaryDirectory(prefix="linepack-gpkg-") as folder:
        tmp = Path(folder) / "network.gpkg"
        for coll in SPATIAL:
            if network.collections[coll]:
                _frame(gpd, network, coll).reset_index().to_file(tmp, layer=coll, driver="GPKG")
        meta = gpd.GeoDataFrame({"document": [json.dumps(_meta(network))]}, geometry=[None], crs=CRS)
        meta.to_file(tmp, layer=META_LAYER, driver="GPKG")
        atomic_write_bytes(path, tmp.read_bytes())


def read_geopackage(path: str | Path) -> Network:
    """A network from a GeoPackage written by :func:`write_geopackage` (edited geometries are read back)."""
    import pyogrio

    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: file not found")
    gpd = _gpd()
    layers = {name for name, _ in pyogrio.list_layers(p)}
    native: dict[str, Any] = {}
    if META_LAYER in layers:
        native.update(json.loads(gpd.read_file(p, layer=META_LAYER)["document"].iloc[0]))
    kinds = {t.collection: t for t in COMPONENT_TYPES}
    for coll in SPATIAL:
        if coll not in layers:
            continue
        gdf = gpd.read_file(p, layer=coll)
        records = []
        for _, row in gdf.iterrows():
            props: dict[str, Any] = {"kind": kinds[coll].kind}
            for key, value in row.items():
                if key == "geometry" or value is None or (isinstance(value, float) and value != value):
                    continue
                if isinstance(value, str) and value[:1] in "[{":
                    with contextlib.suppress(json.JSONDecodeError):
                        value = json.loads(value)
                props[str(key)] = value.item() if hasattr(value, "item") else value
            geom = row.geometry.__geo_interface__ if row.geometry is not None else None
            records.append(_component_from(props, geom, f"{p.name}: layer {coll}"))
        native[coll] = records
    return Network.from_dict(native, source=p.name)
