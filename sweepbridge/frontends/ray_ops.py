"""Ray Tune's domains as IR constructors (Ray 2.x semantics, Ray's argument names).

Shared by the mirror `sweepbridge.tune` and the adapter over real `ray.tune` Domain objects, so
both translate identically. Facts: docs/semantics.md; the installed Ray is the oracle.

Integer domains are translated from Ray's own sampling rule, not from its docstrings:
- randint(a, b) is uniform over [a, b).
- qrandint(a, b, q) is uniform over the multiples of q between a and b, upper bound inclusive
  except when q == 1 (then [a, b)).
- lograndint(a, b) is floor(exp(U(ln a, ln b))): P(k) = ln((k+1)/k) / ln(b/a) for k in [a, b).
- qlograndint(a, b, q) draws an index i the same way over Ray's index range and returns i*q.
Both log-integer kinds become the IR's LogInteger (Ray's rule over Ray's index range, any size, with
the caller's allow_approximate): each back-end decides how it samples it (W&B's engine: values +
exact probabilities up to a limit; the Optuna engine: the rule itself).
"""

from __future__ import annotations

import math
from typing import Any

from .. import compat
from .. import distributions as d
from ..errors import SpecError
from ..ray_rules import is_multiple
from ..values import number


def _whole(value: Any, what: str) -> int:
    return number(value, what, integer=True)  # type: ignore[return-value]


def _grid_index(bound: float, q: float, up: bool) -> int:
    """Ray's Quantized._grid_index: bound / q rounded inwards, snapping when isclose."""
    scaled = bound / q
    if not math.isfinite(scaled):
        raise SpecError(f"bound {bound!r} / q {q!r} overflows a float: q is too small for these bounds.")
    nearest = round(scaled)
    if math.isclose(scaled, nearest):
        return int(nearest)
    return int(math.floor(scaled) if up else math.ceil(scaled))


def _check_divisible(lower: float, upper: float, q: float) -> None:
    for name, bound in (("lower", lower), ("upper", upper)):
        if not is_multiple(bound, q):
            raise SpecError(
                f"Your {name} variable bound {bound} is not divisible by quantization factor {q} "
                "(Ray Tune requires quantized float bounds to be multiples of q)."
            )


def _positive_q(q: Any) -> float:
    q = number(q, "q")
    if not q > 0:
        raise SpecError(f"q must be positive, got {q!r}.")
    return q


def _log_bounds(lower: Any, upper: Any) -> tuple[float, float]:
    lower, upper = number(lower, "lower"), number(upper, "upper")
    if not lower > 0:
        raise SpecError(f"LogUniform requires a lower bound greater than 0 (Ray Tune's rule), got {lower}.")
    if not upper > lower:
        raise SpecError(f"upper must be greater than lower, got [{lower}, {upper}).")
    return lower, upper


def uniform(lower: float, upper: float) -> d.Node:
    return d.Uniform(lower, upper)


def quniform(lower: float, upper: float, q: float) -> d.Node:
    q = _positive_q(q)
    lower, upper = number(lower, "lower"), number(upper, "upper")
    _check_divisible(lower, upper, q)
    return d.QUniform(lower, upper, float(q))


def loguniform(lower: float, upper: float) -> d.Node:
    return d.LogUniform(*_log_bounds(lower, upper))


def qloguniform(lower: float, upper: float, q: float) -> d.Node:
    q = _positive_q(q)
    lower, upper = _log_bounds(lower, upper)
    _check_divisible(lower, upper, q)
    return d.QLogUniform(lower, upper, float(q))


def randn(mean: float = 0.0, sd: float = 1.0) -> d.Node:
    return d.Normal(mean, sd)


def qrandn(mean: float, sd: float, q: float) -> d.Node:
    return d.QNormal(mean, sd, float(_positive_q(q)))


def randint(lower: int, upper: int) -> d.Node:
    lower, upper = _whole(lower, "lower"), _whole(upper, "upper")
    if not lower < upper:
        raise SpecError(f"randint needs lower < upper (upper is exclusive), got [{lower}, {upper}).")
    return d.IntUniform(lower, upper - 1)


def _index_range(lower: int, upper: int, q: int) -> tuple[int, int]:
    """Ray's index range [low, high) of a quantized integer domain (upper inclusive unless q == 1)."""
    low = _grid_index(lower, q, up=False)
    high = _grid_index(upper, q, up=True) + (0 if q == 1 else 1)
    if high <= low:
        raise SpecError(
            f"There is no multiple of the quantization factor q={q} between the bounds {lower} and {upper} "
            "(upper exclusive when q == 1), so the domain has no values to sample."
        )
    return low, high


def qrandint(lower: int, upper: int, q: int = 1) -> d.Node:
    lower, upper = _whole(lower, "lower"), _whole(upper, "upper")
    q = _whole(_positive_q(q), "q of an integer domain (Ray's signature: q: int)")
    low, high = _index_range(lower, upper, q)
    return d.IntUniform(low * q, (high - 1) * q, q)


def _log_int(low: int, high: int, q: int, source: str, allow_approximate: bool) -> d.Node:
    return d.LogInteger(low, high, q, source=source, approximate=allow_approximate)


def lograndint(lower: int, upper: int, *, allow_approximate: bool = False) -> d.Node:
    lower, upper = _whole(lower, "lower"), _whole(upper, "upper")
    _log_bounds(lower, upper)
    return _log_int(lower, upper, 1, f"tune.lograndint({lower}, {upper})", allow_approximate)


def qlograndint(lower: int, upper: int, q: int, *, allow_approximate: bool = False) -> d.Node:
    lower, upper = _whole(lower, "lower"), _whole(upper, "upper")
    _log_bounds(lower, upper)
    q = _whole(_positive_q(q), "q of an integer domain (Ray's signature: q: int)")
    low, high = _index_range(lower, upper, q)
    return _log_int(low, high, q, f"tune.qlograndint({lower}, {upper}, {q})", allow_approximate)


def choice(options: tuple[d.Node, ...]) -> d.Node:
    """Uniform over Ray's categories (already converted to IR nodes). A category holding domains
    makes a conditional choice: Ray samples the chosen category's domains (the W&B back-end
    translates it when every category has a finite support)."""
    if not options:
        raise SpecError("tune.choice needs at least one category.")
    return d.Choice(tuple(options))


def grid_search(options: tuple[d.Node, ...]) -> d.Node:
    """Every value tried once per repetition; values must be constants."""
    if not options:
        raise SpecError("tune.grid_search needs at least one value.")
    if not all(isinstance(o, d.Constant) for o in options):
        raise compat.refuse("tune.grid_search.nested")
    return d.GridAxis(tuple(o.value for o in options))  # type: ignore[attr-defined]


def sample_from(func: Any) -> d.Node:
    name = getattr(func, "__name__", type(func).__name__)
    raise compat.refuse("tune.sample_from", f"It calls {name}(), arbitrary Python W&B cannot run.")


NUMERIC = {
    "uniform": uniform,
    "quniform": quniform,
    "loguniform": loguniform,
    "qloguniform": qloguniform,
    "randn": randn,
    "qrandn": qrandn,
    "randint": randint,
    "qrandint": qrandint,
}
"""Ray's numeric domains by name (the log-integer ones take allow_approximate as well)."""

LOG_INTEGER = {"lograndint": lograndint, "qlograndint": qlograndint}
