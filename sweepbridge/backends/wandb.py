"""IR → the `parameters` section of a W&B sweep config, method-aware.

The mapping from IR kind to W&B construct is data (`NUMERIC`, `GRID_KINDS`); each emitter only
decides what the compat table says it must (refuse, or emit).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import compat
from .. import distributions as d
from ..errors import SpecError, SweepBridgeError
from ..wandb_kinds import METHODS, NUMERIC

NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
MAX_PRODUCT = 10_000
"""Largest categorical we build from the product of a sequence's items, or from the branch values
of a conditional choice (the size of the W&B `values` list)."""

GRID_KINDS: frozenset[type[d.Node]] = frozenset({d.Constant, d.Choice, d.GridAxis, d.Mapping, d.Sequence})
"""IR kinds method grid can enumerate (as `value` / `values`); all others are refused there."""
LOG_INTEGER_CAP = 1_000
"""Largest support of Ray's (q)lograndint emitted as values + exact probabilities: 1,000 values keep
the YAML small (~30 kB) and W&B's scalar sampling fast (lograndint(1, 1001) is the largest from 1)."""


@dataclass(frozen=True)
class Context:
    method: str
    path: str = ""

    def at(self, key: str) -> Context:
        return Context(self.method, f"{self.path}.{key}" if self.path else key)


def _numeric(node: d.Node, ctx: Context) -> dict[str, Any]:
    distribution, fields = NUMERIC[type(node)]
    out: dict[str, Any] = {"distribution": distribution}
    for key, attr in fields:
        value = getattr(node, attr)
        if key == "q":
            # W&B yields ints exactly when q is an int: the q type carries the value type.
            value = int(value) if node.integer else float(value)  # type: ignore[attr-defined]
        out[key] = value
    return out


def _categorical(values: list, probabilities: tuple[float, ...] | None, ctx: Context, key: str) -> dict:
    """`values`, or `values` + `probabilities` where the method allows it.

    Bayes cannot take probabilities: there a weighted table becomes equally likely `values`
    repeating each value in proportion (exact when every probability is a multiple of 1/N, N <=
    MAX_PRODUCT), else it is refused."""
    if probabilities is None or len(set(probabilities)) <= 1:
        return {"values": list(values)}
    if ctx.method == "bayes":
        repeated = d.multiset(list(values), probabilities, MAX_PRODUCT)
        if repeated is None:
            raise compat.refuse("wandb.bayes.probabilities", path=ctx.path)
        return {"values": repeated}
    if ctx.method == "grid":
        raise compat.refuse("wandb.grid.kind", "Grid ignores probabilities; W&B forbids them there.", path=ctx.path)
    return {"values": list(values), "probabilities": list(probabilities)}


CONDITIONAL_ROW = {True: "hyperopt.conditional", False: "tune.choice.nested"}
"""Whether the conditional choice is hyperopt's (labelled) → the compat row refusing it."""


def _infinite(node: d.Node, path: str) -> tuple[str, d.Node]:
    """The first part of `node` without a finite support (path, node): what makes a branch continuous."""
    return next((p, n) for p, n in d.walk(node, path) if n.support_size() is None and not n.children())


def _conditional(node: d.Choice, ctx: Context) -> dict:
    """A choice whose options hold expressions: one `values` list of whole branch values when
    every branch has a finite support (identical values merged, exact probabilities)."""
    size = node.support_size()
    if size is None:
        where, part = _infinite(node, ctx.path)
        raise compat.refuse(
            CONDITIONAL_ROW[node.label is not None], f"{where} is a {part.kind} distribution.", path=ctx.path
        )
    _check_log_integers(node, ctx.path)
    if size > MAX_PRODUCT:
        detail = f"Its branches hold {size:,} values (limit {MAX_PRODUCT:,})."
        raise compat.refuse("space.conditional.finite", detail, path=ctx.path)
    for where, part in d.walk(node, ctx.path):
        if isinstance(part, d.GridAxis):
            raise compat.refuse("tune.grid_search.nested", f"{where} is a grid axis inside a choice.", path=ctx.path)
        if ctx.method == "grid" and (type(part) not in GRID_KINDS or not getattr(part, "is_uniform", True)):
            detail = (
                f"{where} is a {part.kind} distribution{' with probabilities' if isinstance(part, d.Choice) else ''}."
            )
            raise compat.refuse("wandb.grid.kind", detail + " Grid enumerates only choices.", path=ctx.path)
    values, probabilities = node.support()  # type: ignore[misc]
    if ctx.method == "grid":  # every branch value once
        return {"values": list(values)}
    return _categorical(list(values), probabilities, ctx, "choice")


def _choice(node: d.Choice, ctx: Context) -> dict:
    if node.is_conditional:
        return _conditional(node, ctx)
    values, _ = node.support()  # type: ignore[misc]
    return _categorical(list(values), node.probabilities, ctx, "choice")


def _unsupported(node: d.Unsupported, ctx: Context) -> dict:
    raise node.error(ctx.path)


def _finite(node: d.FiniteDiscrete, ctx: Context) -> dict:
    return _categorical(list(node.values), node.probabilities, ctx, node.source)


def log_integer_refusal(node: d.LogInteger, method: str) -> str | None:
    """Why W&B's engine cannot sample Ray's log-integer `node` exactly under `method`; None when it can
    (values + exact probabilities)."""
    if node.size > LOG_INTEGER_CAP:
        return (
            f"{node.source}: its support has {node.size:,} values; values + exact probabilities are emitted "
            f"up to {LOG_INTEGER_CAP:,}."
        )
    if method == "bayes" and node.size > 1:
        return f"{node.source} needs probabilities, which method bayes cannot take."
    return None


def _approx_pmf(i: int, low: int, high: int) -> float:
    """P(index i) under the stand-in: round(exp(U(ln(low - 1/2), ln(high - 1/2))))."""
    return math.log((i + 0.5) / (i - 0.5)) / math.log((high - 0.5) / (low - 0.5))


def approximation_total_variation(low: int, high: int) -> float:
    """Exact total variation between Ray's log-integer pmf on [low, high) and the stand-in's.

    The ratio of the two pmfs is increasing in i, so they cross once: TV = P(i >= c) - P~(i >= c) at
    the first i = c where Ray's pmf exceeds the stand-in's (found by bisection; O(log n) for any size).
    """
    if high - low == 1:
        return 0.0
    exact = d.LogInteger(low, high).probability
    lo, hi = low, high - 1  # the last index always has exact >= approx (the ratio ends above 1)
    while lo < hi:
        mid = (lo + hi) // 2
        if exact(mid) > _approx_pmf(mid, low, high):
            hi = mid
        else:
            lo = mid + 1
    tail = math.log(high / lo) / math.log(high / low)
    approx_tail = math.log((high - 0.5) / (lo - 0.5)) / math.log((high - 0.5) / (low - 0.5))
    return max(0.0, tail - approx_tail)


def log_integer_approximation(node: d.LogInteger) -> str:
    """The stand-in's description with its exact total variation (SweepConfig.approximations)."""
    return f"{node.source}: total variation {approximation_total_variation(node.low, node.high):.3g}"


def _log_integer(node: d.LogInteger, ctx: Context) -> dict:
    """Values + exact probabilities where W&B's engine takes them; else refused, or the opt-in stand-in
    q_log_uniform_values over half-shifted index bounds (warned with its total variation)."""
    why = log_integer_refusal(node, ctx.method)
    if why is None:
        values, probabilities = node.support()  # type: ignore[misc]
        return _categorical(list(values), probabilities, ctx, node.source)
    if not node.approximate:
        raise compat.refuse(node.feature, why, path=ctx.path)
    low, high, q = (node.low - 0.5) * node.q, (node.high - 0.5) * node.q, node.q
    tv = approximation_total_variation(node.low, node.high)
    compat.warn(
        "tune.lograndint.approximate",
        f"{node.source} becomes q_log_uniform_values(min={low}, max={high}, q={q}): "
        f"round instead of floor; total variation from Ray's distribution {tv:.3g}.",
        path=ctx.path,
    )
    return _numeric(d.QLogUniform(low, high, q, integer=True), ctx)


def _check_log_integers(node: d.Node, path: str) -> None:
    """Refuse a part of `node` that is Ray's log-integer beyond LOG_INTEGER_CAP (enumerated whole)."""
    for where, part in d.walk(node, path):
        if isinstance(part, d.LogInteger) and part.size > LOG_INTEGER_CAP:
            raise compat.refuse(part.feature, log_integer_refusal(part, "random") or "", path=where)


def _int_uniform(node: d.IntUniform, ctx: Context) -> dict:
    if node.size == 1:  # e.g. hp.randint(label, 1): W&B needs min < max, a constant is exact
        return {"value": node.low}
    if node.step == 1:
        return {"distribution": "int_uniform", "min": node.low, "max": node.high}
    # Each multiple k of step owns [k - step/2, k + step/2): equal weight, int values.
    half = node.step / 2
    low, high = node.low - half, node.high + half
    return {
        "distribution": "q_uniform",
        "min": int(low) if float(low).is_integer() else low,
        "max": int(high) if float(high).is_integer() else high,
        "q": node.step,
    }


def _grid(node: d.GridAxis, ctx: Context) -> dict:
    if ctx.method != "grid":
        raise compat.refuse("wandb.random.grid", path=ctx.path)
    return {"values": list(node.values)}


def _sequence(node: d.Sequence, ctx: Context) -> dict:
    supports = []
    for i, item in enumerate(node.items):
        _check_log_integers(item, f"{ctx.path}[{i}]")
        support = item.support()
        if support is None or (ctx.method == "grid" and type(item) not in GRID_KINDS):
            raise compat.refuse(
                "space.sequence", f"Item {i} ({item.kind}) has no finite support W&B could enumerate.", path=ctx.path
            )
        if ctx.method != "grid" and isinstance(item, d.GridAxis):
            raise compat.refuse("wandb.random.grid", path=f"{ctx.path}[{i}]")
        supports.append(support)
    size = math.prod(len(values) for values, _ in supports)
    if size > MAX_PRODUCT:
        detail = f"Its items combine into {size:,} values (limit {MAX_PRODUCT:,})."
        raise compat.refuse("space.sequence", detail, path=ctx.path)
    values = [list(combo) for combo in itertools.product(*(v for v, _ in supports))]
    probabilities = tuple(math.prod(combo) for combo in itertools.product(*(p for _, p in supports)))
    return _categorical(values, probabilities, ctx, "sequence")


def _mapping(node: d.Mapping, ctx: Context) -> dict:
    return {"parameters": parameters(node.fields, ctx)}


EMITTERS: dict[type[d.Node], Callable[[Any, Context], dict]] = {
    d.Constant: lambda node, ctx: {"value": node.value},
    d.Choice: _choice,
    d.FiniteDiscrete: _finite,
    d.LogInteger: _log_integer,
    d.IntUniform: _int_uniform,
    d.GridAxis: _grid,
    d.Sequence: _sequence,
    d.Mapping: _mapping,
    d.Unsupported: _unsupported,
    **{kind: _numeric for kind in NUMERIC},
}
"""IR kind → its W&B spec (or a refusal naming the compat row): one entry per kind."""


def emit(node: d.Node, ctx: Context) -> dict:
    """One parameter's W&B spec."""
    if ctx.method == "grid" and type(node) not in GRID_KINDS:
        raise compat.refuse(
            "wandb.grid.kind", f"It is a {node.kind} distribution; grid enumerates only value/values.", path=ctx.path
        )
    emitter = EMITTERS.get(type(node))
    if emitter is None:
        raise SpecError(f"a {node.kind} node has no W&B translation.", path=ctx.path or None)
    try:
        return emitter(node, ctx)
    except SweepBridgeError as exc:
        raise exc.at(ctx.path) from None


def parameters(fields: tuple[tuple[str, d.Node], ...], ctx: Context) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for name, node in fields:
        sub = ctx.at(name)
        if not NAME_PATTERN.match(name):
            raise compat.refuse("space.name", f"Name {name!r} is outside W&B's pattern.", path=sub.path)
        out[name] = emit(node, sub)
    return out


def sweep_parameters(node: d.Node, method: str) -> dict[str, dict]:
    """The `parameters` section for space `node` under `method`."""
    if method not in METHODS:
        raise SpecError(f"method must be one of {', '.join(METHODS)}, got {method!r}.")
    return parameters(d.root_fields(node), Context(method))
