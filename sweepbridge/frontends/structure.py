"""Walk a Python search space (dicts, lists, tuples, constants, expressions) into the IR.

Foreign expression objects (real hyperopt, real Ray Tune) are handed to adapters chosen by the
object's module, imported only when such an object is seen, so this module stays light.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from collections.abc import Mapping as AbcMapping
from contextlib import contextmanager
from typing import Any

from .. import compat
from .. import distributions as d
from ..errors import SpecError, SweepBridgeError
from ..param_path import join
from ..ray_rules import GRID_MARKER
from ..validation import MAX_NESTING
from ..values import plain
from .expression import Expression

ADAPTERS: dict[str, str] = {
    "hyperopt": "sweepbridge.frontends.hyperopt_pyll:convert",
    "ray": "sweepbridge.frontends.ray_domains:convert",
}
"""Top-level module of a foreign object's type → "module:function" converting it."""

ONE_KEY_MAPPINGS: dict[str, str] = {
    GRID_MARKER: "sweepbridge.frontends.ray_domains:grid_search",
}
"""A dict whose only key is one of these is a source's marker (Ray's `tune.grid_search` returns
{"grid_search": values}), converted by "module:function"(value, builder, path)."""

Adapter = Callable[[Any, "SpaceBuilder", str], d.Node]
MAX_DEPTH = MAX_NESTING
"""Most dicts / lists a space may nest (W&B's nested `parameters`, which its validators recurse into;
~100 levels overflow them), as `validate` counts: leaves and the IR nodes adapters build do not count."""


def _load(target: str) -> Any:
    module, func = target.split(":")
    return getattr(importlib.import_module(module), func)


def _adapter(obj: Any) -> Adapter | None:
    target = ADAPTERS.get(type(obj).__module__.split(".", 1)[0])
    return None if target is None else _load(target)


class SpaceBuilder:
    """Converts one space; tracks labels so duplicates and shared expressions are caught.

    `defer`: keep `d.Unsupported` nodes (the mirror's operators build options before they have a
    path); otherwise each is refused at its parameter path. `origins` collects the mirror expressions'
    derived nodes met (what a choice built from them carries on, see `Expression.origins`).
    """

    def __init__(self, *, defer: bool = False) -> None:
        self._labels: dict[str, tuple[int, str]] = {}
        self._depth = 0
        self.defer = defer
        self.origins: tuple[tuple[d.Node, d.Node], ...] = ()

    def node(self, obj: Any, path: str = "") -> d.Node:
        try:
            return self._node(obj, path)
        except SweepBridgeError as exc:
            raise exc.at(path) from None

    @contextmanager
    def _level(self, path: str) -> Iterator[None]:
        """One more level of dicts / lists (at most MAX_DEPTH)."""
        if self._depth >= MAX_DEPTH:
            raise SpecError(f"the space is nested more than {MAX_DEPTH} levels deep.", path=path)
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1

    def _node(self, obj: Any, path: str) -> d.Node:
        if isinstance(obj, Expression):
            self.origins += obj.origins
            return self._ir(obj.node, path, obj.sources())
        if isinstance(obj, d.Node):
            return self._ir(obj, path, lambda node: node)
        if isinstance(obj, AbcMapping):
            if len(obj) == 1 and next(iter(obj)) in ONE_KEY_MAPPINGS:
                key = next(iter(obj))
                return _load(ONE_KEY_MAPPINGS[key])(obj[key], self, path)
            return self.mapping(obj.items(), path)
        if isinstance(obj, (list, tuple)):
            return self.sequence(obj, path)
        adapter = _adapter(obj)
        if adapter is not None:
            return adapter(obj, self, path)
        return d.Constant(plain(obj, path))

    def _ir(self, node: d.Node, path: str, source: Callable[[d.Node], d.Node]) -> d.Node:
        """An IR node as given; each labelled part registered under the draw it is (`source`)."""
        for sub_path, child in d.walk(node, path):
            if isinstance(child, d.Unsupported) and not self.defer:
                raise child.error(sub_path)
            self.register(child, source(child), sub_path)
        return node

    def mapping(self, items: Any, path: str) -> d.Node:
        fields = []
        with self._level(path):
            for key, value in items:
                if not isinstance(key, str):
                    raise SpecError(f"key {key!r} is not a string; sweep parameters are named by strings.", path=path)
                fields.append((key, self.node(value, join(path, key))))
        return d.mapping(fields)

    def sequence(self, items: Any, path: str) -> d.Node:
        with self._level(path):
            return d.sequence([self.node(v, join(path, i)) for i, v in enumerate(items)])

    def register(self, node: d.Node, source: Any, path: str) -> None:
        """Record `node`'s label as drawn by `source`; see `register_label`."""
        if node.label is not None:
            self.register_label(node.label, source, path)

    def register_label(self, label: str, source: Any, path: str) -> None:
        """Record hyperopt label `label` drawn by `source` (an object whose identity is the draw) at `path`:
        the same draw used twice is refused (space.shared), two draws with one label are an error."""
        seen = self._labels.get(label)
        if seen is None:
            self._labels[label] = (id(source), path)
        elif seen[0] == id(source):
            raise compat.refuse(
                "space.shared",
                f"Label {label!r} is used at {seen[1] or 'the root'} and at {path or 'the root'}.",
                path=path,
            )
        else:
            raise SpecError(
                f"duplicate label {label!r} (also used at {seen[1] or 'the root'}); hyperopt requires unique labels.",
                path=path,
            )


def parse_space(space: Any) -> d.Node:
    """Convert any supported space object into an IR node."""
    return SpaceBuilder().node(space)
