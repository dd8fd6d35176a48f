"""Locate and load the JSON Schemas shipped in schemas/ (lazily: jsonschema is heavy)."""

from __future__ import annotations

import json
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
