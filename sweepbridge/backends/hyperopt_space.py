"""IR → a hyperopt space, as a `calls` tree (build it for real objects, render it for source).

Labels are the dotted parameter paths. The IR kind → `hp` operator mapping is the `OPS` table;
what hyperopt cannot express is refused through the compat table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import compat
from .. import distributions as d
from .calls import Call, Log, dispatch, unsupported

OPS: dict[type[d.Node], tuple[str, Callable[[Any], tuple]]] = {
    d.Uniform: ("uniform", lambda n: (n.low, n.high)),
    d.QUniform: ("quniform", lambda n: (n.low, n.high, n.q)),
    d.LogUniform: ("loguniform", lambda n: (Log(n.low), Log(n.high))),
    # W&B's inv_log_uniform_values samples exp(-U(-ln max, -ln min)) = exp(U(ln min, ln max)).
    d.InvLogUniform: ("loguniform", lambda n: (Log(n.low), Log(n.high))),
    d.QLogUniform: ("qloguniform", lambda n: (Log(n.low), Log(n.high), n.q)),
    d.Normal: ("normal", lambda n: (n.mu, n.sigma)),
    d.QNormal: ("qnormal", lambda n: (n.mu, n.sigma, n.q)),
    d.LogNormal: ("lognormal", lambda n: (n.mu, n.sigma)),
    d.QLogNormal: ("qlognormal", lambda n: (n.mu, n.sigma, n.q)),
}
"""IR kind → (hp operator, its arguments after the label). An `integer` node is wrapped in scope.int."""

REFUSED: dict[type[d.Node], str] = {
    d.Beta: "reverse.hyperopt.beta",
    d.QBeta: "reverse.hyperopt.beta",
    d.GridAxis: "reverse.hyperopt.grid",
}
"""IR kinds hyperopt cannot express → compat row."""


def constant(value: Any) -> Any:
    """A constant as hyperopt returns it unchanged: dicts stay dicts, lists are wrapped in Literal
    (a bare list would come back as a tuple)."""
    if isinstance(value, dict):
        return {k: constant(v) for k, v in value.items()}
    if isinstance(value, list):
        return Call("Literal", (value,))
    return value


def _numeric(node: Any, label: str) -> Call:
    op, args = OPS[type(node)]
    if node.quantized and node.integer:
        if isinstance(node, d.QUniform) and node.q == 1:
            return Call("hp.uniformint", (label, node.low, node.high))
        return Call("scope.int", (Call(f"hp.{op}", (label, *args(node))),))
    return Call(f"hp.{op}", (label, *args(node)))


def _choice(node: d.Choice, label: str) -> Call:
    # A conditional choice (a sweepbridge scheduler source read back) holds sub-spaces, labelled by branch.
    options = [emit(o, f"{label}[{i}]") for i, o in enumerate(node.options)]
    if node.probabilities is None:
        return Call("hp.choice", (label, options))
    return Call("hp.pchoice", (label, [(p, o) for p, o in zip(node.probabilities, options, strict=True)]))


def _int_uniform(node: d.IntUniform, label: str) -> Call:
    if node.step != 1:
        values = list(range(node.low, node.high + 1, node.step))
        return Call("hp.choice", (label, values))
    return Call("hp.randint", (label, node.low, node.high + 1))


def _log_integer(node: d.LogInteger, label: str) -> Call:
    """Ray's rule in hyperopt's terms: int() floors exp(U(ln low, ln high)) (positive), times q."""
    index = Call("scope.int", (Call("hp.loguniform", (label, Log(node.low), Log(node.high))),))
    return index if node.q == 1 else Call("scope.mul", (index, node.q))


EMITTERS: dict[type[d.Node], Callable[[Any, str], Any]] = {
    d.Constant: lambda node, label: constant(node.value),
    d.Choice: _choice,
    d.IntUniform: _int_uniform,
    d.Mapping: lambda node, label: {k: emit(v, f"{label}.{k}" if label else k) for k, v in node.fields},
    d.Sequence: lambda node, label: [emit(v, f"{label}[{i}]") for i, v in enumerate(node.items)],
    d.FiniteDiscrete: lambda node, label: Call(
        "hp.pchoice", (label, [(p, constant(v)) for p, v in zip(node.probabilities, node.values, strict=True)])
    ),  # fmt: skip
    d.LogInteger: _log_integer,
    d.Unsupported: unsupported,
    **{kind: _numeric for kind in OPS},
}
"""IR kind → its hyperopt calls; with REFUSED, one entry per kind."""


def emit(node: d.Node, path: str = "") -> Any:
    """The hyperopt `calls` tree for `node` at parameter `path` (its label)."""
    return dispatch(node, path, EMITTERS, REFUSED, "hyperopt")


def space(node: d.Node) -> Any:
    """The hyperopt `calls` tree for a whole space, after checking its labels are unique."""
    seen: set[str] = set()
    for path, child in d.walk(node):
        if not isinstance(child, (d.Mapping, d.Constant)):
            if path in seen:
                raise compat.refuse("reverse.hyperopt.labels", f"Label {path!r} would be used twice.", path=path)
            seen.add(path)
    return emit(node)
