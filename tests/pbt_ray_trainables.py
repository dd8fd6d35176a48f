"""PBT continuations with Ray Tune's own API (run by the trial runtime without any Ray process): a
ray.tune.Trainable class and a function trainable calling ray.tune.get_checkpoint / ray.tune.report."""

from __future__ import annotations

import json
import os
import tempfile

from pbt_trainables import STEP_S, probe
from ray import tune


class RayWeightTrainable(tune.Trainable):
    """A real ray.tune.Trainable: Ray's own train() counts iterations and time (restored from the donor)."""

    def setup(self, config):
        self.weight = 0.0

    def step(self):
        self.weight += self.config["lr"]
        return {"w": self.weight, "time_this_iter_s": STEP_S, "done": self.iteration + 1 >= self.config["until"]}

    def save_checkpoint(self, checkpoint_dir):
        with open(os.path.join(checkpoint_dir, "state.json"), "w") as f:
            json.dump({"w": self.weight, "by": self.trial_id}, f)

    def load_checkpoint(self, checkpoint_dir):
        with open(os.path.join(checkpoint_dir, "state.json")) as f:
            state = json.load(f)
        self.weight = state["w"]
        config = {k: v for k, v in self.config.items() if k in ("lr", "until")}
        probe(run=self.trial_id, config=config, loaded=state["by"], start=self.weight)


def train_ray_weights(config):
    """Ray's PBT function example's shape: restore from tune.get_checkpoint(), report a checkpoint each step."""
    weight, by = 0.0, None
    checkpoint = tune.get_checkpoint()
    if checkpoint is not None:
        with checkpoint.as_directory() as d, open(os.path.join(d, "state.json")) as f:
            state = json.load(f)
        weight, by = state["w"], state["by"]
    run = tune.get_context().get_trial_id()
    probe(run=run, config=config, loaded=by, start=weight, checkpoint_class=type(checkpoint).__module__)
    for _ in range(int(config["steps"])):
        weight += config["lr"]
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "state.json"), "w") as f:
                json.dump({"w": weight, "by": run}, f)
            tune.report({"w": weight, "time_this_iter_s": STEP_S}, checkpoint=tune.Checkpoint.from_directory(d))
