"""Two-sample comparison of a source library's draws with W&B's engine's draws.

Discrete kinds: the full probability table (chi-square contingency test, sparse cells pooled)
and the set of values that carry non-negligible mass. Continuous kinds: two-sample KS.
Python types always agree. JSON has no tuple, so a tuple on the source side equals a list.
The statistics are sweepbridge.stats (also used by `sweepbridge check`); these wrappers assert.
"""

from __future__ import annotations

import math

from sweepbridge.check import hyperopt_samples
from sweepbridge.stats import P_MIN, chi_square, ks, missing_heavy, normalise, type_counts


def compare_types(source: list, engine: list) -> None:
    src, eng = type_counts(source), type_counts(engine)
    assert set(src) == set(eng), f"Python types differ: source {dict(src)} vs W&B {dict(eng)}"


def compare_discrete(source: list, engine: list) -> float:
    """Chi-square p-value of the two probability tables; asserts supports and p > P_MIN."""
    for mine, other, who in ((source, engine, "source"), (engine, source, "W&B")):
        missing = missing_heavy(mine, other)
        assert not missing, f"values drawn often by {who} never drawn by the other: {missing[:10]}"
    p, cells = chi_square(source, engine)
    assert p > P_MIN, f"probability tables differ: chi-square p = {p:.3g} over {cells} cells"
    return p


def compare_continuous(source: list, engine: list) -> float:
    """Two-sample KS p-value; asserts p > P_MIN and finite numbers on both sides."""
    assert all(isinstance(v, float) and math.isfinite(v) for v in source + engine)
    p = ks(source, engine)
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
    """n draws of `hyperopt_expression(op, args)` by hyperopt's sampler, seeded.

    Module-level so a worker process can run it while the test process samples W&B's engine.
    """
    import numpy as np

    return hyperopt_samples(hyperopt_expression(op, args), n, np.random.default_rng(seed))


def indexed_choice(hp: object, p_options: list) -> object:
    """`hp.pchoice("x", p_options)` for the real `hp` or the mirror; a ("randint", low, high) tuple inside an
    option becomes hp.randint("x_<i>", low, high) (an expression inside the option)."""

    def build(option: object, i: int) -> object:
        if isinstance(option, tuple) and option[:1] == ("randint",):
            return hp.randint(f"x_{i}", *option[1:])  # type: ignore[attr-defined]
        return tuple(build(o, i) for o in option) if isinstance(option, tuple) else option

    return hp.pchoice("x", [(p, build(o, i)) for i, (p, o) in enumerate(p_options)])  # type: ignore[attr-defined]


def hyperopt_indexed_draws(p_options: list, index: object, seed: int, n: int) -> list:
    """n draws of real `indexed_choice(hp, p_options)[index]` (pyll's getitem), seeded."""
    import numpy as np
    from hyperopt import hp

    return hyperopt_samples(indexed_choice(hp, p_options)[index], n, np.random.default_rng(seed))


def engine_draws(cfg: dict, n: int, seed: int, name: str = "x") -> list:
    """n values of parameter `name` from W&B's engine on `cfg` (tests/engine.py `sample`)."""
    from engine import sample

    return [run[name] for run in sample(cfg, n, seed)]


def parallel_draws(pool, source_task: tuple, cfg: dict, n: int, seed: int) -> tuple[list, list]:
    """(source draws, W&B draws) computed on `pool`; W&B's slower side is split into two seeded halves."""
    source = pool.submit(*source_task)
    halves = [pool.submit(engine_draws, cfg, n // 2, seed), pool.submit(engine_draws, cfg, n - n // 2, seed + 1)]
    return source.result(), [v for half in halves for v in half.result()]
