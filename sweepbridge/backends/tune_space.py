"""IR → a Ray Tune param_space, as a `calls` tree (the run settings come from the searcher and scheduler homes).

Ray has no weighted choice, no int-valued quantized domains, no log-normal and no beta. Where a
W&B distribution is finite with probabilities that are multiples of 1/N, `tune.choice` over a
multiset (each value repeated in proportion) samples it exactly. Where no Tune domain samples W&B's
values, `tune.sample_from(lambda: ...)` draws them as W&B's engine does (Ray's basic variant
generator, its default search, calls it; other search algorithms cannot model it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import compat
from .. import distributions as d
from ..ray_rules import ONE_KEY_MARKERS, is_multiple
from .calls import Call, Source, dispatch, unsupported

MULTISET_LIMIT = 10_000
"""Largest list a weighted distribution may expand into for tune.choice."""

OPS: dict[type[d.Node], tuple[str, Callable[[Any], tuple]]] = {
    d.Uniform: ("tune.uniform", lambda n: (n.low, n.high)),
    d.QUniform: ("tune.quniform", lambda n: (n.low, n.high, n.q)),
    d.LogUniform: ("tune.loguniform", lambda n: (n.low, n.high)),
    # W&B's inv_log_uniform_values samples exp(-U(-ln max, -ln min)) = exp(U(ln min, ln max)).
    d.InvLogUniform: ("tune.loguniform", lambda n: (n.low, n.high)),
    d.QLogUniform: ("tune.qloguniform", lambda n: (n.low, n.high, n.q)),
    d.Normal: ("tune.randn", lambda n: (n.mu, n.sigma)),
    d.QNormal: ("tune.qrandn", lambda n: (n.mu, n.sigma, n.q)),
}
"""IR kind → (Ray Tune domain, its arguments). Ray requires a quantized bounded kind's bounds to be
multiples of q (else the draw below)."""

DRAWS: dict[type[d.Node], Callable[[Any], str]] = {
    d.Uniform: lambda n: f"random.uniform({n.low!r}, {n.high!r})",
    d.LogUniform: lambda n: f"math.exp(random.uniform(math.log({n.low!r}), math.log({n.high!r})))",
    d.Normal: lambda n: f"random.gauss({n.mu!r}, {n.sigma!r})",
    d.LogNormal: lambda n: f"random.lognormvariate({n.mu!r}, {n.sigma!r})",
    d.Beta: lambda n: f"random.betavariate({n.a!r}, {n.b!r})",
}
"""IR unquantized kind → Python source drawing it with the `random` module (the law W&B's engine samples);
a quantized kind draws its `unquantized` kind, then rounds."""
SAMPLED = frozenset({*DRAWS, *(cls for cls in d.BY_KIND.values() if cls.quantized and cls.unquantized in DRAWS)})
"""The kinds `sample_from` draws."""


def multiset(values: list, probabilities: tuple[float, ...] | list[float]) -> list | None:
    """`values` repeated in proportion to `probabilities`, or None (see `distributions.multiset`)."""
    return d.multiset(values, probabilities, MULTISET_LIMIT)


def sample_from(node: Any) -> Call:
    """`tune.sample_from(lambda: ...)` drawing W&B's values: round(x / q) * q, an int for an int q,
    else a float carrying numpy's sign of zero (W&B's np.round(-0.3) * q is -0.0)."""
    draw = DRAWS[node.unquantized or type(node)](node)
    if node.quantized:
        q = node.q
        if node.integer:
            draw = f"round({draw} / {q!r}) * {q!r}"
        else:
            draw = f"(lambda x: math.copysign(round(x / {q!r}), x) * {q!r})({draw})"
    return Call("tune.sample_from", (Source(f"lambda: {draw}", frozenset({"math", "random"})),))


def weighted_sample_from(values: list, probabilities: Any) -> Call:
    """`tune.sample_from` drawing `values` with `probabilities` (Ray has no weighted choice)."""
    code = f"lambda: random.choices({values!r}, weights={list(probabilities)!r})[0]"
    return Call("tune.sample_from", (Source(code, frozenset({"random"})),))


def quniform_pmf(node: d.QUniform) -> tuple[list, list[float]] | None:
    """W&B's q_uniform as a finite pmf (the IR's, -0.0 included), None beyond MULTISET_LIMIT values."""
    size = node.support_size()
    support = node.support() if size <= MULTISET_LIMIT else None
    return None if support is None else (list(support[0]), list(support[1]))


def _finite(values: list, probabilities: Any) -> Call:
    """tune.choice over a multiset when exact, else a weighted tune.sample_from."""
    items = multiset(values, probabilities)
    return Call("tune.choice", (items,)) if items is not None else weighted_sample_from(values, probabilities)


def _numeric(node: Any, path: str) -> Any:
    """Ray's own domain where it samples W&B's values; else W&B's pmf as a tune.choice multiset
    (q_uniform), else tune.sample_from."""
    if type(node) in OPS:
        name, args = OPS[type(node)]
        integer = node.quantized and node.integer
        bounded_q = node.quantized and node.family == "uniform"
        bounds_ok = not bounded_q or (is_multiple(node.low, node.q) and is_multiple(node.high, node.q))
        if not integer and bounds_ok:
            return Call(name, args(node))
    if isinstance(node, d.QUniform):
        pmf = quniform_pmf(node)
        if pmf is not None and multiset(*pmf) is not None:
            return _finite(*pmf)
    return sample_from(node)


def _choice(node: d.Choice, path: str) -> Call:
    if node.is_conditional:
        raise compat.refuse("reverse.tune.conditional")
    values = [o.value for o in node.options]  # type: ignore[attr-defined]
    if node.is_uniform:
        return Call("tune.choice", (values,))
    return _finite(values, node.probabilities)


def _log_integer(node: d.LogInteger, path: str) -> Call:
    """Ray's own (q)lograndint over the node's index range."""
    if node.q == 1:
        return Call("tune.lograndint", (node.low, node.high))
    return Call("tune.qlograndint", (node.low * node.q, (node.high - 1) * node.q, node.q))


def _marker(value: Any, path: str) -> str | None:
    """The path of a part of `value` Ray would read as a search-space marker ({"grid_search": ...})."""
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in ONE_KEY_MARKERS:
            return path
        items = ((f"{path}.{k}" if path else k, v) for k, v in value.items())
    elif isinstance(value, list):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    else:
        return None
    return next((found for sub, v in items if (found := _marker(v, sub)) is not None), None)


def _constant(node: d.Constant, path: str) -> Any:
    found = _marker(node.value, path)
    if found is not None:
        raise compat.refuse("reverse.tune.marker", path=found or None)
    return node.value


EMITTERS: dict[type[d.Node], Callable[[Any, str], Any]] = {
    d.Constant: _constant,
    d.Choice: _choice,
    d.IntUniform: lambda node, path: (
        Call("tune.randint", (node.low, node.high + 1))
        if node.step == 1
        else Call("tune.choice", (list(range(node.low, node.high + 1, node.step)),))
    ),
    d.GridAxis: lambda node, path: Call("tune.grid_search", (list(node.values),)),
    d.Sequence: lambda node, path: [emit(v, f"{path}[{i}]") for i, v in enumerate(node.items)],
    d.FiniteDiscrete: lambda node, path: _finite(list(node.values), node.probabilities),
    d.LogInteger: _log_integer,
    d.Mapping: lambda node, path: {k: emit(v, f"{path}.{k}" if path else k) for k, v in node.fields},
    d.Unsupported: unsupported,
    **{kind: _numeric for kind in {*OPS, *SAMPLED}},
}
"""IR kind → its Ray Tune calls: one entry per kind."""


def emit(node: d.Node, path: str = "") -> Any:
    """The Ray Tune `calls` tree for `node` at parameter `path`."""
    return dispatch(node, path, EMITTERS, {}, "Ray Tune")
