"""Compat rows: the trial runtime (`sweepbridge trial`), which runs a Ray Tune trainable as a W&B run."""

from ..compat_row import CompatRow as _R

ROWS = (
    _R(
        "runtime.report",
        "trial runtime",
        "ray.tune.report(metrics, checkpoint=), sweepbridge.tune.report (also report(**metrics)), "
        "ray.air.session.report, reporter(**metrics) of trainable(config, reporter), Trainable.step / _train",
        "one run.log(result, step=training_iteration) per report",
        "exact",
        "not listed",
        "Results carry Ray's auto-filled fields (training_iteration, time_this_iter_s, time_total_s, timestamp, "
        "done, trial_id = the W&B run id, ...). Real Ray reports go through Ray's own session hook "
        "(ray.train._internal.session), with no ray.init() and no Ray process.",
    ),
    _R(
        "runtime.train_v2",
        "trial runtime",
        "ray.train.report / ray.train.get_checkpoint in a Tune trainable",
        "as under Ray Tune",
        "exact",
        "not listed",
        "With Ray Train V2 (Ray's default) Ray itself raises a DeprecationWarning for these inside a Tune "
        "trainable, and so does the trial; with RAY_TRAIN_V2_ENABLED=0 they report like ray.tune.report.",
        "use ray.tune.report / ray.tune.get_checkpoint, as Ray asks.",
    ),
    _R(
        "runtime.config",
        "trial runtime",
        "the config the trainable receives",
        "rebuilt from wandb.config",
        "exact",
        "not listed",
        "Same nesting and Python types as Ray's (ints stay ints), constants included, the grid's `_tune_repeat` "
        "axis removed, config['wandb'] restored (without secrets). Tuples arrive as lists (JSON).",
    ),
    _R(
        "runtime.checkpoint",
        "trial runtime",
        "checkpoints: report(..., checkpoint=), save_checkpoint / _save; get_checkpoint / load_checkpoint",
        "directories under the run's directory (wandb/<run dir>/checkpoints)",
        "equivalent",
        "not listed",
        "Kept locally instead of Ray's storage_path; when W&B resumes a run (same run id) on the same machine, "
        "the latest one comes back through get_checkpoint() / load_checkpoint. config['wandb'] = "
        "{'upload_checkpoints': True} (WandbLoggerCallback's option) also logs each one as a W&B artifact.",
    ),
    _R(
        "runtime.early_stop",
        "trial runtime",
        "early termination by W&B (the agent's SIGTERM, e.g. hyperband)",
        "the trainable stops at its next report (at once when it has not reported for 1 s)",
        "equivalent",
        "not listed",
        "Ray's scheduler stops a trial right after a report; W&B's signal arrives asynchronously. The last "
        "checkpoint stays on disk, the run finishes (exit 0) well before the agent's SIGKILL (30 s).",
    ),
    _R(
        "runtime.wandb_integration",
        "trial runtime",
        "setup_wandb (ray.air.integrations.wandb), wandb_mixin, config['wandb'], WandbLoggerCallback in callbacks",
        "the sweep's run (no second run)",
        "equivalent",
        "not listed",
        "setup_wandb returns the active run; project / entity become the sweep's top-level keys, group / tags / "
        "notes / job_type go to the run, excludes filters logged keys; `wandb` is never a sweep parameter. Run "
        "ids and names are W&B's, not Ray's trial ids.",
    ),
    _R(
        "tune.wandb.api_key",
        "trial runtime",
        "api_key / api_key_file in config['wandb']",
        "—",
        "unsupported",
        "not listed",
        "A sweep config is shown to every member of the project; the key would be published with it.",
        "run `wandb login` on each machine, or set the WANDB_API_KEY environment variable for the agents.",
    ),
    _R(
        "runtime.failure",
        "trial runtime",
        "an exception in the trainable; a sweep metric never reported",
        "run failed (exit 1, traceback in its output); a warning naming the metric",
        "exact",
        "not listed",
        "W&B marks the run failed, and bayes imputes it, as for any failing program.",
    ),
)
