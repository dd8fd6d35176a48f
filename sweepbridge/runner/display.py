"""What a user sees while a sweep runs: a live progress line (rich) or one line per event, and the
final leaderboard with the `wandb sync` command for the offline runs (online: the W&B sweep's URL)."""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from .results import RunResult
    from .sweep import SweepOutcome, SweepRunner


class Display:
    """Callbacks of the sweep loop; this base class shows nothing."""

    def start(self, runner: SweepRunner) -> None: ...
    def started(self, run_id: str, config: dict[str, Any]) -> None: ...
    def stopping(self, run_id: str, at: int | None) -> None: ...
    def finished(self, result: RunResult) -> None: ...
    def tick(self, running: int, launched: int) -> None: ...
    def done(self, outcome: SweepOutcome) -> None: ...
    def note(self, text: str) -> None:
        """One line about how the sweep runs (e.g. why trials start cold)."""


NullDisplay = Display


def _value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return v if isinstance(v, str) else json.dumps(v)


def _config_text(config: dict[str, Any], width: int = 60) -> str:
    text = ", ".join(f"{k}={_value(v)}" for k, v in config.items())
    return text if len(text) <= width else text[: width - 1] + "…"


class Counts:
    def __init__(self) -> None:
        self.by_state: dict[str, int] = {}
        self.best: float | None = None

    def add(self, result: RunResult, goal: str) -> None:
        self.by_state[result.state] = self.by_state.get(result.state, 0) + 1
        if result.metric is not None:
            better = max if goal == "maximize" else min
            self.best = result.metric if self.best is None else better(self.best, result.metric)

    @property
    def done(self) -> int:
        return sum(self.by_state.values())


class TextDisplay(Display):
    """Plain lines on a stream (stderr): for logs, pipes and CI."""

    def __init__(self, stream: TextIO | None = None, live: bool = False, show_leaderboard: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.show_leaderboard = show_leaderboard
        self.counts = Counts()
        self.t0 = time.monotonic()
        self.total: float = 0
        self.goal = "minimize"
        self.metric: str | None = None
        self._live = None
        self._use_rich = live
        self.running = 0

    def _print(self, text: str) -> None:
        if self._live is not None:
            self._live.console.print(text, markup=False, highlight=False)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def note(self, text: str) -> None:
        self._print(text)

    def start(self, runner: SweepRunner) -> None:
        self.total = runner.budget
        self.goal = runner.goal
        self.metric = runner.metrics[0] if runner.metrics else None
        jobs = f", {runner.jobs} at a time" if runner.jobs > 1 else ""
        cap = "" if self.total == float("inf") else f"up to {int(self.total)} runs"
        method = runner.config.get("method")
        self._print(f"sweep {runner.sweep_id} ({method}; {cap or 'until stopped'}{jobs}), mode {runner.mode}")
        if self._use_rich:
            try:
                from rich.console import Console
                from rich.live import Live

                self._live = Live(self._status(), console=Console(file=self.stream), refresh_per_second=4)
                self._live.start()
            except ImportError:
                self._live = None

    def _status(self) -> str:
        c = self.counts
        parts = [f"done {c.done}", f"running {self.running}"]
        for state in ("killed", "failed", "crashed"):
            if c.by_state.get(state):
                parts.append(f"{'stopped' if state == 'killed' else state} {c.by_state[state]}")
        if c.best is not None:
            parts.append(f"best {self.metric} {c.best:.6g}")
        elapsed = time.monotonic() - self.t0
        parts.append(f"elapsed {elapsed:.0f}s")
        if c.done and self.total != float("inf"):
            left = max(0.0, (self.total - c.done) * elapsed / c.done)
            parts.append(f"eta {left:.0f}s")
        return " | ".join(parts)

    def started(self, run_id: str, config: dict[str, Any]) -> None:
        self.running += 1
        if self._live is None:
            self._print(f"start  {run_id}  {_config_text(config)}")
        self._refresh()

    def stopping(self, run_id: str, at: int | None) -> None:
        self._print(f"stop   {run_id}  early termination after {at} values of {self.metric} (SIGTERM)")

    def finished(self, result: RunResult) -> None:
        self.running = max(0, self.running - 1)
        self.counts.add(result, self.goal)
        metric = "" if result.metric is None else f"  {self.metric}={result.metric:.6g}"
        self._print(f"{result.state:<8} {result.id}{metric}  ({result.wall_time:.1f}s)")
        if result.state in ("failed", "crashed") and result.output:
            self._print(f"         exit {result.exit_code}; output: {result.output}{_tail(result.output)}")
        self._refresh()

    def tick(self, running: int, launched: int) -> None:
        self.running = running
        self._refresh()

    def _refresh(self) -> None:
        if self._live is not None:
            self._live.update(self._status())

    def done(self, outcome: SweepOutcome) -> None:
        if self._live is not None:
            self._live.update(self._status())
            self._live.stop()
            self._live = None
        if self.show_leaderboard:
            self.stream.write(leaderboard(outcome) + "\n")
            self.stream.flush()


def _tail(path: str, lines: int = 3) -> str:
    """The last lines of a trial's output, indented (the error is usually there)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            fh.seek(max(0, fh.tell() - 4096))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return ""
    tail = [line for line in text.splitlines() if line.strip() and not line.startswith("wandb:")][-lines:]
    return "".join(f"\n           {line}" for line in tail)


def leaderboard(outcome: SweepOutcome, n: int = 5) -> str:
    """The final summary: counts, the top runs with their metric, where results are, how to upload."""
    from ..text_table import render

    states: dict[str, int] = {}
    for r in outcome.results:
        states[r.state] = states.get(r.state, 0) + 1
    lines = [
        f"sweep {outcome.sweep_id} ended ({outcome.reason}): {len(outcome.results)} runs, "
        + ", ".join(f"{v} {k}" for k, v in sorted(states.items()))
    ]
    best = outcome.best(n)
    if best:
        keys = list(dict.fromkeys(k for r in best for k in r.config))
        rows = [
            [str(i), r.id, f"{r.metric:.6g}", r.state, *(_value(r.config.get(k, "")) for k in keys)]
            for i, r in enumerate(best, 1)
        ]
        lines.append(f"top {len(best)} by {outcome.metric} ({outcome.goal}):")
        lines.append(render(["#", "run", str(outcome.metric), "state", *keys], rows))
    elif outcome.metric:
        lines.append(f"no run reported {outcome.metric}.")
    from .sweep import _relative

    lines.append(f"results: {_relative(outcome.out_dir / 'results.jsonl')} (and results.csv)")
    if outcome.online:
        lines.append(f"W&B sweep (local controller) holding the runs: {outcome.url or outcome.online.path}")
        if not outcome.online_ended:
            lines.append(
                f"the sweep stays open on W&B (its search did not end): wandb sweep --stop {outcome.online.path}"
            )
    sync = outcome.sync_command()
    if sync:
        lines.append(f"offline runs: upload them with\n  {sync}")
        lines.append(f"then, to continue on W&B with them as the sweep's first runs:\n  {outcome.prior_run_command()}")
    return "\n".join(lines)
