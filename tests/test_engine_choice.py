"""`--engine` reaches the tune.run / Tuner a file builds; `auto` picks W&B's engine where exact, else the scheduler."""

from __future__ import annotations

import inspect
import json

import pytest
from clirun import run as cli

from sweepbridge import UnsupportedFeatureError, engine_choice, to_sweep, tune

QUICKSTART = """
from sweepbridge import tune

def train(config):
    tune.report({"loss": config["mean"] + config["sd"]})

sweep = tune.run(train, config={"mean": tune.grid_search([1, 2]), "sd": tune.uniform(0.2, 0.8)},
                 metric="loss", mode="min")
"""

EXACT = """
from ray import tune

def train(config):
    tune.report({"loss": config["a"]})

if __name__ == "__main__":
    tune.Tuner(train, param_space={"a": tune.uniform(0, 1)},
               tune_config=tune.TuneConfig(metric="loss", mode="min", num_samples=3)).fit()
"""


def test_the_flag_reaches_the_tune_run_a_file_builds(tmp_path):
    (tmp_path / "exp.py").write_text(QUICKSTART)
    refused = cli("convert", "exp.py", cwd=tmp_path)
    assert refused.code == 1 and "engine='optuna'" in refused.err and "--engine optuna" in refused.err
    done = cli("convert", "exp.py", "--engine", "optuna", "-o", "sweep.yaml", cwd=tmp_path)
    assert done.code == 0, done.err
    assert (tmp_path / "sweep_scheduler.py").is_file() and "method: custom" in (tmp_path / "sweep.yaml").read_text()


def test_auto_takes_the_scheduler_only_where_wandb_refuses_and_says_why(tmp_path):
    (tmp_path / "exp.py").write_text(QUICKSTART)
    done = cli("convert", "exp.py", "--engine", "auto", "-o", "sweep.yaml", cwd=tmp_path)
    assert done.code == 0, done.err
    (line,) = [e for e in done.err_lines if "engine auto" in e]
    assert "sweep scheduler" in line and "grid_search mixed with sampled domains" in line
    (tmp_path / "exact.py").write_text(EXACT)
    done = cli("convert", "exact.py", "--engine", "auto", "--format", "json", cwd=tmp_path)
    assert done.code == 0, done.err
    assert json.loads(done.out)["method"] == "random" and "W&B's own engine" in done.err


def test_an_engine_written_in_the_script_wins_and_no_flag_means_wandb():
    space = {"mean": tune.grid_search([1, 2]), "sd": tune.uniform(0.2, 0.8)}
    with pytest.raises(UnsupportedFeatureError, match="--engine auto"):
        tune.Tuner("t.py:f", param_space=space, tune_config=tune.TuneConfig(metric="l", mode="min")).to_sweep()
    with engine_choice.default("auto"):
        assert tune.run("t.py:f", config=space, metric="l", mode="min")["method"] == "custom"
        with pytest.raises(UnsupportedFeatureError):
            tune.run("t.py:f", config=space, metric="l", mode="min", engine="wandb")


TO_SWEEP = """
from sweepbridge import to_sweep, tune

space = {"mean": tune.grid_search([1, 2]), "sd": tune.uniform(0.2, 0.8)}
sweep = to_sweep(space, metric="loss"{engine})
"""

TUNER_NAMING_WANDB = """
from sweepbridge import tune

def train(config):
    tune.report({"loss": config["a"]})

if __name__ == "__main__":
    tuner = tune.Tuner(train, param_space={"a": tune.uniform(0, 1)},
                       tune_config=tune.TuneConfig(metric="loss", mode="min"), engine="wandb")
    tuner.fit()
"""


def test_the_flag_reaches_a_to_sweep_the_script_calls(tmp_path):
    (tmp_path / "exp.py").write_text(TO_SWEEP.replace("{engine}", ""))
    done = cli("convert", "exp.py", "--engine", "optuna", "-o", "sweep.yaml", cwd=tmp_path)
    assert done.code == 0, done.err
    assert "method: custom" in (tmp_path / "sweep.yaml").read_text() and "overrides" not in done.err
    (tmp_path / "named.py").write_text(TO_SWEEP.replace("{engine}", ', engine="wandb"'))
    done = cli("convert", "named.py", "--engine", "auto", "-o", "named.yaml", cwd=tmp_path)
    assert done.code == 0, done.err
    assert "--engine auto overrides engine='wandb' of to_sweep at named.py:5" in done.err
    assert "method: custom" in (tmp_path / "named.yaml").read_text()


def test_the_flag_overrides_an_engine_the_scripts_experiment_names_and_says_so(tmp_path):
    (tmp_path / "exp.py").write_text(TUNER_NAMING_WANDB)
    done = cli("convert", "exp.py", "--engine", "optuna", "-o", "sweep.yaml", cwd=tmp_path)
    assert done.code == 0, done.err
    assert "--engine optuna overrides engine='wandb' of Tuner.fit at exp.py:10" in done.err
    assert "method: custom" in (tmp_path / "sweep.yaml").read_text()
    done = cli("convert", "exp.py", "--format", "json", cwd=tmp_path)  # no flag: the script's engine stands
    assert done.code == 0 and json.loads(done.out)["method"] == "random" and "overrides" not in done.err


def test_without_the_flag_a_calls_engine_stands_and_with_it_the_flag_wins(capsys):
    space = {"mean": tune.grid_search([1, 2]), "sd": tune.uniform(0.2, 0.8)}
    with engine_choice.default("optuna"):  # a command's default, not a flag
        assert to_sweep(space, metric="loss")["method"] == "custom"
        with pytest.raises(UnsupportedFeatureError):
            to_sweep(space, metric="loss", engine="wandb")
    assert "overrides" not in capsys.readouterr().err
    tc = tune.TuneConfig(metric="loss", mode="min")
    with engine_choice.default("optuna", flag=True):
        assert to_sweep(space, metric="loss", engine="wandb")["method"] == "custom"
        line = inspect.currentframe().f_lineno - 1
        assert tune.Tuner("t.py:f", param_space=space, tune_config=tc, engine="wandb").to_sweep()["method"] == "custom"
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"sweepbridge: --engine optuna overrides engine='wandb' of to_sweep at test_engine_choice.py:{line}",
        f"sweepbridge: --engine optuna overrides engine='wandb' of Tuner.to_sweep at test_engine_choice.py:{line + 2}",
    ]
    with pytest.raises(UnsupportedFeatureError):  # the flag is gone with its block
        to_sweep(space, metric="loss")


def test_what_an_auto_choice_translates_keeps_the_chosen_engine_and_says_it_once(capsys):
    import warnings

    from test_tune_beta import SEED_DOC  # a 2020 beta document: to_sweep converts it through tune.run

    with engine_choice.default("auto", flag=True), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the searcher's and scheduler's equivalence warnings
        assert to_sweep(SEED_DOC)["method"] == "bayes"
    said = [line for line in capsys.readouterr().err.splitlines() if line.startswith("sweepbridge:")]
    assert said == ["sweepbridge: engine auto: W&B's own engine (exact for this experiment)"]
