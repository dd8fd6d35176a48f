"""Calling a trainable the way Ray does: functions (config) / (config, reporter), Trainable classes."""

from __future__ import annotations

import inspect
from typing import Any

from .checkpoints import class_restore_argument
from .ray_hooks import RayTrialInfo
from .session import TrialSession, TrialStopped


def is_class_trainable(obj: Any) -> bool:
    return inspect.isclass(obj) and any(callable(getattr(obj, n, None)) for n in ("step", "_train", "train"))


def run_function(fn: Any, config: dict[str, Any], trial: TrialSession) -> None:
    """fn(config) reporting through tune.report & co., or the 2019 fn(config, reporter)."""
    params = [
        p
        for p in inspect.signature(fn).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    if len(params) >= 2:

        def reporter(**metrics: Any) -> None:
            trial.report(metrics)

        fn(config, reporter)
    else:
        fn(config)


def _setup_with_config(self: Any, config: dict[str, Any]) -> None:
    self._setup(config)


def _setup_without_config(self: Any, config: dict[str, Any]) -> None:
    self._setup()


def _legacy_adapter(cls: type) -> type:
    """A real ray.tune.Trainable subclass written with the 2019 names: map them to today's."""
    try:
        from ray.tune import Trainable as RayTrainable
    except ImportError:
        return cls
    if not issubclass(cls, RayTrainable):
        return cls
    names = {
        "_setup": "setup",
        "_train": "step",
        "_save": "save_checkpoint",
        "_restore": "load_checkpoint",
        "_stop": "cleanup",
    }
    overrides: dict[str, Any] = {}
    for old, new in names.items():
        if old in vars(cls) and getattr(cls, new) is getattr(RayTrainable, new):
            if old == "_setup":
                takes_config = len(inspect.signature(getattr(cls, old)).parameters) > 1
                overrides[new] = _setup_with_config if takes_config else _setup_without_config
            else:
                overrides[new] = (lambda o: lambda self, *a: getattr(self, o)(*a))(old)
    return type(cls.__name__, (cls,), overrides) if overrides else cls


def _instantiate(cls: type, config: dict[str, Any], trial: TrialSession) -> Any:
    try:
        from ray.tune import Trainable as RayTrainable
    except ImportError:
        RayTrainable = None  # noqa: N806
    if RayTrainable is not None and issubclass(cls, RayTrainable):
        from ray.tune.result import TRIAL_INFO

        return cls({**config, TRIAL_INFO: RayTrialInfo(trial)})
    return cls(config)


def run_class(cls: type, config: dict[str, Any], trial: TrialSession, restored: Any) -> None:
    """Ray's loop: train() (one step) per iteration until a stop criterion; a checkpoint at the end."""
    instance = _instantiate(_legacy_adapter(cls), config, trial)
    if restored is not None:
        path, iteration, returned = restored
        instance.load_checkpoint(class_restore_argument(path, returned))
        if hasattr(instance, "_iteration"):  # Ray's Trainable restores its iteration count and time too
            instance._iteration = iteration
            instance._time_total = trial.clock.time_total
        elif hasattr(instance, "_clock"):
            instance._clock.iteration = iteration
            instance._clock.time_total = trial.clock.time_total
    iteration = saved = None
    try:
        while True:
            result = instance.train()
            iteration = result.get("training_iteration")
            if trial.lineage is not None and iteration is not None:
                # PBT may continue another trial from any iteration: a checkpoint each, before the row is logged
                kept = trial.store.save_class(instance, iteration, result.get("time_total_s"))
                if kept is not None:
                    trial.kept(kept, iteration)
                saved = iteration
            if trial.record(result):
                break
            if trial.terminated:
                trial.stop_reason = "stopped by W&B (SIGTERM from the agent)"
                break
    except TrialStopped:
        pass
    finally:
        if iteration is not None and iteration != saved:
            kept = trial.store.save_class(instance, iteration, trial.last_time_total)
            if kept is not None:
                trial.kept(kept, iteration)
        stop = getattr(instance, "stop", None)
        if callable(stop):
            stop()


def with_parameters(trainable: Any, path: str | None) -> Any:
    """The trainable given tune.with_parameters' objects (pickled at `path`) as Ray's wrapper gives them:
    keyword arguments of the function, or of the class's setup(config, **objects)."""
    if not path:
        return trainable
    import functools
    import pickle

    with open(path, "rb") as f:
        parameters = pickle.load(f)  # noqa: S301 (written by this sweep's translation)
    if not isinstance(trainable, type):
        return functools.partial(trainable, **parameters)

    class WithParameters(trainable):  # type: ignore[misc, valid-type]
        def setup(self, config: dict[str, Any]) -> None:
            super().setup(config, **parameters)

    WithParameters.__name__ = WithParameters.__qualname__ = trainable.__name__
    return WithParameters
