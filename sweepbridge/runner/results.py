"""Results of a sweep: one JSON line per finished run, appended and fsync'd as each run ends, plus a CSV.

Each line is written with a single `os.write` of the whole line and fsync'd, so a runner killed at
any moment leaves only whole lines. The CSV is rewritten atomically after each run.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

JSONL, CSV = "results.jsonl", "results.csv"


@dataclass
class RunResult:
    """One run's outcome, as written to results.jsonl."""

    id: str
    config: dict[str, Any]
    state: str
    metric: float | None
    history_rows: int
    wall_time: float
    exit_code: int | None = None
    stopped_at: int | None = None
    """Number of metric values the run had logged when early termination stopped it."""
    run_dir: str | None = None
    """The run's wandb directory (offline: what `wandb sync` uploads)."""
    output: str | None = None
    """The trial's stdout and stderr (subprocess trials)."""
    summary: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        return json.dumps(_finite(asdict(self)), ensure_ascii=False, allow_nan=False) + "\n"


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class ResultsStore:
    """Appends results to DIR/results.jsonl (whole, fsync'd lines) and keeps DIR/results.csv current."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.jsonl = directory / JSONL
        self.csv = directory / CSV
        self.results: list[RunResult] = []
        self._fd = os.open(self.jsonl, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def add(self, result: RunResult) -> None:
        data = result.line().encode("utf-8")
        written = os.write(self._fd, data)
        while written < len(data):  # a regular file takes it whole; loop for safety
            written += os.write(self._fd, data[written:])
        os.fsync(self._fd)
        self.results.append(result)
        self._write_csv()

    def _write_csv(self) -> None:
        from ..sweep_config import write_atomic
        from ..tune.flat_keys import flatten  # nested configs as dotted columns

        keys = sorted({k for r in self.results for k in flatten(r.config, ".", keep_empty=True)})
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["id", "state", "metric", "history_rows", "wall_time", *keys])
        for r in self.results:
            flat = flatten(r.config, ".", keep_empty=True)
            row = [r.id, r.state, r.metric, r.history_rows, round(r.wall_time, 3)]
            writer.writerow(
                row + [json.dumps(flat[k]) if isinstance(flat.get(k), (list, dict)) else flat.get(k) for k in keys]
            )
        write_atomic(self.csv, out.getvalue())

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def read_results(path: Path) -> list[dict[str, Any]]:
    """The runs recorded in a results.jsonl file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
