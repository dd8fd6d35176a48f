"""Mirror of ray.tune.Trainable (today's names and the 2019 ones: _setup/_train/_save/_restore/_stop)."""

from __future__ import annotations

import copy
import inspect
import time
from typing import Any

from . import session
from .results import Clock


def _overrides(obj: Any, name: str) -> bool:
    return getattr(type(obj), name, None) is not getattr(Trainable, name, None)


class Trainable:
    """Class trainable: `setup(config)`, `step() -> dict`, `save_checkpoint(dir)`, `load_checkpoint(ckpt)`.

    Run by `sweepbridge trial` exactly as Ray runs it: one `train()` (one `step()`) per iteration.
    """

    def __init__(self, config: dict[str, Any] | None = None, **_: Any) -> None:
        self.config = dict(config or {})
        self._clock = Clock()
        self._start_time = time.time()
        self.setup(copy.deepcopy(self.config))

    @property
    def trial_id(self) -> str:
        return session.get_context().get_trial_id() or "default"

    @property
    def trial_name(self) -> str:
        return session.get_context().get_trial_name() or "default"

    @property
    def logdir(self) -> str | None:
        return session.get_context().get_trial_dir()

    @property
    def iteration(self) -> int:
        return self._clock.iteration

    training_iteration = iteration

    def setup(self, config: dict[str, Any]) -> None:
        if _overrides(self, "_setup"):
            params = inspect.signature(self._setup).parameters
            self._setup(config) if params else self._setup()  # 2019: _setup(self) or _setup(self, config)

    def step(self) -> dict[str, Any]:
        if _overrides(self, "_train"):
            return self._train()
        raise NotImplementedError(f"{type(self).__name__} must define step() (or the 2019 name _train())")

    def save_checkpoint(self, checkpoint_dir: str) -> Any:
        return self._save(checkpoint_dir) if _overrides(self, "_save") else None

    def load_checkpoint(self, checkpoint: Any) -> None:
        if _overrides(self, "_restore"):
            self._restore(checkpoint)

    def cleanup(self) -> None:
        if _overrides(self, "_stop"):
            self._stop()

    def train(self) -> dict[str, Any]:
        """One iteration: step() plus Ray's auto-filled fields."""
        result = self.step()
        if not isinstance(result, dict):
            raise TypeError("step() needs to return a dict.")
        return self._clock.fill(result, self.trial_id)

    def stop(self) -> None:
        self.cleanup()

    # the 2019 names, overridable
    def _setup(self, *args: Any) -> None: ...
    def _train(self) -> dict[str, Any]: ...  # type: ignore[empty-body]
    def _save(self, checkpoint_dir: str) -> Any: ...
    def _restore(self, checkpoint: Any) -> None: ...
    def _stop(self) -> None: ...
