"""Trainables written the ways Ray Tune users write them, for the trial runtime tests.

Each writes what it saw (its config, ids, checkpoints) as JSON lines to the file named by the
environment variable PROBE, so tests can compare it with what W&B recorded.
"""

from __future__ import annotations

import json
import os
import tempfile
import time

from sweepbridge import tune


def probe(**fields) -> None:
    path = os.environ.get("PROBE")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(fields, default=repr) + "\n")


def losses(config, n):
    """A deterministic loss curve (Ray's W&B guide's mean + sd * noise, with fixed noise)."""
    noise = [0.3, -0.2, 0.1, -0.05, 0.02, -0.01, 0.005, 0.0, 0.0, 0.0] + [0.0] * 100
    return [config.get("mean", 1) + config.get("sd", 0.5) * noise[i] / (i + 1) for i in range(n)]


# --- function trainables without Ray --------------------------------------------------------


def train_fn(config):
    """Seed 004's train_function, with sweepbridge's tune.report."""
    probe(config=config, trial_id=tune.get_context().get_trial_id(), checkpoint=tune.get_checkpoint())
    for loss in losses(config, int(config.get("steps", 5))):
        tune.report({"loss": loss})


def train_legacy_kwargs(config):
    """The 2019/2020 keyword form: tune.report(loss=...)."""
    for loss in losses(config, 4):
        tune.report(loss=loss, nested={"acc": 1 - loss})


def train_reporter(config, reporter):
    """Seed 002's function API: trainable(config, reporter)."""
    for loss in losses(config, 3):
        reporter(loss=loss, mean_accuracy=1 - loss)


def train_with_checkpoints(config):
    """Reports a checkpoint every iteration; resumes from get_checkpoint()."""
    start = 0
    checkpoint = tune.get_checkpoint()
    if checkpoint is not None:
        with checkpoint.as_directory() as d, open(os.path.join(d, "state.json")) as f:
            start = json.load(f)["i"] + 1
    probe(start=start)
    for i in range(start, int(config.get("steps", 3))):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "state.json"), "w") as f:
                json.dump({"i": i}, f)
            tune.report({"loss": 1.0 / (i + 1), "i": i}, checkpoint=tune.Checkpoint.from_directory(d))
        time.sleep(float(config.get("pause", 0)))


def train_blocked(config):
    """Reports once (with a checkpoint), then blocks without reporting."""
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "state.json"), "w") as f:
            json.dump({"i": 0}, f)
        tune.report({"loss": 1.0}, checkpoint=tune.Checkpoint.from_directory(d))
    probe(reported=True)
    time.sleep(600)


def train_fails(config):
    tune.report({"loss": 1.0})
    raise ValueError("boom in the trainable")


def train_wrong_metric(config):
    tune.report({"accuracy": 0.5})


def train_done(config):
    for i in range(10):
        tune.report({"loss": 1.0, "done": i == 3})


# --- class trainables without Ray -----------------------------------------------------------


class MyTrainable(tune.Trainable):
    """Today's names (the WandbTrainable shape of Ray's W&B guide)."""

    def setup(self, config):
        self.steps_done = 0
        probe(config=config, trial_id=self.trial_id)

    def step(self):
        self.steps_done += 1
        return {"loss": losses(self.config, 10)[self.steps_done - 1], "done": self.steps_done >= 4}

    def save_checkpoint(self, checkpoint_dir):
        with open(os.path.join(checkpoint_dir, "state.json"), "w") as f:
            json.dump({"steps_done": self.steps_done}, f)

    def load_checkpoint(self, checkpoint_dir):
        with open(os.path.join(checkpoint_dir, "state.json")) as f:
            self.steps_done = json.load(f)["steps_done"]
        probe(restored=self.steps_done)


class LegacyTrainable(tune.Trainable):
    """Seed 002's 2019 names: _setup / _train / _save / _restore."""

    def _setup(self, config):
        self.iteration_count = 0

    def _train(self):
        self.iteration_count += 1
        return {"loss": 1.0 / self.iteration_count, "done": self.iteration_count >= 3}

    def _save(self, checkpoint_dir):
        path = os.path.join(checkpoint_dir, "save")
        with open(path, "w") as f:
            f.write(str(self.iteration_count))
        return path

    def _restore(self, path):
        with open(path) as f:
            self.iteration_count = int(f.read())


# --- a deterministic curve for comparing stop criteria with ray.tune.Tuner -------------------


def curve(i: int) -> dict:
    """Iteration i's result: a loss that plateaus, a rising score, a nested value."""
    return {"loss": 0.38 + 0.62 * 0.5**i, "score": float(i), "info": {"x": i}}


def train_curve(config):
    for i in range(30):
        tune.report({**curve(i), "done": i + 1 == config.get("done_at")})


def stop_when_loss_small(trial_id, result):
    """A stop(trial_id, result) callable, importable by name."""
    return result["loss"] < 0.42


# --- W&B integration without Ray: the 2020 decorator and our setup_wandb mirror ---------------

from sweepbridge.tune.integration.wandb import setup_wandb, wandb_mixin  # noqa: E402


@wandb_mixin
def train_mixin(config):
    """Seed 000's wandb_mixin example: wandb.log inside, tune.report beside it."""
    import wandb

    probe(run_id=wandb.run.id, wandb_block=config.get("wandb"))
    for i in range(3):
        loss = config["a"] + config["b"] * i
        wandb.log({"loss_wandb": loss})
        tune.report(loss=loss)


def train_setup_mirror(config):
    run = setup_wandb(config, project="Optimization_Project")
    probe(run_id=run.id)
    tune.report({"loss": 1.0})
