"""Locate and load the JSON Schemas shipped in schemas/ (lazily: jsonschema is heavy), and word their errors."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any


def schema_path(name: str) -> Path:
    """schemas/NAME, from the wheel (sweepbridge/schemas) or the source checkout."""
    here = Path(__file__).resolve().parent
    for base in (here / "schemas", here.parent / "schemas"):
        if (base / name).is_file():
            return base / name
    raise FileNotFoundError(f"schema {name} is not installed with sweepbridge")


@cache
def load(name: str) -> dict[str, Any]:
    return json.loads(schema_path(name).read_text(encoding="utf-8"))


STRICT_INTEGERS = frozenset({"wandb-sweep.schema.json"})
"""Schemas whose "integer" is a Python int only, as W&B's `format: integer` demands (5.0 is not one)."""


def _is_int(checker: Any, value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@cache
def validator(name: str) -> Any:
    """A jsonschema validator for schemas/NAME (tests/test_schemas.py checks the schemas themselves)."""
    import jsonschema

    schema = load(name)
    cls = jsonschema.validators.validator_for(schema)
    if name in STRICT_INTEGERS:
        cls = jsonschema.validators.extend(cls, type_checker=cls.TYPE_CHECKER.redefine("integer", _is_int))
    return cls(schema)


def _accepts(schema: Any, value: Any) -> bool:
    """Whether a property's schema plainly names `value` (its const, one of its enum, or any string)."""
    if not isinstance(schema, dict):
        return False
    return schema.get("const") == value or value in schema.get("enum", ()) or schema.get("type") == "string"


def mapping_hint(schema: Any, value: Any) -> str:
    """For a scalar where `schema` wants a mapping: the mapping the user probably meant, e.g.
    `{type: hyperband, min_iter: MIN_ITER}` for `early_terminate: hyperband` ('' when unclear)."""
    if not isinstance(schema, dict) or not isinstance(value, (str, int, float)) or isinstance(value, bool):
        return ""
    required = list(schema.get("required", []))
    for option in schema.get("anyOf", schema.get("oneOf", []))[:1]:
        required += [k for k in option.get("required", []) if k not in required]
    props = schema.get("properties", {})
    home = next((k for k in required if _accepts(props.get(k), value)), None)
    if home is None:
        return ""
    fields = ", ".join(f"{k}: {value}" if k == home else f"{k}: {k.upper()}" for k in required)
    return f" did you mean `{{{fields}}}`?"


def message(err: Any) -> str:
    """A jsonschema error as one readable sentence (without its path), naming the nearest valid
    name for a misspelled key or value."""
    from .spelling import did_you_mean, unknown

    schema = err.schema if isinstance(err.schema, dict) else {}
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        props = schema.get("properties", {})
        patterns = list(schema.get("patternProperties", {}))
        extra = [k for k in err.instance if k not in props and not any(re.search(p, k) for p in patterns)]
        if extra and props:
            return unknown(extra, props)
    if err.validator in ("enum", "const") and isinstance(err.instance, str):
        options = err.validator_value if err.validator == "enum" else [err.validator_value]
        text = err.message if err.validator == "enum" else f"expected {err.validator_value!r}, got {err.instance!r}"
        return text + (";" + hint if (hint := did_you_mean(err.instance, options)) else "")
    if err.validator == "type" and err.validator_value == "object":
        hint = mapping_hint(schema, err.instance)
        return f"expected a mapping, got {err.instance!r};{hint}" if hint else err.message
    return err.message
