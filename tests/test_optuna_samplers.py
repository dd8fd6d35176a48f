"""OptunaSearch(sampler=...) under W&B's sweep scheduler: every sampler Optuna ships, rebuilt from the live object.

The oracle is Optuna itself: the study wandb's `make_optimizer` builds from the generated file holds a sampler equal
to a freshly built copy of the given one (attribute by attribute, random states included), and for seeded samplers
its first suggestions, told the same values, are those of an Optuna study driven by the given sampler.
"""

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

from sweepbridge import SpecError, UnsupportedFeatureError, tune  # noqa: E402

optuna = pytest.importorskip("optuna")
S = optuna.samplers
RunState = pytest.importorskip("wandb.sdk.sweeps.run_state").RunState
RunWithMetrics = pytest.importorskip("wandb.sdk.sweeps.scheduler.optimizer").RunWithMetrics

FLOAT = {"x": tune.uniform(-5, 10), "y": tune.uniform(0, 15)}
DISCRETE = {"x": tune.choice([-3, 0, 2, 9]), "y": tune.choice([1, 7, 13])}


def float_space(trial):
    return {"x": trial.suggest_float("x", -5, 10), "y": trial.suggest_float("y", 0, 15)}


def discrete_space(trial):
    return {"x": trial.suggest_categorical("x", [-3, 0, 2, 9]), "y": trial.suggest_categorical("y", [1, 7, 13])}


def branin(x: float, y: float) -> float:
    return (
        (y - 5.1 / (4 * math.pi**2) * x**2 + 5 / math.pi * x - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x) + 10
    )


# (id, factory of the live sampler, space, define-by-run oracle space, suggestions compared)
CASES = [
    ("random", lambda: S.RandomSampler(seed=7), FLOAT, float_space, 8),
    ("tpe", lambda: S.TPESampler(seed=1, n_startup_trials=3), FLOAT, float_space, 8),
    (
        "tpe-multivariate",
        lambda: S.TPESampler(
            seed=2, multivariate=True, group=True, constant_liar=False, n_startup_trials=3, n_ei_candidates=12
        ),
        FLOAT,
        float_space,
        8,
    ),
    (
        "cmaes",
        lambda: S.CmaEsSampler(seed=3, popsize=4, n_startup_trials=2, use_separable_cma=True),
        FLOAT,
        float_space,
        8,
    ),
    ("cmaes-nested", lambda: S.CmaEsSampler(seed=3, independent_sampler=S.TPESampler(seed=9)), FLOAT, float_space, 6),
    (
        "nsgaii",
        lambda: S.NSGAIISampler(seed=4, population_size=4, mutation_prob=0.3, crossover=S.nsgaii.SBXCrossover(eta=3.0)),
        FLOAT,
        float_space,
        10,
    ),
    ("nsgaiii", lambda: S.NSGAIIISampler(seed=5, population_size=4, dividing_parameter=2), FLOAT, float_space, 10),
    ("qmc", lambda: S.QMCSampler(seed=6, qmc_type="halton", scramble=True), FLOAT, float_space, 8),
    pytest.param(
        "gp",
        lambda: S.GPSampler(seed=7, n_startup_trials=3, deterministic_objective=True),
        FLOAT,
        float_space,
        5,
        marks=pytest.mark.slow,
        id="gp",
    ),
    ("grid", lambda: S.GridSampler({"x": [-3, 0, 2, 9], "y": [1, 7, 13]}), DISCRETE, discrete_space, 8),
    ("bruteforce", lambda: S.BruteForceSampler(seed=8), DISCRETE, discrete_space, 8),
    (
        "partial-fixed",
        lambda: S.PartialFixedSampler({"y": 7}, S.TPESampler(seed=3, n_startup_trials=2)),
        DISCRETE,
        discrete_space,
        6,
    ),
]


def _quiet():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", module="optuna")
    warnings.filterwarnings("ignore", category=FutureWarning)


def translate(sampler, space, **more):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = tune.search.OptunaSearch(metric="loss", mode="min", sampler=sampler, **more)
        return tune.run("t.py", config=space, num_samples=20, engine="optuna", search_alg=search)


def suggestions(optimizer_or_study, n: int) -> list[dict]:
    """The first `n` configurations, each told its Branin value before the next is asked."""
    out = []
    if isinstance(optimizer_or_study, tuple):  # (an Optuna study, its define-by-run space)
        study, space = optimizer_or_study
        for _ in range(n):
            trial = study.ask()
            config = space(trial)
            study.tell(trial, branin(**config))
            out.append(config)
        return out
    for _ in range(n):
        run = optimizer_or_study.ask_n_runs(1)[0]
        config = run.config.flat_dict()
        optimizer_or_study.tell_run(
            run.run_id, RunWithMetrics(run.config, RunState.FINISHED, "r", {"loss": branin(**config)}, [])
        )
        out.append(config)
    return out


@pytest.mark.parametrize(
    "name, factory, space, oracle_space, n",
    [c if hasattr(c, "marks") else pytest.param(*c, id=c[0]) for c in CASES],
)
def test_generated_study_rebuilds_the_sampler_and_suggests_as_it_does(name, factory, space, oracle_space, n):
    from sweepbridge.tune.search.optuna_sampler import difference, read

    _quiet()
    cfg = translate(factory(), space)
    assert "early_terminate" not in cfg and "controller" not in cfg
    assert "pruner=optuna.pruners.NopPruner()" in cfg.scheduler_source
    with tempfile.TemporaryDirectory() as folder:
        optimizer = scheduler_optimizer(dict(cfg), cfg.scheduler_source, folder)
        assert read(optimizer.study.sampler) == read(factory())  # class and the constructor arguments carried
        assert difference(factory(), optimizer.study.sampler) is None  # and every attribute, random states too
        ours = suggestions(optimizer, n)
    oracle = optuna.create_study(sampler=factory(), pruner=optuna.pruners.NopPruner())
    assert ours == suggestions((oracle, oracle_space), n)


def test_a_real_ray_optunasearch_carries_its_sampler():
    from ray.tune.search.optuna import OptunaSearch

    _quiet()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        real = OptunaSearch(metric="loss", mode="min", sampler=S.CmaEsSampler(seed=11, sigma0=2.0))
        cfg = tune.run("t.py", config=FLOAT, num_samples=5, engine="optuna", search_alg=real)
    assert "optuna.samplers.CmaEsSampler(seed=11, sigma0=2.0)" in cfg.scheduler_source


def test_unseeded_samplers_are_carried_unseeded():
    _quiet()
    for sampler in (S.RandomSampler(), S.QMCSampler(), S.TPESampler(multivariate=True)):
        cfg = translate(sampler, FLOAT)
        built = cfg.scheduler_source.split("sampler=")[1].split("\n")[0]
        assert "seed" not in built, built


@pytest.mark.parametrize(
    "sampler, says",
    [
        (lambda: S.TPESampler(gamma=lambda n: 2), "TPESampler(gamma=...) is a callable"),
        (lambda: S.NSGAIISampler(constraints_func=lambda t: [0.0]), "constraints_func=...) is a callable"),
        (lambda: S.GridSampler({"x": [1, 2]}, seed=4), "GridSampler shuffles its grid"),
    ],
)
def test_an_argument_the_source_cannot_rebuild_is_refused_by_name(sampler, says):
    _quiet()
    with pytest.raises(SpecError) as info:
        translate(sampler(), FLOAT)
    assert says in str(info.value) and "search_alg.sampler" in str(info.value)


def test_a_used_or_foreign_sampler_is_refused():
    _quiet()
    used = S.RandomSampler(seed=1)
    study = optuna.create_study(sampler=used)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    with pytest.raises(SpecError, match="already drawn"):
        translate(used, FLOAT)

    class Mine(S.RandomSampler):
        pass

    with pytest.raises(SpecError, match="not one of Optuna's own samplers"):
        translate(Mine(seed=1), FLOAT)
    with pytest.raises(UnsupportedFeatureError):
        translate(S.RandomSampler(seed=1), FLOAT, storage=optuna.storages.InMemoryStorage())


def test_reverse_gives_back_optunasearch_with_the_same_sampler():
    from sweepbridge.reverse import render_python
    from sweepbridge.tune.search.optuna_sampler import difference

    _quiet()
    for case in CASES:
        name, factory, space, _, _ = case.values if hasattr(case, "values") else case
        namespace: dict = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(render_python(translate(factory(), space), "tune"), namespace)  # builds Ray's real OptunaSearch
        searcher = namespace["tune_config"].search_alg
        assert type(searcher).__module__.startswith("ray.tune.search.optuna"), name
        assert difference(factory(), searcher._sampler) is None, name


def test_a_define_by_run_study_is_not_reversed_without_its_function():
    def space(trial):
        trial.suggest_float("x", 0, 1)

    from sweepbridge.reverse import render_python

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfg = tune.run("t.py", engine="optuna", search_alg=tune.search.OptunaSearch(space, metric="loss", mode="min"))
    with pytest.raises(UnsupportedFeatureError, match="define-by-run"):
        render_python(cfg, "tune")


def test_generated_sources_are_ruff_clean(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    ruff = Path(sys.executable).parent / "ruff"
    if not ruff.exists():
        pytest.skip("ruff is not installed beside this interpreter")
    _quiet()
    nested = S.PartialFixedSampler({"x": 0.5}, S.CmaEsSampler(seed=2, independent_sampler=S.QMCSampler(seed=3)))
    long_grid = S.GridSampler({"x": [-3, 0, 2, 9], "y": [1, 7, 13], "a_rather_long_unused_name": [0.1, 0.2, 0.3]})
    for i, (sampler, space) in enumerate(
        [(nested, FLOAT), (long_grid, DISCRETE)] + [(c[1](), c[2]) for c in CASES[:3]]
    ):
        (tmp_path / f"s{i}.py").write_text(translate(sampler, space).scheduler_source)
    for args in (["check", "--isolated", "--select", "E,F,W,I,UP,B"], ["format", "--isolated", "--check"]):
        done = subprocess.run([str(ruff), *args, "--line-length", "120", str(tmp_path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_the_proof_sees_an_argument_or_a_seed_that_differs():
    from sweepbridge.tune.search.optuna_sampler import difference

    _quiet()
    assert difference(S.TPESampler(seed=1, n_startup_trials=3), S.TPESampler(seed=1, n_startup_trials=4)) == (
        "_n_startup_trials"
    )
    assert difference(S.RandomSampler(seed=1), S.RandomSampler(seed=2)) == "_rng._rng"
    assert difference(S.RandomSampler(seed=1), S.RandomSampler()) is not None
    crossover = S.nsgaii.SBXCrossover(eta=2.0)
    assert "_crossover" in difference(S.NSGAIISampler(seed=1, crossover=crossover), S.NSGAIISampler(seed=1))
    assert difference(S.TPESampler(seed=5, multivariate=True), S.TPESampler(seed=5, multivariate=True)) is None
