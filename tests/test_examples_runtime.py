"""examples/tune_trainable_agent.py writes the sweep it promises, and its trials run as W&B runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from engine import sample
from trialrun import run_trial

from sweepbridge import SweepConfig, validate
from sweepbridge.tune.command import COMMAND_HEAD

pytestmark = pytest.mark.slow  # end to end: the example's trials as W&B runs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "examples/tune_trainable_agent.py"


@pytest.mark.parametrize(("flag", "trainable"), [((), "train_function"), (("--class",), "TrainableClass")])
def test_trainable_example_sweep_and_one_trial(tmp_path, flag, trainable):
    pytest.importorskip("wandb")
    pytest.importorskip("sweeps")
    out = tmp_path / "sweep.yaml"
    argv = [sys.executable, EXAMPLE, str(out), *flag]
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    sweep = SweepConfig.load(out)
    assert validate(sweep) == [] and proc.stdout.endswith(sweep.to_yaml())
    assert sweep["program"] == EXAMPLE and sweep["early_terminate"] == {"type": "hyperband", "min_iter": 5, "eta": 3}
    assert sweep["command"][: len(COMMAND_HEAD) + 2] == [*COMMAND_HEAD, "--trainable", trainable]
    (params,) = sample(sweep, 1)
    done, run = run_trial(tmp_path, ROOT, EXAMPLE, trainable, params, *sweep["command"][len(COMMAND_HEAD) + 2 :])
    assert done.returncode == 0, done.stderr
    assert run.config == params
    assert [row["training_iteration"] for row in run.history] == list(range(1, 21))  # stop: 20 iterations
    assert all(isinstance(row["loss"], float) for row in run.history)
