"""A tune.run `Plan` → a `method: custom` sweep for W&B's client-side scheduler (an Optuna study): the searcher's
sampler, the scheduler's pruner, the space sampled exactly by the generated source."""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import compat
from ..assembly import sweep_from_ir
from ..backends.optuna_source import StudySpec
from ..errors import SpecError
from ..objective import GOAL_OF_MODE
from ..sweep_config import SweepConfig
from . import space as s
from .plan import Plan
from .wandb_emitter import Notes


def emit(plan: Plan) -> tuple[SweepConfig, Notes]:
    searcher, sched = plan.searcher, plan.scheduler
    name = type(searcher).__name__
    sampler, sampler_warnings = searcher.sampler()
    pruner, pruner_warnings = sched.pruner()
    space = s.build(plan)
    grid, _ = s.kinds(space)
    num_samples = plan.num_samples
    run_cap = num_samples if num_samples > 0 else None
    if grid is not None:
        if sampler.name != "RandomSampler":
            raise SpecError(f"{name} does not take grid_search axes (Ray refuses them too).", path=grid)
        run_cap = s.grid_points(space) * num_samples if num_samples > 0 else None
    points = searcher.points()
    runs_first = searcher.runs_first(space, points)
    sampler = searcher.space_sampler(sampler, space)
    settings: tuple[tuple[str, Any], ...] = (("num_samples", num_samples), ("max_t", getattr(sched, "max_t", None)))
    settings += (("points_to_evaluate", list(points)),) if points else ()
    study = StudySpec(sampler, pruner, f"tune.run(search_alg={name}, scheduler={type(sched).__name__})", settings,
                      runs_first)  # fmt: skip
    if plan.metric is None:
        raise compat.refuse("optuna.metric", path="metric")
    command = {"command": dataclasses.replace(plan.trial, metric=plan.metric).command()} if plan.trial else {}
    cfg = sweep_from_ir(space, engine="optuna", study=study, metric=plan.metric, goal=GOAL_OF_MODE[plan.mode],  # type: ignore[index]
                        program=plan.program, name=plan.name, run_cap=run_cap, **plan.top, **command)  # fmt: skip
    notes = [
        (key, detail, "search_alg" if "search" in key else "scheduler")
        for key, detail in plan.limiter_warnings + sampler_warnings + pruner_warnings
    ]
    return cfg, notes
