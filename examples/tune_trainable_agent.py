"""Ray Tune trainables, unchanged, as W&B sweep runs (train_function and a Trainable class of Ray's W&B guide).

Run from the repository root:
    python examples/tune_trainable_agent.py [OUTPUT] [--class]   # default OUTPUT: sweep-trainable.yaml
    wandb sweep sweep-trainable.yaml
    wandb agent ENTITY/PROJECT/SWEEP_ID                            # on any number of machines, same directory

The sweep's `program` is this file and its `command` starts `python -m sweepbridge trial`, which
imports `train_function` (or `TrainableClass`) from it, gives it Ray's config, logs every
`tune.report` as one W&B history row and stops it as Ray would (`stop`, ASHA → hyperband). This
file runs again in every trial: the translation below is under `if __name__ == "__main__":`.
"""

import json
import os
import sys
import warnings

import numpy as np

from sweepbridge import ApproximationWarning, tune  # or: from ray import tune (the trainables stay the same)
from sweepbridge.tune.schedulers import ASHAScheduler


def train_function(config):
    """Seed 004's function trainable: a noisy loss around config["mean"], reported 30 times."""
    for _ in range(30):
        loss = config["mean"] + config["sd"] * np.random.randn()
        tune.report({"loss": loss})


class TrainableClass(tune.Trainable):
    """The same experiment as a class: one step() per iteration, with a checkpoint to resume from."""

    def setup(self, config):
        self.steps = 0

    def step(self):
        self.steps += 1
        loss = self.config["mean"] + self.config["sd"] * np.random.randn()
        return {"loss": loss, "done": self.steps >= 30}

    def save_checkpoint(self, checkpoint_dir):
        with open(os.path.join(checkpoint_dir, "state.json"), "w") as f:
            json.dump({"steps": self.steps}, f)

    def load_checkpoint(self, checkpoint_dir):
        with open(os.path.join(checkpoint_dir, "state.json")) as f:
            self.steps = json.load(f)["steps"]


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--class"]
    output = args[0] if args else "sweep-trainable.yaml"
    tuner = tune.Tuner(
        TrainableClass if "--class" in sys.argv else train_function,
        # Ray's W&B guide grids "mean"; a grid mixed with a sampled "sd" cannot be a W&B sweep, so: a choice
        param_space={"mean": tune.choice([1, 2, 3, 4, 5]), "sd": tune.uniform(0.2, 0.8)},
        tune_config=tune.TuneConfig(
            metric="loss",
            mode="min",
            num_samples=10,
            scheduler=ASHAScheduler(grace_period=5, reduction_factor=3),  # one report = one hyperband iteration
        ),
        run_config=tune.RunConfig(name="trainable-example", stop={"training_iteration": 20}),
    )
    with warnings.catch_warnings(record=True) as caught:  # what differs from Ray's ASHA, stated once
        warnings.simplefilter("always", ApproximationWarning)
        sweep = tuner.to_sweep()
    for w in caught:
        print(f"# note: {w.message}", file=sys.stderr)
    sweep.save(output)
    print(f"# written to {output}\n{sweep}", end="")
