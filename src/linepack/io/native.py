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
from .documents import parse_json, parse_yaml
from .limits import InputLimits, check_text_size, read_input_text

DEFAULT_NETWORK_RESOURCE = "psgp.yaml"


def parse_document(text: str, source: str, fmt: str | None = None, limits: InputLimits | None = None) -> Any:
    """Parse YAML or JSON text within the input limits (:mod:`.limits`, :mod:`.documents`); syntax errors
    and exceeded limits become :class:`InputError` with the line and column where known."""
    lim = limits or InputLimits.from_env()
    check_text_size(text, source, lim)
    if fmt == "json" or (fmt is None and source.lower().endswith(".json")):
        return parse_json(text, source, lim)
    return parse_yaml(text, source, lim)


def load_document(path: str | Path, what: str = "input", limits: InputLimits | None = None) -> Any:
    """Read and parse a YAML or JSON file (by suffix) within the input limits."""
    p = Path(path)
    return parse_document(read_input_text(p, what, limits), str(p), limits=limits)


def load_network(path: str | Path, limits: InputLimits | None = None) -> Network:
    """Read and validate a native network file (``.yaml``, ``.yml`` or ``.json``).

    The file must be a regular file within the size limit; its document within the depth and value limits
    (:class:`~linepack.io.limits.InputLimits`, overridable through ``LINEPACK_MAX_*`` variables)."""
    p = Path(path)
    doc = load_document(p, "network (.yaml or .json)", limits)
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
