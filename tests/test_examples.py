"""examples/ run as a user runs them: a subprocess, from a scratch folder, sweepbridge uninstalled."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from optional import needs

from sweepbridge import SweepConfig, to_sweep, validate
from sweepbridge.hyperopt import hp

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "hyperopt_search.py"


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def expected() -> SweepConfig:
    space = dict(
        width=hp.uniform("width", 0, 20),
        height=hp.uniform("height", -100, 100),
        activation=hp.choice("activation", ["relu", "tanh"]),
    )
    return to_sweep(space, method="bayes", metric="mean_loss", goal="minimize", program="train.py", run_cap=10)


def check_written(path: Path, stdout: str) -> None:
    cfg = SweepConfig.load(path)
    assert validate(cfg) == []
    assert cfg == expected()
    assert path.read_text(encoding="utf-8") == expected().to_yaml()
    assert expected().to_yaml() in stdout


def test_hyperopt_search_example_writes_sweep_yaml(tmp_path):
    result = run([sys.executable, str(EXAMPLE)], tmp_path)
    assert result.returncode == 0, result.stderr
    check_written(tmp_path / "sweep.yaml", result.stdout)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.yaml"]


def test_hyperopt_search_example_output_argument(tmp_path):
    result = run([sys.executable, str(EXAMPLE), "out.yaml"], tmp_path)
    assert result.returncode == 0, result.stderr
    check_written(tmp_path / "out.yaml", result.stdout)


def test_hyperopt_search_example_without_hyperopt_uses_the_mirror(tmp_path):
    """With hyperopt unimportable the example falls back to sweepbridge's mirror: same file."""
    code = (
        "import runpy, sys; sys.modules['hyperopt'] = None; sys.argv = ['x', 'sweep.yaml']; "
        f"runpy.run_path({str(EXAMPLE)!r}, run_name='__main__')"
    )
    result = run([sys.executable, "-c", code], tmp_path)
    assert result.returncode == 0, result.stderr
    check_written(tmp_path / "sweep.yaml", result.stdout)


def test_example_failure_leaves_no_file(tmp_path):
    """Saving into a folder that does not exist fails cleanly (SpecError, nothing written)."""
    result = run([sys.executable, str(EXAMPLE), "missing/sweep.yaml"], tmp_path)
    assert result.returncode != 0 and "SpecError" in result.stderr
    assert list(tmp_path.iterdir()) == []


EXAMPLE_NEEDS = {"train.py": ("numpy", "wandb"), "tune_grid.py": ("numpy",), "tune_trainable_agent.py": ("numpy",),
                 "reverse_to_tuner.py": ("ray",), "ray_quickstart.py": ("ray",)}  # fmt: skip
RAY_SCRIPTS = ("ray_quickstart.py",)
"""Unmodified Ray Tune scripts: their documented command is `sweepbridge run NAME` (no Ray cluster)."""


@pytest.mark.slow  # end to end: every example as a user runs it, a Python process each
@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=needs(*EXAMPLE_NEEDS.get(n, ())))
        for n in sorted(p.name for p in ROOT.glob("examples/*.py"))
    ],
)
def test_every_example_runs(name, tmp_path):
    if name not in RAY_SCRIPTS:
        result = run([sys.executable, str(ROOT / "examples" / name)], tmp_path)
        assert result.returncode == 0, result.stderr
        return
    pytest.importorskip("ray.tune")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    result = subprocess.run(
        [sys.executable, "-m", "sweepbridge", "run", str(ROOT / "examples" / name)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "best config: {'mean': " in result.stdout and "engine auto: W&B's sweep scheduler" in result.stderr
    assert "wandb sync --project Wandb_example " in result.stderr + result.stdout
