"""Home of Ray's PopulationBasedTraining (and its replay): refused by W&B's engines (compat row tune.scheduler.pbt)."""

from __future__ import annotations

from .trial_scheduler import Refused


class PopulationBasedTraining(Refused):
    row = "tune.scheduler.pbt"
    names = ("pbt",)
    ray_module = "ray.tune.schedulers"
    beta_names = ("PopulationBasedTraining",)


class PopulationBasedTrainingReplay(Refused):
    row = "tune.scheduler.pbt"
    names = ("pbt_replay",)
    ray_module = "ray.tune.schedulers"
