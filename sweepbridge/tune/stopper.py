"""Mirror of ray.tune.stopper: per-trial stopping rules, with Ray's logic (Ray's own are accepted too)."""

from __future__ import annotations

import math
from collections import defaultdict, deque
from typing import Any


class Stopper:
    """`stopper(trial_id, result) -> bool` after every result; `stop_all()` for the whole experiment."""

    def __call__(self, trial_id: str, result: dict[str, Any]) -> bool:
        raise NotImplementedError

    def stop_all(self) -> bool:
        return False


class MaximumIterationStopper(Stopper):
    def __init__(self, max_iter: int) -> None:
        self._max_iter = max_iter
        self._iter: dict[str, int] = defaultdict(int)

    def __call__(self, trial_id: str, result: dict[str, Any]) -> bool:
        self._iter[trial_id] += 1
        return self._iter[trial_id] >= self._max_iter


def _std(values: Any) -> float:
    """numpy.std (population), inf when it cannot be computed (a missing metric), as Ray has it."""
    try:
        import numpy

        return float(numpy.std(values))
    except ImportError:
        pass
    except Exception:
        return float("inf")
    try:
        xs = [float(v) for v in values]
        mean = sum(xs) / len(xs)
        return math.sqrt(sum((x - mean) ** 2 for x in xs) / len(xs))
    except Exception:
        return float("inf")


class TrialPlateauStopper(Stopper):
    def __init__(
        self,
        metric: str,
        std: float = 0.01,
        num_results: int = 4,
        grace_period: int = 4,
        metric_threshold: float | None = None,
        mode: str | None = None,
    ) -> None:
        if metric_threshold and mode not in ("min", "max"):
            raise ValueError(f"With a `metric_threshold`, `mode` has to be min or max. Got: {mode}")
        self._metric, self._mode, self._std = metric, mode, std
        self._num_results, self._grace_period, self._metric_threshold = num_results, grace_period, metric_threshold
        self._iter: dict[str, int] = defaultdict(int)
        self._trial_results: dict[str, deque] = defaultdict(lambda: deque(maxlen=self._num_results))

    def __call__(self, trial_id: str, result: dict[str, Any]) -> bool:
        value = result.get(self._metric)
        self._trial_results[trial_id].append(value)
        self._iter[trial_id] += 1
        if self._iter[trial_id] < self._grace_period or len(self._trial_results[trial_id]) < self._num_results:
            return False
        if self._metric_threshold is not None:
            if self._mode == "min" and value > self._metric_threshold:
                return False
            if self._mode == "max" and value < self._metric_threshold:
                return False
        return _std(self._trial_results[trial_id]) < self._std


class CombinedStopper(Stopper):
    def __init__(self, *stoppers: Stopper) -> None:
        self._stoppers = stoppers

    def __call__(self, trial_id: str, result: dict[str, Any]) -> bool:
        return any(s(trial_id, result) for s in self._stoppers)  # short-circuits, as Ray's does

    def stop_all(self) -> bool:
        return any(s.stop_all() for s in self._stoppers)


class FunctionStopper(Stopper):
    def __init__(self, function: Any) -> None:
        self._fn = function

    def __call__(self, trial_id: str, result: dict[str, Any]) -> bool:
        return bool(self._fn(trial_id, result))


class TimeoutStopper(Stopper):
    """Experiment-wide: accepted here, refused by tune.run (each W&B run sees only itself)."""

    def __init__(self, timeout: Any) -> None:
        self._timeout = timeout


class ExperimentPlateauStopper(Stopper):
    """Experiment-wide: accepted here, refused by tune.run (each W&B run sees only itself)."""

    def __init__(self, metric: str, **kwargs: Any) -> None:
        self._metric, self._kwargs = metric, kwargs


__all__ = [
    "CombinedStopper",
    "ExperimentPlateauStopper",
    "FunctionStopper",
    "MaximumIterationStopper",
    "Stopper",
    "TimeoutStopper",
    "TrialPlateauStopper",
]
