"""Ray's flat names: "a/b" for config["a"]["b"] — `nest` as Ray's `unflatten_dict` (searchers' own
spaces and points use flat names; Ray nests each suggestion again before the trial sees it) and
`flatten` as Ray's `flatten_dict` (what stop criteria are matched against). Light: the trial
runtime imports it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


def flatten(tree: Mapping[Any, Any], delimiter: str = "/", *, keep_empty: bool = False) -> dict[Any, Any]:
    """Nested dicts as flat names, as Ray's `flatten_dict(tree, delimiter)` gives them: one level per
    pass, each nested name appended after the names already flat and replacing one given flat
    ({"a/b": 1, "a": {"b": 2}} → {"a/b": 2}), an empty dict dropped. `keep_empty`: an empty dict
    stays a value (a table column) instead. The input is not changed."""
    flat = dict(tree)

    def expands(value: Any) -> bool:
        return isinstance(value, dict) and (bool(value) or not keep_empty)

    while any(expands(v) for v in flat.values()):
        add: dict[Any, Any] = {}
        remove = []
        for key, value in flat.items():
            if expands(value):
                for sub, v in value.items():
                    add[f"{key}{delimiter}{sub}"] = v
                remove.append(key)
        flat.update(add)
        for key in remove:
            del flat[key]
    return flat
