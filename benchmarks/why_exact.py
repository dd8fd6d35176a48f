"""Why exact matters: how far Ray's own converter and sweepbridge land from Ray's distribution.

For Ray's integer domains, samples Ray (`Domain.sample`), hyperopt on the space Ray's
`HyperOptSearch.convert_search_space` produces, and W&B's engine (`sweeps`) on sweepbridge's
config, then prints the total variation distance of each from Ray's *exact* pmf.
Needs the test extras (ray[tune], hyperopt, sweeps). Run: python benchmarks/why_exact.py [N]
"""

from __future__ import annotations

import random
import sys
from collections import Counter

import numpy as np
import sweeps
from hyperopt.pyll import stochastic
from ray import tune
from ray.tune.search.hyperopt import HyperOptSearch

from sweepbridge import to_sweep
from sweepbridge.stats import total_variation as tv

CASES = {
    "randint(0, 10)": tune.randint(0, 10),
    "qrandint(0, 10, 5)": tune.qrandint(0, 10, 5),
    "lograndint(1, 10)": tune.lograndint(1, 10),
    "qlograndint(2, 64, 2)": tune.qlograndint(2, 64, 2),
}


def main(n: int = 20_000) -> None:
    print(f"total variation from Ray's distribution, {n:,} draws each; 'Ray again' is the sampling-noise floor")
    print(f"{'domain':24} {'Ray again':>10} {'Ray converter→hyperopt':>24} {'sweepbridge→W&B engine':>24}")
    for name, domain in CASES.items():
        np.random.seed(0)
        ray_counts = Counter(int(v) for v in domain.sample(size=200_000))
        pmf = {k: c / 200_000 for k, c in ray_counts.items()}
        np.random.seed(3)
        again = Counter(int(v) for v in domain.sample(size=n))
        hp_space = HyperOptSearch.convert_search_space({"x": domain})
        rng = np.random.default_rng(1)
        hp_counts = Counter(int(stochastic.sample(hp_space, rng=rng)["x"]) for _ in range(n))
        cfg = to_sweep({"x": domain})
        random.seed(2)
        wb_counts = Counter(int(r.config["x"]["value"]) for r in sweeps.next_runs(dict(cfg), [], n=n))
        print(f"{name:24} {tv(again, pmf):10.3f} {tv(hp_counts, pmf):24.3f} {tv(wb_counts, pmf):24.3f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
