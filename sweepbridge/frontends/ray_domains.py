"""Adapter: real `ray.tune` Domain objects (and `{"grid_search": [...]}` dicts) → IR.

A Domain is a domain class (Float, Integer, Categorical, Function) plus a sampler chain
(Uniform, LogUniform, Normal, Grid, optionally wrapped in Quantized). The pair names the Tune
function that built it; `ray_ops` builds the IR from it exactly as the mirror `sweepbridge.tune` does.
"""

from __future__ import annotations

from typing import Any

from .. import distributions as d
from ..errors import SpecError, SweepBridgeError
from . import ray_ops
from .structure import SpaceBuilder

OPS: dict[tuple[str, str, bool], str] = {
    ("Float", "Uniform", False): "uniform",
    ("Float", "Uniform", True): "quniform",
    ("Float", "LogUniform", False): "loguniform",
    ("Float", "LogUniform", True): "qloguniform",
    ("Float", "Normal", False): "randn",
    ("Float", "Normal", True): "qrandn",
    ("Integer", "Uniform", False): "randint",
    ("Integer", "Uniform", True): "qrandint",
    ("Integer", "LogUniform", False): "lograndint",
    ("Integer", "LogUniform", True): "qlograndint",
}
"""(domain class, base sampler kind, quantized) → the Tune function that builds that domain."""


def _sampler_kind(sampler: Any) -> str:
    from ray.tune.search import sample

    for kind in ("Grid", "Normal", "LogUniform", "Uniform"):
        if isinstance(sampler, getattr(sample, kind)):
            return kind
    raise SpecError(f"unrecognised Ray Tune sampler {type(sampler).__name__}.")


def _args(op: str, domain: Any, sampler: Any, q: Any) -> tuple:
    if op in ("randn", "qrandn"):
        return (sampler.mean, sampler.sd) + ((q,) if q is not None else ())
    return (domain.lower, domain.upper) + ((q,) if q is not None else ())


def allow_approximate(builder: SpaceBuilder) -> bool:
    return bool(getattr(builder, "allow_approximate", False))


def _domain(obj: Any, builder: SpaceBuilder, path: str) -> d.Node:
    from ray.tune.search import sample

    if isinstance(obj, sample.Function):
        return ray_ops.sample_from(obj.func)
    sampler = obj.get_sampler()
    q = None
    if isinstance(sampler, sample.Quantized):
        q, sampler = sampler.q, sampler.get_sampler()
    kind = _sampler_kind(sampler)
    if isinstance(obj, sample.Categorical):
        options = tuple(builder.node(c, f"{path}[option {i}]") for i, c in enumerate(obj.categories))
        return ray_ops.grid_search(options) if kind == "Grid" else ray_ops.choice(options)
    op = OPS.get((type(obj).__name__, kind, q is not None))
    if op is None:
        raise SpecError(f"unrecognised Ray Tune domain {type(obj).__name__} with a {kind} sampler.")
    args = _args(op, obj, sampler, q)
    if op in ray_ops.LOG_INTEGER:
        return ray_ops.LOG_INTEGER[op](*args, allow_approximate=allow_approximate(builder))
    return ray_ops.NUMERIC[op](*args)


def convert(obj: Any, builder: SpaceBuilder, path: str) -> d.Node:
    """A real ray.tune object → IR (Domain subclasses only)."""
    from ray.tune.search import sample

    if not isinstance(obj, sample.Domain):
        raise SpecError(f"{type(obj).__module__}.{type(obj).__name__} is not a Ray Tune search-space domain.")
    try:
        return _domain(obj, builder, path)
    except SweepBridgeError as exc:
        raise exc.at(path) from None


def grid_search(values: Any, builder: SpaceBuilder, path: str) -> d.Node:
    """Ray's `tune.grid_search(values)` is the plain dict {"grid_search": values}."""
    if not isinstance(values, (list, tuple)):
        raise SpecError(f"grid_search needs a list of values, got {type(values).__name__}.", path=path)
    options = tuple(builder.node(v, f"{path}[{i}]") for i, v in enumerate(values))
    try:
        return ray_ops.grid_search(options)
    except SweepBridgeError as exc:
        raise exc.at(path) from None
