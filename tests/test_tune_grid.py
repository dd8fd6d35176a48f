"""Grids: the multiset of configs W&B's grid engine enumerates equals the one Ray's variant generation yields."""

from __future__ import annotations

import copy
import json
from collections import Counter

import pytest
from engine import to_plain
from optional import needs

from sweepbridge import SpecError, UnsupportedFeatureError, tune


def wandb_grid_runs(cfg: dict) -> list[dict]:
    """Every config sweeps.next_run schedules under method grid, feeding back the runs so far."""
    import sweeps

    runs: list = []
    while True:
        run = sweeps.next_run(copy.deepcopy(dict(cfg)), runs)
        if run is None:
            return [_nested(r.config) for r in runs]
        run.state = sweeps.RunState.finished
        runs.append(run)
        assert len(runs) <= 10_000


def _nested(config: dict) -> dict:
    return {k: to_plain(v["value"]) for k, v in config.items()}


def ray_variants(config: dict, num_samples: int) -> list[dict]:
    """Ray's BasicVariantGenerator: generate_variants over the spec, num_samples times."""
    from ray.tune.search.variant_generator import generate_variants

    out = []
    for _ in range(num_samples):
        out += [to_plain(spec["config"]) for _, spec in generate_variants({"config": copy.deepcopy(config)})]
    return out


def _multiset(configs: list[dict]) -> Counter:
    return Counter(json.dumps(c, sort_keys=True) for c in configs)


def _grids():
    from ray import tune as ray_tune

    return [
        ({"a": ray_tune.grid_search([1, 2, 3]), "b": "const"}, 1),
        ({"a": ray_tune.grid_search([1, 2]), "b": ray_tune.grid_search(["x", "y", None])}, 2),
        ({"nn_layers": [ray_tune.grid_search([16, 64, 256]), ray_tune.grid_search([16, 64, 256])]}, 1),
        ({"nn_layers": [ray_tune.grid_search([16, 64, 256]), ray_tune.grid_search([16, 64, 256])], "lr": 0.1}, 10),
        ({"model": {"depth": ray_tune.grid_search([1, 2]), "act": "relu"}, "lr": ray_tune.grid_search([0.1, 0.01])}, 3),
        ({"opt": ray_tune.grid_search([{"name": "sgd"}, {"name": "adam", "beta": [0.9, 0.99]}])}, 2),
    ]


@needs("ray")
@pytest.mark.parametrize("case", range(6))
def test_wandb_enumerates_rays_grid(case):
    config, num_samples = _grids()[case]
    cfg = tune.run("train.py", config=config, num_samples=num_samples)
    assert cfg["method"] == "grid"
    ours = wandb_grid_runs(cfg)
    if num_samples > 1:
        assert Counter(r.pop(tune.REPEAT_AXIS) for r in ours) == Counter(
            {i: len(ours) // num_samples for i in range(num_samples)}
        )
    assert _multiset(ours) == _multiset(ray_variants(config, num_samples))


@needs("ray")
def test_mirror_grid_equals_ray_dict_grid():
    from ray import tune as ray_tune

    mirror = {"nn_layers": [tune.grid_search([16, 64, 256]), tune.grid_search([16, 64, 256])], "x": 1}
    real = {"nn_layers": [ray_tune.grid_search([16, 64, 256]), ray_tune.grid_search([16, 64, 256])], "x": 1}
    assert tune.run("t.py", config=mirror, num_samples=3) == tune.run("t.py", config=real, num_samples=3)


def test_repeat_axis_name_is_reserved():
    with pytest.raises(SpecError, match="reserved"):
        tune.run("t.py", config={"a": tune.grid_search([1, 2]), tune.REPEAT_AXIS: 0}, num_samples=2)


def test_grid_mixed_with_sampled_domains_is_refused():
    config = {"alpha": tune.uniform(1, 100), "nn_layers": [tune.grid_search([16, 64]), tune.grid_search([16, 64])]}
    with pytest.raises(UnsupportedFeatureError) as info:
        tune.run("t.py", config=config, num_samples=10)
    assert info.value.feature == "tune.grid.mixed"
    assert "nn_layers" in str(info.value) and "alpha" in str(info.value)
    assert "tune.choice" in info.value.suggestion


def test_grid_inside_list_mixed_with_choice_is_refused():
    with pytest.raises(UnsupportedFeatureError, match="grid"):
        tune.run("t.py", config={"l": [tune.grid_search([1, 2]), tune.choice([3, 4])]})


def test_random_only_becomes_random_with_run_cap():
    cfg = tune.run("t.py", config={"a": tune.choice([1, 2]), "b": [tune.randint(0, 3), 5]}, num_samples=7)
    assert cfg["method"] == "random" and cfg["run_cap"] == 7
    assert cfg["parameters"]["b"] == {"values": [[0, 5], [1, 5], [2, 5]]}
    assert "run_cap" not in tune.run("t.py", config={"a": tune.choice([1, 2])}, num_samples=-1)


def test_grid_with_bayes_search_is_refused():
    with pytest.raises(UnsupportedFeatureError, match="grid"):
        tune.run(
            "t.py",
            config={"a": tune.grid_search([1, 2])},
            search_alg=tune.search.HyperOptSearch(metric="m", mode="min"),
        )
