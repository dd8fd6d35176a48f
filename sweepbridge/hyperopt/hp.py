"""hyperopt's `hp` operators with hyperopt's signatures, returning `Expression`s (an IR node with
pyll's operators: arithmetic and `[]`)."""

from __future__ import annotations

from typing import Any

from .. import distributions as d
from ..errors import SpecError, SweepBridgeError
from ..frontends.expression import Expression
from ..frontends.hyperopt_ops import call, pchoice_probabilities
from ..frontends.structure import SpaceBuilder


def _label(label: Any) -> str:
    if not isinstance(label, str):
        raise SpecError(f"hyperopt labels are strings, got {label!r}.")
    return label


def _choice(label: str, options: Any, probabilities: tuple | None = None) -> Expression:
    """A choice over any sized sequence hyperopt takes (list, tuple, range, NumPy array)."""
    if isinstance(options, (str, bytes, dict)) or not hasattr(options, "__len__") or not hasattr(options, "__iter__"):
        raise SpecError(f"options must be a non-empty list, got {type(options).__name__}.", path=label)
    options = list(options)
    if not options:
        raise SpecError("options must be a non-empty list.", path=label)
    builder = SpaceBuilder(defer=True)
    nodes = tuple(builder.node(o, f"{label}[option {i}]") for i, o in enumerate(options))
    return Expression(d.Choice(nodes, probabilities, label=label), builder.origins)


def choice(label: str, options: list) -> Expression:
    """One of `options`, uniformly."""
    return _choice(_label(label), options)


def pchoice(label: str, p_options: list) -> Expression:
    """`p_options` is a list of (probability, option) pairs."""
    label = _label(label)
    try:
        probs, options = pchoice_probabilities(p_options)
        return _choice(label, list(options), probs)
    except SweepBridgeError as exc:
        raise exc.at(label) from None


def randint(label: str, *args: Any, **kwargs: Any) -> Expression:
    """randint(label, upper) → [0, upper); randint(label, low, high) → [low, high)."""
    return Expression(call("randint", _label(label), args, kwargs))


def uniform(label: str, low: float, high: float) -> Expression:
    return Expression(call("uniform", _label(label), (low, high), {}))


def quniform(label: str, low: float, high: float, q: float) -> Expression:
    return Expression(call("quniform", _label(label), (low, high, q), {}))


def uniformint(label: str, low: float, high: float, **kwargs: Any) -> Expression:
    """round(uniform(low, high)) as an int (end points get half weight, as in hyperopt)."""
    kwargs.pop("q", None)
    return Expression(call("uniformint", _label(label), (low, high), kwargs))


def loguniform(label: str, low: float, high: float) -> Expression:
    """exp(uniform(low, high)): `low` and `high` are natural-log exponents, as in hyperopt."""
    return Expression(call("loguniform", _label(label), (low, high), {}))


def qloguniform(label: str, low: float, high: float, q: float) -> Expression:
    return Expression(call("qloguniform", _label(label), (low, high, q), {}))


def normal(label: str, mu: float, sigma: float) -> Expression:
    return Expression(call("normal", _label(label), (mu, sigma), {}))


def qnormal(label: str, mu: float, sigma: float, q: float) -> Expression:
    return Expression(call("qnormal", _label(label), (mu, sigma, q), {}))


def lognormal(label: str, mu: float, sigma: float) -> Expression:
    return Expression(call("lognormal", _label(label), (mu, sigma), {}))


def qlognormal(label: str, mu: float, sigma: float, q: float) -> Expression:
    return Expression(call("qlognormal", _label(label), (mu, sigma, q), {}))
