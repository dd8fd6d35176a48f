"""Home of Ray's HyperBandForBOHB (with TuneBOHB).

W&B: refused (row tune.scheduler.bohb). Optuna engine: HyperbandPruner (max_t, reduction_factor), warned by
row optuna.scheduler.bohb. Reverse: the HyperbandPruner becomes HyperBandScheduler (its home), not this.
"""

from __future__ import annotations

from typing import Any

from ... import compat
from ..plan import Contribution
from .hyperband import HyperBandScheduler
from .trial_scheduler import TrialScheduler


class HyperBandForBOHB(HyperBandScheduler):
    """Refused by W&B's engine; under engine="optuna" a HyperbandPruner (max_t, reduction_factor), warned."""

    names = ("hb_bohb",)
    beta_names = ("HyperBandForBOHB",)
    pruner_row = "optuna.scheduler.bohb"

    @classmethod
    def from_ray(cls, obj: Any) -> TrialScheduler:
        return cls(obj._time_attr, obj._metric, obj._mode, max_t=obj._max_t_attr, reduction_factor=obj._eta)

    def plan(self) -> Contribution:
        raise compat.refuse("tune.scheduler.bohb", path="scheduler")

    @classmethod
    def reverse(cls, pruner: dict[str, Any], settings: dict[str, Any], metric: dict[str, Any]) -> None:
        return None
