"""Benchmark: time per suggestion with 100 and 1,000 finished trials — TPE through W&B's sweep scheduler
(engine="optuna": wandb's make_optimizer on the generated source, ask_n_runs(1)) vs W&B's native bayes
(`sweeps.next_run` on the same number of finished runs), and Optuna's GPSampler (BayesOptSearch under
engine="optuna") on 2 float ranges, its history random (random_search_steps = finished trials).

Run: python benchmarks/bench_scheduler.py [--reps 5]   (needs the test extras: wandb, sweeps, optuna, torch)
Space: 4 parameters (uniform, log-uniform, int, choice); the metric is a fixed function of them.
"""

from __future__ import annotations

import argparse
import copy
import math
import platform
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def space():
    from sweepbridge.hyperopt import hp

    return {
        "x": hp.uniform("x", -5, 10),
        "lr": hp.loguniform("lr", math.log(1e-5), math.log(1e-1)),
        "layers": hp.randint("layers", 1, 9),
        "act": hp.choice("act", ["relu", "tanh", "gelu"]),
    }


def loss(c: dict) -> float:
    return (c["x"] - 2) ** 2 + (math.log10(c["lr"]) + 3) ** 2 + abs(c["layers"] - 4) + (c["act"] != "gelu")


def scheduler_seconds(finished: int, reps: int, gp: bool = False) -> float:
    """Median seconds of one ask_n_runs(1) once `finished` runs were told to the study (TPE, or GP: each
    timed run is told back, so every timed suggestion fits the GP to the history)."""
    import optuna
    from wandb.sdk.sweeps.run_state import RunState
    from wandb.sdk.sweeps.scheduler.optimizer import RunWithMetrics, make_optimizer
    from wandb.sdk.sweeps.sweep_info import SweepInfo

    from sweepbridge import to_sweep, tune

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if gp:
        search = tune.search.BayesOptSearch(metric="loss", mode="min", random_state=0, random_search_steps=finished)
        floats = {"x": tune.uniform(-5, 10), "lr": tune.uniform(1e-5, 1e-1), "layers": 4, "act": "gelu"}
        cfg = tune.run("t.py", config=floats, search_alg=search, engine="optuna")
    else:
        cfg = to_sweep(space(), engine="optuna", method="bayes", metric="loss", seed=0)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "sweep_scheduler.py"
        source.write_text(cfg.scheduler_source)
        config = {**dict(cfg), "scheduler": {**cfg["scheduler"], "source": str(source)}}
        optimizer = make_optimizer(SweepInfo("s", "s", "e", "p", config, "c"))
        for _ in range(finished):
            run = optimizer.ask_n_runs(1)[0]
            value = loss(run.config.flat_dict())
            optimizer.tell_run(run.run_id, RunWithMetrics(run.config, RunState.FINISHED, "r", {"loss": value}, []))
        times = []
        for _ in range(reps):
            start = time.perf_counter()
            run = optimizer.ask_n_runs(1)[0]
            times.append(time.perf_counter() - start)
            if gp:
                value = loss(run.config.flat_dict())
                optimizer.tell_run(run.run_id, RunWithMetrics(run.config, RunState.FINISHED, "r", {"loss": value}, []))
    return statistics.median(times)


def native_seconds(finished: int, reps: int) -> float:
    """Median seconds of one sweeps.next_run (method bayes) given `finished` finished runs."""
    import random

    import sweeps

    from sweepbridge import to_sweep

    cfg = dict(to_sweep(space(), method="bayes", metric="loss"))
    random.seed(0)
    runs = []
    for i, run in enumerate(sweeps.next_runs({**copy.deepcopy(cfg), "method": "random"}, [], n=finished)):
        value = loss({k: v["value"] for k, v in run.config.items()})
        runs.append(sweeps.SweepRun(name=f"r{i}", state=sweeps.RunState.finished, config=run.config,
                                    history=[{"loss": value}], summary_metrics={"loss": value}))  # fmt: skip
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        sweeps.next_run(copy.deepcopy(cfg), runs)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print(f"# {platform.python_implementation()} {platform.python_version()}, {platform.machine()}")
    print("| finished trials | TPE via W&B's scheduler (optuna) | W&B native bayes (sweeps.next_run) "
          "| GP via W&B's scheduler (optuna, 2 floats) |")  # fmt: skip
    print("|---|---|---|---|")
    for finished in (100, 1000):
        ours = scheduler_seconds(finished, args.reps)
        native = native_seconds(finished, args.reps)
        gp = scheduler_seconds(finished, args.reps, gp=True)
        print(f"| {finished:,} | {ours * 1000:.1f} ms | {native * 1000:.1f} ms | {gp * 1000:.1f} ms |")


if __name__ == "__main__":
    main()
