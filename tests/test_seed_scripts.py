"""The seeds' Ray Tune code blocks (Ray's guide: function and class trainables, grid_search, stop; Ray 2.x
docs: Tuner with TuneConfig/RunConfig, ASHA, HyperOptSearch, setup_wandb, WandbLoggerCallback) run
as written: under `sweepbridge run script.py` with `from ray import tune`, and, for the Tuner scripts,
under `python script.py` with only the imports swapped to sweepbridge's mirror. Sizes are cut down
(grids of 2, a few iterations) so each script runs 2-3 trials."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = str(Path(sys.executable).parent)

pytestmark = pytest.mark.slow

# Ray's guide (the 0.7 API): ray.init() at module level, a reporter function, tune.run with a grid and stop.
GUIDE_FUNCTION = """
import ray
import ray.tune as tune

ray.init()


def trainable(config, reporter):
    for i in range(10):
        reporter(mean_loss=config["alpha"] / (i + 1), timesteps_total=i)


analysis = tune.run(trainable, config={"alpha": tune.grid_search([1, 2])}, stop={"training_iteration": 3})
print("RESULT", __import__("json").dumps(sorted(r.metrics["mean_loss"] for r in analysis)))
"""

# Ray's guide: the class-based API (_setup / _train / _save / _restore); its `self.iteration` counter is
# `self.steps` here, since Ray 2.x's Trainable (the one imported) makes `iteration` a read-only property.
GUIDE_CLASS = """
import os
import ray.tune as tune
from ray.tune import Trainable


class MyClass(Trainable):
    def _setup(self, config):
        self.alpha = config["alpha"]
        self.steps = 0

    def _train(self):
        self.steps += 1
        return {"mean_loss": self.alpha / self.steps}

    def _save(self, checkpoint_dir):
        path = os.path.join(checkpoint_dir, "save")
        with open(path, "w") as f:
            f.write(str(self.steps))
        return path

    def _restore(self, path):
        with open(path) as f:
            self.steps = int(f.read())


if __name__ == "__main__":
    analysis = tune.run(MyClass, config={"alpha": tune.grid_search([1, 2])}, stop={"training_iteration": 2})
    print("RESULT", __import__("json").dumps(sorted(r.metrics["mean_loss"] for r in analysis)))
"""

# Ray 2.x docs (seed 004): WandbLoggerCallback + setup_wandb, grid mixed with uniform (no flag needed).
WANDB_EXAMPLE = """
import json
import sys

import numpy as np

import ray
from ray import tune
from ray.air.integrations.wandb import WandbLoggerCallback, setup_wandb


def train_function(config):
    for i in range(5):
        loss = config["mean"] + config["sd"] * np.random.randn()
        tune.report({"loss": loss})


def tune_with_callback():
    tuner = tune.Tuner(
        train_function,
        tune_config=tune.TuneConfig(metric="loss", mode="min"),
        run_config=tune.RunConfig(callbacks=[WandbLoggerCallback(project="Wandb_example")]),
        param_space={"mean": tune.grid_search([1, 2]), "sd": tune.uniform(0.2, 0.8)},
    )
    return tuner.fit()


class WandbTrainable(tune.Trainable):
    def setup(self, config):
        self.wandb = setup_wandb(
            config, trial_id=self.trial_id, trial_name=self.trial_name, group="Example", project="Wandb_example"
        )

    def step(self):
        for i in range(5):
            loss = self.config["mean"] + self.config["sd"] * np.random.randn()
            self.wandb.log({"loss": loss})
        return {"loss": loss, "done": True}

    def save_checkpoint(self, checkpoint_dir: str):
        pass

    def load_checkpoint(self, checkpoint_dir: str):
        pass


def tune_trainable():
    tuner = tune.Tuner(
        WandbTrainable,
        tune_config=tune.TuneConfig(metric="loss", mode="min"),
        param_space={"mean": tune.grid_search([1, 2]), "sd": tune.uniform(0.2, 0.8)},
    )
    results = tuner.fit()
    return results


if __name__ == "__main__":
    results = tune_trainable() if "--class" in sys.argv else tune_with_callback()
    print("RESULT", json.dumps({"n": len(results), "means": sorted(r.config["mean"] for r in results),
                                "sd_ok": all(0.2 <= r.config["sd"] <= 0.8 for r in results),
                                "iterations": sorted(r.metrics["training_iteration"] for r in results),
                                "best": results.get_best_result().config["mean"] in (1, 2)}))
"""

# Ray 2.x docs: Tuner with HyperOptSearch and ASHA.
SEARCH_AND_ASHA = """
import json

from ray import tune
from ray.tune.schedulers import ASHAScheduler
from ray.tune.search.hyperopt import HyperOptSearch


def objective(config):
    for step in range(4):
        tune.report({"loss": (config["x"] - 0.3) ** 2 + 1 / (step + 1)})


if __name__ == "__main__":
    tuner = tune.Tuner(
        objective,
        param_space={"x": tune.uniform(0, 1)},
        tune_config=tune.TuneConfig(metric="loss", mode="min", num_samples=3, search_alg=HyperOptSearch(),
                                    scheduler=ASHAScheduler(max_t=4, grace_period=1)),
    )
    results = tuner.fit()
    print("RESULT", json.dumps({"n": len(results), "xs": [r.config["x"] for r in results],
                                "losses": [list(r.metrics_dataframe["loss"]) for r in results],
                                "best": results.get_best_result().config}))
"""

MIRROR_IMPORTS = {
    "from ray import tune\n": "from sweepbridge import tune\n",
    "from ray.air.integrations.wandb import": "from sweepbridge.tune.integration.wandb import",
    "from ray.tune.schedulers import": "from sweepbridge.tune.schedulers import",
    "from ray.tune.search.hyperopt import": "from sweepbridge.tune.search.hyperopt import",
}


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
    env.update(
        PATH=os.pathsep.join([BIN, os.environ.get("PATH", "")]),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        WANDB_SILENT="true",
    )
    return env


def _run(tmp_path: Path, text: str, command: list[str]) -> tuple[object, list[dict]]:
    (tmp_path / "exp.py").write_text(text)
    done = subprocess.run(command, cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    records = [
        json.loads(line)
        for path in tmp_path.glob("wandb/sweep-*/results.jsonl")
        for line in path.read_text().splitlines()
    ]
    return json.loads(line[7:]), records


def _sweepbridge_run(*args: str) -> list[str]:
    return [sys.executable, "-m", "sweepbridge", "run", "exp.py", *args]


def _mirror(text: str) -> str:
    """The script with only its imports swapped to sweepbridge's mirror (and no Ray left)."""
    for ray, ours in MIRROR_IMPORTS.items():
        text = text.replace(ray, ours)
    text = text.replace("import ray\n", "")
    assert not re.search(r"^\s*(from ray|import ray)", text, re.M)
    return text


@pytest.fixture(autouse=True)
def _ray():
    pytest.importorskip("ray.tune")


def test_guide_function_trainable_grid_and_stop(tmp_path):
    result, records = _run(tmp_path, GUIDE_FUNCTION, _sweepbridge_run())
    assert result == [1 / 3, 2 / 3]  # stopped at training_iteration 3
    assert sorted(r["config"]["alpha"] for r in records) == [1, 2] and all(r["history_rows"] == 3 for r in records)


def test_guide_class_trainable(tmp_path):
    result, records = _run(tmp_path, GUIDE_CLASS, _sweepbridge_run())
    assert result == [0.5, 1.0] and len(records) == 2


@pytest.mark.parametrize("variant", ["ray", "mirror"])
def test_wandb_logger_callback_example(tmp_path, variant):
    text = WANDB_EXAMPLE if variant == "ray" else _mirror(WANDB_EXAMPLE)
    command = _sweepbridge_run() if variant == "ray" else [sys.executable, "exp.py"]
    result, records = _run(tmp_path, text, command)
    assert result == {"n": 2, "means": [1, 2], "sd_ok": True, "iterations": [5, 5], "best": True}
    assert len(records) == 2 and {r["state"] for r in records} == {"finished"}
    assert all(r["run_dir"] for r in records)
    for r in records:  # the callback's project reached the offline runs
        assert "Wandb_example" in (tmp_path / r["run_dir"] / f"run-{r['id']}.wandb").read_bytes().decode("latin-1")


def test_setup_wandb_class_trainable_example(tmp_path):
    text = WANDB_EXAMPLE.replace('"--class" in sys.argv', "True")
    result, records = _run(tmp_path, text, _sweepbridge_run())
    assert result == {"n": 2, "means": [1, 2], "sd_ok": True, "iterations": [1, 1], "best": True}
    for r in records:  # setup_wandb's project and group reached the runs (read from the trainable's source)
        log = (tmp_path / r["run_dir"] / f"run-{r['id']}.wandb").read_bytes().decode("latin-1")
        assert "Wandb_example" in log and "Example" in log


@pytest.mark.parametrize("variant", ["ray", "mirror"])
def test_hyperopt_search_and_asha(tmp_path, variant):
    text = SEARCH_AND_ASHA if variant == "ray" else _mirror(SEARCH_AND_ASHA)
    command = _sweepbridge_run() if variant == "ray" else [sys.executable, "exp.py"]
    result, records = _run(tmp_path, text, command)
    assert result["n"] == 3 and len(records) == 3
    assert all(0 <= x <= 1 for x in result["xs"])
    for x, losses in zip(result["xs"], result["losses"], strict=True):
        assert losses == pytest.approx([(x - 0.3) ** 2 + 1 / (s + 1) for s in range(len(losses))])
    last = {x: losses[-1] for x, losses in zip(result["xs"], result["losses"], strict=True)}
    assert result["best"]["x"] == min(last, key=last.get)  # scope "last", as Ray's get_best_result
