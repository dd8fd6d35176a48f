"""What a user sees while a sweep runs: a live status (rich: counts, then each running trial with its
elapsed time and config) or one line per event, a failed run's last error lines and log as it ends,
and the final leaderboard with the `wandb sync` command for the offline runs (online: the W&B sweep's URL)."""

from __future__ import annotations

import json
import shutil
import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

from .results import RunResult, relative_path

if TYPE_CHECKING:  # annotations only: the loop calls the display, the display never imports the loop
    from .sweep import SweepOutcome, SweepRunner


class Display:
    """Callbacks of the sweep loop; this base class shows nothing."""

    def start(self, runner: SweepRunner) -> None: ...
    def started(self, run_id: str, config: dict[str, Any]) -> None: ...
    def stopping(self, run_id: str, at: int | None) -> None: ...
    def finished(self, result: RunResult) -> None: ...
    def tick(self, running: int, launched: int) -> None: ...
    def done(self, outcome: SweepOutcome | None) -> None:
        """The sweep ended (None: it ended on an error about to be raised)."""

    def note(self, text: str) -> None:
        """One line about how the sweep runs (e.g. why trials start cold)."""


NullDisplay = Display


def _value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return v if isinstance(v, str) else json.dumps(v)


def _shown(config: dict[str, Any]) -> dict[str, Any]:
    """A run's config as shown: a PBT run's `_pbt` lineage as `pbt=TRIAL#GENERATION` (from DONOR@ITERATION)."""
    from .chains import lineage, without_lineage

    block = lineage(config)
    if block is None:
        return config
    label = f"{block['trial']}#{block.get('generation')}"
    if block.get("donor"):
        label += f" from {block['donor']}@{block.get('iteration')}"
    return {"pbt": label, **without_lineage(config)}


def _config_text(config: dict[str, Any], width: int = 60) -> str:
    text = ", ".join(f"{k}={_value(v)}" for k, v in _shown(config).items())
    width = max(width, 8)
    return text if len(text) <= width else text[: width - 1] + "…"


def _width(stream: TextIO) -> int:
    """The terminal's width for `stream` (100 when it is not a terminal)."""
    try:
        if stream.isatty():
            return shutil.get_terminal_size((100, 24)).columns
    except (AttributeError, ValueError, OSError):
        pass
    return 100


class Counts:
    def __init__(self) -> None:
        self.by_state: dict[str, int] = {}
        self.best: float | None = None

    def add(self, result: RunResult, goal: str) -> None:
        self.by_state[result.label] = self.by_state.get(result.label, 0) + 1
        if result.ranks and result.metric is not None:
            better = max if goal == "maximize" else min
            self.best = result.metric if self.best is None else better(self.best, result.metric)

    @property
    def done(self) -> int:
        return sum(self.by_state.values())


STATUS_EVERY = 30.0
"""Plain output (not a terminal): seconds without a line while trials run before the status (counts and
the running trials) is printed again."""


class TextDisplay(Display):
    """Plain lines on a stream (stderr): for logs, pipes and CI. Live (a terminal, with rich): a status
    redrawn in place. Plain: one line per event, and while trials run, the status (counts, then each
    running trial with its elapsed time and config) whenever `status_every` seconds passed without a
    line: a quiet log shows what runs, a busy one is not flooded."""

    def __init__(
        self,
        stream: TextIO | None = None,
        live: bool = False,
        show_leaderboard: bool = True,
        status_every: float = STATUS_EVERY,
    ) -> None:
        self.stream = stream or sys.stderr
        self.status_every = status_every
        self._last_line = time.monotonic()
        self.show_leaderboard = show_leaderboard
        self.counts = Counts()
        self.t0 = time.monotonic()
        self.total: float = 0
        self.goal = "minimize"
        self.metric: str | None = None
        self._live = None
        self._use_rich = live
        self.running = 0
        self.active: dict[str, tuple[dict[str, Any], float]] = {}
        """The running trials: run id → (config, start time)."""

    def _print(self, text: str) -> None:
        if self._live is not None:
            self._live.console.print(text, markup=False, highlight=False)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()
            self._last_line = time.monotonic()

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

                console = Console(file=self.stream)
                self._live = Live(console=console, refresh_per_second=4)
                self._live.update(self._renderable())
                self._live.start()
            except ImportError:
                self._live = None

    def _status(self) -> str:
        c = self.counts
        parts = [f"done {c.done}", f"running {self.running}"]
        for state in ("stopped early", "killed", "failed", "crashed"):
            if c.by_state.get(state):
                parts.append(f"{state} {c.by_state[state]}")
        if c.best is not None:
            parts.append(f"best {self.metric} {c.best:.6g}")
        elapsed = time.monotonic() - self.t0
        parts.append(f"elapsed {elapsed:.0f}s")
        if c.done and self.total != float("inf"):
            left = max(0.0, (self.total - c.done) * elapsed / c.done)
            parts.append(f"eta {left:.0f}s")
        lines = [" | ".join(parts)]
        width = self._live.console.width if self._live is not None else _width(self.stream)
        now = time.monotonic()
        for run_id, (config, t0) in self.active.items():
            head = f"  {run_id}  {now - t0:5.0f}s  "
            lines.append(head + _config_text(config, width - len(head)))
        return "\n".join(lines)

    def _renderable(self) -> Any:
        """The status as plain text for rich (configs may hold brackets: no markup)."""
        from rich.text import Text

        return Text(self._status(), no_wrap=True, overflow="ellipsis")

    def started(self, run_id: str, config: dict[str, Any]) -> None:
        self.running += 1
        self.active[run_id] = (config, time.monotonic())
        if self._live is None:
            head = f"start  {run_id}  "
            self._print(head + _config_text(config, _width(self.stream) - len(head)))
        self._refresh()

    def stopping(self, run_id: str, at: int | None) -> None:
        self._print(f"stop   {run_id}  early termination after {at} values of {self.metric} (SIGTERM)")

    def finished(self, result: RunResult) -> None:
        self.running = max(0, self.running - 1)
        self.active.pop(result.id, None)
        self.counts.add(result, self.goal)
        metric = "" if result.metric is None else f"  {self.metric}={result.metric:.6g}"
        by = f", by {result.stopped_by}" if result.state == "killed" and result.stopped_by else ""
        self._print(f"{result.label:<8} {result.id}{metric}  ({result.wall_time:.1f}s{by})")
        if result.state in ("failed", "crashed"):
            self._print(failure_text(result))
        self._refresh()

    def tick(self, running: int, launched: int) -> None:
        self.running = running
        self._refresh()
        if self._live is None and self.active and time.monotonic() - self._last_line >= self.status_every:
            self._print(self._status())

    def _refresh(self) -> None:
        if self._live is not None:
            self._live.update(self._renderable())

    def done(self, outcome: SweepOutcome | None) -> None:
        if self._live is not None:
            self.active.clear()
            self._live.update(self._renderable())
            self._live.stop()
            self._live = None
        if outcome is not None and self.show_leaderboard:
            self.stream.write(leaderboard(outcome) + "\n")
            self.stream.flush()


def failure_text(result: RunResult) -> str:
    """A failed or crashed run as shown when it ends: its exit status, the last lines of its own error
    output (its traceback, without wandb's lines or terminal codes) and its log file."""
    code = result.exit_code
    how = f"exit status {code}" if code is None or code >= 0 else f"ended by signal {-code}"
    lines = [f"         {how}" + (f"; log: {result.output}" if result.output else "")]
    lines += [f"         | {line}" for line in result.error]
    return "\n".join(lines)


def _trials(outcome: SweepOutcome, n: int) -> list[str]:
    """A PBT sweep's trials (chains of runs), best final metric first: the lines of their table."""
    from ..text_table import render
    from .chains import chains, ranked

    found = chains(outcome.results)
    if not found:
        return []
    top = ranked(found, outcome.goal)[:n]
    generations = sum(c.generations for c in found)
    lines = [f"PBT: {len(found)} trials, {generations} runs (each trial a chain of runs, one per generation)"]
    if not top:
        return lines
    keys = list(dict.fromkeys(k for c in top for k in c.final_config))
    rows = []
    for i, c in enumerate(top, 1):
        best = c.best(outcome.goal)
        cells = [str(i), c.trial, f"{c.final:.6g}", "" if best is None else f"{best:.6g}", str(c.generations)]
        rows.append(cells + [c.last.run, *(_value(c.final_config.get(k, "")) for k in keys)])
    lines.append(f"top {len(top)} PBT trials by final {outcome.metric} ({outcome.goal}):")
    lines.append(render(["#", "trial", "final", "best", "generations", "last run", *keys], rows))
    return lines


def _pareto_lines(outcome: SweepOutcome) -> list[str]:
    """A multi-objective sweep's Pareto set: each run's values of every metric, and where the file is."""
    from ..text_table import render
    from .pareto import FILE, values

    front = outcome.pareto()
    over = ", ".join(f"{m} ({g})" for m, g in zip(outcome.metrics, outcome.goals, strict=True))
    if not front:
        return [f"Pareto set over {over}: no finished run reported every metric."]
    keys = list(dict.fromkeys(k for r in front for k in r.config))
    rows = [
        [
            r.id,
            *(f"{v:.6g}" for v in values(r.summary, outcome.metrics) or []),
            *(_value(r.config.get(k, "")) for k in keys),
        ]
        for r in front
    ]
    return [
        f"Pareto set ({len(front)} runs) over {over}: {relative_path(outcome.out_dir / FILE)}",
        render(["run", *outcome.metrics, *keys], rows),
    ]


def leaderboard(outcome: SweepOutcome, n: int = 5) -> str:
    """The final summary: counts, the top runs with their metric, where results are, how to upload."""
    from ..text_table import render

    states: dict[str, int] = {}
    for r in outcome.results:
        states[r.label] = states.get(r.label, 0) + 1
    lines = [
        f"sweep {outcome.sweep_id} ended ({outcome.reason}): {len(outcome.results)} runs, "
        + ", ".join(f"{v} {k}" for k, v in sorted(states.items()))
    ]
    best = outcome.best(n)
    if best:
        keys = list(dict.fromkeys(k for r in best for k in _shown(r.config)))
        rows = [
            [str(i), r.id, f"{r.metric:.6g}", r.label, *(_value(_shown(r.config).get(k, "")) for k in keys)]
            for i, r in enumerate(best, 1)
        ]
        lines.append(f"top {len(best)} by {outcome.metric} ({outcome.goal}):")
        lines.append(render(["#", "run", str(outcome.metric), "state", *keys], rows))
    elif outcome.metric:
        lines.append(f"no finished run reported {outcome.metric}.")
    lines += _trials(outcome, n)
    if len(outcome.metrics) > 1:
        lines += _pareto_lines(outcome)
    if outcome.missing_metric:
        lines.append(f"error: {outcome.missing_metric}")
    elif not any(r.state == "finished" for r in outcome.results) and not outcome.interrupted:
        lines.append("error: no run finished (see the failed runs' errors and logs above).")
    lines.append(f"results: {relative_path(outcome.out_dir / 'results.jsonl')} (and results.csv)")
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
