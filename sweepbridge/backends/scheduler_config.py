"""IR + study settings → a `method: custom` sweep for W&B's client-side scheduler (Optuna engine).

The sweep config names the generated source (`optuna_source`) in its `scheduler` block; it carries
no `parameters` (the space lives in the source). `SweepConfig.save("sweep.yaml")` writes the source
beside the YAML as `sweep_scheduler.py` and points `scheduler.source` at that bare file name, so
`wandb sweep-scheduler` must run in the directory holding both files.
"""

from __future__ import annotations

from typing import Any

from .. import compat
from .. import distributions as d
from ..errors import SpecError
from ..sweep_config import SweepConfig
from . import optuna_points, optuna_source
from .optuna_source import PrunerSpec, SamplerSpec, StudySpec

ENGINE = "optuna"
SOURCE_NAME = "sweep_scheduler.py"
"""Default `scheduler.source` until `save` names it after the YAML file (`<stem>_scheduler.py`)."""
SEARCH_SPACE = "search_space"
OPTIMIZER = "optimizer"
METHODS = ("random", "bayes")
"""to_sweep's method under engine optuna: random → RandomSampler; bayes → TPE with hyperopt's settings."""


def hyperopt_tpe(n_initial_points: int = 20, gamma: float = 0.25, seed: int | None = None) -> SamplerSpec:
    """optuna's TPESampler with hyperopt's tpe.suggest settings (TPESampler.hyperopt_parameters).

    prior_weight 1, magic clip, no endpoints and 24 EI candidates are optuna's defaults; the startup
    trials and hyperopt's gamma rule are passed (optuna ≥ 4.9 deprecates `gamma`: the generated file
    silences exactly that FutureWarning around the call, optuna_source.GAMMA_WARNING).
    """
    kwargs = (("n_startup_trials", n_initial_points), ("seed", seed))
    return SamplerSpec("TPESampler", kwargs, hyperopt_gamma=gamma)


def random_sampler(seed: int | None = None) -> SamplerSpec:
    return SamplerSpec("RandomSampler", (("seed", seed),))


def method_study(method: str, seed: int | None, origin: str) -> StudySpec:
    """The study for to_sweep's `method` under engine optuna (warned where not exact)."""
    if method not in METHODS:
        raise SpecError(f"under engine optuna, method must be one of {', '.join(METHODS)}, got {method!r}.")
    if method == "random":
        return StudySpec(random_sampler(seed), origin=origin, settings=(("method", method), ("seed", seed)))
    compat.warn("optuna.search.hyperopt", path="method", subject="method='bayes' (hyperopt's tpe.suggest)")
    return StudySpec(hyperopt_tpe(seed=seed), origin=origin, settings=(("method", method), ("seed", seed)))


def custom_sweep(
    node: d.Node,
    study: StudySpec,
    *,
    metric: dict[str, Any] | None,
    program: str | None = None,
    name: str | None = None,
    run_cap: int | None = None,
    **more: Any,
) -> SweepConfig:
    """The `method: custom` SweepConfig with its generated source attached (`scheduler_source`)."""
    if metric is None:
        raise compat.refuse("optuna.metric", path="metric")
    fields = d.root_fields(node)
    points = study.points and optuna_points.enqueued(fields, study.points, "search_alg.points_to_evaluate")
    text = optuna_source.source(fields, study, points or [])
    cfg: dict[str, Any] = {
        "program": program,
        "name": name,
        "method": "custom",
        "metric": metric,
        "run_cap": run_cap,
        "scheduler": {
            "engine": ENGINE,
            "source": SOURCE_NAME,
            "optimizer": OPTIMIZER,
            "search_space": SEARCH_SPACE,
        },
        **more,
    }
    sweep = SweepConfig({k: v for k, v in cfg.items() if v is not None})
    sweep.scheduler_source = text
    return sweep


__all__ = ["PrunerSpec", "SamplerSpec", "StudySpec", "custom_sweep", "hyperopt_tpe", "method_study", "random_sampler"]
