"""What `sweepbridge run --resume DIR` needs to continue a sweep whose runner was interrupted or killed.

The runner keeps, in its results directory DIR:
- `sweep.yaml`: the sweep config it runs (written before the first trial);
- `runner.json` (`RunnerState`): the sweep id, the run budget, the mode, project and entity, WANDB_DIR,
  the online sweep and, at the end, whether the sweep finished; replaced atomically;
- `trials.jsonl` (`Journal`): one line per event of a trial — `start` (run id and config, fsync'd
  before the trial starts), `launch` (after the process or thread exists), `end` (after its result is
  in results.jsonl: the metric history the engine was told) — each line one `os.write`, fsync'd;
- `results.jsonl`: one line per ended run (runner/results.py).

A resume reads them tolerantly (a torn last line is skipped) and rebuilds the sweep as W&B's server
holds it when a scheduler starts (wandb/sdk/sweeps/scheduler/ipc.py, the warm-start task): every run of
the sweep is told to the new engine with `Optimizer.tell_existing_finished_run` — its state, summary
and sampled metric history — so bayes, hyperband and custom optimizers continue with the full
history and a grid skips every point already run. A trial that was launched but has no result is
marked as W&B marks a run whose process went away: `crashed`, with the history its transaction log
holds (finished / failed when the log has the run's own exit record, as W&B's server would have
received it). A trial that was never launched (the runner died between choosing its config and
starting it) never existed for W&B: it is not told to the engine, so the engine proposes its point
again where it would (grid) and it does not count against the budget. Every run of the sweep counts
against --count / run_cap.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ..errors import SpecError
from .engine import RunReport
from .results import JSONL, RunResult, relative_path

STATE_FILE = "runner.json"
JOURNAL = "trials.jsonl"
STATE_VERSION = 1
RUN_STATES = ("running", "pending", "preempting", "crashed", "failed", "killed", "finished", "preempted")
"""W&B's run states (wandb.sdk.sweeps.RunState); a result in another state is told as `killed`."""


class ResumeError(SpecError):
    """DIR holds no sweep this runner can continue."""


@dataclass
class RunnerState:
    """The runner's settings a resume continues with (DIR/runner.json)."""

    sweep_id: str
    count: int | None = None
    jobs: int = 1
    """Trials at once: a resume runs as many unless told otherwise (an explicit `jobs` / --jobs wins)."""
    mode: str = "offline"
    project: str | None = None
    entity: str | None = None
    wandb_dir: str = ""
    """WANDB_DIR of the trials: where their run directories are."""
    online: dict[str, Any] | None = None
    """Online: the W&B sweep (id, entity, project, url) the runs join."""
    finished: bool = False
    """The sweep ended by itself: its search is exhausted, the optimizer terminated it, or run_cap was reached."""
    reason: str | None = None
    version: int = STATE_VERSION

    def write(self, directory: Path) -> None:
        from ..sweep_config import write_atomic

        write_atomic(directory / STATE_FILE, json.dumps(asdict(self), indent=1, sort_keys=True) + "\n")

    @classmethod
    def read(cls, directory: Path) -> RunnerState:
        path = directory / STATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ResumeError(
                f"{directory} holds no sweep to resume (no {STATE_FILE}): resume the --out directory of a "
                "`sweepbridge run`."
            ) from None
        except (OSError, ValueError) as exc:
            raise ResumeError(f"cannot read {path}: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("sweep_id"), str):
            raise ResumeError(f"{path} is not a sweepbridge runner state.")
        if data.get("version", 1) > STATE_VERSION:
            raise ResumeError(f"{path} was written by a newer sweepbridge (state version {data['version']}).")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def read_lines(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSON Lines file; lines that are not whole JSON objects (a torn tail left
    by a crash mid-write) are skipped. A missing file has none."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ResumeError(f"cannot read {path}: {exc.strerror}") from None
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            yield record


class Journal:
    """DIR/trials.jsonl: start, launch and end of each trial, one whole fsync'd line per event."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / JOURNAL
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._fd = self._fd if _ends_whole(self.path) else self._newline(self._fd)

    @staticmethod
    def _newline(fd: int) -> int:
        os.write(fd, b"\n")  # a torn tail from a crash: end it, so the next event stands on its own line
        return fd

    def _write(self, record: dict[str, Any]) -> None:
        data = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        written = os.write(self._fd, data)
        while written < len(data):
            written += os.write(self._fd, data[written:])
        os.fsync(self._fd)

    def started(self, run_id: str, config: Mapping[str, Any]) -> None:
        """Before the trial starts: its id and config."""
        self._write({"event": "start", "id": run_id, "config": dict(config), "time": time.time()})

    def launched(self, run_id: str, pid: int | None) -> None:
        """The trial's process (or thread) exists."""
        self._write({"event": "launch", "id": run_id, "pid": pid})

    def ended(self, run_id: str, history: Sequence[Mapping[str, Any]]) -> None:
        """After its result is in results.jsonl: the metric history the engine was told."""
        self._write({"event": "end", "id": run_id, "history": [dict(h) for h in history]})

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _ends_whole(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            if fh.tell() == 0:
                return True
            fh.seek(-1, 2)
            return fh.read(1) == b"\n"
    except OSError:
        return True


@dataclass
class PriorRun:
    """A run of the sweep before the resume, as the engine is told about it."""

    result: RunResult
    report: RunReport
    recovered: bool = False
    """Launched, without a result: its result was rebuilt at the resume (crashed, or what its log says)."""


@dataclass
class Resume:
    """A sweep to continue: its config, the runner's state and every run it had."""

    directory: Path
    config: dict[str, Any]
    state: RunnerState
    runs: list[PriorRun] = field(default_factory=list)
    forgotten: list[str] = field(default_factory=list)
    """Trials chosen but never launched: not runs of the sweep (their points may be proposed again)."""


def load(directory: str | os.PathLike[str], metrics: Sequence[str] | None = None, grace: float = 0.0) -> Resume:
    """Read DIR's sweep for a resume (`metrics`: the names whose history the engine reads, default the
    sweep's). Trials of a dead runner still running are stopped first (SIGTERM, SIGKILL after `grace`)."""
    from ..sweep_config import SweepConfig, parse_text

    directory = Path(directory)
    if not directory.is_dir():
        raise ResumeError(f"--resume {directory}: no such directory.")
    state = RunnerState.read(directory)
    sweep_file = directory / "sweep.yaml"
    try:
        config = parse_text(sweep_file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ResumeError(f"cannot read the sweep config {sweep_file}: {exc.strerror}") from None
    if not isinstance(config, dict):
        raise ResumeError(f"{sweep_file} is not a sweep config.")
    config = dict(SweepConfig(config))
    if metrics is None:
        metrics = _metric_names(config)
    results = {r["id"]: r for r in read_lines(directory / JSONL) if isinstance(r.get("id"), str)}
    events: dict[str, dict[str, Any]] = {}
    for record in read_lines(directory / JOURNAL):
        run_id = record.get("id")
        if isinstance(run_id, str):
            events.setdefault(run_id, {}).setdefault(record.get("event"), record)
    unfinished = [i for i, e in events.items() if i not in results and ("launch" in e or "start" in e)]
    stop_orphans(state, unfinished, grace)
    resume = Resume(directory, config, state)
    order = list(events) + [i for i in results if i not in events]
    for run_id in order:
        record = events.get(run_id, {})
        if run_id in results:
            result = _result(results[run_id])
            end = record.get("end")
            history = end.get("history") if isinstance(end, dict) else None
            if not isinstance(history, list):
                history = _read_log(_find_log(state, run_id), metrics).snapshot()[0]
            summary = dict(result.summary)
            resume.runs.append(PriorRun(result, _report(result, summary, history)))
            continue
        start = record.get("start")
        if start is None:
            continue
        log = _find_log(state, run_id)
        if "launch" not in record and log is None:
            resume.forgotten.append(run_id)
            continue
        result, history = _recovered(run_id, dict(start.get("config") or {}), log, metrics)
        resume.runs.append(PriorRun(result, _report(result, dict(result.summary), history), recovered=True))
    return resume


def _metric_names(config: Mapping[str, Any]) -> list[str]:
    metrics = config.get("metrics")
    if isinstance(metrics, list):
        return [m["name"] for m in metrics if isinstance(m, Mapping) and "name" in m]
    metric = config.get("metric")
    return [metric["name"]] if isinstance(metric, Mapping) and "name" in metric else []


def _result(data: Mapping[str, Any]) -> RunResult:
    known = {f.name for f in fields(RunResult)}
    values = {k: v for k, v in data.items() if k in known}
    values.setdefault("config", {})
    values.setdefault("state", "crashed")
    values.setdefault("metric", None)
    values.setdefault("history_rows", 0)
    values.setdefault("wall_time", 0.0)
    return RunResult(**values)


def _report(result: RunResult, summary: dict[str, Any], history: list[dict[str, Any]]) -> RunReport:
    state = result.state if result.state in RUN_STATES else "killed"
    if state in ("running", "pending", "preempting"):
        state = "crashed"  # nothing of the dead runner still runs
    return RunReport(dict(result.config), state, summary, list(history), result.id)


def _find_log(state: RunnerState, run_id: str) -> Path | None:
    from .history import find_log

    return find_log(Path(state.wandb_dir), run_id) if state.wandb_dir and state.mode != "disabled" else None


def _read_log(log: Path | None, metrics: Sequence[str]) -> Any:
    """A `RunLog` holding what a run's transaction log holds (empty without a readable log)."""
    from ..errors import SweepBridgeError
    from .history import RunLog, read_records

    run_log = RunLog(metrics)
    if log is not None:
        try:
            for record in read_records(log):
                run_log.add(record)
        except SweepBridgeError:  # unreadable: the run is still a run of the sweep, without history
            pass
    return run_log


def _recovered(
    run_id: str, config: dict[str, Any], log: Path | None, metrics: Sequence[str]
) -> tuple[RunResult, list[dict[str, Any]]]:
    """The result and metric history of a trial launched by a runner that died: crashed, unless its
    transaction log has the run's own exit record (then finished or failed, as W&B's server would know)."""
    run_log = _read_log(log, metrics)
    history, raw = run_log.snapshot()
    summary = {k: v for k, v in raw.items() if not str(k).startswith("_")}
    if run_log.exit_code is None:
        outcome = "crashed"
    else:
        outcome = "finished" if run_log.exit_code == 0 else "failed"
    value = summary.get(metrics[0]) if metrics else None
    if value is None and history and metrics:
        value = history[-1].get(metrics[0])
    metric = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    result = RunResult(
        id=run_id,
        config=config,
        state=outcome,
        metric=metric,
        history_rows=run_log.rows,
        wall_time=0.0,
        exit_code=run_log.exit_code,
        run_dir=relative_path(log.parent) if log is not None else None,
        summary=summary,
    )
    return result, history


def stop_orphans(state: RunnerState, run_ids: Sequence[str], grace: float) -> list[int]:
    """Stop the trials of `run_ids` a dead runner left running (their process groups: SIGTERM, then
    SIGKILL after `grace` s), found by the WANDB_RUN_ID and WANDB_SWEEP_PARAM_PATH the runner gave them.
    Returns the process ids found."""
    wanted = set(run_ids)
    if not wanted:
        return []
    marker = f"sweep-{state.sweep_id}"
    found: list[int] = []
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            env = dict(item.split(b"=", 1) for item in (entry / "environ").read_bytes().split(b"\0") if b"=" in item)
        except OSError:
            continue
        run_id = env.get(b"WANDB_RUN_ID", b"").decode(errors="replace")
        if run_id in wanted and marker in env.get(b"WANDB_SWEEP_PARAM_PATH", b"").decode(errors="replace"):
            found.append(int(entry.name))
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        alive = [p for p in found if _alive(p)]
        for pid in alive:
            try:
                os.killpg(os.getpgid(pid), sig)
            except OSError:
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
        deadline = time.monotonic() + wait
        while any(_alive(p) for p in alive) and time.monotonic() < deadline:
            time.sleep(0.05)
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except OSError:
        return False
