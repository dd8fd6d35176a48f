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

TARGETS = ("hyperopt", "tune")


def _hyperopt_tree(parsed: WandbSweep) -> Any:
    return hyperopt_space.space(parsed.space)


def to_hyperopt(sweep: Any) -> Any:
    """The sweep's parameters as a real hyperopt space (labels = dotted parameter paths).

    Needs hyperopt (`pip install 'sweepbridge[hyperopt]'`). Use it with hyperopt.fmin; W&B's method,
    metric and run_cap have no place in a hyperopt space (pass max_evals=run_cap yourself).
    """
    tree = _hyperopt_tree(parse_sweep(sweep))
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
                out[key] = build(tree, namespace(names(tree)))
        return {k: v for k, v in out.items() if v is not None}

    def tune_config(self) -> Any:
        """A real `ray.tune.TuneConfig`."""
        from ray import tune

        return tune.TuneConfig(**self.tune_config_kwargs())

    def tuner(self, trainable: Any, **kwargs: Any) -> Any:
        """A real `ray.tune.Tuner` (constructed, not run). With method bayes the search algorithm
        carries the exact hyperopt space, so the Tuner gets no param_space of its own."""
        from ray import tune

        space = None if self.search_alg is not None else self.param_space
        return tune.Tuner(trainable, param_space=space, tune_config=self.tune_config(), **kwargs)


@dataclass(frozen=True)
class _TuneTrees:
    param_space: dict[str, Any]
    config: dict[str, Any]


def _tune_trees(parsed: WandbSweep) -> _TuneTrees:
    space = tune_space.emit(parsed.space)
    if parsed.not_carried:
        compat.warn("reverse.tune.settings", f"Not carried over: {', '.join(parsed.not_carried)}.", path="sweep")
    mode = {"minimize": "min", "maximize": "max"}[parsed.goal] if parsed.metric else None
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
        kwargs = {"space": _hyperopt_tree(parsed), "metric": parsed.metric, "mode": mode}
        search_alg = Call("HyperOptSearch", kwargs=tuple(kwargs.items()))
        compat.warn("reverse.tune.bayes", path="method")
    sched = tune_space.scheduler(parsed.early_terminate, parsed.metric, mode)
    config = {
        "metric": parsed.metric,
        "mode": mode,
        "num_samples": num_samples,
        "search_alg": search_alg,
        "scheduler": sched,
    }
    return _TuneTrees(space, config)


def _grid_size(node: Any) -> int:
    from .distributions import walk

    size = 1
    for _, child in walk(node):
        if child.kind == "grid":
            size *= len(child.values)
    return size


def to_tune(sweep: Any) -> TuneSpec:
    """The sweep as a `TuneSpec`: real Ray Tune domains in `param_space` (grid axes under method
    grid), metric and mode from the sweep's metric, num_samples from run_cap (-1, i.e. until
    stopped, without one; 1 for a grid), the search algorithm (bayes → HyperOptSearch with the
    exact hyperopt space) and scheduler (hyperband → ASHA) equivalents, each warned with
    ApproximationWarning. Needs Ray Tune (`pip install 'sweepbridge[ray]'`).
    """
    trees = _tune_trees(parse_sweep(sweep))
    space = build(trees.param_space, namespace(names(trees.param_space) | {"tune"}))
    return TuneSpec(param_space=space, **trees.config)


def render_python(sweep: Any, target: str = "hyperopt") -> str:
    """Runnable Python source building the same objects as to_hyperopt / to_tune.

    hyperopt: defines `space`. tune: defines `param_space` and `tune_config`, and shows the Tuner
    call in a comment. Needs no library to render.
    """
    if target not in TARGETS:
        raise SpecError(f"target must be one of {', '.join(TARGETS)}, got {target!r}.")
    parsed = parse_sweep(sweep)
    title = f"# Generated by sweepbridge from a W&B sweep (method {parsed.method})"
    if target == "hyperopt":
        tree = _hyperopt_tree(parsed)
        body = f"space = {render(tree)}\n"
        used = names(tree)
    else:
        trees = _tune_trees(parsed)
        config = Call("tune.TuneConfig", kwargs=tuple((k, v) for k, v in trees.config.items() if v is not None))
        param_space = "None" if trees.config["search_alg"] is not None else "param_space"
        body = (
            f"param_space = {render(trees.param_space)}\n"
            f"tune_config = {render(config)}\n"
            f"# tuner = tune.Tuner(trainable, param_space={param_space}, tune_config=tune_config)\n"
        )
        used = names(trees.param_space) | names(config) | {"tune"}
    return "\n".join([title, *import_lines(used), "", body])
