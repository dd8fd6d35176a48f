"""Reverse of a sweepbridge scheduler source: round trips to hyperopt and Ray Tune; foreign sources refused."""

from __future__ import annotations

import warnings

import pytest

from sweepbridge import ApproximationWarning, SpecError, UnsupportedFeatureError, reverse, to_sweep, tune
from sweepbridge.backends import optuna_source
from sweepbridge.frontends import scheduler_source
from sweepbridge.ir_data import from_data

pytest.importorskip("optuna")
pytest.importorskip("hyperopt")
pytest.importorskip("ray")
from hyperopt import hp  # noqa: E402
from hyperopt.pyll import scope  # noqa: E402


@pytest.fixture(autouse=True)
def _no_approximation_noise():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        yield


def _spec(cfg):
    return scheduler_source.read_spec(cfg.scheduler_source)


def classic():
    return {
        "classifier": hp.pchoice("classifier", [
            (0.25, {"type": "naive_bayes"}),
            (0.5, {"type": "svm", "C": hp.lognormal("C", 0, 1),
                   "kernel": hp.choice("kernel", [{"ktype": "linear"}, {"ktype": "rbf", "w": hp.uniform("w", 0, 1)}])}),
            (0.25, {"type": "dtree", "depth": scope.int(hp.quniform("depth", 1, 10, 1))}),
        ]),
        "wd": hp.choice("wd", [None, hp.loguniform("wd_value", -9, -3)]),
        "layers": [hp.randint("l0", 1, 4), hp.qnormal("l1", 0, 2, 0.5)],
    }  # fmt: skip


def test_header_constant_is_shared():
    assert scheduler_source.HEADER == optuna_source.HEADER


def test_hyperopt_round_trip_is_exact():
    cfg = to_sweep(classic(), engine="optuna", metric="loss", method="bayes", seed=4)
    space = reverse.to_hyperopt(cfg)
    again = to_sweep(space, engine="optuna", metric="loss", method="bayes", seed=4)
    assert again == cfg
    first, second = _spec(cfg), _spec(again)
    assert from_data(first["space"]) == from_data(second["space"])  # labels aside, the same IR
    assert first["sampler"] == second["sampler"] and first["pruner"] == second["pruner"]
    text = reverse.render_python(cfg, "hyperopt")
    assert "hp.pchoice" in text and "hp.lognormal" in text


def test_tune_round_trip_is_exact(tmp_path):
    from ray import tune as ray_tune

    space = {
        "opt": ray_tune.grid_search(["sgd", "adam"]),
        "lr": ray_tune.loguniform(1e-4, 1e-1),
        "width": ray_tune.qlograndint(2, 64, 2),
        "layers": [ray_tune.randint(1, 4), 8],
    }
    asha = tune.schedulers.ASHAScheduler(max_t=30, grace_period=2, reduction_factor=3)
    search = tune.search.HyperOptSearch(n_initial_points=5, gamma=0.3, random_state_seed=2)
    cfg = tune.run("t.py", config={k: v for k, v in space.items() if k != "opt"}, num_samples=7, metric="acc",
                   mode="max", search_alg=search, scheduler=asha, engine="optuna")  # fmt: skip
    cfg.save(tmp_path / "sweep.yaml")
    spec = reverse.to_tune(tmp_path / "sweep.yaml")
    assert spec.num_samples == 7 and spec.metric == "acc" and spec.mode == "max"
    search_alg = spec.tune_config().search_alg
    assert type(search_alg).__name__ == "HyperOptSearch"
    kwargs = dict(reverse._tune_trees(reverse._parse(cfg)).config["search_alg"].kwargs)
    assert kwargs == {"metric": "acc", "mode": "max", "n_initial_points": 5, "gamma": 0.3, "random_state_seed": 2}
    again = tune.run("t.py", config=spec.param_space, num_samples=spec.num_samples, metric="acc", mode="max",
                     search_alg=tune.search.HyperOptSearch(**{k: v for k, v in kwargs.items() if k not in ("metric",
                     "mode")}), scheduler=spec.tune_config().scheduler, engine="optuna")  # fmt: skip
    assert again == cfg and again.scheduler_source == cfg.scheduler_source

    grid = tune.run("t.py", config=space, num_samples=3, metric="acc", mode="max", engine="optuna")
    back = reverse.to_tune(grid)
    assert back.num_samples == 3 and back.search_alg is None
    regrid = tune.run("t.py", config=back.param_space, num_samples=3, metric="acc", mode="max", engine="optuna")
    assert regrid == grid and regrid.scheduler_source == grid.scheduler_source


def test_conditional_space_to_tune_is_refused():
    cfg = to_sweep(classic(), engine="optuna", metric="loss")
    with pytest.raises(UnsupportedFeatureError) as info:
        reverse.to_tune(cfg)
    assert info.value.feature == "reverse.tune.conditional"


def test_foreign_source_is_refused(tmp_path):
    cfg = to_sweep({"a": hp.uniform("a", 0, 1)}, engine="optuna", metric="m")
    original = cfg.scheduler_source
    for text in (
        "import optuna\n\ndef search_space(trial):\n    return {'a': trial.suggest_float('a', 0, 1)}\n",
        optuna_source.HEADER + " 9\nSPEC = json.loads('{}')\n",
        optuna_source.HEADER + " 9\nSPEC = json.loads(\n",
    ):
        cfg.scheduler_source = text
        with pytest.raises(UnsupportedFeatureError) as info:
            reverse.to_hyperopt(cfg)
        assert info.value.feature == "reverse.scheduler.foreign"
    cfg.scheduler_source = original  # (the suite's invariant builds every emitted config's optimizer)
    with pytest.raises(SpecError, match="scheduler source"):
        reverse.to_hyperopt(dict(cfg))


def test_tampered_spec_is_a_spec_error():
    cfg = to_sweep({"a": hp.uniform("a", 0, 1)}, engine="optuna", metric="m")
    original = cfg.scheduler_source
    cfg.scheduler_source = original.replace('"high": 1', '"high": -1')
    with pytest.raises(SpecError):
        reverse.to_hyperopt(cfg)
    cfg.scheduler_source = original


def test_points_to_evaluate_round_trip_to_tune(tmp_path):
    space = {"lr": tune.loguniform(1e-4, 1e-1), "act": tune.choice(["relu", "tanh"]), "n": tune.randint(1, 9)}
    points = [{"lr": 0.01, "act": "tanh", "n": 3}, {"lr": 0.001}]
    for searcher, kept in [(tune.search.HyperOptSearch, {"random_state_seed": 2}), (tune.search.OptunaSearch, {})]:
        search = searcher(points_to_evaluate=points, **kept)
        cfg = tune.run("t.py", config=space, num_samples=5, metric="acc", mode="max", search_alg=search,
                       engine="optuna")  # fmt: skip
        cfg.save(tmp_path / "sweep.yaml")
        spec = reverse.to_tune(tmp_path / "sweep.yaml")
        real = spec.tune_config().search_alg
        assert type(real).__name__ == searcher.__name__ and real._points_to_evaluate == points
        kwargs = dict(reverse._tune_trees(reverse._parse(cfg)).config["search_alg"].kwargs)
        assert kwargs["points_to_evaluate"] == points
        rebuilt = searcher(**{k: v for k, v in kwargs.items() if k not in ("metric", "mode")})
        again = tune.run("t.py", config=spec.param_space, num_samples=5, metric="acc", mode="max", engine="optuna",
                         search_alg=rebuilt)  # fmt: skip
        assert again == cfg and again.scheduler_source == cfg.scheduler_source
        assert "points_to_evaluate" in reverse.render_python(cfg, "tune")
