"""The intermediate representation: immutable, validated search-space nodes.

Front-ends build these; back-ends read them. Numbers are plain Python numbers; bounds are
always *values* (never log-space exponents). `label` is provenance only and is not compared.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .errors import SpecError
from .values import Plain, number, plain


@dataclass(frozen=True)
class Node:
    """Base of every IR node."""

    kind: ClassVar[str] = "node"
    label: str | None = field(default=None, compare=False, kw_only=True, repr=False)

    def children(self) -> tuple[Node, ...]:
        return ()

    def support(self) -> tuple[tuple[Plain, ...], tuple[float, ...]] | None:
        """The finite support and its probabilities, or None when infinite or continuous."""
        return None


def _set(obj: Node, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


def _nums(obj: Node, names: tuple[str, ...], *, integer: bool = False) -> None:
    for name in names:
        _set(obj, name, number(getattr(obj, name), name, integer=integer))


def _ordered(obj: Node, low: str = "low", high: str = "high") -> None:
    if not getattr(obj, low) < getattr(obj, high):
        raise SpecError(f"{low} must be less than {high}, got {getattr(obj, low)!r} >= {getattr(obj, high)!r}.")


def _positive(obj: Node, name: str) -> None:
    if not getattr(obj, name) > 0:
        raise SpecError(f"{name} must be positive, got {getattr(obj, name)!r}.")


def _quantum(obj: Node) -> None:
    """Validate q; an integer-valued distribution needs a whole q."""
    _nums(obj, ("q",))
    _positive(obj, "q")
    if obj.integer:
        _set(obj, "q", number(obj.q, "q of an integer-valued distribution", integer=True))


@dataclass(frozen=True)
class Constant(Node):
    """A fixed value (plain JSON)."""

    kind: ClassVar[str] = "constant"
    value: Plain = None

    def __post_init__(self) -> None:
        _set(self, "value", plain(self.value))

    def support(self) -> tuple[tuple[Plain, ...], tuple[float, ...]]:
        return (self.value,), (1.0,)


@dataclass(frozen=True)
class Choice(Node):
    """One of `options` (uniform, or with `probabilities`); options may be any node."""

    kind: ClassVar[str] = "choice"
    options: tuple[Node, ...] = ()
    probabilities: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        options = tuple(self.options)
        if not options:
            raise SpecError("a choice needs at least one option.")
        if not all(isinstance(o, Node) for o in options):
            raise SpecError("choice options must be IR nodes.")
        _set(self, "options", options)
        if self.probabilities is not None:
            probs = tuple(number(p, "probability") for p in self.probabilities)
            if len(probs) != len(options):
                raise SpecError(f"{len(probs)} probabilities for {len(options)} options.")
            if any(p < 0 for p in probs):
                raise SpecError(f"probabilities must be >= 0, got {list(probs)}.")
            if not math.isclose(sum(probs), 1.0, rel_tol=0, abs_tol=1e-8):
                raise SpecError(f"probabilities must sum to 1, got {list(probs)} (sum {sum(probs)!r}).")
            _set(self, "probabilities", tuple(float(p) for p in probs))

    def children(self) -> tuple[Node, ...]:
        return self.options

    @property
    def is_conditional(self) -> bool:
        return not all(isinstance(o, Constant) for o in self.options)

    @property
    def is_uniform(self) -> bool:
        return self.probabilities is None or len(set(self.probabilities)) == 1

    def support(self) -> tuple[tuple[Plain, ...], tuple[float, ...]] | None:
        if self.is_conditional:
            return None
        n = len(self.options)
        probs = self.probabilities or tuple(1.0 / n for _ in self.options)
        return tuple(o.value for o in self.options), probs  # type: ignore[attr-defined]


@dataclass(frozen=True)
class IntUniform(Node):
    """Uniform over low, low+step, ..., high (both ends included); values are ints."""

    kind: ClassVar[str] = "int_uniform"
    low: int = 0
    high: int = 1
    step: int = 1

    def __post_init__(self) -> None:
        _nums(self, ("low", "high", "step"), integer=True)
        _positive(self, "step")
        if self.high < self.low:
            raise SpecError(f"high must be >= low, got {self.low} > {self.high}.")
        if (self.high - self.low) % self.step:
            raise SpecError(f"high - low ({self.high} - {self.low}) must be a multiple of step {self.step}.")

    @property
    def size(self) -> int:
        return (self.high - self.low) // self.step + 1

    def support(self) -> tuple[tuple[Plain, ...], tuple[float, ...]] | None:
        if self.size > SUPPORT_LIMIT:
            return None
        values = tuple(range(self.low, self.high + 1, self.step))
        return values, tuple(1.0 / len(values) for _ in values)


SUPPORT_LIMIT = 100_000
"""Largest finite support the IR enumerates (beyond it a kind is treated as unbounded)."""


@dataclass(frozen=True)
class _Range(Node):
    """Base of the bounded kinds: finite low < high (and low > 0 for the log kinds).

    Concrete kinds subclass these bases without redeclaring fields (no @dataclass: the generated
    __init__/__eq__/__repr__ are inherited, compare exact classes and print the subclass name).
    """

    low: float = 1.0
    high: float = 10.0
    log: ClassVar[bool] = False

    def __post_init__(self) -> None:
        _nums(self, ("low", "high"))
        if self.log:
            _positive(self, "low")
        _ordered(self)


@dataclass(frozen=True)
class _QRange(_Range):
    """A bounded kind rounded to multiples of q; ints when `integer`, else floats."""

    q: float = 1.0
    integer: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        _quantum(self)


@dataclass(frozen=True)
class _Scale(Node):
    """Base of the normal kinds: finite mu, sigma > 0."""

    mu: float = 0.0
    sigma: float = 1.0

    def __post_init__(self) -> None:
        _nums(self, ("mu", "sigma"))
        _positive(self, "sigma")


@dataclass(frozen=True)
class _QScale(_Scale):
    """A normal kind rounded to multiples of q."""

    q: float = 1.0
    integer: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        _quantum(self)


@dataclass(frozen=True)
class _Shape(Node):
    """Base of the beta kinds: a > 0, b > 0."""

    a: float = 1.0
    b: float = 1.0

    def __post_init__(self) -> None:
        _nums(self, ("a", "b"))
        _positive(self, "a")
        _positive(self, "b")


@dataclass(frozen=True)
class _QShape(_Shape):
    """A beta kind rounded to multiples of q."""

    q: float = 1.0
    integer: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        _quantum(self)


class Uniform(_Range):
    """U(low, high); values are floats."""

    kind: ClassVar[str] = "uniform"


class QUniform(_QRange):
    """round(U(low, high) / q) * q."""

    kind: ClassVar[str] = "quniform"


class LogUniform(_Range):
    """exp(U(ln low, ln high)); floats. Bounds are values, not exponents."""

    kind: ClassVar[str] = "loguniform"
    log: ClassVar[bool] = True


class QLogUniform(_QRange):
    """round(exp(U(ln low, ln high)) / q) * q."""

    kind: ClassVar[str] = "qloguniform"
    log: ClassVar[bool] = True


class InvLogUniform(_Range):
    """1 / X where X = exp(U(-ln high, -ln low)), i.e. W&B's inv_log_uniform_values."""

    kind: ClassVar[str] = "invloguniform"
    log: ClassVar[bool] = True


class Normal(_Scale):
    """N(mu, sigma)."""

    kind: ClassVar[str] = "normal"


class QNormal(_QScale):
    """round(N(mu, sigma) / q) * q."""

    kind: ClassVar[str] = "qnormal"


class LogNormal(_Scale):
    """exp(N(mu, sigma))."""

    kind: ClassVar[str] = "lognormal"


class QLogNormal(_QScale):
    """round(exp(N(mu, sigma)) / q) * q."""

    kind: ClassVar[str] = "qlognormal"


class Beta(_Shape):
    """Beta(a, b) on [0, 1]."""

    kind: ClassVar[str] = "beta"


class QBeta(_QShape):
    """round(Beta(a, b) / q) * q."""

    kind: ClassVar[str] = "qbeta"


@dataclass(frozen=True)
class FiniteDiscrete(Node):
    """A finite distribution given by its exact pmf (e.g. Ray's lograndint); `source` names it."""

    kind: ClassVar[str] = "finite"
    values: tuple[Plain, ...] = ()
    probabilities: tuple[float, ...] = ()
    source: str = ""

    def __post_init__(self) -> None:
        _set(self, "values", tuple(plain(v) for v in self.values))
        probs = tuple(float(number(p, "probability")) for p in self.probabilities)
        if not self.values or len(probs) != len(self.values):
            raise SpecError("a finite distribution needs one probability per value.")
        if any(p < 0 for p in probs) or not math.isclose(sum(probs), 1.0, rel_tol=0, abs_tol=1e-8):
            raise SpecError("probabilities must be >= 0 and sum to 1.")
        _set(self, "probabilities", probs)

    def support(self) -> tuple[tuple[Plain, ...], tuple[float, ...]]:
        return self.values, self.probabilities


@dataclass(frozen=True)
class GridAxis(Node):
    """Every value is tried once per repetition (Ray's grid_search)."""

    kind: ClassVar[str] = "grid"
    values: tuple[Plain, ...] = ()

    def __post_init__(self) -> None:
        if not self.values:
            raise SpecError("a grid axis needs at least one value.")
        _set(self, "values", tuple(plain(v) for v in self.values))

    def support(self) -> tuple[tuple[Plain, ...], tuple[float, ...]]:
        return self.values, tuple(1.0 / len(self.values) for _ in self.values)


@dataclass(frozen=True)
class Mapping(Node):
    """A dict of named nodes (becomes nested `parameters`)."""

    kind: ClassVar[str] = "mapping"
    fields: tuple[tuple[str, Node], ...] = ()

    def __post_init__(self) -> None:
        for key, _ in self.fields:
            if not isinstance(key, str):
                raise SpecError(f"mapping key {key!r} is not a string.")

    def children(self) -> tuple[Node, ...]:
        return tuple(n for _, n in self.fields)


@dataclass(frozen=True)
class Sequence(Node):
    """A list or tuple of nodes, at least one not constant."""

    kind: ClassVar[str] = "sequence"
    items: tuple[Node, ...] = ()

    def children(self) -> tuple[Node, ...]:
        return self.items


BY_KIND: dict[str, type[Node]] = {
    cls.kind: cls
    for cls in (
        Constant,
        Choice,
        IntUniform,
        Uniform,
        QUniform,
        LogUniform,
        QLogUniform,
        InvLogUniform,
        Normal,
        QNormal,
        LogNormal,
        QLogNormal,
        Beta,
        QBeta,
        FiniteDiscrete,
        GridAxis,
        Mapping,
        Sequence,
    )
}
"""Every concrete IR kind → its class."""


def mapping(fields: list[tuple[str, Node]] | tuple[tuple[str, Node], ...]) -> Node:
    """A Mapping, folded into a Constant dict when every field is constant."""
    fields = tuple(fields)
    if all(isinstance(n, Constant) for _, n in fields):
        return Constant({k: n.value for k, n in fields})  # type: ignore[attr-defined]
    return Mapping(fields)


def sequence(items: list[Node] | tuple[Node, ...]) -> Node:
    """A Sequence, folded into a Constant list when every item is constant."""
    items = tuple(items)
    if all(isinstance(n, Constant) for n in items):
        return Constant([n.value for n in items])  # type: ignore[attr-defined]
    return Sequence(items)


def walk(node: Node, path: str = ""):
    """Yield (path, node) for `node` and every descendant, depth first."""
    yield path, node
    if isinstance(node, Mapping):
        for key, child in node.fields:
            yield from walk(child, f"{path}.{key}" if path else key)
    elif isinstance(node, Choice):
        for i, child in enumerate(node.options):
            yield from walk(child, f"{path}[option {i}]")
    else:
        for i, child in enumerate(node.children()):
            yield from walk(child, f"{path}[{i}]")
