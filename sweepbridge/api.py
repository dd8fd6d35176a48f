"""The public entry points: `to_sweep` and `sweep_from_ir`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from . import distributions as d
from .backends.wandb import sweep_parameters
from .errors import SpecError
from .frontends.structure import parse_space
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
    **more: Any,
) -> SweepConfig:
    """Build and validate a SweepConfig from an IR space.

    engine "wandb" (default): W&B's own engine samples `parameters`. engine "optuna": a `method: custom`
    sweep for W&B's client-side scheduler with a generated source (`study`: its StudySpec, else
    built from `method`: random → RandomSampler, bayes → TPE with hyperopt's settings).
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
    if engine == "optuna":
        from .backends.scheduler_config import custom_sweep, method_study

        if early_terminate is not None:
            raise SpecError("early_terminate is W&B's engine's; under engine optuna the study's pruner stops runs.")
        seed = more.pop("seed", None)
        study = study if study is not None else method_study(method, seed, "a search space")
        sweep = custom_sweep(
            node, study, metric=_metric(metric, goal), program=program, name=name, run_cap=run_cap, **more
        )
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


def to_sweep(
    space: Any,
    *,
    method: str = "random",
    metric: str | Mapping[str, Any] | None = None,
    goal: str = "minimize",
    program: str | None = None,
    name: str | None = None,
    run_cap: int | None = None,
    engine: str = "wandb",
    **more_top_level_keys: Any,
) -> SweepConfig:
    """Translate a search space (hyperopt, Ray Tune or sweepbridge expressions) into a W&B sweep.

    Exact or refused: raises UnsupportedFeatureError for what W&B cannot express exactly and
    SpecError for malformed input, each naming the parameter path. engine="optuna" targets W&B's
    client-side scheduler instead (`method: custom` + a generated source, see `SweepConfig.save`):
    conditional spaces and every operator sample exactly there; method random (seed=...) or bayes
    (hyperopt's TPE); a metric is required. A 2020 W&B beta `tune:` document (a mapping, or a path
    to its file) converts as the `tune.run(...)` call it describes.
    """
    from . import tune_beta

    if isinstance(space, (str, os.PathLike)) or tune_beta.is_beta(space):
        given = {"method": method != "random", "metric": metric, "goal": goal != "minimize", "program": program,
                 "name": name, "run_cap": run_cap, **more_top_level_keys}  # fmt: skip
        if any(v not in (None, False) for v in given.values()):
            raise SpecError("a 2020 beta tune: document sets method, metric, program, ... itself; pass it alone.")
        return tune_beta.convert_document(space)
    sweep = sweep_from_ir(
        parse_space(space),
        engine=engine,
        method=method,
        metric=metric,
        goal=goal,
        program=program,
        name=name,
        run_cap=run_cap,
        **more_top_level_keys,
    )
    sweep.source_space = space  # type: ignore[attr-defined]  # what `sweepbridge check` samples
    return sweep
