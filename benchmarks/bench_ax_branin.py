"""AxSearch against random search on Branin, each run end to end through `sweepbridge run`.

The same Tune script (Branin on x ∈ [-5, 10], y ∈ [0, 15], minimized; optimum 0.397887) runs as
- AxSearch(random_seed=SEED): `sweepbridge run --engine ax` (W&B's sweep scheduler with its Ax engine and the
  generated `ax.Client`: Sobol, then BoTorch, as Ray's AxClient), one sweep per seed;
- random search (Ray's default searcher): `sweepbridge run --engine wandb` (W&B's own engine, method random,
  which takes no seed: each repetition is a fresh draw);
with RUNS runs each, one trial at a time. The figure per sweep is its best (lowest) loss; the medians over the
seeds are compared.

Run: python benchmarks/bench_ax_branin.py [--seeds 5] [--runs 30]   (numbers: docs/searchers.md)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCRIPT = """\
import math

from sweepbridge import tune
from sweepbridge.tune.search.ax import AxSearch


def branin(config):
    x, y = config["x"], config["y"]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    tune.report({{"loss": (y - b * x**2 + c * x - 6) ** 2 + 10 * (1 - t) * math.cos(x) + 10}})


if __name__ == "__main__":
    tune.run(branin, config={{"x": tune.uniform(-5, 10), "y": tune.uniform(0, 15)}}, search_alg={searcher},
             metric="loss", mode="min", num_samples={runs})
"""
OPTIMUM = 0.397887


def best_loss(folder: Path, searcher: str, engine: str, runs: int) -> tuple[float, float, int]:
    """(best loss, wall seconds, finished runs) of one `sweepbridge run` of the Branin script."""
    folder.mkdir(parents=True)
    (folder / "branin.py").write_text(SCRIPT.format(searcher=searcher, runs=runs), encoding="utf-8")
    env = {**os.environ, "WANDB_SILENT": "true"}
    command = [sys.executable, "-m", "sweepbridge", "run", "branin.py", "--out", "out", "--engine", engine,
               "--interpreter", sys.executable]  # fmt: skip
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"sweepbridge run failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    rows = [json.loads(line) for line in (folder / "out" / "results.jsonl").read_text().splitlines() if line]
    losses = [r["metric"] for r in rows if r["state"] == "finished" and r["metric"] is not None]
    return min(losses), wall, len(losses)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    results: dict[str, list[float]] = {"ax": [], "random": []}
    with tempfile.TemporaryDirectory() as scratch:
        for seed in range(1, args.seeds + 1):
            for name, searcher, engine in (("ax", f"AxSearch(random_seed={seed})", "ax"), ("random", "None", "wandb")):
                best, wall, finished = best_loss(Path(scratch) / f"{name}{seed}", searcher, engine, args.runs)
                results[name].append(best)
                print(f"seed {seed} {name:6s}: best loss {best:.4f} over {finished} runs ({wall:.0f} s)", flush=True)
    ax_median, random_median = statistics.median(results["ax"]), statistics.median(results["random"])
    print(f"median best loss over {args.seeds} sweeps of {args.runs} runs (optimum {OPTIMUM}):")
    print(f"  AxSearch (engine ax): {ax_median:.4f}   {[round(v, 4) for v in results['ax']]}")
    print(f"  random (engine wandb): {random_median:.4f}   {[round(v, 4) for v in results['random']]}")
    print(f"AxSearch beats random search: {ax_median < random_median}")


if __name__ == "__main__":
    main()
