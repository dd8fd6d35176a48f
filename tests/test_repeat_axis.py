"""The grid's repetition axis (`_tune_repeat`, num_samples > 1) never reaches a program as a flag."""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

import pytest

from sweepbridge import tune
from sweepbridge.runtime.program import visible
from sweepbridge.tune.command import PROGRAM_COMMAND

BIN = str(Path(sys.executable).parent)
ROOT = Path(__file__).resolve().parents[1]

STRICT_PROGRAM = """
import argparse, wandb
parser = argparse.ArgumentParser()
parser.add_argument("--act", required=True)
parser.add_argument("--steps", type=int, required=True)
args = parser.parse_args()          # strict: an undeclared flag ends the program with status 2
run = wandb.init()
for i in range(args.steps):
    run.log({"loss": float(i), "act_is_" + args.act: 1})
run.finish()
"""


def test_visible_drops_only_the_repetition_flag_in_both_spellings():
    assert visible(["--a=1", "--_tune_repeat=2", "--b=x"]) == ["--a=1", "--b=x"]
    assert visible(["--_tune_repeat", "0", "--a", "1"]) == ["--a", "1"]
    assert visible(["--_tune_repeat_not=1", "pos"]) == ["--_tune_repeat_not=1", "pos"]


def test_a_program_grid_with_repetitions_starts_through_the_flag_filter_and_a_trainable_does_not():
    space = {"act": tune.grid_search(["relu", "tanh"]), "steps": 2}
    program = tune.run("prog.py", config=space, num_samples=3)
    assert program["command"] == list(PROGRAM_COMMAND) and program["parameters"]["_tune_repeat"]
    assert "command" not in tune.run("prog.py", config=space)  # no repetition axis: W&B's default command
    assert "command" not in tune.run("prog.py", config={"act": tune.choice(["relu"])}, num_samples=3)


@pytest.mark.slow
def test_an_argparse_program_under_a_grid_with_num_samples_3_runs_all_its_trials(tmp_path, monkeypatch, wandb_env):
    from sweepbridge.runner import run_sweep

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WANDB_DIR")
    monkeypatch.setenv("PATH", os.pathsep.join([BIN, os.environ.get("PATH", "")]))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    (tmp_path / "prog.py").write_text(STRICT_PROGRAM)
    sweep = tune.run("prog.py", config={"act": tune.grid_search(["relu", "tanh"]), "steps": 2}, num_samples=3)
    outcome = run_sweep(sweep, progress=False)
    assert [r.state for r in outcome.results] == ["finished"] * 6
    assert Counter(r.config["act"] for r in outcome.results) == Counter({"relu": 3, "tanh": 3})
    assert sorted(r.config["_tune_repeat"] for r in outcome.results) == [0, 0, 1, 1, 2, 2]
    assert all(r.history_rows == 2 for r in outcome.results)
