"""The searcher and scheduler homes (tune/search/*, tune/schedulers/*) and the registry built from them:
each home's defaults are Ray's, its Ray names and class are Ray's, its rows exist, and what one engine's
mapping writes its reverse mapping reads back."""

from __future__ import annotations

import importlib
import inspect

import pytest

from sweepbridge import compat, tune_beta
from sweepbridge.tune import registry
from sweepbridge.tune.schedulers.trial_scheduler import Refused as RefusedScheduler
from sweepbridge.tune.search.searcher import Refused as RefusedSearcher

HOMES = [*registry.SEARCHERS, *registry.SCHEDULERS]
NOT_MIRRORED = {"resource_changing"}
"""Ray's create_scheduler names sweepbridge has no mirror for (ResourceChangingScheduler changes trial resources,
which have no sweep meaning); `tune.run(scheduler="resource_changing")` is an unknown-name SpecError."""


def _ray_class(home: type) -> type:
    pytest.importorskip("ray.tune")
    try:
        module = importlib.import_module(home.ray_module)
    except ModuleNotFoundError:  # e.g. SkOptSearch: in the 2020 beta's Ray, gone from today's
        pytest.skip(f"this Ray has no {home.ray_module}")
    return getattr(module, home.__name__)


@pytest.mark.parametrize("home", [h for h in HOMES if h.ray_module], ids=lambda h: h.__name__)
def test_each_home_names_rays_class_and_takes_rays_defaults(home):
    """One defaults table per home, equal to Ray's signature for every option they share."""
    ray = _ray_class(home)
    if issubclass(home, (RefusedSearcher, RefusedScheduler)) or home is registry.ConcurrencyLimiter:
        return  # refused when built / nothing to default
    ours = home.defaults
    theirs = {n: p.default for n, p in inspect.signature(ray.__init__).parameters.items() if p.default is not p.empty}
    shared = set(ours) & set(theirs)
    assert shared or not ours, f"{home.__name__}: no option in common with Ray's signature"
    assert {n: ours[n] for n in shared} == {n: theirs[n] for n in shared}
    legacy = set(ours) - set(theirs)
    assert legacy <= {"max_concurrent", "use_early_stopped_trials", "reward_attr"}, legacy  # Ray < 2's keywords


def test_rays_create_names_are_all_registered():
    ray_search = pytest.importorskip("ray.tune.search")
    ray_schedulers = pytest.importorskip("ray.tune.schedulers")
    assert set(ray_search.SEARCH_ALG_IMPORT) <= set(registry.SEARCHER_NAMES)
    assert set(ray_schedulers.SCHEDULER_IMPORT) - NOT_MIRRORED <= set(registry.SCHEDULER_NAMES)


def test_the_registry_is_derived_from_the_homes():
    for table, attr in ((registry.SEARCHER_NAMES, "names"), (registry.SCHEDULER_NAMES, "names")):
        for name, home in table.items():
            assert name in getattr(home, attr)
    assert registry.BETA_SEARCHERS["hyperopt.HyperOptSearch"] is registry.HyperOptSearch
    assert registry.BETA_SCHEDULERS["ASHAScheduler"] is registry.AsyncHyperBandScheduler
    assert set(registry.RAY_IMPORTS) == {h.__name__ for h in HOMES if h.ray_module}


def test_the_beta_reads_its_searchers_and_schedulers_from_the_homes():
    """The 2020 beta's compat table: seven searchers, and its schedulers by class name."""
    assert set(registry.BETA_SEARCHERS) == {
        "hyperopt.HyperOptSearch", "bayesopt.BayesOptSearch", "basic_variant.BasicVariantGenerator",
        "nevergrad.NevergradSearch", "skopt.SkOptSearch", "ax.AxSearch", "bohb.TuneBOHB",
    }  # fmt: skip
    doc = {"program": "p.py", "tune": {"config": {"x": {"tune.uniform": {"low": 0, "high": 1}}},
                                       "search_alg": "nosuch.Search"}}  # fmt: skip
    with pytest.raises(Exception, match="known here: " + ", ".join(sorted(registry.BETA_SEARCHERS))):
        tune_beta.convert(doc)


@pytest.mark.parametrize("home", [h for h in HOMES if getattr(h, "row", "")], ids=lambda h: h.__name__)
def test_each_homes_compat_row_exists(home):
    keys = {row.key for row in compat.compat_table()}
    assert home.row in keys


def test_a_missing_row_would_be_caught():
    assert "tune.search.nosuch" not in {row.key for row in compat.compat_table()}


SAMPLED = [
    (registry.HyperOptSearch(n_initial_points=7, gamma=0.3, random_state_seed=2), "HyperOptSearch"),
    (registry.OptunaSearch(seed=3), "OptunaSearch"),
    (registry.BayesOptSearch(random_state=4, random_search_steps=6), "BayesOptSearch"),
    (registry.BasicVariantGenerator(random_state=5), "BasicVariantGenerator"),
    (registry.TuneBOHB(seed=6), "OptunaSearch"),  # Optuna's TPE, which reads back as OptunaSearch
]


@pytest.mark.parametrize(("searcher", "back"), SAMPLED, ids=lambda x: getattr(x, "__class__", x).__name__)
def test_what_a_home_writes_the_registry_reads_back(searcher, back):
    spec, _ = searcher.sampler()
    call = registry.reverse_searcher(spec.as_data(), {}, {"metric": "loss", "mode": "min"})
    assert call.func == back
    kwargs = dict(call.kwargs)
    if back == type(searcher).__name__:  # the settings the sampler carries come back
        for ours, name in (("n_initial_points", "n_initial_points"), ("random_state", "random_state"),
                           ("seed", "seed"), ("random_state_seed", "random_state_seed")):  # fmt: skip
            if ours in searcher.options:
                assert kwargs[name] == searcher.options[ours]


def test_an_unseeded_random_sampler_is_rays_default_searcher():
    spec, _ = registry.BasicVariantGenerator().sampler()
    assert registry.reverse_searcher(spec.as_data(), {}, {}) is None


@pytest.mark.parametrize(
    ("scheduler", "back"),
    [
        (registry.AsyncHyperBandScheduler(grace_period=2, reduction_factor=3), "AsyncHyperBandScheduler"),
        (registry.HyperBandScheduler(max_t=27), "HyperBandScheduler"),
        (registry.HyperBandForBOHB(max_t=27), "HyperBandScheduler"),  # the same pruner
        (registry.MedianStoppingRule(time_attr="training_iteration", grace_period=3), "MedianStoppingRule"),
    ],
    ids=lambda x: getattr(x, "__class__", x).__name__,
)
def test_each_pruner_reads_back_as_its_scheduler(scheduler, back):
    spec, _ = scheduler.pruner()
    call = registry.reverse_scheduler(spec.as_data(), {"max_t": getattr(scheduler, "max_t", None)}, {})
    assert call.func == back


def test_hyperopt_searchs_default_comes_from_ray_through_every_path():
    """n_initial_points: Ray's default, read from a real HyperOptSearch, becomes the study's startup trials and
    comes back on the reverse path: written once, in the home's signature."""
    ray_hyperopt = pytest.importorskip("ray.tune.search.hyperopt")
    pytest.importorskip("hyperopt")
    default = inspect.signature(ray_hyperopt.HyperOptSearch).parameters["n_initial_points"].default
    mirror = registry.mirror_searcher(ray_hyperopt.HyperOptSearch())
    assert mirror.options["n_initial_points"] == default == registry.HyperOptSearch.defaults["n_initial_points"]
    spec, _ = mirror.sampler()
    assert dict(spec.kwargs)["n_startup_trials"] == default
    back = registry.reverse_searcher({**spec.as_data(), "kwargs": {}}, {}, {})  # a study that omits it
    assert dict(back.kwargs)["n_initial_points"] == default


def test_the_plan_is_read_once_for_every_engine():
    """tune.run's call becomes one Plan: the ConcurrencyLimiter unwrapped (nested ones too), metric and mode merged
    from the searcher inside it; each engine's emitter starts from that same Plan."""
    from sweepbridge import tune
    from sweepbridge.tune.translate import EMITTERS, build_plan

    inner = registry.HyperOptSearch(metric="loss", mode="min")
    limited = registry.ConcurrencyLimiter(registry.ConcurrencyLimiter(inner, 4), 2)
    plan = build_plan("p.py", None, {"x": tune.uniform(0, 1)}, {}, name=None, metric=None, mode=None, num_samples=3,
                      search_alg=limited, scheduler="fifo", allow_approximate=False)  # fmt: skip
    assert plan.searcher is inner and isinstance(plan.scheduler, registry.FIFOScheduler)
    assert (plan.metric, plan.mode) == ("loss", "min")
    assert [k for k, _ in plan.limiter_warnings] == ["tune.search.concurrency"] * 2
    assert set(EMITTERS) == {"wandb", "optuna", "ax"}
    native, native_notes = EMITTERS["wandb"](plan)  # what to warn comes back as notes, warned by translate
    custom, custom_notes = EMITTERS["optuna"](plan)
    assert native["method"] == "bayes" and custom["method"] == "custom"
    assert [k for k, _, _ in native_notes] == ["tune.search.hyperopt", *["tune.search.concurrency"] * 2]
    assert [k for k, _, _ in custom_notes] == [*["tune.search.concurrency"] * 2, "optuna.search.hyperopt"]
    assert native["metric"] == custom["metric"] == {"name": "loss", "goal": "minimize"}


def test_hebo_is_refused_with_the_measured_reason_and_the_way_out():
    """HEBO cannot be installed beside the test pins (numpy<2 for sweeps): the refusal says so and what to use."""
    from sweepbridge import UnsupportedFeatureError, tune

    with pytest.raises(UnsupportedFeatureError) as info:
        tune.run("t.py", config={"x": tune.uniform(0, 1)}, metric="m", mode="min", engine="optuna",
                 search_alg=tune.search.HEBOSearch())  # fmt: skip
    message = str(info.value)
    assert info.value.path == "search_alg" and info.value.feature == "tune.search.hebo"
    assert "numpy<1.25" in message and "longintrepr.h" in message
    assert "BayesOptSearch" in info.value.suggestion
