"""Reverse translation: a W&B sweep → a hyperopt space or a Ray Tune param_space + run settings.

`sweep` is a SweepConfig, a dict, or a path to a YAML/JSON file (safe loader only). Exact or
refused, as in the forward direction: what the target cannot express raises
UnsupportedFeatureError naming the parameter path, the W&B kind and the target.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import compat
from .backends import hyperopt_space, tune_space
from .backends.calls import Call, build, import_lines, names, namespace, render
from .errors import SpecError
from .frontends.wandb_config import WandbSweep, parse_sweep
from .objective import MODE_OF_GOAL

TARGETS = ("hyperopt", "tune")


def _parse(sweep: Any) -> WandbSweep:
    """parse_sweep, plus `method: custom` sweeps with a sweepbridge-generated scheduler source."""
    import os
    from collections.abc import Mapping

    from .sweep_config import SweepConfig

    if isinstance(sweep, (str, os.PathLike)):
        sweep = SweepConfig.load(sweep)  # reads the scheduler source beside the file, if any
    if isinstance(sweep, Mapping) and sweep.get("method") == "custom":
        from .frontends.scheduler_source import parse_custom

        return parse_custom(sweep, getattr(sweep, "scheduler_source", None))
    return parse_sweep(sweep)


def _hyperopt_tree(parsed: WandbSweep) -> Any:
    return hyperopt_space.space(parsed.space)


def to_hyperopt(sweep: Any) -> Any:
    """The sweep's parameters as a real hyperopt space (labels = dotted parameter paths).

    Needs hyperopt (`pip install 'sweepbridge[hyperopt]'`). Use it with hyperopt.fmin; W&B's method,
    metric and run_cap have no place in a hyperopt space (pass max_evals=run_cap yourself).
    """
    tree = _hyperopt_tree(_parse(sweep))
    return build(tree, namespace(names(tree)))


@dataclass(frozen=True)
class TuneSpec:
    """What `to_tune` returns: a real Ray Tune param_space plus the run settings as plain data.

    `search_alg` and `scheduler` are `calls.Call` descriptions (class name + keyword arguments),
    or None for Ray's defaults (random search / grid via BasicVariantGenerator, FIFO scheduling);
    `tune_config()` and `tuner()` build the real Ray objects from them.
    """

    param_space: dict[str, Any]
    metric: str | None
    mode: str | None
    num_samples: int
    search_alg: Call | None = None
    scheduler: Call | None = None

    def tune_config_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `ray.tune.TuneConfig` (search_alg / scheduler built for real)."""
        out: dict[str, Any] = {"metric": self.metric, "mode": self.mode, "num_samples": self.num_samples}
        for key in ("search_alg", "scheduler"):
            tree = getattr(self, key)
            if tree is not None:
                out[key] = build(tree, namespace(names(tree), _ray_imports()))
        return {k: v for k, v in out.items() if v is not None}

    def tune_config(self) -> Any:
        """A real `ray.tune.TuneConfig`."""
        from ray import tune

        return tune.TuneConfig(**self.tune_config_kwargs())

    def tuner(self, trainable: Any, **kwargs: Any) -> Any:
        """A real `ray.tune.Tuner` (constructed, not run). With method bayes the search algorithm
        carries the exact hyperopt space, so the Tuner gets no param_space of its own."""
        from ray import tune

        space = None if _carries_space(self.search_alg) else self.param_space
        return tune.Tuner(trainable, param_space=space, tune_config=self.tune_config(), **kwargs)


def _carries_space(search_alg: Call | None) -> bool:
    """Whether the search algorithm holds the space itself (the bayes → HyperOptSearch translation)."""
    return search_alg is not None and any(k == "space" for k, _ in search_alg.kwargs)


@dataclass(frozen=True)
class _TuneTrees:
    param_space: dict[str, Any]
    config: dict[str, Any]


def _tune_trees(parsed: WandbSweep) -> _TuneTrees:
    from .tune import registry

    space = tune_space.emit(parsed.space)
    if parsed.method == "custom":
        return _TuneTrees(space, _custom_settings(parsed))
    if parsed.not_carried:
        compat.warn("reverse.tune.settings", f"Not carried over: {', '.join(parsed.not_carried)}.", path="sweep")
    mode = MODE_OF_GOAL[parsed.goal] if parsed.metric else None
    search_alg = None
    if parsed.method == "grid":
        num_samples = 1
        size = _grid_size(parsed.space)
        if parsed.run_cap is not None and parsed.run_cap < size:
            compat.warn("reverse.tune.grid_run_cap", f"run_cap {parsed.run_cap} < {size} combinations.", path="run_cap")
    else:
        num_samples = parsed.run_cap if parsed.run_cap is not None else -1
    if parsed.method == "bayes":
        if parsed.metric is None:
            raise SpecError("method bayes needs a metric.", path="metric")
        search_alg = registry.BAYES.from_bayes(_hyperopt_tree(parsed), parsed.metric, mode)
        compat.warn("reverse.tune.bayes", path="method")
    sched = registry.EARLY_TERMINATE.from_early_terminate(parsed.early_terminate, parsed.metric, mode)
    config = {
        "metric": parsed.metric,
        "mode": mode,
        "num_samples": num_samples,
        "search_alg": search_alg,
        "scheduler": sched,
    }
    return _TuneTrees(space, config)


def _custom_settings(parsed: WandbSweep) -> dict[str, Any]:
    """tune.TuneConfig settings of a sweepbridge scheduler source: the searcher and scheduler it was made from
    (each home reverses its own sampler / pruner)."""
    from .tune import registry

    study = parsed.study or {}
    sampler, pruner = study.get("sampler") or {}, study.get("pruner") or {}
    settings = study.get("settings") or {}
    several = isinstance(parsed.metric, tuple)  # W&B's metrics: Ray's lists, given to the searcher (as Ray asks)
    mode = [MODE_OF_GOAL[g] for g in parsed.goal] if several else MODE_OF_GOAL[parsed.goal]
    metric = {"metric": list(parsed.metric) if several else parsed.metric, "mode": mode}
    num_samples = settings.get("num_samples")
    if not isinstance(num_samples, int):
        num_samples = parsed.run_cap if parsed.run_cap is not None else -1
    search_alg = registry.reverse_searcher(sampler, settings, metric)
    home = next((c for c in registry.SEARCHERS if search_alg is not None and c.__name__ == search_alg.func), None)
    if several and not getattr(home, "multi_objective", False):
        raise compat.refuse("reverse.multi_objective", f"Its sampler: {sampler.get('name')}.", path="metrics")
    return {
        **({"metric": None, "mode": None} if several else metric),
        "num_samples": num_samples,
        "search_alg": search_alg,
        "scheduler": registry.reverse_scheduler(pruner, settings, metric),
    }


def _ray_imports() -> dict[str, Any]:
    """How rendered / built Ray source imports the searcher and scheduler classes (from their homes)."""
    from .tune.registry import RAY_IMPORTS

    return RAY_IMPORTS


def _grid_size(node: Any) -> int:
    from .distributions import GridAxis, walk

    size = 1
    for _, child in walk(node):
        if isinstance(child, GridAxis):
            size *= len(child.values)
    return size


def to_tune(sweep: Any) -> TuneSpec:
    """The sweep as a `TuneSpec`: real Ray Tune domains in `param_space` (grid axes under method
    grid), metric and mode from the sweep's metric, num_samples from run_cap (-1, i.e. until
    stopped, without one; 1 for a grid), the search algorithm (bayes → HyperOptSearch with the
    exact hyperopt space) and scheduler (hyperband → ASHA) equivalents, each warned with
    ApproximationWarning. Needs Ray Tune (`pip install 'sweepbridge[ray]'`).
    """
    trees = _tune_trees(_parse(sweep))
    space = build(trees.param_space, namespace(names(trees.param_space) | {"tune"}, _ray_imports()))
    return TuneSpec(param_space=space, **trees.config)


def render_python(sweep: Any, target: str = "hyperopt") -> str:
    """Runnable Python source building the same objects as to_hyperopt / to_tune.

    hyperopt: defines `space`. tune: defines `param_space` and `tune_config`, and shows the Tuner
    call in a comment. Needs no library to render.
    """
    if target not in TARGETS:
        raise SpecError(f"target must be one of {', '.join(TARGETS)}, got {target!r}.")
    parsed = _parse(sweep)
    title = f"# Generated by sweepbridge from a W&B sweep (method {parsed.method})"
    if target == "hyperopt":
        tree = _hyperopt_tree(parsed)
        body = f"space = {render(tree)}\n"
        used = names(tree)
    else:
        trees = _tune_trees(parsed)
        config = Call("tune.TuneConfig", kwargs=tuple((k, v) for k, v in trees.config.items() if v is not None))
        param_space = "None" if _carries_space(trees.config["search_alg"]) else "param_space"
        body = (
            f"param_space = {render(trees.param_space)}\n"
            f"tune_config = {render(config)}\n"
            f"# tuner = tune.Tuner(trainable, param_space={param_space}, tune_config=tune_config)\n"
        )
        used = names(trees.param_space) | names(config) | {"tune"}
    return "\n".join([title, *import_lines(used, _ray_imports()), "", body])
