"""Parsing YAML and JSON documents within limits, into plain JSON values only.

The YAML loader is PyYAML's safe loader with these changes:

- budgets (:mod:`.limits`): nesting depth and the number of values are counted while the document is
  composed, an alias counts as a copy of what it points to (so an alias bomb is refused after a bounded
  amount of work, before anything is built), and an alias to a node that is still open (a recursive
  structure) is refused;
- YAML 1.2 core scalars instead of YAML 1.1: ``true``/``false`` only (``yes``, ``no``, ``on``, ``off`` stay
  text), decimal integers (``010`` is ten, not eight; ``1:20`` is text, not 80), ``0o``/``0x`` prefixes,
  and exponents without a dot (``1e3`` is a number);
- no dates, binary data, sets or ordered pairs (``2024-01-01`` stays text): a document holds only
  mappings with text keys, lists, text, numbers, booleans and null, the values JSON holds;
- a key repeated in one mapping is an error, not a silent overwrite (in JSON too).
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml
from yaml.resolver import BaseResolver

from ..errors import InputError
from .limits import InputLimits, check_document, depth_error, values_error

_INT = re.compile(r"^[-+]?(?:[0-9][0-9_]*|0o[0-7_]+|0x[0-9a-fA-F_]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_REFUSED_TAGS = ("timestamp", "binary", "set", "omap", "pairs")


class LimitedLoader(yaml.SafeLoader):
    """A safe YAML loader with budgets, YAML 1.2 core scalars and unique keys (see the module docstring)."""

    def __init__(self, stream: str, source: str = "document", limits: InputLimits | None = None) -> None:
        super().__init__(stream)
        self.source = source
        self.limits = limits or InputLimits.from_env()
        self._depth = 0
        self._values = 0
        self._alias_values = 0
        self._sizes: dict[int, int] = {}

    def _count(self, n: int, alias: bool = False) -> None:
        self._values += n
        if alias:
            self._alias_values += n
            if self._alias_values > self.limits.max_alias_values:
                raise values_error(self.source, self.limits, aliases=True)
        if self._values > self.limits.max_values:
            raise values_error(self.source, self.limits)

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            target = self.anchors.get(event.anchor)
            if target is not None:
                size = self._sizes.get(id(target))
                if size is None:
                    mark = event.start_mark
                    raise InputError(
                        f"{self.source}: line {mark.line + 1}, column {mark.column + 1}: alias *{event.anchor} "
                        "refers to the mapping or list that contains it (a structure without end); remove it"
                    )
                self._count(size, alias=True)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > self.limits.max_depth:
            mark = self.peek_event().start_mark
            raise depth_error(self.source, self.limits, f": line {mark.line + 1}")
        start = self._values
        self._count(1)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        self._sizes[id(node)] = self._values - start
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep=deep)
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            mark = key_node.start_mark
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise InputError(
                    f"{self.source}: line {mark.line + 1}, column {mark.column + 1}: a mapping key must be "
                    "plain text, not a list or mapping"
                )
            if key in mapping:
                raise InputError(
                    f"{self.source}: line {mark.line + 1}, column {mark.column + 1}: key '{key}' appears twice "
                    "in the same mapping; remove one of them"
                )
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


def _construct_int(loader: LimitedLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node)).replace("_", "")
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    try:
        if body.startswith("0o"):
            return sign * int(body[2:], 8)
        if body.startswith("0x"):
            return sign * int(body[2:], 16)
        return sign * int(body, 10)
    except ValueError:
        mark = node.start_mark
        raise InputError(
            f"{loader.source}: line {mark.line + 1}, column {mark.column + 1}: number '{text[:40]}' is too long; "
            "give at most a few tens of digits"
        ) from None


def _construct_float(loader: LimitedLoader, node: yaml.ScalarNode) -> float:
    text = str(loader.construct_scalar(node)).replace("_", "").lower()
    if text.lstrip("+-") == ".inf":
        return float("-inf") if text.startswith("-") else float("inf")
    if text == ".nan":
        return float("nan")
    return float(text)


def _refuse(loader: LimitedLoader, node: yaml.Node) -> Any:
    mark = node.start_mark
    raise InputError(
        f"{loader.source}: line {mark.line + 1}, column {mark.column + 1}: YAML type {node.tag} is not used in "
        "linepack files; write the value as text, a number, a list or a mapping"
    )


def _core_resolvers() -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    """YAML 1.2 core-schema implicit resolvers (bool, int, float, null), plus merge keys."""
    table: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}
    rules = [
        ("tag:yaml.org,2002:bool", _BOOL, "tTfF"),
        ("tag:yaml.org,2002:int", _INT, "-+0123456789"),
        ("tag:yaml.org,2002:float", _FLOAT, "-+0123456789."),
        ("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""]),
        ("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"]),
    ]
    for tag, regexp, first in rules:
        for ch in first:
            table.setdefault(ch if ch != "" else None, []).append((tag, regexp))
    return table


LimitedLoader.yaml_implicit_resolvers = _core_resolvers()
LimitedLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
LimitedLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
for _tag in _REFUSED_TAGS:
    LimitedLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse)
LimitedLoader.add_constructor(None, _refuse)  # any other explicit tag (!!python/..., !custom)
assert BaseResolver.DEFAULT_MAPPING_TAG == "tag:yaml.org,2002:map"


def _unique_pairs(source: str) -> Any:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in pairs:
            if k in out:
                raise InputError(f"{source}: key '{k[:60]}' appears twice in the same object; remove one of them")
            out[k] = v
        return out

    return hook


def parse_yaml(text: str, source: str, limits: InputLimits | None = None) -> Any:
    lim = limits or InputLimits.from_env()
    loader: LimitedLoader | None = None
    try:
        loader = LimitedLoader(text, source, lim)  # the reader checks the characters here already
        return loader.get_single_data()
    except InputError:
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"{source}: malformed YAML{where}: {problem}; fix the syntax") from None
    except RecursionError:  # pragma: no cover - the depth budget comes first
        raise depth_error(source, lim) from None
    finally:
        if loader is not None:
            loader.dispose()


def parse_json(text: str, source: str, limits: InputLimits | None = None) -> Any:
    lim = limits or InputLimits.from_env()
    try:
        doc = json.loads(text, object_pairs_hook=_unique_pairs(source))
    except InputError:
        raise
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}; fix the syntax"
        ) from None
    except RecursionError:
        raise depth_error(source, lim) from None
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise InputError(f"{source}: a value cannot be read ({str(exc)[:120]}); fix it") from None
    check_document(doc, source, lim)
    return doc
