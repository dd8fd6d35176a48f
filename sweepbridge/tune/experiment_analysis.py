"""Mirror of Ray Tune's `ExperimentAnalysis` (what Ray's `tune.run` returns), with Ray 2.x's semantics.

Built on the same trial data as the ResultGrid mirror (it is one, so `get_best_result()` and the
other ResultGrid methods work too), it answers what Ray's ExperimentAnalysis answers:

- `best_trial`, `best_config`, `best_result`, `best_result_df`, `best_dataframe`, `best_checkpoint`
  (these need the metric and mode given to `tune.run`), `best_logdir` (the best trial's directory: its
  W&B run's), and `get_best_trial(metric, mode, scope, filter_nan_and_inf)` (None when no trial reported
  a usable value, as Ray), `get_best_config`, `get_best_logdir`, `get_best_checkpoint(trial, metric,
  mode)`, `get_last_checkpoint(trial, metric, mode)`;
- `results` / `results_df` (every trial's last result), `trial_dataframes` (every result), `dataframe(
  metric, mode)` (one row per trial: its last result, or the one where `metric` is lowest / highest),
  `get_all_configs(prefix)`, `trials` (`Trial` mirrors), `experiment_path`.

Accessors of older Ray versions that read Ray's own experiment state (`stats()`, `runner_data()`) are
refused by name (`Unanswerable`): a sweep run by sweepbridge has no Ray controller behind it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import SpecError, SweepBridgeError
from .result_grid import ResultGrid, TrialData, _nan_or_inf, _pandas, flatten

logger = logging.getLogger(__name__)

TRAINING_ITERATION = "training_iteration"
SCOPES = ("all", "last", "avg", "last-5-avg", "last-10-avg")

UNANSWERABLE = {
    "stats": "the statistics of Ray's experiment state (start time, timestamp, ...)",
    "runner_data": "the state of Ray's trial runner",
    "set_filetype": "a choice between Ray's result.json and progress.csv",
}
"""Old ExperimentAnalysis accessors a sweep run by sweepbridge cannot answer: what each one read."""


class NoBestTrial(SweepBridgeError, RuntimeError):
    """No trial reported a usable value of the default metric (Ray: ValueError, or AttributeError on None)."""


class Unanswerable(SweepBridgeError, AttributeError):
    """An ExperimentAnalysis accessor that reads Ray's own experiment state, which a sweep run here lacks."""


@dataclass(eq=False)
class Trial:
    """Mirror of the finished ray.tune.experiment.Trial an ExperimentAnalysis hands out."""

    trial_id: str
    config: dict[str, Any]
    last_result: dict[str, Any]
    """The last reported result (Ray: with `trial_id` always set, `done` once the trial ended)."""
    metric_analysis: dict[str, dict[str, Any]]
    status: str
    path: str
    """The trial's directory: its W&B run's (Ray: storage.trial_fs_path)."""
    checkpoint: Any = None
    """The most recent checkpoint (Ray's Checkpoint), or None."""
    error: BaseException | None = None
    wandb_run_id: str | None = None
    wandb_dir: str | None = None
    best_checkpoints: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)
    """(checkpoint, the result it was saved with) of each kept checkpoint, oldest first."""

    @property
    def local_path(self) -> str:
        return self.path

    @property
    def has_reported_at_least_once(self) -> bool:
        return bool(set(self.last_result) - {"trial_id"})

    def is_finished(self) -> bool:
        return self.status in ("ERROR", "TERMINATED")

    def __str__(self) -> str:
        return f"Trial({self.trial_id})"

    __repr__ = __str__


class MissingMetric(SweepBridgeError, KeyError):
    """A checkpoint's result lacks the metric asked for (Ray raises KeyError)."""

    def __str__(self) -> str:
        return self.message


def _lookup(metric: str, metrics: dict[str, Any], checkpoint: Any) -> Any:
    """Ray's unflattened_lookup: `a/b` reads metrics["a"]["b"]."""
    value: Any = metrics
    for part in metric.split("/"):
        if not isinstance(value, dict) or part not in value:
            raise MissingMetric(
                f"the result checkpoint {getattr(checkpoint, 'path', checkpoint)} was saved with has no {metric!r} "
                f"(it has: {', '.join(flatten(metrics)) or 'nothing'}); pass a metric every checkpoint reported."
            )
        value = value[part]
    return value


class ExperimentAnalysis(ResultGrid):
    """Mirror of ray.tune.ExperimentAnalysis over the trials of one experiment run here (see the module)."""

    def __init__(
        self,
        trials: Sequence[TrialData],
        *,
        default_metric: str | None = None,
        default_mode: str | None = None,
        experiment_path: str | None = None,
        sweep: Any = None,
    ) -> None:
        super().__init__(
            trials,
            default_metric=default_metric,
            default_mode=default_mode,
            experiment_path=experiment_path,
            sweep=sweep,
        )
        if self.default_metric is None and self.default_mode is not None:
            self.default_metric = "_metric"  # Ray's anonymous metric (DEFAULT_METRIC)
        self.trials = [
            Trial(
                trial_id=data.trial_id,
                config=data.config,
                last_result=_last_result(result.metrics if data.results else {}, data.trial_id),
                metric_analysis=analysis,
                status=data.status,
                path=data.path,
                checkpoint=result.checkpoint,
                error=data.error,
                wandb_run_id=data.wandb_run_id,
                wandb_dir=data.wandb_dir,
                best_checkpoints=list(result.best_checkpoints or []),
            )
            for data, result, analysis in zip(self._trials, self._results, self._analysis, strict=True)
        ]

    def __getattr__(self, name: str) -> Any:
        if name in UNANSWERABLE:
            raise Unanswerable(
                f"ExperimentAnalysis.{name} is not available: it read {UNANSWERABLE[name]}, and a sweep run by "
                "sweepbridge has no Ray controller behind it. Read the trials instead (`results`, "
                "`trial_dataframes`, `dataframe()`), or the sweep's records (`.sweep.results_file`)."
            )
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # --- what tune.run's metric and mode answer --------------------------------------------------

    def _defaults(self, what: str, alternative: str) -> tuple[str, str]:
        if not self.default_metric or not self.default_mode:
            raise SpecError(
                f"To fetch the `{what}`, pass a `metric` and `mode` parameter to `tune.run()`. Alternatively, "
                f"use {alternative}."
            )
        return self.default_metric, self.default_mode

    @property
    def best_trial(self) -> Trial | None:
        """The best trial by the last result of `metric` / `mode` given to tune.run."""
        metric, mode = self._defaults("best_trial", "the `get_best_trial(metric, mode)` method")
        return self.get_best_trial(metric, mode)

    @property
    def best_config(self) -> dict[str, Any] | None:
        metric, mode = self._defaults("best_config", "the `get_best_config(metric, mode)` method")
        return self.get_best_config(metric, mode)

    def _best(self) -> Trial:
        """best_trial, refused when there is none (Ray then fails reading None's attributes)."""
        best = self.best_trial
        if not best:
            raise NoBestTrial(
                f"No best trial found. Please check if you specified the correct default metric "
                f"({self.default_metric}) and mode ({self.default_mode}): no trial reported a usable value of it."
            )
        return best

    @property
    def best_checkpoint(self) -> Any:
        metric, mode = self._defaults("best_checkpoint", "`get_best_checkpoint(trial, metric, mode)`")
        return self.get_best_checkpoint(self._best(), metric, mode)

    @property
    def best_logdir(self) -> str | None:
        """The best trial's directory (its W&B run's), as older Rays' `best_logdir`."""
        metric, mode = self._defaults("best_logdir", "`get_best_logdir(metric, mode)`")
        return self.get_best_logdir(metric, mode)

    @property
    def best_dataframe(self) -> Any:
        self._defaults("best_result", "`get_best_trial(metric, mode)` and `trial_dataframes`")
        return self.trial_dataframes[self._best().trial_id]

    @property
    def best_result(self) -> dict[str, Any]:
        self._defaults("best_result", "`get_best_trial(metric, mode).last_result`")
        return self._best().last_result

    @property
    def best_result_df(self) -> Any:
        pd = _pandas()
        return pd.DataFrame.from_records([flatten(self.best_result)], index="trial_id")

    # --- every trial -----------------------------------------------------------------------------

    @property
    def results(self) -> dict[str, dict[str, Any]]:
        """Every trial's last result, by trial id."""
        return {t.trial_id: t.last_result for t in self.trials}

    @property
    def results_df(self) -> Any:
        pd = _pandas()
        return pd.DataFrame.from_records([flatten(t.last_result) for t in self.trials], index="trial_id")

    @property
    def trial_dataframes(self) -> dict[str, Any]:
        """Every trial's results (one row per report, flattened with `/`), by trial id."""
        pd = _pandas()
        frames = {}
        for trial, result in zip(self.trials, self._results, strict=True):
            frame = result.metrics_dataframe
            reported = frame is not None and trial.has_reported_at_least_once
            frames[trial.trial_id] = frame if reported else pd.DataFrame()
        return frames

    def dataframe(self, metric: str | None = None, mode: str | None = None) -> Any:
        """One row per trial that reported: its last result, or the one where `metric` is lowest (min) /
        highest (max) over all its results (not the defaults of tune.run, as Ray)."""
        if mode and mode not in ("min", "max"):
            raise SpecError("If set, `mode` has to be one of [min, max]")
        if mode and not metric:
            raise SpecError(
                "If a `mode` is passed to `ExperimentAnalysis.dataframe(), you'll also have to pass a `metric`!"
            )
        return self.get_dataframe(metric, mode)

    def get_all_configs(self, prefix: bool = False) -> dict[str, dict[str, Any]]:
        """Every trial's config by trial id (`prefix`: flattened, keys `config/...`)."""
        return {t.trial_id: flatten({"config": t.config}) if prefix else t.config for t in self.trials}

    # --- choosing ---------------------------------------------------------------------------------

    def _validate_metric(self, metric: str | None) -> str:
        if not metric and not self.default_metric:
            raise SpecError(
                "No `metric` has been passed and  `default_metric` has not been set. Please specify the `metric` "
                "parameter."
            )
        return metric or self.default_metric  # type: ignore[return-value]

    def _validate_mode(self, mode: str | None) -> str:
        if not mode and not self.default_mode:
            raise SpecError(
                "No `mode` has been passed and  `default_mode` has not been set. Please specify the `mode` parameter."
            )
        if mode and mode not in ("min", "max"):
            raise SpecError("If set, `mode` has to be one of [min, max]")
        return mode or self.default_mode  # type: ignore[return-value]

    def get_best_trial(
        self,
        metric: str | None = None,
        mode: str | None = None,
        scope: str = "last",
        filter_nan_and_inf: bool = True,
    ) -> Trial | None:
        """The trial with the best `scope` score of `metric` (Ray's rules, as `get_best_result`); None, with
        a logged warning, when no trial reported a usable value. One trial is returned whatever the metric."""
        if len(self.trials) == 1:
            return self.trials[0]
        metric, mode = self._validate_metric(metric), self._validate_mode(mode)
        if scope not in SCOPES:
            raise SpecError(
                f"ExperimentAnalysis: attempting to get best trial for metric {metric} for scope {scope} not in "
                '["all", "last", "avg", "last-5-avg", "last-10-avg"]. If you didn\'t pass a `metric` parameter '
                "to `tune.run()`, you have to pass one when fetching the best trial."
            )
        best, best_score = None, None
        for trial in self.trials:
            if metric not in trial.metric_analysis:
                continue
            score = trial.metric_analysis[metric][scope if scope != "all" else mode]
            if filter_nan_and_inf and _nan_or_inf(score):
                continue
            if best_score is None or (mode == "max" and best_score < score) or (mode == "min" and best_score > score):
                best, best_score = trial, score
        if best is None:
            logger.warning("Could not find best trial. Did you pass the correct `metric` parameter?")
        return best

    def get_best_config(self, metric: str | None = None, mode: str | None = None, scope: str = "last") -> Any:
        best = self.get_best_trial(metric, mode, scope)
        return best.config if best else None

    def get_best_logdir(self, metric: str | None = None, mode: str | None = None, scope: str = "last") -> Any:
        """The best trial's directory (its W&B run's), or None (older Rays' `get_best_logdir`)."""
        best = self.get_best_trial(metric, mode, scope)
        return best.path if best else None

    def get_best_checkpoint(self, trial: Any, metric: str | None = None, mode: str | None = None) -> Any:
        """The trial's kept checkpoint whose result had the best `metric` (default: tune.run's metric, else
        training_iteration); NaN values never count; None (logged) when the trial kept none."""
        metric = metric or self.default_metric or TRAINING_ITERATION
        mode = self._validate_mode(mode)
        trial = self._trial(trial)
        scored = [(checkpoint, _lookup(metric, metrics, checkpoint)) for checkpoint, metrics in trial.best_checkpoints]
        scored = [(c, v) for c, v in scored if not _is_nan(v)]
        if not scored:
            logger.error(f"No checkpoints have been found for trial {trial}.")
            return None
        factor = -1 if mode == "min" else 1
        return max(scored, key=lambda pair: factor * pair[1])[0]

    def get_last_checkpoint(self, trial: Any = None, metric: str = TRAINING_ITERATION, mode: str = "max") -> Any:
        """The trial's checkpoint with the highest training_iteration (trial None: the best by metric/mode)."""
        trial = trial or self.get_best_trial(metric, mode)
        return self.get_best_checkpoint(trial, TRAINING_ITERATION, "max")

    def _trial(self, trial: Any) -> Trial:
        """A Trial of this analysis, given as one or as its directory (Ray accepts either)."""
        if isinstance(trial, Trial):
            return trial
        for candidate in self.trials:
            if trial in (candidate.path, candidate.trial_id):
                return candidate
        raise SpecError(f"no trial of this experiment has the directory or id {trial!r}.")


def _last_result(metrics: dict[str, Any], trial_id: str) -> dict[str, Any]:
    """Ray's Trial.last_result: the last result, `trial_id` set when it lacks one."""
    result = dict(metrics)
    result.setdefault("trial_id", trial_id)
    return result


def _is_nan(value: Any) -> bool:
    try:
        return value != value
    except TypeError:
        return False
