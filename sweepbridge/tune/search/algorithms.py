"""Ray Tune's search algorithms as translation plans: each says which W&B method it becomes."""

from __future__ import annotations

from typing import Any

from ... import compat
from .. import configspace, flat_keys
from ..plan import Plan, changed


class Searcher:
    """Base of the mirrored search algorithms (`plan()` is what tune.run reads)."""

    method = "variant"
    row = "tune.search.basic_variant"
    defaults: dict[str, Any] = {}

    def __init__(self, space: Any = None, metric: str | None = None, mode: str | None = None, **options: Any):
        self.space, self.metric, self.mode = space, metric, mode
        self.options = options

    def plan(self) -> Plan:
        plan = Plan(type(self).__name__, self.method, self.space, self.metric, self.mode)
        if self.row != "tune.search.basic_variant":
            plan.warnings.append((self.row, ""))
        given = changed(self.options, self.defaults)
        if "max_concurrent" in given:
            given.remove("max_concurrent")
            plan.warnings.append(("tune.search.concurrency", f"{type(self).__name__}(max_concurrent=...) is ignored."))
        if given:
            plan.warnings.append(
                ("tune.search.options", f"{type(self).__name__}({', '.join(given)}) has no W&B counterpart; ignored.")
            )
        return plan


class BasicVariantGenerator(Searcher):
    """Ray's default: grid search for grid axes, random sampling for the rest."""

    defaults = {"points_to_evaluate": None, "max_concurrent": 0, "constant_grid_search": False, "random_state": None}

    def __init__(
        self,
        points_to_evaluate: list[dict] | None = None,
        max_concurrent: int = 0,
        constant_grid_search: bool = False,
        random_state: Any = None,
    ) -> None:
        # constant_grid_search only matters for grids mixed with sampled domains, which are refused.
        super().__init__(
            points_to_evaluate=points_to_evaluate, max_concurrent=max_concurrent, random_state=random_state
        )
        self.constant_grid_search = constant_grid_search


class HyperOptSearch(Searcher):
    """hyperopt's TPE → W&B's bayes (warned: a Gaussian process, not TPE)."""

    method = "bayes"
    row = "tune.search.hyperopt"
    defaults = {
        "points_to_evaluate": None,
        "n_initial_points": 20,
        "random_state_seed": None,
        "gamma": 0.25,
        "max_concurrent": None,
        "use_early_stopped_trials": None,
        "reward_attr": None,
    }

    def __init__(
        self,
        space: Any = None,
        metric: str | None = None,
        mode: str | None = None,
        points_to_evaluate: list[dict] | None = None,
        n_initial_points: int = 20,
        random_state_seed: int | None = None,
        gamma: float = 0.25,
        **old_keywords: Any,
    ) -> None:
        unknown = sorted(set(old_keywords) - set(self.defaults))
        if unknown:
            raise TypeError(f"HyperOptSearch() got unexpected keyword arguments {unknown}")
        if old_keywords.get("reward_attr") is not None and metric is None:  # Ray < 0.8: reward_attr, mode max
            metric, mode = old_keywords.pop("reward_attr"), mode or "max"
        super().__init__(
            space,
            metric,
            mode,
            points_to_evaluate=points_to_evaluate,
            n_initial_points=n_initial_points,
            random_state_seed=random_state_seed,
            gamma=gamma,
            **old_keywords,
        )


class BayesOptSearch(Searcher):
    """bayes_opt's Gaussian process → W&B's bayes (warned: acquisition and kernel differ)."""

    method = "bayes"
    row = "tune.search.bayesopt"
    defaults = {
        "points_to_evaluate": None,
        "utility_kwargs": None,
        "random_state": 42,
        "random_search_steps": 10,
        "verbose": 0,
        "patience": 5,
        "skip_duplicate": True,
        "analysis": None,
        "repeat_float_precision": 5,
        "max_concurrent": None,
    }

    def __init__(self, space: Any = None, metric: str | None = None, mode: str | None = None, **options: Any):
        unknown = sorted(set(options) - set(self.defaults))
        if unknown:
            raise TypeError(f"BayesOptSearch() got unexpected keyword arguments {unknown}")
        super().__init__(_bounds_as_ranges(space), metric, mode, **options)


def _bounds_as_ranges(space: Any) -> Any:
    """bayes_opt's space format, {"x": (low, high)}, as Tune ranges: Ray passes such bounds to bayes_opt, which
    searches U(low, high) (a pair of numbers there is a range, not a constant). Flat names ("a/b", the form
    Ray converts a nested space to) nest again, as Ray's `unflatten_dict` nests each suggestion."""
    if not isinstance(space, dict):
        return space
    from ...errors import SpecError
    from ..domains import uniform

    def bounds(v: Any) -> bool:
        return isinstance(v, (tuple, list)) and len(v) == 2 and all(type(x) in (int, float) for x in v)

    try:
        return flat_keys.nest((k, uniform(*v) if bounds(v) else v) for k, v in space.items())
    except flat_keys.KeyClash as clash:
        raise SpecError(f"{clash.key!r} clashes with another parameter's name.", path="search_alg.space") from None


class ConcurrencyLimiter(Searcher):
    """Unwrapped (warned): concurrency is the number of W&B agents you start."""

    def __init__(self, searcher: Any, max_concurrent: int, batch: bool = False) -> None:
        self.searcher, self.max_concurrent, self.batch = searcher, max_concurrent, batch

    def plan(self) -> Plan:
        from ..translate import searcher_plan

        plan = searcher_plan(self.searcher)
        plan.warnings.append(("tune.search.concurrency", f"ConcurrencyLimiter(max_concurrent={self.max_concurrent})."))
        return plan


class _Unsupported:
    row = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise compat.refuse(self.row, path="search_alg")


def _unsupported(name: str, row: str) -> type:
    return type(name, (_Unsupported,), {"row": row, "__doc__": f"Refused: see compat row {row}."})


NevergradSearch = _unsupported("NevergradSearch", "tune.search.nevergrad")
SkOptSearch = _unsupported("SkOptSearch", "tune.search.skopt")
AxSearch = _unsupported("AxSearch", "tune.search.ax")


class OptunaSearch(Searcher):
    """Ray's OptunaSearch: refused by W&B's engine; under engine="optuna" its own sampler (TPE, seed)."""

    row = "tune.search.optuna"
    defaults = {"points_to_evaluate": None, "sampler": None, "study_name": None, "storage": None, "seed": None,
                "evaluated_rewards": None}  # fmt: skip

    def __init__(self, space: Any = None, metric: str | None = None, mode: str | None = None, **options: Any):
        unknown = sorted(set(options) - set(self.defaults))
        if unknown:
            raise TypeError(f"OptunaSearch() got unexpected keyword arguments {unknown}")
        super().__init__(space, metric, mode, **options)

    def plan(self) -> Plan:
        raise compat.refuse(self.row, path="search_alg")


class TuneBOHB(Searcher):
    """Ray's TuneBOHB: refused by W&B's engine; under engine="optuna" Optuna's TPE (seed), warned."""

    row = "tune.search.bohb"
    defaults = {"bohb_config": None, "points_to_evaluate": None, "seed": None, "max_concurrent": 0}

    def __init__(self, space: Any = None, bohb_config: dict | None = None, metric: str | None = None,
                 mode: str | None = None, **options: Any) -> None:  # fmt: skip
        unknown = sorted(set(options) - set(self.defaults))
        if unknown:
            raise TypeError(f"TuneBOHB() got unexpected keyword arguments {unknown}")
        if configspace.is_configspace(space):  # Ray's other way to give the space: read where exact
            space = configspace.to_tune(space)
        if isinstance(options.get("points_to_evaluate"), list):  # Ray unflattens each point's "a/b" keys
            options["points_to_evaluate"] = [configspace.nest_point(p) for p in options["points_to_evaluate"]]
        super().__init__(space, metric, mode, bohb_config=bohb_config, **options)

    def plan(self) -> Plan:
        raise compat.refuse(self.row, path="search_alg")


ZOOptSearch = _unsupported("ZOOptSearch", "tune.search.zoopt")
HEBOSearch = _unsupported("HEBOSearch", "tune.search.hebo")

BY_NAME: dict[str, type] = {
    "variant_generator": BasicVariantGenerator,
    "random": BasicVariantGenerator,
    "hyperopt": HyperOptSearch,
    "bayesopt": BayesOptSearch,
    "nevergrad": NevergradSearch,
    "skopt": SkOptSearch,
    "ax": AxSearch,
    "bohb": TuneBOHB,
    "optuna": OptunaSearch,
    "zoopt": ZOOptSearch,
    "hebo": HEBOSearch,
}
"""Ray's `search_alg="..."` names (ray.tune.search.create_searcher)."""
