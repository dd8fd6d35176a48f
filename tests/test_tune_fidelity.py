"""Every Ray Tune domain: samples from the installed Ray vs W&B's engine on our config.

Discrete kinds: full probability tables (two-sample chi-square p > 0.001, equal supports, and our
emitted pmf against Ray's counts); continuous: two-sample KS p > 0.001; Python types agree.
Real ray.tune domains translate to exactly the config our mirrors give.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest
from engine import sample

from sweepbridge import tune
from sweepbridge.backends import wandb as wandb_backend

np = pytest.importorskip("numpy")
stats = pytest.importorskip("scipy.stats")

pytestmark = pytest.mark.slow  # oracle sampling: 20,000 draws per side

N = 20_000
P_MIN = 0.001

CONTINUOUS = [
    ("uniform", (0, 1)),
    ("uniform", (-5, 20)),
    ("loguniform", (1e-4, 1e-1)),
    ("loguniform", (1, 100)),
    ("randn", (0, 1)),
    ("randn", (3, 0.5)),
]
DISCRETE = [
    ("quniform", (0, 10, 0.5)),
    ("quniform", (-1, 1, 0.25)),
    ("qloguniform", (1, 100, 1)),
    ("qloguniform", (0.5, 50, 0.5)),
    ("qrandn", (0, 1, 0.5)),
    ("qrandn", (10, 3, 1)),
    ("randint", (0, 10)),
    ("randint", (-5, 5)),
    ("qrandint", (0, 10, 5)),
    ("qrandint", (1, 10, 1)),
    ("qrandint", (0, 100, 10)),
    ("qrandint", (1, 10, 5)),
    ("lograndint", (1, 10)),
    ("lograndint", (5, 100)),
    ("qlograndint", (2, 64, 2)),
    ("qlograndint", (1, 10, 1)),
    ("qlograndint", (10, 1000, 10)),
    ("choice", (["relu", 3, None, 2.5],)),
    ("choice", ([16, 32, 64],)),
]
CASES = CONTINUOUS + DISCRETE
IDS = [f"{op}{args}" for op, args in CASES]


def ray_domain(op, args):
    from ray import tune as ray_tune

    return getattr(ray_tune, op)(*args)


def engine_draws(spec: dict, n: int, seed: int) -> list:
    """n draws of one emitted parameter by W&B's engine: HyperParameter.ppf of uniform draws.

    The engine samples a parameter as `ppf(random.uniform(0, 1))` (HyperParameter.sample). The
    scalar path is used for values + probabilities (its vectorised ppf mis-samples, see
    docs/semantics.md); elsewhere ppf is applied to the same uniforms as an array, which
    test_vectorised_ppf_is_the_engines_scalar_path checks is identical.
    """
    import random

    from sweeps.params import HyperParameter

    param = HyperParameter("x", spec)
    random.seed(seed)
    uniforms = [random.uniform(0.0, 1.0) for _ in range(n)]
    if "probabilities" in spec:
        return [param.ppf(u) for u in uniforms]
    return np.asarray(param.ppf(np.array(uniforms))).tolist()


@pytest.fixture(scope="module")
def cfg():
    config = {f"p{i}": getattr(tune, op)(*args) for i, (op, args) in enumerate(CASES)}
    return tune.run("train.py", config=config, num_samples=N)


@pytest.fixture(scope="module")
def wandb_samples(cfg):
    return {key: engine_draws(spec, N, seed=i) for i, (key, spec) in enumerate(cfg["parameters"].items())}


@pytest.fixture(scope="module")
def wandb_types(cfg):
    """Python types as the program receives them, through the engine's own path (sweeps.next_runs)."""
    draws = sample(cfg, 300, seed=2)
    return {key: {type(d[key]) for d in draws} for key in cfg["parameters"]}


def test_vectorised_ppf_is_the_engines_scalar_path(cfg):
    from sweeps.params import HyperParameter

    rng = np.random.default_rng(0)
    for spec in cfg["parameters"].values():
        if "probabilities" in spec:
            continue
        param, uniforms = HyperParameter("x", spec), rng.uniform(size=200)
        assert np.asarray(param.ppf(uniforms)).tolist() == [param.ppf(float(u)) for u in uniforms]


def ray_samples(op, args, seed):
    values = ray_domain(op, args).sample(size=N, random_state=np.random.default_rng(seed))
    return [v.item() if hasattr(v, "item") else v for v in values]


def _key(v):
    return (type(v).__name__, round(v, 9) if isinstance(v, float) else v)


def _pooled_table(a: Counter, b: Counter) -> np.ndarray:
    keys = sorted(set(a) | set(b), key=repr)
    rows = [(a[k], b[k]) for k in keys if a[k] + b[k] >= 10]
    rare = [(a[k], b[k]) for k in keys if a[k] + b[k] < 10]
    if rare:
        rows.append(tuple(map(sum, zip(*rare, strict=True))))
    return np.array(rows).T


@pytest.mark.parametrize("i", range(len(CASES)), ids=IDS)
def test_real_ray_domain_translates_like_the_mirror(i):
    op, args = CASES[i]
    assert tune.run("p.py", config={"x": ray_domain(op, args)}) == tune.run(
        "p.py", config={"x": getattr(tune, op)(*args)}
    )


@pytest.mark.parametrize("i", range(len(CONTINUOUS)), ids=IDS[: len(CONTINUOUS)])
def test_continuous_domains_match_ray(i, wandb_samples, wandb_types):
    op, args = CASES[i]
    ours, ray = wandb_samples[f"p{i}"], ray_samples(op, args, seed=i)
    assert stats.ks_2samp(ours, ray).pvalue > P_MIN
    assert wandb_types[f"p{i}"] == {type(ray_domain(op, args).sample())} == {float}


@pytest.mark.parametrize("i", range(len(CONTINUOUS), len(CASES)), ids=IDS[len(CONTINUOUS) :])
def test_discrete_domains_match_ray(i, wandb_samples, wandb_types):
    op, args = CASES[i]
    ours = Counter(_key(v) for v in wandb_samples[f"p{i}"])
    ray = Counter(_key(v) for v in ray_samples(op, args, seed=i))
    assert stats.chi2_contingency(_pooled_table(ours, ray)).pvalue > P_MIN
    ray_types = {type(ray_domain(op, args).sample(random_state=s)) for s in range(50)}
    assert wandb_types[f"p{i}"] == ray_types
    node = getattr(tune, op)(*args)
    support = node.support()
    if support is not None:  # finite kinds: same support, and our pmf against Ray's counts
        table: Counter = Counter()
        for v, p in zip(*support, strict=True):  # -0.0 and 0.0 (numpy's signed zero) share a key here
            table[_key(v)] += p
        assert set(ours) == set(ray) == set(table)
        expected = np.array(list(table.values())) * N
        observed = np.array([ray[k] for k in table])
        assert stats.chisquare(observed, expected).pvalue > P_MIN


@pytest.mark.parametrize(
    "op,args",
    [("lograndint", (1, 10)), ("lograndint", (3, 40)), ("qlograndint", (2, 64, 2)), ("qlograndint", (5, 101, 5))],
)
def test_log_integer_pmf_is_exact(op, args):
    """Ray's rule integrated exactly: P(floor(exp(U)) = i) = ln((i+1)/i) / ln(high/low) on the index range."""
    node = getattr(tune, op)(*args)
    q = args[2] if len(args) == 3 else 1
    low, high = node.low, node.high
    values, probabilities = node.support()
    for value, p in zip(values, probabilities, strict=True):
        i = value // q
        assert math.isclose(p, (math.log(i + 1) - math.log(i)) / (math.log(high) - math.log(low)), rel_tol=1e-12)
    assert math.isclose(sum(probabilities), 1.0, abs_tol=1e-12)
    # Ray's own index range is what we enumerate: its samples never leave our support.
    assert set(ray_samples(op, args, seed=7)) <= set(values)


def test_approximation_total_variation_matches_brute_force():
    for low, high in [(1, 10), (1, 2000), (5, 60), (100, 5000)]:
        exact = [tune.lograndint(low, high).probability(i) for i in range(low, high)]
        approx = [wandb_backend._approx_pmf(i, low, high) for i in range(low, high)]
        brute = 0.5 * sum(abs(p - r) for p, r in zip(exact, approx, strict=True))
        assert math.isclose(wandb_backend.approximation_total_variation(low, high), brute, rel_tol=1e-6, abs_tol=1e-12)


def test_approximation_samples_as_stated(recwarn):
    """The opt-in stand-in: W&B's samples follow the approximate pmf whose distance we report."""
    node = tune.lograndint(1, 2000, allow_approximate=True)
    cfg = tune.run("p.py", config={"x": node}, num_samples=10)
    assert "total variation" in str(recwarn.pop().message)  # W&B's engine takes the stand-in, warned
    assert cfg["parameters"]["x"] == {"distribution": "q_log_uniform_values", "min": 0.5, "max": 1999.5, "q": 1}
    assert cfg.approximations["x"].startswith("tune.lograndint(1, 2000): total variation")
    draws = [d["x"] for d in sample(cfg, 5_000, seed=3)]
    assert all(type(v) is int and 1 <= v <= 1999 for v in draws)
    small = Counter(v for v in draws if v <= 4)
    expected = [5_000 * wandb_backend._approx_pmf(i, 1, 2000) for i in range(1, 5)]
    assert stats.chisquare([small[i] for i in range(1, 5)], expected, sum_check=False).pvalue > P_MIN
