"""Results of a sweep: one JSON line per ended run in DIR/results.jsonl, plus DIR/results.csv.

Crash safety and ownership (what `ResultsStore` guarantees):

- A record reaches results.jsonl whole or not at all: one `os.write` of the whole line, fsync'd; a
  write that fails part-way (a full disk) is cut back to the last whole record and reported as a
  `ResultsWriteError` naming the file, so every earlier record stays readable and a later record
  starts on a line of its own.
- A torn tail left by an earlier crash (bytes after the last newline, or a last line that is not a
  record) is detected when the file is opened, moved to `results.jsonl.torn-N`, and never appended to.
- The CSV is derived from every record of the file (rewritten atomically after each run); so is, for a
  PBT sweep, DIR/pbt_trials.json: one entry per PBT trial (its chain of runs; runner/chains.py).
- One runner per directory: `ResultsStore.open` takes an exclusive lock (DIR/.lock, released by the
  kernel however the runner ends) and refuses a directory another runner holds; a directory that
  already holds a sweep is refused unless the caller continues it (`resume=True`).

Readers: `read_results(path)` (records as dicts, a torn tail ignored) and `scan(path)` (records and the
torn tail, without changing the file) — for `--resume` and `sync`.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import math
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SpecError, SweepBridgeError

JSONL, CSV, LOCK = "results.jsonl", "results.csv", ".lock"
SWEEP_FILE = "sweep.yaml"
"""The sweep config the runner ran, saved in the results directory (for `wandb sweep` and --resume)."""

RANKED_STATES = ("finished", "killed")
"""States whose metric ranks (a run stopped early keeps the values it logged); failed and crashed runs never rank."""


@dataclass
class RunResult:
    """One run's outcome, as written to results.jsonl.

    `state` is W&B's run state (wandb.sdk.sweeps.RunState, what W&B's engine is told): finished
    (exit 0), failed (exit status > 0, or the function raised), crashed (ended by a signal it was not
    sent, or no exit), killed (stopped by the runner: see `stopped_by`)."""

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
    """The run's final summary, wandb's `_` keys and values longer than SUMMARY_VALUE_LIMIT (as JSON) left out."""
    stopped_by: str | None = None
    """Who stopped a killed run: `early_terminate` (W&B's engine stopped it early), `user` (Ctrl-C or
    SIGTERM to the runner), `runner` (the sweep was stopped: failure rule, missing metric); else None."""
    error: list[str] = field(default_factory=list)
    """A failed or crashed run: the last lines of its own stderr (its traceback), without wandb's lines."""

    @property
    def label(self) -> str:
        """The state as shown: finished, failed, crashed, `stopped early` (by the engine) or killed."""
        return "stopped early" if self.state == "killed" and self.stopped_by == "early_terminate" else self.state

    @property
    def ranks(self) -> bool:
        """Whether the run's metric ranks (and may be the best): finished or stopped runs with a value."""
        return self.metric is not None and self.state in RANKED_STATES

    def line(self) -> str:
        return json.dumps(_finite(asdict(self)), ensure_ascii=False, allow_nan=False) + "\n"

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> RunResult:
        """A result read back from results.jsonl (unknown keys ignored)."""
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in record.items() if k in names})


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


SUMMARY_VALUE_LIMIT = 1000
"""Longest summary value (as JSON) a record keeps: metrics, not logged text or media (bounded records)."""


def small_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """`summary` for a record: wandb's own `_` keys and values longer than SUMMARY_VALUE_LIMIT left out."""
    kept = {}
    for key, value in summary.items():
        if key.startswith("_"):
            continue
        if isinstance(value, (int, float, bool)) or value is None:
            kept[key] = value
        elif len(json.dumps(_finite(value), ensure_ascii=False)) <= SUMMARY_VALUE_LIMIT:
            kept[key] = value
    return kept


def relative_path(path: Path) -> str:
    """`path` relative to the working directory when it lies below it (shorter `wandb sync` lines)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass
class Scan:
    """What a results.jsonl holds: its whole records, where they end, and a torn tail after them."""

    records: list[dict[str, Any]]
    end: int
    """Byte offset just after the last whole record."""
    torn: bytes = b""
    """Bytes after the last whole record: half a line (a crash or a full disk mid-write), or what is not a record."""


def scan(path: Path) -> Scan:
    """Read `path` (missing: empty) without changing it: every whole record up to the first line that
    is not one (no newline, or not a JSON object); the rest is the torn tail."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return Scan([], 0)
    except OSError as exc:
        raise SweepBridgeError(f"cannot read {path}: {exc.strerror}") from None
    records: list[dict[str, Any]] = []
    end = 0
    while end < len(data):
        newline = data.find(b"\n", end)
        if newline < 0:
            break
        chunk = data[end:newline]
        if chunk.strip():
            try:
                record = json.loads(chunk.decode("utf-8"))
            except ValueError:
                break
            if not isinstance(record, dict):
                break
            records.append(record)
        end = newline + 1
    return Scan(records, end, data[end:])


def read_results(path: Path) -> list[dict[str, Any]]:
    """The runs recorded in a results.jsonl file, in the order they ended (a torn tail ignored)."""
    return scan(path).records


class ResultsWriteError(SweepBridgeError):
    """A record could not be written (a full disk, ...): the file named keeps every earlier record."""


class ResultsStore:
    """The results of one sweep in `directory`, owned by this store while it is open (see the module
    docstring). `resume=False` refuses a directory that already holds a sweep."""

    def __init__(self, directory: Path, *, resume: bool = False, goal: str = "minimize") -> None:
        self.directory = Path(directory)
        self.goal = goal
        """The sweep metric's goal (ranks PBT trials in pbt_trials.json)."""
        self.jsonl = self.directory / JSONL
        self.csv = self.directory / CSV
        self.results: list[RunResult] = []
        """The results added by this store (this runner's runs)."""
        self.records: list[dict[str, Any]] = []
        """Every record of the file: earlier runs (when resuming), then this store's."""
        self.torn: Path | None = None
        """Where a torn tail found at opening was set aside."""
        self._write: Callable[[int, bytes], int] = os.write
        self._fd = -1
        self._lock_fd = -1
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SpecError(f"cannot create the results directory {self.directory}: {exc.strerror}") from None
        self._lock()
        try:
            self._open(resume)
        except BaseException:
            self.close()
            raise

    def _lock(self) -> None:
        import fcntl

        path = self.directory / LOCK
        try:
            self._lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise SpecError(f"cannot lock the results directory {self.directory}: {exc.strerror}") from None
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = os.pread(self._lock_fd, 64, 0).decode("ascii", "replace").strip()
            os.close(self._lock_fd)
            self._lock_fd = -1
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise SpecError(f"cannot lock the results directory {self.directory}: {exc.strerror}") from None
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise SpecError(
                f"{self.directory} is in use by another sweepbridge runner{who}: one runner per results "
                f"directory; wait for it to end, or pass a different --out."
            ) from None
        os.ftruncate(self._lock_fd, 0)
        os.pwrite(self._lock_fd, f"{os.getpid()}\n".encode(), 0)

    @staticmethod
    def refuse_used(directory: Path, found: Scan | None = None) -> None:
        """SpecError when `directory` already holds a sweep (results or a sweep file), with the way out."""
        directory = Path(directory)
        found = found if found is not None else scan(directory / JSONL)
        if found.records or found.torn or (directory / SWEEP_FILE).exists():
            held = f"{len(found.records)} runs" if found.records else "a sweep"
            raise SpecError(
                f"{directory} already holds {held} (one sweep per results directory): continue it with "
                f"`--resume {directory}` (run_sweep(..., resume=...)), or pass a different --out."
            )

    def _open(self, resume: bool) -> None:
        found = scan(self.jsonl)
        if not resume:
            self.refuse_used(self.directory, found)
        self.records = found.records
        if found.torn:
            self.torn = self._set_aside(found.torn)
            with open(self.jsonl, "r+b") as fh:
                fh.truncate(found.end)
                os.fsync(fh.fileno())
        try:
            self._fd = os.open(self.jsonl, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as exc:
            raise SpecError(f"cannot open {self.jsonl}: {exc.strerror}") from None

    def _set_aside(self, torn: bytes) -> Path:
        n = 1
        while (target := self.jsonl.with_name(f"{JSONL}.torn-{n}")).exists():
            n += 1
        target.write_bytes(torn)
        return target

    def add(self, result: RunResult) -> None:
        """Append `result` whole (fsync'd), then rewrite the CSV; ResultsWriteError when it cannot be
        written (the file is cut back to its earlier records)."""
        data = result.line().encode("utf-8")
        start = os.lseek(self._fd, 0, os.SEEK_END)
        try:
            written = 0
            while written < len(data):  # a regular file takes it whole; loop for safety
                written += self._write(self._fd, data[written:])
            os.fsync(self._fd)
        except OSError as exc:
            try:
                os.ftruncate(self._fd, start)  # never leave half a record for the next one to be glued to
                os.fsync(self._fd)
            except OSError:
                pass
            raise ResultsWriteError(
                f"cannot write the result of run {result.id} to {self.jsonl}: {exc.strerror or exc} "
                f"(the {len(self.records)} earlier records are intact)"
            ) from None
        self.results.append(result)
        self.records.append(json.loads(data))
        try:
            self._write_csv()
        except SweepBridgeError as exc:
            raise ResultsWriteError(f"{exc} (results.jsonl holds every record)") from None

    def _write_csv(self) -> None:
        from ..sweep_config import write_atomic
        from .chains import TRIALS_FILE, chains, trials_json

        write_atomic(self.csv, csv_text(self.records))
        found = chains(self.records)
        if found:
            write_atomic(self.directory / TRIALS_FILE, trials_json(found, self.goal))

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        if self._lock_fd >= 0:
            os.close(self._lock_fd)  # releases the lock
            self._lock_fd = -1


def csv_text(records: list[dict[str, Any]]) -> str:
    """The CSV of `records` (results.jsonl lines): one row per record, config as dotted columns."""
    from ..tune.flat_keys import flatten  # nested configs as dotted columns

    flats = [flatten(r.get("config") or {}, ".", keep_empty=True) for r in records]
    keys = sorted({k for flat in flats for k in flat})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "state", "metric", "history_rows", "wall_time", *keys])
    for r, flat in zip(records, flats, strict=True):
        wall = r.get("wall_time")
        row = [r.get("id"), r.get("state"), r.get("metric"), r.get("history_rows"), _round(wall)]
        writer.writerow(
            row + [json.dumps(flat[k]) if isinstance(flat.get(k), (list, dict)) else flat.get(k) for k in keys]
        )
    return out.getvalue()


def _round(value: Any) -> Any:
    return round(value, 3) if isinstance(value, float) else value
