"""tune.with_resources honoured by the runner: CPUs limit trials at once, GPUs are handed out per trial
(CUDA_VISIBLE_DEVICES) from a fake GPU count (SWEEPBRIDGE_GPUS; this machine has none), too many refused."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from clirun import run as cli
from hypothesis import given
from hypothesis import strategies as st

from sweepbridge import tune
from sweepbridge.errors import ApproximationWarning, SpecError
from sweepbridge.runner.resources import GpuPool, machine_gpus, place

ROOT = Path(__file__).resolve().parents[1]


def test_cpus_per_trial_limit_the_trials_at_once_and_say_so():
    assert place({"cpu": 1}, 2, cpus=2).jobs == 2 and not place({"cpu": 1}, 2, cpus=2).notes
    limited = place({"cpu": 2}, 4, cpus=5)
    assert limited.jobs == 2
    (note,) = limited.notes
    assert note == "resources: each trial asks 2 CPUs, this machine has 5: 2 trials at a time instead of --jobs 4"
    assert place({"cpu": 0.5}, 4, cpus=2).jobs == 4
    alone = place({"cpu": 8}, 2, cpus=2)
    assert alone.jobs == 1 and "fewer CPUs than asked" in alone.notes[0]
    assert place(None, 3, cpus=1).jobs == 3 and place({}, 3).gpus is None  # nothing asked: --jobs as given


def test_gpus_are_handed_out_per_trial_and_limit_the_trials_at_once():
    placed = place({"cpu": 1, "gpu": 1}, 4, cpus=8, gpus=["2", "5"], gpus_from="test")
    assert placed.jobs == 2 and "1 GPU, this machine has 2: 2 trials at a time instead of --jobs 4" in placed.notes[0]
    pool = placed.gpus
    assert pool.acquire("a") == ["2"] and pool.acquire("b") == ["5"]
    with pytest.raises(SpecError):
        pool.acquire("c")
    pool.release("a")
    assert pool.acquire("c") == ["2"]
    two = place({"gpu": 2}, 2, cpus=8, gpus=["0", "1", "2"]).gpus
    assert two.capacity == 1 and two.acquire("a") == ["0", "1"]
    shared = place({"gpu": 0.5}, 4, cpus=8, gpus=["0", "1"])
    assert shared.jobs == 4 and [shared.gpus.acquire(r) for r in "abcd"] == [["0"], ["0"], ["1"], ["1"]]


def test_more_gpus_than_the_machine_has_are_refused_naming_both_counts():
    with pytest.raises(SpecError, match=r"each trial asks 1 GPU .*this machine has 0 \(test\).*SWEEPBRIDGE_GPUS=N"):
        place({"gpu": 1}, 1, cpus=2, gpus=[], gpus_from="test")
    with pytest.raises(SpecError, match="asks 3 GPUs.*has 2"):
        place({"gpu": 3}, 1, cpus=2, gpus=["0", "1"], gpus_from="test")
    with pytest.raises(SpecError, match="whole number"):
        place({"gpu": 1.5}, 1, cpus=2, gpus=["0", "1"])
    assert place({"memory": 100, "custom": 1}, 1, cpus=2).notes == [
        "resources: custom, memory not enforced here (only cpu and gpu are)"
    ]


def test_the_machines_gpus_come_from_the_override_then_cuda_visible_devices():
    assert machine_gpus({"SWEEPBRIDGE_GPUS": "3", "CUDA_VISIBLE_DEVICES": "7"})[0] == ["0", "1", "2"]
    assert machine_gpus({"CUDA_VISIBLE_DEVICES": "2,3"}) == (["2", "3"], "CUDA_VISIBLE_DEVICES='2,3'")
    assert machine_gpus({"CUDA_VISIBLE_DEVICES": ""})[0] == [] and machine_gpus({"CUDA_VISIBLE_DEVICES": "-1"})[0] == []
    with pytest.raises(SpecError, match="SWEEPBRIDGE_GPUS must be a GPU count"):
        machine_gpus({"SWEEPBRIDGE_GPUS": "two"})


@given(
    st.sampled_from([0.25, 0.3, 0.5, 1, 2]),
    st.integers(1, 4),
    st.lists(st.tuples(st.booleans(), st.integers(0, 7)), max_size=40),
)
def test_a_pool_never_overfills_a_gpu_nor_shares_a_whole_one(per_trial, devices, steps):
    slots = max(1, int(1 / per_trial + 1e-9)) if per_trial < 1 else 1
    pool = GpuPool([str(i) for i in range(devices)], per_trial, slots)
    held: dict[str, list[str]] = {}
    for start, key in steps:
        run = f"r{key}"
        if start and run not in held and len(held) < pool.capacity:
            held[run] = pool.acquire(run)
        elif not start and run in held:
            pool.release(run)
            del held[run]
        load = {d: sum(d in ids for ids in held.values()) for d in pool.devices}
        assert all(n <= pool.slots for n in load.values())
        assert all(len(ids) == max(1, int(per_trial)) for ids in held.values())


def asks(config):
    """A trainable for with_resources to mark (it sets `_resources` on the function, as Ray's does)."""


def test_the_translation_records_the_request_in_the_trial_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = tune.run(tune.with_resources(asks, {"cpu": 2, "GPU": 0.5, "memory": 0}), config={"x": 1})
    command = cfg["command"]
    assert json.loads(command[command.index("--resources") + 1]) == {"cpu": 2, "gpu": 0.5}
    with pytest.raises(SpecError, match="function of the config"):
        tune.run(tune.with_resources(asks, lambda config: {"cpu": 1}), config={"x": 1})


def test_tune_runs_resources_per_trial_is_recorded_too_and_wins_as_in_ray(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    wrapped = tune.with_resources(asks, {"cpu": 4})
    cfg = tune.run(wrapped, config={"x": 1}, resources_per_trial={"cpu": 1, "gpu": 1, "extra_gpu": 2})
    command = cfg["command"]
    assert json.loads(command[command.index("--resources") + 1]) == {"cpu": 1, "gpu": 3}  # extra_gpu: the trial's
    with pytest.warns(ApproximationWarning, match="resources_per_trial"):  # a script: nothing carries it
        script = tune.run("train.py", config={"x": 1}, resources_per_trial={"cpu": 1})
    assert "--resources" not in (script.get("command") or [])
    with pytest.raises(SpecError, match="resources_per_trial: 'cpu' must be a number"):
        tune.run(asks, config={"x": 1}, resources_per_trial={"cpu": "all"})


GPU_SCRIPT = """
import os, time
from sweepbridge import tune

def train(config):
    time.sleep(1.5)  # both trials hold their GPU at once
    tune.report({"device": int(os.environ["CUDA_VISIBLE_DEVICES"]), "x": config["x"]})

sweep = tune.run(tune.with_resources(train, {"cpu": 1, "gpu": 1}), config={"x": tune.grid_search([1, 2])},
                 metric="x", mode="max")
"""


def _env(**more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_") and k != "CUDA_VISIBLE_DEVICES"}
    env.update(PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])), **more)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


@pytest.mark.slow
def test_run_hands_each_trial_its_own_gpu_and_refuses_a_machine_without_enough(tmp_path):
    (tmp_path / "exp.py").write_text(GPU_SCRIPT)
    refused = cli("run", "exp.py", "--jobs", "2", cwd=tmp_path, env=_env(SWEEPBRIDGE_GPUS="0"))
    assert refused.code == 1 and "each trial asks 1 GPU (tune.with_resources), and this machine has 0" in refused.err
    assert not list(tmp_path.glob("wandb/sweep-*/results.jsonl"))  # nothing started
    done = cli("run", "exp.py", "--jobs", "2", cwd=tmp_path, env=_env(SWEEPBRIDGE_GPUS="2"))
    assert done.code == 0, done.err[-3000:]
    assert "trials start cold: each gets its own CUDA_VISIBLE_DEVICES" in done.err
    records = [json.loads(line) for line in next(tmp_path.glob("wandb/sweep-*/results.jsonl")).read_text().splitlines()]
    assert sorted(r["config"]["x"] for r in records) == [1, 2]
    devices = [r["summary"]["device"] for r in records]
    assert sorted(devices) == [0, 1]  # at once, each on its own device
