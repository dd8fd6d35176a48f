"""One trial = one W&B run: results logged, stop criteria applied, SIGTERM handled."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterable
from numbers import Number
from pathlib import Path
from typing import Any

from ..tune.flat_keys import flatten
from ..tune.results import TRAINING_ITERATION, Clock
from .checkpoints import Store, as_checkpoint, time_total
from .pbt import PBT_CHECKPOINT, Hold, Lineage
from .stopping import StopRule

GRACE_S = 1.0
"""After the agent's SIGTERM, a trainable that has not reported within this time is stopped at once."""

NOT_LOGGED = ("done", "should_checkpoint", "config")
RESULT_FILE, PARAMS_FILE = "result.json", "params.json"
"""In the run's directory, as in a Ray trial directory: every result (one JSON line each, `config`
included) and the config (what `Tuner.fit()`'s ResultGrid reads back)."""
"""Result keys Ray's WandbLoggerCallback never logs (besides the user's `excludes`)."""


class TrialStopped(BaseException):
    """Raised inside the trainable to stop it (a BaseException, so `except Exception` cannot swallow it)."""


class TrialSession:
    """The running trial: what `tune.report` & co. talk to (registered in sweepbridge.tune.session)."""

    def __init__(
        self,
        run: Any,
        stop: StopRule,
        *,
        metric: str | None = None,
        excludes: Iterable[str] = (),
        upload_checkpoints: bool = False,
    ) -> None:
        self.run = run
        self.trial_id = run.id
        self.trial_name = run.name or run.id
        self.trial_dir = str(Path(run.dir).parent)
        self.experiment_name = run.sweep_id or run.project or ""
        self.stop_rule = stop
        self.metric = metric
        self.excludes = tuple(excludes) + NOT_LOGGED
        self.upload_checkpoints = upload_checkpoints
        self.clock = Clock()
        self.store = Store(Path(run.dir).parent, run.id)
        self.lineage: Lineage | None = None
        """A PBT sweep's run: its trial, generation and donor (its checkpoints are published to the storage)."""
        self._hold: Hold | None = None
        self._published: int | None = None
        self.last_published: int | None = None
        """The training_iteration of the last checkpoint published to the PBT storage."""
        self.results_file = Path(run.dir).parent / RESULT_FILE
        self.loaded_checkpoint: Any = None
        self.last_checkpoint: Path | None = None
        self.reported_keys: set[str] = set()
        self.config: dict[str, Any] | None = None
        self.stop_reason: str | None = None
        self.last_iteration: Any = None
        self.last_time_total: float | None = None
        self.terminated = False
        self._in_report = False
        self._timer: threading.Timer | None = None
        self._step_warned = False

    # --- resume ------------------------------------------------------------------------------

    def restore(self) -> tuple[Path, int, str | None] | None:
        """Load this run id's latest checkpoint (a resumed run), else a PBT continuation's donor checkpoint
        (DonorCheckpointError when it is missing or unreadable); training_iteration and time_total_s
        continue from it, as after Ray's restore."""
        latest = self.store.latest()
        if latest is None and self.lineage is not None and self.lineage.donor is not None:
            path, info = self.lineage.fetch_donor(Path(self.trial_dir) / "pbt_donor", self.run)
            latest = (path, int(info["training_iteration"]), info.get("returned"))
        if latest is not None:
            path, iteration, _ = latest
            self.loaded_checkpoint = as_checkpoint(path)
            self.last_checkpoint = path
            self.clock.iteration = iteration
            self.clock.time_total = time_total(path)
        return latest

    # --- reports -----------------------------------------------------------------------------

    def report(self, metrics: dict[str, Any], checkpoint: Any = None) -> None:
        """One function-trainable report: Ray's auto-filled fields, logged, then the stop decision."""
        if not isinstance(metrics, dict):
            raise TypeError(f"report() needs a dict of metrics, got {type(metrics).__name__}")
        self._in_report = True
        try:
            result = self.clock.fill(metrics, self.trial_id)
            if checkpoint is not None:
                path = getattr(checkpoint, "path", checkpoint)
                iteration = result[TRAINING_ITERATION]
                self.kept(self.store.keep(str(path), iteration, result.get("time_total_s")), iteration)
            stop = self.record(result)
        finally:
            self._in_report = False
        if stop:
            raise TrialStopped(self.stop_reason)
        if self.terminated:
            self.stop_reason = "stopped by W&B (SIGTERM from the agent)"
            raise TrialStopped(self.stop_reason)

    def kept(self, path: Path, iteration: int | None = None) -> None:
        """A checkpoint is on disk: what get_checkpoint() returns; published to a PBT sweep's storage (the
        row of `iteration` then logs `_pbt_checkpoint`); a W&B artifact when opted in."""
        self.last_checkpoint = path
        self.loaded_checkpoint = as_checkpoint(path)
        if self.lineage is not None and iteration is not None:
            self.lineage.publish(path, iteration, self.run)
            self._published = self.last_published = iteration
        if self.upload_checkpoints:
            import wandb

            artifact = wandb.Artifact(f"checkpoint-{self.trial_id}", type="model", metadata={"path": path.name})
            artifact.add_dir(str(path))
            self.run.log_artifact(artifact, aliases=["latest", path.name])

    def record(self, result: dict[str, Any]) -> bool:
        """Log one auto-filled result (one row, step = training_iteration); True when the trial must stop."""
        self.reported_keys.update(flatten(result))
        self.last_iteration = result.get(TRAINING_ITERATION)
        self.last_time_total = result.get("time_total_s")
        if self.lineage is not None and self._hold is None:
            self._hold = Hold(self.lineage)
        published = self._published is not None and self._published == self.last_iteration
        held = self._hold is not None and self._hold.due(result, published)
        self._log(result, commit=held)
        self._keep(result)
        if self.stop_rule(self.trial_id, result):
            self.stop_reason = "done" if result.get("done") else "stop criteria met"
            return True
        if held and self._hold is not None:
            why = self._hold.wait(lambda: self.terminated)
            if why is not None:
                self.stop_reason = f"PBT stopped the run ({why}: the trial continues in a new run)"
                return True
        return False

    def write_params(self, config: dict[str, Any]) -> None:
        """Ray's params.json: the config the trainable received (also added to each result.json row)."""
        self.config = config
        self.results_file.with_name(PARAMS_FILE).write_text(_json(config), encoding="utf-8")

    def _keep(self, result: dict[str, Any]) -> None:
        """Append the result to result.json (Ray's row: the result with `config`), one whole line."""
        row = {**result, "config": self.config} if self.config is not None else result
        with open(self.results_file, "a", encoding="utf-8") as f:
            f.write(_json(row) + "\n")

    def _log(self, result: dict[str, Any], commit: bool = False) -> None:
        """One W&B row at step = training_iteration; `commit` writes it at once (wandb otherwise keeps a row
        given a step open until the next step: a held PBT run's scheduler must see it)."""
        from wandb.sdk.data_types.base_types.wb_value import WBValue

        row = {}
        for key, value in flatten(result).items():
            if any(key == x or key.startswith(x + "/") for x in self.excludes):
                continue
            if isinstance(value, (Number, WBValue)) or (hasattr(value, "item") and getattr(value, "size", 0) == 1):
                row[key] = value
        step = result.get(TRAINING_ITERATION)
        if self._published is not None and self._published == step:
            row[PBT_CHECKPOINT] = step  # the generated PBT scheduler names only published iterations as donors
        self._published = None
        current = self._wandb_step()
        if isinstance(step, int) and step >= current:
            self.run.log(row, step=step, commit=commit or None)
            return
        if not self._step_warned:
            self._step_warned = True
            print(
                f"sweepbridge: W&B's step ({current}) is past training_iteration ({step}) because of "
                "wandb.log calls between reports; results are logged at W&B's current step.",
                file=sys.stderr,
            )
        self.run.log(row)

    def _wandb_step(self) -> int:
        """The step of the run's next log() call. wandb keeps it in the process (`_local_step`); its
        public `run.step` asks the wandb-core service (~1-2 ms a call), so it is the fallback only."""
        local = getattr(self.run, "_local_step", None)
        return local if isinstance(local, int) else self.run.step

    def missing_metric_warning(self) -> str | None:
        if self.metric is None or self.metric in self.reported_keys:
            return None
        return (
            f"sweepbridge: the trainable never reported the sweep metric {self.metric!r} "
            f"(reported: {', '.join(sorted(self.reported_keys)) or 'nothing'}); W&B's bayes search and "
            "hyperband early termination cannot use this run."
        )

    def unpublished_warning(self) -> str | None:
        """A PBT run that reported results but never a checkpoint: no trial can continue from it."""
        if self.lineage is None or self.last_published is not None or self.last_iteration is None:
            return None
        return (
            f"sweepbridge: PBT trial {self.lineage.trial} (generation {self.lineage.generation}) reported no "
            "checkpoint, so no trial can continue from it and its own continuation cannot restore it: report "
            "one with tune.report(metrics, checkpoint=tune.Checkpoint.from_directory(dir)), as Ray's PBT needs."
        )

    # --- signals -----------------------------------------------------------------------------

    def install_signals(self) -> None:
        signal.signal(signal.SIGTERM, self._on_sigterm)

    def _on_sigterm(self, signum: int, frame: Any) -> None:
        if not self.terminated:
            self.terminated = True
            main = threading.main_thread().ident
            self._timer = threading.Timer(GRACE_S, signal.pthread_kill, args=(main, signal.SIGTERM))
            self._timer.daemon = True
            self._timer.start()
            return
        if not self._in_report:  # blocked without reporting: stop at once
            self.stop_reason = "stopped by W&B (SIGTERM from the agent)"
            raise TrialStopped(self.stop_reason)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _json(value: Any) -> str:
    """JSON as Ray writes results (NaN kept); numpy scalars as numbers, other objects as text."""
    import json

    def fallback(obj: Any) -> Any:
        item = getattr(obj, "item", None)
        return item() if callable(item) and getattr(obj, "size", 1) == 1 else repr(obj)

    return json.dumps(value, default=fallback)
