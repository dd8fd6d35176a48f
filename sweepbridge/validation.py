"""`validate(cfg)`: every problem in a sweep config, each naming its parameter path.

Two layers: our JSON Schema (schemas/wandb-sweep.schema.json) for shapes and types, then the
cross-field and method rules a schema cannot state (W&B checks some of these only at the top
level; we check every nesting level).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from . import hyperband, schemas
from .errors import SweepBridgeError
from .param_path import sweep_text
from .spelling import unknown
from .values import plain

SCHEMA = "wandb-sweep.schema.json"
DEPRECATED = {
    "log_uniform": "log_uniform_values",
    "q_log_uniform": "q_log_uniform_values",
    "inv_log_uniform": "inv_log_uniform_values",
}
"""W&B's exponent-bound kinds (violations in W&B's validator) → their value-bound successors."""


def _param_path(parts: list[Any]) -> str:
    """['parameters', 'a', 'parameters', 'b', 'min'] → 'a.b (min)' (`param_path.sweep_text`)."""
    return sweep_text(parts)


MAX_NESTING = 64
"""Deepest `parameters` nesting we accept: W&B's validator and engine overflow Python's stack near 100."""


def _nesting(params: Any) -> int:
    """How deeply `parameters` mappings nest (iteratively: the input may be arbitrarily deep)."""
    deepest, stack = 0, [(params, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            deepest = max(deepest, depth)
            stack.extend(
                (spec["parameters"], depth + 1)
                for spec in current.values()
                if isinstance(spec, dict) and "parameters" in spec
            )
    return deepest


def parameter_leaves(params: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(key path, spec) of every parameter of a sweep's `parameters`, following nested
    `{"parameters": {...}}` groups (a spec with other keys beside `parameters` is a leaf, as W&B's
    schema reads it). Paths are tuples: W&B names may themselves contain dots."""
    if not isinstance(params, Mapping):
        return
    for name, spec in params.items():
        path = (*prefix, str(name))
        if isinstance(spec, Mapping) and isinstance(spec.get("parameters"), Mapping) and len(spec) == 1:
            yield from parameter_leaves(spec["parameters"], path)
        else:
            yield path, spec


def _leaves(params: Any) -> Iterator[tuple[str, dict]]:
    for path, spec in parameter_leaves(params):
        if isinstance(spec, dict):
            yield ".".join(path), spec


def _grid_range(spec: dict) -> bool:
    """int_uniform / q_uniform (explicit, or int_uniform inferred from integer min/max): W&B's grid
    enumerates them (sweepbridge never emits them under grid: q_uniform enumerates differently)."""
    dist = spec.get("distribution")
    if dist is None:
        return all(isinstance(spec.get(k), int) and not isinstance(spec.get(k), bool) for k in ("min", "max"))
    return dist in ("int_uniform", "q_uniform")


INT64 = (-(2**63), 2**63 - 1)
"""W&B's engine computes min/max/mu/sigma/q/a/b with numpy: integers must fit in 64 bits."""
NUMERIC_FIELDS = ("min", "max", "mu", "sigma", "q", "a", "b")


def _leaf_problems(path: str, spec: dict, method: Any) -> Iterator[str]:
    for key in NUMERIC_FIELDS:
        value = spec.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and not INT64[0] <= value <= INT64[1]:
            yield (
                f"{path}: {key} {value} does not fit in 64 bits, which W&B's numpy engine computes with; "
                "use a float or a smaller integer."
            )
    dist = spec.get("distribution")
    if isinstance(dist, str) and dist in DEPRECATED:
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
    if method == "grid" and (probs is not None or not ({"value", "values"} & spec.keys() or _grid_range(spec))):
        yield (
            f"{path}: method grid enumerates only value/values (and W&B's int_uniform / q_uniform ranges) "
            "without probabilities; use method random or bayes for distributions."
        )
    if method == "bayes" and probs is not None:
        yield f"{path}: W&B's bayes engine fails on values with probabilities; use method random."


@cache
def _dispatch() -> tuple[Any, Any, Any, dict[str, Any], Any, dict[frozenset, Any], frozenset[str]] | None:
    """Validators for the schema's parts, so each parameter is checked against its own kind only.

    The parameter schema is `if distribution then allOf[if distribution == D then S_D] else E`:
    validating a parameter whose distribution is D against S_D alone (or against E when it has
    none) is equivalent, and ~10x faster than letting jsonschema try all fifteen `if`s. E is a
    `oneOf` whose branches each take exactly their required keys (additionalProperties false), so
    a parameter with exactly branch B's keys is valid under E iff valid under B alone. Returns
    (top level without parameters, a parameters mapping's own rules, full parameter, {D: S_D}, E,
    {keys: B}, every key some parameter kind takes), or None when the schema no longer has that
    shape (then the whole schema is used).
    """
    full = schemas.validator(SCHEMA)
    schema = schemas.load(SCHEMA)
    try:
        param = schema["$defs"]["parameter"]
        by_kind = {b["if"]["properties"]["distribution"]["const"]: b["then"] for b in param["then"]["allOf"]}
        mapping = {k: v for k, v in schema["$defs"]["parameters"].items() if k != "additionalProperties"}
        top = {**schema, "properties": {**schema["properties"], "parameters": True}}
        by_keys = {
            frozenset(b["required"]): b
            for b in param["else"].get("oneOf", [])
            if b.get("additionalProperties") is False and set(b["required"]) == set(b.get("properties", {}))
        }
        known = frozenset(k for b in [*param["then"]["allOf"], *param["else"].get("oneOf", [])] for k in _keys(b))
    except (KeyError, TypeError):
        return None
    sub = full.evolve  # keeps the root resource, so any $ref still resolves against the whole schema
    return (
        sub(schema=top),
        sub(schema=mapping),
        sub(schema=param),
        {kind: sub(schema=then) for kind, then in by_kind.items()},
        sub(schema=param["else"]),
        {keys: sub(schema=branch) for keys, branch in by_keys.items()},
        known | {"distribution", "parameters"},
    )


def _keys(branch: dict[str, Any]) -> list[str]:
    """The keys one kind's schema (an if/then, or a plain branch) takes."""
    return list(branch.get("then", branch).get("properties", {}))


def _parameters_errors(params: Any, where: list[Any], parts: tuple) -> Iterator[tuple[list[Any], Any]]:
    """(location, jsonschema error or a problem's text) of every problem in a `parameters` mapping."""
    mapping_rules, whole, by_kind, plain_kind, by_keys, known = parts
    for err in mapping_rules.iter_errors(params):  # type, at least one, names
        yield where, err
    if not isinstance(params, dict):
        return
    for name, spec in params.items():
        here = [*where, name]
        if isinstance(spec, dict) and spec.keys() == {"parameters"}:
            yield from _parameters_errors(spec["parameters"], [*here, "parameters"], parts)
            continue
        extra = [k for k in spec if k not in known] if isinstance(spec, dict) else []
        if extra:  # a misspelled key: say so, not that the spec fits none of the kinds
            yield here, unknown(extra, known)
            continue
        kind = spec.get("distribution") if isinstance(spec, dict) else None
        if isinstance(kind, str) and kind in by_kind:
            validator = by_kind[kind]
        elif isinstance(spec, dict) and "distribution" not in spec and "parameters" not in spec:
            validator = by_keys.get(frozenset(spec), plain_kind)
        else:
            validator = whole
        for err in validator.iter_errors(spec):
            yield here, err


def _schema_problems(cfg: dict) -> list[str]:
    """Problems our JSON Schema finds, each with its parameter path."""
    from jsonschema.exceptions import best_match

    dispatch = _dispatch()
    if dispatch is None:
        located = [([], err) for err in schemas.validator(SCHEMA).iter_errors(cfg)]
    else:
        top, *parts = dispatch
        located = [([], err) for err in top.iter_errors(cfg)]
        if "parameters" in cfg:
            located += _parameters_errors(cfg["parameters"], ["parameters"], tuple(parts))
    # best_match descends into oneOf/anyOf failures to the error that names the nested field.
    from .values import yaml_number_hint

    problems = []
    for where, err in located:
        if isinstance(err, str):
            problems.append(f"{_param_path(where)}: {err}")
            continue
        err = best_match([err])
        hint = yaml_number_hint(err.instance) if err.validator == "type" else None
        problems.append(f"{_param_path([*where, *err.absolute_path])}: {hint or schemas.message(err)}")
    return problems


def _metrics_problems(cfg: dict[str, Any]) -> list[str]:
    """W&B's rules for a multi-objective sweep (sweeps' config checks): `metrics` alone, under `method: custom`,
    each metric named once."""
    if "metrics" not in cfg:
        return []
    if "metric" in cfg:
        return ["`metric` and `metrics` cannot both be set: use `metric` for a single objective, or `metrics` for "
                "multi-objective optimization."]  # fmt: skip
    problems = []
    if cfg.get("method") != "custom":
        problems.append(
            f"`metrics` requires `method: custom` (got `method: {cfg.get('method')}`): W&B's own engine optimizes "
            "one metric; a multi-objective sweep runs on W&B's client-side scheduler: method: custom with a "
            "scheduler block (sweepbridge convert --engine optuna, or engine='optuna', writes both)."
        )
    metrics = cfg["metrics"]
    names = [m.get("name") for m in metrics if isinstance(m, dict)] if isinstance(metrics, list) else []
    repeated = sorted({n for n in names if isinstance(n, str) and names.count(n) > 1})
    if repeated:
        problems.append(f"metrics: {', '.join(repeated)} named more than once; each objective is one metric.")
    return problems


def validate(cfg: Any) -> list[str]:
    """Every problem found in sweep config `cfg`; an empty list means valid."""
    if not isinstance(cfg, dict):
        return [f"a sweep config is a mapping, got {type(cfg).__name__}."]
    if _nesting(cfg.get("parameters")) > MAX_NESTING:
        return [f"parameters nest more than {MAX_NESTING} levels deep (W&B's validators would overflow)."]
    try:
        data = plain(cfg)  # values JSON cannot carry: NaN/inf, complex, bytes, sets, non-string keys, surrogates
    except SweepBridgeError as exc:
        return [str(exc)]
    return validate_plain(data)  # type: ignore[arg-type]


def validate_plain(cfg: dict[str, Any]) -> list[str]:
    """`validate` of a config already made plain by `values.plain` (a SweepConfig's content just built)."""
    if _nesting(cfg.get("parameters")) > MAX_NESTING:
        return [f"parameters nest more than {MAX_NESTING} levels deep (W&B's validators would overflow)."]
    try:
        problems = _schema_problems(cfg)
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
    problems.extend(_metrics_problems(cfg))
    if "scheduler" in cfg and isinstance(cfg.get("controller"), dict) and cfg["controller"].get("type") == "local":
        problems.append("`controller: type:local` cannot be used together with `scheduler`: use `scheduler` instead.")
    problems.extend(hyperband.problems(cfg.get("early_terminate")))
    if "early_terminate" in cfg and "metric" not in cfg:
        problems.append("early_terminate needs a metric to compare runs by: pass metric=....")
    problems.extend(scheduler_problems(cfg))
    return problems


ENGINE_METHODS = {"wandb": ("grid", "random", "bayes"), "optuna": ("custom",), "ax": ("custom",)}
"""W&B's rule (the `sweeps` package's schema and its cfg.py): the methods each scheduler engine drives."""
ENGINE_WAY_OUT = {
    "wandb": "use method grid, random or bayes with engine wandb, or engine optuna / ax with method custom",
    "optuna": "set method: custom (the study in scheduler.source searches), or drop scheduler for W&B's own engine",
    "ax": "set method: custom (the Ax client in scheduler.source searches), or drop scheduler for W&B's own engine",
}


def scheduler_problems(cfg: dict[str, Any]) -> list[str]:
    """W&B's rules for `metric` / `metrics` / `scheduler` across fields (sweeps' schema and cfg.py): one objective
    or several (these with method custom only), each engine with its methods, a scheduler never beside
    early_terminate or a local controller, parameters unless scheduler.search_space defines them."""
    out = []
    method, scheduler = cfg.get("method"), cfg.get("scheduler")
    if "metric" in cfg and "metrics" in cfg:
        out.append(
            "metrics: metric and metrics cannot both be set (W&B's rule): keep metric for one objective, or metrics "
            "(two or more, with method custom) for several."
        )
    elif "metrics" in cfg and method != "custom":
        out.append(
            f"metrics: a metrics list (several objectives) needs method custom, W&B's client-side scheduler with "
            f"engine optuna or ax; got method {method}. Use a single metric, or method custom."
        )
    if method == "custom" and "metric" not in cfg and "metrics" not in cfg:
        out.append("metric: method custom needs the objective its scheduler optimizes: set metric (or metrics).")
    if "parameters" not in cfg and not (isinstance(scheduler, dict) and scheduler.get("search_space")):
        out.append(
            "parameters: a sweep needs parameters unless scheduler.search_space names the function in "
            "scheduler.source that defines them (W&B's rule)."
        )
    if not isinstance(scheduler, dict):
        return out
    engine = scheduler.get("engine")
    if isinstance(engine, str) and engine in ENGINE_METHODS and method not in ENGINE_METHODS[engine]:
        allowed = " / ".join(ENGINE_METHODS[engine])
        out.append(
            f"scheduler.engine: engine {engine} runs method {allowed} only (W&B's rule), got method {method}: "
            f"{ENGINE_WAY_OUT[engine]}."
        )
    if engine == "ax" and "search_space" in scheduler:
        out.append(
            "scheduler.search_space: the ax engine takes no search_space (W&B's ax engine ignores it, warning): the "
            "Ax client its optimizer function returns holds the space. Drop search_space."
        )
    if "early_terminate" in cfg:
        out.append(
            "early_terminate: cannot be used together with scheduler (W&B's rule): under a scheduler its own study "
            "stops runs (a pruner). Drop early_terminate, or drop scheduler to use W&B's hyperband."
        )
    controller = cfg.get("controller")
    if isinstance(controller, dict) and controller.get("type") == "local":
        out.append(
            "controller: controller type local cannot be used together with scheduler (W&B's rule): `wandb "
            "sweep-scheduler` is the local controller of such a sweep. Drop controller."
        )
    return out
