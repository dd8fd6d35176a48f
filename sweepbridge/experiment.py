"""A Ray Tune experiment run here: `Tuner.fit()` → the sweep → `run_sweep` → Ray's `ResultGrid`.

Where the translator meets the runner (like the CLI): the Tuner is translated to a W&B sweep, the
runner runs it on this machine (W&B's engine or the generated scheduler picks the configs, each
trial is one real W&B run, offline by default), and every trial's reported results (the trial
runtime's result.json in the run's directory, else the run's logged history) become a `ResultGrid`.
A PBT sweep's trial is a chain of runs (runner/chains.py): it becomes one Result, whose results are its
runs' results in generation order, with its final config and its `config_schedule`.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .tune.driver import RunCall, current_driver, driving, experiment_specs
from .tune.experiment_analysis import ExperimentAnalysis
from .tune.result_grid import ResultGrid, TrialData, TuneError

__all__ = ["RunCall", "RunOptions", "driving", "experiment_specs", "fit", "run_experiment"]

from .trial_command import PBT_KEY

RESULT_FILE, PARAMS_FILE = "result.json", "params.json"
REPEAT_AXIS = "_tune_repeat"
FAILED_STATES = ("failed", "crashed")


@dataclass
class RunOptions:
    """How `fit()` runs the sweep (the `sweepbridge run` options; environment defaults for `fit()`)."""

    count: int | None = None
    jobs: int | None = None
    """Trials at once (None: 1; resumed: the sweep's own)."""
    mode: str | None = None
    """offline, online or disabled (default: see `resolved_mode`)."""
    project: str | None = None
    entity: str | None = None
    out: str | None = None
    max_failures: int | None = None
    progress: bool | None = None
    display: Any = None
    interpreter: str | None = None
    allow_missing_metric: bool = False
    warm: bool = True

    def keywords(self) -> dict[str, Any]:
        """These options as `run_sweep`'s keywords."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def resolved_mode(self) -> str:
        """The wandb mode of the runs: given, else online when WANDB_MODE says so, else offline.

        WANDB_MODE=disabled (a common "mock" setting in Ray's examples) still logs offline: the
        ResultGrid is read from the runs' files.
        """
        if self.mode:
            return self.mode
        return "online" if os.environ.get("WANDB_MODE") == "online" else "offline"


def run_sweep_config(sweep: Any, options: RunOptions) -> Any:
    """Run a translated SweepConfig (`run_sweep` runs an unsaved `method: custom` one with its scheduler source)."""
    from .runner import run_sweep

    return run_sweep(sweep, **{**options.keywords(), "mode": options.resolved_mode()})


def fit(tuner: Any, options: RunOptions | None = None) -> ResultGrid:
    """Run `tuner` (sweepbridge's Tuner) here and return the ResultGrid of its trials."""
    driver = current_driver()
    if driver is not None:  # `sweepbridge run/convert script.py`: the script's one experiment
        return driver("Tuner.fit", tuner)
    from . import engine_choice

    with engine_choice.default(None if engine_choice.resolve(None, "") else "auto"):  # fit() runs: auto
        sweep = tuner.to_sweep()
    return run_experiment(tuner, sweep, options or RunOptions())


def run_experiment(subject: Any, sweep: Any, options: RunOptions) -> ResultGrid:
    """Run `sweep` (the translation of `subject`, a Tuner or RunCall) and collect its ResultGrid."""
    outcome = run_sweep_config(sweep, options)
    metric, mode = _metric_mode(subject)
    return result_grid(
        outcome, metric=metric, mode=mode, wandb_block=_wandb_block(subject.param_space), cls=_grid_class(subject)
    )


def unrun_grid(subject: Any) -> ResultGrid:
    """What `sweepbridge convert` gives a script for its experiment: no trial ran, so a grid of none
    (an ExperimentAnalysis for Ray's tune.run), with the experiment's metric and mode."""
    metric, mode = _metric_mode(subject)
    return _grid_class(subject)([], default_metric=metric, default_mode=mode)


def _grid_class(subject: Any) -> type[ResultGrid]:
    """Ray's tune.run returns an ExperimentAnalysis; Tuner.fit (and run_experiments, per experiment) a ResultGrid."""
    return ExperimentAnalysis if isinstance(subject, RunCall) and subject.analysis else ResultGrid


def _metric_mode(subject: Any) -> tuple[str | None, str | None]:
    if isinstance(subject, RunCall):
        return subject.metric_mode()
    return getattr(subject.tune_config, "metric", None), getattr(subject.tune_config, "mode", None)


def _wandb_block(space: Any) -> dict[str, Any] | None:
    block = space.get("wandb") if isinstance(space, Mapping) else None
    return dict(block) if isinstance(block, Mapping) else None


def result_grid(
    outcome: Any,
    *,
    metric: str | None = None,
    mode: str | None = None,
    wandb_block: dict | None = None,
    cls: type[ResultGrid] = ResultGrid,
) -> ResultGrid:
    """The ResultGrid (or `cls`, e.g. ExperimentAnalysis) of a finished `run_sweep` (a SweepOutcome), trials
    in the order they ended (a PBT trial, a chain of runs, when its last run ended)."""
    from .runner.chains import chains

    by_id = {r.id: r for r in outcome.results}
    order = {r.id: i for i, r in enumerate(outcome.results)}
    found = chains(outcome.results)
    in_chains = {g.run for c in found for g in c.runs}
    ended = [(order[r.id], _trial(r, wandb_block)) for r in outcome.results if r.id not in in_chains]
    for chain in found:
        ended.append(
            (max(order[g.run] for g in chain.runs), _chain([by_id[g.run] for g in chain.runs], chain, wandb_block))
        )
    trials = [t for _, t in sorted(ended, key=lambda pair: pair[0])]
    return cls(trials, default_metric=metric, default_mode=mode, experiment_path=str(outcome.out_dir), sweep=outcome)


def _trial(run: Any, wandb_block: dict | None) -> TrialData:
    run_dir = Path(run.run_dir).resolve() if run.run_dir else None
    config = _ray_config(run.config, wandb_block)
    results: list[dict[str, Any]] = []
    if run_dir is not None:
        params = run_dir / PARAMS_FILE
        if params.is_file():
            config = json.loads(params.read_text(encoding="utf-8"))
        results = _read_results(run_dir / RESULT_FILE)
        if not results:
            results = _logged_history(run_dir, run.id, config)
    error = None
    if run.state in FAILED_STATES:
        where = f"; its output: {run.output}" if run.output else ""
        error = TuneError(f"trial {run.id} {run.state} (exit code {run.exit_code}){where}")
    checkpoints = _checkpoints(run_dir) if run_dir is not None else []
    return TrialData(
        trial_id=run.id,
        config=config,
        results=results,
        path=str(run_dir) if run_dir is not None else "",
        error=error,
        checkpoints=checkpoints,
        wandb_run_id=run.id,
        wandb_dir=run.run_dir,
        state=run.state,
    )


def _chain(runs: list[Any], chain: Any, wandb_block: dict | None) -> TrialData:
    """One PBT trial from its runs (generation order): every run's results in turn (a continuation's start
    after its donor's training_iteration, as Ray's exploited trial continues), the last run's config,
    state and error, every run's checkpoints."""
    parts = [_trial(run, wandb_block) for run in runs]
    last = parts[-1]
    schedule = [(start, _ray_config(config, wandb_block)) for start, config in chain.schedule()]
    return TrialData(
        trial_id=chain.trial,
        config=last.config,
        results=[row for part in parts for row in part.results],
        path=last.path,
        error=last.error,
        checkpoints=[c for part in parts for c in part.checkpoints],
        wandb_run_id=last.wandb_run_id,
        wandb_dir=last.wandb_dir,
        state=last.state,
        config_schedule=schedule,
        runs=[part.wandb_run_id or "" for part in parts],
    )


def _ray_config(config: Mapping[str, Any], wandb_block: dict | None) -> dict[str, Any]:
    out = {k: v for k, v in config.items() if k not in (REPEAT_AXIS, "_wandb", PBT_KEY)}
    if wandb_block is not None:
        out["wandb"] = wandb_block
    return out


def _read_results(path: Path) -> list[dict[str, Any]]:
    """The whole lines of a result.json (a run killed mid-write leaves at most a torn last line)."""
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict):
            rows.append(row)
    return rows


def _logged_history(run_dir: Path, run_id: str, config: dict[str, Any]) -> list[dict[str, Any]]:
    """A program that logs with wandb itself (no trial runtime): its history rows, as results."""
    from .runner.history import read_records

    log = run_dir / f"run-{run_id}.wandb"
    if not log.is_file():
        return []
    rows = []
    for record in read_records(log):
        if record.get("type") != "history":
            continue
        item = (record.get("history") or {}).get("item") or {}
        row = {k: _number(v) for k, v in item.items() if not k.startswith("_")}
        step = item.get("_step")
        if isinstance(step, int):
            row.setdefault("training_iteration", step + 1)
        rows.append({**row, "config": config})
    return rows


def _number(value: Any) -> Any:
    if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[value]
    return value


def _checkpoints(run_dir: Path) -> list[tuple[str, int]]:
    """The trial runtime's kept checkpoints (run dir/checkpoints/checkpoint_NNNNNN), oldest first."""
    found = []
    for marker in (run_dir / "checkpoints").glob("checkpoint_*/.sweepbridge_checkpoint.json"):
        try:
            iteration = int(json.loads(marker.read_text())["training_iteration"])
        except (ValueError, KeyError, TypeError):
            continue
        found.append((iteration, str(marker.parent)))
    return [(path, iteration) for iteration, path in sorted(found)]
