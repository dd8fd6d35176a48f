"""W&B artifacts as a PBT sweep's checkpoint store (`storage_path="wandb://ENTITY/PROJECT"`), with the real wandb
client against the local stub (tests/wandb_stub_artifacts.py answers what it sends).

End to end: the translated sweep's generated scheduler, and `sweepbridge trial` processes started as the agent
starts them, logging ONLINE to the stub: a generation-0 run publishes its checkpoints as artifact versions
(committed before the row that marks them), the generated scheduler lists exactly those iterations, a continuation
uses the donor's version and restores it, a missing version fails the run naming the artifact, an offline run is
refused. Unit: the naming contract shared by the runtime and the generated scheduler, the refusals.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import warnings
from pathlib import Path

import pytest
from trialrun import run_trial
from wandb_stub import API_KEY, ENTITY, PROJECT, stub_server

from sweepbridge import tune
from sweepbridge.backends import pbt_study
from sweepbridge.errors import SpecError
from sweepbridge.runtime import pbt as runtime_pbt
from sweepbridge.runtime.checkpoints import MARKER
from sweepbridge.tune.schedulers import PopulationBasedTraining

pytest.importorskip("wandb")
pytest.importorskip("optuna")

PROGRAM = str(Path(__file__).parent / "pbt_trainables.py")


def _sweep(tmp_path: Path, storage_path: str) -> tuple[dict, Path]:
    """The translated PBT sweep (its config, and its generated scheduler's file)."""
    pbt = PopulationBasedTraining(time_attr="training_iteration", perturbation_interval=2,
                                  hyperparam_mutations={"lr": tune.uniform(1.0, 10.0)})  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfg = tune.run(f"{PROGRAM}:train_weights", config={"lr": tune.uniform(1.0, 10.0), "steps": 2}, scheduler=pbt,
                       num_samples=2, metric="w", mode="max", storage_path=storage_path, name="exp",
                       engine="optuna")  # fmt: skip
    import yaml

    cfg.save(tmp_path / "sweep.yaml")
    sweep = yaml.safe_load((tmp_path / "sweep.yaml").read_text())
    return sweep, tmp_path / sweep["scheduler"]["source"]


def _population(source: Path, sweep: dict, sweep_id: str, entity: str = ENTITY, project: str = PROJECT):
    """The generated scheduler's Population, as W&B's sweep scheduler builds it (its `optimizer(sweep)`)."""
    from wandb.sdk.sweeps import SweepInfo

    spec = importlib.util.spec_from_file_location("generated_pbt_scheduler", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    info = SweepInfo(id=sweep_id, name=sweep_id, entity=entity, project=project, config=sweep,
                     controller_run_name="")  # fmt: skip
    return module.optimizer(info).sampler.population


def _block(trial, generation, storage, donor=None, iteration=None):
    parent = f"{trial}/{generation - 1:04d}" if generation else None
    return {"trial": trial, "generation": generation, "parent": parent, "donor": donor, "iteration": iteration,
            "storage": storage}  # fmt: skip


def _online(stub, home: Path, probe: Path) -> dict[str, str]:
    env = stub.env(str(home), runs_offline=False)
    keep = ("WANDB_BASE_URL", "WANDB_API_KEY", "WANDB_MODE", "WANDB_ENTITY", "WANDB_PROJECT")
    return {**{k: env[k] for k in keep}, "WANDB_SWEEP_ID": stub.sweep_id, "PROBE": str(probe)}


def _probe(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.slow  # four online trial processes (~7 s in all)
def test_checkpoints_travel_as_artifacts_from_a_run_to_its_continuation(tmp_path, monkeypatch, wandb_in_process):
    sweep, source = _sweep(tmp_path, "wandb://")
    with stub_server(sweep) as stub:
        for key, value in stub.env(str(tmp_path / "scheduler")).items():  # the scheduler's own W&B API access
            monkeypatch.setenv(key, value)
        population = _population(source, sweep, stub.sweep_id)
        storage = population.storage
        assert storage == f"wandb://{ENTITY}/{PROJECT}/exp/{stub.sweep_id}"  # wandb:// = the sweep's own project
        assert population.checkpoints("pbt_00001/0000") == []  # nothing logged yet

        home = tmp_path / "home"
        probe = tmp_path / "probe.jsonl"
        donor = {"lr": 1.5, "steps": 2, "_pbt": _block("pbt_00001", 0, storage)}
        proc, _ = run_trial(home, tmp_path, PROGRAM, "train_weights", donor, run_id="donor01",
                            extra_env=_online(stub, home, probe))  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        name = f"exp-{stub.sweep_id}-pbt_00001-0000"
        versions = stub.artifacts.of(name)
        assert [(v.type, v.run, v.state) for v in versions] == [("pbt-checkpoint", "donor01", "COMMITTED")] * 2
        assert [sorted(v.aliases - {"latest"}) for v in versions] == [["checkpoint_000001"], ["checkpoint_000002"]]
        for version, iteration in zip(versions, (1, 2), strict=True):
            assert json.loads(stub.artifacts.content(version, "state.json")) == {"w": 1.5 * iteration, "by": "donor01"}
            assert json.loads(stub.artifacts.content(version, MARKER))["training_iteration"] == iteration
        rows = stub.online_runs["donor01"].history
        assert [(r["training_iteration"], r["_pbt_checkpoint"]) for r in rows] == [(1, 1), (2, 2)]
        for version, row in zip(
            versions, rows, strict=True
        ):  # committed before the row that tells the scheduler it exists
            assert version.committed_at <= row["_timestamp"]

        assert population.checkpoints("pbt_00001/0000") == [1, 2]  # the generated scheduler's listing
        assert population.checkpoints("pbt_00000/0000") == []

        explored = {"lr": 4.0, "steps": 2, "_pbt": _block("pbt_00000", 1, storage, "pbt_00001/0000", 1)}
        proc, _ = run_trial(home, tmp_path, PROGRAM, "train_weights", explored, run_id="cont01",
                            extra_env=_online(stub, home, probe))  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        start = [p for p in _probe(probe) if p["run"] == "cont01"][0]
        assert (start["loaded"], start["start"]) == ("donor01", 1.5)  # the donor's checkpoint of iteration 1
        assert start["config"] == {"lr": 4.0, "steps": 2}
        rows = stub.online_runs["cont01"].history
        assert [(r["training_iteration"], r["w"]) for r in rows] == [(2, 5.5), (3, 9.5)]
        assert versions[0].used_by == ["cont01"] and versions[1].used_by == []  # W&B's lineage: the chain's link
        assert [sorted(v.aliases - {"latest"}) for v in stub.artifacts.of(f"exp-{stub.sweep_id}-pbt_00000-0001")] == [
            ["checkpoint_000002"],
            ["checkpoint_000003"],
        ]

        missing = {"lr": 4.0, "steps": 2, "_pbt": _block("pbt_00000", 1, storage, "pbt_00001/0000", 7)}
        proc, _ = run_trial(home, tmp_path, PROGRAM, "train_weights", missing, run_id="cont02",
                            extra_env=_online(stub, home, probe))  # fmt: skip
        assert proc.returncode == 1
        assert f"no W&B artifact {ENTITY}/{PROJECT}/{name}:checkpoint_000007" in proc.stderr, proc.stderr
        assert "rather than start from scratch" in proc.stderr
        assert not [p for p in _probe(probe) if p["run"] == "cont02"]  # the trainable never started
        assert stub.online_runs["cont02"].state == "failed"

        elsewhere = {"lr": 1.0, "steps": 1, "_pbt": _block("pbt_00002", 0, f"wandb://other/proj/exp/{stub.sweep_id}")}
        proc, _ = run_trial(home, tmp_path, PROGRAM, "train_weights", elsewhere, run_id="other01",
                            extra_env=_online(stub, home, probe))  # fmt: skip
        assert proc.returncode == 1
        assert f"names the W&B project other/proj, but this run logs to {ENTITY}/{PROJECT}" in proc.stderr
        assert not [p for p in _probe(probe) if p["run"] == "other01"]


@pytest.mark.slow  # one offline trial process (~3 s)
def test_an_offline_run_with_an_artifact_storage_fails_saying_what_to_do(tmp_path):
    params = {"lr": 1.0, "steps": 1, "_pbt": _block("pbt_00000", 0, f"wandb://{ENTITY}/{PROJECT}/exp/s1")}
    probe = tmp_path / "probe.jsonl"
    proc, run = run_trial(tmp_path, tmp_path, PROGRAM, "train_weights", params, run_id="off01",
                          extra_env={"PROBE": str(probe)})  # fmt: skip
    assert proc.returncode == 1
    assert "W&B artifacts, which needs online runs, but this run is offline" in proc.stderr, proc.stderr
    assert "a directory every machine shares or a URI pyarrow can open" in proc.stderr
    assert not _probe(probe)  # refused before the trainable started
    assert "Traceback" not in proc.stderr


def test_the_runtime_and_the_generated_scheduler_name_artifacts_alike():
    parts = [("exp", "s1", "pbt_00000", "0003"), ("my exp/été", "ab:c", "t", "0000"), ("x" * 200, "t", "0001")]
    for case in parts:
        name = runtime_pbt.artifact_name(*case)
        assert name == pbt_study.artifact_name(*case)
        assert len(name) <= 128 and all(c.isalnum() and c.isascii() or c in "-_." for c in name)
    assert runtime_pbt.artifact_name("my exp/", "a:b") == "my_exp_-a_b"
    assert runtime_pbt.artifact_name("x" * 200, "t", "0001").endswith("-t-0001")  # the run's part is kept
    assert runtime_pbt.is_wandb_uri("wandb://e/p/x") and runtime_pbt.is_wandb_uri("wandb:///x")
    assert not runtime_pbt.is_wandb_uri("s3://b/x") and not runtime_pbt.is_wandb_uri("/wandb/x")


def test_the_storage_root_passes_through_translation_and_bad_ones_are_refused(tmp_path, monkeypatch):
    from sweepbridge.tune.schedulers.pbt import storage

    assert storage("wandb://", "exp") == "wandb:///exp"
    assert storage("wandb://ent/proj", None) == "wandb://ent/proj/pbt"
    assert storage("wandb://ent/proj/", "exp") == "wandb://ent/proj/exp"
    for bad in ("wandb://ent", "wandb://ent/", "wandb:///proj"):
        with pytest.raises(SpecError, match="wandb://ENTITY/PROJECT") as refused:
            storage(bad, "exp")
        assert "storage_path" in str(refused.value)
    with pytest.raises(runtime_pbt.PbtConfigError, match="wandb://ENTITY/PROJECT"):
        runtime_pbt.split_wandb_uri("wandb://ent")

    sweep, source = _sweep(tmp_path, "wandb://ent/proj")
    monkeypatch.delenv("WANDB_ENTITY", raising=False)
    monkeypatch.delenv("WANDB_PROJECT", raising=False)
    assert _population(source, sweep, "sw1", entity="", project="").storage == "wandb://ent/proj/exp/sw1"
    (tmp_path / "own").mkdir()
    own, own_source = _sweep(tmp_path / "own", "wandb://")
    with pytest.raises(ValueError, match="set WANDB_ENTITY and WANDB_PROJECT"):
        _population(own_source, own, "sw1", entity="", project="")
    monkeypatch.setenv("WANDB_ENTITY", "e2")
    monkeypatch.setenv("WANDB_PROJECT", "p2")
    assert _population(own_source, own, "sw1", entity="", project="").storage == "wandb://e2/p2/exp/sw1"


def test_the_runner_refuses_an_artifact_storage_unless_online(tmp_path):
    from sweepbridge.runner.chains import pbt_storage
    from sweepbridge.runner.sweep import SweepRunner

    sweep, source = _sweep(tmp_path, "wandb://ent/proj")
    sweep["scheduler"]["source"] = str(source)
    assert pbt_storage(sweep) == "wandb://ent/proj/exp"
    for mode in ("offline", "disabled"):
        with pytest.raises(SpecError, match="W&B artifacts .* needs online runs: run it with --mode online") as refused:
            SweepRunner(sweep, mode=mode, base=tmp_path)
        assert "wandb://ent/proj/exp" in str(refused.value) and "storage_path" in str(refused.value)
    (tmp_path / "dir").mkdir()
    local, local_source = _sweep(tmp_path / "dir", str(tmp_path / "ckpt"))
    local["scheduler"]["source"] = str(local_source)
    assert pbt_storage(local) == f"{tmp_path / 'ckpt'}/exp"


@pytest.mark.slow  # `sweepbridge run --mode online`: four trial processes against the stub (~9 s)
def test_sweepbridge_run_online_hands_checkpoints_over_as_artifacts(tmp_path, monkeypatch, wandb_env, wandb_in_process):
    import os
    import shutil

    import wandb

    from sweepbridge.runner import run_sweep

    shutil.copy(PROGRAM, tmp_path / "train.py")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PROBE", str(tmp_path / "probe.jsonl"))
    monkeypatch.delenv("WANDB_DIR")
    pbt = PopulationBasedTraining(time_attr="training_iteration", perturbation_interval=2, synch=True,
                                  hyperparam_mutations={"lr": tune.uniform(1.0, 10.0)})  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfg = tune.run("train.py:train_weights", config={"lr": tune.uniform(1.0, 10.0), "steps": 100}, scheduler=pbt,
                       num_samples=2, metric="w", mode="max", stop={"training_iteration": 4}, storage_path="wandb://",
                       name="exp", engine="optuna")  # fmt: skip
    cfg.save(tmp_path / "sweep.yaml")
    with stub_server() as stub:
        monkeypatch.setenv("WANDB_BASE_URL", stub.url)
        monkeypatch.setenv("WANDB_API_KEY", API_KEY)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the stub cannot mark a local-controller sweep done
                outcome = run_sweep(str(tmp_path / "sweep.yaml"), mode="online", project="proj1", out="out")
        finally:
            wandb.teardown()
    assert [r.state for r in outcome.results] == ["finished"] * len(outcome.results), outcome.results
    blocks = [r.config["_pbt"] for r in outcome.results]
    assert {b["storage"] for b in blocks} == {f"wandb://{ENTITY}/proj1/exp/{outcome.sweep_id}"}  # the sweep's own
    continued = [(r, b) for r, b in zip(outcome.results, blocks, strict=True) if b["generation"] > 0]
    assert continued  # the population of 2 in waves of 1: each trial continues at the sync point
    probes = {p["run"]: p for p in _probe(tmp_path / "probe.jsonl")}
    for run, block in continued:
        trial, generation = block["donor"].split("/")
        (used,) = [a for a in stub.artifacts.versions.values() if run.id in a.used_by]
        assert used.collection == f"exp-{outcome.sweep_id}-{trial}-{generation}"
        assert f"checkpoint_{block['iteration']:06d}" in used.aliases
        donor = next(r for r, b in zip(outcome.results, blocks, strict=True) if b["trial"] == trial and
                     b["generation"] == int(generation))  # fmt: skip
        assert probes[run.id]["loaded"] == donor.id  # the donor's checkpoint, restored from its artifact
        assert stub.online_runs[run.id].history[0]["training_iteration"] == block["iteration"] + 1
