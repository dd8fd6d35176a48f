"""Two-sample statistics for "does W&B's engine sample what the source library samples?".

Shared by `sweepbridge check`, the fidelity tests and benchmarks/why_exact.py. Discrete kinds are
compared by their full probability table (chi-square contingency test, sparse cells pooled) and
the values that carry mass; continuous kinds by the two-sample Kolmogorov-Smirnov test. Values are
compared as the program receives them (numpy scalars unwrapped, tuples as lists) and keyed
exactly (1, 1.0 and True are different values). scipy is imported only by the tests that need it.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .values import python_value

P_MIN = 1e-3
"""Reject equality of two distributions below this p-value."""
POOL_BELOW = 10
"""Cells with fewer draws (both samples together) are pooled into one 'rare' cell."""


def normalise(value: Any) -> Any:
    """A value as the program sees it: numpy scalars unwrapped, tuples as lists (recursively)."""
    value = python_value(value)
    if isinstance(value, (list, tuple)):
        return [normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    return value


def type_name(value: Any) -> str:
    """The Python type of `value`, recursively for containers (tuple ≡ list)."""
    if isinstance(value, (list, tuple)):
        return "list[" + ",".join(type_name(v) for v in value) + "]"
    if isinstance(value, dict):
        return "dict{" + ",".join(f"{k}:{type_name(v)}" for k, v in sorted(value.items())) + "}"
    return type(value).__name__


def key(value: Any) -> str:
    """A hashable, exact identity for a value (distinguishes 1, 1.0, True and -0.0 from 0.0)."""
    return json.dumps([type_name(value), value], sort_keys=True)


def type_counts(values: Iterable[Any]) -> Counter:
    return Counter(type_name(v) for v in values)


def table(values: Iterable[Any]) -> Counter:
    """The value table of a sample: exact value key → count."""
    return Counter(key(v) for v in values)


def absent_p(count: int, share: float, cells: int) -> float:
    """The p-value, corrected for `cells` tests, of `count` draws of one value all falling on one
    side when both samples come from one distribution.

    Given the value's `count` draws in the pooled sample, the number on the first side is
    Binomial(count, share) with share = n / (n + m) of the first side's size n; all on one side
    (either one: two-sided) has probability share^count + (1 - share)^count. Bonferroni over the
    `cells` values tested: a value expected about once at N (a wide integer range) is absent on one
    side by chance, one drawn log2(2 · cells / P_MIN) times or more on one equal-sized side is not.
    """
    one = share**count + (1 - share) ** count
    return min(1.0, cells * one)


def missing_heavy(mine: Sequence[Any] | Counter, other: Sequence[Any] | Counter, alpha: float = P_MIN) -> list[Any]:
    """Values of `mine` that never occur in `other` (samples or tables) although, were the two samples
    drawn from one distribution, so many draws of them all on `mine`'s side would be improbable:
    `absent_p` < `alpha`, corrected for every value either sample holds."""
    counts = mine if isinstance(mine, Counter) else table(mine)
    seen = other if isinstance(other, Counter) else table(other)
    n, m = sum(counts.values()), sum(seen.values())
    if not n or not m:
        return []
    cells = len(set(counts) | set(seen))
    share = n / (n + m)
    heavy = [k for k, c in counts.items() if k not in seen and absent_p(c, share, cells) < alpha]
    return [json.loads(k)[1] for k in sorted(heavy)]


def chi_square(a: Sequence[Any] | Counter, b: Sequence[Any] | Counter) -> tuple[float, int]:
    """(p-value, number of cells) of the chi-square test that `a` and `b` (samples or tables) share
    one probability table.

    Numbers are binned in value order: neighbouring values are merged until each bin holds at least
    POOL_BELOW draws of both samples together, so a wide integer range sampled sparsely is still
    compared over its whole range (a histogram test) rather than as one pooled cell. Other values:
    cells with fewer than POOL_BELOW draws are pooled into one cell. A single cell on both sides
    gives p = 1 (nothing beyond the support to test).
    """
    from scipy import stats

    src = a if isinstance(a, Counter) else table(a)
    eng = b if isinstance(b, Counter) else table(b)
    ordered = _in_value_order(set(src) | set(eng))
    table_rows = _value_bins(ordered, src, eng) if ordered is not None else _pooled(src, eng)
    if len(table_rows) < 2:
        return 1.0, len(table_rows)
    columns = [[row[0] for row in table_rows], [row[1] for row in table_rows]]
    return float(stats.chi2_contingency(columns).pvalue), len(table_rows)


def _in_value_order(cells: set[str]) -> list[str] | None:
    """The cells sorted by their value when every value is a number (not a bool), else None."""
    values = {cell: json.loads(cell)[1] for cell in cells}
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values.values()):
        return None
    return sorted(cells, key=lambda cell: (values[cell], cell))


def _value_bins(ordered: list[str], src: Counter, eng: Counter) -> list[list[int]]:
    """Rows of neighbouring cells merged until each holds POOL_BELOW draws (a short last bin joins the one before)."""
    rows, current = [], [0, 0]
    for cell in ordered:
        current = [current[0] + src[cell], current[1] + eng[cell]]
        if sum(current) >= POOL_BELOW:
            rows.append(current)
            current = [0, 0]
    if sum(current):
        if rows:
            rows[-1] = [rows[-1][0] + current[0], rows[-1][1] + current[1]]
        else:
            rows.append(current)
    return rows


def _pooled(src: Counter, eng: Counter) -> list[list[int]]:
    """Rows of the cells with POOL_BELOW draws or more, the others pooled into one row."""
    table_rows, rare = [], [0, 0]
    for cell in sorted(set(src) | set(eng)):
        row = [src[cell], eng[cell]]
        if sum(row) < POOL_BELOW:
            rare = [rare[0] + row[0], rare[1] + row[1]]
        else:
            table_rows.append(row)
    if sum(rare) >= POOL_BELOW or (sum(rare) and not table_rows):
        table_rows.append(rare)
    elif sum(rare):
        table_rows[-1] = [table_rows[-1][0] + rare[0], table_rows[-1][1] + rare[1]]
    return table_rows


def ks(a: Sequence[float], b: Sequence[float]) -> float:
    """Two-sample Kolmogorov-Smirnov p-value."""
    from scipy import stats

    return float(stats.ks_2samp(a, b).pvalue)


def total_variation(p: Mapping[Any, float], q: Mapping[Any, float]) -> float:
    """Total variation distance between two distributions given as counts or probabilities (each is normalised)."""
    n_p, n_q = sum(p.values()), sum(q.values())
    return 0.5 * sum(abs(p.get(k, 0) / n_p - q.get(k, 0) / n_q) for k in set(p) | set(q))


def sample_tv(a: Sequence[Any], b: Sequence[Any], continuous: bool = False, bins: int = 50) -> float:
    """Total variation between two samples: of their value tables, or (continuous) of their
    histograms over `bins` equal-count bins of the pooled sample."""
    if not continuous:
        return total_variation(table(a), table(b))
    import numpy as np

    pooled = np.sort(np.concatenate([np.asarray(a, float), np.asarray(b, float)]))
    edges = np.unique(np.quantile(pooled, np.linspace(0, 1, bins + 1)))
    if len(edges) < 2:
        return 0.0
    hist_a = np.histogram(np.clip(a, edges[0], edges[-1]), edges)[0]
    hist_b = np.histogram(np.clip(b, edges[0], edges[-1]), edges)[0]
    return total_variation(dict(enumerate(hist_a.tolist())), dict(enumerate(hist_b.tolist())))


def finite_floats(values: Iterable[Any]) -> bool:
    return all(isinstance(v, float) and math.isfinite(v) for v in values)
