"""IR → a Ray Tune param_space, as a `calls` tree, plus Ray's run-setting equivalents.

Ray has no weighted choice, no int-valued quantized domains, no log-normal and no beta. Where a
W&B distribution is finite with probabilities that are multiples of 1/N, `tune.choice` over a
multiset (each value repeated in proportion) samples it exactly; everything else Ray cannot
express is refused through the compat table.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from .. import compat
from .. import distributions as d
from ..errors import SpecError
from ..frontends.ray_ops import is_multiple
from ..frontends.structure import ONE_KEY_MAPPINGS
from .calls import Call, dispatch

MULTISET_LIMIT = 10_000
"""Largest list a weighted distribution may expand into for tune.choice."""

OPS: dict[str, tuple[str, Callable[[Any], tuple]]] = {
    "uniform": ("tune.uniform", lambda n: (n.low, n.high)),
    "quniform": ("tune.quniform", lambda n: (n.low, n.high, n.q)),
    "loguniform": ("tune.loguniform", lambda n: (n.low, n.high)),
    # W&B's inv_log_uniform_values samples exp(-U(-ln max, -ln min)) = exp(U(ln min, ln max)).
    "invloguniform": ("tune.loguniform", lambda n: (n.low, n.high)),
    "qloguniform": ("tune.qloguniform", lambda n: (n.low, n.high, n.q)),
    "normal": ("tune.randn", lambda n: (n.mu, n.sigma)),
    "qnormal": ("tune.qrandn", lambda n: (n.mu, n.sigma, n.q)),
}
"""IR kind → (Ray Tune domain, its arguments)."""

BOUNDED_Q = frozenset({"quniform", "qloguniform"})
"""Quantized kinds whose bounds Ray requires to be multiples of q."""
REFUSED = {k: "reverse.tune.no_domain" for k in ("lognormal", "qlognormal", "beta", "qbeta")}
"""IR kinds Ray Tune has no domain for → compat row."""
ROW_FOR_KIND = {"quniform": "reverse.tune.q_uniform", "qloguniform": "reverse.tune.q_log_uniform_values"}


def multiset(values: list, probabilities: tuple[float, ...] | list[float]) -> list | None:
    """`values` repeated in proportion to `probabilities` (zeros dropped), or None when some
    probability is not a multiple of 1/N within 1e-12 for an N ≤ MULTISET_LIMIT."""
    fractions = [Fraction(p).limit_denominator(MULTISET_LIMIT) for p in probabilities]
    if any(abs(float(f) - p) > 1e-12 for f, p in zip(fractions, probabilities, strict=True)) or sum(fractions) != 1:
        return None
    n = math.lcm(*(f.denominator for f in fractions))
    if n > MULTISET_LIMIT:
        return None
    return [v for v, f in zip(values, fractions, strict=True) for _ in range(int(f * n))]


def quniform_pmf(node: d.QUniform) -> tuple[list, list[float]] | None:
    """W&B's q_uniform as a finite pmf: round(U(low, high) / q) * q (None if too many values)."""
    low, high, q = Fraction(node.low), Fraction(node.high), Fraction(node.q)
    first, last = math.floor(low / q + Fraction(1, 2)), math.ceil(high / q - Fraction(1, 2))
    if last - first + 1 > MULTISET_LIMIT:
        return None
    values, probabilities = [], []
    for k in range(first, last + 1):
        width = min(high, (k + Fraction(1, 2)) * q) - max(low, (k - Fraction(1, 2)) * q)
        if width > 0:
            values.append(k * node.q if node.integer else float(k) * node.q)
            probabilities.append(float(width / (high - low)))
    return values, probabilities


def _finite(values: list, probabilities: Any, row: str) -> Call:
    items = multiset(values, probabilities)
    if items is None:
        raise compat.refuse(row, f"Its probabilities {[round(p, 6) for p in probabilities]} are not multiples of 1/N.")
    return Call("tune.choice", (items,))


def _numeric(node: Any, path: str) -> Any:
    name, args = OPS[node.kind]
    integer = getattr(node, "integer", False)
    bounds_ok = node.kind not in BOUNDED_Q or (is_multiple(node.low, node.q) and is_multiple(node.high, node.q))
    if not integer and bounds_ok:
        return Call(name, args(node))
    if node.kind == "quniform":
        pmf = quniform_pmf(node)
        if pmf is not None:
            return _finite(*pmf, ROW_FOR_KIND["quniform"])
        raise compat.refuse(ROW_FOR_KIND["quniform"], "Its pmf has too many values.")
    if integer:
        raise compat.refuse("reverse.tune.int_q", f"{node.kind} with the int q {node.q}.")
    raise compat.refuse(
        ROW_FOR_KIND[node.kind], f"Bounds {node.low!r}, {node.high!r} are not multiples of q={node.q!r}."
    )


def _choice(node: d.Choice, path: str) -> Call:
    if node.is_conditional:
        raise compat.refuse("reverse.tune.conditional")
    values = [o.value for o in node.options]  # type: ignore[attr-defined]
    if node.is_uniform:
        return Call("tune.choice", (values,))
    return _finite(values, node.probabilities, "reverse.tune.probabilities")


def _log_int(node: d.FiniteDiscrete) -> Call | None:
    """Ray's own (q)lograndint for the pmf it came from (a sweepbridge scheduler source read back)."""
    low, high, q = (getattr(node, a, None) for a in ("index_low", "index_high", "q"))
    if low is None:
        return None
    if q == 1:
        return Call("tune.lograndint", (low, high))
    return Call("tune.qlograndint", (low * q, (high - 1) * q, q))


def _marker(value: Any, path: str) -> str | None:
    """The path of a part of `value` Ray would read as a search-space marker ({"grid_search": ...})."""
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in ONE_KEY_MAPPINGS:
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


EMITTERS: dict[str, Callable[[Any, str], Any]] = {
    "constant": _constant,
    "choice": _choice,
    "int_uniform": lambda node, path: (
        Call("tune.randint", (node.low, node.high + 1))
        if node.step == 1
        else Call("tune.choice", (list(range(node.low, node.high + 1, node.step)),))
    ),
    "grid": lambda node, path: Call("tune.grid_search", (list(node.values),)),
    "sequence": lambda node, path: [emit(v, f"{path}[{i}]") for i, v in enumerate(node.items)],
    "finite": lambda node, path: (
        _log_int(node) or _finite(list(node.values), node.probabilities, "reverse.tune.probabilities")
    ),
    "mapping": lambda node, path: {k: emit(v, f"{path}.{k}" if path else k) for k, v in node.fields},
    **{kind: _numeric for kind in OPS},
}


def emit(node: d.Node, path: str = "") -> Any:
    """The Ray Tune `calls` tree for `node` at parameter `path`."""
    return dispatch(node, path, EMITTERS, REFUSED, "Ray Tune")


def hyperband_bands(et: dict[str, Any]) -> list[int]:
    """The bands W&B's engine stops runs at (sweeps.hyperband_stopping), first 100 for min_iter."""
    eta = et.get("eta", 3)
    if "max_iter" in et:
        bands, band = [], et["max_iter"]
        for _ in range(int(et["s"])):
            band /= eta
            if band < 1:
                break
            bands.append(int(band))
        return sorted(bands)
    if "min_iter" in et:
        return [int(et["min_iter"] * eta**k) for k in range(100) if et["min_iter"] * eta**k < 2**53]
    raise SpecError("early_terminate hyperband needs max_iter and s, or min_iter.", path="early_terminate")


def scheduler(et: dict[str, Any] | None, metric: str | None, mode: str | None) -> Call | None:
    """W&B's early_terminate → Ray's ASHA scheduler (warned: equivalent, not identical)."""
    if et is None:
        return None
    if et.get("type") != "hyperband":
        raise SpecError(
            f"unknown early_terminate type {et.get('type')!r}; W&B knows hyperband.", path="early_terminate"
        )
    bands = hyperband_bands(et)
    if not bands:
        raise SpecError("these hyperband settings give W&B no band to stop runs at.", path="early_terminate")
    kwargs = {
        "time_attr": "training_iteration",
        "metric": metric,
        "mode": mode,
        "grace_period": bands[0],
        "reduction_factor": et.get("eta", 3),
        "max_t": max(bands[-1], bands[0] + 1),
        "brackets": 1,
    }
    compat.warn("reverse.tune.hyperband", path="early_terminate")
    return Call("AsyncHyperBandScheduler", kwargs=tuple(kwargs.items()))
