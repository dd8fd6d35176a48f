"""Tune spec files: a Ray Tune experiment as YAML/JSON data (schemas/tune-spec.schema.json).

A spec becomes the `sweepbridge.tune.run(program, config=param_space, ...)` call its keys describe;
every name is looked up in the tables below (spec key → attribute of `sweepbridge.tune`), so the
spec format follows Ray Tune's own names and signatures and adds no translation rules of its own.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import SpecError

SCHEMA = "tune-spec.schema.json"

DOMAINS: dict[str, tuple[str, ...]] = {
    "uniform": ("lower", "upper"),
    "quniform": ("lower", "upper", "q"),
    "loguniform": ("lower", "upper", "base"),
    "qloguniform": ("lower", "upper", "q", "base"),
    "randn": ("mean", "sd"),
    "qrandn": ("mean", "sd", "q"),
    "randint": ("lower", "upper"),
    "qrandint": ("lower", "upper", "q"),
    "lograndint": ("lower", "upper", "base"),
    "qlograndint": ("lower", "upper", "q", "base"),
    "choice": ("categories",),
    "grid_search": ("values",),
}
"""Spec domain key = function of `sweepbridge.tune` (and of `ray.tune`) → its parameter names."""

LIST_IS_THE_ARGUMENT = frozenset({"choice", "grid_search"})
"""Domains whose one argument is a list: `{choice: [a, b]}` means tune.choice([a, b])."""

SEARCH_ALGS: dict[str, str] = {
    "variant_generator": "search.basic_variant:BasicVariantGenerator",
    "random": "search.basic_variant:BasicVariantGenerator",
    "hyperopt": "search.hyperopt:HyperOptSearch",
    "bayesopt": "search.bayesopt:BayesOptSearch",
    "bohb": "search.bohb:TuneBOHB",
    "ax": "search.ax:AxSearch",
    "nevergrad": "search.nevergrad:NevergradSearch",
    "optuna": "search.optuna:OptunaSearch",
    "zoopt": "search.zoopt:ZOOptSearch",
    "hebo": "search.hebo:HEBOSearch",
    "skopt": "search.skopt:SkOptSearch",
}
"""search_alg name (Ray's registry names, `ray.tune.search.SEARCH_ALG_IMPORT`) → class in sweepbridge.tune."""

SCHEDULERS: dict[str, str] = {
    "fifo": "schedulers:FIFOScheduler",
    "async_hyperband": "schedulers:AsyncHyperBandScheduler",
    "asynchyperband": "schedulers:AsyncHyperBandScheduler",
    "asha": "schedulers:ASHAScheduler",
    "hyperband": "schedulers:HyperBandScheduler",
    "hb_bohb": "schedulers:HyperBandForBOHB",
    "median_stopping_rule": "schedulers:MedianStoppingRule",
    "medianstopping": "schedulers:MedianStoppingRule",
    "pbt": "schedulers:PopulationBasedTraining",
    "pb2": "schedulers:PB2",
}
"""scheduler name (Ray's registry names, `ray.tune.schedulers.SCHEDULER_IMPORT`, + asha) → class."""

RUN_KEYWORDS: dict[str, str] = {
    "name": "name",
    "metric": "metric",
    "mode": "mode",
    "num_samples": "num_samples",
    "max_concurrent_trials": "max_concurrent_trials",
    "time_budget_s": "time_budget_s",
    "stop": "stop",
}
"""Spec keys passed unchanged as keywords of tune.run (program, param_space, search_alg and
scheduler are handled separately)."""


def _tune() -> Any:
    try:
        return importlib.import_module("sweepbridge.tune")
    except ImportError as exc:
        raise SpecError(
            f"tune spec files need the Ray Tune front-end (sweepbridge.tune), which this installation lacks: {exc}"
        ) from None


def _resolve(target: str) -> Any:
    """'search.hyperopt:HyperOptSearch' → the attribute of sweepbridge.tune.search.hyperopt (or of a
    parent package, where a module re-exports it)."""
    module, attr = target.split(":")
    parts = module.split(".")
    tried = []
    while parts:
        name = "sweepbridge.tune." + ".".join(parts)
        tried.append(f"{name}.{attr}")
        try:
            obj = getattr(importlib.import_module(name), attr, None)
        except ImportError:
            obj = None
        if obj is not None:
            return obj
        parts.pop()
    obj = getattr(_tune(), attr, None)
    if obj is None:
        raise SpecError(f"this sweepbridge has no {attr} (looked for {', '.join(tried)}).")
    return obj


def require_keyword(fn: Any, name: str, option: str) -> None:
    """Raise SpecError unless callable `fn` takes keyword `name` (the CLI passes `option` through)."""
    import inspect

    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return
    if not any(p.name == name or p.kind is p.VAR_KEYWORD for p in params):
        qualname = getattr(fn, "__qualname__", repr(fn))
        raise SpecError(f"{option} does not apply here: {qualname}() takes no {name} keyword.")


def path_text(parts: Any) -> str:
    """['param_space', 'model', 'layers', 0] → 'param_space.model.layers[0]'."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def load(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a spec file (safe YAML loader; JSON is YAML) and validate it against the schema."""
    import yaml

    from . import schemas
    from .sweep_config import yaml_error_text

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"{path} is not valid YAML/JSON: {yaml_error_text(exc)}") from None
    if not isinstance(data, dict):
        raise SpecError(f"{path}: a tune spec is a mapping, got {type(data).__name__}.")
    errors = sorted(schemas.validator(SCHEMA).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise SpecError(f"{path}: {path_text(first.absolute_path)}: {first.message}{more}")
    return data


def _domain(tune: Any, key: str, args: Any) -> Any:
    fn = getattr(tune, key)
    if isinstance(args, Mapping):
        return fn(**args)
    if key in LIST_IS_THE_ARGUMENT:
        return fn(list(args))
    return fn(*args)


def space(node: Any, tune: Any, path: str = "param_space") -> Any:
    """Spec param_space data → the same structure holding sweepbridge.tune domains."""
    if isinstance(node, Mapping):
        if len(node) == 1:
            ((key, args),) = node.items()
            if key in DOMAINS:
                try:
                    return _domain(tune, key, args)
                except SpecError as exc:
                    raise exc.at(path.removeprefix("param_space.")) from None
                except (TypeError, ValueError, AssertionError) as exc:  # Ray checks some bounds with assert
                    raise SpecError(f"{path}: tune.{key}: {exc}") from None
        return {k: space(v, tune, f"{path}.{k}") for k, v in node.items()}
    if isinstance(node, list):
        return [space(v, tune, f"{path}[{i}]") for i, v in enumerate(node)]
    return node


def _instance(key: str, value: Any, table: dict[str, str]) -> Any:
    name, kwargs = (value, {}) if isinstance(value, str) else next(iter(value.items()))
    cls = _resolve(table[name])
    try:
        return cls(**(kwargs or {}))
    except TypeError as exc:
        raise SpecError(f"{key}: {name}: {exc}") from None


def to_call(spec: Mapping[str, Any], *, allow_approximate: bool = False) -> tuple[Any, tuple, dict[str, Any]]:
    """The (tune.run, args, kwargs) a validated spec describes."""
    tune = _tune()
    kwargs: dict[str, Any] = {RUN_KEYWORDS[k]: v for k, v in spec.items() if k in RUN_KEYWORDS}
    kwargs["config"] = space(spec["param_space"], tune)
    if "search_alg" in spec:
        kwargs["search_alg"] = _instance("search_alg", spec["search_alg"], SEARCH_ALGS)
    if "scheduler" in spec:
        kwargs["scheduler"] = _instance("scheduler", spec["scheduler"], SCHEDULERS)
    if allow_approximate:
        require_keyword(tune.run, "allow_approximate", "--allow-approximate")
        kwargs["allow_approximate"] = True
    return tune.run, (spec["program"],), kwargs


def convert(path: str | os.PathLike[str], *, allow_approximate: bool = False) -> Any:
    """Translate a tune spec file into a SweepConfig through sweepbridge.tune.run."""
    run, args, kwargs = to_call(load(path), allow_approximate=allow_approximate)
    return run(*args, **kwargs)
