"""Home of Ray's SkOptSearch (Scikit-Optimize's ask/tell Optimizer; `ray.tune.suggest.skopt` in the 2020 beta's
Ray, `ray.tune.search.skopt` until Ray removed it in 2024; the library remains).

W&B: refused (compat row tune.search.skopt). Optuna engine: the generated sampler drives skopt's own Optimizer
(backends.asktell_source), built as Ray's last SkOptSearch builds it: its convert_search_space (Real / Integer with
uniform or log-uniform prior, Integer's upper bound upper - 1, Categorical; one dimension per flat name "a/b", in
Ray's order), `skopt.Optimizer(dimensions, **optimizer_kwargs)` (or the settings of an Optimizer instance given),
points_to_evaluate run first as given (then told), evaluated_rewards told before anything runs, results negated
when maximizing, NaN / inf results not told. Domains Ray's converter distorts are refused (compat row
optuna.search.skopt.space). Compat row optuna.search.skopt; the 2020 beta's skopt.SkOptSearch.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ... import compat
from ... import distributions as d
from ...backends import asktell_source
from ...backends.optuna_source import SamplerSpec
from ...errors import SpecError
from ..plan import Warnings
from .searcher import Searcher, check_options

ADAPTER = '''
class SkOptOptimizer:
    """skopt's Optimizer over Ray's conversion of the space (one dimension per flat name), built as Ray's
    SkOptSearch builds it: evaluated_rewards told first (as given), points_to_evaluate asked first (then told),
    NaN / inf results not told."""

    def __init__(self, library: dict[str, Any]) -> None:
        import skopt

        self._keys = list(library["space"])
        self._specs = list(library["space"].values())
        dimensions = [_skopt_dimension(skopt, spec) for spec in self._specs]
        self._optimizer = skopt.Optimizer(dimensions, **library["optimizer_kwargs"])
        points = [[point[key] for key in self._keys] for point in library["points"]]
        if points and library["evaluated_rewards"]:
            self._optimizer.tell(points, library["evaluated_rewards"])
            points = []
        self._first = points

    def ask(self) -> tuple[Any, dict[str, Any]]:
        x = self._first.pop(0) if self._first else self._optimizer.ask()
        point = {}
        for key, spec, value in zip(self._keys, self._specs, x):
            if spec["type"] == "Categorical":
                value = next(i for i, c in enumerate(spec["categories"]) if c == value)
            point[key] = value.item() if hasattr(value, "item") else value
        return x, point

    def tell(self, x: list[Any], loss: float) -> None:
        if math.isfinite(loss):
            self._optimizer.tell(x, loss)

    def tell_point(self, point: dict[str, Any], loss: float) -> None:
        x = [
            spec["categories"][point[key]] if spec["type"] == "Categorical" else point[key]
            for key, spec in zip(self._keys, self._specs)
        ]
        self.tell(x, loss)


def _skopt_dimension(skopt: Any, spec: dict[str, Any]) -> Any:
    """One dimension of Ray's conversion: Categorical, or Real / Integer with its prior."""
    if spec["type"] == "Categorical":
        return skopt.space.Categorical(spec["categories"])
    kind = skopt.space.Real if spec["type"] == "Real" else skopt.space.Integer
    return kind(spec["low"], spec["high"], prior=spec["prior"])
'''
"""The generated file's skopt part (asktell_source's library interface)."""

NEEDS = (("skopt", "scikit-optimize"),)


class SkOptSearch(Searcher):
    """Ray's SkOptSearch: refused by W&B's engine; under engine="optuna" skopt's own Optimizer."""

    row = "tune.search.skopt"
    names = ("skopt",)
    ray_module = "ray.tune.search.skopt"
    beta_name = "skopt.SkOptSearch"
    defaults = {
        "optimizer": None,
        "points_to_evaluate": None,
        "evaluated_rewards": None,
        "convert_to_python": True,
        "optimizer_kwargs": None,
        "max_concurrent": None,
        "use_early_stopped_trials": None,
    }

    def __init__(self, optimizer: Any = None, space: Any = None, metric: str | None = None, mode: str | None = None,
                 points_to_evaluate: list | None = None, evaluated_rewards: list | None = None,
                 convert_to_python: bool = True, optimizer_kwargs: dict | None = None,
                 **options: Any) -> None:  # fmt: skip
        check_options(type(self), options)
        if _is_skopt(optimizer):
            optimizer, optimizer_kwargs, space = _read_optimizer(optimizer, space, optimizer_kwargs)
        elif isinstance(space, dict):
            space = _skopt_format(space)
        if isinstance(points_to_evaluate, list) and points_to_evaluate and isinstance(points_to_evaluate[0], list):
            names = _flat_names(space)  # Ray's backwards compatibility: lists of values in the space's order
            points_to_evaluate = [dict(zip(names, p, strict=False)) for p in points_to_evaluate]
        super().__init__(space, metric, mode, optimizer=optimizer, points_to_evaluate=points_to_evaluate,
                         evaluated_rewards=evaluated_rewards, convert_to_python=convert_to_python,
                         optimizer_kwargs=optimizer_kwargs, **options)  # fmt: skip

    def plan(self) -> Any:
        raise compat.refuse(self.row, path="search_alg")

    def sampler(self) -> tuple[SamplerSpec, Warnings]:
        kwargs = self.options.get("optimizer_kwargs") or {}
        if not isinstance(kwargs, dict) or not _plain(kwargs):
            raise SpecError(
                f"optimizer_kwargs must be a dict of plain values (the generated file rebuilds skopt.Optimizer from "
                f"them), got {kwargs!r}.",
                path="search_alg.optimizer_kwargs",
            )
        unknown = sorted(set(kwargs) - set(OPTIMIZER_ARGS))
        if unknown:
            raise SpecError(f"skopt.Optimizer takes no {', '.join(unknown)}.", path="search_alg.optimizer_kwargs")
        seed = kwargs.get("random_state")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise SpecError(f"random_state must be an int seed, got {seed!r}.", path="search_alg.optimizer_kwargs")
        rewards = self.options.get("evaluated_rewards")
        if rewards is not None and not (isinstance(rewards, list) and all(_number(r) for r in rewards)):
            raise SpecError(f"evaluated_rewards must be a list of numbers, got {rewards!r}.", path="search_alg")
        settings = (("optimizer_kwargs", kwargs), ("evaluated_rewards", rewards or []))
        return SamplerSpec("SkOptSearch", settings), []  # exact (compat row optuna.search.skopt): no warning

    def runs_first(self, space: d.Node, points: tuple[Any, ...]) -> tuple[Any, ...]:
        """Nothing is enqueued: skopt's side runs the points itself (space_sampler embeds them)."""
        return ()

    def space_sampler(self, sampler: SamplerSpec, space: d.Node) -> SamplerSpec:
        fields = (child for _, node in d.walk(space) if isinstance(node, d.Mapping) for _, child in node.fields)
        if self.space not in (None, {}) and any(isinstance(child, d.Constant) for child in fields):
            raise SpecError(
                "a space given to SkOptSearch itself makes each constant an skopt dimension in Ray (its converter "
                "joins them in); give constants through tune.run's config.",
                path="search_alg.space",
            )
        leaves = asktell_source.leaves(space, _refusal, "SkOptSearch")
        keys = tuple(k for k, _ in d.root_fields(space))
        specs = {leaf.key: _dimension(leaf.node) for leaf in leaves}
        points = [_point(p, specs, n) for n, p in enumerate(self.points())]
        settings = dict(sampler.kwargs)
        if settings["evaluated_rewards"] and len(settings["evaluated_rewards"]) != len(points):
            raise SpecError(
                f"{len(settings['evaluated_rewards'])} evaluated_rewards for {len(points)} points_to_evaluate (Ray's "
                "validate_warmstart raises ValueError).",
                path="search_alg.evaluated_rewards",
            )
        library = {**settings, "space": specs, "points": points}
        params = [asktell_source.draws(leaf, keys) for leaf in leaves]
        asktell_source.check_library(ADAPTER, "SkOptOptimizer", library, "skopt")
        code = asktell_source.library_sampler(
            library, params, ADAPTER, "SkOptOptimizer", imports=("import math",), needs=NEEDS
        )
        return SamplerSpec(sampler.name, sampler.kwargs, library=code)

    @classmethod
    def reverse(cls, sampler: dict[str, Any], settings: dict[str, Any], metric: dict[str, Any]) -> Any:
        """Refused: Ray removed SkOptSearch (ray.tune.search.skopt) in 2024, so no Ray 2 script can hold it."""
        if sampler.get("name") != cls.__name__:
            return None
        raise SpecError(
            "this study drives skopt (SkOptSearch), which today's Ray no longer has (removed in 2024); keep the "
            "sweep on W&B's scheduler, or translate the space alone (reverse --to hyperopt).",
            path="scheduler.source",
        )


OPTIMIZER_ARGS = (
    "base_estimator", "n_random_starts", "n_initial_points", "initial_point_generator", "n_jobs", "acq_func",
    "acq_optimizer", "random_state", "model_queue_size", "space_constraint", "acq_func_kwargs",
    "acq_optimizer_kwargs", "avoid_duplicates",
)  # fmt: skip
"""skopt.Optimizer's keyword arguments besides the dimensions (scikit-optimize 0.10)."""


def _dimension(node: d.Node) -> dict[str, Any]:
    """Ray's convert_search_space of the Tune domain `node` (as plain data)."""
    if isinstance(node, d.Choice):
        return {"type": "Categorical", "categories": [o.value for o in node.options]}  # type: ignore[attr-defined]
    if isinstance(node, d.IntUniform):  # randint(lower, upper): Integer(lower, upper - 1)
        return {"type": "Integer", "low": node.low, "high": node.high, "prior": "uniform"}
    if isinstance(node, d.LogInteger):  # lograndint(lower, upper): Integer(lower, upper - 1, log-uniform)
        return {"type": "Integer", "low": node.low, "high": node.high - 1, "prior": "log-uniform"}
    prior = "log-uniform" if isinstance(node, d.LogUniform) else "uniform"
    return {"type": "Real", "low": node.low, "high": node.high, "prior": prior}  # type: ignore[attr-defined]


REFUSED: dict[type[d.Node], str] = {
    d.QUniform: "tune.quniform: Ray's SkOptSearch drops the quantization and searches floats",
    d.QLogUniform: "tune.qloguniform: Ray's SkOptSearch drops the quantization and the log scale",
    d.IntUniform: "tune.qrandint: Ray's SkOptSearch drops the quantization (and takes upper as exclusive)",
    d.LogInteger: "tune.qlograndint: Ray's SkOptSearch drops the quantization and the log scale",
    d.Normal: "tune.randn: Ray's SkOptSearch builds Real(None, None), which skopt refuses",
    d.QNormal: "tune.qrandn: Ray's SkOptSearch builds Real(None, None), which skopt refuses",
    d.Choice: "a conditional or weighted choice: Ray's SkOptSearch passes the nested domains as categories",
    d.GridAxis: "grid_search (Ray's SkOptSearch raises ValueError)",
}
_refusal = asktell_source.converter_refusal("optuna.search.skopt.space", REFUSED)
"""The refusal of a Tune domain Ray's converter changes (None: carried exactly)."""


def _point(point: Any, specs: dict[str, dict[str, Any]], n: int) -> dict[str, Any]:
    """A points_to_evaluate entry as Ray uses it: `[point[name] for name in names]` for skopt (so every flat name),
    each value inside its dimension (skopt raises when told one outside)."""
    where = f"search_alg.points_to_evaluate[{n}]"
    if not isinstance(point, dict) or set(point) != set(specs):
        got = sorted(point) if isinstance(point, dict) else type(point).__name__
        raise SpecError(
            f"SkOptSearch reads each point by the flat names {sorted(specs)} (Ray's names for nested parameters), "
            f"got {got} (Ray raises KeyError for a missing one; an extra one would reach the run).",
            path=where,
        )
    for key, spec in specs.items():
        value = point[key]
        if spec["type"] == "Categorical":
            if not any(value == c for c in spec["categories"]):
                raise SpecError(f"{value!r} is not one of {spec['categories']!r}.", path=f"{where}.{key}")
        elif (
            not _number(value)
            or not spec["low"] <= value <= spec["high"]
            or (spec["type"] == "Integer" and not isinstance(value, int))
        ):
            raise SpecError(
                f"{value!r} is not {'an int' if spec['type'] == 'Integer' else 'a number'} in "
                f"[{spec['low']}, {spec['high']}] (skopt raises when told it).",
                path=f"{where}.{key}",
            )
    return dict(point)


def _number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def _plain(value: Any) -> bool:
    try:
        return json.loads(json.dumps(value, allow_nan=False)) == value
    except (TypeError, ValueError):
        return False


def _flat_names(space: Any) -> list[str]:
    """The flat names of a space given as a dict, in its order (the names Ray zips list points with)."""
    if not isinstance(space, dict):
        raise SpecError("points given as lists need the space (their values follow its order).", path="search_alg")
    out: list[str] = []
    for key, value in space.items():
        out += [f"{key}/{sub}" for sub in _flat_names(value)] if isinstance(value, dict) else [key]
    return out


def _is_skopt(obj: Any) -> bool:
    return type(obj).__module__.split(".", 1)[0] == "skopt"


def _tune_domain(dimension: Any) -> Any:
    """The Tune domain Ray's converter turns into `dimension` (the skopt dimension given), or a SpecError."""
    from ..domains import choice, lograndint, loguniform, randint, uniform

    kind, prior = type(dimension).__name__, getattr(dimension, "prior", None)
    if kind == "Categorical":
        return choice(list(dimension.categories))
    if kind == "Integer" and prior in ("uniform", "log-uniform") and dimension.base == 10:
        make = randint if prior == "uniform" else lograndint
        return make(int(dimension.low), int(dimension.high) + 1)
    if kind == "Real" and prior in ("uniform", "log-uniform") and dimension.base == 10:
        return (uniform if prior == "uniform" else loguniform)(dimension.low, dimension.high)
    raise SpecError(f"{dimension!r} is not a dimension Ray's converter writes.", path="search_alg.optimizer")


def _skopt_format(space: dict[str, Any]) -> dict[str, Any]:
    """A space in skopt's own format ({"x": (low, high)}, {"c": ["a", "b"]}, or skopt dimensions), as Ray passes it
    to skopt.Optimizer, read as Tune domains through skopt's own `check_dimension`; Tune domains stay."""
    import importlib

    out: dict[str, Any] = {}
    for key, value in space.items():
        if isinstance(value, dict):
            out[key] = _skopt_format(value)
        elif _is_skopt(value) or isinstance(value, (tuple, list)):
            space_module = importlib.import_module("skopt.space")
            out[key] = _tune_domain(space_module.check_dimension(value))
        else:
            out[key] = value
    return out


def _read_optimizer(optimizer: Any, names: Any, kwargs: dict | None) -> tuple[None, dict[str, Any], dict[str, Any]]:
    """An skopt.Optimizer instance (Ray's `optimizer=`, with `space` its parameter names) as Ray's own
    configuration: its dimensions as Tune domains by those names, its constructor's arguments (skopt keeps them
    in `specs`) as optimizer_kwargs. One that was already told points is refused (its state is not carried)."""
    if kwargs:
        raise SpecError("give optimizer_kwargs or an Optimizer instance, not both.", path="search_alg")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise SpecError(
            "with an skopt.Optimizer instance, space must be the list of parameter names (as in Ray).",
            path="search_alg.space",
        )
    if getattr(optimizer, "Xi", None):
        raise SpecError(
            "this skopt.Optimizer was already told points; the generated file cannot carry its state: pass a fresh "
            "one (or points_to_evaluate with evaluated_rewards).",
            path="search_alg.optimizer",
        )
    dimensions = optimizer.space.dimensions
    if len(dimensions) != len(names):
        raise SpecError(f"{len(names)} names for {len(dimensions)} dimensions.", path="search_alg.space")
    args = {k: v for k, v in optimizer.specs["args"].items() if k in OPTIMIZER_ARGS}
    defaults = {"base_estimator": "gp", "n_random_starts": None, "n_initial_points": 10,
                "initial_point_generator": "random", "n_jobs": 1, "acq_func": "gp_hedge", "acq_optimizer": "auto",
                "random_state": None, "model_queue_size": None, "space_constraint": None, "acq_func_kwargs": None,
                "acq_optimizer_kwargs": None, "avoid_duplicates": True}  # fmt: skip
    given = {k: v for k, v in args.items() if k not in defaults or v != defaults[k]}
    from .. import flat_keys

    space = flat_keys.nest((name, _tune_domain(dim)) for name, dim in zip(names, dimensions, strict=True))
    return None, given, space


__all__ = ["SkOptSearch"]
