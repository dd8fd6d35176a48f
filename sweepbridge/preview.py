"""`preview`: the first configs W&B's own engine (the `sweeps` package) would schedule for a sweep."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from typing import Any

from .errors import SpecError, SweepBridgeError
from .values import python_value

INSTALL_HINT = "pip install 'sweepbridge[preview]'  (or: pip install sweeps)"
BAYES_NOTE = (
    "note: method bayes has no finished runs yet, so W&B's engine samples at random; these are random draws "
    "(later runs depend on the metric values your runs report)."
)


MAX_GRID_POINTS = 1_000_000
"""Largest grid preview hands to W&B's engine, which lists every point (and hashes every value) first."""
MAX_AXIS_VALUES = 100_000
"""Largest grid axis preview hands to W&B's engine (the limit `reverse` has for a grid axis)."""


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
    if cfg.get("method") == "grid":
        check_grid_size(cfg.get("parameters") or {})
    else:
        cfg["method"] = "random"
    try:
        # The engine's first call imports modules that draw from `random`: call it once before seeding, so
        # the draws are the same in a fresh process as in a warm one.
        sweeps.next_runs(cfg, [], n=1)
        random.seed(seed)
        import numpy  # a dependency of sweeps

        numpy.random.seed(seed)
        runs = sweeps.next_runs(cfg, [], n=n)
    except Exception as exc:  # noqa: BLE001 - the engine's own refusal, as one readable error
        first = getattr(exc, "message", None) or (str(exc).splitlines() or [""])[0]  # jsonschema appends the schema
        raise SpecError(f"W&B's engine cannot schedule this sweep: {type(exc).__name__}: {first}") from None
    # The engine returns numpy scalars (int64 for int q kinds): unwrapped as W&B's client sends them.
    configs = ({k: v["value"] for k, v in run.config.items()} for run in runs if run is not None)
    return [json.loads(json.dumps(config, default=_item)) for config in configs]


def _item(value: Any) -> Any:
    unwrapped = python_value(value)
    if unwrapped is not value:
        return unwrapped
    raise TypeError(f"{type(value).__name__} from W&B's engine is not a JSON value")


def check_grid_size(parameters: Mapping[str, Any]) -> None:
    """Refuse, before W&B's engine builds it, a grid larger than MAX_GRID_POINTS or an axis longer
    than MAX_AXIS_VALUES (the engine lists them eagerly: a 10^9-value int_uniform never returns)."""
    from .frontends.wandb_config import grid_sizes

    sizes = list(grid_sizes(parameters))
    total = 1
    for _, size in sizes:
        total *= size
    path, largest = max(sizes, key=lambda item: item[1], default=("", 0))
    if largest > MAX_AXIS_VALUES or total > MAX_GRID_POINTS:
        raise SpecError(
            f"the grid has {total:,} points and its largest axis {largest:,} values (preview's limits: "
            f"{MAX_GRID_POINTS:,} points, {MAX_AXIS_VALUES:,} values an axis), and W&B's engine lists them all "
            "before the first run; preview a narrower grid.",
            path=path or None,
        )


def leaf_paths(parameters: Mapping[str, Any]) -> Iterator[tuple[str, ...]]:
    """Key paths of a sweep's parameters, following nested `parameters` (not dict values)."""
    from .validation import parameter_leaves

    return (path for path, _ in parameter_leaves(parameters))


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
