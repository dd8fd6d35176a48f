"""The sweep's metric checked at the first finished run: a misspelled metric stops the sweep there,
naming what the run did log and the closest name, instead of costing every run (bayes would silently
search at random without values)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import SpecError


class MissingMetricError(SpecError):
    """The first finished run never logged the sweep's metric; the sweep was stopped (`outcome`: its results)."""

    def __init__(self, message: str, outcome: Any = None, *, path: str | None = None) -> None:
        super().__init__(message, path=path)
        self.outcome = outcome


def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def closest(name: str, keys: Iterable[str]) -> str | None:
    """The logged key `name` most likely meant: the same letters and digits (`val_loss` → `val/loss`),
    else the nearest by difflib's ratio (≥ 0.6); None when nothing is close."""
    keys = list(keys)
    same = [k for k in keys if _key(k) == _key(name)]
    if same:
        return same[0]
    near = difflib.get_close_matches(name, keys, n=1, cutoff=0.6)
    return near[0] if near else None


def logged_keys(summary: Mapping[str, Any], history: Sequence[Mapping[str, Any]] = ()) -> list[str]:
    """The metric names a run logged (its summary's and history's keys, wandb's own `_` keys left out)."""
    keys = dict.fromkeys(k for k in summary if not k.startswith("_"))
    keys.update(dict.fromkeys(k for row in history for k in row if not k.startswith("_")))
    return list(keys)


def missing_metric(
    metrics: Sequence[str], run_id: str, summary: Mapping[str, Any], history: Sequence[Mapping[str, Any]] = ()
) -> str | None:
    """Why the sweep must stop after finished run `run_id`, when it never logged a metric of the sweep
    (`metrics`: the names W&B's engine reads); None when it logged them all."""
    keys = logged_keys(summary, history)
    for name in metrics:
        if name in summary or any(name in row for row in history):
            continue
        logged = ", ".join(f"`{k}`" for k in keys[:20]) + (", ..." if len(keys) > 20 else "") if keys else "nothing"
        guess = closest(name, keys)
        hint = f"did you mean `{guess}`? " if guess else ""
        return (
            f"the sweep's metric `{name}` was never logged by run {run_id}, the first to finish (it logged "
            f"{logged}): {hint}W&B's engine would schedule every run without a value. Fix metric.name "
            f"(or let the sweep run anyway: --allow-missing-metric, run_sweep(allow_missing_metric=True))."
        )
    return None
