"""PBT's explore step in the generated scheduler against Ray's own `_explore` (ray.tune.schedulers.pbt), by
distribution: 20,000 explored configs each, every mutation value type (list, nested dict, Tune domains of
every kind, a function, bool and int values, a custom_explore_fn); a wrong perturbation factor is rejected by
the same comparison."""

from __future__ import annotations

import random
from collections import Counter

import pbt_harness as h
import pytest
from optional import needs

pytestmark = [needs("ray", "scipy", "optuna", "wandb")]

N = 20_000
ALPHA = 0.001


def lr_draw() -> float:
    """A function mutation (Ray calls it to resample)."""
    return random.uniform(0.01, 0.1)


def cap_momentum(config: dict) -> dict:
    """A custom_explore_fn (applied after the built-in perturbations)."""
    config["momentum"] = min(config["momentum"], 0.95)
    return config


CONFIG = {
    "lr": 0.05,  # uniform domain, float
    "wd": 0.001,  # loguniform
    "batch": 64,  # list of ints, value in the list (shift / resample)
    "layers": 3,  # list, value NOT in the list (always resampled)
    "width": 40,  # randint domain, int value (rounded)
    "q": 0.5,  # quniform
    "qi": 12,  # qrandint
    "li": 20,  # lograndint
    "noise": 0.3,  # randn
    "act": "relu",  # list of strings
    "flag": True,  # choice([True, False]) on a bool: kept bool
    "opt": 2,  # choice of numbers (Ray treats a Domain as continuous: perturbed by the factor)
    "f": 0.02,  # function
    "momentum": 0.9,  # uniform, then capped by the custom explore
    "nested": {"a": 0.5, "b": 4},  # nested dict mutations
}


def _mutations(t):
    return {
        "lr": t.uniform(0.001, 0.1),
        "wd": t.loguniform(1e-5, 1e-1),
        "batch": [16, 32, 64, 128],
        "layers": [1, 2, 4],
        "width": t.randint(8, 128),
        "q": t.quniform(0.0, 1.0, 0.25),
        "qi": t.qrandint(4, 32, 4),
        "li": t.lograndint(1, 100),
        "noise": t.randn(0.0, 1.0),
        "act": ["relu", "tanh", "gelu"],
        "flag": t.choice([True, False]),
        "opt": t.choice([1, 2, 3]),
        "f": lr_draw,
        "momentum": t.uniform(0.5, 0.99),
        "nested": {"a": t.uniform(0.0, 1.0), "b": [2, 4, 8]},
    }


def _flat(config: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in config.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[prefix + k] = v
    return out


def _ray_draws(factors, p, seed=1):
    import numpy as np
    from ray import tune as rt
    from ray.tune.schedulers.pbt import _explore

    random.seed(seed)
    np.random.seed(seed)
    mutations = _mutations(rt)
    return [_flat(_explore(CONFIG, mutations, p, factors, cap_momentum)[0]) for _ in range(N)]


def _our_draws(tmp_path, factors, p, seed=2):
    from ray import tune as rt
    from ray.tune.schedulers import PopulationBasedTraining as RayPBT

    ray_pbt = RayPBT(time_attr="training_iteration", metric="loss", mode="min", hyperparam_mutations=_mutations(rt),
                     resample_probability=p, perturbation_factors=factors, custom_explore_fn=cap_momentum)  # fmt: skip
    cfg = h.sweep(ray_pbt, config={"lr": 0.05})
    module, _ = h.load(cfg, tmp_path, f"pbt_explore_{seed}")
    settings = module.PBT_SETTINGS
    assert settings["resample_probability"] == p and settings["perturbation_factors"] == list(factors)
    rng = random.Random(seed)
    return [
        _flat(module.explore(CONFIG, module.MUTATIONS, p, settings["perturbation_factors"], module.CUSTOM_EXPLORE, rng))
        for _ in range(N)
    ]


def _p_value(ours: list, theirs: list) -> float:
    """Same distribution? Chi-square over the values' categories (atoms: values drawn >= 1% of the time, the
    rest pooled), then KS over the pooled continuous rest; the smaller p-value."""
    from scipy import stats

    pooled = Counter(ours) + Counter(theirs)
    atoms = {v for v, n in pooled.items() if n >= 0.01 * (len(ours) + len(theirs))}
    cats = sorted(atoms, key=repr) + ["rest"]
    table = [[sum(1 for v in side if (v if v in atoms else "rest") == c) for c in cats] for side in (ours, theirs)]
    keep = [i for i in range(len(cats)) if table[0][i] + table[1][i] > 0]
    table = [[row[i] for i in keep] for row in table]
    p = stats.chi2_contingency(table)[1] if len(keep) > 1 else 1.0
    rest = ([v for v in ours if v not in atoms], [v for v in theirs if v not in atoms])
    if min(len(r) for r in rest) > 50:
        p = min(p, stats.ks_2samp(*rest).pvalue)
    return p


@pytest.fixture(scope="module")
def ray_draws():
    return _ray_draws((1.2, 0.8), 0.25)


@pytest.mark.slow
def test_explore_matches_rays_explore(tmp_path_factory, ray_draws):
    ours = _our_draws(tmp_path_factory.mktemp("pbt"), (1.2, 0.8), 0.25)
    for key in _flat(CONFIG):
        mine, theirs = [c[key] for c in ours], [c[key] for c in ray_draws]
        assert {type(v) for v in mine} == {type(v) for v in theirs}, key
        p = _p_value(mine, theirs)
        assert p > ALPHA, f"{key}: p = {p:.2e}"


@pytest.mark.slow
def test_a_wrong_factor_is_rejected(tmp_path_factory, ray_draws):
    """1.25 for 1.2: every key a factor reaches differs (momentum, capped at 0.95 by the custom explore either
    way, and the list / resampled keys are indistinguishable, so they pass)."""
    ours = _our_draws(tmp_path_factory.mktemp("pbt"), (1.25, 0.8), 0.25, seed=3)
    keys = ("lr", "wd", "width", "noise", "f", "nested.a", "momentum", "batch")
    rejected = [key for key in keys if _p_value([c[key] for c in ours], [c[key] for c in ray_draws]) < ALPHA]
    assert rejected == ["lr", "wd", "width", "noise", "f", "nested.a"]
