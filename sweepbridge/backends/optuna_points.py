"""A searcher's `points_to_evaluate` → the generated study's enqueued trials (`study.enqueue_trial`).

A point is a (possibly partial) config as the run receives it; its enqueued params are the generated
`search_space`'s own draws that reproduce it (computed here, embedded in the file as data):
- a value drawn directly (uniform, log-uniform, integer ranges, quantized kinds, plain choices) is its
  own draw; a quantized value v must satisfy round(v / q) · q == v and lie in [low, high];
- a normal kind's draw is the uniform u = NormalDist(mu, sigma).cdf(x) (x = ln v for the log kinds), kept
  only when the inverse CDF gives back exactly v;
- a choice's draw is the chosen index (or, weighted, the lowest uniform that selects it); a conditional
  choice takes the first branch that reproduces the value, and only that branch's draws.
Every draw is checked by recomputing the value the generated code computes from it; anything that does
not reproduce the point exactly is a SpecError naming the point and parameter. Parameters a point
leaves out are sampled, as Ray's searchers do.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable
from statistics import NormalDist
from typing import Any

from .. import distributions as d
from ..errors import SpecError
from .optuna_source import EXPRESSIONS, _join, _simple_choices, _Writer

TINY = 2.0**-53
"""The generated `_uniform01` keeps u off 0 by this much."""


def _same(a: Any, b: Any) -> bool:
    """Equal with the same Python types all the way down (True is not 1, 1 is not 1.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


class _Points:
    """Walks the IR beside one point, collecting the draws (named as the generated source names them)."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.names = _Writer(keys)

    def walk(self, node: d.Node, value: Any, path: str, out: dict[str, Any]) -> None:
        rule = RULES.get(type(node))
        if rule is None:
            raise SpecError(f"a point cannot set a {node.kind} parameter under engine optuna.", path=path)
        rule(self, node, value, path, out)

    def constant(self, node: d.Constant, value: Any, path: str, out: dict[str, Any]) -> None:
        if not _same(value, node.value):
            raise SpecError(f"the point gives {value!r}; the space's constant is {node.value!r}.", path=path)

    def mapping(self, node: d.Mapping, value: Any, path: str, out: dict[str, Any]) -> None:
        if not isinstance(value, dict):
            raise SpecError(f"the point gives {type(value).__name__} {value!r} where the space has a dict.", path=path)
        fields = dict(node.fields)
        for key, item in value.items():
            if key not in fields:
                raise SpecError(f"the point names {key!r}, which the space does not have.", path=_join(path, str(key)))
            self.walk(fields[key], item, _join(path, key), out)

    def sequence(self, node: d.Sequence, value: Any, path: str, out: dict[str, Any]) -> None:
        if not isinstance(value, list) or len(value) != len(node.items):
            raise SpecError(f"the point gives {value!r} where the space has a list of {len(node.items)}.", path=path)
        for i, (item, v) in enumerate(zip(node.items, value, strict=True)):
            self.walk(item, v, f"{path}[{i}]", out)

    def index(self, path: str, n: int, probabilities: tuple[float, ...] | None, i: int) -> dict[str, Any]:
        """The draw for option i, as `_Writer.index` draws it."""
        if probabilities is None or len(set(probabilities)) <= 1:
            return {self.names.internal(path, "i"): i}
        cumulative = list(itertools.accumulate(probabilities))
        u = 0.0 if i == 0 else cumulative[i - 1]
        if probabilities[i] <= 0 or min(bisect.bisect_right(cumulative, u), n - 1) != i:
            raise SpecError(f"option {i} has probability 0.", path=path)
        return {self.names.internal(path, "u"): u}

    def choice(self, node: d.Choice, value: Any, path: str, out: dict[str, Any]) -> None:
        if not node.is_conditional:
            values = [o.value for o in node.options]  # type: ignore[attr-defined]
            i = next((i for i, v in enumerate(values) if _same(v, value)), None)
            if i is None:
                raise SpecError(f"the point gives {value!r}, not one of {values!r}.", path=path)
            if node.is_uniform and _simple_choices(tuple(values)):
                out[path] = value
            else:
                out.update(self.index(path, len(values), node.probabilities, i))
            return
        for i, option in enumerate(node.options):
            branch: dict[str, Any] = {}
            try:
                self.walk(option, value, f"{path}[{i}]", branch)
                out.update(self.index(path, len(node.options), node.probabilities, i))
            except SpecError:
                continue
            out.update(branch)
            return
        raise SpecError(f"the point gives {value!r}, which none of the {len(node.options)} branches gives.", path=path)

    def finite(self, node: d.FiniteDiscrete, value: Any, path: str, out: dict[str, Any]) -> None:
        i = next((i for i, v in enumerate(node.values) if _same(v, value)), None)
        if i is None or node.probabilities[i] <= 0:
            raise SpecError(f"the point gives {value!r}, outside the parameter's values.", path=path)
        out.update(self.index(path, len(node.values), node.probabilities, i))

    def log_integer(self, node: d.LogInteger, value: Any, path: str, out: dict[str, Any]) -> None:
        """`_log_int` floors a log-uniform draw: the index itself is a draw that gives it back."""
        if type(value) is not int or value % node.q or not node.low <= value // node.q < node.high:
            raise SpecError(f"the point gives {value!r}, outside the parameter's values.", path=path)
        draw = float(value // node.q)
        check(min(math.floor(draw), node.high - 1) * node.q, value, path)
        out[self.names.log_name(node, path)] = draw

    def int_uniform(self, node: d.IntUniform, value: Any, path: str, out: dict[str, Any]) -> None:
        if type(value) is not int or not node.low <= value <= node.high or (value - node.low) % node.step:
            raise SpecError(f"the point gives {value!r}, outside the parameter's integers.", path=path)
        out[path] = value

    def numeric(self, node: Any, value: Any, path: str, out: dict[str, Any]) -> None:
        integer = node.quantized and node.integer
        if type(value) is not (int if integer else float):
            kind = "an int" if integer else "a float"
            raise SpecError(f"the point gives {value!r}; the parameter is {kind}.", path=path)
        x = float(value)
        if node.quantized:
            check(_finish(node, x), value, path)
        if node.family == "normal":
            if node.log:
                if x <= 0:
                    raise SpecError(f"the point gives {value!r}; a log-normal value is > 0.", path=path)
                x = math.log(x)
            u = NormalDist(node.mu, node.sigma).cdf(x)
            y = NormalDist(node.mu, node.sigma).inv_cdf(max(u, TINY))
            hint = f"give a value the inverse CDF gives back (e.g. mu={node.mu!r}) or leave the parameter out"
            check(_finish(node, math.exp(y) if node.log else y), value, path, hint)
            out[self.names.internal(path, "u")] = u
            return
        if not node.low <= x <= node.high:
            raise SpecError(f"the point gives {value!r}, outside [{node.low}, {node.high}].", path=path)
        out[path] = x


def _finish(node: Any, x: float) -> Any:
    """The generated code's last steps: quantize (half to even), then int for the integer kinds."""
    if not node.quantized:
        return x
    y = round(x / node.q, 0) * node.q
    return int(y) if node.integer else y


def check(got: Any, value: Any, path: str, hint: str = "leave the parameter out (it is then sampled)") -> None:
    """SpecError unless the generated code, fed the draw, gives back exactly `value`."""
    if not _same(got, value):
        raise SpecError(
            f"the point gives {value!r}, which the generated space cannot reproduce exactly (its draw gives "
            f"{got!r}); {hint}.",
            path=path,
        )


RULES: dict[type[d.Node], Callable[..., None]] = {
    d.Constant: _Points.constant,
    d.Mapping: _Points.mapping,
    d.Sequence: _Points.sequence,
    d.Choice: _Points.choice,
    d.FiniteDiscrete: _Points.finite,
    d.LogInteger: _Points.log_integer,
    d.IntUniform: _Points.int_uniform,
    **{kind: _Points.numeric for kind, draw in EXPRESSIONS.items() if draw is _Writer.numeric},
}
"""IR kind → how a point's value becomes its draws: every kind the generated source draws with
`_Writer.numeric`, and the structural kinds. A kind without a rule (grid axes, which take no points;
kinds the source refuses) is a SpecError naming it."""


def enqueued(fields: tuple[tuple[str, d.Node], ...], points: Any, where: str) -> list[dict[str, Any]]:
    """The `enqueue_trial` params for each point, in order (SpecError naming the point and parameter)."""
    if not isinstance(points, (list, tuple)):
        raise SpecError(f"points_to_evaluate must be a list of dicts, got {type(points).__name__}.", path=where)
    walker = _Points(tuple(key for key, _ in fields))
    out = []
    for n, point in enumerate(points):
        params: dict[str, Any] = {}
        try:
            walker.walk(d.Mapping(fields), point, "", params)
        except SpecError as exc:
            raise SpecError(exc.message, path=f"{where}[{n}]" + (f".{exc.path}" if exc.path else "")) from None
        out.append(params)
    return out
