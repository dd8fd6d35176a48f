"""A tiny description of Python calls that can be both built (real objects) and rendered (source).

The reverse back-ends emit `Call` trees once; `build` evaluates them against the real library
and `render` prints the same tree as paste-able Python, so the two can never disagree.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Call:
    """`func(*args, **kwargs)`; `func` is a dotted name whose head is in `IMPORTS` (e.g. "hp.uniform")."""

    func: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Log:
    """math.log(value), rendered as such so users see the original bound."""

    value: float


@dataclass(frozen=True)
class Source:
    """A Python expression given as source (e.g. the lambda of a tune.sample_from): rendered as is,
    built by evaluating the same text, so the two cannot disagree. `uses`: the names it reads."""

    code: str
    uses: frozenset[str] = frozenset()


IMPORTS: dict[str, tuple[str, str | None, str]] = {
    "math": ("math", None, ""),
    "random": ("random", None, ""),
    "hp": ("hyperopt", "hp", "hyperopt"),
    "scope": ("hyperopt.pyll", "scope", "hyperopt"),
    "Literal": ("hyperopt.pyll", "Literal", "hyperopt"),
    "tune": ("ray", "tune", "ray"),
    "optuna": ("optuna", None, "optuna"),
    "nevergrad": ("nevergrad", None, "nevergrad"),
}
"""Name a tree may use → (module, attribute or None for the module itself, sweepbridge extra). Ray's searcher
and scheduler classes come from their homes (`tune.registry.RAY_IMPORTS`), passed as `more`."""

Imports = dict[str, tuple[str, "str | None", str]]


def namespace(used: set[str], more: Imports | None = None) -> dict[str, Any]:
    """Import the names `used` (from IMPORTS and `more`); a missing library raises ImportError naming the extra."""
    table = {**IMPORTS, **(more or {})}
    out: dict[str, Any] = {}
    for name in sorted(used):
        module, attr, extra = table[name]
        try:
            mod = importlib.import_module(module)
        except ImportError as exc:
            raise ImportError(
                f"this needs {module.split('.')[0]}, which is not installed: pip install 'sweepbridge[{extra}]'"
            ) from exc
        out[name] = mod if attr is None else getattr(mod, attr, None) or importlib.import_module(f"{module}.{attr}")
    return out


def import_lines(used: set[str], more: Imports | None = None) -> list[str]:
    """The import statements for the names `used` (plain imports first, one line per module)."""
    table = {**IMPORTS, **(more or {})}
    plain = sorted(table[n][0] for n in used if table[n][1] is None)
    froms: dict[str, list[str]] = {}
    for name in used:
        module, attr, _ = table[name]
        if attr is not None:
            froms.setdefault(module, []).append(attr)
    return [f"import {m}" for m in plain] + [
        f"from {m} import {', '.join(sorted(a))}" for m, a in sorted(froms.items())
    ]


def _resolve(name: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    head, *rest = name.split(".")
    obj = namespace[head]
    for part in rest:
        obj = getattr(obj, part)
    return obj


def build(tree: Any, namespace: dict[str, Any]) -> Any:
    """Evaluate `tree` (Calls, Logs, dicts, lists, plain values) with names from `namespace`."""
    if isinstance(tree, Call):
        func = _resolve(tree.func, namespace)
        return func(*(build(a, namespace) for a in tree.args), **{k: build(v, namespace) for k, v in tree.kwargs})
    if isinstance(tree, Log):
        return math.log(tree.value)
    if isinstance(tree, Source):
        return eval(tree.code, {name: namespace[name] for name in tree.uses})  # noqa: S307 - our own generated source
    if isinstance(tree, dict):
        return {k: build(v, namespace) for k, v in tree.items()}
    if isinstance(tree, list):
        return [build(v, namespace) for v in tree]
    if isinstance(tree, tuple):
        return tuple(build(v, namespace) for v in tree)
    return tree


def render(tree: Any, indent: int = 0) -> str:
    """Python source for `tree`; floats use repr, which round-trips exactly."""
    pad = "    " * (indent + 1)
    if isinstance(tree, Call):
        args = [render(a, indent) for a in tree.args] + [f"{k}={render(v, indent)}" for k, v in tree.kwargs]
        return f"{tree.func}({', '.join(args)})"
    if isinstance(tree, Log):
        return f"math.log({tree.value!r})"
    if isinstance(tree, Source):
        return tree.code
    if isinstance(tree, dict) and tree:
        items = "".join(f"{pad}{k!r}: {render(v, indent + 1)},\n" for k, v in tree.items())
        return "{\n" + items + "    " * indent + "}"
    if isinstance(tree, list):
        return "[" + ", ".join(render(v, indent) for v in tree) + "]"
    if isinstance(tree, tuple):
        return "(" + ", ".join(render(v, indent) for v in tree) + ("," if len(tree) == 1 else "") + ")"
    return repr(tree)


def names(tree: Any) -> set[str]:
    """Top-level names `tree` uses (to write its imports)."""
    if isinstance(tree, Call):
        return {tree.func.split(".")[0]}.union(*(names(a) for a in tree.args), *(names(v) for _, v in tree.kwargs))
    if isinstance(tree, Log):
        return {"math"}
    if isinstance(tree, Source):
        return set(tree.uses)
    if isinstance(tree, dict):
        return set().union(*(names(v) for v in tree.values()))
    if isinstance(tree, (list, tuple)):
        return set().union(*(names(v) for v in tree))
    return set()


def unsupported(node: Any, path: str) -> Any:
    """The emitter of `distributions.Unsupported`: what a front-end built but refused, raised at `path`."""
    raise node.error(path)


def dispatch(
    node: Any, path: str, emitters: dict[type, Callable[[Any, str], Any]], refused: dict[type, str], target: str
) -> Any:
    """The calls tree for IR `node` at parameter `path`: a refusal (compat row by kind) or its emitter
    (both tables keyed by the node's class)."""
    from .. import compat
    from ..errors import SpecError, SweepBridgeError

    if type(node) in refused:
        raise compat.refuse(refused[type(node)], f"It is a {node.kind} distribution.", path=path or None)
    emitter = emitters.get(type(node))
    if emitter is None:
        raise SpecError(f"a {node.kind} node has no {target} translation.", path=path or None)
    try:
        return emitter(node, path)
    except SweepBridgeError as exc:
        raise exc.at(path) from None
