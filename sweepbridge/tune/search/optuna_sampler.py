"""A live Optuna sampler → the `SamplerSpec` that rebuilds it in a generated study source (OptunaSearch(sampler=)).

Optuna's samplers keep their constructor arguments in private attributes, not one uniform place. Each argument
is read from where its class stores it (`WHERE`; by default the attribute `_<name>`), the seed from the sampler's
random state (a fresh `RandomState(seed)` keeps the seed as its first key word, which is checked by reseeding).
An argument is carried when it differs from what the class's own constructor gives under that seed, so the
generated call names only what the user changed. Then the proof: the sampler is rebuilt from the carried
arguments and compared with the live one attribute by attribute, random states included (`difference`); any
difference refuses the sampler, by the attribute path. What cannot be written as source (a callable, an object that
is neither plain data nor one of Optuna's samplers, crossovers and mutations) is refused by the argument's name.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from typing import Any

from ...backends.optuna_source import SamplerSpec
from ...errors import SpecError

MODULES = {"optuna.samplers": "", "optuna.samplers.nsgaii": "nsgaii."}
"""Public Optuna modules whose classes a generated source may build → their name relative to optuna.samplers."""

WHERE: dict[str, dict[str, str]] = {
    "TPESampler": {
        name: f"_parzen_estimator_parameters.{name}"
        for name in ("prior_weight", "consider_magic_clip", "consider_endpoints", "weights")
    },
    "GPSampler": {"deterministic_objective": "_deterministic"},
    **{
        cls: {
            **{
                n: f"_child_generation_strategy._{n}"
                for n in ("mutation", "mutation_prob", "crossover", "crossover_prob", "swapping_prob")
            },
            **{n: f"_elite_population_selection_strategy._{n}" for n in ("reference_points", "dividing_parameter")},
        }  # fmt: skip
        for cls in ("NSGAIISampler", "NSGAIIISampler")
    },
}
"""Class → argument → the attribute path holding it, where it is not `_<argument>`."""

UNREAD = {"consider_prior", "warn_asynchronous_seeding"}
"""Arguments the samplers do not keep (consider_prior has no effect since Optuna 4.3; warn_asynchronous_seeding
only logs at construction): left at their default (the comparison would show any behaviour they changed)."""

RNG_ATTRIBUTES = ("_rng", "_cma_rng")
"""Where a sampler keeps the LazyRandomState its seed initialises (QMCSampler keeps the seed itself, `_seed`)."""


def _quiet(build: Callable[[], Any]) -> Any:
    """Build an Optuna object without its deprecation / experimental warnings (the live one gave them already)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build()


def class_name(obj: Any) -> str | None:
    """`obj`'s class as the generated source names it (relative to optuna.samplers), or None when Optuna's public
    sampler modules do not export it."""
    import importlib

    cls = type(obj)
    for module, prefix in MODULES.items():
        if getattr(importlib.import_module(module), cls.__name__, None) is cls:
            return prefix + cls.__name__
    return None


def _attr(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def read_seed(obj: Any, where: str) -> Any:
    """The seed `obj` was built with (None: unseeded); refused when its random state has already drawn."""
    if isinstance(getattr(obj, "_seed", None), int):  # QMCSampler keeps the seed itself (a random one if none given)
        # Unseeded, it draws a 64-bit one (PCG64.random_raw); a seed given fits 32 bits (its RandomSampler's).
        return int(obj._seed) if obj._seed < 2**32 else None
    for name in RNG_ATTRIBUTES:
        lazy = getattr(obj, name, None)
        if lazy is None or not hasattr(lazy, "_rng"):
            continue
        if lazy._rng is None:
            return None
        import numpy as np

        state = lazy._rng.get_state()
        seed = int(state[1][0])
        fresh = np.random.RandomState(seed).get_state()
        if state[2] == fresh[2] and np.array_equal(state[1], fresh[1]):
            return seed
        if type(obj).__name__ == "GridSampler":
            raise SpecError(
                "GridSampler shuffles its grid with its seed when it is built, so a seed other than 0 (its default) "
                "cannot be read back from it; build it without seed=, or give the grid as tune.grid_search axes.",
                path=where,
            )
        raise SpecError(
            f"{type(obj).__name__}'s random state has already drawn numbers (or was seeded with an array), so its "
            "seed cannot be read back; pass OptunaSearch a freshly built sampler (seed=int).",
            path=where,
        )
    return None


def read(obj: Any, where: str = "search_alg.sampler") -> SamplerSpec:
    """The SamplerSpec rebuilding live `obj` (an Optuna sampler, crossover or mutation), proved by `difference`."""
    name = class_name(obj)
    if name is None:
        raise SpecError(
            f"{type(obj).__module__}.{type(obj).__name__} is not one of Optuna's own samplers, so the generated "
            "study source cannot rebuild it; use one of optuna.samplers' classes, or write the study yourself "
            "(scheduler.optimizer in a method: custom sweep).",
            path=where,
        )
    cls = type(obj)
    params = {n: p for n, p in inspect.signature(cls.__init__).parameters.items() if n != "self"}
    required = {n for n, p in params.items() if p.default is p.empty}
    given: dict[str, Any] = {}
    unread_seed = None
    if "seed" in params:
        try:
            given["seed"] = read_seed(obj, where)
        except SpecError as exc:  # e.g. GridSampler shuffles with its seed (0 when None): only the proof can tell
            given["seed"], unread_seed = None, exc
    for arg in params:
        if arg in given or arg in UNREAD:
            continue
        path = WHERE.get(cls.__name__, {}).get(arg, f"_{arg}")
        try:
            given[arg] = _attr(obj, path)
        except AttributeError:
            if arg in required:
                raise SpecError(f"{name}'s {arg} cannot be read from the object.", path=where) from None
    # Carry what differs from the constructor's own result under the carried arguments, until nothing more
    # differs (a default crossover or strategy depends on other arguments, e.g. swapping_prob, population_size).
    carried = {k: _data(v, f"{where}.{k}", f"{name}({k}=...)") for k, v in given.items()
               if k in required or k == "seed" and v is not None}  # fmt: skip
    refused: dict[str, Any] = {}
    while True:
        default = build(SamplerSpec(name, tuple(carried.items())))
        refused, grown = {}, False
        for arg, value in given.items():
            if arg in carried or arg == "seed":
                continue
            path = WHERE.get(cls.__name__, {}).get(arg, f"_{arg}")
            if difference(value, _attr(default, path)) is None:
                continue
            try:
                carried[arg] = _data(value, f"{where}.{arg}", f"{name}({arg}=...)")
                grown = True
            except SpecError as exc:
                refused[arg] = exc
        if not grown:
            break
    if refused:
        raise next(iter(refused.values()))
    spec = SamplerSpec(name, tuple(carried.items()))
    rebuilt = build(spec)
    ignore = {"_seed"} if name == "QMCSampler" and given.get("seed") is None else set()
    where_differs = difference(obj, rebuilt, ignore=ignore)
    if where_differs is not None and unread_seed is not None:
        raise unread_seed
    if where_differs is not None:
        raise SpecError(
            f"{name} rebuilt from its arguments ({_args(spec)}) differs from the given one at {where_differs}; "
            "the generated study source cannot reproduce it. Build the sampler with constructor arguments only "
            "(and before it is used).",
            path=where,
        )
    return spec


def _args(spec: SamplerSpec) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in spec.kwargs) or "none"


def _data(value: Any, where: str, what: str) -> Any:
    """`value` as plain data (or a nested SamplerSpec) for the generated source; refused by name otherwise."""
    import numpy as np

    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_data(v, f"{where}[{i}]", what) for i, v in enumerate(value)]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _data(v, f"{where}.{k}", what) for k, v in value.items()}
    if class_name(value) is not None:
        return read(value, where)
    kind = "a callable" if callable(value) else f"a {type(value).__name__} object"
    raise SpecError(
        f"{what} is {kind} ({value!r:.80}) the generated study source cannot rebuild; drop the argument (Optuna's "
        "default), or write the study yourself (scheduler.optimizer in a method: custom sweep).",
        path=where,
    )


def build(spec: SamplerSpec) -> Any:
    """The Optuna object `spec` describes, built here as the generated source builds it."""
    import optuna

    target: Any = optuna.samplers
    for part in spec.name.split("."):
        target = getattr(target, part)
    kwargs = {k: build(v) if isinstance(v, SamplerSpec) else v for k, v in spec.kwargs}
    return _quiet(lambda: target(**kwargs))


# --- the proof: two objects compared attribute by attribute ---------------------------------------------------


def _leaf(value: Any) -> Any:
    """A comparable form of a value that is not walked into (None when it is an object to walk)."""
    import numpy as np

    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return ("v", value)
    if isinstance(value, np.random.RandomState):
        state = value.get_state()
        return ("rng", state[0], state[1].tolist(), *state[2:])
    if isinstance(value, np.random.Generator):
        return ("gen", repr(value.bit_generator.state))
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.shape, value.tolist())
    if isinstance(value, np.generic):
        return ("v", value.item())
    if inspect.isroutine(value) or inspect.isclass(value):
        bound = getattr(value, "__self__", None)
        owner = "" if bound is None or inspect.ismodule(bound) else f"bound to {type(bound).__qualname__}"
        return ("code", getattr(value, "__module__", None), getattr(value, "__qualname__", repr(value)), owner)
    if type(value).__name__ in ("lock", "RLock"):
        return ("lock",)
    return None


def difference(
    a: Any, b: Any, path: str = "", seen: tuple[dict[int, str], dict[int, str]] | None = None, ignore: set = frozenset()
) -> str | None:
    """The first attribute path where `a` and `b` differ (types, values, random states, the shape of shared
    references), or None when they are the same; attribute paths in `ignore` are not compared."""
    seen = ({}, {}) if seen is None else seen
    here = path or "the sampler"
    if type(a) is not type(b):
        return f"{here} ({type(a).__name__} vs {type(b).__name__})"
    la, lb = _leaf(a), _leaf(b)
    if la is not None or lb is not None:
        return None if la == lb else here
    seen_a, seen_b = seen
    if id(a) in seen_a or id(b) in seen_b:  # a shared object (one random state for sampler and strategy): alike
        return None if seen_a.get(id(a)) == seen_b.get(id(b)) else here
    seen_a[id(a)], seen_b[id(b)] = path, path
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return f"{here} (length)"
        return next(
            (
                d
                for i, (x, y) in enumerate(zip(a, b, strict=True))
                if (d := difference(x, y, f"{path}[{i}]", seen, ignore))
            ),
            None,
        )
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{here} (keys)"
        return next((d for k in a if (d := difference(a[k], b[k], f"{path}[{k!r}]", seen, ignore))), None)
    fields_a, fields_b = _fields(a), _fields(b)
    if fields_a is None or fields_b is None:
        return None if repr(a) == repr(b) else here
    if list(fields_a) != list(fields_b):
        return f"{here} (attributes)"
    for key in fields_a:
        sub = f"{path}.{key}" if path else key
        if sub in ignore:
            continue
        found = difference(fields_a[key], fields_b[key], sub, seen, ignore)
        if found:
            return found
    return None


def _fields(obj: Any) -> dict[str, Any] | None:
    if hasattr(obj, "__dict__"):
        return dict(vars(obj))
    slots = getattr(type(obj), "__slots__", None)
    if slots:
        return {s: getattr(obj, s, None) for s in slots}
    return None
