"""Home of Ray's PB2: refused by W&B's engines (compat row tune.scheduler.pb2)."""

from __future__ import annotations

from .trial_scheduler import Refused


class PB2(Refused):
    row = "tune.scheduler.pb2"
    names = ("pb2",)
    ray_module = "ray.tune.schedulers.pb2"
