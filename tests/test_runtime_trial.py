"""`sweepbridge trial`, started as the wandb agent starts a run (tests/trialrun.py), in offline mode.

Every reporting API and trainable style, with and without Ray (and with Ray installed, no Ray
process), failures, checkpoints and resume, SIGTERM. What W&B recorded is read back from the
offline run's transaction log (tests/wandb_offline.py).
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
from trialrun import run_trial, start_trial
from wandb_offline import offline_runs

pytest.importorskip("wandb")

pytestmark = pytest.mark.slow  # end to end: trial processes logging real wandb runs

HERE = Path(__file__).parent
PLAIN = str(HERE / "runtime_trainables.py")
WITH_RAY = str(HERE / "runtime_ray_trainables.py")
AUTO_FILLED = {"training_iteration", "time_this_iter_s", "time_total_s", "timestamp", "time_since_restore"}


def _probe(home: Path) -> list[dict]:
    path = home / "probe.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _trial(tmp_path, program, trainable, params, *args, **kw):
    proc, run = run_trial(tmp_path, tmp_path, program, trainable, params, *args,
                          extra_env={"PROBE": str(tmp_path / "probe.jsonl"), **kw.pop("env", {})}, **kw)  # fmt: skip
    return proc, run, _probe(tmp_path)


def _rows(run, key="loss"):
    return [(row["_step"], row["training_iteration"], row.get(key)) for row in run.history]


def test_function_with_sweepbridge_report(tmp_path):
    params = {"mean": 2, "sd": 0.5, "steps": 3, "model": {"width": 64, "act": "relu"}}
    proc, run, probe = _trial(tmp_path, PLAIN, "train_fn", params, "--metric", "loss")
    assert proc.returncode == 0, proc.stderr
    assert run.config == params and run.exit_code == 0
    (seen,) = probe
    assert seen["config"] == params and isinstance(seen["config"]["model"]["width"], int)
    assert seen["trial_id"] == run.run_id == "trial001"
    assert [(s, i) for s, i, _ in _rows(run)] == [(1, 1), (2, 2), (3, 3)]  # one row per report, step = iteration
    assert AUTO_FILLED <= set(run.history[0])
    assert "warning" not in proc.stderr


def test_repeat_axis_removed_and_wandb_block_restored(tmp_path):
    params = {"mean": 1, "sd": 0.5, "steps": 1, "_tune_repeat": 2}
    block = {"group": "exp-1", "tags": ["t1"], "notes": "n", "excludes": ["time_this_iter_s"]}
    proc, run, probe = _trial(tmp_path, PLAIN, "train_fn", params, "--wandb", json.dumps(block))
    assert proc.returncode == 0, proc.stderr
    assert probe[0]["config"] == {"mean": 1, "sd": 0.5, "steps": 1, "wandb": block}
    assert run.config == params  # wandb.config holds exactly the sweep's parameters
    assert (run.group, run.tags, run.notes) == ("exp-1", ["t1"], "n")
    assert "time_this_iter_s" not in run.history[0] and "time_total_s" in run.history[0]


@pytest.mark.parametrize(
    ("trainable", "key", "n"),
    [("train_legacy_kwargs", "nested/acc", 4), ("train_reporter", "mean_accuracy", 3)],
)
def test_legacy_function_apis(tmp_path, trainable, key, n):
    proc, run, _ = _trial(tmp_path, PLAIN, trainable, {"mean": 1})
    assert proc.returncode == 0, proc.stderr
    assert [i for _, i, _ in _rows(run)] == list(range(1, n + 1))
    assert all(row[key] is not None for row in run.history)


@pytest.mark.parametrize(("trainable", "n"), [("MyTrainable", 4), ("LegacyTrainable", 3)])
def test_class_trainables_and_their_checkpoint(tmp_path, trainable, n):
    proc, run, probe = _trial(tmp_path, PLAIN, trainable, {"mean": 1})
    assert proc.returncode == 0, proc.stderr
    assert [i for _, i, _ in _rows(run)] == list(range(1, n + 1))  # until done=True, as Ray
    assert (run.path / "checkpoints" / f"checkpoint_{n:06d}").is_dir()
    assert f"done at training_iteration {n}" in proc.stderr
    if probe:
        assert probe[0]["trial_id"] == run.run_id


def test_failing_trainable_fails_the_run(tmp_path):
    proc, run, _ = _trial(tmp_path, PLAIN, "train_fails", {}, "--metric", "loss")
    assert proc.returncode == 1
    assert run.exit_code == 1
    assert "ValueError: boom in the trainable" in proc.stderr
    assert "Traceback" in run.output_text and "boom in the trainable" in run.output_text
    assert len(run.history) == 1


def test_never_reported_metric_is_named(tmp_path):
    proc, run, _ = _trial(tmp_path, PLAIN, "train_wrong_metric", {}, "--metric", "loss")
    assert proc.returncode == 0
    assert "never reported the sweep metric 'loss'" in proc.stderr


def test_done_in_a_result_stops_like_ray(tmp_path):
    proc, run, _ = _trial(tmp_path, PLAIN, "train_done", {})
    assert proc.returncode == 0 and len(run.history) == 4


def test_dict_stop_and_stopper_in_the_trial(tmp_path):
    stop = json.dumps({"criteria": {"training_iteration": 2}})
    proc, run, _ = _trial(tmp_path, PLAIN, "train_fn", {"steps": 5}, "--stop", stop)
    assert proc.returncode == 0 and len(run.history) == 2


def test_checkpoints_come_back_on_resume(tmp_path):
    proc, run, probe = _trial(tmp_path, PLAIN, "train_with_checkpoints", {"steps": 2})
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (run.path / "checkpoints").iterdir()) == ["checkpoint_000001", "checkpoint_000002"]
    # W&B resumes a preempted run with the same run id: the trainable gets its last checkpoint back
    proc, run2, probe = _trial(tmp_path, PLAIN, "train_with_checkpoints", {"steps": 4})
    assert proc.returncode == 0, proc.stderr
    assert [p["start"] for p in probe] == [0, 2]
    assert [row["training_iteration"] for row in run2.history] == [3, 4]  # the iteration count continues


def test_checkpoints_as_artifacts_when_opted_in(tmp_path):
    block = json.dumps({"upload_checkpoints": True})  # WandbLoggerCallback's name for it
    proc, run, _ = _trial(tmp_path, PLAIN, "train_with_checkpoints", {"steps": 2}, "--wandb", block)
    assert proc.returncode == 0, proc.stderr
    assert run.artifacts == ["checkpoint-trial001", "checkpoint-trial001"]


def test_class_trainable_resumes_from_its_checkpoint(tmp_path):
    proc, _, _ = _trial(tmp_path, PLAIN, "MyTrainable", {"mean": 1})
    proc, run, probe = _trial(tmp_path, PLAIN, "MyTrainable", {"mean": 1})
    assert proc.returncode == 0, proc.stderr
    assert {"restored": 4} in probe


def _wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise TimeoutError


@pytest.mark.parametrize(("trainable", "params"), [("train_with_checkpoints", {"steps": 1000, "pause": 0.2}),
                                                   ("train_blocked", {})])  # fmt: skip
def test_sigterm_stops_cleanly_keeping_the_last_checkpoint(tmp_path, trainable, params):
    probe = tmp_path / "probe.jsonl"
    proc = start_trial(tmp_path, tmp_path, PLAIN, trainable, params, extra_env={"PROBE": str(probe)})
    try:
        _wait_for(lambda: probe.exists() and (tmp_path / "wandb").exists()
                  and any((tmp_path / "wandb").glob("offline-run-*/checkpoints/checkpoint_*")))  # fmt: skip
        sent = time.monotonic()
        os.killpg(proc.pid, signal.SIGTERM)  # what the agent's terminate() does (the child leads its group)
        out, err = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert took < 5, took
    (run,) = offline_runs(tmp_path).values()
    assert run.exit_code == 0  # finished, not failed
    kept = sorted((run.path / "checkpoints").iterdir())
    assert kept and kept[-1].name == f"checkpoint_{len(run.history):06d}"
    assert "stopped by W&B (SIGTERM from the agent)" in err


# --- with Ray installed: Ray's own API, no Ray process ---------------------------------------


def test_ray_tune_report_and_context_without_any_ray_process(tmp_path):
    pytest.importorskip("ray.tune")
    proc, run, probe = _trial(tmp_path, WITH_RAY, "train_ray", {"mean": 1})
    assert proc.returncode == 0, proc.stderr
    first, last = probe
    assert first["trial_id"] == first["trial_name"] == run.run_id
    assert last["ray_initialized"] is False and last["ray_children"] == []
    assert last["checkpoint_path"].startswith(str(run.path / "checkpoints"))
    assert [i for _, i, _ in _rows(run)] == [1, 2, 3]


def test_ray_trainable_class(tmp_path):
    pytest.importorskip("ray.tune")
    proc, run, probe = _trial(tmp_path, WITH_RAY, "RayTrainable", {})
    assert proc.returncode == 0, proc.stderr
    assert probe[0]["trial_id"] == run.run_id
    assert [i for _, i, _ in _rows(run)] == [1, 2, 3]
    proc, run, probe = _trial(tmp_path, WITH_RAY, "RayTrainable", {})  # resume: load_checkpoint gets the dict
    assert {"restored": 3} in probe


def test_air_session_report_and_ray_train_report_behave_as_in_ray(tmp_path):
    pytest.importorskip("ray.tune")
    (tmp_path / "a").mkdir()
    proc, run, _ = _trial(tmp_path / "a", WITH_RAY, "train_air_session", {})
    assert proc.returncode == 0, proc.stderr
    assert [i for _, i, _ in _rows(run)] == [1, 2]
    # Ray Train V2 (Ray's default) refuses ray.train.report inside a Tune trainable; V1 forwards it
    (tmp_path / "b").mkdir()
    proc, run, _ = _trial(tmp_path / "b", WITH_RAY, "train_ray_train", {})
    assert proc.returncode == 1 and "Please use the equivalent `ray.tune` API" in proc.stderr
    (tmp_path / "c").mkdir()
    proc, run, _ = _trial(tmp_path / "c", WITH_RAY, "train_ray_train", {}, env={"RAY_TRAIN_V2_ENABLED": "0"})
    assert proc.returncode == 0, proc.stderr
    assert [i for _, i, _ in _rows(run)] == [1, 2]


def test_setup_wandb_returns_the_trial_run(tmp_path):
    pytest.importorskip("ray.air.integrations.wandb")
    proc, run, probe = _trial(tmp_path, WITH_RAY, "train_setup_wandb", {})
    assert proc.returncode == 0, proc.stderr
    assert probe == [{"same_run": True, "run_id": run.run_id}]
    assert len(list((tmp_path / "wandb").glob("offline-run-*"))) == 1  # no second run
    assert [(row["training_iteration"], row["extra"]) for row in run.history][0][0] == 1
    assert all("loss" in row and "extra" in row for row in run.history)  # one row per iteration


@pytest.mark.parametrize("trainable", ["train_mixin", "train_setup_mirror"])
def test_wandb_mixin_and_setup_wandb_without_ray(tmp_path, trainable):
    block = {"group": "g"}
    proc, run, probe = _trial(tmp_path, PLAIN, trainable, {"a": 1, "b": 2}, "--wandb", json.dumps(block))
    assert proc.returncode == 0, proc.stderr
    assert probe[0]["run_id"] == run.run_id
    assert len(list((tmp_path / "wandb").glob("offline-run-*"))) == 1  # the trial's run, no second one
    if trainable == "train_mixin":
        assert probe[0]["wandb_block"] == block
        reports = [(r["_step"], r["training_iteration"], r["loss"]) for r in run.history if "training_iteration" in r]
        assert reports == [(1, 1, 1), (2, 2, 3), (3, 3, 5)]  # the user's own wandb.log rows do not shift them
        assert sorted(r["loss_wandb"] for r in run.history if "loss_wandb" in r) == [1, 3, 5]


@pytest.mark.parametrize("library", ["ray", "sweepbridge"])
def test_an_unguarded_experiment_ends_the_trials_import_where_it_stands(tmp_path, library):
    """Ray's quickstart shape: ray.init() and tuner.fit() at module level, results read after it."""
    if library == "ray":
        pytest.importorskip("ray.tune")
    script = tmp_path / "train.py"
    script.write_text(
        f"import ray\nfrom {library} import tune\n\n"
        "def train_fn(config):\n    tune.report({'loss': config['a']})\n\n"
        "ray.init()\n"
        "results = tune.Tuner(train_fn, param_space={'a': tune.uniform(0, 1)}).fit()\n"
        "print(results.get_best_result(metric='loss', mode='min').config)\n"
        "raise SystemExit('nothing after the experiment call runs in a trial')\n"
    )
    proc, run, _ = _trial(tmp_path, "train.py", "train_fn", {"a": 0.5})
    assert proc.returncode == 0, proc.stderr
    assert [row["loss"] for row in run.history] == [0.5]


def test_sweepbridge_tune_run_in_the_script_is_inert(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(
        "from sweepbridge import tune\n\n"
        "def train_fn(config):\n    tune.report({'loss': config['a']})\n\n"
        "sweep = tune.run(train_fn, config={'a': tune.uniform(0, 1)}, metric='loss', mode='min')\n"
        "if __name__ == '__main__':\n    raise SystemExit('the main block must not run in a trial')\n"
    )
    proc, run, _ = _trial(tmp_path, "train.py", "train_fn", {"a": 0.5}, "--metric", "loss")
    assert proc.returncode == 0, proc.stderr
    assert [row["loss"] for row in run.history] == [0.5]


def test_module_level_failure_names_the_guard(tmp_path):
    (tmp_path / "train.py").write_text(
        "from sweepbridge import tune\n\ndef train_fn(config):\n    pass\n\n"
        "sweep = tune.run(train_fn, config={'a': tune.uniform(0, 1)})\nsweep.save('sweep.yaml')\n"
    )
    proc, run, _ = _trial(tmp_path, "train.py", "train_fn", {"a": 0.5})
    assert proc.returncode == 1 and run.exit_code == 1
    assert "raised AttributeError" in proc.stderr and 'if __name__ == "__main__":' in proc.stderr
