"""hyperopt's stochastic operators as IR constructors (hyperopt's own argument names).

Shared by the mirror `sweepbridge.hyperopt.hp` and the walker over real hyperopt pyll graphs.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .. import distributions as d
from ..errors import SpecError
from ..values import number


def _exp(x: float, what: str) -> float:
    x = number(x, what)
    try:
        value = math.exp(x)
    except OverflowError:
        raise SpecError(f"{what} {x!r} is a natural-log exponent; e^{x!r} overflows a float.") from None
    if value == 0.0:
        raise SpecError(f"{what} {x!r} is a natural-log exponent; e^{x!r} underflows to 0.")
    return value


def randint(low: int, high: int | None = None) -> d.Node:
    """hp.randint(label, upper) is [0, upper); hp.randint(label, low, high) is [low, high)."""
    if high is None:
        low, high = 0, low
    low, high = number(low, "low", integer=True), number(high, "high", integer=True)
    if not low < high:
        raise SpecError(f"randint needs low < high (high is exclusive), got [{low}, {high}).")
    return d.IntUniform(low, high - 1)


def uniformint(low: float, high: float, q: float = 1.0) -> d.Node:
    return d.QUniform(low, high, q, integer=True)


def loguniform(low: float, high: float) -> d.Node:
    return d.LogUniform(_exp(low, "low"), _exp(high, "high"))


def qloguniform(low: float, high: float, q: float) -> d.Node:
    return d.QLogUniform(_exp(low, "low"), _exp(high, "high"), q)


def pchoice_probabilities(p_options: list) -> tuple[tuple, tuple]:
    try:
        probs, options = zip(*p_options, strict=True)
    except (TypeError, ValueError):
        raise SpecError("pchoice needs a non-empty list of (probability, option) pairs.") from None
    return tuple(probs), tuple(options)


OPS: dict[str, Callable[..., d.Node]] = {
    "randint": randint,
    "uniform": lambda low, high: d.Uniform(low, high),
    "quniform": lambda low, high, q: d.QUniform(low, high, q),
    "uniformint": uniformint,
    "loguniform": loguniform,
    "qloguniform": qloguniform,
    "normal": lambda mu, sigma: d.Normal(mu, sigma),
    "qnormal": lambda mu, sigma, q: d.QNormal(mu, sigma, q),
    "lognormal": lambda mu, sigma: d.LogNormal(mu, sigma),
    "qlognormal": lambda mu, sigma, q: d.QLogNormal(mu, sigma, q),
}
"""Numeric operators by hyperopt name (choice/pchoice build a Choice from their options)."""


def call(op: str, label: str, args: tuple, kwargs: dict) -> d.Node:
    """Build the IR node for `op(*args, **kwargs)`, errors located at `label`."""
    try:
        node = OPS[op](*args, **kwargs)
    except TypeError as exc:
        raise SpecError(f"hp.{op}: {exc}", path=label) from None
    except SpecError as exc:
        raise exc.at(label) from None
    return node.with_label(label)
