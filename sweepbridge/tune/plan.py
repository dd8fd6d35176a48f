"""What a tune.run call asks for, as plain data: the `Plan` the engines' emitters read, and the
`Contribution` a searcher or scheduler makes to a W&B-native sweep (no translation logic here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Warnings = list[tuple[str, str]]
"""(compat row key, detail) pairs, warned once the translation succeeded."""


@dataclass
class Contribution:
    """A search algorithm's or scheduler's part of a W&B-native sweep: method, metric/mode, space, notes."""

    source: str
    method: str | None = None  # "variant" (grid or random, decided by the space) or "bayes"
    space: Any = None
    metric: str | None = None
    mode: str | None = None
    early_terminate: dict[str, Any] | None = None
    warnings: Warnings = field(default_factory=list)


@dataclass
class Plan:
    """One tune.run call, read once: every engine's emitter starts from it.

    `searcher` is the mirrored search algorithm with any ConcurrencyLimiter unwrapped (its warnings in
    `limiter_warnings`), `scheduler` the mirrored scheduler; `metric`/`mode` are merged from tune.run, the
    searcher and the scheduler (a multi-objective search: tuples of names and of modes, one per metric, in
    order); `config` is the space given to tune.run (None: the searcher holds it).
    """

    program: str
    name: str | None
    searcher: Any
    scheduler: Any
    metric: str | tuple[str, ...] | None
    mode: str | tuple[str, ...] | None
    num_samples: int
    config: Any
    allow_approximate: bool = False
    trial: Any = None  # the trial command (tune.command.TrialCommand) for a trainable; None for a script
    top: dict[str, Any] = field(default_factory=dict)  # top-level keys from config["wandb"] (project, entity)
    limiter_warnings: Warnings = field(default_factory=list)
    storage: Any = None  # tune.run's storage_path, for a scheduler that reads it (PBT's checkpoints)

    @property
    def source_space(self) -> Any:
        """The user's space as given: tune.run's config, else the searcher's own."""
        return self.config if self.config not in (None, {}) else self.searcher.space


def changed(options: dict[str, Any], defaults: dict[str, Any]) -> list[str]:
    """Names of `options` whose value differs from Ray's default (those change Ray's behaviour)."""
    out = []
    for name, value in options.items():
        default = defaults.get(name)
        try:
            same = value is default or bool(value == default)
        except Exception:  # e.g. numpy arrays: not comparable, so surely given on purpose
            same = False
        if not same:
            out.append(name)
    return out


def signature_defaults(function: Any, skip: tuple[str, ...] = ("self", "space", "metric", "mode")) -> dict[str, Any]:
    """The keyword defaults of `function` (a mirror's __init__): the one place a home writes them."""
    import inspect

    return {
        name: p.default
        for name, p in inspect.signature(function).parameters.items()
        if p.default is not p.empty and name not in skip
    }
