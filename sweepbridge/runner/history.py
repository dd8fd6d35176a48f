"""A run's metrics while it runs, read from its transaction log (`run-ID.wandb`) by W&B's own reader.

`wandb-core leet inspect --json --follow` (what `wandb leet inspect --follow --json` starts) prints
each record of the log as one JSON line while the run writes it; without `--follow` it prints the
records written so far and exits (`read_records`). This works for any program that logs with the real
wandb client (offline or online: both write the log); the program needs nothing from sweepbridge.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import SweepBridgeError
from .launch import child_preexec

LOG_DIRS = ("wandb", ".wandb")
"""Where wandb puts run directories under WANDB_DIR (wandb.sdk.lib.filenames.WANDB_DIRS)."""


def find_log(wandb_dir: Path, run_id: str) -> Path | None:
    """The transaction log of run `run_id` under WANDB_DIR, once the run has created it."""
    for sub in LOG_DIRS:
        found = sorted((wandb_dir / sub).glob(f"*run-*-{run_id}/run-{run_id}.wandb"))
        if found:
            return found[-1]
    return None


def reader_command(log: Path, follow: bool = True) -> list[str]:
    """wandb-core's transaction-log reader, one JSON record per line (following `log` as it grows)."""
    from wandb.util import get_core_path

    return [
        get_core_path(),
        "leet",
        "inspect",
        "--no-observability",
        "--json",
        *(["--follow"] if follow else []),
        "--run-file",
        str(log),
        str(log.parent.parent),
    ]


def read_records(log: Path | str, timeout: float = 60) -> list[dict[str, Any]]:
    """Every record of the transaction log `log` written so far, as wandb-core's reader prints it."""
    log = Path(log)
    try:
        done = subprocess.run(
            reader_command(log, follow=False), capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SweepBridgeError(f"cannot read the wandb run log {log}: {exc}") from None
    if done.returncode != 0:
        reason = done.stderr.strip().removeprefix("Error: ") or f"wandb-core exited with {done.returncode}"
        raise SweepBridgeError(f"cannot read the wandb run log {log}: {reason}")
    try:
        return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    except ValueError as exc:
        raise SweepBridgeError(f"wandb-core printed a record of {log} that is not JSON: {exc}") from None


class RunLog:
    """Metric history, summary and exit code of one run, updated by a reader thread."""

    def __init__(self, metric_names: Sequence[str], extra: Sequence[str] = (), marks: Sequence[str] = ()) -> None:
        self.metric_names = list(metric_names)
        self.extra = [*marks, *extra]
        """Further keys kept in the rows (a PBT run's `_pbt_checkpoint`, training_iteration, time_total_s)."""
        self.marks = list(marks)
        """Keys that keep a row even without a metric value (a PBT run's `_pbt_checkpoint`)."""
        self.history: list[dict[str, Any]] = []
        """Rows as W&B's server samples them for the sweep: `_step` and the metric(s) (and `extra`)."""
        self.rows = 0
        self.summary: dict[str, Any] = {}
        self.exit_code: int | None = None
        self.path: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self, log: Path) -> None:
        """Follow `log` (call from the main thread: the reader dies with this process)."""
        self.path = log
        self._proc = subprocess.Popen(
            reader_command(log),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            preexec_fn=child_preexec,  # noqa: PLW1509 (only prctl; no locks taken)
        )
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    @property
    def started(self) -> bool:
        return self._proc is not None

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            self._take(line)

    def add(self, record: dict[str, Any]) -> None:
        """Take one record of the log (as the reader prints it)."""
        kind = record.get("type")
        body = record.get(kind) if isinstance(kind, str) else None
        if not isinstance(body, dict):
            return
        with self._lock:
            if kind == "history":
                item = body.get("item") or {}
                self.rows += 1
                values = {k: item[k] for k in self.metric_names if k in item}
                if values or any(k in item for k in self.marks):
                    values.update((k, item[k]) for k in self.extra if k in item)
                    step = item.get("_step", (body.get("step") or {}).get("num", self.rows - 1))
                    self.history.append({**values, "_step": step})
            elif kind == "summary":
                self.summary.update(body.get("update") or {})
                for key in body.get("remove") or ():
                    self.summary.pop(key, None)
            elif kind == "exit":
                self.exit_code = int(body.get("exit_code") or 0)

    def snapshot(self) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        with self._lock:
            return list(self.history), dict(self.summary)

    def _reset(self) -> None:
        with self._lock:
            self.history, self.rows, self.summary, self.exit_code = [], 0, {}, None

    def close(
        self,
        wait: float = 1.0,
        log: Path | None = None,
        unfinished: Callable[[], None] | None = None,
        grace: float = 0.5,
    ) -> None:
        """After the run's process ended: stop following (if this log was followed; the follower
        notices the last writes up to ~1 s late, so it is stopped unless it already ended after the
        run's exit record) and read the whole log (`log` when it was not followed) once more, until
        its exit record is there or `wait` s have passed (a run killed without one). When the exit
        record is still missing `grace` s after the process ended, `unfinished` is called once (the
        runner finishes the run on the shared wandb-core: `warm.finish_abandoned_run`)."""
        import time

        start = time.monotonic()
        deadline = start + wait
        if self._proc is not None:
            ended = self._proc.poll() is not None
            if not ended:
                self._proc.kill()
            self._proc.wait()
            if self._thread is not None:
                self._thread.join(timeout=2)
            if self._proc.stdout is not None:
                self._proc.stdout.close()
            if ended and self.exit_code is not None and not (self._thread and self._thread.is_alive()):
                return
        self.path = self.path or log
        if self.path is None:
            return
        while True:
            self._reset()
            self._read_all(self.path)
            if self.exit_code is not None or time.monotonic() > deadline:
                return
            if unfinished is not None and time.monotonic() > start + grace:
                unfinished()
                unfinished, deadline = None, time.monotonic() + wait
            time.sleep(0.05)

    def _read_all(self, log: Path) -> None:
        """Every record of `log` through wandb-core's reader, one line at a time: memory stays bounded
        however much the run printed (its console output is in the log too)."""
        with subprocess.Popen(
            reader_command(log, follow=False),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            preexec_fn=child_preexec,  # noqa: PLW1509 (only prctl; no locks taken)
        ) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                self._take(line)

    def _take(self, line: bytes) -> None:
        """One line of the reader: a record the history needs, parsed; console output and other
        record types skipped before parsing."""
        head = line[:48]
        if b'"history"' not in head and b'"summary"' not in head and b'"exit"' not in head:
            return
        try:
            self.add(json.loads(line))
        except ValueError:
            pass
