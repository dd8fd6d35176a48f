"""Home of Ray's MedianStoppingRule.

W&B: refused (row tune.scheduler.median). Optuna engine: MedianPruner (row optuna.scheduler.median). Reverse:
that pruner → MedianStoppingRule.
"""

from __future__ import annotations

from typing import Any

from ... import compat
from ...backends.calls import Call
from ...backends.optuna_source import PrunerSpec
from ..plan import Contribution, Warnings, signature_defaults
from .trial_scheduler import TIME_ATTR, TrialScheduler


class MedianStoppingRule(TrialScheduler):
    """Refused by W&B's engine; under engine="optuna" a MedianPruner."""

    names = ("median_stopping_rule", "medianstopping")
    ray_module = "ray.tune.schedulers"
    beta_names = ("MedianStoppingRule",)

    def __init__(
        self,
        time_attr: str = "time_total_s",
        metric: str | None = None,
        mode: str | None = None,
        grace_period: float = 60.0,
        min_samples_required: int = 3,
        min_time_slice: int = 0,
        hard_stop: bool = True,
    ) -> None:
        super().__init__(time_attr, metric, mode)
        self.grace_period, self.min_samples_required = grace_period, min_samples_required
        self.min_time_slice, self.hard_stop = min_time_slice, hard_stop

    @classmethod
    def from_ray(cls, obj: Any) -> TrialScheduler:
        return cls(
            obj._time_attr, obj._metric, obj._mode, obj._grace_period, obj._min_samples_required, obj._min_time_slice,
            obj._hard_stop,
        )  # fmt: skip

    def plan(self) -> Contribution:
        raise compat.refuse("tune.scheduler.median", path="scheduler")

    def pruner(self) -> tuple[PrunerSpec, Warnings]:
        self._check_time_attr()
        kwargs = (
            ("n_startup_trials", int(self.min_samples_required)),
            ("n_warmup_steps", int(self.grace_period)),
            ("interval_steps", 1),
        )
        return PrunerSpec("MedianPruner", kwargs), [("optuna.scheduler.median", "")]

    @classmethod
    def reverse(cls, pruner: dict[str, Any], settings: dict[str, Any], metric: dict[str, Any]) -> Call | None:
        if pruner.get("name") != "MedianPruner":
            return None
        p = pruner.get("kwargs") or {}
        return Call(cls.__name__, kwargs=tuple({
            "time_attr": TIME_ATTR, **metric, "grace_period": p.get("n_warmup_steps"),
            "min_samples_required": p.get("n_startup_trials")}.items()))  # fmt: skip


MedianStoppingRule.defaults = signature_defaults(MedianStoppingRule.__init__, ("self",))
