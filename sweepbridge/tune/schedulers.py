"""Mirror of `ray.tune.schedulers`: trial schedulers translated to W&B's `early_terminate`."""

from __future__ import annotations

import math
from typing import Any

from .. import compat, hyperband
from ..errors import SpecError
from .plan import Plan

TIME_ATTR = "training_iteration"
"""The only time unit W&B's hyperband has: one logged value of the metric."""


class TrialScheduler:
    """Base of the mirrored schedulers (`plan()` is what tune.run reads)."""

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

    def plan(self) -> Plan:
        return Plan(type(self).__name__, metric=self.metric, mode=self.mode)

    def _check_time_attr(self) -> None:
        if self.time_attr != TIME_ATTR:
            raise compat.refuse(
                "tune.scheduler.time_attr", f"{type(self).__name__} has time_attr={self.time_attr!r}.", path="scheduler"
            )


def _whole(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer() or value < 1:
        raise SpecError(f"{what} must be a whole number >= 1 for W&B's hyperband, got {value!r}.", path="scheduler")
    return int(value)


def _eta(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 1:
        raise SpecError(f"reduction_factor must be a number > 1, got {value!r}.", path="scheduler")
    return int(value) if float(value).is_integer() else float(value)


class FIFOScheduler(TrialScheduler):
    """No early stopping: nothing to emit."""

    def __init__(self) -> None:
        super().__init__()


class AsyncHyperBandScheduler(TrialScheduler):
    """ASHA → early_terminate hyperband {min_iter: grace_period, eta: reduction_factor}."""

    def __init__(
        self,
        time_attr: str = TIME_ATTR,
        metric: str | None = None,
        mode: str | None = None,
        max_t: int = 100,
        grace_period: int = 1,
        reduction_factor: float = 4,
        brackets: int = 1,
        stop_last_trials: bool = True,
        reward_attr: str | None = None,
    ) -> None:
        super().__init__(time_attr, metric, mode, reward_attr)
        self.max_t, self.grace_period, self.reduction_factor = max_t, grace_period, reduction_factor
        self.brackets, self.stop_last_trials = brackets, stop_last_trials

    def plan(self) -> Plan:
        self._check_time_attr()
        plan = super().plan()
        eta = _eta(self.reduction_factor)
        plan.early_terminate = {"type": "hyperband", "min_iter": _whole(self.grace_period, "grace_period"), "eta": eta}
        detail = f"W&B does not stop runs at max_t={self.max_t}; end the loop in your program."
        if self.brackets != 1:
            detail += f" W&B runs one bracket, not brackets={self.brackets}."
        plan.warnings.append(("tune.scheduler.asha", detail))
        return plan


ASHAScheduler = AsyncHyperBandScheduler


class HyperBandScheduler(TrialScheduler):
    """HyperBand → early_terminate hyperband {max_iter: max_t, eta: reduction_factor, s}."""

    def __init__(
        self,
        time_attr: str = TIME_ATTR,
        metric: str | None = None,
        mode: str | None = None,
        max_t: int = 81,
        reduction_factor: float = 3,
        stop_last_trials: bool = True,
        reward_attr: str | None = None,
    ) -> None:
        super().__init__(time_attr, metric, mode, reward_attr)
        self.max_t, self.reduction_factor, self.stop_last_trials = max_t, reduction_factor, stop_last_trials

    def plan(self) -> Plan:
        self._check_time_attr()
        plan = super().plan()
        max_t, eta = _whole(self.max_t, "max_t"), _eta(self.reduction_factor)
        plan.early_terminate = hyperband_bands(max_t, eta)
        plan.warnings.append(("tune.scheduler.hyperband", ""))
        return plan


def ray_rungs(max_t: int, eta: int | float) -> list[int]:
    """The rungs of Ray's most aggressive HyperBand bracket that runs (ray.tune.schedulers.hyperband).

    Ray has round(log_eta max_t) + 1 brackets and skips those whose first rung
    r0 = int(max_t · eta^-s) is 0; in bracket s a trial is judged at r0, then r = int(min(r·eta, max_t)),
    s times in all.
    """
    s = int(round(math.log(max_t) / math.log(eta)))
    while s > 0 and int(max_t * eta**-s) == 0:
        s -= 1
    rungs, r = [], int(max_t * eta**-s)
    for _ in range(s):
        rungs.append(r)
        r = int(min(r * eta, max_t))
    return rungs


def hyperband_bands(max_t: int, eta: int | float) -> dict[str, Any]:
    """W&B hyperband whose bands are the rungs of Ray's most aggressive running HyperBand bracket.

    W&B's max_iter form (bands int(max_t / eta^i), i = 1..s, by `hyperband.bands`) when it gives
    exactly Ray's rungs, else the min_iter form from Ray's first rung. Never a setting with no band.
    """
    rungs = ray_rungs(max_t, eta)
    if not rungs:
        raise SpecError(
            f"max_t={max_t} with reduction_factor={eta}: every HyperBand bracket that stops trials starts at "
            "rung 0, which Ray skips, so no trial is stopped early and W&B has no band to match; "
            "use a reduction_factor ≤ max_t, or no scheduler.",
            path="scheduler",
        )
    by_max_iter = {"type": "hyperband", "max_iter": max_t, "eta": eta, "s": len(rungs)}
    if hyperband.bands(by_max_iter) == rungs:
        return by_max_iter
    return {"type": "hyperband", "min_iter": rungs[0], "eta": eta}


class _Unsupported(TrialScheduler):
    row = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise compat.refuse(self.row, path="scheduler")


class MedianStoppingRule(TrialScheduler):
    """Refused by W&B's engine; under engine="optuna" a MedianPruner."""

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

    def plan(self) -> Plan:
        raise compat.refuse("tune.scheduler.median", path="scheduler")


class PopulationBasedTraining(_Unsupported):
    row = "tune.scheduler.pbt"


class PopulationBasedTrainingReplay(_Unsupported):
    row = "tune.scheduler.pbt"


class PB2(_Unsupported):
    row = "tune.scheduler.pb2"


class HyperBandForBOHB(HyperBandScheduler):
    """Refused by W&B's engine; under engine="optuna" a HyperbandPruner (max_t, reduction_factor), warned."""

    def plan(self) -> Plan:
        raise compat.refuse("tune.scheduler.bohb", path="scheduler")


BY_NAME: dict[str, type] = {
    "fifo": FIFOScheduler,
    "async_hyperband": AsyncHyperBandScheduler,
    "asynchyperband": AsyncHyperBandScheduler,
    "hyperband": HyperBandScheduler,
    "median_stopping_rule": MedianStoppingRule,
    "medianstopping": MedianStoppingRule,
    "hb_bohb": HyperBandForBOHB,
    "pbt": PopulationBasedTraining,
    "pbt_replay": PopulationBasedTrainingReplay,
    "pb2": PB2,
}
"""Ray's `scheduler="..."` names (ray.tune.schedulers.create_scheduler)."""

__all__ = [
    "ASHAScheduler",
    "AsyncHyperBandScheduler",
    "FIFOScheduler",
    "HyperBandForBOHB",
    "HyperBandScheduler",
    "MedianStoppingRule",
    "PB2",
    "PopulationBasedTraining",
    "PopulationBasedTrainingReplay",
    "TrialScheduler",
]
