"""engine="optuna": BayesOptSearch → Optuna's GPSampler (mirror and real Ray object), GP against random search
on Branin through W&B's own optimizer, Ray's float-only restriction, the round trip, and no FutureWarning from
the TPE path (hyperopt's gamma)."""

from __future__ import annotations

import importlib.metadata
import statistics
import sys
import tempfile
import warnings

import pytest
from test_optuna_engine import _optimizer, branin_runs

from sweepbridge import ApproximationWarning, SpecError, UnsupportedFeatureError, reverse, to_sweep, tune

optuna = pytest.importorskip("optuna")
pytest.importorskip("torch")
pytest.importorskip("scipy")
from hyperopt import hp  # noqa: E402

BRANIN = {"x": tune.uniform(-5, 10), "y": tune.uniform(0, 15)}
BRANIN_MIN = 0.397887


@pytest.fixture(autouse=True)
def _quiet_optuna():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    yield


def _gp_sweep(seed: int, steps: int = 5, **kwargs):
    search = tune.search.BayesOptSearch(metric="loss", mode="min", random_state=seed, random_search_steps=steps,
                                        **kwargs)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        return tune.run("t.py", config=BRANIN, num_samples=20, search_alg=search, engine="optuna")


def _random_sweep(seed: int):
    search = tune.search.BasicVariantGenerator(random_state=seed)
    return tune.run("t.py", config=BRANIN, num_samples=20, metric="loss", mode="min", search_alg=search,
                    engine="optuna")  # fmt: skip


@pytest.mark.slow
def test_gp_beats_random_search():
    """Median over 5 seeds of the best Branin value after 15 runs (5 random, then 10 GP suggestions)."""
    budget = 15
    gp = [min(v for _, v in branin_runs(_gp_sweep(seed), budget)) for seed in range(5)]
    rnd = [min(v for _, v in branin_runs(_random_sweep(seed), budget)) for seed in range(5)]
    print(f"median best after {budget} runs: GP {statistics.median(gp):.4f}, random {statistics.median(rnd):.4f} "
          f"(optimum {BRANIN_MIN}); GP {gp}, random {rnd}")  # fmt: skip
    assert statistics.median(gp) < statistics.median(rnd)


@pytest.mark.slow
def test_seeded_runs_are_reproducible():
    """Same seed: the same configs, the startup runs and the GP's suggestions after them; another seed differs."""
    first, again, other = (branin_runs(_gp_sweep(seed, steps=3), 6) for seed in (7, 7, 8))
    assert first == again
    assert [c for c, _ in first[3:]] != [c for c, _ in other[3:]]


def _warned(search, config=BRANIN, **run):
    """tune.run(config=BRANIN, search_alg=search, engine="optuna") and the text of its ApproximationWarnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ApproximationWarning)
        cfg = tune.run("t.py", config=config, search_alg=search, engine="optuna", **run)
    return cfg, " ".join(str(w.message) for w in caught if issubclass(w.category, ApproximationWarning))


def test_mirror_and_real_bayesopt_search_translate_alike():
    pytest.importorskip("bayes_opt")
    # Ray's BayesOptSearch needs bayes_opt.UtilityFunction (1.x); nevergrad pins 1.4.0, which has no __version__
    assert importlib.metadata.version("bayesian-optimization").split(".")[0] == "1"
    from ray.tune.search.bayesopt import BayesOptSearch

    options = {"random_state": 3, "random_search_steps": 4, "points_to_evaluate": [{"x": 1.5, "y": 2.0}],
               "utility_kwargs": {"kind": "ei", "kappa": 2.576, "xi": 0.01}, "patience": 9}  # fmt: skip
    built = []
    for searcher in (tune.search.BayesOptSearch, BayesOptSearch):
        search = searcher(metric="loss", mode="max", **options)
        built.append(_warned(search, num_samples=9))
    (cfg, text), (real, real_text) = built
    assert real == cfg and real.scheduler_source == cfg.scheduler_source and real_text == text
    for words in ("GPSampler", "UCB", "log expected improvement", "Matern", "patience=9", "'kind': 'ei'", "torch"):
        assert words in text
    assert "optuna.samplers.GPSampler(seed=3, n_startup_trials=4)" in cfg.scheduler_source
    assert "torch and scipy" in cfg.scheduler_source.split('"""')[1]  # the header says what the machine needs
    assert cfg["metric"] == {"name": "loss", "goal": "maximize"}
    with tempfile.TemporaryDirectory() as folder:
        optimizer = _optimizer(cfg, folder)
        sampler = optimizer.study.sampler
        assert type(sampler).__name__ == "GPSampler" and sampler._n_startup_trials == 4
        assert sampler._rng.rng.random() == optuna.samplers.GPSampler(seed=3)._rng.rng.random()  # the seed carried
        assert optimizer.ask_n_runs(1)[0].config.flat_dict() == {"x": 1.5, "y": 2.0}  # the point first

    default, default_text = _warned(BayesOptSearch(metric="m", mode="min"))
    assert "GPSampler(seed=42, n_startup_trials=10)" in default.scheduler_source  # Ray's defaults
    assert "Not carried" not in default_text


def test_a_real_bayesopt_search_holding_its_space_reads_ray_s_conversion():
    """Ray converts the space given to BayesOptSearch to bayes_opt's bounds with flat names ({"b/c": (0, 15)}) and
    nests each suggestion again: read back, it translates as the space given through config= does."""
    pytest.importorskip("bayes_opt")
    from ray import tune as ray_tune
    from ray.tune.search.bayesopt import BayesOptSearch

    def space(t):
        return {"x": t.uniform(-5, 10), "b": {"c": t.uniform(0, 15)}}  # a constant here fails in bayes_opt

    real, _ = _warned(BayesOptSearch(space(ray_tune), metric="m", mode="min", random_state=1), config=None)
    mirror, _ = _warned(tune.search.BayesOptSearch(space(tune), metric="m", mode="min", random_state=1), config=None)
    given, _ = _warned(tune.search.BayesOptSearch(metric="m", mode="min", random_state=1), config=space(tune))
    assert real == mirror == given
    assert real.scheduler_source == mirror.scheduler_source == given.scheduler_source
    with tempfile.TemporaryDirectory() as folder:
        (run,) = _optimizer(real, folder).ask_n_runs(1)
    assert set(run.config.flat_dict()) == {"x", "b"} and set(run.config.flat_dict()["b"]) == {"c"}


def test_bayes_opt_bounds_space_is_ranges():
    """BayesOptSearch(space) in bayes_opt's format: each (low, high) pair is a range, as Ray passes it to bayes_opt."""
    search = tune.search.BayesOptSearch({"x": (-5, 10), "y": [0, 15]}, metric="loss", mode="min", random_state=2)
    cfg, _ = _warned(search, config=None)
    assert (
        cfg.scheduler_source
        == _warned(tune.search.BayesOptSearch(metric="loss", mode="min", random_state=2))[0].scheduler_source
    )


NON_FLOAT = [
    ({"a": {"b": tune.randint(0, 5)}}, "a.b", "Integer"),
    ({"x": tune.uniform(0, 1), "c": tune.choice(["p", "q"])}, "c", "Categorical"),
    ({"l": [3, {"m": tune.uniform(0, 1)}]}, "l[1].m", "inside a list"),
    ({"l": [tune.qrandint(1, 9, 2)]}, "l[0]", "Integer"),
    ({"lr": tune.loguniform(1e-4, 1e-1)}, "lr", "log scale"),
    ({"q": tune.quniform(0, 1, 0.1)}, "q", "quantization"),
    ({"n": tune.randn(0, 1)}, "n", "-inf"),
    ({"w": tune.lograndint(1, 100)}, "w", "lograndint"),
]


@pytest.mark.parametrize(("space", "path", "words"), NON_FLOAT)
def test_non_float_parameters_are_refused_as_ray_refuses_them(space, path, words):
    with pytest.raises(UnsupportedFeatureError) as info:
        tune.run("t.py", config=space, metric="m", mode="min", engine="optuna",
                 search_alg=tune.search.BayesOptSearch())  # fmt: skip
    assert info.value.feature == "optuna.search.bayesopt.space" and info.value.path == path
    assert words in str(info.value) and "tune.uniform" in info.value.suggestion


def test_ray_fails_on_the_same_integer_and_categorical_domains():
    """The oracle for the refusals above: Ray's own conversion raises ValueError for them (and grids)."""
    pytest.importorskip("bayes_opt")
    from ray import tune as ray_tune
    from ray.tune.search.bayesopt import BayesOptSearch

    for domain in (ray_tune.randint(0, 5), ray_tune.choice(["p", "q"]), ray_tune.grid_search([1, 2])):
        with pytest.raises(ValueError):
            BayesOptSearch.convert_search_space({"a": domain})
    assert BayesOptSearch.convert_search_space({"a": ray_tune.uniform(0, 1)}) == {"a": (0, 1)}
    with pytest.raises(SpecError, match="grid_search") as info:
        tune.run("t.py", config={"g": ray_tune.grid_search([1, 2]), "x": ray_tune.uniform(0, 1)}, metric="m",
                 mode="min", engine="optuna", search_alg=tune.search.BayesOptSearch())  # fmt: skip
    assert info.value.path == "g"


def test_points_take_rays_flat_keys_and_every_parameter():
    """Ray's BayesOptSearch registers a point with bayes_opt, whose names are flat ("b/c") and all required;
    the trial gets Ray's unflatten_dict of it. Nested or partial points fail in Ray: refused here."""
    unflatten_dict = pytest.importorskip("ray.tune.utils.util").unflatten_dict
    space = {"x": tune.uniform(0, 1), "b": {"c": tune.uniform(0, 2)}, "k": 3}
    point = {"x": 0.5, "b/c": 1.25}
    search = tune.search.BayesOptSearch(metric="m", mode="min", points_to_evaluate=[point])
    cfg, _ = _warned(search, config=space)
    with tempfile.TemporaryDirectory() as folder:
        first = _optimizer(cfg, folder).ask_n_runs(1)[0].config.flat_dict()
    assert first == {**unflatten_dict(point), "k": 3}
    for points, path, words in [
        ([point, {"x": 0.5}], "search_alg.points_to_evaluate[1]", r"leaves out b\.c"),
        ([{"x": 0.5, "b": {"c": 1.0}}], "search_alg.points_to_evaluate[0].b", "flat keys"),
    ]:
        with pytest.raises(SpecError, match=words) as info:
            _warned(tune.search.BayesOptSearch(metric="m", mode="min", points_to_evaluate=points), config=space)
        assert info.value.path == path
    bayes_opt = pytest.importorskip("bayes_opt")  # the oracle: bayes_opt needs every flat name
    optimizer = bayes_opt.BayesianOptimization(f=None, pbounds={"x": (0, 1), "b/c": (0, 2)}, verbose=0)
    for bad in ({"x": 0.5}, {"x": 0.5, "b": {"c": 1.0}}):
        with pytest.raises(ValueError, match="do not match"):
            optimizer.register(bad, 1.0)
    optimizer.register(point, 1.0)


def test_live_analysis_and_bad_steps_are_spec_errors():
    with pytest.raises(SpecError, match="analysis"):
        tune.run("t.py", config=BRANIN, metric="m", mode="min", engine="optuna",
                 search_alg=tune.search.BayesOptSearch(analysis=object()))  # fmt: skip
    with pytest.raises(SpecError, match="random_search_steps"):
        tune.run("t.py", config=BRANIN, metric="m", mode="min", engine="optuna",
                 search_alg=tune.search.BayesOptSearch(random_search_steps=2.5))  # fmt: skip


def test_round_trip_to_ray_bayesopt_search(tmp_path):
    pytest.importorskip("bayes_opt")
    cfg = _gp_sweep(5, steps=6, points_to_evaluate=[{"x": 0.0, "y": 1.0}])
    cfg.save(tmp_path / "sweep.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        spec = reverse.to_tune(tmp_path / "sweep.yaml")
        real = spec.tune_config().search_alg
        assert type(real).__name__ == "BayesOptSearch" and type(real).__module__.startswith("ray.")
        assert (real._random_state, real.random_search_trials, real._points_to_evaluate) == (5, 6, [{"x": 0, "y": 1}])
        again = tune.run("t.py", config=spec.param_space, num_samples=spec.num_samples, search_alg=real,
                         engine="optuna")  # fmt: skip
        assert "BayesOptSearch(" in reverse.render_python(cfg, "tune")
    assert again == cfg and again.scheduler_source == cfg.scheduler_source


@pytest.mark.slow
def test_tpe_path_gives_no_future_warning():
    """hyperopt's gamma is passed to TPESampler (exact settings); optuna's deprecation FutureWarning for it is
    silenced in the generated file, exactly that one: here every warning is an error."""
    space = {"x": hp.uniform("x", -5, 10), "y": hp.uniform("y", 0, 15)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        sweeps = [to_sweep(space, engine="optuna", method="bayes", metric="loss", seed=1),
                  tune.run("t.py", config=BRANIN, num_samples=4, engine="optuna", search_alg=tune.search.HyperOptSearch(
                      metric="loss", mode="min", n_initial_points=2, random_state_seed=1))]  # fmt: skip
    for cfg in sweeps:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            runs = branin_runs(cfg, 4)  # past the startup trials of the second: gamma is used
        assert len(runs) == 4
    with pytest.warns(FutureWarning, match="`gamma` has been deprecated"):  # what the file silences, still raised
        optuna.samplers.TPESampler(gamma=lambda n: n)


def test_missing_torch_fails_at_the_start_naming_the_install(monkeypatch):
    """The generated optimizer checks torch and scipy are installed (without importing them): a scheduler machine
    without them fails when the study is built, not after the startup runs when the GP first fits."""
    cfg = _gp_sweep(1)
    namespace: dict = {}
    exec(compile(cfg.scheduler_source, "sweep_scheduler.py", "exec"), namespace)

    class Sweep:  # what wandb's scheduler passes: the sweep's id and config
        id = "s1"
        config = dict(cfg)

    assert type(namespace["optimizer"](Sweep()).sampler).__name__ == "GPSampler"
    monkeypatch.setitem(sys.modules, "torch", None)  # importlib.util.find_spec("torch") is now None
    with pytest.raises(ImportError, match=r"GPSampler needs torch .*pip install optuna torch scipy"):
        namespace["optimizer"](Sweep())
