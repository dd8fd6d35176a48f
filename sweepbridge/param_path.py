"""Parameter paths as text: how messages name a place in a space, a spec or a sweep config.

One format: keys joined with ".", list positions as "[i]", and a key holding a "." in brackets and
quotes, so that the path names it unambiguously: `model.layers[0]`,
`tune.search_alg["hyperopt.HyperOptSearch"].space`. The empty path is "" (`TOP` where it is shown
on its own). W&B's own parameter names (`validation.parameter_leaves`) and the names generated
sources give parameters are names, not this text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

TOP = "(top level)"
"""The empty path, where a message shows the path on its own."""


def join(path: str, key: Any) -> str:
    """The path of `key` inside `path`: "a" + "b" → "a.b", "a" + 0 → "a[0]", "" + "b" → "b",
    "a" + "x.y" → 'a["x.y"]'. Any other key is shown as its text."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{path}[{key}]"
    key = str(key)
    if "." in key:
        return f'{path}["{key}"]'
    return f"{path}.{key}" if path else key


def text(parts: Iterable[Any]) -> str:
    """A path given as its parts: ("model", "layers", 0) → "model.layers[0]"; () → ""."""
    out = ""
    for part in parts:
        out = join(out, part)
    return out


def sweep_text(parts: Sequence[Any]) -> str:
    """A place in a W&B sweep config given as its parts, named by parameter path: the `parameters`
    levels name parameters, the rest is the field, in parentheses:
    ("parameters", "a", "parameters", "b", "min") → "a.b (min)"; ("method",) → "method"; () → TOP."""
    names: list[Any] = []
    field: list[Any] = []
    it = iter(parts)
    end = object()
    for part in it:
        if part == "parameters":
            nxt = next(it, end)
            if nxt is not end:
                names.append(str(nxt))
                field = []
            else:  # the parameters mapping itself (e.g. a bad name in it)
                field.append(part)
        else:
            field.append(part)
    where, what = text(names), text(field)
    return f"{where} ({what})" if where and what else where or what or TOP
