"""engine="optuna": ZOOptSearch → the generated ZOOptSampler driving zoopt's SRacosTune. Its suggestions through
W&B's own optimizer (make_optimizer + ask_n_runs / tell_run) against Ray's ZOOptSearch (suggest /
on_trial_complete, no cluster) with the same numpy seed and the same told results; Ray's converter's refusals and
distortions refused by path; the requirements check; the reverse mapping; ZOOpt against random search on Branin."""

from __future__ import annotations

import copy
import statistics
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import pytest
from test_optuna_engine import _optimizer, branin

from sweepbridge import ApproximationWarning, SpecError, UnsupportedFeatureError, reverse, tune

optuna = pytest.importorskip("optuna")
pytest.importorskip("zoopt")
np = pytest.importorskip("numpy")
from wandb.sdk.sweeps import RunState  # noqa: E402
from wandb.sdk.sweeps.scheduler.optimizer import RunConfig, RunWithMetrics  # noqa: E402


@pytest.fixture(autouse=True)
def _quiet_optuna():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    yield


def _space(t):
    """The kinds Ray's ZOOptSearch converts exactly (t: Ray's tune or sweepbridge's), nested, with constants."""
    return {"x": t.uniform(-5, 10), "n": t.randint(0, 10), "opt": {"c": t.choice(["a", "b", "c"]),
            "q": t.quniform(0, 1, 0.1)}, "k": 3, "tags": ["p", 1]}  # fmt: skip


def _loss(c: dict) -> float:
    return (c["x"] - 1) ** 2 + abs(c["n"] - 4) + {"a": 0.5, "b": 0.0, "c": 1.0}[c["opt"]["c"]] + c["opt"]["q"]


def _sweep(space=None, num_samples=10, mode="min", **options):
    search = tune.search.ZOOptSearch(metric="loss", mode=mode, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        return tune.run("t.py", config=_space(tune) if space is None else space, num_samples=num_samples,
                        search_alg=search, engine="optuna")  # fmt: skip


def ours(cfg, n: int, objective=_loss, batch: int = 1) -> list[dict]:
    """n runs through W&B's optimizer, `batch` at a time (ask_n_runs(batch), then tell_run with each loss)."""
    out = []
    with tempfile.TemporaryDirectory() as folder:
        optimizer = _optimizer(cfg, folder)
        while len(out) < n:
            runs = optimizer.ask_n_runs(min(batch, n - len(out)))
            if not runs:
                break
            for run in runs:
                config = run.config.flat_dict()
                result = {"loss": objective(config)}
                optimizer.tell_run(run.run_id, RunWithMetrics(run.config, RunState.FINISHED, "r", result, []))
                out.append(config)
    return out


def rays(space: dict, n: int, seed: int, mode="min", objective=_loss, **options) -> list[dict]:
    """Ray's ZOOptSearch driven as Ray's controller drives it when it may queue trials: ask while it gives trials;
    when it declines (None), the running trials finish (on_trial_complete with each loss, oldest first);
    FINISHED ends the search. Constants are merged into each suggestion as Ray's trial config holds them."""
    from ray.tune.search.zoopt import ZOOptSearch

    np.random.seed(seed)
    search = ZOOptSearch(metric="loss", mode=mode, **options)
    search.set_search_properties("loss", mode, copy.deepcopy(space))
    constants = {k: v for k, v in space.items() if not hasattr(v, "sample") and not isinstance(v, dict)}
    out, running, i = [], [], 0
    while len(out) < n:
        suggestion = search.suggest(str(i))
        if suggestion == "FINISHED":
            break
        if suggestion is None:
            for trial, config in running:
                search.on_trial_complete(trial, {"loss": objective(config)})
            running = []
            continue
        config = {**constants, **suggestion}
        out.append(config)
        running.append((str(i), config))
        i += 1
    return out


@pytest.mark.parametrize("mode", ["min", "max"])
def test_the_first_ten_suggestions_are_rays_bit_for_bit(mode):
    """Same numpy seed, same told results: the same 10 configurations, values and Python types (numpy's scalars
    as the Python values W&B logs), through the initial sample and the model's samples."""
    from ray import tune as ray_tune

    cfg = _sweep(mode=mode, budget=10, seed=11)
    got = ours(cfg, 10)
    want = rays(_space(ray_tune), 10, 11, mode=mode, budget=10)
    assert len(got) == 10
    assert got == want
    assert [type(c["opt"]["c"]) for c in got] == [str] * 10 and all(type(c["n"]) is int for c in got)
    assert len({c["x"] for c in got}) > 1 and got[4:] != got[:6]  # the model's samples, not one point repeated


def test_the_search_ends_where_rays_finishes():
    """zoopt finds no new distinct configuration (Ray's Searcher.FINISHED) at the same trial: W&B's optimizer asks
    the sampler `is_exhausted` first and ends the sweep there (seed 5: after 5 runs)."""
    from ray import tune as ray_tune

    want = rays(_space(ray_tune), 10, 5, budget=10)
    assert 0 < len(want) < 10
    assert ours(_sweep(budget=10, seed=5), 10) == want


def test_points_parallel_num_and_a_real_ray_object_translate_alike():
    """Ray's points_to_evaluate are zoopt's initial samples (flat keys): they come first, then the search goes on as
    Ray's does, parallel_num runs at a time; a real ZOOptSearch reads back as the mirror."""
    from ray import tune as ray_tune
    from ray.tune.search.zoopt import ZOOptSearch

    points = [{"x": 9.5, "n": 9, "opt/c": "c", "opt/q": 1.0}, {"x": -4.0, "n": 0, "opt/c": "a", "opt/q": 0.9}]
    options = {"budget": 60, "parallel_num": 2, "points_to_evaluate": points}
    cfg = _sweep(seed=11, **options)
    got = ours(cfg, 12, batch=2)  # parallel_num runs at a time once zoopt has its model
    assert got == rays(_space(ray_tune), 12, 11, **options)
    assert got[0] == {"x": 9.5, "n": 9, "opt": {"c": "c", "q": 1.0}, "k": 3, "tags": ["p", 1]}
    real = ZOOptSearch(metric="loss", mode="min", **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        from_ray = tune.run("t.py", config=_space(tune), num_samples=10, search_alg=real, engine="optuna")
    unseeded = _sweep(**options)
    assert from_ray == unseeded and from_ray.scheduler_source == unseeded.scheduler_source
    assert "points=[{" in cfg.scheduler_source and "seed=11" in cfg.scheduler_source


def test_a_point_that_is_the_best_so_far_does_not_fail_as_in_ray():
    """Ray builds the points' zoopt Solutions from tuples; once one is the best, zoopt's classifier assigns into
    it and Ray's ZOOptSearch fails (TypeError). The sampler gives zoopt lists: the search goes on."""
    from ray import tune as ray_tune

    points = [{"x": 1.0, "n": 4, "opt/c": "b", "opt/q": 0.0}]
    with pytest.raises(TypeError, match="tuple"):
        rays(_space(ray_tune), 10, 11, budget=60, points_to_evaluate=points)
    got = ours(_sweep(budget=60, seed=11, points_to_evaluate=points), 10)
    assert len(got) > 6 and got[0]["x"] == 1.0  # past zoopt's initial sample (6 runs for budget 60): its model


def test_a_pruned_trial_tells_its_last_value_as_ray_tells_an_early_stopped_trials_last_result():
    from ray import tune as ray_tune

    cfg = _sweep(budget=10, seed=2)
    values = iter([3.0, 1.0, 2.0, 0.5, 4.0])
    with tempfile.TemporaryDirectory() as folder:
        optimizer = _optimizer(cfg, folder)
        got = []
        for _ in range(6):
            (run,) = optimizer.ask_n_runs(1)
            got.append(run.config.flat_dict())
            if len(got) == 6:
                break
            trial = optimizer.trials.pop(run.run_id)
            trial.report(99.0, 0)
            trial.report(next(values), 1)  # the last result: what Ray's on_trial_complete gets
            optimizer.study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    told = iter([3.0, 1.0, 2.0, 0.5, 4.0])
    assert got == rays(_space(ray_tune), 6, 2, objective=lambda c: next(told), budget=10)


def test_a_replayed_run_keeps_its_values_and_leaves_zoopt_untouched():
    """W&B's scheduler, restarted, replays the sweep's finished runs (enqueued with their nested configs): each
    keeps its own values, zoopt is not asked for them, and the next run is zoopt's first, as a new ZOOptSearch's."""
    cfg = _sweep(budget=10, seed=6)
    first = ours(cfg, 1)[0]
    earlier = {"x": 0.5, "n": 2, "opt": {"c": "b", "q": 0.3}, "k": 3, "tags": ["p", 1]}
    with tempfile.TemporaryDirectory() as folder:
        optimizer = _optimizer(cfg, folder)
        old = RunWithMetrics(RunConfig.from_values(earlier), RunState.FINISHED, "old", {"loss": 1.0}, [])
        optimizer.tell_existing_finished_run(old)
        assert optimizer.study.trials[0].params == {"x": 0.5, "n": 2, "opt/c": "b", "opt/q": 0.3}
        assert optimizer.ask_n_runs(1)[0].config.flat_dict() == first


def test_more_runs_at_once_than_zoopt_takes_are_still_sampled():
    """W&B's scheduler cannot leave a worker idle: asked for 3 runs while zoopt waits for results, the sampler
    gives 3 (Ray's controller would wait); they lie in the space and the search goes on once they are told."""
    cfg = _sweep(budget=10, seed=4)
    with tempfile.TemporaryDirectory() as folder:
        optimizer = _optimizer(cfg, folder)
        for _ in range(3):
            runs = optimizer.ask_n_runs(3)
            assert len(runs) == 3
            for run in runs:
                c = run.config.flat_dict()
                assert -5 <= c["x"] <= 10 and 0 <= c["n"] <= 9 and c["opt"]["c"] in "abc"
                optimizer.tell_run(
                    run.run_id, RunWithMetrics(run.config, RunState.FINISHED, "r", {"loss": _loss(c)}, [])
                )


REFUSED = [
    ({"x": tune.loguniform(1e-3, 1)}, "x", "ValueError"),
    ({"x": tune.randn()}, "x", "ValueError"),
    ({"a": {"x": tune.qrandint(0, 10, 2)}}, "a.x", "drops q"),
    ({"x": tune.quniform(0, 1, 0.25)}, "x", "2 decimals"),
    ({"x": tune.choice([1, 2.5])}, "x", "numpy"),
    ({"x": tune.choice([[1], [2]])}, "x", "numpy"),
    ({"x": [tune.uniform(0, 1)]}, "x[0]", "list"),
    ({"a/b": tune.uniform(0, 1)}, "a/b", "'/'"),
]


@pytest.mark.parametrize(("space", "path", "words"), REFUSED, ids=[p for _, p, _ in REFUSED])
def test_what_rays_converter_refuses_or_distorts_is_refused_by_path(space, path, words):
    with pytest.raises(UnsupportedFeatureError) as info:
        _sweep(space, budget=10)
    assert info.value.path == path and words in str(info.value)
    assert "optuna.search.zoopt.space" == info.value.feature
    with pytest.raises(SpecError, match="grid_search"):  # Ray's converter: ValueError
        _sweep({"x": tune.grid_search([1, 2])}, budget=10)


def test_a_space_in_zoopts_own_form_is_refused_with_the_way_out():
    """Ray converts Tune domains given as dim_dict to zoopt's tuples and keeps only those: read back neither from
    a real object nor from zoopt's form, but named."""
    from ray import tune as ray_tune
    from ray.tune.search.zoopt import ZOOptSearch
    from zoopt import ValueType

    real = ZOOptSearch(budget=10, dim_dict={"x": ray_tune.uniform(0, 1)}, metric="loss", mode="min")
    with pytest.raises(SpecError, match="config="):
        tune.run("t.py", num_samples=4, search_alg=real, engine="optuna")
    with pytest.raises(SpecError, match="Tune domains"):
        tune.search.ZOOptSearch(budget=10, dim_dict={"x": (ValueType.CONTINUOUS, [0, 1], 1e-6)})


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({}, "budget"),
        ({"budget": 10, "algo": "cmaes"}, "algo"),
        ({"budget": 10, "points_to_evaluate": [{"x": 1.0}]}, "'n' is missing"),
        ({"budget": 10, "points_to_evaluate": [{"x": 1.0, "n": 1, "opt": {"c": "a", "q": 0.1}}]}, "flat keys"),
        ({"budget": 10, "points_to_evaluate": [{"x": 1.0, "n": 1, "opt/c": "z", "opt/q": 0.1}]}, "categories"),
    ],
)
def test_settings_ray_refuses_are_spec_errors(options, words):
    with pytest.raises(SpecError, match=words):
        _sweep(**options)


def test_the_generated_file_checks_its_requirements_when_the_scheduler_starts():
    """Without zoopt on the scheduler's machine, optimizer(sweep) fails at once naming the install."""
    cfg = _sweep(budget=10)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sweep_scheduler.py"
        path.write_text(cfg.scheduler_source, encoding="utf-8")
        hide = (
            "import importlib.machinery, sys\n"
            "Path = importlib.machinery.PathFinder\n"
            "class Hide:  # the path finder, except that it finds no zoopt: as on a machine without it\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        return None if name.split('.')[0] == 'zoopt' else Path.find_spec(name, path, target)\n"
            "sys.meta_path[:] = [Hide() if f is Path else f for f in sys.meta_path]\n"
            f"sys.path.insert(0, {folder!r})\n"
            "import sweep_scheduler\n"
            "class Sweep: id = 's'; config = {'metric': {'name': 'loss'}}\n"
            "sweep_scheduler.optimizer(Sweep())\n"
        )
        done = subprocess.run([sys.executable, "-c", hide], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "pip install optuna 'zoopt>=0.4.1'" in done.stderr
    header = cfg.scheduler_source.split('"""')[1]
    assert "zoopt>=0.4.1" in header and "numpy" in header
    assert "import zoopt" not in cfg.scheduler_source.split("class ZOOptSampler")[0]  # loads without zoopt


def test_the_generated_file_is_ruff_clean_deterministic_and_needs_no_sweepbridge_ray_or_wandb(tmp_path):
    """As every generated source: ruff-clean at line length 120 and the same twice; in a fresh interpreter where
    sweepbridge, ray, hyperopt and wandb cannot be imported, the study is built and asked (zoopt and numpy are the
    file's own requirements)."""
    points = [{"x": 9.5, "n": 9, "opt/c": "c", "opt/q": 1.0}]
    cfg = _sweep(budget=10, seed=1, parallel_num=2, points_to_evaluate=points)
    assert cfg.scheduler_source == _sweep(budget=10, seed=1, parallel_num=2, points_to_evaluate=points).scheduler_source
    path = tmp_path / "space.py"
    path.write_text(cfg.scheduler_source, encoding="utf-8")
    ruff = Path(sys.executable).parent / "ruff"
    for args in (["check", "--isolated", "--select", "E,F,W,I,UP,B"], ["format", "--isolated", "--check"]):
        done = subprocess.run([str(ruff), *args, "--line-length", "120", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('sweepbridge', 'hyperopt', 'ray', 'wandb'):\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import optuna, space\n"
        "optuna.logging.set_verbosity(optuna.logging.WARNING)\n"
        "class Sweep: id, config = 's', {'metric': {'name': 'loss', 'goal': 'minimize'}}\n"
        "study = space.optimizer(Sweep())\n"
        "print(space.search_space(study.ask()))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "{'x': 9.5, 'n': 9, 'opt': {'c': 'c', 'q': 1.0}, 'k': 3, 'tags': ['p', 1]}"


def test_round_trip_to_ray_zoopt_search(tmp_path):
    """The saved sweep reads back as a real Ray ZOOptSearch with the same settings, which translates to the same
    sweep and source."""
    points = [{"x": 1.0, "n": 2, "opt/c": "a", "opt/q": 0.2}]
    cfg = _sweep(budget=20, parallel_num=2, seed=7, points_to_evaluate=points)
    cfg.save(tmp_path / "sweep.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        spec = reverse.to_tune(tmp_path / "sweep.yaml")
        real = spec.tune_config().search_alg
        assert type(real).__name__ == "ZOOptSearch" and type(real).__module__.startswith("ray.")
        assert (real._budget, real.parallel_num, real._points_to_evaluate, real.kwargs) == (20, 2, points, {"seed": 7})
        again = tune.run("t.py", config=spec.param_space, num_samples=spec.num_samples, search_alg=real,
                         engine="optuna")  # fmt: skip
        assert "ZOOptSearch(" in reverse.render_python(cfg, "tune")
    assert again == cfg and again.scheduler_source == cfg.scheduler_source


BRANIN = {"x": tune.uniform(-5, 10), "y": tune.uniform(0, 15)}


def _branin_best(cfg, runs: int = 30) -> float:
    return min(branin(**c) for c in ours(cfg, runs, objective=lambda c: branin(**c)))


@pytest.mark.slow
def test_zoopt_beats_random_search_on_branin():
    """Median over 5 seeds of the best Branin value after 30 runs. zoopt sizes its initial random sample by the
    budget: 6 runs for budget 51-100 (used here), 4 for budget <= 50. Measured (the same runs as Ray's ZOOptSearch,
    bit for bit): budget 100 → 0.93 against random search's 1.70; budget 30 (Ray's example: budget = num_samples)
    → 5.69, worse than random on these seeds; budget 60 with 60 runs → 0.77 against 1.40."""
    zo = [_branin_best(_sweep(BRANIN, num_samples=30, budget=100, seed=s)) for s in range(5)]
    rnd = []
    for s in range(5):
        search = tune.search.BasicVariantGenerator(random_state=s)
        cfg = tune.run("t.py", config=BRANIN, num_samples=30, metric="loss", mode="min", search_alg=search,
                       engine="optuna")  # fmt: skip
        rnd.append(_branin_best(cfg))
    print(f"median best after 30 runs: ZOOpt {statistics.median(zo):.4f}, random {statistics.median(rnd):.4f}; "
          f"ZOOpt {zo}, random {rnd}")  # fmt: skip
    assert statistics.median(zo) < statistics.median(rnd)
