"""Home of Ray's PB2 (Population Based Bandits): refused by W&B's engine (row tune.scheduler.pb2) and by the
sweep scheduler (row optuna.scheduler.pb2): the generated PBT scheduler does not carry PB2's GP-bandit explore.

Measured (docs/pbt.md): Ray 2.60's PB2 needs scikit-learn and pandas (its GP is sklearn's), both present beside
the test pins; the GPy of older Ray PB2s installs beside numpy<2 only as GPy 1.13.2, which pins scipy<=1.12.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ... import compat
from ..plan import Contribution, signature_defaults
from .trial_scheduler import TrialScheduler


class PB2(TrialScheduler):
    """Ray's PB2, mirrored (its options read and kept) and refused by both engines with the way out."""

    names = ("pb2",)
    ray_module = "ray.tune.schedulers.pb2"

    def __init__(
        self,
        time_attr: str = "time_total_s",
        metric: str | None = None,
        mode: str | None = None,
        perturbation_interval: float = 60.0,
        hyperparam_bounds: dict | None = None,
        quantile_fraction: float = 0.25,
        log_config: bool = True,
        require_attrs: bool = True,
        synch: bool = False,
        custom_explore_fn: Callable | None = None,
    ) -> None:
        super().__init__(time_attr, metric, mode)
        self.perturbation_interval, self.hyperparam_bounds = perturbation_interval, hyperparam_bounds or {}
        self.quantile_fraction, self.log_config, self.require_attrs = quantile_fraction, log_config, require_attrs
        self.synch, self.custom_explore_fn = synch, custom_explore_fn

    @classmethod
    def from_ray(cls, obj: Any) -> TrialScheduler:
        return cls(
            obj._time_attr, obj._metric, obj._mode, obj._perturbation_interval, obj._hyperparam_bounds,
            obj._quantile_fraction, obj._log_config, obj._require_attrs, obj._synch, obj._custom_explore_fn,
        )  # fmt: skip

    def plan(self) -> Contribution:
        raise compat.refuse("tune.scheduler.pb2", path="scheduler")

    def emit(self, plan: Any) -> Any:
        raise compat.refuse("optuna.scheduler.pb2", path="scheduler")


PB2.defaults = signature_defaults(PB2.__init__, ("self",))
