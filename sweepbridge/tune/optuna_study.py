"""Ray Tune's searchers and schedulers → the Optuna study of W&B's sweep scheduler (engine="optuna").

Tables, not branches: `SAMPLERS` maps a mirrored searcher class to its sampler, `PRUNERS` a mirrored
scheduler class to its pruner; each entry returns the spec plus the compat rows to warn (equivalent
translations). What has no entry is refused with the searcher's / scheduler's own compat row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import compat
from .. import distributions as d
from ..backends.optuna_source import PrunerSpec, SamplerSpec
from ..backends.scheduler_config import hyperopt_tpe, random_sampler
from ..errors import SpecError
from . import flat_keys
from . import schedulers as s
from .search import algorithms as a

Warnings = list[tuple[str, str]]


def _seed(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(f"{what} must be an int seed under engine optuna, got {value!r}.", path="search_alg")
    return value


def _no_points(searcher: a.Searcher) -> None:
    if searcher.options.get("points_to_evaluate"):
        raise compat.refuse("optuna.search.points.variant", path="search_alg.points_to_evaluate")


def points(searcher: a.Searcher) -> tuple[Any, ...]:
    """The points_to_evaluate the study enqueues (HyperOptSearch, OptunaSearch, TuneBOHB; checked later)."""
    given = searcher.options.get("points_to_evaluate") if type(searcher) in SAMPLERS else None
    if given is None or given == []:
        return ()
    if not isinstance(given, (list, tuple)):
        raise SpecError(f"points_to_evaluate must be a list of dicts, got {given!r}.", path="search_alg")
    return tuple(given)


def _variant(searcher: a.Searcher) -> tuple[SamplerSpec, Warnings]:
    _no_points(searcher)
    return random_sampler(_seed(searcher.options.get("random_state"), "random_state")), []


def _hyperopt(searcher: a.Searcher) -> tuple[SamplerSpec, Warnings]:
    o = searcher.options
    spec = hyperopt_tpe(o.get("n_initial_points", 20), o.get("gamma", 0.25), _seed(o.get("random_state_seed"), "seed"))
    return spec, [("optuna.search.hyperopt", "")]


def _optuna(searcher: a.Searcher) -> tuple[SamplerSpec, Warnings]:
    if searcher.options.get("sampler") is not None:
        raise SpecError(
            "OptunaSearch(sampler=...) holds a live sampler object the generated source cannot rebuild; "
            "pass seed= (Ray's default TPESampler) instead.",
            path="search_alg",
        )
    return SamplerSpec("TPESampler", (("seed", _seed(searcher.options.get("seed"), "seed")),)), [
        ("optuna.search.optuna", "")
    ]


def _bohb(searcher: a.TuneBOHB) -> tuple[SamplerSpec, Warnings]:
    if searcher.options.get("bohb_config"):
        raise SpecError(
            "TuneBOHB(bohb_config=...) sets BOHB's KDE model, which Optuna's TPE does not have; drop it.",
            path="search_alg.bohb_config",
        )
    return SamplerSpec("TPESampler", (("seed", _seed(searcher.options.get("seed"), "seed")),)), [
        ("optuna.search.bohb", "")
    ]


BAYESOPT_UTILITY = {"kind": "ucb", "kappa": 2.576, "xi": 0.0}
"""Ray's default utility_kwargs (bayes_opt's UCB)."""
BAYESOPT_NOT_CARRIED = {"utility_kwargs": None, "patience": 5, "skip_duplicate": True, "repeat_float_precision": 5}
"""BayesOptSearch settings GPSampler has no counterpart for (named in the warning when not Ray's default)."""


def _bayesopt(searcher: a.BayesOptSearch) -> tuple[SamplerSpec, Warnings]:
    o = searcher.options
    if o.get("analysis") is not None:
        raise SpecError(
            "BayesOptSearch(analysis=...) holds a live ExperimentAnalysis the generated source cannot rebuild; "
            "drop it (or start the earlier configurations as points_to_evaluate).",
            path="search_alg.analysis",
        )
    steps = o.get("random_search_steps", 10)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise SpecError(f"random_search_steps must be an int >= 0, got {steps!r}.", path="search_alg")
    given = [
        f"{name}={o[name]!r}"
        for name, default in BAYESOPT_NOT_CARRIED.items()
        if name in o and o[name] not in (default, BAYESOPT_UTILITY if name == "utility_kwargs" else default)
    ]
    detail = f"Not carried: {', '.join(given)}." if given else ""
    kwargs = (("seed", _seed(o.get("random_state", 42), "random_state")), ("n_startup_trials", steps))
    return SamplerSpec("GPSampler", kwargs), [("optuna.search.bayesopt", detail)]


def _bayesopt_space(space: d.Node, points: tuple[Any, ...]) -> tuple[Any, ...]:
    """Ray's BayesOptSearch takes float ranges only (convert_search_space): anything else is refused by path,
    as is a range inside a list (Ray fails joining its path). Its points name nested ranges by "a/b" keys
    (bayes_opt's flat names; Ray unflattens them for the trial) and must give every range a value (bayes_opt
    registers nothing else): returned as the nested points to enqueue, SpecError otherwise."""
    for path, node in d.walk(space):
        if isinstance(node, d.Sequence):
            inner = next((f"{path}{sub}" for sub, child in d.walk(node) if type(child) is d.Uniform), None)
            if inner is not None:
                raise compat.refuse(
                    "optuna.search.bayesopt.space", f"Got a range inside a list ({LIST_NOTE}).", path=inner
                )
        if isinstance(node, (d.Mapping, d.Sequence, d.Constant)) or type(node) is d.Uniform:
            continue
        raise compat.refuse("optuna.search.bayesopt.space", f"Got {_ray_name(node)}.", path=path)
    out = []
    for n, point in enumerate(points):
        where = f"search_alg.points_to_evaluate[{n}]"
        nested = _unflatten(point, where)
        missing = _missing(space, nested, "")
        if missing:
            raise SpecError(
                f"BayesOptSearch's points need a value for every parameter: this one leaves out {', '.join(missing)} "
                "(Ray's BayesOptSearch fails registering it: bayes_opt raises ValueError for missing keys).",
                path=where,
            )
        out.append(nested)
    return tuple(out)


LIST_NOTE = "Ray's BayesOptSearch fails: TypeError joining the parameter's path"


def _unflatten(point: Any, where: str) -> Any:
    """Ray's unflatten_dict of a BayesOptSearch point ("a/b" keys → nested); a nested dict is refused (bayes_opt
    cannot register it: its keys are the flat names)."""
    if not isinstance(point, dict):
        return point
    for key, value in point.items():
        if isinstance(value, dict):
            raise SpecError(
                f"BayesOptSearch's points name nested parameters by flat keys ('{key}/...'), as bayes_opt registers "
                "them; a nested dict fails in Ray.",
                path=f"{where}.{key}",
            )
    try:
        return flat_keys.nest(point.items())
    except flat_keys.KeyClash as clash:
        raise SpecError(f"key {clash.key!r} clashes with another key of the point.", path=where) from None


_ABSENT = object()


def _missing(node: d.Node, value: Any, path: str) -> list[str]:
    """Paths of the ranges below `node` that `value` (a point's part) gives no value for."""
    if type(node) is d.Uniform:
        return [path] if value is _ABSENT else []
    out: list[str] = []
    if isinstance(node, d.Mapping):
        for key, child in node.fields:
            given = value.get(key, _ABSENT) if isinstance(value, dict) else _ABSENT
            out += _missing(child, given, f"{path}.{key}" if path else key)
    elif isinstance(node, d.Sequence):
        for i, child in enumerate(node.items):
            given = value[i] if isinstance(value, (list, tuple)) and i < len(value) else _ABSENT
            out += _missing(child, given, f"{path}[{i}]")
    return out


def _ray_name(node: d.Node) -> str:
    """The Tune domain an IR node comes from, in words (for the refusal)."""
    name, source = RAY_NAMES.get(node.kind, node.kind), getattr(node, "source", "")
    return f"{source}, {name}" if source else name


RAY_NAMES = {
    "loguniform": "tune.loguniform (Ray's BayesOptSearch drops the log scale and searches U(lower, upper))",
    "qloguniform": "tune.qloguniform (Ray's BayesOptSearch drops the log scale and the quantization)",
    "quniform": "tune.quniform (Ray's BayesOptSearch drops the quantization and returns floats)",
    "normal": "tune.randn (Ray's BayesOptSearch gets bounds (-inf, inf) and fails)",
    "qnormal": "tune.qrandn (Ray's BayesOptSearch gets bounds (-inf, inf) and fails)",
    "int_uniform": "an Integer domain (Ray's BayesOptSearch raises ValueError)",
    "choice": "a Categorical domain (Ray's BayesOptSearch raises ValueError)",
    "finite": "an Integer domain (Ray's BayesOptSearch raises ValueError)",
    "grid": "grid_search (Ray's BayesOptSearch raises ValueError)",
}


SAMPLERS: dict[type, Callable[[Any], tuple[SamplerSpec, Warnings]]] = {
    a.BasicVariantGenerator: _variant,
    a.HyperOptSearch: _hyperopt,
    a.OptunaSearch: _optuna,
    a.TuneBOHB: _bohb,
    a.BayesOptSearch: _bayesopt,
}
"""Mirrored searcher class → its Optuna sampler (BasicVariantGenerator's grid handled by the space)."""

SPACE_RULES: dict[type, Callable[[d.Node, tuple[Any, ...]], tuple[Any, ...]]] = {a.BayesOptSearch: _bayesopt_space}
"""Mirrored searcher class → its check of the translated space and points (what Ray's searcher itself refuses),
returning the points as the run receives them (to enqueue)."""


def _asha(sched: s.AsyncHyperBandScheduler) -> tuple[PrunerSpec, Warnings]:
    sched._check_time_attr()
    kwargs = (
        ("min_resource", s._whole(sched.grace_period, "grace_period")),
        ("reduction_factor", s._whole(sched.reduction_factor, "reduction_factor")),
        ("min_early_stopping_rate", 0),
    )
    detail = f"W&B does not stop runs at max_t={sched.max_t}; end the loop in your program."
    if sched.brackets != 1:
        raise SpecError(f"ASHA with brackets={sched.brackets}: use HyperBandScheduler (HyperbandPruner).")
    return PrunerSpec("SuccessiveHalvingPruner", kwargs), [("optuna.scheduler.asha", detail)]


def _hyperband(sched: s.HyperBandScheduler) -> tuple[PrunerSpec, Warnings]:
    sched._check_time_attr()
    kwargs = (
        ("min_resource", 1),
        ("max_resource", s._whole(sched.max_t, "max_t")),
        ("reduction_factor", s._whole(sched.reduction_factor, "reduction_factor")),
    )
    row = "optuna.scheduler.bohb" if isinstance(sched, s.HyperBandForBOHB) else "optuna.scheduler.hyperband"
    return PrunerSpec("HyperbandPruner", kwargs), [(row, "")]


def _median(sched: s.MedianStoppingRule) -> tuple[PrunerSpec, Warnings]:
    sched._check_time_attr()
    kwargs = (
        ("n_startup_trials", int(sched.min_samples_required)),
        ("n_warmup_steps", int(sched.grace_period)),
        ("interval_steps", 1),
    )
    return PrunerSpec("MedianPruner", kwargs), [("optuna.scheduler.median", "")]


PRUNERS: dict[type, Callable[[Any], tuple[PrunerSpec, Warnings]]] = {
    s.FIFOScheduler: lambda sched: (PrunerSpec(), []),
    s.AsyncHyperBandScheduler: _asha,
    s.HyperBandScheduler: _hyperband,
    s.HyperBandForBOHB: _hyperband,
    s.MedianStoppingRule: _median,
}
"""Mirrored scheduler class → its Optuna pruner."""


def sampler(searcher: a.Searcher) -> tuple[SamplerSpec, Warnings]:
    """The sampler for mirrored `searcher` (ConcurrencyLimiter unwrapped, warned)."""
    warnings: Warnings = []
    if isinstance(searcher, a.ConcurrencyLimiter):
        from .translate import mirror_searcher

        warnings.append(("tune.search.concurrency", f"ConcurrencyLimiter(max_concurrent={searcher.max_concurrent})."))
        searcher = mirror_searcher(searcher.searcher)
    rule = SAMPLERS.get(type(searcher))
    if rule is None:
        raise compat.refuse("optuna.search.other", f"Got {type(searcher).__name__}.", path="search_alg")
    spec, more = rule(searcher)
    return spec, warnings + more


def check_space(searcher: a.Searcher, space: d.Node, given: tuple[Any, ...]) -> tuple[Any, ...]:
    """Refuse, by path, the parameters (and points) `searcher` (unwrapped) does not take in Ray; return the
    points as the run receives them (to enqueue)."""
    rule = SPACE_RULES.get(type(searcher))
    return given if rule is None else rule(space, given)


def pruner(sched: s.TrialScheduler) -> tuple[PrunerSpec, Warnings]:
    rule = PRUNERS.get(type(sched))
    if rule is None:
        raise compat.refuse("optuna.scheduler.pbt", f"Got {type(sched).__name__}.", path="scheduler")
    return rule(sched)
