"""When failing runs stop a sweep: the wandb agent's rule (wandb/wandb_agent.py, `Agent._run_loop`).

A run fails when its program exits with a status > 0 (a run ended by a signal does not; an in-process
trial fails when its function raises, unless it was being stopped, as in wandb/agents/pyagent.py).
After each failure the agent stops when FLAPPING_MAX_FAILURES runs have failed within
FLAPPING_MAX_SECONDS of its start (`is_flapping`; WANDB_AGENT_DISABLE_FLAPPING=true turns this off),
or when at least MAX_INITIAL_FAILURES runs (WANDB_AGENT_MAX_INITIAL_FAILURES) have failed and no more
than one run ended otherwise before (`is_failing`: failed >= runs ended before this one). The
constants are read from wandb's Agent class and environment helpers. In-process trials follow the
same rule: pyagent's variant (MAX_INITIAL_FAILURES + 1 failures with every run failed; the first
failure stops it when flapping is disabled) is not copied.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field


@dataclass
class FailureRule:
    """The agent's counters (`_failed`, `_finished`, `_start_time`) and its two stop checks."""

    max_initial: int
    flapping_failures: int
    flapping_seconds: float
    flapping: bool = True
    start: float = field(default_factory=time.monotonic)
    failed: int = 0
    finished: int = 0
    reason: str | None = None
    """Why the sweep stops (set by the first `ended` that trips a check), else None."""

    @classmethod
    def from_agent(cls, max_failures: int | None = None) -> FailureRule:
        """wandb's Agent constants and environment; `max_failures` replaces MAX_INITIAL_FAILURES."""
        import wandb
        from wandb.wandb_agent import Agent

        default = wandb.env.get_agent_max_initial_failures(Agent.MAX_INITIAL_FAILURES)
        return cls(
            max_initial=int(default if max_failures is None else max_failures),
            flapping_failures=int(Agent.FLAPPING_MAX_FAILURES),
            flapping_seconds=float(Agent.FLAPPING_MAX_SECONDS),
            flapping=os.getenv(wandb.env.AGENT_DISABLE_FLAPPING) != "true",
        )

    def is_flapping(self, now: float) -> bool:
        return self.flapping and now < self.start + self.flapping_seconds and self.failed >= self.flapping_failures

    def is_failing(self) -> bool:
        return self.failed >= self.finished and self.max_initial <= self.failed

    def ended(self, failed: bool, now: float | None = None) -> str | None:
        """Count one ended run (in the order runs end); the reason to stop the sweep, or None."""
        reason = None
        if failed:
            self.failed += 1
            now = time.monotonic() if now is None else now
            if self.is_flapping(now):
                reason = (
                    f"{self.failed} failed runs in the first {self.flapping_seconds:g} s (the wandb agent's "
                    f"flapping check; WANDB_AGENT_DISABLE_FLAPPING=true turns it off)"
                )
            elif self.is_failing():
                reason = (
                    f"{self.failed} failed runs, at most one run ended otherwise "
                    f"(the wandb agent's limit on failures at the start: {self.max_initial})"
                )
        self.finished += 1
        self.reason = self.reason or reason
        return reason
