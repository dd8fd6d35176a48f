"""`sweepbridge sync DIR`: an offline sweep becomes a W&B sweep (runner/sync.py), against the local stub
of W&B's server (tests/wandb_stub.py) with the unmodified wandb-core sync."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
import test_run_online as online
import yaml
from clirun import run, script
from wandb_stub import API_KEY

from sweepbridge.errors import SpecError
from sweepbridge.runner import run_sweep
from sweepbridge.runner.sync import SYNC_FILE, sync_sweep

workdir, stub = online.workdir, online.stub  # the fixtures: a scratch directory, the stub as W&B's server
files_holding_the_key, sent_sweep = online.files_holding_the_key, online.sent_sweep

GRID = {
    "method": "grid",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {"x": {"values": [1, 2, 3]}, "tag": {"value": "t"}},
}


def train():
    import wandb

    run = wandb.init()
    for step in range(3):
        print(console_line(run.config["x"], step), flush=True)
        run.log({"loss": run.config["x"] * 10 + step}, step=step)
    run.summary["best"] = run.config["x"]


def console_line(x: int, step: int) -> str:
    return f"x={x} step {step}"


def console(sent) -> list[str]:
    """The run's console lines as the stub (like W&B's server) holds them, without wandb-core's time stamps."""
    return [line.split(" ", 1)[1] for line in sent.output if line.split(" ", 1)[1:] and "x=" in line]


def console_once(sent, x: int) -> None:
    """The program's lines, each once, in the streamed console (line offsets) and the uploaded output.log."""
    want = [console_line(x, step) for step in range(3)]
    assert console(sent) == want
    assert [line for line in sent.files["output.log"].decode().splitlines() if "x=" in line] == want


def offline_sweep(stub, monkeypatch, config=GRID, **kwargs):
    """An offline sweep, run without the network (the stub sees nothing of it)."""
    import wandb

    before = len(stub.traffic)
    with monkeypatch.context() as m:
        m.delenv("WANDB_BASE_URL")
        m.delenv("WANDB_API_KEY")
        outcome = run_sweep(config, function=train, out="out", **kwargs)
    wandb.teardown()
    assert len(stub.traffic) == before
    return outcome


def uploads(stub) -> list[tuple[str, str, str | None]]:
    """What reached the stub about runs: run upserts, file_stream posts and file uploads."""
    return [t for t in stub.traffic if t[2] == "UpsertBucket" or t[2] is None and "/sdk/otel" not in t[1]]


def test_sync_makes_one_sweep_holding_every_run_with_its_history_and_ends_it(stub, workdir, monkeypatch):
    outcome = offline_sweep(stub, monkeypatch)
    synced = sync_sweep("out", project="proj1")
    (sweep,) = stub.sweeps.values()
    assert yaml.safe_load(sweep.config) == sent_sweep(GRID) and sweep.project == "proj1"
    assert synced.url == f"{stub.url}/{sweep.entity}/proj1/sweeps/{sweep.name}" and synced.created
    assert sorted(synced.uploaded) == sorted(r.id for r in outcome.results) and not synced.failed
    assert sorted(stub.inserted) == sorted(r.id for r in outcome.results)  # each run created once
    for result in outcome.results:
        sent = stub.online_runs[result.id]
        assert (sent.sweep, sent.project, sent.state) == (sweep.name, "proj1", "finished")
        assert sent.config == result.config
        assert [(row["_step"], row["loss"]) for row in sent.history] == [
            (s, result.config["x"] * 10 + s) for s in range(3)
        ]
        assert sent.summary["loss"] == result.metric and sent.summary["best"] == result.config["x"]
        assert {"config.yaml", "wandb-summary.json"} <= set(sent.files)
    # the grid is exhausted: the sweep is ended as wandb's local controller ends it
    (update,) = sweep.updates
    assert json.loads(update["controller"])["schedule"][0]["data"] == {"args": None} and synced.ended
    # the W&B sweep as the agent reads it holds the runs (the server's sweep page)
    assert {e["node"]["name"] for e in stub._created_sweep(sweep.name)["runs"]["edges"]} == set(synced.uploaded)
    assert files_holding_the_key(workdir) == []
    for result in outcome.results:  # wandb's marker: a later `wandb sync` skips the run
        assert list((workdir / result.run_dir).glob("*.wandb.synced"))

    before = len(uploads(stub)), len(stub.sweeps), len(sweep.updates)
    again = sync_sweep("out")
    assert (len(uploads(stub)), len(stub.sweeps), len(sweep.updates)) == before  # nothing new is sent
    assert again.uploaded == [] and sorted(again.already) == sorted(synced.uploaded) and again.ended
    assert not again.created and again.url == synced.url


def test_runs_added_later_join_the_same_sweep_and_it_stays_open_until_the_search_ends(stub, workdir, monkeypatch):
    offline_sweep(stub, monkeypatch, count=1)
    first = sync_sweep("out")
    (sweep,) = stub.sweeps.values()
    assert len(first.uploaded) == 1 and not first.ended and sweep.updates == []  # --count: still open
    offline_sweep(stub, monkeypatch, resume="out", count=5)  # the grid ends first: the search ended
    second = sync_sweep("out")
    assert len(second.uploaded) == 2 and second.already == first.uploaded and second.ended
    assert len(stub.sweeps) == 1 and len(stub.inserted) == 3 == len(set(stub.inserted))
    assert all(r.sweep == sweep.name for r in stub.online_runs.values())


def test_a_network_failure_mid_sync_is_resumed_without_a_duplicate(stub, workdir, monkeypatch):
    outcome = offline_sweep(stub, monkeypatch)
    ids = [r.id for r in outcome.results]
    stub.unreachable = {ids[1]}
    monkeypatch.setenv("WANDB_X_GRAPHQL_RETRY_MAX", "1")
    broken = sync_sweep("out")
    assert ids[1] in broken.failed and not broken.ended
    assert ids[1] not in json.loads((workdir / "out" / SYNC_FILE).read_text())["runs"]
    stub.unreachable = set()
    fixed = sync_sweep("out")
    assert fixed.uploaded == [ids[1]] and fixed.ended and not fixed.failed
    assert sorted(stub.inserted) == sorted(ids) and len(stub.sweeps) == 1
    for run_id in ids:
        assert stub.online_runs[run_id].sweep == "stub0001" and len(stub.online_runs[run_id].history) == 3


def test_a_sync_killed_mid_way_and_rerun_completes_with_no_duplicate_run(stub, workdir, monkeypatch):
    outcome = offline_sweep(stub, monkeypatch)
    ids = sorted(r.id for r in outcome.results)
    proc = subprocess.Popen([*script(), "sync", "out"], cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while not stub.inserted and time.monotonic() < deadline:  # the first run is on its way
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert len(stub.sweeps) == 1 and len(stub.inserted) < 3
    done = run("sync", "out", cwd=workdir)
    assert done.code == 0, done.err
    (sweep,) = stub.sweeps.values()
    assert done.out.strip() == f"{stub.url}/{sweep.entity}/{sweep.project}/sweeps/{sweep.name}"
    assert sorted(stub.inserted) == ids and len(stub.sweeps) == 1  # every run once, one sweep
    for run_id in ids:
        sent = stub.online_runs[run_id]
        assert sent.sweep == sweep.name and sent.state == "finished" and len(sent.history) == 3
        console_once(sent, next(r.config["x"] for r in outcome.results if r.id == run_id))
    assert files_holding_the_key(workdir) == []


def test_sync_refusals(stub, workdir, monkeypatch):
    with pytest.raises(SpecError, match="no such directory"):
        sync_sweep("nowhere")
    offline_sweep(stub, monkeypatch, count=1)
    monkeypatch.delenv("WANDB_API_KEY")
    with pytest.raises(SpecError, match="wandb login"):
        sync_sweep("out")
    assert stub.traffic == []
    monkeypatch.setenv("WANDB_API_KEY", API_KEY)
    sync_sweep("out", project="p1")
    with pytest.raises(SpecError, match="was synced to the W&B sweep"):
        sync_sweep("out", project="p2")
    done = run("sync", "out", "--project", "p2", cwd=workdir)
    assert done.code == 1 and "was synced to the W&B sweep" in done.err and "Traceback" not in done.err
    assert not Path(workdir / "out" / "sync").exists()


def test_a_run_sent_whole_but_not_yet_recorded_is_not_sent_twice(stub, workdir, monkeypatch):
    """Killed after a run's upload, before sync.json recorded it: the rerun sends none of its rows again."""
    outcome = offline_sweep(stub, monkeypatch)
    sync_sweep("out")
    path = workdir / "out" / SYNC_FILE
    state = json.loads(path.read_text())
    run_id = outcome.results[0].id
    del state["runs"][run_id]
    state["started"] = [run_id]
    path.write_text(json.dumps(state))
    again = sync_sweep("out")
    assert again.uploaded == [run_id] and stub.inserted.count(run_id) == 1
    sent = stub.online_runs[run_id]
    assert [row["_step"] for row in sent.history] == [0, 1, 2] and sent.state == "finished"
    assert json.loads(path.read_text())["started"] == []
    # the console is sent again whole, at the same line offsets: W&B's server replaces those lines (its
    # file_stream updates console lines by offset), so each line is there once
    assert [offset for offset, _lines in sent.output_sent if any("x=" in line for line in _lines)] == [0, 0]
    console_once(sent, outcome.results[0].config["x"])


def test_an_online_sweep_resumed_keeps_its_w_and_b_sweep_and_sync_refuses_it(stub, workdir):
    import wandb

    def train():
        run = wandb.init()
        run.log({"loss": run.config["x"]}, step=0)

    first = run_sweep(GRID, function=train, mode="online", count=1, out="out")
    again = run_sweep(resume="out", function=train)  # mode online, count 1: the state's
    assert again.results == first.results and again.reason == "1 runs"
    final = run_sweep(resume="out", function=train, count=5)
    (sweep,) = stub.sweeps.values()
    assert final.sweep_id == sweep.name and final.online_ended and len(final.results) == 3
    assert sorted(stub.inserted) == sorted(r.id for r in final.results)
    assert all(r.sweep == sweep.name for r in stub.online_runs.values())
    with pytest.raises(SpecError, match="already in the W&B sweep"):
        sync_sweep("out")


def test_a_crashed_run_whose_log_has_no_exit_is_uploaded_with_what_it_logged(stub, workdir, monkeypatch):
    """A run killed with its runner (resumed as crashed): its log ends without the run's exit record."""
    from sweepbridge.runner.txlog import rewrite

    outcome = offline_sweep(stub, monkeypatch, count=1)
    (result,) = outcome.results
    (log,) = (workdir / result.run_dir).glob("*.wandb")
    ends = ("exit", "final", "footer")
    rewrite(log, log, lambda record: record.WhichOneof("record_type") not in ends)
    synced = sync_sweep("out")
    assert synced.uploaded == [result.id] and not synced.failed
    sent = stub.online_runs[result.id]
    assert sent.sweep == "stub0001" and len(sent.history) == 3 and sent.exit_code != 0
