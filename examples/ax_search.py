"""Ray Tune's AxSearch on W&B's sweep scheduler with its Ax engine: writes sweep.yaml and sweep_scheduler.py.

    python examples/ax_search.py              # writes both files here
    sweepbridge run sweep.yaml --count 12     # runs the sweep here (W&B's Ax engine asks, the runs log offline)

On W&B: `wandb sweep sweep.yaml`, then `wandb sweep-scheduler` in this folder (it loads sweep_scheduler.py and
asks its `ax.Client`) and `wandb agent` anywhere. The client is the one Ray's AxSearch configures: the same
parameters, the parameter constraint, the objective, Sobol then BoTorch, seeded.
"""

import math

from sweepbridge import tune
from sweepbridge.tune.search.ax import AxSearch


def branin(config):
    """Branin's function (minimum 0.397887 at three points), reported once as `loss`."""
    x, y = config["x"], config["y"]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    tune.report({"loss": (y - b * x**2 + c * x - 6) ** 2 + 10 * (1 - t) * math.cos(x) + 10})


if __name__ == "__main__":
    sweep = tune.run(
        branin,
        config={"x": tune.uniform(-5, 10), "y": tune.uniform(0, 15)},
        search_alg=AxSearch(random_seed=0, parameter_constraints=["x + y <= 20"]),
        metric="loss",
        mode="min",
        num_samples=30,
        engine="ax",
    )
    sweep.save("sweep.yaml")  # and sweep_scheduler.py beside it
    print(sweep.to_yaml())
