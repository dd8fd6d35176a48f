"""Home of Ray's BayesOptSearch (bayes_opt's Gaussian process).

W&B: method bayes (warned: acquisition and kernel differ). Optuna engine: optuna's GPSampler (random_state →
seed, random_search_steps → n_startup_trials; warned), over the float ranges Ray's BayesOptSearch takes (others
refused by path). Reverse: a GPSampler → BayesOptSearch. Compat rows tune.search.bayesopt,
optuna.search.bayesopt(.space); the 2020 beta's bayesopt.BayesOptSearch.
"""

from __future__ import annotations

from typing import Any

from ... import compat
from ... import distributions as d
from ...backends.calls import Call
from ...backends.optuna_source import SamplerSpec
from ...errors import SpecError
from .. import flat_keys
from ..plan import Warnings
from .searcher import Searcher, check_options, seed

UTILITY = {"kind": "ucb", "kappa": 2.576, "xi": 0.0}
"""Ray's default utility_kwargs (bayes_opt's UCB)."""
NOT_CARRIED = ("utility_kwargs", "patience", "skip_duplicate", "repeat_float_precision")
"""BayesOptSearch settings GPSampler has no counterpart for (named in the warning when not Ray's default)."""


class BayesOptSearch(Searcher):
    """bayes_opt's Gaussian process → W&B's bayes (warned: acquisition and kernel differ)."""

    method = "bayes"
    row = "tune.search.bayesopt"
    names = ("bayesopt",)
    ray_module = "ray.tune.search.bayesopt"
    beta_name = "bayesopt.BayesOptSearch"
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
        check_options(type(self), options)
        super().__init__(_bounds_as_ranges(space), metric, mode, **options)

    @classmethod
    def from_ray(cls, obj: Any) -> Searcher:
        """Ray keeps utility_kwargs as a bayes_opt UtilityFunction (kind, kappa, xi; kappa decay if set)."""
        u = obj.utility
        utility = {"kind": u.kind, "kappa": u.kappa, "xi": u.xi}
        if (getattr(u, "_kappa_decay", 1), getattr(u, "_kappa_decay_delay", 0)) != (1, 0):
            utility.update(kappa_decay=u._kappa_decay, kappa_decay_delay=u._kappa_decay_delay)
        return cls(
            obj._space or None,  # Ray's conversion of the space given: {"a/b": (lower, upper)}, what bayes_opt searches
            obj._metric,
            obj._mode,
            points_to_evaluate=obj._points_to_evaluate or None,
            utility_kwargs=None if utility == UTILITY else utility,
            random_state=obj._random_state,
            random_search_steps=obj.random_search_trials,
            verbose=obj._verbose,
            patience=obj._patience,
            skip_duplicate=obj._skip_duplicate,
            analysis=obj._analysis,
            repeat_float_precision=getattr(obj, "repeat_float_precision", cls.defaults["repeat_float_precision"]),
        )

    def sampler(self) -> tuple[SamplerSpec, Warnings]:
        o = self.options
        if o.get("analysis") is not None:
            raise SpecError(
                "BayesOptSearch(analysis=...) holds a live ExperimentAnalysis the generated source cannot rebuild; "
                "drop it (or start the earlier configurations as points_to_evaluate).",
                path="search_alg.analysis",
            )
        steps = o.get("random_search_steps", self.defaults["random_search_steps"])
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise SpecError(f"random_search_steps must be an int >= 0, got {steps!r}.", path="search_alg")
        given = [
            f"{name}={o[name]!r}"
            for name in NOT_CARRIED
            if name in o and o[name] != self.defaults[name] and not (name == "utility_kwargs" and o[name] == UTILITY)
        ]
        detail = f"Not carried: {', '.join(given)}." if given else ""
        kwargs = (("seed", seed(o.get("random_state", self.defaults["random_state"]), "random_state")),
                  ("n_startup_trials", steps))  # fmt: skip
        return SamplerSpec("GPSampler", kwargs), [("optuna.search.bayesopt", detail)]

    def runs_first(self, space: d.Node, points: tuple[Any, ...]) -> tuple[Any, ...]:
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
                    f"BayesOptSearch's points need a value for every parameter: this one leaves out "
                    f"{', '.join(missing)} (Ray's BayesOptSearch fails registering it: bayes_opt raises ValueError "
                    "for missing keys).",
                    path=where,
                )
            out.append(nested)
        return tuple(out)

    @classmethod
    def reverse(cls, sampler: dict[str, Any], settings: dict[str, Any], metric: dict[str, Any]) -> Call | None:
        if sampler.get("name") != "GPSampler":
            return None
        kwargs = sampler.get("kwargs") or {}
        points = {"points_to_evaluate": settings["points_to_evaluate"]} if settings.get("points_to_evaluate") else {}
        args = {"random_state": kwargs.get("seed"), "random_search_steps": kwargs.get("n_startup_trials"), **points}
        return Call(cls.__name__, kwargs=tuple({**metric, **args}.items()))


def _bounds_as_ranges(space: Any) -> Any:
    """bayes_opt's space format, {"x": (low, high)}, as Tune ranges: Ray passes such bounds to bayes_opt, which
    searches U(low, high) (a pair of numbers there is a range, not a constant). Flat names ("a/b", the form
    Ray converts a nested space to) nest again, as Ray's `unflatten_dict` nests each suggestion."""
    if not isinstance(space, dict):
        return space
    from ..domains import uniform

    def bounds(v: Any) -> bool:
        return isinstance(v, (tuple, list)) and len(v) == 2 and all(type(x) in (int, float) for x in v)

    try:
        return flat_keys.nest((k, uniform(*v) if bounds(v) else v) for k, v in space.items())
    except flat_keys.KeyClash as clash:
        raise SpecError(f"{clash.key!r} clashes with another parameter's name.", path="search_alg.space") from None


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
    name, source = RAY_NAMES.get(type(node), node.kind), getattr(node, "source", "")
    return f"{source}, {name}" if source else name


RAY_NAMES: dict[type[d.Node], str] = {
    d.LogUniform: "tune.loguniform (Ray's BayesOptSearch drops the log scale and searches U(lower, upper))",
    d.QLogUniform: "tune.qloguniform (Ray's BayesOptSearch drops the log scale and the quantization)",
    d.QUniform: "tune.quniform (Ray's BayesOptSearch drops the quantization and returns floats)",
    d.Normal: "tune.randn (Ray's BayesOptSearch gets bounds (-inf, inf) and fails)",
    d.QNormal: "tune.qrandn (Ray's BayesOptSearch gets bounds (-inf, inf) and fails)",
    d.IntUniform: "an Integer domain (Ray's BayesOptSearch raises ValueError)",
    d.Choice: "a Categorical domain (Ray's BayesOptSearch raises ValueError)",
    d.FiniteDiscrete: "an Integer domain (Ray's BayesOptSearch raises ValueError)",
    d.GridAxis: "grid_search (Ray's BayesOptSearch raises ValueError)",
}
"""IR class → the Tune domain it comes from and what Ray's BayesOptSearch does with it (for the refusal)."""
