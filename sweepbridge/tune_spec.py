"""Tune spec files: a Ray Tune experiment as YAML/JSON data (schemas/tune-spec.schema.json).

A spec becomes the `sweepbridge.tune.run(program, config=param_space, ...)` call its keys describe;
every name is looked up in the tables below (spec key → attribute of `sweepbridge.tune`), so the
spec format follows Ray Tune's own names and signatures and adds no translation rules of its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

from . import param_path
from .errors import SpecError
from .spelling import nearest
from .values import yaml_number_hint

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

SCHEDULER_ALIASES = {"asha": "ASHAScheduler"}
"""Spec-only scheduler names beyond Ray's registry (`sweepbridge.tune.registry.SCHEDULER_NAMES`)."""


def search_algs() -> dict[str, type]:
    """search_alg name → class: Ray's registry names, as `tune.run(search_alg="...")` takes them."""
    from .tune.registry import SEARCHER_NAMES

    return SEARCHER_NAMES


def schedulers() -> dict[str, type]:
    """scheduler name → class: Ray's registry names plus SCHEDULER_ALIASES."""
    from .tune import schedulers as s
    from .tune.registry import SCHEDULER_NAMES

    return {**SCHEDULER_NAMES, **{k: getattr(s, v) for k, v in SCHEDULER_ALIASES.items()}}


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
    from . import tune

    return tune


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
    """['param_space', 'model', 'layers', 0] → 'param_space.model.layers[0]' (`param_path.text`); [] → TOP."""
    return param_path.text(parts) or param_path.TOP


def load(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a spec file (as sweep files are read: JSON as JSON, YAML safely) and check it against the schema."""
    from .sweep_config import parse_text, read_text

    text = read_text(path)
    try:
        data = parse_text(text)
    except SpecError as exc:
        raise SpecError(f"{path}: {exc}") from None
    found = problems(data)
    if found:
        more = f" (and {len(found) - 1} more problems)" if len(found) > 1 else ""
        raise SpecError(f"{path}: {found[0]}{more}")
    return data


def problems(data: Any) -> list[str]:
    """Every problem of tune spec data (`path: what is wrong`, a misspelled name with the nearest
    valid one): the schema's, then domain names misspelled in param_space. Empty: valid."""
    from . import schemas

    if not isinstance(data, dict):
        return [f"a tune spec is a mapping, got {type(data).__name__}."]
    errors = sorted(
        schemas.validator(SCHEMA).iter_errors(data),  # by path; at one path a misspelled key first
        key=lambda e: (list(map(str, e.absolute_path)), e.validator != "additionalProperties"),
    )
    found = [f"{path_text(err.absolute_path)}: {_message(err)}" for err in errors]
    if isinstance(data.get("param_space"), Mapping):
        found += [f"{where}: {what}" for where, what in misspelled_domains(data["param_space"])]
    return found


def _message(err: Any) -> str:
    from . import schemas

    expected = err.schema.get("description") if err.validator in ("anyOf", "oneOf") else None
    hint = f" (expected: {expected})" if isinstance(expected, str) else ""
    return yaml_number_hint(err.instance) or schemas.message(err) + hint


DOMAIN_CUTOFF = 0.8
"""How close (difflib ratio) a one-key mapping's key must be to a domain name to be taken as its
misspelling: one edit in any domain name stays above it; unrelated keys (`random`, `range`) below."""


def misspelling(key: Any) -> str | None:
    """For the key of a one-key param_space mapping that is not a domain: the error text when it is a
    misspelled domain name (which would otherwise pass silently as a constant), else None."""
    if key in DOMAINS:
        return None
    match = nearest(key, DOMAINS, cutoff=DOMAIN_CUTOFF)
    if match is None:
        return None
    return (
        f"unknown domain `{key}`; did you mean `{match}`? (a mapping meant as a literal value is written "
        f"inside a choice: {{choice: [{{{key}: ...}}]}})"
    )


def misspelled_domains(node: Any, where: tuple = ("param_space",)) -> Iterator[tuple[str, str]]:
    """(path, error text) of every one-key mapping under `node` whose key misspells a domain name.
    A domain's own arguments are literal and not searched."""
    stack = [(node, where)]
    while stack:
        current, at = stack.pop()
        if isinstance(current, Mapping):
            if len(current) == 1:
                ((key, _),) = current.items()
                if key in DOMAINS:
                    continue
                text = misspelling(key)
                if text is not None:
                    yield path_text(at), text
                    continue
            stack.extend((v, (*at, k)) for k, v in reversed(list(current.items())))
        elif isinstance(current, list):
            stack.extend((v, (*at, i)) for i, v in reversed(list(enumerate(current))))


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
            if (text := misspelling(key)) is not None:
                raise SpecError(f"{path}: {text}")
        return {k: space(v, tune, param_path.join(path, k)) for k, v in node.items()}
    if isinstance(node, list):
        return [space(v, tune, param_path.join(path, i)) for i, v in enumerate(node)]
    return node


def _instance(key: str, value: Any, table: dict[str, type]) -> Any:
    name, kwargs = (value, {}) if isinstance(value, str) else next(iter(value.items()))
    cls = table[name]
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
        kwargs["search_alg"] = _instance("search_alg", spec["search_alg"], search_algs())
    if "scheduler" in spec:
        kwargs["scheduler"] = _instance("scheduler", spec["scheduler"], schedulers())
    if allow_approximate:
        require_keyword(tune.run, "allow_approximate", "--allow-approximate")
        kwargs["allow_approximate"] = True
    return tune.run, (spec["program"],), kwargs


def convert(path: str | os.PathLike[str], *, allow_approximate: bool = False) -> Any:
    """Translate a tune spec file into a SweepConfig through sweepbridge.tune.run."""
    run, args, kwargs = to_call(load(path), allow_approximate=allow_approximate)
    return run(*args, **kwargs)
