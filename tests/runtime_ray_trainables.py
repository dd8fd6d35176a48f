"""Trainables that use Ray Tune's own API (ray.tune.report, ray.train, ray.air): run by the trial
runtime with Ray installed but no Ray process; each records whether Ray started anything."""

from __future__ import annotations

import json
import os
import tempfile

import ray
from ray import tune
from runtime_trainables import curve, losses, probe


def ray_children() -> list[str]:
    """Command lines of this process's descendants that belong to Ray (raylet, gcs_server, workers)."""
    me, found = os.getpid(), []
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    names[int(entry)] = f.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
    for pid in parents:
        p = pid
        while p in parents and p not in (0, 1, me):
            p = parents[p]
        if p == me and pid != me and any(k in names.get(pid, "") for k in ("raylet", "gcs_server", "ray::", "ray/")):
            found.append(names[pid])
    return found


def train_ray(config):
    """Seed 004's train_function as written today: ray.tune.report with a checkpoint."""
    ctx = tune.get_context()
    probe(config=config, trial_id=ctx.get_trial_id(), trial_name=ctx.get_trial_name())
    for i, loss in enumerate(losses(config, 3)):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "state.json"), "w") as f:
                json.dump({"i": i}, f)
            tune.report({"loss": loss}, checkpoint=tune.Checkpoint.from_directory(d))
    checkpoint = tune.get_checkpoint()
    probe(ray_initialized=ray.is_initialized(), ray_children=ray_children(), checkpoint_path=checkpoint.path)


def train_air_session(config):
    from ray.air import session

    for loss in losses(config, 2):
        session.report({"loss": loss})


def train_ray_train(config):
    import ray.train

    for loss in losses(config, 2):
        ray.train.report({"loss": loss})


def train_setup_wandb(config):
    """Seed 004's train_function_wandb: setup_wandb + wandb.log next to tune.report."""
    from ray.air.integrations.wandb import setup_wandb

    wandb = setup_wandb(config, project="Wandb_example")
    import wandb as wandb_module

    probe(same_run=wandb is wandb_module.run, run_id=wandb.id)
    for loss in losses(config, 3):
        tune.report({"loss": loss})
        wandb.log(dict(extra=loss))


class RayTrainable(tune.Trainable):
    """A real ray.tune.Trainable subclass (the class shape of Ray's W&B guide)."""

    def setup(self, config):
        self.n = 0
        probe(config=config, trial_id=self.trial_id)

    def step(self):
        self.n += 1
        return {"loss": 1.0 / self.n, "done": self.n >= 3}

    def save_checkpoint(self, checkpoint_dir):
        return {"n": self.n}

    def load_checkpoint(self, checkpoint):
        self.n = checkpoint["n"]
        probe(restored=self.n)


def train_curve_ray(config):
    for i in range(30):
        tune.report({**curve(i), "done": i + 1 == config.get("done_at")})
