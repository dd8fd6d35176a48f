"""Home of Ray's AsyncHyperBandScheduler (ASHA).

W&B: early_terminate hyperband {min_iter: grace_period, eta: reduction_factor} (warned, row tune.scheduler.asha).
Optuna engine: SuccessiveHalvingPruner (row optuna.scheduler.asha). Reverse: that pruner → ASHA, and W&B's
early_terminate hyperband → ASHA (row reverse.tune.hyperband).
"""

from __future__ import annotations

from typing import Any

from ... import compat, hyperband
from ...backends.calls import Call
from ...backends.optuna_source import PrunerSpec
from ...errors import SpecError
from ..plan import Contribution, Warnings, signature_defaults
from .trial_scheduler import TIME_ATTR, TrialScheduler, eta, whole


class AsyncHyperBandScheduler(TrialScheduler):
    """ASHA → early_terminate hyperband {min_iter: grace_period, eta: reduction_factor}."""

    names = ("async_hyperband", "asynchyperband")
    ray_module = "ray.tune.schedulers"
    beta_names = ("AsyncHyperBandScheduler", "ASHAScheduler")

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

    @classmethod
    def from_ray(cls, obj: Any) -> TrialScheduler:
        bracket = obj._brackets[0]
        return cls(
            obj._time_attr,
            obj._metric,
            obj._mode,
            max_t=obj._max_t,
            grace_period=min(milestone for milestone, _ in bracket._rungs),
            reduction_factor=bracket.rf,
            brackets=len(obj._brackets),
        )

    def plan(self) -> Contribution:
        self._check_time_attr()
        plan = super().plan()
        factor = eta(self.reduction_factor)
        min_iter = whole(self.grace_period, "grace_period")
        plan.early_terminate = {"type": "hyperband", "min_iter": min_iter, "eta": factor}
        detail = f"W&B does not stop runs at max_t={self.max_t}; end the loop in your program."
        if self.brackets != 1:
            detail += f" W&B runs one bracket, not brackets={self.brackets}."
        plan.warnings.append(("tune.scheduler.asha", detail))
        return plan

    def pruner(self) -> tuple[PrunerSpec, Warnings]:
        self._check_time_attr()
        kwargs = (
            ("min_resource", whole(self.grace_period, "grace_period")),
            ("reduction_factor", whole(self.reduction_factor, "reduction_factor")),
            ("min_early_stopping_rate", 0),
        )
        detail = f"W&B does not stop runs at max_t={self.max_t}; end the loop in your program."
        if self.brackets != 1:
            raise SpecError(f"ASHA with brackets={self.brackets}: use HyperBandScheduler (HyperbandPruner).")
        return PrunerSpec("SuccessiveHalvingPruner", kwargs), [("optuna.scheduler.asha", detail)]

    @classmethod
    def reverse(cls, pruner: dict[str, Any], settings: dict[str, Any], metric: dict[str, Any]) -> Call | None:
        if pruner.get("name") != "SuccessiveHalvingPruner":
            return None
        p = pruner.get("kwargs") or {}
        return Call(cls.__name__, kwargs=tuple({
            "time_attr": TIME_ATTR, **metric, "max_t": settings.get("max_t") or cls.defaults["max_t"],
            "grace_period": p.get("min_resource"), "reduction_factor": p.get("reduction_factor")}.items()))  # fmt: skip

    @classmethod
    def from_early_terminate(cls, et: dict[str, Any] | None, metric: str | None, mode: str | None) -> Call | None:
        """W&B's early_terminate → Ray's ASHA (warned: equivalent, not identical)."""
        if et is None:
            return None
        if et.get("type") != "hyperband":
            raise SpecError(
                f"unknown early_terminate type {et.get('type')!r}; W&B knows hyperband.", path="early_terminate"
            )
        bands = hyperband.bands(et)
        if not bands:
            raise SpecError("these hyperband settings give W&B no band to stop runs at.", path="early_terminate")
        kwargs = {
            "time_attr": TIME_ATTR,
            "metric": metric,
            "mode": mode,
            "grace_period": bands[0],
            "reduction_factor": et.get("eta", hyperband.DEFAULT_ETA),
            "max_t": max(bands[-1], bands[0] + 1),
            "brackets": 1,
        }
        compat.warn("reverse.tune.hyperband", path="early_terminate")
        return Call(cls.__name__, kwargs=tuple(kwargs.items()))


AsyncHyperBandScheduler.defaults = signature_defaults(AsyncHyperBandScheduler.__init__, ("self",))
ASHAScheduler = AsyncHyperBandScheduler
