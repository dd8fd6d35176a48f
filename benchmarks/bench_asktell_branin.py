"""Ask/tell searchers (NevergradSearch, SkOptSearch) against random search on Branin, end to end.

For each seed (5) a `tune.run(branin_fn, config={"x": U(-5, 10), "y": U(0, 15)}, num_samples=30,
search_alg=..., engine="optuna")` experiment script is written and run by `sweepbridge run exp.py --count 30`
(each trial a `sweepbridge trial` process reporting Branin's value; the generated scheduler source drives the
library's own optimizer through wandb's make_optimizer), and the best `loss` of its results.jsonl is kept. The
searchers: NevergradSearch(optimizer="OnePlusOne", seed), SkOptSearch(optimizer_kwargs={"random_state": seed}),
BasicVariantGenerator(random_state=seed) (random search). Reported: the median over the seeds of the best value
after 30 runs (Branin's minimum is 0.397887), and each searcher's wall time.

Run: python benchmarks/bench_asktell_branin.py [--searchers nevergrad,skopt,random] [--seeds 5] [--runs 30]
(numbers: benchmarks/README.md)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEARCHERS = {
    "nevergrad": 'tune.search.NevergradSearch(optimizer="OnePlusOne", seed={seed})',
    "skopt": 'tune.search.SkOptSearch(optimizer_kwargs={{"random_state": {seed}}})',
    "random": "tune.search.BasicVariantGenerator(random_state={seed})",
}

EXPERIMENT = """
import math
import warnings

from sweepbridge import ApproximationWarning, tune


def branin_fn(config):
    x, y = config["x"], config["y"]
    value = (y - 5.1 / (4 * math.pi**2) * x**2 + 5 / math.pi * x - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x)
    tune.report({{"loss": value + 10}})


with warnings.catch_warnings():
    warnings.simplefilter("ignore", ApproximationWarning)
    sweep = tune.run(branin_fn, config={{"x": tune.uniform(-5, 10), "y": tune.uniform(0, 15)}}, num_samples={runs},
                     metric="loss", mode="min", search_alg={searcher}, engine="optuna")
"""


def best(searcher: str, seed: int, runs: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        text = EXPERIMENT.format(runs=runs, searcher=SEARCHERS[searcher].format(seed=seed))
        (Path(folder) / "exp.py").write_text(text)
        command = [sys.executable, "-m", "sweepbridge", "run", "exp.py", "--count", str(runs), "--out", "out",
                   "--interpreter", sys.executable]  # fmt: skip
        subprocess.run(command, cwd=folder, check=True, capture_output=True, text=True, timeout=3600)
        lines = (Path(folder) / "out" / "results.jsonl").read_text().splitlines()
        values = [json.loads(line)["metric"] for line in lines]
        assert len(values) == runs, f"{searcher} seed {seed}: {len(values)} runs"
        return min(v for v in values if v is not None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--searchers", default="nevergrad,skopt,random")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    for searcher in args.searchers.split(","):
        start = time.perf_counter()
        values = [best(searcher, seed, args.runs) for seed in range(args.seeds)]
        wall = time.perf_counter() - start
        print(f"{searcher}: median best after {args.runs} runs {statistics.median(values):.4f} "
              f"({', '.join(f'{v:.4f}' for v in values)}); {wall:.0f} s", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
