"""Ray's stop criteria, applied per report exactly as Ray's TuneController applies them.

Ray (tune/execution/tune_controller.py) stops a trial when
`stopper(trial_id, result) or trial.should_stop(flatten_dict(result))`, where should_stop is true
for `done` and for any dict criterion with `result[key] >= value`. The spec comes from the sweep's
command (sweepbridge.tune.command.stop_spec).
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import Any

from ..tune import stopper as mirror
from ..tune.flat_keys import flatten
from .loading import Loader

Stop = Callable[[str, dict[str, Any]], bool]


def _stopper_class(name: str) -> type:
    """Ray's own class when the trainable already uses Ray Tune (same code), else our mirror."""
    if "ray.tune" in sys.modules:
        import ray.tune.stopper

        return getattr(ray.tune.stopper, name)
    return getattr(mirror, name)


def build(spec: dict[str, Any] | None, loader: Loader) -> tuple[Stop | None, dict[str, float]]:
    """(stopper callable or None, dict criteria) for a stop spec."""
    if not spec:
        return None, {}
    if "criteria" in spec:
        return None, dict(spec["criteria"])
    return _stopper(spec, loader), {}


def _stopper(spec: dict[str, Any], loader: Loader) -> Stop:
    if "any" in spec:
        parts = [_stopper(s, loader) if "criteria" not in s else _criteria_stop(s["criteria"]) for s in spec["any"]]
        return lambda trial_id, result: any(p(trial_id, result) for p in parts)
    if "stopper" in spec:
        return _stopper_class(spec["stopper"])(**spec["kwargs"])
    obj = loader.object(spec["ref"])
    if inspect.isclass(obj):
        obj = obj()
    return obj


def _criteria_stop(criteria: dict[str, float]) -> Stop:
    return lambda trial_id, result: _meets(criteria, flatten(result))


def _meets(criteria: dict[str, float], flat: dict[str, Any]) -> bool:
    return any(key in flat and flat[key] >= value for key, value in criteria.items())


class StopRule:
    """Decides, after each result, whether the trainable stops (Ray's order and rules)."""

    def __init__(self, spec: dict[str, Any] | None, loader: Loader) -> None:
        self.stopper, self.criteria = build(spec, loader)
        self.missing_warned = False

    def __call__(self, trial_id: str, result: dict[str, Any]) -> bool:
        by_stopper = bool(self.stopper(trial_id, result)) if self.stopper is not None else False
        if by_stopper or result.get("done"):
            return True
        flat = flatten(result)
        missing = [k for k in self.criteria if k not in flat]
        if missing and not self.missing_warned:
            self.missing_warned = True
            print(
                f"sweepbridge: stopping criterion {missing[0]!r} not found in the result; available keys are "
                f"{sorted(flat)}. The run continues until the trainable returns.",
                file=sys.stderr,
            )
        return _meets(self.criteria, flat)
