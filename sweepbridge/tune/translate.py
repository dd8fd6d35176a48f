"""tune.run's translation: the call is read once into a `Plan` (program, trial command, space, searcher and
scheduler with Ray's defaults, metric/mode merged, num_samples), which one emitter per engine turns into a
SweepConfig: `wandb_emitter` (W&B's own engine) or `optuna_emitter` (W&B's sweep scheduler, an Optuna study).
Each searcher's and scheduler's part comes from its home (tune/search/*, tune/schedulers/*, tune/registry.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import compat
from ..errors import SpecError, SweepBridgeError
from ..objective import GOAL_OF_MODE
from ..sweep_config import SweepConfig
from ..trial_command import REPEAT_AXIS as REPEAT_AXIS  # the grid's repetition axis, removed by the trial
from . import ax_emitter, optuna_emitter, registry, session, wandb_emitter
from . import command as t
from .plan import Plan, changed
from .wandb_emitter import Notes

__all__ = ["EMITTERS", "KEYWORDS", "REPEAT_AXIS", "build_plan", "translate"]

KEYWORDS: dict[str, tuple[str, Any]] = {
    "resources_per_trial": ("tune.run.resources", None),
    "max_concurrent_trials": ("tune.run.concurrency", None),
    "time_budget_s": ("tune.run.time_budget", None),
    **{
        k: ("tune.run.storage", default)
        for k, default in (
            ("storage_path", None),
            ("storage_filesystem", None),
            ("local_dir", None),
            ("upload_dir", None),
            ("sync_config", None),
            ("sync_function", None),
            ("sync_to_cloud", None),
            ("sync_to_driver", None),
            ("log_to_file", False),
        )
    },
    **{
        k: ("tune.run.checkpointing", default)
        for k, default in (
            ("checkpoint_config", None),
            ("checkpoint_freq", 0),
            ("checkpoint_at_end", False),
            ("checkpoint_score_attr", None),
            ("global_checkpoint_period", 10),  # Ray 0.7 (the 2020 beta)
            ("keep_checkpoints_num", None),
            ("export_formats", None),
            ("max_failures", 0),
            ("fail_fast", False),
            ("restore", None),
            ("resume", None),
            ("resume_config", None),
            ("raise_on_failed_trial", True),
            ("failure_config", None),
        )
    },
    **{
        k: ("tune.run.reporting", default)
        for k, default in (
            ("verbose", None),
            ("progress_reporter", None),
            ("loggers", None),
            ("callbacks", None),
            ("trial_name_creator", None),
            ("trial_dirname_creator", None),
        )
    },
    **{
        k: ("tune.run.execution", default)
        for k, default in (
            ("reuse_actors", False),
            ("queue_trials", False),
            ("trial_executor", None),
            ("with_server", False),
            ("server_port", None),
            ("chdir_to_trial_dir", "DEPRECATED"),
            ("return_trials", False),  # Ray 0.7 (the 2020 beta)
            ("ray_auto_init", True),  # Ray 0.7
            ("_remote", None),
            ("_remote_string_queue", None),
            ("_entrypoint", None),
        )
    },
}
"""tune.run keywords without sweep meaning → (compat row, Ray's default). Warned when not default."""


EMITTERS: dict[str, Callable[[Plan], tuple[SweepConfig, Notes]]] = {
    "wandb": wandb_emitter.emit,
    "optuna": optuna_emitter.emit,
    "ax": ax_emitter.emit,
}
"""tune.run's `engine` → the emitter turning a Plan into its sweep."""


def _trial(
    run_or_experiment: Any, stop: Any, config: Any, keywords: dict[str, Any]
) -> tuple[str, t.TrialCommand | None, Any, dict]:
    """(program, trial command or None for a plain script, config without `wandb`, top-level sweep keys).

    With a trainable, W&B logger callbacks leave `keywords` (callbacks / loggers): the trial honours them.
    """
    config, block = t.wandb_block(config)
    if t.is_program(run_or_experiment):
        if stop not in (None, {}):
            raise compat.refuse("tune.run.stop.program", f"Got stop={stop!r}.", path="stop")
        if block is not None:  # a script reads config["wandb"] itself, as a constant parameter
            config = {**config, "wandb": block}
        return run_or_experiment, None, config, {k: block[k] for k in t.WANDB_SWEEP_KEYS if block and k in block}
    resources = t.resource_request(run_or_experiment)  # tune.with_resources: recorded for the runner
    per_trial = keywords.pop("resources_per_trial", None)  # tune.run's own request wins, as Ray wraps with it
    if per_trial is not None:
        resources = t.resource_amounts(per_trial, "resources_per_trial")
    run_or_experiment, parameters = t.unwrap_ray(run_or_experiment)  # tune.with_parameters / with_resources
    program, name = t.trainable_command(run_or_experiment)
    own = sorted(block) if block is not None else []  # what the trainable gets back as config["wandb"]
    for key in ("callbacks", "loggers"):
        rest, from_callback = t.callback_block(keywords.get(key))
        if rest != keywords.get(key):
            keywords[key] = rest if rest else None
        if from_callback:
            block = {**from_callback, **(block or {})}  # config['wandb'] wins, as in Ray's WandbLoggerCallback
    from_setup = t.setup_wandb_settings(run_or_experiment)  # literal setup_wandb(project=...) in the trainable
    if from_setup:
        block = {**from_setup, **(block or {})}
    if block is not None and sorted(block) != own:
        block = {**block, t.CONFIG_KEYS: own}
    top = {k: block[k] for k in t.WANDB_SWEEP_KEYS if block and k in block}  # the trainable still sees them
    kept = t.keep_parameters(parameters) if parameters else None
    stop_data = t.stop_spec(stop, program, name)
    command = t.TrialCommand(program, name, stop=stop_data, wandb=block, parameters=kept, resources=resources)
    return program, command, config, top


def _metric(sources: list[tuple[str, Any, Any]]) -> tuple[Any, Any]:
    """The one metric and mode given by run(), the search algorithm and the scheduler. Ray's multi-objective
    form (OptunaSearch(metric=[...], mode=[...])) gives tuples, one mode per metric."""
    sources = [(where, _tuple(m), _tuple(o)) for where, m, o in sources]
    metrics = {(where, m) for where, m, _ in sources if m is not None}
    modes = {(where, m) for where, _, m in sources if m is not None}
    for name, given in (("metric", metrics), ("mode", modes)):
        if len({v for _, v in given}) > 1:
            listed = ", ".join(f"{where}: {v!r}" for where, v in sorted(given))
            raise SpecError(f"conflicting {name}s ({listed}); Ray Tune requires them to agree.")
    metric = next(iter(metrics))[1] if metrics else None
    mode = next(iter(modes))[1] if modes else None
    if isinstance(metric, tuple) or isinstance(mode, tuple):
        return _objectives(metric, mode)
    if mode is not None and mode not in GOAL_OF_MODE:
        raise SpecError(f"mode must be 'min' or 'max', got {mode!r}.")
    if metric is not None and mode is None:
        raise SpecError(f"metric {metric!r} needs a mode ('min' or 'max').")
    if mode is not None and metric is None:
        raise SpecError(f"mode {mode!r} was given without a metric.")
    return metric, mode


def _tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _objectives(metric: Any, mode: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Ray's multi-objective metric and mode lists, checked as Ray's OptunaSearch needs them."""
    if not isinstance(metric, tuple) or not isinstance(mode, tuple) or len(metric) != len(mode):
        raise SpecError(
            f"a multi-objective search needs a list of metrics and a list of modes of the same length (one mode per "
            f"metric), got metric={metric!r}, mode={mode!r}.",
            path="search_alg",
        )
    if len(metric) < 2:
        raise SpecError(f"metric={list(metric)!r} lists one metric; pass it as a string.", path="search_alg")
    bad = [m for m in mode if m not in GOAL_OF_MODE]
    if bad or not all(isinstance(m, str) and m for m in metric):
        raise SpecError(f"each mode must be 'min' or 'max' and each metric a name, got {metric!r} / {mode!r}.")
    if len(set(metric)) != len(metric):
        raise SpecError(f"metric={list(metric)!r} names a metric twice.", path="search_alg")
    return metric, mode


def _num_samples(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not (value >= 1 or value == -1):
        raise SpecError(f"num_samples must be an int >= 1 (or -1: until stopped), got {value!r}.", path="num_samples")
    return value


def _warn_keywords(keywords: dict[str, Any]) -> None:
    unknown = sorted(set(keywords) - set(KEYWORDS))
    if unknown:
        raise SpecError(f"tune.run() got unexpected keyword arguments: {', '.join(unknown)}.")
    for name in changed(keywords, {k: default for k, (_, default) in KEYWORDS.items()}):
        row = KEYWORDS[name][0]
        compat.warn(row, path="tune.run", subject=f"{name}=...", stacklevel=5)


def build_plan(
    program: str,
    trial: t.TrialCommand | None,
    config: Any,
    top: dict[str, Any],
    *,
    name: str | None,
    metric: str | None,
    mode: str | None,
    num_samples: int,
    search_alg: Any,
    scheduler: Any,
    allow_approximate: bool,
    storage: Any = None,
) -> Plan:
    """The Plan of one tune.run call: mirrored searcher (ConcurrencyLimiter unwrapped) and scheduler, and the
    one metric and mode that run(), the searcher and the scheduler give."""
    searcher, limiter_warnings = registry.mirror_searcher(search_alg).unwrap(registry.mirror_searcher)
    sched = registry.mirror_scheduler(scheduler)
    metric, mode = _metric([("tune.run", metric, mode), (type(searcher).__name__, searcher.metric, searcher.mode),
                            (type(sched).__name__, sched.metric, sched.mode)])  # fmt: skip
    return Plan(program, name, searcher, sched, metric, mode, num_samples, config, allow_approximate, trial, top,
                limiter_warnings, storage)  # fmt: skip


def translate(
    run_or_experiment: Any,
    *,
    name: str | None = None,
    metric: str | None = None,
    mode: str | None = None,
    stop: Any = None,
    config: Any = None,
    num_samples: int = 1,
    search_alg: Any = None,
    scheduler: Any = None,
    allow_approximate: bool = False,
    engine: str = "wandb",
    **keywords: Any,
) -> SweepConfig:
    """See sweepbridge.tune.run."""
    if session.in_trial():  # the trial runtime imports the user's script: do not translate again
        return None  # type: ignore[return-value]
    with compat.collecting() as said:
        try:
            program, trial, config, top = _trial(run_or_experiment, stop, config, keywords)
            scheduler = registry.mirror_scheduler(scheduler)
            storage = keywords.pop("storage_path", None) if getattr(scheduler, "uses_storage", False) else None
            _warn_keywords(keywords)
            num_samples = _num_samples(num_samples)
            emit = EMITTERS.get(engine)
            if emit is None:
                raise SpecError(f"engine must be one of {', '.join(EMITTERS)}, got {engine!r}.", path="engine")
            plan = build_plan(program, trial, config, top, name=name, metric=metric, mode=mode,
                              num_samples=num_samples, search_alg=search_alg, scheduler=scheduler,
                              allow_approximate=allow_approximate, storage=storage)  # fmt: skip
            cfg, notes = emit(plan)
        except SweepBridgeError as exc:
            raise exc from None  # the caller's traceback, not our internals
        for key, detail, where in notes:  # only once the translation succeeded
            compat.warn(key, detail, path=where, stacklevel=4)
    cfg.warnings = tuple(said)
    return cfg
