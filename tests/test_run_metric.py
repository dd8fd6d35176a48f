"""The sweep's metric checked at the first finished run (sweepbridge.runner.metric)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from sweepbridge.runner import run_sweep
from sweepbridge.runner.metric import MissingMetricError, closest, missing_metric
from sweepbridge.runner.results import read_results

HERE = Path(__file__).resolve().parent


def test_closest_prefers_the_same_letters_then_the_nearest_name():
    assert closest("val_loss", ["loss", "val/loss", "epoch"]) == "val/loss"
    assert closest("accuracy", ["acc", "accurcy", "loss"]) == "accurcy"
    assert closest("loss", ["epoch", "lr"]) is None


def test_missing_metric_names_the_metric_the_logged_keys_and_the_guess():
    message = missing_metric(["val_loss"], "abc", {"loss": 1.0, "val/loss": 2.0, "_step": 3})
    assert message is not None and message.startswith("the sweep's metric `val_loss` was never logged by run abc")
    assert "it logged `loss`, `val/loss`" in message and "did you mean `val/loss`?" in message
    assert "_step" not in message and "--allow-missing-metric" in message
    assert missing_metric(["loss"], "abc", {"loss": 1.0}) is None
    assert "(it logged nothing)" in missing_metric(["loss"], "abc", {})


def grid(n: int, metric: str = "val_loss") -> dict:
    return {"method": "grid", "metric": {"name": metric}, "parameters": {"i": {"values": list(range(n))}}}


def train() -> None:
    import wandb

    run = wandb.init()
    for step in range(2):
        run.log({"val/loss": run.config["i"] + step, "epoch": step})


def test_a_misspelled_metric_stops_the_sweep_after_the_first_finished_run(wandb_env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MissingMetricError, match=r"metric `val_loss` .* did you mean `val/loss`\?") as caught:
        run_sweep(grid(4), function=train, out="a")
    outcome = caught.value.outcome
    assert [r.state for r in outcome.results] == ["finished"] and outcome.exit_status == 5
    assert len(read_results(tmp_path / "a" / "results.jsonl")) == 1
    allowed = run_sweep(grid(4), function=train, out="b", allow_missing_metric=True)
    assert [r.state for r in allowed.results] == ["finished"] * 4 and allowed.exit_status == 0
    right = run_sweep(grid(2, "val/loss"), function=train, out="c")
    assert [r.metric for r in right.results] == [1, 2] and right.exit_status == 0


PROGRAM = """
import wandb
run = wandb.init()
for step in range(2):
    run.log({"val/loss": run.config["i"] + step})
"""


@pytest.mark.slow
def test_the_cli_stops_at_the_first_run_with_the_did_you_mean(wandb_env, tmp_path, monkeypatch):
    from clirun import run

    monkeypatch.delenv("WANDB_DIR")
    (tmp_path / "prog.py").write_text(PROGRAM)
    (tmp_path / "sweep.yaml").write_text(yaml.safe_dump({**grid(4), "program": "prog.py"}))
    env = {
        "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")])),
    }
    done = run("run", "sweep.yaml", "--out", "out", cwd=tmp_path, env=env)
    assert done.code == 5, done.err
    assert "did you mean `val/loss`?" in done.err and "never logged by run" in done.err
    assert len(read_results(tmp_path / "out" / "results.jsonl")) == 1
    shutil.rmtree(tmp_path / "out")
    done = run("run", "sweep.yaml", "--out", "out", "--allow-missing-metric", "--count", "2", cwd=tmp_path, env=env)
    assert done.code == 0, done.err
    assert len(read_results(tmp_path / "out" / "results.jsonl")) == 2
