"""hyperopt's `hp` operators with hyperopt's signatures, returning sweepbridge IR nodes."""

from __future__ import annotations

from typing import Any

from .. import distributions as d
from ..errors import SpecError, SweepBridgeError
from ..frontends.hyperopt_ops import _labelled, call, pchoice_probabilities
from ..frontends.structure import SpaceBuilder


def _label(label: Any) -> str:
    if not isinstance(label, str):
        raise SpecError(f"hyperopt labels are strings, got {label!r}.")
    return label


def _options(label: str, options: Any) -> tuple[d.Node, ...]:
    """Any sized sequence hyperopt takes (list, tuple, range, NumPy array), as IR nodes."""
    if isinstance(options, (str, bytes, dict)) or not hasattr(options, "__len__") or not hasattr(options, "__iter__"):
        raise SpecError(f"options must be a non-empty list, got {type(options).__name__}.", path=label)
    options = list(options)
    if not options:
        raise SpecError("options must be a non-empty list.", path=label)
    builder = SpaceBuilder(defer=True)
    return tuple(builder.node(o, f"{label}[option {i}]") for i, o in enumerate(options))


def choice(label: str, options: list) -> d.Node:
    """One of `options`, uniformly."""
    label = _label(label)
    return _labelled(d.Choice(_options(label, options)), label)


def pchoice(label: str, p_options: list) -> d.Node:
    """`p_options` is a list of (probability, option) pairs."""
    label = _label(label)
    try:
        probs, options = pchoice_probabilities(p_options)
        return _labelled(d.Choice(_options(label, list(options)), probs), label)
    except SweepBridgeError as exc:
        raise exc.at(label) from None


def randint(label: str, *args: Any, **kwargs: Any) -> d.Node:
    """randint(label, upper) → [0, upper); randint(label, low, high) → [low, high)."""
    return call("randint", _label(label), args, kwargs)


def uniform(label: str, low: float, high: float) -> d.Node:
    return call("uniform", _label(label), (low, high), {})


def quniform(label: str, low: float, high: float, q: float) -> d.Node:
    return call("quniform", _label(label), (low, high, q), {})


def uniformint(label: str, low: float, high: float, **kwargs: Any) -> d.Node:
    """round(uniform(low, high)) as an int (end points get half weight, as in hyperopt)."""
    kwargs.pop("q", None)
    return call("uniformint", _label(label), (low, high), kwargs)


def loguniform(label: str, low: float, high: float) -> d.Node:
    """exp(uniform(low, high)): `low` and `high` are natural-log exponents, as in hyperopt."""
    return call("loguniform", _label(label), (low, high), {})


def qloguniform(label: str, low: float, high: float, q: float) -> d.Node:
    return call("qloguniform", _label(label), (low, high, q), {})


def normal(label: str, mu: float, sigma: float) -> d.Node:
    return call("normal", _label(label), (mu, sigma), {})


def qnormal(label: str, mu: float, sigma: float, q: float) -> d.Node:
    return call("qnormal", _label(label), (mu, sigma, q), {})


def lognormal(label: str, mu: float, sigma: float) -> d.Node:
    return call("lognormal", _label(label), (mu, sigma), {})


def qlognormal(label: str, mu: float, sigma: float, q: float) -> d.Node:
    return call("qlognormal", _label(label), (mu, sigma, q), {})
