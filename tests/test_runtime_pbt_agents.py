"""PBT across machines: two UNMODIFIED `wandb agent` processes against the local W&B stub, each with its
own home and working copy (two machines), sharing only the checkpoint storage (RunConfig(storage_path=...)).

The stub hands out a prepared sequence of runs (its `plan`), standing in for the generated PBT scheduler:
the first generation of trial pbt_00000 on one agent, then a continuation of trial pbt_00001 from
pbt_00000's checkpoint on the other. The continuation restores the checkpoint the first machine wrote.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from wandb_offline import offline_runs
from wandb_stub import stub_server

from sweepbridge.trial_command import TrialCommand

pytest.importorskip("wandb")

pytestmark = pytest.mark.slow  # end to end: two unmodified wandb agents (5 s polls)

PROGRAM = Path(__file__).parent / "pbt_trainables.py"


def _machine(tmp_path: Path, name: str) -> tuple[Path, Path]:
    home, work = tmp_path / name / "home", tmp_path / name / "work"
    home.mkdir(parents=True)
    work.mkdir(parents=True)
    shutil.copy(PROGRAM, work / "train.py")
    return home, work


def _probe(home: Path) -> list[dict]:
    path = home / "probe.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_continuation_on_one_agent_restores_a_checkpoint_written_on_the_other(tmp_path):
    storage = tmp_path / "shared-storage"
    sweep = {
        "program": "train.py",
        "method": "custom",
        "metric": {"name": "w", "goal": "maximize"},
        "command": TrialCommand("train.py", "train_weights", metric="w").command(),
    }
    first = {"lr": 1.0, "steps": 3, "_pbt": {"trial": "pbt_00000", "generation": 0, "parent": None, "donor": None,
                                             "iteration": None, "storage": str(storage)}}  # fmt: skip
    continued = {"lr": 10.0, "steps": 2, "_pbt": {"trial": "pbt_00001", "generation": 1, "parent": "pbt_00001/0000",
                                                  "donor": "pbt_00000/0000", "iteration": 2,
                                                  "storage": str(storage)}}  # fmt: skip
    (home_a, work_a), (home_b, work_b) = _machine(tmp_path, "a"), _machine(tmp_path, "b")
    with stub_server(sweep, plan=[(1, first), (2, continued)]) as stub:
        agent_a = stub.start_agent(str(home_a), str(work_a), extra_env={"PROBE": str(home_a / "probe.jsonl")})
        deadline = time.monotonic() + 60
        while not stub.agents and time.monotonic() < deadline:  # machine a registers first: agent-1
            time.sleep(0.05)
        agent_b = stub.start_agent(str(home_b), str(work_b), extra_env={"PROBE": str(home_b / "probe.jsonl")})
        try:
            out_a, err_a = agent_a.communicate(timeout=180)
            out_b, err_b = agent_b.communicate(timeout=60)
        finally:
            agent_a.kill()
            agent_b.kill()
    assert agent_a.returncode == 0 and agent_b.returncode == 0, err_a + err_b
    assert [(r.run_id, r.agent) for r in stub.handed_out] == [("run0001", "agent-1"), ("run0002", "agent-2")]
    assert stub.ended == ["run0001", "run0002"]

    (run_a,) = offline_runs(home_a).values()  # machine a ran the first generation
    (run_b,) = offline_runs(home_b).values()  # machine b the continuation
    assert (run_a.run_id, run_b.run_id) == ("run0001", "run0002")
    assert run_b.config == continued and run_b.exit_code == 0
    (seen,) = _probe(home_b)
    assert (seen["loaded"], seen["start"]) == ("run0001", 2.0)  # the checkpoint run0001 wrote on machine a
    assert seen["config"] == {"lr": 10.0, "steps": 2}
    assert [(r["training_iteration"], r["w"]) for r in run_b.history] == [(3, 12.0), (4, 22.0)]
    assert (run_b.group, run_b.tags) == ("pbt_00001", ["pbt", "generation:1"])
    assert sorted(p.name for p in (storage / "pbt_00001" / "0001").iterdir()) == [
        "checkpoint_000003",
        "checkpoint_000004",
    ]
