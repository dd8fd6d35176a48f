"""NevergradSearch under engine="optuna" (tune/search/nevergrad.py, backends/asktell_source.py): the generated
sampler drives nevergrad's own optimizer, so wandb's own optimizer asks what Ray's NevergradSearch suggests, bit
for bit (same seed, same told results); what Ray's converter distorts is refused; Ray's real object and the mirror
translate alike; it beats random search on Branin; `sweepbridge run` runs it end to end."""

from __future__ import annotations

import json
import tempfile

import pytest
from asktell_oracle import (
    BRANIN,
    median_best,
    objective,
    ray_suggestions,
    space,
    translate,
    typed,
    wandb_suggestions,
)

from sweepbridge import SpecError, UnsupportedFeatureError, tune

optuna = pytest.importorskip("optuna")
ng = pytest.importorskip("nevergrad")
np = pytest.importorskip("numpy")
NevergradSearchRay = pytest.importorskip("ray.tune.search.nevergrad").NevergradSearch


@pytest.fixture(autouse=True)
def _quiet_optuna():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    yield


def _ray_searcher(optimizer, seed, mode="min", **options):
    """Ray's NevergradSearch, set up as tune.run sets it up, after np.random.seed(seed) (Ray's only way to seed
    nevergrad: it seeds its parametrization from numpy's global generator)."""
    from ray import tune as ray_tune
    from ray.tune.search.nevergrad import NevergradSearch

    np.random.seed(seed)
    searcher = NevergradSearch(optimizer=optimizer, metric="loss", mode=mode, **options)
    searcher.set_search_properties("loss", mode, space(ray_tune))
    return searcher


def _ours(optimizer, seed, mode="min", **options):
    search = tune.search.NevergradSearch(optimizer=optimizer, metric="loss", mode=mode, seed=seed, **options)
    return translate(search, space(tune))


CASES = [
    (ng.optimizers.OnePlusOne, "min"),
    (ng.optimizers.TwoPointsDE, "max"),
    (ng.optimizers.CMA, "min"),
]


@pytest.mark.parametrize(("optimizer", "mode"), CASES, ids=lambda c: getattr(c, "name", None) or str(c))
def test_first_ten_suggestions_are_rays_bit_for_bit(optimizer, mode):
    """Same seed, same told results: wandb's make_optimizer + ask_n_runs asks exactly what Ray's NevergradSearch
    suggests (values and Python types), for a space of every kind it carries, nested, with a constant."""
    ray = ray_suggestions(_ray_searcher(optimizer, 11, mode), objective)
    ours = wandb_suggestions(_ours(optimizer, 11, mode), objective)
    assert typed(ours) == typed(ray)
    assert len({json.dumps(c, sort_keys=True) for c in ours}) > 5  # the optimizer moved: not one point repeated


def test_points_to_evaluate_come_first_as_in_ray():
    """Ray suggests the points to nevergrad in reverse order (it asks them last in, first out): the same here."""
    points = [{"x": 1.0, "n/k": 3, "n/lr": 0.01, "c": "b", "li": 20}, {"x": -2.0, "n/k": 9, "n/lr": 0.001,
                                                                         "c": "a", "li": 5}]  # fmt: skip
    ray = ray_suggestions(_ray_searcher(ng.optimizers.OnePlusOne, 4, points_to_evaluate=points), objective)
    ours = wandb_suggestions(_ours(ng.optimizers.OnePlusOne, 4, points_to_evaluate=points), objective)
    assert typed(ours) == typed(ray)
    assert ours[0]["x"] == 1.0 and ours[0]["c"] == "b" and ours[1]["n"]["k"] == 9  # the points, in order
    assert ours[0]["n"]["lr"] == pytest.approx(0.01, rel=1e-15)  # nevergrad's Log rounds through its log scale


def test_optimizer_kwargs_and_a_configured_optimizer_are_carried():
    family = ng.families.ParametrizedOnePlusOne(mutation="cauchy")
    kwargs = {"budget": 30, "num_workers": 1}
    ray = ray_suggestions(_ray_searcher(family, 2, optimizer_kwargs=kwargs), objective)
    cfg = _ours(family, 2, optimizer_kwargs=kwargs)
    assert '"family": "ParametrizedOnePlusOne"' in cfg.scheduler_source and '"budget": 30' in cfg.scheduler_source
    assert typed(wandb_suggestions(cfg, objective)) == typed(ray)
    by_name = translate(tune.search.NevergradSearch(optimizer="OnePlusOne", metric="loss", mode="min", seed=2),
                        space(tune))  # fmt: skip
    assert by_name.scheduler_source == _ours(ng.optimizers.OnePlusOne, 2).scheduler_source


def test_real_ray_objects_and_the_mirror_translate_alike():
    from ray import tune as ray_tune
    from ray.tune.search.nevergrad import NevergradSearch

    options = {"optimizer": ng.optimizers.TwoPointsDE, "optimizer_kwargs": {"budget": 40}, "metric": "loss",
               "mode": "max", "points_to_evaluate": [{"x": 0.5, "y": 1.0}]}  # fmt: skip
    branin_ray = {"x": ray_tune.uniform(-5, 10), "y": ray_tune.uniform(0, 15)}
    real = translate(NevergradSearch(**options), branin_ray)
    mirror = translate(tune.search.NevergradSearch(**options), BRANIN)
    assert real == mirror and real.scheduler_source == mirror.scheduler_source
    assert '"seed": null' in real.scheduler_source  # Ray's NevergradSearch has no seed: nevergrad's own, as in Ray
    # a real searcher given the space holds only Ray's nevergrad conversion of it: read back (checked exact), it
    # builds the same optimizer; the runs get what Ray's trials get, the suggestion alone (Ray drops the constant)
    held = translate(NevergradSearch(space=space(ray_tune), **{**options, "points_to_evaluate": None}))
    given = translate(tune.search.NevergradSearch(**{**options, "points_to_evaluate": None}), space(tune))
    assert _spec(held)["sampler"] == _spec(given)["sampler"]
    assert [k for k, _ in _spec(held)["space"]["fields"]] == ["x", "c", "li", "n"]  # Ray's unflattened order
    # an optimizer instance: its name, budget and num_workers, over its own parametrization (Ray's conversion)
    instance = ng.optimizers.OnePlusOne(NevergradSearch.convert_search_space(space(ray_tune)), budget=12)
    read = translate(NevergradSearch(optimizer=instance, metric="loss", mode="min"))
    assert '"optimizer": "OnePlusOne"' in read.scheduler_source and '"budget": 12' in read.scheduler_source
    mirrored = translate(tune.search.NevergradSearch(optimizer=instance, metric="loss", mode="min"))
    assert mirrored.scheduler_source == read.scheduler_source
    instance.ask()
    with pytest.raises(SpecError, match="already asked"):
        tune.search.NevergradSearch(optimizer=instance, metric="loss", mode="min")
    for other in (ng.p.Scalar(lower=0, upper=1).set_mutation(sigma=0.01), ng.p.Scalar(init=0.2, lower=0, upper=1)):
        searcher = NevergradSearch(optimizer=ng.optimizers.OnePlusOne(ng.p.Dict(x=other)), metric="loss", mode="min")
        with pytest.raises(SpecError, match="not Ray's conversion"):  # mutation or start not Ray's
            translate(searcher)


def _spec(cfg):
    """The SPEC the generated file embeds (read without running the file)."""
    return json.loads(cfg.scheduler_source.split('r"""', 1)[1].split('"""', 1)[0])


def test_the_file_states_and_checks_its_requirements():
    cfg = _ours(ng.optimizers.OnePlusOne, 1)
    header = cfg.scheduler_source.split('"""')[1]
    assert "pip install optuna nevergrad numpy" in header
    assert "ray" not in cfg.scheduler_source.replace("array", "").lower().split("spec = ")[0]
    assert "import ray" not in cfg.scheduler_source and "sweepbridge." not in cfg.scheduler_source
    assert "optuna.pruners.NopPruner()" in cfg.scheduler_source
    assert "early_terminate" not in cfg and "controller" not in cfg
    missing = cfg.scheduler_source.replace('["nevergrad", "numpy"]', '["nevergrad_not_installed_here", "numpy"]')
    namespace: dict = {}
    exec(compile(missing, "sweep_scheduler.py", "exec"), namespace)

    class Sweep:
        id, config = "s", dict(cfg)

    with pytest.raises(ImportError, match="nevergrad_not_installed_here on the scheduler's machine: pip install"):
        namespace["optimizer"](Sweep())


DISTORTED = [
    ({"q": tune.quniform(0, 1, 0.1)}, "q", "quantization"),
    ({"q": tune.qloguniform(1e-3, 1, 1e-3)}, "q", "quantization"),
    ({"a": {"q": tune.qrandint(0, 10, 2)}}, "a.q", "quantization"),
    ({"q": tune.qlograndint(2, 64, 2)}, "q", "quantization"),
    ({"n": tune.randn(0, 2)}, "n", "unbounded"),
    ({"c": tune.choice([{"lr": tune.uniform(0, 1)}, 3])}, "c", "conditional"),
]


@pytest.mark.parametrize(("config", "path", "words"), DISTORTED, ids=[p for _, p, _ in DISTORTED])
def test_what_rays_converter_distorts_is_refused_by_path(config, path, words):
    search = tune.search.NevergradSearch(optimizer="OnePlusOne", metric="loss", mode="min")
    with pytest.raises(UnsupportedFeatureError, match=words) as caught:
        translate(search, config)
    assert caught.value.path == path


@pytest.mark.parametrize(
    ("options", "config", "words"),
    [
        ({}, BRANIN, "needs optimizer="),
        ({"optimizer": "OnePlusOn"}, BRANIN, "nearest: OnePlusOne"),
        ({"optimizer": "OnePlusOne"}, {"l": [tune.uniform(0, 1)]}, "inside a list"),
        ({"optimizer": "OnePlusOne"}, {"g": tune.grid_search([1, 2])}, "grid_search"),
        ({"optimizer": "OnePlusOne", "points_to_evaluate": [{"x": 1.0}]}, BRANIN, "exactly the keys"),
        ({"optimizer": "OnePlusOne", "points_to_evaluate": [{"x": 1.0, "y": 99.0}]}, BRANIN, r"not a number in"),
        ({"optimizer": "OnePlusOne", "optimizer_kwargs": {"budgett": 3}}, BRANIN, "nevergrad refuses .*budgett"),
    ],
)
def test_what_ray_fails_on_is_a_spec_error(options, config, words):
    with pytest.raises(SpecError, match=words):
        translate(tune.search.NevergradSearch(metric="loss", mode="min", **options), config)


def test_wandbs_own_engine_still_refuses_it():
    with pytest.raises(UnsupportedFeatureError, match="engine='optuna'"):
        tune.run("t.py", config=BRANIN, search_alg=tune.search.NevergradSearch(optimizer="OnePlusOne"),
                 metric="loss", mode="min")  # fmt: skip


def test_a_replayed_run_is_told_to_nevergrad():
    """W&B's scheduler replays earlier runs when it restarts (enqueued configs): the sampler tells nevergrad each
    such point, as a point it did not propose."""
    from engine import scheduler_optimizer
    from wandb.sdk.sweeps.run_state import RunState
    from wandb.sdk.sweeps.scheduler.optimizer import RunConfig, RunWithMetrics

    cfg = translate(tune.search.NevergradSearch(optimizer="OnePlusOne", metric="loss", mode="min", seed=0), BRANIN)
    with tempfile.TemporaryDirectory() as folder:
        optimizer = scheduler_optimizer(dict(cfg), cfg.scheduler_source, folder)
        library = optimizer.study.sampler._library._optimizer
        run = RunWithMetrics(RunConfig.from_values({"x": 3.0, "y": 2.0}), RunState.FINISHED, "r", {"loss": 0.5}, [])
        optimizer.tell_existing_finished_run(run)
        assert library.num_tell == 1 and library.num_ask == 0
        assert optimizer.study.trials[0].params == {"x": 3.0, "y": 2.0}


def test_beats_random_search_on_branin():
    """Median over 5 seeds of the best Branin value after 30 runs through wandb's optimizer."""
    budget = 30
    ng_median, ng_values = median_best(
        lambda seed: tune.search.NevergradSearch(optimizer="OnePlusOne", metric="loss", mode="min", seed=seed),
        budget=budget,
    )
    rnd_median, rnd_values = median_best(lambda seed: tune.search.BasicVariantGenerator(random_state=seed),
                                         budget=budget)  # fmt: skip
    print(f"median best after {budget} runs: nevergrad OnePlusOne {ng_median:.4f} {ng_values}, "
          f"random {rnd_median:.4f} {rnd_values}")  # fmt: skip
    assert ng_median < rnd_median


def test_a_generated_study_reads_back_to_rays_nevergrad_search(tmp_path):
    """reverse: the study's sampler → Ray's NevergradSearch with the same optimizer, kwargs and points, built for
    real; translated again it makes the same nevergrad optimizer (Ray's takes no seed: the mirror's is dropped)."""
    from sweepbridge import reverse
    from sweepbridge.backends import calls
    from sweepbridge.tune.registry import RAY_IMPORTS

    family = ng.families.DifferentialEvolution(crossover="twopoints")
    options = {"optimizer_kwargs": {"budget": 20}, "metric": "loss", "mode": "max",
               "points_to_evaluate": [{"x": 1.0, "y": 2.0}]}  # fmt: skip
    for optimizer in ("TwoPointsDE", family):
        cfg = translate(tune.search.NevergradSearch(optimizer=optimizer, seed=3, **options), BRANIN)
        cfg.save(tmp_path / "sweep.yaml")
        spec = reverse.to_tune(tmp_path / "sweep.yaml")
        real = calls.build(spec.search_alg, calls.namespace(calls.names(spec.search_alg), RAY_IMPORTS))
        assert type(real).__module__.startswith("ray.tune.search.nevergrad")
        back = translate(real, spec.param_space)
        assert _spec(back)["sampler"]["library"] == {**_spec(cfg)["sampler"]["library"], "seed": None}
    skopt_cfg = translate(tune.search.SkOptSearch(metric="loss", mode="min"), BRANIN)
    skopt_cfg.save(tmp_path / "skopt.yaml")
    with pytest.raises(SpecError, match="removed in 2024"):
        reverse.to_tune(tmp_path / "skopt.yaml")


EXPERIMENT = """
import math

from sweepbridge import tune


def branin_fn(config):
    x, y = config["x"], config["y"]
    value = (y - 5.1 / (4 * math.pi**2) * x**2 + 5 / math.pi * x - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x)
    tune.report({"loss": value + 10})


sweep = tune.run(branin_fn, config={"x": tune.uniform(-5, 10), "y": tune.uniform(0, 15)}, num_samples=4,
                 metric="loss", mode="min", engine="optuna",
                 search_alg=tune.search.NevergradSearch(optimizer="OnePlusOne", seed=1))
"""


@pytest.mark.slow
def test_sweepbridge_run_runs_it_end_to_end(tmp_path):
    """`sweepbridge run exp.py`: the Ray experiment translated, its generated source loaded by wandb's
    make_optimizer, four trial processes; the runs get exactly what nevergrad asked (the same seed in-process)."""
    import subprocess
    import sys

    (tmp_path / "exp.py").write_text(EXPERIMENT)
    command = [sys.executable, "-m", "sweepbridge", "run", "exp.py", "--out", "out", "--interpreter", sys.executable]
    proc = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = [json.loads(line) for line in (tmp_path / "out" / "results.jsonl").read_text().splitlines()]
    assert [r["state"] for r in results] == ["finished"] * 4
    search = tune.search.NevergradSearch(optimizer="OnePlusOne", metric="loss", mode="min", seed=1)
    from asktell_oracle import branin

    expected = wandb_suggestions(translate(search, BRANIN, num_samples=4), lambda c: branin(**c), n=4)
    assert [r["config"] for r in results] == expected
    assert [r["metric"] for r in results] == pytest.approx([branin(**c) for c in expected])


def test_choices_of_any_values_and_bounds_as_ray_gives_them():
    """Choices Optuna cannot take as themselves (lists, None, mixed types) are drawn by index, and come back as
    the values Ray's nevergrad Choice returns; float bounds stay floats."""
    from ray import tune as ray_tune

    def mixed(t):
        return {"c": t.choice([[1, 2], None, "a", 3]), "x": t.uniform(0.5, 2.5)}

    def loss(c):
        return c["x"] + {"[1, 2]": 0.0, "None": 1.0, "'a'": 2.0, "3": 3.0}[repr(c["c"])]

    np.random.seed(8)
    searcher = NevergradSearchRay(optimizer=ng.optimizers.TwoPointsDE, metric="loss", mode="min")
    searcher.set_search_properties("loss", "min", mixed(ray_tune))
    ray = ray_suggestions(searcher, loss, constants={})
    search = tune.search.NevergradSearch(optimizer=ng.optimizers.TwoPointsDE, metric="loss", mode="min", seed=8)
    ours = wandb_suggestions(translate(search, mixed(tune)), loss)
    assert typed(ours) == typed(ray)
    assert {repr(c["c"]) for c in ours} >= {"[1, 2]", "None"}


def test_an_exact_translation_warns_nothing():
    import warnings

    from sweepbridge import ApproximationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", ApproximationWarning)
        for search in (tune.search.NevergradSearch(optimizer="OnePlusOne"), tune.search.SkOptSearch()):
            tune.run("t.py", config=BRANIN, metric="loss", mode="min", search_alg=search, engine="optuna")
