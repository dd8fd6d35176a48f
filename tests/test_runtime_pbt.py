"""A PBT sweep's runs under `sweepbridge trial` (started as the agent starts them, offline): checkpoints
published to the shared storage, a continuation restoring its donor's checkpoint and continuing its
training_iteration and time_total_s, lineage in the W&B run, a missing donor checkpoint failing the run.

The runs get hand-made `_pbt` blocks (the contract the generated PBT scheduler fills in, docs/pbt-runs.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from trialrun import run_trial

pytest.importorskip("wandb")

pytestmark = pytest.mark.slow  # end to end: trial processes logging real wandb runs

PROGRAM = str(Path(__file__).parent / "pbt_trainables.py")
RAY_PROGRAM = str(Path(__file__).parent / "pbt_ray_trainables.py")
STEP_S = 1.5


def lineage(trial, generation, storage, donor=None, iteration=None):
    parent = f"{trial}/{generation - 1:04d}" if generation else None
    return {"trial": trial, "generation": generation, "parent": parent, "donor": donor, "iteration": iteration,
            "storage": str(storage)}  # fmt: skip


def _run(tmp_path, trainable, params, run_id, program=PROGRAM):
    probe = tmp_path / f"probe-{run_id}.jsonl"
    proc, run = run_trial(tmp_path, tmp_path, program, trainable, params, run_id=run_id,
                          extra_env={"PROBE": str(probe)})  # fmt: skip
    seen = [json.loads(line) for line in probe.read_text().splitlines()] if probe.exists() else []
    return proc, run, seen


def _published(root: Path, run: str) -> dict[int, dict]:
    """The checkpoints published for `run` (trial/GGGG): iteration -> marker."""
    found = {}
    for marker in (root / run).glob("checkpoint_*/.sweepbridge_checkpoint.json"):
        info = json.loads(marker.read_text())
        assert marker.parent.name == f"checkpoint_{info['training_iteration']:06d}"
        found[info["training_iteration"]] = info
    return found


def test_function_trainable_publishes_and_a_continuation_restores_the_donor(tmp_path):
    """Ray's own tune.get_checkpoint() / tune.report (no Ray process; sweepbridge's mirror of them runs in
    tests/test_runtime_pbt_agents.py and tests/test_run_pbt.py)."""
    pytest.importorskip("ray.tune")
    trainable, program = "train_ray_weights", RAY_PROGRAM
    storage = tmp_path / "storage"
    donor = {"lr": 1.0, "steps": 3, "_pbt": lineage("pbt_00001", 0, storage)}
    proc, run, seen = _run(tmp_path, trainable, donor, "donor01", program)
    assert proc.returncode == 0, proc.stderr
    assert run.config == donor  # W&B keeps the lineage in the run's config
    assert seen[0]["config"] == {"lr": 1.0, "steps": 3}  # the trainable never sees it
    assert (run.group, run.tags) == ("pbt_00001", ["pbt", "generation:0"])
    assert [(r["training_iteration"], r["_pbt_checkpoint"]) for r in run.history] == [(1, 1), (2, 2), (3, 3)]
    published = _published(storage, "pbt_00001/0000")
    assert sorted(published) == [1, 2, 3] and published[2]["time_total_s"] == 2 * STEP_S
    for row in run.history:  # each checkpoint was in the storage (renamed into place) before its row was logged:
        folder = storage / "pbt_00001/0000" / f"checkpoint_{row['training_iteration']:06d}"  # the scheduler, which
        assert folder.stat().st_ctime <= row["_timestamp"]  # sees the row, finds the checkpoint it marks
    assert json.loads((storage / "pbt_00001/0000/checkpoint_000002/state.json").read_text()) == {
        "w": 2.0,
        "by": "donor01",
    }

    explored = {"lr": 10.0, "steps": 2, "_pbt": lineage("pbt_00000", 1, storage, "pbt_00001/0000", 2)}
    proc, run, seen = _run(tmp_path, trainable, explored, "cont01", program)
    assert proc.returncode == 0, proc.stderr
    (start,) = seen
    assert start["checkpoint_class"].startswith("ray.")  # Ray's Checkpoint class, over the published files
    assert (start["loaded"], start["start"]) == ("donor01", 2.0)  # the donor's checkpoint of iteration 2
    assert start["config"] == {"lr": 10.0, "steps": 2}  # the explored config
    rows = [(r["training_iteration"], r["w"], r["time_total_s"], r["iterations_since_restore"]) for r in run.history]
    assert rows == [(3, 12.0, 3 * STEP_S, 1), (4, 22.0, 4 * STEP_S, 2)]  # continues as Ray's trial after an exploit
    assert (run.group, run.tags) == ("pbt_00000", ["pbt", "generation:1"])
    assert sorted(_published(storage, "pbt_00000/0001")) == [3, 4]


@pytest.mark.parametrize(
    ("trainable", "uri", "program"),
    [("WeightTrainable", True, PROGRAM), ("RayWeightTrainable", False, RAY_PROGRAM)],
)  # fmt: skip
def test_class_trainable_continuation_loads_the_donor_through_load_checkpoint(tmp_path, trainable, uri, program):
    """sweepbridge's Trainable with the storage as a file:// URI (pyarrow's filesystems); a real
    ray.tune.Trainable (Ray's own iteration and time counters restored) with a directory."""
    if uri:
        pytest.importorskip("pyarrow")
    if program == RAY_PROGRAM:
        pytest.importorskip("ray.tune")
    root = tmp_path / "storage"
    storage = f"file://{root}" if uri else str(root)
    donor = {"lr": 1.0, "until": 3, "_pbt": lineage("pbt_00002", 0, storage)}
    proc, run, _ = _run(tmp_path, trainable, donor, "donor02", program)
    assert proc.returncode == 0, proc.stderr
    # a class trainable under PBT is checkpointed every iteration, before its row is logged
    assert [r.get("_pbt_checkpoint") for r in run.history] == [1, 2, 3]
    assert sorted(_published(root, "pbt_00002/0000")) == [1, 2, 3]

    explored = {"lr": 10.0, "until": 4, "_pbt": lineage("pbt_00003", 2, storage, "pbt_00002/0000", 1)}
    proc, run, seen = _run(tmp_path, trainable, explored, "cont02", program)
    assert proc.returncode == 0, proc.stderr
    (loaded,) = seen
    assert (loaded["loaded"], loaded["start"], loaded["config"]) == ("donor02", 1.0, {"lr": 10.0, "until": 4})
    rows = [(r["training_iteration"], r["w"], r["time_total_s"]) for r in run.history]
    assert rows == [(2, 11.0, 2 * STEP_S), (3, 21.0, 3 * STEP_S), (4, 31.0, 4 * STEP_S)]
    assert sorted(_published(root, "pbt_00003/0002")) == [2, 3, 4]


def test_missing_donor_checkpoint_fails_the_run_naming_the_path(tmp_path):
    storage = tmp_path / "storage"
    explored = {"lr": 1.0, "steps": 2, "_pbt": lineage("pbt_00000", 1, storage, "pbt_00004/0000", 7)}
    proc, run, seen = _run(tmp_path, "train_weights", explored, "cont03")
    assert proc.returncode == 1
    assert str(storage / "pbt_00004/0000/checkpoint_000007") in proc.stderr
    assert "does not exist" in proc.stderr and "rather than start from scratch" in proc.stderr
    assert seen == [] and run.history == [] and run.exit_code == 1  # the trainable never started


def test_a_run_that_never_reports_a_checkpoint_is_warned(tmp_path):
    params = {"lr": 1.0, "steps": 2, "no_checkpoints": True, "_pbt": lineage("pbt_00002", 0, tmp_path / "storage")}
    proc, run, _ = _run(tmp_path, "train_weights", params, "bare01")
    assert proc.returncode == 0, proc.stderr
    assert "PBT trial pbt_00002 (generation 0) reported no checkpoint" in proc.stderr
    assert [r.get("_pbt_checkpoint") for r in run.history] == [None, None] and not (tmp_path / "storage").exists()


class _Rows:
    """The training_iterations of the rows a run's transaction log holds (what the runner and W&B see), read as
    the runner reads them: wandb-core's reader following the log."""

    def __init__(self, home: Path, run_id: str) -> None:
        from sweepbridge.runner.history import RunLog

        self.home, self.run_id, self.log = home, run_id, RunLog(["w"], extra=["training_iteration"])

    def __call__(self) -> list[int]:
        from sweepbridge.runner.history import find_log

        if not self.log.started and (path := find_log(self.home, self.run_id)) is not None:
            self.log.start(path)
        return [row["training_iteration"] for row in self.log.snapshot()[0]]

    def close(self) -> None:
        if self.log.started:
            self.log.close(wait=5.0)


def _until(predicate, timeout: float = 60.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_run_holds_at_each_point_pbt_judges_until_the_scheduler_decides(tmp_path):
    """hold=2: the run logs iteration 2 at once (committed: the scheduler must see it) and trains no further
    until decision_000002.json says go on (next hold 4); at 4 it is told to stop and ends by itself."""
    from trialrun import start_trial

    from sweepbridge.runner.launch import RUNNER_ENV

    storage = tmp_path / "storage"
    params = {"lr": 1.0, "steps": 6, "_pbt": {**lineage("pbt_00001", 0, storage), "hold": 2}}
    probe = tmp_path / "probe.jsonl"  # RUNNER_ENV: the transaction log flushed as often as the runner has it
    proc = start_trial(tmp_path, tmp_path, PROGRAM, "train_weights", params, run_id="held01",
                       extra_env={"PROBE": str(probe), **RUNNER_ENV})  # fmt: skip
    run_dir, rows = storage / "pbt_00001/0000", _Rows(tmp_path, "held01")
    try:
        for held, decision in ((2, {"action": "continue", "hold": 4}), (4, {"action": "stop", "why": "exploit"})):
            _until(lambda held=held: held in rows())  # the held row is visible now, as the runner reads it
            assert (run_dir / f"checkpoint_{held:06d}").is_dir()
            assert not (run_dir / f"checkpoint_{held + 1:06d}").exists()  # held: no further training
            proc.poll()
            assert proc.returncode is None
            (run_dir / f"decision_{held:06d}.json").write_text(json.dumps(decision))
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        rows.close()
    assert proc.returncode == 0, err
    assert "PBT stopped the run (exploit" in err
    assert sorted(_published(storage, "pbt_00001/0000")) == [1, 2, 3, 4]
    assert rows() == [1, 2, 3, 4]


def test_a_released_or_unanswered_hold_trains_on(tmp_path):
    """release.json ends the holds; with no decision at all, the run trains on after the hold timeout, saying so."""
    storage = tmp_path / "storage"
    (storage / "pbt_00000/0000").mkdir(parents=True)
    (storage / "pbt_00000/0000/release.json").write_text('{"action": "release"}')
    released = {"lr": 1.0, "steps": 3, "_pbt": {**lineage("pbt_00000", 0, storage), "hold": 1}}
    proc, run, _ = _run(tmp_path, "train_weights", released, "rel01")
    assert proc.returncode == 0, proc.stderr
    assert [r["training_iteration"] for r in run.history] == [1, 2, 3] and "no decision" not in proc.stderr

    unanswered = {"lr": 1.0, "steps": 3, "_pbt": {**lineage("pbt_00002", 0, storage), "hold": 2}}
    probe = tmp_path / "probe-una01.jsonl"
    proc, run = run_trial(tmp_path, tmp_path, PROGRAM, "train_weights", unanswered, run_id="una01",
                          extra_env={"PROBE": str(probe), "SWEEPBRIDGE_PBT_HOLD_TIMEOUT": "0.5"})  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "got no decision on training_iteration 2 within 0.5 s" in proc.stderr
    assert [r["training_iteration"] for r in run.history] == [1, 2, 3]
