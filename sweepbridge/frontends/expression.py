"""What the mirror `hp` returns: an IR node with its identity, and the operators of hyperopt's pyll graphs.

Real hyperopt builds a pyll `Apply` for every operator (`x + 1`, `scope.int(x)`, `x[0]`, `x > 0`, ...);
the walker over real graphs (`hyperopt_pyll`) translates or refuses each. An `Expression` builds the
same thing eagerly: the IR node the expression samples (`sweepbridge.arithmetic`, shared with the
walker), or a `d.Unsupported` refused with its parameter path when the space is translated. So a mirror
space builds wherever the real one builds and translates or refuses as the real one does.

Identity: hyperopt samples a labelled expression once per trial, so a space using one expression twice
(`{"a": x, "b": x + 1}`, or `c[0]` and `c[1]` of one choice `c`) is refused (`space.shared`), and two
expressions with one label are a SpecError. `origins` records, for each node an operator derived from
another expression, the node it derives from: the IR nodes stay plain values, never changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import arithmetic, compat
from .. import distributions as d
from ..errors import SweepBridgeError
from ..values import plain


@dataclass(frozen=True, eq=False)
class Expression:
    """An IR node as the mirror `hp` returns it (compared by identity, as pyll's `Apply`)."""

    node: d.Node
    origins: tuple[tuple[d.Node, d.Node], ...] = ()
    """(derived node, the node whose draw it is) for the nodes inside `node` that an operator derived."""

    @property
    def label(self) -> str | None:
        return self.node.label

    def sources(self) -> Callable[[d.Node], d.Node]:
        """node → the node whose draw it is, for the nodes inside this expression (itself unless derived)."""
        by_id = {id(derived): origin for derived, origin in self.origins}  # `origins` keeps the nodes alive
        return lambda node: by_id.get(id(node), node)

    @property
    def origin(self) -> d.Node:
        """The node whose draw this expression's value is."""
        return self.sources()(self.node)

    def __add__(self, other: Any) -> Expression:
        return apply("add", self, other)

    def __radd__(self, other: Any) -> Expression:
        return apply("add", other, self)

    def __sub__(self, other: Any) -> Expression:
        return apply("sub", self, other)

    def __rsub__(self, other: Any) -> Expression:
        return apply("sub", other, self)

    def __mul__(self, other: Any) -> Expression:
        return apply("mul", self, other)

    def __rmul__(self, other: Any) -> Expression:
        return apply("mul", other, self)

    def __truediv__(self, other: Any) -> Expression:
        return apply("truediv", self, other)

    def __rtruediv__(self, other: Any) -> Expression:
        return apply("truediv", other, self)

    def __floordiv__(self, other: Any) -> Expression:
        return apply("floordiv", self, other)

    def __rfloordiv__(self, other: Any) -> Expression:
        return apply("floordiv", other, self)

    def __pow__(self, other: Any) -> Expression:
        return apply("pow", self, other)

    def __rpow__(self, other: Any) -> Expression:
        return apply("pow", other, self)

    def __neg__(self) -> Expression:
        return apply("neg", self)

    def __getitem__(self, index: Any) -> Expression:
        return apply("getitem", self, index)

    __iter__ = None
    """Not iterable: pyll's `Apply` indexes forever when iterated; here `for`/unpacking is a TypeError."""

    # pyll builds these too (scope.gt, ..., scope.call); no target samples them: refused where translated.
    def __gt__(self, other: Any) -> Expression:
        return refused("gt")

    def __ge__(self, other: Any) -> Expression:
        return refused("ge")

    def __lt__(self, other: Any) -> Expression:
        return refused("lt")

    def __le__(self, other: Any) -> Expression:
        return refused("le")

    def __call__(self, *args: Any, **kwargs: Any) -> Expression:
        return refused("call")


def _unsupported(exc: SweepBridgeError) -> Expression:
    return Expression(d.Unsupported(getattr(exc, "feature", None), exc.message, getattr(exc, "suggestion", "")))


def refused(name: str) -> Expression:
    """The expression pyll's `scope.<name>` builds, which the walker refuses: refused the same way."""
    return _unsupported(compat.refuse("hyperopt.expression", f"Found scope.{name}(...)."))


def _node(operand: Any) -> d.Node:
    if isinstance(operand, Expression):
        return operand.node
    return operand if isinstance(operand, d.Node) else d.Constant(plain(operand))


def apply(op: str, *operands: Any) -> Expression:
    """`op(*operands)` over expressions and constants: the node it samples (derived from the first
    expression among the operands), or a `d.Unsupported` refused when the space is translated."""
    exprs = [o for o in operands if isinstance(o, Expression)]
    failed = next((e for e in exprs if isinstance(e.node, d.Unsupported)), None)
    if failed is not None:
        return failed
    try:
        nodes = [_node(o) for o in operands]
        node = arithmetic.apply(op, nodes)
    except SweepBridgeError as exc:
        return _unsupported(exc)
    origins = tuple(pair for e in exprs for pair in e.origins)
    return Expression(node, origins + ((node, exprs[0].origin),) if exprs else origins)
