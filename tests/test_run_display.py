"""sweepbridge.runner.display: running trials with config and elapsed time, failures with their error
lines and log, states as W&B names them, failed runs never best."""

from __future__ import annotations

import io
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from sweepbridge.runner.display import TextDisplay, leaderboard
from sweepbridge.runner.results import RunResult


def result(run_id: str, state: str, metric: float | None, **kw) -> RunResult:
    return RunResult(id=run_id, config={"lr": 0.1}, state=state, metric=metric, history_rows=2, wall_time=1.0, **kw)


def runner(**kw):
    base = dict(budget=float("inf"), goal="minimize", metrics=["loss"], jobs=2, config={"method": "grid"})
    return SimpleNamespace(sweep_id="sw", mode="offline", **{**base, **kw})


def test_the_status_lists_each_running_trial_with_elapsed_time_and_config_cut_to_the_width():
    stream = io.StringIO()
    display = TextDisplay(stream)
    display.start(runner())
    display.started("run1", {"lr": 0.001, "name": "x" * 300})
    display.started("run2", {"lr": 0.5})
    status = display._status().splitlines()
    assert status[0].startswith("done 0 | running 2")
    assert status[1].startswith("  run1      0s  lr=0.001, name=xxx") and status[1].endswith("…")
    assert status[2].strip().endswith("lr=0.5")
    assert all(len(line) <= 100 for line in status)
    assert all(len(line) <= 100 for line in stream.getvalue().splitlines())  # the start lines too
    display.finished(result("run1", "finished", 1.0))
    assert [line.split()[0] for line in display._status().splitlines()[1:]] == ["run2"]


def test_a_failure_shows_its_error_lines_and_log_and_never_sets_best():
    stream = io.StringIO()
    display = TextDisplay(stream)
    display.start(runner())
    display.started("bad", {})
    error = ["Traceback (most recent call last):", '  File "prog.py", line 3', "ValueError: no"]
    display.finished(result("bad", "failed", -100.0, exit_code=1, output="out/logs/bad.log", error=error))
    display.finished(result("stop", "killed", 3.0, stopped_by="early_terminate"))
    display.finished(result("int", "killed", None, stopped_by="user"))
    text = stream.getvalue()
    assert "exit status 1; log: out/logs/bad.log" in text and "| ValueError: no" in text
    assert "stopped early stop" in text and "by early_terminate" in text and "killed   int" in text
    assert display.counts.best == 3.0  # the failed run's -100 never counts
    status = display._status()
    assert "stopped early 1" in status and "killed 1" in status and "failed 1" in status


def test_the_leaderboard_ranks_no_failed_run():
    from sweepbridge.runner.sweep import SweepOutcome

    results = [
        result("f", "failed", -5.0),
        result("c", "crashed", -4.0),
        result("ok", "finished", 2.0),
        result("early", "killed", 3.0, stopped_by="early_terminate"),
    ]
    outcome = SweepOutcome("sw", results, Path("out"), [], "done", metric="loss", mode="disabled")
    assert [r.id for r in outcome.best()] == ["ok", "early"] and outcome.exit_status == 0
    text = leaderboard(outcome)
    assert "1 crashed, 1 failed, 1 finished, 1 stopped early" in text
    table = text.split("top 2 by loss")[1]
    assert " f " not in table and " c " not in table and "stopped early" in table
    failed_only = SweepOutcome("sw", results[:2], Path("out"), [], "done", metric="loss", mode="disabled")
    assert failed_only.best() == [] and failed_only.exit_status == 4
    assert "no run finished" in leaderboard(failed_only)


def test_the_live_status_shows_configs_with_brackets_as_they_are():
    pytest.importorskip("rich")
    from rich.console import Console

    display = TextDisplay(io.StringIO(), live=True)
    display.start(runner())
    display.started("run1", {"layers": [64, 32], "tag": "[bold]x"})
    screen = io.StringIO()
    Console(file=screen, width=100).print(display._renderable())
    display.done(None)
    assert "layers=[64, 32], tag=[bold]x" in screen.getvalue()


def test_plain_output_shows_the_running_trials_after_a_quiet_spell_never_more_often():
    stream = io.StringIO()
    display = TextDisplay(stream, status_every=0.3)
    display.start(runner())
    display.started("run1", {"lr": 0.001})
    for _ in range(5):  # the loop's ticks right after a line: nothing more is printed
        display.tick(1, 1)
    assert stream.getvalue().count("running 1") == 0
    time.sleep(0.35)
    display.tick(1, 1)
    display.tick(1, 1)  # printed once: the status is itself a line
    blocks = [line for line in stream.getvalue().splitlines() if line.startswith("done 0 | running 1")]
    assert len(blocks) == 1
    run_id, elapsed, config = stream.getvalue().splitlines()[-1].split()
    assert (run_id, config) == ("run1", "lr=0.001") and elapsed.endswith("s")
    display.finished(result("run1", "finished", 1.0))
    time.sleep(0.35)
    display.tick(0, 1)  # nothing runs: no status
    assert stream.getvalue().count("done ") == 1
