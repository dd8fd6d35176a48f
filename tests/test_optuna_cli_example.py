"""examples/conditional_hyperopt.py and `sweepbridge convert --engine optuna`: two files written side by side,
loaded by W&B's own scheduler code from where `wandb sweep-scheduler` runs (scheduler.source is relative)."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from clirun import run as cli

from sweepbridge import SweepConfig

pytest.importorskip("optuna")

pytestmark = pytest.mark.slow  # end to end: the CLI, then wandb's scheduler loads what it wrote

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "conditional_hyperopt.py"


def scheduler_runs(folder: Path, config: str, n: int) -> list[dict]:
    """wandb's make_optimizer on the saved config, run from `folder` as `wandb sweep-scheduler` would be."""
    import optuna
    from wandb.sdk.sweeps.scheduler.optimizer import make_optimizer
    from wandb.sdk.sweeps.sweep_info import SweepInfo

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    cfg = dict(SweepConfig.load(folder / config))
    here = os.getcwd()
    os.chdir(folder)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            optimizer = make_optimizer(SweepInfo("s", "s", "e", "p", cfg, "c"))
            return [r.config.flat_dict() for r in optimizer.ask_n_runs(n)]
    finally:
        os.chdir(here)


def test_conditional_example_writes_both_files_and_wandb_loads_them(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, str(EXAMPLE)], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.yaml", "sweep_scheduler.py"]
    cfg = SweepConfig.load(tmp_path / "sweep.yaml")
    assert cfg["method"] == "custom" and cfg["scheduler"]["source"] == "sweep_scheduler.py"
    runs = scheduler_runs(tmp_path, "sweep.yaml", 60)
    kinds = {r["classifier"]["type"] for r in runs}
    assert kinds == {"naive_bayes", "svm", "dtree"}
    for r in runs:
        clf = r["classifier"]
        if clf["type"] == "dtree":
            assert set(clf) == {"type", "criterion", "max_depth", "min_samples_split"}
            assert clf["max_depth"] is None or isinstance(clf["max_depth"], float)
        elif clf["type"] == "naive_bayes":
            assert clf == {"type": "naive_bayes"}


def test_convert_engine_optuna_writes_two_files(tmp_path):
    (tmp_path / "space.py").write_text(
        "from hyperopt import hp\n"
        "space = {'wd': hp.choice('wd', [None, hp.loguniform('wd_v', -9, -3)]), 'lr': hp.loguniform('lr', -9, 0)}\n"
    )
    done = cli("convert", "space.py:space", "--engine", "optuna", "--metric", "loss", "-o", "s.yaml", cwd=tmp_path)
    assert done.code == 0, done.err
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("__")) == [
        "s.yaml",
        "s_scheduler.py",
        "space.py",
    ]
    runs = scheduler_runs(tmp_path, "s.yaml", 30)
    assert {type(r["wd"]).__name__ for r in runs} == {"NoneType", "float"}
    stdout = cli("convert", "space.py:space", "--engine", "optuna", "--metric", "loss", cwd=tmp_path)
    assert stdout.code == 2 and "-o" in stdout.err
    native = cli("convert", "space.py:space", "--metric", "loss", cwd=tmp_path)
    assert native.code != 0 and "--engine optuna" in native.err
