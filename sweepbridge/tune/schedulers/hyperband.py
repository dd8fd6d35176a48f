"""Home of Ray's HyperBandScheduler.

W&B: early_terminate hyperband whose bands are the rungs of Ray's most aggressive running bracket (warned, row
tune.scheduler.hyperband). Optuna engine: HyperbandPruner (row optuna.scheduler.hyperband). Reverse: that
pruner → HyperBandScheduler.
"""

from __future__ import annotations

import math
from typing import Any

from ... import hyperband
from ...backends.calls import Call
from ...backends.optuna_source import PrunerSpec
from ...errors import SpecError
from ..plan import Contribution, Warnings, signature_defaults
from .trial_scheduler import TIME_ATTR, TrialScheduler, eta, whole


class HyperBandScheduler(TrialScheduler):
    """HyperBand → early_terminate hyperband {max_iter: max_t, eta: reduction_factor, s}."""

    names = ("hyperband",)
    ray_module = "ray.tune.schedulers"
    beta_names = ("HyperBandScheduler",)
    pruner_row = "optuna.scheduler.hyperband"

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

    @classmethod
    def from_ray(cls, obj: Any) -> TrialScheduler:
        return cls(obj._time_attr, obj._metric, obj._mode, max_t=obj._max_t_attr, reduction_factor=obj._eta)

    def plan(self) -> Contribution:
        self._check_time_attr()
        plan = super().plan()
        max_t, factor = whole(self.max_t, "max_t"), eta(self.reduction_factor)
        plan.early_terminate = hyperband_bands(max_t, factor)
        plan.warnings.append(("tune.scheduler.hyperband", ""))
        return plan

    def pruner(self) -> tuple[PrunerSpec, Warnings]:
        self._check_time_attr()
        kwargs = (
            ("min_resource", 1),
            ("max_resource", whole(self.max_t, "max_t")),
            ("reduction_factor", whole(self.reduction_factor, "reduction_factor")),
        )
        return PrunerSpec("HyperbandPruner", kwargs), [(self.pruner_row, "")]

    @classmethod
    def reverse(cls, pruner: dict[str, Any], settings: dict[str, Any], metric: dict[str, Any]) -> Call | None:
        if pruner.get("name") != "HyperbandPruner":
            return None
        p = pruner.get("kwargs") or {}
        return Call(cls.__name__, kwargs=tuple({
            "time_attr": TIME_ATTR, **metric, "max_t": p.get("max_resource"),
            "reduction_factor": p.get("reduction_factor")}.items()))  # fmt: skip


HyperBandScheduler.defaults = signature_defaults(HyperBandScheduler.__init__, ("self",))


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
