"""`sweepbridge run`: a whole W&B sweep on this machine, scheduled by W&B's own engine.

Modules: `engine` (wandb's optimizers behind ask / tell / prune), `launch` (trials started as the
wandb agent starts them), `history` (a run's metrics read live from its transaction log by
wandb-core), `results` (JSON Lines + CSV, one locked sweep per directory), `display` (progress and
leaderboard), `failures` (the agent's failure rule), `metric` (the metric check at the first finished
run), `online` (the W&B sweep of --mode online), `sweep` (the loop).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import SpecError

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
    sweep: Any = None,
    function: Callable[[], Any] | None = None,
    *,
    count: int | None = None,
    jobs: int | None = None,
    mode: str | None = None,
    project: str | None = None,
    entity: str | None = None,
    out: str | os.PathLike[str] | None = None,
    max_failures: int | None = None,
    grace: float | None = None,
    progress: bool | None = None,
    display: Any = None,
    interpreter: str | None = None,
    allow_missing_metric: bool = False,
    warm: bool = True,
    resume: str | os.PathLike[str] | None = None,
) -> Any:
    """Run a W&B sweep here: W&B's engine picks the configs and stops runs, the real wandb client logs.

    `count`: at most this many runs (with the sweep's `run_cap`, the smaller; grid also stops when
    exhausted; neither → until interrupted). `jobs`: trials at once (≤ CPU count; default 1, resumed: the
    sweep's own, saved in DIR/runner.json, at most this machine's CPU count; given, it wins). `function`: called
    in this process for each run instead of the sweep's program, as `wandb.agent(function=...)`.
    `project` / `entity`: the runs' W&B project (default: the sweep's `project` / `entity` keys, which
    tune.run / Tuner take from config["wandb"] and WandbLoggerCallback).
    `mode`: offline (the default; upload later with `wandb sync`), disabled, or online: needs a W&B login
    (else SpecError before anything runs); the runs then form a W&B sweep with a local controller
    (created on W&B's server, scheduled here), `SweepOutcome.url` is its page. `out`: results directory
    (default: wandb/sweep-ID). `max_failures`: replaces the wandb agent's limit on failures at the start
    (WANDB_AGENT_MAX_INITIAL_FAILURES, 5). Failing runs stop the sweep by the agent's rule: 3 failed runs (exit
    status > 0, or the function raised) in the first 60 s (WANDB_AGENT_DISABLE_FLAPPING=true turns this off), or
    `max_failures` failed runs while at most one run ended otherwise. `grace`: seconds between SIGTERM and SIGKILL
    (default: the agent's 30). `warm`: start each trial as a fork of a template interpreter that has
    wandb imported (runner/warm.py; the same argv, environment and files as a cold start; falls back to
    a cold start, saying why, where it cannot be the same); False: a new interpreter per trial, as the agent.
    `progress`: print progress and the leaderboard to stderr (default: only when stderr is a terminal);
    `display`: a `runner.display.Display` to call instead.
    `resume`: the results directory of a sweep whose runner was interrupted or killed: continue it (its
    sweep.yaml; `sweep` may be omitted, else it must be the same sweep) with every earlier run told to
    the engine, the runs left running marked crashed, and `count` (default: the first run's) counting
    every run of the sweep; mode, project and entity default to the first run's (see runner/resume.py).
    `interpreter`: what `${interpreter}` in the sweep's command runs (default `python` from PATH, as the
    agent); checked before the first trial (it must find wandb, and import a Tune trainable), else SpecError.
    `out` holds one sweep and one runner at a time: a directory another runner uses, or that already holds
    a sweep, is refused (SpecError). A result that cannot be written (a full disk) stops the sweep with
    `results.ResultsWriteError` naming the file (earlier records stay whole).
    The metric is checked at the first finished run: when it never logged the sweep's metric, the sweep
    stops there and `MissingMetricError` (a SpecError, with `.outcome`) names what the run logged and the
    closest name; `allow_missing_metric=True` runs on.
    Returns a `SweepOutcome` (results, best(), out_dir, run_dirs, sync_command(), url, exit_status). An
    unsaved `method: custom` SweepConfig (e.g. `to_sweep(space, engine="optuna")`) runs with its generated
    source, written aside meanwhile.
    """
    import sys

    from .display import Display, TextDisplay
    from .sweep import SweepRunner

    resumed = None
    if resume is not None:
        config, base, resumed = _resumed(sweep, resume, out, grace)
        count = resumed.state.count if count is None else count
        if jobs is None and function is None:  # the sweep's own parallelism (function= runs one at a time)
            jobs = max(1, min(resumed.state.jobs, os.cpu_count() or 1))
        if mode is not None and mode != resumed.state.mode:
            raise SpecError(
                f"the sweep in {resume} ran with mode {resumed.state.mode}: it resumes so (drop mode {mode})."
            )
        mode = resumed.state.mode
        project = project or resumed.state.project
        entity = entity or resumed.state.entity
    elif sweep is None:
        raise SpecError("run_sweep needs a sweep (or resume=DIR).")
    else:
        config, base = load_sweep(sweep)
    # the experiment's W&B settings (the sweep's project / entity keys) reach offline runs too
    project = project or (config.get("project") if isinstance(config.get("project"), str) else None)
    entity = entity or (config.get("entity") if isinstance(config.get("entity"), str) else None)
    mode = mode or "offline"
    tty = sys.stderr.isatty()
    show = tty if progress is None else progress
    if display is None:
        display = TextDisplay(live=tty) if show else Display()
    with _unsaved_source(sweep, config):
        runner = SweepRunner(
            config,
            count=count,
            jobs=1 if jobs is None else jobs,
            function=function,
            mode=mode,
            project=project,
            entity=entity,
            out=out,
            max_failures=max_failures,
            grace=grace,
            base=base,
            display=display,
            interpreter=interpreter,
            allow_missing_metric=allow_missing_metric,
            warm=warm,
            resume=resumed,
        )
        outcome = runner.run()
    if outcome.missing_metric:
        from .metric import MissingMetricError

        raise MissingMetricError(outcome.missing_metric, outcome)
    return outcome


@contextlib.contextmanager
def _unsaved_source(sweep: Any, config: dict[str, Any]) -> Iterator[None]:
    """While the sweep runs: an unsaved `method: custom` SweepConfig's generated source (`scheduler_source`)
    written to a scratch folder that `config`'s `scheduler.source` names (a saved one is read beside its file)."""
    source = getattr(sweep, "scheduler_source", None) if isinstance(sweep, Mapping) else None
    if source is None or not isinstance(config.get("scheduler"), dict):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="sweepbridge-") as folder:
        path = Path(folder) / Path(str(config["scheduler"].get("source") or "sweep_scheduler.py")).name
        path.write_text(source, encoding="utf-8")
        config["scheduler"] = {**config["scheduler"], "source": str(path)}
        yield


def _resumed(sweep: Any, resume: str | os.PathLike[str], out: Any, grace: float | None) -> tuple[Any, Any, Any]:
    """The config, base directory and `Resume` of a sweep to continue (runner/resume.py)."""
    from .resume import load

    directory = Path(resume)
    if out is not None and Path(out).resolve() != directory.resolve():
        raise SpecError(f"--resume {resume} continues the sweep in {resume}: --out {out} names another directory.")
    if grace is None:
        from .sweep import default_grace

        grace = default_grace()
    state = load(directory, grace=grace)
    if sweep is not None:
        from .engine import resolve_source

        given, base = load_sweep(sweep)
        if resolve_source(given, base) != state.config:
            raise SpecError(
                f"{sweep} is not the sweep in {directory / 'sweep.yaml'}: --resume continues that one "
                "(omit the sweep, or start a new sweep with another --out)."
            )
    return state.config, directory, state
