"""What a search algorithm or scheduler contributes to a sweep (plain data, no translation logic)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Plan:
    """A search algorithm's or scheduler's contribution: method, metric/mode, space, notes."""

    source: str
    method: str | None = None  # "variant" (grid or random, decided by the space) or "bayes"
    space: Any = None
    metric: str | None = None
    mode: str | None = None
    early_terminate: dict[str, Any] | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (compat key, detail)


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
