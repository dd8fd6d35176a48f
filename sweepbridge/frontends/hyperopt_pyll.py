"""Adapter: real hyperopt pyll graphs (what `hyperopt.hp.*` returns) → IR.

Recognises the graph shapes `hyperopt.pyll_utils` builds for the twelve `hp` operators, dict/list
literals, and arithmetic over them with an exact W&B form (`sweepbridge.arithmetic`, shared with the
mirror `hp`); any other pyll node is an arbitrary expression and is refused.
"""

from __future__ import annotations

from typing import Any

from .. import arithmetic, compat
from .. import distributions as d
from ..errors import SpecError, SweepBridgeError
from .hyperopt_ops import OPS, call
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


def _hyperopt_param(apply: Any, builder: SpaceBuilder, path: str) -> d.Node:
    """hyperopt_param(label, <operator>(...)): one of the twelve operators' distributions."""
    label, name, args = _param(apply, path)
    if name not in OPS:
        raise compat.refuse("hyperopt.expression", f"Found a {name} parameter.", path=path)
    node = call(name, label, (), args)
    builder.register(node, apply, path)
    return node


def _arithmetic(apply: Any, builder: SpaceBuilder, path: str) -> d.Node:
    """add / sub / mul / ... / int / float over expressions and literals (`hp.randint(...) + 1`, and
    the `float(...)` / `int(...)` every hp operator wraps its parameter in): the shared exact rules."""
    if apply.named_args:
        raise compat.refuse("hyperopt.expression", f"scope.{apply.name} with keyword arguments.", path=path)
    operands = [builder.node(a, path) for a in apply.pos_args]
    try:
        return arithmetic.apply(apply.name, operands)
    except SweepBridgeError as exc:
        raise exc.at(path) from None


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
    builder.register_label(label, index, path)  # before its options, as the mirror's choice (walked first)
    nodes = tuple(builder.node(o, f"{path}[option {i}]") for i, o in enumerate(options))
    try:
        return d.Choice(nodes, probabilities, label=label)
    except SpecError as exc:
        raise exc.at(label) from None


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
    if obj.name == "hyperopt_param":
        return _hyperopt_param(obj, builder, path)
    if obj.name in arithmetic.OPS:
        return _arithmetic(obj, builder, path)
    raise compat.refuse("hyperopt.expression", f"Found scope.{obj.name}(...).", path=path)
