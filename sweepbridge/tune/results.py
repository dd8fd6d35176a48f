"""The fields Ray Tune auto-fills in every result (ray.tune.result), computed the same way."""

from __future__ import annotations

import functools
import os
import platform
import socket
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

TRAINING_ITERATION = "training_iteration"
DONE = "done"
TIME_THIS_ITER_S = "time_this_iter_s"


@dataclass
class Clock:
    """Iteration count and times of one trial (what Ray's Trainable keeps)."""

    iteration: int = 0
    time_total: float = 0.0
    time_since_restore: float = 0.0
    iterations_since_restore: int = 0
    last: float = 0.0

    def __post_init__(self) -> None:
        self.last = time.time()

    def fill(self, metrics: dict[str, Any], trial_id: str) -> dict[str, Any]:
        """`metrics` plus Ray's auto-filled fields; advances the iteration (one report = one iteration)."""
        now = time.time()
        result = dict(metrics)
        given = result.get(TIME_THIS_ITER_S)
        this_iter = given if given is not None else now - self.last
        self.last = now
        self.iteration += 1
        self.iterations_since_restore += 1
        self.time_total += this_iter
        self.time_since_restore += this_iter
        result.setdefault(DONE, False)
        result.setdefault(TRAINING_ITERATION, self.iteration)
        result.update(
            trial_id=trial_id,
            date=datetime.today().strftime("%Y-%m-%d_%H-%M-%S"),
            timestamp=result.get("timestamp") or int(now),
            time_this_iter_s=this_iter,
            time_total_s=self.time_total,
            pid=os.getpid(),
            hostname=platform.node(),
            node_ip=_ip(),
            time_since_restore=self.time_since_restore,
            iterations_since_restore=self.iterations_since_restore,
        )
        return result


@functools.cache
def _ip() -> str:
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"
