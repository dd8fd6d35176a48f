"""Home of Ray's HyperOptSearch (hyperopt's TPE).

W&B: method bayes (warned: a Gaussian process, not TPE). Optuna engine: optuna's TPESampler with hyperopt's
tpe.suggest settings (n_initial_points, gamma, random_state_seed; warned). Reverse: such a sampler → HyperOptSearch,
and W&B's method bayes → HyperOptSearch over the exact hyperopt space. Compat rows tune.search.hyperopt,
optuna.search.hyperopt, reverse.tune.bayes; the 2020 beta's hyperopt.HyperOptSearch.
"""

from __future__ import annotations

from typing import Any

from ...backends.calls import Call
from ...backends.optuna_source import SamplerSpec
from ..plan import Warnings, signature_defaults
from .searcher import Searcher, check_options, seed

LEGACY_DEFAULTS = {"max_concurrent": None, "use_early_stopped_trials": None, "reward_attr": None}
"""Keywords of Ray < 2 (the 2020 beta's Ray 0.7) that the mirror still takes."""


class HyperOptSearch(Searcher):
    """hyperopt's TPE → W&B's bayes (warned: a Gaussian process, not TPE)."""

    method = "bayes"
    row = "tune.search.hyperopt"
    names = ("hyperopt",)
    ray_module = "ray.tune.search.hyperopt"
    beta_name = "hyperopt.HyperOptSearch"

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
        check_options(type(self), old_keywords)
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

    @classmethod
    def from_ray(cls, obj: Any) -> Searcher:
        keywords = getattr(getattr(obj, "algo", None), "keywords", {}) or {}  # Ray's partial(tpe.suggest, ...)
        return cls(
            getattr(obj, "_space", None),
            obj._metric,
            obj._mode,
            points_to_evaluate=getattr(obj, "_points_to_evaluate", None) or None,
            n_initial_points=keywords.get("n_startup_jobs", cls.defaults["n_initial_points"]),
            gamma=keywords.get("gamma", cls.defaults["gamma"]),
        )

    def sampler(self) -> tuple[SamplerSpec, Warnings]:
        o = self.options
        spec = tpe_sampler(o["n_initial_points"], o["gamma"], seed(o.get("random_state_seed"), "seed"))
        return spec, [("optuna.search.hyperopt", "")]

    @classmethod
    def reverse(cls, sampler: dict[str, Any], settings: dict[str, Any], metric: dict[str, Any]) -> Call | None:
        if sampler.get("name") != "TPESampler" or sampler.get("hyperopt_gamma") is None:
            return None
        kwargs = sampler.get("kwargs") or {}
        points = {"points_to_evaluate": settings["points_to_evaluate"]} if settings.get("points_to_evaluate") else {}
        args = {"n_initial_points": kwargs.get("n_startup_trials", cls.defaults["n_initial_points"]),
                "gamma": sampler["hyperopt_gamma"], "random_state_seed": kwargs.get("seed"), **points}  # fmt: skip
        return Call(cls.__name__, kwargs=tuple({**metric, **args}.items()))

    @classmethod
    def from_bayes(cls, space: Any, metric: str, mode: str | None) -> Call:
        """W&B's method bayes → HyperOptSearch holding `space` (the exact hyperopt space, as a calls tree)."""
        return Call(cls.__name__, kwargs=(("space", space), ("metric", metric), ("mode", mode)))


HyperOptSearch.defaults = {**signature_defaults(HyperOptSearch.__init__), **LEGACY_DEFAULTS}


def tpe_sampler(
    n_initial_points: int = HyperOptSearch.defaults["n_initial_points"],
    gamma: float = HyperOptSearch.defaults["gamma"],
    seed: int | None = None,
) -> SamplerSpec:
    """optuna's TPESampler with hyperopt's tpe.suggest settings (TPESampler.hyperopt_parameters).

    prior_weight 1, magic clip, no endpoints and 24 EI candidates are optuna's defaults; the startup
    trials and hyperopt's gamma rule are passed (optuna ≥ 4.9 deprecates `gamma`: the generated file
    silences exactly that FutureWarning around the call, optuna_source.GAMMA_WARNING).
    """
    kwargs = (("n_startup_trials", n_initial_points), ("seed", seed))
    return SamplerSpec("TPESampler", kwargs, hyperopt_gamma=gamma)
