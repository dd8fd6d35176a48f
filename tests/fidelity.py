"""Two-sample comparison of a source library's draws with W&B's engine's draws.

Discrete kinds: the full probability table (chi-square contingency test, sparse cells pooled)
and the set of values that carry non-negligible mass. Continuous kinds: two-sample KS.
Python types always agree. JSON has no tuple, so a tuple on the source side equals a list.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

P_MIN = 1e-3
"""Reject equality of distributions below this p-value."""
POOL_BELOW = 10
"""Cells with fewer draws (both samples together) are pooled into one 'rare' cell."""
MASS = 1e-3
"""A value drawn at least this often (fraction of a sample) must occur in the other sample too."""


def normalise(value: Any) -> Any:
    """A source value as the program sees it: numpy scalars unwrapped, tuples as lists."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return value.item()
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


def compare_types(source: list, engine: list) -> None:
    src = Counter(type_name(v) for v in source)
    eng = Counter(type_name(v) for v in engine)
    assert set(src) == set(eng), f"Python types differ: source {dict(src)} vs W&B {dict(eng)}"


def compare_discrete(source: list, engine: list) -> float:
    """Chi-square p-value of the two probability tables; asserts supports and p > P_MIN."""
    from scipy import stats

    src = Counter(key(v) for v in source)
    eng = Counter(key(v) for v in engine)
    for mine, other, who in ((src, eng, "source"), (eng, src, "W&B")):
        heavy = {k for k, c in mine.items() if c >= MASS * sum(mine.values())}
        missing = sorted(heavy - set(other))
        assert not missing, f"values drawn often by {who} never drawn by the other: {missing[:10]}"
    cells = sorted(set(src) | set(eng))
    table, rare = [], [0, 0]
    for cell in cells:
        row = [src[cell], eng[cell]]
        if sum(row) < POOL_BELOW:
            rare[0] += row[0]
            rare[1] += row[1]
        else:
            table.append(row)
    if sum(rare) >= POOL_BELOW or (sum(rare) and not table):
        table.append(rare)
    elif sum(rare):
        table[-1] = [table[-1][0] + rare[0], table[-1][1] + rare[1]]
    if len(table) < 2:
        return 1.0  # a single value on both sides: nothing to test beyond the supports
    p = float(stats.chi2_contingency([[row[0] for row in table], [row[1] for row in table]]).pvalue)
    assert p > P_MIN, f"probability tables differ: chi-square p = {p:.3g} over {len(table)} cells"
    return p


def compare_continuous(source: list, engine: list) -> float:
    """Two-sample KS p-value; asserts p > P_MIN and finite numbers on both sides."""
    from scipy import stats

    assert all(isinstance(v, float) and math.isfinite(v) for v in source + engine)
    p = float(stats.ks_2samp(source, engine).pvalue)
    assert p > P_MIN, f"distributions differ: two-sample KS p = {p:.3g}"
    return p


def compare(source: list, engine: list, kind: str) -> float:
    """Types, then the distribution (kind: 'discrete' or 'continuous'); returns the p-value."""
    source = [normalise(v) for v in source]
    compare_types(source, engine)
    return compare_discrete(source, engine) if kind == "discrete" else compare_continuous(source, engine)


def hyperopt_expression(op: str, args: tuple):
    """Real `hyperopt.hp.<op>("x", *args)`; "int:<op>" is `scope.int(hp.<op>(...))` (whole q)."""
    from hyperopt import hp
    from hyperopt.pyll import scope

    if op.startswith("int:"):
        return scope.int(getattr(hp, op[4:])("x", *args))
    return getattr(hp, op)("x", *args)


def hyperopt_draws(op: str, args: tuple, seed: int, n: int) -> list:
    """n draws of `hyperopt_expression(op, args)` via hyperopt.pyll.stochastic.sample, seeded.

    Module-level so a worker process can run it while the test process samples W&B's engine.
    """
    import numpy as np
    from hyperopt.pyll import stochastic

    expr = hyperopt_expression(op, args)
    rng = np.random.default_rng(seed)
    return [stochastic.sample(expr, rng=rng) for _ in range(n)]


def engine_draws(cfg: dict, n: int, seed: int, name: str = "x") -> list:
    """n values of parameter `name` from W&B's engine on `cfg` (tests/engine.py `sample`)."""
    from engine import sample

    return [run[name] for run in sample(cfg, n, seed)]


def parallel_draws(pool, source_task: tuple, cfg: dict, n: int, seed: int) -> tuple[list, list]:
    """(source draws, W&B draws) computed on `pool`; W&B's slower side is split into two seeded halves."""
    source = pool.submit(*source_task)
    halves = [pool.submit(engine_draws, cfg, n // 2, seed), pool.submit(engine_draws, cfg, n - n // 2, seed + 1)]
    return source.result(), [v for half in halves for v in half.result()]
