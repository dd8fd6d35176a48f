"""The public entry point `to_sweep` (and `sweep_from_ir`, which lives in `assembly`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from . import compat
from .assembly import ENGINES, OTHER_TOP_LEVEL_KEYS, sweep_from_ir
from .errors import SpecError
from .frontends.structure import parse_space
from .sweep_config import SweepConfig

__all__ = ["ENGINES", "OTHER_TOP_LEVEL_KEYS", "sweep_from_ir", "to_sweep"]


def to_sweep(
    space: Any,
    *,
    method: str = "random",
    metric: str | Mapping[str, Any] | None = None,
    goal: str = "minimize",
    program: str | None = None,
    name: str | None = None,
    run_cap: int | None = None,
    engine: str | None = None,
    **more_top_level_keys: Any,
) -> SweepConfig:
    """Translate a search space (hyperopt, Ray Tune or sweepbridge expressions) into a W&B sweep.

    Exact or refused: raises UnsupportedFeatureError for what W&B cannot express exactly and
    SpecError for malformed input, each naming the parameter path. engine="optuna" targets W&B's
    client-side scheduler instead (`method: custom` + a generated source, see `SweepConfig.save`):
    conditional spaces and every operator sample exactly there; method random (seed=...) or bayes
    (hyperopt's TPE); a metric is required. A 2020 W&B beta `tune:` document (a mapping, or a path
    to its file) converts as the `tune.run(...)` call it describes. `engine` None: the `--engine` of the
    sweepbridge command running the script, else "wandb"; "auto" picks one and says why. An `--engine`
    given on the command line wins over the one passed here (said in one line).
    """
    from . import engine_choice

    keywords = dict(method=method, metric=metric, goal=goal, program=program, name=name, run_cap=run_cap,
                    **more_top_level_keys)  # fmt: skip
    chosen = engine_choice.resolve(engine_choice.for_call(engine, "to_sweep"))
    if chosen == "auto":
        return engine_choice.build(lambda e: _to_sweep(space, engine=e, **keywords), chosen)
    return _to_sweep(space, engine=chosen, **keywords)


def _to_sweep(
    space: Any,
    *,
    method: str,
    metric: str | Mapping[str, Any] | None,
    goal: str,
    program: str | None,
    name: str | None,
    run_cap: int | None,
    engine: str,
    **more_top_level_keys: Any,
) -> SweepConfig:
    from . import tune_beta

    if isinstance(space, (str, os.PathLike)) or tune_beta.is_beta(space):
        given = {"method": method != "random", "metric": metric, "goal": goal != "minimize", "program": program,
                 "name": name, "run_cap": run_cap, **more_top_level_keys}  # fmt: skip
        if any(v not in (None, False) for v in given.values()):
            raise SpecError("a 2020 beta tune: document sets method, metric, program, ... itself; pass it alone.")
        if engine not in ENGINES:
            raise SpecError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}.", path="engine")
        return tune_beta.convert_document(space, engine=engine)
    with compat.collecting() as said:
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
    sweep.source_space = space  # what `sweepbridge check` samples
    sweep.warnings = tuple(said)
    return sweep
