"""tune.run / Tuner: keywords, search algorithms, schedulers, real Ray objects, equivalence."""

from __future__ import annotations

import inspect
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optional import needs

from sweepbridge import ApproximationWarning, SpecError, SweepBridgeError, UnsupportedFeatureError, to_sweep, tune
from sweepbridge.hyperopt import hp
from sweepbridge.tune import schedulers
from sweepbridge.tune.translate import KEYWORDS


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        return fn(*args, **kwargs)


def beta_space(hp):
    return dict(
        width=hp.uniform("width", 0, 20),
        height=hp.uniform("height", -100, 100),
        activation=hp.choice("activation", ["relu", "tanh"]),
    )


def test_the_2020_beta_example():
    from sweepbridge.tune.suggest.hyperopt import HyperOptSearch

    with pytest.warns(ApproximationWarning, match="Gaussian process"):
        cfg = tune.run(
            "train.py", search_alg=HyperOptSearch(beta_space(hp), metric="mean_loss", mode="min"), num_samples=10
        )
    assert cfg == {
        "program": "train.py",
        "method": "bayes",
        "metric": {"name": "mean_loss", "goal": "minimize"},
        "run_cap": 10,
        "parameters": {
            "width": {"distribution": "uniform", "min": 0, "max": 20},
            "height": {"distribution": "uniform", "min": -100, "max": 100},
            "activation": {"values": ["relu", "tanh"]},
        },
    }


@needs("hyperopt")
def test_beta_example_with_real_hyperopt_and_current_path():
    from hyperopt import hp as real_hp

    from sweepbridge.tune.search.hyperopt import HyperOptSearch
    from sweepbridge.tune.suggest.hyperopt import HyperOptSearch as Old

    assert Old is HyperOptSearch
    mirror = quiet(tune.run, "t.py", search_alg=HyperOptSearch(beta_space(hp), metric="m", mode="max"))
    real = quiet(tune.run, "t.py", search_alg=HyperOptSearch(beta_space(real_hp), metric="m", mode="max"))
    assert mirror == real and mirror["metric"]["goal"] == "maximize"


def test_hyperopt_search_with_tune_space_and_options_warned():
    search = tune.search.HyperOptSearch(
        {"lr": tune.loguniform(1e-4, 1e-1)},
        metric="m",
        mode="min",
        points_to_evaluate=[{"lr": 0.01}],
        n_initial_points=5,
        random_state_seed=1,
        gamma=0.5,
    )
    with pytest.warns(ApproximationWarning) as record:
        cfg = tune.run("t.py", search_alg=search)
    text = " ".join(str(w.message) for w in record)
    for option in ("points_to_evaluate", "n_initial_points", "random_state_seed", "gamma"):
        assert option in text
    assert cfg["parameters"]["lr"]["distribution"] == "log_uniform_values"


def test_a_trainable_without_an_importable_name_is_refused():
    def trainable(config):  # a closure: a new process cannot import it (see test_runtime_translate.py)
        pass

    with pytest.raises(UnsupportedFeatureError, match="agent") as info:
        tune.run(trainable, config={"a": tune.uniform(0, 1)})
    assert info.value.path == "run_or_experiment" and info.value.feature == "tune.run.callable"


def test_stop_with_a_script_program_is_refused_not_dropped():
    with pytest.raises(UnsupportedFeatureError) as info:
        tune.run("t.py", config={"a": tune.uniform(0, 1)}, stop={"training_iteration": 10})
    assert info.value.feature == "tune.run.stop.program" and info.value.suggestion
    with pytest.raises(UnsupportedFeatureError):
        tune.Tuner("t.py", param_space={"a": 1.0}, run_config=tune.RunConfig(stop={"m": 1})).to_sweep()


SEED_002_KEYWORDS = (
    "name stop config resources_per_trial num_samples local_dir upload_dir trial_name_creator loggers "
    "sync_function checkpoint_freq checkpoint_at_end export_formats max_failures restore search_alg scheduler "
    "with_server server_port verbose resume queue_trials reuse_actors trial_executor raise_on_failed_trial"
).split()


@needs("ray")
def test_every_ray_tune_run_keyword_is_accepted():
    from ray import tune as ray_tune

    ours = set(inspect.signature(tune.run).parameters) | set(KEYWORDS)
    rays = set(inspect.signature(ray_tune.run).parameters)
    assert rays - ours == set()
    assert set(SEED_002_KEYWORDS) - ours == set()


@pytest.mark.parametrize("keyword", sorted(KEYWORDS))
def test_keywords_without_sweep_meaning_warn(keyword):
    with pytest.warns(ApproximationWarning, match=keyword):
        cfg = tune.run("t.py", config={"a": tune.uniform(0, 1)}, **{keyword: object()})
    assert cfg == tune.run("t.py", config={"a": tune.uniform(0, 1)})


def test_defaults_do_not_warn_and_unknown_keywords_fail():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tune.run("t.py", config={"a": 1.5, "b": tune.choice([1])}, max_failures=0, verbose=None, reuse_actors=False)
    with pytest.raises(SpecError, match="bogus"):
        tune.run("t.py", config={"a": tune.uniform(0, 1)}, bogus=1)


def test_metric_must_agree_and_needs_mode():
    search = tune.search.HyperOptSearch(metric="loss", mode="min")
    with pytest.raises(SpecError, match="conflicting metrics"):
        quiet(tune.run, "t.py", config={"a": tune.uniform(0, 1)}, search_alg=search, metric="acc", mode="min")
    cfg = quiet(tune.run, "t.py", config={"a": tune.uniform(0, 1)}, search_alg=search, metric="loss", mode="min")
    assert cfg["metric"] == {"name": "loss", "goal": "minimize"}
    with pytest.raises(SpecError, match="needs a mode"):
        tune.run("t.py", config={"a": tune.uniform(0, 1)}, metric="loss")
    with pytest.raises(SpecError, match="space is given twice"):
        quiet(tune.run, "t.py", config={"a": 1.0}, search_alg=tune.search.HyperOptSearch({"b": tune.uniform(0, 1)}))


def test_scheduler_needs_a_metric():
    with pytest.raises(SpecError, match="needs a metric"):
        tune.run("t.py", config={"a": tune.uniform(0, 1)}, scheduler=schedulers.ASHAScheduler())


def test_asha_becomes_hyperband_min_iter():
    asha = schedulers.ASHAScheduler(metric="loss", mode="min", grace_period=2, reduction_factor=3, max_t=50)
    with pytest.warns(ApproximationWarning, match="max_t=50"):
        cfg = tune.run("t.py", config={"a": tune.uniform(0, 1)}, scheduler=asha, num_samples=20)
    assert cfg["early_terminate"] == {"type": "hyperband", "min_iter": 2, "eta": 3}
    with pytest.raises(UnsupportedFeatureError, match="time_attr"):
        tune.run("t.py", config={"a": 1.0}, scheduler=schedulers.AsyncHyperBandScheduler("time_total_s", "m", "min"))


@needs("ray")
@pytest.mark.parametrize("max_t,eta", [(81, 3), (27, 3), (100, 4), (16, 2)])
def test_hyperband_bands_match_rays_rung_milestones(max_t, eta):
    from ray.tune.schedulers import HyperBandScheduler

    ray_hb = HyperBandScheduler(metric="m", mode="min", max_t=max_t, reduction_factor=eta)
    cfg = quiet(tune.run, "t.py", config={"a": tune.uniform(0, 1)}, scheduler=ray_hb)
    et = cfg["early_terminate"]
    s = ray_hb._s_max_1 - 1
    ray_most_aggressive = [ray_hb._get_r0(s) * eta**k for k in range(s)]
    if "max_iter" in et:  # W&B's two band rules (docs/semantics.md)
        assert et["max_iter"] == max_t and et["s"] == s
        bands = sorted(int(max_t / eta**i) for i in range(1, s + 1))
    else:
        bands = [int(et["min_iter"] * eta**k) for k in range(s)]
    assert et["eta"] == eta and bands == ray_most_aggressive


def test_fifo_and_unsupported_schedulers():
    assert "early_terminate" not in tune.run("t.py", config={"a": 1.0}, scheduler=schedulers.FIFOScheduler())
    # MedianStoppingRule constructs (engine="optuna" translates it) and is refused by W&B's engine.
    with pytest.raises(UnsupportedFeatureError) as info:
        tune.run("t.py", config={"a": 1.0}, scheduler=schedulers.MedianStoppingRule(metric="m", mode="min"))
    assert info.value.feature == "tune.scheduler.median" and "optuna" in info.value.suggestion
    with pytest.raises(UnsupportedFeatureError) as info:  # likewise HyperBandForBOHB (a HyperbandPruner there)
        tune.run("t.py", config={"a": 1.0}, scheduler=schedulers.HyperBandForBOHB(metric="m", mode="min"))
    assert info.value.feature == "tune.scheduler.bohb" and "optuna" in info.value.suggestion
    with pytest.raises(UnsupportedFeatureError) as info:  # PBT: W&B's sweep scheduler runs it (tests/test_pbt_*)
        tune.run(
            "t.py",
            config={"a": 1.0},
            scheduler=schedulers.PopulationBasedTraining(
                time_attr="training_iteration", metric="m", mode="min", hyperparam_mutations={"a": [1.0, 2.0]}
            ),
        )
    assert info.value.feature == "tune.scheduler.pbt" and "optuna" in info.value.suggestion
    with pytest.raises(UnsupportedFeatureError) as info:
        tune.run(
            "t.py", config={"a": 1.0}, scheduler=schedulers.PB2(metric="m", mode="min", hyperparam_bounds={"a": [0, 1]})
        )
    assert info.value.feature == "tune.scheduler.pb2" and info.value.suggestion


def test_unsupported_search_algorithms_name_status_and_nearest():
    from sweepbridge import compat

    for name in ("NevergradSearch", "SkOptSearch", "AxSearch", "TuneBOHB", "OptunaSearch", "ZOOptSearch", "HEBOSearch"):
        with pytest.raises(UnsupportedFeatureError) as info:  # OptunaSearch: when W&B's engine is the target
            tune.run("t.py", config={"a": 1.0}, search_alg=getattr(tune.search, name)(metric="m", mode="min"))
        row = compat.row(info.value.feature)
        assert info.value.status == "unsupported" and "bayes" in info.value.suggestion
        assert row.beta == (
            "planned" if name in ("NevergradSearch", "SkOptSearch", "AxSearch", "TuneBOHB") else "not listed"
        )


def test_concurrency_limiter_and_bayesopt_and_names():
    inner = tune.search.BayesOptSearch(metric="m", mode="max")
    with pytest.warns(ApproximationWarning, match="max_concurrent=4"):
        cfg = tune.run("t.py", config={"a": tune.uniform(0, 1)}, search_alg=tune.search.ConcurrencyLimiter(inner, 4))
    assert cfg["method"] == "bayes"
    assert (
        quiet(tune.run, "t.py", config={"a": tune.uniform(0, 1)}, search_alg="hyperopt", metric="m", mode="min")[
            "method"
        ]
        == "bayes"
    )
    assert tune.run("t.py", config={"a": tune.uniform(0, 1)}, search_alg="variant_generator")["method"] == "random"


def test_log_integer_under_bayes_refused_unless_approximate():
    search = tune.search.HyperOptSearch(metric="m", mode="min")
    config = {"units": tune.lograndint(1, 100)}
    with pytest.raises(UnsupportedFeatureError, match="bayes") as info:
        quiet(tune.run, "t.py", config=config, search_alg=search)
    assert info.value.path == "units"
    with pytest.warns(ApproximationWarning, match="total variation"):
        cfg = tune.run("t.py", config=config, search_alg=search, allow_approximate=True)
    assert cfg["parameters"]["units"]["distribution"] == "q_log_uniform_values"
    assert set(cfg.approximations) == {"units"}


@needs("ray")
def test_large_log_integer_support_refused_then_opt_in():
    """W&B's engine refuses over 1,000 values (pointing to the Optuna engine, exact there); the domain itself
    is Ray's rule, whatever the engine."""
    for translate in (lambda c: tune.run("t.py", config=c), lambda c: to_sweep(c)):
        with pytest.raises(UnsupportedFeatureError, match="1,000") as info:
            translate({"a": tune.lograndint(1, 5000)})
        assert info.value.path == "a" and "--engine optuna" in str(info.value)
    assert tune.run("t.py", config={"a": tune.lograndint(1, 5000)}, engine="optuna", metric="m", mode="min")
    from ray import tune as ray_tune

    with pytest.raises(UnsupportedFeatureError):
        tune.run("t.py", config={"a": ray_tune.qlograndint(10, 100_000, 10)})
    with pytest.warns(ApproximationWarning):
        real = tune.run("t.py", config={"a": ray_tune.qlograndint(10, 100_000, 10)}, allow_approximate=True)
    with pytest.warns(ApproximationWarning):
        mirror = tune.run("t.py", config={"a": tune.qlograndint(10, 100_000, 10, allow_approximate=True)})
    assert real == mirror and real.approximations == mirror.approximations


@needs("ray")
def test_sample_from_suggests_a_domain_and_names_the_path():
    from ray import tune as ray_tune

    for sample_from in (tune.sample_from, ray_tune.sample_from):
        domain = sample_from(lambda spec: 2 ** __import__("numpy").random.randint(1, 6))
        with pytest.raises(UnsupportedFeatureError) as info:
            tune.run("t.py", config={"m": {"alpha": domain}})
        assert info.value.path == "m.alpha" and str(info.value).startswith("m.alpha: ")
        assert info.value.feature == "tune.sample_from"
        assert "tune.choice([2, 4, 8, 16, 32])" in info.value.suggestion


@needs("ray")
def test_rays_bound_rules_are_spec_errors():
    from ray import tune as ray_tune

    for op, args in [("quniform", (0.5, 10, 2)), ("qloguniform", (1, 10, 3)), ("loguniform", (0, 1))]:
        with pytest.raises(ValueError):
            getattr(ray_tune, op)(*args)
        with pytest.raises(SpecError, match="divisible|greater than 0"):
            getattr(tune, op)(*args)
    with pytest.raises(SpecError, match="no multiple"):
        tune.qrandint(1, 4, 5)
    with pytest.raises(SpecError, match="lower < upper"):
        tune.randint(3, 3)


@needs("ray")
def test_real_ray_searchers_and_schedulers_equal_mirrors():
    from ray.tune.schedulers import ASHAScheduler, FIFOScheduler, HyperBandScheduler, MedianStoppingRule
    from ray.tune.search import BasicVariantGenerator, ConcurrencyLimiter
    from ray.tune.search.hyperopt import HyperOptSearch

    config = {"a": tune.uniform(0, 1), "b": tune.choice(["x", "y"])}
    pairs = [
        (
            dict(scheduler=ASHAScheduler(metric="m", mode="min", grace_period=3, reduction_factor=2, max_t=40)),
            dict(
                scheduler=schedulers.ASHAScheduler(metric="m", mode="min", grace_period=3, reduction_factor=2, max_t=40)
            ),
        ),
        (
            dict(scheduler=HyperBandScheduler(metric="m", mode="max", max_t=27)),
            dict(scheduler=schedulers.HyperBandScheduler(metric="m", mode="max", max_t=27)),
        ),
        (dict(scheduler=FIFOScheduler()), dict(scheduler=schedulers.FIFOScheduler())),
        (dict(search_alg=BasicVariantGenerator()), dict(search_alg=tune.search.BasicVariantGenerator())),
        (
            dict(search_alg=ConcurrencyLimiter(HyperOptSearch(metric="m", mode="min"), 2)),
            dict(search_alg=tune.search.ConcurrencyLimiter(tune.search.HyperOptSearch(metric="m", mode="min"), 2)),
        ),
    ]
    for real, mirror in pairs:
        assert quiet(tune.run, "t.py", config=config, **real) == quiet(tune.run, "t.py", config=config, **mirror)
    with pytest.raises(UnsupportedFeatureError, match="MedianStoppingRule"):
        tune.run("t.py", config=config, scheduler=MedianStoppingRule(metric="m", mode="min"))


@needs("ray")
def test_real_tune_and_run_configs_are_read():
    from ray import tune as ray_tune

    space = {"a": tune.uniform(0, 1)}
    ours = tune.Tuner(
        "t.py",
        param_space=space,
        tune_config=ray_tune.TuneConfig(metric="m", mode="min", num_samples=5),
        run_config=ray_tune.RunConfig(name="exp"),
    )
    assert ours.to_sweep() == tune.run("t.py", config=space, metric="m", mode="min", num_samples=5, name="exp")


DOMAINS = st.one_of(
    st.tuples(st.integers(-50, 50), st.integers(1, 50)).map(lambda t: tune.uniform(t[0], t[0] + t[1])),
    st.tuples(st.integers(-50, 50), st.integers(1, 50)).map(lambda t: tune.randint(t[0], t[0] + t[1])),
    st.tuples(st.integers(1, 50), st.integers(1, 50), st.integers(1, 5)).map(
        lambda t: tune.qrandint(t[0], t[0] + t[1] + t[2], t[2])
    ),
    st.tuples(st.integers(1, 30), st.integers(1, 60)).map(lambda t: tune.lograndint(t[0], t[0] + t[1])),
    st.lists(st.one_of(st.integers(), st.text(max_size=5), st.none()), min_size=1, max_size=4).map(tune.choice),
    st.floats(-1e6, 1e6),
)
NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    space=st.dictionaries(NAMES, DOMAINS, min_size=1, max_size=4),
    num_samples=st.integers(1, 50),
    metric=st.sampled_from([None, ("loss", "min"), ("acc", "max")]),
    scheduler=st.sampled_from([None, "asha", "hyperband", "fifo"]),
    name=st.one_of(st.none(), NAMES),
)
def test_tuner_to_sweep_equals_tune_run(space, num_samples, metric, scheduler, name):
    m, mode = metric or (None, None)
    if scheduler and m is None:
        m, mode = "loss", "min"
    sched = {
        None: None,
        "fifo": schedulers.FIFOScheduler(),
        "asha": schedulers.ASHAScheduler(grace_period=2),
        "hyperband": schedulers.HyperBandScheduler(max_t=27),
    }[scheduler]
    run = quiet(
        tune.run, "train.py", config=space, num_samples=num_samples, metric=m, mode=mode, scheduler=sched, name=name
    )
    tuner = tune.Tuner(
        "train.py",
        param_space=space,
        tune_config=tune.TuneConfig(metric=m, mode=mode, num_samples=num_samples, scheduler=sched),
        run_config=tune.RunConfig(name=name),
    )
    assert quiet(tuner.to_sweep) == run
    assert run["run_cap"] == num_samples


OPS = ["uniform", "quniform", "loguniform", "qloguniform", "randint", "qrandint", "lograndint", "qlograndint"]
ARGS = st.one_of(st.integers(-5, 40), st.floats(-5, 40), st.sampled_from([0, 0.5, "x", None]))


@needs("ray")
@settings(max_examples=60, deadline=None)
@given(op=st.sampled_from([*OPS, "randn", "qrandn"]), args=st.lists(ARGS, min_size=2, max_size=3))
def test_malformed_domains_raise_only_our_errors_and_mirror_ray(op, args):
    from ray import tune as ray_tune

    arity = 3 if op in ("quniform", "qloguniform", "qrandint", "qlograndint", "qrandn") else 2
    args = (args + [1])[:arity]
    try:
        ours = tune.run("t.py", config={"p": getattr(tune, op)(*args)})
    except SweepBridgeError as exc:
        assert str(exc)
        return
    try:  # we accepted it: Ray accepts it too, and translates to the same config
        real = getattr(ray_tune, op)(*args)
    except Exception:
        pytest.fail(f"Ray rejects tune.{op}{tuple(args)} which we accepted")
    assert tune.run("t.py", config={"p": real}) == ours
