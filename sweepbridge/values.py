"""Plain JSON/YAML values: the only values a sweep config may hold."""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Mapping
from typing import Any

from .errors import SpecError, UnsupportedFeatureError
from .param_path import join

Plain = None | bool | int | float | str | list | dict


def python_value(value: Any) -> Any:
    """A numpy scalar (any `numpy.generic`: int64, float32, bool_, str_, ...) or 0-d array as the Python
    value `.item()` gives, as W&B's client sends it and programs receive it; anything else (arrays
    included) unchanged. Never imports numpy: without it imported, no numpy value exists."""
    numpy = sys.modules.get("numpy")
    if numpy is not None and (
        isinstance(value, numpy.generic) or (isinstance(value, numpy.ndarray) and value.ndim == 0)
    ):
        return value.item()
    return value


MAX_DEPTH = 200
"""Deepest nesting of lists/dicts in a plain value (deeper overflows Python's recursion)."""


def plain(value: Any, path: str = "", *, _depth: int = 0) -> Plain:
    """Return `value` as plain JSON types (tuples become lists), or raise.

    Non-finite floats and non-string keys are refused: they do not survive JSON.
    """
    if _depth > MAX_DEPTH:
        raise SpecError(f"the value is nested more than {MAX_DEPTH} levels deep.", path=path)
    value = python_value(value)
    if isinstance(value, str):
        return _text(value, path)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UnsupportedFeatureError(
                f"the value {value!r} does not survive JSON, which W&B sends configs as.",
                feature="value.non_finite",
                suggestion="use a finite number or a string such as 'inf'.",
                path=path,
            )
        return float(value)
    if isinstance(value, (list, tuple)):
        return [plain(v, join(path, i), _depth=_depth + 1) for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise SpecError(f"mapping key {k!r} is not a string; W&B configs need string keys.", path=path)
            _text(k, path)
            out[k] = plain(v, join(path, k), _depth=_depth + 1)
        return out
    raise SpecError(
        f"{type(value).__name__} value {value!r} is neither a search-space expression nor a plain "
        "JSON value (None, bool, int, float, str, list, dict).",
        path=path,
    )


def _text(value: str, path: str) -> str:
    """`value` if it is valid Unicode (UTF-8 encodable); a lone surrogate is refused."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise SpecError(
                f"the string {value!r} holds a lone surrogate {value[exc.start]!r} at {exc.start}, which is not "
                "Unicode text and does not survive the UTF-8 JSON W&B sends configs as.",
                path=path,
            ) from None
    return value


def number(value: Any, what: str, *, integer: bool = False) -> int | float:
    """Return a finite real number (an int when `integer`), or raise SpecError naming `what`."""
    value = python_value(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(f"{what} must be a number, got {value!r}.")
    if isinstance(value, float) and not math.isfinite(value):
        raise SpecError(f"{what} must be finite, got {value!r}.")
    if integer:
        if isinstance(value, float):
            if not value.is_integer():
                raise SpecError(f"{what} must be an integer, got {value!r}.")
            return int(value)
        return int(value)
    return value


_EXPONENT = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$")


def yaml_number_hint(value: Any) -> str | None:
    """For a string that YAML 1.1 (PyYAML, which W&B reads) keeps as text but that is a number in
    JSON or Python (`1e-5`, `1.0e5`): a sentence saying how to write it as a number; else None."""
    if not isinstance(value, str) or not _EXPONENT.match(value):
        return None
    import yaml

    if not isinstance(yaml.safe_load(value), str):
        return None
    from decimal import Decimal

    mantissa, exponent = re.split("[eE]", value)
    mantissa = mantissa if "." in mantissa else f"{mantissa}.0"
    mantissa = mantissa if not mantissa.endswith(".") else f"{mantissa}0"
    exponent = exponent if exponent[0] in "+-" else f"+{exponent}"
    decimal = format(Decimal(value), "f")
    return (
        f"{value!r} is text, not a number, to YAML 1.1 (which W&B reads: a number needs a dot and a "
        f"signed exponent): write {mantissa}e{exponent} or {decimal}."
    )
