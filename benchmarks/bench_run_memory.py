"""The runner's peak memory (its own RSS high-water mark) running one trial that logs MB megabytes
(0 = a quiet trial), and reading a run's transaction log whole (as the runner once did) vs streamed.

Printed output reaches the runner the same way as logged values, as records of the run's transaction
log; this benchmark logs, because wandb-core takes minutes inside the trial to process 50 MB of
console output (measured once by hand: 414 s for 50 MB printed in 10 kB lines; the runner's peak was
215,416 kB vs 215,428 kB for a quiet trial).

Run: python benchmarks/bench_run_memory.py [--mb 50]   (numbers: benchmarks/README.md)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TRIAL = """
import wandb
run = wandb.init()
blob = "x" * 100_000
for i in range(int(run.config["mb"]) * 10):
    run.log({"note": blob, "loss": float(i)})
run.log({"loss": 0.0})
"""

RUNNER = """
import resource, sys
from sweepbridge.runner import run_sweep
cfg = {"program": "trial.py", "method": "grid", "metric": {"name": "loss"},
       "parameters": {"mb": {"value": int(sys.argv[1])}}}
run_sweep(cfg, out=sys.argv[2])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

READ = """
import json, resource, subprocess, sys
from pathlib import Path
from sweepbridge.runner.history import RunLog, reader_command
log, how = Path(sys.argv[1]), sys.argv[2]
run_log = RunLog(["loss"])
if how == "whole":
    done = subprocess.run(reader_command(log, follow=False), capture_output=True, stdin=subprocess.DEVNULL)
    for line in done.stdout.splitlines():
        run_log.add(json.loads(line))
else:
    run_log._read_all(log)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _python(code: str, *args: str, cwd: Path) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
    env.update(WANDB_SILENT="true", PATH=os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")]))
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return int(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "trial.py").write_text(TRIAL)
        quiet = _python(RUNNER, "0", "quiet", cwd=work)
        loud = _python(RUNNER, str(args.mb), "loud", cwd=work)
        log = max((work / "wandb").glob("offline-run-*/run-*.wandb"), key=lambda p: p.stat().st_size)
        whole = _python(READ, str(log), "whole", cwd=work)
        streamed = _python(READ, str(log), "streamed", cwd=work)
        size = log.stat().st_size / 1e6
    print(f"runner peak, quiet trial:            {quiet / 1024:8.1f} MB")
    print(f"runner peak, trial logging {args.mb} MB:     {loud / 1024:8.1f} MB  ({(loud - quiet) / 1024:+.1f} MB)")
    print(f"reading its {size:.0f} MB log whole:        {whole / 1024:8.1f} MB")
    print(f"reading it streamed:                 {streamed / 1024:8.1f} MB")


if __name__ == "__main__":
    main()
