"""The trial runtime's cost against a plain wandb script (offline mode, as a W&B agent starts runs).

Run: python benchmarks/bench_runtime.py [RUNS] [REPORTS]   (defaults: 5 runs, 2,000 reports)

1. Start-up: wall time of a whole process that starts a W&B run, reports once and finishes:
   `python -m sweepbridge trial prog.py --trainable f` (f calls sweepbridge's tune.report once, then
   the same with Ray's ray.tune.report) against `python plain.py` (wandb.init(); wandb.log(); finish).
2. Per report: the time of REPORTS reports measured inside the process (tune.report through the
   runtime: auto-filled fields, flattening, stop rule, run.log) against REPORTS wandb.log calls of
   one metric, and of a row as wide as the runtime's (Ray's auto-filled fields, step=): the
   difference to the latter is sweepbridge's own cost.

Each process runs in a W&B agent's environment (WANDB_MODE=offline, the sweep's parameters in
WANDB_SWEEP_PARAM_PATH, WANDB_RUN_ID) in a fresh temporary directory. Medians over RUNS, interleaved.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROGRAM = """\
import json, os, sys, time
N = int(os.environ["BENCH_REPORTS"])

def train_sweepbridge(config):
    from sweepbridge import tune
    t = time.perf_counter()
    for i in range(N):
        tune.report({"loss": config["lr"] / (i + 1)})
    print("LOOP", time.perf_counter() - t, flush=True)

def train_ray(config):
    from ray import tune
    t = time.perf_counter()
    for i in range(N):
        tune.report({"loss": config["lr"] / (i + 1)})
    print("LOOP", time.perf_counter() - t, flush=True)

if __name__ == "__main__":  # the plain wandb script (BENCH_FULL: rows as wide as the runtime's)
    import wandb
    run = wandb.init()
    full = os.environ.get("BENCH_FULL") == "1"
    t = time.perf_counter()
    for i in range(N):
        row = {"loss": run.config["lr"] / (i + 1)}
        if full:
            row.update(training_iteration=i + 1, time_this_iter_s=0.001, time_total_s=0.001 * i, timestamp=1,
                       pid=1, time_since_restore=0.001 * i, iterations_since_restore=i + 1)  # fmt: skip
        run.log(row, step=i + 1) if full else run.log(row)
    print("LOOP", time.perf_counter() - t, flush=True)
    run.finish()
"""


def _env(home: Path, reports: int) -> dict[str, str]:
    from wandb.sdk.lib import config_util

    params = home / "wandb" / "sweep-bench" / "config-bench.yaml"
    params.parent.mkdir(parents=True)
    config_util.save_config_file_from_dict(str(params), {"lr": {"value": 0.01}})
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
    env.update(
        HOME=str(home), WANDB_MODE="offline", WANDB_SILENT="true", WANDB_DIR=str(home), WANDB_CONFIG_DIR=str(home),
        WANDB_CACHE_DIR=str(home), WANDB_SWEEP_ID="bench", WANDB_RUN_ID="bench", WANDB_SWEEP_PARAM_PATH=str(params),
        BENCH_REPORTS=str(reports), PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]),
    )  # fmt: skip
    return env


def _run(kind: str, reports: int) -> tuple[float, float]:
    """(process wall time, in-process loop time) of one run."""
    with tempfile.TemporaryDirectory() as d:
        home = Path(d)
        (home / "prog.py").write_text(PROGRAM)
        trial = [sys.executable, "-m", "sweepbridge", "trial", "prog.py", "--trainable"]
        argv = {"sweepbridge": [*trial, "train_sweepbridge"], "ray": [*trial, "train_ray"]}.get(kind)
        argv = argv or [sys.executable, "prog.py"]
        start = time.perf_counter()
        env = {**_env(home, reports), "BENCH_FULL": "1" if kind == "plain, same row" else "0"}
        proc = subprocess.run(argv, cwd=home, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"{kind} failed:\n{proc.stderr}")
        loop = float(next(line for line in proc.stdout.splitlines() if line.startswith("LOOP")).split()[1])
        return wall, loop


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    reports = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    kinds = ["plain", "plain, same row", "sweepbridge"]
    try:
        import ray.tune  # noqa: F401

        kinds.append("ray")
    except ImportError:
        pass
    start: dict[str, list[float]] = {k: [] for k in kinds}
    per: dict[str, list[float]] = {k: [] for k in kinds}
    for _ in range(runs):  # interleaved: the machine's load affects every kind alike
        for kind in kinds:
            start[kind].append(_run(kind, 1)[0])
            per[kind].append(_run(kind, reports)[1] / reports)
    out = {
        k: {"startup_s": statistics.median(start[k]), "per_report_us": statistics.median(per[k]) * 1e6} for k in kinds
    }
    print(json.dumps(out, indent=2))
    base = out["plain"]
    same = out["plain, same row"]["per_report_us"]
    print(f"wandb.log of the runtime's row (8 keys, step=): {same:.0f} µs")
    for kind in kinds[2:]:
        print(
            f"{kind}: start-up {out[kind]['startup_s']:.2f} s (plain wandb {base['startup_s']:.2f} s, "
            f"+{out[kind]['startup_s'] - base['startup_s']:.2f} s); per report {out[kind]['per_report_us']:.0f} µs "
            f"(wandb.log {base['per_report_us']:.0f} µs; the same row {same:.0f} µs, "
            f"+{out[kind]['per_report_us'] - same:.0f} µs of sweepbridge's own)"
        )


if __name__ == "__main__":
    main()
