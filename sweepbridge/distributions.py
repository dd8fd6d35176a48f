"""The intermediate representation: immutable, validated search-space nodes.

Front-ends build these; back-ends read them. Numbers are plain Python numbers; bounds are
always *values* (never log-space exponents). Nodes are never changed after construction (a changed
copy is a new node: `with_label`, `dataclasses.replace`).

Each kind declares its traits as class attributes (`family`, `log`, `quantized`, `unquantized`,
`int_valued`), as optuna's distributions carry `log` and `step`: back-ends read the traits, and key
their per-kind tables by class, instead of re-deriving traits from kind names. `docs/adding-a-kind.md`
is the checklist for a new kind; `tests/test_kind_coverage.py` checks every back-end covers every kind.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, ClassVar

from .errors import SpecError, UnsupportedFeatureError
from .values import Plain, number, plain


@dataclass(frozen=True)
class Node:
    """Base of every IR node."""

    kind: ClassVar[str] = "node"
    """The kind's name: its tag in serialized IR (`ir_data`) and how messages name it."""
    family: ClassVar[str | None] = None
    """A sampled number's law before any log or rounding: "uniform" (bounded by low/high), "normal"
    (mu/sigma) or "beta" (a/b); None for the kinds that are not one continuous draw."""
    log: ClassVar[bool] = False
    """The family's draw is taken on a log scale: exp(U(ln low, ln high)), exp(N(mu, sigma))."""
    quantized: ClassVar[bool] = False
    """Rounded to multiples of the field `q`; the field `integer` says whether the values are ints."""
    unquantized: ClassVar[type[Node] | None] = None
    """For a quantized kind, the kind it rounds (QNormal → Normal)."""
    int_valued: ClassVar[bool] = False
    """Every value is an int whatever the fields (IntUniform, LogInteger); see also a quantized kind's `integer`."""

    label: str | None = field(default=None, compare=False, kw_only=True, repr=False)
    """hyperopt's label: the name hyperopt draws this expression under (None for other sources). It does
    not change what the node samples and is not compared. It is read for exactly three things: hyperopt's
    rule that labels are unique and an expression is drawn once per trial (`frontends.structure`), the
    name of a space that is one bare expression (`root_fields`), and which library a conditional choice
    comes from when W&B's engine refuses it (hyperopt's row, else Ray Tune's)."""

    def children(self) -> tuple[Node, ...]:
        return ()

    def support_size(self) -> int | None:
        """At most how many (value, probability) pairs `pmf()` lists; None when infinite or continuous."""
        return None

    def pmf(self) -> list[tuple[Plain, Fraction]] | None:
        """The exact finite pmf as (value, probability) pairs, or None beyond SUPPORT_LIMIT values."""
        size = self.support_size()
        return None if size is None or size > SUPPORT_LIMIT else self._pmf()

    def _pmf(self) -> list[tuple[Plain, Fraction]]:
        raise NotImplementedError

    def support(self) -> tuple[tuple[Plain, ...], tuple[float, ...]] | None:
        """The finite support and its probabilities, or None when infinite, continuous or too large."""
        pmf = self.pmf()
        if pmf is None:
            return None
        return tuple(v for v, _ in pmf), tuple(float(p) for _, p in pmf)

    def with_label(self, label: str | None) -> Node:
        """This node under hyperopt label `label` (a new node; nodes are never changed)."""
        return self if self.label == label else dataclasses.replace(self, label=label)


def value_key(value: Plain) -> str:
    """An exact identity for a plain value: 1, 1.0, True and -0.0 differ; dict key order does not."""
    return json.dumps(value, sort_keys=True)


def merge(pairs: Iterable[tuple[Plain, Fraction]]) -> list[tuple[Plain, Fraction]]:
    """(value, probability) pairs with identical values merged (first occurrence kept, in order)."""
    out: dict[str, list] = {}
    for value, p in pairs:
        key = value_key(value)
        if key in out:
            out[key][1] += p
        else:
            out[key] = [value, p]
    return [(v, p) for v, p in out.values()]


def product_size(nodes: Iterable[Node]) -> int | None:
    size = 1
    for node in nodes:
        n = node.support_size()
        if n is None:
            return None
        size *= n
    return size


def product_pmf(nodes: tuple[Node, ...]) -> list[tuple[tuple[Plain, ...], Fraction]]:
    """Every combination of the nodes' values with its probability (the nodes are independent)."""
    pmfs = [n._pmf() for n in nodes]
    return [
        (tuple(v for v, _ in combo), math.prod((p for _, p in combo), start=Fraction(1)))
        for combo in itertools.product(*pmfs)
    ]


def multiset(values: list, probabilities: tuple[float, ...] | list[float], limit: int) -> list | None:
    """`values` repeated in proportion to `probabilities` (zeros dropped), or None when some
    probability is not a multiple of 1/N within 1e-12 for an N <= `limit`."""
    fractions = [Fraction(p).limit_denominator(limit) for p in probabilities]
    if any(abs(float(f) - p) > 1e-12 for f, p in zip(fractions, probabilities, strict=True)) or sum(fractions) != 1:
        return None
    n = math.lcm(*(f.denominator for f in fractions))
    if n > limit:
        return None
    return [v for v, f in zip(values, fractions, strict=True) for _ in range(int(f * n))]


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

    def support_size(self) -> int:
        return 1

    def _pmf(self) -> list[tuple[Plain, Fraction]]:
        return [(self.value, Fraction(1))]


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

    def weights(self) -> tuple[Fraction, ...]:
        n = len(self.options)
        return tuple(Fraction(p) for p in self.probabilities) if self.probabilities else (Fraction(1, n),) * n

    def support_size(self) -> int | None:
        sizes = [o.support_size() for o in self.options]
        return None if None in sizes else sum(sizes)  # type: ignore[arg-type]

    def _pmf(self) -> list[tuple[Plain, Fraction]]:
        """Options' values as listed (duplicates kept); a conditional's branch values merged."""
        pairs = [(v, w * p) for o, w in zip(self.options, self.weights(), strict=True) for v, p in o._pmf()]
        return merge(pairs) if self.is_conditional else pairs

    def support(self) -> tuple[tuple[Plain, ...], tuple[float, ...]] | None:
        if not self.is_conditional:  # the probabilities exactly as given
            n = len(self.options)
            probs = self.probabilities or tuple(1.0 / n for _ in self.options)
            return tuple(o.value for o in self.options), probs  # type: ignore[attr-defined]
        return super().support()


@dataclass(frozen=True)
class IntUniform(Node):
    """Uniform over low, low+step, ..., high (both ends included); values are ints."""

    kind: ClassVar[str] = "int_uniform"
    int_valued: ClassVar[bool] = True
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

    def support_size(self) -> int:
        return self.size

    def _pmf(self) -> list[tuple[Plain, Fraction]]:
        return [(v, Fraction(1, self.size)) for v in range(self.low, self.high + 1, self.step)]


SUPPORT_LIMIT = 100_000
"""Largest finite support the IR enumerates (beyond it a kind is treated as unbounded)."""


@dataclass(frozen=True)
class _Range(Node):
    """Base of the bounded kinds: finite low < high (and low > 0 for the log kinds).

    Concrete kinds subclass these bases without redeclaring fields (no @dataclass: the generated
    __init__/__eq__/__repr__ are inherited, compare exact classes and print the subclass name).
    """

    family: ClassVar[str | None] = "uniform"
    low: float = 1.0
    high: float = 10.0

    def __post_init__(self) -> None:
        _nums(self, ("low", "high"))
        if self.log:
            _positive(self, "low")
        _ordered(self)


@dataclass(frozen=True)
class _QRange(_Range):
    """A bounded kind rounded to multiples of q; ints when `integer`, else floats."""

    quantized: ClassVar[bool] = True
    q: float = 1.0
    integer: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        _quantum(self)


@dataclass(frozen=True)
class _Scale(Node):
    """Base of the normal kinds: finite mu, sigma > 0."""

    family: ClassVar[str | None] = "normal"
    mu: float = 0.0
    sigma: float = 1.0

    def __post_init__(self) -> None:
        _nums(self, ("mu", "sigma"))
        _positive(self, "sigma")


@dataclass(frozen=True)
class _QScale(_Scale):
    """A normal kind rounded to multiples of q."""

    quantized: ClassVar[bool] = True
    q: float = 1.0
    integer: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        _quantum(self)


@dataclass(frozen=True)
class _Shape(Node):
    """Base of the beta kinds: a > 0, b > 0."""

    family: ClassVar[str | None] = "beta"
    a: float = 1.0
    b: float = 1.0

    def __post_init__(self) -> None:
        _nums(self, ("a", "b"))
        _positive(self, "a")
        _positive(self, "b")


@dataclass(frozen=True)
class _QShape(_Shape):
    """A beta kind rounded to multiples of q."""

    quantized: ClassVar[bool] = True
    q: float = 1.0
    integer: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        _quantum(self)


class Uniform(_Range):
    """U(low, high); values are floats."""

    kind: ClassVar[str] = "uniform"


class QUniform(_QRange):
    """round(U(low, high) / q) * q (numpy's round; -0.0 for draws in (-q/2, 0), as numpy gives)."""

    kind: ClassVar[str] = "quniform"
    unquantized: ClassVar[type[Node] | None] = Uniform

    def _cells(self) -> tuple[Fraction, Fraction, Fraction, int, int]:
        low, high, q = Fraction(self.low), Fraction(self.high), Fraction(self.q)
        return low, high, q, math.floor(low / q + Fraction(1, 2)), math.ceil(high / q - Fraction(1, 2))

    def support_size(self) -> int:
        _, _, _, first, last = self._cells()
        return last - first + 2  # + the split of 0 into -0.0 and 0.0

    def _pmf(self) -> list[tuple[Plain, Fraction]]:
        """Each multiple k*q owns [(k - 1/2) q, (k + 1/2) q) of [low, high]; values as numpy computes them."""
        low, high, q, first, last = self._cells()
        half = Fraction(1, 2)
        pairs = []
        for k in range(first, last + 1):
            cells = [((k - half) * q, (k + half) * q, float(k))]
            if k == 0:  # numpy rounds draws in (-q/2, 0) to -0.0
                cells = [(-half * q, Fraction(0), -0.0), (Fraction(0), half * q, 0.0)]
            for a, b, index in cells:
                width = min(high, b) - max(low, a)
                if width > 0:
                    value = index * self.q
                    pairs.append((int(value) if self.integer else value, width / (high - low)))
        return merge(pairs) if self.integer else pairs


class LogUniform(_Range):
    """exp(U(ln low, ln high)); floats. Bounds are values, not exponents."""

    kind: ClassVar[str] = "loguniform"
    log: ClassVar[bool] = True


class QLogUniform(_QRange):
    """round(exp(U(ln low, ln high)) / q) * q."""

    kind: ClassVar[str] = "qloguniform"
    log: ClassVar[bool] = True
    unquantized: ClassVar[type[Node] | None] = LogUniform


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
    unquantized: ClassVar[type[Node] | None] = Normal


class LogNormal(_Scale):
    """exp(N(mu, sigma))."""

    kind: ClassVar[str] = "lognormal"
    log: ClassVar[bool] = True


class QLogNormal(_QScale):
    """round(exp(N(mu, sigma)) / q) * q."""

    kind: ClassVar[str] = "qlognormal"
    log: ClassVar[bool] = True
    unquantized: ClassVar[type[Node] | None] = LogNormal


class Beta(_Shape):
    """Beta(a, b) on [0, 1]."""

    kind: ClassVar[str] = "beta"


class QBeta(_QShape):
    """round(Beta(a, b) / q) * q."""

    kind: ClassVar[str] = "qbeta"
    unquantized: ClassVar[type[Node] | None] = Beta


@dataclass(frozen=True)
class FiniteDiscrete(Node):
    """A finite distribution given by its exact pmf (e.g. a mapped hyperopt expression); `source` names it."""

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

    def support_size(self) -> int:
        return len(self.values)

    def _pmf(self) -> list[tuple[Plain, Fraction]]:
        return [(v, Fraction(p)) for v, p in zip(self.values, self.probabilities, strict=True)]

    def support(self) -> tuple[tuple[Plain, ...], tuple[float, ...]]:
        return self.values, self.probabilities


@dataclass(frozen=True)
class LogInteger(Node):
    """Ray's (q)lograndint: i = floor(exp(U(ln low, ln high))) over Ray's index range [low, high), value i·q.

    Values are ints; P(i) = ln((i+1)/i) / ln(high/low). `source` names the call it came from (e.g.
    "tune.lograndint(1, 1000)"); `approximate` records the caller's opt-in to a stand-in where a target
    cannot sample this rule exactly (W&B's engine beyond its values limit, or under bayes).
    """

    kind: ClassVar[str] = "log_integer"
    int_valued: ClassVar[bool] = True
    low: int = 1
    high: int = 2
    q: int = 1
    source: str = ""
    approximate: bool = False

    def __post_init__(self) -> None:
        _nums(self, ("low", "high", "q"), integer=True)
        _positive(self, "low")
        _positive(self, "q")
        _ordered(self)
        if not isinstance(self.source, str) or not isinstance(self.approximate, bool):
            raise SpecError("a log-integer's source is a string and approximate a bool.")
        if not self.source:
            name = "lograndint" if self.q == 1 else "qlograndint"
            args = (self.low, self.high) if self.q == 1 else (self.low * self.q, (self.high - 1) * self.q, self.q)
            _set(self, "source", f"tune.{name}({', '.join(map(str, args))})")

    @property
    def size(self) -> int:
        return self.high - self.low

    @property
    def feature(self) -> str:
        """The compat row of the Ray domain this draw is."""
        return "tune.lograndint" if self.q == 1 else "tune.qlograndint"

    def support_size(self) -> int:
        return self.size

    def probability(self, i: int) -> float:
        """P(index i) = ln((i+1)/i) / ln(high/low)."""
        return math.log1p(1 / i) / (math.log(self.high) - math.log(self.low))

    def _pmf(self) -> list[tuple[Plain, Fraction]]:
        return [(i * self.q, Fraction(self.probability(i))) for i in range(self.low, self.high)]


@dataclass(frozen=True)
class GridAxis(Node):
    """Every value is tried once per repetition (Ray's grid_search)."""

    kind: ClassVar[str] = "grid"
    values: tuple[Plain, ...] = ()

    def __post_init__(self) -> None:
        if not self.values:
            raise SpecError("a grid axis needs at least one value.")
        _set(self, "values", tuple(plain(v) for v in self.values))

    def support_size(self) -> int:
        return len(self.values)

    def _pmf(self) -> list[tuple[Plain, Fraction]]:
        return [(v, Fraction(1, len(self.values))) for v in self.values]


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

    def support_size(self) -> int | None:
        return product_size(self.children())

    def _pmf(self) -> list[tuple[Plain, Fraction]]:
        keys = [k for k, _ in self.fields]
        return [(dict(zip(keys, values, strict=True)), p) for values, p in product_pmf(self.children())]


@dataclass(frozen=True)
class Sequence(Node):
    """A list or tuple of nodes, at least one not constant."""

    kind: ClassVar[str] = "sequence"
    items: tuple[Node, ...] = ()

    def children(self) -> tuple[Node, ...]:
        return self.items

    def support_size(self) -> int | None:
        return product_size(self.items)

    def _pmf(self) -> list[tuple[Plain, Fraction]]:
        return [(list(values), p) for values, p in product_pmf(self.items)]


@dataclass(frozen=True)
class Unsupported(Node):
    """An expression the mirror front-ends could build but no target can express (e.g. `hp.uniform(...)
    * hp.uniform(...)`, `tune.sample_from(f)`): refused with its parameter path when the space is read."""

    kind: ClassVar[str] = "unsupported"
    feature: str | None = None
    """The compat row refusing it; None for malformed input (a SpecError)."""
    message: str = ""
    suggestion: str = ""

    def error(self, path: str) -> SpecError | UnsupportedFeatureError:
        if self.feature is None:
            return SpecError(self.message, path=path or None)
        return UnsupportedFeatureError(
            self.message, feature=self.feature, suggestion=self.suggestion, path=path or None
        )


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
        LogInteger,
        GridAxis,
        Mapping,
        Sequence,
        Unsupported,
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


def root_fields(node: Node) -> tuple[tuple[str, Node], ...]:
    """The named top-level parameters of a space: a dict's keys, or a bare expression's label."""
    if isinstance(node, Mapping):
        fields = node.fields
    elif isinstance(node, Constant) and isinstance(node.value, dict):
        fields = tuple((k, Constant(v)) for k, v in node.value.items())
    elif node.label is not None:
        fields = ((node.label, node),)
    else:
        raise SpecError(
            f"the space's top level is a {node.kind}; a sweep needs named parameters: pass a dict "
            "(or a single labelled hp expression)."
        )
    if not fields:
        raise SpecError("the space has no parameters; W&B needs at least one.")
    return fields
