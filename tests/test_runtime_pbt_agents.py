"""PBT across machines: two UNMODIFIED `wandb agent` processes against the local W&B stub, each with its
own home and working copy (two machines), sharing only the checkpoint storage (RunConfig(storage_path=...)).

The stub is W&B's sweep scheduler for the generated PBT source (`scheduler=True`: wandb's own
`make_optimizer` asks for every run, and is told each run's history as the run streamed it to the stub,
online). The population of 2 runs on both machines at once, with synch=True: both runs hold at the first sync
point until the scheduler's decision, so PBT exploits there; the stub places a continuation on the machine that
did not run its donor (`place`), so the continuation restores a checkpoint the other machine wrote.
"""

from __future__ import annotations

import json
import shutil
import time
import warnings
from pathlib import Path

import pytest
import yaml
from wandb_stub import ENTITY, PROJECT, stub_server

from sweepbridge import tune
from sweepbridge.tune.schedulers import PopulationBasedTraining

pytest.importorskip("wandb")
pytest.importorskip("optuna")

pytestmark = pytest.mark.slow  # end to end: two unmodified wandb agents (5 s polls), runs logging online to the stub

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


def _run_of(stub, name: str):
    """The run handed out as `trial/GGGG`."""
    trial, generation = name.split("/")
    return next(
        h
        for h in stub.handed_out
        if h.config["_pbt"]["trial"] == trial and h.config["_pbt"]["generation"] == int(generation)
    )


def away_from_donor(config: dict, agent: str | None, stub) -> bool:
    """A continuation goes to a machine that did not run its donor; a first generation anywhere."""
    donor = config["_pbt"]["donor"]
    return donor is None or _run_of(stub, donor).agent != agent


@pytest.mark.parametrize("kind", ["directory", "artifacts"])
def test_a_continuation_on_one_agent_restores_a_checkpoint_written_on_the_other(
    tmp_path, monkeypatch, kind, wandb_in_process
):
    """`directory`: the machines share a storage directory; `artifacts`: they share nothing but W&B (the stub):
    storage_path="wandb://", the checkpoints are W&B artifacts (tests/test_runtime_pbt_artifacts.py)."""
    storage = tmp_path / "shared-storage"
    storage_path = str(storage) if kind == "directory" else "wandb://"
    (home_a, work_a), (home_b, work_b) = _machine(tmp_path, "a"), _machine(tmp_path, "b")
    monkeypatch.chdir(work_a)
    pbt = PopulationBasedTraining(
        time_attr="training_iteration",
        perturbation_interval=2,
        hyperparam_mutations={"lr": tune.uniform(1.0, 10.0)},
        synch=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfg = tune.run("train.py:train_weights", config={"lr": tune.uniform(1.0, 10.0), "steps": 100}, scheduler=pbt,
                       num_samples=2, metric="w", mode="max", stop={"training_iteration": 4},
                       storage_path=storage_path, engine="optuna")  # fmt: skip
    cfg.save(tmp_path / "sweep.yaml")
    sweep = yaml.safe_load((tmp_path / "sweep.yaml").read_text())
    sweep["scheduler"]["source"] = str(tmp_path / sweep["scheduler"]["source"])
    assert sweep["program"] == "train.py"

    online = {"WANDB_MODE": "online"}  # the runs stream their history to the stub, which tells the scheduler
    with stub_server(sweep, concurrent=2, scheduler=True, place=away_from_donor) as stub:
        for key, value in stub.env(str(tmp_path / "scheduler")).items():  # the scheduler's W&B API (artifacts)
            monkeypatch.setenv(key, value)
        agent_a = stub.start_agent(str(home_a), str(work_a), extra_env={**online, "PROBE": str(home_a / "probe.jsonl")})
        deadline = time.monotonic() + 60
        while not stub.agents and time.monotonic() < deadline:  # machine a registers first: agent-1
            time.sleep(0.05)
        agent_b = stub.start_agent(str(home_b), str(work_b), extra_env={**online, "PROBE": str(home_b / "probe.jsonl")})
        try:
            out_a, err_a = agent_a.communicate(timeout=300)
            out_b, err_b = agent_b.communicate(timeout=60)
        finally:
            agent_a.kill()
            agent_b.kill()
    assert agent_a.returncode == 0 and agent_b.returncode == 0, err_a + err_b
    assert stub.exhausted and len(stub.handed_out) >= 3, [h.config for h in stub.handed_out]
    assert {h.agent for h in stub.handed_out} == {"agent-1", "agent-2"}
    probes = {"agent-1": _probe(home_a), "agent-2": _probe(home_b)}

    exploits = [h for h in stub.handed_out if (h.config["_pbt"]["donor"] or "").split("/")[0] not in
                ("", h.config["_pbt"]["trial"])]  # fmt: skip
    assert exploits, [h.config for h in stub.handed_out]  # the generated scheduler exploited at the sync point
    for run in exploits:
        block = run.config["_pbt"]
        donor = _run_of(stub, block["donor"])
        assert run.agent != donor.agent  # continued on the other machine
        (seen,) = [p for p in probes[run.agent] if p["run"] == run.run_id]
        # the checkpoint the donor's run wrote on its machine: its weight after `iteration` steps of its lr
        assert seen["loaded"] == donor.run_id and seen["start"] == pytest.approx(
            block["iteration"] * donor.config["lr"]
        )
        assert seen["config"] == {k: v for k, v in run.config.items() if k != "_pbt"}  # the explored config
        assert run.config["lr"] != donor.config["lr"]
        history = stub.online_runs[run.run_id].history
        # logged at W&B step = training_iteration, continuing the donor's: what the scheduler reads as PBT's time
        assert [(row["_step"], row["training_iteration"]) for row in history] == [(3, 3), (4, 4)]
        assert block["iteration"] == 2
        assert history[0]["w"] == pytest.approx(seen["start"] + run.config["lr"])
        if kind == "directory":
            assert storage in Path(block["storage"]).parents  # RunConfig(storage_path=...), shared by both machines
        else:  # the donor's artifact version, used by the continuation
            assert block["storage"].startswith(f"wandb://{ENTITY}/{PROJECT}/") and not storage.exists()
            donor_trial, donor_generation = block["donor"].split("/")
            (used,) = [a for a in stub.artifacts.versions.values() if run.run_id in a.used_by]
            assert used.run == donor.run_id and used.collection.endswith(f"-{donor_trial}-{donor_generation}")
            assert f"checkpoint_{block['iteration']:06d}" in used.aliases
