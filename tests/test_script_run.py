"""Ray Tune scripts as written: `sweepbridge run exp.py` runs the experiment here, `convert` reads it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import run as cli

ROOT = Path(__file__).resolve().parents[1]
BIN = str(Path(sys.executable).parent)

RAY_MAIN = """
import json
from ray import tune


class Counter(tune.Trainable):
    def setup(self, config):
        self.total = 0

    def step(self):
        self.total += self.config["inc"]
        return {"total": self.total}


if __name__ == "__main__":
    tuner = tune.Tuner(
        Counter,
        param_space={"inc": tune.grid_search([1, 2, 3])},
        tune_config=tune.TuneConfig(metric="total", mode="max"),
        run_config=tune.RunConfig(stop={"training_iteration": 2}),
    )
    results = tuner.fit()
    print("AFTER", json.dumps({"best": results.get_best_result().config, "n": len(results),
                               "totals": sorted(r.metrics["total"] for r in results)}))
"""

TWO_EXPERIMENTS = """
from ray import tune

def one(config):
    tune.report({"x": config["a"]})

def first():
    return tune.Tuner(one, param_space={"a": tune.grid_search([1])}).fit()

def second():
    return tune.run(one, config={"a": tune.grid_search([2])})

if __name__ == "__main__":
    first()
    second()
"""

MIRROR_RUN_IN_MAIN = """
from sweepbridge import tune

def f(config):
    for i in range(2):
        tune.report({"loss": config["a"] + i})

if __name__ == "__main__":
    analysis = tune.run(f, config={"a": tune.grid_search([3, 1])}, metric="loss", mode="min")
    print("BEST", analysis.best_config, len(analysis.dataframe()))
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
    env.update(
        PATH=os.pathsep.join([BIN, os.environ.get("PATH", "")]),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        WANDB_SILENT="true",
    )
    return env


def test_convert_reads_the_experiment_under_the_main_guard_without_running_it(tmp_path):
    pytest.importorskip("ray.tune")
    (tmp_path / "exp.py").write_text(RAY_MAIN)
    done = cli("convert", "exp.py", "--format", "json", cwd=tmp_path, env=_env())
    assert done.code == 0, done.err
    cfg = json.loads(done.out)
    assert cfg["method"] == "grid" and cfg["parameters"]["inc"] == {"values": [1, 2, 3]}
    assert cfg["command"][cfg["command"].index("--trainable") + 1] == "Counter"  # a class defined in the script
    assert json.loads(cfg["command"][cfg["command"].index("--stop") + 1]) == {"criteria": {"training_iteration": 2}}
    assert "AFTER" not in done.out + done.err and not (tmp_path / "wandb").exists()  # nothing ran


def test_convert_sees_a_second_experiment_and_refuses_it_naming_both_without_running_either(tmp_path):
    (tmp_path / "exp.py").write_text(TWO_EXPERIMENTS.replace("from ray import tune", "from sweepbridge import tune"))
    done = cli("convert", "exp.py", cwd=tmp_path, env=_env())
    assert done.code == 1
    assert "second experiment (tune.run at exp.py:11)" in done.err and "(Tuner.fit at exp.py:8)" in done.err
    assert not (tmp_path / "wandb").exists()


STOPS_BEFORE_A_SECOND = """
from sweepbridge import tune

def one(config):
    tune.report({"x": config["a"]})

if __name__ == "__main__":
    first = tune.run(one, config={"a": tune.grid_search([1, 2])}, metric="x", mode="max")
    print("FIRST", len(first), first.best_result)
    tune.run(one, config={"a": tune.grid_search([3])})
"""


def test_convert_says_which_later_calls_it_could_not_check_when_the_rest_of_the_script_stops(tmp_path):
    (tmp_path / "exp.py").write_text(STOPS_BEFORE_A_SECOND)
    done = cli("convert", "exp.py", "--format", "json", cwd=tmp_path, env=_env())
    assert done.code == 0, done.err
    assert json.loads(done.out)["parameters"]["a"] == {"values": [1, 2]}  # the first experiment
    (line,) = [e for e in done.err_lines if "not checked" in e]
    assert "exp.py:9 raised NoBestTrial" in line and line.endswith("second experiment: run at exp.py:10.")
    assert "FIRST" not in done.out + done.err and not (tmp_path / "wandb").exists()
    (tmp_path / "exp.py").write_text(STOPS_BEFORE_A_SECOND.replace("first.best_result", "first.best_config"))
    done = cli("convert", "exp.py", "--format", "json", cwd=tmp_path, env=_env())
    assert done.code == 1 and "second experiment (tune.run at exp.py:10)" in done.err
    assert "FIRST 0 None" in done.err  # the rest of the script ran, its stdout on stderr, with a grid of no trials


def test_convert_of_a_script_without_an_experiment_says_what_it_looked_for(tmp_path):
    (tmp_path / "exp.py").write_text("x = 1\nif __name__ == '__main__':\n    print('main ran')\n")
    done = cli("convert", "exp.py", cwd=tmp_path, env=_env())
    assert done.code == 1 and "defines nothing to convert" in done.err


@pytest.mark.slow
def test_run_executes_an_unmodified_ray_script_and_the_rest_of_it_gets_the_result_grid(tmp_path):
    pytest.importorskip("ray.tune")
    (tmp_path / "exp.py").write_text(RAY_MAIN)
    done = subprocess.run(
        [sys.executable, "-m", "sweepbridge", "run", "exp.py"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    after = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("AFTER"))[6:])
    assert after == {"best": {"inc": 3}, "n": 3, "totals": [2, 4, 6]}  # 2 iterations each (stop)
    records = [json.loads(line) for line in next(tmp_path.glob("wandb/sweep-*/results.jsonl")).read_text().splitlines()]
    assert sorted(r["config"]["inc"] for r in records) == [1, 2, 3] and {r["state"] for r in records} == {"finished"}
    assert "ray" not in {p.name for p in tmp_path.iterdir()}  # no Ray session directory, no cluster


@pytest.mark.slow
def test_a_second_experiment_in_a_script_is_refused_naming_both(tmp_path):
    pytest.importorskip("ray.tune")
    (tmp_path / "exp.py").write_text(TWO_EXPERIMENTS)
    done = cli("run", "exp.py", cwd=tmp_path, env=_env())
    assert done.code == 1
    assert "second experiment (tune.run at exp.py:11)" in done.err and "(Tuner.fit at exp.py:8)" in done.err


@pytest.mark.slow
def test_the_mirrors_tune_run_in_the_main_block_runs_and_returns_rays_analysis_api(tmp_path):
    (tmp_path / "exp.py").write_text(MIRROR_RUN_IN_MAIN)
    done = cli("run", "exp.py", cwd=tmp_path, env=_env())
    assert done.code == 0, done.err
    assert "BEST {'a': 1} 2" in done.out


class Shifted:
    """A stand-in base for the with_resources / with_parameters class checks (defined at module level)."""


def shifted_fn(config, data=None):
    from sweepbridge import tune

    tune.report({"loss": config["a"] + sum(data)})


def _trainable_args(cfg) -> dict:
    command = cfg["command"]
    return {command[i]: command[i + 1] for i in range(len(command) - 1) if command[i].startswith("--")}


def test_with_parameters_and_with_resources_are_unwrapped_and_the_objects_kept(tmp_path, monkeypatch):
    ray_tune = pytest.importorskip("ray.tune")
    import pickle

    from sweepbridge import tune

    monkeypatch.chdir(tmp_path)
    wrapped = ray_tune.with_resources(ray_tune.with_parameters(shifted_fn, data=[1, 2]), {"cpu": 1})
    cfg = tune.run(wrapped, config={"a": tune.uniform(0, 1)})
    args = _trainable_args(cfg)
    assert args["--trainable"] == "shifted_fn"
    assert pickle.loads((tmp_path / args["--parameters"]).read_bytes()) == {"data": [1, 2]}
    assert json.loads(args["--resources"]) == {"cpu": 1}  # recorded for the runner

    class Local(ray_tune.Trainable):
        def setup(self, config, data=None):
            self.data = data

    Local.__qualname__ = Local.__name__ = "Shifted"  # as if defined at module level (the name above)
    globals()["Shifted"] = Local
    try:
        wrapped_class = ray_tune.with_parameters(ray_tune.with_resources(Local, {"cpu": 1}), data="x")
        args = _trainable_args(tune.run(wrapped_class, config={"a": tune.uniform(0, 1)}))
    finally:
        globals()["Shifted"] = Shifted
    assert args["--trainable"] == "Shifted"
    assert pickle.loads((tmp_path / args["--parameters"]).read_bytes()) == {"data": "x"}
    assert json.loads(args["--resources"]) == {"cpu": 1}


WITH_PARAMETERS = """
import json
from ray import tune


def train(config, data=None):
    tune.report({"loss": config["a"] * sum(data)})


if __name__ == "__main__":
    data = list(range(4))
    tuner = tune.Tuner(tune.with_parameters(train, data=data), param_space={"a": tune.grid_search([1, 2])},
                       tune_config=tune.TuneConfig(metric="loss", mode="min"))
    results = tuner.fit()
    print("AFTER", json.dumps(sorted(r.metrics["loss"] for r in results)))
"""


@pytest.mark.slow
def test_a_script_with_with_parameters_runs_and_the_trials_get_the_objects(tmp_path):
    pytest.importorskip("ray.tune")
    (tmp_path / "exp.py").write_text(WITH_PARAMETERS)
    done = cli("run", "exp.py", cwd=tmp_path, env=_env())
    assert done.code == 0, done.err[-3000:]
    assert "AFTER [6, 12]" in done.out


def test_the_mirrors_with_parameters_is_carried_the_same_way(tmp_path, monkeypatch):
    import pickle

    from sweepbridge import tune

    monkeypatch.chdir(tmp_path)
    wrapped = tune.with_resources(tune.with_parameters(shifted_fn, data=[3]), {"cpu": 1})
    args = _trainable_args(tune.run(wrapped, config={"a": tune.uniform(0, 1)}))
    assert args["--trainable"] == "shifted_fn"
    assert pickle.loads((tmp_path / args["--parameters"]).read_bytes()) == {"data": [3]}
