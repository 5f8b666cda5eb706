"""Strict field types for every schema: a value is taken as written or refused, never reinterpreted.

pydantic's lax mode reads ``true`` as 1 for a number, ``"12"`` as 12, ``1`` or ``"yes"`` as True for a
flag. In a network file that is a silent misreading (``length_km: true`` would be a 1 km pipe), so the
schemas of linepack refuse them:

- a number field takes an integer or a decimal number, not a boolean and not text;
- a flag (true/false) takes only true or false;
- a text field takes text only, without control characters (ids, names and references are printed on
  terminals and written to other formats; an escape character could rewrite a terminal's screen);
- lists and mappings hold values of their declared types under the same rules.

:class:`StrictModel` applies these rules before pydantic's own validation, to every field of every
subclass (fields added later included), so each refusal names the field and the value.
"""

from __future__ import annotations

import types
import typing
from enum import Enum
from typing import Any, Literal, Union

from pydantic import BaseModel, ValidationInfo, field_validator

# C0 and C1 controls (tab, newline and carriage return allowed in free text), and the invisible format
# characters that reorder or hide text (bidirectional overrides, zero-width characters, byte-order mark).
_FORBIDDEN = frozenset(
    [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + [chr(c) for c in (*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2070), 0xFEFF)]
)
#: A JSON-schema pattern for ids: printable characters, no spaces (the same rule as :func:`printable_problem`).
ID_PATTERN = r"^[^\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]+$"


def control_character(text: str) -> str | None:
    """The first forbidden control or invisible format character of ``text`` (as U+XXXX), or None."""
    for ch in text:
        if ch in _FORBIDDEN:
            return f"U+{ord(ch):04X}"
    return None


def shown(text: object, limit: int = 80) -> str:
    """``text`` safe to print on a terminal: control and invisible characters escaped, long text cut."""
    s = str(text)
    if len(s) > limit:
        s = s[: limit - 3] + "..."
    if control_character(s) is None:
        return s
    return "".join(c if c not in _FORBIDDEN else ascii(c)[1:-1] for c in s)


def _kind_of(annotation: Any) -> tuple[str, Any]:
    """A coarse kind of an annotation: number, flag, text, list, map, other; with the item annotation."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kind_of(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        kinds = [_kind_of(a) for a in typing.get_args(annotation) if a is not type(None)]
        return kinds[0] if len(kinds) == 1 else ("other", None)
    if origin is Literal:
        return "other", None
    if origin in (list, tuple, set, frozenset):
        args = typing.get_args(annotation)
        return "list", (args[0] if args else Any)
    if origin is dict:
        args = typing.get_args(annotation)
        return "map", (args[1] if len(args) == 2 else Any)
    if annotation is bool:
        return "flag", None
    if annotation in (int, float):
        return "number", None
    if annotation is str:
        return "text", None
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "text", None
    return "other", None


def _problem(annotation: Any, value: Any, path: str = "") -> str | None:
    kind, item = _kind_of(annotation)
    at = f" at {path}" if path else ""
    if kind == "number":
        if isinstance(value, bool):
            return f"must be a number, not true/false{at}"
        if isinstance(value, str):
            return f"must be a number, not text{at}; write the number without quotes"
    elif kind == "flag":
        if not isinstance(value, bool):
            return f"must be true or false{at}"
    elif kind == "text":
        if isinstance(value, str):
            bad = control_character(value)
            if bad is not None:
                return f"contains the control character {bad}{at}; use printable characters only"
    elif kind == "list" and isinstance(value, list | tuple):
        for i, v in enumerate(value):
            p = _problem(item, v, f"{path}[{i}]")
            if p:
                return p
    elif kind == "map" and isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str):
                bad = control_character(k)
                if bad is not None:
                    return f"has a key with the control character {bad}; use printable characters only"
            p = _problem(item, v, f"{path}[{shown(k, 30)!r}]" if path else f"[{shown(k, 30)!r}]")
            if p:
                return p
    return None


class StrictModel(BaseModel):
    """Base of every linepack schema: the strict rules of this module on every field."""

    @field_validator("*", mode="before")
    @classmethod
    def _strict_types(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.field_name
        field = cls.model_fields.get(name) if name is not None else None
        if field is not None:
            problem = _problem(field.annotation, value)
            if problem is not None:
                raise ValueError(problem)
        return value
