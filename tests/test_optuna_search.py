"""OptunaSearch's own features under W&B's sweep scheduler, against Ray's real OptunaSearch (no cluster): a
define-by-run space carried as written, evaluated_rewards told before the first ask, multi-objective metric/mode
lists → W&B's `metrics`, and what the native engine and the validator say about them."""

from __future__ import annotations

import math
import tempfile
import warnings

import pytest
from optional import needs

pytestmark = [
    needs("optuna", "wandb", "ray"),
    pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::UserWarning"),
]

from engine import scheduler_optimizer  # noqa: E402

from sweepbridge import SpecError, UnsupportedFeatureError, to_sweep, tune, validate  # noqa: E402

optuna = pytest.importorskip("optuna")
RunState = pytest.importorskip("wandb.sdk.sweeps.run_state").RunState
RunWithMetrics = pytest.importorskip("wandb.sdk.sweeps.scheduler.optimizer").RunWithMetrics


def objectives(config: dict) -> dict:
    x = config["x"]
    width = config.get("net", {}).get("width", 1)
    return {"loss": (x - 1.5) ** 2 + 0.1 * width, "acc": math.sin(x) + 0.01 * width}


def define_by_run(trial):
    x = trial.suggest_float("x", -2, 4)  # noqa: F841  (as users write it: Ray captures every suggestion)
    if trial.suggest_categorical("kind", ["a", "b"]) == "a":
        trial.suggest_int("net/width", 1, 64, log=True)
    return {"scale": math.pi, "net/depth": 3}


def suggests_only(trial):
    trial.suggest_float("x", -2, 4)
    trial.suggest_int("net/width", 1, 8)


def ours(cfg, n: int, metrics: tuple[str, ...] = ("loss",)) -> list[dict]:
    """The first `n` configs of wandb's optimizer on the generated file, each told its objectives."""
    out = []
    with tempfile.TemporaryDirectory() as folder:
        optimizer = scheduler_optimizer(dict(cfg), cfg.scheduler_source, folder)
        for _ in range(n):
            run = optimizer.ask_n_runs(1)[0]
            config = run.config.flat_dict()
            summary = {k: v for k, v in objectives(config).items() if k in metrics}
            optimizer.tell_run(run.run_id, RunWithMetrics(run.config, RunState.FINISHED, "r", summary, []))
            out.append(config)
    return out


def rays(search, n: int) -> list[dict]:
    """The first `n` configs of Ray's real searcher, each completed with its objectives (as Tune does)."""
    out = []
    for i in range(n):
        config = search.suggest(str(i))
        search.on_trial_complete(str(i), {**objectives(config), "training_iteration": 1})
        out.append(config)
    return out


def translate(search, config=None, num_samples: int = 10):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfg = tune.run("t.py", config=config, num_samples=num_samples, engine="optuna", search_alg=search)
    assert "early_terminate" not in cfg and "controller" not in cfg
    assert "pruner=optuna.pruners.NopPruner()" in cfg.scheduler_source
    return cfg


def real(*args, **kwargs):
    from ray.tune.search.optuna import OptunaSearch

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return OptunaSearch(*args, **kwargs)


@pytest.mark.parametrize("function", [define_by_run, suggests_only])
def test_define_by_run_space_is_carried_as_written_and_suggests_as_ray(function):
    sampler = lambda: optuna.samplers.TPESampler(seed=4, n_startup_trials=3)  # noqa: E731
    cfg = translate(real(function, metric="loss", mode="min", sampler=sampler()))
    assert f"def {function.__name__}(trial):" in cfg.scheduler_source
    assert ours(cfg, 8) == rays(real(function, metric="loss", mode="min", sampler=sampler()), 8)


SCALE = 3


def reads_a_global(trial):
    return {"x": trial.suggest_float("x", 0, SCALE)}


def reports(trial):
    trial.suggest_float("x", 0, 1)
    trial.report(1.0, 0)


def returns_a_list(trial):
    return [trial.suggest_float("x", 0, 1)]


def _closure():
    top = 2.0

    def space(trial):
        trial.suggest_float("x", 0, top)

    return space


@pytest.mark.parametrize(
    "function, says",
    [
        (reads_a_global, "reads the global 'SCALE'"),
        (reports, "uses its trial other than by trial.suggest_*(...) (line 3: trial.report)"),
        (returns_a_list, "returned list, not None or a dict"),
        (_closure(), "reads top from an enclosing function"),
        (lambda trial: trial.suggest_float("x", 0, 1), "named '<lambda>'"),
    ],
)
def test_a_define_by_run_space_that_does_not_stand_alone_is_refused_with_the_reason(function, says):
    with pytest.raises(SpecError) as info:
        translate(tune.search.OptunaSearch(function, metric="loss", mode="min"))
    assert says in str(info.value) and "search_alg.space" in str(info.value)


SPACE = {"x": tune.uniform(-2, 4), "net": {"width": tune.randint(1, 64)}}


def ray_space() -> dict:
    """SPACE in Ray's own domains (what Ray's OptunaSearch converts)."""
    from ray import tune as ray_tune

    return {"x": ray_tune.uniform(-2, 4), "net": {"width": ray_tune.randint(1, 64)}}


def test_evaluated_rewards_are_told_before_the_first_ask_as_ray_adds_them():
    points = [{"x": 1.0, "net/width": 3}, {"x": -1.0, "net": {"width": 40}}]
    rewards = [0.25, 9.0]
    cfg = translate(tune.search.OptunaSearch(metric="loss", mode="min", seed=5, points_to_evaluate=points,
                                             evaluated_rewards=rewards), SPACE)  # fmt: skip
    assert "TOLD = " in cfg.scheduler_source and "POINTS = " not in cfg.scheduler_source
    search = real(metric="loss", mode="min", seed=5, points_to_evaluate=[{"x": 1.0, "net/width": 3},
                                                                         {"x": -1.0, "net/width": 40}],
                  evaluated_rewards=rewards)  # fmt: skip
    search.set_search_properties("loss", "min", ray_space())
    assert ours(cfg, 8) == rays(search, 8)


def test_evaluated_rewards_that_ray_cannot_take_are_refused():
    with pytest.raises(SpecError, match="one value per point"):
        translate(tune.search.OptunaSearch(metric="loss", mode="min", points_to_evaluate=[{"x": 1.0}],
                                           evaluated_rewards=[1.0, 2.0]), SPACE)  # fmt: skip
    with pytest.raises(SpecError, match="has no value for net.width"):
        translate(tune.search.OptunaSearch(metric="loss", mode="min", points_to_evaluate=[{"x": 1.0}],
                                           evaluated_rewards=[1.0]), SPACE)  # fmt: skip
    with pytest.raises(SpecError, match="one finite number"):
        translate(tune.search.OptunaSearch(metric=["loss", "acc"], mode=["min", "max"],
                                           points_to_evaluate=[{"x": 1.0, "net": {"width": 2}}],
                                           evaluated_rewards=[[1.0, 2.0]]), SPACE)  # fmt: skip
    with pytest.raises(SpecError, match="clashes") as info:  # flat names nest as Ray's unflatten_dict
        translate(tune.search.OptunaSearch(metric="loss", mode="min", points_to_evaluate=[{"net": 1, "net/width": 2}],
                                           evaluated_rewards=[1.0]), SPACE)  # fmt: skip
    assert info.value.path == "search_alg.points_to_evaluate[0]"


def test_multi_objective_lists_become_wandbs_metrics_and_suggest_as_ray():
    sampler = lambda: optuna.samplers.NSGAIISampler(seed=6, population_size=4)  # noqa: E731
    search = tune.search.OptunaSearch(metric=["loss", "acc"], mode=["min", "max"], sampler=sampler())
    cfg = translate(search, SPACE)
    assert cfg["metrics"] == [{"name": "loss", "goal": "minimize"}, {"name": "acc", "goal": "maximize"}]
    assert "metric" not in cfg and cfg["method"] == "custom" and validate(dict(cfg)) == []
    ray_search = real(metric=["loss", "acc"], mode=["min", "max"], sampler=sampler())
    ray_search.set_search_properties(None, None, ray_space())
    assert ours(cfg, 10, ("loss", "acc")) == rays(ray_search, 10)


def test_the_native_engine_refuses_a_multi_objective_sweep_with_the_way_out():
    search = tune.search.OptunaSearch(metric=["loss", "acc"], mode=["min", "max"])
    with pytest.raises(UnsupportedFeatureError) as info:
        tune.run("t.py", config=SPACE, search_alg=search, engine="wandb")
    assert info.value.feature and "engine='optuna'" in info.value.suggestion
    with pytest.raises(SpecError, match="engine='optuna'"):
        to_sweep({"x": tune.uniform(0, 1)}, metrics=[("a", "minimize"), ("b", "maximize")])
    with pytest.raises(UnsupportedFeatureError):  # a pruner cannot judge two metrics: refused, not ignored
        tune.run("t.py", config=SPACE, search_alg=search, engine="optuna",
                 scheduler=tune.schedulers.ASHAScheduler(max_t=4))  # fmt: skip
    with pytest.raises(SpecError, match="list of modes of the same length"):
        tune.run("t.py", config=SPACE, engine="optuna",
                 search_alg=tune.search.OptunaSearch(metric=["loss", "acc"], mode="min"))  # fmt: skip


def test_validate_enforces_wandbs_rules_for_metrics():
    base = {"method": "custom", "scheduler": {"engine": "optuna", "source": "s.py", "search_space": "search_space"}}
    two = [{"name": "a", "goal": "minimize"}, {"name": "b", "goal": "maximize"}]
    assert validate({**base, "metrics": two}) == []
    assert any("cannot both be set" in p for p in validate({**base, "metrics": two, "metric": {"name": "a"}}))
    assert any("requires `method: custom`" in p for p in validate({"method": "random", "metrics": two,
                                                                    "parameters": {"x": {"value": 1}}}))  # fmt: skip
    assert validate({**base, "metrics": [two[0]]})  # one metric is `metric`'s job (W&B's minItems 2)
    assert any("named more than once" in p for p in validate({**base, "metrics": [two[0], two[0]]}))
    assert validate(base)  # custom needs metric or metrics


def test_a_searcher_without_a_multi_objective_form_is_refused_a_metric_list():
    with pytest.raises(SpecError, match="HyperOptSearch optimizes one metric"):
        tune.run("t.py", config=SPACE, engine="optuna",
                 search_alg=tune.search.HyperOptSearch(metric=["loss", "acc"], mode=["min", "max"]))  # fmt: skip


def test_no_local_controller_beside_the_scheduler():
    with pytest.raises(SpecError, match="controller: local cannot be used together with scheduler"):
        to_sweep({"x": tune.uniform(0, 1)}, engine="optuna", metric="m", controller={"type": "local"})
    base = {"method": "custom", "metric": {"name": "m"}, "scheduler": {"engine": "optuna", "source": "s.py",
                                                                        "search_space": "search_space"}}  # fmt: skip
    assert validate(base) == []
    assert any("controller: type:local" in p for p in validate({**base, "controller": {"type": "local"}}))


def test_a_multi_objective_study_reverses_to_optunasearch_with_its_metric_lists():
    from sweepbridge.reverse import render_python

    sampler = optuna.samplers.NSGAIISampler(seed=6, population_size=4)
    cfg = translate(tune.search.OptunaSearch(metric=["loss", "acc"], mode=["min", "max"], sampler=sampler), SPACE)
    text = render_python(cfg, "tune")
    assert "OptunaSearch(metric=['loss', 'acc'], mode=['min', 'max'], sampler=optuna.samplers.NSGAIISampler(" in text
    assert "TuneConfig(num_samples=10," in text  # Ray asks for the lists on the searcher, not on TuneConfig
    random = to_sweep(SPACE, engine="optuna", metrics=[("a", "minimize"), ("b", "maximize")], seed=4)
    assert "sampler=optuna.samplers.RandomSampler(seed=4)" in render_python(random, "tune")
    bayes = to_sweep(SPACE, engine="optuna", method="bayes", metrics=[("a", "minimize"), ("b", "maximize")])
    with pytest.raises(UnsupportedFeatureError):
        render_python(bayes, "tune")


def test_rays_own_conversion_of_tune_domains_is_carried_as_ray_samples_it():
    """A real OptunaSearch given Tune domains keeps only Optuna distributions (Ray's conversion: quniform as a
    stepped float, randint's upper bound made inclusive): the generated space suggests exactly those."""
    from ray import tune as ray_tune

    def ray_search():
        space = {"x": ray_tune.quniform(-2, 4, 0.5), "n": {"k": ray_tune.randint(1, 9)},
                 "c": ray_tune.choice(["a", "b", None]), "lr": ray_tune.loguniform(1e-4, 1e-1)}  # fmt: skip
        return real(space, metric="loss", mode="min", sampler=optuna.samplers.TPESampler(seed=8, n_startup_trials=3))

    cfg = translate(ray_search())
    assert 'trial.suggest_float("x", -2.0, 4.0, step=0.5)' in cfg.scheduler_source
    assert 'trial.suggest_int("n/k", 1, 8)' in cfg.scheduler_source
    ours_, rays_ = [], []
    with tempfile.TemporaryDirectory() as folder:
        optimizer = scheduler_optimizer(dict(cfg), cfg.scheduler_source, folder)
        search = ray_search()
        for i in range(8):
            run = optimizer.ask_n_runs(1)[0]
            config, theirs = run.config.flat_dict(), search.suggest(str(i))
            value = (config["x"] - 1) ** 2 + config["n"]["k"] + config["lr"]
            optimizer.tell_run(run.run_id, RunWithMetrics(run.config, RunState.FINISHED, "r", {"loss": value}, []))
            search.on_trial_complete(str(i), {"loss": value})
            ours_.append(config)
            rays_.append(theirs)
    assert ours_ == rays_


def test_optuna_distributions_with_told_points_as_ray_documents_them():
    D = optuna.distributions
    space = {"a": D.FloatDistribution(6, 8), "b": D.FloatDistribution(1e-4, 1e-2, log=True)}
    points = [{"a": 6.5, "b": 5e-4}, {"a": 7.5, "b": 1e-3}]
    sampler = optuna.samplers.TPESampler(seed=2, n_startup_trials=2)
    kwargs = dict(metric="loss", mode="min", points_to_evaluate=points, evaluated_rewards=[0.89, 0.42], sampler=sampler)
    cfg = translate(tune.search.OptunaSearch(space, **kwargs))
    assert "TOLD = " in cfg.scheduler_source
    search = real(space, **kwargs)
    out_ours, out_rays = [], []
    with tempfile.TemporaryDirectory() as folder:
        optimizer = scheduler_optimizer(dict(cfg), cfg.scheduler_source, folder)
        assert [t.value for t in optimizer.study.trials] == [0.89, 0.42]
        for i in range(6):
            run = optimizer.ask_n_runs(1)[0]
            config, theirs = run.config.flat_dict(), search.suggest(str(i))
            value = (config["a"] - 7) ** 2 + config["b"]
            optimizer.tell_run(run.run_id, RunWithMetrics(run.config, RunState.FINISHED, "r", {"loss": value}, []))
            search.on_trial_complete(str(i), {"loss": value})
            out_ours.append(config)
            out_rays.append(theirs)
    assert out_ours == out_rays


def test_other_searchers_studies_read_back_as_before():
    """The searcher recorded in the SPEC settings takes nothing from the other homes' reverse rules."""
    from sweepbridge.reverse import render_python

    cases = [
        (
            tune.search.TuneBOHB(metric="m", mode="min", seed=6),
            "search_alg=OptunaSearch(metric='m', mode='min', seed=6)",
        ),
        (tune.search.BasicVariantGenerator(random_state=5), "search_alg=BasicVariantGenerator(random_state=5)"),
        (tune.search.HyperOptSearch(metric="m", mode="min", random_state_seed=2), "search_alg=HyperOptSearch("),
    ]
    for search, expected in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cfg = tune.run(
                "t.py", config=SPACE, metric="m", mode="min", num_samples=3, engine="optuna", search_alg=search
            )
            assert expected in render_python(cfg, "tune"), search
