"""Mirror of Ray Tune's `ResultGrid` and `Result` (what `Tuner.fit()` returns), with Ray's semantics.

A trial is given as the results it reported, in order (Ray's `result.json` rows: nested dicts, the
auto-filled fields, `config`), its config, its error and its checkpoints. From them, as Ray does:

- `get_best_result(metric, mode, scope)`: per trial, Ray's running metric analysis (`last`, `avg`
  weighted by `training_iteration`, `last-5-avg`, `last-10-avg`, and `min`/`max` for scope `all`) of
  every numeric value (bools included) of the flattened result, minus Ray's debug fields; NaN and
  infinite scores never win unless `filter_nan_and_inf=False`; a grid of one trial returns it.
- `get_dataframe(filter_metric, filter_mode)`: one row per trial that reported: its last result (or
  the one where `filter_metric` is lowest / highest), flattened with `/`, plus `config/...` and `logdir`.
- `Result.metrics` (the last result), `.config`, `.metrics_dataframe` (every result, flattened),
  `.checkpoint` (the latest), `.best_checkpoints`, `.path`, `.error`; and the W&B run behind the
  trial: `.wandb_run_id`, `.wandb_dir`, `.state` (W&B's run state).

pandas is needed for the data frames only (it comes with Ray).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from numbers import Number
from typing import Any

from ..errors import SpecError, SweepBridgeError

SCOPES = ("all", "last", "avg", "last-5-avg", "last-10-avg")
DEBUG_METRICS = ("trial_id", "experiment_id", "date", "timestamp", "pid", "hostname", "node_ip", "config")
"""Result fields Ray leaves out of the metric analysis (ray.tune.result.DEBUG_METRICS)."""
N_STEPS = (5, 10)
TERMINATED, ERROR = "TERMINATED", "ERROR"


class TuneError(SweepBridgeError, RuntimeError):
    """A trial failed (Ray: TuneError / RayTaskError): the W&B run's state, exit code and log."""


class NoBestResultError(SweepBridgeError, RuntimeError):
    """No trial reported a usable value of the metric (Ray raises RuntimeError)."""


def flatten(result: dict[str, Any], delimiter: str = "/") -> dict[str, Any]:
    """ray's flatten_dict: nested dicts → `a/b` keys (lists kept), in Ray's key order (each level's
    flattened keys after the others)."""
    out = dict(result)
    while any(isinstance(v, dict) for v in out.values()):
        added: dict[str, Any] = {}
        for key, value in list(out.items()):
            if isinstance(value, dict):
                for sub, inner in value.items():
                    added[f"{key}{delimiter}{sub}"] = inner
                del out[key]
        out.update(added)
    return out


def metric_analysis(results: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Ray's per-trial analysis of every numeric metric (Trial.update_last_result + update_metric)."""
    analysis: dict[str, dict[str, Any]] = {}
    windows: dict[str, dict[int, deque]] = {}
    for result in results:
        step = result.get("training_iteration")
        kept = {k: v for k, v in result.items() if k not in DEBUG_METRICS}
        for metric, value in flatten(kept).items():
            if not isinstance(value, Number):
                continue
            if metric not in analysis:
                analysis[metric] = {"max": value, "min": value, "avg": value, "last": value}
                windows[metric] = {}
                for n in N_STEPS:
                    analysis[metric][f"last-{n}-avg"] = value
                    windows[metric][n] = deque([value], maxlen=n)
                continue
            entry, s = analysis[metric], step or 1
            entry["max"] = max(value, entry["max"])
            entry["min"] = min(value, entry["min"])
            entry["avg"] = 1 / s * (value + (s - 1) * entry["avg"])
            entry["last"] = value
            for n in N_STEPS:
                windows[metric][n].append(value)
                entry[f"last-{n}-avg"] = sum(windows[metric][n]) / len(windows[metric][n])
    return analysis


def _nan_or_inf(value: Any) -> bool:
    try:
        return math.isnan(value) or math.isinf(value)
    except TypeError:
        return False


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise SpecError("data frames of results need pandas: pip install pandas (it comes with ray[tune]).") from None
    return pandas


@dataclass(frozen=True)
class TrialData:
    """One trial as it ran: every reported result (Ray's result.json rows), in order."""

    trial_id: str
    config: dict[str, Any]
    results: list[dict[str, Any]]
    path: str
    error: BaseException | None = None
    checkpoints: list[tuple[str, int]] = field(default_factory=list)
    """(directory, training_iteration) of each kept checkpoint, oldest first."""
    wandb_run_id: str | None = None
    wandb_dir: str | None = None
    state: str = "finished"
    """The W&B run's state (finished, failed, crashed, killed)."""
    config_schedule: list[tuple[int, dict[str, Any]]] | None = None
    """A PBT trial: (training_iteration the config starts after, config) per generation; None otherwise."""
    runs: list[str] = field(default_factory=list)
    """A PBT trial: its W&B runs, one per generation (`wandb_run_id` is the last)."""

    @property
    def status(self) -> str:
        """Ray's trial status: ERROR for a failed run, else TERMINATED."""
        return ERROR if self.error is not None else TERMINATED


@dataclass
class Result:
    """Mirror of ray.tune.Result: one trial's latest metrics, history, checkpoint, error and path."""

    metrics: dict[str, Any] | None
    checkpoint: Any
    error: BaseException | None
    path: str
    metrics_dataframe: Any = None
    best_checkpoints: list[tuple[Any, dict[str, Any]]] | None = None
    wandb_run_id: str | None = None
    """The W&B run this trial was (offline: upload with `wandb sync wandb_dir`)."""
    wandb_dir: str | None = None
    state: str | None = None
    """The W&B run's state."""
    config_schedule: list[tuple[int, dict[str, Any]]] | None = None
    """A PBT trial (a chain of W&B runs): the config of each generation and the training_iteration it starts
    after (0, then each donor's), as Ray's PBT policy log records it; None for other trials."""
    wandb_run_ids: list[str] | None = None
    """A PBT trial: the W&B run of each generation, in order."""

    @property
    def config(self) -> dict[str, Any] | None:
        """The config associated with the result (as Ray: `metrics["config"]`)."""
        if not self.metrics:
            return None
        return self.metrics.get("config", None)

    @property
    def filesystem(self) -> Any:
        import pyarrow.fs

        return pyarrow.fs.LocalFileSystem()

    def __repr__(self) -> str:
        shown = {"metrics": self.metrics, "path": self.path, "checkpoint": self.checkpoint}
        if self.error:
            shown = {"error": type(self.error).__name__, **shown}
        body = ",\n".join(f"  {k}={v!r}" for k, v in shown.items())
        return f"Result(\n{body}\n)"


def _checkpoint(path: str) -> Any:
    """Ray's Checkpoint class when Ray Tune is loaded, else the mirror (same API)."""
    import sys

    if "ray.tune" in sys.modules:
        from ray.tune import Checkpoint
    else:
        from .checkpoint import Checkpoint
    return Checkpoint.from_directory(path)


class ResultGrid:
    """Mirror of ray.tune.ResultGrid: the trials of one `Tuner.fit()`, with Ray's selection rules."""

    def __init__(
        self,
        trials: Sequence[TrialData],
        *,
        default_metric: str | None = None,
        default_mode: str | None = None,
        experiment_path: str | None = None,
        sweep: Any = None,
    ) -> None:
        if default_mode and default_mode not in ("min", "max"):
            raise SpecError("`default_mode` has to be None or one of [min, max]")
        self._trials = list(trials)
        self.default_metric = default_metric
        self.default_mode = default_mode
        self._experiment_path = experiment_path or ""
        self.sweep = sweep
        """What sweepbridge's runner returned (results file, run directories, `sync_command()`)."""
        self._analysis = [metric_analysis(t.results) for t in self._trials]
        self._results = [self._to_result(t) for t in self._trials]

    @property
    def experiment_path(self) -> str:
        """The results directory of the sweep (results.jsonl, results.csv, sweep.yaml)."""
        return self._experiment_path

    @property
    def filesystem(self) -> Any:
        import pyarrow.fs

        return pyarrow.fs.LocalFileSystem()

    def _to_result(self, trial: TrialData) -> Result:
        checkpoints = [(_checkpoint(p), it) for p, it in trial.checkpoints]
        by_iteration = {r.get("training_iteration"): r for r in trial.results}
        metrics = dict(trial.results[-1]) if trial.results else {"config": trial.config}
        if trial.results and trial.error is None:
            metrics["done"] = True  # as Ray marks a trial's last result when the trial ends
        return Result(
            metrics=metrics,
            checkpoint=checkpoints[-1][0] if checkpoints else None,
            error=trial.error,
            path=trial.path,
            metrics_dataframe=self._frame(trial) if _has_pandas() else None,
            best_checkpoints=[(c, dict(by_iteration.get(it, {}))) for c, it in checkpoints],
            wandb_run_id=trial.wandb_run_id,
            wandb_dir=trial.wandb_dir,
            state=trial.state,
            config_schedule=trial.config_schedule,
            wandb_run_ids=list(trial.runs) or None,
        )

    @staticmethod
    def _frame(trial: TrialData) -> Any:
        pd = _pandas()
        if not trial.results:
            return pd.DataFrame()
        return pd.json_normalize(trial.results, sep="/")

    # --- Ray's API ------------------------------------------------------------------------------

    def get_best_result(
        self,
        metric: str | None = None,
        mode: str | None = None,
        scope: str = "last",
        filter_nan_and_inf: bool = True,
    ) -> Result:
        """The best trial's Result: per trial, the `scope` score of `metric` (see the module docstring)."""
        if len(self._trials) == 1:
            return self._results[0]
        if not metric and not self.default_metric:
            raise SpecError(
                "No metric is provided. Either pass in a `metric` arg to `get_best_result` or specify a metric "
                "in the `TuneConfig` of your `Tuner`."
            )
        if not mode and not self.default_mode:
            raise SpecError(
                "No mode is provided. Either pass in a `mode` arg to `get_best_result` or specify a mode in the "
                "`TuneConfig` of your `Tuner`."
            )
        metric = metric or self.default_metric
        mode = mode or self.default_mode
        if mode not in ("min", "max"):
            raise SpecError("If set, `mode` has to be one of [min, max]")
        if scope not in SCOPES:
            raise SpecError(f"scope must be one of {', '.join(SCOPES)}, got {scope!r}.")
        best, best_score = None, None
        for index, analysis in enumerate(self._analysis):
            if metric not in analysis:
                continue
            score = analysis[metric][scope if scope != "all" else mode]
            if filter_nan_and_inf and _nan_or_inf(score):
                continue
            if best_score is None or (mode == "max" and best_score < score) or (mode == "min" and best_score > score):
                best, best_score = index, score
        if best is None:
            message = f"No best trial found for the given metric: {metric}. This means that no trial has reported "
            message += "this metric" + (
                ", or all values reported for this metric are NaN. To not ignore NaN values, you can set the "
                "`filter_nan_and_inf` arg to False."
                if filter_nan_and_inf
                else "."
            )
            raise NoBestResultError(message)
        return self._results[best]

    def get_dataframe(self, filter_metric: str | None = None, filter_mode: str | None = None) -> Any:
        """One row per trial: its last result, or the one with the lowest / highest `filter_metric`."""
        if filter_mode and filter_mode not in ("min", "max"):
            raise SpecError("If set, `mode` has to be one of [min, max]")
        if filter_mode and not filter_metric:
            raise SpecError("If a `filter_mode` is passed, you'll also have to pass a `filter_metric`!")
        pd = _pandas()
        rows = {}
        for trial, result in zip(self._trials, self._results, strict=True):
            df = result.metrics_dataframe
            if df is None or df.empty:
                continue
            if filter_metric not in df:
                idx = -1
            elif filter_mode == "max":
                idx = df[filter_metric].idxmax()
            elif filter_mode == "min":
                idx = df[filter_metric].idxmin()
            else:
                idx = -1
            try:
                row = df.iloc[idx].to_dict()
            except TypeError:  # all values NaN: Ray skips the trial with a warning
                continue
            row.update(flatten({"config": trial.config}))
            row.update(logdir=trial.trial_id)
            rows[trial.trial_id] = row
        return pd.DataFrame(list(rows.values()))

    def __len__(self) -> int:
        return len(self._results)

    def __getitem__(self, i: int) -> Result:
        return self._results[i]

    def __iter__(self) -> Iterator[Result]:
        return iter(self._results)

    @property
    def errors(self) -> list[BaseException]:
        """The errors of the failed trials."""
        return [r.error for r in self._results if r.error]

    @property
    def num_errors(self) -> int:
        return sum(t.status == ERROR for t in self._trials)

    @property
    def num_terminated(self) -> int:
        return sum(t.status == TERMINATED for t in self._trials)

    def __repr__(self) -> str:
        return "ResultGrid<[\n" + ",\n".join(r.__repr__() for r in self._results) + "\n]>"


def _has_pandas() -> bool:
    import importlib.util

    return importlib.util.find_spec("pandas") is not None
