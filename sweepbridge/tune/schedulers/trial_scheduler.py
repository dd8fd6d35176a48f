"""The base of the mirrored schedulers, and what a scheduler's home provides.

One module per Ray scheduler (`fifo`, `async_hyperband`, `hyperband`, `hb_bohb`, `median_stopping_rule`, `pbt`,
`pb2`) holds one subclass of `TrialScheduler` that owns everything about it: Ray's names for it, its defaults
(its constructor's signature, checked against Ray's by tests/test_tune_homes.py), reading Ray's real object
(`from_ray`), the W&B-native plan (`plan`), the Optuna pruner (`pruner`), the reverse mapping (`reverse`) and its
compat rows. `sweepbridge.tune.registry` lists the homes; see docs/adding-a-searcher.md.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ... import compat
from ...errors import SpecError
from ..plan import Contribution, Warnings

TIME_ATTR = "training_iteration"
"""The only time unit W&B's hyperband has: one logged value of the metric."""


class TrialScheduler:
    """Base of the mirrored schedulers."""

    names: ClassVar[tuple[str, ...]] = ()
    """Ray's names for it in `tune.run(scheduler="...")` (ray.tune.schedulers.create_scheduler)."""
    ray_module: ClassVar[str | None] = None
    """The Ray module defining the class of the same name (reading real objects, rendering Ray source)."""
    beta_names: ClassVar[tuple[str, ...]] = ()
    """Its names in the 2020 W&B beta's files (the class name, as the beta wrote it)."""
    defaults: ClassVar[dict[str, Any]] = {}
    """Ray's defaults of its options (from the mirror's signature)."""

    def __init__(
        self,
        time_attr: str = TIME_ATTR,
        metric: str | None = None,
        mode: str | None = None,
        reward_attr: str | None = None,
    ) -> None:
        if reward_attr is not None and metric is None:  # Ray < 0.8 (the 2020 beta): reward_attr, mode max
            metric, mode = reward_attr, mode or "max"
        self.time_attr, self.metric, self.mode = time_attr, metric, mode

    @classmethod
    def from_ray(cls, obj: Any) -> TrialScheduler:
        """The mirror of Ray's real `obj` of this class (read from its attributes)."""
        raise SpecError(f"unrecognised Ray Tune scheduler {type(obj).__name__}.", path="scheduler")

    def plan(self) -> Contribution:
        """Its part of a W&B-native sweep (early_terminate, metric/mode; warnings)."""
        return Contribution(type(self).__name__, metric=self.metric, mode=self.mode)

    def pruner(self) -> tuple[Any, Warnings]:
        """Its Optuna pruner (backends.optuna_source.PrunerSpec) and what differs; refused by default."""
        raise SpecError(f"{type(self).__name__} has no Optuna pruner.", path="scheduler")

    def emit(self, plan: Any) -> Any:
        """The whole `method: custom` sweep (SweepConfig, notes) when this scheduler is a study of its own
        (PBT), else None: the Optuna emitter then pairs its `pruner` with the searcher's sampler."""
        return None

    @classmethod
    def reverse(cls, pruner: dict[str, Any], settings: dict[str, Any], metric: dict[str, Any]) -> Any:
        """The `calls.Call` building this scheduler from a generated study's pruner (its data), or None."""
        return None

    def _check_time_attr(self) -> None:
        if self.time_attr != TIME_ATTR:
            raise compat.refuse(
                "tune.scheduler.time_attr", f"{type(self).__name__} has time_attr={self.time_attr!r}.", path="scheduler"
            )


def whole(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer() or value < 1:
        raise SpecError(f"{what} must be a whole number >= 1 for W&B's hyperband, got {value!r}.", path="scheduler")
    return int(value)


def eta(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 1:
        raise SpecError(f"reduction_factor must be a number > 1, got {value!r}.", path="scheduler")
    return int(value) if float(value).is_integer() else float(value)


class Refused(TrialScheduler):
    """A Ray scheduler W&B's engines have no counterpart for: refused when constructed, by its compat row."""

    row = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise compat.refuse(self.row, path="scheduler")

    @classmethod
    def from_ray(cls, obj: Any) -> TrialScheduler:
        return cls()
