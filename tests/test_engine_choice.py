"""`--engine` reaches the tune.run / Tuner a file builds; `auto` picks W&B's engine where exact, else the scheduler."""

from __future__ import annotations

import json

import pytest
from clirun import run as cli

from sweepbridge import UnsupportedFeatureError, engine_choice, tune

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
