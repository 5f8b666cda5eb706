"""Turn pydantic validation errors into messages that name component, field, value and fix."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError


def _field_hint(model: type[BaseModel], field: str) -> str:
    info = model.model_fields.get(field)
    if info is None:
        return ""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    unit = extra.get("unit", "")
    desc = info.description or ""
    unit_txt = f" in {unit}" if unit and unit != "unit" else ""
    return f"expected: {desc}{unit_txt}" if desc else ""


def _valid_fields(model: type[BaseModel]) -> list[str]:
    names = []
    for name, info in model.model_fields.items():
        names.append(info.alias or name)
    return names


def suggest(word: str, choices: list[str]) -> str:
    """A ' (did you mean X?)' suffix, or '' when nothing is close."""
    lowered = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean '{lowered[close[0]]}'?)" if close else ""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def describe_validation_error(label: str, model: type[BaseModel], exc: ValidationError) -> list[str]:
    """One message per problem in ``exc``, each starting with ``label`` (e.g. ``pipe PSGP-01``)."""
    messages = []
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ())]
        field = ".".join(loc) if loc else "(component)"
        kind = err.get("type", "")
        value = err.get("input")
        if kind == "extra_forbidden":
            valid = _valid_fields(model)
            messages.append(
                f"{label}: unknown field '{field}'{suggest(loc[-1], valid)}; valid fields are {', '.join(valid)}"
            )
            continue
        if kind == "missing":
            hint = _field_hint(model, loc[0]) if loc else ""
            messages.append(f"{label}: field '{field}' is required but missing; add it ({hint})")
            continue
        msg = err.get("msg", "invalid")
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        hint = _field_hint(model, loc[0]) if loc else ""
        if msg.startswith("Input should be "):
            msg = "must be " + msg[len("Input should be ") :]
        if kind in ("finite_number",):
            msg = "must be a finite number, not NaN or infinity"
        if kind in ("enum", "literal_error") and isinstance(value, str):
            expected = err.get("ctx", {}).get("expected", "")
            options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",") if o.strip()]
            msg = f"{msg}{suggest(value, options)}"
        text = f"{label}: {field} {msg[0].lower() + msg[1:]} (got {_short(value)})" if loc else f"{label}: {msg}"
        if hint and loc:
            text += f"; {hint}"
        messages.append(text)
    return messages
