"""PBT under `sweepbridge run` against random search and against Ray's own PBT, on Ray's PBT function example.

The trainable is examples/tuner_pbt.py's `pbt_function` (Ray's pbt_function example, condensed: the best
learning rate is 0.01 until accuracy 100, then 0.001, so a schedule of learning rates beats any fixed one).
Every experiment trains a population of P trials for N training iterations each (the same budget):

- **PBT, sweepbridge**: `tune.run(..., scheduler=PopulationBasedTraining(perturbation_interval=I,
  hyperparam_mutations={"lr": U(0.0001, 0.02)}), engine="optuna")` → `sweepbridge run --jobs J`: W&B's
  sweep scheduler (the generated PBT scheduler), each trial a chain of runs handing checkpoints on;
- **random search, sweepbridge**: the same tune.run without the scheduler (W&B's engine, `method: random`)
  → `sweepbridge run --jobs J --count P`: P runs of N iterations;
- **PBT, Ray**: Ray's real `Tuner` with Ray's `PopulationBasedTraining` (same settings, Ray running with
  J CPUs), the same function with Ray's own `tune` API.

Score of an experiment: the best trial's final mean_accuracy (a PBT trial's final = its last run's last
report; Ray: the trial's last result). Each experiment is repeated R times; the median is reported. W&B's
engine and the generated scheduler take no seed (every repetition draws anew); Ray's repetitions are
seeded 0..R-1. Iterations executed are counted too: a PBT run keeps training past a perturbation point
until the scheduler's next poll (its extra iterations are discarded: the continuation restores the
checkpoint at the point), so sweepbridge's PBT executes more iterations than the budget it scores on.

Run: python benchmarks/bench_pbt.py [--repeats 5] [--population 4] [--iterations 20] [--interval 4]
     [--jobs 2] [--skip-ray]   (numbers: benchmarks/README.md)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "examples/tuner_pbt.py"
SPACE_LOW, SPACE_HIGH = 0.0001, 0.02


def translate(folder: Path, args: argparse.Namespace, pbt: bool) -> Path:
    """The sweep file of the experiment (PBT: engine optuna, the generated scheduler beside it)."""
    from sweepbridge import tune
    from sweepbridge.tune.schedulers import PopulationBasedTraining

    kwargs: dict = {}
    if pbt:
        kwargs["scheduler"] = PopulationBasedTraining(
            time_attr="training_iteration",
            perturbation_interval=args.interval,
            hyperparam_mutations={"lr": tune.uniform(SPACE_LOW, SPACE_HIGH)},
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sweep = tune.run(
            f"{EXAMPLE}:pbt_function",
            config={"lr": tune.uniform(SPACE_LOW, SPACE_HIGH)},
            num_samples=args.population,
            metric="mean_accuracy",
            mode="max",
            stop={"training_iteration": args.iterations},
            storage_path=str(folder / "storage"),
            engine="optuna" if pbt else "wandb",
            **kwargs,
        )
    path = folder / "sweep.yaml"
    sweep.save(path)
    return path


def run_sweepbridge(folder: Path, args: argparse.Namespace, pbt: bool) -> dict:
    """One experiment under `sweepbridge run`: its score, runs, iterations executed and wall time."""
    folder.mkdir(parents=True)
    path = translate(folder, args, pbt)
    out = folder / "out"
    cmd = [sys.executable, "-m", "sweepbridge.cli", "run", str(path), "--jobs", str(args.jobs), "--out", str(out)]
    cmd += ["--interpreter", sys.executable, "--mode", "disabled" if args.disabled else "offline"]
    if not pbt:
        cmd += ["--count", str(args.population)]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    }
    env["WANDB_SILENT"] = "true"
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"sweepbridge run failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    executed = 0
    for r in records:
        start = (r["config"].get("_pbt") or {}).get("iteration") or 0
        executed += int((r.get("summary") or {}).get("training_iteration", start)) - start
    if pbt:
        trials = json.loads((out / "pbt_trials.json").read_text())
        finals = [t["final"] for t in trials if t["final"] is not None]
        exploits = sum(1 for r in records if (r["config"]["_pbt"].get("donor") or "").split("/")[0]
                       not in ("", r["config"]["_pbt"]["trial"]))  # fmt: skip
    else:
        finals = [r["metric"] for r in records if r["state"] == "finished" and r["metric"] is not None]
        exploits = 0
    return {"score": max(finals), "runs": len(records), "executed": executed, "wall": wall, "exploits": exploits}


def ray_trainable():
    """examples/tuner_pbt.py's pbt_function with Ray's own tune API (get_checkpoint, report, Checkpoint)."""
    import ray.tune
    from ray import cloudpickle

    spec = importlib.util.spec_from_file_location("bench_pbt_example", ROOT / EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module.tune = ray.tune
    cloudpickle.register_pickle_by_value(module)  # Ray's workers cannot import the example by that name
    return module.pbt_function


def run_ray(folder: Path, args: argparse.Namespace, seed: int, trainable) -> dict:
    """One experiment under Ray's own Tuner and PopulationBasedTraining."""
    import numpy as np
    from ray import tune
    from ray.tune.schedulers import PopulationBasedTraining

    random.seed(seed)
    np.random.seed(seed)
    pbt = PopulationBasedTraining(
        time_attr="training_iteration",
        perturbation_interval=args.interval,
        hyperparam_mutations={"lr": tune.uniform(SPACE_LOW, SPACE_HIGH)},
    )
    tuner = tune.Tuner(
        trainable,
        param_space={"lr": tune.uniform(SPACE_LOW, SPACE_HIGH)},
        tune_config=tune.TuneConfig(metric="mean_accuracy", mode="max", num_samples=args.population, scheduler=pbt),
        run_config=tune.RunConfig(
            name=f"ray-{seed}", storage_path=str(folder), stop={"training_iteration": args.iterations}, verbose=0
        ),
    )
    started = time.perf_counter()
    grid = tuner.fit()
    wall = time.perf_counter() - started
    finals = [r.metrics["mean_accuracy"] for r in grid if r.metrics and "mean_accuracy" in r.metrics]
    executed = sum(len(r.metrics_dataframe) for r in grid if r.metrics_dataframe is not None)
    return {"score": max(finals), "runs": len(grid), "executed": executed, "wall": wall, "exploits": None}


def summary(name: str, results: list[dict]) -> str:
    scores = [r["score"] for r in results]
    return (
        f"| {name} | {statistics.median(scores):.1f} | {', '.join(f'{s:.1f}' for s in scores)} | "
        f"{statistics.median(r['executed'] for r in results):.0f} | "
        f"{statistics.median(r['runs'] for r in results):.0f} | "
        f"{statistics.median(r['wall'] for r in results):.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--population", type=int, default=4)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--interval", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-ray", action="store_true")
    parser.add_argument("--disabled", action="store_true", help="wandb mode disabled (default offline)")
    args = parser.parse_args()
    rows: dict[str, list[dict]] = {"PBT, sweepbridge run": [], "random search, sweepbridge run": [], "PBT, Ray": []}
    with tempfile.TemporaryDirectory(prefix="bench_pbt_") as tmp:
        base = Path(tmp)
        for i in range(args.repeats):
            for name, pbt in (("PBT, sweepbridge run", True), ("random search, sweepbridge run", False)):
                result = run_sweepbridge(base / f"{'pbt' if pbt else 'random'}-{i}", args, pbt)
                rows[name].append(result)
                print(f"# {name} #{i}: {json.dumps(result)}", flush=True)
        if not args.skip_ray:
            import ray

            ray.init(num_cpus=args.jobs, include_dashboard=False, log_to_driver=False, configure_logging=False)
            trainable = ray_trainable()
            for seed in range(args.repeats):
                result = run_ray(base / "ray", args, seed, trainable)
                rows["PBT, Ray"].append(result)
                print(f"# PBT, Ray #{seed}: {json.dumps(result)}", flush=True)
            ray.shutdown()
    print(
        f"\npopulation {args.population}, {args.iterations} training iterations per trial, perturbation every "
        f"{args.interval}, --jobs {args.jobs} (Ray: {args.jobs} CPUs), {args.repeats} repetitions\n"
    )
    print("| experiment | median best final mean_accuracy | each repetition | iterations executed | runs | wall s |")
    print("|---|---|---|---|---|---|")
    for name, results in rows.items():
        if results:
            print(summary(name, results))


if __name__ == "__main__":
    main()
