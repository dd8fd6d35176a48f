"""`preview`: the first configs W&B's own engine (the `sweeps` package) would schedule for a sweep."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from typing import Any

from .errors import SweepBridgeError

INSTALL_HINT = "pip install 'sweepbridge[preview]'  (or: pip install sweeps)"
BAYES_NOTE = (
    "note: method bayes has no finished runs yet, so W&B's engine samples at random; these are random draws "
    "(later runs depend on the metric values your runs report)."
)


class EngineMissingError(SweepBridgeError):
    """W&B's sweep engine (`sweeps`) is not installed."""


def _sweeps() -> Any:
    try:
        import sweeps
    except ImportError:
        raise EngineMissingError(f"preview needs W&B's sweep engine, which is not installed: {INSTALL_HINT}") from None
    return sweeps


def engine_configs(cfg: Mapping[str, Any], n: int, seed: int = 0) -> list[dict[str, Any]]:
    """The first `n` run configs (as the program receives them) W&B's engine schedules for `cfg`.

    grid: the engine's enumeration order (fewer than n when the grid is smaller); random and bayes
    (which is random until runs exist): `sweeps.next_runs` on method random with `random` and numpy
    seeded by `seed`.
    """
    import random

    sweeps = _sweeps()
    cfg = copy.deepcopy(dict(cfg))
    if cfg.get("method") != "grid":
        cfg["method"] = "random"
    # The engine's first call imports modules that draw from `random`: call it once before seeding, so
    # the draws are the same in a fresh process as in a warm one.
    sweeps.next_runs(cfg, [], n=1)
    random.seed(seed)
    import numpy  # a dependency of sweeps

    numpy.random.seed(seed)
    runs = sweeps.next_runs(cfg, [], n=n)
    return [
        json.loads(json.dumps({k: v["value"] for k, v in run.config.items()}, default=_numpy_scalar))
        for run in runs
        if run is not None
    ]


def _numpy_scalar(value: Any) -> Any:
    """numpy scalars (the engine's int q kinds give numpy ints) as the Python values the program receives."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return value.item()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def leaf_paths(parameters: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Key paths of a sweep's parameters, following nested `parameters` (not dict values).

    Tuples, not dotted strings: W&B names may themselves contain dots.
    """
    for name, spec in parameters.items():
        path = (*prefix, name)
        if isinstance(spec, Mapping) and isinstance(spec.get("parameters"), Mapping):
            yield from leaf_paths(spec["parameters"], path)
        else:
            yield path


def lookup(config: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = config
    for part in path:
        value = value[part]
    return value


def cell(value: Any) -> str:
    """A table cell: strings as is, floats in up to 6 significant digits, others as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return f"{value:.6g}"
    return json.dumps(value)


def table(cfg: Mapping[str, Any], configs: list[dict[str, Any]]) -> str:
    """Configs as a text table: a `#` column, then one column per dotted parameter name."""
    from .text_table import render

    paths = list(leaf_paths(cfg.get("parameters", {})))
    rows = [[str(i), *(cell(lookup(c, p)) for p in paths)] for i, c in enumerate(configs, 1)]
    return render(["#", *(".".join(p) for p in paths)], rows)
