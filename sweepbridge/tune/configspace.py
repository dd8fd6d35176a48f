"""A `ConfigSpace.ConfigurationSpace` (TuneBOHB's own space) → Tune-domain IR nodes, where exact.

`RULES` maps a hyperparameter class to the node sampling what ConfigSpace samples (its prior: BOHB's
random configurations). Names with "/" nest, as Ray's TuneBOHB unflattens them. Anything else, and
conditions or forbidden clauses, is refused naming the hyperparameter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import compat
from .. import distributions as d
from ..frontends import ray_ops
from . import flat_keys

PATH = "search_alg.space"


def is_configspace(obj: Any) -> bool:
    return type(obj).__module__.split(".", 1)[0] == "ConfigSpace"


def _float(h: Any) -> d.Node | None:
    if getattr(h, "q", None) is not None:  # ConfigSpace < 1.0 had quantized floats
        return None
    return (ray_ops.loguniform if h.log else ray_ops.uniform)(float(h.lower), float(h.upper))


def _integer(h: Any) -> d.Node | None:
    if h.log or getattr(h, "q", None) is not None:  # log: a discretized log density, not Ray's lograndint
        return None
    return ray_ops.randint(int(h.lower), int(h.upper) + 1)


def _categorical(h: Any) -> d.Node:
    weights = getattr(h, "weights", None)
    probabilities = None
    if weights is not None and len(set(weights)) > 1:
        probabilities = tuple(float(p) for p in h.probabilities)
    return d.Choice(tuple(d.Constant(v) for v in h.choices), probabilities)


RULES: dict[str, Callable[[Any], d.Node | None]] = {
    "UniformFloatHyperparameter": _float,
    "UniformIntegerHyperparameter": _integer,
    "CategoricalHyperparameter": _categorical,
    "OrdinalHyperparameter": lambda h: d.Choice(tuple(d.Constant(v) for v in h.sequence)),  # sampled uniformly
    "Constant": lambda h: d.Constant(h.value),
}
"""Hyperparameter class name → its node (None: that instance is not exact)."""


def _hyperparameters(space: Any) -> list[Any]:
    return list(space.values()) if hasattr(space, "values") else list(space.get_hyperparameters())


def to_tune(space: Any) -> dict[str, Any]:
    """`space` as the dict of Tune domains it samples (nested at "/"), or UnsupportedFeatureError."""
    clauses = list(getattr(space, "conditions", []) or []) + list(getattr(space, "forbidden_clauses", []) or [])
    if clauses:
        raise compat.refuse("optuna.search.bohb.configspace.other", f"It has {clauses[0]!r}.", path=PATH)
    pairs = []
    for h in _hyperparameters(space):
        rule = RULES.get(type(h).__name__)
        node = rule(h) if rule else None
        if node is None or flat_keys.names_a_list_position(h.name):
            raise compat.refuse("optuna.search.bohb.configspace.other", f"Got {h!r}.", path=f"{PATH}.{h.name}")
        pairs.append((h.name, node))
    try:
        return flat_keys.nest(pairs)
    except flat_keys.KeyClash as clash:
        raise compat.refuse("optuna.search.bohb.configspace.other", f"{clash.key} clashes with another name.",
                            path=f"{PATH}.{clash.key}") from None  # fmt: skip


def nest_point(point: Any) -> Any:
    """A points_to_evaluate entry as Ray's TuneBOHB gives it to the trial: "a/b" keys nested (unflattened);
    anything else, list positions included, left for the points check to accept or refuse."""
    if not isinstance(point, dict) or not any(isinstance(k, str) and "/" in k for k in point):
        return point
    if any(flat_keys.names_a_list_position(k) for k in point):
        return point
    try:
        return flat_keys.nest(point.items())
    except flat_keys.KeyClash:
        return point


KEPT: dict[type, Callable[[Any], bool]] = {
    d.Constant: lambda n: True,
    d.Mapping: lambda n: True,
    d.Sequence: lambda n: True,
    d.Uniform: lambda n: True,
    d.LogUniform: lambda n: True,
    d.IntUniform: lambda n: n.step == 1,
    d.Choice: lambda n: not n.is_conditional,
}
"""IR node type → whether Ray's TuneBOHB.convert_search_space keeps its distribution (exact type match)."""


def check_bohb_space(space: d.Node) -> None:
    """Refuse, naming the parameter, a Tune domain Ray's TuneBOHB samples otherwise (its ConfigSpace
    converter drops quantization, samples lograndint by ConfigSpace's own log rule, refuses normals)."""
    for path, node in d.walk(space):
        keep = KEPT.get(type(node))
        if keep is None or not keep(node):
            raise compat.refuse("optuna.search.bohb.space", f"Got a {node.kind} domain.", path=path)
