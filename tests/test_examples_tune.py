"""The Ray Tune examples run as scripts and write the sweep they promise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from optional import needs

from sweepbridge import SweepConfig, validate

ROOT = Path(__file__).resolve().parent.parent


def run_example(name: str, tmp_path: Path) -> tuple[SweepConfig, str]:
    out = tmp_path / "sweep.yaml"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / name), str(out)], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    cfg = SweepConfig.load(out)
    assert validate(cfg) == []
    assert proc.stdout.endswith(cfg.to_yaml())
    return cfg, proc.stderr


def test_beta_example(tmp_path):
    cfg, _ = run_example("tune_hyperopt_beta.py", tmp_path)
    assert cfg["method"] == "bayes" and cfg["run_cap"] == 10
    assert cfg["metric"] == {"name": "mean_loss", "goal": "minimize"}
    assert set(cfg["parameters"]) == {"width", "height", "activation"}


def test_tuner_asha_example(tmp_path):
    cfg, stderr = run_example("tuner_asha.py", tmp_path)
    assert cfg["early_terminate"] == {"type": "hyperband", "min_iter": 2, "eta": 3}
    assert cfg["parameters"]["layers"] == {"distribution": "int_uniform", "min": 1, "max": 4}
    assert cfg["name"] == "asha-example" and cfg["run_cap"] == 50
    assert "max_t=30" in stderr


@needs("numpy")  # the example's program draws with numpy
def test_grid_example(tmp_path):
    cfg, stderr = run_example("tune_grid.py", tmp_path)
    assert cfg["method"] == "grid"
    assert len(cfg["parameters"]["nn_layers"]["values"]) == 9
    assert cfg["parameters"]["_tune_repeat"] == {"values": list(range(10))}
    assert stderr.count("# refused") == 2 and "sample_from" in stderr and "grid" in stderr
