"""The runner's memory stays bounded whatever a trial logs: a run's transaction log is streamed
through wandb-core's reader, never read whole (it was: 337 MB of runner for 50 MB a trial printed).

Printed output and logged values reach the runner the same way, as records of the run's transaction
log; the trial here logs 50 MB (wandb-core takes minutes to process 50 MB of console output inside
the trial itself, which is not the runner's cost)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent

TRIAL = """
import wandb
run = wandb.init()
blob = "x" * 100_000
for i in range(int(run.config["mb"]) * 10):
    run.log({"note": blob, "loss": float(i)})
run.log({"loss": 0.0})
print("y" * 100_000)
"""

RUNNER = """
import resource, sys
from sweepbridge.runner import run_sweep
cfg = {"program": "trial.py", "method": "grid", "metric": {"name": "loss"},
       "parameters": {"mb": {"value": int(sys.argv[1])}}}
outcome = run_sweep(cfg, out=sys.argv[2])
assert [r.state for r in outcome.results] == ["finished"], outcome.results
print(outcome.results[0].history_rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_kb(workdir: Path, mb: int, out: str) -> tuple[int, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
    env.update(WANDB_SILENT="true", PATH=os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")]))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(mb), out], cwd=workdir, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    rows, peak = done.stdout.split()
    return int(rows), int(peak)


def test_peak_memory_with_a_trial_logging_50_mb_is_a_quiet_trials(tmp_path):
    (tmp_path / "trial.py").write_text(TRIAL)
    quiet_rows, quiet = peak_kb(tmp_path, 0, "quiet")
    loud_rows, loud = peak_kb(tmp_path, 50, "loud")
    assert (quiet_rows, loud_rows) == (1, 501)
    log = next((tmp_path / "wandb").glob("offline-run-*/run-*.wandb"), None)
    sizes = sorted(p.stat().st_size for p in (tmp_path / "wandb").glob("offline-run-*/run-*.wandb"))
    assert log is not None and sizes[-1] > 50_000_000  # the runner did read a log this large
    assert loud - quiet < 5 * 1024, f"peak {loud} KB with 50 MB logged vs {quiet} KB quiet"
    assert (tmp_path / "loud" / "results.jsonl").stat().st_size < 10_000  # the logged text is not in the record
