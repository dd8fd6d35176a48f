"""Mirror of Ray Tune's in-trial API: `tune.report`, `tune.get_checkpoint`, `tune.get_context`.

While `sweepbridge trial` runs a trainable, the trial runtime registers itself here (`activate`);
these functions then answer from the W&B run. Outside a trial they behave as Ray's do outside a
Tune session: a warning, nothing reported. The runtime depends on this module, never the reverse.
"""

from __future__ import annotations

import warnings
from typing import Any, Protocol


class ActiveTrial(Protocol):
    """What the trial runtime provides (sweepbridge.runtime.session.TrialSession)."""

    trial_id: str
    trial_name: str
    trial_dir: str
    experiment_name: str
    loaded_checkpoint: Any

    def report(self, metrics: dict[str, Any], checkpoint: Any = None) -> None: ...


_active: ActiveTrial | None = None


def activate(trial: ActiveTrial | None) -> None:
    """Register (or, with None, unregister) the running trial."""
    global _active
    _active = trial


class ExperimentReached(BaseException):
    """Raised by an experiment call (Tuner.fit) while the trial runtime imports the user's script: the
    import stops there, keeping what the script defined before it (the trainable); the experiment
    itself is the sweep the trial belongs to. A BaseException, so `except Exception` cannot swallow it."""


def in_trial() -> bool:
    """True while the trial runtime runs a trainable (tune.run / Tuner then do nothing)."""
    return _active is not None


def _outside(name: str) -> None:
    warnings.warn(
        f"`{name}` is meant to be called inside a trainable run by `sweepbridge trial` (a W&B sweep run); "
        "nothing was reported.",
        stacklevel=3,
    )


def report(metrics: dict[str, Any] | None = None, *, checkpoint: Any = None, **kwargs: Any) -> None:
    """Report one result (one training iteration): `report({"loss": 0.1})`, or the legacy `report(loss=0.1)`."""
    if metrics is not None and kwargs:
        raise TypeError("report() takes a metrics dict or keyword metrics, not both")
    metrics = dict(kwargs) if metrics is None else metrics
    if not isinstance(metrics, dict):
        raise TypeError(f"report() needs a dict of metrics, got {type(metrics).__name__}")
    if _active is None:
        _outside("tune.report")
        return
    _active.report(metrics, checkpoint=checkpoint)


def get_checkpoint() -> Any:
    """The latest checkpoint of this run (after a resume), else None."""
    return _active.loaded_checkpoint if _active is not None else None


class TuneContext:
    """Mirror of ray.tune.TuneContext, answered by the W&B run."""

    def get_trial_id(self) -> str | None:
        return _active.trial_id if _active else None

    def get_trial_name(self) -> str | None:
        return _active.trial_name if _active else None

    def get_trial_dir(self) -> str | None:
        return _active.trial_dir if _active else None

    def get_experiment_name(self) -> str | None:
        return _active.experiment_name if _active else None

    def get_world_size(self) -> int:
        return 1

    def get_world_rank(self) -> int:
        return 0

    def get_local_rank(self) -> int:
        return 0

    def get_trial_resources(self) -> None:
        return None


def get_context() -> TuneContext:
    return TuneContext()
