"""Real `ray.tune` searchers and schedulers → the mirrored classes (read from their attributes).

Ray keeps most constructor arguments in private attributes; each reader below names the ones it
uses (checked against Ray 2.60 by tests/test_tune_ray_objects.py).
"""

from __future__ import annotations

from typing import Any

from ..errors import SpecError
from . import schedulers as s
from .search import algorithms as a


def is_ray(obj: Any) -> bool:
    return type(obj).__module__.split(".", 1)[0] == "ray"


def _hyperopt(obj: Any) -> a.Searcher:
    keywords = getattr(getattr(obj, "algo", None), "keywords", {}) or {}
    return a.HyperOptSearch(
        getattr(obj, "_space", None),
        obj._metric,
        obj._mode,
        points_to_evaluate=getattr(obj, "_points_to_evaluate", None) or None,
        n_initial_points=keywords.get("n_startup_jobs", 20),
        gamma=keywords.get("gamma", 0.25),
    )


def _bayesopt(obj: Any) -> a.Searcher:
    """Ray keeps utility_kwargs as a bayes_opt UtilityFunction (kind, kappa, xi; kappa decay if set)."""
    u = obj.utility
    utility = {"kind": u.kind, "kappa": u.kappa, "xi": u.xi}
    if (getattr(u, "_kappa_decay", 1), getattr(u, "_kappa_decay_delay", 0)) != (1, 0):
        utility.update(kappa_decay=u._kappa_decay, kappa_decay_delay=u._kappa_decay_delay)
    return a.BayesOptSearch(
        obj._space or None,  # Ray's conversion of the space given: {"a/b": (lower, upper)}, what bayes_opt searches
        obj._metric,
        obj._mode,
        points_to_evaluate=obj._points_to_evaluate or None,
        utility_kwargs=None if utility == {"kind": "ucb", "kappa": 2.576, "xi": 0.0} else utility,
        random_state=obj._random_state,
        random_search_steps=obj.random_search_trials,
        verbose=obj._verbose,
        patience=obj._patience,
        skip_duplicate=obj._skip_duplicate,
        analysis=obj._analysis,
        repeat_float_precision=getattr(obj, "repeat_float_precision", 5),
    )


def _variant(obj: Any) -> a.Searcher:
    return a.BasicVariantGenerator(
        points_to_evaluate=obj._points_to_evaluate or None, max_concurrent=obj.max_concurrent
    )


def _limiter(obj: Any) -> a.Searcher:
    return a.ConcurrencyLimiter(searcher(obj.searcher), obj.max_concurrent, obj.batch)


SEARCHERS = {
    "HyperOptSearch": _hyperopt,
    "BasicVariantGenerator": _variant,
    "ConcurrencyLimiter": _limiter,
    "BayesOptSearch": _bayesopt,
    "NevergradSearch": lambda o: a.NevergradSearch(),
    "SkOptSearch": lambda o: a.SkOptSearch(),
    "AxSearch": lambda o: a.AxSearch(),
    "TuneBOHB": lambda o: a.TuneBOHB(  # _space: None, or Ray's ConfigSpace conversion of the space given
        o._space or None,
        o._bohb_config,
        o._metric,
        o._mode,
        seed=o._seed,
        points_to_evaluate=o._points_to_evaluate or None,
    ),  # fmt: skip
    "OptunaSearch": lambda o: a.OptunaSearch(
        None, o._metric, o._mode, sampler=o._sampler, seed=o._seed, points_to_evaluate=o._points_to_evaluate or None
    ),  # fmt: skip
    "ZOOptSearch": lambda o: a.ZOOptSearch(),
    "HEBOSearch": lambda o: a.HEBOSearch(),
}


def searcher(obj: Any) -> a.Searcher:
    """A mirror of real Ray searcher `obj` (or `obj` itself when it is already ours)."""
    if not is_ray(obj):
        return obj
    reader = SEARCHERS.get(type(obj).__name__)
    if reader is None:
        raise SpecError(f"unrecognised Ray Tune search algorithm {type(obj).__name__}.", path="search_alg")
    if type(obj).__name__ == "OptunaSearch" and getattr(obj, "_space", None):
        raise SpecError(
            f"a real {type(obj).__name__} keeps only a converted form of its space; pass the space as config= instead.",
            path="search_alg",
        )
    return reader(obj)


def _asha(obj: Any) -> s.TrialScheduler:
    bracket = obj._brackets[0]
    return s.AsyncHyperBandScheduler(
        obj._time_attr,
        obj._metric,
        obj._mode,
        max_t=obj._max_t,
        grace_period=min(milestone for milestone, _ in bracket._rungs),
        reduction_factor=bracket.rf,
        brackets=len(obj._brackets),
    )


def _hyperband(obj: Any) -> s.TrialScheduler:
    return s.HyperBandScheduler(
        obj._time_attr, obj._metric, obj._mode, max_t=obj._max_t_attr, reduction_factor=obj._eta
    )


SCHEDULERS = {
    "AsyncHyperBandScheduler": _asha,
    "HyperBandScheduler": _hyperband,
    "FIFOScheduler": lambda o: s.FIFOScheduler(),
    "MedianStoppingRule": lambda o: s.MedianStoppingRule(
        o._time_attr, o._metric, o._mode, o._grace_period, o._min_samples_required, o._min_time_slice, o._hard_stop
    ),
    "PopulationBasedTraining": lambda o: s.PopulationBasedTraining(),
    "PopulationBasedTrainingReplay": lambda o: s.PopulationBasedTrainingReplay(),
    "PB2": lambda o: s.PB2(),
    "HyperBandForBOHB": lambda o: s.HyperBandForBOHB(
        o._time_attr, o._metric, o._mode, max_t=o._max_t_attr, reduction_factor=o._eta
    ),
}


def scheduler(obj: Any) -> s.TrialScheduler:
    """A mirror of real Ray scheduler `obj` (or `obj` itself when it is already ours)."""
    if not is_ray(obj):
        return obj
    reader = SCHEDULERS.get(type(obj).__name__)
    if reader is None:
        raise SpecError(f"unrecognised Ray Tune scheduler {type(obj).__name__}.", path="scheduler")
    return reader(obj)
