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
from ..sweep_config import SweepConfig
from . import optuna_points, optuna_source, zoopt_source
from .optuna_source import PrunerSpec, SamplerSpec, StudySpec

ENGINE = "optuna"
SOURCE_NAME = "sweep_scheduler.py"
"""Default `scheduler.source` until `save` names it after the YAML file (`<stem>_scheduler.py`)."""
SEARCH_SPACE = "search_space"
OPTIMIZER = "optimizer"
LIBRARY_SOURCES = {zoopt_source.SAMPLER: zoopt_source.source}
"""Sampler name → the writer of a file whose sampler drives a search library's own optimizer (it writes the whole
file: the library's dimensions, the sampler class, the study); other samplers are optuna's (`optuna_source`)."""


def custom_sweep(
    node: d.Node,
    study: StudySpec,
    *,
    metric: dict[str, Any] | None,
    metrics: list[dict[str, Any]] | None = None,
    program: str | None = None,
    name: str | None = None,
    run_cap: int | None = None,
    **more: Any,
) -> SweepConfig:
    """The `method: custom` SweepConfig with its generated source attached (`scheduler_source`); `metrics` (two
    or more, W&B's multi-objective form) replaces `metric`."""
    if metric is None and not metrics:
        raise compat.refuse("optuna.metric", path="metric")
    fields = d.root_fields(node) if study.define_by_run is None else ()
    library = LIBRARY_SOURCES.get(study.sampler.name)
    if library is not None:  # a search library's own optimizer behind the sampler writes the whole file
        text = library(fields, study)
    else:
        if study.define_by_run is not None:  # the user's function names the draws: points are its params as given
            points, told = list(study.points), [(dict(p), v) for p, v in study.told]
        else:
            where = "search_alg.points_to_evaluate"
            points = study.points and optuna_points.enqueued(fields, study.points, where)
            told_params = optuna_points.enqueued(fields, [p for p, _ in study.told], where) if study.told else []
            told = [(params, value) for params, (_, value) in zip(told_params, study.told, strict=True)]
        text = optuna_source.source(fields, study, points or [], told)
    cfg: dict[str, Any] = {
        "program": program,
        "name": name,
        "method": "custom",
        "metric": None if metrics else metric,
        "metrics": metrics or None,
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


__all__ = ["PrunerSpec", "SamplerSpec", "StudySpec", "custom_sweep"]
