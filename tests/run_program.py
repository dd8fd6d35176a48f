"""A W&B-style program for the runner's tests (copied next to each test's sweep file).

It records what it was started with (argv, WANDB_* variables, the per-run config file, wandb.config,
its pid) in records/<run id>.json, then logs `loss` per step from config `curve` (a name in CURVES,
digits after the name ignored, or a constant), sleeping `pause` seconds per step; `fail: true` exits
1. SIGTERM is noted in the record with its time, and the run finishes cleanly.
"""

import json
import os
import signal
import sys
import time

import wandb

CURVES = {"good": [1.0, 0.5, 0.3, 0.2, 0.1, 0.1, 0.1, 0.1], "bad": [10.0] * 40}
record: dict = {"argv": sys.argv[1:], "pid": os.getpid(), "pgid": os.getpgid(0)}
record["env"] = {k: v for k, v in os.environ.items() if k.startswith("WANDB_") or k == "SB_TEST_VAR"}
path = os.environ.get("WANDB_SWEEP_PARAM_PATH")
record["config_file"] = open(path).read() if path and os.path.exists(path) else None
os.makedirs("records", exist_ok=True)


def save() -> None:
    tmp = f"records/.{os.environ.get('WANDB_RUN_ID')}.json"
    with open(tmp, "w") as fh:
        json.dump(record, fh)
    os.replace(tmp, f"records/{os.environ.get('WANDB_RUN_ID')}.json")


stop = False


def on_term(signum, frame):
    global stop
    stop = True
    record["sigterm_at"] = time.time()
    save()


signal.signal(signal.SIGTERM, on_term)
run = wandb.init()
record["config"] = dict(run.config)
save()
if run.config.get("fail"):
    sys.exit(1)
curve = run.config.get("curve", "good")
values = CURVES[curve.rstrip("0123456789")] if isinstance(curve, str) else [float(curve)] * 4
for step, value in enumerate(values):
    if stop:
        break
    run.log({"loss": value}, step=step)
    time.sleep(float(run.config.get("pause", 0)))
run.finish()
record["ended_at"] = time.time()
save()
