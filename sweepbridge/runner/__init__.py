"""`sweepbridge run`: a whole W&B sweep on this machine, scheduled by W&B's own engine.

Modules: `engine` (wandb's optimizers behind ask / tell / prune), `launch` (trials started as the
wandb agent starts them), `history` (a run's metrics read live from its transaction log by
wandb-core), `results` (JSON Lines + CSV), `display` (progress and leaderboard), `online` (the W&B
sweep of --mode online), `sweep` (the loop).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["load_sweep", "run_sweep"]


def load_sweep(sweep: Any, *, allow_approximate: bool = False) -> tuple[dict[str, Any], Path | None]:
    """A validated sweep config and the directory relative paths in it refer to (None for objects).

    `sweep`: any SOURCE `sweepbridge.sources.load` takes — a W&B sweep file, a tune spec or 2020 beta
    file, file.py / file.py:NAME, or an object (a SweepConfig or W&B config mapping, a Tuner, a bare
    space). The config is a copy (the runner may change it) that keeps the SweepConfig's attributes
    (e.g. a `method: custom` sweep's generated scheduler source). Errors: see `sources.load`.
    """
    from ..sources import load
    from ..sweep_config import SweepConfig

    loaded = load(sweep, allow_approximate=allow_approximate)
    config = SweepConfig(loaded.sweep)
    config.__dict__.update(vars(loaded.sweep))
    return config, loaded.base


def run_sweep(
    sweep: Any,
    function: Callable[[], Any] | None = None,
    *,
    count: int | None = None,
    jobs: int = 1,
    mode: str = "offline",
    project: str | None = None,
    entity: str | None = None,
    out: str | os.PathLike[str] | None = None,
    max_failures: int | None = None,
    grace: float | None = None,
    progress: bool | None = None,
    display: Any = None,
) -> Any:
    """Run a W&B sweep here: W&B's engine picks the configs and stops runs, the real wandb client logs.

    `count`: at most this many runs (with the sweep's `run_cap`, the smaller; grid also stops when
    exhausted; neither → until interrupted). `jobs`: trials at once (≤ CPU count). `function`: called
    in this process for each run instead of the sweep's program, as `wandb.agent(function=...)`.
    `mode`: offline (default; upload later with `wandb sync`), disabled, or online: needs a W&B login
    (else SpecError before anything runs); the runs then form a W&B sweep with a local controller
    (created on W&B's server, scheduled here), `SweepOutcome.url` is its page. `out`: results directory
    (default: wandb/sweep-ID). `max_failures`: replaces the wandb agent's limit on failures at the start
    (WANDB_AGENT_MAX_INITIAL_FAILURES, 5). Failing runs stop the sweep by the agent's rule: 3 failed runs (exit
    status > 0, or the function raised) in the first 60 s (WANDB_AGENT_DISABLE_FLAPPING=true turns this off), or
    `max_failures` failed runs while at most one run ended otherwise. `grace`: seconds between SIGTERM and SIGKILL
    (default: the agent's 30).
    `progress`: print progress and the leaderboard to stderr (default: only when stderr is a terminal);
    `display`: a `runner.display.Display` to call instead.
    Returns a `SweepOutcome` (results, best(), out_dir, run_dirs, sync_command(), url).
    """
    import sys

    from .display import Display, TextDisplay
    from .sweep import SweepRunner

    config, base = load_sweep(sweep)
    tty = sys.stderr.isatty()
    show = tty if progress is None else progress
    if display is None:
        display = TextDisplay(live=tty) if show else Display()
    runner = SweepRunner(
        config,
        count=count,
        jobs=jobs,
        function=function,
        mode=mode,
        project=project,
        entity=entity,
        out=out,
        max_failures=max_failures,
        grace=grace,
        base=base,
        display=display,
    )
    return runner.run()
