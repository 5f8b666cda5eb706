"""The published schema of the native format, and per-component field tables for ``linepack describe``."""

from __future__ import annotations

from enum import Enum
from typing import Any

from ..errors import InputError
from .components import TYPES_BY_KIND, Settings
from .errors import suggest
from .network import COLLECTIONS, FORMAT_TAG, GasCompositionSpec
from .scenario import Scenario
from .stations import DriverSpec, PistonMapSpec, SpeedCurve, TurboMapSpec
from .thermal import THERMAL_MODELS

#: Schemas that are not components but have field tables too (``linepack describe turbo_map``).
SPEC_MODELS: dict[str, Any] = {
    "turbo_map": TurboMapSpec,
    "speed_curve": SpeedCurve,
    "piston_map": PistonMapSpec,
    "driver": DriverSpec,
}


def field_table(kind: str) -> list[dict[str, str]]:
    """Rows (field, type, unit, default, bounds, description) of one component type or 'settings'/'scenario'."""
    models: dict[str, Any] = {**TYPES_BY_KIND, "settings": Settings, "scenario": Scenario, **SPEC_MODELS}
    models.update(THERMAL_MODELS)
    if kind not in models:
        raise InputError(
            f"unknown component type '{kind}'{suggest(kind, list(models))}; choose one of {', '.join(models)}"
        )
    model = models[kind]
    schema = model.model_json_schema(by_alias=True)
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    rows = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        prop = props.get(key, {})
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        bounds = []
        for b, sym in (
            ("exclusiveMinimum", ">"),
            ("minimum", ">="),
            ("exclusiveMaximum", "<"),
            ("maximum", "<="),
        ):
            for variant in [prop, *prop.get("anyOf", [])]:
                if b in variant:
                    bounds.append(f"{sym} {variant[b]}")
        enum = None
        ref = prop.get("$ref") or next((v.get("$ref") for v in prop.get("anyOf", []) if "$ref" in v), None)
        if ref:
            enum = schema.get("$defs", {}).get(ref.split("/")[-1], {}).get("enum")
        typ = info.annotation.__name__ if hasattr(info.annotation, "__name__") else str(info.annotation)
        typ = typ.replace("typing.", "").replace("linepack.model.components.", "")
        if enum:
            typ = " | ".join(str(e) for e in enum)
        if key in required:
            default = "(required)"
        else:
            value = info.default if info.default_factory is None else info.default_factory()
            default = str(value.value) if isinstance(value, Enum) else repr(value)
        rows.append(
            {
                "field": key,
                "type": typ,
                "unit": str(extra.get("unit", "")),
                "default": default,
                "bounds": ", ".join(bounds),
                "description": info.description or "",
            }
        )
    return rows


def network_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a native network document."""
    defs: dict[str, Any] = {}

    def ref(model: Any, name: str) -> dict[str, str]:
        sch = model.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
        for k, v in sch.pop("$defs", {}).items():
            defs[k] = v
        defs[name] = sch
        return {"$ref": f"#/$defs/{name}"}

    props: dict[str, Any] = {
        "format": {"const": FORMAT_TAG},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "settings": ref(Settings, "Settings"),
        "gas_compositions": {
            "type": "object",
            "additionalProperties": ref(GasCompositionSpec, "GasComposition"),
        },
        "compressor_maps": {
            "type": "object",
            "additionalProperties": {
                "oneOf": [ref(TurboMapSpec, "TurboMapSpec"), ref(PistonMapSpec, "PistonMapSpec")]
            },
        },
        "drivers": {"type": "object", "additionalProperties": ref(DriverSpec, "DriverSpec")},
        "scenarios": {"type": "object", "additionalProperties": ref(Scenario, "Scenario")},
        "default_scenario": {"type": "string"},
        "references": {"type": "object", "additionalProperties": {"type": "string"}},
        "meta": {"type": "object"},
    }
    for coll in COLLECTIONS:
        model = next(m for m in TYPES_BY_KIND.values() if m.collection == coll)
        props[coll] = {"type": "array", "items": ref(model, model.__name__)}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:linepack:network-format:1",
        "title": "linepack network file",
        "type": "object",
        "additionalProperties": False,
        "properties": props,
        "$defs": defs,
    }
