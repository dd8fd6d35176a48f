"""tune.run's translation: program, space, search algorithm, scheduler, keywords → SweepConfig.

Grid/random semantics (Ray's BasicVariantGenerator):
- a pure grid (every non-constant parameter a grid axis) → method grid with `values` axes;
  num_samples > 1 adds the axis `REPEAT_AXIS` = [0, ..., num_samples-1], so every grid point runs
  exactly num_samples times (a trainable never sees it; a program finds it in wandb.config, and its
  command starts it through sweepbridge.runtime.program, so `${args}` never passes it as a flag);
- no grid axis → method random, run_cap = num_samples (none for num_samples=-1);
- grid axes mixed with sampled domains → refused (compat row tune.grid.mixed).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from .. import compat
from .. import distributions as d
from ..api import sweep_from_ir
from ..backends import wandb as wandb_backend
from ..errors import SpecError, SweepBridgeError
from ..frontends.structure import SpaceBuilder
from ..objective import GOAL_OF_MODE
from ..sweep_config import SweepConfig
from . import command as t
from . import configspace, ray_objects, session
from . import schedulers as s
from .plan import Plan, changed
from .search import algorithms as a

REPEAT_AXIS = "_tune_repeat"
"""Grid axis added for num_samples > 1 on a grid: the repetition index, seen by the program."""

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


class TuneSpaceBuilder(SpaceBuilder):
    """SpaceBuilder carrying tune.run's allow_approximate to the Ray adapter and the mirror's log-integers."""

    def __init__(self, allow_approximate: bool = False) -> None:
        super().__init__()
        self.allow_approximate = allow_approximate

    def _node(self, obj: Any, path: str) -> d.Node:
        node = super()._node(obj, path)
        if self.allow_approximate and isinstance(node, d.LogInteger) and not node.approximate:
            return dataclasses.replace(node, approximate=True)
        return node


def _mirror(value: Any, default: type, registry: dict[str, type], read: Any, base: type, what: str) -> Any:
    """The mirror of a searcher/scheduler given as None (Ray's default), a registry name, or an object."""
    if value is None:
        value = default()
    elif isinstance(value, str):
        cls = registry.get(value)
        if cls is None:
            raise SpecError(f"unknown {what} {value!r}; known: {', '.join(registry)}.", path=what)
        value = cls()
    value = read(value)
    if not isinstance(value, base):
        raise SpecError(f"{what} must be a {base.__name__}, got {type(value).__name__}.", path=what)
    return value


def mirror_searcher(search_alg: Any) -> a.Searcher:
    return _mirror(search_alg, a.BasicVariantGenerator, a.BY_NAME, ray_objects.searcher, a.Searcher, "search_alg")


def mirror_scheduler(scheduler: Any) -> s.TrialScheduler:
    return _mirror(scheduler, s.FIFOScheduler, s.BY_NAME, ray_objects.scheduler, s.TrialScheduler, "scheduler")


def searcher_plan(search_alg: Any) -> Plan:
    return mirror_searcher(search_alg).plan()


def scheduler_plan(scheduler: Any) -> Plan:
    return mirror_scheduler(scheduler).plan()


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
    command = t.TrialCommand(program, name, stop=t.stop_spec(stop, program, name), wandb=block, parameters=kept)
    return program, command, config, top


def _metric(sources: list[tuple[str, str | None, str | None]]) -> tuple[str | None, str | None]:
    """The one metric and mode given by run(), the search algorithm and the scheduler."""
    metrics = {(where, m) for where, m, _ in sources if m is not None}
    modes = {(where, m) for where, _, m in sources if m is not None}
    for name, given in (("metric", metrics), ("mode", modes)):
        if len({v for _, v in given}) > 1:
            listed = ", ".join(f"{where}: {v!r}" for where, v in sorted(given))
            raise SpecError(f"conflicting {name}s ({listed}); Ray Tune requires them to agree.")
    metric = next(iter(metrics))[1] if metrics else None
    mode = next(iter(modes))[1] if modes else None
    if mode is not None and mode not in GOAL_OF_MODE:
        raise SpecError(f"mode must be 'min' or 'max', got {mode!r}.")
    if metric is not None and mode is None:
        raise SpecError(f"metric {metric!r} needs a mode ('min' or 'max').")
    if mode is not None and metric is None:
        raise SpecError(f"mode {mode!r} was given without a metric.")
    return metric, mode


def _space(config: Any, plan: Plan, allow_approximate: bool) -> d.Node:
    has_config = config not in (None, {})
    if has_config and plan.space not in (None, {}):
        raise SpecError(f"the search space is given twice: to run()'s config and to {plan.source}; give it once.")
    space = config if has_config else plan.space
    if space is None:
        raise SpecError("no search space: pass config= (param_space=) or a search algorithm holding a space.")
    if not isinstance(space, Mapping) and not (isinstance(space, d.Node) and space.label):
        raise SpecError(f"config must be a dict of parameters, got {type(space).__name__}.", path="config")
    return TuneSpaceBuilder(allow_approximate).node(space)


def _kinds(node: d.Node) -> tuple[str | None, str | None]:
    """Paths of the first grid axis and the first sampled (non-grid, non-constant) node."""
    grid = sampled = None
    for path, child in d.walk(node):
        if isinstance(child, d.GridAxis):
            grid = grid if grid is not None else path
        elif not isinstance(child, (d.Constant, d.Mapping, d.Sequence)):
            sampled = sampled if sampled is not None else path
    return grid, sampled


def _with_repeat(node: d.Node, num_samples: int) -> d.Node:
    if num_samples > d.SUPPORT_LIMIT:
        raise SpecError(
            f"num_samples={num_samples:,} on a grid becomes a repetition axis of that many values; W&B's grid "
            f"lists every axis eagerly, so at most {d.SUPPORT_LIMIT:,} repetitions are emitted. Lower num_samples, "
            "or repeat the sweep.",
            path="num_samples",
        )
    fields = d.root_fields(node)
    if any(k == REPEAT_AXIS for k, _ in fields):
        raise SpecError(f"the parameter name {REPEAT_AXIS!r} is reserved for the grid's repetition axis.")
    return d.Mapping(fields + ((REPEAT_AXIS, d.GridAxis(tuple(range(num_samples)))),))


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
    try:
        program, trial, config, top = _trial(run_or_experiment, stop, config, keywords)
        _warn_keywords(keywords)
        num_samples = _num_samples(num_samples)
        if engine == "optuna":
            return _optuna_sweep(program, name, metric, mode, config, num_samples, search_alg, scheduler,
                                 allow_approximate, trial, top)  # fmt: skip
        if engine != "wandb":
            raise SpecError(f"engine must be 'wandb' or 'optuna', got {engine!r}.", path="engine")
        search, sched = searcher_plan(search_alg), scheduler_plan(scheduler)
        metric, mode = _metric([("tune.run", metric, mode), (search.source, search.metric, search.mode),
                                (sched.source, sched.metric, sched.mode)])  # fmt: skip
        if sched.early_terminate is not None and metric is None:
            raise SpecError(f"{sched.source} needs a metric: pass metric= and mode= to it or to tune.run.")
        space = _space(config, search, allow_approximate)
        method = search.method
        if method == "variant":
            grid, sampled = _kinds(space)
            if grid is not None and sampled is not None:
                raise compat.refuse("tune.grid.mixed", f"{grid} is a grid axis and {sampled} is sampled.", path=grid)
            method = "grid" if grid is not None else "random"
        run_cap = None
        if method == "grid":
            if num_samples == -1:
                raise SpecError("num_samples=-1 repeats a grid until stopped; W&B's grid runs each point once.")
            if num_samples > 1:
                space = _with_repeat(space, num_samples)
                if trial is None:  # a program under ${args}: the repetition flag must not reach its parser
                    top = {**top, "command": list(t.PROGRAM_COMMAND)}
        elif num_samples > 0:
            run_cap = num_samples
        cfg = sweep_from_ir(
            space,
            method=method,
            metric=metric,
            goal=GOAL_OF_MODE[mode] if mode else "minimize",
            program=program,
            name=name,
            run_cap=run_cap,
            early_terminate=sched.early_terminate,
            **top,
            **({"command": dataclasses.replace(trial, metric=metric).command()} if trial else {}),
        )
    except SweepBridgeError as exc:
        raise exc from None  # the caller's traceback, not our internals
    for key, detail in search.warnings + sched.warnings:  # only once the translation succeeded
        where = search.source if key.startswith("tune.search") else sched.source
        compat.warn(key, detail, path=where, stacklevel=4)
    cfg.source_space = config if config not in (None, {}) else search.space  # type: ignore[attr-defined]
    cfg.approximations = {  # type: ignore[attr-defined]  # the opt-in stand-ins W&B's engine samples
        path: wandb_backend.log_integer_approximation(node)
        for path, node in d.walk(space)
        if isinstance(node, d.LogInteger) and node.approximate and wandb_backend.log_integer_refusal(node, method)
    }
    return cfg


def _grid_points(node: d.Node) -> int:
    size = 1
    for _, child in d.walk(node):
        if isinstance(child, d.GridAxis):
            size *= len(child.values)
    return size


def _optuna_sweep(
    program: str,
    name: str | None,
    metric: str | None,
    mode: str | None,
    config: Any,
    num_samples: int,
    search_alg: Any,
    scheduler: Any,
    allow_approximate: bool,
    trial: Any = None,
    top: dict[str, Any] | None = None,
) -> SweepConfig:
    """tune.run(..., engine="optuna"): a `method: custom` sweep for W&B's scheduler (Optuna study).
    `trial` and `top` are the runtime's command and top-level keys (as in the native translation)."""
    from ..backends.optuna_source import StudySpec
    from . import optuna_study

    searcher, sched = mirror_searcher(search_alg), mirror_scheduler(scheduler)
    inner = getattr(searcher, "searcher", searcher)  # ConcurrencyLimiter holds the metric on the inner one
    inner = mirror_searcher(inner) if inner is not searcher else searcher
    sources = [("tune.run", metric, mode), (type(inner).__name__, getattr(inner, "metric", None),
               getattr(inner, "mode", None)), (type(sched).__name__, sched.metric, sched.mode)]  # fmt: skip
    metric, mode = _metric(sources)
    sampler, sampler_warnings = optuna_study.sampler(searcher)
    pruner, pruner_warnings = optuna_study.pruner(sched)
    space = _space(config, Plan(type(inner).__name__, space=getattr(inner, "space", None)), allow_approximate)
    grid, _ = _kinds(space)
    run_cap = num_samples if num_samples > 0 else None
    if grid is not None:
        if sampler.name != "RandomSampler":
            raise SpecError(f"{type(inner).__name__} does not take grid_search axes (Ray refuses them too).", path=grid)
        run_cap = _grid_points(space) * num_samples if num_samples > 0 else None
    if isinstance(inner, a.TuneBOHB):
        configspace.check_bohb_space(space)
    points = optuna_study.points(inner)
    runs_first = optuna_study.check_space(inner, space, points)
    settings = (("num_samples", num_samples), ("max_t", getattr(sched, "max_t", None)))
    settings += (("points_to_evaluate", list(points)),) if points else ()
    study = StudySpec(sampler, pruner, f"tune.run(search_alg={type(inner).__name__}, scheduler={type(sched).__name__})",
                      settings, runs_first)  # fmt: skip
    if metric is None:
        raise compat.refuse("optuna.metric", path="metric")
    command = {"command": dataclasses.replace(trial, metric=metric).command()} if trial else {}
    cfg = sweep_from_ir(space, engine="optuna", study=study, metric=metric, goal=GOAL_OF_MODE[mode],  # type: ignore[index]
                        program=program, name=name, run_cap=run_cap, **(top or {}), **command)  # fmt: skip
    for key, detail in sampler_warnings + pruner_warnings:
        compat.warn(key, detail, path="search_alg" if "search" in key else "scheduler", stacklevel=5)
    return cfg
