"""Front-end: a W&B sweep config (SweepConfig, dict, or YAML/JSON file) → the IR + run settings.

Reads every kind W&B's engine (`sweeps`) samples, including the deprecated exponent-bound kinds
old YAML files still hold, and infers an omitted `distribution` exactly as
`sweeps.config.schema.fill_parameter` does. The W&B kind → IR mapping is the inverse of the
`wandb_kinds.NUMERIC` table the W&B back-end writes with, not a second copy of it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import compat, schemas, validation
from .. import distributions as d
from ..errors import SpecError, SweepBridgeError
from ..objective import GOALS
from ..param_path import join
from ..spelling import did_you_mean, unknown
from ..values import plain, yaml_number_hint
from ..wandb_kinds import METHODS, NUMERIC
from .hyperopt_ops import _exp

FROM_WANDB: dict[str, tuple[type[d.Node], tuple[tuple[str, str], ...]]] = {
    wandb: (kind, fields) for kind, (wandb, fields) in NUMERIC.items()
}
"""W&B distribution → (IR kind, (W&B key, IR attribute) pairs): the back-end table inverted."""

DEFAULTS: dict[str, int | float] = {"mu": 0, "sigma": 1, "a": 1, "b": 1, "q": 1.0}
"""W&B schema defaults for omitted keys (q = 1.0 is a float, so the values stay floats)."""

_VALUE_BOUNDS: dict[str, Callable[[float, float], tuple[float, float]]] = {
    "log_uniform": lambda lo, hi: (_exp(lo, "min"), _exp(hi, "max")),
    "q_log_uniform": lambda lo, hi: (_exp(lo, "min"), _exp(hi, "max")),
    # exp(-U(min, max)) is inv_log_uniform_values with bounds e^-max, e^-min.
    "inv_log_uniform": lambda lo, hi: (_exp(-hi, "-max"), _exp(-lo, "-min")),
}
DEPRECATED: dict[str, tuple[str, Callable[[float, float], tuple[float, float]]]] = {
    old: (new, _VALUE_BOUNDS[old]) for old, new in validation.DEPRECATED.items()
}
"""Exponent-bound kinds → (value-bound successor, from `validation.DEPRECATED`; exponent bounds → value bounds)."""

KEYS: dict[str, frozenset[str]] = {
    "constant": frozenset({"value"}),
    "categorical": frozenset({"values"}),
    "categorical_w_probabilities": frozenset({"values", "probabilities"}),
    "int_uniform": frozenset({"min", "max"}),
    **{w: frozenset(k for k, _ in fields) for w, (_, fields) in FROM_WANDB.items()},
    **{old: frozenset(k for k, _ in FROM_WANDB[new][1]) for old, (new, _) in DEPRECATED.items()},
}
"""Keys each W&B distribution allows besides `distribution`."""
ALL_KEYS = frozenset({"distribution", "parameters"}).union(*KEYS.values())
"""Every key a W&B parameter spec may hold."""
REQUIRED = frozenset({"min", "max", "value", "values", "probabilities"})
"""Keys W&B requires whenever its distribution allows them (others have defaults)."""


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_num(x: Any) -> bool:
    return _is_int(x) or isinstance(x, float)


INFERRED: tuple[tuple[str, Callable[[dict], bool]], ...] = (
    ("categorical", lambda s: s.keys() == {"values"}),
    ("categorical_w_probabilities", lambda s: s.keys() == {"values", "probabilities"}),
    ("int_uniform", lambda s: s.keys() == {"min", "max"} and _is_int(s["min"]) and _is_int(s["max"])),
    ("uniform", lambda s: s.keys() == {"min", "max"} and _is_num(s["min"]) and _is_num(s["max"])),
    ("constant", lambda s: s.keys() == {"value"}),
)
"""Without `distribution`, the first match wins (fill_parameter's order among defaulted kinds)."""
GRID_KINDS = frozenset({"constant", "categorical", "int_uniform", "q_uniform"})
"""What W&B's grid search enumerates."""


@dataclass(frozen=True)
class WandbSweep:
    """A parsed sweep: the space as IR plus the settings the reverse back-ends need."""

    space: d.Node
    method: str
    metric: str | None = None
    goal: str = "minimize"
    run_cap: int | None = None
    early_terminate: dict[str, Any] | None = None
    not_carried: tuple[str, ...] = ()
    """Settings a hyperopt space / Ray Tune run cannot hold (program, name, metric.target, ...)."""
    study: dict[str, Any] | None = None
    """A `method: custom` sweep's study (sampler, pruner, settings) from its generated scheduler source."""


def _distribution(spec: dict, path: str) -> str:
    name = spec.get("distribution")
    if name is not None:
        if not isinstance(name, str) or name not in KEYS:
            known = ", ".join(sorted(KEYS))
            hint = did_you_mean(name, KEYS)
            raise SpecError(f"unknown W&B distribution {name!r};{hint or f' W&B knows {known}.'}", path=path)
        return name
    for kind, matches in INFERRED:
        if matches(spec):
            return kind
    raise SpecError(
        f"cannot infer a W&B distribution from keys {sorted(spec)}: give `distribution`, or use "
        "value / values (+ probabilities) / integer min+max (int_uniform) / numeric min+max (uniform).",
        path=path,
    )


def _check_keys(kind: str, spec: dict, path: str) -> None:
    given = set(spec) - {"distribution"}
    extra = given - KEYS[kind]
    if extra:
        hints = "".join(did_you_mean(k, KEYS[kind] - given) for k in sorted(extra))
        raise SpecError(f"{kind} takes {sorted(KEYS[kind])}; unexpected {sorted(extra)}.{hints}", path=path)
    missing = (KEYS[kind] & REQUIRED) - given
    if missing:
        raise SpecError(f"{kind} needs {sorted(missing)}.", path=path)
    for name in ("min", "max", "mu", "sigma", "a", "b", "q"):
        hint = yaml_number_hint(spec.get(name))
        if hint is not None:
            raise SpecError(f"{name}: {hint}", path=path)
    if "min" in spec:
        low, high = spec["min"], spec["max"]
        if not (_is_num(low) and _is_num(high)):
            raise SpecError(f"min and max must be numbers, got {low!r} and {high!r}.", path=path)
        if kind == "int_uniform" and not (_is_int(low) and _is_int(high)):
            raise SpecError(f"int_uniform needs integer min and max, got {low!r} and {high!r}.", path=path)
        if not low < high:
            raise SpecError(f"W&B needs min < max, got min {low!r} and max {high!r}.", path=path)
    if "q" in spec and not _is_num(spec["q"]):
        raise SpecError(f"q must be a number, got {spec['q']!r}.", path=path)


def _values(spec: dict, path: str) -> list:
    values = spec["values"]
    if not isinstance(values, list) or not values:
        raise SpecError("values must be a non-empty list.", path=path)
    return [plain(v, join(path, i)) for i, v in enumerate(values)]


def arange(low: int | float, high: int | float, q: int | float) -> list:
    """`numpy.arange(low, high, q).tolist()` computed as numpy computes it, without numpy.

    Length ceil((high - low) / q); all ints stay ints; otherwise float64 values low, low + q, then
    low + i·delta with delta = (low + q) - low (numpy's fill), which differs from low + i·q in the
    last digits.
    """
    size = max(0, math.ceil((high - low) / q))
    if all(_is_int(x) for x in (low, high, q)):
        return [low + i * q for i in range(size)]
    first, second = float(low), float(low + q)
    delta = second - first
    return [first, second, *(first + i * delta for i in range(2, size))][:size]


def grid_size(kind: str, spec: dict) -> int:
    """How many values W&B's grid search lists for one parameter of `kind` (it builds the list eagerly)."""
    if kind in ("constant", "categorical", "categorical_w_probabilities"):
        return 1 if kind == "constant" else len(spec["values"])
    if kind == "int_uniform":
        return spec["max"] - spec["min"] + 1
    if kind == "q_uniform":
        return max(0, math.ceil((spec["max"] - spec["min"]) / spec.get("q", DEFAULTS["q"])))
    return 1  # not a grid kind: `validate` reports it


def grid_sizes(params: AbcMapping) -> Iterator[tuple[str, int]]:
    """(parameter path, grid_size) of every parameter of a valid sweep's `parameters`, nested ones included."""
    for path, spec in validation.parameter_leaves(params):
        sub = ".".join(path)
        yield sub, grid_size(_distribution(spec, sub), spec)


def _grid_values(kind: str, spec: dict, path: str) -> list:
    """The values W&B's grid search enumerates for `kind` (`sweeps.grid_search`: int_uniform as
    range(min, max + 1), q_uniform as numpy.arange(min, max, q).tolist())."""
    if kind == "categorical":
        return _values(spec, path)
    size = grid_size(kind, spec)
    if size > d.SUPPORT_LIMIT:
        raise compat.refuse("reverse.grid_size", f"It has {size:,} points.", path=path)
    if kind == "int_uniform":
        return list(range(spec["min"], spec["max"] + 1))
    return arange(spec["min"], spec["max"], spec.get("q", DEFAULTS["q"]))


def _numeric(kind: str, spec: dict, path: str) -> d.Node:
    if kind in DEPRECATED:
        kind, convert = DEPRECATED[kind]
        spec = {**spec, **dict(zip(("min", "max"), convert(spec["min"], spec["max"]), strict=True))}
    cls, fields = FROM_WANDB[kind]
    kwargs = {attr: spec.get(key, DEFAULTS.get(key)) for key, attr in fields}
    if "q" in kwargs:
        kwargs["integer"] = _is_int(kwargs["q"])  # W&B returns ints exactly when q is an int
    return cls(**kwargs)


def parameter(spec: Any, method: str, path: str) -> d.Node:
    """One W&B parameter spec → IR node (method-aware: grid axes under method grid)."""
    if not isinstance(spec, AbcMapping):
        raise SpecError(f"a parameter spec is a mapping, got {spec!r}.", path=path)
    spec = dict(spec)
    if "parameters" in spec:
        if set(spec) != {"parameters"}:
            raise SpecError("a nested `parameters` block takes no other keys.", path=path)
        return parameters(spec["parameters"], method, path)
    extra = [k for k in spec if k not in ALL_KEYS]
    if extra:  # a misspelled key, before it makes the kind look like another one
        raise SpecError(unknown(extra, ALL_KEYS), path=path)
    kind = _distribution(spec, path)
    _check_keys(kind, spec, path)
    if method == "grid" and kind != "constant":
        if kind not in GRID_KINDS:
            raise SpecError(
                f"W&B's grid search enumerates only value, values, int_uniform and q_uniform, not {kind}.", path=path
            )
        return d.GridAxis(tuple(_grid_values(kind, spec, path)))
    if kind == "constant":
        return d.Constant(plain(spec["value"], path))
    if kind in ("categorical", "categorical_w_probabilities"):
        options = tuple(d.Constant(v) for v in _values(spec, path))
        return d.Choice(options, spec.get("probabilities"))
    if kind == "int_uniform":
        return d.IntUniform(spec["min"], spec["max"])
    return _numeric(kind, spec, path)


def parameters(params: Any, method: str, path: str = "") -> d.Node:
    """A `parameters` mapping → IR (a Mapping, or a Constant dict when nothing is sampled)."""
    if not isinstance(params, AbcMapping) or not params:
        raise SpecError("`parameters` must be a non-empty mapping of names to specs.", path=path or None)
    fields = []
    for name, spec in params.items():
        sub = join(path, name)
        if not isinstance(name, str):
            raise SpecError(f"parameter name {name!r} is not a string.", path=path or None)
        try:
            fields.append((name, parameter(spec, method, sub)))
        except SweepBridgeError as exc:
            raise exc.at(sub) from None
    return d.mapping(fields)


def load(source: Any) -> dict[str, Any]:
    """A sweep config as a plain dict, from a mapping or a YAML/JSON file (safe loader only).

    A mapping is made plain first, as a file's content is: values JSON cannot carry are refused
    with their path, and nesting beyond `values.MAX_DEPTH` is refused before anything recurses.
    """
    if isinstance(source, AbcMapping):
        return plain(dict(source))  # type: ignore[return-value]
    if isinstance(source, (str, os.PathLike)):
        from ..sweep_config import SweepConfig

        return dict(SweepConfig.load(Path(source)))
    raise SpecError(f"a sweep is a SweepConfig, a dict or a path to a YAML/JSON file, got {type(source).__name__}.")


def _modernised(params: Any) -> Any:
    """`params` with the deprecated exponent kinds rewritten to their value-bound successors."""
    if not isinstance(params, AbcMapping):
        return params
    out = {}
    for name, spec in params.items():
        if isinstance(spec, AbcMapping) and set(spec) == {"parameters"}:
            spec = {"parameters": _modernised(spec["parameters"])}
        elif isinstance(spec, AbcMapping) and _is_num(spec.get("min")) and _is_num(spec.get("max")):
            dist = spec.get("distribution")
            if isinstance(dist, str) and dist in DEPRECATED:
                new, convert = DEPRECATED[dist]
                low, high = convert(spec["min"], spec["max"])
                spec = {**spec, "distribution": new, "min": low, "max": high}
        out[name] = spec
    return out


def parse_sweep(source: Any) -> WandbSweep:
    """Parse a W&B sweep config into a `WandbSweep` (checked by `sweepbridge.validate` first)."""
    cfg = load(source)
    try:
        problems = validation.validate({**cfg, "parameters": _modernised(cfg.get("parameters"))})
    except SweepBridgeError as exc:
        problems = [str(exc)]
    if not problems:
        return _build(cfg)
    try:
        _build(cfg)  # for the problems it knows, a SpecError located at the parameter
    except SweepBridgeError:
        raise
    except Exception:  # noqa: BLE001 - invalid input it does not anticipate: the validator's list says why
        pass
    raise SpecError(invalid_config(problems))


def invalid_config(problems: list[str]) -> str:
    """The message for an invalid sweep: the first problem (path, what is wrong, the nearest valid
    name) on the first line, the others below."""
    more = "".join(f"\n  {p}" for p in problems[1:])
    extra = f" ({len(problems) - 1} more below)" if more else ""
    return f"not a valid W&B sweep config: {problems[0]}{extra}{more}"


def _build(cfg: dict[str, Any]) -> WandbSweep:
    known = schemas.load(validation.SCHEMA)["properties"]
    extra = [k for k in cfg if k not in known]
    if extra:  # a misspelled key (`paramters`), before what it leaves missing
        raise SpecError(unknown(extra, known))
    method = cfg.get("method")
    if method not in METHODS:
        raise SpecError(f"method must be one of {', '.join(METHODS)}, got {method!r}.{did_you_mean(method, METHODS)}")
    metric = cfg.get("metric")
    if metric is not None and not (isinstance(metric, AbcMapping) and isinstance(metric.get("name"), str)):
        hint = f" did you mean `{{name: {metric}}}`?" if isinstance(metric, str) else ""
        raise SpecError(f"metric must be a mapping with a name, got {metric!r}.{hint}")
    goal = (metric or {}).get("goal", "minimize")
    if goal not in GOALS:
        raise SpecError(f"metric.goal must be minimize or maximize, got {goal!r}.{did_you_mean(goal, GOALS)}")
    run_cap = cfg.get("run_cap")
    if run_cap is not None and not (_is_int(run_cap) and run_cap > 0):
        raise SpecError(f"run_cap must be a positive integer, got {run_cap!r}.")
    carried = {"method", "metric", "run_cap", "early_terminate", "parameters"}
    not_carried = [k for k in cfg if k not in carried]
    not_carried += [f"metric.{k}" for k in (metric or {}) if k not in ("name", "goal")]
    return WandbSweep(
        space=parameters(cfg.get("parameters"), method),
        method=method,
        metric=metric["name"] if metric else None,
        goal=goal,
        run_cap=run_cap,
        early_terminate=dict(cfg["early_terminate"]) if cfg.get("early_terminate") is not None else None,
        not_carried=tuple(not_carried),
    )
