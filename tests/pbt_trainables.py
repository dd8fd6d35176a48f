"""Trainables for PBT continuations: each iteration adds config["lr"] to a weight kept in its checkpoint.

The weight after a continuation tells whether the donor's checkpoint was loaded (and which one): a run
that started from scratch would begin at 0. Every iteration takes exactly 1.5 s of Ray's clock
(time_this_iter_s reported), so time_total_s is known. What each saw goes to the PROBE file.
"""

from __future__ import annotations

import json
import os
import tempfile

from sweepbridge import tune

STEP_S = 1.5


def probe(**fields) -> None:
    with open(os.environ["PROBE"], "a") as f:
        f.write(json.dumps(fields) + "\n")


def train_weights(config):
    """A function trainable: restores {"w", "by"} from tune.get_checkpoint(), reports a checkpoint each iteration."""
    weight, by = 0.0, None
    checkpoint = tune.get_checkpoint()
    if checkpoint is not None:
        with checkpoint.as_directory() as d, open(os.path.join(d, "state.json")) as f:
            state = json.load(f)
        weight, by = state["w"], state["by"]
    run = tune.get_context().get_trial_id()
    probe(run=run, config=config, loaded=by, start=weight)
    for _ in range(int(config["steps"])):
        weight += config["lr"]
        if config.get("no_checkpoints"):
            tune.report({"w": weight, "time_this_iter_s": STEP_S})
            continue
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "state.json"), "w") as f:
                json.dump({"w": weight, "by": run}, f)
            tune.report({"w": weight, "time_this_iter_s": STEP_S}, checkpoint=tune.Checkpoint.from_directory(d))


class WeightTrainable(tune.Trainable):
    """Today's class API: save_checkpoint(dir) / load_checkpoint(dir)."""

    def setup(self, config):
        self.weight, self.by = 0.0, None

    def step(self):
        self.weight += self.config["lr"]
        return {"w": self.weight, "time_this_iter_s": STEP_S, "done": self.iteration + 1 >= self.config["until"]}

    def save_checkpoint(self, checkpoint_dir):
        with open(os.path.join(checkpoint_dir, "state.json"), "w") as f:
            json.dump({"w": self.weight, "by": self.trial_id}, f)

    def load_checkpoint(self, checkpoint_dir):
        with open(os.path.join(checkpoint_dir, "state.json")) as f:
            state = json.load(f)
        self.weight, self.by = state["w"], state["by"]
        probe(run=self.trial_id, config=self.config, loaded=self.by, start=self.weight, iteration=self.iteration)
