"""Ray Tune's search-space functions with Ray's signatures, returning sweepbridge IR nodes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .. import distributions as d
from ..errors import SpecError, UnsupportedFeatureError
from ..frontends import ray_ops
from ..frontends.structure import SpaceBuilder

_MISSING = object()


def _build(op: Callable[..., d.Node], *args: Any, **kwargs: Any) -> d.Node:
    try:
        return op(*args, **kwargs)
    except TypeError as exc:
        raise SpecError(f"tune.{op.__name__}: {exc}") from None


def uniform(lower: float, upper: float) -> d.Node:
    """U(lower, upper)."""
    return _build(ray_ops.uniform, lower, upper)


def quniform(lower: float, upper: float, q: float) -> d.Node:
    """round(U(lower, upper) / q) * q; bounds must be multiples of q."""
    return _build(ray_ops.quniform, lower, upper, q)


def loguniform(lower: float, upper: float, base: object = _MISSING) -> d.Node:
    """exp(U(ln lower, ln upper)); `base` is ignored, as in Ray."""
    return _build(ray_ops.loguniform, lower, upper)


def qloguniform(lower: float, upper: float, q: float, base: object = _MISSING) -> d.Node:
    return _build(ray_ops.qloguniform, lower, upper, q)


def randn(mean: float = 0.0, sd: float = 1.0) -> d.Node:
    return _build(ray_ops.randn, mean, sd)


def qrandn(mean: float, sd: float, q: float) -> d.Node:
    return _build(ray_ops.qrandn, mean, sd, q)


def randint(lower: int, upper: int) -> d.Node:
    """Uniform over the integers in [lower, upper)."""
    return _build(ray_ops.randint, lower, upper)


def qrandint(lower: int, upper: int, q: int = 1) -> d.Node:
    """Uniform over the multiples of q in [lower, upper] ([lower, upper) when q == 1)."""
    return _build(ray_ops.qrandint, lower, upper, q)


def lograndint(lower: int, upper: int, base: object = _MISSING, *, allow_approximate: bool = False) -> d.Node:
    """floor(exp(U(ln lower, ln upper))): Ray's rule as the IR's LogInteger (each engine samples it its way)."""
    return _build(ray_ops.lograndint, lower, upper, allow_approximate=allow_approximate)


def qlograndint(lower: int, upper: int, q: int, base: object = _MISSING, *, allow_approximate: bool = False) -> d.Node:
    return _build(ray_ops.qlograndint, lower, upper, q, allow_approximate=allow_approximate)


def _options(values: Any, what: str) -> tuple[d.Node, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise SpecError(f"tune.{what} needs a list of values, got {type(values).__name__}.")
    builder = SpaceBuilder(defer=True)
    return tuple(builder.node(v, f"[{i}]") for i, v in enumerate(values))


def choice(categories: Sequence) -> d.Node:
    """Uniform over `categories`."""
    return ray_ops.choice(_options(categories, "choice"))


def grid_search(values: Sequence) -> d.Node:
    """Every value is tried (once per repetition of the grid)."""
    return ray_ops.grid_search(_options(values, "grid_search"))


def sample_from(func: Callable) -> d.Node:
    """Refused where the space is translated, naming the parameter path (arbitrary Python has no
    W&B counterpart; the error suggests the matching domain)."""
    try:
        return ray_ops.sample_from(func)
    except UnsupportedFeatureError as exc:
        return d.Unsupported(exc.feature, exc.message, exc.suggestion)


__all__ = [
    "choice",
    "grid_search",
    "loguniform",
    "lograndint",
    "qloguniform",
    "qlograndint",
    "qrandint",
    "qrandn",
    "quniform",
    "randint",
    "randn",
    "sample_from",
    "uniform",
]
