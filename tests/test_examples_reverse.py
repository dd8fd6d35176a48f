"""examples/reverse_to_tuner.py runs as a user runs it and builds a real Tuner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # end to end: the example builds a real Ray Tune Tuner

ROOT = Path(__file__).resolve().parent.parent


def test_reverse_to_tuner_example_runs(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "reverse_to_tuner.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "'epochs': tune.randint(5, 21)" in result.stdout
    assert "Tuner ready: metric=loss mode=min num_samples=20 scheduler=AsyncHyperBandScheduler" in result.stdout
    assert "equivalent, not identical" in result.stderr


def test_example_tuner_is_a_real_tuner():
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        from reverse_to_tuner import main
    finally:
        sys.path.remove(str(ROOT / "examples"))
    from ray.tune import Tuner

    assert isinstance(main(), Tuner)
