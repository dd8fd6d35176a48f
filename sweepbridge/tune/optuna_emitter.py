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
    own = sched.emit(plan)  # a scheduler that is a whole study of its own (PBT)
    if own is not None:
        return own
    name = type(searcher).__name__
    sampler, sampler_warnings = searcher.sampler()
    pruner, pruner_warnings = sched.pruner()
    define_by_run = searcher.define_by_run()
    space = s.build(plan) if define_by_run is None else _no_space(plan)
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
    told = searcher.told(space)
    settings += (("search_alg", name),)  # reverse: which home's sampler this is
    if told:
        settings += (("points_to_evaluate", [p for p, _ in told]), ("evaluated_rewards", [v for _, v in told]))
    if define_by_run is not None:
        settings += (("define_by_run", define_by_run.name),)
    objectives = len(plan.metric) if isinstance(plan.metric, tuple) else 1
    if objectives > 1 and not searcher.multi_objective:
        raise SpecError(
            f"{name} optimizes one metric (Ray's takes no metric list); metric=[...] / mode=[...] are OptunaSearch's "
            "multi-objective form: use OptunaSearch, or one metric.",
            path="metric",
        )
    if objectives > 1 and pruner.name != "NopPruner":
        raise compat.refuse("optuna.multi_objective.pruner", f"Got {type(sched).__name__}.", path="scheduler")
    study = StudySpec(sampler, pruner, f"tune.run(search_alg={name}, scheduler={type(sched).__name__})", settings,
                      runs_first, objectives, told, define_by_run)  # fmt: skip
    if plan.metric is None:
        raise compat.refuse("optuna.metric", path="metric")
    first = plan.metric[0] if objectives > 1 else plan.metric
    command = {"command": dataclasses.replace(plan.trial, metric=first).command()} if plan.trial else {}
    objective: dict[str, Any] = (
        {"metrics": [(m, GOAL_OF_MODE[o]) for m, o in zip(plan.metric, plan.mode, strict=True)]}  # type: ignore[arg-type]
        if objectives > 1
        else {"metric": plan.metric, "goal": GOAL_OF_MODE[plan.mode]}  # type: ignore[index]
    )
    cfg = sweep_from_ir(space, engine="optuna", study=study, program=plan.program, name=plan.name, run_cap=run_cap,
                        **objective, **plan.top, **command)  # fmt: skip
    notes = [
        (key, detail, "search_alg" if "search" in key else "scheduler")
        for key, detail in plan.limiter_warnings + sampler_warnings + pruner_warnings
    ]
    return cfg, notes


def _no_space(plan: Plan) -> Any:
    """The IR of a define-by-run search (the function is the space): empty; a config beside it is refused."""
    from .. import distributions as d

    if plan.config not in (None, {}):
        raise SpecError(
            f"{type(plan.searcher).__name__} holds a define-by-run space function, and a config was given too; give "
            "the space once (Ray keeps the searcher's own).",
            path="config",
        )
    return d.Mapping(())
