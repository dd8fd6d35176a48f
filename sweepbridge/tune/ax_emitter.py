"""A tune.run `Plan` → a `method: custom` sweep for W&B's sweep scheduler with its `ax` engine: the `ax.Client` the
searcher's home configures (`client()`: only AxSearch has one), no pruner (Ray's schedulers other than FIFO are
refused: the client sets no early-stopping strategy, so W&B's AxOptimizer stops no run)."""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import compat
from ..backends.ax_source import ax_sweep
from ..errors import SpecError
from ..sweep_config import SweepConfig
from ..validation import validate_plain
from . import space as s
from .plan import Plan
from .schedulers.fifo import FIFOScheduler
from .wandb_emitter import Notes


def emit(plan: Plan) -> tuple[SweepConfig, Notes]:
    searcher, sched = plan.searcher, plan.scheduler
    client = getattr(searcher, "client", None)
    if client is None:
        raise compat.refuse("ax.engine.searcher", f"Got {type(searcher).__name__}.", path="search_alg")
    if not isinstance(sched, FIFOScheduler):
        raise compat.refuse("ax.scheduler", f"Got {type(sched).__name__}.", path="scheduler")
    held_list = plan.config in (None, {}) and isinstance(searcher.space, (list, tuple))
    space = None if held_list else s.build(plan)
    spec, warnings = client(space, plan.metric, plan.mode)
    num_samples = plan.num_samples
    name = type(searcher).__name__
    settings: tuple[tuple[str, Any], ...] = (("num_samples", num_samples),)
    spec = dataclasses.replace(spec, origin=f"tune.run(search_alg={name})", settings=settings)
    command = {}
    if plan.trial:
        command = {"command": dataclasses.replace(plan.trial, metric=spec.objectives[0][0]).command()}
    cfg = ax_sweep(spec, program=plan.program, name=plan.name, run_cap=num_samples if num_samples > 0 else None,
                   **plan.top, **command)  # fmt: skip
    problems = validate_plain(cfg)
    if problems:
        raise SpecError("the sweep config would be invalid:\n  " + "\n  ".join(problems))
    notes = [(key, detail, "search_alg") for key, detail in plan.limiter_warnings + warnings]
    return cfg, notes
