"""The native network file format: YAML or JSON documents of the component schemas."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError
from ..model.network import Network
from .atomic import atomic_write_text

DEFAULT_NETWORK_RESOURCE = "psgp.yaml"


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that rejects duplicate keys instead of silently keeping the last."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            mark = key_node.start_mark
            raise InputError(
                f"line {mark.line + 1}, column {mark.column + 1}: key '{key}' appears twice in the same mapping; "
                "remove one of them"
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_document(text: str, source: str, fmt: str | None = None) -> Any:
    """Parse YAML or JSON text; syntax errors become :class:`InputError` with the line and column."""
    if fmt == "json" or (fmt is None and source.lower().endswith(".json")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{source}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}; fix the syntax"
            ) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except InputError as exc:
        raise InputError([f"{source}: {p}" for p in exc.problems]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"{source}: malformed YAML{where}: {problem}; fix the syntax") from None


def load_network(path: str | Path) -> Network:
    """Read and validate a native network file (``.yaml``, ``.yml`` or ``.json``)."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: file not found; give the path of a .yaml or .json network file")
    if p.is_dir():
        raise InputError(f"{p}: is a folder; give the path of a .yaml or .json network file")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{p}: not a UTF-8 text file; save the network as UTF-8 YAML or JSON") from None
    doc = parse_document(text, str(p))
    return Network.from_dict(doc, source=p.name)


def save_network(network: Network, path: str | Path) -> None:
    """Write the network as YAML or JSON (by suffix) atomically: a temporary file, then a rename."""
    p = Path(path)
    doc = network.to_dict()
    if p.suffix.lower() == ".json":
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    elif p.suffix.lower() in (".yaml", ".yml"):
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)
    else:
        raise InputError(f"{p}: unknown file type '{p.suffix}'; use .yaml, .yml or .json")
    atomic_write_text(p, text)


def load_default_network() -> Network:
    """The embedded Pakistan Stream network with its scenarios."""
    text = resources.files("linepack.data").joinpath(DEFAULT_NETWORK_RESOURCE).read_text(encoding="utf-8")
    return Network.from_dict(parse_document(text, DEFAULT_NETWORK_RESOURCE), source="embedded PSGP network")
