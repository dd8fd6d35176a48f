"""W&B's early termination as the runner applies it (runner/sweep.py `_early_terminate`, engine.py
`checkpoints`), deterministically: the rows of a run's log arrive in batches (wandb-core's reader reports
about once a second), and whether a run is stopped must not depend on how they were batched. Real
W&B engine, a real trial process (`sleep`); the run's log records are handed to its RunLog directly."""

from __future__ import annotations

import sys

import pytest

from sweepbridge.runner.engine import RunReport
from sweepbridge.runner.history import RunLog
from sweepbridge.runner.launch import ProcessTrial, TrialSpec
from sweepbridge.runner.sweep import Active, SweepRunner

sweeps = pytest.importorskip("sweeps")

GOOD = [1.0, 0.5, 0.3, 0.2, 0.1, 0.1]
CONFIG = {
    "method": "grid",
    "metric": {"name": "loss", "goal": "minimize"},
    "early_terminate": {"type": "hyperband", "min_iter": 2, "eta": 2},
    "parameters": {"curve": {"values": ["good1", "good2", "bad"]}},
}


def rows(values: list[float]) -> list[dict]:
    return [{"loss": v, "_step": i} for i, v in enumerate(values)]


@pytest.fixture
def runner(tmp_path, wandb_env):
    """A sweep whose two good runs have finished; its third (bad) run's optimizer id."""
    runner = SweepRunner(CONFIG, function=lambda: None, out=tmp_path / "out")
    asked = [runner.engine.ask(1)[0] for _ in range(3)]
    for opt_id, config in asked[:2]:
        runner.engine.tell(opt_id, RunReport(config, "finished", {"loss": GOOD[-1]}, rows(GOOD)))
    runner.bad = asked[2][0]
    return runner


@pytest.fixture
def bad_run(tmp_path):
    """The bad run: a live process, and its log's records (fed by the test)."""
    spec = TrialSpec("s1", "badrun", {"curve": "bad"})
    output = open(tmp_path / "bad.log", "ab")
    trial = ProcessTrial(spec, [sys.executable, "-c", "import time; time.sleep(60)"], {}, output)
    active = Active(trial, "", RunLog(["loss"]), 0.0)
    yield active
    trial.kill()
    trial.popen.wait(timeout=10)


def logged(active: Active, values: list[float], exit_code: int | None = None) -> None:
    for row in rows(values):
        active.log.add({"type": "history", "history": {"item": row}})
    if exit_code is not None:
        active.log.add({"type": "exit", "exit": {"exit_code": exit_code}})


def test_rows_read_in_one_batch_are_judged_at_each_band_they_reach(runner, bad_run):
    """Eight bad rows read at once: judged at its latest length only, W&B's hyperband would let it pass
    (it alone reached band 8, so it sets that band's threshold); judged at band 2, it stops there."""
    bad_run.opt_id = runner.bad
    logged(bad_run, [10.0] * 8)
    whole = RunReport({"curve": "bad"}, "running", {}, bad_run.log.snapshot()[0])
    assert runner.engine.checkpoints(whole.history, 0) == [2, 4, 8]
    assert sweeps.stop_runs(CONFIG, [*finished_runs(), sweep_run(whole.history)]) == []  # the batching trap
    runner._early_terminate({runner.bad: bad_run})
    assert bad_run.trial.stopped and bad_run.trial.stopped_by == "early_terminate"
    assert bad_run.stopped_at == 2 and bad_run.judged == 8
    assert sweeps.stop_runs(CONFIG, [*finished_runs(), sweep_run(whole.history[:2])])  # W&B's own verdict at 2


def test_a_run_whose_exit_record_is_logged_is_never_stopped(runner, bad_run):
    """The race: the run's log already holds its exit record (it has finished) while its process is still
    ending. W&B's server stops only running runs: it is neither told as running nor judged."""
    bad_run.opt_id = runner.bad
    logged(bad_run, [10.0] * 8, exit_code=0)
    assert bad_run.trial.poll() is None  # the process is still there
    runner._early_terminate({runner.bad: bad_run})
    assert not bad_run.trial.stopped and bad_run.stopped_at is None and bad_run.judged == 0


def test_a_run_passing_its_bands_is_judged_again_only_on_new_rows(runner, bad_run):
    good = [1.0, 0.4, 0.2, 0.1, 0.05, 0.05, 0.01, 0.01]
    logged(bad_run, good[:3])
    runner._early_terminate({runner.bad: bad_run})
    assert not bad_run.trial.stopped and bad_run.judged == 3
    assert runner.engine.checkpoints(rows(good), 3) == [4, 8]
    logged(bad_run, good[3:])
    runner._early_terminate({runner.bad: bad_run})
    assert not bad_run.trial.stopped and bad_run.judged == 8


@pytest.mark.parametrize(
    ("extra", "values", "judged", "want"),
    [
        ({}, [10.0] * 8, 0, [8]),  # no early_terminate: the whole history only
        ({"early_terminate": {"type": "hyperband", "min_iter": 2, "eta": 2}}, [1.0], 0, [1]),
        ({"early_terminate": {"type": "hyperband", "min_iter": 2, "eta": 2}}, [1.0] * 17, 4, [8, 16, 17]),
        # rows W&B's hyperband does not count (a NaN, a string) do not advance a band
        ({"early_terminate": {"type": "hyperband", "min_iter": 2, "eta": 2}}, [1.0, "nan", 2.0, "x", 3.0], 0, [3, 5]),
        ({"early_terminate": {"type": "hyperband", "max_iter": 27, "eta": 3, "s": 2}}, [1.0] * 10, 0, [3, 9, 10]),
    ],
)
def test_checkpoints_are_the_bands_wandbs_hyperband_computes(extra, values, judged, want, wandb_env):
    from sweepbridge.runner.engine import Engine

    cfg = {k: v for k, v in CONFIG.items() if k != "early_terminate"}
    engine = Engine({**cfg, **extra}, "s1")
    history = [{"loss": float(v) if v == "nan" else v, "_step": i} for i, v in enumerate(values)]
    assert engine.checkpoints(history, judged) == want


def finished_runs() -> list:
    return [
        sweeps.SweepRun(name=n, config={"curve": {"value": n}}, state="finished", history=rows(GOOD))
        for n in ("good1", "good2")
    ]


def sweep_run(history: list[dict]):
    return sweeps.SweepRun(name="bad", config={"curve": {"value": "bad"}}, state="running", history=history)
