"""The IR as plain JSON data and back (what a generated scheduler source embeds, so it reads back exactly)."""

from __future__ import annotations

import dataclasses
from typing import Any

from . import distributions as d
from .errors import SpecError, SweepBridgeError

_CHILDREN = {"options", "items"}
"""Fields holding child nodes (a tuple of nodes); Mapping's `fields` holds (key, node) pairs."""


def to_data(node: d.Node) -> dict[str, Any]:
    """`node` as JSON-able data: {"kind": ..., its fields...}; labels kept, subclasses as their kind."""
    cls = d.BY_KIND[node.kind]
    out: dict[str, Any] = {"kind": node.kind}
    if node.label is not None:
        out["label"] = node.label
    for f in dataclasses.fields(cls):
        if f.name == "label":
            continue
        value = getattr(node, f.name)
        if f.name in _CHILDREN:
            value = [to_data(child) for child in value]
        elif f.name == "fields":
            value = [[key, to_data(child)] for key, child in value]
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


def from_data(data: Any, path: str = "") -> d.Node:
    """The IR node `to_data` produced (validated again by the node classes); SpecError otherwise."""
    if not isinstance(data, dict) or data.get("kind") not in d.BY_KIND:
        raise SpecError(f"not a sweepbridge IR node: {str(data)[:80]!r}.", path=path or None)
    if data.get("kind") == "finite" and "log_integer" in data:
        data = _log_integer(data, path)
    cls = d.BY_KIND[data["kind"]]
    names = {f.name for f in dataclasses.fields(cls)} - {"label"}
    extra = set(data) - names - {"kind", "label"}
    if extra:
        raise SpecError(f"{data['kind']} has no field {sorted(extra)}.", path=path or None)
    kwargs: dict[str, Any] = {}
    for name in names & set(data):
        value = data[name]
        if name in _CHILDREN:
            value = tuple(from_data(child, f"{path}[{i}]") for i, child in enumerate(_list(value, path)))
        elif name == "fields":
            value = tuple((_key(pair, path), from_data(pair[1], f"{path}.{pair[0]}")) for pair in _list(value, path))
        elif name in ("values", "probabilities") and isinstance(value, list):
            value = tuple(value)
        elif name == "probabilities" and value is not None:
            raise SpecError("probabilities must be a list.", path=path or None)
        kwargs[name] = value
    if data.get("label") is not None:
        kwargs["label"] = str(data["label"])
    try:
        return cls(**kwargs)
    except (TypeError, SweepBridgeError) as exc:
        raise SpecError(f"invalid {data['kind']}: {exc}", path=path or None) from None


def _log_integer(data: dict[str, Any], path: str) -> dict[str, Any]:
    """An earlier SPEC's (q)lograndint (its pmf as a finite kind, with `log_integer`: [low, high, q]) as
    today's log_integer data."""
    bounds = data["log_integer"]
    if not (isinstance(bounds, list) and len(bounds) == 3 and all(type(v) is int for v in bounds)):
        raise SpecError("log_integer is [index_low, index_high, q].", path=path or None)
    low, high, q = bounds
    legacy = {k: data[k] for k in ("label", "source") if k in data}
    return {"kind": "log_integer", "low": low, "high": high, "q": q, **legacy}


def _list(value: Any, path: str) -> list:
    if not isinstance(value, list):
        raise SpecError(f"expected a list, got {type(value).__name__}.", path=path or None)
    return value


def _key(pair: Any, path: str) -> str:
    if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
        raise SpecError("a mapping field is a [name, node] pair.", path=path or None)
    return pair[0]
