"""Ray's flat parameter names: "a/b" for config["a"]["b"] (searchers' own spaces and points use them;
Ray's `unflatten_dict` nests each suggestion again before the trial sees it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class KeyClash(ValueError):
    """A flat name nests under a value, or names a parameter twice; `.key` is the name."""

    def __init__(self, key: Any) -> None:
        super().__init__(key)
        self.key = key


def names_a_list_position(key: Any) -> bool:
    """A flat name with an empty or all-digit part ("a/0/b"): Ray's name for a list item, which nesting
    would turn into a dict key."""
    return isinstance(key, str) and any(part.isdigit() or not part for part in key.split("/"))


def nest(items: Iterable[tuple[Any, Any]]) -> dict[Any, Any]:
    """(flat name, value) pairs as nested dicts, as Ray's `unflatten_dict` nests them ("a/b" → {"a": {"b": v}});
    a name that is not a string stays one key. KeyClash where two names collide."""
    out: dict[Any, Any] = {}
    for key, value in items:
        *parents, leaf = key.split("/") if isinstance(key, str) else [key]
        where = out
        for part in parents:
            where = where.setdefault(part, {})
            if not isinstance(where, dict):
                raise KeyClash(key)
        if leaf in where:
            raise KeyClash(key)
        where[leaf] = value
    return out
