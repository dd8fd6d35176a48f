"""Adapter: real hyperopt pyll graphs (what `hyperopt.hp.*` returns) → IR.

Recognises exactly the graph shapes `hyperopt.pyll_utils` builds for the twelve `hp` operators,
plus dict/list literals; any other pyll node is an arbitrary expression and is refused.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import compat
from .. import distributions as d
from ..errors import SpecError
from .hyperopt_ops import OPS, _labelled, call
from .structure import SpaceBuilder


def _literal(apply: Any, what: str, path: str) -> Any:
    """The Python value of a literal argument (a pos_args of literals becomes a list)."""
    from hyperopt.pyll.base import Literal

    if isinstance(apply, Literal):
        return apply.obj
    if getattr(apply, "name", None) == "pos_args":
        return [_literal(a, what, path) for a in apply.pos_args]
    raise compat.refuse("hyperopt.expression", f"Its {what} is computed by a pyll expression.", path=path)


def _args(dist: Any, path: str) -> dict[str, Any]:
    from hyperopt.pyll.base import MissingArgument

    return {
        name: _literal(value, name, path)
        for name, value in dist.arg.items()
        if value is not MissingArgument and name not in ("rng", "size")
    }


def _param(apply: Any, path: str) -> tuple[str, Any, dict[str, Any]]:
    """(label, distribution name, args) of a hyperopt_param node."""
    label = _literal(apply.arg["label"], "label", path)
    if not isinstance(label, str):
        raise SpecError(f"hyperopt labels are strings, got {label!r}.", path=path)
    dist = apply.arg["obj"]
    return label, dist.name, _args(dist, path)


INT_Q_OPS = frozenset({"quniform", "qloguniform", "qnormal", "qlognormal"})
"""Quantized operators whose value int() keeps exact when q is a whole number."""


def _distribution(apply: Any, builder: SpaceBuilder, path: str) -> d.Node:
    """float(hyperopt_param(...)), int(hyperopt_param(randint)) or int(float(hyperopt_param(q-op, whole q)))."""
    inner = apply.pos_args[0] if apply.name in ("float", "int") and apply.pos_args else apply
    as_int = apply.name == "int"
    if as_int and inner.name == "float" and inner.pos_args:
        inner = inner.pos_args[0]
    if inner.name != "hyperopt_param":
        raise compat.refuse("hyperopt.expression", f"Found scope.{apply.name}(...).", path=path)
    label, name, args = _param(inner, path)
    integer = as_int and name in INT_Q_OPS
    if integer and not float(args.get("q", 1.0)).is_integer():
        raise compat.refuse("hyperopt.expression", f"int({name}) with the non-integer q {args['q']!r}.", path=path)
    if name not in OPS or (as_int != (name == "randint") and not integer):
        raise compat.refuse("hyperopt.expression", f"Found a {apply.name}({name}) parameter.", path=path)
    node = call(name, label, (), args)
    if integer:  # scope.int(q-op) with a whole q (hp.uniformint is q=1): W&B's int q
        node = _labelled(dataclasses.replace(node, integer=True), label)
    builder.register(node, inner, path)
    return node


def _switch(apply: Any, builder: SpaceBuilder, path: str) -> d.Node:
    """hp.choice / hp.pchoice: switch(hyperopt_param(label, randint(n) | categorical(p)), *options)."""
    index, *options = apply.pos_args
    if getattr(index, "name", None) != "hyperopt_param":
        raise compat.refuse("hyperopt.expression", "A switch whose index is not a labelled parameter.", path=path)
    label, name, args = _param(index, path)
    if name == "categorical":
        probabilities = tuple(args["p"])
    elif name == "randint":
        probabilities = None
    else:
        raise compat.refuse("hyperopt.expression", f"A switch indexed by {name}.", path=path)
    nodes = tuple(builder.node(o, f"{path}[option {i}]") for i, o in enumerate(options))
    try:
        node = d.Choice(nodes, probabilities, label=label)
    except SpecError as exc:
        raise exc.at(label) from None
    builder.register(node, index, path)
    return node


def _dict_items(apply: Any, path: str) -> list[tuple[Any, Any]]:
    """A pyll dict's (key, value) pairs: its named_args, or, when some key is not a string,
    the (key, value) pos_args pairs `as_apply` builds instead (the builder then refuses the key)."""
    if not apply.pos_args:
        return list(apply.named_args)
    pairs = apply.pos_args[0]
    if len(apply.pos_args) != 1 or getattr(pairs, "name", None) != "pos_args":
        raise compat.refuse("hyperopt.expression", "A dict built by a pyll expression.", path=path)
    return [(_literal(pair.pos_args[0], "key", path), pair.pos_args[1]) for pair in pairs.pos_args]


def convert(obj: Any, builder: SpaceBuilder, path: str) -> d.Node:
    from hyperopt.pyll.base import Apply, Literal

    if isinstance(obj, Literal):
        return builder.node(obj.obj, path)
    if not isinstance(obj, Apply):
        raise SpecError(f"unrecognised hyperopt object {type(obj).__name__}.", path=path)
    if obj.name == "dict":
        return builder.mapping(_dict_items(obj, path), path)
    if obj.name == "pos_args":
        return builder.sequence(obj.pos_args, path)
    if obj.name == "switch":
        return _switch(obj, builder, path)
    return _distribution(obj, builder, path)
