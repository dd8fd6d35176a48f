"""Home of Ray's NevergradSearch (nevergrad's ask/tell optimizers).

W&B: refused (compat row tune.search.nevergrad). Optuna engine: the generated sampler drives nevergrad's own
optimizer (backends.asktell_source), built as Ray's NevergradSearch builds it: Ray's convert_search_space of the
Tune space (ng.p.Dict of Scalar / Log, integer casting, Choice, one per flat name "a/b"), the optimizer
(a registry name, an optimizer class or a ConfiguredOptimizer) with optimizer_kwargs, points_to_evaluate
suggested to nevergrad in reverse order (it asks them last in, first out), results negated when maximizing.
Domains Ray's converter distorts are refused (compat row optuna.search.nevergrad.space). Compat row
optuna.search.nevergrad; the 2020 beta's nevergrad.NevergradSearch.
"""

from __future__ import annotations

import difflib
import json
import math
from typing import Any

from ... import compat
from ... import distributions as d
from ...backends import asktell_source
from ...backends.calls import Call, Source
from ...backends.optuna_source import SamplerSpec
from ...errors import SpecError
from ..plan import Warnings
from .searcher import Searcher, check_options, seed

ADAPTER = '''
class NevergradOptimizer:
    """nevergrad's optimizer over Ray's conversion of the space (an ng.p.Dict of one parameter per flat name),
    built as Ray's NevergradSearch builds it; points_to_evaluate are suggested in reverse order (nevergrad asks
    suggestions last in, first out)."""

    def __init__(self, library: dict[str, Any]) -> None:
        import nevergrad as ng
        import numpy as np

        if library["seed"] is not None:  # as a Ray script's np.random.seed(seed): nevergrad seeds from numpy
            np.random.seed(library["seed"])
        self._space = library["space"]
        space = ng.p.Dict(**{key: _nevergrad_parameter(ng, spec) for key, spec in self._space.items()})
        optimizer = library["optimizer"]
        if isinstance(optimizer, str):
            factory = ng.optimizers.registry[optimizer]
        else:
            factory = getattr(ng.families, optimizer["family"])(**optimizer["config"])
        self._optimizer = factory(space, **library["optimizer_kwargs"])
        for point in reversed(library["points"]):
            self._optimizer.suggest(point)

    def ask(self) -> tuple[Any, dict[str, Any]]:
        candidate = self._optimizer.ask()
        point = dict(candidate.value)
        for key, spec in self._space.items():
            if spec["type"] == "Choice":
                point[key] = candidate[key].index
        return candidate, point

    def tell(self, candidate: Any, loss: float) -> None:
        self._optimizer.tell(candidate, loss)

    def tell_point(self, point: dict[str, Any], loss: float) -> None:
        value = dict(point)
        for key, spec in self._space.items():
            if spec["type"] == "Choice":
                value[key] = spec["choices"][point[key]]
        self._optimizer.tell(self._optimizer.parametrization.spawn_child(new_value=value), loss)


def _nevergrad_parameter(ng: Any, spec: dict[str, Any]) -> Any:
    """One parameter of Ray's conversion: Choice, Log (exponent e) or Scalar, with integer casting for integers."""
    if spec["type"] == "Choice":
        return ng.p.Choice(choices=spec["choices"])
    if spec["type"] == "Log":
        parameter = ng.p.Log(lower=spec["lower"], upper=spec["upper"], exponent=math.e)
    else:
        parameter = ng.p.Scalar(lower=spec["lower"], upper=spec["upper"])
    return parameter.set_integer_casting() if spec["integer"] else parameter
'''
"""The generated file's nevergrad part (asktell_source's library interface)."""

NEEDS = (("nevergrad", "nevergrad"), ("numpy", "numpy"))


class NevergradSearch(Searcher):
    """Ray's NevergradSearch: refused by W&B's engine; under engine="optuna" nevergrad's own optimizer."""

    row = "tune.search.nevergrad"
    names = ("nevergrad",)
    ray_module = "ray.tune.search.nevergrad"
    beta_name = "nevergrad.NevergradSearch"
    defaults = {"optimizer": None, "optimizer_kwargs": None, "points_to_evaluate": None, "max_concurrent": None}

    def __init__(self, optimizer: Any = None, optimizer_kwargs: dict | None = None, space: Any = None,
                 metric: str | None = None, mode: str | None = None, points_to_evaluate: list | None = None,
                 *, seed: int | None = None, **options: Any) -> None:  # fmt: skip
        """Ray's signature; `seed` (sweepbridge's) is what `np.random.seed(seed)` before Ray's searcher gives
        nevergrad: Ray's NevergradSearch takes no seed, nevergrad seeds its parametrization from numpy's global
        generator on first use."""
        check_options(type(self), options)
        if _is_optimizer_instance(optimizer):  # Ray's other form: the instance, over its own parametrization
            if space is not None:
                raise SpecError(
                    "with a nevergrad optimizer instance, its parametrization is the space: give no space (Ray's "
                    "list of parameter names is for non-instrumented optimizers, which have no Tune space).",
                    path="search_alg.space",
                )
            if optimizer_kwargs:
                raise SpecError("optimizer_kwargs go with an optimizer class, not an instance (as in Ray).",
                                path="search_alg.optimizer_kwargs")  # fmt: skip
            optimizer, optimizer_kwargs, space = _instance_settings(optimizer)
        if _is_parametrization(space):
            space = _read_parametrization(space)
        super().__init__(space, metric, mode, optimizer=optimizer, optimizer_kwargs=optimizer_kwargs,
                         points_to_evaluate=points_to_evaluate, **options)  # fmt: skip
        self.seed = seed

    @classmethod
    def from_ray(cls, obj: Any) -> Searcher:
        """Ray keeps the optimizer factory (`_opt_factory`) and its kwargs, or the optimizer instance
        (`_nevergrad_opt` without a factory); the space it was given, converted (`_space`, an ng.p.Dict)."""
        factory, instance, kwargs = obj._opt_factory, obj._nevergrad_opt, dict(obj._optimizer_kwargs or {})
        space = obj._space
        if factory is None and instance is not None:
            if obj._parameters is not None:
                raise SpecError(
                    "NevergradSearch with an optimizer instance over a list of parameter names (a non-instrumented "
                    "optimizer) has no Tune space to translate; pass the optimizer class and a Tune space.",
                    path="search_alg.optimizer",
                )
            factory, kwargs, space = _instance_settings(instance)
        return cls(factory, kwargs or None, space, obj._metric, obj._mode, obj._points_to_evaluate or None)

    def sampler(self) -> tuple[SamplerSpec, Warnings]:
        optimizer = _optimizer(self.options.get("optimizer"))
        kwargs = self.options.get("optimizer_kwargs") or {}
        if not isinstance(kwargs, dict) or not _plain(kwargs):
            raise SpecError(f"optimizer_kwargs must be a dict of plain values, got {kwargs!r}.", path="search_alg")
        kwargs = (("optimizer", optimizer), ("optimizer_kwargs", kwargs), ("seed", seed(self.seed, "seed")))
        return SamplerSpec("NevergradSearch", kwargs), []  # exact (compat row optuna.search.nevergrad): no warning

    def plan(self) -> Any:
        raise compat.refuse(self.row, path="search_alg")

    def runs_first(self, space: d.Node, points: tuple[Any, ...]) -> tuple[Any, ...]:
        """Nothing is enqueued: nevergrad asks the points itself (space_sampler embeds them)."""
        return ()

    def space_sampler(self, sampler: SamplerSpec, space: d.Node) -> SamplerSpec:
        leaves = asktell_source.leaves(space, _refusal, "NevergradSearch")
        keys = tuple(k for k, _ in d.root_fields(space))
        specs = {leaf.key: _parameter(leaf.node) for leaf in leaves}
        points = [_point(p, specs, n) for n, p in enumerate(self.points())]
        options = dict(sampler.kwargs)
        library = {**options, "space": specs, "points": points}
        params = [asktell_source.draws(leaf, keys) for leaf in leaves]
        asktell_source.check_library(ADAPTER, "NevergradOptimizer", library, "nevergrad")
        code = asktell_source.library_sampler(
            library, params, ADAPTER, "NevergradOptimizer", imports=("import math",), needs=NEEDS
        )
        return SamplerSpec(sampler.name, sampler.kwargs, library=code)

    @classmethod
    def reverse(cls, sampler: dict[str, Any], settings: dict[str, Any], metric: dict[str, Any]) -> Call | None:
        """Ray's NevergradSearch with the same optimizer (from nevergrad's registry or ng.families), its kwargs and
        points; the seed is not Ray's (a Ray script seeds nevergrad with np.random.seed)."""
        if sampler.get("name") != cls.__name__:
            return None
        library = sampler.get("library") or sampler.get("kwargs") or {}
        optimizer = library.get("optimizer")
        if isinstance(optimizer, str):
            code = f"nevergrad.optimizers.registry[{optimizer!r}]"
        else:
            code = f"nevergrad.families.{optimizer['family']}(**{optimizer['config']!r})"
        args: dict[str, Any] = {"optimizer": Source(code, frozenset({"nevergrad"}))}
        if library.get("optimizer_kwargs"):
            args["optimizer_kwargs"] = library["optimizer_kwargs"]
        if library.get("points"):
            args["points_to_evaluate"] = library["points"]
        return Call(cls.__name__, kwargs=tuple({**args, **metric}.items()))


def _parameter(node: d.Node) -> dict[str, Any]:
    """Ray's convert_search_space of the Tune domain `node` is (as plain data)."""
    if isinstance(node, d.Choice):
        return {"type": "Choice", "choices": [o.value for o in node.options]}  # type: ignore[attr-defined]
    if isinstance(node, d.IntUniform):  # randint(lower, upper): Scalar(lower, upper - 1), integer casting
        return {"type": "Scalar", "lower": node.low, "upper": node.high, "integer": True}
    if isinstance(node, d.LogInteger):  # lograndint(lower, upper): Log(lower, upper - 1), integer casting
        return {"type": "Log", "lower": node.low, "upper": node.high - 1, "integer": True}
    kind = "Log" if isinstance(node, d.LogUniform) else "Scalar"
    return {"type": kind, "lower": node.low, "upper": node.high, "integer": False}  # type: ignore[attr-defined]


REFUSED: dict[type[d.Node], str] = {
    d.QUniform: "tune.quniform: Ray's NevergradSearch drops the quantization and searches floats",
    d.QLogUniform: "tune.qloguniform: Ray's NevergradSearch drops the quantization and searches floats",
    d.IntUniform: "tune.qrandint: Ray's NevergradSearch drops the quantization (and takes upper as exclusive)",
    d.LogInteger: "tune.qlograndint: Ray's NevergradSearch drops the quantization",
    d.Normal: "tune.randn: Ray's NevergradSearch searches an unbounded Scalar, dropping the mean and sd",
    d.QNormal: "tune.qrandn: Ray's NevergradSearch searches an unbounded Scalar, dropping mean, sd and q",
    d.Choice: "a conditional or weighted choice: Ray's NevergradSearch passes the nested domains as values",
    d.GridAxis: "grid_search (Ray's NevergradSearch raises ValueError)",
}
_refusal = asktell_source.converter_refusal("optuna.search.nevergrad.space", REFUSED)
"""The refusal of a Tune domain Ray's converter changes (None: carried exactly)."""


def _point(point: Any, specs: dict[str, dict[str, Any]], n: int) -> dict[str, Any]:
    """A points_to_evaluate entry as Ray hands it to nevergrad (`optimizer.suggest(point)`): a dict keyed by every
    flat name, each value one the parameter holds; anything else fails in Ray (ValueError from nevergrad)."""
    where = f"search_alg.points_to_evaluate[{n}]"
    if not isinstance(point, dict) or set(point) != set(specs):
        got = sorted(point) if isinstance(point, dict) else type(point).__name__
        raise SpecError(
            f"NevergradSearch suggests each point to nevergrad as given, which needs exactly the keys "
            f"{sorted(specs)} (Ray's flat names for nested parameters), got {got} (nevergrad raises ValueError).",
            path=where,
        )
    for key, spec in specs.items():
        value = point[key]
        if spec["type"] == "Choice":
            if not any(value == c and type(value) is type(c) for c in spec["choices"]):
                raise SpecError(f"{value!r} is not one of {spec['choices']!r}.", path=f"{where}.{key}")
        elif (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not (spec["lower"] <= value <= spec["upper"])
        ):
            raise SpecError(
                f"{value!r} is not a number in [{spec['lower']}, {spec['upper']}] (nevergrad raises).",
                path=f"{where}.{key}",
            )
    return dict(point)


def _plain(value: Any) -> bool:
    try:
        return json.loads(json.dumps(value, allow_nan=False)) == value
    except (TypeError, ValueError):
        return False


def _registry_name(name: str) -> str:
    ng = _nevergrad()
    if name not in ng.optimizers.registry:
        near = difflib.get_close_matches(name, list(ng.optimizers.registry), n=3)
        hint = f" (nearest: {', '.join(near)})" if near else ""
        raise SpecError(f"nevergrad has no optimizer {name!r}{hint}.", path="search_alg.optimizer")
    return name


def _optimizer(given: Any) -> Any:
    """The optimizer as plain data: its name in nevergrad's registry, or {"family", "config"} for a
    ConfiguredOptimizer built from ng.families with plain settings."""
    if given is None:
        raise SpecError(
            "NevergradSearch needs optimizer= (a nevergrad optimizer class or ConfiguredOptimizer, e.g. "
            "ng.optimizers.OnePlusOne); Ray raises ValueError without one.",
            path="search_alg.optimizer",
        )
    if isinstance(given, str):
        return _registry_name(given)
    ng = _nevergrad()
    for name, value in ng.optimizers.registry.items():
        if value is given:
            return name
    from nevergrad.optimization.base import ConfiguredOptimizer

    family = type(given).__name__
    if isinstance(given, ConfiguredOptimizer) and getattr(ng.families, family, None) is type(given):
        config = dict(given._config)
        if _plain(config):
            return {"family": family, "config": config}
    raise SpecError(
        f"{given!r} is not an optimizer of nevergrad's registry nor a ConfiguredOptimizer of ng.families with plain "
        "settings; the generated file rebuilds the optimizer by name.",
        path="search_alg.optimizer",
    )


def _nevergrad() -> Any:
    try:
        import nevergrad
    except ImportError:
        raise SpecError(
            "reading a nevergrad optimizer needs nevergrad: pip install 'sweepbridge[nevergrad]'.",
            path="search_alg.optimizer",
        ) from None
    return nevergrad


def _described(space: Any) -> tuple[str, ...]:
    """nevergrad's description of a parametrization: each parameter's kind, bounds and casting (`name`), a
    number's start value and mutation settings (sigma, ...); a choice's is drawn at random, so its name alone."""
    out = [space.name]
    for _, p in space.items():
        out.append(p.name if type(p).__name__ == "Choice" else f"{p!r} {getattr(p, 'parameters', '')!r}")
    return tuple(out)


def _bound(p: Any, side: int, log: bool) -> float:
    """A Scalar's bound as given; a Log keeps only the bound's log, so the given bound is the shortest float
    within a few ulps of its exp whose log is the one kept (any of them builds the same parameter)."""
    import numpy as np

    value = float(p.bounds[side][0])
    if not log:  # nevergrad keeps floats: a whole bound reads as the int a Tune space usually gives
        return int(value) if value.is_integer() else value
    layers = {type(layer).__name__: layer for layer in p._layers}
    kept = float(layers["Bound"].bounds[side][0])  # the log-scale bound, as the Exponent layer maps it

    def backward(x: float) -> float:
        return float(layers["Exponent"].backward(np.array([x], dtype=float))[0])

    near = [value]
    for direction in (math.inf, -math.inf):
        x = value
        for _ in range(8):
            x = math.nextafter(x, direction)
            near.append(x)
    exact = [x for x in near if backward(x) == kept]
    return min(exact, key=lambda x: (len(repr(x)), abs(x - value))) if exact else value


def _is_optimizer_instance(obj: Any) -> bool:
    if type(obj).__module__.split(".", 1)[0] != "nevergrad":
        return False
    from nevergrad.optimization.base import Optimizer

    return isinstance(obj, Optimizer)


def _instance_settings(instance: Any) -> tuple[str, dict[str, Any], Any]:
    """A nevergrad optimizer instance as Ray's configuration: its registry name, budget and num_workers, and its
    parametrization (read back as Tune domains where it is Ray's conversion of them). One already asked or told is
    refused (its state is not carried)."""
    if instance.num_ask or instance.num_tell:
        raise SpecError(
            "this nevergrad optimizer was already asked or told; the generated file cannot carry its state: pass "
            "a fresh one (or the optimizer class).",
            path="search_alg.optimizer",
        )
    kwargs = {"budget": instance.budget, "num_workers": instance.num_workers}
    return _registry_name(instance.name), kwargs, instance.parametrization


def _is_parametrization(space: Any) -> bool:
    return type(space).__module__.split(".", 1)[0] == "nevergrad"


def _read_parametrization(space: Any) -> dict[str, Any]:
    """A nevergrad ng.p.Dict that is exactly Ray's conversion of Tune domains, as those domains (nested by the
    flat names' "/"): checked by converting them back with Ray's own converter and comparing nevergrad's
    description of both; anything else is refused."""
    try:
        from ray import tune as ray_tune
        from ray.tune.search.nevergrad import NevergradSearch as RayNevergradSearch
    except ImportError:
        raise SpecError(
            "a nevergrad space is checked against Ray's own converter, which needs Ray: pip install 'ray[tune]' (or "
            "give the Tune domains).",
            path="search_alg.space",
        ) from None

    from .. import flat_keys
    from ..domains import choice, lograndint, loguniform, randint, uniform

    ng = _nevergrad()
    if not isinstance(space, ng.p.Dict):
        raise SpecError("a nevergrad space must be an ng.p.Dict here.", path="search_alg.space")
    domains: dict[str, Any] = {}
    ray_domains: dict[str, Any] = {}
    for key, p in space.items():
        if isinstance(p, ng.p.Choice):
            values = list(p.choices.value)
            domains[key], ray_domains[key] = choice(values), ray_tune.choice(values)
            continue
        if not isinstance(p, ng.p.Scalar) or p.bounds[0] is None:
            raise SpecError(f"{type(p).__name__} is not a parameter Ray's converter writes.", path=f"space.{key}")
        log, integer = isinstance(p, ng.p.Log), bool(getattr(p, "integer", False))
        low, high = (_bound(p, side, log) for side in (0, 1))
        if integer:
            low_i, high_i = int(round(low)), int(round(high))
            make, ray_make = (lograndint, ray_tune.lograndint) if log else (randint, ray_tune.randint)
            domains[key], ray_domains[key] = make(low_i, high_i + 1), ray_make(low_i, high_i + 1)
        else:
            make, ray_make = (loguniform, ray_tune.loguniform) if log else (uniform, ray_tune.uniform)
            domains[key], ray_domains[key] = make(low, high), ray_make(low, high)
    rebuilt = RayNevergradSearch.convert_search_space(flat_keys.nest(ray_domains.items()))
    if _described(rebuilt) != _described(space):
        raise SpecError(
            f"this nevergrad space is not Ray's conversion of Tune domains ({_described(space)} vs "
            f"{_described(rebuilt)}: bounds, start or mutation differ); give the Tune domains instead.",
            path="search_alg.space",
        )
    return flat_keys.nest(domains.items())


__all__ = ["NevergradSearch"]
