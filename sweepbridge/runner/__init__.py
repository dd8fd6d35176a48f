"""`sweepbridge run`: a whole W&B sweep on this machine, scheduled by W&B's own engine.

Modules: `engine` (wandb's optimizers behind ask / tell / prune), `launch` (trials started as the
wandb agent starts them), `history` (a run's metrics read live from its transaction log by
wandb-core), `results` (JSON Lines + CSV), `display` (progress and leaderboard), `online` (the W&B
sweep of --mode online), `sweep` (the loop).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..errors import SpecError

__all__ = ["load_sweep", "run_sweep"]


def load_sweep(sweep: Any, *, allow_approximate: bool = False) -> tuple[dict[str, Any], Path | None]:
    """A validated sweep config and the directory relative paths in it refer to (None for objects).

    `sweep`: a SweepConfig or dict, a W&B sweep file (.yaml/.yml/.json with `method`), or anything
    `sweepbridge convert` accepts (file.py, file.py:NAME, a tune spec).
    """
    from ..sweep_config import SweepConfig, parse_text

    base: Path | None = None
    if isinstance(sweep, (str, os.PathLike)):
        from ..sources import SPEC_SUFFIXES, load_source, split_source

        path, _ = split_source(str(sweep))
        base = path.resolve().parent
        data: Any = None
        if path.suffix.lower() in SPEC_SUFFIXES:
            try:
                data = parse_text(path.read_text(encoding="utf-8"))
            except OSError as exc:
                raise SpecError(f"cannot read {path}: {exc.strerror}") from None
        if isinstance(data, dict) and "method" in data:
            config = SweepConfig(data)
        else:
            config = load_source(str(sweep), allow_approximate=allow_approximate)
    elif isinstance(sweep, Mapping):
        config = SweepConfig(dict(sweep))
    else:
        raise SpecError(f"sweep must be a sweep config, a file or a source, got {type(sweep).__name__}.")
    problems = config.problems()
    if problems:
        raise SpecError("not a valid sweep config:\n  " + "\n  ".join(problems))
    return dict(config), base


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
    `project` / `entity`: the runs' W&B project (default: the sweep's `project` / `entity` keys, which
    tune.run / Tuner take from config["wandb"] and WandbLoggerCallback).
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
    # the experiment's W&B settings (the sweep's project / entity keys) reach offline runs too
    project = project or (config.get("project") if isinstance(config.get("project"), str) else None)
    entity = entity or (config.get("entity") if isinstance(config.get("entity"), str) else None)
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
