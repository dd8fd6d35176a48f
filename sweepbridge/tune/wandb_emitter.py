"""A tune.run `Plan` → a sweep for W&B's own engine (method grid / random / bayes, early_terminate)."""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import compat
from .. import distributions as d
from ..assembly import sweep_from_ir
from ..backends import wandb as wandb_backend
from ..errors import SpecError
from ..objective import GOAL_OF_MODE
from ..sweep_config import SweepConfig
from . import space as s
from .command import PROGRAM_COMMAND
from .plan import Plan

Notes = list[tuple[str, str, str]]
"""(compat row key, detail, path) to warn once the translation succeeded."""


def emit(plan: Plan) -> tuple[SweepConfig, Notes]:
    """The W&B-native sweep: the searcher's method, the scheduler's early_terminate, the space's parameters."""
    if isinstance(plan.metric, tuple):
        raise compat.refuse("tune.search.multi_objective", f"Got metric={list(plan.metric)!r}.", path="search_alg")
    search, sched = plan.searcher.plan(), plan.scheduler.plan()
    if sched.early_terminate is not None and plan.metric is None:
        raise SpecError(f"{sched.source} needs a metric: pass metric= and mode= to it or to tune.run.")
    space = s.build(plan)
    method = search.method
    if method == "variant":
        grid, sampled = s.kinds(space)
        if grid is not None and sampled is not None:
            raise compat.refuse("tune.grid.mixed", f"{grid} is a grid axis and {sampled} is sampled.", path=grid)
        method = "grid" if grid is not None else "random"
    run_cap = None
    command: dict[str, Any] = {}
    if method == "grid":
        if plan.num_samples == -1:
            raise SpecError("num_samples=-1 repeats a grid until stopped; W&B's grid runs each point once.")
        if plan.num_samples > 1:
            space = s.with_repeat(space, plan.num_samples)
            if plan.trial is None:  # a program under ${args}: the repetition flag must not reach its parser
                command["command"] = list(PROGRAM_COMMAND)
    elif plan.num_samples > 0:
        run_cap = plan.num_samples
    if plan.trial is not None:
        command["command"] = dataclasses.replace(plan.trial, metric=plan.metric).command()
    cfg = sweep_from_ir(
        space,
        method=method,
        metric=plan.metric,
        goal=GOAL_OF_MODE[plan.mode] if plan.mode else "minimize",
        program=plan.program,
        name=plan.name,
        run_cap=run_cap,
        early_terminate=sched.early_terminate,
        **plan.top,
        **command,
    )
    cfg.source_space = plan.source_space
    cfg.approximations = {  # the opt-in stand-ins W&B's engine samples
        path: wandb_backend.log_integer_approximation(node)
        for path, node in d.walk(space)
        if isinstance(node, d.LogInteger) and node.approximate and wandb_backend.log_integer_refusal(node, method)
    }
    notes = [
        (key, detail, search.source if key.startswith("tune.search") else sched.source)
        for key, detail in search.warnings + plan.limiter_warnings + sched.warnings
    ]
    return cfg, notes
