"""tune.run's search space: the IR of the space given (to run() or held by the searcher), and its grid.

Grid/random semantics (Ray's BasicVariantGenerator):
- a pure grid (every non-constant parameter a grid axis) → method grid with `values` axes;
  num_samples > 1 adds the axis `REPEAT_AXIS` = [0, ..., num_samples-1], so every grid point runs
  exactly num_samples times (the program sees the repetition index under that key);
- no grid axis → method random, run_cap = num_samples (none for num_samples=-1);
- grid axes mixed with sampled domains → refused (compat row tune.grid.mixed).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from .. import distributions as d
from ..errors import SpecError
from ..frontends.structure import SpaceBuilder
from ..trial_command import REPEAT_AXIS
from .plan import Plan


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


def build(plan: Plan) -> d.Node:
    """The IR of the plan's space: run()'s config, or the one its searcher holds (not both)."""
    config, held, source = plan.config, plan.searcher.space, type(plan.searcher).__name__
    has_config = config not in (None, {})
    if has_config and held not in (None, {}):
        raise SpecError(f"the search space is given twice: to run()'s config and to {source}; give it once.")
    space = config if has_config else held
    if space is None:
        raise SpecError("no search space: pass config= (param_space=) or a search algorithm holding a space.")
    if not isinstance(space, Mapping) and getattr(space, "label", None) is None:  # a dict or a labelled expression
        raise SpecError(f"config must be a dict of parameters, got {type(space).__name__}.", path="config")
    return TuneSpaceBuilder(plan.allow_approximate).node(space)


def kinds(node: d.Node) -> tuple[str | None, str | None]:
    """Paths of the first grid axis and the first sampled (non-grid, non-constant) node."""
    grid = sampled = None
    for path, child in d.walk(node):
        if isinstance(child, d.GridAxis):
            grid = grid if grid is not None else path
        elif not isinstance(child, (d.Constant, d.Mapping, d.Sequence)):
            sampled = sampled if sampled is not None else path
    return grid, sampled


def with_repeat(node: d.Node, num_samples: int) -> d.Node:
    """The grid `node` with the repetition axis REPEAT_AXIS (num_samples values) added."""
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


def grid_points(node: d.Node) -> int:
    """How many points the grid axes of `node` span."""
    size = 1
    for _, child in d.walk(node):
        if isinstance(child, d.GridAxis):
            size *= len(child.values)
    return size
