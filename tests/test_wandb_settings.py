"""The experiment's W&B settings (config["wandb"], WandbLoggerCallback, literal setup_wandb arguments, the
sweep's project key) reach the runs, offline too, and the printed `wandb sync` names the project."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from sweepbridge import tune
from sweepbridge.runtime.config import ray_config
from sweepbridge.tune.command import setup_wandb_settings

ROOT = Path(__file__).resolve().parents[1]
BIN = str(Path(sys.executable).parent)


def with_setup(config):
    from sweepbridge.tune.integration.wandb import setup_wandb

    run = setup_wandb(config, project="Wandb_example", group="Example", tags=["a", "b"], trial_id="x")
    tune.report({"loss": config["a"]})
    run.log({})


class WithSetup(tune.Trainable):
    def setup(self, config):
        from sweepbridge.tune.integration.wandb import setup_wandb

        self.wandb = setup_wandb(config, trial_id=self.trial_id, group="Example", project="Wandb_example")

    def step(self):
        return {"loss": 1.0, "done": True}


def _block(cfg) -> dict:
    command = cfg["command"]
    return json.loads(command[command.index("--wandb") + 1])


def test_literal_setup_wandb_arguments_are_read_from_the_trainable():
    assert setup_wandb_settings(with_setup) == {"project": "Wandb_example", "group": "Example", "tags": ["a", "b"]}
    assert setup_wandb_settings(WithSetup) == {"group": "Example", "project": "Wandb_example"}
    cfg = tune.run(with_setup, config={"a": tune.uniform(0, 1)})
    assert cfg["project"] == "Wandb_example"
    block = _block(cfg)
    assert block["group"] == "Example" and block["tags"] == ["a", "b"]
    assert ray_config({"a": 0.5}, block) == {"a": 0.5}  # the trainable's config is Ray's: no "wandb" key


def test_config_wandb_wins_over_setup_wandb_and_stays_in_the_config():
    cfg = tune.run(with_setup, config={"a": tune.uniform(0, 1), "wandb": {"project": "mine", "notes": "n"}})
    assert cfg["project"] == "mine"
    assert ray_config({"a": 0.5}, _block(cfg)) == {"a": 0.5, "wandb": {"project": "mine", "notes": "n"}}


def test_a_programs_project_becomes_the_sweeps_project():
    cfg = tune.run("train.py", config={"a": tune.uniform(0, 1), "wandb": {"project": "P", "entity": "E"}})
    assert cfg["project"] == "P" and cfg["entity"] == "E"


@pytest.mark.slow
def test_offline_runs_carry_the_experiments_project_and_the_sync_command_names_it(tmp_path, monkeypatch, wandb_env):
    from sweepbridge.runner import run_sweep

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WANDB_DIR")
    monkeypatch.setenv("PATH", os.pathsep.join([BIN, os.environ.get("PATH", "")]))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    (tmp_path / "exp.py").write_text("from sweepbridge import tune\n\ndef f(config):\n    tune.report({'loss': 1})\n")
    from sweepbridge.tune.integration.wandb import WandbLoggerCallback

    sweep = tune.Tuner(
        "exp.py:f",
        param_space={"a": tune.grid_search([1, 2]), "wandb": {"tags": ["t1"]}},
        run_config=tune.RunConfig(callbacks=[WandbLoggerCallback(project="Wandb example", group="g1")]),
    ).to_sweep()
    outcome = run_sweep(sweep, progress=False)
    assert [r.state for r in outcome.results] == ["finished", "finished"]
    assert outcome.sync_command().startswith("wandb sync --project 'Wandb example' ")
    for result in outcome.results:
        settings = _run_settings(tmp_path / result.run_dir, result.id)
        assert settings["project"] == "Wandb example", settings
        assert settings["group"] == "g1" and settings["tags"] == ["t1"]


def _run_settings(run_dir: Path, run_id: str) -> dict:
    """The run record of the run's transaction log (project, group, tags), as wandb-core reads it."""
    from sweepbridge.runner.history import read_records

    for record in read_records(run_dir / f"run-{run_id}.wandb"):
        if record.get("type") == "run":
            run = record["run"]
            return {
                "project": run.get("project"),
                "group": run.get("runGroup") or run.get("run_group"),
                "tags": run.get("tags"),
            }
    raise AssertionError("no run record")
