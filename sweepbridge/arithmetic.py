"""Exact arithmetic on IR nodes: what `1 + hp.randint(...)`, `hp.choice(...) / 256` or
`hp.uniform(...) * 2` samples, as one IR node, or a refusal.

Shared by the walker over real hyperopt pyll graphs (`add(Literal(1), int(hyperopt_param(...)))`)
and the mirror `hp` (whose nodes build the same expressions with Python's operators), so both
translate identically. Values are computed the way hyperopt computes them: a finite node's values
are mapped one by one with the Python operator (merging values that collide); a closed form
(bounds shifted or scaled) is used only where it samples the same distribution — for quantized
kinds only when its pmf equals the mapped one value for value, bit for bit.
"""

from __future__ import annotations

import dataclasses
import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

from . import compat
from . import distributions as d
from .errors import SpecError, SweepBridgeError
from .values import plain

OPS: dict[str, Callable[..., Any]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
    "floordiv": operator.floordiv,
    "pow": operator.pow,
    "neg": operator.neg,
    "int": int,
    "float": float,
    "getitem": operator.getitem,
}
"""pyll's operator names (what `Apply.__add__`, `Apply.__getitem__` etc. build, and `scope.int` / `scope.float`)
→ Python's."""

SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "floordiv": "//", "pow": "**"}

MAP_LIMIT = 10_000
"""Largest support mapped value by value (the W&B `values` list it becomes)."""

NUMERIC = frozenset(cls for cls in d.BY_KIND.values() if cls.family is not None)
"""The kinds that are one sampled number (a family's draw, maybe on a log scale, maybe quantized)."""
QUANTIZED = frozenset(cls for cls in NUMERIC if cls.quantized)


def _number(c: Any) -> bool:
    return isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c)


def _positive(c: Any) -> bool:
    return _number(c) and c > 0


def _shift(x: Any, pos: int, c: Any, op: str) -> d.Node | None:
    """x + c, c + x, x - c, c - x for the location kinds (uniform, normal, int_uniform, quniform)."""
    if not _number(c) or (isinstance(x, d.IntUniform) and not isinstance(c, int)):
        return None
    sign = -1 if (op == "sub" and pos == 1) else 1  # c - x = c + (-x)
    c = -c if (op == "sub" and pos == 0) else c
    if isinstance(x, d.Normal):
        return d.Normal(c + sign * x.mu, x.sigma)
    low, high = (x.low, x.high) if sign == 1 else (-x.high, -x.low)
    if isinstance(x, d.Uniform):
        return d.Uniform(low + c, high + c)
    if isinstance(x, d.IntUniform):
        return d.IntUniform(low + c, high + c, x.step)
    return dataclasses.replace(x, low=low + c, high=high + c)  # quniform: verified against the mapped pmf


def _scale(x: Any, pos: int, c: Any, op: str) -> d.Node | None:
    """x * c, c * x, x / c with c > 0 for the scale kinds."""
    if not _positive(c) or (op == "truediv" and pos == 1):
        return None
    if isinstance(x, d.IntUniform):
        if op != "mul" or not isinstance(c, int):
            return None
        return d.IntUniform(x.low * c, x.high * c, x.step * c)
    f = (lambda v: v * c) if op == "mul" else (lambda v: v / c)
    if isinstance(x, d.Normal):
        return d.Normal(f(x.mu), f(x.sigma))
    if isinstance(x, d.QUniform):
        return dataclasses.replace(x, low=f(x.low), high=f(x.high), q=f(x.q))
    return type(x)(f(x.low), f(x.high))  # uniform, loguniform


def _negate(x: Any, pos: int, c: Any, op: str) -> d.Node | None:
    return _shift(x, 1, 0, "sub")


def _float(x: Any, pos: int, c: Any, op: str) -> d.Node | None:
    """float() of a float-valued node is itself (hyperopt wraps every float operator in scope.float)."""
    if not (x.quantized and x.integer):
        return x
    return None


def _int(x: Any, pos: int, c: Any, op: str) -> d.Node | None:
    """int() of an int-valued node is itself; of a q kind with a whole q, the int-valued q kind (W&B's int q)."""
    if x.int_valued or x.integer:
        return x
    if float(x.q).is_integer():
        return dataclasses.replace(x, integer=True)
    return None


def _index(x: Any, pos: int, c: Any, op: str) -> d.Node | None:
    """x[c] of a choice is the choice of its options' items (`hp.choice(label, [(1, "a"), (2, "b")])[0]`
    samples 1 or 2 with the choice's probabilities; an option holding expressions keeps them)."""
    if pos != 0 or not isinstance(x, d.Choice):
        return None
    return d.Choice(tuple(_item(o, c, i) for i, o in enumerate(x.options)), x.probabilities)


def _item(option: d.Node, key: Any, i: int) -> d.Node:
    """option[key] for one option of an indexed choice (a SpecError where Python's [] would fail)."""
    try:
        if isinstance(option, d.Constant):
            return d.Constant(plain(option.value[key]))
        if isinstance(option, d.Sequence):
            return option.items[key]
        if isinstance(option, d.Mapping):
            return dict(option.fields)[key]
    except (TypeError, IndexError, KeyError) as exc:
        raise SpecError(f"option {i}[{key!r}]: {type(exc).__name__}: {exc}.") from None
    raise SpecError(f"option {i} is a {option.kind} distribution; [{key!r}] cannot index it.")


LOCATION = frozenset({d.Uniform, d.Normal, d.IntUniform, d.QUniform})
"""Kinds a constant shifts in closed form."""
SCALE = frozenset({d.Uniform, d.LogUniform, d.Normal, d.QUniform})
"""Kinds a positive constant multiplies or divides in closed form (and IntUniform times a positive int)."""

RULES: dict[str, tuple[frozenset[type[d.Node]], Callable[[Any, int, Any, str], d.Node | None]]] = {
    "add": (LOCATION, _shift),
    "sub": (LOCATION, _shift),
    "neg": (LOCATION, _negate),
    "mul": (SCALE | {d.IntUniform}, _scale),
    "truediv": (SCALE, _scale),
    "float": (NUMERIC, _float),
    "int": (QUANTIZED | {d.IntUniform}, _int),
    "getitem": (frozenset({d.Choice}), _index),
}
"""op → (IR kinds with a closed form, the rule giving it or None). Anything else: values mapped, or refused."""

VERIFY = frozenset({"add", "sub", "neg", "mul", "truediv"})
"""Ops whose closed form of a quantized kind is kept only when its pmf equals the mapped pmf bit for
bit (int() of a whole-q kind is exact by construction: int(k * q) = k * q)."""


def _describe(op: str, operands: Sequence[d.Node]) -> str:
    def one(o: d.Node) -> str:
        return repr(o.value) if isinstance(o, d.Constant) else f"{o.kind}"  # type: ignore[attr-defined]

    if op in SYMBOLS:
        return f"{one(operands[0])} {SYMBOLS[op]} {one(operands[1])}"
    if op == "getitem":
        return f"{one(operands[0])}[{one(operands[1])}]"
    return f"-{one(operands[0])}" if op == "neg" else f"{op}({one(operands[0])})"


def _same_pmf(a: list, b: list) -> bool:
    """Same values (bit for bit, same types) with the same probabilities."""
    ta, tb = ({d.value_key(v): float(p) for v, p in d.merge(pmf)} for pmf in (a, b))
    return ta.keys() == tb.keys() and all(math.isclose(ta[k], tb[k], rel_tol=1e-9, abs_tol=1e-15) for k in ta)


def _mapped(fn: Callable[..., Any], x: d.Node, pos: int, consts: list, what: str) -> d.Node:
    """A finite node's values mapped one by one, as hyperopt computes them."""

    def value(v: Any) -> Any:
        args = list(consts)
        args.insert(pos, v)
        try:
            return plain(fn(*args))
        except SweepBridgeError:
            raise
        except Exception as exc:  # noqa: BLE001 - Python's own arithmetic error, reported as such
            raise SpecError(f"{what}: {type(exc).__name__}: {exc}.") from None

    if isinstance(x, d.Choice) and not x.is_conditional:  # still a choice (grid enumerates it)
        options = tuple(d.Constant(value(o.value)) for o in x.options)  # type: ignore[attr-defined]
        return d.Choice(options, x.probabilities)
    size = x.support_size()
    if size is None:
        raise compat.refuse("hyperopt.expression", f"{what} has no exact W&B form.")
    if size > MAP_LIMIT:
        raise compat.refuse("hyperopt.expression", f"{what} maps {size:,} values one by one (limit {MAP_LIMIT:,}).")
    pairs = d.merge((value(v), p) for v, p in x._pmf())
    return d.FiniteDiscrete(tuple(v for v, _ in pairs), tuple(float(p) for _, p in pairs), source=what)


def apply(op: str, operands: Sequence[d.Node]) -> d.Node:
    """The IR node `op(*operands)` samples (operands are IR nodes, constants as Constant), or raise."""
    fn = OPS[op]
    sampled = [o for o in operands if not isinstance(o, d.Constant)]
    what = _describe(op, operands)
    if not sampled:
        try:
            return d.Constant(plain(fn(*(o.value for o in operands))))  # type: ignore[attr-defined]
        except SweepBridgeError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise SpecError(f"{what}: {type(exc).__name__}: {exc}.") from None
    if len(sampled) > 1:
        raise compat.refuse(
            "hyperopt.expression", f"{what} combines {len(sampled)} sampled values; W&B samples each on its own."
        )
    x = sampled[0]
    pos = next(i for i, o in enumerate(operands) if o is x)
    consts = [o.value for o in operands if o is not x]  # type: ignore[attr-defined]
    c = consts[0] if consts else None
    kinds, rule = RULES.get(op, (frozenset(), None))
    try:
        node = rule(x, pos, c, op) if rule is not None and type(x) in kinds else None
    except SpecError:  # the closed form is not a valid kind (e.g. bounds collapse in floats): map or refuse
        if op == "getitem":  # Python's [] itself fails on some option
            raise
        node = None
    if node is x or (node is not None and not (op in VERIFY and x.quantized)):  # identity or exact form
        return node.with_label(x.label)
    mapped = _mapped(fn, x, pos, consts, what)
    if node is not None and _same_pmf(node.pmf() or [], mapped.pmf() or []):
        return node.with_label(x.label)
    return mapped.with_label(x.label)
