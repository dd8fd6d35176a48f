"""A multi-objective sweep's Pareto set: the finished runs no other finished run dominates (DIR/pareto.json).

A run takes part when it finished (W&B's state `finished`, what wandb's Optuna optimizer tells the study as a
COMPLETE trial) and its summary holds a finite number for every metric of the sweep's `metrics` (else wandb's
optimizer tells the study a failure). Run a dominates run b when a is at least as good on every metric (by its
goal) and better on one; runs with equal values do not dominate each other, so both stay. That is Optuna's own
rule for `study.best_trials` (optuna/study/_multi_objective.py), which tests/test_run_pareto.py checks.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

FILE = "pareto.json"


def values(summary: dict[str, Any], metrics: Sequence[str]) -> list[float] | None:
    """The run's value of each metric, or None when one is missing or not a finite number."""
    out = []
    for name in metrics:
        value = summary.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return None
        out.append(float(value))
    return out


def front(results: Sequence[Any], metrics: Sequence[str], goals: Sequence[str]) -> list[Any]:
    """The results (RunResult) on the Pareto set, in finishing order."""
    signs = [-1.0 if goal == "maximize" else 1.0 for goal in goals]
    scored = []
    for result in results:
        found = values(result.summary, metrics) if result.state == "finished" else None
        if found is not None:
            scored.append((result, [s * v for s, v in zip(signs, found, strict=True)]))

    def dominates(a: list[float], b: list[float]) -> bool:
        return all(x <= y for x, y in zip(a, b, strict=True)) and a != b

    return [r for r, v in scored if not any(dominates(w, v) for _, w in scored)]


def write(directory: Path, results: Sequence[Any], metrics: Sequence[str], goals: Sequence[str]) -> Path:
    """DIR/pareto.json: the metrics, their goals and the Pareto set's runs (id, values, config); atomically."""
    runs = [
        {"id": r.id, "values": dict(zip(metrics, values(r.summary, metrics) or [], strict=True)), "config": r.config}
        for r in front(results, metrics, goals)
    ]
    data = {"metrics": list(metrics), "goals": list(goals), "runs": runs}
    path = Path(directory) / FILE
    temporary = path.with_name(f".{FILE}.tmp")
    temporary.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path
