"""Home of Ray's OptunaSearch.

W&B: refused (compat row tune.search.optuna). Optuna engine: the sampler given (any of Optuna's own, read back with
its constructor arguments and proved equal: optuna_sampler; row optuna.search.optuna.sampler), else Ray's default
TPESampler(seed) (warned, row optuna.search.optuna); points_to_evaluate enqueued, evaluated_rewards told as
finished trials; a define-by-run space function carried as written (optuna_define_by_run); Ray's metric/mode lists
→ W&B's `metrics` (row optuna.multi_objective). Reverse: a plain TPESampler → OptunaSearch(seed).
"""

from __future__ import annotations

import math
from typing import Any

from ... import compat
from ... import distributions as d
from ...backends.calls import Call
from ...backends.optuna_source import DefineByRun, SamplerSpec
from ...errors import SpecError
from .. import flat_keys
from ..plan import Contribution, Warnings
from .searcher import Searcher, check_options, seed


class OptunaSearch(Searcher):
    """Ray's OptunaSearch: refused by W&B's engine; under engine="optuna" its sampler (default TPE, seed)."""

    row = "tune.search.optuna"
    names = ("optuna",)
    ray_module = "ray.tune.search.optuna"
    multi_objective = True
    defaults = {"points_to_evaluate": None, "sampler": None, "study_name": None, "storage": None, "seed": None,
                "evaluated_rewards": None}  # fmt: skip

    def __init__(self, space: Any = None, metric: Any = None, mode: Any = None, **options: Any):
        check_options(type(self), options)
        super().__init__(space, metric, mode, **options)

    @classmethod
    def from_ray(cls, obj: Any) -> Searcher:
        from .optuna_define_by_run import is_distributions

        space = getattr(obj, "_space", None)
        if space and not callable(space) and not is_distributions(space):
            raise SpecError(
                f"a real {type(obj).__name__} keeps only a converted form of its space; pass the space as config= "
                "instead.",
                path="search_alg",
            )
        if getattr(obj, "_storage", None) is not None:
            raise compat.refuse("optuna.search.optuna.storage", path="search_alg.storage")
        return cls(
            space or None, obj._metric, obj._mode, sampler=obj._sampler, seed=obj._seed,
            points_to_evaluate=obj._points_to_evaluate or None, evaluated_rewards=obj._evaluated_rewards or None,
        )  # fmt: skip

    def plan(self) -> Contribution:
        raise compat.refuse(self.row, path="search_alg")

    def sampler(self) -> tuple[SamplerSpec, Warnings]:
        if self.options.get("storage") is not None:
            raise compat.refuse("optuna.search.optuna.storage", path="search_alg.storage")
        given = self.options.get("sampler")
        if given is not None:
            from . import optuna_sampler

            # Ray ignores seed= beside a sampler (it warns): so does the translation.
            return optuna_sampler.read(given), [("optuna.search.optuna.sampler", "")]
        return SamplerSpec("TPESampler", (("seed", seed(self.options.get("seed"), "seed")),)), [
            ("optuna.search.optuna", "")
        ]

    def define_by_run(self) -> DefineByRun | None:
        from . import optuna_define_by_run

        if optuna_define_by_run.is_distributions(self.space):  # Ray's other form: {name: Optuna distribution}
            return optuna_define_by_run.from_distributions(self.space)
        if not callable(self.space):
            return None
        return optuna_define_by_run.read(self.space)

    def runs_first(self, space: Any, points: tuple[Any, ...]) -> tuple[Any, ...]:
        for path, node in d.walk(space):
            if isinstance(node, d.GridAxis):  # Ray: "Grid search parameters cannot be automatically converted"
                raise SpecError("OptunaSearch does not take grid_search axes (Ray refuses them too).", path=path)
        return points

    def points(self) -> tuple[Any, ...]:
        if self.options.get("evaluated_rewards"):  # told with their rewards (`told`), not run again
            return ()
        return super().points()

    def told(self, space: Any) -> tuple[tuple[Any, float], ...]:
        """evaluated_rewards beside points_to_evaluate: (point, value), as Ray's add_evaluated_point adds them."""
        rewards = self.options.get("evaluated_rewards")
        if not rewards:
            return ()
        points = self.options.get("points_to_evaluate") or []
        where = "search_alg.evaluated_rewards"
        if not isinstance(rewards, list) or len(rewards) != len(points):
            raise SpecError(
                f"evaluated_rewards must be a list with one value per point of points_to_evaluate ({len(points)}), "
                f"got {rewards!r}.",
                path=where,
            )
        if callable(self.space):
            raise SpecError(
                "evaluated_rewards with a define-by-run space: Ray's OptunaSearch refuses it too (TypeError); pass the "
                "space as Tune domains, or drop evaluated_rewards (points_to_evaluate then run first).",
                path=where,
            )
        for i, value in enumerate(rewards):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise SpecError(
                    f"evaluated_rewards[{i}] is {value!r}; each must be one finite number (a multi-objective reward "
                    "list fails in Ray's OptunaSearch too: optuna's create_trial takes one value there).",
                    path=where,
                )
        if isinstance(space, d.Mapping) and not space.fields and self.space:  # Optuna distributions: as given
            return tuple((dict(p), v) for p, v in zip(points, rewards, strict=True))
        sampled = [p for p, n in d.walk(space) if p and "[" not in p and _sampled(n)]
        for i, point in enumerate(points):
            flat = _flat(_nested(point, f"search_alg.points_to_evaluate[{i}]"))
            missing = [p for p in sampled if p not in flat]
            if missing:
                raise SpecError(
                    f"points_to_evaluate[{i}] has no value for {', '.join(missing)}; a point told with its reward "
                    "must set every sampled parameter (Ray's OptunaSearch checks the same).",
                    path=where,
                )
        return tuple(
            (_nested(p, f"search_alg.points_to_evaluate[{i}]"), float(v) if isinstance(v, float) else v)
            for i, (p, v) in enumerate(zip(points, rewards, strict=True))
        )

    @classmethod
    def reverse(cls, sampler: dict[str, Any], settings: dict[str, Any], metric: dict[str, Any]) -> Call | None:
        ours = settings.get("search_alg") == cls.__name__
        if isinstance(metric.get("metric"), list) and sampler.get("hyperopt_gamma") is None:
            ours = True  # several objectives: Ray's multi-objective searcher holds whichever sampler the study has
        if not ours and sampler.get("name") != "TPESampler":  # a plain TPE (e.g. TuneBOHB's) reads back as ours
            return None
        if settings.get("define_by_run"):
            raise compat.refuse("reverse.optuna.define_by_run", path="scheduler.source")
        points = {"points_to_evaluate": settings["points_to_evaluate"]} if settings.get("points_to_evaluate") else {}
        if settings.get("evaluated_rewards"):
            points["evaluated_rewards"] = settings["evaluated_rewards"]
        kwargs = sampler.get("kwargs") or {}
        if sampler.get("name") == "TPESampler" and set(kwargs) <= {"seed"}:  # Ray's default sampler, seeded
            return Call(cls.__name__, kwargs=tuple({**metric, "seed": kwargs.get("seed"), **points}.items()))
        return Call(cls.__name__, kwargs=tuple({**metric, "sampler": _sampler_call(sampler), **points}.items()))


def _sampled(node: d.Node) -> bool:
    return not isinstance(node, (d.Constant, d.Mapping, d.Sequence))


def _nested(point: Any, where: str) -> Any:
    """A point whose "a/b" keys (Ray's flattened names) are nested, as the run receives it."""
    if not isinstance(point, dict) or not any(isinstance(k, str) and "/" in k for k in point):
        return point
    try:
        return flat_keys.nest(point.items())
    except flat_keys.KeyClash as clash:
        raise SpecError(f"key {clash.key!r} clashes with another key of the point.", path=where) from None


def _flat(point: Any, prefix: str = "") -> set[str]:
    if not isinstance(point, dict):
        return {prefix} if prefix else set()
    out = {prefix} if prefix else set()
    for key, value in point.items():
        out |= _flat(value, f"{prefix}.{key}" if prefix else str(key))
    return out


def _sampler_call(data: dict[str, Any]) -> Call:
    """The Optuna sampler a generated study builds (SamplerSpec.as_data), as a call: nested objects as calls."""
    kwargs = {
        k: _sampler_call({"name": v["class"], "kwargs": v.get("kwargs")}) if isinstance(v, dict) and "class" in v else v
        for k, v in (data.get("kwargs") or {}).items()
    }
    return Call(f"optuna.samplers.{data['name']}", kwargs=tuple(kwargs.items()))
