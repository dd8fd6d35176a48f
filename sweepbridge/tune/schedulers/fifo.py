"""Home of Ray's FIFOScheduler (its default): no early stopping, under either engine."""

from __future__ import annotations

from typing import Any

from ...backends.optuna_source import PrunerSpec
from ..plan import Warnings
from .trial_scheduler import TrialScheduler


class FIFOScheduler(TrialScheduler):
    """No early stopping: nothing to emit."""

    names = ("fifo",)
    ray_module = "ray.tune.schedulers"
    beta_names = ("FIFOScheduler",)

    def __init__(self) -> None:
        super().__init__()

    @classmethod
    def from_ray(cls, obj: Any) -> TrialScheduler:
        return cls()

    def pruner(self) -> tuple[PrunerSpec, Warnings]:
        return PrunerSpec(), []
