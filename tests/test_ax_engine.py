"""AxSearch → W&B's sweep scheduler with its `ax` engine (tune/search/ax.py, backends/ax_source.py, tune/ax_emitter.py).

Fast tier: the emitted config (W&B's own validator, W&B's scheduler rules), refusals by name, multi-objective,
engine auto, the reverse direction. Slow tier (Ax imports torch and BoTorch): wandb's `make_optimizer` builds the
client, whose search space equals the one Ray's AxSearch builds, and which suggests what Ray's AxSearch suggests for
the same seed and told results; `sweepbridge run` runs such a sweep end to end. AxSearch against random search on
Branin (5 seeds x 30 runs through `sweepbridge run`) is benchmarks/bench_ax_branin.py (minutes, not CI).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import yaml
from engine import scheduler_optimizer

from sweepbridge import UnsupportedFeatureError, reverse, tune
from sweepbridge.errors import SpecError
from sweepbridge.tune.search.ax import AxSearch
from sweepbridge.validation import validate

ROOT = Path(__file__).resolve().parent.parent


def train(config):  # the trainable the sweeps name (never run in the fast tier)
    tune.report({"loss": config["x"] ** 2})


def space(t=tune):
    return {"x": t.uniform(-5, 10), "y": t.uniform(0, 15), "n": t.randint(1, 10), "lr": t.loguniform(1e-4, 1e-1),
            "c": t.choice(["a", "b", "c"]), "b": t.choice([True, False]), "ln": t.lograndint(1, 100),
            "k": 3}  # fmt: skip


def ax_sweep(config=None, engine="ax", **searcher):
    options = {"metric": "loss", "mode": "min", **searcher}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tune.run(train, config=space() if config is None else config, search_alg=AxSearch(**options),
                        num_samples=12, engine=engine)  # fmt: skip


# --- the emitted config ------------------------------------------------------------------------------------


def test_the_config_is_a_custom_sweep_for_the_ax_engine_that_wandbs_validator_accepts():
    sweeps = pytest.importorskip("sweeps")
    cfg = ax_sweep(random_seed=3, parameter_constraints=["x + y <= 20"])
    assert cfg["method"] == "custom" and cfg["scheduler"] == {"engine": "ax", "source": "sweep_scheduler.py",
                                                              "optimizer": "optimizer"}  # fmt: skip
    assert "early_terminate" not in cfg and "controller" not in cfg and "search_space" not in cfg["scheduler"]
    assert cfg["metric"] == {"name": "loss", "goal": "minimize"} and cfg["run_cap"] == 12
    assert sweeps.schema_violations_from_proposed_config(dict(cfg)) == []
    assert validate(dict(cfg)) == []
    # the parameters W&B requires beside a scheduler without search_space: W&B's spelling of Ray's Ax parameters
    assert cfg["parameters"]["ln"] == {"distribution": "q_log_uniform_values", "min": 1, "max": 99, "q": 1}
    assert cfg["parameters"]["n"] == {"distribution": "int_uniform", "min": 1, "max": 9}
    assert cfg["parameters"]["k"] == {"value": 3}
    source = cfg.scheduler_source
    assert "RANDOM_SEED = 3" in source and 'PARAMETER_CONSTRAINTS = ["x + y <= 20"]' in source


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ({"early_terminate": {"type": "hyperband", "min_iter": 3}}, "early_terminate"),
        ({"controller": {"type": "local"}}, "controller"),
    ],
)
def test_wandbs_scheduler_rules_are_enforced_by_validate(extra, problem):
    sweeps = pytest.importorskip("sweeps")
    cfg = {**dict(ax_sweep()), **extra}
    assert validate(cfg), f"{problem} beside scheduler must be refused"
    assert sweeps.schema_violations_from_proposed_config(cfg)  # W&B refuses it too
    both = {**dict(ax_sweep()), "metrics": [{"name": "a"}, {"name": "b"}]}
    assert validate(both) and sweeps.schema_violations_from_proposed_config(both)
    scheduled = {**dict(ax_sweep()), "scheduler": {"engine": "ax", "source": "s.py", "search_space": "space"}}
    assert validate(scheduled)  # W&B's ax engine takes no search_space (it warns and ignores it)
    native = {"method": "random", "metrics": [{"name": "a"}, {"name": "b"}], "parameters": {"x": {"values": [1, 2]}}}
    assert validate(native) and sweeps.schema_violations_from_proposed_config(native)  # metrics: custom only


def test_multi_objective_becomes_ax_objectives_and_the_metrics_list():
    sweeps = pytest.importorskip("sweeps")
    cfg = ax_sweep(metric=["loss", "acc"], mode=["min", "max"])
    assert "metric" not in cfg
    assert cfg["metrics"] == [{"name": "loss", "goal": "minimize"}, {"name": "acc", "goal": "maximize"}]
    assert sweeps.schema_violations_from_proposed_config(dict(cfg)) == [] and validate(dict(cfg)) == []
    with pytest.raises(SpecError, match="same length"):
        AxSearch(metric=["loss", "acc"], mode=["min"])


def test_engine_auto_picks_the_ax_engine_for_axsearch(capsys):
    cfg = ax_sweep(engine="auto")
    assert cfg["scheduler"]["engine"] == "ax"
    assert "a generated Ax source" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("config", "searcher", "feature", "path"),
    [
        ({"x": tune.quniform(0, 1, 0.1)}, {}, "ax.space", "x"),  # Ray's AxSearch drops the quantization
        ({"x": tune.qrandint(0, 10, 2)}, {}, "ax.space", "x"),
        ({"x": tune.randn(0, 1)}, {}, "ax.space", "x"),
        ({"x": tune.uniform(0, 1), "net": {"width": tune.randint(1, 9)}}, {}, "ax.nested", "net"),
        ({"x/y": tune.uniform(0, 1)}, {}, "ax.nested", "x/y"),
        ({"x": tune.choice([1, "a"])}, {}, "ax.choice.type", "x"),
        ({"x": tune.choice([[1], [2]])}, {}, "ax.choice.type", "x"),
        (
            {"x": tune.uniform(0, 1)},
            {"outcome_constraints": ["m <= 3"]},
            "ax.options",
            "search_alg.outcome_constraints",
        ),
        ({"x": tune.uniform(0, 1)}, {"generation_strategy": object()}, "ax.options", "search_alg.generation_strategy"),
        ({"x": tune.uniform(0, 1)}, {"ax_client": object()}, "ax.options", "search_alg.ax_client"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_what_the_client_cannot_hold_is_refused_by_name(config, searcher, feature, path):
    with pytest.raises(UnsupportedFeatureError) as info:
        ax_sweep(config, **searcher)
    assert info.value.feature == feature and info.value.path == path


def test_other_engines_and_searchers_and_schedulers_are_refused_with_the_way_out():
    with pytest.raises(UnsupportedFeatureError) as info:
        ax_sweep(engine="optuna")
    assert info.value.feature == "ax.engine" and "engine='ax'" in info.value.suggestion
    with pytest.raises(UnsupportedFeatureError) as native:
        ax_sweep(engine="wandb")
    assert native.value.feature == "tune.search.ax" and "engine='ax'" in native.value.suggestion
    with pytest.raises(UnsupportedFeatureError, match="AxSearch") as other:
        tune.run(train, config={"x": tune.uniform(0, 1)}, metric="loss", mode="min", engine="ax")
    assert other.value.feature == "ax.engine.searcher"
    with pytest.raises(UnsupportedFeatureError) as sched:
        tune.run(train, config={"x": tune.uniform(0, 1)}, search_alg=AxSearch(), scheduler="async_hyperband",
                 metric="loss", mode="min", engine="ax")  # fmt: skip
    assert sched.value.feature == "ax.scheduler"
    with pytest.raises(TypeError, match="nosuch"):  # Ray passes **ax_kwargs to AxClient, which refuses it so
        AxSearch(nosuch=1)


def test_an_ax_parameter_list_is_taken_as_ray_takes_it():
    parameters = [{"name": "x", "type": "range", "bounds": [0.0, 1.0]}, {"name": "n", "type": "range",
                  "bounds": [1, 8], "log_scale": True}, {"name": "c", "type": "choice", "values": ["a", "b"],
                  "is_ordered": False}, {"name": "k", "type": "fixed", "value": 2.5}]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfg = tune.run(train, search_alg=AxSearch(parameters, metric="loss", mode="max"), num_samples=4, engine="ax")
    assert cfg["parameters"] == {
        "x": {"distribution": "uniform", "min": 0.0, "max": 1.0},
        "n": {"distribution": "q_log_uniform_values", "min": 1, "max": 8, "q": 1},
        "c": {"values": ["a", "b"]},
        "k": {"value": 2.5},
    }
    assert '"is_ordered": False' in cfg.scheduler_source and cfg["metric"]["goal"] == "maximize"
    with pytest.raises(UnsupportedFeatureError, match="digits"):
        tune.run(train, search_alg=AxSearch([{"name": "x", "type": "range", "bounds": [0, 1], "digits": 2}],
                                            metric="loss", mode="min"), engine="ax")  # fmt: skip


def test_the_2020_betas_ax_axsearch_runs_on_the_ax_engine(tmp_path, capsys):
    from sweepbridge.sources import load_source

    beta = {"program": "train.py", "tune": {"run_or_experiment": "train.py", "num_samples": 10,
            "config": {"width": {"tune.uniform": [0, 20]}},
            "search_alg": {"ax.AxSearch": {"metric": "mean_loss", "mode": "min"}}}}  # fmt: skip
    (tmp_path / "beta.yaml").write_text(yaml.safe_dump(beta), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for engine in ("ax", "auto"):
            cfg = load_source(tmp_path / "beta.yaml", engine=engine)
            assert cfg["scheduler"]["engine"] == "ax" and cfg["run_cap"] == 10
        assert "a generated Ax source" in capsys.readouterr().err  # auto says which engine, and why
        with pytest.raises(UnsupportedFeatureError, match="--engine ax"):
            load_source(tmp_path / "beta.yaml")  # W&B's own engine, as before


# --- the reverse direction ---------------------------------------------------------------------------------


@pytest.mark.slow  # Ray Tune's import
def test_a_generated_ax_source_reads_back_to_axsearch_and_translates_again_to_the_same_sweep(tmp_path):
    pytest.importorskip("ray.tune")
    point = {"x": 1.0, "y": 2.0, "n": 3, "lr": 0.01, "c": "a", "b": True, "ln": 5, "k": 3}
    cfg = ax_sweep(random_seed=7, parameter_constraints=["x + y <= 20"], points_to_evaluate=[point])
    cfg.save(tmp_path / "sweep.yaml")
    assert (tmp_path / "sweep_scheduler.py").exists()
    spec = reverse.to_tune(tmp_path / "sweep.yaml")
    assert spec.search_alg.func == "AxSearch" and (spec.metric, spec.mode, spec.num_samples) == ("loss", "min", 12)
    kwargs = dict(spec.search_alg.kwargs)
    assert kwargs == {"metric": "loss", "mode": "min", "parameter_constraints": ["x + y <= 20"],
                      "points_to_evaluate": [point], "random_seed": 7}  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = tune.run(train, config=spec.param_space, search_alg=AxSearch(**kwargs), num_samples=12, engine="ax")
    assert dict(again) == dict(cfg) and again.scheduler_source == cfg.scheduler_source
    assert "AxSearch(" in reverse.render_python(cfg, "tune")


def test_a_generated_source_reads_back_as_axsearch_without_ray():
    text = reverse.render_python(ax_sweep(random_seed=5), "tune")
    assert "from ray.tune.search.ax import AxSearch" in text
    assert "search_alg=AxSearch(metric='loss', mode='min', random_seed=5)" in text
    both = reverse.render_python(ax_sweep(metric=["loss", "acc"], mode=["min", "max"]), "tune")
    assert "AxSearch(metric=['loss', 'acc'], mode=['min', 'max'])" in both


# --- slow: Ax itself -----------------------------------------------------------------------------------------


def _rays_axsearch(**options):
    """Ray's own AxSearch set up for `space()` as Tune sets it up. With ax-platform >= 1.0 Ray 2.60's
    `_setup_experiment` creates the experiment, then fails reading `objective.metric` (Ax 1.x's Objective is an
    expression): the object is used from there, its metric and mode already set (what suggest needs)."""
    from ray import tune as ray_tune
    from ray.tune.search.ax import AxSearch as RayAxSearch

    searcher = RayAxSearch(metric="loss", mode="min", **options)
    try:
        searcher.set_search_properties(None, None, space(ray_tune))
    except AttributeError as exc:  # measured with ax-platform 1.3.1; a fixed Ray would not raise
        assert "objectives" in str(exc)
    return searcher


def _built(cfg, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return scheduler_optimizer(dict(cfg), cfg.scheduler_source, str(tmp_path))


@pytest.mark.slow
def test_make_optimizer_builds_the_client_ray_s_axsearch_builds(tmp_path):
    pytest.importorskip("ax")
    pytest.importorskip("ray.tune")
    from ray.tune.search.ax import AxSearch as RayAxSearch

    options = {"random_seed": 3, "parameter_constraints": ["x + 2*y <= 30", "n >= 2"]}
    cfg = ax_sweep(**options)
    with warnings.catch_warnings():  # Ray's real object, read by the home, translates as the mirror does
        warnings.simplefilter("ignore")
        real = RayAxSearch(metric="loss", mode="min", **options)
        from_ray = tune.run(train, config=space(), search_alg=real, num_samples=12, engine="ax")
    assert dict(from_ray) == dict(cfg) and from_ray.scheduler_source == cfg.scheduler_source
    optimizer = _built(cfg, tmp_path)
    ours = optimizer.client._experiment
    rays = _rays_axsearch(**options)._ax
    assert ours.search_space == rays.experiment.search_space  # parameters, types, bounds, log scale, constraints
    assert len(ours.search_space.parameter_constraints) == 2
    assert (
        ours.optimization_config.objective.metric_weights
        == rays.experiment.optimization_config.objective.metric_weights
    )
    assert str(optimizer.client._generation_strategy) == str(rays.generation_strategy)  # Sobol, then BoTorch


@pytest.mark.slow
def test_same_seed_and_results_give_rays_suggestions(tmp_path):
    """Ray's AxSearch.suggest / on_trial_complete against wandb's ask_n_runs / tell_run: the Sobol trials (14 for
    this space, the AxClient's initialization) are equal bit for bit; a points_to_evaluate point comes first in both.
    BoTorch's later trials are not compared: Ax documents them as only similar under one seed."""
    pytest.importorskip("ax")
    pytest.importorskip("ray.tune")
    from wandb.sdk.sweeps import RunState
    from wandb.sdk.sweeps.scheduler.optimizer import RunWithMetrics

    point = {"x": 1.0, "y": 2.0, "n": 3, "lr": 0.01, "c": "a", "b": True, "ln": 5, "k": 3}
    optimizer = _built(ax_sweep(random_seed=11, points_to_evaluate=[point]), tmp_path)
    rays = _rays_axsearch(random_seed=11, points_to_evaluate=[point])
    for i in range(10):
        expected = rays.suggest(f"t{i}")
        (suggestion,) = optimizer.ask_n_runs(1)
        assert suggestion.config.flat_dict() == expected
        loss = (expected["x"] - 1) ** 2 + expected["y"] + expected["n"]
        rays.on_trial_complete(f"t{i}", {"loss": loss})
        told = RunWithMetrics(config=suggestion.config, state=RunState.FINISHED, wandb_run_id=f"r{i}",
                              summary_metrics={"loss": loss, "_step": 0}, history_metrics=[])  # fmt: skip
        optimizer.tell_run(suggestion.run_id, told)
    assert expected != point  # the point came first, the rest are Sobol's


@pytest.mark.slow
def test_wandb_checks_a_multi_objective_client_against_the_metrics_list(tmp_path):
    pytest.importorskip("ax")
    # names Ax's objective parser would split (a-b-c → a, b, c): W&B's configure_sweep_objective keeps them whole
    optimizer = _built(ax_sweep(metric=["val-loss", "a-b-c"], mode=["min", "max"], random_seed=1), tmp_path)
    assert optimizer.metric_names() == ["val-loss", "a-b-c"]  # validate_sweep_objective passed when it was built
    weights = optimizer.client._experiment.optimization_config.objective.metric_weights
    assert [(name, weight < 0) for name, weight in weights] == [("val-loss", True), ("a-b-c", False)]
    assert len(optimizer.ask_n_runs(2)) == 2


@pytest.mark.slow
def test_sweepbridge_run_runs_an_ax_sweep_end_to_end(tmp_path, wandb_env):
    """A Tune script with AxSearch through `sweepbridge run` (engine auto picks ax): its runs are the Sobol
    suggestions Ray's AxSearch makes with the same seed."""
    pytest.importorskip("ax")
    pytest.importorskip("ray.tune")
    from clirun import script

    (tmp_path / "branin.py").write_text(
        "import math\nfrom sweepbridge import tune\nfrom sweepbridge.tune.search.ax import AxSearch\n\n"
        "def branin(config):\n    x, y = config['x'], config['y']\n"
        "    tune.report({'loss': (y - 5.1 / (4 * math.pi**2) * x**2 + 5 / math.pi * x - 6) ** 2"
        " + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x) + 10})\n\n"
        "if __name__ == '__main__':\n"
        "    tune.run(branin, config={'x': tune.uniform(-5, 10), 'y': tune.uniform(0, 15)},\n"
        "             search_alg=AxSearch(random_seed=4), metric='loss', mode='min', num_samples=4)\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([*script(), "run", "branin.py", "--out", "out", "--interpreter", sys.executable],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "a generated Ax source" in done.stderr
    rows = [json.loads(line) for line in (tmp_path / "out" / "results.jsonl").read_text().splitlines()]
    assert [r["state"] for r in rows] == ["finished"] * 4 and all(isinstance(r["metric"], float) for r in rows)
    from ray import tune as ray_tune
    from ray.tune.search.ax import AxSearch as RayAxSearch

    rays = RayAxSearch(metric="loss", mode="min", random_seed=4)
    try:
        rays.set_search_properties(None, None, {"x": ray_tune.uniform(-5, 10), "y": ray_tune.uniform(0, 15)})
    except AttributeError:  # Ray 2.60 with ax-platform 1.x: see _rays_axsearch
        pass
    assert [r["config"] for r in rows] == [rays.suggest(f"t{i}") for i in range(4)]
    assert yaml.safe_load((tmp_path / "out" / "sweep.yaml").read_text())["scheduler"]["engine"] == "ax"


@pytest.mark.slow
def test_points_come_first_and_the_strategy_fills_the_rest(tmp_path):
    pytest.importorskip("ax")
    point = {"x": 1.0, "y": 2.0, "n": 3, "lr": 0.01, "c": "a", "b": True, "ln": 5, "k": 3}
    optimizer = _built(ax_sweep(random_seed=2, points_to_evaluate=[point]), tmp_path)
    runs = [r.config.flat_dict() for r in optimizer.ask_n_runs(3)]
    assert len(runs) == 3 and runs[0] == point and point not in runs[1:]
