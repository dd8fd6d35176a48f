"""Fidelity: real hyperopt's draws vs W&B's engine's draws on our config, for every hp operator.

20,000 draws per side with fixed seeds. Discrete and quantized kinds compare full probability
tables (chi-square, sparse cells pooled) and supports; continuous kinds a two-sample KS test.
Python types agree (tuple ≡ list: JSON, which W&B uses, has no tuple).
"""

from __future__ import annotations

import multiprocessing
import zlib
from concurrent.futures import ProcessPoolExecutor

import pytest
from engine import sample
from fidelity import (
    compare,
    hyperopt_draws,
    hyperopt_expression,
    hyperopt_indexed_draws,
    indexed_choice,
    parallel_draws,
)

from sweepbridge import to_sweep
from sweepbridge.check import hyperopt_samples
from sweepbridge.hyperopt import hp as mirror

hyperopt = pytest.importorskip("hyperopt")
np = pytest.importorskip("numpy")
from hyperopt import hp  # noqa: E402

pytestmark = pytest.mark.slow  # oracle sampling: 20,000 draws per side

N = 20_000
D, C = "discrete", "continuous"

CASES = [
    ("choice", ("relu", "tanh", "elu"), D),
    ("choice", ([1, 2.5, "a", None, True, (1, 2), {"k": [1]}],), D),
    ("choice", ([0, 1],), D),
    ("pchoice", ([(0.1, "a"), (0.2, "b"), (0.7, "c")],), D),
    ("pchoice", ([(0.5, 0), (0.25, 1.5), (0.125, (1, "x")), (0.125, None)],), D),
    ("randint", (7,), D),
    ("randint", (1,), D),
    ("randint", (-5, 3), D),
    ("randint", (10, 12), D),
    ("uniform", (-3.5, 2), C),
    ("uniform", (0, 1e-3), C),
    ("quniform", (-3, 3, 0.5), D),
    ("quniform", (0, 1, 0.1), D),
    ("quniform", (-2, 10, 1), D),
    ("quniform", (0.3, 10, 3), D),
    ("uniformint", (0, 2), D),
    ("uniformint", (-3, 1), D),
    ("uniformint", (0, 1), D),
    ("uniformint", (-100, 100), D),
    ("loguniform", (-5, 0), C),
    ("loguniform", (0, 3), C),
    ("qloguniform", (0, 3, 1), D),
    ("qloguniform", (-3, 0, 0.1), D),
    ("normal", (0, 1), C),
    ("normal", (-10, 0.5), C),
    ("qnormal", (0, 1, 0.5), D),
    ("qnormal", (-5, 3, 1), D),
    ("lognormal", (0, 1), C),
    ("lognormal", (-2, 0.5), C),
    ("qlognormal", (0, 1, 0.1), D),
    ("qlognormal", (1, 0.5, 1), D),
    # scope.int over a q operator with a whole q: what reverse translation emits for W&B's int q.
    ("int:quniform", (0, 10, 2), D),
    ("int:quniform", (-7, 8, 3), D),
    ("int:qloguniform", (0, 4, 5), D),
    ("int:qnormal", (0, 4, 2), D),
]


@pytest.fixture(scope="module")
def worker():
    """Processes drawing from hyperopt and W&B's engine side by side (the engine is the slow side)."""
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool


def _fix_choice(op: str, args: tuple) -> tuple:
    """hp.choice takes one list; the first case lists its options inline for readability."""
    return (list(args),) if op == "choice" and not isinstance(args[0], list) else args


def _case_id(case: tuple) -> str:
    op, args, _ = case
    return f"{op}{args!r}".replace(" ", "")


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_wandb_samples_what_hyperopt_samples(case, worker):
    op, args, kind = case
    args = _fix_choice(op, args)
    seed = zlib.crc32(_case_id(case).encode())
    cfg = to_sweep({"x": hyperopt_expression(op, args)})
    if not op.startswith("int:"):  # the mirror has the hp operators, not pyll's scope.int
        assert cfg == to_sweep({"x": getattr(mirror, op)("x", *args)}), "mirror and real hyperopt disagree"

    source, engine = parallel_draws(worker, (hyperopt_draws, op, args, seed, N), dict(cfg), N, seed)
    assert len(source) == len(engine) == N
    p = compare(source, engine, kind)
    print(f"{_case_id(case)}: {cfg['parameters']['x']} p={p:.3g}")


def test_uniformint_end_points_keep_half_weight():
    """The exact pmf, not only agreement: W&B's int q=1 gives 0, 1, 2 with 1/4, 1/2, 1/4."""
    from scipy import stats

    cfg = to_sweep({"x": hp.uniformint("x", 0, 2)})
    draws = [run["x"] for run in sample(cfg, N, 7)]
    assert {type(v) for v in draws} == {int}
    counts = [draws.count(v) for v in (0, 1, 2)]
    assert sum(counts) == N
    assert stats.chisquare(counts, [N / 4, N / 2, N / 4]).pvalue > 1e-3


# Known-wrong translations: the comparison must reject each (the tests above can fail).
WRONG = [
    ("uniformint", (0, 3), {"distribution": "int_uniform", "min": 0, "max": 3}, D, "probability tables differ"),
    ("quniform", (0, 4, 1), {"distribution": "q_uniform", "min": 0, "max": 4, "q": 1}, D, "types differ"),
    ("loguniform", (0, 3), {"distribution": "uniform", "min": 1.0, "max": 20.085536923187668}, C, "KS"),
    ("randint", (5,), {"distribution": "int_uniform", "min": 0, "max": 5}, D, "never drawn"),
    ("normal", (0, 1), {"distribution": "normal", "mu": 0, "sigma": 1.1}, C, "KS"),
    ("choice", ([(1, 2), 3],), {"values": [[1, 2], 3.0]}, D, "types differ"),
]


@pytest.mark.parametrize("op,args,spec,kind,why", WRONG, ids=[w[0] for w in WRONG])
def test_comparison_rejects_wrong_translations(op, args, spec, kind, why):
    expr = getattr(hp, op)("x", *args)
    source = hyperopt_samples(expr, 5_000, np.random.default_rng(1))
    engine = [run["x"] for run in sample({"method": "random", "parameters": {"x": spec}}, 5_000, 1)]
    with pytest.raises(AssertionError, match=why):
        compare(source, engine, kind)


INDEXED = [
    ([(0.5, ("euclidean", 2)), (0.2, ("manhattan", 1)), (0.3, ("cosine", None))], 0),
    ([(0.5, ("euclidean", 2)), (0.2, ("manhattan", 1)), (0.3, ("cosine", None))], 1),
    ([(0.25, {"w": 1, "h": [2]}), (0.75, {"w": 4, "h": [5, 6]})], "h"),
    ([(0.6, ("l2", 2)), (0.4, ("minkowski", ("randint", 3, 6)))], 1),
]


@pytest.mark.parametrize("p_options, index", INDEXED, ids=[f"{i}:{c[1]!r}" for i, c in enumerate(INDEXED)])
def test_one_index_of_a_choice_samples_what_hyperopt_samples(p_options, index, worker):
    """`hp.pchoice(...)[i]` (pyll's getitem): W&B's engine on our config draws real hyperopt's probability table."""
    seed = zlib.crc32(repr((p_options, index)).encode())
    cfg = to_sweep({"x": indexed_choice(hp, p_options)[index]})
    assert cfg == to_sweep({"x": indexed_choice(mirror, p_options)[index]}), "mirror and real hyperopt disagree"
    source, engine = parallel_draws(worker, (hyperopt_indexed_draws, p_options, index, seed, N), dict(cfg), N, seed)
    p = compare(source, engine, D)
    print(f"{p_options}[{index!r}]: {cfg['parameters']['x']} p={p:.3g}")
