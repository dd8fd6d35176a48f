"""`validate(cfg)`: every problem in a sweep config, each naming its parameter path.

Two layers: our JSON Schema (schemas/wandb-sweep.schema.json) for shapes and types, then the
cross-field and method rules a schema cannot state (W&B checks some of these only at the top
level; we check every nesting level).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from . import schemas

SCHEMA = "wandb-sweep.schema.json"
DEPRECATED = {
    "log_uniform": "log_uniform_values",
    "q_log_uniform": "q_log_uniform_values",
    "inv_log_uniform": "inv_log_uniform_values",
}
"""W&B's exponent-bound kinds (violations in W&B's validator) → their value-bound successors."""


def _param_path(parts: list[Any]) -> str:
    """['parameters', 'a', 'parameters', 'b', 'min'] → 'a.b' (+ the field)."""
    names, field = [], []
    it = iter(parts)
    for part in it:
        if part == "parameters":
            nxt = next(it, None)
            if nxt is not None:
                names.append(str(nxt))
                field = []
            else:  # the parameters mapping itself (e.g. a bad name in it)
                field.append(part)
        else:
            field.append(str(part))
    where = ".".join(names)
    return f"{where} ({'.'.join(field)})" if where and field else where or ".".join(field) or "(top level)"


def _leaves(params: Any, prefix: str = "") -> Iterator[tuple[str, dict]]:
    if not isinstance(params, dict):
        return
    for name, spec in params.items():
        path = f"{prefix}.{name}" if prefix else str(name)
        if isinstance(spec, dict) and isinstance(spec.get("parameters"), dict) and len(spec) == 1:
            yield from _leaves(spec["parameters"], path)
        elif isinstance(spec, dict):
            yield path, spec


def _leaf_problems(path: str, spec: dict, method: Any) -> Iterator[str]:
    dist = spec.get("distribution")
    if dist in DEPRECATED:
        yield (
            f"{path}: distribution {dist} (natural-log exponent bounds) is deprecated in W&B; "
            f"use {DEPRECATED[dist]} with value bounds."
        )
    low, high = spec.get("min"), spec.get("max")
    if isinstance(low, (int, float)) and isinstance(high, (int, float)) and not low < high:
        yield f"{path}: min {low!r} is not less than max {high!r}."
    probs = spec.get("probabilities")
    if isinstance(probs, list) and isinstance(spec.get("values"), list):
        if len(probs) != len(spec["values"]):
            yield f"{path}: {len(probs)} probabilities for {len(spec['values'])} values."
        elif all(isinstance(p, (int, float)) and not isinstance(p, bool) for p in probs) and not math.isclose(
            sum(probs), 1.0, rel_tol=0, abs_tol=1e-8
        ):
            yield f"{path}: probabilities sum to {sum(probs)!r}, not 1."
    if method == "grid" and (probs is not None or not ({"value", "values"} & spec.keys())):
        yield (
            f"{path}: method grid enumerates only value/values without probabilities; "
            "use method random or bayes for distributions."
        )
    if method == "bayes" and probs is not None:
        yield f"{path}: W&B's bayes engine fails on values with probabilities; use method random."


def validate(cfg: Any) -> list[str]:
    """Every problem found in sweep config `cfg`; an empty list means valid."""
    if not isinstance(cfg, dict):
        return [f"a sweep config is a mapping, got {type(cfg).__name__}."]
    from jsonschema.exceptions import best_match

    try:
        # best_match descends into oneOf/anyOf failures to the error that names the nested field.
        errors = [best_match([err]) for err in schemas.validator(SCHEMA).iter_errors(cfg)]
        problems = [f"{_param_path(list(err.absolute_path))}: {err.message}" for err in errors]
    except RecursionError:
        return ["the config is nested too deeply to validate (W&B's validators would overflow too)."]
    method = cfg.get("method")
    leaves = list(_leaves(cfg.get("parameters")))
    for path, spec in leaves:
        problems.extend(_leaf_problems(path, spec, method))
    if method == "bayes" and leaves and all("value" in spec for _, spec in leaves):
        problems.append(
            "method bayes needs at least one parameter that varies (W&B's engine refuses constants only); "
            "use method grid or random."
        )
    if method == "bayes" and "metric" not in cfg:
        problems.append("method bayes needs a metric to model: pass metric=... (and goal).")
    if "early_terminate" in cfg and "metric" not in cfg:
        problems.append("early_terminate needs a metric to compare runs by: pass metric=....")
    return problems
