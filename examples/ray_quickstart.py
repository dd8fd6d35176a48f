"""Seed 004's Ray Tune example (Ray's W&B guide), unchanged: run it with `sweepbridge run ray_quickstart.py`.

`from ray import tune` stays; sweepbridge runs the experiment here as a W&B sweep (no Ray cluster):
the grid over `mean` mixed with a sampled `sd` runs under W&B's sweep scheduler (`--engine auto`, the
default, says so), each trial is one offline W&B run in the project `Wandb_example` (the callback's),
and `tuner.fit()` returns the ResultGrid the last line prints from. With `from sweepbridge import tune`
(and `from sweepbridge.tune.integration.wandb import WandbLoggerCallback`), `python ray_quickstart.py`
does the same. See docs/ray-scripts.md.
"""

import numpy as np
from ray import tune
from ray.air.integrations.wandb import WandbLoggerCallback


def train_function(config):
    for _ in range(30):
        loss = config["mean"] + config["sd"] * np.random.randn()
        tune.report({"loss": loss})


def tune_with_callback():
    """Example for using a WandbLoggerCallback with the function API"""
    tuner = tune.Tuner(
        train_function,
        tune_config=tune.TuneConfig(
            metric="loss",
            mode="min",
        ),
        run_config=tune.RunConfig(callbacks=[WandbLoggerCallback(project="Wandb_example")]),
        param_space={
            "mean": tune.grid_search([1, 2, 3, 4, 5]),
            "sd": tune.uniform(0.2, 0.8),
        },
    )
    return tuner.fit()


if __name__ == "__main__":
    results = tune_with_callback()
    print("best config:", results.get_best_result().config)
