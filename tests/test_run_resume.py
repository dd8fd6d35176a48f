"""`sweepbridge run --resume DIR` / `run_sweep(resume=DIR)`: a sweep whose runner is killed (SIGKILL) at
random moments and resumed until done behaves as one uninterrupted sweep (runner/resume.py)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from clirun import run, script
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sweepbridge.errors import SpecError
from sweepbridge.runner import run_sweep
from sweepbridge.runner.display import Display
from sweepbridge.runner.engine import Engine
from sweepbridge.runner.resume import JOURNAL, STATE_FILE, load, read_lines

HERE = Path(__file__).resolve().parent
BIN = os.path.dirname(sys.executable)
GRID = {
    "program": "prog.py",
    "method": "grid",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {"curve": {"values": [0.5, 0.4, 0.3, 0.2]}, "pause": {"value": 0.2}},
}
FUNCTION_RUNNER = """\
import sys, time
import wandb
from sweepbridge.runner import run_sweep

def train():
    run = wandb.init()
    for step in range(3):
        run.log({"loss": run.config["x"] * (3 - step)}, step=step)
        time.sleep(0.15)

cfg = %r
if sys.argv[1] == "new":
    run_sweep(cfg, function=train, count=%d, out="out")
else:
    run_sweep(resume="out", function=train)
"""
KILLS = st.lists(st.floats(min_value=0.0, max_value=7.0), min_size=1, max_size=3)
"""Moments (seconds after a runner starts) at which it is killed, one per runner before the last."""


@pytest.fixture
def workdir(tmp_path, monkeypatch, wandb_env):
    shutil.copy(HERE / "run_program.py", tmp_path / "prog.py")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", os.pathsep.join([BIN, os.environ.get("PATH", "")]))
    monkeypatch.delenv("WANDB_DIR")
    return tmp_path


def _fresh(workdir: Path) -> None:
    for name in ("out", "wandb", "records"):
        shutil.rmtree(workdir / name, ignore_errors=True)


def kill_and_resume(workdir: Path, first: list[str], again: list[str], kills: list[float], last: bool = True) -> int:
    """Start `first`, SIGKILL it after kills[0] s; then `again` (the resume), killed after kills[1] s, ...;
    then (with `last`) `again` until it ends by itself. A runner killed before it wrote its state left
    nothing to resume: `first` again. Returns how many runners were killed."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    killed = 0
    for delay in [*kills, *([None] if last else [])]:
        started = (workdir / "out" / STATE_FILE).exists()
        proc = subprocess.Popen(
            again if started else first, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        if delay is None:
            _, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            break
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.communicate(timeout=60)
        time.sleep(0.2)  # the trials die with their runner (SIGTERM from the kernel)
    return killed


def results(workdir: Path) -> list[dict]:
    return list(read_lines(workdir / "out" / "results.jsonl"))


def grid_order(config: dict) -> list[dict]:
    """The configs W&B's engine enumerates for a grid sweep run without interruption, one run at a time."""
    engine = Engine(config, "order")
    order = []
    while asked := engine.ask(1):
        order.append(asked[0][1])
    return order


@pytest.mark.slow
@settings(max_examples=2, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(kills=KILLS)
def test_a_killed_grid_resumed_runs_every_point_once_in_the_engines_order(workdir, kills):
    _fresh(workdir)
    (workdir / "sweep.yaml").write_text(yaml.safe_dump(GRID))
    cli = script()
    kill_and_resume(workdir, [*cli, "run", "sweep.yaml", "--out", "out"], [*cli, "run", "--resume", "out"], kills)
    lines = results(workdir)
    assert [line["config"] for line in lines] == grid_order(GRID)  # every point once, in the uninterrupted order
    assert len({line["id"] for line in lines}) == len(lines)
    programs: dict[float, int] = {}
    for record in (workdir / "records").glob("[!.]*.json"):  # each program that reached wandb.init
        curve = json.loads(record.read_text())["config"]["curve"]
        programs[curve] = programs.get(curve, 0) + 1
    assert all(n == 1 for n in programs.values()), programs  # no point run twice
    for line in lines:
        assert line["state"] in ("finished", "crashed", "failed"), line
        if line["state"] == "finished":
            assert line["metric"] == line["config"]["curve"]
    state = json.loads((workdir / "out" / STATE_FILE).read_text())
    assert state["finished"] and state["reason"] == "the search space is exhausted"


@pytest.mark.slow
@settings(max_examples=2, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(kills=KILLS)
def test_a_killed_random_sweep_resumed_runs_exactly_its_budget(workdir, kills):
    _fresh(workdir)
    cfg = {"method": "random", "metric": {"name": "loss"}, "parameters": {"x": {"min": 0.0, "max": 1.0}}}
    (workdir / "runner.py").write_text(FUNCTION_RUNNER % (cfg, 4))
    python = [sys.executable, "runner.py"]
    kill_and_resume(workdir, [*python, "new"], [*python, "resume"], kills)
    lines = results(workdir)
    assert len(lines) == 4 and len({line["id"] for line in lines}) == 4  # the budget counts every run
    for line in lines:
        assert line["state"] in ("finished", "crashed", "killed"), line
    state = json.loads((workdir / "out" / STATE_FILE).read_text())
    assert state["count"] == 4 and state["reason"] == "4 runs"


class EngineSpy(Display):
    """Keeps the runner, to read what its engine holds when the sweep ends."""

    def start(self, runner) -> None:
        self.runner = runner

    def done(self, outcome) -> None:
        self.outcome = outcome
        self.seen = {r.config["x"]["value"]: r for r in self.runner.engine.optimizer._runs.values()}


@pytest.mark.slow
@settings(max_examples=2, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(kills=KILLS)
def test_a_killed_bayes_sweep_resumed_tells_the_engine_every_earlier_run(workdir, kills):
    import wandb

    _fresh(workdir)
    cfg = {"method": "bayes", "metric": {"name": "loss"}, "parameters": {"x": {"min": 0.0, "max": 1.0}}}
    (workdir / "runner.py").write_text(FUNCTION_RUNNER % (cfg, 5))
    python = [sys.executable, "runner.py"]
    kill_and_resume(workdir, [*python, "new"], [*python, "resume"], kills, last=False)
    if not (workdir / "out" / STATE_FILE).exists():  # killed before it began: kill one once it has begun
        proc = subprocess.Popen([*python, "new"], cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not (workdir / "out" / JOURNAL).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    before = results(workdir)
    spy = EngineSpy()

    def train():
        run = wandb.init()
        run.log({"loss": run.config["x"] * 3}, step=0)

    outcome = run_sweep(resume="out", function=train, display=spy)
    lines = results(workdir)
    assert len(lines) == len(outcome.results) == 5
    assert [r.id for r in outcome.results] == [line["id"] for line in lines]
    assert len(spy.seen) == 5
    for line in lines:  # every run of the sweep, the earlier ones too, with state and metric
        run = spy.seen[line["config"]["x"]]
        assert getattr(run.state, "value", run.state) == line["state"]  # sweeps keeps a told run's state as text
        if line["state"] == "finished":
            assert run.summary_metrics["loss"] == line["metric"]
            assert run.history and run.history[-1]["loss"] == line["metric"]
    assert {line["id"] for line in before} <= {line["id"] for line in lines}


def test_resume_refusals(workdir):
    with pytest.raises(SpecError, match="no such directory"):
        run_sweep(resume="nowhere")
    (workdir / "empty").mkdir()
    with pytest.raises(SpecError, match="no sweep to resume"):
        run_sweep(resume="empty")
    done = run("run", cwd=workdir)
    assert done.code == 1 and "--resume" in done.err


def test_an_ended_sweep_resumed_runs_nothing_more_and_another_sweep_is_refused(workdir):
    cfg = {**GRID, "parameters": {"curve": {"values": [0.5, 0.25]}}}
    first = run_sweep(cfg, out="out")
    assert len(first.results) == 2
    again = run_sweep(resume="out")
    assert [r.id for r in again.results] == [r.id for r in first.results]
    assert again.reason == "the search space is exhausted" and len(results(workdir)) == 2
    with pytest.raises(SpecError, match="not the sweep in"):
        run_sweep({**cfg, "method": "random"}, resume="out")
    with pytest.raises(SpecError, match="names another directory"):
        run_sweep(resume="out", out="elsewhere")
    with pytest.raises(SpecError, match="resumes so"):
        run_sweep(resume="out", mode="online")


@pytest.mark.slow
def test_a_resume_runs_as_many_trials_at_once_as_the_sweep_did_unless_told(workdir):
    """--jobs is saved with the sweep (runner.json); a resume reuses it, an explicit jobs wins (and is saved)."""
    cfg = {**GRID, "parameters": {"curve": {"values": [0.5, 0.25, 0.125]}, "pause": {"value": 0.0}}}
    run_sweep(cfg, out="out", count=1, jobs=2)
    assert json.loads((workdir / "out" / STATE_FILE).read_text())["jobs"] == 2
    spy = EngineSpy.__new__(EngineSpy)
    spy.done = lambda outcome: None
    run_sweep(resume="out", display=spy)  # the budget (count 1) is spent: nothing runs
    assert spy.runner.jobs == 2
    run_sweep(resume="out", jobs=1, display=spy)
    assert spy.runner.jobs == 1 and json.loads((workdir / "out" / STATE_FILE).read_text())["jobs"] == 1


def test_a_torn_journal_and_results_tail_is_skipped_and_never_appended_to(workdir):
    cfg = {**GRID, "parameters": {"curve": {"values": [0.5, 0.25, 0.125]}}}
    run_sweep(cfg, out="out", count=1)
    with open(workdir / "out" / "results.jsonl", "a") as fh:
        fh.write('{"id": "torn", "conf')
    with open(workdir / "out" / JOURNAL, "a") as fh:
        fh.write('{"event": "start", "id": "to')
    state = load(workdir / "out")
    assert [r.result.config["curve"] for r in state.runs] == [0.5]
    run_sweep(resume="out", count=2)
    journal = (workdir / "out" / JOURNAL).read_text().splitlines()
    assert journal[3] == '{"event": "start", "id": "to' and all(json.loads(line) for line in journal[4:])


def test_a_trial_chosen_but_never_launched_is_not_a_run_and_its_point_comes_again(workdir):
    """The runner died between choosing a config and starting its trial: W&B never saw that run."""
    cfg = {**GRID, "parameters": {"curve": {"values": [0.5, 0.25]}}}
    run_sweep(cfg, out="out", count=1)
    with open(workdir / "out" / JOURNAL, "a") as fh:
        fh.write(json.dumps({"event": "start", "id": "ghost001", "config": {"curve": 0.25}}) + "\n")
    state = load(workdir / "out")
    assert state.forgotten == ["ghost001"] and len(state.runs) == 1
    outcome = run_sweep(resume="out", count=2)  # a larger budget than the first run's
    assert [r.config["curve"] for r in outcome.results] == [0.5, 0.25]
    assert "ghost001" not in {r.id for r in outcome.results}


def test_a_custom_optuna_sweep_resumed_warm_starts_the_study_with_every_earlier_run(workdir):
    """`method: custom`: wandb's Optuna optimizer gets the earlier runs through its warm-start hook."""
    pytest.importorskip("optuna")
    import optuna
    import wandb

    (workdir / "space.py").write_text(
        "import optuna\n\n"
        "def optimizer(sweep):\n"
        "    return optuna.create_study(direction='minimize', sampler=optuna.samplers.RandomSampler(seed=1))\n\n"
        "def search_space(trial):\n"
        "    return {'x': trial.suggest_float('x', 0.0, 1.0)}\n"
    )
    cfg = {
        "method": "custom",
        "metric": {"name": "loss", "goal": "minimize"},
        "scheduler": {
            "engine": "optuna",
            "source": str(workdir / "space.py"),
            "optimizer": "optimizer",
            "search_space": "search_space",
        },
        "parameters": {"x": {"min": 0.0, "max": 1.0}},
    }

    def train():
        run = wandb.init()
        run.log({"loss": run.config["x"] + 1}, step=0)

    first = run_sweep(cfg, function=train, count=2, out="out")
    spy = EngineSpy.__new__(EngineSpy)
    spy.start = lambda runner: setattr(spy, "runner", runner)  # noqa: B010
    spy.done = lambda outcome: None
    again = run_sweep(resume="out", function=train, count=3, display=spy)
    trials = spy.runner.engine.optimizer.study.trials
    assert len(again.results) == 3 and [r.id for r in again.results][:2] == [r.id for r in first.results]
    assert [t.state for t in trials] == [optuna.trial.TrialState.COMPLETE] * 3
    assert sorted(t.params["x"] for t in trials) == sorted(r.config["x"] for r in again.results)
    assert sorted(t.value for t in trials) == sorted(r.metric for r in again.results)


def test_hyperband_after_a_resume_ranks_new_runs_against_the_earlier_runs_histories(workdir):
    """A bad run alone is never stopped by hyperband; resumed after two good runs, it is stopped at a band."""
    import wandb

    curves = {"good": [1.0, 0.5, 0.3, 0.2, 0.1, 0.1], "bad": [10.0] * 30}

    def train():
        run = wandb.init()
        for step, value in enumerate(curves[run.config["curve"].rstrip("12")]):
            run.log({"loss": value}, step=step)
            time.sleep(0.1)

    def cfg(points):
        return {
            "method": "grid",
            "metric": {"name": "loss", "goal": "minimize"},
            "early_terminate": {"type": "hyperband", "min_iter": 2, "eta": 2},
            "parameters": {"curve": {"values": points}},
        }

    alone = run_sweep(cfg(["bad"]), function=train, out="alone", grace=5)
    assert [(r.state, r.history_rows) for r in alone.results] == [("finished", 30)]
    run_sweep(cfg(["good1", "good2", "bad"]), function=train, out="out", count=2, grace=5)
    resumed = run_sweep(resume="out", function=train, count=3, grace=5)
    *good, bad = resumed.results
    assert [r.state for r in good] == ["finished"] * 2 and bad.config == {"curve": "bad"}
    assert bad.state == "killed" and bad.stopped_at is not None and bad.history_rows < 30


STUBBORN = """\
import os, signal, time
import wandb

signal.signal(signal.SIGTERM, signal.SIG_IGN)  # survives its runner's death (the kernel's SIGTERM)
run = wandb.init()
open(f"pid-{os.getpid()}", "w").close()
for step in range(600):
    run.log({"loss": 1.0 + step}, step=step)
    time.sleep(0.1)
"""


def test_a_trial_left_running_by_a_killed_runner_is_stopped_and_marked_crashed_with_its_history(workdir):
    (workdir / "stubborn.py").write_text(STUBBORN)
    cfg = {"program": "stubborn.py", "method": "grid", "metric": {"name": "loss"}, "parameters": {"a": {"value": 1}}}
    (workdir / "sweep.yaml").write_text(yaml.safe_dump(cfg))
    env = {**os.environ, "WANDB_AGENT_KILL_DELAY": "1"}
    runner = subprocess.Popen([*script(), "run", "sweep.yaml", "--out", "out"], cwd=workdir, env=env)
    deadline = time.monotonic() + 90
    while not list(workdir.glob("pid-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # a few steps logged
    runner.send_signal(signal.SIGKILL)
    runner.wait(timeout=30)
    (marker,) = workdir.glob("pid-*")
    pid = int(marker.name.split("-")[1])
    # still running where the runner's death only sent SIGTERM (a runner that takes its trials with it
    # leaves nothing to stop): either way, after the resume it is gone and its run is crashed
    done = run("run", "--resume", "out", cwd=workdir, env={"WANDB_AGENT_KILL_DELAY": "1"})
    assert done.code == 4, done.err  # the sweep's one run crashed: no run finished (documented exit status 4)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    (line,) = results(workdir)
    assert line["state"] == "crashed" and line["exit_code"] is None and line["history_rows"] >= 5
    assert line["metric"] == 1.0 + line["history_rows"] - 1  # the last value its log holds
