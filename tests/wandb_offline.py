"""Read what an offline wandb run recorded: its `run-ID.wandb` transaction log.

The log is read by wandb-core's own reader (`sweepbridge.runner.history.read_records`, which runs
`wandb-core leet inspect --json`): each record arrives as `{"type": KIND, KIND: body}`, with the
protobuf Record's fields as JSON and metric/config values already decoded. This only collects them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sweepbridge.runner.history import read_records


@dataclass
class OfflineRun:
    """What one offline run recorded."""

    path: Path
    run_id: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    """The run's config (wandb's own `_wandb` key removed)."""
    history: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    exit_code: int | None = None
    """None when the run never finished (no exit record)."""
    group: str = ""
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    output: str = ""
    artifacts: list[str] = field(default_factory=list)

    @property
    def output_text(self) -> str:
        """The console output captured by wandb (files/output.log, else the output records)."""
        log = self.path / "files" / "output.log"
        return log.read_text(errors="replace") if log.is_file() else self.output


def _update(target: dict[str, Any], body: dict[str, Any]) -> None:
    """A config or summary record: `update` (key -> value) then `remove` (keys)."""
    target.update(body.get("update") or {})
    for key in body.get("remove") or ():
        target.pop(key, None)


def _run(run: OfflineRun, body: dict[str, Any]) -> None:
    run.run_id, run.group, run.notes = body.get("run_id", ""), body.get("run_group", ""), body.get("notes", "")
    run.tags = list(body.get("tags") or ())
    _update(run.config, body.get("config") or {})


def _exit(run: OfflineRun, body: dict[str, Any]) -> None:
    run.exit_code = int(body.get("exit_code") or 0)


def _output(run: OfflineRun, body: dict[str, Any]) -> None:
    run.output += body.get("line", "")


COLLECT: dict[str, Callable[[OfflineRun, dict[str, Any]], None]] = {
    "run": _run,
    "config": lambda run, body: _update(run.config, body),
    "history": lambda run, body: run.history.append(dict(body.get("item") or {})),
    "summary": lambda run, body: _update(run.summary, body),
    "exit": _exit,
    "output": _output,
    "output_raw": _output,
    "artifact": lambda run, body: run.artifacts.append(body.get("name", "")),
}
"""What each record type (as wandb-core prints it) contributes to an OfflineRun; others are ignored."""


def read_offline_run(run_dir: Path | str) -> OfflineRun:
    """What `run_dir` (a `wandb/offline-run-*` directory) recorded."""
    run_dir = Path(run_dir)
    (log,) = run_dir.glob("run-*.wandb")
    run = OfflineRun(run_dir)
    for record in read_records(log):
        kind = record.get("type")
        if kind in COLLECT:
            COLLECT[kind](run, record.get(kind) or {})
    run.config.pop("_wandb", None)
    return run


def offline_runs(wandb_dir: Path | str) -> dict[str, OfflineRun]:
    """Every offline run under `wandb_dir` (WANDB_DIR or its `wandb/` child), by run id."""
    base = Path(wandb_dir)
    base = base / "wandb" if (base / "wandb").is_dir() else base
    runs = [read_offline_run(p) for p in sorted(base.glob("offline-run-*"))]
    return {r.run_id: r for r in runs}
