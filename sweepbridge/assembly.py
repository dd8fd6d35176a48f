"""IR space + sweep settings → a validated SweepConfig, for each engine (the translators' last step)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import distributions as d
from .backends.wandb import sweep_parameters
from .errors import SpecError
from .objective import GOALS
from .sweep_config import KEY_ORDER, SweepConfig
from .validation import validate_plain

OTHER_TOP_LEVEL_KEYS = (
    "description",
    "project",
    "entity",
    "command",
    "controller",
    "job",
    "image_uri",
    "apiVersion",
    "kind",
)
"""Further top-level keys W&B accepts (its schema allows no others)."""
METHODS = ("random", "bayes")
"""to_sweep's method under engine optuna: random → RandomSampler; bayes → TPE with hyperopt's settings."""
ENGINES = ("wandb", "optuna")
"""W&B's own engine (server-side), or W&B's client-side scheduler with an Optuna study."""


def _metric(metric: str | Mapping[str, Any] | None, goal: str) -> dict[str, Any] | None:
    if metric is None:
        return None
    if isinstance(metric, str):
        if goal not in GOALS:
            raise SpecError(f"goal must be 'minimize' or 'maximize', got {goal!r}.")
        return {"name": metric, "goal": goal}
    if isinstance(metric, Mapping):
        return dict(metric)
    raise SpecError(f"metric must be a name or a W&B metric mapping, got {metric!r}.")


def _metrics(metrics: Any) -> list[dict[str, Any]] | None:
    """W&B's `metrics` list (multi-objective): each a name with its goal, or a W&B metric mapping."""
    if metrics is None:
        return None
    if isinstance(metrics, (str, Mapping)) or not isinstance(metrics, (list, tuple)) or len(metrics) < 2:
        raise SpecError(f"metrics must list two or more metrics (multi-objective), got {metrics!r}.", path="metrics")
    out = []
    for item in metrics:
        if isinstance(item, (tuple, list)) and len(item) == 2:
            item = _metric(item[0], item[1])
        out.append(_metric(item, "minimize"))
    return out


def method_study(method: str, seed: int | None, origin: str) -> Any:
    """The study for to_sweep's `method` under engine optuna (warned where not exact): random is Ray's default
    searcher's RandomSampler, bayes HyperOptSearch's TPE with hyperopt's settings (each from its home)."""
    from . import compat
    from .backends.optuna_source import StudySpec
    from .tune.search.basic_variant import random_sampler
    from .tune.search.hyperopt import tpe_sampler

    if method not in METHODS:
        raise SpecError(f"under engine optuna, method must be one of {', '.join(METHODS)}, got {method!r}.")
    if method == "random":
        return StudySpec(random_sampler(seed), origin=origin, settings=(("method", method), ("seed", seed)))
    compat.warn("optuna.search.hyperopt", path="method", subject="method='bayes' (hyperopt's tpe.suggest)")
    return StudySpec(tpe_sampler(seed=seed), origin=origin, settings=(("method", method), ("seed", seed)))


def sweep_from_ir(
    node: d.Node,
    *,
    method: str = "random",
    metric: str | Mapping[str, Any] | None = None,
    goal: str = "minimize",
    program: str | None = None,
    name: str | None = None,
    run_cap: int | None = None,
    early_terminate: Mapping[str, Any] | None = None,
    engine: str = "wandb",
    study: Any = None,
    metrics: Any = None,
    **more: Any,
) -> SweepConfig:
    """Build and validate a SweepConfig from an IR space.

    engine "wandb" (default): W&B's own engine samples `parameters`. engine "optuna": a `method: custom`
    sweep for W&B's client-side scheduler with a generated source (`study`: its StudySpec, else
    built from `method`: random → RandomSampler, bayes → TPE with hyperopt's settings). `metrics` (engine optuna):
    two or more (name, goal) pairs or W&B metric mappings, optimized together instead of `metric`.
    """
    if engine not in ENGINES:
        raise SpecError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}.")
    unknown = sorted(set(more) - set(OTHER_TOP_LEVEL_KEYS) - ({"seed"} if engine == "optuna" else set()))
    if unknown:
        allowed = ", ".join(KEY_ORDER + OTHER_TOP_LEVEL_KEYS)
        raise SpecError(f"W&B sweep configs have no top-level key {', '.join(unknown)}; allowed: {allowed}.")
    if early_terminate is not None and not isinstance(early_terminate, Mapping):
        raise SpecError(
            f"must be a mapping such as {{'type': 'hyperband', 'min_iter': 3}}, got {early_terminate!r}.",
            path="early_terminate",
        )
    if metrics is not None and engine == "wandb":  # client-side scheduler engines take them (method: custom)
        raise SpecError(
            "W&B's own engine optimizes one metric; a multi-objective sweep (metrics=[...]) runs on W&B's client-side "
            "scheduler: pass engine='optuna' (method: custom, `sweepbridge convert --engine optuna`).",
            path="metrics",
        )
    if metrics is not None and metric is not None:
        raise SpecError("give metric= (one objective) or metrics= (several), not both.", path="metrics")
    if engine == "optuna":
        from .backends.scheduler_config import custom_sweep

        if early_terminate is not None:
            raise SpecError("early_terminate is W&B's engine's; under engine optuna the study's pruner stops runs.")
        if (more.get("controller") or {}).get("type") == "local":
            raise SpecError(
                "controller: local cannot be used together with scheduler (W&B); `wandb sweep-scheduler` is the "
                "local controller of a method: custom sweep: drop controller.",
                path="controller",
            )
        seed = more.pop("seed", None)
        study = study if study is not None else method_study(method, seed, "a search space")
        objectives = _metrics(metrics)
        if objectives and study.objectives != len(objectives):  # the study optimizes every metric given
            import dataclasses

            study = dataclasses.replace(study, objectives=len(objectives))
        sweep = custom_sweep(node, study, metric=_metric(metric, goal), metrics=objectives, program=program,
                             name=name, run_cap=run_cap, **more)  # fmt: skip
    else:
        cfg: dict[str, Any] = {
            "program": program,
            "name": name,
            "method": method,
            "metric": _metric(metric, goal),
            "run_cap": run_cap,
            "early_terminate": dict(early_terminate) if early_terminate is not None else None,
            "parameters": sweep_parameters(node, method),
            **more,
        }
        sweep = SweepConfig({k: v for k, v in cfg.items() if v is not None})
    problems = validate_plain(sweep)  # SweepConfig made it plain
    if problems:
        raise SpecError("the sweep config would be invalid:\n  " + "\n  ".join(problems))
    return sweep
